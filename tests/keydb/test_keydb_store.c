/* The sealed key database through its API and its key-store table: custody
 * checks (KEK file mode, wrong KEK, custody mismatch, one handle per process),
 * add / re-key / revoke seen by the next look-up, imports (batches, errors with
 * line numbers, all or nothing), filter listings page by page against a brute
 * force, T-IDs as the in-memory store keeps them, KEK rotation, and the sealed
 * file holding none of the keys. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kd_test_util.h"

static char dir[256], kek_path[512];
static aiotsec_ctx *ctx;
static aiotsec_keydb_kek *kek;
static uint64_t seed;

static void setup(void)
{
    kdt_mkdtemp(dir, "store");
    cr_assert_eq(aiotsec_ctx_new(&ctx, "native", NULL), AIOTSEC_OK);
    kdt_kek_file(dir, "kek", kek_path, &kek);
    randombytes_buf(&seed, sizeof seed);
    aiotsec_keydb_options o;
    aiotsec_keydb_options_init(&o);
    o.kek = kek;
    char db[300];
    snprintf(db, sizeof db, "%s/db", dir);
    o.map_size = KDT_MAP_SIZE;
    cr_assert_eq(aiotsec_keydb_init(db, &o), AIOTSEC_OK);
}

static void teardown(void)
{
    aiotsec_keydb_kek_free(kek);
    aiotsec_ctx_free(ctx);
    kdt_rmtree(dir);
}

TestSuite(keydb, .init = setup, .fini = teardown, .timeout = 120);

static aiotsec_keydb *open_db(int prepared, size_t cache)
{
    aiotsec_keydb_options o;
    aiotsec_keydb_options_init(&o);
    o.kek = kek;
    o.ctx = ctx;
    o.prepared_keys = prepared;
    o.cache_entries = cache;
    char db[300];
    snprintf(db, sizeof db, "%s/db", dir);
    aiotsec_keydb *h = NULL;
    int rc = aiotsec_keydb_open(&h, db, &o);
    cr_assert_eq(rc, AIOTSEC_OK, "open: %s", aiotsec_keydb_strerror(rc));
    return h;
}

static void add_devices(aiotsec_keydb *db, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++) {
        uint8_t perm[5], key[32];
        kdt_perm(i, perm);
        size_t kl = kdt_key(seed, i, 0, key);
        cr_assert_eq(aiotsec_keydb_add(db, perm, 5, key, kl), AIOTSEC_OK);
    }
}

/* XRES_AIOT from the ADM over the table equals the one derived from the expected key. */
static int adm_matches(const aiotsec_keystore *ks, size_t i, unsigned v)
{
    aiotsec_adm *adm;
    aiotsec_auth_answer *ans;
    cr_assert_eq(aiotsec_adm_new(&adm, ctx, ks, NULL), AIOTSEC_OK);
    cr_assert_eq(aiotsec_auth_answer_new(&ans, 4), AIOTSEC_OK);
    uint8_t perm[5], rn[16], rd[16], key[32], want[16], kf[16], kf_want[16];
    kdt_perm(i, perm);
    randombytes_buf(rn, 16);
    randombytes_buf(rd, 16);
    aiotsec_adm_request rq = {0};
    rq.perm_id = perm;
    rq.perm_id_len = 5;
    rq.rand_n = rn;
    rq.rand_n_len = 16;
    rq.rand_d = rd;
    rq.rand_d_count = 1;
    int rc = aiotsec_adm_get_authentication(adm, &rq, ans);
    if (rc == AIOTSEC_OK) {
        const uint8_t *x, *p;
        size_t xl, pl;
        size_t kl = kdt_key(seed, i, v, key);
        cr_assert_eq(aiotsec_auth_answer_entry(ans, 0, 0, &x, &xl, &p, &pl), AIOTSEC_OK);
        cr_assert_eq(aiotsec_derive_res(ctx, key, kl, rn, 16, rd, 16, want, 16), AIOTSEC_OK);
        cr_assert_arr_eq(x, want, 16, "device %zu: XRES_AIOT not from key version %u", i, v);
        cr_assert_eq(aiotsec_adm_get_session_key(adm, perm, 5, rn, 16, rd, 16, kf, 16), AIOTSEC_OK);
        cr_assert_eq(aiotsec_derive_kaiotf(ctx, key, kl, rn, 16, rd, 16, kf_want, 16), AIOTSEC_OK);
        cr_assert_arr_eq(kf, kf_want, 16);
    }
    aiotsec_auth_answer_free(ans);
    aiotsec_adm_free(adm);
    return rc;
}

