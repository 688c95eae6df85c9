/* The device role: paging -> AUTHENTICATION RESPONSE, then verified commands on
 * a user memory. Everything lives in caller storage: the device struct, and
 * after it the NAS security context (aiotsec_nas_sec_statebytes() octets).
 *
 * Keys and midstates. Over a backend whose HMAC states are plain data
 * (hmac_copy NULL: portable, native, sodium) the device keeps K_AIOT_root only
 * as the HMAC state right after hmac_init, i.e. its inner and outer midstates,
 * from init until it is cleared or permanently disabled: RES_AIOT and K_AIOTF
 * then cost two SHA-256 blocks each instead of four. The security context of a
 * command procedure keeps K_NASint the same way (nas_security.c) from the first
 * COMMAND REQUEST until the procedure ends (a paging, PERMANENT_DISABLE, clear).
 * In the device-only build always (AIOT_KEEP_MIDSTATES); on the host other
 * backends (OpenSSL's states own heap memory) keep the key itself.
 *
 * Messages. The device builds its AUTHENTICATION RESPONSE and COMMAND RESPONSE
 * and parses its COMMAND REQUEST itself (parse_request), so that a tag links
 * neither the general encoder nor the general decoder of src/nas.
 *
 * Work buffers. A request that is not ciphered (NEA0) is verified and decoded
 * in place in the caller's input: no copy, no buffer. A ciphered one (NEA2,
 * only in builds with AES) is deciphered into a stack buffer of
 * AIOTSEC_DEVICE_MSG_MAX octets (65535, any profile's largest, on a host; the
 * tag's largest message in a device-only build, 2048 by default, where
 * aiotsec_device_init() refuses a profile allowing more), in a function of its
 * own so that the NEA0 path never reserves it. */
#include <string.h>

#include "core/internal.h"
#include "nas/nas_internal.h"
#include "aiotsec/device.h"
#include "aiotsec/filter.h"
#include "aiotsec/keystore.h"
#include "aiotsec/nas.h"
#include "aiotsec/nas_security.h"

#define DEVICE_MAGIC 0x41494456u /* "AIDV": catches uninitialised storage */
#define MEMORY_MAX 65536u        /* offsets are 16 bits on the wire */

/* The largest deciphered message. A tag's device-only build sets it to its own
 * largest message (fw/device-only.cmake, 2048 by default); a host build takes
 * the largest any profile may set, so every valid profile works there. */
#ifndef AIOTSEC_DEVICE_MSG_MAX
#ifdef AIOTSEC_DEVICE_ONLY
#define AIOTSEC_DEVICE_MSG_MAX 2048u
#else
#define AIOTSEC_DEVICE_MSG_MAX 65535u
#endif
#endif

/* The counters: 64 bits, or 32 bits (AIOTSEC_DEVICE_COUNTERS_32, the
 * device-only build's default: 64-bit arithmetic costs a Cortex-M0+ code and
 * RAM), widened when read. A 32-bit counter wraps after 2^32 events. */
#ifdef AIOTSEC_DEVICE_COUNTERS_32
typedef uint32_t dev_counter;
#else
typedef uint64_t dev_counter;
#endif

typedef struct dev_stats {
    dev_counter pagings, not_addressed, answered, aborted, commands_executed, commands_rejected;
} dev_stats;

/* Small fields first: a Cortex-M0+ loads a byte at an offset of at most 31 and a
 * word at most 124 in one instruction; the state slot and arrays come last. */
