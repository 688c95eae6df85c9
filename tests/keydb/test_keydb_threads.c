/* Prepared keys handed out by the cache stay valid while another thread revokes,
 * re-keys and evicts: the deferred-freeing rule (a key stays valid until its
 * thread calls the table again) checked step by step, then reader threads
 * running the ADM (named devices and groups, prepared-key batches) against a
 * writer thread that re-keys, revokes and re-adds devices in a cache too small
 * for them, every answer checked against the keys it may come from. Freed keys
 * are wiped, so a use after free shows as a wrong answer even without ASan. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

#include "kd_test_util.h"

#define N_DEV 64
#define STABLE 48 /* devices 0..47 are only re-keyed; 48..63 are also revoked and re-added */

static char dir[256];
static aiotsec_ctx *ctx;
static aiotsec_keydb_kek *kek;
static aiotsec_keydb *db;
static aiotsec_keystore ks;
static uint64_t seed;
static atomic_int stop;

static void open_db(size_t cache)
{
    aiotsec_keydb_options o;
    aiotsec_keydb_options_init(&o);
    o.kek = kek;
    o.ctx = ctx;
    o.prepared_keys = 1;
    o.cache_entries = cache;
    char p[300];
    snprintf(p, sizeof p, "%s/db", dir);
    cr_assert_eq(aiotsec_keydb_open(&db, p, &o), AIOTSEC_OK);
    cr_assert_eq(aiotsec_keydb_keystore(db, &ks), AIOTSEC_OK);
    cr_assert_not_null(ks.prepared_by_perm_id);
}

static void setup(void)
{
    kdt_mkdtemp(dir, "threads");
    cr_assert_eq(aiotsec_ctx_new(&ctx, "native", NULL), AIOTSEC_OK);
    char p[512];
    kdt_kek_file(dir, "kek", p, &kek);
    randombytes_buf(&seed, sizeof seed);
    aiotsec_keydb_options o;
    aiotsec_keydb_options_init(&o);
    o.kek = kek;
    snprintf(p, sizeof p, "%s/db", dir);
    o.map_size = KDT_MAP_SIZE;
    cr_assert_eq(aiotsec_keydb_init(p, &o), AIOTSEC_OK);
    open_db(32); /* 16 shards of 2: constant eviction */
    for (size_t i = 0; i < N_DEV; i++) {
        uint8_t perm[5], key[32];
        kdt_perm(i, perm);
        size_t kl = kdt_key(seed, i, 0, key);
        cr_assert_eq(aiotsec_keydb_add(db, perm, 5, key, kl), AIOTSEC_OK);
    }
    atomic_store(&stop, 0);
}

static void teardown(void)
{
    aiotsec_keydb_close(db);
    aiotsec_keydb_kek_free(kek);
    aiotsec_ctx_free(ctx);
    kdt_rmtree(dir);
}

TestSuite(threads, .init = setup, .fini = teardown, .timeout = 120);

/* XRES_AIOT of device i under key version v. */
static void xres(size_t i, unsigned v, const uint8_t rn[16], const uint8_t rd[16], uint8_t out[16])
{
    uint8_t key[32];
    size_t kl = kdt_key(seed, i, v, key);
    cr_assert_eq(aiotsec_derive_res(ctx, key, kl, rn, 16, rd, 16, out, 16), AIOTSEC_OK);
}

typedef struct holder {
    const aiotsec_prepared_key *key;
    int phase; /* 0 start, 1 holding, 2 checked */
    pthread_mutex_t m;
    pthread_cond_t cv;
    int ok;
} holder;

static void set_phase(holder *h, int p)
{
    pthread_mutex_lock(&h->m);
    h->phase = p;
    pthread_cond_broadcast(&h->cv);
    pthread_mutex_unlock(&h->m);
}

static void wait_phase(holder *h, int p)
{
    pthread_mutex_lock(&h->m);
    while (h->phase < p)
        pthread_cond_wait(&h->cv, &h->m);
    pthread_mutex_unlock(&h->m);
}

/* Takes device 5's prepared key, waits while the main thread revokes it and churns
 * the cache, then derives with it: it must still be device 5's old key. */
static void *hold_key(void *arg)
{
    holder *h = arg;
    uint8_t perm[5];
    kdt_perm(5, perm);
    h->ok = ks.prepared_by_perm_id(ks.user, perm, 5, &h->key) == AIOTSEC_OK && h->key;
    set_phase(h, 1);
    wait_phase(h, 2);
    uint8_t rn[16] = {1}, rd[16] = {2}, got[16], want[16];
    h->ok = h->ok && aiotsec_prepared_derive_res(h->key, rn, 16, rd, 16, got, 16) == AIOTSEC_OK;
    xres(5, 0, rn, rd, want);
    h->ok = h->ok && memcmp(got, want, 16) == 0;
    /* Calling the table again releases it. */
    const aiotsec_prepared_key *k2 = NULL;
    kdt_perm(6, perm);
    (void)ks.prepared_by_perm_id(ks.user, perm, 5, &k2);
    aiotsec_keydb_quiescent(db);
    return NULL;
}