Test(keydb, kek_file_mode_and_form_checked)
{
    char p[600];
    aiotsec_keydb_kek *k = NULL;
    struct stat st;
    cr_assert_eq(stat(kek_path, &st), 0);
    cr_assert_eq(st.st_mode & 0777, 0600, "a new KEK file is mode 0600");
    cr_assert_eq(aiotsec_keydb_kek_from_file(&k, kek_path), AIOTSEC_OK);
    aiotsec_keydb_kek_free(k);
    cr_assert_eq(chmod(kek_path, 0640), 0);
    cr_assert_eq(aiotsec_keydb_kek_from_file(&k, kek_path), AIOTSEC_KEYDB_E_KEK_FILE);
    cr_assert_null(k);
    cr_assert_eq(chmod(kek_path, 0604), 0);
    cr_assert_eq(aiotsec_keydb_kek_from_file(&k, kek_path), AIOTSEC_KEYDB_E_KEK_FILE);
    cr_assert_eq(chmod(kek_path, 0400), 0);
    cr_assert_eq(aiotsec_keydb_kek_from_file(&k, kek_path), AIOTSEC_OK);
    aiotsec_keydb_kek_free(k);
    snprintf(p, sizeof p, "%s/link", dir); /* a symbolic link is refused, whatever it points to */
    cr_assert_eq(symlink(kek_path, p), 0);
    cr_assert_eq(aiotsec_keydb_kek_from_file(&k, p), AIOTSEC_KEYDB_E_KEK_FILE);
    cr_assert_eq(aiotsec_keydb_kek_create_file(&k, kek_path), AIOTSEC_E_DUPLICATE);
    snprintf(p, sizeof p, "%s/short", dir);
    FILE *f = fopen(p, "w");
    fputs("0011223344\n", f);
    fclose(f);
    chmod(p, 0600);
    cr_assert_eq(aiotsec_keydb_kek_from_file(&k, p), AIOTSEC_KEYDB_E_KEK_FILE);
    cr_assert_eq(aiotsec_keydb_kek_from_file(&k, "/nonexistent/kek"), AIOTSEC_E_IO);
    setenv("KDT_KEK", "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff", 1);
    cr_assert_eq(aiotsec_keydb_kek_from_env(&k, "KDT_KEK"), AIOTSEC_OK);
    aiotsec_keydb_kek_free(k);
    setenv("KDT_KEK", "00112233", 1);
    cr_assert_eq(aiotsec_keydb_kek_from_env(&k, "KDT_KEK"), AIOTSEC_E_PARSE);
    unsetenv("KDT_KEK");
    cr_assert_eq(aiotsec_keydb_kek_from_env(&k, "KDT_KEK"), AIOTSEC_E_IO);
}

Test(keydb, wrong_kek_custody_busy_and_format)
{
    char db[300], p[512];
    snprintf(db, sizeof db, "%s/db", dir);
    aiotsec_keydb_kek *other = NULL;
    kdt_kek_file(dir, "other", p, &other);
    aiotsec_keydb_options o;
    aiotsec_keydb_options_init(&o);
    o.kek = other;
    aiotsec_keydb *h = NULL;
    cr_assert_eq(aiotsec_keydb_open(&h, db, &o), AIOTSEC_KEYDB_E_WRONG_KEK);
    cr_assert_null(h);
    aiotsec_keydb_kek_free(other);
    cr_assert_eq(aiotsec_keydb_init(db, &(aiotsec_keydb_options){.struct_size = sizeof o, .kek = kek, .map_size = KDT_MAP_SIZE}),
                 AIOTSEC_KEYDB_E_EXISTS);
    aiotsec_keydb *a = open_db(0, 64);
    aiotsec_keydb *b = NULL;
    cr_assert_eq(aiotsec_keydb_open(&b, db, NULL), AIOTSEC_KEYDB_E_BUSY, "LMDB: one handle per process");
    aiotsec_keydb_close(a);
    cr_assert_eq(aiotsec_keydb_open(&b, db, NULL), AIOTSEC_OK); /* identifiers only */
    cr_assert_eq(aiotsec_keydb_custody_of(b), AIOTSEC_KEYDB_CUSTODY_NONE);
    uint8_t k16[16] = {1};
    cr_assert_eq(aiotsec_keydb_add(b, (const uint8_t *)"\x01", 1, k16, 16), AIOTSEC_KEYDB_E_CUSTODY);
    aiotsec_keystore ks;
    cr_assert_eq(aiotsec_keydb_keystore(b, &ks), AIOTSEC_KEYDB_E_CUSTODY);
    aiotsec_keydb_close(b);
    snprintf(p, sizeof p, "%s/empty", dir);
    mkdir(p, 0700);
    cr_assert_eq(aiotsec_keydb_open(&b, p, NULL), AIOTSEC_KEYDB_E_FORMAT);
    cr_assert_eq(aiotsec_keydb_open(&b, "/nonexistent/db", NULL), AIOTSEC_E_IO);
    o.kek = NULL;
    cr_assert_eq(aiotsec_keydb_init(p, &o), AIOTSEC_E_BAD_VALUE, "init needs a custody");
    o.struct_size = 3;
    cr_assert_eq(aiotsec_keydb_open(&b, db, &o), AIOTSEC_E_BAD_VALUE);
    cr_assert_str_eq(aiotsec_keydb_status_name(AIOTSEC_KEYDB_E_BAD_RECORD), "AIOTSEC_KEYDB_E_BAD_RECORD");
    cr_assert_str_eq(aiotsec_keydb_status_name(AIOTSEC_E_UNKNOWN_DEVICE), "AIOTSEC_E_UNKNOWN_DEVICE");
}