struct aiotsec_device {
    uint32_t magic;
    uint8_t state;
    uint8_t aborted;             /* last procedure ended by a paging that did not address us */
    uint8_t root_prepared;       /* k_root holds the midstates of K_AIOT_root */
    uint8_t k_root_len;
    uint8_t perm_id_len;
    unsigned int_alg, enc_alg;
    const aiotsec_ctx *ctx;
    uint8_t *memory;
    size_t memory_len, wp_offset, wp_len;
    aiotsec_device_rand_fn rand;
    void *rand_user;
    aiotsec_device_energy_fn energy;
    void *energy_user;
    aiotsec_nas_sec *sec;        /* into sec_mem while SECURED */
    dev_stats stats;
    uint8_t perm_id[AIOTSEC_ID_MAX];
    uint8_t rand_n[AIOTSEC_RAND_LEN], rand_d[AIOTSEC_RAND_LEN];
    /* K_AIOT_root: the HMAC state right after hmac_init (root_prepared), else
     * the k_root_len octets of the key. */
    aiot_state k_root;
    _Alignas(16) unsigned char sec_mem[];
};

_Static_assert(sizeof(struct aiotsec_device) + AIOT_NAS_SEC_BOUND <= AIOTSEC_DEVICE_STORAGE_SIZE,
               "AIOTSEC_DEVICE_STORAGE_SIZE must bound aiotsec_device_statebytes()");

size_t aiotsec_device_align(void)
{
    return AIOTSEC_DEVICE_ALIGN;
}

size_t aiotsec_device_statebytes(void)
{
    return sizeof(struct aiotsec_device) + aiotsec_nas_sec_statebytes();
}

size_t aiotsec_device_config_structbytes(void)
{
    return sizeof(aiotsec_device_config);
}

size_t aiotsec_device_stats_structbytes(void)
{
    return sizeof(aiotsec_device_stats);
}

int aiotsec_device_config_init(aiotsec_device_config *cfg, const aiotsec_ctx *ctx)
{
    if (!cfg || !ctx)
        return AIOTSEC_E_NULL_ARG;
    memset(cfg, 0, sizeof *cfg);
    cfg->struct_size = (uint32_t)sizeof *cfg;
    cfg->int_alg = ctx->profile.p.default_int_alg;
    cfg->enc_alg = ctx->profile.p.default_enc_alg;
    return AIOTSEC_OK;
}

static int valid(const aiotsec_device *d)
{
    return d && d->magic == DEVICE_MAGIC;
}

/* Ends the ongoing procedure: RAND values, K_AIOTF-derived keys and COUNTs go. */
static void end_procedure(aiotsec_device *d)
{
    if (d->sec) {
        aiotsec_nas_sec_clear(d->sec);
        d->sec = NULL;
    }
    aiotsec_wipe(d->rand_n, sizeof d->rand_n);
    aiotsec_wipe(d->rand_d, sizeof d->rand_d);
    if (d->state != AIOTSEC_DEVICE_DISABLED)
        d->state = AIOTSEC_DEVICE_IDLE;
}

/* Forgets K_AIOT_root (its midstates or the key). */
static void wipe_root(aiotsec_device *d)
{
    if (d->root_prepared)
        aiot_hmac_release(d->ctx, &d->k_root);
    d->root_prepared = 0;
    aiotsec_wipe(&d->k_root, sizeof d->k_root);
}

/* KDF(K_AIOT_root, fc, RAND_AIOT_n, RAND_AIOT_d) of A.2 / A.3 -> 32 octets:
 * S = FC || RAND_AIOT_n || L0 || RAND_AIOT_d || L1 is fed straight into a copy
 * of the midstates of K_AIOT_root (two SHA-256 blocks in all). */
static int root_kdf(const aiotsec_device *d, uint16_t fc, uint8_t mac[32])
{
    const aiotsec_ctx *ctx = d->ctx;
    aiot_state st;
    int rc;
    if (d->root_prepared) {
        rc = aiot_hmac_copy_from(ctx, &st, d->k_root.b);
    } else {
#ifndef AIOTSEC_DEVICE_ONLY
        rc = aiot_hmac_init(ctx, &st, d->k_root.b, d->k_root_len);
#else
        rc = AIOTSEC_E_BAD_STATE; /* unreachable: the device-only build always keeps midstates */
#endif
    }
    if (rc != AIOTSEC_OK)
        return rc;
    if ((rc = aiot_kdf_put_fc(ctx, &st, fc)) != AIOTSEC_OK ||
        (rc = aiot_kdf_put_param(ctx, &st, d->rand_n, aiotsec_derive_rand_n_bytes(ctx))) != AIOTSEC_OK ||
        (rc = aiot_kdf_put_param(ctx, &st, d->rand_d, aiotsec_derive_rand_d_bytes(ctx))) != AIOTSEC_OK) {
        aiot_hmac_release(ctx, &st);
        return rc;
    }
    return aiot_hmac_final(ctx, &st, mac);
}

