/* Records edited or moved on disk are refused with AIOTSEC_KEYDB_E_BAD_RECORD and
 * the device named: two records swapped, every octet of a record flipped, a
 * record cut or extended, a record copied from another database sealed under the
 * same KEK, an edited data-key wrap; a serving process with the record cached
 * refuses the edit at its next look-up; a re-key repairs. The edits are made with
 * LMDB directly, as an attacker with write access to the files would. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <lmdb.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "kd_test_util.h"

static char dir[256], db_dir[300], kek_path[512];
static aiotsec_ctx *ctx;
static aiotsec_keydb_kek *kek;
static uint64_t seed;

typedef struct named {
    uint8_t ids[16][64];
    size_t lens[16], n;
    int status;
} named;

static named reported;

static void on_bad(void *arg, const uint8_t *perm, size_t len, int status)
{
    named *nm = arg;
    if (nm->n < 16) {
        memcpy(nm->ids[nm->n], perm, len);
        nm->lens[nm->n++] = len;
    }
    nm->status = status;
}

static int was_named(const named *nm, size_t i)
{
    uint8_t perm[5];
    kdt_perm(i, perm);
    for (size_t k = 0; k < nm->n; k++)
        if (nm->lens[k] == 5 && memcmp(nm->ids[k], perm, 5) == 0)
            return 1;
    return 0;
}

static aiotsec_keydb *open_db(const char *d)
{
    aiotsec_keydb_options o;
    aiotsec_keydb_options_init(&o);
    o.kek = kek;
    o.ctx = ctx;
    o.on_bad_record = on_bad;
    o.on_bad_record_arg = &reported;
    aiotsec_keydb *h = NULL;
    int rc = aiotsec_keydb_open(&h, d, &o);
    cr_assert_eq(rc, AIOTSEC_OK, "open: %s", aiotsec_keydb_strerror(rc));
    return h;
}

static void make_db(const char *d, size_t n, unsigned v)
{
    aiotsec_keydb_options o;
    aiotsec_keydb_options_init(&o);
    o.kek = kek;
    o.map_size = KDT_MAP_SIZE;
    cr_assert_eq(aiotsec_keydb_init(d, &o), AIOTSEC_OK);
    aiotsec_keydb *h = open_db(d);
    for (size_t i = 0; i < n; i++) {
        uint8_t perm[5], key[32];
        kdt_perm(i, perm);
        size_t kl = kdt_key(seed, i, v, key);
        cr_assert_eq(aiotsec_keydb_add(h, perm, 5, key, kl), AIOTSEC_OK);
    }
    aiotsec_keydb_close(h);
}

static void setup(void)
{
    kdt_mkdtemp(dir, "tamper");
    snprintf(db_dir, sizeof db_dir, "%s/db", dir);
    cr_assert_eq(aiotsec_ctx_new(&ctx, "native", NULL), AIOTSEC_OK);
    kdt_kek_file(dir, "kek", kek_path, &kek);
    randombytes_buf(&seed, sizeof seed);
    memset(&reported, 0, sizeof reported);
    make_db(db_dir, 8, 0);
}

static void teardown(void)
{
    aiotsec_keydb_kek_free(kek);
    aiotsec_ctx_free(ctx);
    kdt_rmtree(dir);
}

TestSuite(tamper, .init = setup, .fini = teardown, .timeout = 120);

/* --- raw LMDB access (no key database handle may be open in this process) ----------- */

typedef struct raw {
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
} raw;

static void raw_open(raw *r, const char *d, const char *name)
{
    cr_assert_eq(mdb_env_create(&r->env), 0);
    cr_assert_eq(mdb_env_set_maxdbs(r->env, 4), 0);
    cr_assert_eq(mdb_env_open(r->env, d, MDB_NOTLS, 0600), 0);
    cr_assert_eq(mdb_txn_begin(r->env, NULL, 0, &r->txn), 0);
    cr_assert_eq(mdb_dbi_open(r->txn, name, 0, &r->dbi), 0);
}

static void raw_close(raw *r)
{
    cr_assert_eq(mdb_txn_commit(r->txn), 0);
    mdb_env_close(r->env);
}

