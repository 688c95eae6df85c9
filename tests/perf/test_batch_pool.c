/* The batch worker pool (aiotsec_batch_pool_*, batch.h) through the exported
 * interface: for many batch sizes around the grain (256 items) and several pool
 * sizes, the pool's statuses, XRES and n_ok are those of the single-thread call
 * (itself checked against the single-item raw-key functions), with valid and
 * invalid items mixed; bad arguments; two caller threads sharing one pool; a
 * pool woken from its sleep; create/use/free cycles (leaks: stage 35, races:
 * -DAIOTSEC_SANITIZE=thread). Under valgrind (AIOTSEC_TEST_REDUCED) the sizes
 * and backends are fewer. */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aiotsec/aiotsec.h"

#define NMAX 4099u /* the largest batch below: 4096 + 3 */
#define GRAIN 256u /* the library's grain (batch_internal.h), for the sizes around it */

typedef struct fixture {
    const char *be;
    aiotsec_ctx *ctx, *other;
    size_t rn, rd, rl;
    uint8_t keys[NMAX][32];
    uint8_t rand_n[NMAX][32], rand_d[NMAX][32], res[NMAX][32];
    aiotsec_prepared_key *pk[NMAX];
    aiotsec_prepared_key *foreign; /* prepared with another context */
    aiotsec_batch_item items[NMAX];
    int expect_verify[NMAX]; /* what each item's verify status must be */
} fixture;

static int reduced(void)
{
    const char *r = getenv("AIOTSEC_TEST_REDUCED");
    return r && *r && strcmp(r, "0") != 0;
}

static void fill(uint64_t *seed, uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        *seed = *seed * 6364136223846793005ull + 1442695040888963407ull;
        p[i] = (uint8_t)(*seed >> 56);
    }
}

/* nmax items: mostly good, with every kind of bad item scattered across grains
 * (wrong RES, NULL key/RAND/RES, wrong lengths, a foreign key). */
static fixture *make(const char *backend, size_t nmax)
{
    fixture *f = calloc(1, sizeof *f);
    cr_assert_not_null(f);
    f->be = backend;
    cr_assert_eq(aiotsec_ctx_new(&f->ctx, backend, NULL), AIOTSEC_OK, "%s", backend);
    cr_assert_eq(aiotsec_ctx_new(&f->other, backend, NULL), AIOTSEC_OK);
    f->rn = aiotsec_derive_rand_n_bytes(f->ctx);
    f->rd = aiotsec_derive_rand_d_bytes(f->ctx);
    f->rl = aiotsec_derive_res_bytes(f->ctx);
    uint64_t seed = 0xC0FFEE;
    for (size_t i = 0; i < nmax; i++) {
        size_t kl = i % 5 ? 32 : 16;
        fill(&seed, f->keys[i], kl);
        fill(&seed, f->rand_n[i], f->rn);
        fill(&seed, f->rand_d[i], f->rd);
        cr_assert_eq(aiotsec_derive_res(f->ctx, f->keys[i], kl, f->rand_n[i], f->rn, f->rand_d[i], f->rd,
                                        f->res[i], sizeof f->res[i]), AIOTSEC_OK);
        cr_assert_eq(aiotsec_prepared_key_new(&f->pk[i], f->ctx, f->keys[i], kl), AIOTSEC_OK);
        f->items[i] = (aiotsec_batch_item){f->pk[i], f->rand_n[i], f->rn, f->rand_d[i], f->rd, f->res[i], f->rl};
        f->expect_verify[i] = AIOTSEC_OK;
    }
    cr_assert_eq(aiotsec_prepared_key_new(&f->foreign, f->other, f->keys[0], 32), AIOTSEC_OK);
    for (size_t i = 3; i < nmax; i += 7) { /* a wrong RES (one bit): AUTH_FAILED */
        f->res[i][i % f->rl] ^= (uint8_t)(1u << (i % 8));
        f->expect_verify[i] = AIOTSEC_E_AUTH_FAILED;
    }
    for (size_t i = 10; i < nmax; i += 97) {
        switch ((i / 97) % 6) {
        case 0: f->items[i].key = NULL; f->expect_verify[i] = AIOTSEC_E_NULL_ARG; break;
        case 1: f->items[i].rand_n = NULL; f->expect_verify[i] = AIOTSEC_E_NULL_ARG; break;
        case 2: f->items[i].res = NULL; f->expect_verify[i] = AIOTSEC_E_NULL_ARG; break;
        case 3: f->items[i].rand_d_len = f->rd + 1; f->expect_verify[i] = AIOTSEC_E_BAD_LENGTH; break;
        case 4: f->items[i].res_len = f->rl - 1; f->expect_verify[i] = AIOTSEC_E_BAD_LENGTH; break;
        default: f->items[i].key = f->foreign; f->expect_verify[i] = AIOTSEC_E_BAD_VALUE; break;
        }
    }
    return f;
}

