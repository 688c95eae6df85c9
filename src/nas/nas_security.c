/* The AIOT NAS security context (spec 4 and 5.2): algorithm keys from K_AIOTF,
 * per-direction COUNTs, protect and verify-then-decode. A receiver checks the
 * security header, then COUNT freshness, then the MAC, and only then deciphers
 * or decodes; the receive COUNT advances only when all of them pass. */
#include <stdlib.h>
#include <string.h>

#include "aiotsec/nas_security.h"
#include "nas/nas_algs_internal.h"
#include "nas/nas_internal.h"

#define SEC_MAGIC 0x4E415353u /* "NASS": a live context */
#define NAS_BEARER 0u         /* spec 4: BEARER = 0 */

struct aiotsec_nas_sec {
    aiot_state int_aes; /* expanded K_NASint for 128-NIA2 */
    aiot_state enc_aes; /* expanded K_NASenc for 128-NEA2 */
    uint8_t k_int_hs[AIOTSEC_AIA_HS_KEY_LEN]; /* K_NASint for AIA-HS */
    const aiotsec_ctx *ctx;
    uint32_t magic;
    uint32_t tx_count; /* next COUNT to send; COUNT_MAX + 1 once exhausted */
    uint32_t rx_last;  /* highest COUNT accepted */
    uint8_t rx_any;    /* 0 until a message was accepted */
    uint8_t int_is_hs, int_aes_live, enc_aes_live;
    uint8_t enc_alg;
    uint8_t allocated;
    int role;
};

size_t aiotsec_nas_sec_size(void)
{
    return sizeof(struct aiotsec_nas_sec);
}

static int live(const aiotsec_nas_sec *sec)
{
    return sec && sec->magic == SEC_MAGIC;
}

static void wipe_sec(aiotsec_nas_sec *sec)
{
    if (sec->int_aes_live)
        aiot_aes_release(sec->ctx, &sec->int_aes);
    if (sec->enc_aes_live)
        aiot_aes_release(sec->ctx, &sec->enc_aes);
    aiotsec_wipe(sec, sizeof *sec);
}

/* Keys for the chosen algorithms; refuses NIA0, unknown identities and AES
 * algorithms on a backend without AES (AIOTSEC_E_UNSUPPORTED from the backend). */
static int setup(aiotsec_nas_sec *s, const aiotsec_ctx *ctx, const uint8_t *kaiotf, size_t kaiotf_len,
                 unsigned int_alg, unsigned enc_alg, int role)
{
    const aiotsec_profile_params *p = &ctx->profile.p;
    if (role != AIOTSEC_NAS_ROLE_NETWORK && role != AIOTSEC_NAS_ROLE_DEVICE)
        return AIOTSEC_E_BAD_VALUE;
    if (kaiotf_len != AIOTSEC_KAIOTF_LEN)
        return AIOTSEC_E_BAD_LENGTH;
    if (int_alg == AIOTSEC_NIA0)
        return AIOTSEC_E_NIA0_REJECTED;
    if (int_alg != AIOTSEC_NIA2 && int_alg != p->alg_id_aia_hs)
        return AIOTSEC_E_UNKNOWN_ALG;
    if (enc_alg != AIOTSEC_NEA0 && enc_alg != AIOTSEC_NEA2)
        return AIOTSEC_E_UNKNOWN_ALG;
    memset(s, 0, sizeof *s);
    s->ctx = ctx;
    s->role = role;
    s->enc_alg = (uint8_t)enc_alg;
    s->int_is_hs = int_alg == p->alg_id_aia_hs;
    uint8_t key[AIOTSEC_ALG_KEY_MAX];
    size_t klen = 0;
    int rc = aiotsec_derive_alg_key(ctx, kaiotf, kaiotf_len, AIOTSEC_ALG_INT, int_alg, key, sizeof key, &klen);
    if (rc != AIOTSEC_OK)
        goto out;
    if (s->int_is_hs) {
        memcpy(s->k_int_hs, key, sizeof s->k_int_hs);
    } else {
        if ((rc = aiot_aes_init(ctx, &s->int_aes, key)) != AIOTSEC_OK)
            goto out;
        s->int_aes_live = 1;
    }
    if (enc_alg == AIOTSEC_NEA2) {
        rc = aiotsec_derive_alg_key(ctx, kaiotf, kaiotf_len, AIOTSEC_ALG_ENC, enc_alg, key, sizeof key, &klen);
        if (rc != AIOTSEC_OK)
            goto out;
        if ((rc = aiot_aes_init(ctx, &s->enc_aes, key)) != AIOTSEC_OK)
            goto out;
        s->enc_aes_live = 1;
    }
    s->magic = SEC_MAGIC;
out:
    aiotsec_wipe(key, sizeof key);
    if (rc != AIOTSEC_OK)
        wipe_sec(s);
    return rc;
}