static size_t raw_get(raw *r, const uint8_t *k, size_t kl, uint8_t *out, size_t cap)
{
    MDB_val key = {kl, (void *)k}, v;
    cr_assert_eq(mdb_get(r->txn, r->dbi, &key, &v), 0);
    cr_assert_leq(v.mv_size, cap);
    memcpy(out, v.mv_data, v.mv_size);
    return v.mv_size;
}

static void raw_put(raw *r, const uint8_t *k, size_t kl, const uint8_t *val, size_t vl)
{
    MDB_val key = {kl, (void *)k}, v = {vl, (void *)val};
    cr_assert_eq(mdb_put(r->txn, r->dbi, &key, &v, 0), 0);
}

static int lookup(aiotsec_keydb *h, size_t i)
{
    aiotsec_keystore ks;
    cr_assert_eq(aiotsec_keydb_keystore(h, &ks), AIOTSEC_OK);
    uint8_t perm[5], key[32];
    size_t kl = 0;
    kdt_perm(i, perm);
    return ks.by_perm_id(ks.user, perm, 5, key, &kl);
}

Test(tamper, swapped_records_refused_and_named)
{
    uint8_t a[5], b[5], va[128], vb[128];
    kdt_perm(2, a);
    kdt_perm(3, b);
    raw r;
    raw_open(&r, db_dir, "dev");
    size_t la = raw_get(&r, a, 5, va, sizeof va), lb = raw_get(&r, b, 5, vb, sizeof vb);
    raw_put(&r, a, 5, vb, lb);
    raw_put(&r, b, 5, va, la);
    raw_close(&r);
    aiotsec_keydb *h = open_db(db_dir);
    cr_assert_eq(lookup(h, 2), AIOTSEC_KEYDB_E_BAD_RECORD);
    cr_assert(was_named(&reported, 2), "the device is named");
    cr_assert_eq(reported.status, AIOTSEC_KEYDB_E_BAD_RECORD);
    cr_assert_eq(lookup(h, 3), AIOTSEC_KEYDB_E_BAD_RECORD);
    cr_assert(was_named(&reported, 3));
    cr_assert_eq(lookup(h, 4), AIOTSEC_OK, "the others are untouched");
    /* The ADM returns the status; a group leaves both out; verify names both. */
    aiotsec_keystore ks;
    aiotsec_adm *adm;
    aiotsec_auth_answer *ans;
    cr_assert_eq(aiotsec_keydb_keystore(h, &ks), AIOTSEC_OK);
    cr_assert_eq(aiotsec_adm_new(&adm, ctx, &ks, NULL), AIOTSEC_OK);
    cr_assert_eq(aiotsec_auth_answer_new(&ans, 64), AIOTSEC_OK);
    uint8_t rn[16] = {0}, rd[16] = {0}, kf[16], f[2] = {8, 0xa1};
    aiotsec_adm_request rq = {0};
    rq.perm_id = a;
    rq.perm_id_len = 5;
    rq.rand_n = rn;
    rq.rand_n_len = 16;
    rq.rand_d = rd;
    rq.rand_d_count = 1;
    cr_assert_eq(aiotsec_adm_get_authentication(adm, &rq, ans), AIOTSEC_KEYDB_E_BAD_RECORD);
    cr_assert_eq(aiotsec_adm_get_session_key(adm, b, 5, rn, 16, rd, 16, kf, 16), AIOTSEC_KEYDB_E_BAD_RECORD);
    rq.perm_id = NULL;
    rq.filter = f;
    rq.filter_len = 2;
    cr_assert_eq(aiotsec_adm_get_authentication(adm, &rq, ans), AIOTSEC_OK);
    cr_assert_eq(aiotsec_auth_answer_entry_count(ans), 6, "8 devices, the 2 refused left out");
    memset(&reported, 0, sizeof reported);
    size_t checked = 0, bad = 0;
    cr_assert_eq(aiotsec_keydb_verify(h, on_bad, &reported, &checked, &bad), AIOTSEC_OK);
    cr_assert_eq(checked, 8);
    cr_assert_eq(bad, 2);
    cr_assert(was_named(&reported, 2) && was_named(&reported, 3));
    aiotsec_keydb_stats st;
    cr_assert_eq(aiotsec_keydb_stats_get(h, &st), AIOTSEC_OK);
    cr_assert_geq(st.bad_records, 4);
    /* A re-key replaces a refused record: the repair. */
    uint8_t key[32];
    size_t kl = kdt_key(seed, 2, 5, key);
    cr_assert_eq(aiotsec_keydb_rekey(h, a, 5, key, kl), AIOTSEC_OK);
    cr_assert_eq(lookup(h, 2), AIOTSEC_OK);
    cr_assert_eq(aiotsec_keydb_revoke(h, b, 5), AIOTSEC_OK, "a refused record can be revoked");
    aiotsec_auth_answer_free(ans);
    aiotsec_adm_free(adm);
    aiotsec_keydb_close(h);
}