static void drop(fixture *f, size_t nmax)
{
    for (size_t i = 0; i < nmax; i++)
        aiotsec_prepared_key_free(f->pk[i]);
    aiotsec_prepared_key_free(f->foreign);
    aiotsec_ctx_free(f->other);
    aiotsec_ctx_free(f->ctx);
    free(f);
}

/* Derive's expected status: it ignores res/res_len (a wrong or NULL RES is fine). */
static int expect_derive(const fixture *f, size_t i)
{
    const aiotsec_batch_item *it = &f->items[i];
    if (!it->key || !it->rand_n || !it->rand_d)
        return AIOTSEC_E_NULL_ARG;
    if (it->key == f->foreign)
        return AIOTSEC_E_BAD_VALUE;
    if (it->rand_n_len != f->rn || it->rand_d_len != f->rd)
        return AIOTSEC_E_BAD_LENGTH;
    return AIOTSEC_OK;
}

static int dr_ref[NMAX], dr_pool[NMAX];
static uint8_t xres_a[NMAX * 32], xres_b[NMAX * 32];

/* Pool result == single-thread result == what each item must give, for one batch size. */
static void check_size(fixture *f, aiotsec_batch_pool *pool, size_t n, unsigned threads)
{
    const char *be = f->be;
    /* Reference: the same call in one thread. Different fillers prove every octet is written. */
    memset(xres_a, 0x55, sizeof xres_a);
    memset(xres_b, 0xAA, sizeof xres_b);
    cr_assert_eq(aiotsec_batch_derive_res(f->ctx, f->items, n, xres_a, n * f->rl, dr_ref, 1), AIOTSEC_OK);
    cr_assert_eq(aiotsec_batch_pool_derive_res(f->ctx, pool, f->items, n, xres_b, n * f->rl, dr_pool),
                 AIOTSEC_OK);
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(dr_ref[i], expect_derive(f, i), "%s n %zu item %zu", be, n, i);
        cr_assert_eq(dr_pool[i], dr_ref[i], "%s pool %u n %zu item %zu", be, threads, n, i);
        if (dr_ref[i] == AIOTSEC_OK && f->items[i].res_len == f->rl && f->expect_verify[i] == AIOTSEC_OK)
            cr_assert_eq(memcmp(xres_a + i * f->rl, f->res[i], f->rl), 0, "%s item %zu", be, i);
    }
    cr_assert_eq(memcmp(xres_a, xres_b, n * f->rl), 0, "%s pool %u n %zu: XRES differ", be, threads, n);

    size_t ok_ref = 7, ok_pool = 7, want_ok = 0;
    static int vr[NMAX], vp[NMAX];
    cr_assert_eq(aiotsec_batch_verify_res(f->ctx, f->items, n, vr, 1, &ok_ref), AIOTSEC_OK);
    cr_assert_eq(aiotsec_batch_pool_verify_res(f->ctx, pool, f->items, n, vp, &ok_pool), AIOTSEC_OK);
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(vr[i], f->expect_verify[i], "%s n %zu item %zu", be, n, i);
        cr_assert_eq(vp[i], vr[i], "%s pool %u n %zu item %zu", be, threads, n, i);
        want_ok += vr[i] == AIOTSEC_OK;
    }
    cr_assert_eq(ok_ref, want_ok);
    cr_assert_eq(ok_pool, want_ok, "%s pool %u n %zu: n_ok %zu, want %zu", be, threads, n, ok_pool, want_ok);
}

