/* The AIOT NAS security context (spec 4 and 5.2): algorithm keys from K_AIOTF,
 * per-direction COUNTs, protect and verify-then-decode. A receiver checks the
 * security header, then COUNT freshness, then the MAC, and only then deciphers
 * or decodes; the receive COUNT advances only when all of them pass.
 *
 * AIA-HS keys: a device-role context over a backend whose HMAC states are plain
 * data (hmac_copy NULL) keeps the HMAC state of K_NASint right after hmac_init,
 * i.e. its inner and outer midstates, so a MAC over a short message costs two
 * SHA-256 blocks instead of four; the network role (thousands of contexts in an
 * AIOTF) and backends whose states hold resources keep the 32-octet key. The
 * AES states exist only in builds with AES (always on the host; on request,
 * AIOTSEC_WITH_AES, in the device-only build). */
#include <string.h>
#ifndef AIOTSEC_DEVICE_ONLY
#include <stdlib.h>
#endif

#include "aiotsec/nas_security.h"
#include "aiotsec/testing.h"
#include "nas/nas_algs_internal.h"
#include "nas/nas_internal.h"

#define SEC_MAGIC 0x4E415353u /* "NASS": a live context */
#define NAS_BEARER 0u         /* spec 4: BEARER = 0 */

_Static_assert(AIOTSEC_BACKEND_STATE_MAX >= AIOTSEC_AIA_HS_KEY_LEN, "a state slot holds K_NASint");

/* Small fields first (short offsets on a Cortex-M0+), the state slots last. */
struct aiotsec_nas_sec {
    const aiotsec_ctx *ctx;
    uint32_t magic;
    uint32_t tx_count; /* next COUNT to send; COUNT_MAX + 1 once exhausted */
    uint32_t rx_last;  /* highest COUNT accepted */
    uint8_t rx_any;    /* 0 until a message was accepted */
    uint8_t int_is_hs, int_prepared, int_aes_live, enc_aes_live;
    uint8_t enc_alg;
    uint8_t allocated;
    uint8_t role;
    /* K_NASint: 128-NIA2, the expanded AES key; AIA-HS, the HMAC state right
     * after hmac_init (int_prepared) or else the 32 octets of the key. */
    aiot_state int_st;
#if AIOT_NAS_HAVE_AES
    aiot_state enc_aes; /* expanded K_NASenc for 128-NEA2 */
#endif
};

_Static_assert(sizeof(struct aiotsec_nas_sec) <= AIOT_NAS_SEC_BOUND, "AIOT_NAS_SEC_BOUND");

size_t aiotsec_nas_sec_statebytes(void)
{
    return sizeof(struct aiotsec_nas_sec);
}

static int live(const aiotsec_nas_sec *sec)
{
    return sec && sec->magic == SEC_MAGIC;
}

static void wipe_sec(aiotsec_nas_sec *sec)
{
    if (sec->int_prepared)
        aiot_hmac_release(sec->ctx, &sec->int_st);
#if AIOT_NAS_HAVE_AES
    if (sec->int_aes_live)
        aiot_aes_release(sec->ctx, &sec->int_st);
    if (sec->enc_aes_live)
        aiot_aes_release(sec->ctx, &sec->enc_aes);
#endif
    aiotsec_wipe(sec, sizeof *sec);
}

/* An algorithm key (spec 3, after TS 33.501 A.8): all 256 bits of KDF(K_AIOTF,
 * FC = the profile's, P0 = distinguisher, P1 = algorithm identity). The
 * derivation of aiotsec_derive_alg_key(), composed from the KDF's own pieces
 * (kdf.c) so that a tag links no general KDF; the vectors check both. The HMAC
 * runs in st, the context's slot the key goes to next: no state on the stack. */