Test(tamper, every_octet_flipped_cut_or_extended_is_refused)
{
    for (size_t dev = 0; dev < 2; dev++) { /* device 0 has a 32-octet key, device 1 a 16-octet one */
        uint8_t perm[5], orig[128], v[130];
        kdt_perm(dev, perm);
        raw r;
        raw_open(&r, db_dir, "dev");
        size_t len = raw_get(&r, perm, 5, orig, sizeof orig);
        raw_close(&r);
        cr_assert_eq(len, dev == 0 ? 88u : 72u);
        for (size_t pos = 0; pos < len + 3; pos++) {
            memcpy(v, orig, len);
            size_t vl = len;
            if (pos < len)
                v[pos] ^= (uint8_t)(1u << (pos % 8));
            else if (pos == len)
                vl = len - 1; /* cut */
            else { /* extended by 1 or 2 octets */
                memset(v + len, 0, 2);
                vl = len + (pos - len);
            }
            raw_open(&r, db_dir, "dev");
            raw_put(&r, perm, 5, v, vl);
            raw_close(&r);
            memset(&reported, 0, sizeof reported);
            aiotsec_keydb *h = open_db(db_dir);
            cr_assert_eq(lookup(h, dev), AIOTSEC_KEYDB_E_BAD_RECORD, "octet %zu (length %zu) not refused", pos, vl);
            cr_assert(was_named(&reported, dev));
            aiotsec_keydb_close(h);
        }
        raw_open(&r, db_dir, "dev");
        raw_put(&r, perm, 5, orig, len);
        raw_close(&r);
        aiotsec_keydb *h = open_db(db_dir);
        cr_assert_eq(lookup(h, dev), AIOTSEC_OK, "restored");
        aiotsec_keydb_close(h);
    }
}

Test(tamper, record_from_another_database_with_the_same_kek_is_refused)
{
    char other[300];
    snprintf(other, sizeof other, "%s/other", dir);
    make_db(other, 8, 1); /* same identifiers, same KEK, other keys */
    uint8_t perm[5], v[128];
    kdt_perm(5, perm);
    raw r;
    raw_open(&r, other, "dev");
    size_t len = raw_get(&r, perm, 5, v, sizeof v);
    raw_close(&r);
    raw_open(&r, db_dir, "dev");
    raw_put(&r, perm, 5, v, len);
    raw_close(&r);
    aiotsec_keydb *h = open_db(db_dir);
    cr_assert_eq(lookup(h, 5), AIOTSEC_KEYDB_E_BAD_RECORD, "the database identity is in the associated data");
    cr_assert(was_named(&reported, 5));
    aiotsec_keydb_close(h);
}

