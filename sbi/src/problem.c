/* ProblemDetails (TS 29.571) on both sides of the SBI: the record a failed
 * parse or an ADM error becomes, its body, and the mapping between library
 * statuses and HTTP statuses (the ADM's and the AIOTF's directions differ:
 * an AIOTF must know which failures are worth a retry). */
#include <stdio.h>
#include <string.h>

#include "sbi_internal.h"

void sbi_problem_set(sbi_problem *pb, int http, const char *cause, const char *detail)
{
    memset(pb, 0, sizeof *pb);
    pb->http = http;
    pb->cause = cause;
    pb->detail = detail;
}

void sbi_problem_param(sbi_problem *pb, const char *param, const char *reason)
{
    if (pb->n_params == SBI_PARAMS_MAX)
        return;
    (void)snprintf(pb->param[pb->n_params], SBI_PARAM_LEN, "%s", param); /* truncation is acceptable */
    (void)snprintf(pb->reason[pb->n_params], SBI_REASON_LEN, "%s", reason);
    pb->n_params++;
}

void sbi_problem_write(sbi_out *o, const sbi_problem *pb)
{
    sbi_puts(o, "{\"status\":");
    sbi_put_uint(o, (unsigned long)pb->http);
    sbi_puts(o, ",\"cause\":");
    sbi_put_str(o, pb->cause, strlen(pb->cause));
    if (pb->detail) {
        sbi_puts(o, ",\"detail\":");
        sbi_put_str(o, pb->detail, strlen(pb->detail));
    }
    if (pb->n_params) {
        sbi_puts(o, ",\"invalidParams\":[");
        for (size_t i = 0; i < pb->n_params; i++) {
            sbi_puts(o, i ? ",{\"param\":" : "{\"param\":");
            sbi_put_str(o, pb->param[i], strlen(pb->param[i]));
            sbi_puts(o, ",\"reason\":");
            sbi_put_str(o, pb->reason[i], strlen(pb->reason[i]));
            sbi_puts(o, "}");
        }
        sbi_puts(o, "]");
    }
    sbi_puts(o, "}");
}

int aiotsec_sbi_http_status(int status, int *http_status)
{
    if (!http_status)
        return AIOTSEC_E_NULL_ARG;
    switch (status) {
    case AIOTSEC_OK:
        *http_status = 200;
        break;
    case AIOTSEC_E_UNKNOWN_DEVICE:
    case AIOTSEC_E_NO_CANDIDATE:
        *http_status = 404;
        break;
    case AIOTSEC_E_TOO_MANY_DERIVATIONS:
    case AIOTSEC_E_LIMIT:
        *http_status = 413;
        break;
    case AIOTSEC_E_BAD_VALUE:
    case AIOTSEC_E_BAD_LENGTH:
    case AIOTSEC_E_BAD_FILTER:
    case AIOTSEC_E_PARSE:
        *http_status = 400;
        break;
    default:
        *http_status = 500;
        break;
    }
    return AIOTSEC_OK;
}

/* The member an ADM's BAD_VALUE / BAD_LENGTH is about, judged from the request. */
static void name_bad_member(sbi_problem *pb, int status, const aiotsec_adm_request *req)
{
    int auth = req && req->op == AIOTSEC_ADM_GET_AUTHENTICATION;
    if (auth && (req->perm_id != NULL) == (req->filter != NULL)) {
        sbi_problem_param(pb, "/aiotDevPermId", "exactly one of aiotDevPermId and filteringInfo");
        sbi_problem_param(pb, "/filteringInfo", "exactly one of aiotDevPermId and filteringInfo");
    } else if (auth && req->rand_d_count == 0) {
        sbi_problem_param(pb, "/randDlist", "empty");
    } else if (req && req->perm_id && (req->perm_id_len == 0 || req->perm_id_len > AIOTSEC_ID_MAX)) {
        sbi_problem_param(pb, "/aiotDevPermId", "must be 1..64 octets");
    } else if (req && req->op != AIOTSEC_ADM_GET_RAND && req->op != AIOTSEC_ADM_GET_TID &&
               req->rand_n_len != AIOTSEC_RAND_LEN) {
        sbi_problem_param(pb, "/randN", "must be 16 octets");
    } else {
        sbi_problem_param(pb, "", aiotsec_strerror(status));
    }
}

