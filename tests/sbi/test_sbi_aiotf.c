/* AIOTF side of libaiotsec-sbi: request bodies from aiotsec_adm_request values
 * (and back through the ADM's parser), the four response bodies and ProblemDetails
 * read back (tolerantly: unknown members ignored; strictly: malformed known
 * members refused), and whole procedures whose every ADM exchange goes through
 * JSON bodies: the AIOTF, the handler and the ADM joined by this library only. */
#include "sbi_test_util.h"

static sbi_world W;

static void setup(void) { world_init(&W); }
static void teardown(void) { world_free(&W); }

TestSuite(requests, .init = setup, .fini = teardown);
TestSuite(responses, .init = setup, .fini = teardown);
TestSuite(procedure, .init = setup, .fini = teardown);

#define RN "c03c225d3e5c056ee145eb06b247d03d"
#define RD "7d6ea0a773c26eaf74fc7fa35d7b6714"

/* --- request bodies ------------------------------------------------------------------------ */

/* Writes the body of r, checks it against `want`, and parses it back with the ADM's parser. */
static void round_trip(const aiotsec_adm_request *r, const char *want)
{
    char buf[1024];
    size_t len = 0;
    cr_assert_eq(aiotsec_sbi_write_request(r, buf, sizeof buf, &len), AIOTSEC_OK);
    cr_assert_str_eq(buf, want);
    cr_assert_eq(len, strlen(want));
    aiotsec_sbi_request *p = NULL;
    const aiotsec_adm_request *back = NULL;
    cr_assert_eq(aiotsec_sbi_request_new(&p, 16), AIOTSEC_OK);
    cr_assert_eq(aiotsec_sbi_request_parse(p, r->op, buf, len, &back), AIOTSEC_OK);
    cr_assert_eq(back->op, r->op);
    cr_assert_eq(back->perm_id_len, r->perm_id_len);
    if (r->perm_id_len)
        cr_assert_arr_eq(back->perm_id, r->perm_id, r->perm_id_len);
    cr_assert_eq(back->filter_len, r->filter_len);
    if (r->filter_len)
        cr_assert_arr_eq(back->filter, r->filter, r->filter_len);
    cr_assert_eq(back->rand_n_len, r->rand_n_len);
    if (r->rand_n_len)
        cr_assert_arr_eq(back->rand_n, r->rand_n, 16);
    cr_assert_eq(back->rand_d_count, r->rand_d_count);
    if (r->rand_d_count)
        cr_assert_arr_eq(back->rand_d, r->rand_d, 16 * r->rand_d_count);
    cr_assert_eq(back->resync, r->resync != 0);
    aiotsec_sbi_request_free(p);
}

Test(requests, every_operation)
{
    uint8_t perm[5] = {0xa1, 0, 0, 0, 1}, filt[3] = {0x0c, 0xa1, 0}, rn[16], rd[32];
    tv_hex(RN, rn, 16);
    tv_hex(RD RN, rd, 32);
    aiotsec_adm_request r;
    memset(&r, 0, sizeof r);
    r.op = AIOTSEC_ADM_GET_RAND;
    round_trip(&r, "");
    r.op = AIOTSEC_ADM_GET_AUTHENTICATION;
    r.filter = filt;
    r.filter_len = 3;
    r.rand_n = rn;
    r.rand_n_len = 16;
    r.rand_d = rd;
    r.rand_d_count = 2;
    round_trip(&r, "{\"filteringInfo\":\"DKEA\",\"randN\":\"" RN "\",\"randDlist\":[\"" RD "\",\"" RN "\"]}");
    r.filter = NULL;
    r.filter_len = 0;
    r.perm_id = perm;
    r.perm_id_len = 5;
    r.rand_d_count = 1;
    round_trip(&r, "{\"aiotDevPermId\":\"oQAAAAE=\",\"randN\":\"" RN "\",\"randDlist\":[\"" RD "\"]}");
    r.op = AIOTSEC_ADM_GET_SESSION_KEY;
    round_trip(&r, "{\"aiotDevPermId\":\"oQAAAAE=\",\"randN\":\"" RN "\",\"randD\":\"" RD "\"}");
    memset(&r, 0, sizeof r);
    r.op = AIOTSEC_ADM_GET_TID;
    r.perm_id = perm;
    r.perm_id_len = 5;
    round_trip(&r, "{\"aiotDevPermId\":\"oQAAAAE=\"}");
    r.resync = 1;
    round_trip(&r, "{\"aiotDevPermId\":\"oQAAAAE=\",\"resyncInd\":true}");
}

