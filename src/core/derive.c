/* A.2 RES_AIOT / XRES_AIOT, A.3 K_AIOTF, algorithm keys, RAND values. Lengths and
 * FC values come from the context's profile. The A.2/A.3 string S is at most
 * AIOT_S_RAND_MAX octets and is built on the stack. */
#include <string.h>

#include "core/internal.h"


size_t aiotsec_derive_res_bytes(const aiotsec_ctx *ctx)
{
    return ctx ? ctx->profile.p.res_len : 0;
}

size_t aiotsec_derive_rand_n_bytes(const aiotsec_ctx *ctx)
{
    return ctx ? ctx->profile.p.rand_n_len : 0;
}

size_t aiotsec_derive_rand_d_bytes(const aiotsec_ctx *ctx)
{
    return ctx ? ctx->profile.p.rand_d_len : 0;
}

size_t aiotsec_derive_kaiotf_bytes(void)
{
    return AIOTSEC_KAIOTF_LEN;
}

size_t aiotsec_derive_alg_key_bytes(const aiotsec_ctx *ctx, aiotsec_alg_type type, unsigned alg_id)
{
    if (!ctx || (type != AIOTSEC_ALG_ENC && type != AIOTSEC_ALG_INT) || alg_id == 0 || alg_id > 15)
        return 0;
    return type == AIOTSEC_ALG_INT && alg_id == ctx->profile.p.alg_id_aia_hs ? 32 : 16;
}

static int gen_rand(const aiotsec_ctx *ctx, uint8_t *out, size_t cap, size_t len)
{
    if (!ctx || !out)
        return AIOTSEC_E_NULL_ARG;
    if (cap < len)
        return AIOTSEC_E_BUFFER_TOO_SMALL;
    return aiotsec_random(ctx, out, len);
}

int aiotsec_gen_rand_n(const aiotsec_ctx *ctx, uint8_t *out, size_t out_cap)
{
    return gen_rand(ctx, out, out_cap, ctx ? ctx->profile.p.rand_n_len : 0);
}

int aiotsec_gen_rand_d(const aiotsec_ctx *ctx, uint8_t *out, size_t out_cap)
{
    return gen_rand(ctx, out, out_cap, ctx ? ctx->profile.p.rand_d_len : 0);
}

/* Checks the inputs shared by A.2 and A.3 and builds S for the given FC. Returns
 * the status; on success *s_len is the length of S in s. */
static int build_s(const aiotsec_ctx *ctx, uint16_t fc, const uint8_t *rand_n, size_t rand_n_len,
                   const uint8_t *rand_d, size_t rand_d_len, uint8_t s[AIOT_S_RAND_MAX], size_t *s_len)
{
    if (!rand_n || !rand_d)
        return AIOTSEC_E_NULL_ARG;
    if (rand_n_len != ctx->profile.p.rand_n_len || rand_d_len != ctx->profile.p.rand_d_len)
        return AIOTSEC_E_BAD_LENGTH;
    *s_len = aiot_kdf_build_s_rand(fc, rand_n, rand_n_len, rand_d, rand_d_len, s, AIOT_S_RAND_MAX);
    return *s_len ? AIOTSEC_OK : AIOTSEC_E_BAD_LENGTH;
}

/* KDF(K_AIOT_root, fc, RAND_n, RAND_d) -> 32 octets in mac. */
static int derive_full(const aiotsec_ctx *ctx, uint16_t fc, const uint8_t *k_root, size_t k_root_len,
                       const uint8_t *rand_n, size_t rand_n_len, const uint8_t *rand_d,
                       size_t rand_d_len, uint8_t mac[32])
{
    if (!ctx || !k_root)
        return AIOTSEC_E_NULL_ARG;
    if (k_root_len != 16 && k_root_len != 32)
        return AIOTSEC_E_BAD_LENGTH;
    uint8_t s[AIOT_S_RAND_MAX];
    size_t s_len;
    int rc = build_s(ctx, fc, rand_n, rand_n_len, rand_d, rand_d_len, s, &s_len);
    if (rc == AIOTSEC_OK)
        rc = aiot_hmac(ctx, k_root, k_root_len, s, s_len, mac);
    return rc;
}