int aiotsec_device_init(aiotsec_device **out, void *mem, size_t mem_len, const aiotsec_ctx *ctx,
                        const aiotsec_device_config *cfg)
{
    if (!out || !mem || !ctx || !cfg)
        return AIOTSEC_E_NULL_ARG;
    *out = NULL;
    if (mem_len < aiotsec_device_statebytes())
        return AIOTSEC_E_BUFFER_TOO_SMALL;
    if (((uintptr_t)mem % AIOTSEC_DEVICE_ALIGN) != 0 || cfg->struct_size != sizeof *cfg || !cfg->rand)
        return AIOTSEC_E_BAD_VALUE;
    if (!cfg->perm_id || !cfg->k_root || (!cfg->memory && cfg->memory_len))
        return AIOTSEC_E_NULL_ARG;
    if (cfg->perm_id_len == 0 || cfg->perm_id_len > AIOTSEC_ID_MAX ||
        (cfg->k_root_len != 16 && cfg->k_root_len != 32) || cfg->memory_len > MEMORY_MAX)
        return AIOTSEC_E_BAD_LENGTH;
    if (cfg->wp_len && (cfg->wp_offset > cfg->memory_len || cfg->wp_len > cfg->memory_len - cfg->wp_offset))
        return AIOTSEC_E_BAD_VALUE;
#if AIOT_NAS_HAVE_AES && AIOTSEC_DEVICE_MSG_MAX < 65535u /* else every profile fits */
    /* A ciphered command is deciphered into a buffer of this build's largest
     * message: a profile allowing longer ones would have the tag refuse valid
     * commands later, so the mismatch is refused now. */
    if (cfg->enc_alg != 0 && ctx->profile.p.nas_max_len > AIOTSEC_DEVICE_MSG_MAX)
        return AIOTSEC_E_BAD_PROFILE;
#endif
    aiotsec_device *d = mem;
    memset(d, 0, sizeof *d);
    d->ctx = ctx;
    if (!cfg->disabled) {
        if (AIOT_KEEP_MIDSTATES(ctx, 1)) {
            /* Plain-data states: keep the midstates of K_AIOT_root, not the key. */
            int rc = aiot_hmac_init(ctx, &d->k_root, cfg->k_root, cfg->k_root_len);
            if (rc != AIOTSEC_OK) {
                aiotsec_wipe(d, sizeof *d);
                return rc;
            }
            d->root_prepared = 1;
        } else {
            memcpy(d->k_root.b, cfg->k_root, cfg->k_root_len);
        }
    }
    d->magic = DEVICE_MAGIC;
    memcpy(d->perm_id, cfg->perm_id, cfg->perm_id_len);
    d->perm_id_len = (uint8_t)cfg->perm_id_len;
    d->k_root_len = (uint8_t)cfg->k_root_len;
    d->memory = cfg->memory;
    d->memory_len = cfg->memory_len;
    d->wp_offset = cfg->wp_offset;
    d->wp_len = cfg->wp_len;
    d->rand = cfg->rand;
    d->rand_user = cfg->rand_user;
    d->energy = cfg->energy;
    d->energy_user = cfg->energy_user;
    d->int_alg = cfg->int_alg;
    d->enc_alg = cfg->enc_alg;
    d->state = cfg->disabled ? AIOTSEC_DEVICE_DISABLED : AIOTSEC_DEVICE_IDLE;
    *out = d;
    return AIOTSEC_OK;
}

