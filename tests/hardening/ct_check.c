/* Constant-time check in the style of ctgrind (run under valgrind memcheck).
 *
 * Every secret (K_AIOT_root, K_AIOTF, algorithm keys, RES_AIOT, the XRES_AIOT the
 * library computes from them) is marked "undefined" with VALGRIND_MAKE_MEM_UNDEFINED.
 * Memcheck then reports any conditional jump or memory index that depends on it:
 * exactly the branches and table look-ups a timing attacker could observe.
 * A value becomes "defined" again only where the protocol reveals it:
 *  - the boolean result of aiotsec_ct_equal (the verify outcome), through the
 *    link-time wrapper below (-Wl,--wrap=aiotsec_ct_equal: the library's own
 *    comparison code still runs on undefined data and is checked);
 *  - outputs that leave the library (a derived key handed to the caller is
 *    marked defined by this program only to compare it with the vector, after
 *    the library call returned; a protected message is public on the air).
 *
 * Outside valgrind the client requests are no-ops and the program is a plain
 * correctness test (official vectors on every backend), registered with ctest.
 * Exit status: 0 ok, 1 a wrong result. Valgrind's --error-exitcode reports leaks.
 *
 * Usage: ct_check [--backend NAME]... (default: every built-in backend).
 * Under valgrind, CPUID is valgrind's: SHA-NI is not offered, so "native-shani" is
 * absent and OpenSSL runs the assembly paths it picks for that CPU; the paths for
 * the real CPU's features cannot be checked this way (see README). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "aiotsec/aiotsec.h"
#define CT_NAME "ct_check"
#include "ct_common.h"
#include "vectors.h"


/* Compares an output of the library with the expected value: declassifies it first,
 * so that the comparison here (not constant time, test code) is not reported. */
static int same(uint8_t *got, const uint8_t *want, size_t len)
{
    PUBLIC(got, len);
    return memcmp(got, want, len) == 0;
}

typedef struct vec {
    uint8_t k_root[32], rand_n[32], rand_d[32], res[32], kaiotf[AIOTSEC_KAIOTF_LEN];
    uint8_t k_int_hs[32], k_int_nia2[16], k_enc_nea2[16];
    size_t k_root_len, rand_n_len, rand_d_len, res_len;
} vec;

static void load_row(const tv_file *f, size_t r, vec *v)
{
    v->k_root_len = tv_hex(tv_get(f, r, "k_root"), v->k_root, sizeof v->k_root);
    v->rand_n_len = tv_hex(tv_get(f, r, "rand_n"), v->rand_n, sizeof v->rand_n);
    v->rand_d_len = tv_hex(tv_get(f, r, "rand_d"), v->rand_d, sizeof v->rand_d);
    v->res_len = tv_hex(tv_get(f, r, "res"), v->res, sizeof v->res);
    (void)tv_hex(tv_get(f, r, "k_aiotf"), v->kaiotf, sizeof v->kaiotf);
    (void)tv_hex(tv_get(f, r, "k_int_hs"), v->k_int_hs, sizeof v->k_int_hs);
    (void)tv_hex(tv_get(f, r, "k_int_nia2"), v->k_int_nia2, sizeof v->k_int_nia2);
    (void)tv_hex(tv_get(f, r, "k_enc_nea2"), v->k_enc_nea2, sizeof v->k_enc_nea2);
}