void sbi_problem_of_status(sbi_problem *pb, int status, const aiotsec_adm_request *req)
{
    int http = 500;
    (void)aiotsec_sbi_http_status(status, &http);
    switch (status) {
    case AIOTSEC_E_UNKNOWN_DEVICE:
        sbi_problem_set(pb, http, SBI_CAUSE_NOT_FOUND, "no AIoT device has this Permanent Identifier");
        break;
    case AIOTSEC_E_NO_CANDIDATE:
        sbi_problem_set(pb, http, SBI_CAUSE_NOT_FOUND, "no AIoT device matches the filter");
        break;
    case AIOTSEC_E_TOO_MANY_DERIVATIONS:
        sbi_problem_set(pb, http, SBI_CAUSE_TOO_MANY,
                        "candidates x randDlist exceeds the ADM's limit: nothing was derived; "
                        "split the request (fewer randDlist entries or narrower filters)");
        break;
    case AIOTSEC_E_LIMIT:
        sbi_problem_set(pb, http, SBI_CAUSE_TOO_LARGE, "the request body exceeds the ADM's limit");
        break;
    case AIOTSEC_E_BAD_FILTER:
        sbi_problem_set(pb, http, SBI_CAUSE_INCORRECT, "malformed request");
        sbi_problem_param(pb, "/filteringInfo", "malformed AiotFilteringInformation");
        break;
    case AIOTSEC_E_BAD_VALUE:
    case AIOTSEC_E_BAD_LENGTH:
    case AIOTSEC_E_PARSE:
        /* The parser catches these first; an ADM refusing a request built some
         * other way still gets a 400 naming what it can. */
        sbi_problem_set(pb, http, SBI_CAUSE_INCORRECT, "malformed request");
        name_bad_member(pb, status, req);
        break;
    case AIOTSEC_E_NO_MEMORY:
        sbi_problem_set(pb, http, SBI_CAUSE_RESOURCES, "out of memory");
        break;
    default:
        /* Below the core's range (-1..-99): a key store's own status (e.g. the key
         * database's), which aiotsec_strerror() cannot name. */
        sbi_problem_set(pb, http, SBI_CAUSE_SYSTEM,
                        status < -99 ? "the key store failed (a status of its own; see the ADM's log)"
                                     : aiotsec_strerror(status));
        break;
    }
}

int aiotsec_sbi_write_problem(int status, const aiotsec_adm_request *req, char *buf, size_t cap, size_t *len,
                              int *http_status)
{
    if ((!buf && cap) || !len)
        return AIOTSEC_E_NULL_ARG;
    if (status >= 0)
        return AIOTSEC_E_BAD_VALUE;
    sbi_problem pb;
    sbi_problem_of_status(&pb, status, req);
    sbi_out o;
    sbi_out_init(&o, buf, cap);
    sbi_problem_write(&o, &pb);
    if (http_status)
        *http_status = pb.http;
    return sbi_out_end(&o, len);
}

int aiotsec_sbi_content_type(int http_status, const char **content_type)
{
    if (!content_type)
        return AIOTSEC_E_NULL_ARG;
    *content_type = http_status >= 200 && http_status <= 299 ? "application/json" : "application/problem+json";
    return AIOTSEC_OK;
}

int aiotsec_sbi_answer_status(const aiotsec_adm_request *req, int http_status)
{
    if (http_status >= 200 && http_status <= 299)
        return AIOTSEC_OK;
    /* No answer, a redirect the client did not follow, congestion, a server
     * failure: the request may well succeed again (the AIOTF retries until its deadline). */
    if (http_status == 0 || (http_status >= 300 && http_status <= 399) || http_status == 429 ||
        (http_status >= 500 && http_status <= 599))
        return AIOTSEC_E_TRANSPORT;
    if (http_status == 404) {
        if (req && req->op == AIOTSEC_ADM_GET_RAND)
            return AIOTSEC_E_UNSUPPORTED; /* the peer does not serve getRand at that URI */
        return req && req->filter ? AIOTSEC_E_NO_CANDIDATE : AIOTSEC_E_UNKNOWN_DEVICE;
    }
    if (http_status == 413)
        return AIOTSEC_E_TOO_MANY_DERIVATIONS;
    if (http_status >= 400 && http_status <= 499)
        return AIOTSEC_E_BAD_VALUE;
    return AIOTSEC_E_BAD_ANSWER;
}