void aiotsec_device_clear(aiotsec_device *d)
{
    if (!valid(d))
        return;
    end_procedure(d);
    wipe_root(d);
    aiotsec_wipe(d, sizeof *d);
}

/* Whether the paging's identification information addresses this device:
 * AIOTSEC_OK (it does), AIOTSEC_E_NOT_ADDRESSED, or the error of a malformed paging. */
__attribute__((noinline)) static int addressed(const aiotsec_device *d, const uint8_t *perm_id, size_t perm_id_len,
                     const uint8_t *filter, size_t filter_len)
{
    if ((perm_id != NULL) == (filter != NULL))
        return AIOTSEC_E_BAD_VALUE;
    if (perm_id)
        return perm_id_len == d->perm_id_len && memcmp(perm_id, d->perm_id, perm_id_len) == 0
                   ? AIOTSEC_OK
                   : AIOTSEC_E_NOT_ADDRESSED;
    int match = 0;
    int rc = aiotsec_filter_match(aiotsec_ctx_profile(d->ctx), filter, filter_len, d->perm_id,
                                  d->perm_id_len, &match);
    if (rc != AIOTSEC_OK)
        return rc;
    return match ? AIOTSEC_OK : AIOTSEC_E_NOT_ADDRESSED;
}

/* What a paging's answer is made of, computed once the paging addresses the device. */
__attribute__((noinline)) static int answer_paging(aiotsec_device *d, const uint8_t *rand_n, uint8_t *out, size_t cap, size_t *out_len)
{
    size_t rn = aiotsec_derive_rand_n_bytes(d->ctx), rd = aiotsec_derive_rand_d_bytes(d->ctx);
    int rc = d->rand(d->rand_user, d->rand_d, rd);
    if (rc != AIOTSEC_OK)
        return rc < 0 ? rc : AIOTSEC_E_BACKEND_FAILURE;
    memcpy(d->rand_n, rand_n, rn);
    uint8_t mac[32];
    const aiotsec_profile_params *p = &d->ctx->profile.p;
    size_t res_len = p->res_len;
    (void)cap; /* checked by the caller: 3 + 1 + res_len + 1 + rd */
    rc = root_kdf(d, p->fc_res, mac);
    if (rc == AIOTSEC_OK) {
        /* AUTHENTICATION RESPONSE (spec 5.3): RES_AIOT, the (8 x RES length)
         * least significant bits (A.2), and RAND_AIOT_d, each LV. */
        out[0] = p->nas_epd;
        out[1] = AIOTSEC_NAS_SHT_PLAIN;
        out[2] = p->mt_auth_response;
        out[3] = (uint8_t)res_len;
        memcpy(out + 4, mac + sizeof mac - res_len, res_len);
        out[4 + res_len] = (uint8_t)rd;
        memcpy(out + 5 + res_len, d->rand_d, rd);
        *out_len = 5 + res_len + rd;
    }
    aiotsec_wipe(mac, sizeof mac);
    return rc;
}

int aiotsec_device_on_paging(aiotsec_device *d, const uint8_t *rand_n, size_t rand_n_len,
                             const uint8_t *perm_id, size_t perm_id_len, const uint8_t *filter,
                             size_t filter_len, uint8_t *out, size_t cap, size_t *out_len)
{
    if (out_len)
        *out_len = 0;
    if (!valid(d) || !rand_n || !out || !out_len)
        return AIOTSEC_E_NULL_ARG;
    if (d->state == AIOTSEC_DEVICE_DISABLED)
        return AIOTSEC_E_DEVICE_DISABLED;
    d->stats.pagings++;
    /* Any paging aborts the ongoing procedure, addressed or not (spec 1, step 3):
     * the behaviour is the same whoever sent it. */
    uint8_t was_busy = d->state != AIOTSEC_DEVICE_IDLE;
    d->stats.aborted += was_busy;
    end_procedure(d);
    int rc = addressed(d, perm_id, perm_id_len, filter, filter_len);
    if (rc != AIOTSEC_OK) {
        d->aborted |= was_busy;
        d->stats.not_addressed += rc == AIOTSEC_E_NOT_ADDRESSED;
        return rc;
    }
    d->aborted = 0;
    if (rand_n_len != aiotsec_derive_rand_n_bytes(d->ctx))
        return AIOTSEC_E_BAD_LENGTH;
    /* Room for EPD, header, type, and the two LV IEs: checked before the random draw. */
    if (cap < AIOTSEC_NAS_PLAIN_HDR_LEN + 2 + aiotsec_derive_res_bytes(d->ctx) + aiotsec_derive_rand_d_bytes(d->ctx))
        return AIOTSEC_E_BUFFER_TOO_SMALL;
    rc = answer_paging(d, rand_n, out, cap, out_len);
    if (rc != AIOTSEC_OK) {
        *out_len = 0;
        end_procedure(d);
        return rc;
    }
    d->state = AIOTSEC_DEVICE_AUTHENTICATING;
    d->stats.answered++;
    return AIOTSEC_OK;
}

