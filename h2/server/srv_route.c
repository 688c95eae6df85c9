/* The header fields of a request and what they decide before any body is read.
 *
 * Order of the checks (the first that fails answers): the server's state (503
 * while starting or stopping), the path (404), the method (405), then, only
 * when a body follows, its media type (415), its declared length (411 when
 * absent, 413 over the limit). A request without a body (END_STREAM on its
 * HEADERS) needs neither: it is an empty body, which the operations that take
 * one refuse with a 400 (libaiotsec-sbi). */
#include <string.h>

#include "aiotsec/sbi.h"
#include "srv_exchange.h"

void srv_head_init(srv_head *h)
{
    memset(h, 0, sizeof *h);
}

static int name_is(const uint8_t *name, size_t len, const char *want)
{
    size_t n = strlen(want);
    return len == n && memcmp(name, want, n) == 0;
}

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* application/json, any case, optionally followed by blanks and ";parameters". */
static int is_json(const uint8_t *v, size_t len)
{
    static const char want[] = "application/json";
    size_t n = sizeof want - 1, i = 0;
    while (i < len && (v[i] == ' ' || v[i] == '\t'))
        i++;
    if (len - i < n)
        return 0;
    for (size_t k = 0; k < n; k++)
        if (lower(v[i + k]) != want[k])
            return 0;
    for (i += n; i < len && (v[i] == ' ' || v[i] == '\t'); i++)
        ;
    return i == len || v[i] == ';';
}

/* Decimal digits only, at most 2^53 (larger than any body we take anyway). */
static int parse_length(const uint8_t *v, size_t len, uint64_t *out)
{
    uint64_t n = 0;
    if (len == 0 || len > 16)
        return -1;
    for (size_t i = 0; i < len; i++) {
        if (v[i] < '0' || v[i] > '9')
            return -1;
        n = n * 10 + (uint64_t)(v[i] - '0');
    }
    *out = n;
    return 0;
}

int srv_path_op(const char *path, size_t len)
{
    static const char base[] = "/nadm-sec/v1";
    const char *q = memchr(path, '?', len);
    if (q)
        len = (size_t)(q - path);
    size_t n = sizeof base - 1;
    if (len <= n || memcmp(path, base, n) != 0)
        return 0;
    for (int op = AIOTSEC_ADM_GET_RAND; op <= AIOTSEC_ADM_GET_TID; op++) {
        const char *p = NULL;
        if (aiotsec_sbi_op_path(op, &p) == AIOTSEC_OK && strlen(p) == len - n && memcmp(p, path + n, len - n) == 0)
            return op;
    }
    return 0;
}

void srv_head_field(srv_head *h, const uint8_t *name, size_t name_len, const uint8_t *value, size_t value_len)
{
    if (name_is(name, name_len, ":method")) {
        h->method_seen = 1;
        h->method_post = value_len == 4 && memcmp(value, "POST", 4) == 0;
    } else if (name_is(name, name_len, ":path")) {
        h->op = srv_path_op((const char *)value, value_len);
    } else if (name_is(name, name_len, "content-type")) {
        h->ct_json = !h->ct_seen && is_json(value, value_len); /* two of them: not a JSON body we trust */
        h->ct_seen = 1;
    } else if (name_is(name, name_len, "content-length")) {
        if (h->cl_seen || parse_length(value, value_len, &h->cl) != 0)
            h->cl_bad = 1;
        h->cl_seen = 1;
    }
}

void srv_route(const srv_head *h, int has_body, int state, size_t max_body, srv_early *out)
{
    memset(out, 0, sizeof *out);
    if (h->cl_seen && !h->cl_bad && h->cl == 0)
        has_body = 0; /* an empty DATA frame is no body: no media type to check */
    if (state != SRV_RUNNING) {
        out->http = 503;
        out->retry_after = 1;
        out->what = state == SRV_STARTING ? "starting" : "stopping";
    } else if (!h->op) {
        out->http = 404;
        out->what = "unknown path";
    } else if (!h->method_post) {
        out->http = 405;
        out->allow_post = 1;
        out->what = "method not POST";
    } else if (has_body && !h->ct_json) {
        out->http = 415;
        out->what = h->ct_seen ? "content-type not application/json" : "no content-type";
    } else if (has_body && (!h->cl_seen || h->cl_bad)) {
        out->http = 411;
        out->what = h->cl_bad ? "malformed content-length" : "no content-length";
    } else if (has_body && h->cl > max_body) {
        out->http = 413;
        out->what = "content-length over the limit";
    }
}