int aiotsec_nas_sec_init(aiotsec_nas_sec **out, void *mem, size_t mem_len, const aiotsec_ctx *ctx,
                         const uint8_t *kaiotf, size_t kaiotf_len, unsigned int_alg, unsigned enc_alg,
                         int role)
{
    if (!out || !mem || !ctx || !kaiotf)
        return AIOTSEC_E_NULL_ARG;
    *out = NULL;
    if (mem_len < sizeof(struct aiotsec_nas_sec))
        return AIOTSEC_E_BUFFER_TOO_SMALL;
    if ((uintptr_t)mem % AIOTSEC_NAS_SEC_ALIGN)
        return AIOTSEC_E_BAD_VALUE;
    aiotsec_nas_sec *s = mem;
    int rc = setup(s, ctx, kaiotf, kaiotf_len, int_alg, enc_alg, role);
    if (rc == AIOTSEC_OK)
        *out = s;
    return rc;
}

int aiotsec_nas_sec_new(aiotsec_nas_sec **out, const aiotsec_ctx *ctx, const uint8_t *kaiotf,
                        size_t kaiotf_len, unsigned int_alg, unsigned enc_alg, int role)
{
    if (!out || !ctx || !kaiotf)
        return AIOTSEC_E_NULL_ARG;
    *out = NULL;
    aiotsec_nas_sec *s = aligned_alloc(_Alignof(struct aiotsec_nas_sec), sizeof *s);
    if (!s)
        return AIOTSEC_E_NO_MEMORY;
    int rc = setup(s, ctx, kaiotf, kaiotf_len, int_alg, enc_alg, role);
    if (rc != AIOTSEC_OK) {
        free(s);
        return rc;
    }
    s->allocated = 1;
    *out = s;
    return AIOTSEC_OK;
}

void aiotsec_nas_sec_clear(aiotsec_nas_sec *sec)
{
    if (live(sec))
        wipe_sec(sec);
}

void aiotsec_nas_sec_free(aiotsec_nas_sec *sec)
{
    if (!live(sec))
        return;
    int allocated = sec->allocated;
    wipe_sec(sec);
    if (allocated)
        free(sec);
}

int aiotsec_nas_sec_set_tx_count(aiotsec_nas_sec *sec, uint32_t count)
{
    if (!live(sec))
        return AIOTSEC_E_NULL_ARG;
    if (count > AIOTSEC_NAS_COUNT_MAX)
        return AIOTSEC_E_BAD_VALUE;
    sec->tx_count = count;
    return AIOTSEC_OK;
}

int aiotsec_nas_sec_set_rx_last_count(aiotsec_nas_sec *sec, uint32_t count)
{
    if (!live(sec))
        return AIOTSEC_E_NULL_ARG;
    if (count > AIOTSEC_NAS_COUNT_MAX)
        return AIOTSEC_E_BAD_VALUE;
    sec->rx_last = count;
    sec->rx_any = 1;
    return AIOTSEC_OK;
}

int aiotsec_nas_sec_tx_count(const aiotsec_nas_sec *sec, uint32_t *count)
{
    if (!live(sec) || !count)
        return AIOTSEC_E_NULL_ARG;
    *count = sec->tx_count;
    return AIOTSEC_OK;
}

int aiotsec_nas_sec_rx_last_count(const aiotsec_nas_sec *sec, uint32_t *count)
{
    if (!live(sec) || !count)
        return AIOTSEC_E_NULL_ARG;
    *count = sec->rx_last;
    return sec->rx_any ? AIOTSEC_OK : AIOTSEC_E_BAD_STATE;
}

