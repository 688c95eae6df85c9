/* ADM side: one request in, one response out. The handler owns what a thread
 * needs to answer without allocating per request: a parser sized for the ADM's
 * limit, an answer of that limit, and a response buffer that only grows (to the
 * largest response so far). The buffer holds XRES_AIOT or K_AIOTF after those
 * operations: it is wiped before every reuse, on clear and on free. */
#include <stdlib.h>
#include <string.h>

#include "sbi_internal.h"

#define FIRST_BUF 4096u

_Static_assert(AIOTSEC_RAND_LEN <= 32 && AIOTSEC_KAIOTF_LEN <= 32, "call_adm's octets");

struct aiotsec_sbi_handler {
    const aiotsec_adm *adm;
    size_t max_body;
    aiotsec_sbi_request *parser;
    aiotsec_auth_answer *ans;
    char *buf;
    size_t cap;
    size_t len;      /* the last response, without its NUL */
    int last_status; /* the library status behind it */
    int responded;   /* a response was given */
    int in_buf;      /* buf holds it (to be wiped) */
};

/* Written when even a ProblemDetails cannot be allocated. */
static const char NO_MEMORY_BODY[] =
    "{\"status\":500,\"cause\":\"" SBI_CAUSE_RESOURCES "\",\"detail\":\"out of memory\"}";

int aiotsec_sbi_handler_new(aiotsec_sbi_handler **out, const aiotsec_adm *adm, size_t max_body)
{
    if (!out || !adm)
        return AIOTSEC_E_NULL_ARG;
    *out = NULL;
    if (max_body > AIOTSEC_SBI_BODY_MAX)
        return AIOTSEC_E_BAD_VALUE;
    size_t limit = aiotsec_adm_max_derivations(adm);
    aiotsec_sbi_handler *h = calloc(1, sizeof *h);
    if (!h)
        return AIOTSEC_E_NO_MEMORY;
    h->adm = adm;
    h->max_body = max_body ? max_body : AIOTSEC_SBI_BODY_DEFAULT;
    /* Every randDlist entry costs at least one derivation, so a list longer than
     * the ADM's limit can never be answered: the parser refuses it unread. */
    int rc = aiotsec_sbi_request_new(&h->parser, limit < AIOTSEC_SBI_RAND_D_MAX ? limit : AIOTSEC_SBI_RAND_D_MAX);
    if (rc == AIOTSEC_OK)
        rc = aiotsec_auth_answer_new(&h->ans, limit);
    if (rc == AIOTSEC_OK) {
        h->buf = malloc(FIRST_BUF);
        h->cap = FIRST_BUF;
        if (!h->buf)
            rc = AIOTSEC_E_NO_MEMORY;
    }
    if (rc != AIOTSEC_OK) {
        aiotsec_sbi_handler_free(h);
        return rc;
    }
    *out = h;
    return AIOTSEC_OK;
}

int aiotsec_sbi_handler_clear(aiotsec_sbi_handler *h)
{
    if (!h)
        return AIOTSEC_E_NULL_ARG;
    if (h->buf && h->in_buf)
        aiotsec_wipe(h->buf, h->len + 1 <= h->cap ? h->len + 1 : h->cap);
    h->len = 0;
    h->in_buf = 0;
    return AIOTSEC_OK;
}

void aiotsec_sbi_handler_free(aiotsec_sbi_handler *h)
{
    if (!h)
        return;
    aiotsec_sbi_handler_clear(h);
    free(h->buf);
    aiotsec_auth_answer_free(h->ans);
    aiotsec_sbi_request_free(h->parser);
    free(h);
}

/* What a response is made of: one writer per kind, through one growing buffer. */
typedef struct body {
    enum { B_RAND, B_AUTH, B_SKEY, B_TID, B_PARSE_PROBLEM, B_PROBLEM } kind;
    const uint8_t *octets; /* RAND_AIOT_n or K_AIOTF */
    const aiotsec_tid_info *tid;
    int status; /* B_PROBLEM */
    const aiotsec_adm_request *req;
} body;

static int write_body(aiotsec_sbi_handler *h, const body *b, size_t *len, int *http)
{
    switch (b->kind) {
    case B_RAND: return aiotsec_sbi_write_rand_response(b->octets, AIOTSEC_RAND_LEN, h->buf, h->cap, len);
    case B_AUTH: return aiotsec_sbi_write_auth_response(h->ans, h->buf, h->cap, len);
    case B_SKEY: return aiotsec_sbi_write_session_key_response(b->octets, AIOTSEC_KAIOTF_LEN, h->buf, h->cap, len);
    case B_TID: return aiotsec_sbi_write_tid_response(b->tid, h->buf, h->cap, len);
    case B_PARSE_PROBLEM: return aiotsec_sbi_request_problem(h->parser, h->buf, h->cap, len);
    case B_PROBLEM: return aiotsec_sbi_write_problem(b->status, b->req, h->buf, h->cap, len, http);
    }
    return AIOTSEC_E_BAD_VALUE;
}

