/* ADM side: the request bodies of getRand, getAuthentication, getSessionKey and
 * getTid (TS 29.369 v19.2.0) read strictly into an aiotsec_adm_request whose
 * octets live in the parse object. Checks run in a fixed order, so a body
 * with several faults always gets the same answer: unknown members, missing
 * members, the device-or-filter rule, then each member in schema order. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbi_json.h"

struct aiotsec_sbi_request {
    size_t max_rand_d;
    uint8_t *rand_d; /* max_rand_d x 16 octets */
    uint8_t perm_id[AIOTSEC_ID_MAX];
    uint8_t filter[AIOTSEC_FILTER_MAX];
    uint8_t rand_n[AIOTSEC_RAND_LEN];
    aiotsec_adm_request req;
    int failed; /* 1: `problem` describes the last parse */
    sbi_problem problem;
};

/* The members of each request body, in schema order. */
enum kind { K_RAND, K_RAND_LIST, K_PERM_ID, K_FILTER, K_BOOL };

typedef struct member {
    const char *name;
    enum kind kind;
    int required;      /* a missing one is MANDATORY_IE_MISSING */
    const char *cause; /* what a malformed one is */
} member;

/* getAuthentication's identifiers are optional in the schema, but the one present
 * is the request's mandatory subject: malformed, it is MANDATORY_IE_INCORRECT. */
static const member AUTH[] = {
    {"aiotDevPermId", K_PERM_ID, 0, SBI_CAUSE_INCORRECT},
    {"filteringInfo", K_FILTER, 0, SBI_CAUSE_INCORRECT},
    {"randN", K_RAND, 1, SBI_CAUSE_INCORRECT},
    {"randDlist", K_RAND_LIST, 1, SBI_CAUSE_INCORRECT},
};
static const member SKEY[] = {
    {"aiotDevPermId", K_PERM_ID, 1, SBI_CAUSE_INCORRECT},
    {"randN", K_RAND, 1, SBI_CAUSE_INCORRECT},
    {"randD", K_RAND, 1, SBI_CAUSE_INCORRECT},
};
static const member TID[] = {
    {"aiotDevPermId", K_PERM_ID, 1, SBI_CAUSE_INCORRECT},
    {"resyncInd", K_BOOL, 0, SBI_CAUSE_OPT_INCORRECT},
};

int aiotsec_sbi_request_new(aiotsec_sbi_request **out, size_t max_rand_d)
{
    if (!out)
        return AIOTSEC_E_NULL_ARG;
    *out = NULL;
    if (max_rand_d == 0 || max_rand_d > AIOTSEC_SBI_RAND_D_MAX)
        return AIOTSEC_E_BAD_VALUE;
    aiotsec_sbi_request *p = calloc(1, sizeof *p);
    if (!p)
        return AIOTSEC_E_NO_MEMORY;
    p->rand_d = calloc(max_rand_d, AIOTSEC_RAND_LEN);
    if (!p->rand_d) {
        free(p);
        return AIOTSEC_E_NO_MEMORY;
    }
    p->max_rand_d = max_rand_d;
    *out = p;
    return AIOTSEC_OK;
}

void aiotsec_sbi_request_free(aiotsec_sbi_request *p)
{
    if (!p)
        return;
    free(p->rand_d);
    free(p);
}

/* Records a 400 about one member and returns the parse status. */
static int bad(aiotsec_sbi_request *p, const char *cause, const char *param, const char *reason)
{
    sbi_problem_set(&p->problem, 400, cause, "malformed request");
    sbi_problem_param(&p->problem, param, reason);
    return AIOTSEC_E_BAD_VALUE;
}

static const member *find(const member *tab, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(tab[i].name, name))
            return &tab[i];
    return NULL;
}

static int unknown_member(aiotsec_sbi_request *p, const char *name)
{
    char ptr[SBI_PARAM_LEN];
    size_t n = strlen(name);
    if (n > SBI_NAME_ECHO_MAX || sbi_pointer(ptr, sizeof ptr, name, -1) != 0) {
        /* Never echo a huge name: point at the object and say how long it was. */
        char reason[SBI_REASON_LEN];
        (void)snprintf(reason, sizeof reason, "unknown member (a name of %zu characters)", n);
        return bad(p, SBI_CAUSE_FORMAT, "", reason);
    }
    return bad(p, SBI_CAUSE_FORMAT, ptr, "unknown member");
}

