/* AIOTF side: the ADM's answers read back. Unknown members are ignored (an
 * ADM of a later version may add some); the members the schema requires must be
 * there and well formed, or the answer is AIOTSEC_E_BAD_ANSWER. Every tree is
 * freed with its strings wiped: they held XRES_AIOT or K_AIOTF. */
#include <string.h>

#include "sbi_json.h"

/* Loads a response body; any failure but memory and size is a bad answer. */
static int load(const char *body, size_t len, json_t **root)
{
    int rc = sbi_json_load(body, len, root, NULL);
    if (rc == AIOTSEC_E_PARSE || rc == AIOTSEC_E_BAD_VALUE)
        return AIOTSEC_E_BAD_ANSWER;
    if (rc == AIOTSEC_OK && !json_is_object(*root)) {
        sbi_json_free_wiped(*root);
        *root = NULL;
        return AIOTSEC_E_BAD_ANSWER;
    }
    return rc;
}

/* One fixed-length hex member of a response object into out (cap octets). */
static int fixed_hex(const char *body, size_t len, const char *name, uint8_t *out, size_t cap, size_t *out_len,
                     size_t want)
{
    if (!body || !out || !out_len)
        return AIOTSEC_E_NULL_ARG;
    *out_len = 0;
    if (cap < want)
        return AIOTSEC_E_BUFFER_TOO_SMALL;
    json_t *root = NULL;
    int rc = load(body, len, &root);
    if (rc != AIOTSEC_OK)
        return rc;
    size_t got = 0;
    if (sbi_dec_hex(json_object_get(root, name), want, want, out, &got)) {
        aiotsec_wipe(out, want);
        rc = AIOTSEC_E_BAD_ANSWER;
    } else {
        *out_len = got;
    }
    sbi_json_free_wiped(root);
    return rc;
}

int aiotsec_sbi_parse_rand_response(const char *body, size_t len, uint8_t *rand_n, size_t cap, size_t *rand_n_len)
{
    return fixed_hex(body, len, "randN", rand_n, cap, rand_n_len, AIOTSEC_RAND_LEN);
}

int aiotsec_sbi_parse_session_key_response(const char *body, size_t len, uint8_t *kaiotf, size_t cap,
                                           size_t *kaiotf_len)
{
    return fixed_hex(body, len, "kAiotf", kaiotf, cap, kaiotf_len, AIOTSEC_KAIOTF_LEN);
}

/* One AuthDataSet into the answer. */
static int auth_set(const json_t *set, aiotsec_auth_answer *ans)
{
    uint8_t rand_d[AIOTSEC_RAND_LEN], xres[AIOTSEC_RAND_RES_MAX], perm[AIOTSEC_ID_MAX];
    size_t len = 0;
    if (!json_is_object(set) || sbi_dec_hex(json_object_get(set, "randD"), AIOTSEC_RAND_LEN, AIOTSEC_RAND_LEN,
                                            rand_d, &len))
        return AIOTSEC_E_BAD_ANSWER;
    const json_t *list = json_object_get(set, "authDataSet");
    if (!json_is_array(list) || json_array_size(list) == 0)
        return AIOTSEC_E_BAD_ANSWER;
    int rc = aiotsec_auth_answer_add_set(ans, rand_d, sizeof rand_d);
    for (size_t i = 0; rc == AIOTSEC_OK && i < json_array_size(list); i++) {
        const json_t *e = json_array_get(list, i);
        size_t xres_len = 0, perm_len = 0;
        if (!json_is_object(e) || sbi_dec_hex(json_object_get(e, "xres"), 4, AIOTSEC_RAND_RES_MAX, xres, &xres_len)) {
            rc = AIOTSEC_E_BAD_ANSWER;
            break;
        }
        const json_t *pid = json_object_get(e, "aiotDevPermId");
        if (pid && sbi_dec_b64(pid, 1, AIOTSEC_ID_MAX, perm, &perm_len))
            rc = AIOTSEC_E_BAD_ANSWER;
        else
            rc = aiotsec_auth_answer_add_entry(ans, xres, xres_len, pid ? perm : NULL, pid ? perm_len : 0);
    }
    aiotsec_wipe(xres, sizeof xres);
    return rc;
}