/* derive / verify of RES_AIOT and K_AIOTF, raw and with a prepared key. */
static void check_derivations(const aiotsec_ctx *ctx, const char *be, const vec *v)
{
    uint8_t k_root[32], res_rx[32], out[32];
    memcpy(k_root, v->k_root, v->k_root_len);
    SECRET(k_root, v->k_root_len);

    CHECK(aiotsec_derive_res(ctx, k_root, v->k_root_len, v->rand_n, v->rand_n_len, v->rand_d,
                             v->rand_d_len, out, sizeof out) == AIOTSEC_OK, "%s derive_res", be);
    CHECK(same(out, v->res, v->res_len), "%s RES_AIOT differs from the vector", be);

    /* The received RES_AIOT is secret too until the verdict: a comparison that
     * stops at the first differing octet would reveal how much of it is right. */
    memcpy(res_rx, v->res, v->res_len);
    SECRET(res_rx, v->res_len);
    CHECK(aiotsec_verify_res(ctx, k_root, v->k_root_len, v->rand_n, v->rand_n_len, v->rand_d,
                             v->rand_d_len, res_rx, v->res_len) == AIOTSEC_OK, "%s verify ok", be);
    res_rx[v->res_len - 1] ^= 0x01;
    SECRET(res_rx, v->res_len);
    CHECK(aiotsec_verify_res(ctx, k_root, v->k_root_len, v->rand_n, v->rand_n_len, v->rand_d,
                             v->rand_d_len, res_rx, v->res_len) == AIOTSEC_E_AUTH_FAILED,
          "%s verify must reject a wrong RES", be);

    CHECK(aiotsec_derive_kaiotf(ctx, k_root, v->k_root_len, v->rand_n, v->rand_n_len, v->rand_d,
                                v->rand_d_len, out, sizeof out) == AIOTSEC_OK, "%s derive_kaiotf", be);
    CHECK(same(out, v->kaiotf, AIOTSEC_KAIOTF_LEN), "%s K_AIOTF differs from the vector", be);

    aiotsec_prepared_key *pk = NULL;
    CHECK(aiotsec_prepared_key_new(&pk, ctx, k_root, v->k_root_len) == AIOTSEC_OK, "%s prepared", be);
    if (pk) {
        CHECK(aiotsec_prepared_derive_res(pk, v->rand_n, v->rand_n_len, v->rand_d, v->rand_d_len,
                                          out, sizeof out) == AIOTSEC_OK, "%s derive_res_prepared", be);
        CHECK(same(out, v->res, v->res_len), "%s prepared RES_AIOT differs", be);
        memcpy(res_rx, v->res, v->res_len);
        SECRET(res_rx, v->res_len);
        CHECK(aiotsec_prepared_verify_res(pk, v->rand_n, v->rand_n_len, v->rand_d, v->rand_d_len,
                                          res_rx, v->res_len) == AIOTSEC_OK, "%s verify_prepared", be);
        res_rx[0] ^= 0x80;
        SECRET(res_rx, v->res_len);
        CHECK(aiotsec_prepared_verify_res(pk, v->rand_n, v->rand_n_len, v->rand_d, v->rand_d_len,
                                          res_rx, v->res_len) == AIOTSEC_E_AUTH_FAILED,
              "%s verify_prepared must reject a wrong RES", be);
        CHECK(aiotsec_prepared_derive_kaiotf(pk, v->rand_n, v->rand_n_len, v->rand_d,
                                             v->rand_d_len, out, sizeof out) == AIOTSEC_OK,
              "%s derive_kaiotf_prepared", be);
        CHECK(same(out, v->kaiotf, AIOTSEC_KAIOTF_LEN), "%s prepared K_AIOTF differs", be);

        /* The batch path (multi-lane HMAC on the native backend): 9 items, every
         * third RES wrong, all secret. */
        enum { NB = 9 };
        uint8_t rx[NB][32], xres[NB * 32];
        aiotsec_batch_item items[NB];
        int results[NB];
        for (size_t i = 0; i < NB; i++) {
            memcpy(rx[i], v->res, v->res_len);
            if (i % 3 == 2)
                rx[i][i % v->res_len] ^= 0x04;
            SECRET(rx[i], v->res_len);
            items[i] = (aiotsec_batch_item){pk, v->rand_n, v->rand_n_len, v->rand_d, v->rand_d_len,
                                            rx[i], v->res_len};
        }
        size_t n_ok = 0;
        CHECK(aiotsec_batch_verify_res(ctx, items, NB, results, 0, &n_ok) == AIOTSEC_OK, "%s batch", be);
        PUBLIC(results, sizeof results); /* per-item verdicts: revealed by the protocol */
        PUBLIC(&n_ok, sizeof n_ok);
        CHECK(n_ok == NB - NB / 3, "%s batch verified %zu", be, n_ok);
        for (size_t i = 0; i < NB; i++)
            CHECK((results[i] == AIOTSEC_OK) == (i % 3 != 2), "%s batch item %zu: %d", be, i, results[i]);
        CHECK(aiotsec_batch_derive_res(ctx, items, NB, xres, sizeof xres, results, 0) == AIOTSEC_OK,
              "%s batch derive", be);
        for (size_t i = 0; i < NB; i++)
            CHECK(results[i] == AIOTSEC_OK && same(xres + i * v->res_len, v->res, v->res_len),
                  "%s batch derive item %zu", be, i);
        aiotsec_prepared_key_free(pk);
    }
}

