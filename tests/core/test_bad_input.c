/* Bad input for every public core function: NULL pointers, zero and oversize
 * lengths, wrong key lengths, unknown backends, broken backend tables. Each call
 * returns its documented status and none crashes. */
#include <criterion/criterion.h>
#include <string.h>

#include "aiotsec/aiotsec.h"

static aiotsec_ctx *ctx;
static const uint8_t k16[16] = {0x16}, k32[32] = {0x32}, rn[16], rd[16];

static void setup(void)
{
    cr_assert_eq(aiotsec_ctx_new(&ctx, NULL, NULL), AIOTSEC_OK);
}

static void teardown(void)
{
    aiotsec_ctx_free(ctx);
}

TestSuite(bad_input, .init = setup, .fini = teardown);

Test(bad_input, status_names_are_distinct)
{
    const char *names[100] = {0};
    int known = 0;
    for (int s = 0; s > -100; s--) {
        const char *n = aiotsec_status_name(s);
        cr_assert_not_null(n);
        cr_assert_not_null(aiotsec_strerror(s));
        if (strcmp(n, "AIOTSEC_E_UNKNOWN") == 0) {
            cr_assert_str_eq(aiotsec_strerror(s), "unknown status");
            continue;
        }
        known++;
        for (int t = 0; t < -s; t++)
            cr_assert(!names[t] || strcmp(names[t], n) != 0, "duplicate name %s", n);
        names[-s] = n;
    }
    cr_assert_geq(known, 40);
    cr_assert_str_eq(aiotsec_status_name(AIOTSEC_E_REPLAY), "AIOTSEC_E_REPLAY");
    cr_assert_str_eq(aiotsec_strerror(12345), "unknown status");
}

Test(bad_input, version)
{
    cr_assert_str_eq(aiotsec_version_string(), AIOTSEC_VERSION_STRING);
    cr_assert_eq(aiotsec_version_number(), AIOTSEC_VERSION_NUMBER);
}

Test(bad_input, backends_and_contexts)
{
    const aiotsec_backend *be = NULL;
    aiotsec_ctx *c = (aiotsec_ctx *)0x1;
    cr_assert_eq(aiotsec_backend_find("nope", &be), AIOTSEC_E_UNKNOWN_BACKEND);
    cr_assert_null(be);
    cr_assert_eq(aiotsec_backend_find("sodium", NULL), AIOTSEC_E_NULL_ARG);
    cr_assert_eq(aiotsec_backend_find(NULL, &be), AIOTSEC_OK);
    cr_assert_str_eq(be->name, "sodium"); /* the default */
    cr_assert_null(aiotsec_backend_name_at(aiotsec_backend_count()));
    cr_assert_eq(aiotsec_backend_caps(NULL), 0);
    cr_assert_eq(aiotsec_backend_structbytes(), sizeof(aiotsec_backend));

    cr_assert_eq(aiotsec_ctx_new(&c, "no-such-backend", NULL), AIOTSEC_E_UNKNOWN_BACKEND);
    cr_assert_null(c);
    cr_assert_eq(aiotsec_ctx_new(NULL, NULL, NULL), AIOTSEC_E_NULL_ARG);
    cr_assert_eq(aiotsec_ctx_new_custom(&c, NULL, NULL), AIOTSEC_E_NULL_ARG);
    aiotsec_ctx_free(NULL);
    cr_assert_str_eq(aiotsec_ctx_backend_name(NULL), "");
    cr_assert_eq(aiotsec_ctx_caps(NULL), 0);
    cr_assert_null(aiotsec_ctx_profile(NULL));
    cr_assert_eq(aiotsec_derive_res_bytes(NULL), 0);
    cr_assert_eq(aiotsec_derive_rand_n_bytes(NULL), 0);
    cr_assert_eq(aiotsec_derive_rand_d_bytes(NULL), 0);
    cr_assert_eq(aiotsec_derive_kaiotf_bytes(), 16); /* TS 29.369 Kaiotf */
}

