/* libFuzzer: libaiotsec-sbi's readers of untrusted JSON. The first input octet
 * picks the side and operation; the rest is the body.
 *
 * ADM side: the body as a request to the handler, over a small in-memory key
 * store. Oracles: a response always comes; its status is 200, 400, 404 or 413
 * (nothing here may fail inside: no 500); it is JSON; a ProblemDetails says its
 * own status and, for a 400, names an invalid parameter; a 200 reads back with
 * the AIOTF-side reader of its operation (getAuthentication: one set per
 * `randDlist` entry, in order); a request the parser takes is written again by
 * the AIOTF-side writer and parses to the same octets.
 *
 * AIOTF side: the body as each operation's response and as a ProblemDetails.
 * Oracles: whatever a reader takes, the ADM-side writer writes again and the
 * reader reads back identically. Leaks and out-of-bounds accesses fail the run
 * (ASan), as does any abort here. (sbi area) */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aiotsec/aiotsec.h"
#include "aiotsec/sbi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Devices a1 00 00 00 0i (i = 1..4), a1 10 00 00 05, b2 00 00 00 06; keys from their index. */
static aiotsec_ctx *ctx;
static aiotsec_memstore *store;
static aiotsec_adm *adm;
static aiotsec_sbi_handler *handler;
static aiotsec_sbi_request *parser;
static aiotsec_auth_answer *ans, *ans2;

static void setup(void)
{
    if (handler)
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
    cfg.max_derivations = 64; /* small: 413s are reachable, and every run is quick */
    if (aiotsec_adm_new(&adm, ctx, &ks, &cfg) != AIOTSEC_OK || aiotsec_sbi_handler_new(&handler, adm, 0) != AIOTSEC_OK ||
        aiotsec_sbi_request_new(&parser, 64) != AIOTSEC_OK || aiotsec_auth_answer_new(&ans, 256) != AIOTSEC_OK ||
        aiotsec_auth_answer_new(&ans2, 256) != AIOTSEC_OK)
        abort();
}

static json_t *must_json(const char *body, size_t len)
{
    json_error_t err;
    json_t *v = json_loadb(body, len, JSON_REJECT_DUPLICATES, &err);
    if (!v || !json_is_object(v) || strlen(body) != len)
        abort();
    return v;
}

/* Two answers hold the same sets and entries, in the same order. */
static void same_answer(const aiotsec_auth_answer *a, const aiotsec_auth_answer *b)
{
    size_t n = aiotsec_auth_answer_set_count(a);
    if (n != aiotsec_auth_answer_set_count(b) || aiotsec_auth_answer_entry_count(a) != aiotsec_auth_answer_entry_count(b))
        abort();
    for (size_t s = 0; s < n; s++) {
        const uint8_t *ra, *rb;
        size_t ea, eb;
        if (aiotsec_auth_answer_set(a, s, &ra, &ea) || aiotsec_auth_answer_set(b, s, &rb, &eb) || ea != eb ||
            memcmp(ra, rb, 16))
            abort();
        for (size_t e = 0; e < ea; e++) {
            const uint8_t *xa, *xb, *pa, *pb;
            size_t xla, xlb, pla, plb;
            if (aiotsec_auth_answer_entry(a, s, e, &xa, &xla, &pa, &pla) ||
                aiotsec_auth_answer_entry(b, s, e, &xb, &xlb, &pb, &plb) || xla != xlb || memcmp(xa, xb, xla) ||
                pla != plb || (!pa) != (!pb) || (pa && memcmp(pa, pb, pla)))
                abort();
        }
    }
}

