/* No allocation on the hot paths: malloc and friends are interposed in this
 * program and counted while a window is open around the hot calls (prepared
 * derive/verify, the batch with threads <= 1 and on a worker pool made before
 * the window, raw-key derive/verify). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "aiotsec/aiotsec.h"

extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t m);
extern void *__libc_realloc(void *p, size_t n);
extern void *__libc_memalign(size_t a, size_t n);

/* volatile: the compiler assumes malloc touches no program data and would move the stores. */
static _Thread_local volatile int counting;
static _Thread_local volatile unsigned long allocs;

void *malloc(size_t n)
{
    allocs += (unsigned long)counting;
    return __libc_malloc(n);
}

void *calloc(size_t n, size_t m)
{
    allocs += (unsigned long)counting;
    return __libc_calloc(n, m);
}

void *realloc(void *p, size_t n)
{
    allocs += (unsigned long)counting;
    return __libc_realloc(p, n);
}

void *aligned_alloc(size_t a, size_t n)
{
    allocs += (unsigned long)counting;
    return __libc_memalign(a, n);
}

/* Not declared by <stdlib.h> in strict C11 mode. */
int posix_memalign(void **out, size_t a, size_t n);

int posix_memalign(void **out, size_t a, size_t n)
{
    allocs += (unsigned long)counting;
    *out = __libc_memalign(a, n);
    return *out ? 0 : 12;
}

/* Above two grains (256 items each), so a pool batch is shared with its worker. */
#define N 600

Test(noalloc, counter_sees_allocations)
{
    /* The probe works: an allocation inside the window is counted. */
    counting = 1;
    allocs = 0;
    void *volatile p = malloc(16); /* volatile: the pair must not be optimised away */
    counting = 0;
    free(p);
    cr_assert_eq(allocs, 1);
}

/* Every built-in backend but OpenSSL: OpenSSL 3 allocates a MAC context inside
 * each HMAC (its EVP_MAC API), so that backend cannot keep the promise; it is
 * counted and reported, not asserted. */
Test(noalloc, hot_paths_every_backend)
{
    for (size_t b = 0; b < aiotsec_backend_count(); b++) {
        const char *name = aiotsec_backend_name_at(b);
        int exempt = strcmp(name, "openssl") == 0;
        aiotsec_ctx *ctx = NULL;
        cr_assert_eq(aiotsec_ctx_new(&ctx, name, NULL), AIOTSEC_OK);
        size_t rn = aiotsec_derive_rand_n_bytes(ctx), rd = aiotsec_derive_rand_d_bytes(ctx), rl = aiotsec_derive_res_bytes(ctx);
        static uint8_t key[N][32], randv[N][64], res[N][32];
        aiotsec_prepared_key *pk[N];
        aiotsec_batch_item items[N];
        for (size_t i = 0; i < N; i++) {
            memset(key[i], (int)i + 1, 32);
            memset(randv[i], (int)i * 3 + 1, 64);
            cr_assert_eq(aiotsec_derive_res(ctx, key[i], 32, randv[i], rn, randv[i] + 32, rd, res[i], 32), AIOTSEC_OK);
            cr_assert_eq(aiotsec_prepared_key_new(&pk[i], ctx, key[i], 32), AIOTSEC_OK);
            items[i] = (aiotsec_batch_item){pk[i], randv[i], rn, randv[i] + 32, rd, res[i], rl};
        }
        int results[N];
        uint8_t xres[N * 32], out[32];
        size_t n_ok = 0, n_ok_pool = 0;
        int rc = 0;
        aiotsec_batch_pool *pool = NULL; /* the pool's one allocation, outside the window */
        cr_assert_eq(aiotsec_batch_pool_new(&pool, 2), AIOTSEC_OK);

        counting = 1;
        allocs = 0;
        for (unsigned t = 0; t <= 1; t++) {
            rc |= aiotsec_batch_verify_res(ctx, items, N, results, t, &n_ok);
            rc |= aiotsec_batch_derive_res(ctx, items, N, xres, sizeof xres, results, t);
        }
        /* On the pool (counted in this, the calling, thread; its worker runs the
         * same run_slice code as the calling thread). */
        rc |= aiotsec_batch_pool_verify_res(ctx, pool, items, N, results, &n_ok_pool);
        rc |= aiotsec_batch_pool_derive_res(ctx, pool, items, N, xres, sizeof xres, results);
        for (size_t i = 0; i < N; i++) {
            rc |= aiotsec_prepared_verify_res(pk[i], randv[i], rn, randv[i] + 32, rd, res[i], rl);
            rc |= aiotsec_prepared_derive_res(pk[i], randv[i], rn, randv[i] + 32, rd, out, sizeof out);
            rc |= aiotsec_prepared_derive_kaiotf(pk[i], randv[i], rn, randv[i] + 32, rd, out, sizeof out);
            rc |= aiotsec_verify_res(ctx, key[i], 32, randv[i], rn, randv[i] + 32, rd, res[i], rl);
            rc |= aiotsec_derive_res(ctx, key[i], 32, randv[i], rn, randv[i] + 32, rd, out, sizeof out);
        }
        counting = 0;

        aiotsec_batch_pool_free(pool);
        cr_assert_eq(rc, 0);
        cr_assert_eq(n_ok, N);
        cr_assert_eq(n_ok_pool, N);
        if (exempt)
            cr_log_info("backend %s: %lu allocations in the window (not asserted)", name, allocs);
        else
            cr_assert_eq(allocs, 0, "backend %s: %lu allocations on the hot path", name, allocs);
        for (size_t i = 0; i < N; i++)
            aiotsec_prepared_key_free(pk[i]);
        aiotsec_ctx_free(ctx);
    }
}