/* A user backend: sodium's HMAC, nothing optional, to see "unsupported" paths. */
Test(bad_input, context_in_caller_storage_is_not_freed)
{
    /* aiotsec_ctx_free() on a context made by aiotsec_ctx_init() leaves it alone
     * (it never calls free() on static or stack storage): still usable after. */
    static _Alignas(AIOTSEC_CTX_ALIGN) unsigned char mem[AIOTSEC_CTX_STORAGE_SIZE];
    aiotsec_ctx *c = NULL;
    cr_assert_eq(aiotsec_ctx_init(&c, mem, sizeof mem, aiotsec_backend_portable(), NULL), AIOTSEC_OK);
    aiotsec_ctx_free(c);
    cr_assert_str_eq(aiotsec_ctx_backend_name(c), "portable");
    uint8_t key[16] = {1}, n_rand[16] = {2}, d_rand[16] = {3}, a[16], b[16];
    cr_assert_eq(aiotsec_derive_res(c, key, 16, n_rand, 16, d_rand, 16, a, sizeof a), AIOTSEC_OK);
    aiotsec_ctx *heap = NULL;
    cr_assert_eq(aiotsec_ctx_new_custom(&heap, aiotsec_backend_portable(), NULL), AIOTSEC_OK);
    cr_assert_eq(aiotsec_derive_res(heap, key, 16, n_rand, 16, d_rand, 16, b, sizeof b), AIOTSEC_OK);
    cr_assert_arr_eq(a, b, 16);
    aiotsec_ctx_free(heap);
}

Test(bad_input, custom_backend_validation_and_unsupported)
{
    const aiotsec_backend *sod = NULL;
    cr_assert_eq(aiotsec_backend_find("sodium", &sod), AIOTSEC_OK);
    aiotsec_backend mine = *sod;
    mine.name = "mine";
    mine.random_bytes = NULL;
    aiotsec_ctx *c = NULL;

    aiotsec_backend bad = mine;
    bad.abi_version = 99;
    cr_assert_eq(aiotsec_ctx_new_custom(&c, &bad, NULL), AIOTSEC_E_BAD_BACKEND);
    bad = mine;
    bad.struct_size = 8;
    cr_assert_eq(aiotsec_ctx_new_custom(&c, &bad, NULL), AIOTSEC_E_BAD_BACKEND);
    bad = mine;
    bad.hmac_final = NULL;
    cr_assert_eq(aiotsec_ctx_new_custom(&c, &bad, NULL), AIOTSEC_E_BAD_BACKEND);
    bad = mine;
    bad.hmac_state_size = AIOTSEC_BACKEND_STATE_MAX + 1;
    cr_assert_eq(aiotsec_ctx_new_custom(&c, &bad, NULL), AIOTSEC_E_BAD_BACKEND);
    bad = mine;
    bad.name = NULL;
    cr_assert_eq(aiotsec_ctx_new_custom(&c, &bad, NULL), AIOTSEC_E_BAD_BACKEND);
    cr_assert_eq(aiotsec_backend_caps(&bad), 0);

    cr_assert_eq(aiotsec_ctx_new_custom(&c, &mine, NULL), AIOTSEC_OK);
    cr_assert_str_eq(aiotsec_ctx_backend_name(c), "mine");
    cr_assert_eq(aiotsec_ctx_caps(c), AIOTSEC_CAP_HMAC_SHA256);
    uint8_t buf[16], res[16];
    cr_assert_eq(aiotsec_random(c, buf, sizeof buf), AIOTSEC_E_UNSUPPORTED);
    cr_assert_eq(aiotsec_gen_rand_n(c, buf, sizeof buf), AIOTSEC_E_UNSUPPORTED);
    cr_assert_eq(aiotsec_gen_rand_d(c, buf, sizeof buf), AIOTSEC_E_UNSUPPORTED);
    /* HMAC still works and gives sodium's answers */
    uint8_t want[16];
    cr_assert_eq(aiotsec_derive_res(c, k16, 16, rn, 16, rd, 16, res, 16), AIOTSEC_OK);
    cr_assert_eq(aiotsec_derive_res(ctx, k16, 16, rn, 16, rd, 16, want, 16), AIOTSEC_OK);
    cr_assert(memcmp(res, want, 16) == 0);
    aiotsec_ctx_free(c);
}

static int failing_init(void *user, void *state, const uint8_t *key, size_t key_len)
{
    (void)user, (void)state, (void)key, (void)key_len;
    return -1000; /* not one of ours: must become BACKEND_FAILURE */
}

