/* AIOT NAS plain message decoder (spec 5.1, 5.3). Bounded: every read is
 * checked against the remaining input before it happens, length fields are
 * range-checked before they are used, nothing is allocated, and the message
 * fields are views into the input. Each rejection rule has its own status. */
#include <string.h>

#include "aiotsec/nas.h"
#include "aiotsec/testing.h"
#include "nas/nas_internal.h"

typedef struct reader {
    const uint8_t *in;
    size_t len, pos;
} reader;

static size_t left(const reader *r)
{
    return r->len - r->pos;
}

/* A mandatory V field of n octets: absent entirely = missing IE, partly = truncated. */
static int get_v(reader *r, size_t n, const uint8_t **v)
{
    if (left(r) == 0)
        return AIOTSEC_E_NAS_MISSING_IE;
    if (left(r) < n)
        return AIOTSEC_E_NAS_TRUNCATED;
    *v = r->in + r->pos;
    r->pos += n;
    return AIOTSEC_OK;
}

/* A mandatory LV (lsize = 1) or LV-E (lsize = 2) field whose value length must be min..max.
 * The length is range-checked before it is used to index anything. */
static int get_lv(reader *r, size_t lsize, size_t min, size_t max, const uint8_t **v, size_t *vlen)
{
    if (left(r) == 0)
        return AIOTSEC_E_NAS_MISSING_IE;
    if (left(r) < lsize)
        return AIOTSEC_E_NAS_TRUNCATED;
    const uint8_t *l = r->in + r->pos;
    size_t n = lsize == 1 ? l[0] : (size_t)l[0] << 8 | l[1];
    if (n < min || n > max)
        return AIOTSEC_E_NAS_BAD_IE_VALUE;
    if (left(r) - lsize < n)
        return AIOTSEC_E_NAS_TRUNCATED;
    *v = l + lsize;
    *vlen = n;
    r->pos += lsize + n;
    return AIOTSEC_OK;
}

static unsigned be16(const uint8_t *b)
{
    return (unsigned)b[0] << 8 | b[1];
}

int aiot_nas_check_hdr(const aiotsec_profile_params *p, const uint8_t *in, size_t len)
{
    if (len < 1)
        return AIOTSEC_E_NAS_TRUNCATED;
    if (in[0] != p->nas_epd)
        return AIOTSEC_E_NAS_BAD_EPD;
    if (len < 2)
        return AIOTSEC_E_NAS_TRUNCATED;
    if (in[1] & AIOT_NAS_SPARE_MASK)
        return AIOTSEC_E_NAS_SPARE_BITS;
    unsigned sht = in[1] & AIOT_NAS_SHT_MASK;
    if (sht > AIOTSEC_NAS_SHT_INTEGRITY_CIPHERED)
        return AIOTSEC_E_NAS_BAD_SHT;
    return (int)sht;
}

int aiotsec_nas_peek_sht(const aiotsec_profile *profile, const uint8_t *in, size_t len, aiotsec_nas_sht *sht)
{
    if (!in || !sht)
        return AIOTSEC_E_NULL_ARG;
    int rc = aiot_nas_check_hdr(aiot_nas_params(profile), in, len);
    if (rc < 0)
        return rc;
    *sht = (aiotsec_nas_sht)rc;
    return AIOTSEC_OK;
}

/* RES_AIOT has exactly the profile's length, RAND_AIOT_d exactly 16 octets (spec 5.3). */
static int decode_auth_response(const aiotsec_profile_params *p, reader *r, aiotsec_nas_msg *m)
{
    int rc = get_lv(r, 1, p->res_len, p->res_len, &m->res, &m->res_len);
    if (rc == AIOTSEC_OK)
        rc = get_lv(r, 1, p->rand_d_len, p->rand_d_len, &m->rand_d, &m->rand_d_len);
    return rc;
}

/* The transaction ID, then the octet after it (command or status) mapped by
 * from_wire: returns the enum or a negative status. */
static int decode_tid_octet(const aiotsec_profile_params *p, reader *r, aiotsec_nas_msg *m,
                            int (*from_wire)(const aiotsec_profile_params *, unsigned))
{
    const uint8_t *v;
    int rc = get_v(r, 1, &v);
    if (rc != AIOTSEC_OK)
        return rc;
    m->transaction_id = v[0];
    if ((rc = get_v(r, 1, &v)) != AIOTSEC_OK)
        return rc;
    return from_wire(p, v[0]);
}

