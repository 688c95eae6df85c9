/* A worker's answerer: one request body in, one response out, through
 * libaiotsec-sbi's parser and writers and the shared ADM. The pieces rather than
 * aiotsec_sbi_handle(), because the request log wants what the handler keeps to
 * itself: how many candidates each RAND_AIOT_d had.
 *
 * Nothing is allocated per request: the parser, the answer and the response
 * buffer are made once (the buffer grows to the largest response so far). The
 * buffer holds XRES_AIOT or K_AIOTF after those operations and is wiped before
 * every reuse, on clear and on free. */
#include <stdlib.h>
#include <string.h>

#include "aiotsec/sbi.h"
#include "srv_exchange.h"

#define FIRST_BUF 4096u

struct srv_answerer {
    const aiotsec_adm *adm;
    size_t max_body;
    aiotsec_sbi_request *parser;
    aiotsec_auth_answer *ans;
    char *buf;
    size_t cap, len;
};

/* When even a ProblemDetails cannot be allocated. */
static const char NO_MEMORY_BODY[] = "{\"status\":500,\"cause\":\"INSUFFICIENT_RESOURCES\",\"detail\":\"out of memory\"}";

int srv_answerer_new(srv_answerer **out, const aiotsec_adm *adm, size_t max_body)
{
    *out = NULL;
    if (max_body > AIOTSEC_SBI_BODY_MAX)
        return AIOTSEC_E_BAD_VALUE;
    srv_answerer *a = calloc(1, sizeof *a);
    if (!a)
        return AIOTSEC_E_NO_MEMORY;
    size_t limit = aiotsec_adm_max_derivations(adm);
    a->adm = adm;
    a->max_body = max_body ? max_body : AIOTSEC_SBI_BODY_DEFAULT;
    /* Each randDlist entry costs a derivation at least: a longer list than the
     * ADM's limit is refused (413) by the parser before it reads an entry. */
    int rc = aiotsec_sbi_request_new(&a->parser, limit < AIOTSEC_SBI_RAND_D_MAX ? limit : AIOTSEC_SBI_RAND_D_MAX);
    if (rc == AIOTSEC_OK)
        rc = aiotsec_auth_answer_new(&a->ans, limit);
    if (rc == AIOTSEC_OK && !(a->buf = malloc(FIRST_BUF)))
        rc = AIOTSEC_E_NO_MEMORY;
    if (rc != AIOTSEC_OK) {
        srv_answerer_free(a);
        return rc;
    }
    a->cap = FIRST_BUF;
    *out = a;
    return AIOTSEC_OK;
}

void srv_answer_clear(srv_answerer *a)
{
    if (a && a->buf && a->len)
        aiotsec_wipe(a->buf, a->len + 1 <= a->cap ? a->len + 1 : a->cap);
    if (a)
        a->len = 0;
}

void srv_answerer_free(srv_answerer *a)
{
    if (!a)
        return;
    srv_answer_clear(a);
    free(a->buf);
    aiotsec_auth_answer_free(a->ans);
    aiotsec_sbi_request_free(a->parser);
    free(a);
}

/* What a response body is made of. */
typedef struct piece {
    enum { P_RAND, P_AUTH, P_SKEY, P_TID, P_PARSE_PROBLEM, P_PROBLEM } kind;
    const uint8_t *octets; /* RAND_AIOT_n or K_AIOTF */
    const aiotsec_tid_info *tid;
    int status; /* P_PROBLEM */
    const aiotsec_adm_request *req;
} piece;

static int write_piece(srv_answerer *a, const piece *p, size_t *len, int *http)
{
    switch (p->kind) {
    case P_RAND: return aiotsec_sbi_write_rand_response(p->octets, AIOTSEC_RAND_LEN, a->buf, a->cap, len);
    case P_AUTH: return aiotsec_sbi_write_auth_response(a->ans, a->buf, a->cap, len);
    case P_SKEY: return aiotsec_sbi_write_session_key_response(p->octets, AIOTSEC_KAIOTF_LEN, a->buf, a->cap, len);
    case P_TID: return aiotsec_sbi_write_tid_response(p->tid, a->buf, a->cap, len);
    case P_PARSE_PROBLEM: return aiotsec_sbi_request_problem(a->parser, a->buf, a->cap, len);
    case P_PROBLEM: return aiotsec_sbi_write_problem(p->status, p->req, a->buf, a->cap, len, http);
    }
    return AIOTSEC_E_BAD_VALUE;
}

/* Writes a body, growing the buffer once when it is too small (a writer that ran
 * out of room has wiped what it wrote). */