Test(bad_input, backend_failure_is_reported)
{
    const aiotsec_backend *sod = NULL;
    cr_assert_eq(aiotsec_backend_find("sodium", &sod), AIOTSEC_OK);
    aiotsec_backend broken = *sod;
    broken.hmac_init = failing_init;
    aiotsec_ctx *c = NULL;
    cr_assert_eq(aiotsec_ctx_new_custom(&c, &broken, NULL), AIOTSEC_OK);
    uint8_t out[32];
    cr_assert_eq(aiotsec_derive_res(c, k16, 16, rn, 16, rd, 16, out, 32), AIOTSEC_E_BACKEND_FAILURE);
    cr_assert_eq(aiotsec_kdf(c, k16, 16, 0xA0, NULL, 0, out, 32), AIOTSEC_E_BACKEND_FAILURE);
    aiotsec_prepared_key *pk = (aiotsec_prepared_key *)0x1;
    cr_assert_eq(aiotsec_prepared_key_new(&pk, c, k16, 16), AIOTSEC_E_BACKEND_FAILURE);
    cr_assert_null(pk);
    aiotsec_ctx_free(c);
}

Test(bad_input, random_and_hmac)
{
    uint8_t out[32];
    cr_assert_eq(aiotsec_random(NULL, out, 1), AIOTSEC_E_NULL_ARG);
    cr_assert_eq(aiotsec_random(ctx, NULL, 1), AIOTSEC_E_NULL_ARG);
    cr_assert_eq(aiotsec_random(ctx, out, 0), AIOTSEC_E_BAD_LENGTH);
    cr_assert_eq(aiotsec_random(ctx, out, 65537), AIOTSEC_E_BAD_LENGTH);
    cr_assert_eq(aiotsec_gen_rand_n(ctx, out, 15), AIOTSEC_E_BUFFER_TOO_SMALL);
    cr_assert_eq(aiotsec_gen_rand_d(ctx, NULL, 16), AIOTSEC_E_NULL_ARG);
    cr_assert_eq(aiotsec_gen_rand_n(NULL, out, 16), AIOTSEC_E_NULL_ARG);
    cr_assert_eq(aiotsec_hmac_sha256(NULL, k16, 16, rn, 16, out, 32), AIOTSEC_E_NULL_ARG);
    cr_assert_eq(aiotsec_hmac_sha256(ctx, NULL, 16, rn, 16, out, 32), AIOTSEC_E_NULL_ARG);
    cr_assert_eq(aiotsec_hmac_sha256(ctx, k16, 16, NULL, 1, out, 32), AIOTSEC_E_NULL_ARG);
    cr_assert_eq(aiotsec_hmac_sha256(ctx, k16, 16, rn, 16, NULL, 32), AIOTSEC_E_NULL_ARG);
    cr_assert_eq(aiotsec_hmac_sha256(ctx, k16, 16, rn, 16, out, 31), AIOTSEC_E_BUFFER_TOO_SMALL);
    cr_assert_eq(aiotsec_hmac_sha256(ctx, NULL, 0, NULL, 0, out, 32), AIOTSEC_OK); /* empty is legal */
}

