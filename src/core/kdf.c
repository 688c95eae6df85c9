/* TS 33.220 Annex B.2 generic KDF: S = FC || P0 || L0 || ... || Pn || Ln, HMAC-SHA-256(Key, S).
 * S is streamed into the backend's HMAC state piece by piece, so parameters of any
 * number and size (up to 65535 octets each) need no allocation. */
#include <string.h>

#include "core/internal.h"

int aiot_kdf_put_fc(const aiotsec_ctx *ctx, aiot_state *st, uint16_t fc)
{
    uint8_t b[2] = {(uint8_t)(fc >> 8), (uint8_t)fc};
    /* 0xFF00..0xFFFF is the two-octet form 0xFF || FC2. */
    return fc >= 0xFF00 ? aiot_hmac_update(ctx, st, b, 2) : aiot_hmac_update(ctx, st, b + 1, 1);
}

int aiot_kdf_put_param(const aiotsec_ctx *ctx, aiot_state *st, const uint8_t *p, size_t len)
{
    uint8_t l[2] = {(uint8_t)(len >> 8), (uint8_t)len};
    int rc = aiot_hmac_update(ctx, st, p, len);
    return rc != AIOTSEC_OK ? rc : aiot_hmac_update(ctx, st, l, 2);
}

size_t aiot_kdf_build_s_rand(uint16_t fc, const uint8_t *rand_n, size_t rand_n_len,
                             const uint8_t *rand_d, size_t rand_d_len, uint8_t *out, size_t cap)
{
    size_t fc_len = fc >= 0xFF00 ? 2 : 1;
    size_t need = fc_len + rand_n_len + 2 + rand_d_len + 2;
    if (need > cap || rand_n_len > 0xFFFF || rand_d_len > 0xFFFF)
        return 0;
    size_t o = 0;
    if (fc_len == 2)
        out[o++] = 0xFF;
    out[o++] = (uint8_t)fc;
    memcpy(out + o, rand_n, rand_n_len);
    o += rand_n_len;
    out[o++] = (uint8_t)(rand_n_len >> 8);
    out[o++] = (uint8_t)rand_n_len;
    memcpy(out + o, rand_d, rand_d_len);
    o += rand_d_len;
    out[o++] = (uint8_t)(rand_d_len >> 8);
    out[o++] = (uint8_t)rand_d_len;
    return o;
}

size_t aiotsec_kdf_out_bytes(void)
{
    return AIOTSEC_KDF_OUT_LEN;
}

size_t aiotsec_kdf_param_structbytes(void)
{
    return sizeof(aiotsec_kdf_param);
}

int aiotsec_kdf(const aiotsec_ctx *ctx, const uint8_t *key, size_t key_len, uint16_t fc,
                const aiotsec_kdf_param *params, size_t n_params, uint8_t *out, size_t out_len)
{
    if (!ctx || !out || (!key && key_len) || (!params && n_params))
        return AIOTSEC_E_NULL_ARG;
    if (!aiot_fc_valid(fc))
        return AIOTSEC_E_BAD_VALUE;
    if (out_len == 0 || out_len > AIOTSEC_KDF_OUT_LEN)
        return AIOTSEC_E_BAD_LENGTH;
    for (size_t i = 0; i < n_params; i++) {
        if (!params[i].data && params[i].len)
            return AIOTSEC_E_NULL_ARG;
        if (params[i].len > AIOTSEC_KDF_PARAM_MAX)
            return AIOTSEC_E_BAD_LENGTH;
    }

    aiot_state st;
    uint8_t mac[32];
    int rc = aiot_hmac_init(ctx, &st, key, key_len);
    if (rc != AIOTSEC_OK)
        return rc;
    rc = aiot_kdf_put_fc(ctx, &st, fc);
    for (size_t i = 0; rc == AIOTSEC_OK && i < n_params; i++)
        rc = aiot_kdf_put_param(ctx, &st, params[i].data, params[i].len);
    if (rc != AIOTSEC_OK) {
        aiot_hmac_release(ctx, &st);
        return rc;
    }
    rc = aiot_hmac_final(ctx, &st, mac);
    if (rc == AIOTSEC_OK) /* "the n least significant bits" = the last n/8 octets */
        memcpy(out, mac + sizeof mac - out_len, out_len);
    aiotsec_wipe(mac, sizeof mac);
    return rc;
}