static int decode_rand_list(aiotsec_sbi_request *p, const member *m, json_t *v)
{
    char ptr[SBI_PARAM_LEN];
    if (!json_is_array(v))
        return bad(p, m->cause, "/randDlist", "not an array");
    size_t n = json_array_size(v);
    if (n == 0)
        return bad(p, m->cause, "/randDlist", "empty: at least one RAND_AIOT_d is required");
    if (n > p->max_rand_d) {
        /* Every entry costs at least one derivation: the ADM's 413 without reading them. */
        char reason[SBI_REASON_LEN];
        (void)snprintf(reason, sizeof reason, "%zu entries, at most %zu per request", n, p->max_rand_d);
        sbi_problem_set(&p->problem, 413, SBI_CAUSE_TOO_MANY,
                        "too many derivations for one request: split randDlist");
        sbi_problem_param(&p->problem, "/randDlist", reason);
        return AIOTSEC_E_TOO_MANY_DERIVATIONS;
    }
    for (size_t i = 0; i < n; i++) {
        size_t len = 0;
        const char *why = sbi_dec_hex(json_array_get(v, i), AIOTSEC_RAND_LEN, AIOTSEC_RAND_LEN,
                                      p->rand_d + i * AIOTSEC_RAND_LEN, &len);
        if (why) {
            sbi_pointer(ptr, sizeof ptr, "randDlist", (long)i);
            return bad(p, m->cause, ptr, why);
        }
    }
    p->req.rand_d = p->rand_d;
    p->req.rand_d_count = n;
    return AIOTSEC_OK;
}

static int decode_member(aiotsec_sbi_request *p, const member *m, json_t *v)
{
    char ptr[SBI_PARAM_LEN];
    sbi_pointer(ptr, sizeof ptr, m->name, -1); /* schema names always fit */
    const char *why = NULL;
    size_t len = 0;
    switch (m->kind) {
    case K_RAND:
        if (!strcmp(m->name, "randN")) {
            why = sbi_dec_hex(v, AIOTSEC_RAND_LEN, AIOTSEC_RAND_LEN, p->rand_n, &len);
            p->req.rand_n = p->rand_n;
            p->req.rand_n_len = len;
        } else { /* getSessionKey's randD: one RAND_AIOT_d */
            why = sbi_dec_hex(v, AIOTSEC_RAND_LEN, AIOTSEC_RAND_LEN, p->rand_d, &len);
            p->req.rand_d = p->rand_d;
            p->req.rand_d_count = 1;
        }
        break;
    case K_RAND_LIST:
        return decode_rand_list(p, m, v);
    case K_PERM_ID:
        why = sbi_dec_b64(v, 1, AIOTSEC_ID_MAX, p->perm_id, &len);
        p->req.perm_id = p->perm_id;
        p->req.perm_id_len = len;
        break;
    case K_FILTER:
        why = sbi_dec_b64(v, 1, AIOTSEC_FILTER_MAX, p->filter, &len);
        p->req.filter = p->filter;
        p->req.filter_len = len;
        break;
    case K_BOOL:
        if (!json_is_boolean(v))
            why = "not a boolean";
        else
            p->req.resync = json_is_true(v);
        break;
    }
    return why ? bad(p, m->cause, ptr, why) : AIOTSEC_OK;
}

static int parse_object(aiotsec_sbi_request *p, int op, json_t *root)
{
    if (!json_is_object(root))
        return bad(p, SBI_CAUSE_FORMAT, "", "the body must be a JSON object");
    const member *tab = NULL;
    size_t n = 0;
    switch (op) {
    case AIOTSEC_ADM_GET_AUTHENTICATION: tab = AUTH, n = sizeof AUTH / sizeof AUTH[0]; break;
    case AIOTSEC_ADM_GET_SESSION_KEY: tab = SKEY, n = sizeof SKEY / sizeof SKEY[0]; break;
    case AIOTSEC_ADM_GET_TID: tab = TID, n = sizeof TID / sizeof TID[0]; break;
    default: break; /* getRand: `{}` only */
    }
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v) {
        if (!find(tab, n, key))
            return unknown_member(p, key);
    }
    char ptr[SBI_PARAM_LEN];
    for (size_t i = 0; i < n; i++) {
        if (tab[i].required && !json_object_get(root, tab[i].name)) {
            sbi_pointer(ptr, sizeof ptr, tab[i].name, -1);
            return bad(p, SBI_CAUSE_MISSING, ptr, "missing");
        }
    }
    if (op == AIOTSEC_ADM_GET_AUTHENTICATION) {
        int has_dev = json_object_get(root, "aiotDevPermId") != NULL;
        int has_filter = json_object_get(root, "filteringInfo") != NULL;
        if (has_dev == has_filter) {
            const char *cause = has_dev ? SBI_CAUSE_INCORRECT : SBI_CAUSE_MISSING;
            const char *why = has_dev ? "exactly one of aiotDevPermId and filteringInfo, not both"
                                      : "one of aiotDevPermId and filteringInfo is required";
            bad(p, cause, "/aiotDevPermId", why);
            sbi_problem_param(&p->problem, "/filteringInfo", why);
            return AIOTSEC_E_BAD_VALUE;
        }
    }
    for (size_t i = 0; i < n; i++) {
        json_t *mv = json_object_get(root, tab[i].name);
        if (mv) {
            int rc = decode_member(p, &tab[i], mv);
            if (rc != AIOTSEC_OK)
                return rc;
        }
    }
    return AIOTSEC_OK;
}