Test(bad_input, kdf)
{
    uint8_t out[32];
    static uint8_t big[65536];
    aiotsec_kdf_param ok = {rn, 16}, null_data = {NULL, 3}, empty = {NULL, 0}, huge = {big, 65536},
                      max = {big, 65535};
    cr_assert_eq(aiotsec_kdf(NULL, k16, 16, 0xA0, &ok, 1, out, 32), AIOTSEC_E_NULL_ARG);
    cr_assert_eq(aiotsec_kdf(ctx, NULL, 16, 0xA0, &ok, 1, out, 32), AIOTSEC_E_NULL_ARG);
    cr_assert_eq(aiotsec_kdf(ctx, k16, 16, 0xA0, NULL, 1, out, 32), AIOTSEC_E_NULL_ARG);
    cr_assert_eq(aiotsec_kdf(ctx, k16, 16, 0xA0, &ok, 1, NULL, 32), AIOTSEC_E_NULL_ARG);
    cr_assert_eq(aiotsec_kdf(ctx, k16, 16, 0xA0, &null_data, 1, out, 32), AIOTSEC_E_NULL_ARG);
    cr_assert_eq(aiotsec_kdf(ctx, k16, 16, 0x00FF, &ok, 1, out, 32), AIOTSEC_E_BAD_VALUE);
    cr_assert_eq(aiotsec_kdf(ctx, k16, 16, 0x1234, &ok, 1, out, 32), AIOTSEC_E_BAD_VALUE);
    cr_assert_eq(aiotsec_kdf(ctx, k16, 16, 0xA0, &ok, 1, out, 0), AIOTSEC_E_BAD_LENGTH);
    cr_assert_eq(aiotsec_kdf(ctx, k16, 16, 0xA0, &ok, 1, out, 33), AIOTSEC_E_BAD_LENGTH);
    cr_assert_eq(aiotsec_kdf(ctx, k16, 16, 0xA0, &huge, 1, out, 32), AIOTSEC_E_BAD_LENGTH);
    cr_assert_eq(aiotsec_kdf(ctx, k16, 16, 0xA0, &max, 1, out, 32), AIOTSEC_OK);
    cr_assert_eq(aiotsec_kdf(ctx, k16, 16, 0xA0, &empty, 1, out, 32), AIOTSEC_OK);
    cr_assert_eq(aiotsec_kdf(ctx, k16, 16, 0xFF00, NULL, 0, out, 32), AIOTSEC_OK);
    cr_assert_eq(aiotsec_kdf_param_structbytes(), sizeof(aiotsec_kdf_param));

    /* An empty parameter is not the same as no parameter: L0 = 0x00 0x00 is hashed. */
    uint8_t a[32], b[32];
    cr_assert_eq(aiotsec_kdf(ctx, k16, 16, 0xA0, &empty, 1, a, 32), AIOTSEC_OK);
    cr_assert_eq(aiotsec_kdf(ctx, k16, 16, 0xA0, NULL, 0, b, 32), AIOTSEC_OK);
    cr_assert(memcmp(a, b, 32) != 0);
    /* The n least significant bits are the last octets. */
    cr_assert_eq(aiotsec_kdf(ctx, k16, 16, 0xA0, &ok, 1, a, 32), AIOTSEC_OK);
    cr_assert_eq(aiotsec_kdf(ctx, k16, 16, 0xA0, &ok, 1, b, 5), AIOTSEC_OK);
    cr_assert(memcmp(a + 27, b, 5) == 0);
}