Test(requests, refused)
{
    uint8_t perm[65] = {1}, rn[16] = {0}, rd[16] = {0};
    aiotsec_adm_request r;
    memset(&r, 0, sizeof r);
    r.op = AIOTSEC_ADM_GET_AUTHENTICATION;
    r.rand_n = rn;
    r.rand_n_len = 16;
    r.rand_d = rd;
    r.rand_d_count = 1;
    char buf[512];
    size_t len = 0;
    cr_assert_eq(aiotsec_sbi_write_request(&r, buf, sizeof buf, &len), AIOTSEC_E_BAD_VALUE, "neither device nor filter");
    r.perm_id = perm;
    r.perm_id_len = 65;
    cr_assert_eq(aiotsec_sbi_write_request(&r, buf, sizeof buf, &len), AIOTSEC_E_BAD_LENGTH);
    r.perm_id_len = 1;
    r.filter = perm;
    r.filter_len = 2;
    cr_assert_eq(aiotsec_sbi_write_request(&r, buf, sizeof buf, &len), AIOTSEC_E_BAD_VALUE, "both");
    r.filter = NULL;
    r.rand_d_count = 0;
    cr_assert_eq(aiotsec_sbi_write_request(&r, buf, sizeof buf, &len), AIOTSEC_E_BAD_VALUE, "no RAND_AIOT_d");
    r.rand_d_count = 1;
    r.rand_n_len = 15;
    cr_assert_eq(aiotsec_sbi_write_request(&r, buf, sizeof buf, &len), AIOTSEC_E_BAD_LENGTH);
    r.rand_n_len = 16;
    r.op = 0;
    cr_assert_eq(aiotsec_sbi_write_request(&r, buf, sizeof buf, &len), AIOTSEC_E_BAD_VALUE);
    r.op = AIOTSEC_ADM_GET_SESSION_KEY;
    r.rand_d_count = 2;
    cr_assert_eq(aiotsec_sbi_write_request(&r, buf, sizeof buf, &len), AIOTSEC_E_BAD_VALUE, "one RAND_AIOT_d");
    r.rand_d_count = 1;
    cr_assert_eq(aiotsec_sbi_write_request(&r, buf, 10, &len), AIOTSEC_E_BUFFER_TOO_SMALL);
    cr_assert_eq(len, strlen("{\"aiotDevPermId\":\"AQ==\",\"randN\":\"" RN "\",\"randD\":\"" RN "\"}"));
    cr_assert_eq(aiotsec_sbi_write_request(NULL, buf, sizeof buf, &len), AIOTSEC_E_NULL_ARG);
}

/* --- response bodies ------------------------------------------------------------------------- */

static aiotsec_auth_answer *answer(size_t cap)
{
    aiotsec_auth_answer *a = NULL;
    cr_assert_eq(aiotsec_auth_answer_new(&a, cap), AIOTSEC_OK);
    return a;
}

