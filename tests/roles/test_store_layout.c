/* The memstore's hot-path layout (compact keys, loads stored in Permanent
 * Identifier order, batched look-ups) and the ADM's batch of named devices,
 * against a reference computed from the raw keys on another backend:
 *  - unsorted loads, a second load merged in, single adds: every named
 *    getAuthentication, getSessionKey and store MAC equals the reference, and
 *    each load's devices are stored sorted;
 *  - aiotsec_adm_get_authentication_named with known, unknown and malformed
 *    items, with and without a worker pool, over the memstore and over a table
 *    the ADM does not recognise (the generic path): same XRES, same statuses;
 *  - filters: the candidate sets equal a brute-force match in Permanent Identifier order;
 *  - a store without raw keys answers the same and hands out no raw key. */
#include <criterion/criterion.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aiotsec/aiotsec.h"
#include "aiotsec/testing.h"

#define N_DEV 1500u
#define N_EXTRA 300u

typedef struct dev {
    uint8_t id[20];
    size_t id_len;
    uint8_t key[32];
    size_t key_len;
} dev;

static uint64_t rng = 0x1234567887654321u;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void fill(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)next();
}

/* Random devices with distinct identifiers of 1..20 octets sharing a few prefixes
 * (so filters match groups), in random order. */
static void make_devices(dev *d, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int dup;
        do {
            d[i].id_len = 1 + next() % 20;
            fill(d[i].id, d[i].id_len);
            d[i].id[0] = (uint8_t)(0xa0 + next() % 4); /* four groups by the first octet */
            dup = 0;
            for (size_t j = 0; j < i && !dup; j++)
                dup = d[j].id_len == d[i].id_len && !memcmp(d[j].id, d[i].id, d[i].id_len);
        } while (dup);
        d[i].key_len = next() & 1 ? 32 : 16;
        fill(d[i].key, d[i].key_len);
    }
}

static char *key_text(const dev *d, size_t n, size_t *len)
{
    char *t = malloc(n * 110), *p = t;
    for (size_t i = 0; i < n; i++) {
        for (size_t b = 0; b < d[i].id_len; b++)
            p += sprintf(p, "%02x", d[i].id[b]);
        *p++ = ' ';
        for (size_t b = 0; b < d[i].key_len; b++)
            p += sprintf(p, "%02x", d[i].key[b]);
        *p++ = '\n';
    }
    *len = (size_t)(p - t);
    return t;
}

static int id_cmp(const uint8_t *a, size_t la, const uint8_t *b, size_t lb)
{
    int c = memcmp(a, b, la < lb ? la : lb);
    return c ? c : (la > lb) - (la < lb);
}

static dev devs[N_DEV + N_EXTRA + 8];
static size_t n_devs;
static aiotsec_ctx *ctx, *ref;
static aiotsec_memstore *store;

/* The store under test: N_DEV devices loaded unsorted, N_EXTRA merged in by a
 * second load, 8 added one by one. */
static void build(const char *backend, unsigned flags)
{
    make_devices(devs, N_DEV + N_EXTRA + 8);
    n_devs = N_DEV + N_EXTRA + 8;
    cr_assert_eq(aiotsec_ctx_new(&ctx, backend, NULL), AIOTSEC_OK);
    cr_assert_eq(aiotsec_ctx_new(&ref, "sodium", NULL), AIOTSEC_OK);
    cr_assert_eq(aiotsec_memstore_new_with_flags(&store, ctx, 0, flags), AIOTSEC_OK);
    size_t len, line = 99;
    char *t = key_text(devs, N_DEV, &len);
    cr_assert_eq(aiotsec_memstore_load_buffer(store, t, len, &line), AIOTSEC_OK);
    cr_assert_eq(line, 0);
    free(t);
    t = key_text(devs + N_DEV, N_EXTRA, &len);
    cr_assert_eq(aiotsec_memstore_load_buffer(store, t, len, &line), AIOTSEC_OK);
    free(t);
    for (size_t i = N_DEV + N_EXTRA; i < n_devs; i++)
        cr_assert_eq(aiotsec_memstore_add(store, devs[i].id, devs[i].id_len, devs[i].key, devs[i].key_len),
                     AIOTSEC_OK);
    cr_assert_eq(aiotsec_memstore_count(store), n_devs);
}

