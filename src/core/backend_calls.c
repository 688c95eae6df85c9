/* Calls into a context's backend. Every state lives in caller storage (aiot_state),
 * and every exit path leaves a state either finalised or released, and wiped. */
#include <string.h>

#include "core/internal.h"

/* Any non-NULL pointer will do for empty input: some libraries read NULL as "no key given". */
static const uint8_t empty[1];

int aiot_map_backend(int rc)
{
    if (rc == 0)
        return AIOTSEC_OK;
    /* A backend may return one of the argument and resource statuses (UNSUPPORTED,
     * say) or BAD_STATE (a state used out of order); anything else, another
     * family's status included, is a failure. */
    if (rc == AIOTSEC_E_BAD_STATE)
        return rc;
    return rc <= AIOTSEC_E_NULL_ARG && rc >= AIOTSEC_E_LIMIT ? rc : AIOTSEC_E_BACKEND_FAILURE;
}

#define map aiot_map_backend

int aiot_hmac_init(const aiotsec_ctx *ctx, aiot_state *st, const uint8_t *key, size_t key_len)
{
    int rc = ctx->be.hmac_init(ctx->be.user, st->b, key_len ? key : empty, key_len);
    if (rc != 0)
        aiotsec_wipe(st->b, ctx->be.hmac_state_size);
    return map(rc);
}

int aiot_hmac_update(const aiotsec_ctx *ctx, aiot_state *st, const uint8_t *data, size_t len)
{
    if (len == 0)
        return AIOTSEC_OK;
    return map(ctx->be.hmac_update(ctx->be.user, st->b, data, len));
}

int aiot_hmac_final(const aiotsec_ctx *ctx, aiot_state *st, uint8_t mac[32])
{
    int rc = ctx->be.hmac_final(ctx->be.user, st->b, mac);
    aiotsec_wipe(st->b, ctx->be.hmac_state_size);
    return map(rc);
}

int aiot_hmac_copy_from(const aiotsec_ctx *ctx, aiot_state *dst, const void *src)
{
    if (ctx->be.hmac_copy)
        return map(ctx->be.hmac_copy(ctx->be.user, dst->b, src));
    memcpy(dst->b, src, ctx->be.hmac_state_size);
    return AIOTSEC_OK;
}

void aiot_hmac_release(const aiotsec_ctx *ctx, aiot_state *st)
{
    if (ctx->be.hmac_release)
        ctx->be.hmac_release(ctx->be.user, st->b);
    aiotsec_wipe(st->b, ctx->be.hmac_state_size);
}

int aiot_hmac(const aiotsec_ctx *ctx, const uint8_t *key, size_t key_len,
              const uint8_t *msg, size_t msg_len, uint8_t mac[32])
{
    if (ctx->be.hmac_oneshot)
        return map(ctx->be.hmac_oneshot(ctx->be.user, key_len ? key : empty, key_len,
                                        msg_len ? msg : empty, msg_len, mac));
    aiot_state st;
    int rc = aiot_hmac_init(ctx, &st, key, key_len);
    if (rc != AIOTSEC_OK)
        return rc;
    return aiot_hmac_update_final(ctx, &st, msg, msg_len, mac);
}

int aiot_hmac_update_final(const aiotsec_ctx *ctx, aiot_state *st, const uint8_t *msg, size_t msg_len,
                           uint8_t mac[32])
{
    int rc = aiot_hmac_update(ctx, st, msg, msg_len);
    if (rc != AIOTSEC_OK) {
        aiot_hmac_release(ctx, st);
        return rc;
    }
    return aiot_hmac_final(ctx, st, mac);
}

int aiot_aes_init(const aiotsec_ctx *ctx, aiot_state *st, const uint8_t key[16])
{
    if (!ctx->be.aes128_init)
        return AIOTSEC_E_UNSUPPORTED;
    int rc = ctx->be.aes128_init(ctx->be.user, st->b, key);
    if (rc != 0)
        aiotsec_wipe(st->b, ctx->be.aes_state_size);
    return map(rc);
}

int aiot_aes_encrypt(const aiotsec_ctx *ctx, const aiot_state *st, const uint8_t in[16], uint8_t out[16])
{
    if (!ctx->be.aes128_encrypt)
        return AIOTSEC_E_UNSUPPORTED;
    return map(ctx->be.aes128_encrypt(ctx->be.user, st->b, in, out));
}

void aiot_aes_release(const aiotsec_ctx *ctx, aiot_state *st)
{
    if (ctx->be.aes128_release)
        ctx->be.aes128_release(ctx->be.user, st->b);
    aiotsec_wipe(st->b, ctx->be.aes_state_size ? ctx->be.aes_state_size : sizeof st->b);
}