Test(keydb, add_rekey_revoke_seen_by_the_next_lookup)
{
    for (int prepared = 0; prepared < 2; prepared++) {
        aiotsec_keydb *db = open_db(prepared, prepared ? 64 : 0);
        aiotsec_keystore ks;
        cr_assert_eq(aiotsec_keydb_keystore(db, &ks), AIOTSEC_OK);
        cr_assert_eq(!!ks.prepared_by_perm_id, prepared);
        size_t base = (size_t)prepared * 100;
        add_devices(db, base, base + 20);
        for (size_t i = base; i < base + 20; i++)
            cr_assert_eq(adm_matches(&ks, i, 0), AIOTSEC_OK);
        uint8_t perm[5], key[32];
        kdt_perm(base + 3, perm);
        size_t kl = kdt_key(seed, base + 3, 0, key);
        cr_assert_eq(aiotsec_keydb_add(db, perm, 5, key, kl), AIOTSEC_E_DUPLICATE);
        kl = kdt_key(seed, base + 3, 1, key);
        cr_assert_eq(aiotsec_keydb_rekey(db, perm, 5, key, kl), AIOTSEC_OK);
        cr_assert_eq(adm_matches(&ks, base + 3, 1), AIOTSEC_OK, "a re-key answers with the new key at once");
        cr_assert_eq(aiotsec_keydb_revoke(db, perm, 5), AIOTSEC_OK);
        cr_assert_eq(adm_matches(&ks, base + 3, 1), AIOTSEC_E_UNKNOWN_DEVICE, "revoked: the next request is a 404");
        uint8_t raw[32];
        size_t rl;
        cr_assert_eq(ks.by_perm_id(ks.user, perm, 5, raw, &rl), AIOTSEC_E_UNKNOWN_DEVICE);
        cr_assert_eq(aiotsec_keydb_revoke(db, perm, 5), AIOTSEC_E_UNKNOWN_DEVICE);
        cr_assert_eq(aiotsec_keydb_rekey(db, perm, 5, key, kl), AIOTSEC_E_UNKNOWN_DEVICE);
        /* Re-added with a new key after the revocation: no stale cached key answers. */
        kl = kdt_key(seed, base + 3, 2, key);
        cr_assert_eq(aiotsec_keydb_add(db, perm, 5, key, kl), AIOTSEC_OK);
        cr_assert_eq(adm_matches(&ks, base + 3, 2), AIOTSEC_OK);
        cr_assert_eq(ks.by_perm_id(ks.user, perm, 5, raw, &rl), AIOTSEC_OK);
        cr_assert_eq(rl, kl);
        cr_assert_arr_eq(raw, key, kl);
        /* Argument checks. */
        cr_assert_eq(aiotsec_keydb_add(db, perm, 0, key, 16), AIOTSEC_E_BAD_LENGTH);
        cr_assert_eq(aiotsec_keydb_add(db, perm, 65, key, 16), AIOTSEC_E_BAD_LENGTH);
        cr_assert_eq(aiotsec_keydb_add(db, perm, 5, key, 24), AIOTSEC_E_BAD_LENGTH);
        cr_assert_eq(aiotsec_keydb_add(db, NULL, 5, key, 16), AIOTSEC_E_NULL_ARG);
        cr_assert_eq(ks.by_perm_id(ks.user, perm, 65, raw, &rl), AIOTSEC_E_BAD_LENGTH);
        size_t n = 0;
        cr_assert_eq(aiotsec_keydb_count(db, &n), AIOTSEC_OK);
        cr_assert_eq(n, (size_t)(prepared ? 40 : 20));
        aiotsec_keydb_close(db);
    }
}