static int alg_key(const aiotsec_ctx *ctx, aiot_state *st, const uint8_t *kaiotf, uint8_t dist, unsigned alg_id,
                   uint8_t out[32])
{
    uint8_t id = (uint8_t)alg_id;
    int rc = aiot_hmac_init(ctx, st, kaiotf, AIOTSEC_KAIOTF_LEN);
    if (rc != AIOTSEC_OK)
        return rc;
    if ((rc = aiot_kdf_put_fc(ctx, st, ctx->profile.p.fc_alg_key)) != AIOTSEC_OK ||
        (rc = aiot_kdf_put_param(ctx, st, &dist, 1)) != AIOTSEC_OK ||
        (rc = aiot_kdf_put_param(ctx, st, &id, 1)) != AIOTSEC_OK) {
        aiot_hmac_release(ctx, st);
        return rc;
    }
    return aiot_hmac_final(ctx, st, out);
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
#if !AIOT_NAS_HAVE_AES
    /* This build has no AES (device-only without AIOTSEC_WITH_AES). */
    if (int_alg == AIOTSEC_NIA2 || enc_alg == AIOTSEC_NEA2)
        return AIOTSEC_E_UNSUPPORTED;
#endif
    memset(s, 0, sizeof *s);
    s->ctx = ctx;
    s->role = (uint8_t)role;
    s->enc_alg = (uint8_t)enc_alg;
    s->int_is_hs = int_alg == p->alg_id_aia_hs;
    uint8_t key[32];
    int rc = alg_key(ctx, &s->int_st, kaiotf, p->alg_dist_int, int_alg, key);
    if (rc != AIOTSEC_OK)
        goto out;
    if (s->int_is_hs) {
        if (AIOT_KEEP_MIDSTATES(ctx, role == AIOTSEC_NAS_ROLE_DEVICE)) {
            /* The midstates of K_NASint: every MAC starts from a copy. */
            if ((rc = aiot_hmac_init(ctx, &s->int_st, key, AIOTSEC_AIA_HS_KEY_LEN)) != AIOTSEC_OK)
                goto out;
            s->int_prepared = 1;
        } else {
            memcpy(s->int_st.b, key, AIOTSEC_AIA_HS_KEY_LEN);
        }
    }
#if AIOT_NAS_HAVE_AES
    else {
        /* 128-bit algorithms take the 128 least significant bits. */
        if ((rc = aiot_aes_init(ctx, &s->int_st, key + 16)) != AIOTSEC_OK)
            goto out;
        s->int_aes_live = 1;
    }
    if (enc_alg == AIOTSEC_NEA2) {
        rc = alg_key(ctx, &s->enc_aes, kaiotf, p->alg_dist_enc, enc_alg, key);
        if (rc != AIOTSEC_OK)
            goto out;
        if ((rc = aiot_aes_init(ctx, &s->enc_aes, key + 16)) != AIOTSEC_OK)
            goto out;
        s->enc_aes_live = 1;
    }
#endif
    s->magic = SEC_MAGIC;
out:
    aiotsec_wipe(key, sizeof key);
    if (rc != AIOTSEC_OK)
        wipe_sec(s);
    return rc;
}

int aiotsec_nas_sec_init(aiotsec_nas_sec **out, void *mem, size_t mem_len, const aiotsec_ctx *ctx,
                         const uint8_t *kaiotf, size_t kaiotf_len, unsigned int_alg, unsigned enc_alg,
                         aiotsec_nas_role role)
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

#ifndef AIOTSEC_DEVICE_ONLY
int aiotsec_nas_sec_new(aiotsec_nas_sec **out, const aiotsec_ctx *ctx, const uint8_t *kaiotf,
                        size_t kaiotf_len, unsigned int_alg, unsigned enc_alg, aiotsec_nas_role role)
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

void aiotsec_nas_sec_free(aiotsec_nas_sec *sec)
{
    if (!live(sec))
        return;
    int allocated = sec->allocated;
    wipe_sec(sec);
    if (allocated)
        free(sec);
}
#endif /* !AIOTSEC_DEVICE_ONLY */