Test(bad_input, derivations)
{
    uint8_t out[32];
    size_t len = 99;
    /* RES */
    cr_assert_eq(aiotsec_derive_res(NULL, k16, 16, rn, 16, rd, 16, out, 16), AIOTSEC_E_NULL_ARG);
    cr_assert_eq(aiotsec_derive_res(ctx, NULL, 16, rn, 16, rd, 16, out, 16), AIOTSEC_E_NULL_ARG);
    cr_assert_eq(aiotsec_derive_res(ctx, k16, 16, NULL, 16, rd, 16, out, 16), AIOTSEC_E_NULL_ARG);
    cr_assert_eq(aiotsec_derive_res(ctx, k16, 16, rn, 16, NULL, 16, out, 16), AIOTSEC_E_NULL_ARG);
    cr_assert_eq(aiotsec_derive_res(ctx, k16, 16, rn, 16, rd, 16, NULL, 16), AIOTSEC_E_NULL_ARG);
    for (size_t kl = 0; kl <= 64; kl++)
        if (kl != 16 && kl != 32)
            cr_assert_eq(aiotsec_derive_res(ctx, k32, kl, rn, 16, rd, 16, out, 16), AIOTSEC_E_BAD_LENGTH);
    cr_assert_eq(aiotsec_derive_res(ctx, k16, 16, rn, 0, rd, 16, out, 16), AIOTSEC_E_BAD_LENGTH);
    cr_assert_eq(aiotsec_derive_res(ctx, k16, 16, rn, 16, rd, 15, out, 16), AIOTSEC_E_BAD_LENGTH);
    cr_assert_eq(aiotsec_derive_res(ctx, k16, 16, rn, 16, rd, 16, out, 15), AIOTSEC_E_BUFFER_TOO_SMALL);
    cr_assert_eq(aiotsec_derive_res(ctx, k32, 32, rn, 16, rd, 16, out, 16), AIOTSEC_OK);
    /* verify */
    cr_assert_eq(aiotsec_verify_res(ctx, k32, 32, rn, 16, rd, 16, NULL, 16), AIOTSEC_E_NULL_ARG);
    cr_assert_eq(aiotsec_verify_res(ctx, k32, 32, rn, 16, rd, 16, out, 15), AIOTSEC_E_BAD_LENGTH);
    cr_assert_eq(aiotsec_verify_res(ctx, k32, 32, rn, 16, rd, 16, out, 0), AIOTSEC_E_BAD_LENGTH);
    cr_assert_eq(aiotsec_verify_res(ctx, k32, 31, rn, 16, rd, 16, out, 16), AIOTSEC_E_BAD_LENGTH);
    cr_assert_eq(aiotsec_verify_res(NULL, k32, 32, rn, 16, rd, 16, out, 16), AIOTSEC_E_NULL_ARG);
    cr_assert_eq(aiotsec_verify_res(ctx, k32, 32, rn, 16, rd, 16, out, 16), AIOTSEC_OK);
    cr_assert_eq(aiotsec_verify_res(ctx, k16, 16, rn, 16, rd, 16, out, 16), AIOTSEC_E_AUTH_FAILED);
    /* K_AIOTF */
    cr_assert_eq(aiotsec_derive_kaiotf(ctx, k16, 16, rn, 16, rd, 16, out, 15), AIOTSEC_E_BUFFER_TOO_SMALL);
    cr_assert_eq(aiotsec_derive_kaiotf(ctx, k16, 16, rn, 16, rd, 16, out, 16), AIOTSEC_OK);
    cr_assert_eq(aiotsec_derive_kaiotf(ctx, k16, 17, rn, 16, rd, 16, out, 32), AIOTSEC_E_BAD_LENGTH);
    cr_assert_eq(aiotsec_derive_kaiotf(ctx, k16, 16, rn, 16, rd, 16, NULL, 32), AIOTSEC_E_NULL_ARG);
    cr_assert_eq(aiotsec_derive_kaiotf(NULL, k16, 16, rn, 16, rd, 16, out, 32), AIOTSEC_E_NULL_ARG);
    /* algorithm keys */
    cr_assert_eq(aiotsec_derive_alg_key(ctx, k32, 15, AIOTSEC_ALG_INT, 2, out, 32, &len), AIOTSEC_E_BAD_LENGTH);
    cr_assert_eq(aiotsec_derive_alg_key(ctx, k32, 16, 7, 2, out, 32, &len), AIOTSEC_E_BAD_VALUE);
    cr_assert_eq(aiotsec_derive_alg_key(ctx, k32, 16, AIOTSEC_ALG_INT, 0, out, 32, &len), AIOTSEC_E_UNKNOWN_ALG);
    cr_assert_eq(aiotsec_derive_alg_key(ctx, k32, 16, AIOTSEC_ALG_INT, 16, out, 32, &len), AIOTSEC_E_UNKNOWN_ALG);
    cr_assert_eq(aiotsec_derive_alg_key(ctx, k32, 16, AIOTSEC_ALG_INT, 8, out, 31, &len), AIOTSEC_E_BUFFER_TOO_SMALL);
    cr_assert_eq(aiotsec_derive_alg_key(ctx, k32, 16, AIOTSEC_ALG_INT, 2, out, 15, &len), AIOTSEC_E_BUFFER_TOO_SMALL);
    cr_assert_eq(aiotsec_derive_alg_key(ctx, NULL, 16, AIOTSEC_ALG_INT, 2, out, 32, &len), AIOTSEC_E_NULL_ARG);
    cr_assert_eq(aiotsec_derive_alg_key(ctx, k32, 16, AIOTSEC_ALG_INT, 2, NULL, 32, &len), AIOTSEC_E_NULL_ARG);
    cr_assert_eq(aiotsec_derive_alg_key(ctx, k32, 16, AIOTSEC_ALG_INT, 2, out, 16, NULL), AIOTSEC_OK);
    cr_assert_eq(aiotsec_derive_alg_key_bytes(ctx, AIOTSEC_ALG_INT, 8), 32);
    cr_assert_eq(aiotsec_derive_alg_key_bytes(ctx, AIOTSEC_ALG_ENC, 8), 16); /* AIA-HS is integrity only */
    cr_assert_eq(aiotsec_derive_alg_key_bytes(ctx, AIOTSEC_ALG_INT, 2), 16);
    cr_assert_eq(aiotsec_derive_alg_key_bytes(ctx, AIOTSEC_ALG_INT, 0), 0);
    cr_assert_eq(aiotsec_derive_alg_key_bytes(ctx, 0, 2), 0);
    cr_assert_eq(aiotsec_derive_alg_key_bytes(NULL, AIOTSEC_ALG_INT, 2), 0);
}

