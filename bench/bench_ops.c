/* Library rows for one backend: RES derivation (device), XRES verification
 * single / prepared / in batches (1 thread; 2 threads on a worker pool made once,
 * outside the timing; 2 threads created per call, for comparison), K_AIOTF derivation.
 * Every body checks its result, so a broken path cannot look fast. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aiotsec/aiotsec.h"
#include "bench.h"

#define NKEYS 64u /* distinct devices for the single-call rows */

typedef struct ops_arg {
    aiotsec_ctx *ctx;
    size_t rn, rd, rl;
    uint8_t keys[NKEYS][32];
    uint8_t rand_n[NKEYS][32], rand_d[NKEYS][32], res[NKEYS][32];
    aiotsec_prepared_key *pk[NKEYS];
    /* batch */
    size_t batch;
    aiotsec_batch_item *items;
    aiotsec_prepared_key **bkeys;
    uint8_t *brand; /* rand_n | rand_d | res, 96 octets per item */
    int *results;
    unsigned threads;
    aiotsec_batch_pool *pool; /* 2 threads, made in setup(): the timed calls only use it */
} ops_arg;

static int run_res_derive(void *p, size_t iters)
{
    ops_arg *a = p;
    uint8_t out[32];
    for (size_t i = 0; i < iters; i++) {
        size_t j = i % NKEYS;
        if (aiotsec_derive_res(a->ctx, a->keys[j], 32, a->rand_n[j], a->rn, a->rand_d[j], a->rd, out,
                               sizeof out) != AIOTSEC_OK)
            return -1;
    }
    return 0;
}

static int run_xres_verify(void *p, size_t iters)
{
    ops_arg *a = p;
    for (size_t i = 0; i < iters; i++) {
        size_t j = i % NKEYS;
        if (aiotsec_verify_res(a->ctx, a->keys[j], 32, a->rand_n[j], a->rn, a->rand_d[j], a->rd,
                               a->res[j], a->rl) != AIOTSEC_OK)
            return -1;
    }
    return 0;
}

static int run_xres_verify_prepared(void *p, size_t iters)
{
    ops_arg *a = p;
    for (size_t i = 0; i < iters; i++) {
        size_t j = i % NKEYS;
        if (aiotsec_prepared_verify_res(a->pk[j], a->rand_n[j], a->rn, a->rand_d[j], a->rd, a->res[j],
                                        a->rl) != AIOTSEC_OK)
            return -1;
    }
    return 0;
}

static int run_kaiotf(void *p, size_t iters)
{
    ops_arg *a = p;
    uint8_t out[32];
    for (size_t i = 0; i < iters; i++) {
        size_t j = i % NKEYS;
        if (aiotsec_derive_kaiotf(a->ctx, a->keys[j], 32, a->rand_n[j], a->rn, a->rand_d[j], a->rd, out,
                                  sizeof out) != AIOTSEC_OK)
            return -1;
    }
    return 0;
}

static int run_batch(void *p, size_t iters)
{
    ops_arg *a = p;
    for (size_t i = 0; i < iters; i++) {
        size_t n_ok = 0;
        if (aiotsec_batch_verify_res(a->ctx, a->items, a->batch, a->results, a->threads, &n_ok) !=
                AIOTSEC_OK ||
            n_ok != a->batch)
            return -1;
    }
    return 0;
}

/* The same batch on the pool (threads = the pool's, 2). */
static int run_batch_pool(void *p, size_t iters)
{
    ops_arg *a = p;
    for (size_t i = 0; i < iters; i++) {
        size_t n_ok = 0;
        if (aiotsec_batch_pool_verify_res(a->ctx, a->pool, a->items, a->batch, a->results, &n_ok) !=
                AIOTSEC_OK ||
            n_ok != a->batch)
            return -1;
    }
    return 0;
}

