/* aiotsec inventory: the AIOTF role against a remote ADM over HTTP/2.
 *
 *   aiotsec inventory --adm URL --devices KEYFILE [--filter HEX | --device PERM_ID]
 *                     [--count N] [--json] [...]
 *
 * The AIOTF (aiotf.h) starts an inventory procedure; its requests go to the ADM
 * at URL through libaiotsec-h2client (getRand, then getAuthentication with the
 * reports' RAND_AIOT_d). The tags of KEYFILE, simulated with their keys, answer
 * the paging as the radio would; the AIOTF identifies each from the ADM's
 * candidate sets. Printed: who was identified, the counts, what the transport
 * did (retries included). Exit 0 when every tag that answered was identified as
 * itself, 1 otherwise, 2 on bad input. Never prints a key, RES, XRES or K_AIOTF. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aiotsec/h2_client.h"
#include "cmd_args.h"
#include "inventory.h"

#define TIMEOUT_DEFAULT 10000ul
#define TIMEOUT_MAX 600000ul
#define ADM_LIMIT 65536u /* the ADM's default derivations per request, to size the batches */

typedef struct inv_opts {
    const char *adm, *devices, *filter, *device, *backend, *ca_file;
    unsigned long count, timeout_ms, max_batch, connections, request_timeout_ms, in_flight;
    int json, verbose;
} inv_opts;

static void help(void)
{
    printf("usage: aiotsec inventory --adm URL --devices KEYFILE [--filter HEX | --device PERM_ID]\n"
           "                         [--count N] [--json] [OPTIONS]\n"
           "\n"
           "A group inventory (spec section 1) with the AIOTF here and the ADM at URL, over HTTP/2\n"
           "(TS 29.369 Nadm_Sec; `aiotsec adm serve` is one). The tags of KEYFILE, simulated with\n"
           "their keys, answer the paging; the AIOTF identifies each from the ADM's candidate sets.\n"
           "\n"
           "  --adm URL              the ADM's apiRoot: http://HOST:PORT (h2c) or https://HOST:PORT (TLS)\n"
           "  --devices KEYFILE      the tags: 'PERM_ID_HEX K_AIOT_ROOT_HEX' a line ('#' comments)\n"
           "  --filter HEX           page this AiotFilteringInformation (prefix length octet, then the prefix)\n"
           "  --device PERM_ID       page one device by its Permanent Identifier (hex)\n"
           "                         (neither: the filter of the longest prefix all the tags share)\n"
           "  --count N              answers the AIOTF expects (default: the tags the paging addresses)\n"
           "  --json                 one JSON object on stdout\n"
           "  --timeout MS           the procedure's reporting window and deadline (default 10000)\n"
           "  --max-batch N          RAND_AIOT_d per getAuthentication (default: 65536 / answers, at most 256)\n"
           "  --connections N        HTTP/2 connections to the ADM (default 2)\n"
           "  --request-timeout MS   per request (default 5000: a large group's answers are megabytes)\n"
           "  --max-in-flight N      requests sent at once (default 8; 1..4096)\n"
           "  --ca-file FILE         https: the CA certificates to trust for the ADM\n"
           "  --backend NAME         crypto backend of the AIOTF and the tags\n"
           "  --verbose              one line per ADM request on stderr\n"
           "\n"
           "Exit status: 0 every tag that answered was identified; 1 otherwise; 2 bad input.\n");
}

