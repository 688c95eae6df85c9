/* aiotsec demo: the procedure of spec section 1 end to end - ADM, AIOTF and
 * simulated tags in one process - as a group inventory, a command sequence and
 * the attacks. Exit 0 only when every expected success succeeded and every
 * attack was rejected with its own status. The sections are in demo_*.c. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd_args.h"
#include "demo.h"
#include "demo_remote.h"

#define BUILTIN_GROUP 5        /* the built-in roster: the five a1 tags make one group */
#define DEFAULT_GROUP 256      /* generated and file rosters */
#define MAX_COUNT 1000000ul
#define MAX_GROUP 65536ul      /* the ADM's default limit of derivations per request */

static void help(void)
{
    printf("usage: aiotsec demo [--count N | --devices FILE] [--group G] [--json] [--backend NAME]\n"
           "                    [--adm URL [--ca-file FILE]]\n\n"
           "The AIoT procedures of spec section 1 in one process: an ADM over an in-memory key\n"
           "store, an AIOTF that reaches it only through its request queue, and simulated tags.\n"
           "1. Group inventory of every tag: the tags, sorted by Permanent Identifier, are split\n"
           "   into filters (AiotFilteringInformation, a bit prefix) of at most G tags; a tag\n"
           "   that no longer prefix singles out is paged by name. The ADM answers each paging's\n"
           "   reports with candidate sets; the AIOTF identifies every tag.\n"
           "2. A command procedure: READ, WRITE, READ-back, a WRITE into the write-protected\n"
           "   range, PERMANENT_DISABLE.\n"
           "3. The attacks: a wrong key, a replayed and a tampered COMMAND REQUEST, a paging\n"
           "   storm, a spoofed paging, an unsolicited and a late report, the disabled tag, a\n"
           "   forged report in a group inventory, a duplicate RAND_AIOT_d, answers beyond the cap.\n\n"
           "  --count N       N tags made in memory (3..%lu), Permanent Identifier\n"
           "                  a1 || group (3 octets) || number in the group (3 octets)\n"
           "  --devices FILE  your key file: `PERM_ID_HEX K_ROOT_HEX` a line, '#' comments\n"
           "                  (the 0.1 form with a first column is read, that column ignored)\n"
           "  --group G       at most G tags per filter, 1..%lu (default %d for the built-in\n"
           "                  tags, %d otherwise); the ADM derives G x G XRES_AIOT per group\n"
           "  --json          only a machine-readable summary on stdout\n"
           "  --backend NAME  for every role (default: native, the ADM's recommended backend,\n"
           "                  when built; else the library's default)\n"
           "  --adm URL       a remote ADM instead of the in-process one: its apiRoot over HTTP/2\n"
           "                  (http://HOST:PORT h2c, https://HOST:PORT TLS), e.g. `aiotsec adm serve`\n"
           "                  over the same key file (needs --devices)\n"
           "  --ca-file FILE  https: the CA certificates to trust for the ADM\n\n"
           "Without --count or --devices: eight built-in tags, five sharing the prefix a1.\n"
           "Never prints K_AIOT_root, RES_AIOT, XRES_AIOT, K_AIOTF or an algorithm key.\n"
           "Exit 0 when every expected success succeeded and every attack was rejected,\n"
           "1 otherwise, 2 on bad input.\n",
           MAX_COUNT, MAX_GROUP, BUILTIN_GROUP, DEFAULT_GROUP);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct opts {
    const char *file, *backend, *adm, *ca_file;
    unsigned long count, group;
    int json;
} opts;

static int parse(int argc, char **argv, opts *o)
{
    memset(o, 0, sizeof *o);
    const char *file = NULL, *backend = NULL, *adm = NULL, *ca = NULL, *count = NULL, *group = NULL;
    cmd_opt opt[] = {
        {"--json", NULL, 0, 0},     {"--devices", &file, 1, 0}, {"--backend", &backend, 1, 0},
        {"--adm", &adm, 1, 0},      {"--ca-file", &ca, 1, 0},   {"--count", &count, 1, 0},
        {"--group", &group, 1, 0},
    };
    /* The shared parser: "--name value" or "--name=value", flags without a value. */
    int rc = cmd_parse_or_help(argc - 1, argv + 1, opt, sizeof opt / sizeof opt[0], help);
    if (rc != CLI_OK)
        return rc; /* CMD_HELP (-1): the help is printed */
    o->json = opt[0].count != 0;
    o->file = file;
    o->backend = backend;
    o->adm = adm;
    o->ca_file = ca;
    if (count && (cli_parse_uint(count, MAX_COUNT, &o->count) != 0 || o->count < 3))
        return cli_usage_error("demo: --count takes a number from 3 to %lu", MAX_COUNT);
    if (group && (cli_parse_uint(group, MAX_GROUP, &o->group) != 0 || o->group < 1))
        return cli_usage_error("demo: --group takes a number from 1 to %lu", MAX_GROUP);
    if (o->file && o->count)
        return cli_usage_error("demo: --devices and --count exclude each other");
    if (o->adm && !o->file)
        return cli_usage_error("demo: --adm needs --devices FILE (the remote ADM must hold the same keys)");
    if (o->ca_file && !o->adm)
        return cli_usage_error("demo: --ca-file goes with --adm");
    return CLI_OK;
}

static aiotsec_ctx *make_ctx(const char *backend)
{
    const aiotsec_backend *be = NULL;
    if (!backend && aiotsec_backend_find("native", &be) == AIOTSEC_OK)
        backend = "native";
    return cli_make_ctx(backend);
}

static void say_roster(const demo *d)
{
    char h[2 * AIOTSEC_ID_MAX + 1], f[2 * AIOTSEC_FILTER_MAX + 8];
    printf("\nTags, sorted by Permanent Identifier:\n");
    for (size_t i = 0; i < d->n_recs; i++)
        printf("%s tag %-2zu %-14s%s", i % 4 ? "" : " ", i + 1, demo_perm_hex(d, i, h, sizeof h),
               i % 4 == 3 || i + 1 == d->n_recs ? "\n" : " ");
    printf("Paging plan (filters of up to %zu tags):\n", d->group_size);
    for (size_t g = 0; g < d->n_groups; g++) {
        const demo_group *p = &d->groups[g];
        if (p->filter_len)
            printf("  filter %-12s -> tags %zu-%zu\n", demo_filter_text(p->filter, p->filter_len, f, sizeof f),
                   p->first + 1, p->first + p->count);
        else
            printf("  by name            -> tag %zu\n", p->first + 1);
    }
}

static void cleanup(demo *d)
{
    demo_tags_free(d);
    demo_net_free(d);
    if (d->recs)
        aiotsec_wipe(d->recs, d->n_recs * sizeof *d->recs);
    free(d->recs);
    free(d->groups);
    aiotsec_ctx_free(d->ctx);
}

int cli_cmd_demo(int argc, char **argv)
{
    opts o;
    int rc = parse(argc, argv, &o);
    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    static demo d; /* large (live tags, wire buffers): not on the stack */
    memset(&d, 0, sizeof d);
    d.json = o.json;
    d.disabled = SIZE_MAX;
    d.ctx = make_ctx(o.backend);
    if (!d.ctx)
        return CLI_USAGE;
    double t0 = now_s();
    int builtin = !o.file && !o.count;
    d.group_size = o.group ? o.group : builtin ? BUILTIN_GROUP : DEFAULT_GROUP;
    rc = o.file ? demo_roster_from_file(&d, o.file)
         : o.count ? demo_roster_generate(&d, o.count, d.group_size)
                   : demo_roster_builtin(&d);
    if (rc == AIOTSEC_OK && d.n_recs < 3) {
        cleanup(&d);
        return cli_usage_error("demo: the key file must hold at least 3 devices");
    }
    if (rc == AIOTSEC_OK)
        rc = demo_plan_make(&d);
    if (o.adm)
        demo_net_remote(o.adm, o.ca_file);
    if (rc == AIOTSEC_OK)
        rc = demo_net_build(&d);
    if (rc != AIOTSEC_OK) {
        cleanup(&d);
        return o.file ? CLI_USAGE : cli_fail("demo: setting up: %s", aiotsec_strerror(rc));
    }
    d.verbose = !d.json && d.n_recs <= DEMO_NARRATE_MAX;
    d.progress = !d.verbose && isatty(2);
    if (!d.json) {
        printf("aiotsec demo: %zu tags, backend %s. Shown: identifiers, RAND values, candidate counts,\n"
               "outcomes. Never shown: K_AIOT_root, RES_AIOT, XRES_AIOT, K_AIOTF, algorithm keys.\n",
               d.n_recs, aiotsec_ctx_backend_name(d.ctx));
        if (o.adm)
            printf("The ADM is remote: %s, over HTTP/2.\n", o.adm);
        if (d.verbose)
            say_roster(&d);
    }
    rc = demo_inventory(&d);
    if (rc == AIOTSEC_OK) {
        demo_command_sequence(&d);
        demo_attacks(&d);
    }
    aiotsec_aiotf_stats st;
    int got = aiotsec_aiotf_stats_get(d.aiotf, &st);
    uint64_t carried = 0;
    for (size_t i = 0; i < sizeof d.adm_ops / sizeof d.adm_ops[0]; i++)
        carried += d.adm_ops[i];
    demo_check(&d, got == AIOTSEC_OK && st.adm_requests == carried,
               "every request the AIOTF handed out went through the transport", got);
    double secs = now_s() - t0;
    int ok = rc == AIOTSEC_OK && d.checks_failed == 0 && d.authenticated == d.n_recs && d.attacks > 0 &&
             d.attacks_rejected == d.attacks;
    if (d.json)
        demo_report_json(&d, secs, ok);
    else
        demo_report_text(&d, secs, ok);
    cleanup(&d);
    if (cmd_flush() != CLI_OK)
        return CLI_FAIL;
    return ok ? CLI_OK : CLI_FAIL;
}