typedef struct collected {
    uint8_t ids[2048][64];
    size_t lens[2048], n, pages, keys;
    int stop_after;
} collected;

static int collect(void *arg, const aiotsec_ks_entry *e, size_t n)
{
    collected *c = arg;
    cr_assert_gt(n, 0);
    c->pages++;
    for (size_t i = 0; i < n; i++) {
        memcpy(c->ids[c->n], e[i].perm_id, e[i].perm_id_len);
        c->lens[c->n++] = e[i].perm_id_len;
        c->keys += e[i].key != NULL;
    }
    return c->stop_after && (int)c->pages >= c->stop_after ? AIOTSEC_E_LIMIT : 0;
}

static int cmp_ids(const uint8_t *a, size_t la, const uint8_t *b, size_t lb)
{
    int c = memcmp(a, b, la < lb ? la : lb);
    return c ? c : (la > lb) - (la < lb);
}

/* Random identifiers of 1..6 octets, clustered so prefixes are shared. */
Test(keydb, filter_listings_match_a_brute_force_in_order)
{
    aiotsec_keydb *db = open_db(1, 4096);
    aiotsec_keystore ks;
    cr_assert_eq(aiotsec_keydb_keystore(db, &ks), AIOTSEC_OK);
    static uint8_t ids[1500][6];
    static size_t lens[1500];
    size_t n = 0;
    uint8_t key[16] = {7};
    while (n < 1500) {
        lens[n] = 1 + randombytes_uniform(6);
        randombytes_buf(ids[n], lens[n]);
        ids[n][0] &= 0x8f; /* clusters */
        if (aiotsec_keydb_add(db, ids[n], lens[n], key, 16) == AIOTSEC_OK)
            n++;
    }
    static collected c;
    for (int round = 0; round < 300; round++) {
        uint8_t prefix[4], filter[AIOTSEC_FILTER_MAX];
        size_t bits = 1 + randombytes_uniform(round < 200 ? 12 : 32), flen = 0;
        randombytes_buf(prefix, sizeof prefix);
        if (round % 2) /* often a prefix some devices have */
            memcpy(prefix, ids[randombytes_uniform((uint32_t)n)], 1);
        cr_assert_eq(aiotsec_filter_make(NULL, prefix, bits, filter, sizeof filter, &flen), AIOTSEC_OK);
        memset(&c, 0, sizeof c);
        cr_assert_eq(ks.list_matching(ks.user, filter, flen, collect, &c), AIOTSEC_OK);
        size_t want = 0;
        for (size_t i = 0; i < n; i++) {
            int m = 0;
            cr_assert_eq(aiotsec_filter_match(NULL, filter, flen, ids[i], lens[i], &m), AIOTSEC_OK);
            want += (size_t)m;
        }
        cr_assert_eq(c.n, want, "filter of %zu bits: %zu listed, %zu match", bits, c.n, want);
        for (size_t i = 0; i < c.n; i++) {
            int m = 0;
            cr_assert_eq(aiotsec_filter_match(NULL, filter, flen, c.ids[i], c.lens[i], &m), AIOTSEC_OK);
            cr_assert(m);
            if (i)
                cr_assert_lt(cmp_ids(c.ids[i - 1], c.lens[i - 1], c.ids[i], c.lens[i]), 0, "in order");
        }
        cr_assert_eq(c.keys, c.n, "prepared keys in the listing");
    }
    /* Every device (a 1-bit filter twice) in pages of at most 256, and a page's status stops the listing. */
    uint8_t f0[2] = {1, 0x00}, f1[2] = {1, 0x80};
    memset(&c, 0, sizeof c);
    cr_assert_eq(ks.list_matching(ks.user, f0, 2, collect, &c), AIOTSEC_OK);
    cr_assert_eq(ks.list_matching(ks.user, f1, 2, collect, &c), AIOTSEC_OK);
    cr_assert_eq(c.n, n);
    cr_assert_geq(c.pages, n / 256);
    memset(&c, 0, sizeof c);
    c.stop_after = 1;
    cr_assert_eq(ks.list_matching(ks.user, f0, 2, collect, &c), AIOTSEC_E_LIMIT);
    cr_assert_eq(c.pages, 1);
    /* The ADM over it: a group request gives every matching device, each XRES from its key. */
    aiotsec_adm *adm;
    aiotsec_auth_answer *ans;
    cr_assert_eq(aiotsec_adm_new(&adm, ctx, &ks, NULL), AIOTSEC_OK);
    cr_assert_eq(aiotsec_auth_answer_new(&ans, 4096), AIOTSEC_OK);
    uint8_t rn[16] = {1}, rd[32] = {2}, want[16];
    aiotsec_adm_request rq = {0};
    rq.filter = f1;
    rq.filter_len = 2;
    rq.rand_n = rn;
    rq.rand_n_len = 16;
    rq.rand_d = rd;
    rq.rand_d_count = 2;
    cr_assert_eq(aiotsec_adm_get_authentication(adm, &rq, ans), AIOTSEC_OK);
    const uint8_t *x, *p, *srd;
    size_t xl, pl, count;
    cr_assert_eq(aiotsec_auth_answer_set(ans, 1, &srd, &count), AIOTSEC_OK);
    cr_assert_gt(count, 100);
    for (size_t i = 0; i < count; i++) {
        cr_assert_eq(aiotsec_auth_answer_entry(ans, 1, i, &x, &xl, &p, &pl), AIOTSEC_OK);
        cr_assert_eq(aiotsec_derive_res(ctx, key, 16, rn, 16, rd + 16, 16, want, 16), AIOTSEC_OK);
        cr_assert_arr_eq(x, want, 16);
    }
    uint8_t fnone[3] = {16, 0x7f, 0xff}; /* ids start 0x00..0x0f or 0x80..0x8f */
    rq.filter = fnone;
    rq.filter_len = 3;
    cr_assert_eq(aiotsec_adm_get_authentication(adm, &rq, ans), AIOTSEC_E_NO_CANDIDATE);
    aiotsec_auth_answer_free(ans);
    aiotsec_adm_free(adm);
    aiotsec_keydb_close(db);
}