static void sizes_threads(const char *backend, int big)
{
    static const size_t sizes[] = {0,         1,         2,         GRAIN - 1,     GRAIN,     GRAIN + 1,
                                   2 * GRAIN, 2 * GRAIN + 1, 3 * GRAIN + 17, 1001, 4096, 4097, NMAX};
    static const unsigned threads[] = {1, 2, 3, 8};
    size_t nmax = big ? NMAX : 2 * GRAIN + 1;
    fixture *f = make(backend, nmax);
    for (size_t t = 0; t < sizeof threads / sizeof threads[0]; t++) {
        aiotsec_batch_pool *pool = NULL;
        cr_assert_eq(aiotsec_batch_pool_new(&pool, threads[t]), AIOTSEC_OK);
        cr_assert_not_null(pool);
        for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
            if (sizes[s] <= nmax)
                check_size(f, pool, sizes[s], threads[t]);
        aiotsec_batch_pool_free(pool);
    }
    drop(f, nmax);
}

Test(batch_pool, equals_single_thread_native, .timeout = 300)
{
    sizes_threads("native", 1);
}

/* A backend without a batch path (item by item): the same answers. */
Test(batch_pool, equals_single_thread_sodium, .timeout = 300)
{
    sizes_threads("sodium", !reduced());
}

/* Every built-in backend, one size that spreads over several grains. */
Test(batch_pool, every_backend, .timeout = 300)
{
    for (size_t b = 0; b < aiotsec_backend_count(); b++) {
        fixture *f = make(aiotsec_backend_name_at(b), 3 * GRAIN + 17);
        aiotsec_batch_pool *pool = NULL;
        cr_assert_eq(aiotsec_batch_pool_new(&pool, 3), AIOTSEC_OK);
        check_size(f, pool, 3 * GRAIN + 17, 3);
        aiotsec_batch_pool_free(pool);
        drop(f, 3 * GRAIN + 17);
    }
}

/* Workers asleep (idle far past the spin window) wake for the next batch, and
 * back-to-back batches (workers polling) are right too. */
Test(batch_pool, after_idle_and_back_to_back, .timeout = 300)
{
    fixture *f = make("native", 2 * GRAIN + 1);
    aiotsec_batch_pool *pool = NULL;
    cr_assert_eq(aiotsec_batch_pool_new(&pool, 2), AIOTSEC_OK);
    for (int round = 0; round < 6; round++) {
        struct timespec ts = {0, 3000000}; /* 3 ms: every worker is asleep */
        nanosleep(&ts, NULL);
        check_size(f, pool, 2 * GRAIN + 1, 2);
        for (int k = 0; k < 10; k++)
            check_size(f, pool, GRAIN + 1 + (size_t)k * 25, 2);
    }
    aiotsec_batch_pool_free(pool);
    drop(f, 2 * GRAIN + 1);
}