/* DIRECTION bit of what this context sends (network: R2D = 1) or receives. */
static unsigned tx_dir(const aiotsec_nas_sec *sec)
{
    return sec->role == AIOTSEC_NAS_ROLE_NETWORK ? 1u : 0u;
}

static unsigned rx_dir(const aiotsec_nas_sec *sec)
{
    return 1u - tx_dir(sec);
}

/* MAC over MESSAGE = SQN || (ciphered) plain message, as TS 24.501 4.4.3.3. */
static int compute_mac(const aiotsec_nas_sec *sec, uint32_t count, unsigned dir, const uint8_t *m,
                       size_t len, uint8_t mac[AIOTSEC_NAS_MAC_LEN])
{
    if (sec->int_is_hs)
        return aiot_aia_hs_mac(sec->ctx, sec->k_int_hs, count, NAS_BEARER, dir, m, len, mac);
    return aiot_nia2_state(sec->ctx, &sec->int_aes, count, NAS_BEARER, dir, m, len * 8, mac);
}

static int expected_sht(const aiotsec_nas_sec *sec)
{
    return sec->enc_alg != AIOTSEC_NEA0 ? AIOTSEC_NAS_SHT_INTEGRITY_CIPHERED : AIOTSEC_NAS_SHT_INTEGRITY;
}

int aiotsec_nas_protect(aiotsec_nas_sec *sec, const uint8_t *plain, size_t plain_len, uint8_t *out,
                        size_t cap, size_t *out_len)
{
    if (!live(sec) || !plain || !out || !out_len)
        return AIOTSEC_E_NULL_ARG;
    const aiotsec_profile_params *p = &sec->ctx->profile.p;
    *out_len = 0;
    aiotsec_nas_msg m;
    int rc = aiotsec_nas_decode(&sec->ctx->profile, plain, plain_len, &m);
    if (rc != AIOTSEC_OK)
        return rc;
    if (aiot_nas_type_is_r2d(m.type) != (sec->role == AIOTSEC_NAS_ROLE_NETWORK))
        return AIOTSEC_E_WRONG_DIRECTION;
    size_t need = plain_len + AIOTSEC_NAS_PROTECTED_HDR_LEN;
    if (need > p->nas_max_len)
        return AIOTSEC_E_NAS_TOO_LONG;
    *out_len = need;
    if (cap < need)
        return AIOTSEC_E_BUFFER_TOO_SMALL;
    if (sec->tx_count > AIOTSEC_NAS_COUNT_MAX)
        return AIOTSEC_E_COUNT_EXHAUSTED;
    uint32_t count = sec->tx_count;
    unsigned dir = tx_dir(sec);
    /* memmove: the result is correct even if the caller's buffers overlap. */
    memmove(out + AIOTSEC_NAS_PROTECTED_HDR_LEN, plain, plain_len);
    out[0] = p->nas_epd;
    out[1] = (uint8_t)expected_sht(sec);
    out[6] = (uint8_t)count;
    uint8_t *body = out + AIOTSEC_NAS_PROTECTED_HDR_LEN;
    if (sec->enc_alg == AIOTSEC_NEA2 &&
        (rc = aiot_nea2_state(sec->ctx, &sec->enc_aes, count, NAS_BEARER, dir, body, plain_len * 8, body)))
        goto fail;
    if ((rc = compute_mac(sec, count, dir, out + 6, plain_len + 1, out + 2)) != AIOTSEC_OK)
        goto fail;
    sec->tx_count = count + 1;
    return AIOTSEC_OK;
fail:
    aiotsec_wipe(out, need);
    return rc;
}

int aiotsec_nas_protect_msg(aiotsec_nas_sec *sec, const aiotsec_nas_msg *msg, uint8_t *out, size_t cap,
                            size_t *out_len)
{
    if (!live(sec) || !msg || !out || !out_len)
        return AIOTSEC_E_NULL_ARG;
    *out_len = 0;
    size_t plen = 0;
    /* Encode straight into place after the header, then protect in place. */
    int rc = aiotsec_nas_encode(&sec->ctx->profile, msg, NULL, 0, &plen);
    if (rc != AIOTSEC_OK && rc != AIOTSEC_E_BUFFER_TOO_SMALL)
        return rc;
    size_t need = plen + AIOTSEC_NAS_PROTECTED_HDR_LEN;
    if (cap < need) {
        *out_len = need;
        return AIOTSEC_E_BUFFER_TOO_SMALL;
    }
    rc = aiotsec_nas_encode(&sec->ctx->profile, msg, out + AIOTSEC_NAS_PROTECTED_HDR_LEN,
                            cap - AIOTSEC_NAS_PROTECTED_HDR_LEN, &plen);
    if (rc != AIOTSEC_OK)
        return rc;
    return aiotsec_nas_protect(sec, out + AIOTSEC_NAS_PROTECTED_HDR_LEN, plen, out, cap, out_len);
}

