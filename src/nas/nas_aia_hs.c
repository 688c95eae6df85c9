/* AIA-HS (spec 4, profile 0 identity 8): the first 4 octets of
 * HMAC-SHA-256(K_int, HDR || MESSAGE). It needs only the HMAC every device
 * already has for RES_AIOT, so it runs on every backend. */
#include <string.h>

#include "aiotsec/nas_algs.h"
#include "nas/nas_algs_internal.h"

int aiot_aia_hs_mac(const aiotsec_ctx *ctx, const uint8_t *key, uint32_t count, unsigned bearer,
                    unsigned direction, const uint8_t *msg, size_t len, uint8_t mac[4])
{
    uint8_t hdr[8], full[32];
    aiot_state st;
    aiot_nas_alg_hdr(hdr, count, bearer, direction);
    int rc = aiot_hmac_init(ctx, &st, key, AIOTSEC_AIA_HS_KEY_LEN);
    if (rc != AIOTSEC_OK)
        return rc;
    if ((rc = aiot_hmac_update(ctx, &st, hdr, sizeof hdr)) != AIOTSEC_OK ||
        (rc = aiot_hmac_update(ctx, &st, msg, len)) != AIOTSEC_OK) {
        aiot_hmac_release(ctx, &st);
        return rc;
    }
    rc = aiot_hmac_final(ctx, &st, full);
    if (rc == AIOTSEC_OK)
        memcpy(mac, full, 4);
    aiotsec_wipe(full, sizeof full);
    return rc;
}

int aiotsec_alg_aia_hs(const aiotsec_ctx *ctx, const uint8_t *key, size_t key_len, uint32_t count,
                   unsigned bearer, unsigned direction, const uint8_t *msg, size_t msg_len,
                   uint8_t *mac, size_t mac_cap)
{
    if (!ctx || !key || !mac || (!msg && msg_len))
        return AIOTSEC_E_NULL_ARG;
    if (key_len != AIOTSEC_AIA_HS_KEY_LEN)
        return AIOTSEC_E_BAD_LENGTH;
    if (bearer > 31 || direction > 1)
        return AIOTSEC_E_BAD_VALUE;
    if (mac_cap < AIOTSEC_NAS_MAC_LEN)
        return AIOTSEC_E_BUFFER_TOO_SMALL;
    return aiot_aia_hs_mac(ctx, key, count, bearer, direction, msg, msg_len, mac);
}