Test(threads, a_held_key_outlives_revocation_and_eviction)
{
    holder h = {.phase = 0, .m = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
    pthread_t t;
    cr_assert_eq(pthread_create(&t, NULL, hold_key, &h), 0);
    wait_phase(&h, 1);
    uint8_t perm[5];
    kdt_perm(5, perm);
    cr_assert_eq(aiotsec_keydb_revoke(db, perm, 5), AIOTSEC_OK);
    for (int round = 0; round < 4; round++) /* evict everything, several times over */
        for (size_t i = 0; i < N_DEV; i++) {
            const aiotsec_prepared_key *k = NULL;
            kdt_perm(i, perm);
            int rc = ks.prepared_by_perm_id(ks.user, perm, 5, &k);
            cr_assert(rc == AIOTSEC_OK || (i == 5 && rc == AIOTSEC_E_UNKNOWN_DEVICE));
        }
    aiotsec_keydb_stats st;
    cr_assert_eq(aiotsec_keydb_stats_get(db, &st), AIOTSEC_OK);
    cr_assert_gt(st.evictions, 0);
    cr_assert_gt(st.retired_pending, 0, "retired keys wait for the holder");
    set_phase(&h, 2);
    pthread_join(t, NULL);
    cr_assert(h.ok, "the held key was freed or changed under its holder");
    aiotsec_keydb_quiescent(db);
    cr_assert_eq(aiotsec_keydb_stats_get(db, &st), AIOTSEC_OK);
    cr_assert_eq(st.retired_pending, 0, "every thread moved on: all retired keys freed");
}

typedef struct reader_stats {
    unsigned long requests, groups, wrong, errors;
} reader_stats;

static int xres_ok(size_t i, const uint8_t rn[16], const uint8_t rd[16], const uint8_t *x)
{
    uint8_t w0[16], w1[16];
    xres(i, 0, rn, rd, w0);
    xres(i, 1, rn, rd, w1);
    return !memcmp(x, w0, 16) || !memcmp(x, w1, 16);
}

static void *reader(void *arg)
{
    reader_stats *rs = arg;
    aiotsec_adm *adm;
    aiotsec_auth_answer *ans;
    if (aiotsec_adm_new(&adm, ctx, &ks, NULL) != AIOTSEC_OK || aiotsec_auth_answer_new(&ans, 256) != AIOTSEC_OK)
        abort();
    while (!atomic_load(&stop)) {
        uint8_t rn[16], rd[32], perm[5];
        randombytes_buf(rn, 16);
        randombytes_buf(rd, 32);
        aiotsec_adm_request rq = {0};
        rq.rand_n = rn;
        rq.rand_n_len = 16;
        rq.rand_d = rd;
        size_t i = randombytes_uniform(N_DEV);
        int group = randombytes_uniform(4) == 0;
        if (group) {
            /* a1 00 00 00 then the top 4 bits of the last octet: 4 groups of 16 devices */
            uint8_t pre[5] = {0xa1, 0, 0, 0, (uint8_t)(i & 0x30)};
            size_t fl = 0;
            uint8_t f[8];
            if (aiotsec_filter_make(NULL, pre, 36, f, sizeof f, &fl) != AIOTSEC_OK)
                abort();
            rq.filter = f;
            rq.filter_len = fl;
            rq.rand_d_count = 2;
            int rc = aiotsec_adm_get_authentication(adm, &rq, ans);
            rs->groups++;
            if (rc != AIOTSEC_OK && rc != AIOTSEC_E_BAD_STATE) { /* BAD_STATE: the group grew between passes */
                cr_log_warn("group request: %s", aiotsec_keydb_status_name(rc));
                rs->errors++;
                continue;
            }
            for (size_t j = 0; rc == AIOTSEC_OK && j < aiotsec_auth_answer_set_count(ans); j++) {
                const uint8_t *srd;
                size_t cnt;
                aiotsec_auth_answer_set(ans, j, &srd, &cnt);
                for (size_t e = 0; e < cnt; e++) {
                    const uint8_t *x, *p;
                    size_t xl, pl;
                    aiotsec_auth_answer_entry(ans, j, e, &x, &xl, &p, &pl);
                    size_t dev = (size_t)p[1] << 24 | (size_t)p[2] << 16 | (size_t)p[3] << 8 | p[4];
                    if (pl != 5 || dev >= N_DEV || !xres_ok(dev, rn, srd, x))
                        rs->wrong++;
                }
            }
            continue;
        }
        kdt_perm(i, perm);
        rq.perm_id = perm;
        rq.perm_id_len = 5;
        rq.rand_d_count = 1;
        int rc = aiotsec_adm_get_authentication(adm, &rq, ans);
        rs->requests++;
        if (rc == AIOTSEC_E_UNKNOWN_DEVICE && i >= STABLE)
            continue;
        if (rc != AIOTSEC_OK) {
            cr_log_warn("device %zu: %s", i, aiotsec_keydb_status_name(rc));
            rs->errors++;
            continue;
        }
        const uint8_t *x, *p;
        size_t xl, pl;
        aiotsec_auth_answer_entry(ans, 0, 0, &x, &xl, &p, &pl);
        if (!xres_ok(i, rn, rd, x))
            rs->wrong++;
    }
    aiotsec_auth_answer_free(ans);
    aiotsec_adm_free(adm);
    return NULL;
}

Test(threads, readers_and_a_writer_never_see_a_freed_or_wrong_key)
{
    enum { READERS = 3 };
    pthread_t t[READERS];
    reader_stats rs[READERS];
    memset(rs, 0, sizeof rs);
    for (int r = 0; r < READERS; r++)
        cr_assert_eq(pthread_create(&t[r], NULL, reader, &rs[r]), 0);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    double limit = kdt_reduced() ? 4.0 : 2.0;
    unsigned long changes = 0;
    unsigned version[N_DEV] = {0};
    do {
        size_t i = randombytes_uniform(N_DEV);
        uint8_t perm[5], key[32];
        kdt_perm(i, perm);
        if (i >= STABLE && randombytes_uniform(2)) {
            cr_assert_eq(aiotsec_keydb_revoke(db, perm, 5), AIOTSEC_OK);
            version[i] = randombytes_uniform(2);
            size_t kl = kdt_key(seed, i, version[i], key);
            cr_assert_eq(aiotsec_keydb_add(db, perm, 5, key, kl), AIOTSEC_OK);
        } else {
            version[i] ^= 1;
            size_t kl = kdt_key(seed, i, version[i], key);
            cr_assert_eq(aiotsec_keydb_rekey(db, perm, 5, key, kl), AIOTSEC_OK);
        }
        changes++;
        clock_gettime(CLOCK_MONOTONIC, &t1);
    } while ((double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9 < limit);
    atomic_store(&stop, 1);
    unsigned long req = 0, groups = 0;
    for (int r = 0; r < READERS; r++) {
        pthread_join(t[r], NULL);
        cr_assert_eq(rs[r].wrong, 0, "reader %d: %lu wrong answers", r, rs[r].wrong);
        cr_assert_eq(rs[r].errors, 0, "reader %d: %lu failed requests", r, rs[r].errors);
        req += rs[r].requests;
        groups += rs[r].groups;
    }
    aiotsec_keydb_stats st;
    cr_assert_eq(aiotsec_keydb_stats_get(db, &st), AIOTSEC_OK);
    KDT_INFO("%lu changes, %lu named and %lu group requests; cache hits %llu, misses %llu, evictions %llu",
                changes, req, groups, (unsigned long long)st.hits, (unsigned long long)st.misses,
                (unsigned long long)st.evictions);
    cr_assert_gt(changes, 50);
    cr_assert_gt(req, 50);
    cr_assert_gt(groups, 10);
    cr_assert_gt(st.evictions, 0);
}

/* A thread that holds keys and never comes back: the others get no prepared key
 * once the bound is reached, and the ADM answers right through raw keys. */
static void *hold_forever(void *arg)
{
    (void)arg;
    const aiotsec_prepared_key *k = NULL;
    uint8_t perm[5];
    kdt_perm(0, perm);
    (void)ks.prepared_by_perm_id(ks.user, perm, 5, &k);
    return NULL; /* exits: its slot is released by the thread-exit hook */
}

Test(threads, bounded_when_a_thread_never_returns)
{
    aiotsec_keydb_close(db);
    open_db(16);
    /* A thread entered and is parked (kept alive) without calling again. */
    holder h = {.phase = 0, .m = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
    pthread_t t;
    cr_assert_eq(pthread_create(&t, NULL, hold_key, &h), 0);
    wait_phase(&h, 1);
    uint8_t rn[16] = {3}, rd[16] = {4};
    for (int round = 0; round < 8; round++)
        for (size_t i = 0; i < N_DEV; i++) {
            const aiotsec_prepared_key *k = NULL;
            uint8_t perm[5], got[16], want[16];
            kdt_perm(i, perm);
            cr_assert_eq(ks.prepared_by_perm_id(ks.user, perm, 5, &k), AIOTSEC_OK);
            if (k) {
                cr_assert_eq(aiotsec_prepared_derive_res(k, rn, 16, rd, 16, got, 16), AIOTSEC_OK);
                xres(i, 0, rn, rd, want);
                cr_assert_arr_eq(got, want, 16);
            }
        }
    aiotsec_keydb_stats st;
    cr_assert_eq(aiotsec_keydb_stats_get(db, &st), AIOTSEC_OK);
    cr_assert_gt(st.retire_full, 0, "the bound (2 x cache) was reached");
    cr_assert_leq(st.retired_pending, 32);
    set_phase(&h, 2);
    pthread_join(t, NULL);
    cr_assert(h.ok);
    pthread_t t2;
    cr_assert_eq(pthread_create(&t2, NULL, hold_forever, NULL), 0);
    pthread_join(t2, NULL);
    aiotsec_keydb_quiescent(db);
    cr_assert_eq(aiotsec_keydb_stats_get(db, &st), AIOTSEC_OK);
    cr_assert_eq(st.retired_pending, 0, "an exited thread holds nothing");
}