int aiotsec_sbi_parse_auth_response(const char *body, size_t len, aiotsec_auth_answer *ans)
{
    if (!body || !ans)
        return AIOTSEC_E_NULL_ARG;
    aiotsec_auth_answer_reset(ans);
    json_t *root = NULL;
    int rc = load(body, len, &root);
    if (rc != AIOTSEC_OK)
        return rc;
    const json_t *sets = json_object_get(root, "authDataSets");
    if (!json_is_array(sets) || json_array_size(sets) == 0)
        rc = AIOTSEC_E_BAD_ANSWER;
    for (size_t i = 0; rc == AIOTSEC_OK && i < json_array_size(sets); i++)
        rc = auth_set(json_array_get(sets, i), ans);
    sbi_json_free_wiped(root);
    if (rc != AIOTSEC_OK)
        aiotsec_auth_answer_reset(ans); /* never half an answer */
    return rc;
}

int aiotsec_sbi_parse_tid_response(const char *body, size_t len, aiotsec_tid_info *out)
{
    if (!body || !out)
        return AIOTSEC_E_NULL_ARG;
    memset(out, 0, sizeof *out);
    json_t *root = NULL;
    int rc = load(body, len, &root);
    if (rc != AIOTSEC_OK)
        return rc;
    size_t n = 0;
    const json_t *info = json_object_get(root, "tidHandInfo");
    const json_t *type = json_object_get(info, "tidType");
    const json_t *flag = json_object_get(info, "tidHandlingInformation");
    const json_t *prev = json_object_get(root, "tidPrevious");
    if (sbi_dec_hex(json_object_get(root, "tid"), AIOTSEC_TID_LEN, AIOTSEC_TID_LEN, out->tid, &n) ||
        !json_is_object(info) || !json_is_string(type) || (flag && !json_is_boolean(flag)) ||
        (prev && sbi_dec_hex(prev, AIOTSEC_TID_LEN, AIOTSEC_TID_LEN, out->tid_previous, &n))) {
        rc = AIOTSEC_E_BAD_ANSWER;
        memset(out, 0, sizeof *out);
    } else {
        out->has_previous = prev != NULL;
        const char *t = json_string_value(type);
        out->tid_type = !strcmp(t, "STORED") ? (int)AIOTSEC_TID_STORED
                        : !strcmp(t, "CONCEALED") ? (int)AIOTSEC_TID_CONCEALED
                                                  : 0; /* an extensible enumeration */
    }
    sbi_json_free_wiped(root);
    return rc;
}

int aiotsec_sbi_parse_problem(const char *body, size_t len, int *status, char *cause, size_t cause_cap)
{
    if (!body || (cause && !cause_cap))
        return AIOTSEC_E_NULL_ARG;
    if (status)
        *status = 0;
    if (cause)
        cause[0] = '\0';
    json_t *root = NULL;
    int rc = load(body, len, &root);
    if (rc != AIOTSEC_OK)
        return rc;
    const json_t *st = json_object_get(root, "status");
    const json_t *ca = json_object_get(root, "cause");
    if ((st && !json_is_integer(st)) || (ca && !json_is_string(ca))) {
        rc = AIOTSEC_E_BAD_ANSWER;
    } else {
        json_int_t v = st ? json_integer_value(st) : 0;
        if (status)
            *status = v >= 0 && v <= 999 ? (int)v : 0; /* not an HTTP status: unknown */
        if (cause && ca) {
            size_t n = json_string_length(ca);
            n = n < cause_cap - 1 ? n : cause_cap - 1;
            memcpy(cause, json_string_value(ca), n);
            cause[n] = '\0';
        }
    }
    sbi_json_free_wiped(root);
    return rc;
}
