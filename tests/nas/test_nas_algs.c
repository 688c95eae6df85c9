/* 128-NIA2 (TS 33.401 C.2 sets 1-6), 128-NEA2 (C.1 sets 1-5) and AES-CMAC
 * (RFC 4493) on every backend with AES; AIOTSEC_E_UNSUPPORTED, never a wrong
 * answer, on every backend without it. AIA-HS against HMAC-SHA-256 on every backend. */
#include <criterion/criterion.h>
#include <string.h>

#include "aiotsec/aiotsec.h"
#include "backends_util.h"
#include "vectors.h"

static uint32_t hex32(const char *s)
{
    uint8_t b[4];
    cr_assert_eq(tv_hex(s, b, sizeof b), 4);
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static unsigned num(const char *s)
{
    return (unsigned)strtoul(s, NULL, 10);
}

static int has_aes(const aiotsec_ctx *c)
{
    return (aiotsec_ctx_caps(c) & AIOTSEC_CAP_AES128) != 0;
}

Test(nas_algs, openssl_backend_is_built)
{
#ifdef AIOTSEC_EXPECT_OPENSSL
    const aiotsec_backend *be;
    cr_assert_eq(aiotsec_backend_find("openssl", &be), AIOTSEC_OK);
    cr_assert(aiotsec_backend_caps(be) & AIOTSEC_CAP_AES128);
#else
    cr_skip_test("built without OpenSSL: the AES vectors run on no backend");
#endif
}

Test(nas_algs, cmac_rfc4493)
{
    tv_file f;
    tv_load(&f, "aes-cmac-rfc4493.tsv");
    aiotsec_ctx *ctx[MAX_BACKENDS];
    size_t n = make_all_contexts(ctx), ran = 0;
    for (size_t b = 0; b < n; b++) {
        for (size_t r = 0; r < f.nrows; r++) {
            uint8_t key[16], msg[128], want[16], got[16];
            tv_hex(tv_get(&f, r, "key"), key, sizeof key);
            size_t ml = tv_hex(tv_get(&f, r, "message"), msg, sizeof msg);
            tv_hex(tv_get(&f, r, "mac"), want, sizeof want);
            memset(got, 0xAA, sizeof got);
            int rc = aiotsec_alg_aes_cmac(ctx[b], key, 16, msg, ml, got, sizeof got);
            if (!has_aes(ctx[b])) {
                cr_assert_eq(rc, AIOTSEC_E_UNSUPPORTED, "%s", aiotsec_ctx_backend_name(ctx[b]));
                continue;
            }
            cr_assert_eq(rc, AIOTSEC_OK);
            cr_assert_arr_eq(got, want, 16, "CMAC example %s on %s", tv_get(&f, r, "example"),
                             aiotsec_ctx_backend_name(ctx[b]));
            ran++;
        }
    }
#ifdef AIOTSEC_EXPECT_OPENSSL
    cr_assert_geq(ran, f.nrows);
#endif
    free_all_contexts(ctx, n);
    tv_free(&f);
}

Test(nas_algs, nia2_ts33401_sets)
{
    tv_file f;
    tv_load(&f, "nia2-ts33401.tsv");
    cr_assert_eq(f.nrows, 6);
    aiotsec_ctx *ctx[MAX_BACKENDS];
    size_t n = make_all_contexts(ctx), ran = 0;
    for (size_t b = 0; b < n; b++) {
        for (size_t r = 0; r < f.nrows; r++) {
            uint8_t key[16], msg[1024], want[4], got[4];
            tv_hex(tv_get(&f, r, "key"), key, sizeof key);
            size_t ml = tv_hex(tv_get(&f, r, "message"), msg, sizeof msg);
            size_t bits = strtoul(tv_get(&f, r, "length_bits"), NULL, 10);
            cr_assert_leq((bits + 7) / 8, ml);
            tv_hex(tv_get(&f, r, "mac"), want, sizeof want);
            int rc = aiotsec_alg_nia2(ctx[b], key, 16, hex32(tv_get(&f, r, "count")),
                                  num(tv_get(&f, r, "bearer")), num(tv_get(&f, r, "direction")), msg,
                                  bits, got, sizeof got);
            if (!has_aes(ctx[b])) {
                cr_assert_eq(rc, AIOTSEC_E_UNSUPPORTED);
                continue;
            }
            cr_assert_eq(rc, AIOTSEC_OK);
            cr_assert_arr_eq(got, want, 4, "NIA2 set %s on %s", tv_get(&f, r, "set"),
                             aiotsec_ctx_backend_name(ctx[b]));
            /* Bits past LENGTH are ignored: flipping them leaves the MAC unchanged. */
            if (bits % 8) {
                msg[bits / 8] ^= (uint8_t)(0xFFu >> (bits % 8));
                cr_assert_eq(aiotsec_alg_nia2(ctx[b], key, 16, hex32(tv_get(&f, r, "count")),
                                          num(tv_get(&f, r, "bearer")), num(tv_get(&f, r, "direction")),
                                          msg, bits, got, sizeof got), AIOTSEC_OK);
                cr_assert_arr_eq(got, want, 4);
            }
            ran++;
        }
    }
#ifdef AIOTSEC_EXPECT_OPENSSL
    cr_assert_geq(ran, 6);
#endif
    free_all_contexts(ctx, n);
    tv_free(&f);
}

Test(nas_algs, nea2_ts33401_sets)
{
    tv_file f;
    tv_load(&f, "nea2-ts33401.tsv");
    cr_assert_eq(f.nrows, 5);
    aiotsec_ctx *ctx[MAX_BACKENDS];
    size_t n = make_all_contexts(ctx), ran = 0;
    for (size_t b = 0; b < n; b++) {
        for (size_t r = 0; r < f.nrows; r++) {
            uint8_t key[16], pt[1024], want[1024], got[1024];
            tv_hex(tv_get(&f, r, "key"), key, sizeof key);
            size_t pl = tv_hex(tv_get(&f, r, "plaintext"), pt, sizeof pt);
            size_t cl = tv_hex(tv_get(&f, r, "ciphertext"), want, sizeof want);
            size_t bits = strtoul(tv_get(&f, r, "length_bits"), NULL, 10);
            size_t nb = (bits + 7) / 8;
            cr_assert(pl >= nb && cl >= nb);
            uint32_t count = hex32(tv_get(&f, r, "count"));
            unsigned bearer = num(tv_get(&f, r, "bearer")), dir = num(tv_get(&f, r, "direction"));
            int rc = aiotsec_alg_nea2(ctx[b], key, 16, count, bearer, dir, pt, bits, got, sizeof got);
            if (!has_aes(ctx[b])) {
                cr_assert_eq(rc, AIOTSEC_E_UNSUPPORTED);
                continue;
            }
            cr_assert_eq(rc, AIOTSEC_OK);
            cr_assert_arr_eq(got, want, nb, "NEA2 set %s on %s", tv_get(&f, r, "set"),
                             aiotsec_ctx_backend_name(ctx[b]));
            /* Decryption is the same operation, in place. */
            cr_assert_eq(aiotsec_alg_nea2(ctx[b], key, 16, count, bearer, dir, got, bits, got, sizeof got),
                         AIOTSEC_OK);
            if (bits % 8)
                pt[nb - 1] &= (uint8_t)(0xFFu << (8 - bits % 8));
            cr_assert_arr_eq(got, pt, nb);
            /* The buffer is checked against ceil(LENGTH / 8). */
            cr_assert_eq(aiotsec_alg_nea2(ctx[b], key, 16, count, bearer, dir, pt, bits, got, nb - 1),
                         AIOTSEC_E_BUFFER_TOO_SMALL);
            ran++;
        }
    }
#ifdef AIOTSEC_EXPECT_OPENSSL
    cr_assert_geq(ran, 5);
#endif
    free_all_contexts(ctx, n);
    tv_free(&f);
}

Test(nas_algs, sodium_has_no_aes)
{
    aiotsec_ctx *c;
    cr_assert_eq(aiotsec_ctx_new(&c, "sodium", NULL), AIOTSEC_OK);
    uint8_t key[32] = {1}, msg[8] = {2}, out[16];
    cr_assert_eq(aiotsec_alg_aes_cmac(c, key, 16, msg, 8, out, 16), AIOTSEC_E_UNSUPPORTED);
    cr_assert_eq(aiotsec_alg_nia2(c, key, 16, 0, 0, 0, msg, 64, out, 4), AIOTSEC_E_UNSUPPORTED);
    cr_assert_eq(aiotsec_alg_nea2(c, key, 16, 0, 0, 0, msg, 64, out, 16), AIOTSEC_E_UNSUPPORTED);
    aiotsec_nas_sec *s = NULL;
    cr_assert_eq(aiotsec_nas_sec_new(&s, c, key, AIOTSEC_KAIOTF_LEN, AIOTSEC_NIA2, 0, AIOTSEC_NAS_ROLE_DEVICE),
                 AIOTSEC_E_UNSUPPORTED);
    cr_assert_null(s);
    cr_assert_eq(aiotsec_nas_sec_new(&s, c, key, AIOTSEC_KAIOTF_LEN, 8, AIOTSEC_NEA2, AIOTSEC_NAS_ROLE_DEVICE),
                 AIOTSEC_E_UNSUPPORTED);
    cr_assert_null(s);
    aiotsec_ctx_free(c);
}

/* AIA-HS = first 4 octets of HMAC-SHA-256(K, COUNT || BEARER<<3|DIR<<2 || 000000 || M),
 * checked against the backend's HMAC on every backend, with every header field moving. */
Test(nas_algs, aia_hs_definition_every_backend)
{
    aiotsec_ctx *ctx[MAX_BACKENDS];
    size_t n = make_all_contexts(ctx);
    uint8_t key[32], msg[300], buf[308], mac[4], full[32];
    for (size_t i = 0; i < sizeof key; i++)
        key[i] = (uint8_t)(i * 7 + 3);
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (uint8_t)(i * 13 + 1);
    const uint32_t counts[] = {0, 1, 0x00ABCDEF, 0xFFFFFFFF};
    for (size_t b = 0; b < n; b++)
        for (size_t ci = 0; ci < 4; ci++)
            for (unsigned bearer = 0; bearer < 32; bearer += 31)
                for (unsigned dir = 0; dir < 2; dir++)
                    for (size_t ml = 0; ml < sizeof msg; ml += 97) {
                        uint32_t c = counts[ci];
                        uint8_t hdr[8] = {(uint8_t)(c >> 24), (uint8_t)(c >> 16), (uint8_t)(c >> 8),
                                          (uint8_t)c, (uint8_t)(bearer << 3 | dir << 2), 0, 0, 0};
                        memcpy(buf, hdr, 8);
                        memcpy(buf + 8, msg, ml);
                        cr_assert_eq(aiotsec_hmac_sha256(ctx[b], key, 32, buf, 8 + ml, full, 32), AIOTSEC_OK);
                        cr_assert_eq(aiotsec_alg_aia_hs(ctx[b], key, 32, c, bearer, dir, msg, ml, mac, 4),
                                     AIOTSEC_OK);
                        cr_assert_arr_eq(mac, full, 4);
                    }
    free_all_contexts(ctx, n);
}

Test(nas_algs, bad_arguments)
{
    aiotsec_ctx *c;
    cr_assert_eq(aiotsec_ctx_new(&c, NULL, NULL), AIOTSEC_OK);
    uint8_t key[32] = {0}, m[4] = {0}, out[16];
    cr_assert_eq(aiotsec_alg_aia_hs(NULL, key, 32, 0, 0, 0, m, 4, out, 4), AIOTSEC_E_NULL_ARG);
    cr_assert_eq(aiotsec_alg_aia_hs(c, NULL, 32, 0, 0, 0, m, 4, out, 4), AIOTSEC_E_NULL_ARG);
    cr_assert_eq(aiotsec_alg_aia_hs(c, key, 16, 0, 0, 0, m, 4, out, 4), AIOTSEC_E_BAD_LENGTH);
    cr_assert_eq(aiotsec_alg_aia_hs(c, key, 32, 0, 32, 0, m, 4, out, 4), AIOTSEC_E_BAD_VALUE);
    cr_assert_eq(aiotsec_alg_aia_hs(c, key, 32, 0, 0, 2, m, 4, out, 4), AIOTSEC_E_BAD_VALUE);
    cr_assert_eq(aiotsec_alg_aia_hs(c, key, 32, 0, 0, 0, m, 4, out, 3), AIOTSEC_E_BUFFER_TOO_SMALL);
    cr_assert_eq(aiotsec_alg_aia_hs(c, key, 32, 0, 0, 0, NULL, 4, out, 4), AIOTSEC_E_NULL_ARG);
    cr_assert_eq(aiotsec_alg_nia2(c, key, 32, 0, 0, 0, m, 8, out, 4), AIOTSEC_E_BAD_LENGTH);
    cr_assert_eq(aiotsec_alg_nia2(c, key, 16, 0, 0, 3, m, 8, out, 4), AIOTSEC_E_BAD_VALUE);
    cr_assert_eq(aiotsec_alg_nea2(c, key, 16, 0, 40, 0, m, 8, out, 4), AIOTSEC_E_BAD_VALUE);
    cr_assert_eq(aiotsec_alg_aes_cmac(c, key, 16, m, 4, out, 15), AIOTSEC_E_BUFFER_TOO_SMALL);
    aiotsec_ctx_free(c);
}

/* LENGTH near SIZE_MAX once made the CMAC block count wrap, giving OK and an all-zero
 * tag that did not depend on the key: every such length is now refused, before the
 * backend is asked anything (so the answer is the same with and without AES). */
static void huge_lengths_on(aiotsec_ctx *c)
{
    uint8_t key[16] = {1}, msg[8] = {2}, out[16];
    const size_t bits[] = {SIZE_MAX, SIZE_MAX - 64, SIZE_MAX - 127, SIZE_MAX - 128, (size_t)UINT32_MAX + 1};
    for (size_t i = 0; i < sizeof bits / sizeof bits[0]; i++)
        cr_assert_eq(aiotsec_alg_nia2(c, key, 16, 0, 0, 0, msg, bits[i], out, 4), AIOTSEC_E_BAD_LENGTH, "bits %zu", bits[i]);
    for (size_t i = 0; i < sizeof bits / sizeof bits[0]; i++)
        cr_assert_eq(aiotsec_alg_nea2(c, key, 16, 0, 0, 0, msg, bits[i], out, sizeof out), AIOTSEC_E_BAD_LENGTH);
    const size_t octets[] = {SIZE_MAX, SIZE_MAX / 8 - 8, SIZE_MAX / 16 + 1};
    for (size_t i = 0; i < sizeof octets / sizeof octets[0]; i++)
        cr_assert_eq(aiotsec_alg_aes_cmac(c, key, 16, msg, octets[i], out, 16), AIOTSEC_E_BAD_LENGTH, "octets %zu",
                     octets[i]);
}

Test(nas_algs, huge_lengths_refused)
{
    aiotsec_ctx *ctx[MAX_BACKENDS];
    size_t n = make_all_contexts(ctx), aes = 0;
    for (size_t b = 0; b < n; b++) {
        huge_lengths_on(ctx[b]);
        aes += (aiotsec_ctx_caps(ctx[b]) & AIOTSEC_CAP_AES128) != 0;
    }
#ifdef AIOTSEC_EXPECT_OPENSSL
    cr_assert_geq(aes, 1); /* the case that mattered: a backend that would have computed the tag */
#endif
    free_all_contexts(ctx, n);
}