static int decode_command_request(const aiotsec_profile_params *p, reader *r, aiotsec_nas_msg *m)
{
    int cmd = decode_tid_octet(p, r, m, aiot_nas_cmd_from_wire);
    if (cmd < 0)
        return cmd;
    m->command = cmd;
    if (cmd == AIOTSEC_CMD_PERMANENT_DISABLE)
        return AIOTSEC_OK;
    const uint8_t *v;
    int rc;
    if ((rc = get_v(r, 2, &v)) != AIOTSEC_OK)
        return rc;
    m->offset = (uint16_t)be16(v);
    if (cmd == AIOTSEC_CMD_READ) {
        if ((rc = get_v(r, 2, &v)) != AIOTSEC_OK)
            return rc;
        unsigned n = be16(v);
        if (n < 1 || n > p->nas_max_data_len)
            return AIOTSEC_E_NAS_BAD_IE_VALUE;
        m->length = (uint16_t)n;
        return AIOTSEC_OK;
    }
    return get_lv(r, 2, 1, p->nas_max_data_len, &m->data, &m->data_len);
}

static int decode_command_response(const aiotsec_profile_params *p, reader *r, aiotsec_nas_msg *m)
{
    int st = decode_tid_octet(p, r, m, aiot_nas_status_from_wire);
    if (st < 0)
        return st;
    m->status = st;
    return AIOTSEC_OK;
}

/* Optional IEs after the mandatory ones: IEI 0x70..0x7F is TLV-E, others TLV.
 * Unknown IEs are skipped (but must be complete); a repeated known IE keeps
 * its first occurrence. The only known optional IE is Read data in COMMAND RESPONSE. */
static int decode_optional(const aiotsec_profile_params *p, reader *r, aiotsec_nas_msg *m)
{
    int seen_read_data = 0;
    while (left(r) > 0) {
        uint8_t iei = r->in[r->pos];
        size_t hlen = (iei & AIOT_NAS_TLVE_MASK) == AIOT_NAS_TLVE_HIGH ? 3 : 2;
        if (left(r) < hlen)
            return AIOTSEC_E_NAS_TRUNCATED;
        const uint8_t *h = r->in + r->pos;
        size_t n = hlen == 3 ? (size_t)be16(h + 1) : h[1];
        int known = m->type == AIOTSEC_NAS_COMMAND_RESPONSE && iei == p->iei_read_data && !seen_read_data;
        /* As for mandatory IEs, a known IE's length is range-checked before it is used. */
        if (known && (n < 1 || n > p->nas_max_data_len))
            return AIOTSEC_E_NAS_BAD_IE_VALUE;
        if (left(r) - hlen < n)
            return AIOTSEC_E_NAS_TRUNCATED;
        if (known) {
            m->data = h + hlen;
            m->data_len = n;
            seen_read_data = 1;
        }
        r->pos += hlen + n;
    }
    return AIOTSEC_OK;
}

int aiotsec_nas_decode(const aiotsec_profile *profile, const uint8_t *in, size_t len,
                       aiotsec_nas_msg *msg)
{
    if (!in || !msg)
        return AIOTSEC_E_NULL_ARG;
    memset(msg, 0, sizeof *msg);
    const aiotsec_profile_params *p = aiot_nas_params(profile);
    int type = aiot_nas_plain_type(p, in, len);
    if (type < 0)
        return type;
    msg->type = type;
    reader r = {in, len, AIOTSEC_NAS_PLAIN_HDR_LEN};
    int rc;
    if (type == AIOTSEC_NAS_AUTH_RESPONSE)
        rc = decode_auth_response(p, &r, msg);
    else if (type == AIOTSEC_NAS_COMMAND_REQUEST)
        rc = decode_command_request(p, &r, msg);
    else
        rc = decode_command_response(p, &r, msg);
    if (rc == AIOTSEC_OK)
        rc = decode_optional(p, &r, msg);
    if (rc != AIOTSEC_OK)
        memset(msg, 0, sizeof *msg);
    return rc;
}

int aiotsec_nas_parse_protected(const aiotsec_profile *profile, const uint8_t *in, size_t len,
                                aiotsec_nas_protected_hdr *hdr)
{
    if (!in || !hdr)
        return AIOTSEC_E_NULL_ARG;
    memset(hdr, 0, sizeof *hdr);
    const aiotsec_profile_params *p = aiot_nas_params(profile);
    int sht = aiot_nas_check_msg(p, in, len);
    if (sht < 0)
        return sht;
    if (sht == AIOTSEC_NAS_SHT_PLAIN)
        return AIOTSEC_E_NAS_PLAIN_FORBIDDEN;
    /* A protected message carries at least one octet of (plain or ciphered) message. */
    if (len <= AIOTSEC_NAS_PROTECTED_HDR_LEN)
        return AIOTSEC_E_NAS_TRUNCATED;
    hdr->sht = sht;
    hdr->mac = in + 2;
    hdr->sqn = in[2 + AIOTSEC_NAS_MAC_LEN];
    hdr->payload = in + AIOTSEC_NAS_PROTECTED_HDR_LEN;
    hdr->payload_len = len - AIOTSEC_NAS_PROTECTED_HDR_LEN;
    return AIOTSEC_OK;
}