/* First command of a procedure: K_AIOTF, algorithm keys, the security context. */
__attribute__((noinline)) static int establish(aiotsec_device *d)
{
    uint8_t mac[32];
    int rc = root_kdf(d, d->ctx->profile.p.fc_kaiotf, mac);
    /* K_AIOTF: 16 octets of the KDF output, where the profile says (A.3). */
    if (rc == AIOTSEC_OK)
        rc = aiotsec_nas_sec_init(&d->sec, d->sec_mem, aiotsec_nas_sec_statebytes(), d->ctx,
                                  mac + d->ctx->profile.p.kaiotf_offset, AIOTSEC_KAIOTF_LEN, d->int_alg,
                                  d->enc_alg, AIOTSEC_NAS_ROLE_DEVICE);
    aiotsec_wipe(mac, sizeof mac);
    if (rc != AIOTSEC_OK)
        d->sec = NULL;
    return rc;
}

/* A mandatory V field of n octets at *pos: absent entirely = missing IE, partly =
 * truncated (the rule of nas_decode.c). */
static int take(size_t len, size_t *pos, size_t n)
{
    size_t left = len - *pos;
    if (left == 0)
        return AIOTSEC_E_NAS_MISSING_IE;
    if (left < n)
        return AIOTSEC_E_NAS_TRUNCATED;
    *pos += n;
    return AIOTSEC_OK;
}

static unsigned be16(const uint8_t *b)
{
    return (unsigned)b[0] << 8 | b[1];
}

/* The COMMAND REQUEST (spec 5.3), the one message a device receives, with the
 * checks and statuses aiotsec_nas_decode() has for it, without the rest of the
 * codec: a tag links this instead of the whole decoder (tests/fw compares the
 * two on mutated messages). A verified message of another known type travels
 * the other way: AIOTSEC_E_WRONG_DIRECTION (the host build first gives the
 * decoder's status when that message is malformed, as before). m's views
 * point into in. */