Test(responses, vectors_read_back)
{
    const json_t *cases = json_object_get(W.vec, "getAuthentication");
    aiotsec_auth_answer *ans = answer(64);
    for (size_t c = 0; c < json_array_size(cases); c++) {
        const json_t *want = json_object_get(json_array_get(cases, c), "response");
        char *body = json_dumps(want, JSON_INDENT(2)); /* any layout */
        cr_assert_eq(aiotsec_sbi_parse_auth_response(body, strlen(body), ans), AIOTSEC_OK);
        /* written out again: the same sets, the same candidates */
        char out[4096];
        size_t len = 0;
        cr_assert_eq(aiotsec_sbi_write_auth_response(ans, out, sizeof out, &len), AIOTSEC_OK);
        json_t *got = body_json(out, len);
        assert_auth_equal(want, got);
        json_decref(got);
        free(body);
    }
    const json_t *sk = json_array_get(json_object_get(W.vec, "getSessionKey"), 0);
    char *body = json_dumps(json_object_get(sk, "response"), 0);
    uint8_t k[16], want[16];
    size_t kl = 0;
    tv_hex(jstr(json_object_get(sk, "response"), "kAiotf"), want, 16);
    cr_assert_eq(aiotsec_sbi_parse_session_key_response(body, strlen(body), k, sizeof k, &kl), AIOTSEC_OK);
    cr_assert_eq(kl, 16);
    cr_assert_arr_eq(k, want, 16);
    cr_assert_eq(aiotsec_sbi_parse_session_key_response(body, strlen(body), k, 15, &kl), AIOTSEC_E_BUFFER_TOO_SMALL);
    free(body);
    aiotsec_auth_answer_free(ans);
}

Test(responses, tolerant_of_unknown_members_and_case)
{
    aiotsec_auth_answer *ans = answer(8);
    const char *body = "{\"authDataSets\":[{\"randD\":\"7D6EA0A773C26EAF74FC7FA35D7B6714\",\"x\":[1],"
                       "\"authDataSet\":[{\"xres\":\"DEADBEEF\",\"aiotDevPermId\":\"oQAAAAE=\",\"y\":null}]}],"
                       "\"future\":{\"a\":1}}";
    cr_assert_eq(aiotsec_sbi_parse_auth_response(body, strlen(body), ans), AIOTSEC_OK);
    cr_assert_eq(aiotsec_auth_answer_set_count(ans), 1);
    const uint8_t *x, *p;
    size_t xl, pl;
    cr_assert_eq(aiotsec_auth_answer_entry(ans, 0, 0, &x, &xl, &p, &pl), AIOTSEC_OK);
    cr_assert_eq(xl, 4);
    cr_assert_eq(x[0], 0xde);
    cr_assert_eq(pl, 5);
    cr_assert_eq(p[0], 0xa1);
    aiotsec_auth_answer_free(ans);
}

