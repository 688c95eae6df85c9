/* AIOT NAS plain message encoder (spec 5.1, 5.3). Two passes over the same
 * field list: first the length (so a too-small buffer reports what it needs),
 * then the octets. It refuses to produce anything the decoder would reject. */
#include <string.h>

#include "aiotsec/nas.h"
#include "nas/nas_internal.h"

typedef struct writer {
    uint8_t *out;
    size_t cap, pos; /* pos counts every octet, written or not */
} writer;

static void put(writer *w, const uint8_t *b, size_t n)
{
    if (w->pos <= w->cap && n <= w->cap - w->pos && n)
        memcpy(w->out + w->pos, b, n);
    w->pos += n;
}

static void put8(writer *w, unsigned v)
{
    uint8_t b = (uint8_t)v;
    put(w, &b, 1);
}

static void put16(writer *w, size_t v)
{
    uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    put(w, b, 2);
}

static int check_view(const uint8_t *v, size_t n, size_t min, size_t max)
{
    if (n < min || n > max)
        return AIOTSEC_E_NAS_BAD_IE_VALUE;
    return v ? AIOTSEC_OK : AIOTSEC_E_NULL_ARG;
}

static int encode_body(const aiotsec_profile_params *p, const aiotsec_nas_msg *m, writer *w)
{
    int rc;
    if (m->type == AIOTSEC_NAS_AUTH_RESPONSE) {
        if ((rc = check_view(m->res, m->res_len, p->res_len, p->res_len)) ||
            (rc = check_view(m->rand_d, m->rand_d_len, p->rand_d_len, p->rand_d_len)))
            return rc;
        put8(w, (unsigned)m->res_len);
        put(w, m->res, m->res_len);
        put8(w, (unsigned)m->rand_d_len);
        put(w, m->rand_d, m->rand_d_len);
        return AIOTSEC_OK;
    }
    if (m->type == AIOTSEC_NAS_COMMAND_REQUEST) {
        int cmd = aiot_nas_cmd_to_wire(p, m->command);
        if (cmd < 0)
            return cmd;
        if (m->command == AIOTSEC_CMD_READ && (m->length < 1 || m->length > p->nas_max_data_len))
            return AIOTSEC_E_NAS_BAD_IE_VALUE;
        if (m->command == AIOTSEC_CMD_WRITE &&
            (rc = check_view(m->data, m->data_len, 1, p->nas_max_data_len)))
            return rc;
        put8(w, m->transaction_id);
        put8(w, (unsigned)cmd);
        if (m->command == AIOTSEC_CMD_PERMANENT_DISABLE)
            return AIOTSEC_OK;
        put16(w, m->offset);
        if (m->command == AIOTSEC_CMD_READ) {
            put16(w, m->length);
        } else {
            put16(w, m->data_len);
            put(w, m->data, m->data_len);
        }
        return AIOTSEC_OK;
    }
    /* COMMAND RESPONSE */
    int st = aiot_nas_status_to_wire(p, m->status);
    if (st < 0)
        return AIOTSEC_E_NAS_BAD_IE_VALUE;
    if (m->data_len && (rc = check_view(m->data, m->data_len, 1, p->nas_max_data_len)))
        return rc;
    put8(w, m->transaction_id);
    put8(w, (unsigned)st);
    if (m->data_len) {
        /* Read data is TLV-E: the profile check keeps its IEI in 0x70..0x7F. */
        put8(w, p->iei_read_data);
        put16(w, m->data_len);
        put(w, m->data, m->data_len);
    }
    return AIOTSEC_OK;
}

int aiotsec_nas_encode(const aiotsec_profile *profile, const aiotsec_nas_msg *msg, uint8_t *out,
                       size_t cap, size_t *out_len)
{
    if (!msg || !out_len || (!out && cap))
        return AIOTSEC_E_NULL_ARG;
    *out_len = 0;
    const aiotsec_profile_params *p = aiot_nas_params(profile);
    int mt = aiot_nas_type_to_wire(p, msg->type);
    if (mt < 0)
        return mt;
    /* First pass with no buffer: validates and measures without writing. */
    writer w = {NULL, 0, 0};
    uint8_t hdr[AIOTSEC_NAS_PLAIN_HDR_LEN] = {p->nas_epd, AIOTSEC_NAS_SHT_PLAIN, (uint8_t)mt};
    put(&w, hdr, sizeof hdr);
    int rc = encode_body(p, msg, &w);
    if (rc != AIOTSEC_OK)
        return rc;
    if (w.pos > p->nas_max_len)
        return AIOTSEC_E_NAS_TOO_LONG;
    *out_len = w.pos;
    if (cap < w.pos)
        return AIOTSEC_E_BUFFER_TOO_SMALL;
    writer w2 = {out, cap, 0};
    put(&w2, hdr, sizeof hdr);
    return encode_body(p, msg, &w2);
}