Test(batch_pool, argument_errors)
{
    aiotsec_batch_pool *pool = (aiotsec_batch_pool *)&pool; /* must be overwritten with NULL */
    cr_assert_eq(aiotsec_batch_pool_new(NULL, 2), AIOTSEC_E_NULL_ARG);
    cr_assert_eq(aiotsec_batch_pool_new(&pool, 0), AIOTSEC_E_BAD_VALUE);
    cr_assert_null(pool);
    pool = (aiotsec_batch_pool *)&pool;
    cr_assert_eq(aiotsec_batch_pool_new(&pool, AIOTSEC_BATCH_MAX_THREADS + 1), AIOTSEC_E_BAD_VALUE);
    cr_assert_null(pool);
    cr_assert_eq(aiotsec_batch_pool_new(&pool, 0xFFFFFFFFu), AIOTSEC_E_BAD_VALUE);
    cr_assert_null(pool);
    aiotsec_batch_pool_free(NULL); /* ignored */

    fixture *f = make("sodium", 2 * GRAIN + 1);
    const size_t n = 2 * GRAIN + 1;
    static int results[NMAX];
    size_t n_ok = 5;
    cr_assert_eq(aiotsec_batch_pool_new(&pool, 2), AIOTSEC_OK);
    /* NULL pool or context: refused even for an empty batch. */
    cr_assert_eq(aiotsec_batch_pool_verify_res(f->ctx, NULL, f->items, n, results, &n_ok), AIOTSEC_E_NULL_ARG);
    cr_assert_eq(n_ok, 0);
    cr_assert_eq(aiotsec_batch_pool_verify_res(f->ctx, NULL, NULL, 0, NULL, NULL), AIOTSEC_E_NULL_ARG);
    cr_assert_eq(aiotsec_batch_pool_derive_res(f->ctx, NULL, f->items, n, xres_a, sizeof xres_a, results),
                 AIOTSEC_E_NULL_ARG);
    cr_assert_eq(aiotsec_batch_pool_derive_res(f->ctx, NULL, NULL, 0, NULL, 0, NULL), AIOTSEC_E_NULL_ARG);
    n_ok = 5;
    cr_assert_eq(aiotsec_batch_pool_verify_res(NULL, pool, f->items, n, results, &n_ok), AIOTSEC_E_NULL_ARG);
    cr_assert_eq(n_ok, 0);
    cr_assert_eq(aiotsec_batch_pool_derive_res(NULL, pool, f->items, n, xres_a, sizeof xres_a, results),
                 AIOTSEC_E_NULL_ARG);
    /* NULL buffers with items to do; none with nothing to do. */
    cr_assert_eq(aiotsec_batch_pool_verify_res(f->ctx, pool, NULL, n, results, NULL), AIOTSEC_E_NULL_ARG);
    cr_assert_eq(aiotsec_batch_pool_verify_res(f->ctx, pool, f->items, n, NULL, NULL), AIOTSEC_E_NULL_ARG);
    n_ok = 5;
    cr_assert_eq(aiotsec_batch_pool_verify_res(f->ctx, pool, NULL, 0, NULL, &n_ok), AIOTSEC_OK);
    cr_assert_eq(n_ok, 0);
    cr_assert_eq(aiotsec_batch_pool_derive_res(f->ctx, pool, NULL, n, xres_a, sizeof xres_a, results),
                 AIOTSEC_E_NULL_ARG);
    cr_assert_eq(aiotsec_batch_pool_derive_res(f->ctx, pool, f->items, n, NULL, sizeof xres_a, results),
                 AIOTSEC_E_NULL_ARG);
    cr_assert_eq(aiotsec_batch_pool_derive_res(f->ctx, pool, f->items, n, xres_a, sizeof xres_a, NULL),
                 AIOTSEC_E_NULL_ARG);
    cr_assert_eq(aiotsec_batch_pool_derive_res(f->ctx, pool, NULL, 0, NULL, 0, NULL), AIOTSEC_OK);
    /* One octet short of n XRES. */
    cr_assert_eq(aiotsec_batch_pool_derive_res(f->ctx, pool, f->items, n, xres_a, n * f->rl - 1, results),
                 AIOTSEC_E_BUFFER_TOO_SMALL);
    /* The pool still works after the refusals, and n_ok may be NULL. */
    cr_assert_eq(aiotsec_batch_pool_verify_res(f->ctx, pool, f->items, n, results, NULL), AIOTSEC_OK);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(results[i], f->expect_verify[i]);
    aiotsec_batch_pool_free(pool);
    drop(f, 2 * GRAIN + 1);
}

/* The largest pool can be made, used and freed. */
Test(batch_pool, max_threads, .timeout = 300)
{
    fixture *f = make("native", 3 * GRAIN + 17);
    aiotsec_batch_pool *pool = NULL;
    cr_assert_eq(aiotsec_batch_pool_new(&pool, AIOTSEC_BATCH_MAX_THREADS), AIOTSEC_OK);
    check_size(f, pool, 3 * GRAIN + 17, AIOTSEC_BATCH_MAX_THREADS);
    aiotsec_batch_pool_free(pool);
    drop(f, 3 * GRAIN + 17);
}

/* Create, use once, free at once; and create/free without a call. Leaks would
 * show under valgrind (stage 35) and ASan; a worker touching a freed pool under
 * ASan/TSan. */