static void request_side(int op, const char *body, size_t len)
{
    int http = 0;
    const char *resp = NULL;
    size_t rlen = 0;
    if (aiotsec_sbi_handle(handler, op, body, len, &http, &resp, &rlen) != AIOTSEC_OK)
        abort();
    if (http != 200 && http != 400 && http != 404 && http != 413)
        abort();
    json_t *v = must_json(resp, rlen);
    if (http != 200) {
        if (json_integer_value(json_object_get(v, "status")) != http || !json_is_string(json_object_get(v, "cause")))
            abort();
        const json_t *ip = json_object_get(v, "invalidParams");
        if (http == 400 && (!json_array_size(ip) || !json_is_string(json_object_get(json_array_get(ip, 0), "param"))))
            abort();
    }
    json_decref(v);

    /* The parser alone, and the AIOTF-side writer's agreement with it. */
    /* The parser alone agrees with the handler (whose parser also holds 64 entries):
     * what it refuses the handler answered with its problem, what it takes went to the
     * ADM, whose only refusals here are unknown devices, filters and the limit. */
    int last = 0;
    if (aiotsec_sbi_handler_last_status(handler, &last) != AIOTSEC_OK)
        abort();
    const aiotsec_adm_request *req = NULL;
    int prc = aiotsec_sbi_request_parse(parser, op, body, len, &req);
    if (prc != AIOTSEC_OK && last != prc)
        abort();
    if (prc == AIOTSEC_OK &&
        !((http == 200 && last == AIOTSEC_OK) || (http == 400 && last == AIOTSEC_E_BAD_FILTER) ||
          (http == 413 && last == AIOTSEC_E_TOO_MANY_DERIVATIONS) ||
          (http == 404 && (last == AIOTSEC_E_UNKNOWN_DEVICE || last == AIOTSEC_E_NO_CANDIDATE))))
        abort();
    if (http == 200) {
        if (op == AIOTSEC_ADM_GET_AUTHENTICATION) {
            if (aiotsec_sbi_parse_auth_response(resp, rlen, ans) != AIOTSEC_OK || !req ||
                aiotsec_auth_answer_set_count(ans) != req->rand_d_count)
                abort();
            for (size_t s = 0; s < req->rand_d_count; s++) {
                const uint8_t *rd;
                size_t n;
                if (aiotsec_auth_answer_set(ans, s, &rd, &n) || memcmp(rd, req->rand_d + 16 * s, 16))
                    abort();
            }
        } else if (op == AIOTSEC_ADM_GET_SESSION_KEY) {
            uint8_t k[16];
            size_t kl;
            if (aiotsec_sbi_parse_session_key_response(resp, rlen, k, sizeof k, &kl) != AIOTSEC_OK)
                abort();
        } else if (op == AIOTSEC_ADM_GET_TID) {
            aiotsec_tid_info t;
            if (aiotsec_sbi_parse_tid_response(resp, rlen, &t) != AIOTSEC_OK || t.tid_type != (int)AIOTSEC_TID_STORED)
                abort();
        } else {
            uint8_t rn[16];
            size_t n;
            if (aiotsec_sbi_parse_rand_response(resp, rlen, rn, sizeof rn, &n) != AIOTSEC_OK)
                abort();
        }
    }
    if (prc == AIOTSEC_OK) {
        aiotsec_adm_request copy = *req; /* the next parse reuses the parser's storage */
        uint8_t rd[64 * 16];
        if (req->rand_d)
            memcpy(rd, req->rand_d, 16 * req->rand_d_count);
        copy.rand_d = req->rand_d ? rd : NULL;
        char *again = malloc(4096 + 40 * copy.rand_d_count);
        size_t alen = 0;
        int wrc = aiotsec_sbi_write_request(&copy, again, 4096 + 40 * copy.rand_d_count, &alen);
        /* The parser leaves filters to the ADM; the writer takes any 1..33 octets too. */
        if (wrc != AIOTSEC_OK)
            abort();
        aiotsec_sbi_request *p2 = NULL;
        const aiotsec_adm_request *r2 = NULL;
        if (aiotsec_sbi_request_new(&p2, 64) != AIOTSEC_OK || aiotsec_sbi_request_parse(p2, op, again, alen, &r2))
            abort();
        if (r2->perm_id_len != copy.perm_id_len || r2->filter_len != copy.filter_len ||
            r2->rand_n_len != copy.rand_n_len || r2->rand_d_count != copy.rand_d_count ||
            (r2->resync != 0) != (copy.resync != 0) || (copy.perm_id_len && memcmp(r2->perm_id, copy.perm_id, copy.perm_id_len)) ||
            (copy.filter_len && memcmp(r2->filter, copy.filter, copy.filter_len)) ||
            (copy.rand_n_len && memcmp(r2->rand_n, copy.rand_n, 16)) ||
            (copy.rand_d_count && memcmp(r2->rand_d, rd, 16 * copy.rand_d_count)))
            abort();
        aiotsec_sbi_request_free(p2);
        free(again);
    }
}