int aiotsec_derive_res(const aiotsec_ctx *ctx, const uint8_t *k_root, size_t k_root_len,
                       const uint8_t *rand_n, size_t rand_n_len, const uint8_t *rand_d,
                       size_t rand_d_len, uint8_t *res, size_t res_cap)
{
    if (!ctx || !res)
        return AIOTSEC_E_NULL_ARG;
    size_t res_len = ctx->profile.p.res_len;
    if (res_cap < res_len)
        return AIOTSEC_E_BUFFER_TOO_SMALL;
    uint8_t mac[32];
    int rc = derive_full(ctx, ctx->profile.p.fc_res, k_root, k_root_len, rand_n, rand_n_len,
                         rand_d, rand_d_len, mac);
    if (rc == AIOTSEC_OK)
        memcpy(res, mac + sizeof mac - res_len, res_len);
    aiotsec_wipe(mac, sizeof mac);
    return rc;
}

int aiotsec_verify_res(const aiotsec_ctx *ctx, const uint8_t *k_root, size_t k_root_len,
                       const uint8_t *rand_n, size_t rand_n_len, const uint8_t *rand_d,
                       size_t rand_d_len, const uint8_t *res, size_t res_len)
{
    if (!ctx || !res)
        return AIOTSEC_E_NULL_ARG;
    if (res_len != ctx->profile.p.res_len)
        return AIOTSEC_E_BAD_LENGTH;
    uint8_t mac[32];
    int rc = derive_full(ctx, ctx->profile.p.fc_res, k_root, k_root_len, rand_n, rand_n_len,
                         rand_d, rand_d_len, mac);
    if (rc == AIOTSEC_OK && !aiotsec_ct_equal(mac + sizeof mac - res_len, res, res_len))
        rc = AIOTSEC_E_AUTH_FAILED;
    aiotsec_wipe(mac, sizeof mac);
    return rc;
}

int aiotsec_derive_kaiotf(const aiotsec_ctx *ctx, const uint8_t *k_root, size_t k_root_len,
                          const uint8_t *rand_n, size_t rand_n_len, const uint8_t *rand_d,
                          size_t rand_d_len, uint8_t *kaiotf, size_t kaiotf_cap)
{
    if (!ctx || !kaiotf)
        return AIOTSEC_E_NULL_ARG;
    if (kaiotf_cap < AIOTSEC_KAIOTF_LEN)
        return AIOTSEC_E_BUFFER_TOO_SMALL;
    uint8_t mac[32];
    int rc = derive_full(ctx, ctx->profile.p.fc_kaiotf, k_root, k_root_len, rand_n, rand_n_len,
                         rand_d, rand_d_len, mac);
    if (rc == AIOTSEC_OK)
        memcpy(kaiotf, mac + ctx->profile.p.kaiotf_offset, AIOTSEC_KAIOTF_LEN);
    aiotsec_wipe(mac, sizeof mac);
    return rc;
}

int aiotsec_derive_alg_key(const aiotsec_ctx *ctx, const uint8_t *kaiotf, size_t kaiotf_len,
                           aiotsec_alg_type type, unsigned alg_id, uint8_t *key, size_t key_cap, size_t *key_len)
{
    if (!ctx || !kaiotf || !key)
        return AIOTSEC_E_NULL_ARG;
    if (kaiotf_len != AIOTSEC_KAIOTF_LEN)
        return AIOTSEC_E_BAD_LENGTH;
    if (type != AIOTSEC_ALG_ENC && type != AIOTSEC_ALG_INT)
        return AIOTSEC_E_BAD_VALUE;
    if (alg_id == 0 || alg_id > 15)
        return AIOTSEC_E_UNKNOWN_ALG;
    size_t len = aiotsec_derive_alg_key_bytes(ctx, type, alg_id);
    if (key_cap < len)
        return AIOTSEC_E_BUFFER_TOO_SMALL;
    const aiotsec_profile_params *p = &ctx->profile.p;
    uint8_t dist = type == AIOTSEC_ALG_ENC ? p->alg_dist_enc : p->alg_dist_int;
    uint8_t id = (uint8_t)alg_id;
    aiotsec_kdf_param params[2] = {{&dist, 1}, {&id, 1}};
    uint8_t full[32];
    int rc = aiotsec_kdf(ctx, kaiotf, kaiotf_len, p->fc_alg_key, params, 2, full, sizeof full);
    if (rc == AIOTSEC_OK) {
        /* 128-bit algorithms take the 128 least significant bits. */
        memcpy(key, full + sizeof full - len, len);
        if (key_len)
            *key_len = len;
    }
    aiotsec_wipe(full, sizeof full);
    return rc;
}