static void unbuild(void)
{
    aiotsec_memstore_free(store);
    aiotsec_ctx_free(ctx);
    aiotsec_ctx_free(ref);
}

/* Each load's block is stored in Permanent Identifier order, and holds exactly its devices. */
static void check_storage_order(void)
{
    const size_t blocks[2][2] = {{0, N_DEV}, {N_DEV, N_DEV + N_EXTRA}};
    for (int b = 0; b < 2; b++) {
        const uint8_t *prev = NULL;
        size_t prev_len = 0;
        for (size_t i = blocks[b][0]; i < blocks[b][1]; i++) {
            const uint8_t *id;
            size_t il;
            cr_assert_eq(aiotsec_memstore_device_at(store, i, &id, &il), AIOTSEC_OK);
            if (prev)
                cr_assert_lt(id_cmp(prev, prev_len, id, il), 0, "block %d position %zu", b, i);
            int found = 0;
            for (size_t j = blocks[b][0]; j < blocks[b][1] && !found; j++)
                found = devs[j].id_len == il && !memcmp(devs[j].id, id, il);
            cr_assert(found, "block %d position %zu", b, i);
            prev = id;
            prev_len = il;
        }
    }
}

static void check_named_and_session_keys(aiotsec_adm *adm, aiotsec_auth_answer *ans)
{
    uint8_t rn[16], rd[16], want[16], kf[16], kf_want[16];
    fill(rn, 16);
    for (size_t i = 0; i < n_devs; i++) {
        fill(rd, 16);
        aiotsec_adm_request rq = {0};
        rq.perm_id = devs[i].id;
        rq.perm_id_len = devs[i].id_len;
        rq.rand_n = rn;
        rq.rand_n_len = 16;
        rq.rand_d = rd;
        rq.rand_d_count = 1;
        cr_assert_eq(aiotsec_adm_get_authentication(adm, &rq, ans), AIOTSEC_OK, "device %zu", i);
        const uint8_t *x, *p;
        size_t xl, pl;
        cr_assert_eq(aiotsec_auth_answer_entry(ans, 0, 0, &x, &xl, &p, &pl), AIOTSEC_OK);
        cr_assert_eq(aiotsec_derive_res(ref, devs[i].key, devs[i].key_len, rn, 16, rd, 16, want, 16), AIOTSEC_OK);
        cr_assert_arr_eq(x, want, 16, "device %zu", i);
        cr_assert_eq(aiotsec_adm_get_session_key(adm, devs[i].id, devs[i].id_len, rn, 16, rd, 16, kf, 16),
                     AIOTSEC_OK);
        cr_assert_eq(aiotsec_derive_kaiotf(ref, devs[i].key, devs[i].key_len, rn, 16, rd, 16, kf_want, 16),
                     AIOTSEC_OK);
        cr_assert_arr_eq(kf, kf_want, 16, "device %zu", i);
    }
}

#define BATCH 700u