void aiotsec_nas_sec_clear(aiotsec_nas_sec *sec)
{
    if (live(sec))
        wipe_sec(sec);
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

/* AIA-HS from the midstates of K_NASint: the first 4 octets of HMAC(K_NASint,
 * HDR || MESSAGE) (spec 4), starting from a copy of the prepared state. */
static int aia_hs_prepared(const aiotsec_nas_sec *sec, uint32_t count, unsigned dir, const uint8_t *m,
                           size_t len, uint8_t mac[AIOTSEC_NAS_MAC_LEN])
{
    const aiotsec_ctx *ctx = sec->ctx;
    aiot_state st;
    uint8_t hdr[8], full[32];
    aiot_nas_alg_hdr(hdr, count, NAS_BEARER, dir);
    int rc = aiot_hmac_copy_from(ctx, &st, sec->int_st.b);
    if (rc != AIOTSEC_OK)
        return rc;
    if ((rc = aiot_hmac_update(ctx, &st, hdr, sizeof hdr)) != AIOTSEC_OK ||
        (rc = aiot_hmac_update(ctx, &st, m, len)) != AIOTSEC_OK) {
        aiot_hmac_release(ctx, &st);
        return rc;
    }
    rc = aiot_hmac_final(ctx, &st, full);
    if (rc == AIOTSEC_OK)
        memcpy(mac, full, AIOTSEC_NAS_MAC_LEN);
    aiotsec_wipe(full, sizeof full);
    return rc;
}

/* MAC over MESSAGE = SQN || (ciphered) plain message, as TS 24.501 4.4.3.3. */
static int compute_mac(const aiotsec_nas_sec *sec, uint32_t count, unsigned dir, const uint8_t *m,
                       size_t len, uint8_t mac[AIOTSEC_NAS_MAC_LEN])
{
    if (sec->int_prepared)
        return aia_hs_prepared(sec, count, dir, m, len, mac);
#ifndef AIOTSEC_DEVICE_ONLY
    if (sec->int_is_hs)
        return aiot_aia_hs_mac(sec->ctx, sec->int_st.b, count, NAS_BEARER, dir, m, len, mac);
#endif
#if AIOT_NAS_HAVE_AES
    return aiot_nia2_state(sec->ctx, &sec->int_st, count, NAS_BEARER, dir, m, len * 8, mac);
#else
    return AIOTSEC_E_UNSUPPORTED; /* unreachable: setup() refused NIA2 */
#endif
}

static int expected_sht(const aiotsec_nas_sec *sec)
{
    return sec->enc_alg != AIOTSEC_NEA0 ? AIOTSEC_NAS_SHT_INTEGRITY_CIPHERED : AIOTSEC_NAS_SHT_INTEGRITY;
}

/* Protects the plain message of plain_len octets already at out + 7 with the
 * send COUNT (header, SQN, NEA2, MAC) and advances it. The size checks are the
 * caller's. */
static int protect_at(aiotsec_nas_sec *sec, uint8_t *out, size_t plain_len)
{
    if (sec->tx_count > AIOTSEC_NAS_COUNT_MAX)
        return AIOTSEC_E_COUNT_EXHAUSTED;
    uint32_t count = sec->tx_count;
    unsigned dir = tx_dir(sec);
    int rc;
    out[0] = sec->ctx->profile.p.nas_epd;
    out[1] = (uint8_t)expected_sht(sec);
    out[6] = (uint8_t)count;
#if AIOT_NAS_HAVE_AES
    uint8_t *body = out + AIOTSEC_NAS_PROTECTED_HDR_LEN;
    if (sec->enc_alg == AIOTSEC_NEA2 &&
        (rc = aiot_nea2_state(sec->ctx, &sec->enc_aes, count, NAS_BEARER, dir, body, plain_len * 8, body)))
        goto fail;
#endif
    if ((rc = compute_mac(sec, count, dir, out + 6, plain_len + 1, out + 2)) != AIOTSEC_OK)
        goto fail;
    sec->tx_count = count + 1;
    return AIOTSEC_OK;
fail:
    aiotsec_wipe(out, plain_len + AIOTSEC_NAS_PROTECTED_HDR_LEN);
    return rc;
}

int aiot_nas_protect_in_place(aiotsec_nas_sec *sec, uint8_t *out, size_t plain_len)
{
    if (!live(sec))
        return AIOTSEC_E_NULL_ARG;
    return protect_at(sec, out, plain_len);
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
    /* memmove: the result is correct even if the caller's buffers overlap. */
    memmove(out + AIOTSEC_NAS_PROTECTED_HDR_LEN, plain, plain_len);
    return protect_at(sec, out, plain_len);
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

/* The checks of a receiver before anything is deciphered or decoded: the header,
 * the security header type of this context, COUNT freshness, then the MAC. On
 * success *count is the COUNT to commit with commit_rx(). With cap_needed, a
 * plain buffer of cap octets must hold the payload (checked before COUNT). */
static int verify(const aiotsec_nas_sec *sec, const uint8_t *in, size_t len, int cap_needed, size_t cap,
                  aiotsec_nas_protected_hdr *h, uint32_t *count, size_t *plain_len)
{
    int rc = aiotsec_nas_parse_protected(&sec->ctx->profile, in, len, h);
    if (rc != AIOTSEC_OK)
        return rc;
    /* The security header type is outside the MAC: it must be the one this context uses. */
    if ((int)h->sht != expected_sht(sec))
        return AIOTSEC_E_NAS_BAD_SHT;
    *plain_len = h->payload_len;
    if (cap_needed && cap < h->payload_len)
        return AIOTSEC_E_BUFFER_TOO_SMALL;
    int64_t c = rx_count(sec, h->sqn);
    if (c < 0)
        return (int)c;
    uint8_t mac[AIOTSEC_NAS_MAC_LEN];
    if ((rc = compute_mac(sec, (uint32_t)c, rx_dir(sec), in + 6, len - 6, mac)) != AIOTSEC_OK)
        return rc;
    if (!aiotsec_ct_equal(mac, h->mac, sizeof mac))
        return AIOTSEC_E_MAC_MISMATCH;
    *count = (uint32_t)c;
    return AIOTSEC_OK;
}

/* Deciphers (NEA2) n octets from src into dst (which may be src) with the receive direction. */
static int decipher(const aiotsec_nas_sec *sec, uint32_t count, const uint8_t *src, size_t n, uint8_t *dst)
{
#if AIOT_NAS_HAVE_AES
    if (sec->enc_alg == AIOTSEC_NEA2) {
        int rc = aiot_nea2_state(sec->ctx, &sec->enc_aes, count, NAS_BEARER, rx_dir(sec), src, n * 8, dst);
        if (rc != AIOTSEC_OK)
            aiotsec_wipe(dst, n);
        return rc;
    }
#else
    (void)sec;
    (void)count;
#endif
    if (dst != src)
        memmove(dst, src, n);
    return AIOTSEC_OK;
}

static void commit_rx(aiotsec_nas_sec *sec, uint32_t count)
{
    sec->rx_last = count;
    sec->rx_any = 1;
}

int aiotsec_nas_unprotect(aiotsec_nas_sec *sec, const uint8_t *in, size_t len, uint8_t *plain_out,
                          size_t cap, size_t *plain_len)
{
    if (!live(sec) || !in || !plain_out || !plain_len)
        return AIOTSEC_E_NULL_ARG;
    *plain_len = 0;
    aiotsec_nas_protected_hdr h;
    uint32_t count = 0;
    int rc = verify(sec, in, len, 1, cap, &h, &count, plain_len);
    if (rc == AIOTSEC_OK)
        rc = decipher(sec, count, h.payload, h.payload_len, plain_out);
    if (rc == AIOTSEC_OK)
        commit_rx(sec, count);
    return rc;
}

int aiot_nas_unprotect_view(aiotsec_nas_sec *sec, const uint8_t *in, size_t len, uint8_t *buf, size_t cap,
                            const uint8_t **plain, size_t *plain_len)
{
    *plain = NULL;
    *plain_len = 0;
    if (!live(sec))
        return AIOTSEC_E_NULL_ARG;
    aiotsec_nas_protected_hdr h;
    uint32_t count = 0;
    int ciphered = sec->enc_alg != AIOTSEC_NEA0;
    int rc = verify(sec, in, len, ciphered, cap, &h, &count, plain_len);
    if (rc != AIOTSEC_OK)
        return rc;
    *plain = h.payload; /* NEA0: verified in place, nothing copied */
#if AIOT_NAS_HAVE_AES
    if (ciphered) {
        if ((rc = decipher(sec, count, h.payload, h.payload_len, buf)) != AIOTSEC_OK)
            return rc;
        *plain = buf;
    }
#else
    (void)buf;
#endif
    commit_rx(sec, count);
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