static int parse_request(const aiotsec_profile *profile, const uint8_t *in, size_t len, aiotsec_nas_msg *m)
{
    const aiotsec_profile_params *p = &profile->p;
    memset(m, 0, sizeof *m);
    int rc, type = aiot_nas_plain_type(p, in, len);
    if (type < 0)
        return type;
    if (type != AIOTSEC_NAS_COMMAND_REQUEST) {
#ifndef AIOTSEC_DEVICE_ONLY
        rc = aiotsec_nas_decode(profile, in, len, m);
        memset(m, 0, sizeof *m);
        if (rc != AIOTSEC_OK)
            return rc;
#endif
        return AIOTSEC_E_WRONG_DIRECTION;
    }
    size_t pos = AIOTSEC_NAS_PLAIN_HDR_LEN;
    int cmd = 0;
    if ((rc = take(len, &pos, 1)) != AIOTSEC_OK) /* transaction ID */
        goto fail;
    if ((rc = take(len, &pos, 1)) != AIOTSEC_OK) /* command */
        goto fail;
    if ((rc = cmd = aiot_nas_cmd_from_wire(p, in[4])) < 0)
        goto fail;
    m->transaction_id = in[3];
    m->command = cmd;
    if (cmd != AIOTSEC_CMD_PERMANENT_DISABLE) {
        if ((rc = take(len, &pos, 2)) != AIOTSEC_OK)
            goto fail;
        m->offset = (uint16_t)be16(in + 5);
        if ((rc = take(len, &pos, 2)) != AIOTSEC_OK)
            goto fail;
        unsigned n = be16(in + 7); /* READ length, or WRITE data length (LV-E) */
        rc = AIOTSEC_E_NAS_BAD_IE_VALUE;
        if (n < 1 || n > p->nas_max_data_len)
            goto fail;
        if (cmd == AIOTSEC_CMD_READ) {
            m->length = (uint16_t)n;
        } else {
            rc = AIOTSEC_E_NAS_TRUNCATED;
            if (len - pos < n)
                goto fail;
            m->data = in + pos;
            m->data_len = n;
            pos += n;
        }
    }
    /* Optional IEs: none is known in a COMMAND REQUEST; each is skipped whole
     * (IEI 0x70..0x7F: TLV-E, else TLV). */
    while (pos < len) {
        size_t hlen = (in[pos] & 0xF0u) == 0x70u ? 3 : 2;
        rc = AIOTSEC_E_NAS_TRUNCATED;
        if (len - pos < hlen)
            goto fail;
        size_t n = hlen == 3 ? be16(in + pos + 1) : in[pos + 1];
        if (len - pos - hlen < n)
            goto fail;
        pos += hlen + n;
    }
    m->type = type;
    return AIOTSEC_OK;
fail:
    memset(m, 0, sizeof *m);
    return rc;
}

int aiot_device_parse_request(const aiotsec_profile *profile, const uint8_t *in, size_t len, aiotsec_nas_msg *m)
{
    return parse_request(profile, in, len, m);
}

/* Writes the COMMAND RESPONSE (spec 5.3) at out + 7 and protects it in place
 * (nothing is re-decoded: it is built here). Capacity first, as before anything
 * is acted on. */
static int respond(aiotsec_device *d, uint8_t tid, int status, const uint8_t *data, size_t data_len,
                   uint8_t *out, size_t cap, size_t *out_len)
{
    const aiotsec_profile_params *p = &d->ctx->profile.p;
    size_t plen = 5 + (data_len ? 3 + data_len : 0);
    if (cap < plen + AIOTSEC_NAS_PROTECTED_HDR_LEN)
        return AIOTSEC_E_BUFFER_TOO_SMALL;
    if (plen + AIOTSEC_NAS_PROTECTED_HDR_LEN > p->nas_max_len)
        return AIOTSEC_E_NAS_TOO_LONG;
    uint8_t *o = out + AIOTSEC_NAS_PROTECTED_HDR_LEN;
    o[0] = p->nas_epd;
    o[1] = AIOTSEC_NAS_SHT_PLAIN;
    o[2] = p->mt_command_response;
    o[3] = tid;
    o[4] = (uint8_t)aiot_nas_status_to_wire(p, status);
    if (data_len) {
        /* Read data: TLV-E (the profile check keeps its IEI in 0x70..0x7F). */
        o[5] = p->iei_read_data;
        o[6] = (uint8_t)(data_len >> 8);
        o[7] = (uint8_t)data_len;
        memcpy(o + 8, data, data_len);
    }
    int rc = aiot_nas_protect_in_place(d->sec, out, plen);
    if (rc == AIOTSEC_OK)
        *out_len = plen + AIOTSEC_NAS_PROTECTED_HDR_LEN;
    return rc;
}

