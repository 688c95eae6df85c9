/* Prepared K_AIOT_root: the backend's HMAC state right after the key was absorbed.
 * Deriving from it copies that state (no key schedule, for SHA-256 the inner and
 * outer midstates) and absorbs S: two compressions instead of four. */
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"

/* One allocation, 64-aligned: the handle, then the compact form right after it (so
 * a batch reads both from the handle's first two cache lines), then the whole
 * state, 16-aligned. */
#define KEY_ALIGN 64u
static size_t align16(size_t n)
{
    return (n + 15u) & ~(size_t)15u;
}
static size_t key_bytes(size_t ss, size_t cs)
{
    size_t n = sizeof(struct aiotsec_prepared_key) + align16(cs) + ss;
    return (n + KEY_ALIGN - 1u) & ~(size_t)(KEY_ALIGN - 1u); /* aligned_alloc wants a multiple */
}

int aiotsec_prepared_key_new(aiotsec_prepared_key **out, const aiotsec_ctx *ctx,
                             const uint8_t *k_root, size_t k_root_len)
{
    if (!out || !ctx || !k_root)
        return AIOTSEC_E_NULL_ARG;
    *out = NULL;
    if (k_root_len != 16 && k_root_len != 32)
        return AIOTSEC_E_BAD_LENGTH;
    size_t ss = ctx->be.hmac_state_size;
    size_t cs = aiot_has_compact(ctx) ? ctx->be.hmac_compact_size : 0;
    _Static_assert(sizeof(struct aiotsec_prepared_key) % 16 == 0, "compact form and state must stay 16-aligned");
    struct aiotsec_prepared_key *k = aligned_alloc(KEY_ALIGN, key_bytes(ss, cs));
    if (!k)
        return AIOTSEC_E_NO_MEMORY;
    unsigned char *compact = (unsigned char *)(k + 1);
    k->state = compact + align16(cs);
    aiot_state st;
    int rc = aiot_hmac_init(ctx, &st, k_root, k_root_len);
    if (rc == AIOTSEC_OK && cs) {
        rc = aiot_map_backend(ctx->be.hmac_compact(ctx->be.user, compact, st.b));
        if (rc != AIOTSEC_OK)
            aiot_hmac_release(ctx, &st);
    }
    if (rc != AIOTSEC_OK) {
        aiotsec_wipe(k, key_bytes(ss, cs));
        free(k);
        return rc;
    }
    /* The state moves into the key (with any resource it owns, e.g. an OpenSSL handle). */
    memcpy(k->state, st.b, ss);
    aiotsec_wipe(st.b, ss);
    k->ctx = ctx;
    k->compact = cs ? compact : NULL;
    k->state_size = ss;
    *out = k;
    return AIOTSEC_OK;
}

void aiotsec_prepared_key_free(aiotsec_prepared_key *key)
{
    if (!key || key->state_size == 0) /* a view is its store's, never freed */
        return;
    const aiotsec_ctx *ctx = key->ctx;
    size_t cs = key->compact ? ctx->be.hmac_compact_size : 0;
    if (ctx->be.hmac_release)
        ctx->be.hmac_release(ctx->be.user, key->state);
    aiotsec_wipe(key, key_bytes(key->state_size, cs));
    free(key);
}

int aiot_compact_from_key(const aiotsec_ctx *ctx, const uint8_t *k_root, size_t k_root_len, void *compact)
{
    aiot_state st;
    int rc = aiot_hmac_init(ctx, &st, k_root, k_root_len);
    if (rc != AIOTSEC_OK)
        return rc;
    rc = aiot_map_backend(ctx->be.hmac_compact(ctx->be.user, compact, st.b));
    aiot_hmac_release(ctx, &st);
    return rc;
}

int aiot_prepared_hmac(const aiotsec_prepared_key *key, const uint8_t *msg, size_t msg_len, uint8_t mac[32])
{
    const aiotsec_ctx *ctx = key->ctx;
    if (key->compact) {
        const void *one[1] = {key->compact};
        return aiot_map_backend(ctx->be.hmac_batch_compact(ctx->be.user, one, msg, msg_len, 1, mac));
    }
    aiot_state st;
    int rc = aiot_hmac_copy_from(ctx, &st, key->state);
    return rc == AIOTSEC_OK ? aiot_hmac_update_final(ctx, &st, msg, msg_len, mac) : rc;
}

