/* AES-CMAC (RFC 4493 / NIST SP 800-38B) on the backend's one-block AES, in
 * the bit-string form 128-NIA2 needs (TS 33.401 B.2.3: LENGTH in bits), and
 * the public aiotsec_alg_aes_cmac() / aiotsec_alg_nia2(). */
#include <string.h>

#include "aiotsec/nas_algs.h"
#include "nas/nas_algs_internal.h"

void aiot_nas_alg_hdr(uint8_t hdr[8], uint32_t count, unsigned bearer, unsigned direction)
{
    hdr[0] = (uint8_t)(count >> 24);
    hdr[1] = (uint8_t)(count >> 16);
    hdr[2] = (uint8_t)(count >> 8);
    hdr[3] = (uint8_t)count;
    hdr[4] = (uint8_t)((bearer & 0x1Fu) << 3 | (direction & 1u) << 2);
    hdr[5] = hdr[6] = hdr[7] = 0;
}

/* Doubling in GF(2^128) for the subkeys. The reduction constant is applied
 * through a mask, not a branch, because L is secret. */
static void dbl(const uint8_t in[16], uint8_t out[16])
{
    uint8_t carry = (uint8_t)(in[0] >> 7);
    for (int i = 0; i < 15; i++)
        out[i] = (uint8_t)(in[i] << 1 | in[i + 1] >> 7);
    out[15] = (uint8_t)(in[15] << 1 ^ (0x87u & (0u - carry)));
}

int aiot_cmac_bits(const aiotsec_ctx *ctx, const aiot_state *aes, const uint8_t *pre, size_t pre_len,
                   const uint8_t *msg, size_t msg_bits, uint8_t tag[16])
{
    uint8_t l[16] = {0}, k[16] = {0}, x[16] = {0}, blk[16] = {0};
    /* The block count below must not wrap: a LENGTH near SIZE_MAX would give a
     * tag of zero blocks, independent of the key. The public callers bound it
     * tighter; this is the last line. */
    if (pre_len > 16 || msg_bits > SIZE_MAX / 2)
        return AIOTSEC_E_BAD_LENGTH;
    int rc = aiot_aes_encrypt(ctx, aes, l, l);
    if (rc != AIOTSEC_OK)
        goto out;
    size_t nbits = pre_len * 8 + msg_bits;
    size_t nblocks = nbits == 0 ? 1 : (nbits + 127) / 128;
    size_t nbytes = (nbits + 7) / 8;
    for (size_t b = 0; b < nblocks; b++) {
        size_t base = b * 16;
        for (size_t i = 0; i < 16; i++) {
            size_t j = base + i;
            blk[i] = j >= nbytes ? 0 : j < pre_len ? pre[j] : msg[j - pre_len];
        }
        if (b == nblocks - 1) {
            size_t rbits = nbits - base * 8; /* bits in the last block, 0..128 */
            if (rbits % 8) /* bits past LENGTH are not part of the message */
                blk[rbits / 8] &= (uint8_t)(0xFFu << (8 - rbits % 8));
            dbl(l, k); /* K1 */
            if (rbits < 128) {
                blk[rbits / 8] |= (uint8_t)(0x80u >> (rbits % 8)); /* 10* padding */
                uint8_t k1[16];
                memcpy(k1, k, 16);
                dbl(k1, k); /* K2 */
                aiotsec_wipe(k1, sizeof k1);
            }
            for (size_t i = 0; i < 16; i++)
                blk[i] ^= k[i];
        }
        for (size_t i = 0; i < 16; i++)
            x[i] ^= blk[i];
        if ((rc = aiot_aes_encrypt(ctx, aes, x, x)) != AIOTSEC_OK)
            goto out;
    }
    memcpy(tag, x, 16);
out:
    aiotsec_wipe(l, sizeof l);
    aiotsec_wipe(k, sizeof k);
    aiotsec_wipe(x, sizeof x);
    aiotsec_wipe(blk, sizeof blk);
    return rc;
}

int aiot_nia2_state(const aiotsec_ctx *ctx, const aiot_state *aes, uint32_t count, unsigned bearer,
                    unsigned direction, const uint8_t *msg, size_t len_bits, uint8_t mac[4])
{
    uint8_t hdr[8], tag[16];
    aiot_nas_alg_hdr(hdr, count, bearer, direction);
    int rc = aiot_cmac_bits(ctx, aes, hdr, sizeof hdr, msg, len_bits, tag);
    if (rc == AIOTSEC_OK)
        memcpy(mac, tag, 4); /* MAC-I = the 32 most significant bits */
    aiotsec_wipe(tag, sizeof tag);
    return rc;
}

size_t aiotsec_alg_cmac_bytes(void)
{
    return AIOTSEC_CMAC_LEN;
}

int aiotsec_alg_aes_cmac(const aiotsec_ctx *ctx, const uint8_t *key, size_t key_len, const uint8_t *msg,
                     size_t msg_len, uint8_t *mac, size_t mac_cap)
{
    if (!ctx || !key || !mac || (!msg && msg_len))
        return AIOTSEC_E_NULL_ARG;
    if (key_len != AIOTSEC_AES128_KEY_LEN || msg_len > SIZE_MAX / 16)
        return AIOTSEC_E_BAD_LENGTH;
    if (mac_cap < AIOTSEC_CMAC_LEN)
        return AIOTSEC_E_BUFFER_TOO_SMALL;
    aiot_state st;
    int rc = aiot_aes_init(ctx, &st, key);
    if (rc != AIOTSEC_OK)
        return rc;
    rc = aiot_cmac_bits(ctx, &st, NULL, 0, msg, msg_len * 8, mac);
    aiot_aes_release(ctx, &st);
    return rc;
}

int aiotsec_alg_nia2(const aiotsec_ctx *ctx, const uint8_t *key, size_t key_len, uint32_t count,
                 unsigned bearer, unsigned direction, const uint8_t *msg, size_t len_bits,
                 uint8_t *mac, size_t mac_cap)
{
    if (!ctx || !key || !mac || (!msg && len_bits))
        return AIOTSEC_E_NULL_ARG;
    /* TS 33.401 B.2.3: LENGTH is a 32-bit value. */
    if (key_len != AIOTSEC_AES128_KEY_LEN || len_bits > UINT32_MAX)
        return AIOTSEC_E_BAD_LENGTH;
    if (bearer > 31 || direction > 1)
        return AIOTSEC_E_BAD_VALUE;
    if (mac_cap < AIOTSEC_NAS_MAC_LEN)
        return AIOTSEC_E_BUFFER_TOO_SMALL;
    aiot_state st;
    int rc = aiot_aes_init(ctx, &st, key);
    if (rc != AIOTSEC_OK)
        return rc;
    rc = aiot_nia2_state(ctx, &st, count, bearer, direction, msg, len_bits, mac);
    aiot_aes_release(ctx, &st);
    return rc;
}
