/* The same getAuthentication and getSessionKey answers from the file store
 * (aiotsec_memstore), the sealed LMDB store (raw keys, and prepared keys) and
 * the PKCS#11 token (keys that never leave it): the official
 * nadm-sec-profile0.json vectors, then random stores and requests, named
 * devices and filters, compared answer for answer. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>

#include "kd_json.h"
#include "kd_test_util.h"

enum { MEM, SEALED, PREPARED, TOKEN, N_STORES };
static const char *store_name[N_STORES] = {"memstore", "lmdb-sealed", "lmdb-prepared", "pkcs11-token"};

static char dir[256];
static aiotsec_ctx *ctx;
static aiotsec_keydb_kek *kek;
static aiotsec_keydb_token *tok;
static aiotsec_memstore *mem;
static aiotsec_keydb *db[N_STORES];
static aiotsec_adm *adm[N_STORES];
static aiotsec_auth_answer *ans;

static void setup(void)
{
    kdt_mkdtemp(dir, "answers");
    kdt_softhsm(dir);
    cr_assert_eq(aiotsec_ctx_new(&ctx, "native", NULL), AIOTSEC_OK);
    char p[512];
    kdt_kek_file(dir, "kek", p, &kek);
    int rc = aiotsec_keydb_token_open(&tok, kdt_softhsm_module(), KDT_LABEL, "KDT_PIN");
    cr_assert_eq(rc, AIOTSEC_OK, "token: %s", aiotsec_keydb_strerror(rc));
    cr_assert_eq(aiotsec_memstore_new(&mem, ctx, 0), AIOTSEC_OK);
    aiotsec_keystore ks;
    cr_assert_eq(aiotsec_memstore_keystore(mem, &ks), AIOTSEC_OK);
    cr_assert_eq(aiotsec_adm_new(&adm[MEM], ctx, &ks, NULL), AIOTSEC_OK);
    for (int s = SEALED; s < N_STORES; s++) {
        aiotsec_keydb_options o;
        aiotsec_keydb_options_init(&o);
        o.ctx = ctx;
        if (s == TOKEN)
            o.token = tok;
        else
            o.kek = kek;
        o.prepared_keys = s == PREPARED;
        snprintf(p, sizeof p, "%s/%s", dir, store_name[s]);
        o.map_size = KDT_MAP_SIZE;
        cr_assert_eq(aiotsec_keydb_init(p, &o), AIOTSEC_OK);
        cr_assert_eq(aiotsec_keydb_open(&db[s], p, &o), AIOTSEC_OK);
        cr_assert_eq(aiotsec_keydb_keystore(db[s], &ks), AIOTSEC_OK);
        cr_assert_eq(s == TOKEN, ks.by_perm_id == NULL && ks.mac_by_perm_id != NULL);
        cr_assert_eq(aiotsec_adm_new(&adm[s], ctx, &ks, NULL), AIOTSEC_OK);
    }
    cr_assert_eq(aiotsec_auth_answer_new(&ans, 8192), AIOTSEC_OK);
}

static void teardown(void)
{
    aiotsec_auth_answer_free(ans);
    for (int s = 0; s < N_STORES; s++) {
        aiotsec_adm_free(adm[s]);
        aiotsec_keydb_close(db[s]);
    }
    aiotsec_memstore_free(mem);
    aiotsec_keydb_token_close(tok);
    aiotsec_keydb_kek_free(kek);
    aiotsec_ctx_free(ctx);
    kdt_rmtree(dir);
}

TestSuite(answers, .init = setup, .fini = teardown, .timeout = 240);

static void add_everywhere(const uint8_t *perm, size_t pl, const uint8_t *key, size_t kl)
{
    cr_assert_eq(aiotsec_memstore_add(mem, perm, pl, key, kl), AIOTSEC_OK);
    for (int s = SEALED; s < N_STORES; s++)
        cr_assert_eq(aiotsec_keydb_add(db[s], perm, pl, key, kl), AIOTSEC_OK);
}

static size_t b64(const char *in, uint8_t *out, size_t cap)
{
    size_t n = 0;
    cr_assert_eq(sodium_base642bin(out, cap, in, strlen(in), NULL, &n, NULL, sodium_base64_VARIANT_ORIGINAL), 0);
    return n;
}

/* The answer as text: per set its RAND_AIOT_d, then "id:xres" per entry, in order. */
static char *dump(const aiotsec_auth_answer *a)
{
    size_t cap = 64 + aiotsec_auth_answer_entry_count(a) * 180 + aiotsec_auth_answer_set_count(a) * 40, n = 0;
    char *out = malloc(cap);
    out[0] = 0;
    for (size_t j = 0; j < aiotsec_auth_answer_set_count(a); j++) {
        const uint8_t *rd;
        size_t cnt;
        cr_assert_eq(aiotsec_auth_answer_set(a, j, &rd, &cnt), AIOTSEC_OK);
        char h[129];
        kdt_hex(rd, 16, h);
        n += (size_t)snprintf(out + n, cap - n, "[%s]", h);
        for (size_t i = 0; i < cnt; i++) {
            const uint8_t *x, *p;
            size_t xl, pl;
            cr_assert_eq(aiotsec_auth_answer_entry(a, j, i, &x, &xl, &p, &pl), AIOTSEC_OK);
            char xh[65];
            kdt_hex(p ? p : (const uint8_t *)"", pl, h);
            kdt_hex(x, xl, xh);
            n += (size_t)snprintf(out + n, cap - n, " %s:%s", h, xh);
        }
    }
    return out;
}

