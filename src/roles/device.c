/* The device role: paging -> AUTHENTICATION RESPONSE, then verified commands on
 * a user memory. Everything lives in caller storage: the device struct, and
 * after it the NAS security context (aiotsec_nas_sec_size() octets). */
#include <string.h>

#include "core/internal.h"
#include "aiotsec/device.h"
#include "aiotsec/filter.h"
#include "aiotsec/keystore.h"
#include "aiotsec/nas.h"
#include "aiotsec/nas_security.h"

#define DEVICE_MAGIC 0x41494456u /* "AIDV": catches uninitialised storage */
#define MEMORY_MAX 65536u        /* offsets are 16 bits on the wire */

struct aiotsec_device {
    uint32_t magic;
    int state;
    int aborted;                 /* last procedure ended by a paging that did not address us */
    const aiotsec_ctx *ctx;
    uint8_t perm_id[AIOTSEC_ID_MAX];
    size_t perm_id_len;
    uint8_t k_root[AIOTSEC_KROOT_MAX];
    size_t k_root_len;
    uint8_t *memory;
    size_t memory_len, wp_offset, wp_len;
    aiotsec_device_rand_fn rand;
    void *rand_user;
    aiotsec_device_energy_fn energy;
    void *energy_user;
    unsigned int_alg, enc_alg;
    uint8_t rand_n[AIOTSEC_RAND_RES_MAX], rand_d[AIOTSEC_RAND_RES_MAX];
    size_t rand_n_len, rand_d_len;
    aiotsec_nas_sec *sec;        /* into sec_mem while SECURED */
    aiotsec_device_stats stats;
    _Alignas(16) unsigned char sec_mem[];
};

size_t aiotsec_device_align(void)
{
    return AIOTSEC_DEVICE_ALIGN;
}

size_t aiotsec_device_size(void)
{
    return sizeof(struct aiotsec_device) + aiotsec_nas_sec_size();
}

size_t aiotsec_device_config_size(void)
{
    return sizeof(aiotsec_device_config);
}

size_t aiotsec_device_stats_size(void)
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
    d->rand_n_len = d->rand_d_len = 0;
    if (d->state != AIOTSEC_DEVICE_DISABLED)
        d->state = AIOTSEC_DEVICE_IDLE;
}

int aiotsec_device_init(aiotsec_device **out, void *mem, size_t mem_len, const aiotsec_ctx *ctx,
                        const aiotsec_device_config *cfg)
{
    if (!out || !mem || !ctx || !cfg)
        return AIOTSEC_E_NULL_ARG;
    *out = NULL;
    if (mem_len < aiotsec_device_size())
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
    aiotsec_device *d = mem;
    memset(d, 0, sizeof *d);
    d->magic = DEVICE_MAGIC;
    d->ctx = ctx;
    memcpy(d->perm_id, cfg->perm_id, cfg->perm_id_len);
    d->perm_id_len = cfg->perm_id_len;
    memcpy(d->k_root, cfg->k_root, cfg->k_root_len);
    d->k_root_len = cfg->k_root_len;
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
    if (cfg->disabled)
        aiotsec_wipe(d->k_root, sizeof d->k_root);
    *out = d;
    return AIOTSEC_OK;
}

void aiotsec_device_clear(aiotsec_device *d)
{
    if (!valid(d))
        return;
    end_procedure(d);
    aiotsec_wipe(d, sizeof *d);
}

/* Whether the paging's identification information addresses this device:
 * AIOTSEC_OK (it does), AIOTSEC_E_NOT_ADDRESSED, or the error of a malformed paging. */
static int addressed(const aiotsec_device *d, const uint8_t *perm_id, size_t perm_id_len,
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
    int was_busy = d->state != AIOTSEC_DEVICE_IDLE;
    if (was_busy)
        d->stats.aborted++;
    end_procedure(d);
    int rc = addressed(d, perm_id, perm_id_len, filter, filter_len);
    if (rc != AIOTSEC_OK) {
        d->aborted = was_busy || d->aborted;
        if (rc == AIOTSEC_E_NOT_ADDRESSED)
            d->stats.not_addressed++;
        return rc;
    }
    d->aborted = 0;
    size_t rn = aiotsec_rand_n_len(d->ctx), rd = aiotsec_rand_d_len(d->ctx);
    if (rand_n_len != rn)
        return AIOTSEC_E_BAD_LENGTH;
    /* Room for EPD, header, type, and the two LV IEs: checked before the random draw. */
    if (cap < AIOTSEC_NAS_PLAIN_HDR_LEN + 2 + aiotsec_res_len(d->ctx) + rd)
        return AIOTSEC_E_BUFFER_TOO_SMALL;
    rc = d->rand(d->rand_user, d->rand_d, rd);
    if (rc != AIOTSEC_OK)
        return rc < 0 ? rc : AIOTSEC_E_BACKEND_FAILURE;
    uint8_t res[AIOTSEC_RAND_RES_MAX];
    size_t res_len = aiotsec_res_len(d->ctx);
    rc = aiotsec_derive_res(d->ctx, d->k_root, d->k_root_len, rand_n, rn, d->rand_d, rd, res, sizeof res);
    if (rc == AIOTSEC_OK) {
        aiotsec_nas_msg m;
        memset(&m, 0, sizeof m);
        m.type = AIOTSEC_NAS_AUTH_RESPONSE;
        m.res = res;
        m.res_len = res_len;
        m.rand_d = d->rand_d;
        m.rand_d_len = rd;
        rc = aiotsec_nas_encode(aiotsec_ctx_profile(d->ctx), &m, out, cap, out_len);
    }
    aiotsec_wipe(res, sizeof res);
    if (rc != AIOTSEC_OK) {
        *out_len = 0;
        end_procedure(d);
        return rc;
    }
    memcpy(d->rand_n, rand_n, rn);
    d->rand_n_len = rn;
    d->rand_d_len = rd;
    d->state = AIOTSEC_DEVICE_AUTHENTICATING;
    d->stats.answered++;
    return AIOTSEC_OK;
}