static int parse(int argc, char **argv, inv_opts *o)
{
    memset(o, 0, sizeof *o);
    o->timeout_ms = TIMEOUT_DEFAULT;
    const char *v[13] = {NULL};
    /* The shared parser: "--name value" or "--name=value", flags without a value. */
    cmd_opt opt[] = {
        {"--adm", &v[0], 1, 0},         {"--devices", &v[1], 1, 0},       {"--filter", &v[2], 1, 0},
        {"--device", &v[3], 1, 0},      {"--backend", &v[4], 1, 0},       {"--ca-file", &v[5], 1, 0},
        {"--count", &v[6], 1, 0},       {"--timeout", &v[7], 1, 0},       {"--max-batch", &v[8], 1, 0},
        {"--connections", &v[9], 1, 0}, {"--request-timeout", &v[10], 1, 0}, {"--max-in-flight", &v[11], 1, 0},
        {"--json", NULL, 0, 0},         {"--verbose", NULL, 0, 0},
    };
    int rc = cmd_parse_or_help(argc - 1, argv + 1, opt, sizeof opt / sizeof opt[0], help);
    if (rc != CLI_OK)
        return rc; /* CMD_HELP (-1): the help is printed */
    const char **str[6] = {&o->adm, &o->devices, &o->filter, &o->device, &o->backend, &o->ca_file};
    for (size_t i = 0; i < 6; i++)
        *str[i] = v[i];
    unsigned long *num[6] = {&o->count, &o->timeout_ms, &o->max_batch, &o->connections, &o->request_timeout_ms,
                             &o->in_flight};
    for (size_t i = 0; i < 6; i++) {
        if (!v[6 + i])
            continue;
        if (cli_parse_uint(v[6 + i], num[i] == &o->timeout_ms ? TIMEOUT_MAX : 1ul << 24, num[i]) != 0 ||
            *num[i] == 0)
            return cli_usage_error("inventory: %s: a positive number (try aiotsec inventory --help)", opt[6 + i].name);
    }
    o->json = opt[12].count != 0;
    o->verbose = opt[13].count != 0;
    if (!o->adm || !o->devices)
        return cli_usage_error("inventory: --adm URL and --devices KEYFILE are required");
    if (o->filter && o->device)
        return cli_usage_error("inventory: --filter and --device exclude each other");
    if (o->connections > 16)
        return cli_usage_error("inventory: --connections: 1..16");
    if (o->in_flight > 4096)
        return cli_usage_error("inventory: --max-in-flight: 1..4096");
    return CLI_OK;
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void on_event(void *arg, const aiotsec_h2c_event *ev)
{
    (void)arg;
    const char *op = aiotsec_adm_op_name(ev->req->op);
    if (ev->http_status)
        fprintf(stderr, "adm: %s%s -> HTTP %d%s%s, %s (%u ms, connection %u)\n", op ? op : "?",
                ev->req->attempt ? " (again)" : "", ev->http_status, ev->cause[0] ? " " : "", ev->cause,
                aiotsec_status_name(ev->status), ev->latency_ms, ev->connection);
    else
        fprintf(stderr, "adm: %s -> no answer (%s): %s\n", op ? op : "?",
                ev->transport_error ? ev->transport_error : "?", aiotsec_status_name(ev->status));
}

/* Everything one run holds. */
typedef struct inv_run {
    aiotsec_ctx *ctx;
    inv_tags tags;
    aiotsec_aiotf *aiotf;
    aiotsec_h2c *client;
    inv_answer *answers;
    size_t n_answers;
    uint8_t perm[AIOTSEC_ID_MAX], filter[AIOTSEC_FILTER_MAX];
    size_t perm_len, filter_len;
    uint64_t proc;
    size_t addressed;     /* tags the target addresses, as the key file says */
    size_t identified, wrong, failed;
    double secs;
} inv_run;

/* --device / --filter / default: the target, and how many tags it addresses. */
static int target(const inv_opts *o, inv_run *r)
{
    const aiotsec_profile *prof = aiotsec_ctx_profile(r->ctx);
    if (o->device) {
        if (cli_parse_hex(o->device, r->perm, sizeof r->perm, &r->perm_len) != 0 || !r->perm_len)
            return cli_usage_error("inventory: --device: 1..64 octets of hex");
    } else if (o->filter) {
        if (cli_parse_hex(o->filter, r->filter, sizeof r->filter, &r->filter_len) != 0 ||
            aiotsec_filter_check(prof, r->filter, r->filter_len) != AIOTSEC_OK)
            return cli_usage_error("inventory: --filter: not an AiotFilteringInformation (hex: prefix length in "
                                   "bits, then the prefix, e.g. 08a1)");
    } else if (inv_common_filter(&r->tags, r->ctx, r->filter, sizeof r->filter, &r->filter_len) != AIOTSEC_OK) {
        return cli_usage_error("inventory: the tags share no prefix: give --filter or --device");
    }
    for (size_t i = 0; i < r->tags.n; i++) {
        const inv_tag *t = &r->tags.tags[i];
        int match = 0;
        if (r->perm_len)
            match = t->perm_len == r->perm_len && !memcmp(t->perm, r->perm, r->perm_len);
        else if (aiotsec_filter_match(prof, r->filter, r->filter_len, t->perm, t->perm_len, &match) != AIOTSEC_OK)
            match = 0;
        r->addressed += match != 0;
    }
    return CLI_OK;
}

static int make_roles(const inv_opts *o, inv_run *r, uint32_t expected)
{
    aiotsec_aiotf_config ac;
    int rc = aiotsec_aiotf_config_init(&ac, r->ctx);
    size_t answers = expected ? expected : r->tags.n;
    size_t batch = o->max_batch ? o->max_batch : ADM_LIMIT / (answers ? answers : 1);
    batch = batch < 1 ? 1 : batch > 256 ? 256 : batch;
    ac.timeout_ms = (uint32_t)o->timeout_ms;
    ac.max_procedures = 4;
    ac.max_reports = r->tags.n + 64;
    ac.max_batch = batch;
    ac.max_requests = r->tags.n / batch + 64;
    if (rc == AIOTSEC_OK)
        rc = aiotsec_aiotf_new(&r->aiotf, r->ctx, &ac);
    aiotsec_h2c_config hc;
    aiotsec_h2c_config_init(&hc);
    hc.api_root = o->adm;
    hc.ca_file = o->ca_file;
    if (o->connections)
        hc.connections = (uint32_t)o->connections;
    hc.request_timeout_ms = o->request_timeout_ms ? (uint32_t)o->request_timeout_ms : 5000u;
    /* A getAuthentication of a large group costs the ADM tens of milliseconds and
     * answers megabytes: a few at a time keep each within its timeout. */
    hc.max_in_flight = o->in_flight ? (uint32_t)o->in_flight : 8u;
    hc.on_event = o->verbose ? on_event : NULL;
    if (rc == AIOTSEC_OK) {
        rc = aiotsec_h2c_new(&r->client, &hc);
        if (rc == AIOTSEC_E_BAD_VALUE)
            return cli_usage_error("inventory: --adm: '%s' is not an http:// or https:// apiRoot", o->adm);
    }
    return rc == AIOTSEC_OK ? CLI_OK : cli_fail("inventory: setting up: %s", aiotsec_strerror(rc));
}

/* The procedure: getRand, the paging, the reports, the ADM's answers. */
static int run_procedure(const inv_opts *o, inv_run *r, uint32_t expected)
{
    uint64_t t0 = now_ms();
    int rc = aiotsec_aiotf_start(r->aiotf, t0, AIOTSEC_PROC_INVENTORY, r->perm_len ? r->perm : NULL,
                                 r->perm_len, r->perm_len ? NULL : r->filter, r->filter_len, expected, &r->proc);
    if (rc != AIOTSEC_OK)
        return cli_usage_error("inventory: the AIOTF refuses the procedure: %s", aiotsec_strerror(rc));
    aiotsec_aiotf_summary s;
    /* step 1: getRand, retried by the client until the deadline */
    while (aiotsec_aiotf_summary_get(r->aiotf, r->proc, &s) == AIOTSEC_OK && !s.paging &&
           now_ms() - t0 <= o->timeout_ms + 1000u)
        if (aiotsec_h2c_pump(r->client, r->aiotf, 100, NULL) != AIOTSEC_OK)
            break;
    if (aiotsec_aiotf_summary_get(r->aiotf, r->proc, &s) != AIOTSEC_OK || !s.paging)
        return cli_fail("inventory: no RAND_AIOT_n from the ADM at %s before the deadline", o->adm);
    /* steps 3-6: every tag hears the paging; the addressed ones answer */
    rc = inv_page(&r->tags, r->ctx, s.rand_n, r->perm_len ? r->perm : NULL, r->perm_len,
                  r->perm_len ? NULL : r->filter, r->filter_len, r->answers, &r->n_answers);
    if (rc != AIOTSEC_OK)
        return cli_fail("inventory: simulating the tags: %s", aiotsec_strerror(rc));
    uint64_t now = now_ms();
    for (size_t k = 0; k < r->n_answers; k++) {
        inv_answer *a = &r->answers[k];
        a->queued = aiotsec_aiotf_on_report(r->aiotf, now, s.rand_n, AIOTSEC_RAND_LEN, a->pdu, a->pdu_len,
                                            &a->report_id);
    }
    (void)aiotsec_aiotf_flush(r->aiotf, r->proc);
    /* steps 7-10: the ADM's candidate sets, retried until the deadline if need be */
    (void)aiotsec_h2c_settle(r->client, r->aiotf, (uint32_t)o->timeout_ms + 2000u);
    r->secs = (double)(now_ms() - t0) / 1e3;
    return CLI_OK;
}

static void tally(inv_run *r)
{
    for (size_t k = 0; k < r->n_answers; k++) {
        inv_answer *a = &r->answers[k];
        aiotsec_aiotf_device d;
        const inv_tag *t = &r->tags.tags[a->tag];
        if (a->queued != AIOTSEC_OK || aiotsec_aiotf_device_get(r->aiotf, a->report_id, &d) != AIOTSEC_OK) {
            r->failed++;
            continue;
        }
        a->queued = d.status;
        if (d.status != AIOTSEC_OK)
            r->failed++;
        else if (d.perm_id_len == t->perm_len && !memcmp(d.perm_id, t->perm, t->perm_len))
            r->identified++;
        else
            r->wrong++; /* identified as another device: never expected */
    }
}

/* The AIOTF's and the client's counters; returns the procedure's failure cause
 * (NULL or "" for none). */
static const char *run_stats(const inv_run *r, aiotsec_aiotf_stats *as, aiotsec_h2c_stats *hs)
{
    aiotsec_aiotf_summary s;
    memset(&s, 0, sizeof s);
    aiotsec_aiotf_stats_get(r->aiotf, as);
    aiotsec_h2c_stats_get(r->client, hs);
    (void)aiotsec_aiotf_summary_get(r->aiotf, r->proc, &s);
    return aiotsec_failure_cause_name(s.failure_cause);
}

static void print_text(const inv_opts *o, const inv_run *r)
{
    char hex[2 * AIOTSEC_ID_MAX + 1];
    aiotsec_aiotf_stats as;
    aiotsec_h2c_stats hs;
    const char *cause = run_stats(r, &as, &hs);
    for (size_t k = 0; k < r->n_answers; k++) {
        const inv_answer *a = &r->answers[k];
        const inv_tag *t = &r->tags.tags[a->tag];
        cli_to_hex(t->perm, t->perm_len, hex);
        printf("%s %s\n", hex, a->queued == AIOTSEC_OK ? "identified" : aiotsec_status_name(a->queued));
    }
    printf("inventory: %zu of %zu tags answered, %zu identified, %zu not (%s%s), ADM %s\n", r->n_answers, r->tags.n,
           r->identified, r->failed + r->wrong, cause && *cause ? "result " : "result success",
           cause && *cause ? cause : "", o->adm);
    printf("ADM requests: %llu (retries %llu, splits %llu); HTTP/2: %llu sent, %llu without answer, %llu retryable "
           "statuses, %llu connection(s); %.3f s\n",
           (unsigned long long)as.adm_requests, (unsigned long long)as.adm_retries, (unsigned long long)as.adm_splits,
           (unsigned long long)hs.sent, (unsigned long long)hs.no_answer, (unsigned long long)hs.retryable_status,
           (unsigned long long)hs.connections, r->secs);
}

static void print_json(const inv_run *r)
{
    char hex[2 * AIOTSEC_ID_MAX + 1];
    aiotsec_aiotf_stats as;
    aiotsec_h2c_stats hs;
    const char *cause = run_stats(r, &as, &hs);
    printf("{\"tags\": %zu, \"addressed\": %zu, \"answered\": %zu, \"identified\": %zu, \"not_identified\": %zu,\n",
           r->tags.n, r->addressed, r->n_answers, r->identified, r->failed + r->wrong);
    printf(" \"failure_cause\": \"%s\",\n \"devices\": [", cause ? cause : "");
    for (size_t k = 0; k < r->n_answers; k++) {
        const inv_answer *a = &r->answers[k];
        const inv_tag *t = &r->tags.tags[a->tag];
        cli_to_hex(t->perm, t->perm_len, hex);
        printf("%s\n  {\"perm_id\": \"%s\", \"status\": \"%s\"}", k ? "," : "", hex,
               a->queued == AIOTSEC_OK ? "identified" : aiotsec_status_name(a->queued));
    }
    printf("%s],\n \"adm_requests\": %llu, \"adm_retries\": %llu, \"adm_splits\": %llu, \"adm_errors\": %llu,\n",
           r->n_answers ? "\n " : "", (unsigned long long)as.adm_requests, (unsigned long long)as.adm_retries,
           (unsigned long long)as.adm_splits, (unsigned long long)as.adm_errors);
    printf(" \"http\": {\"sent\": %llu, \"no_answer\": %llu, \"timeouts\": %llu, \"retryable_status\": %llu, "
           "\"bad_answers\": %llu, \"2xx\": %llu, \"4xx\": %llu, \"5xx\": %llu, \"connections\": %llu},\n",
           (unsigned long long)hs.sent, (unsigned long long)hs.no_answer, (unsigned long long)hs.timeouts,
           (unsigned long long)hs.retryable_status, (unsigned long long)hs.bad_answers,
           (unsigned long long)hs.by_class[2], (unsigned long long)hs.by_class[4], (unsigned long long)hs.by_class[5],
           (unsigned long long)hs.connections);
    printf(" \"time_s\": %.3f}\n", r->secs);
}

int cli_cmd_inventory(int argc, char **argv)
{
    inv_opts o;
    int rc = parse(argc, argv, &o);
    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    inv_run r;
    memset(&r, 0, sizeof r);
    const aiotsec_backend *be = NULL;
    const char *backend = o.backend;
    if (!backend && aiotsec_backend_find("native", &be) == AIOTSEC_OK)
        backend = "native";
    if (!(r.ctx = cli_make_ctx(backend)))
        return CLI_USAGE;
    rc = inv_tags_load(&r.tags, o.devices);
    if (rc == CLI_OK)
        rc = target(&o, &r);
    uint32_t expected = o.count ? (uint32_t)o.count : (uint32_t)(r.perm_len ? 1 : r.addressed);
    if (rc == CLI_OK && r.perm_len && expected > 1)
        rc = cli_usage_error("inventory: --count: a device paged by name answers once");
    if (rc == CLI_OK && !(r.answers = calloc(r.tags.n, sizeof *r.answers)))
        rc = cli_fail("inventory: out of memory");
    if (rc == CLI_OK)
        rc = make_roles(&o, &r, expected);
    if (rc == CLI_OK)
        rc = run_procedure(&o, &r, expected);
    if (rc == CLI_OK) {
        tally(&r);
        if (o.json)
            print_json(&r);
        else
            print_text(&o, &r);
        rc = cmd_flush();
        if (rc == CLI_OK && (r.n_answers == 0 || r.identified != r.n_answers))
            rc = CLI_FAIL;
    }
    aiotsec_h2c_free(r.client);
    aiotsec_aiotf_free(r.aiotf);
    free(r.answers);
    inv_tags_free(&r.tags);
    aiotsec_ctx_free(r.ctx);
    return rc;
}