/* Renders a body, growing the buffer once if needed (the old one is wiped first:
 * a writer that ran out of room wipes its buffer itself). */
static int render(aiotsec_sbi_handler *h, const body *b, int *http)
{
    size_t len = 0;
    int rc = write_body(h, b, &len, http);
    if (rc == AIOTSEC_E_BUFFER_TOO_SMALL) {
        if (len >= SIZE_MAX - 1)
            return AIOTSEC_E_NO_MEMORY;
        char *bigger = malloc(len + 1);
        if (!bigger)
            return AIOTSEC_E_NO_MEMORY;
        aiotsec_wipe(h->buf, h->cap);
        free(h->buf);
        h->buf = bigger;
        h->cap = len + 1;
        rc = write_body(h, b, &len, http);
    }
    if (rc == AIOTSEC_OK)
        h->len = len;
    return rc;
}

/* The ADM call of one parsed request, and its success body. */
static int call_adm(aiotsec_sbi_handler *h, const aiotsec_adm_request *req, int *http)
{
    body b;
    memset(&b, 0, sizeof b);
    uint8_t octets[32]; /* RAND_AIOT_n or K_AIOTF */
    aiotsec_tid_info tid;
    int rc;
    switch (req->op) {
    case AIOTSEC_ADM_GET_RAND:
        rc = aiotsec_adm_get_rand(h->adm, octets, AIOTSEC_RAND_LEN);
        b.kind = B_RAND;
        b.octets = octets;
        break;
    case AIOTSEC_ADM_GET_AUTHENTICATION:
        rc = aiotsec_adm_get_authentication(h->adm, req, h->ans);
        b.kind = B_AUTH;
        break;
    case AIOTSEC_ADM_GET_SESSION_KEY:
        rc = aiotsec_adm_get_session_key(h->adm, req->perm_id, req->perm_id_len, req->rand_n, req->rand_n_len,
                                         req->rand_d, AIOTSEC_RAND_LEN, octets, sizeof octets);
        b.kind = B_SKEY;
        b.octets = octets;
        break;
    default:
        rc = aiotsec_adm_get_tid(h->adm, req->perm_id, req->perm_id_len, req->resync, &tid);
        b.kind = B_TID;
        b.tid = &tid;
        break;
    }
    h->last_status = rc;
    if (rc == AIOTSEC_OK) {
        *http = 200;
        rc = render(h, &b, http);
        if (rc != AIOTSEC_OK)
            h->last_status = rc;
    }
    aiotsec_wipe(octets, sizeof octets);
    if (req->op == AIOTSEC_ADM_GET_AUTHENTICATION)
        aiotsec_auth_answer_reset(h->ans); /* the XRES_AIOT values are in the body now */
    if (rc != AIOTSEC_OK) {
        b.kind = B_PROBLEM;
        b.status = rc;
        b.req = req;
        rc = render(h, &b, http);
    }
    return rc;
}

int aiotsec_sbi_handle(aiotsec_sbi_handler *h, int op, const char *body_in, size_t len, int *http_status,
                       const char **resp, size_t *resp_len)
{
    if (!h || !http_status || !resp || !resp_len || (!body_in && len))
        return AIOTSEC_E_NULL_ARG;
    if (!aiotsec_adm_op_name(op))
        return AIOTSEC_E_BAD_VALUE;
    aiotsec_sbi_handler_clear(h);
    h->responded = 1;
    h->in_buf = 1; /* from here on, anything written to buf is wiped later */
    int http = 500, rc;
    body b;
    memset(&b, 0, sizeof b);
    if (len > h->max_body) {
        h->last_status = AIOTSEC_E_LIMIT;
        b.kind = B_PROBLEM;
        b.status = AIOTSEC_E_LIMIT;
        rc = render(h, &b, &http);
    } else {
        const aiotsec_adm_request *req = NULL;
        rc = aiotsec_sbi_request_parse(h->parser, op, body_in, len, &req);
        if (rc == AIOTSEC_OK) {
            rc = call_adm(h, req, &http);
        } else {
            h->last_status = rc;
            (void)aiotsec_sbi_request_error(h->parser, &http, NULL, NULL, NULL);
            b.kind = B_PARSE_PROBLEM;
            rc = render(h, &b, &http);
        }
    }
    if (rc != AIOTSEC_OK) { /* only memory can fail here */
        h->last_status = AIOTSEC_E_NO_MEMORY;
        aiotsec_sbi_handler_clear(h); /* the fixed body below is not in buf */
        *http_status = 500;
        *resp = NO_MEMORY_BODY;
        *resp_len = sizeof NO_MEMORY_BODY - 1;
        return AIOTSEC_OK;
    }
    *http_status = http;
    *resp = h->buf;
    *resp_len = h->len;
    return AIOTSEC_OK;
}

int aiotsec_sbi_handler_last_status(const aiotsec_sbi_handler *h, int *status)
{
    if (!h || !status)
        return AIOTSEC_E_NULL_ARG;
    if (!h->responded)
        return AIOTSEC_E_BAD_STATE;
    *status = h->last_status;
    return AIOTSEC_OK;
}