/* HMAC(prepared key, S(fc, RAND_n, RAND_d)) -> mac. */
static int prepared_mac(const aiotsec_prepared_key *key, uint16_t fc, const uint8_t *rand_n,
                        size_t rand_n_len, const uint8_t *rand_d, size_t rand_d_len, uint8_t mac[32])
{
    const aiotsec_ctx *ctx = key->ctx;
    if (!rand_n || !rand_d)
        return AIOTSEC_E_NULL_ARG;
    if (rand_n_len != ctx->profile.p.rand_n_len || rand_d_len != ctx->profile.p.rand_d_len)
        return AIOTSEC_E_BAD_LENGTH;
    uint8_t s[AIOT_S_RAND_MAX];
    size_t s_len = aiot_kdf_build_s_rand(fc, rand_n, rand_n_len, rand_d, rand_d_len, s, sizeof s);
    if (!s_len)
        return AIOTSEC_E_BAD_LENGTH;
    int rc = aiot_prepared_hmac(key, s, s_len, mac);
    aiotsec_wipe(s, sizeof s);
    return rc;
}

int aiotsec_prepared_derive_res(const aiotsec_prepared_key *key, const uint8_t *rand_n,
                                size_t rand_n_len, const uint8_t *rand_d, size_t rand_d_len,
                                uint8_t *res, size_t res_cap)
{
    if (!key || !res)
        return AIOTSEC_E_NULL_ARG;
    size_t res_len = key->ctx->profile.p.res_len;
    if (res_cap < res_len)
        return AIOTSEC_E_BUFFER_TOO_SMALL;
    uint8_t mac[32];
    int rc = prepared_mac(key, key->ctx->profile.p.fc_res, rand_n, rand_n_len, rand_d, rand_d_len, mac);
    if (rc == AIOTSEC_OK)
        memcpy(res, mac + sizeof mac - res_len, res_len);
    aiotsec_wipe(mac, sizeof mac);
    return rc;
}

int aiotsec_prepared_verify_res(const aiotsec_prepared_key *key, const uint8_t *rand_n,
                                size_t rand_n_len, const uint8_t *rand_d, size_t rand_d_len,
                                const uint8_t *res, size_t res_len)
{
    if (!key || !res)
        return AIOTSEC_E_NULL_ARG;
    if (res_len != key->ctx->profile.p.res_len)
        return AIOTSEC_E_BAD_LENGTH;
    uint8_t mac[32];
    int rc = prepared_mac(key, key->ctx->profile.p.fc_res, rand_n, rand_n_len, rand_d, rand_d_len, mac);
    if (rc == AIOTSEC_OK && !aiotsec_ct_equal(mac + sizeof mac - res_len, res, res_len))
        rc = AIOTSEC_E_AUTH_FAILED;
    aiotsec_wipe(mac, sizeof mac);
    return rc;
}

int aiotsec_prepared_derive_kaiotf(const aiotsec_prepared_key *key, const uint8_t *rand_n,
                                   size_t rand_n_len, const uint8_t *rand_d, size_t rand_d_len,
                                   uint8_t *kaiotf, size_t kaiotf_cap)
{
    if (!key || !kaiotf)
        return AIOTSEC_E_NULL_ARG;
    if (kaiotf_cap < AIOTSEC_KAIOTF_LEN)
        return AIOTSEC_E_BUFFER_TOO_SMALL;
    uint8_t mac[32];
    int rc = prepared_mac(key, key->ctx->profile.p.fc_kaiotf, rand_n, rand_n_len, rand_d, rand_d_len, mac);
    if (rc == AIOTSEC_OK)
        memcpy(kaiotf, mac + key->ctx->profile.p.kaiotf_offset, AIOTSEC_KAIOTF_LEN);
    aiotsec_wipe(mac, sizeof mac);
    return rc;
}
