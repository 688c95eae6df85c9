/* AIOTF side: the body of each request the AIOTF hands out
 * (aiotsec_aiotf_next_requests), in schema member order. getRand has none. */
#include "sbi_internal.h"

static int check(const aiotsec_adm_request *r)
{
    int needs_perm = r->op == AIOTSEC_ADM_GET_SESSION_KEY || r->op == AIOTSEC_ADM_GET_TID;
    if (r->op == AIOTSEC_ADM_GET_AUTHENTICATION && ((r->perm_id != NULL) == (r->filter != NULL) || !r->rand_d ||
                                                    r->rand_d_count == 0 || !r->rand_n))
        return AIOTSEC_E_BAD_VALUE;
    if (needs_perm && !r->perm_id)
        return AIOTSEC_E_BAD_VALUE;
    if (r->op == AIOTSEC_ADM_GET_SESSION_KEY && (!r->rand_n || !r->rand_d || r->rand_d_count != 1))
        return AIOTSEC_E_BAD_VALUE;
    if (r->perm_id && (r->perm_id_len == 0 || r->perm_id_len > AIOTSEC_ID_MAX))
        return AIOTSEC_E_BAD_LENGTH;
    if (r->op == AIOTSEC_ADM_GET_AUTHENTICATION && r->filter &&
        (r->filter_len == 0 || r->filter_len > AIOTSEC_FILTER_MAX))
        return AIOTSEC_E_BAD_LENGTH;
    if ((r->op == AIOTSEC_ADM_GET_AUTHENTICATION || r->op == AIOTSEC_ADM_GET_SESSION_KEY) &&
        r->rand_n_len != AIOTSEC_RAND_LEN)
        return AIOTSEC_E_BAD_LENGTH;
    if (r->op == AIOTSEC_ADM_GET_AUTHENTICATION && r->rand_d_count > SIZE_MAX / AIOTSEC_RAND_LEN)
        return AIOTSEC_E_BAD_LENGTH;
    return AIOTSEC_OK;
}

int aiotsec_sbi_write_request(const aiotsec_adm_request *req, char *buf, size_t cap, size_t *len)
{
    if (!req || (!buf && cap) || !len)
        return AIOTSEC_E_NULL_ARG;
    if (!aiotsec_adm_op_name(req->op))
        return AIOTSEC_E_BAD_VALUE;
    int rc = check(req);
    if (rc != AIOTSEC_OK)
        return rc;
    sbi_out o;
    sbi_out_init(&o, buf, cap);
    switch (req->op) {
    case AIOTSEC_ADM_GET_AUTHENTICATION:
        if (req->perm_id) {
            sbi_puts(&o, "{\"aiotDevPermId\":");
            sbi_put_b64(&o, req->perm_id, req->perm_id_len);
        } else {
            sbi_puts(&o, "{\"filteringInfo\":");
            sbi_put_b64(&o, req->filter, req->filter_len);
        }
        sbi_puts(&o, ",\"randN\":");
        sbi_put_hex(&o, req->rand_n, req->rand_n_len);
        sbi_puts(&o, ",\"randDlist\":[");
        for (size_t i = 0; i < req->rand_d_count; i++) {
            if (i)
                sbi_puts(&o, ",");
            sbi_put_hex(&o, req->rand_d + i * AIOTSEC_RAND_LEN, AIOTSEC_RAND_LEN);
        }
        sbi_puts(&o, "]}");
        break;
    case AIOTSEC_ADM_GET_SESSION_KEY:
        sbi_puts(&o, "{\"aiotDevPermId\":");
        sbi_put_b64(&o, req->perm_id, req->perm_id_len);
        sbi_puts(&o, ",\"randN\":");
        sbi_put_hex(&o, req->rand_n, req->rand_n_len);
        sbi_puts(&o, ",\"randD\":");
        sbi_put_hex(&o, req->rand_d, AIOTSEC_RAND_LEN);
        sbi_puts(&o, "}");
        break;
    case AIOTSEC_ADM_GET_TID:
        sbi_puts(&o, "{\"aiotDevPermId\":");
        sbi_put_b64(&o, req->perm_id, req->perm_id_len);
        if (req->resync)
            sbi_puts(&o, ",\"resyncInd\":true");
        sbi_puts(&o, "}");
        break;
    default: /* getRand: no body */
        break;
    }
    return sbi_out_end(&o, len);
}
