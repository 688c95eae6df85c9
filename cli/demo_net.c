/* The network of `aiotsec demo`: key store (loaded by demo_roster.c), ADM and
 * AIOTF, and the transport between AIOTF and ADM.
 *
 * The AIOTF never calls the ADM: it queues Nadm_Sec requests. demo_adm_pump()
 * takes them with aiotsec_aiotf_next_requests(), has the in-process ADM answer
 * each, and hands the answer back; on the way it narrates steps 1, 7-9 and 11
 * and counts what the ADM did. Every ADM call of the demo goes through it.
 *
 * With --adm URL (demo_net_remote()) the ADM is remote: the requests go over
 * HTTP/2 through libaiotsec-h2client, which hands the answers to the AIOTF
 * itself and reports each one (remote_event) for the same narration and counts.
 * The demo's simulated clock then also advances with the real time spent
 * waiting for the network, so that the AIOTF's deadlines mean something. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "aiotsec/h2_client.h"
#include "demo.h"
#include "demo_remote.h"

#define REMOTE_ADM_LIMIT 65536u /* the remote ADM's limit is not known: its default sizes the batches */
#define REMOTE_SETTLE_MS 60000u /* longest wait for the remote ADM in one pump */

/* The remote transport (one demo per process). */
static struct {
    const char *api_root, *ca_file;
    aiotsec_h2c *client;
    uint64_t real_last; /* real time already added to the demo clock */
} remote;

void demo_net_remote(const char *api_root, const char *ca_file)
{
    remote.api_root = api_root;
    remote.ca_file = ca_file;
}

static uint64_t real_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* The client's clock: the demo's, moved on by the real time spent in the pump. */
static uint64_t remote_clock(void *arg)
{
    demo *d = arg;
    uint64_t now = real_ms();
    if (now > remote.real_last)
        d->clock_ms += now - remote.real_last;
    remote.real_last = now;
    return d->clock_ms;
}

static void remote_event(void *arg, const aiotsec_h2c_event *ev);

static int remote_build(demo *d, aiotsec_aiotf_config *cfg)
{
    size_t group = d->max_group < 16 ? 16 : d->max_group, batch = REMOTE_ADM_LIMIT / group;
    batch = batch < 1 ? 1 : batch > 256 ? 256 : batch;
    int rc = aiotsec_aiotf_config_init(cfg, d->ctx);
    cfg->timeout_ms = DEMO_TIMEOUT_MS;
    cfg->max_procedures = 64;
    cfg->max_reports = group + 256;
    cfg->max_batch = batch;
    cfg->max_requests = group / batch + 64;
    cfg->max_sessions = 64;
    cfg->spare_reports = DEMO_SPARES;
    d->spares = cfg->spare_reports;
    d->threads = 0; /* the ADM's threads are the server's */
    aiotsec_h2c_config hc;
    aiotsec_h2c_config_init(&hc);
    hc.api_root = remote.api_root;
    hc.ca_file = remote.ca_file;
    hc.request_timeout_ms = 5000;
    hc.clock = remote_clock;
    hc.clock_arg = d;
    hc.on_event = remote_event;
    hc.event_arg = d;
    if (rc == AIOTSEC_OK)
        rc = aiotsec_h2c_new(&remote.client, &hc);
    return rc == AIOTSEC_OK ? aiotsec_aiotf_new(&d->aiotf, d->ctx, cfg) : rc;
}

#define PUMP_BATCH 16
#define PUMP_BUDGET 10000000u /* requests per call: an ADM that never settles cannot hang the demo */

static unsigned cpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1u : n > 8 ? 8u : (unsigned)n;
}