static void free_arg(ops_arg *a)
{
    aiotsec_batch_pool_free(a->pool);
    for (size_t j = 0; j < NKEYS; j++)
        aiotsec_prepared_key_free(a->pk[j]);
    if (a->bkeys)
        for (size_t j = 0; j < a->batch; j++)
            aiotsec_prepared_key_free(a->bkeys[j]);
    free(a->bkeys);
    free(a->items);
    free(a->brand);
    free(a->results);
    aiotsec_ctx_free(a->ctx);
    free(a);
}

/* Keys, RANDs and the matching RES for every device (computed once, outside the timing). */
static int setup(ops_arg *a, const char *backend, size_t batch)
{
    if (aiotsec_ctx_new(&a->ctx, backend, NULL) != AIOTSEC_OK ||
        aiotsec_batch_pool_new(&a->pool, 2) != AIOTSEC_OK)
        return -1;
    a->rn = aiotsec_derive_rand_n_bytes(a->ctx);
    a->rd = aiotsec_derive_rand_d_bytes(a->ctx);
    a->rl = aiotsec_derive_res_bytes(a->ctx);
    uint64_t seed = 42;
    for (size_t j = 0; j < NKEYS; j++) {
        bench_fill(&seed, a->keys[j], 32);
        bench_fill(&seed, a->rand_n[j], a->rn);
        bench_fill(&seed, a->rand_d[j], a->rd);
        if (aiotsec_derive_res(a->ctx, a->keys[j], 32, a->rand_n[j], a->rn, a->rand_d[j], a->rd,
                               a->res[j], sizeof a->res[j]) != AIOTSEC_OK ||
            aiotsec_prepared_key_new(&a->pk[j], a->ctx, a->keys[j], 32) != AIOTSEC_OK)
            return -1;
    }
    a->batch = batch;
    a->items = calloc(batch, sizeof *a->items);
    a->bkeys = calloc(batch, sizeof *a->bkeys);
    a->brand = calloc(batch, 96);
    a->results = calloc(batch, sizeof *a->results);
    if (!a->items || !a->bkeys || !a->brand || !a->results)
        return -1;
    for (size_t j = 0; j < batch; j++) {
        uint8_t key[32];
        uint8_t *r = a->brand + 96 * j;
        bench_fill(&seed, key, sizeof key);
        bench_fill(&seed, r, 64);
        if (aiotsec_prepared_key_new(&a->bkeys[j], a->ctx, key, sizeof key) != AIOTSEC_OK ||
            aiotsec_derive_res(a->ctx, key, sizeof key, r, a->rn, r + 32, a->rd, r + 64, 32) != AIOTSEC_OK)
            return -1;
        a->items[j] = (aiotsec_batch_item){a->bkeys[j], r, a->rn, r + 32, a->rd, r + 64, a->rl};
    }
    return 0;
}

int bench_run_ops(bench_rows *rows, const char *backend, const bench_opts *o)
{
    ops_arg *a = calloc(1, sizeof *a);
    if (!a)
        return -1;
    if (setup(a, backend, o->batch) != 0) {
        free_arg(a);
        return -1;
    }
    double t = o->target_ms;
    int reps = o->reps;
    bench_add_row(rows, "res_derive", backend, 1, bench_measure(run_res_derive, a, 1, t, reps));
    bench_add_row(rows, "xres_verify", backend, 1, bench_measure(run_xres_verify, a, 1, t, reps));
    bench_add_row(rows, "xres_verify_prepared", backend, 1,
                  bench_measure(run_xres_verify_prepared, a, 1, t, reps));
    /* Same batch size and timing method for every batch row. */
    a->threads = 1;
    bench_add_row(rows, "xres_verify_batch_prepared", backend, 1,
                  bench_measure(run_batch, a, (double)a->batch, t, reps));
    bench_add_row(rows, "xres_verify_batch_prepared", backend, 2,
                  bench_measure(run_batch_pool, a, (double)a->batch, t, reps));
    a->threads = 2;
    bench_add_row(rows, "xres_verify_batch_spawn", backend, 2,
                  bench_measure(run_batch, a, (double)a->batch, t, reps));
    bench_add_row(rows, "kaiotf_derive", backend, 1, bench_measure(run_kaiotf, a, 1, t, reps));
    free_arg(a);
    return 0;
}
