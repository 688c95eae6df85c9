/* The ADM server's request path without a network (h2/server: srv_route.c,
 * srv_problem.c, srv_answer.c), exactly the files the server runs: the header
 * rules and their order, the ProblemDetails the server writes itself, and the
 * answers through libaiotsec-sbi and the ADM (the Nadm_Sec vectors, 400, 404,
 * 413, a 500 from a failing key store, the wipe of a secret response). (h2 area) */
#include <criterion/criterion.h>
#include <jansson.h>
#include <string.h>

#include "sbi_test_util.h"
#include "srv_exchange.h"

static srv_head head(const char *method, const char *path, const char *ct, const char *cl)
{
    srv_head h;
    srv_head_init(&h);
    const char *names[] = {":method", ":path", "content-type", "content-length"};
    const char *values[] = {method, path, ct, cl};
    for (int i = 0; i < 4; i++)
        if (values[i])
            srv_head_field(&h, (const uint8_t *)names[i], strlen(names[i]), (const uint8_t *)values[i],
                           strlen(values[i]));
    return h;
}

static int route(const char *method, const char *path, const char *ct, const char *cl, int has_body, int state)
{
    srv_head h = head(method, path, ct, cl);
    srv_early e;
    srv_route(&h, has_body, state, 1000, &e);
    return e.http;
}

Test(h2_route, paths)
{
    cr_assert_eq(srv_path_op("/nadm-sec/v1/get-rand", 21), AIOTSEC_ADM_GET_RAND);
    const char *ok[] = {"/nadm-sec/v1/get-authentication", "/nadm-sec/v1/get-session-key?x=1", "/nadm-sec/v1/get-tid?"};
    int ops[] = {AIOTSEC_ADM_GET_AUTHENTICATION, AIOTSEC_ADM_GET_SESSION_KEY, AIOTSEC_ADM_GET_TID};
    for (int i = 0; i < 3; i++)
        cr_assert_eq(srv_path_op(ok[i], strlen(ok[i])), ops[i], "%s", ok[i]);
    const char *bad[] = {"", "/", "/get-rand", "/nadm-sec/v1", "/nadm-sec/v1/", "/nadm-sec/v1/get-rand/",
                         "/nadm-sec/v2/get-rand", "/x/nadm-sec/v1/get-rand", "/nadm-sec/v1/get-randx",
                         "/NADM-SEC/v1/get-rand", "/nadm-sec/v1/get-tid/../get-rand"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert_eq(srv_path_op(bad[i], strlen(bad[i])), 0, "'%s'", bad[i]);
}

Test(h2_route, statuses_and_their_order)
{
    const char *p = "/nadm-sec/v1/get-tid", *j = "application/json";
    cr_assert_eq(route("POST", p, j, "10", 1, SRV_RUNNING), 0);
    cr_assert_eq(route("POST", p, j, "10", 1, SRV_STARTING), 503, "not serving comes first");
    cr_assert_eq(route("GET", "/nope", NULL, NULL, 0, SRV_STOPPING), 503);
    cr_assert_eq(route("GET", "/nope", NULL, NULL, 0, SRV_RUNNING), 404, "the path before the method");
    cr_assert_eq(route(NULL, p, j, "10", 1, SRV_RUNNING), 405);
    cr_assert_eq(route("GET", p, NULL, NULL, 0, SRV_RUNNING), 405);
    cr_assert_eq(route("PUT", p, j, "10", 1, SRV_RUNNING), 405);
    cr_assert_eq(route("post", p, j, "10", 1, SRV_RUNNING), 405, "methods are case-sensitive");
    cr_assert_eq(route("POST", p, NULL, "10", 1, SRV_RUNNING), 415);
    cr_assert_eq(route("POST", p, "text/plain", "10", 1, SRV_RUNNING), 415);
    cr_assert_eq(route("POST", p, "application/problem+json", "10", 1, SRV_RUNNING), 415);
    cr_assert_eq(route("POST", p, "application/jsonx", "10", 1, SRV_RUNNING), 415);
    cr_assert_eq(route("POST", p, "Application/JSON; charset=utf-8", "10", 1, SRV_RUNNING), 0);
    cr_assert_eq(route("POST", p, " application/json ", "10", 1, SRV_RUNNING), 0);
    cr_assert_eq(route("POST", p, j, NULL, 1, SRV_RUNNING), 411, "a body needs its length");
    cr_assert_eq(route("POST", p, j, "-1", 1, SRV_RUNNING), 411);
    cr_assert_eq(route("POST", p, j, "1x", 1, SRV_RUNNING), 411);
    cr_assert_eq(route("POST", p, j, "1000", 1, SRV_RUNNING), 0, "the limit itself is allowed");
    cr_assert_eq(route("POST", p, j, "1001", 1, SRV_RUNNING), 413);
    cr_assert_eq(route("POST", p, j, "99999999999999999", 1, SRV_RUNNING), 411, "an absurd length is malformed");
    /* no body (END_STREAM on HEADERS): neither media type nor length is needed */
    cr_assert_eq(route("POST", p, NULL, NULL, 0, SRV_RUNNING), 0);
    cr_assert_eq(route("POST", "/nadm-sec/v1/get-rand", "text/plain", NULL, 0, SRV_RUNNING), 0);
    cr_assert_eq(route("POST", "/nadm-sec/v1/get-rand", NULL, "0", 1, SRV_RUNNING), 0, "an empty DATA frame");
}

Test(h2_route, repeated_fields_are_not_trusted)
{
    srv_head h = head("POST", "/nadm-sec/v1/get-tid", "application/json", "5");
    srv_head_field(&h, (const uint8_t *)"content-type", 12, (const uint8_t *)"application/json", 16);
    srv_early e;
    srv_route(&h, 1, SRV_RUNNING, 1000, &e);
    cr_assert_eq(e.http, 415);
    h = head("POST", "/nadm-sec/v1/get-tid", "application/json", "5");
    srv_head_field(&h, (const uint8_t *)"content-length", 14, (const uint8_t *)"5", 1);
    srv_route(&h, 1, SRV_RUNNING, 1000, &e);
    cr_assert_eq(e.http, 411);
}

Test(h2_route, early_answers_headers)
{
    srv_early e;
    srv_head h = head("GET", "/nadm-sec/v1/get-rand", NULL, NULL);
    srv_route(&h, 0, SRV_RUNNING, 1000, &e);
    cr_assert(e.http == 405 && e.allow_post && !e.retry_after);
    srv_route(&h, 0, SRV_STARTING, 1000, &e);
    cr_assert(e.http == 503 && e.retry_after > 0 && !strcmp(e.what, "starting"));
}

Test(h2_problem, every_status_is_a_problem_details)
{
    int statuses[] = {404, 405, 411, 413, 415, 429, 500, 503};
    const char *causes[] = {"RESOURCE_URI_STRUCTURE_NOT_FOUND", NULL, "INCORRECT_LENGTH", "PAYLOAD_TOO_LARGE",
                            "UNSUPPORTED_MEDIA_TYPE", "NF_CONGESTION_RISK", "SYSTEM_FAILURE", NULL};
    for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++) {
        char buf[512];
        size_t len = srv_problem_body(statuses[i], "starting", buf, sizeof buf);
        cr_assert_gt(len, 0);
        json_t *v = body_json(buf, len);
        cr_assert_eq(json_integer_value(json_object_get(v, "status")), statuses[i], "%s", buf);
        const char *cause = json_string_value(json_object_get(v, "cause"));
        if (causes[i])
            cr_assert_str_eq(cause, causes[i], "%s", buf);
        else
            cr_assert_null(cause, "%s", buf);
        cr_assert_not_null(json_string_value(json_object_get(v, "detail")));
        json_decref(v);
    }
    char tiny[8];
    cr_assert_eq(srv_problem_body(404, NULL, tiny, sizeof tiny), 0, "too small: nothing");
}

