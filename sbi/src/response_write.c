/* ADM side: the success bodies of the four operations (TS 29.369 v19.2.0
 * GetRandResponse, GetAuthenticationResponse, GetSessionKeyResponse,
 * GetTidResponse), written in schema member order into the caller's buffer. */
#include "sbi_internal.h"

int aiotsec_sbi_write_rand_response(const uint8_t *rand_n, size_t rand_n_len, char *buf, size_t cap, size_t *len)
{
    if (!rand_n || (!buf && cap) || !len)
        return AIOTSEC_E_NULL_ARG;
    if (rand_n_len != AIOTSEC_RAND_LEN)
        return AIOTSEC_E_BAD_LENGTH;
    sbi_out o;
    sbi_out_init(&o, buf, cap);
    sbi_puts(&o, "{\"randN\":");
    sbi_put_hex(&o, rand_n, rand_n_len);
    sbi_puts(&o, "}");
    return sbi_out_end(&o, len);
}

int aiotsec_sbi_write_auth_response(const aiotsec_auth_answer *ans, char *buf, size_t cap, size_t *len)
{
    if (!ans || (!buf && cap) || !len)
        return AIOTSEC_E_NULL_ARG;
    size_t sets = aiotsec_auth_answer_set_count(ans);
    if (sets == 0)
        return AIOTSEC_E_BAD_VALUE; /* authDataSets has minItems 1 */
    sbi_out o;
    sbi_out_init(&o, buf, cap);
    sbi_puts(&o, "{\"authDataSets\":[");
    for (size_t s = 0; s < sets; s++) {
        const uint8_t *rand_d = NULL;
        size_t entries = 0;
        int rc = aiotsec_auth_answer_set(ans, s, &rand_d, &entries);
        if (rc == AIOTSEC_OK && entries == 0)
            rc = AIOTSEC_E_BAD_VALUE; /* authDataSet has minItems 1 */
        if (rc != AIOTSEC_OK) {
            if (o.buf && o.cap)
                aiotsec_wipe(o.buf, o.cap); /* it may hold XRES_AIOT values already */
            return rc;
        }
        sbi_puts(&o, s ? ",{\"randD\":" : "{\"randD\":");
        sbi_put_hex(&o, rand_d, AIOTSEC_RAND_LEN);
        sbi_puts(&o, ",\"authDataSet\":[");
        for (size_t e = 0; e < entries; e++) {
            const uint8_t *xres = NULL, *perm_id = NULL;
            size_t xres_len = 0, perm_id_len = 0;
            (void)aiotsec_auth_answer_entry(ans, s, e, &xres, &xres_len, &perm_id, &perm_id_len);
            sbi_puts(&o, e ? ",{\"xres\":" : "{\"xres\":");
            sbi_put_hex(&o, xres, xres_len);
            if (perm_id) {
                sbi_puts(&o, ",\"aiotDevPermId\":");
                sbi_put_b64(&o, perm_id, perm_id_len);
            }
            sbi_puts(&o, "}");
        }
        sbi_puts(&o, "]}");
    }
    sbi_puts(&o, "]}");
    return sbi_out_end(&o, len);
}

int aiotsec_sbi_write_session_key_response(const uint8_t *kaiotf, size_t kaiotf_len, char *buf, size_t cap,
                                           size_t *len)
{
    if (!kaiotf || (!buf && cap) || !len)
        return AIOTSEC_E_NULL_ARG;
    if (kaiotf_len != AIOTSEC_KAIOTF_LEN)
        return AIOTSEC_E_BAD_LENGTH;
    sbi_out o;
    sbi_out_init(&o, buf, cap);
    sbi_puts(&o, "{\"kAiotf\":");
    sbi_put_hex(&o, kaiotf, kaiotf_len);
    sbi_puts(&o, "}");
    return sbi_out_end(&o, len);
}

int aiotsec_sbi_write_tid_response(const aiotsec_tid_info *tid, char *buf, size_t cap, size_t *len)
{
    if (!tid || (!buf && cap) || !len)
        return AIOTSEC_E_NULL_ARG;
    const char *type = tid->tid_type == (int)AIOTSEC_TID_STORED      ? "STORED"
                       : tid->tid_type == (int)AIOTSEC_TID_CONCEALED ? "CONCEALED"
                                                                      : NULL;
    if (!type)
        return AIOTSEC_E_BAD_VALUE;
    sbi_out o;
    sbi_out_init(&o, buf, cap);
    sbi_puts(&o, "{\"tidHandInfo\":{\"tidType\":\"");
    sbi_puts(&o, type);
    sbi_puts(&o, "\"},\"tid\":");
    sbi_put_hex(&o, tid->tid, AIOTSEC_TID_LEN);
    if (tid->has_previous) {
        sbi_puts(&o, ",\"tidPrevious\":");
        sbi_put_hex(&o, tid->tid_previous, AIOTSEC_TID_LEN);
    }
    sbi_puts(&o, "}");
    return sbi_out_end(&o, len);
}