static int render(srv_answerer *a, const piece *p, int *http)
{
    size_t len = 0;
    int rc = write_piece(a, p, &len, http);
    if (rc == AIOTSEC_E_BUFFER_TOO_SMALL) {
        char *bigger = len < SIZE_MAX - 1 ? malloc(len + 1) : NULL;
        if (!bigger)
            return AIOTSEC_E_NO_MEMORY;
        aiotsec_wipe(a->buf, a->cap);
        free(a->buf);
        a->buf = bigger;
        a->cap = len + 1;
        rc = write_piece(a, p, &len, http);
    }
    if (rc == AIOTSEC_OK)
        a->len = len;
    return rc;
}

/* The ADM call of a parsed request and its success body; r->status says how it went. */
static int call_adm(srv_answerer *a, const aiotsec_adm_request *req, srv_reply *r)
{
    piece p;
    memset(&p, 0, sizeof p);
    _Static_assert(AIOTSEC_KAIOTF_LEN <= AIOTSEC_RAND_LEN, "octets holds a RAND or a K_AIOTF");
    uint8_t octets[AIOTSEC_RAND_LEN];
    aiotsec_tid_info tid;
    int rc;
    switch (req->op) {
    case AIOTSEC_ADM_GET_RAND:
        rc = aiotsec_adm_get_rand(a->adm, octets, AIOTSEC_RAND_LEN);
        p.kind = P_RAND;
        p.octets = octets;
        break;
    case AIOTSEC_ADM_GET_AUTHENTICATION:
        r->rand_d = req->rand_d_count;
        rc = aiotsec_adm_get_authentication(a->adm, req, a->ans);
        if (rc == AIOTSEC_OK && aiotsec_auth_answer_set_count(a->ans))
            r->candidates = aiotsec_auth_answer_entry_count(a->ans) / aiotsec_auth_answer_set_count(a->ans);
        p.kind = P_AUTH;
        break;
    case AIOTSEC_ADM_GET_SESSION_KEY:
        rc = aiotsec_adm_get_session_key(a->adm, req->perm_id, req->perm_id_len, req->rand_n, req->rand_n_len,
                                         req->rand_d, AIOTSEC_RAND_LEN, octets, AIOTSEC_KAIOTF_LEN);
        p.kind = P_SKEY;
        p.octets = octets;
        break;
    default:
        rc = aiotsec_adm_get_tid(a->adm, req->perm_id, req->perm_id_len, req->resync, &tid);
        p.kind = P_TID;
        p.tid = &tid;
        break;
    }
    r->status = rc;
    if (rc == AIOTSEC_OK) {
        r->http = 200;
        rc = render(a, &p, &r->http);
        r->secret = rc == AIOTSEC_OK && (req->op == AIOTSEC_ADM_GET_AUTHENTICATION ||
                                         req->op == AIOTSEC_ADM_GET_SESSION_KEY);
        if (rc != AIOTSEC_OK)
            r->status = rc;
    }
    aiotsec_wipe(octets, sizeof octets);
    aiotsec_wipe(&tid, sizeof tid);
    if (req->op == AIOTSEC_ADM_GET_AUTHENTICATION)
        aiotsec_auth_answer_reset(a->ans); /* the XRES_AIOT values are in the body now */
    if (rc != AIOTSEC_OK) {
        p.kind = P_PROBLEM;
        p.status = rc;
        p.req = req;
        rc = render(a, &p, &r->http);
    }
    return rc;
}

void srv_answer(srv_answerer *a, int op, const char *body, size_t len, srv_reply *r)
{
    memset(r, 0, sizeof *r);
    srv_answer_clear(a);
    r->http = 500;
    int rc;
    if (len > a->max_body) {
        piece p = {.kind = P_PROBLEM, .status = AIOTSEC_E_LIMIT};
        r->status = AIOTSEC_E_LIMIT;
        rc = render(a, &p, &r->http);
    } else {
        const aiotsec_adm_request *req = NULL;
        rc = aiotsec_sbi_request_parse(a->parser, op, body, len, &req);
        if (rc == AIOTSEC_OK) {
            rc = call_adm(a, req, r);
        } else {
            piece p = {.kind = P_PARSE_PROBLEM};
            r->status = rc;
            (void)aiotsec_sbi_request_error(a->parser, &r->http, NULL, NULL, NULL);
            rc = render(a, &p, &r->http);
        }
    }
    if (rc != AIOTSEC_OK) { /* only memory fails here */
        srv_answer_clear(a);
        r->http = 500;
        r->status = AIOTSEC_E_NO_MEMORY;
        r->secret = 0;
        r->body = NO_MEMORY_BODY;
        r->len = sizeof NO_MEMORY_BODY - 1;
        return;
    }
    r->body = a->buf;
    r->len = a->len;
}