Test(tamper, edited_data_key_wrap_is_refused_at_open)
{
    raw r;
    raw_open(&r, db_dir, "meta");
    MDB_cursor *cur;
    cr_assert_eq(mdb_cursor_open(r.txn, r.dbi, &cur), 0);
    MDB_val k = {3, "dek"}, v;
    cr_assert_eq(mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE), 0);
    cr_assert_eq(k.mv_size, 23u);
    uint8_t name[23], w[72];
    memcpy(name, k.mv_data, 23);
    cr_assert_eq(v.mv_size, sizeof w);
    memcpy(w, v.mv_data, sizeof w);
    mdb_cursor_close(cur);
    w[40] ^= 1;
    raw_put(&r, name, 23, w, sizeof w);
    raw_close(&r);
    aiotsec_keydb_options o;
    aiotsec_keydb_options_init(&o);
    o.kek = kek;
    aiotsec_keydb *h = NULL;
    cr_assert_eq(aiotsec_keydb_open(&h, db_dir, &o), AIOTSEC_KEYDB_E_BAD_RECORD);
}

/* A serving process has the record's key cached; an edit on disk is refused at its next look-up. */
Test(tamper, a_cached_key_does_not_hide_an_edit)
{
    char seed_s[32];
    snprintf(seed_s, sizeof seed_s, "%llu", (unsigned long long)seed);
    char *args[] = {"serve", db_dir, seed_s, "8", "prepared", kek_path, NULL};
    int to, from;
    pid_t pid = kdt_helper_start(args, &to, &from);
    char line[256];
    cr_assert_eq(kdt_read_line(from, line, sizeof line), 0);
    cr_assert_eq(strncmp(line, "ready", 5), 0);
    kdt_write_line(to, "check 6 0");
    cr_assert_eq(kdt_read_line(from, line, sizeof line), 0);
    cr_assert_str_eq(line, "ok");
    uint8_t perm[5], v[128];
    kdt_perm(6, perm);
    raw r;
    raw_open(&r, db_dir, "dev");
    size_t len = raw_get(&r, perm, 5, v, sizeof v);
    v[len - 1] ^= 0x80; /* the tag */
    raw_put(&r, perm, 5, v, len);
    raw_close(&r);
    kdt_write_line(to, "check 6 0");
    cr_assert_eq(kdt_read_line(from, line, sizeof line), 0);
    cr_assert_str_eq(line, "bad AIOTSEC_KEYDB_E_BAD_RECORD");
    kdt_write_line(to, "check 7 0");
    cr_assert_eq(kdt_read_line(from, line, sizeof line), 0);
    cr_assert_str_eq(line, "ok");
    kdt_write_line(to, "quit");
    close(to);
    close(from);
    cr_assert_eq(kdt_wait(pid), 0);
}

Test(tamper, a_rotation_stopped_by_a_refused_record_leaves_both_keks_reading)
{
    /* Device 3's record edited: a rotation to a new KEK stops there. Records it
     * had not reached are still sealed under the old data key, which the new KEK
     * must open too: a reader started with the new KEK reads every good record. */
    uint8_t p3[5], v[128];
    kdt_perm(3, p3);
    raw r;
    raw_open(&r, db_dir, "dev");
    size_t l = raw_get(&r, p3, 5, v, sizeof v);
    v[l - 1] ^= 0x01;
    raw_put(&r, p3, 5, v, l);
    raw_close(&r);
    char next_path[512];
    aiotsec_keydb_kek *next = NULL;
    kdt_kek_file(dir, "next", next_path, &next);
    aiotsec_keydb *h = open_db(db_dir);
    size_t resealed = 0;
    cr_assert_eq(aiotsec_keydb_rotate(h, next, 1, NULL, NULL, &resealed), AIOTSEC_KEYDB_E_BAD_RECORD);
    cr_assert_eq(resealed, 3, "devices 0..2 re-sealed, then the refused record stops the rotation");
    aiotsec_keydb_close(h);
    aiotsec_keydb_kek *old = kek;
    kek = next;
    h = open_db(db_dir);
    for (size_t i = 0; i < 8; i++)
        cr_assert_eq(lookup(h, i), i == 3 ? AIOTSEC_KEYDB_E_BAD_RECORD : AIOTSEC_OK, "device %zu, new KEK", i);
    aiotsec_keydb_close(h);
    kek = old;
    h = open_db(db_dir);
    cr_assert_eq(lookup(h, 7), AIOTSEC_OK, "the old KEK still reads");
    aiotsec_keydb_close(h);
    aiotsec_keydb_kek_free(next);
}