static int count_id(void *arg, const uint8_t *perm, size_t len, size_t key_len)
{
    (void)perm;
    (void)len;
    cr_assert(key_len == 16 || key_len == 32);
    (*(size_t *)arg)++;
    return 0;
}

static void note_commit(void *arg, size_t committed)
{
    size_t *last = arg;
    cr_assert_gt(committed, *last);
    *last = committed;
}

Test(keydb, import_batches_line_numbers_and_all_or_nothing)
{
    aiotsec_keydb *db = open_db(0, 1024);
    size_t len, imported = 0, line = 0, last = 0;
    char *text = kdt_keyfile(seed, 0, 2500, &len);
    cr_assert_eq(aiotsec_keydb_import_buffer(db, text, len, 1000, note_commit, &last, &imported, &line),
                 AIOTSEC_OK);
    cr_assert_eq(imported, 2500);
    cr_assert_eq(last, 2500);
    free(text);
    size_t n = 0;
    cr_assert_eq(aiotsec_keydb_list(db, NULL, 0, count_id, &n), AIOTSEC_OK);
    cr_assert_eq(n, 2500);
    /* A device already there, on the file's line 1502 (a comment line comes first):
     * the batches before it stay, the one in progress does not. */
    text = kdt_keyfile(seed, 5000, 7000, &len);
    char *dup = malloc(len + 200);
    char *cut = text;
    for (int l = 0; l < 1501; l++)
        cut = strchr(cut, '\n') + 1;
    size_t head = (size_t)(cut - text);
    memcpy(dup, text, head);
    int w = sprintf(dup + head, "a100000005 000102030405060708090a0b0c0d0e0f\n");
    memcpy(dup + head + (size_t)w, cut, len - head);
    cr_assert_eq(aiotsec_keydb_import_buffer(db, dup, len + (size_t)w, 1000, NULL, NULL, &imported, &line),
                 AIOTSEC_E_DUPLICATE);
    cr_assert_eq(line, 1502);
    cr_assert_eq(imported, 1000);
    cr_assert_eq(aiotsec_keydb_count(db, &n), AIOTSEC_OK);
    cr_assert_eq(n, 3500);
    /* Batch 0: one commit, all or nothing. */
    cr_assert_eq(aiotsec_keydb_import_buffer(db, dup, len + (size_t)w, 0, NULL, NULL, &imported, &line),
                 AIOTSEC_E_DUPLICATE);
    cr_assert_eq(imported, 0);
    cr_assert_eq(aiotsec_keydb_count(db, &n), AIOTSEC_OK);
    cr_assert_eq(n, 3500);
    const char *bad = "a1 000102030405060708090a0b0c0d0e0f\nzz 000102\n";
    cr_assert_eq(aiotsec_keydb_import_buffer(db, bad, strlen(bad), 0, NULL, NULL, &imported, &line), AIOTSEC_E_PARSE);
    cr_assert_eq(line, 2);
    cr_assert_eq(aiotsec_keydb_import_file(db, "/nonexistent/keys", 10, NULL, NULL, &imported, &line), AIOTSEC_E_IO);
    aiotsec_keystore ks;
    cr_assert_eq(aiotsec_keydb_keystore(db, &ks), AIOTSEC_OK);
    for (size_t i = 0; i < 2500; i += 97)
        cr_assert_eq(adm_matches(&ks, i, 0), AIOTSEC_OK);
    free(dup);
    free(text);
    aiotsec_keydb_close(db);
}