/* Algorithm keys from a secret K_AIOTF. */
static void check_alg_keys(const aiotsec_ctx *ctx, const char *be, const vec *v)
{
    const aiotsec_profile *prof = aiotsec_ctx_profile(ctx);
    aiotsec_profile_params pp;
    CHECK(aiotsec_profile_get(prof, &pp) == AIOTSEC_OK, "%s profile_get", be);
    uint8_t kaiotf[AIOTSEC_KAIOTF_LEN], key[32];
    size_t klen = 0;
    memcpy(kaiotf, v->kaiotf, sizeof kaiotf);
    SECRET(kaiotf, sizeof kaiotf);
    CHECK(aiotsec_derive_alg_key(ctx, kaiotf, sizeof kaiotf, AIOTSEC_ALG_INT, pp.alg_id_aia_hs, key, sizeof key,
                                 &klen) == AIOTSEC_OK && klen == 32, "%s AIA-HS key", be);
    CHECK(same(key, v->k_int_hs, 32), "%s AIA-HS key differs", be);
    CHECK(aiotsec_derive_alg_key(ctx, kaiotf, sizeof kaiotf, AIOTSEC_ALG_INT, AIOTSEC_NIA2, key, sizeof key,
                                 &klen) == AIOTSEC_OK && klen == 16, "%s NIA2 key", be);
    CHECK(same(key, v->k_int_nia2, 16), "%s NIA2 key differs", be);
    CHECK(aiotsec_derive_alg_key(ctx, kaiotf, sizeof kaiotf, AIOTSEC_ALG_ENC, AIOTSEC_NEA2, key, sizeof key,
                                 &klen) == AIOTSEC_OK && klen == 16, "%s NEA2 key", be);
    CHECK(same(key, v->k_enc_nea2, 16), "%s NEA2 key differs", be);
}

/* protect on the network side, unprotect on the device side, both contexts built
 * from a secret K_AIOTF; then a tampered MAC must be rejected. */