/* Reasons with bodies of their own: memory for a request body (500, TS 29.500's
 * INSUFFICIENT_RESOURCES, never a 503 "not serving"), an answer larger than the
 * whole memory budget (413 TOO_MANY_DERIVATIONS: the AIOTF splits the request). */
Test(h2_request, problem_bodies_by_reason)
{
    static const struct {
        int http;
        const char *what, *cause;
    } cases[] = {{500, SRV_WHY_NO_MEMORY, "INSUFFICIENT_RESOURCES"},
                 {500, "anything else", "SYSTEM_FAILURE"},
                 {413, SRV_WHY_ANSWER_TOO_LARGE, "TOO_MANY_DERIVATIONS"},
                 {413, "content-length over the limit", "PAYLOAD_TOO_LARGE"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[512];
        size_t len = srv_problem_body(cases[i].http, cases[i].what, buf, sizeof buf);
        cr_assert_gt(len, 0);
        json_t *v = body_json(buf, len);
        cr_assert_eq(json_integer_value(json_object_get(v, "status")), cases[i].http, "%s", buf);
        cr_assert_str_eq(json_string_value(json_object_get(v, "cause")), cases[i].cause, "%s", buf);
        json_decref(v);
    }
}

/* --- the answers ------------------------------------------------------------------ */

static srv_answerer *answerer(sbi_world *w, size_t max_body)
{
    srv_answerer *a = NULL;
    cr_assert_eq(srv_answerer_new(&a, w->adm, max_body), AIOTSEC_OK);
    return a;
}

static json_t *answer_json(srv_answerer *a, int op, const char *body, srv_reply *r)
{
    srv_answer(a, op, body, strlen(body), r);
    return body_json(r->body, r->len);
}

Test(h2_answer, vectors)
{
    sbi_world w;
    world_init(&w);
    srv_answerer *a = answerer(&w, 0);
    json_t *ga = json_array_get(json_object_get(w.vec, "getAuthentication"), 0);
    char *body = json_dumps(json_object_get(ga, "request"), JSON_COMPACT);
    srv_reply r;
    json_t *got = answer_json(a, AIOTSEC_ADM_GET_AUTHENTICATION, body, &r);
    cr_assert_eq(r.http, 200);
    cr_assert_eq(r.status, AIOTSEC_OK);
    cr_assert(r.secret, "XRES_AIOT in the body");
    cr_assert_eq(r.rand_d, 3);
    cr_assert_eq(r.candidates, 4, "the vector's filter has four candidates");
    assert_auth_equal(json_object_get(ga, "response"), got);
    json_decref(got);
    free(body);
    json_t *gs = json_array_get(json_object_get(w.vec, "getSessionKey"), 0);
    body = json_dumps(json_object_get(gs, "request"), JSON_COMPACT);
    got = answer_json(a, AIOTSEC_ADM_GET_SESSION_KEY, body, &r);
    cr_assert(r.http == 200 && r.secret);
    cr_assert_str_eq(json_string_value(json_object_get(got, "kAiotf")),
                     jstr(json_object_get(gs, "response"), "kAiotf"));
    /* the response is wiped once cleared: the view now reads zeros */
    const char *view = r.body;
    size_t len = r.len;
    srv_answer_clear(a);
    for (size_t i = 0; i < len; i++)
        cr_assert_eq(view[i], 0, "octet %zu of a K_AIOTF body not wiped", i);
    json_decref(got);
    free(body);
    srv_answerer_free(a);
    world_free(&w);
}

Test(h2_answer, problems)
{
    sbi_world w;
    world_init(&w);
    srv_answerer *a = answerer(&w, 200);
    srv_reply r;
    srv_answer(a, AIOTSEC_ADM_GET_TID, "{", 1, &r);
    check_problem(r.body, r.len, 400, "INVALID_MSG_FORMAT", "");
    cr_assert_eq(r.status, AIOTSEC_E_PARSE);
    cr_assert(!r.secret);
    srv_answer(a, AIOTSEC_ADM_GET_TID, "{\"aiotDevPermId\":\"AQID\"}", 24, &r);
    check_problem(r.body, r.len, 404, "AIOT_DEVICE_NOT_FOUND", NULL);
    char big[260];
    memset(big, ' ', sizeof big);
    srv_answer(a, AIOTSEC_ADM_GET_TID, big, sizeof big, &r);
    check_problem(r.body, r.len, 413, "PAYLOAD_TOO_LARGE", NULL);
    json_t *v = answer_json(a, AIOTSEC_ADM_GET_RAND, "", &r);
    cr_assert(r.http == 200 && !r.secret && json_string_value(json_object_get(v, "randN")));
    json_decref(v);
    srv_answerer_free(a);
    world_free(&w);
}

/* A key store that fails: the ADM's error is a 500 SYSTEM_FAILURE, not a crash or a 200. */
static int broken_lookup(void *user, const uint8_t *perm, size_t perm_len, uint8_t *k, size_t *k_len)
{
    (void)user;
    (void)perm;
    (void)perm_len;
    (void)k;
    (void)k_len;
    return AIOTSEC_E_BACKEND_FAILURE;
}

Test(h2_answer, failing_key_store_is_500)
{
    aiotsec_ctx *ctx = NULL;
    aiotsec_adm *adm = NULL;
    cr_assert_eq(aiotsec_ctx_new(&ctx, NULL, NULL), AIOTSEC_OK);
    aiotsec_keystore ks;
    memset(&ks, 0, sizeof ks);
    ks.struct_size = sizeof ks;
    ks.by_perm_id = broken_lookup;
    cr_assert_eq(aiotsec_adm_new(&adm, ctx, &ks, NULL), AIOTSEC_OK);
    srv_answerer *a = NULL;
    cr_assert_eq(srv_answerer_new(&a, adm, 0), AIOTSEC_OK);
    const char *body = "{\"aiotDevPermId\":\"oQAAAAE=\",\"randN\":\"c03c225d3e5c056ee145eb06b247d03d\","
                       "\"randD\":\"e47d8f4eac6cccac6b8e6252e56d9001\"}";
    srv_reply r;
    srv_answer(a, AIOTSEC_ADM_GET_SESSION_KEY, body, strlen(body), &r);
    check_problem(r.body, r.len, 500, "SYSTEM_FAILURE", NULL);
    cr_assert_eq(r.status, AIOTSEC_E_BACKEND_FAILURE);
    cr_assert(!r.secret);
    srv_answerer_free(a);
    aiotsec_adm_free(adm);
    aiotsec_ctx_free(ctx);
}