Test(keydb, tids_as_the_memstore_keeps_them)
{
    aiotsec_keydb *db = open_db(0, 64);
    add_devices(db, 0, 3);
    aiotsec_keystore ks;
    cr_assert_eq(aiotsec_keydb_keystore(db, &ks), AIOTSEC_OK);
    aiotsec_adm *adm;
    cr_assert_eq(aiotsec_adm_new(&adm, ctx, &ks, NULL), AIOTSEC_OK);
    uint8_t perm[5];
    kdt_perm(1, perm);
    aiotsec_tid_info a, b, c;
    cr_assert_eq(aiotsec_adm_get_tid(adm, perm, 5, 1, &a), AIOTSEC_OK); /* none yet: a new one */
    cr_assert_eq(a.has_previous, 0);
    cr_assert_eq(aiotsec_adm_get_tid(adm, perm, 5, 1, &b), AIOTSEC_OK); /* resync: the same */
    cr_assert_arr_eq(a.tid, b.tid, 16);
    cr_assert_eq(aiotsec_adm_get_tid(adm, perm, 5, 0, &c), AIOTSEC_OK); /* new, previous = old */
    cr_assert_eq(c.has_previous, 1);
    cr_assert_arr_eq(c.tid_previous, a.tid, 16);
    cr_assert(memcmp(c.tid, a.tid, 16) != 0);
    cr_assert_eq(aiotsec_keydb_revoke(db, perm, 5), AIOTSEC_OK);
    cr_assert_eq(aiotsec_adm_get_tid(adm, perm, 5, 0, &c), AIOTSEC_E_UNKNOWN_DEVICE);
    uint8_t key[32];
    size_t kl = kdt_key(seed, 1, 0, key);
    cr_assert_eq(aiotsec_keydb_add(db, perm, 5, key, kl), AIOTSEC_OK);
    cr_assert_eq(aiotsec_adm_get_tid(adm, perm, 5, 1, &c), AIOTSEC_OK);
    cr_assert_eq(c.has_previous, 0, "a revocation removed the T-IDs");
    aiotsec_adm_free(adm);
    aiotsec_keydb_close(db);
    /* Read-only: no change, no getTid. */
    aiotsec_keydb_options o;
    aiotsec_keydb_options_init(&o);
    o.kek = kek;
    o.ctx = ctx;
    o.read_only = 1;
    char d[300];
    snprintf(d, sizeof d, "%s/db", dir);
    cr_assert_eq(aiotsec_keydb_open(&db, d, &o), AIOTSEC_OK);
    cr_assert_eq(aiotsec_keydb_revoke(db, perm, 5), AIOTSEC_KEYDB_E_READ_ONLY);
    cr_assert_eq(aiotsec_keydb_add(db, (const uint8_t *)"\x09", 1, key, 16), AIOTSEC_KEYDB_E_READ_ONLY);
    cr_assert_eq(aiotsec_keydb_keystore(db, &ks), AIOTSEC_OK);
    cr_assert_null(ks.tid_update);
    cr_assert_eq(adm_matches(&ks, 2, 0), AIOTSEC_OK);
    aiotsec_keydb_close(db);
}