Test(responses, malformed_answers)
{
    static const char *bad[] = {
        "",
        "not json",
        "[]",
        "{}",
        "{\"authDataSets\":[]}",
        "{\"authDataSets\":{}}",
        "{\"authDataSets\":[{\"randD\":\"" RD "\",\"authDataSet\":[]}]}",
        "{\"authDataSets\":[{\"randD\":\"" RD "\"}]}",
        "{\"authDataSets\":[{\"authDataSet\":[{\"xres\":\"deadbeef\"}]}]}",
        "{\"authDataSets\":[{\"randD\":\"7d6e\",\"authDataSet\":[{\"xres\":\"deadbeef\"}]}]}",
        "{\"authDataSets\":[{\"randD\":\"" RD "\",\"authDataSet\":[{\"xres\":\"deadbee\"}]}]}",         /* 7 digits */
        "{\"authDataSets\":[{\"randD\":\"" RD "\",\"authDataSet\":[{\"xres\":\"deadbeefa\"}]}]}",       /* odd */
        "{\"authDataSets\":[{\"randD\":\"" RD "\",\"authDataSet\":[{\"xres\":\"" RD "00\"}]}]}",         /* 17 */
        "{\"authDataSets\":[{\"randD\":\"" RD "\",\"authDataSet\":[{\"xres\":\"deadbeeg\"}]}]}",
        "{\"authDataSets\":[{\"randD\":\"" RD "\",\"authDataSet\":[{\"xres\":7}]}]}",
        "{\"authDataSets\":[{\"randD\":\"" RD "\",\"authDataSet\":[{\"xres\":\"deadbeef\",\"aiotDevPermId\":\"oQ\"}]}]}",
        "{\"authDataSets\":[{\"randD\":\"" RD "\",\"authDataSet\":[{\"xres\":\"deadbeef\",\"aiotDevPermId\":null}]}]}",
        "{\"authDataSets\":[{\"randD\":\"" RD "\",\"authDataSet\":[\"deadbeef\"]}]}",
        "{\"authDataSets\":[{\"randD\":\"" RD "\",\"authDataSet\":[{\"xres\":\"deadbeef\"}]},7]}",
        "{\"authDataSets\":[{\"randD\":\"" RD "\",\"authDataSet\":[{\"xres\":\"deadbeef\"}]}],\"authDataSets\":[]}",
    };
    aiotsec_auth_answer *ans = answer(8);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cr_assert_eq(aiotsec_sbi_parse_auth_response(bad[i], strlen(bad[i]), ans), AIOTSEC_E_BAD_ANSWER, "case %zu: %s",
                     i, bad[i]);
        cr_assert_eq(aiotsec_auth_answer_set_count(ans), 0, "case %zu left a half answer", i);
        cr_assert_eq(aiotsec_auth_answer_entry_count(ans), 0);
    }
    /* more entries than the answer holds */
    const char *three = "{\"authDataSets\":[{\"randD\":\"" RD "\",\"authDataSet\":[{\"xres\":\"deadbeef\"},"
                        "{\"xres\":\"deadbeef\"},{\"xres\":\"deadbeef\"}]}]}";
    aiotsec_auth_answer *small = answer(2);
    cr_assert_eq(aiotsec_sbi_parse_auth_response(three, strlen(three), small), AIOTSEC_E_LIMIT);
    cr_assert_eq(aiotsec_auth_answer_entry_count(small), 0);
    cr_assert_eq(aiotsec_sbi_parse_auth_response(three, strlen(three), ans), AIOTSEC_OK);
    cr_assert_eq(aiotsec_auth_answer_entry_count(ans), 3);
    aiotsec_auth_answer_free(small);
    aiotsec_auth_answer_free(ans);
}