/* A batch of known, unknown and malformed items; the reference per item. */
static void check_named_batch(const aiotsec_adm *adm)
{
    static aiotsec_adm_named it[BATCH];
    static uint8_t rds[BATCH][16], unknown[BATCH][21], xres[BATCH * 16], want[16];
    static int results[BATCH], expect[BATCH];
    static size_t who[BATCH];
    uint8_t rn[16];
    fill(rn, 16);
    size_t expect_ok = 0;
    for (size_t i = 0; i < BATCH; i++) {
        fill(rds[i], 16);
        size_t d = (size_t)(next() % n_devs);
        who[i] = d;
        it[i] = (aiotsec_adm_named){devs[d].id, devs[d].id_len, rn, 16, rds[i], 16};
        expect[i] = AIOTSEC_OK;
        switch (next() % 8) {
        case 0: /* unknown: 21 octets is longer than any stored identifier */
            fill(unknown[i], 21);
            it[i].perm_id = unknown[i];
            it[i].perm_id_len = 21;
            expect[i] = AIOTSEC_E_UNKNOWN_DEVICE;
            break;
        case 1:
            it[i].perm_id_len = next() & 1 ? 0 : 65;
            expect[i] = AIOTSEC_E_BAD_LENGTH;
            break;
        case 2:
            it[i].rand_d_len = 15;
            expect[i] = AIOTSEC_E_BAD_LENGTH;
            break;
        case 3:
            it[i].rand_n = NULL;
            expect[i] = AIOTSEC_E_NULL_ARG;
            break;
        default:
            break;
        }
        expect_ok += expect[i] == AIOTSEC_OK;
    }
    size_t ok = 0;
    memset(xres, 0xee, sizeof xres);
    cr_assert_eq(aiotsec_adm_get_authentication_named(adm, it, BATCH, xres, sizeof xres, results, &ok), AIOTSEC_OK);
    cr_assert_eq(ok, expect_ok);
    static const uint8_t zero[16];
    for (size_t i = 0; i < BATCH; i++) {
        cr_assert_eq(results[i], expect[i], "item %zu: %d", i, results[i]);
        if (expect[i] != AIOTSEC_OK) {
            cr_assert_arr_eq(xres + 16 * i, zero, 16, "item %zu", i);
            continue;
        }
        const dev *d = &devs[who[i]];
        cr_assert_eq(aiotsec_derive_res(ref, d->key, d->key_len, rn, 16, rds[i], 16, want, 16), AIOTSEC_OK);
        cr_assert_arr_eq(xres + 16 * i, want, 16, "item %zu", i);
    }
    /* Arguments. */
    cr_assert_eq(aiotsec_adm_get_authentication_named(adm, it, BATCH, xres, 16 * BATCH - 1, results, &ok),
                 AIOTSEC_E_BUFFER_TOO_SMALL);
    cr_assert_eq(aiotsec_adm_get_authentication_named(adm, NULL, 1, xres, sizeof xres, results, &ok),
                 AIOTSEC_E_NULL_ARG);
    cr_assert_eq(aiotsec_adm_get_authentication_named(adm, it, 0, NULL, 0, NULL, &ok), AIOTSEC_OK);
    cr_assert_eq(ok, 0);
}

/* Every group's candidate sets equal a brute-force match, in Permanent Identifier order. */
static void check_filters(const aiotsec_adm *adm, aiotsec_auth_answer *ans)
{
    uint8_t rn[16], rd[32];
    fill(rn, 16);
    fill(rd, 32);
    for (unsigned g = 0; g < 4; g++) {
        uint8_t prefix[1] = {(uint8_t)(0xa0 + g)}, filter[AIOTSEC_FILTER_MAX];
        size_t fl;
        cr_assert_eq(aiotsec_filter_make(NULL, prefix, 8, filter, sizeof filter, &fl), AIOTSEC_OK);
        aiotsec_adm_request rq = {0};
        rq.filter = filter;
        rq.filter_len = fl;
        rq.rand_n = rn;
        rq.rand_n_len = 16;
        rq.rand_d = rd;
        rq.rand_d_count = 2;
        cr_assert_eq(aiotsec_adm_get_authentication(adm, &rq, ans), AIOTSEC_OK);
        size_t k = aiotsec_auth_answer_entry_count(ans) / 2, expect = 0;
        for (size_t i = 0; i < n_devs; i++)
            expect += devs[i].id[0] == prefix[0];
        cr_assert_eq(k, expect);
        for (size_t j = 0; j < 2; j++) {
            const uint8_t *prev = NULL;
            size_t prev_len = 0;
            for (size_t e = 0; e < k; e++) {
                const uint8_t *x, *p;
                size_t xl, pl;
                cr_assert_eq(aiotsec_auth_answer_entry(ans, j, e, &x, &xl, &p, &pl), AIOTSEC_OK);
                if (prev)
                    cr_assert_lt(id_cmp(prev, prev_len, p, pl), 0);
                prev = p;
                prev_len = pl;
                const dev *d = NULL;
                for (size_t i = 0; i < n_devs && !d; i++)
                    if (devs[i].id_len == pl && !memcmp(devs[i].id, p, pl))
                        d = &devs[i];
                cr_assert_not_null(d);
                uint8_t want[16];
                cr_assert_eq(aiotsec_derive_res(ref, d->key, d->key_len, rn, 16, rd + 16 * j, 16, want, 16),
                             AIOTSEC_OK);
                cr_assert_arr_eq(x, want, 16);
            }
        }
    }
}