Test(batch_pool, create_use_free_cycles, .timeout = 300)
{
    fixture *f = make("native", 2 * GRAIN + 1);
    int cycles = reduced() ? 20 : 200;
    static int results[NMAX];
    for (int c = 0; c < cycles; c++) {
        aiotsec_batch_pool *pool = NULL;
        unsigned threads = 1u + (unsigned)c % 4u;
        cr_assert_eq(aiotsec_batch_pool_new(&pool, threads), AIOTSEC_OK);
        if (c % 3 != 2) {
            size_t n_ok = 0;
            cr_assert_eq(aiotsec_batch_pool_verify_res(f->ctx, pool, f->items, 2 * GRAIN + 1, results, &n_ok),
                         AIOTSEC_OK);
            size_t want = 0;
            for (size_t i = 0; i < 2 * GRAIN + 1; i++) {
                cr_assert_eq(results[i], f->expect_verify[i], "cycle %d item %zu", c, i);
                want += results[i] == AIOTSEC_OK;
            }
            cr_assert_eq(n_ok, want);
        }
        aiotsec_batch_pool_free(pool);
    }
    drop(f, 2 * GRAIN + 1);
}

/* Two caller threads on one pool at the same time: each gets its own batch's
 * answers (the pool serialises them). Threads record, the main thread asserts. */
typedef struct caller {
    fixture *f;
    aiotsec_batch_pool *pool;
    size_t first, n; /* this caller's items: f->items[first .. first + n) */
    int rounds;
    int failures;
    int results[NMAX];
    uint8_t xres[NMAX * 32];
} caller;

static void *caller_main(void *arg)
{
    caller *c = arg;
    const fixture *f = c->f;
    for (int r = 0; r < c->rounds; r++) {
        size_t n_ok = 0, want = 0;
        const aiotsec_batch_item *items = f->items + c->first;
        if (aiotsec_batch_pool_verify_res(f->ctx, c->pool, items, c->n, c->results, &n_ok) != AIOTSEC_OK)
            c->failures++;
        for (size_t i = 0; i < c->n; i++) {
            c->failures += c->results[i] != f->expect_verify[c->first + i];
            want += f->expect_verify[c->first + i] == AIOTSEC_OK;
        }
        c->failures += n_ok != want;
        if (aiotsec_batch_pool_derive_res(f->ctx, c->pool, items, c->n, c->xres, sizeof c->xres, c->results) !=
            AIOTSEC_OK)
            c->failures++;
        for (size_t i = 0; i < c->n; i++) {
            size_t k = c->first + i;
            if (c->results[i] == AIOTSEC_OK && f->expect_verify[k] == AIOTSEC_OK)
                c->failures += memcmp(c->xres + i * f->rl, f->res[k], f->rl) != 0;
        }
    }
    return NULL;
}

Test(batch_pool, two_callers_share_one_pool, .timeout = 300)
{
    size_t nmax = reduced() ? 4 * GRAIN : NMAX;
    fixture *f = make("native", nmax);
    aiotsec_batch_pool *pool = NULL;
    cr_assert_eq(aiotsec_batch_pool_new(&pool, 3), AIOTSEC_OK);
    static caller c[2];
    /* Different sizes and different items, so a mix-up cannot go unnoticed. */
    c[0] = (caller){.f = f, .pool = pool, .first = 0, .n = nmax / 2 + 1, .rounds = reduced() ? 4 : 30};
    c[1] = (caller){.f = f, .pool = pool, .first = nmax / 2 + 1, .n = nmax - nmax / 2 - 1,
                    .rounds = reduced() ? 4 : 30};
    pthread_t tid[2];
    for (int t = 0; t < 2; t++)
        cr_assert_eq(pthread_create(&tid[t], NULL, caller_main, &c[t]), 0);
    for (int t = 0; t < 2; t++)
        pthread_join(tid[t], NULL);
    cr_assert_eq(c[0].failures, 0);
    cr_assert_eq(c[1].failures, 0);
    aiotsec_batch_pool_free(pool);
    drop(f, nmax);
}