Test(keydb, rotation_reseals_every_record_and_retires_the_old_kek)
{
    aiotsec_keydb *db = open_db(1, 256);
    size_t len, imported;
    char *text = kdt_keyfile(seed, 0, 3000, &len);
    cr_assert_eq(aiotsec_keydb_import_buffer(db, text, len, 1000, NULL, NULL, &imported, NULL), AIOTSEC_OK);
    free(text);
    char db_dir[300], data[320];
    snprintf(db_dir, sizeof db_dir, "%s/db", dir);
    snprintf(data, sizeof data, "%s/data.mdb", db_dir);
    aiotsec_keystore ks;
    cr_assert_eq(aiotsec_keydb_keystore(db, &ks), AIOTSEC_OK);
    cr_assert_eq(adm_matches(&ks, 10, 0), AIOTSEC_OK);
    char next_path[512];
    aiotsec_keydb_kek *next = NULL;
    kdt_kek_file(dir, "next", next_path, &next);
    size_t resealed = 0, last = 0;
    cr_assert_eq(aiotsec_keydb_rotate(db, next, 700, note_commit, &last, &resealed), AIOTSEC_OK);
    cr_assert_eq(resealed, 3000, "every record re-sealed");
    for (size_t i = 0; i < 3000; i += 50)
        cr_assert_eq(adm_matches(&ks, i, 0), AIOTSEC_OK);
    size_t checked = 0, bad = 9;
    cr_assert_eq(aiotsec_keydb_verify(db, NULL, NULL, &checked, &bad), AIOTSEC_OK);
    cr_assert_eq(checked, 3000);
    cr_assert_eq(bad, 0);
    aiotsec_keydb_close(db);
    /* Both KEKs open it until the old one is retired. */
    aiotsec_keydb_options o;
    aiotsec_keydb_options_init(&o);
    o.ctx = ctx;
    o.kek = next;
    cr_assert_eq(aiotsec_keydb_open(&db, db_dir, &o), AIOTSEC_OK);
    size_t removed = 0;
    cr_assert_eq(aiotsec_keydb_retire_keks(db, &removed), AIOTSEC_OK);
    cr_assert_eq(removed, 1);
    cr_assert_eq(aiotsec_keydb_keystore(db, &ks), AIOTSEC_OK);
    cr_assert_eq(adm_matches(&ks, 2999, 0), AIOTSEC_OK);
    aiotsec_keydb_close(db);
    o.kek = kek;
    cr_assert_eq(aiotsec_keydb_open(&db, db_dir, &o), AIOTSEC_KEYDB_E_WRONG_KEK, "the old KEK is retired");
    aiotsec_keydb_kek_free(next);
}

Test(keydb, sealed_file_holds_no_key)
{
    aiotsec_keydb *db = open_db(0, 64);
    size_t n = kdt_reduced() ? 500 : 3000, len, imported;
    char *text = kdt_keyfile(seed, 0, n, &len);
    cr_assert_eq(aiotsec_keydb_import_buffer(db, text, len, 0, NULL, NULL, &imported, NULL), AIOTSEC_OK);
    free(text);
    aiotsec_keydb_close(db);
    const char *files[] = {"data.mdb", "lock.mdb"};
    for (size_t f = 0; f < 2; f++) {
        char p[320];
        snprintf(p, sizeof p, "%s/db/%s", dir, files[f]);
        size_t flen = 0;
        uint8_t *bytes = kdt_read_file(p, &flen);
        cr_assert_not_null(bytes);
        size_t found = 0, ids = 0;
        for (size_t i = 0; i < n; i++) {
            uint8_t key[32], perm[5];
            size_t kl = kdt_key(seed, i, 0, key);
            found += kdt_count(bytes, flen, key, kl);
            found += kdt_count(bytes, flen, key, 8); /* not even a part of one */
            kdt_perm(i, perm);
            ids += kdt_count(bytes, flen, perm, 5);
        }
        cr_assert_eq(found, 0, "%s holds %zu key values", files[f], found);
        if (f == 0) /* the search works: the identifiers, stored in clear, are found */
            cr_assert_geq(ids, n);
        free(bytes);
    }
}
