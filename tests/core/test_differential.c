/* Differential test: every backend agrees with libsodium on 10,000 random HMAC
 * inputs and 10,000 random KDF inputs (key and message lengths 0..300 octets,
 * across the 64-octet block boundary), plus prepared-key derivations. */
#include <criterion/criterion.h>
#include <string.h>

#include "aiotsec/aiotsec.h"
#include "backends_util.h"

#define N_CASES 10000

/* xorshift64*: deterministic, so a failure names a reproducible case. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Dull;
}

static void fill(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)rnd();
}

/* Lengths biased toward the interesting edges: 0, 55/56 (padding), 63/64/65 (block). */
static size_t pick_len(void)
{
    static const size_t edges[] = {0, 1, 55, 56, 63, 64, 65, 119, 120, 127, 128, 129, 300};
    uint64_t r = rnd();
    if (r % 4 == 0)
        return edges[(r >> 8) % (sizeof edges / sizeof edges[0])];
    return (size_t)((r >> 8) % 301);
}

static aiotsec_ctx *ctx[MAX_BACKENDS];
static size_t nctx;

static void setup(void)
{
    nctx = make_all_contexts(ctx);
    cr_assert_geq(nctx, 2, "need at least sodium and openssl for a differential test");
    cr_assert_str_eq(aiotsec_ctx_backend_name(ctx[0]), "sodium");
}

static void teardown(void)
{
    free_all_contexts(ctx, nctx);
}

TestSuite(differential, .init = setup, .fini = teardown);

Test(differential, hmac_random_inputs)
{
    static uint8_t key[300], msg[300];
    for (size_t i = 0; i < N_CASES; i++) {
        size_t kl = pick_len(), ml = pick_len();
        fill(key, kl);
        fill(msg, ml);
        uint8_t want[32], got[32];
        cr_assert_eq(aiotsec_hmac_sha256(ctx[0], key, kl, msg, ml, want, 32), AIOTSEC_OK);
        for (size_t b = 1; b < nctx; b++) {
            cr_assert_eq(aiotsec_hmac_sha256(ctx[b], key, kl, msg, ml, got, 32), AIOTSEC_OK);
            cr_assert(memcmp(want, got, 32) == 0, "case %zu (key %zu, msg %zu): %s differs from sodium",
                      i, kl, ml, aiotsec_ctx_backend_name(ctx[b]));
        }
    }
}

Test(differential, kdf_random_inputs)
{
    static uint8_t key[300], pbuf[4][300];
    for (size_t i = 0; i < N_CASES; i++) {
        size_t kl = pick_len();
        fill(key, kl);
        size_t np = (size_t)(rnd() % 5);
        aiotsec_kdf_param params[4];
        for (size_t j = 0; j < np; j++) {
            params[j].len = pick_len();
            fill(pbuf[j], params[j].len);
            params[j].data = pbuf[j];
        }
        /* one-octet FC 0x00..0xFE or two-octet 0xFF00..0xFFFF */
        uint16_t fc = rnd() % 2 ? (uint16_t)(rnd() % 0xFF) : (uint16_t)(0xFF00 | (rnd() & 0xFF));
        size_t out_len = 1 + (size_t)(rnd() % 32);
        uint8_t want[32], got[32];
        cr_assert_eq(aiotsec_kdf(ctx[0], key, kl, fc, params, np, want, out_len), AIOTSEC_OK);
        for (size_t b = 1; b < nctx; b++) {
            cr_assert_eq(aiotsec_kdf(ctx[b], key, kl, fc, params, np, got, out_len), AIOTSEC_OK);
            cr_assert(memcmp(want, got, out_len) == 0, "KDF case %zu differs on %s", i,
                      aiotsec_ctx_backend_name(ctx[b]));
        }
    }
}

Test(differential, derivations_raw_and_prepared)
{
    for (size_t i = 0; i < 2000; i++) {
        uint8_t k[32], rn[16], rd[16];
        size_t kl = rnd() % 2 ? 16 : 32;
        fill(k, kl);
        fill(rn, 16);
        fill(rd, 16);
        uint8_t res0[16], kf0[AIOTSEC_KAIOTF_LEN], res[16], kf[AIOTSEC_KAIOTF_LEN];
        cr_assert_eq(aiotsec_derive_res(ctx[0], k, kl, rn, 16, rd, 16, res0, 16), AIOTSEC_OK);
        cr_assert_eq(aiotsec_derive_kaiotf(ctx[0], k, kl, rn, 16, rd, 16, kf0, sizeof kf0), AIOTSEC_OK);
        for (size_t b = 0; b < nctx; b++) {
            aiotsec_prepared_key *pk = NULL;
            cr_assert_eq(aiotsec_prepared_key_new(&pk, ctx[b], k, kl), AIOTSEC_OK);
            cr_assert_eq(aiotsec_prepared_derive_res(pk, rn, 16, rd, 16, res, 16), AIOTSEC_OK);
            cr_assert(memcmp(res, res0, 16) == 0, "prepared RES %zu on %s", i, aiotsec_ctx_backend_name(ctx[b]));
            cr_assert_eq(aiotsec_prepared_derive_kaiotf(pk, rn, 16, rd, 16, kf, sizeof kf), AIOTSEC_OK);
            cr_assert(memcmp(kf, kf0, sizeof kf) == 0, "prepared K_AIOTF %zu on %s", i, aiotsec_ctx_backend_name(ctx[b]));
            aiotsec_prepared_key_free(pk);
            cr_assert_eq(aiotsec_derive_res(ctx[b], k, kl, rn, 16, rd, 16, res, 16), AIOTSEC_OK);
            cr_assert(memcmp(res, res0, 16) == 0, "RES %zu on %s", i, aiotsec_ctx_backend_name(ctx[b]));
        }
    }
}
