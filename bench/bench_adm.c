/* ADM and AIOTF rows: getAuthentication for a named device, one call (one
 * RAND_AIOT_d: what one tag paged by name costs, op adm_authentication_get_one;
 * the batched rows over 64 and N devices are bench_store.c's), getAuthentication for a filter (1,000 candidates x
 * 64 RAND_AIOT_d, the group inventory's cost, per derivation; 1 thread, and 2 on
 * a worker pool given to the ADM), and the AIOTF's side of the same answer (every
 * RES_AIOT compared with every candidate, per comparison). Keys come from a
 * memstore of STORE devices; every body checks what it got. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aiotsec/aiotsec.h"
#include "bench.h"

#define STORE 4096u      /* devices in the store (in cache: the realistic store is bench_store.c's) */
#define CANDIDATES 1000u /* devices the filter matches */
#define RAND_DS 64u      /* RAND_AIOT_d values in one getAuthentication */

typedef struct adm_arg {
    aiotsec_ctx *ctx;
    aiotsec_memstore *store;
    aiotsec_adm *adm, *adm_pool;
    aiotsec_batch_pool *pool;
    aiotsec_auth_answer *ans;
    aiotsec_aiotf *aiotf;
    uint8_t perm[STORE][4];
    uint8_t rand_n[16], rand_d[RAND_DS * 16];
    uint8_t filter[AIOTSEC_FILTER_MAX];
    size_t filter_len;
} adm_arg;

static int run_named(void *p, size_t iters)
{
    adm_arg *a = p;
    aiotsec_adm_request rq;
    memset(&rq, 0, sizeof rq);
    rq.perm_id_len = 4;
    rq.rand_n = a->rand_n;
    rq.rand_n_len = 16;
    rq.rand_d = a->rand_d;
    rq.rand_d_count = 1;
    for (size_t i = 0; i < iters; i++) {
        rq.perm_id = a->perm[(i * 2654435761u) % STORE]; /* spread over the store */
        if (aiotsec_adm_get_authentication(a->adm, &rq, a->ans) != AIOTSEC_OK ||
            aiotsec_auth_answer_entry_count(a->ans) != 1)
            return -1;
    }
    return 0;
}

static int filter_call(const adm_arg *a, const aiotsec_adm *adm, aiotsec_auth_answer *ans)
{
    aiotsec_adm_request rq;
    memset(&rq, 0, sizeof rq);
    rq.filter = a->filter;
    rq.filter_len = a->filter_len;
    rq.rand_n = a->rand_n;
    rq.rand_n_len = 16;
    rq.rand_d = a->rand_d;
    rq.rand_d_count = RAND_DS;
    if (aiotsec_adm_get_authentication(adm, &rq, ans) != AIOTSEC_OK ||
        aiotsec_auth_answer_entry_count(ans) != CANDIDATES * RAND_DS)
        return -1;
    return 0;
}

static int run_filter(void *p, size_t iters)
{
    adm_arg *a = p;
    for (size_t i = 0; i < iters; i++)
        if (filter_call(a, a->adm, a->ans) != 0)
            return -1;
    return 0;
}

static int run_filter_pool(void *p, size_t iters)
{
    adm_arg *a = p;
    for (size_t i = 0; i < iters; i++)
        if (filter_call(a, a->adm_pool, a->ans) != 0)
            return -1;
    return 0;
}

/* The AIOTF's step 10 for RAND_DS reports against the same answer: a procedure with
 * RAND_DS reports (random RES: every one fails, after all CANDIDATES comparisons). */
static int run_aiotf_match(void *p, size_t iters)
{
    adm_arg *a = p;
    for (size_t i = 0; i < iters; i++) {
        uint64_t proc = 0;
        aiotsec_adm_request rq;
        size_t n = 0, decided = 0;
        if (aiotsec_aiotf_start(a->aiotf, 0, AIOTSEC_PROC_INVENTORY, NULL, 0, a->filter, a->filter_len, RAND_DS,
                                &proc) != AIOTSEC_OK ||
            aiotsec_aiotf_next_requests(a->aiotf, 0, &rq, 1, &n) != AIOTSEC_OK || n != 1)
            return -1;
        uint8_t rand_n[16];
        memcpy(rand_n, a->rand_n, 16);
        rand_n[0] ^= (uint8_t)i; /* a fresh RAND_AIOT_n per procedure */
        rand_n[1] ^= (uint8_t)(i >> 8);
        if (aiotsec_aiotf_on_rand(a->aiotf, rq.id, 0, AIOTSEC_OK, rand_n, 16, NULL) != AIOTSEC_OK)
            return -1;
        for (size_t r = 0; r < RAND_DS; r++) {
            uint8_t nas[64] = {0x7a, 0x00, 0x41, 16};
            nas[4] = (uint8_t)r; /* RES: not anybody's */
            nas[20] = 16;
            memcpy(nas + 21, a->rand_d + 16 * r, 16);
            if (aiotsec_aiotf_on_report(a->aiotf, 0, rand_n, 16, nas, 37, NULL) != AIOTSEC_OK)
                return -1;
        }
        if (aiotsec_aiotf_next_requests(a->aiotf, 0, &rq, 1, &n) != AIOTSEC_OK || n != 1 ||
            rq.rand_d_count != RAND_DS)
            return -1;
        /* The answer was computed once (setup) for exactly these RAND_AIOT_d values. */
        if (aiotsec_aiotf_on_authentication(a->aiotf, rq.id, 0, AIOTSEC_OK, a->ans, &decided) != AIOTSEC_OK ||
            decided != RAND_DS || aiotsec_aiotf_finish(a->aiotf, proc) != AIOTSEC_OK)
            return -1;
    }
    return 0;
}