int demo_net_build(demo *d)
{
    if (remote.api_root) {
        aiotsec_aiotf_config cfg;
        return remote_build(d, &cfg);
    }
    aiotsec_keystore ks;
    aiotsec_adm_config ac;
    int rc = aiotsec_memstore_keystore(d->store, &ks);
    if (rc == AIOTSEC_OK)
        rc = aiotsec_adm_config_init(&ac, d->ctx);
    /* The ADM's hot path on every CPU for large rosters (a batch of 256 items or
     * fewer runs in the caller anyway, so small runs need no pool). */
    d->threads = d->n_recs > 256 ? cpus() : 1;
    if (rc == AIOTSEC_OK && d->threads > 1)
        rc = aiotsec_batch_pool_new(&d->pool, d->threads);
    ac.pool = d->pool;
    if (rc == AIOTSEC_OK)
        rc = aiotsec_adm_new(&d->adm, d->ctx, &ks, &ac);
    if (rc == AIOTSEC_OK)
        rc = aiotsec_auth_answer_new(&d->ans, aiotsec_adm_max_derivations(d->adm));
    if (rc != AIOTSEC_OK)
        return rc;
    /* Batches that fit the ADM's limit for the largest group, so that no
     * getAuthentication is refused as too large (the AIOTF would split it). */
    size_t limit = aiotsec_adm_max_derivations(d->adm), group = d->max_group < 16 ? 16 : d->max_group;
    size_t batch = limit / group;
    batch = batch < 1 ? 1 : batch > 256 ? 256 : batch;
    aiotsec_aiotf_config cfg;
    rc = aiotsec_aiotf_config_init(&cfg, d->ctx);
    cfg.timeout_ms = DEMO_TIMEOUT_MS;
    cfg.max_procedures = 64;
    cfg.max_reports = group + 256;
    cfg.max_batch = batch;
    cfg.max_requests = group / batch + 64;
    cfg.max_sessions = 64;
    cfg.spare_reports = DEMO_SPARES;
    d->spares = cfg.spare_reports;
    return rc == AIOTSEC_OK ? aiotsec_aiotf_new(&d->aiotf, d->ctx, &cfg) : rc;
}

void demo_net_free(demo *d)
{
    aiotsec_h2c_free(remote.client);
    remote.client = NULL;
    aiotsec_aiotf_free(d->aiotf);
    aiotsec_auth_answer_free(d->ans);
    aiotsec_adm_free(d->adm);
    aiotsec_batch_pool_free(d->pool);
    aiotsec_memstore_free(d->store);
    d->aiotf = NULL;
    d->ans = NULL;
    d->adm = NULL;
    d->pool = NULL;
    d->store = NULL;
}

static const char *target_text(const aiotsec_adm_request *rq, char *buf, size_t cap)
{
    char hex[2 * AIOTSEC_ID_MAX + 1], f[2 * AIOTSEC_FILTER_MAX + 8];
    if (rq->perm_id) {
        demo_hex(rq->perm_id, rq->perm_id_len, hex, sizeof hex);
        snprintf(buf, cap, "device %s", hex);
    } else {
        snprintf(buf, cap, "filter %s", demo_filter_text(rq->filter, rq->filter_len, f, sizeof f));
    }
    return buf;
}

static void get_rand(demo *d, const aiotsec_adm_request *rq)
{
    uint8_t rand_n[AIOTSEC_RAND_LEN];
    char h[2 * AIOTSEC_RAND_LEN + 1];
    int rc = aiotsec_adm_get_rand(d->adm, rand_n, sizeof rand_n);
    if (rc == AIOTSEC_OK) {
        demo_hex(rand_n, sizeof rand_n, h, sizeof h);
        demo_step(d, "1", "AIOTF -> ADM", "Nadm_SecRAND_Get: RAND_AIOT_n = %s", h);
    } else {
        demo_step(d, "1", "AIOTF -> ADM", "Nadm_SecRAND_Get failed: %s", aiotsec_status_name(rc));
    }
    (void)aiotsec_aiotf_on_rand(d->aiotf, rq->id, d->clock_ms, rc, rand_n, sizeof rand_n, NULL);
}

