/* 128-NEA2 (TS 33.401 B.1.3): AES-128 in counter mode on the backend's
 * one-block AES. The counter block is COUNT || BEARER || DIRECTION || 0^26
 * followed by a 64-bit block counter starting at 0. */
#include <string.h>

#include "aiotsec/nas_algs.h"
#include "nas/nas_algs_internal.h"

int aiot_nea2_state(const aiotsec_ctx *ctx, const aiot_state *aes, uint32_t count, unsigned bearer,
                    unsigned direction, const uint8_t *in, size_t len_bits, uint8_t *out)
{
    uint8_t t[16] = {0}, ks[16];
    aiot_nas_alg_hdr(t, count, bearer, direction);
    size_t nbytes = (len_bits + 7) / 8;
    int rc = AIOTSEC_OK;
    for (size_t off = 0; off < nbytes; off += 16) {
        if ((rc = aiot_aes_encrypt(ctx, aes, t, ks)) != AIOTSEC_OK)
            break;
        size_t n = nbytes - off < 16 ? nbytes - off : 16;
        for (size_t i = 0; i < n; i++)
            out[off + i] = in[off + i] ^ ks[i];
        /* The block counter is the low 64 bits, incremented mod 2^64. */
        for (int i = 15; i >= 8 && ++t[i] == 0; i--)
            ;
    }
    if (rc == AIOTSEC_OK && len_bits % 8)
        out[nbytes - 1] &= (uint8_t)(0xFFu << (8 - len_bits % 8));
    aiotsec_wipe(ks, sizeof ks);
    aiotsec_wipe(t, sizeof t);
    return rc;
}

int aiotsec_alg_nea2(const aiotsec_ctx *ctx, const uint8_t *key, size_t key_len, uint32_t count,
                 unsigned bearer, unsigned direction, const uint8_t *in, size_t len_bits,
                 uint8_t *out, size_t out_cap)
{
    if (!ctx || !key || ((!in || !out) && len_bits))
        return AIOTSEC_E_NULL_ARG;
    /* TS 33.401 B.1.3: LENGTH is a 32-bit value. */
    if (key_len != AIOTSEC_AES128_KEY_LEN || len_bits > UINT32_MAX)
        return AIOTSEC_E_BAD_LENGTH;
    if (bearer > 31 || direction > 1)
        return AIOTSEC_E_BAD_VALUE;
    if (out_cap < (len_bits + 7) / 8)
        return AIOTSEC_E_BUFFER_TOO_SMALL;
    aiot_state st;
    int rc = aiot_aes_init(ctx, &st, key);
    if (rc != AIOTSEC_OK)
        return rc;
    rc = aiot_nea2_state(ctx, &st, count, bearer, direction, in, len_bits, out);
    aiot_aes_release(ctx, &st);
    return rc;
}