/* JSON values in a text, roughly: the commas and colons outside strings (openings
 * add at most the nesting depth, which jansson bounds), counted up to limit + 1:
 * a tree costs about 20 times its text, so a body is refused on this count
 * before any of it is parsed. */
static size_t count_values(const char *t, size_t len, size_t limit)
{
    size_t n = 0;
    int in_str = 0;
    for (size_t i = 0; i < len && n <= limit; i++) {
        char c = t[i];
        if (in_str) {
            if (c == '\\')
                i++; /* the escaped character cannot end the string */
            else if (c == '"')
                in_str = 0;
        } else if (c == '"') {
            in_str = 1;
        } else if (c == ',' || c == ':') {
            n++;
        }
    }
    return n;
}

/* The most values a valid request of the operation holds: a few members, and for
 * getAuthentication one entry per RAND_AIOT_d the parser accepts. */
static size_t values_max(const aiotsec_sbi_request *p, int op)
{
    return 32 + (op == AIOTSEC_ADM_GET_AUTHENTICATION ? p->max_rand_d : 0);
}

int aiotsec_sbi_request_parse(aiotsec_sbi_request *p, int op, const char *body, size_t len,
                              const aiotsec_adm_request **req)
{
    if (req)
        *req = NULL;
    if (!p || !req || (!body && len))
        return AIOTSEC_E_NULL_ARG;
    if (!aiotsec_adm_op_name(op))
        return AIOTSEC_E_BAD_VALUE;
    memset(&p->req, 0, sizeof p->req);
    p->req.op = op;
    p->failed = 1;
    if (len > AIOTSEC_SBI_BODY_MAX) {
        sbi_problem_set(&p->problem, 413, SBI_CAUSE_TOO_LARGE, "the body exceeds 16 MiB");
        memset(&p->req, 0, sizeof p->req);
        return AIOTSEC_E_LIMIT;
    }
    /* getRand has no body: nothing at all, blanks, or an empty object. */
    size_t i = 0;
    while (i < len && (body[i] == ' ' || body[i] == '\t' || body[i] == '\r' || body[i] == '\n'))
        i++;
    int rc;
    if (op == AIOTSEC_ADM_GET_RAND && i == len) {
        rc = AIOTSEC_OK;
    } else {
        json_t *root = NULL;
        if (count_values(body, len, values_max(p, op)) > values_max(p, op)) {
            memset(&p->req, 0, sizeof p->req);
            if (op != AIOTSEC_ADM_GET_AUTHENTICATION) {
                sbi_problem_set(&p->problem, 413, SBI_CAUSE_TOO_LARGE,
                                "more JSON values than a valid request of this operation holds");
                return AIOTSEC_E_LIMIT;
            }
            /* Only randDlist can be that long in a valid request: the 413 that
             * decode_rand_list gives, without building the tree. */
            char reason[SBI_REASON_LEN];
            (void)snprintf(reason, sizeof reason, "more than %zu entries, at most %zu per request", p->max_rand_d,
                           p->max_rand_d);
            sbi_problem_set(&p->problem, 413, SBI_CAUSE_TOO_MANY, "too many derivations for one request: split randDlist");
            sbi_problem_param(&p->problem, "/randDlist", reason);
            return AIOTSEC_E_TOO_MANY_DERIVATIONS;
        }
        rc = sbi_json_load(body, len, &root, &p->problem);
        if (rc == AIOTSEC_OK)
            rc = parse_object(p, op, root);
        json_decref(root); /* requests carry no secret */
    }
    if (rc != AIOTSEC_OK) {
        memset(&p->req, 0, sizeof p->req);
        return rc;
    }
    p->failed = 0;
    *req = &p->req;
    return AIOTSEC_OK;
}

int aiotsec_sbi_request_error(const aiotsec_sbi_request *p, int *http_status, const char **cause,
                              const char **param, const char **reason)
{
    if (!p)
        return AIOTSEC_E_NULL_ARG;
    if (!p->failed)
        return AIOTSEC_E_BAD_STATE;
    if (http_status)
        *http_status = p->problem.http;
    if (cause)
        *cause = p->problem.cause;
    if (param)
        *param = p->problem.n_params ? p->problem.param[0] : "";
    if (reason)
        *reason = p->problem.n_params ? p->problem.reason[0] : p->problem.detail ? p->problem.detail : "";
    return AIOTSEC_OK;
}

int aiotsec_sbi_request_problem(const aiotsec_sbi_request *p, char *buf, size_t cap, size_t *len)
{
    if (!p || (!buf && cap) || !len)
        return AIOTSEC_E_NULL_ARG;
    if (!p->failed)
        return AIOTSEC_E_BAD_STATE;
    sbi_out o;
    sbi_out_init(&o, buf, cap);
    sbi_problem_write(&o, &p->problem);
    return sbi_out_end(&o, len);
}
