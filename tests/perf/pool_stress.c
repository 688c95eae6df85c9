/* Worker-pool stress without Criterion, so that it also runs under
 * -DAIOTSEC_SANITIZE=thread (Criterion's process arena cannot start under
 * ThreadSanitizer): batches on pools of several sizes, callers sharing one pool,
 * wake-ups from sleep and create/use/free cycles, every answer compared with
 * the single-thread call. In the ordinary build it is a correctness test;
 * under TSan any data race aborts it (halt_on_error).
 *
 * Usage: pool_stress [BACKEND]  (default native). Exit 0 ok, 1 wrong result. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aiotsec/aiotsec.h"

#define NDEV 1500u /* six grains of 256, the last one short */
#define NCALLERS 3u

typedef struct world {
    aiotsec_ctx *ctx;
    size_t rl;
    aiotsec_prepared_key *pk[NDEV];
    uint8_t rand_n[NDEV][32], rand_d[NDEV][32], res[NDEV][32];
    aiotsec_batch_item items[NDEV];
    int ref_verify[NDEV], ref_derive[NDEV];
    uint8_t ref_xres[NDEV * 32];
    size_t ref_ok; /* matches among all NDEV items */
} world;

static world w;

/* Compares a pool batch of items [first, first + n) with the reference. */
static int check(aiotsec_batch_pool *pool, size_t first, size_t n, int *res, uint8_t *xres)
{
    int bad = 0;
    size_t n_ok = 0, want = 0;
    bad |= aiotsec_batch_pool_verify_res(w.ctx, pool, w.items + first, n, res, &n_ok) != AIOTSEC_OK;
    for (size_t i = 0; i < n; i++) {
        bad |= res[i] != w.ref_verify[first + i];
        want += w.ref_verify[first + i] == AIOTSEC_OK;
    }
    bad |= n_ok != want;
    memset(xres, 0xAA, n * w.rl);
    bad |= aiotsec_batch_pool_derive_res(w.ctx, pool, w.items + first, n, xres, n * w.rl, res) != AIOTSEC_OK;
    for (size_t i = 0; i < n; i++)
        bad |= res[i] != w.ref_derive[first + i];
    bad |= memcmp(xres, w.ref_xres + first * w.rl, n * w.rl) != 0;
    return bad;
}

typedef struct caller {
    aiotsec_batch_pool *pool;
    unsigned id;
    int bad;
    int res[NDEV];
    uint8_t xres[NDEV * 32];
} caller;

static void *caller_main(void *arg)
{
    caller *c = arg;
    for (unsigned r = 0; r < 12; r++) {
        size_t first = (c->id * 97u + r * 31u) % 400u; /* overlapping slices, different sizes */
        size_t n = NDEV - first - c->id * 150u;
        c->bad |= check(c->pool, first, n, c->res, c->xres);
    }
    return NULL;
}

static int setup(const char *backend)
{
    if (aiotsec_ctx_new(&w.ctx, backend, NULL) != AIOTSEC_OK)
        return -1;
    size_t rn = aiotsec_derive_rand_n_bytes(w.ctx), rd = aiotsec_derive_rand_d_bytes(w.ctx);
    w.rl = aiotsec_derive_res_bytes(w.ctx);
    uint64_t x = 0x9E3779B97F4A7C15ull;
    for (size_t i = 0; i < NDEV; i++) {
        uint8_t key[32];
        for (size_t j = 0; j < 32; j++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            key[j] = (uint8_t)x;
            w.rand_n[i][j] = (uint8_t)(x >> 8);
            w.rand_d[i][j] = (uint8_t)(x >> 16);
        }
        if (aiotsec_prepared_key_new(&w.pk[i], w.ctx, key, 32) != AIOTSEC_OK ||
            aiotsec_derive_res(w.ctx, key, 32, w.rand_n[i], rn, w.rand_d[i], rd, w.res[i], 32) != AIOTSEC_OK)
            return -1;
        if (i % 5 == 2)
            w.res[i][0] ^= 0x80; /* a wrong RES */
        w.items[i] = (aiotsec_batch_item){w.pk[i], w.rand_n[i], rn, w.rand_d[i], rd, w.res[i], w.rl};
        if (i % 211 == 100)
            w.items[i].rand_n_len = rn + 1; /* a bad item */
    }
    if (aiotsec_batch_verify_res(w.ctx, w.items, NDEV, w.ref_verify, 1, &w.ref_ok) != AIOTSEC_OK ||
        aiotsec_batch_derive_res(w.ctx, w.items, NDEV, w.ref_xres, sizeof w.ref_xres, w.ref_derive, 1) !=
            AIOTSEC_OK)
        return -1;
    return w.ref_ok > 0 && w.ref_ok < NDEV ? 0 : -1; /* the reference has both verdicts */
}

int main(int argc, char **argv)
{
    const char *backend = argc > 1 ? argv[1] : "native";
    if (setup(backend) != 0) {
        fprintf(stderr, "pool_stress: setup failed (%s)\n", backend);
        return 1;
    }
    int bad = 0;
    static int res[NDEV];
    static uint8_t xres[NDEV * 32];
    static const unsigned sizes[] = {1, 2, 3, 8};
    static const size_t lens[] = {257, 600, NDEV, 513, 255};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        aiotsec_batch_pool *pool = NULL;
        bad |= aiotsec_batch_pool_new(&pool, sizes[s]) != AIOTSEC_OK;
        for (size_t l = 0; !bad && l < sizeof lens / sizeof lens[0]; l++)
            bad |= check(pool, 0, lens[l], res, xres);
        aiotsec_batch_pool_free(pool);
    }
    /* Callers sharing one pool. */
    aiotsec_batch_pool *shared = NULL;
    bad |= aiotsec_batch_pool_new(&shared, 3) != AIOTSEC_OK;
    static caller c[NCALLERS];
    pthread_t tid[NCALLERS];
    for (unsigned t = 0; t < NCALLERS; t++) {
        c[t].pool = shared;
        c[t].id = t;
        if (pthread_create(&tid[t], NULL, caller_main, &c[t]) != 0)
            return 1;
    }
    for (unsigned t = 0; t < NCALLERS; t++) {
        pthread_join(tid[t], NULL);
        bad |= c[t].bad;
    }
    /* Workers asleep (3 ms idle, past the spin window), then woken by a batch. */
    for (int r = 0; r < 5; r++) {
        struct timespec ts = {0, 3000000};
        nanosleep(&ts, NULL);
        bad |= check(shared, 0, NDEV, res, xres);
    }
    aiotsec_batch_pool_free(shared);
    /* Create, use, free at once (and some never used). */
    for (unsigned cyc = 0; cyc < 40; cyc++) {
        aiotsec_batch_pool *pool = NULL;
        bad |= aiotsec_batch_pool_new(&pool, 2u + cyc % 3u) != AIOTSEC_OK;
        if (cyc % 4 != 3)
            bad |= check(pool, cyc, 600, res, xres);
        aiotsec_batch_pool_free(pool);
    }
    for (size_t i = 0; i < NDEV; i++)
        aiotsec_prepared_key_free(w.pk[i]);
    aiotsec_ctx_free(w.ctx);
    printf("pool_stress %s: %s\n", backend, bad ? "WRONG RESULTS" : "ok");
    return bad ? 1 : 0;
}
