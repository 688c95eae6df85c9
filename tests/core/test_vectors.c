/* Official vectors, read from ../shared/vectors, on every backend:
 * RFC 4231 HMAC-SHA-256, the RFC 9048 / TS 33.220 KDF cases, and the profile 0
 * check values (RES_AIOT, K_AIOTF, algorithm keys), raw and from prepared keys. */
#include <criterion/criterion.h>
#include <string.h>

#include "aiotsec/aiotsec.h"
#include "backends_util.h"
#include "vectors.h"

static aiotsec_ctx *ctx[MAX_BACKENDS];
static size_t nctx;

static void setup(void)
{
    nctx = make_all_contexts(ctx);
    /* sodium and openssl at least; native when built */
    cr_assert_geq(nctx, 2);
}

static void teardown(void)
{
    free_all_contexts(ctx, nctx);
}

TestSuite(vectors, .init = setup, .fini = teardown);

Test(vectors, hmac_rfc4231_every_backend)
{
    tv_file f;
    tv_load(&f, "hmac-sha256-rfc4231.tsv");
    for (size_t b = 0; b < nctx; b++)
        for (size_t r = 0; r < f.nrows; r++) {
            uint8_t key[256], data[256], want[32], got[32];
            size_t kl = tv_hex(tv_get(&f, r, "key"), key, sizeof key);
            size_t dl = tv_hex(tv_get(&f, r, "data"), data, sizeof data);
            cr_assert_eq(tv_hex(tv_get(&f, r, "mac"), want, sizeof want), 32);
            cr_assert_eq(aiotsec_hmac_sha256(ctx[b], key, kl, data, dl, got, sizeof got), AIOTSEC_OK);
            cr_assert(memcmp(got, want, 32) == 0, "RFC 4231 case %s on %s",
                      tv_get(&f, r, "case"), aiotsec_ctx_backend_name(ctx[b]));
        }
    tv_free(&f);
}

Test(vectors, kdf_rfc9048_every_backend)
{
    tv_file f;
    tv_load(&f, "kdf-ts33220.tsv");
    cr_assert_eq(f.nrows, 4);
    for (size_t b = 0; b < nctx; b++)
        for (size_t r = 0; r < f.nrows; r++) {
            uint8_t key[64], fc[2], p0[64], p1[64], want[32], got[32];
            size_t kl = tv_hex(tv_get(&f, r, "key"), key, sizeof key);
            cr_assert_eq(tv_hex(tv_get(&f, r, "fc"), fc, sizeof fc), 1);
            size_t l0 = tv_hex(tv_get(&f, r, "p0"), p0, sizeof p0);
            size_t l1 = tv_hex(tv_get(&f, r, "p1"), p1, sizeof p1);
            cr_assert_eq(tv_hex(tv_get(&f, r, "output"), want, sizeof want), 32);
            aiotsec_kdf_param params[2] = {{p0, l0}, {p1, l1}};
            cr_assert_eq(aiotsec_kdf(ctx[b], key, kl, fc[0], params, 2, got, sizeof got), AIOTSEC_OK);
            cr_assert(memcmp(got, want, 32) == 0, "KDF case %zu on %s", r + 1,
                      aiotsec_ctx_backend_name(ctx[b]));
        }
    tv_free(&f);
}