/* Steps 7-9 (and 10, narrated from the AIOTF's verdicts). */
static void get_authentication(demo *d, const aiotsec_adm_request *rq)
{
    char t[160], h[2 * AIOTSEC_RAND_LEN + 1];
    uint8_t sent[DEMO_SENT_MAX * AIOTSEC_RAND_LEN]; /* the list, kept for step 10 (the views end with the answer) */
    size_t m = rq->rand_d_count;
    demo_step(d, "7", "AIOTF -> ADM", "Nadm_SecAuthentication_Get: %s, RAND_AIOT_n, randDlist of %zu RAND_AIOT_d",
              target_text(rq, t, sizeof t), m);
    if (d->verbose && m <= DEMO_SENT_MAX)
        memcpy(sent, rq->rand_d, m * AIOTSEC_RAND_LEN);
    int rc = aiotsec_adm_get_authentication(d->adm, rq, d->ans);
    if (rc == AIOTSEC_OK) {
        size_t sets = aiotsec_auth_answer_set_count(d->ans), entries = aiotsec_auth_answer_entry_count(d->ans);
        d->adm_derivations += entries;
        demo_step(d, "8", "ADM", "XRES_AIOT for %zu candidate(s) x %zu RAND_AIOT_d = %zu derivation(s) (not shown)",
                  sets ? entries / sets : 0, sets, entries);
        for (size_t s = 0; s < sets; s++) {
            const uint8_t *rd;
            size_t n = 0;
            (void)aiotsec_auth_answer_set(d->ans, s, &rd, &n);
            d->cand_min = n < d->cand_min ? n : d->cand_min;
            d->cand_max = n > d->cand_max ? n : d->cand_max;
            if (d->verbose) {
                demo_hex(rd, 8, h, sizeof h);
                demo_step(d, "9", "ADM -> AIOTF", "set for RAND_AIOT_d %s..: %zu candidate(s) {XRES_AIOT%s}", h, n,
                          rq->filter ? ", Permanent Identifier" : "");
            }
        }
    } else {
        demo_step(d, "9", "ADM -> AIOTF", "refused: %s", aiotsec_status_name(rc));
    }
    (void)aiotsec_aiotf_on_authentication(d->aiotf, rq->id, d->clock_ms, rc, d->ans, NULL);
    if (d->verbose && m <= DEMO_SENT_MAX)
        demo_proc_verdicts(d, sent, m, rc == AIOTSEC_OK ? d->ans : NULL);
    aiotsec_auth_answer_reset(d->ans); /* it held XRES_AIOT values */
}

/* Step 11. */
static void get_session_key(demo *d, const aiotsec_adm_request *rq)
{
    uint8_t kaiotf[AIOTSEC_KAIOTF_LEN];
    char p[2 * AIOTSEC_ID_MAX + 1];
    int rc = aiotsec_adm_get_session_key(d->adm, rq->perm_id, rq->perm_id_len, rq->rand_n, rq->rand_n_len,
                                         rq->rand_d, AIOTSEC_RAND_LEN, kaiotf, sizeof kaiotf);
    demo_hex(rq->perm_id, rq->perm_id_len, p, sizeof p);
    int st = aiotsec_aiotf_on_session_key(d->aiotf, rq->id, d->clock_ms, rc, kaiotf, sizeof kaiotf, NULL);
    aiotsec_wipe(kaiotf, sizeof kaiotf);
    demo_step(d, "11", "AIOTF -> ADM", "Nadm_SecSessionKey_Get(%s, RAND_AIOT_n, RAND_AIOT_d): K_AIOTF %s", p,
              rc != AIOTSEC_OK  ? aiotsec_status_name(rc)
              : st == AIOTSEC_OK ? "derived (not shown); NAS security context ready"
                                 : aiotsec_status_name(st));
}

/* What the remote ADM answered, narrated and counted as the in-process path does
 * (after the AIOTF has the answer: steps 7-9 are told together). */