Test(bad_input, prepared_keys)
{
    aiotsec_prepared_key *pk = NULL;
    uint8_t out[32];
    cr_assert_eq(aiotsec_prepared_key_new(NULL, ctx, k16, 16), AIOTSEC_E_NULL_ARG);
    cr_assert_eq(aiotsec_prepared_key_new(&pk, NULL, k16, 16), AIOTSEC_E_NULL_ARG);
    cr_assert_eq(aiotsec_prepared_key_new(&pk, ctx, NULL, 16), AIOTSEC_E_NULL_ARG);
    cr_assert_eq(aiotsec_prepared_key_new(&pk, ctx, k16, 20), AIOTSEC_E_BAD_LENGTH);
    cr_assert_null(pk);
    aiotsec_prepared_key_free(NULL);
    cr_assert_eq(aiotsec_prepared_key_new(&pk, ctx, k16, 16), AIOTSEC_OK);
    cr_assert_eq(aiotsec_prepared_derive_res(NULL, rn, 16, rd, 16, out, 16), AIOTSEC_E_NULL_ARG);
    cr_assert_eq(aiotsec_prepared_derive_res(pk, NULL, 16, rd, 16, out, 16), AIOTSEC_E_NULL_ARG);
    cr_assert_eq(aiotsec_prepared_derive_res(pk, rn, 16, rd, 16, NULL, 16), AIOTSEC_E_NULL_ARG);
    cr_assert_eq(aiotsec_prepared_derive_res(pk, rn, 17, rd, 16, out, 16), AIOTSEC_E_BAD_LENGTH);
    cr_assert_eq(aiotsec_prepared_derive_res(pk, rn, 16, rd, 16, out, 1), AIOTSEC_E_BUFFER_TOO_SMALL);
    cr_assert_eq(aiotsec_prepared_verify_res(pk, rn, 16, rd, 16, out, 17), AIOTSEC_E_BAD_LENGTH);
    cr_assert_eq(aiotsec_prepared_verify_res(pk, rn, 16, rd, 16, NULL, 16), AIOTSEC_E_NULL_ARG);
    cr_assert_eq(aiotsec_prepared_verify_res(NULL, rn, 16, rd, 16, out, 16), AIOTSEC_E_NULL_ARG);
    cr_assert_eq(aiotsec_prepared_derive_kaiotf(pk, rn, 16, rd, 16, out, 15), AIOTSEC_E_BUFFER_TOO_SMALL);
    cr_assert_eq(aiotsec_prepared_derive_kaiotf(pk, rn, 16, rd, 16, out, 16), AIOTSEC_OK);
    cr_assert_eq(aiotsec_prepared_derive_kaiotf(pk, rn, 16, rd, 3, out, 32), AIOTSEC_E_BAD_LENGTH);
    cr_assert_eq(aiotsec_prepared_derive_kaiotf(NULL, rn, 16, rd, 16, out, 32), AIOTSEC_E_NULL_ARG);
    aiotsec_prepared_key_free(pk);
}

Test(bad_input, ct_equal_and_wipe)
{
    uint8_t a[8] = {1, 2, 3, 4, 5, 6, 7, 8}, b[8];
    memcpy(b, a, 8);
    cr_assert_eq(aiotsec_ct_equal(a, b, 8), 1);
    for (int i = 0; i < 64; i++) {
        b[i / 8] ^= (uint8_t)(1u << (i % 8));
        cr_assert_eq(aiotsec_ct_equal(a, b, 8), 0);
        b[i / 8] ^= (uint8_t)(1u << (i % 8));
    }
    cr_assert_eq(aiotsec_ct_equal(NULL, b, 8), 0);
    cr_assert_eq(aiotsec_ct_equal(a, NULL, 8), 0);
    cr_assert_eq(aiotsec_ct_equal(NULL, NULL, 0), 1);
    aiotsec_wipe(a, 8);
    aiotsec_wipe(NULL, 8);
    for (int i = 0; i < 8; i++)
        cr_assert_eq(a[i], 0);
}