/* First command of a procedure: K_AIOTF, algorithm keys, the security context. */
static int establish(aiotsec_device *d)
{
    uint8_t kaiotf[AIOTSEC_KAIOTF_LEN];
    int rc = aiotsec_derive_kaiotf(d->ctx, d->k_root, d->k_root_len, d->rand_n, d->rand_n_len,
                                   d->rand_d, d->rand_d_len, kaiotf, sizeof kaiotf);
    if (rc == AIOTSEC_OK)
        rc = aiotsec_nas_sec_init(&d->sec, d->sec_mem, aiotsec_nas_sec_size(), d->ctx, kaiotf,
                                  sizeof kaiotf, d->int_alg, d->enc_alg, AIOTSEC_NAS_ROLE_DEVICE);
    aiotsec_wipe(kaiotf, sizeof kaiotf);
    if (rc != AIOTSEC_OK)
        d->sec = NULL;
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
    uint8_t work[2048];
    size_t plen = 0;
    rc = aiotsec_nas_unprotect(d->sec, in, len, work, sizeof work, &plen);
    if (rc != AIOTSEC_OK) {
        d->stats.commands_rejected++;
        return rc;
    }
    aiotsec_nas_msg req, resp;
    memset(&resp, 0, sizeof resp);
    resp.type = AIOTSEC_NAS_COMMAND_RESPONSE;
    int dec = aiotsec_nas_decode(aiotsec_ctx_profile(d->ctx), work, plen, &req);
    if (dec == AIOTSEC_OK && req.type != AIOTSEC_NAS_COMMAND_REQUEST)
        dec = AIOTSEC_E_WRONG_DIRECTION;
    if (dec == AIOTSEC_OK) {
        resp.transaction_id = req.transaction_id;
        resp.status = command_status(d, &req);
    } else {
        /* Authentic but not executable: answered with the reason when it can be. */
        resp.status = failure_status(d, work, plen, dec);
        if (!resp.status) {
            aiotsec_wipe(work, sizeof work);
            d->stats.commands_rejected++;
            return dec;
        }
        resp.transaction_id = work[AIOTSEC_NAS_PLAIN_HDR_LEN];
        memset(&req, 0, sizeof req);
    }
    if (req.command == AIOTSEC_CMD_READ && resp.status == AIOTSEC_CMD_STATUS_SUCCESS) {
        resp.data = d->memory + req.offset;
        resp.data_len = req.length;
    }
    rc = aiotsec_nas_protect_msg(d->sec, &resp, out, cap, out_len);
    if (rc != AIOTSEC_OK) {
        aiotsec_wipe(work, sizeof work);
        *out_len = 0;
        d->stats.commands_rejected++;
        return rc; /* nothing was acted on */
    }
    d->stats.commands_executed++;
    if (resp.status == AIOTSEC_CMD_STATUS_SUCCESS && req.command == AIOTSEC_CMD_WRITE)
        memcpy(d->memory + req.offset, req.data, req.data_len);
    if (resp.status == AIOTSEC_CMD_STATUS_SUCCESS && req.command == AIOTSEC_CMD_PERMANENT_DISABLE) {
        /* The response above is the last transmission; keys are of no further use. */
        end_procedure(d);
        aiotsec_wipe(d->k_root, sizeof d->k_root);
        d->state = AIOTSEC_DEVICE_DISABLED;
    }
    aiotsec_wipe(work, sizeof work);
    return AIOTSEC_OK;
}

int aiotsec_device_state_get(const aiotsec_device *d)
{
    return valid(d) ? d->state : AIOTSEC_E_NULL_ARG;
}

int aiotsec_device_stats_get(const aiotsec_device *d, aiotsec_device_stats *out)
{
    if (!valid(d) || !out)
        return AIOTSEC_E_NULL_ARG;
    *out = d->stats;
    return AIOTSEC_OK;
}