Test(answers, official_vectors_from_every_store)
{
    kj *v = kj_load_vector("nadm-sec-profile0.json");
    const kj *devs = kj_get(v, "devices");
    cr_assert(devs && devs->n == 6);
    for (size_t i = 0; i < devs->n; i++) {
        uint8_t perm[64], key[32];
        size_t pl = b64(kj_str(devs->item[i], "aiotDevPermId"), perm, sizeof perm);
        size_t kl = kdt_unhex(kj_str(devs->item[i], "kAiotRoot"), key, sizeof key);
        add_everywhere(perm, pl, key, kl);
    }
    const kj *auths = kj_get(v, "getAuthentication");
    cr_assert(auths && auths->n >= 2);
    size_t checked = 0;
    for (size_t t = 0; t < auths->n; t++) {
        const kj *req = kj_get(auths->item[t], "request"), *resp = kj_get(auths->item[t], "response");
        uint8_t perm[64], filter[64], rn[16], rd[16 * 16];
        aiotsec_adm_request rq = {0};
        if (kj_str(req, "aiotDevPermId")) {
            rq.perm_id = perm;
            rq.perm_id_len = b64(kj_str(req, "aiotDevPermId"), perm, sizeof perm);
        } else {
            rq.filter = filter;
            rq.filter_len = b64(kj_str(req, "filteringInfo"), filter, sizeof filter);
        }
        kdt_unhex(kj_str(req, "randN"), rn, 16);
        const kj *rdl = kj_get(req, "randDlist");
        for (size_t j = 0; j < rdl->n; j++)
            kdt_unhex(rdl->item[j]->s, rd + 16 * j, 16);
        rq.rand_n = rn;
        rq.rand_n_len = 16;
        rq.rand_d = rd;
        rq.rand_d_count = rdl->n;
        const kj *sets = kj_get(resp, "authDataSets");
        for (int s = 0; s < N_STORES; s++) {
            int rc = aiotsec_adm_get_authentication(adm[s], &rq, ans);
            cr_assert_eq(rc, AIOTSEC_OK, "%s: %s", store_name[s], aiotsec_keydb_strerror(rc));
            cr_assert_eq(aiotsec_auth_answer_set_count(ans), sets->n);
            for (size_t j = 0; j < sets->n; j++) {
                const kj *want = kj_get(sets->item[j], "authDataSet");
                const uint8_t *srd;
                size_t cnt;
                cr_assert_eq(aiotsec_auth_answer_set(ans, j, &srd, &cnt), AIOTSEC_OK);
                cr_assert_eq(cnt, want->n, "%s: set %zu", store_name[s], j);
                /* The order of candidates is not significant: each expected one is found. */
                for (size_t w = 0; w < want->n; w++) {
                    uint8_t wx[16], wp[64];
                    kdt_unhex(kj_str(want->item[w], "xres"), wx, 16);
                    const char *wid = kj_str(want->item[w], "aiotDevPermId");
                    size_t wpl = wid ? b64(wid, wp, sizeof wp) : 0;
                    int found = 0;
                    for (size_t e = 0; e < cnt; e++) {
                        const uint8_t *x, *p;
                        size_t xl, pl;
                        cr_assert_eq(aiotsec_auth_answer_entry(ans, j, e, &x, &xl, &p, &pl), AIOTSEC_OK);
                        if (xl == 16 && !memcmp(x, wx, 16) && pl == wpl && (!wpl || !memcmp(p, wp, wpl)))
                            found = 1;
                    }
                    cr_assert(found, "%s: set %zu candidate %zu missing", store_name[s], j, w);
                    checked++;
                }
            }
        }
    }
    const kj *skeys = kj_get(v, "getSessionKey");
    for (size_t t = 0; t < skeys->n; t++) {
        const kj *req = kj_get(skeys->item[t], "request");
        uint8_t perm[64], rn[16], rd[16], want[16], got[16];
        size_t pl = b64(kj_str(req, "aiotDevPermId"), perm, sizeof perm);
        kdt_unhex(kj_str(req, "randN"), rn, 16);
        kdt_unhex(kj_str(req, "randD"), rd, 16);
        kdt_unhex(kj_str(kj_get(skeys->item[t], "response"), "kAiotf"), want, 16);
        for (int s = 0; s < N_STORES; s++) {
            cr_assert_eq(aiotsec_adm_get_session_key(adm[s], perm, pl, rn, 16, rd, 16, got, 16), AIOTSEC_OK);
            cr_assert_arr_eq(got, want, 16, "%s: K_AIOTF", store_name[s]);
            checked++;
        }
    }
    cr_assert_geq(checked, (size_t)N_STORES * (12 + 1 + 1)); /* 3 sets of 4, 1 named, 1 K_AIOTF per store */
    kj_free(v);
}