/* What a verified command does to the memory, decided before anything changes. */
static int command_status(const aiotsec_device *d, const aiotsec_nas_msg *req)
{
    size_t off = req->offset, len = 0;
    switch (req->command) {
    case AIOTSEC_CMD_READ:
        if (off + req->length > d->memory_len)
            return AIOTSEC_CMD_STATUS_PARAMS_INVALID;
        len = req->length;
        break;
    case AIOTSEC_CMD_WRITE:
        if (off + req->data_len > d->memory_len)
            return AIOTSEC_CMD_STATUS_PARAMS_INVALID;
        if (d->wp_len && off < d->wp_offset + d->wp_len && d->wp_offset < off + req->data_len)
            return AIOTSEC_CMD_STATUS_PARAMS_INVALID; /* write-protected */
        len = req->data_len;
        break;
    case AIOTSEC_CMD_PERMANENT_DISABLE:
        break;
    default:
        return AIOTSEC_CMD_STATUS_MSG_TYPE_UNKNOWN;
    }
    if (d->energy && !d->energy(d->energy_user, req->command, len))
        return AIOTSEC_CMD_STATUS_LOW_ENERGY;
    return AIOTSEC_CMD_STATUS_SUCCESS;
}

/* A verified message that did not decode as a COMMAND REQUEST: the status to
 * answer it with (the transaction ID is octet 3), or 0 when it gets no answer
 * (a broken header, a message type that travels the other way, no octet 3). */
static int failure_status(const aiotsec_device *d, const uint8_t *plain, size_t len, int dec)
{
    const aiotsec_profile_params *p = &d->ctx->profile.p;
    if (len < AIOTSEC_NAS_PLAIN_HDR_LEN + 1)
        return 0;
    if (dec == AIOTSEC_E_NAS_BAD_TYPE)
        return AIOTSEC_CMD_STATUS_MSG_TYPE_UNKNOWN;
    if (plain[2] != p->mt_command_request)
        return 0;
    switch (dec) {
    case AIOTSEC_E_NAS_BAD_COMMAND:
        return AIOTSEC_CMD_STATUS_MSG_TYPE_UNKNOWN;
    case AIOTSEC_E_NAS_MISSING_IE:
    case AIOTSEC_E_NAS_BAD_IE_VALUE:
    case AIOTSEC_E_NAS_TRUNCATED:
        return AIOTSEC_CMD_STATUS_INVALID_MANDATORY;
    default:
        return 0;
    }
}

/* Decodes a verified plain message, acts on it and writes the protected
 * COMMAND RESPONSE. With out == in (NEA0) the response overwrites the start of
 * plain (the 7-octet header before it and the response body at plain[0..]): WRITE
 * data, which starts at plain + 9, is copied after the response is protected and
 * is still intact because a WRITE's response body is shorter than 9 octets. */
__attribute__((noinline)) static int handle(aiotsec_device *d, const uint8_t *plain, size_t plen, uint8_t *out, size_t cap,
                  size_t *out_len)
{
    aiotsec_nas_msg req;
    int status;
    uint8_t tid;
    const uint8_t *data = NULL;
    size_t data_len = 0;
    int dec = parse_request(aiotsec_ctx_profile(d->ctx), plain, plen, &req);
    if (dec == AIOTSEC_OK) {
        tid = req.transaction_id;
        status = command_status(d, &req);
    } else {
        /* Authentic but not executable: answered with the reason when it can be. */
        status = failure_status(d, plain, plen, dec);
        if (!status)
            return dec;
        tid = plain[AIOTSEC_NAS_PLAIN_HDR_LEN];
    }
    if (req.command == AIOTSEC_CMD_READ && status == AIOTSEC_CMD_STATUS_SUCCESS) {
        data = d->memory + req.offset;
        data_len = req.length;
    }
    int rc = respond(d, tid, status, data, data_len, out, cap, out_len);
    if (rc != AIOTSEC_OK) {
        *out_len = 0;
        return rc; /* nothing was acted on */
    }
    if (status == AIOTSEC_CMD_STATUS_SUCCESS && req.command == AIOTSEC_CMD_WRITE)
        memcpy(d->memory + req.offset, req.data, req.data_len);
    if (status == AIOTSEC_CMD_STATUS_SUCCESS && req.command == AIOTSEC_CMD_PERMANENT_DISABLE) {
        /* The response above is the last transmission; keys are of no further use. */
        end_procedure(d);
        wipe_root(d);
        d->state = AIOTSEC_DEVICE_DISABLED;
    }
    return AIOTSEC_OK;
}