/* Rebuilds COUNT from the received SQN (spec 4): an SQN below the last one
 * accepted means OVERFLOW + 1. Returns the COUNT or a negative status. */
static int64_t rx_count(const aiotsec_nas_sec *sec, uint8_t sqn)
{
    if (!sec->rx_any)
        return sqn;
    uint32_t overflow = sec->rx_last >> 8;
    if (sqn < (sec->rx_last & 0xFFu))
        overflow++;
    if (overflow > (AIOTSEC_NAS_COUNT_MAX >> 8))
        return AIOTSEC_E_COUNT_EXHAUSTED;
    uint32_t count = overflow << 8 | sqn;
    if (count <= sec->rx_last)
        return AIOTSEC_E_REPLAY;
    return count;
}

int aiotsec_nas_unprotect(aiotsec_nas_sec *sec, const uint8_t *in, size_t len, uint8_t *plain_out,
                          size_t cap, size_t *plain_len)
{
    if (!live(sec) || !in || !plain_out || !plain_len)
        return AIOTSEC_E_NULL_ARG;
    *plain_len = 0;
    aiotsec_nas_protected_hdr h;
    int rc = aiotsec_nas_parse_protected(&sec->ctx->profile, in, len, &h);
    if (rc != AIOTSEC_OK)
        return rc;
    /* The security header type is outside the MAC: it must be the one this context uses. */
    if (h.sht != expected_sht(sec))
        return AIOTSEC_E_NAS_BAD_SHT;
    *plain_len = h.payload_len;
    if (cap < h.payload_len)
        return AIOTSEC_E_BUFFER_TOO_SMALL;
    int64_t count = rx_count(sec, h.sqn);
    if (count < 0)
        return (int)count;
    unsigned dir = rx_dir(sec);
    uint8_t mac[AIOTSEC_NAS_MAC_LEN];
    if ((rc = compute_mac(sec, (uint32_t)count, dir, in + 6, len - 6, mac)) != AIOTSEC_OK)
        return rc;
    if (!aiotsec_ct_equal(mac, h.mac, sizeof mac))
        return AIOTSEC_E_MAC_MISMATCH;
    memmove(plain_out, h.payload, h.payload_len);
    if (sec->enc_alg == AIOTSEC_NEA2 &&
        (rc = aiot_nea2_state(sec->ctx, &sec->enc_aes, (uint32_t)count, NAS_BEARER, dir, plain_out,
                              h.payload_len * 8, plain_out)) != AIOTSEC_OK) {
        aiotsec_wipe(plain_out, h.payload_len);
        return rc;
    }
    sec->rx_last = (uint32_t)count;
    sec->rx_any = 1;
    return AIOTSEC_OK;
}

int aiotsec_nas_verify_decode(aiotsec_nas_sec *sec, const uint8_t *in, size_t len, uint8_t *work,
                              size_t work_cap, aiotsec_nas_msg *msg)
{
    if (!live(sec) || !in || !work || !msg)
        return AIOTSEC_E_NULL_ARG;
    memset(msg, 0, sizeof *msg);
    size_t plen = 0;
    int rc = aiotsec_nas_unprotect(sec, in, len, work, work_cap, &plen);
    if (rc != AIOTSEC_OK)
        return rc;
    if ((rc = aiotsec_nas_decode(&sec->ctx->profile, work, plen, msg)) != AIOTSEC_OK)
        return rc;
    /* The network receives only D2R types, the device only R2D types. */
    if (aiot_nas_type_is_r2d(msg->type) != (sec->role == AIOTSEC_NAS_ROLE_DEVICE)) {
        memset(msg, 0, sizeof *msg);
        return AIOTSEC_E_WRONG_DIRECTION;
    }
    return AIOTSEC_OK;
}