static void response_side(int op, const char *body, size_t len)
{
    char out[64 * 1024];
    size_t olen = 0;
    uint8_t a[16], b[16];
    size_t al = 0, bl = 0;
    if (op == AIOTSEC_ADM_GET_RAND && aiotsec_sbi_parse_rand_response(body, len, a, sizeof a, &al) == AIOTSEC_OK) {
        if (aiotsec_sbi_write_rand_response(a, al, out, sizeof out, &olen) ||
            aiotsec_sbi_parse_rand_response(out, olen, b, sizeof b, &bl) || bl != al || memcmp(a, b, al))
            abort();
    }
    if (op == AIOTSEC_ADM_GET_SESSION_KEY &&
        aiotsec_sbi_parse_session_key_response(body, len, a, sizeof a, &al) == AIOTSEC_OK) {
        if (aiotsec_sbi_write_session_key_response(a, al, out, sizeof out, &olen) ||
            aiotsec_sbi_parse_session_key_response(out, olen, b, sizeof b, &bl) || bl != al || memcmp(a, b, al))
            abort();
    }
    aiotsec_tid_info t1, t2;
    if (op == AIOTSEC_ADM_GET_TID && aiotsec_sbi_parse_tid_response(body, len, &t1) == AIOTSEC_OK && t1.tid_type) {
        if (aiotsec_sbi_write_tid_response(&t1, out, sizeof out, &olen) ||
            aiotsec_sbi_parse_tid_response(out, olen, &t2) || memcmp(&t1, &t2, sizeof t1))
            abort();
    }
    if (op == AIOTSEC_ADM_GET_AUTHENTICATION) {
        int rc = aiotsec_sbi_parse_auth_response(body, len, ans);
        if (rc == AIOTSEC_OK) {
            if (aiotsec_sbi_write_auth_response(ans, out, sizeof out, &olen) == AIOTSEC_OK) {
                if (aiotsec_sbi_parse_auth_response(out, olen, ans2) != AIOTSEC_OK)
                    abort();
                same_answer(ans, ans2);
            }
        } else if (aiotsec_auth_answer_set_count(ans) || aiotsec_auth_answer_entry_count(ans)) {
            abort(); /* never half an answer */
        }
    }
    int st = 0;
    char cause[AIOTSEC_SBI_CAUSE_MAX];
    if (aiotsec_sbi_parse_problem(body, len, &st, cause, sizeof cause) == AIOTSEC_OK &&
        (st < 0 || st > 999 || strlen(cause) >= sizeof cause))
        abort();
    (void)aiotsec_sbi_answer_status(NULL, st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    setup();
    int op = 1 + (data[0] & 3);
    int aiotf_side = data[0] & 4;
    /* A copy of exactly the body's size: ASan catches a read one past its end. */
    char *body = malloc(size - 1 ? size - 1 : 1);
    if (!body)
        return 0;
    memcpy(body, data + 1, size - 1);
    if (aiotf_side)
        response_side(op, body, size - 1);
    else
        request_side(op, body, size - 1);
    free(body);
    return 0;
}