#if AIOT_NAS_HAVE_AES
/* A ciphered request (NEA2): deciphered into a buffer of the tag's largest
 * message, on the stack of this function only. */
__attribute__((noinline)) static int on_ciphered(aiotsec_device *d, const uint8_t *in, size_t len,
                                                 uint8_t *out, size_t cap, size_t *out_len)
{
    uint8_t work[AIOTSEC_DEVICE_MSG_MAX];
    const uint8_t *plain = NULL;
    size_t plen = 0;
    int rc = aiot_nas_unprotect_view(d->sec, in, len, work, sizeof work, &plain, &plen);
    if (rc == AIOTSEC_E_BUFFER_TOO_SMALL)
        rc = AIOTSEC_E_NAS_TOO_LONG; /* longer than this build's largest message */
    if (rc == AIOTSEC_OK)
        rc = handle(d, plain, plen, out, cap, out_len);
    /* Deciphering writes at most the ciphertext's length: wipe that much, not
     * the whole buffer (64 KiB in a host build). */
    aiotsec_wipe(work, len < sizeof work ? len : sizeof work);
    return rc;
}
#endif

int aiotsec_device_on_command(aiotsec_device *d, const uint8_t *in, size_t len, uint8_t *out,
                              size_t cap, size_t *out_len)
{
    if (out_len)
        *out_len = 0;
    if (!valid(d) || !in || !out || !out_len)
        return AIOTSEC_E_NULL_ARG;
    if (d->state == AIOTSEC_DEVICE_DISABLED)
        return AIOTSEC_E_DEVICE_DISABLED;
    if (d->state == AIOTSEC_DEVICE_IDLE) {
        d->stats.commands_rejected++;
        return d->aborted ? AIOTSEC_E_ABORTED : AIOTSEC_E_BAD_STATE;
    }
    int rc = AIOTSEC_OK;
    if (d->state == AIOTSEC_DEVICE_AUTHENTICATING) {
        rc = establish(d);
        if (rc != AIOTSEC_OK) {
            d->stats.commands_rejected++;
            return rc;
        }
        d->state = AIOTSEC_DEVICE_SECURED;
    }
    /* COUNT and MAC before anything is deciphered, decoded or acted on. */
#if AIOT_NAS_HAVE_AES
    if (d->enc_alg != AIOTSEC_NEA0) {
        rc = on_ciphered(d, in, len, out, cap, out_len);
    } else
#endif
    {
        const uint8_t *plain = NULL;
        size_t plen = 0;
        rc = aiot_nas_unprotect_view(d->sec, in, len, NULL, 0, &plain, &plen);
        if (rc == AIOTSEC_OK)
            rc = handle(d, plain, plen, out, cap, out_len);
    }
    if (rc != AIOTSEC_OK)
        d->stats.commands_rejected++;
    else
        d->stats.commands_executed++;
    return rc;
}

int aiotsec_device_state_get(const aiotsec_device *d, aiotsec_device_state *state)
{
    if (!valid(d) || !state)
        return AIOTSEC_E_NULL_ARG;
    *state = (aiotsec_device_state)d->state;
    return AIOTSEC_OK;
}

int aiotsec_device_stats_get(const aiotsec_device *d, aiotsec_device_stats *out)
{
    if (!valid(d) || !out)
        return AIOTSEC_E_NULL_ARG;
    out->pagings = d->stats.pagings;
    out->not_addressed = d->stats.not_addressed;
    out->answered = d->stats.answered;
    out->aborted = d->stats.aborted;
    out->commands_executed = d->stats.commands_executed;
    out->commands_rejected = d->stats.commands_rejected;
    return AIOTSEC_OK;
}