Test(answers, random_stores_answer_alike)
{
    size_t n_dev = kdt_reduced() ? 60 : 240, n_req = kdt_reduced() ? 40 : 200;
    static uint8_t ids[240][8];
    static size_t lens[240];
    for (size_t i = 0; i < n_dev;) {
        uint8_t key[32];
        lens[i] = 1 + randombytes_uniform(8);
        randombytes_buf(ids[i], lens[i]);
        ids[i][0] &= 0xc3; /* shared prefixes */
        randombytes_buf(key, sizeof key);
        size_t kl = randombytes_uniform(2) ? 32 : 16;
        if (aiotsec_memstore_add(mem, ids[i], lens[i], key, kl) != AIOTSEC_OK)
            continue; /* an identifier drawn twice */
        for (int s = SEALED; s < N_STORES; s++)
            cr_assert_eq(aiotsec_keydb_add(db[s], ids[i], lens[i], key, kl), AIOTSEC_OK);
        i++;
    }
    size_t groups = 0, named = 0;
    for (size_t r = 0; r < n_req; r++) {
        uint8_t rn[16], rd[3 * 16], filter[AIOTSEC_FILTER_MAX], prefix[2];
        size_t flen = 0;
        randombytes_buf(rn, 16);
        randombytes_buf(rd, sizeof rd);
        aiotsec_adm_request rq = {0};
        rq.rand_n = rn;
        rq.rand_n_len = 16;
        rq.rand_d = rd;
        rq.rand_d_count = 1 + randombytes_uniform(3);
        size_t pick = randombytes_uniform((uint32_t)n_dev);
        if (r % 2) {
            memcpy(prefix, ids[pick], lens[pick] < 2 ? lens[pick] : 2);
            size_t bits = 1 + randombytes_uniform(lens[pick] < 2 ? 8 : 12);
            cr_assert_eq(aiotsec_filter_make(NULL, prefix, bits, filter, sizeof filter, &flen), AIOTSEC_OK);
            rq.filter = filter;
            rq.filter_len = flen;
        } else {
            rq.perm_id = ids[pick];
            rq.perm_id_len = lens[pick];
        }
        char *want = NULL;
        int want_rc = 0;
        for (int s = 0; s < N_STORES; s++) {
            int rc = aiotsec_adm_get_authentication(adm[s], &rq, ans);
            char *got = rc == AIOTSEC_OK ? dump(ans) : NULL;
            if (s == MEM) {
                want_rc = rc;
                want = got;
                cr_assert_eq(rc, AIOTSEC_OK);
                continue;
            }
            cr_assert_eq(rc, want_rc, "%s: %s", store_name[s], aiotsec_keydb_strerror(rc));
            cr_assert_str_eq(got, want, "%s answers differently", store_name[s]);
            free(got);
        }
        free(want);
        if (rq.filter)
            groups++;
        else
            named++;
        if (rq.perm_id) {
            uint8_t k0[16], k[16];
            cr_assert_eq(aiotsec_adm_get_session_key(adm[MEM], rq.perm_id, rq.perm_id_len, rn, 16, rd, 16, k0, 16),
                         AIOTSEC_OK);
            for (int s = SEALED; s < N_STORES; s++) {
                cr_assert_eq(aiotsec_adm_get_session_key(adm[s], rq.perm_id, rq.perm_id_len, rn, 16, rd, 16, k, 16),
                             AIOTSEC_OK);
                cr_assert_arr_eq(k, k0, 16, "%s: K_AIOTF", store_name[s]);
            }
        }
    }
    cr_assert_gt(groups, 0);
    cr_assert_gt(named, 0);
    /* And an unknown device everywhere. */
    uint8_t rn[16] = {0}, rd[16] = {0}, k[16];
    for (int s = 0; s < N_STORES; s++)
        cr_assert_eq(aiotsec_adm_get_session_key(adm[s], (const uint8_t *)"\xff\xff\xff\xff\xff\xff\xff\xff\xff", 9,
                                                 rn, 16, rd, 16, k, 16),
                     AIOTSEC_E_UNKNOWN_DEVICE, "%s", store_name[s]);
}