static void remote_event(void *arg, const aiotsec_h2c_event *ev)
{
    demo *d = arg;
    const aiotsec_adm_request *rq = ev->req;
    char t[160], h[2 * AIOTSEC_RAND_LEN + 1], p[2 * AIOTSEC_ID_MAX + 1], why[96] = "";
    if (rq->op >= AIOTSEC_ADM_GET_RAND && rq->op <= AIOTSEC_ADM_GET_TID)
        d->adm_ops[rq->op]++;
    if (ev->status == AIOTSEC_E_TRANSPORT && ev->http_status)
        snprintf(why, sizeof why, " (HTTP %d: the AIOTF retries)", ev->http_status);
    else if (ev->status == AIOTSEC_E_TRANSPORT)
        snprintf(why, sizeof why, " (no answer: the AIOTF retries)");
    if (rq->op == AIOTSEC_ADM_GET_RAND) {
        if (ev->rand_n) {
            demo_hex(ev->rand_n, AIOTSEC_RAND_LEN, h, sizeof h);
            demo_step(d, "1", "AIOTF -> ADM", "Nadm_SecRAND_Get over HTTP/2: RAND_AIOT_n = %s", h);
        } else {
            demo_step(d, "1", "AIOTF -> ADM", "Nadm_SecRAND_Get failed: %s%s", aiotsec_status_name(ev->status), why);
        }
    } else if (rq->op == AIOTSEC_ADM_GET_AUTHENTICATION) {
        size_t m = rq->rand_d_count;
        demo_step(d, "7", "AIOTF -> ADM", "Nadm_SecAuthentication_Get over HTTP/2: %s, RAND_AIOT_n, randDlist of %zu "
                  "RAND_AIOT_d", target_text(rq, t, sizeof t), m);
        if (ev->ans) {
            size_t sets = aiotsec_auth_answer_set_count(ev->ans), entries = aiotsec_auth_answer_entry_count(ev->ans);
            d->adm_derivations += entries;
            demo_step(d, "8", "ADM", "XRES_AIOT for %zu candidate(s) x %zu RAND_AIOT_d = %zu derivation(s) (not "
                      "shown)", sets ? entries / sets : 0, sets, entries);
            for (size_t s = 0; s < sets; s++) {
                const uint8_t *rd;
                size_t n = 0;
                (void)aiotsec_auth_answer_set(ev->ans, s, &rd, &n);
                d->cand_min = n < d->cand_min ? n : d->cand_min;
                d->cand_max = n > d->cand_max ? n : d->cand_max;
            }
        } else {
            demo_step(d, "9", "ADM -> AIOTF", "refused: %s%s", aiotsec_status_name(ev->status), why);
        }
        if (d->verbose && m <= DEMO_SENT_MAX)
            demo_proc_verdicts(d, rq->rand_d, m, ev->ans);
    } else if (rq->op == AIOTSEC_ADM_GET_SESSION_KEY) {
        demo_hex(rq->perm_id, rq->perm_id_len, p, sizeof p);
        demo_step(d, "11", "AIOTF -> ADM", "Nadm_SecSessionKey_Get over HTTP/2 (%s, RAND_AIOT_n, RAND_AIOT_d): K_AIOTF %s%s",
                  p,
                  ev->status != AIOTSEC_OK        ? aiotsec_status_name(ev->status)
                  : ev->aiotf_status == AIOTSEC_OK ? "derived (not shown); NAS security context ready"
                                                   : aiotsec_status_name(ev->aiotf_status),
                  why);
    }
}

/* Carries every queued request to the remote ADM and waits for the answers (bounded). */
static void remote_pump(demo *d)
{
    remote.real_last = real_ms(); /* only the time spent waiting for the network moves the clock */
    int rc = aiotsec_h2c_settle(remote.client, d->aiotf, REMOTE_SETTLE_MS);
    if (rc != AIOTSEC_OK)
        demo_check(d, 0, "the remote ADM answers every request", rc);
}

void demo_adm_pump(demo *d)
{
    if (remote.client) {
        remote_pump(d);
        return;
    }
    aiotsec_adm_request rq[PUMP_BATCH];
    size_t n = 0, done = 0;
    while (done < PUMP_BUDGET &&
           aiotsec_aiotf_next_requests(d->aiotf, d->clock_ms, rq, PUMP_BATCH, &n) == AIOTSEC_OK && n) {
        for (size_t i = 0; i < n; i++, done++) {
            if (rq[i].op >= AIOTSEC_ADM_GET_RAND && rq[i].op <= AIOTSEC_ADM_GET_TID)
                d->adm_ops[rq[i].op]++;
            if (rq[i].op == AIOTSEC_ADM_GET_RAND)
                get_rand(d, &rq[i]);
            else if (rq[i].op == AIOTSEC_ADM_GET_AUTHENTICATION)
                get_authentication(d, &rq[i]);
            else if (rq[i].op == AIOTSEC_ADM_GET_SESSION_KEY)
                get_session_key(d, &rq[i]);
        }
    }
    if (done >= PUMP_BUDGET)
        demo_check(d, 0, "the AIOTF's requests settle", AIOTSEC_E_LIMIT);
}