/* A table the ADM cannot recognise as a memstore: the same operations behind other pointers. */
static const aiotsec_keystore *inner;
static int wrap_mac(void *u, const uint8_t *id, size_t il, const uint8_t *m, size_t ml, uint8_t mac[32])
{
    (void)u;
    return inner->mac_by_perm_id(inner->user, id, il, m, ml, mac);
}
static int wrap_list(void *u, const uint8_t *f, size_t fl, aiotsec_ks_page_fn page, void *arg)
{
    (void)u;
    return inner->list_matching(inner->user, f, fl, page, arg);
}

static void run_all(const char *backend, unsigned flags)
{
    build(backend, flags);
    check_storage_order();
    aiotsec_keystore ks;
    cr_assert_eq(aiotsec_memstore_keystore(store, &ks), AIOTSEC_OK);
    cr_assert_not_null(ks.mac_by_perm_id);
    if (flags & AIOTSEC_MEMSTORE_NO_RAW_KEYS)
        cr_assert_null(ks.by_perm_id, "no raw key leaves a store that keeps none");
    /* The store's MAC (keys that never leave it) equals HMAC under the raw key. */
    for (size_t i = 0; i < n_devs; i += 37) {
        uint8_t msg[100], mac[32], want[32];
        size_t ml = (size_t)(next() % sizeof msg);
        fill(msg, ml);
        cr_assert_eq(ks.mac_by_perm_id(ks.user, devs[i].id, devs[i].id_len, msg, ml, mac), AIOTSEC_OK);
        cr_assert_eq(aiotsec_hmac_sha256(ref, devs[i].key, devs[i].key_len, msg, ml, want, 32), AIOTSEC_OK);
        cr_assert_arr_eq(mac, want, 32, "device %zu, %zu octets", i, ml);
    }
    aiotsec_auth_answer *ans;
    aiotsec_batch_pool *pool;
    aiotsec_adm *adm, *adm_pool, *adm_generic;
    aiotsec_adm_config cfg;
    cr_assert_eq(aiotsec_auth_answer_new(&ans, 2 * n_devs), AIOTSEC_OK);
    cr_assert_eq(aiotsec_batch_pool_new(&pool, 2), AIOTSEC_OK);
    cr_assert_eq(aiotsec_adm_new(&adm, ctx, &ks, NULL), AIOTSEC_OK);
    cr_assert_eq(aiotsec_adm_config_init(&cfg, ctx), AIOTSEC_OK);
    cfg.pool = pool;
    cr_assert_eq(aiotsec_adm_new(&adm_pool, ctx, &ks, &cfg), AIOTSEC_OK);
    aiotsec_keystore wrapped = ks;
    inner = &ks;
    wrapped.by_perm_id = NULL;
    wrapped.prepared_by_perm_id = NULL;
    wrapped.mac_by_perm_id = wrap_mac;
    wrapped.list_matching = wrap_list;
    cr_assert_eq(aiotsec_adm_new(&adm_generic, ctx, &wrapped, NULL), AIOTSEC_OK);

    check_named_and_session_keys(adm, ans);
    check_named_batch(adm);
    check_named_batch(adm_pool);
    check_named_batch(adm_generic);
    check_filters(adm, ans);
    check_filters(adm_pool, ans);
    check_filters(adm_generic, ans);

    aiotsec_adm_free(adm_generic);
    aiotsec_adm_free(adm_pool);
    aiotsec_adm_free(adm);
    aiotsec_batch_pool_free(pool);
    aiotsec_auth_answer_free(ans);
    unbuild();
}

Test(store_layout, native_compact_without_raw_keys)
{
    run_all("native", AIOTSEC_MEMSTORE_NO_RAW_KEYS);
}

Test(store_layout, native_compact_with_raw_keys)
{
    run_all("native", 0);
}

Test(store_layout, sodium_whole_prepared_keys)
{
    run_all("sodium", 0);
}

Test(store_layout, portable_path)
{
    run_all("native-portable", AIOTSEC_MEMSTORE_NO_RAW_KEYS);
}

Test(store_layout, flags_checked)
{
    cr_assert_eq(aiotsec_ctx_new(&ctx, "native", NULL), AIOTSEC_OK);
    cr_assert_eq(aiotsec_memstore_new_with_flags(&store, ctx, 0, 0x2), AIOTSEC_E_BAD_VALUE);
    cr_assert_null(store);
    aiotsec_ctx_free(ctx);
}