Test(responses, rand_session_key_tid)
{
    uint8_t out[16];
    size_t n = 0;
    const char *ok = "{\"randN\":\"" RN "\",\"other\":1}";
    cr_assert_eq(aiotsec_sbi_parse_rand_response(ok, strlen(ok), out, sizeof out, &n), AIOTSEC_OK);
    cr_assert_eq(n, 16);
    cr_assert_eq(out[0], 0xc0);
    static const char *bad_rand[] = {"{}", "{\"randN\":\"c03c\"}", "{\"randN\":5}", "x", "{\"RandN\":\"" RN "\"}"};
    for (size_t i = 0; i < sizeof bad_rand / sizeof bad_rand[0]; i++)
        cr_assert_eq(aiotsec_sbi_parse_rand_response(bad_rand[i], strlen(bad_rand[i]), out, sizeof out, &n),
                     AIOTSEC_E_BAD_ANSWER, "%s", bad_rand[i]);
    static const char *bad_key[] = {"{\"kAiotf\":\"" RN RN "\"}", "{\"kaiotf\":\"" RN "\"}", "{\"kAiotf\":\"\"}"};
    for (size_t i = 0; i < sizeof bad_key / sizeof bad_key[0]; i++) {
        memset(out, 0x55, sizeof out);
        cr_assert_eq(aiotsec_sbi_parse_session_key_response(bad_key[i], strlen(bad_key[i]), out, sizeof out, &n),
                     AIOTSEC_E_BAD_ANSWER, "%s", bad_key[i]);
        for (size_t j = 0; j < 16; j++)
            cr_assert_eq(out[j], 0, "K_AIOTF buffer not wiped on failure");
    }
    aiotsec_tid_info t;
    const char *tid = "{\"tid\":\"" RN "\",\"tidHandInfo\":{\"tidType\":\"STORED\",\"tidHandlingInformation\":true},"
                      "\"tidPrevious\":\"" RD "\"}";
    cr_assert_eq(aiotsec_sbi_parse_tid_response(tid, strlen(tid), &t), AIOTSEC_OK);
    cr_assert_eq(t.tid_type, (int)AIOTSEC_TID_STORED);
    cr_assert_eq(t.has_previous, 1);
    cr_assert_eq(t.tid[0], 0xc0);
    cr_assert_eq(t.tid_previous[0], 0x7d);
    const char *future = "{\"tid\":\"" RN "\",\"tidHandInfo\":{\"tidType\":\"SOMETHING_NEW\"}}";
    cr_assert_eq(aiotsec_sbi_parse_tid_response(future, strlen(future), &t), AIOTSEC_OK);
    cr_assert_eq(t.tid_type, 0);
    cr_assert_eq(t.has_previous, 0);
    static const char *bad_tid[] = {
        "{\"tid\":\"" RN "\"}",
        "{\"tidHandInfo\":{\"tidType\":\"STORED\"}}",
        "{\"tid\":\"" RN "\",\"tidHandInfo\":{}}",
        "{\"tid\":\"" RN "\",\"tidHandInfo\":{\"tidType\":1}}",
        "{\"tid\":\"" RN "\",\"tidHandInfo\":{\"tidType\":\"STORED\",\"tidHandlingInformation\":1}}",
        "{\"tid\":\"" RN "\",\"tidHandInfo\":{\"tidType\":\"STORED\"},\"tidPrevious\":\"00\"}",
    };
    for (size_t i = 0; i < sizeof bad_tid / sizeof bad_tid[0]; i++)
        cr_assert_eq(aiotsec_sbi_parse_tid_response(bad_tid[i], strlen(bad_tid[i]), &t), AIOTSEC_E_BAD_ANSWER, "%s",
                     bad_tid[i]);
}

