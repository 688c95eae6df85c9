/* libFuzzer: the ADM server's request path (h2/server: srv_route.c, srv_problem.c,
 * srv_answer.c), from the header fields nghttp2 hands over to the response the
 * server sends, without the network.
 *
 * Input: octet 0 picks the server state (bits 0-1: starting, running, stopping)
 * and whether DATA follows the HEADERS (bit 2); then header fields as
 * (name length, name, value length, value) with one-octet lengths, until a
 * length octet 0xff; the rest is the body.
 *
 * Oracles: an early answer is one of 404, 405, 411, 413, 415, 503, and the body
 * the server sends for it is a JSON ProblemDetails of that status; 503 exactly
 * when not running; 405 only for a known path. A request that goes on gets a
 * JSON response of 200, 400, 404 or 413 (an in-memory store never fails: no
 * 500) whose ProblemDetails says its own status, a 400 naming an invalid
 * parameter; a 200 of getAuthentication reads back with one set per
 * RAND_AIOT_d and the candidate count the server logs; a secret response is
 * wiped by srv_answer_clear(). (h2 area) */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aiotsec/aiotsec.h"
#include "aiotsec/sbi.h"
#include "srv_exchange.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_BODY 4096u

static aiotsec_ctx *ctx;
static aiotsec_memstore *store;
static aiotsec_adm *adm;
static srv_answerer *answerer;
static aiotsec_auth_answer *ans;

/* Devices a1 00 00 00 0i (i = 1..4), a1 10 00 00 05, b2 00 00 00 06, as fuzz_sbi_bodies has them. */
static void setup(void)
{
    if (answerer)
        return;
    static const uint8_t ids[6][5] = {{0xa1, 0, 0, 0, 1}, {0xa1, 0, 0, 0, 2}, {0xa1, 0x0f, 0, 0, 3},
                                      {0xa1, 0x0f, 0xff, 0xff, 4}, {0xa1, 0x10, 0, 0, 5}, {0xb2, 0, 0, 0, 6}};
    if (aiotsec_ctx_new(&ctx, NULL, NULL) != AIOTSEC_OK || aiotsec_memstore_new(&store, ctx, 6) != AIOTSEC_OK)
        abort();
    for (uint8_t i = 0; i < 6; i++) {
        uint8_t key[32];
        memset(key, 0x30 + i, sizeof key);
        if (aiotsec_memstore_add(store, ids[i], 5, key, i % 2 ? 32 : 16) != AIOTSEC_OK)
            abort();
    }
    aiotsec_keystore ks;
    aiotsec_adm_config cfg;
    if (aiotsec_memstore_keystore(store, &ks) != AIOTSEC_OK || aiotsec_adm_config_init(&cfg, ctx) != AIOTSEC_OK)
        abort();
    cfg.max_derivations = 64; /* small: 413s are reachable, every run is quick */
    if (aiotsec_adm_new(&adm, ctx, &ks, &cfg) != AIOTSEC_OK || srv_answerer_new(&answerer, adm, MAX_BODY) != AIOTSEC_OK ||
        aiotsec_auth_answer_new(&ans, 256) != AIOTSEC_OK)
        abort();
}

static json_t *must_json(const char *body, size_t len)
{
    json_error_t err;
    json_t *v = json_loadb(body, len, JSON_REJECT_DUPLICATES, &err);
    if (!v || !json_is_object(v))
        abort();
    return v;
}

static void check_problem(const char *body, size_t len, int http)
{
    json_t *v = must_json(body, len);
    if (json_integer_value(json_object_get(v, "status")) != http || !json_is_string(json_object_get(v, "detail")))
        abort();
    const json_t *ip = json_object_get(v, "invalidParams");
    if (http == 400 && (!json_array_size(ip) || !json_is_string(json_object_get(json_array_get(ip, 0), "param"))))
        abort();
    json_decref(v);
}

static void early(const srv_head *h, int state, const srv_early *e)
{
    static const int allowed[] = {404, 405, 411, 413, 415, 503};
    int ok = 0;
    for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++)
        ok |= e->http == allowed[i];
    if (!ok || (e->http == 503) != (state != SRV_RUNNING) || (e->http == 405 && !h->op) ||
        (e->http == 404 && h->op))
        abort();
    char buf[512];
    size_t len = srv_problem_body(e->http, e->what, buf, sizeof buf);
    if (!len)
        abort();
    check_problem(buf, len, e->http);
}

static void answer(int op, const char *body, size_t len)
{
    srv_reply r;
    srv_answer(answerer, op, body, len, &r);
    if (r.http != 200 && r.http != 400 && r.http != 404 && r.http != 413)
        abort();
    if (r.secret != (r.http == 200 && (op == AIOTSEC_ADM_GET_AUTHENTICATION || op == AIOTSEC_ADM_GET_SESSION_KEY)))
        abort();
    if (r.http != 200) {
        check_problem(r.body, r.len, r.http);
    } else {
        json_decref(must_json(r.body, r.len));
        if (op == AIOTSEC_ADM_GET_AUTHENTICATION) {
            if (aiotsec_sbi_parse_auth_response(r.body, r.len, ans) != AIOTSEC_OK ||
                aiotsec_auth_answer_set_count(ans) != r.rand_d ||
                aiotsec_auth_answer_entry_count(ans) != r.rand_d * r.candidates)
                abort();
            aiotsec_auth_answer_reset(ans);
        }
    }
    const char *view = r.body;
    size_t n = r.len;
    int secret = r.secret;
    srv_answer_clear(answerer);
    for (size_t i = 0; secret && i < n; i++) /* the view is the answerer's buffer: wiped */
        if (view[i])
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup();
    if (size < 1)
        return 0;
    int state = data[0] & 3;
    int has_body = (data[0] >> 2) & 1;
    if (state > SRV_STOPPING)
        state = SRV_RUNNING;
    size_t at = 1;
    srv_head h;
    srv_head_init(&h);
    while (at < size && data[at] != 0xff) {
        size_t nl = data[at++];
        if (at + nl >= size)
            return 0;
        const uint8_t *name = data + at;
        at += nl;
        size_t vl = data[at++];
        if (at + vl > size)
            return 0;
        srv_head_field(&h, name, nl, data + at, vl);
        at += vl;
    }
    at += at < size; /* the 0xff */
    const char *body = (const char *)data + at;
    size_t len = size - at;
    srv_early e;
    srv_route(&h, has_body, state, MAX_BODY, &e);
    if (e.http) {
        early(&h, state, &e);
        return 0;
    }
    if (!h.op || !h.method_post || state != SRV_RUNNING)
        abort(); /* went on without a route */
    answer(h.op, has_body ? body : NULL, has_body ? len : 0);
    return 0;
}