/* A backend table compiled against 0.2 (struct_size up to aes128_release) still
 * works: no compact keys, so the store keeps whole prepared keys, with the same
 * answers; and a table that offers only part of the compact operations is refused. */
Test(store_layout, backend_table_of_the_older_layout)
{
    const aiotsec_backend *native;
    cr_assert_eq(aiotsec_backend_find("native", &native), AIOTSEC_OK);
    cr_assert(aiotsec_backend_caps(native) & AIOTSEC_CAP_HMAC_COMPACT);
    aiotsec_backend old = *native;
    old.struct_size = (uint32_t)(offsetof(aiotsec_backend, aes128_release) + sizeof old.aes128_release);
    cr_assert_eq(aiotsec_backend_caps(&old) & AIOTSEC_CAP_HMAC_COMPACT, 0);
    aiotsec_ctx *c_old, *c_new;
    cr_assert_eq(aiotsec_ctx_new_custom(&c_old, &old, NULL), AIOTSEC_OK);
    cr_assert_eq(aiotsec_ctx_new(&c_new, "native", NULL), AIOTSEC_OK);
    aiotsec_memstore *s_old, *s_new;
    cr_assert_eq(aiotsec_memstore_new(&s_old, c_old, 0), AIOTSEC_OK);
    cr_assert_eq(aiotsec_memstore_new(&s_new, c_new, 0), AIOTSEC_OK);
    aiotsec_keystore k_old, k_new;
    cr_assert_eq(aiotsec_memstore_keystore(s_old, &k_old), AIOTSEC_OK);
    cr_assert_eq(aiotsec_memstore_keystore(s_new, &k_new), AIOTSEC_OK);
    cr_assert_not_null(k_old.prepared_by_perm_id, "whole prepared keys without compact ones");
    cr_assert_null(k_new.prepared_by_perm_id, "compact keys are handed out as views only");
    static const char text[] = "a1 000102030405060708090a0b0c0d0e0f\na2 101112131415161718191a1b1c1d1e1f\n";
    cr_assert_eq(aiotsec_memstore_load_buffer(s_old, text, sizeof text - 1, NULL), AIOTSEC_OK);
    cr_assert_eq(aiotsec_memstore_load_buffer(s_new, text, sizeof text - 1, NULL), AIOTSEC_OK);
    aiotsec_adm *a_old, *a_new;
    cr_assert_eq(aiotsec_adm_new(&a_old, c_old, &k_old, NULL), AIOTSEC_OK);
    cr_assert_eq(aiotsec_adm_new(&a_new, c_new, &k_new, NULL), AIOTSEC_OK);
    uint8_t rn[16] = {9}, rd[16] = {7}, x_old[32], x_new[32];
    int r_old[2], r_new[2];
    aiotsec_adm_named it[2] = {{(const uint8_t *)"\xa1", 1, rn, 16, rd, 16}, {(const uint8_t *)"\xa2", 1, rn, 16, rd, 16}};
    cr_assert_eq(aiotsec_adm_get_authentication_named(a_old, it, 2, x_old, sizeof x_old, r_old, NULL), AIOTSEC_OK);
    cr_assert_eq(aiotsec_adm_get_authentication_named(a_new, it, 2, x_new, sizeof x_new, r_new, NULL), AIOTSEC_OK);
    cr_assert(r_old[0] == 0 && r_old[1] == 0 && r_new[0] == 0 && r_new[1] == 0);
    cr_assert_arr_eq(x_old, x_new, 32);
    /* Half of the compact operations: refused. */
    aiotsec_backend half = *native;
    half.hmac_batch_compact = NULL;
    aiotsec_ctx *c_half = NULL;
    cr_assert_eq(aiotsec_ctx_new_custom(&c_half, &half, NULL), AIOTSEC_E_BAD_BACKEND);
    half = *native;
    half.hmac_compact_size = AIOTSEC_COMPACT_MAX + 8;
    cr_assert_eq(aiotsec_ctx_new_custom(&c_half, &half, NULL), AIOTSEC_E_BAD_BACKEND);
    aiotsec_adm_free(a_old);
    aiotsec_adm_free(a_new);
    aiotsec_memstore_free(s_old);
    aiotsec_memstore_free(s_new);
    aiotsec_ctx_free(c_old);
    aiotsec_ctx_free(c_new);
}