Test(responses, problem_details)
{
    int st = 0;
    char cause[AIOTSEC_SBI_CAUSE_MAX];
    const char *p = "{\"status\":404,\"cause\":\"AIOT_DEVICE_NOT_FOUND\",\"detail\":\"x\",\"title\":\"Not Found\"}";
    cr_assert_eq(aiotsec_sbi_parse_problem(p, strlen(p), &st, cause, sizeof cause), AIOTSEC_OK);
    cr_assert_eq(st, 404);
    cr_assert_str_eq(cause, "AIOT_DEVICE_NOT_FOUND");
    char tiny[5];
    cr_assert_eq(aiotsec_sbi_parse_problem(p, strlen(p), NULL, tiny, sizeof tiny), AIOTSEC_OK);
    cr_assert_str_eq(tiny, "AIOT");
    cr_assert_eq(aiotsec_sbi_parse_problem("{}", 2, &st, cause, sizeof cause), AIOTSEC_OK);
    cr_assert_eq(st, 0);
    cr_assert_str_eq(cause, "");
    static const char *bad[] = {"{\"status\":\"404\"}", "{\"cause\":3}", "[]", "<html>"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert_eq(aiotsec_sbi_parse_problem(bad[i], strlen(bad[i]), &st, cause, sizeof cause), AIOTSEC_E_BAD_ANSWER,
                     "%s", bad[i]);
    /* every problem the handler writes reads back with its own status */
    int http = 0;
    const char *resp;
    size_t len;
    cr_assert_eq(aiotsec_sbi_handle(W.h, AIOTSEC_ADM_GET_TID, "[]", 2, &http, &resp, &len), AIOTSEC_OK);
    cr_assert_eq(aiotsec_sbi_parse_problem(resp, len, &st, cause, sizeof cause), AIOTSEC_OK);
    cr_assert_eq(st, http);
    cr_assert_str_eq(cause, "INVALID_MSG_FORMAT");
}

/* --- whole procedures over JSON bodies ----------------------------------------------------- */

typedef struct json_transport {
    aiotsec_sbi_handler *h;
    aiotsec_auth_answer *ans;
    unsigned lose_auth;   /* answer the next N getAuthentication with no response (HTTP 0) */
    unsigned unavailable; /* answer the next N requests 503 */
    unsigned long bodies, http_413;
} json_transport;

/* Carries each queued request as a body to the handler and the response body back. */
static void pump_json(json_transport *t, aiotsec_aiotf *f, uint64_t now)
{
    aiotsec_adm_request rq[4];
    size_t n = 0;
    while (aiotsec_aiotf_next_requests(f, now, rq, 4, &n) == AIOTSEC_OK && n) {
        for (size_t i = 0; i < n; i++) {
            char *body = NULL;
            size_t len = 0, need = 0;
            cr_assert_eq(aiotsec_sbi_write_request(&rq[i], NULL, 0, &need), AIOTSEC_E_BUFFER_TOO_SMALL);
            body = malloc(need + 1);
            cr_assert_eq(aiotsec_sbi_write_request(&rq[i], body, need + 1, &len), AIOTSEC_OK);
            int http = 0;
            const char *resp = "";
            size_t rlen = 0;
            if (rq[i].op == AIOTSEC_ADM_GET_AUTHENTICATION && t->lose_auth) {
                t->lose_auth--; /* no response at all */
            } else if (t->unavailable) {
                t->unavailable--;
                http = 503;
            } else {
                cr_assert_eq(aiotsec_sbi_handle(t->h, rq[i].op, body, len, &http, &resp, &rlen), AIOTSEC_OK);
                t->bodies++;
            }
            t->http_413 += http == 413;
            int st = aiotsec_sbi_answer_status(&rq[i], http);
            if (rq[i].op == AIOTSEC_ADM_GET_RAND) {
                uint8_t rn[16] = {0};
                size_t rl = 0;
                if (st == AIOTSEC_OK)
                    st = aiotsec_sbi_parse_rand_response(resp, rlen, rn, sizeof rn, &rl);
                (void)aiotsec_aiotf_on_rand(f, rq[i].id, now, st, rn, sizeof rn, NULL);
            } else if (rq[i].op == AIOTSEC_ADM_GET_AUTHENTICATION) {
                if (st == AIOTSEC_OK)
                    st = aiotsec_sbi_parse_auth_response(resp, rlen, t->ans);
                cr_assert_eq(aiotsec_aiotf_on_authentication(f, rq[i].id, now, st, st == AIOTSEC_OK ? t->ans : NULL,
                                                             NULL),
                             AIOTSEC_OK);
            } else {
                uint8_t k[16] = {0};
                size_t kl = 0;
                if (st == AIOTSEC_OK)
                    st = aiotsec_sbi_parse_session_key_response(resp, rlen, k, sizeof k, &kl);
                (void)aiotsec_aiotf_on_session_key(f, rq[i].id, now, st, k, sizeof k, NULL);
                aiotsec_wipe(k, sizeof k);
            }
            aiotsec_sbi_handler_clear(t->h);
            free(body);
        }
    }
}

/* The tag side, done by hand: RES_AIOT for a device of the vectors, as an AUTHENTICATION RESPONSE. */
static size_t auth_response(size_t dev, const uint8_t rn[16], uint8_t seed, int wrong, uint8_t *nas, size_t cap)
{
    const json_t *d = json_array_get(json_object_get(W.vec, "devices"), dev);
    uint8_t key[32], rd[16], res[16];
    size_t kl = tv_hex(jstr(d, "kAiotRoot"), key, sizeof key);
    for (int i = 0; i < 16; i++)
        rd[i] = (uint8_t)(seed * 31 + i);
    cr_assert_eq(aiotsec_derive_res(W.ctx, key, kl, rn, 16, rd, 16, res, sizeof res), AIOTSEC_OK);
    if (wrong)
        res[0] ^= 1;
    aiotsec_nas_msg m;
    memset(&m, 0, sizeof m);
    m.type = AIOTSEC_NAS_AUTH_RESPONSE;
    m.res = res;
    m.res_len = aiotsec_derive_res_bytes(W.ctx);
    m.rand_d = rd;
    m.rand_d_len = 16;
    size_t len = 0;
    cr_assert_eq(aiotsec_nas_encode(NULL, &m, nas, cap, &len), AIOTSEC_OK);
    return len;
}

static aiotsec_aiotf *make_aiotf(void)
{
    aiotsec_aiotf_config cfg;
    cr_assert_eq(aiotsec_aiotf_config_init(&cfg, W.ctx), AIOTSEC_OK);
    cfg.max_procedures = 8;
    cfg.max_reports = 32;
    cfg.max_requests = 16;
    cfg.max_batch = 8;
    cfg.max_sessions = 4;
    aiotsec_aiotf *f = NULL;
    cr_assert_eq(aiotsec_aiotf_new(&f, W.ctx, &cfg), AIOTSEC_OK);
    return f;
}

/* A group inventory with filter DKEA (devices 0..3 of the vectors) answered by devices
 * 0, 1 and 3, a wrong RES from device 2 and an answer from device 4 (outside the group). */
static void group_inventory(json_transport *t, aiotsec_aiotf *f)
{
    static const uint8_t filter[3] = {0x0c, 0xa1, 0x00};
    uint64_t pid = 0, now = 1000;
    cr_assert_eq(aiotsec_aiotf_start(f, now, AIOTSEC_PROC_INVENTORY, NULL, 0, filter, 3, 5, &pid), AIOTSEC_OK);
    pump_json(t, f, now);
    aiotsec_aiotf_summary s;
    cr_assert_eq(aiotsec_aiotf_summary_get(f, pid, &s), AIOTSEC_OK);
    cr_assert_eq(s.paging, 1, "getRand went through JSON");
    static const struct {
        size_t dev;
        int wrong;
    } rep[] = {{0, 0}, {1, 0}, {2, 1}, {3, 0}, {4, 0}};
    uint64_t ids[5];
    for (size_t i = 0; i < 5; i++) {
        uint8_t nas[64];
        size_t len = auth_response(rep[i].dev, s.rand_n, (uint8_t)(i + 1), rep[i].wrong, nas, sizeof nas);
        cr_assert_eq(aiotsec_aiotf_on_report(f, now + 1, s.rand_n, 16, nas, len, &ids[i]), AIOTSEC_OK);
    }
    pump_json(t, f, now + 2); /* five answers were expected: the batch went at once */
    pump_json(t, f, now + 3); /* retries and halves, if any */
    const json_t *devs = json_object_get(W.vec, "devices");
    for (size_t i = 0; i < 5; i++) {
        aiotsec_aiotf_device d;
        cr_assert_eq(aiotsec_aiotf_device_get(f, ids[i], &d), AIOTSEC_OK);
        if (rep[i].wrong || rep[i].dev == 4) {
            cr_assert_eq(d.status, AIOTSEC_E_AUTH_FAILED, "report %zu: %d", i, d.status);
            cr_assert_eq(d.perm_id_len, 0);
        } else {
            cr_assert_eq(d.status, AIOTSEC_OK, "report %zu: %s", i, aiotsec_status_name(d.status));
            uint8_t want[AIOTSEC_ID_MAX];
            size_t wl = ref_b64(jstr(json_array_get(devs, rep[i].dev), "aiotDevPermId"), want, sizeof want);
            cr_assert_eq(d.perm_id_len, wl);
            cr_assert_arr_eq(d.perm_id, want, wl, "report %zu identified the wrong device", i);
        }
    }
}

Test(procedure, group_inventory_over_json)
{
    aiotsec_aiotf *f = make_aiotf();
    json_transport t = {W.h, NULL, 0, 0, 0, 0};
    cr_assert_eq(aiotsec_auth_answer_new(&t.ans, 1024), AIOTSEC_OK);
    group_inventory(&t, f);
    cr_assert_eq(t.bodies, 2, "one getRand and one getAuthentication");
    aiotsec_auth_answer_free(t.ans);
    aiotsec_aiotf_free(f);
}

Test(procedure, lost_and_refused_answers_are_retried)
{
    aiotsec_aiotf *f = make_aiotf();
    json_transport t = {W.h, NULL, 1, 1, 0, 0}; /* getRand gets a 503, the first getAuthentication no answer */
    cr_assert_eq(aiotsec_auth_answer_new(&t.ans, 1024), AIOTSEC_OK);
    group_inventory(&t, f);
    aiotsec_aiotf_stats st;
    cr_assert_eq(aiotsec_aiotf_stats_get(f, &st), AIOTSEC_OK);
    cr_assert_geq(st.adm_retries, 2);
    aiotsec_auth_answer_free(t.ans);
    aiotsec_aiotf_free(f);
}

Test(procedure, a_413_makes_the_aiotf_split)
{
    world_adm(&W, 4); /* four candidates: one RAND_AIOT_d per request at most */
    aiotsec_aiotf *f = make_aiotf();
    json_transport t = {W.h, NULL, 0, 0, 0, 0};
    cr_assert_eq(aiotsec_auth_answer_new(&t.ans, 1024), AIOTSEC_OK);
    group_inventory(&t, f);
    aiotsec_aiotf_stats st;
    cr_assert_eq(aiotsec_aiotf_stats_get(f, &st), AIOTSEC_OK);
    cr_assert_geq(t.http_413, 1);
    cr_assert_geq(st.adm_splits, 1);
    aiotsec_auth_answer_free(t.ans);
    aiotsec_aiotf_free(f);
}

Test(procedure, command_procedure_gets_its_session_key_over_json)
{
    aiotsec_aiotf *f = make_aiotf();
    json_transport t = {W.h, NULL, 0, 0, 0, 0};
    cr_assert_eq(aiotsec_auth_answer_new(&t.ans, 16), AIOTSEC_OK);
    const json_t *dev = json_array_get(json_object_get(W.vec, "devices"), 2);
    uint8_t perm[AIOTSEC_ID_MAX];
    size_t pl = ref_b64(jstr(dev, "aiotDevPermId"), perm, sizeof perm);
    uint64_t pid = 0, rid = 0, now = 50;
    cr_assert_eq(aiotsec_aiotf_start(f, now, AIOTSEC_PROC_COMMAND, perm, pl, NULL, 0, 1, &pid), AIOTSEC_OK);
    pump_json(&t, f, now);
    aiotsec_aiotf_summary s;
    cr_assert_eq(aiotsec_aiotf_summary_get(f, pid, &s), AIOTSEC_OK);
    uint8_t nas[64];
    size_t len = auth_response(2, s.rand_n, 9, 0, nas, sizeof nas);
    cr_assert_eq(aiotsec_aiotf_on_report(f, now, s.rand_n, 16, nas, len, &rid), AIOTSEC_OK);
    pump_json(&t, f, now); /* getAuthentication, then getSessionKey */
    pump_json(&t, f, now);
    aiotsec_aiotf_device d;
    cr_assert_eq(aiotsec_aiotf_device_get(f, rid, &d), AIOTSEC_OK);
    cr_assert_eq(d.status, AIOTSEC_OK);
    cr_assert_eq(d.secured, 1, "K_AIOTF came back through getSessionKey");
    cr_assert_eq(t.bodies, 3);
    /* a protected command can be built with it */
    uint8_t cmd[64];
    size_t cl = 0;
    cr_assert_eq(aiotsec_aiotf_command(f, rid, now, AIOTSEC_CMD_READ, 0, 4, NULL, 0, cmd, sizeof cmd, &cl), AIOTSEC_OK);
    aiotsec_auth_answer_free(t.ans);
    aiotsec_aiotf_free(f);
}