static void check_nas(const aiotsec_ctx *ctx, const char *be, const vec *v, unsigned int_alg,
                      unsigned enc_alg)
{
    uint8_t kaiotf[AIOTSEC_KAIOTF_LEN];
    memcpy(kaiotf, v->kaiotf, sizeof kaiotf);
    SECRET(kaiotf, sizeof kaiotf);
    aiotsec_nas_sec *net = NULL, *dev = NULL;
    int r1 = aiotsec_nas_sec_new(&net, ctx, kaiotf, sizeof kaiotf, int_alg, enc_alg, AIOTSEC_NAS_ROLE_NETWORK);
    int r2 = aiotsec_nas_sec_new(&dev, ctx, kaiotf, sizeof kaiotf, int_alg, enc_alg, AIOTSEC_NAS_ROLE_DEVICE);
    CHECK(r1 == AIOTSEC_OK && r2 == AIOTSEC_OK, "%s nas_sec_new int %u enc %u: %d %d", be, int_alg,
          enc_alg, r1, r2);
    if (r1 == AIOTSEC_OK && r2 == AIOTSEC_OK) {
        /* COMMAND REQUEST, transaction 7, WRITE at 0x0010 of 4 octets. */
        const uint8_t plain[] = {0x7A, 0x00, 0x42, 0x07, 0x02, 0x00, 0x10, 0x00, 0x04, 1, 2, 3, 4};
        uint8_t wire[64], got[64];
        size_t wire_len = 0, got_len = 0;
        for (unsigned round = 0; round < 3; round++) {
            CHECK(aiotsec_nas_protect(net, plain, sizeof plain, wire, sizeof wire, &wire_len) ==
                      AIOTSEC_OK, "%s protect", be);
            PUBLIC(wire, wire_len); /* on the air: public */
            if (round == 1)
                wire[3] ^= 0x10; /* a forged MAC */
            int rc = aiotsec_nas_unprotect(dev, wire, wire_len, got, sizeof got, &got_len);
            if (round == 1) {
                CHECK(rc == AIOTSEC_E_MAC_MISMATCH, "%s forged MAC must be rejected: %d", be, rc);
                continue;
            }
            CHECK(rc == AIOTSEC_OK && got_len == sizeof plain, "%s unprotect: %d", be, rc);
            /* The deciphered message is the receiver's to read. */
            CHECK(rc == AIOTSEC_OK && same(got, plain, sizeof plain), "%s round trip differs", be);
        }
    }
    aiotsec_nas_sec_free(net);
    aiotsec_nas_sec_free(dev);
}

static void check_backend(const char *be, const tv_file *f)
{
    aiotsec_ctx *ctx = NULL;
    int rc = aiotsec_ctx_new(&ctx, be, NULL);
    CHECK(rc == AIOTSEC_OK, "ctx_new(%s): %d", be, rc);
    if (rc != AIOTSEC_OK)
        return;
    aiotsec_profile_params pp;
    CHECK(aiotsec_profile_get(aiotsec_ctx_profile(ctx), &pp) == AIOTSEC_OK, "profile_get");
    for (size_t r = 0; r < f->nrows; r++) {
        vec v;
        load_row(f, r, &v);
        check_derivations(ctx, be, &v);
        check_alg_keys(ctx, be, &v);
        if (r == 0) {
            check_nas(ctx, be, &v, pp.alg_id_aia_hs, AIOTSEC_NEA0);
            if (aiotsec_ctx_caps(ctx) & AIOTSEC_CAP_AES128) {
                check_nas(ctx, be, &v, AIOTSEC_NIA2, AIOTSEC_NEA0);
                check_nas(ctx, be, &v, AIOTSEC_NIA2, AIOTSEC_NEA2);
                check_nas(ctx, be, &v, pp.alg_id_aia_hs, AIOTSEC_NEA2);
            }
        }
    }
    aiotsec_ctx_free(ctx);
    printf("ct_check: backend %s: %zu vector rows checked\n", be, f->nrows);
}

int main(int argc, char **argv)
{
    tv_file f;
    tv_load(&f, "aiot-profile0.tsv");
    size_t explicit = 0;
    for (int i = 1; i + 1 < argc; i++) {
        if (!strcmp(argv[i], "--backend")) {
            check_backend(argv[++i], &f);
            explicit++;
        }
    }
    if (!explicit) {
        for (size_t i = 0; i < aiotsec_backend_count(); i++)
            check_backend(aiotsec_backend_name_at(i), &f);
    }
    tv_free(&f);
    printf("ct_check: %zu checks, %s (valgrind: %s)\n", ct_checks, ct_fail ? "FAILED" : "ok",
           RUNNING_ON_VALGRIND ? "yes" : "no");
    return ct_fail ? 1 : 0;
}