/* One profile 0 row: every derivation the row pins down, on one backend. */
static void check_profile0_row(aiotsec_ctx *c, const tv_file *f, size_t r)
{
    uint8_t k[32], rn[32], rd[32], res[32], kaiotf[AIOTSEC_KAIOTF_LEN], hs[32], nia2[16], nea2[16];
    uint8_t got[32];
    size_t kl = tv_hex(tv_get(f, r, "k_root"), k, sizeof k);
    size_t nl = tv_hex(tv_get(f, r, "rand_n"), rn, sizeof rn);
    size_t dl = tv_hex(tv_get(f, r, "rand_d"), rd, sizeof rd);
    size_t rl = tv_hex(tv_get(f, r, "res"), res, sizeof res);
    /* Revision 2: K_AIOTF is 16 octets (TS 29.369 Kaiotf), the library's getter says so too. */
    cr_assert_eq(tv_hex(tv_get(f, r, "k_aiotf"), kaiotf, sizeof kaiotf), aiotsec_derive_kaiotf_bytes());
    cr_assert_eq(tv_hex(tv_get(f, r, "k_int_hs"), hs, sizeof hs), 32);
    cr_assert_eq(tv_hex(tv_get(f, r, "k_int_nia2"), nia2, sizeof nia2), 16);
    cr_assert_eq(tv_hex(tv_get(f, r, "k_enc_nea2"), nea2, sizeof nea2), 16);
    const char *be = aiotsec_ctx_backend_name(c);
    cr_assert_eq(rl, aiotsec_derive_res_bytes(c));

    cr_assert_eq(aiotsec_derive_res(c, k, kl, rn, nl, rd, dl, got, sizeof got), AIOTSEC_OK);
    cr_assert(memcmp(got, res, rl) == 0, "RES row %zu on %s", r, be);
    cr_assert_eq(aiotsec_verify_res(c, k, kl, rn, nl, rd, dl, res, rl), AIOTSEC_OK);
    cr_assert_eq(aiotsec_derive_kaiotf(c, k, kl, rn, nl, rd, dl, got, sizeof got), AIOTSEC_OK);
    cr_assert(memcmp(got, kaiotf, sizeof kaiotf) == 0, "K_AIOTF row %zu on %s", r, be);

    size_t len = 0;
    cr_assert_eq(aiotsec_derive_alg_key(c, kaiotf, sizeof kaiotf, AIOTSEC_ALG_INT, 8, got, sizeof got, &len), AIOTSEC_OK);
    cr_assert(len == 32 && memcmp(got, hs, 32) == 0, "AIA-HS key row %zu on %s", r, be);
    cr_assert_eq(aiotsec_derive_alg_key(c, kaiotf, sizeof kaiotf, AIOTSEC_ALG_INT, 2, got, sizeof got, &len), AIOTSEC_OK);
    cr_assert(len == 16 && memcmp(got, nia2, 16) == 0, "NIA2 key row %zu on %s", r, be);
    cr_assert_eq(aiotsec_derive_alg_key(c, kaiotf, sizeof kaiotf, AIOTSEC_ALG_ENC, 2, got, sizeof got, &len), AIOTSEC_OK);
    cr_assert(len == 16 && memcmp(got, nea2, 16) == 0, "NEA2 key row %zu on %s", r, be);

    /* The same from a prepared key: exactly the raw-key outputs. */
    aiotsec_prepared_key *pk = NULL;
    cr_assert_eq(aiotsec_prepared_key_new(&pk, c, k, kl), AIOTSEC_OK);
    for (int round = 0; round < 2; round++) { /* a prepared key is reusable */
        cr_assert_eq(aiotsec_prepared_derive_res(pk, rn, nl, rd, dl, got, sizeof got), AIOTSEC_OK);
        cr_assert(memcmp(got, res, rl) == 0, "prepared RES row %zu on %s", r, be);
        cr_assert_eq(aiotsec_prepared_verify_res(pk, rn, nl, rd, dl, res, rl), AIOTSEC_OK);
        cr_assert_eq(aiotsec_prepared_derive_kaiotf(pk, rn, nl, rd, dl, got, sizeof got), AIOTSEC_OK);
        cr_assert(memcmp(got, kaiotf, sizeof kaiotf) == 0, "prepared K_AIOTF row %zu on %s", r, be);
    }
    /* A wrong RES fails, whichever bit is flipped. */
    for (size_t bit = 0; bit < rl * 8; bit += 7) {
        uint8_t bad[32];
        memcpy(bad, res, rl);
        bad[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        cr_assert_eq(aiotsec_verify_res(c, k, kl, rn, nl, rd, dl, bad, rl), AIOTSEC_E_AUTH_FAILED);
        cr_assert_eq(aiotsec_prepared_verify_res(pk, rn, nl, rd, dl, bad, rl), AIOTSEC_E_AUTH_FAILED);
    }
    aiotsec_prepared_key_free(pk);
}

Test(vectors, profile0_every_backend)
{
    tv_file f;
    tv_load(&f, "aiot-profile0.tsv");
    cr_assert_geq(f.nrows, 3);
    for (size_t b = 0; b < nctx; b++)
        for (size_t r = 0; r < f.nrows; r++)
            check_profile0_row(ctx[b], &f, r);
    tv_free(&f);
}

Test(vectors, random_is_not_constant)
{
    for (size_t b = 0; b < nctx; b++) {
        if (!(aiotsec_ctx_caps(ctx[b]) & AIOTSEC_CAP_RANDOM))
            continue;
        uint8_t a[16], c[16];
        cr_assert_eq(aiotsec_gen_rand_n(ctx[b], a, sizeof a), AIOTSEC_OK);
        cr_assert_eq(aiotsec_gen_rand_n(ctx[b], c, sizeof c), AIOTSEC_OK);
        cr_assert(memcmp(a, c, 16) != 0, "two RAND_AIOT_n equal on %s", aiotsec_ctx_backend_name(ctx[b]));
    }
}