/* The ADM over the memstore (compact keys, no raw keys): named batches (alone and
 * on a pool), one named device, a filter, getSessionKey, the store's MAC. */
Test(noalloc, adm_over_the_store)
{
    const char *backends[] = {"native", "sodium"};
    for (size_t b = 0; b < 2; b++) {
        aiotsec_ctx *ctx;
        aiotsec_memstore *store;
        aiotsec_batch_pool *pool;
        aiotsec_auth_answer *ans;
        aiotsec_adm *adm, *adm_pool;
        aiotsec_adm_config cfg;
        aiotsec_keystore ks;
        cr_assert_eq(aiotsec_ctx_new(&ctx, backends[b], NULL), AIOTSEC_OK);
        cr_assert_eq(aiotsec_memstore_new_with_flags(&store, ctx, 0, AIOTSEC_MEMSTORE_NO_RAW_KEYS), AIOTSEC_OK);
        static uint8_t ids[N][4];
        for (unsigned i = 0; i < N; i++) {
            uint8_t key[16] = {(uint8_t)i, (uint8_t)(i >> 8), 7};
            ids[i][0] = 0xab;
            ids[i][1] = 0;
            ids[i][2] = (uint8_t)(i >> 8);
            ids[i][3] = (uint8_t)i;
            cr_assert_eq(aiotsec_memstore_add(store, ids[i], 4, key, 16), AIOTSEC_OK);
        }
        cr_assert_eq(aiotsec_memstore_keystore(store, &ks), AIOTSEC_OK);
        cr_assert_eq(aiotsec_batch_pool_new(&pool, 2), AIOTSEC_OK);
        cr_assert_eq(aiotsec_auth_answer_new(&ans, 4 * N), AIOTSEC_OK);
        cr_assert_eq(aiotsec_adm_new(&adm, ctx, &ks, NULL), AIOTSEC_OK);
        cr_assert_eq(aiotsec_adm_config_init(&cfg, ctx), AIOTSEC_OK);
        cfg.pool = pool;
        cr_assert_eq(aiotsec_adm_new(&adm_pool, ctx, &ks, &cfg), AIOTSEC_OK);
        static aiotsec_adm_named it[N];
        static uint8_t xres[N * 16];
        static int results[N];
        uint8_t rn[16] = {1}, rd[4 * 16] = {2}, kf[16], mac[32], filter[AIOTSEC_FILTER_MAX];
        size_t fl, ok = 0;
        static const uint8_t prefix[2] = {0xab, 0x00};
        cr_assert_eq(aiotsec_filter_make(NULL, prefix, 16, filter, sizeof filter, &fl), AIOTSEC_OK);
        for (unsigned i = 0; i < N; i++)
            it[i] = (aiotsec_adm_named){ids[(i * 7) % N], 4, rn, 16, rd, 16};
        aiotsec_adm_request one = {0}, group = {0};
        one.perm_id = ids[5];
        one.perm_id_len = 4;
        one.rand_n = group.rand_n = rn;
        one.rand_n_len = group.rand_n_len = 16;
        one.rand_d = group.rand_d = rd;
        one.rand_d_count = 1;
        group.filter = filter;
        group.filter_len = fl;
        group.rand_d_count = 4;

        allocs = 0;
        counting = 1;
        int rc1 = aiotsec_adm_get_authentication_named(adm, it, N, xres, sizeof xres, results, &ok);
        size_t ok1 = ok;
        int rc2 = aiotsec_adm_get_authentication_named(adm_pool, it, N, xres, sizeof xres, results, &ok);
        size_t ok2 = ok;
        int rc3 = aiotsec_adm_get_authentication(adm, &one, ans);
        int rc4 = aiotsec_adm_get_authentication(adm_pool, &group, ans);
        size_t entries = aiotsec_auth_answer_entry_count(ans);
        int rc5 = aiotsec_adm_get_session_key(adm, ids[9], 4, rn, 16, rd, 16, kf, sizeof kf);
        int rc6 = ks.mac_by_perm_id(ks.user, ids[9], 4, rd, 37, mac);
        counting = 0;
        cr_assert_eq(allocs, 0, "%s: %lu allocations", backends[b], allocs);
        cr_assert(rc1 == 0 && rc2 == 0 && rc3 == 0 && rc4 == 0 && rc5 == 0 && rc6 == 0);
        cr_assert(ok1 == N && ok2 == N && entries == 4 * N);

        aiotsec_adm_free(adm_pool);
        aiotsec_adm_free(adm);
        aiotsec_auth_answer_free(ans);
        aiotsec_batch_pool_free(pool);
        aiotsec_memstore_free(store);
        aiotsec_ctx_free(ctx);
    }
}