static void free_arg(adm_arg *a)
{
    aiotsec_aiotf_free(a->aiotf);
    aiotsec_auth_answer_free(a->ans);
    aiotsec_adm_free(a->adm);
    aiotsec_adm_free(a->adm_pool);
    aiotsec_batch_pool_free(a->pool);
    aiotsec_memstore_free(a->store);
    aiotsec_ctx_free(a->ctx);
    free(a);
}

/* STORE devices ab v v v; the first CANDIDATES share the 20-bit prefix ab 00 0 (v < 0x1000). */
static int setup(adm_arg *a, const char *backend)
{
    if (aiotsec_ctx_new(&a->ctx, backend, NULL) != AIOTSEC_OK ||
        aiotsec_memstore_new(&a->store, a->ctx, STORE) != AIOTSEC_OK ||
        aiotsec_batch_pool_new(&a->pool, 2) != AIOTSEC_OK ||
        aiotsec_auth_answer_new(&a->ans, CANDIDATES * RAND_DS) != AIOTSEC_OK)
        return -1;
    uint64_t seed = 7;
    for (uint32_t i = 0; i < STORE; i++) {
        uint32_t v = i < CANDIDATES ? i : 0x1000u + i; /* the rest outside the prefix */
        uint8_t key[16];
        a->perm[i][0] = 0xab;
        a->perm[i][1] = (uint8_t)(v >> 16);
        a->perm[i][2] = (uint8_t)(v >> 8);
        a->perm[i][3] = (uint8_t)v;
        bench_fill(&seed, key, sizeof key);
        if (aiotsec_memstore_add(a->store, a->perm[i], 4, key, sizeof key) != AIOTSEC_OK)
            return -1;
    }
    static const uint8_t prefix[3] = {0xab, 0x00, 0x00}; /* 20 bits: three octets */
    aiotsec_keystore ks;
    aiotsec_adm_config cfg;
    aiotsec_aiotf_config acfg;
    bench_fill(&seed, a->rand_n, sizeof a->rand_n);
    bench_fill(&seed, a->rand_d, sizeof a->rand_d);
    if (aiotsec_filter_make(NULL, prefix, 20, a->filter, sizeof a->filter, &a->filter_len) != AIOTSEC_OK ||
        aiotsec_memstore_keystore(a->store, &ks) != AIOTSEC_OK ||
        aiotsec_adm_new(&a->adm, a->ctx, &ks, NULL) != AIOTSEC_OK ||
        aiotsec_adm_config_init(&cfg, a->ctx) != AIOTSEC_OK)
        return -1;
    cfg.pool = a->pool;
    if (aiotsec_adm_new(&a->adm_pool, a->ctx, &ks, &cfg) != AIOTSEC_OK ||
        aiotsec_aiotf_config_init(&acfg, a->ctx) != AIOTSEC_OK)
        return -1;
    acfg.max_batch = RAND_DS;
    acfg.max_procedures = 4;
    acfg.max_reports = RAND_DS;
    if (aiotsec_aiotf_new(&a->aiotf, a->ctx, &acfg) != AIOTSEC_OK)
        return -1;
    return filter_call(a, a->adm, a->ans); /* the answer run_aiotf_match reuses */
}

int bench_run_adm(bench_rows *rows, const char *backend, const bench_opts *o)
{
    adm_arg *a = calloc(1, sizeof *a);
    if (!a)
        return -1;
    if (setup(a, backend) != 0) {
        free_arg(a);
        return -1;
    }
    double t = o->target_ms;
    /* A filter call is ~64,000 derivations: fewer, longer runs. */
    int reps = o->reps < 20 ? o->reps : 20;
    double per_call = (double)CANDIDATES * RAND_DS;
    bench_add_row_ex(rows, "adm_authentication_get_one", backend, 1, bench_measure(run_named, a, 1, t, o->reps),
                     STORE, 0);
    bench_add_row_ex(rows, "adm_authentication_get_filter", backend, 1,
                     bench_measure(run_filter, a, per_call, t, reps), STORE, 0);
    bench_add_row_ex(rows, "adm_authentication_get_filter", backend, 2,
                     bench_measure(run_filter_pool, a, per_call, t, reps), STORE, 0);
    /* Measured last: it consumes the answer computed by setup (kept intact by the AIOTF). */
    bench_add_row(rows, "aiotf_match_candidates", backend, 1, bench_measure(run_aiotf_match, a, per_call, t, reps));
    free_arg(a);
    return 0;
}
