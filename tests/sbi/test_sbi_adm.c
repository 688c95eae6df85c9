/* ADM side of libaiotsec-sbi: every Nadm_Sec vector through the plain C API
 * (aiotsec_adm_get_authentication / get_session_key) and through the handler;
 * the four operations' success bodies; a table of malformed bodies, each with
 * its 400 and the JSON pointer of the offending member; 404, 413 and 500; huge
 * bodies (1 MB strings, 10,000 randDlist entries); the parser on its own. */
#include "sbi_test_util.h"

static sbi_world W;

static void setup(void) { world_init(&W); }
static void teardown(void) { world_free(&W); }

TestSuite(vectors, .init = setup, .fini = teardown);
TestSuite(handler, .init = setup, .fini = teardown);
TestSuite(malformed, .init = setup, .fini = teardown);
TestSuite(parser);

#define RN "c03c225d3e5c056ee145eb06b247d03d"
#define RD "7d6ea0a773c26eaf74fc7fa35d7b6714"
#define DEV1 "oQAAAAE="

/* --- the vectors ------------------------------------------------------------------ */

/* The vector's request as an aiotsec_adm_request (octets decoded by the test). */
typedef struct vec_req {
    aiotsec_adm_request r;
    uint8_t perm[AIOTSEC_ID_MAX], filter[AIOTSEC_FILTER_MAX], rn[16], rd[8][16];
} vec_req;

static void vec_request(const json_t *rq, vec_req *out)
{
    memset(out, 0, sizeof *out);
    out->r.op = AIOTSEC_ADM_GET_AUTHENTICATION;
    const char *p = json_string_value(json_object_get(rq, "aiotDevPermId"));
    const char *f = json_string_value(json_object_get(rq, "filteringInfo"));
    if (p) {
        out->r.perm_id = out->perm;
        out->r.perm_id_len = ref_b64(p, out->perm, sizeof out->perm);
    }
    if (f) {
        out->r.filter = out->filter;
        out->r.filter_len = ref_b64(f, out->filter, sizeof out->filter);
    }
    out->r.rand_n = out->rn;
    out->r.rand_n_len = tv_hex(jstr(rq, "randN"), out->rn, 16);
    const json_t *list = json_object_get(rq, "randDlist");
    cr_assert_leq(json_array_size(list), 8);
    for (size_t i = 0; i < json_array_size(list); i++)
        cr_assert_eq(tv_hex(json_string_value(json_array_get(list, i)), out->rd[i], 16), 16);
    out->r.rand_d = out->rd[0];
    out->r.rand_d_count = json_array_size(list);
}

Test(vectors, get_authentication_plain_c_api)
{
    const json_t *cases = json_object_get(W.vec, "getAuthentication");
    cr_assert_geq(json_array_size(cases), 2);
    aiotsec_auth_answer *ans = NULL;
    cr_assert_eq(aiotsec_auth_answer_new(&ans, 1024), AIOTSEC_OK);
    for (size_t c = 0; c < json_array_size(cases); c++) {
        const json_t *tc = json_array_get(cases, c);
        vec_req vr;
        vec_request(json_object_get(tc, "request"), &vr);
        cr_assert_eq(aiotsec_adm_get_authentication(W.adm, &vr.r, ans), AIOTSEC_OK);
        const json_t *sets = json_object_get(json_object_get(tc, "response"), "authDataSets");
        cr_assert_eq(aiotsec_auth_answer_set_count(ans), json_array_size(sets));
        for (size_t s = 0; s < json_array_size(sets); s++) {
            const json_t *ws = json_array_get(sets, s);
            const json_t *we = json_object_get(ws, "authDataSet");
            const uint8_t *rd;
            size_t n;
            uint8_t want_rd[16];
            tv_hex(jstr(ws, "randD"), want_rd, 16);
            cr_assert_eq(aiotsec_auth_answer_set(ans, s, &rd, &n), AIOTSEC_OK);
            cr_assert_arr_eq(rd, want_rd, 16);
            cr_assert_eq(n, json_array_size(we));
            /* every expected candidate is in the set (order not significant), each once */
            int used[16] = {0};
            for (size_t a = 0; a < json_array_size(we); a++) {
                uint8_t xres[16], perm[AIOTSEC_ID_MAX];
                size_t xl = tv_hex(jstr(json_array_get(we, a), "xres"), xres, 16);
                const char *pid = json_string_value(json_object_get(json_array_get(we, a), "aiotDevPermId"));
                size_t pl = pid ? ref_b64(pid, perm, sizeof perm) : 0;
                int found = 0;
                for (size_t e = 0; e < n && !found; e++) {
                    const uint8_t *gx, *gp;
                    size_t gxl, gpl;
                    cr_assert_eq(aiotsec_auth_answer_entry(ans, s, e, &gx, &gxl, &gp, &gpl), AIOTSEC_OK);
                    if (!used[e] && gxl == xl && !memcmp(gx, xres, xl) && gpl == pl &&
                        (pl == 0 ? gp == NULL : !memcmp(gp, perm, pl)))
                        found = used[e] = 1;
                }
                cr_assert(found, "case %zu set %zu candidate %zu", c, s, a);
            }
        }
    }
    aiotsec_auth_answer_free(ans);
}

Test(vectors, get_session_key_plain_c_api)
{
    const json_t *cases = json_object_get(W.vec, "getSessionKey");
    cr_assert_geq(json_array_size(cases), 1);
    for (size_t c = 0; c < json_array_size(cases); c++) {
        const json_t *rq = json_object_get(json_array_get(cases, c), "request");
        uint8_t perm[AIOTSEC_ID_MAX], rn[16], rd[16], want[16], got[16];
        size_t pl = ref_b64(jstr(rq, "aiotDevPermId"), perm, sizeof perm);
        tv_hex(jstr(rq, "randN"), rn, 16);
        tv_hex(jstr(rq, "randD"), rd, 16);
        tv_hex(jstr(json_object_get(json_array_get(cases, c), "response"), "kAiotf"), want, 16);
        cr_assert_eq(aiotsec_adm_get_session_key(W.adm, perm, pl, rn, 16, rd, 16, got, sizeof got), AIOTSEC_OK);
        cr_assert_arr_eq(got, want, 16);
    }
}

Test(vectors, get_authentication_through_the_handler)
{
    const json_t *cases = json_object_get(W.vec, "getAuthentication");
    for (size_t c = 0; c < json_array_size(cases); c++) {
        const json_t *tc = json_array_get(cases, c);
        char *req = json_dumps(json_object_get(tc, "request"), JSON_COMPACT);
        int http = 0;
        json_t *got = handle_json(W.h, AIOTSEC_ADM_GET_AUTHENTICATION, req, &http);
        cr_assert_eq(http, 200);
        assert_auth_equal(json_object_get(tc, "response"), got);
        json_decref(got);
        free(req);
    }
}

Test(vectors, get_session_key_through_the_handler)
{
    const json_t *cases = json_object_get(W.vec, "getSessionKey");
    for (size_t c = 0; c < json_array_size(cases); c++) {
        const json_t *tc = json_array_get(cases, c);
        char *req = json_dumps(json_object_get(tc, "request"), JSON_COMPACT);
        int http = 0;
        json_t *got = handle_json(W.h, AIOTSEC_ADM_GET_SESSION_KEY, req, &http);
        cr_assert_eq(http, 200);
        cr_assert(json_equal(got, json_object_get(tc, "response")), "kAiotf differs from the vector");
        json_decref(got);
        free(req);
    }
}

Test(vectors, upper_case_hex_and_blanks_are_read)
{
    const json_t *tc = json_array_get(json_object_get(W.vec, "getSessionKey"), 0);
    const json_t *rq = json_object_get(tc, "request");
    char body[512], rn[33], rd[33];
    snprintf(rn, sizeof rn, "%s", jstr(rq, "randN"));
    snprintf(rd, sizeof rd, "%s", jstr(rq, "randD"));
    for (char *p = rn; *p; p++)
        *p = (char)(*p >= 'a' && *p <= 'f' ? *p - 32 : *p);
    for (char *p = rd; *p; p++)
        *p = (char)(*p >= 'a' && *p <= 'f' ? *p - 32 : *p);
    snprintf(body, sizeof body, " {\n  \"randD\" : \"%s\",\t\"randN\": \"%s\", \"aiotDevPermId\": \"%s\" }\r\n", rd, rn,
             jstr(rq, "aiotDevPermId"));
    int http = 0;
    json_t *got = handle_json(W.h, AIOTSEC_ADM_GET_SESSION_KEY, body, &http);
    cr_assert_eq(http, 200);
    /* written in lower case whatever came in */
    cr_assert(json_equal(got, json_object_get(tc, "response")));
    json_decref(got);
}

/* --- the other success bodies --------------------------------------------------------- */

Test(handler, get_rand_is_fresh_lower_hex)
{
    int http = 0;
    json_t *a = handle_json(W.h, AIOTSEC_ADM_GET_RAND, NULL, &http);
    cr_assert_eq(http, 200);
    json_t *b = handle_json(W.h, AIOTSEC_ADM_GET_RAND, "{}", &http);
    cr_assert_eq(http, 200);
    json_t *c = handle_json(W.h, AIOTSEC_ADM_GET_RAND, " \n", &http);
    cr_assert_eq(http, 200);
    const char *ra = json_string_value(json_object_get(a, "randN"));
    cr_assert_not_null(ra);
    cr_assert_eq(strlen(ra), 32);
    cr_assert_eq(strspn(ra, "0123456789abcdef"), 32);
    cr_assert_eq(json_object_size(a), 1);
    cr_assert_str_neq(ra, json_string_value(json_object_get(b, "randN")));
    cr_assert_str_neq(json_string_value(json_object_get(b, "randN")), json_string_value(json_object_get(c, "randN")));
    json_decref(a);
    json_decref(b);
    json_decref(c);
}

Test(handler, get_tid_keeps_the_previous)
{
    int http = 0;
    json_t *a = handle_json(W.h, AIOTSEC_ADM_GET_TID, "{\"aiotDevPermId\":\"" DEV1 "\"}", &http);
    cr_assert_eq(http, 200);
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(a, "tidHandInfo"), "tidType")), "STORED");
    cr_assert_null(json_object_get(a, "tidPrevious"), "a first T-ID has no previous one");
    const char *t1 = json_string_value(json_object_get(a, "tid"));
    cr_assert_eq(strspn(t1, "0123456789abcdef"), 32);
    json_t *b = handle_json(W.h, AIOTSEC_ADM_GET_TID, "{\"aiotDevPermId\":\"" DEV1 "\",\"resyncInd\":false}", &http);
    cr_assert_eq(http, 200);
    cr_assert_str_eq(json_string_value(json_object_get(b, "tidPrevious")), t1);
    cr_assert_str_neq(json_string_value(json_object_get(b, "tid")), t1);
    json_t *c = handle_json(W.h, AIOTSEC_ADM_GET_TID, "{\"resyncInd\":true,\"aiotDevPermId\":\"" DEV1 "\"}", &http);
    cr_assert_eq(http, 200);
    cr_assert(json_equal(json_object_get(c, "tid"), json_object_get(b, "tid")), "resyncInd returns the current T-ID");
    cr_assert(json_equal(json_object_get(c, "tidPrevious"), json_object_get(b, "tidPrevious")));
    json_decref(a);
    json_decref(b);
    json_decref(c);
}

Test(handler, last_status_and_clear)
{
    int st = 0, http = 0;
    cr_assert_eq(aiotsec_sbi_handler_last_status(W.h, &st), AIOTSEC_E_BAD_STATE);
    const char *resp = NULL;
    size_t len = 0;
    cr_assert_eq(aiotsec_sbi_handle(W.h, AIOTSEC_ADM_GET_RAND, NULL, 0, &http, &resp, &len), AIOTSEC_OK);
    cr_assert_eq(aiotsec_sbi_handler_last_status(W.h, &st), AIOTSEC_OK);
    cr_assert_eq(st, AIOTSEC_OK);
    cr_assert_eq(aiotsec_sbi_handle(W.h, AIOTSEC_ADM_GET_TID, "nope", 4, &http, &resp, &len), AIOTSEC_OK);
    cr_assert_eq(aiotsec_sbi_handler_last_status(W.h, &st), AIOTSEC_OK);
    cr_assert_eq(st, AIOTSEC_E_PARSE);
    cr_assert_eq(aiotsec_sbi_handle(W.h, AIOTSEC_ADM_GET_TID, "{\"aiotDevPermId\":\"AAAA\"}", 24, &http, &resp, &len),
                 AIOTSEC_OK);
    cr_assert_eq(http, 404);
    cr_assert_eq(aiotsec_sbi_handler_last_status(W.h, &st), AIOTSEC_OK);
    cr_assert_eq(st, AIOTSEC_E_UNKNOWN_DEVICE);
    /* clear wipes the response where it lies */
    const json_t *tc = json_array_get(json_object_get(W.vec, "getSessionKey"), 0);
    char *req = json_dumps(json_object_get(tc, "request"), JSON_COMPACT);
    cr_assert_eq(aiotsec_sbi_handle(W.h, AIOTSEC_ADM_GET_SESSION_KEY, req, strlen(req), &http, &resp, &len),
                 AIOTSEC_OK);
    cr_assert_eq(http, 200);
    cr_assert_not_null(strstr(resp, jstr(json_object_get(tc, "response"), "kAiotf")));
    cr_assert_eq(aiotsec_sbi_handler_clear(W.h), AIOTSEC_OK);
    for (size_t i = 0; i <= len; i++)
        cr_assert_eq(resp[i], 0, "octet %zu of the response survived the clear", i);
    free(req);
    /* arguments */
    cr_assert_eq(aiotsec_sbi_handle(W.h, 0, NULL, 0, &http, &resp, &len), AIOTSEC_E_BAD_VALUE);
    cr_assert_eq(aiotsec_sbi_handle(W.h, AIOTSEC_ADM_GET_RAND, NULL, 3, &http, &resp, &len), AIOTSEC_E_NULL_ARG);
    cr_assert_eq(aiotsec_sbi_handle(NULL, AIOTSEC_ADM_GET_RAND, NULL, 0, &http, &resp, &len), AIOTSEC_E_NULL_ARG);
    cr_assert_eq(aiotsec_sbi_handler_new(NULL, W.adm, 0), AIOTSEC_E_NULL_ARG);
    aiotsec_sbi_handler *h = NULL;
    cr_assert_eq(aiotsec_sbi_handler_new(&h, W.adm, AIOTSEC_SBI_BODY_MAX + 1u), AIOTSEC_E_BAD_VALUE);
    cr_assert_null(h);
}

/* --- errors of the ADM ---------------------------------------------------------------- */

Test(handler, not_found_is_404)
{
    static const struct {
        int op;
        const char *body;
    } cases[] = {
        {AIOTSEC_ADM_GET_AUTHENTICATION, "{\"aiotDevPermId\":\"AQID\",\"randN\":\"" RN "\",\"randDlist\":[\"" RD "\"]}"},
        {AIOTSEC_ADM_GET_AUTHENTICATION, "{\"filteringInfo\":\"CMM=\",\"randN\":\"" RN "\",\"randDlist\":[\"" RD "\"]}"},
        {AIOTSEC_ADM_GET_SESSION_KEY, "{\"aiotDevPermId\":\"AQID\",\"randN\":\"" RN "\",\"randD\":\"" RD "\"}"},
        {AIOTSEC_ADM_GET_TID, "{\"aiotDevPermId\":\"AQID\"}"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *resp;
        size_t len;
        int http = 0;
        cr_assert_eq(aiotsec_sbi_handle(W.h, cases[i].op, cases[i].body, strlen(cases[i].body), &http, &resp, &len),
                     AIOTSEC_OK);
        cr_assert_eq(http, 404, "case %zu", i);
        check_problem(resp, len, 404, "AIOT_DEVICE_NOT_FOUND", NULL);
    }
}

Test(handler, too_many_derivations_is_413_and_nothing_derived)
{
    world_adm(&W, 7); /* the filter DKEA matches four devices: 4 x 2 > 7 */
    const char *body = "{\"filteringInfo\":\"DKEA\",\"randN\":\"" RN "\",\"randDlist\":[\"" RD "\",\"" RN "\"]}";
    const char *resp;
    size_t len;
    int http = 0, st = 0;
    cr_assert_eq(aiotsec_sbi_handle(W.h, AIOTSEC_ADM_GET_AUTHENTICATION, body, strlen(body), &http, &resp, &len),
                 AIOTSEC_OK);
    cr_assert_eq(http, 413);
    check_problem(resp, len, 413, "TOO_MANY_DERIVATIONS", NULL);
    cr_assert_eq(aiotsec_sbi_handler_last_status(W.h, &st), AIOTSEC_OK);
    cr_assert_eq(st, AIOTSEC_E_TOO_MANY_DERIVATIONS);
    /* one RAND_AIOT_d: 4 derivations, within the limit */
    const char *one = "{\"filteringInfo\":\"DKEA\",\"randN\":\"" RN "\",\"randDlist\":[\"" RD "\"]}";
    json_t *ok = handle_json(W.h, AIOTSEC_ADM_GET_AUTHENTICATION, one, &http);
    cr_assert_eq(http, 200);
    cr_assert_eq(json_array_size(json_object_get(json_array_get(json_object_get(ok, "authDataSets"), 0), "authDataSet")),
                 4);
    json_decref(ok);
}

Test(handler, body_over_the_limit_is_413)
{
    aiotsec_sbi_handler *h = NULL;
    cr_assert_eq(aiotsec_sbi_handler_new(&h, W.adm, 64), AIOTSEC_OK);
    const char *body = "{\"filteringInfo\":\"DKEA\",\"randN\":\"" RN "\",\"randDlist\":[\"" RD "\"]}";
    cr_assert_gt(strlen(body), 64);
    const char *resp;
    size_t len;
    int http = 0;
    cr_assert_eq(aiotsec_sbi_handle(h, AIOTSEC_ADM_GET_AUTHENTICATION, body, strlen(body), &http, &resp, &len),
                 AIOTSEC_OK);
    cr_assert_eq(http, 413);
    check_problem(resp, len, 413, "PAYLOAD_TOO_LARGE", NULL);
    aiotsec_sbi_handler_free(h);
}

/* A key store whose look-ups fail: the ADM's status becomes a 500. */
static int failing_lookup(void *user, const uint8_t *perm_id, size_t perm_id_len, uint8_t *k, size_t *kl)
{
    (void)user, (void)perm_id, (void)perm_id_len, (void)k, (void)kl;
    return AIOTSEC_E_BACKEND_FAILURE;
}

Test(handler, other_adm_errors_are_500)
{
    aiotsec_keystore ks;
    memset(&ks, 0, sizeof ks);
    ks.struct_size = sizeof ks;
    ks.by_perm_id = failing_lookup; /* no T-IDs, no listing either */
    aiotsec_adm *adm = NULL;
    aiotsec_sbi_handler *h = NULL;
    cr_assert_eq(aiotsec_adm_new(&adm, W.ctx, &ks, NULL), AIOTSEC_OK);
    cr_assert_eq(aiotsec_sbi_handler_new(&h, adm, 0), AIOTSEC_OK);
    const char *bodies[][2] = {
        {"a", "{\"aiotDevPermId\":\"" DEV1 "\",\"randN\":\"" RN "\",\"randDlist\":[\"" RD "\"]}"},
        {"a", "{\"filteringInfo\":\"DKEA\",\"randN\":\"" RN "\",\"randDlist\":[\"" RD "\"]}"}, /* cannot list */
        {"s", "{\"aiotDevPermId\":\"" DEV1 "\",\"randN\":\"" RN "\",\"randD\":\"" RD "\"}"},
        {"t", "{\"aiotDevPermId\":\"" DEV1 "\"}"}, /* keeps no T-IDs */
    };
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        int op = bodies[i][0][0] == 'a'   ? AIOTSEC_ADM_GET_AUTHENTICATION
                 : bodies[i][0][0] == 's' ? AIOTSEC_ADM_GET_SESSION_KEY
                                          : AIOTSEC_ADM_GET_TID;
        const char *resp;
        size_t len;
        int http = 0;
        cr_assert_eq(aiotsec_sbi_handle(h, op, bodies[i][1], strlen(bodies[i][1]), &http, &resp, &len), AIOTSEC_OK);
        cr_assert_eq(http, 500, "case %zu", i);
        check_problem(resp, len, 500, "SYSTEM_FAILURE", NULL);
    }
    aiotsec_sbi_handler_free(h);
    aiotsec_adm_free(adm);
}

/* --- malformed bodies: 400 with the member named ------------------------------------- */

typedef struct bad_case {
    int op;
    const char *body;
    const char *cause;
    const char *param;  /* first invalidParams entry */
    const char *param2; /* second one, or NULL when there is exactly one */
} bad_case;

#define A AIOTSEC_ADM_GET_AUTHENTICATION
#define S AIOTSEC_ADM_GET_SESSION_KEY
#define T AIOTSEC_ADM_GET_TID
#define R AIOTSEC_ADM_GET_RAND
#define INC "MANDATORY_IE_INCORRECT"
#define MIS "MANDATORY_IE_MISSING"
#define FMT "INVALID_MSG_FORMAT"
#define AUTH_WITH(id) "{" id ",\"randN\":\"" RN "\",\"randDlist\":[\"" RD "\"]}"

static const bad_case BAD[] = {
    /* hex */
    {A, "{\"aiotDevPermId\":\"" DEV1 "\",\"randN\":\"zz3c225d3e5c056ee145eb06b247d03d\",\"randDlist\":[\"" RD "\"]}", INC,
     "/randN", NULL},
    {A, "{\"aiotDevPermId\":\"" DEV1 "\",\"randN\":\"c03c225d3e5c056ee145eb06b247d03\",\"randDlist\":[\"" RD "\"]}", INC,
     "/randN", NULL},
    {A, "{\"aiotDevPermId\":\"" DEV1 "\",\"randN\":\"" RN "00\",\"randDlist\":[\"" RD "\"]}", INC, "/randN", NULL},
    {A, "{\"aiotDevPermId\":\"" DEV1 "\",\"randN\":\"" RN "\",\"randDlist\":[\"" RD "\",\"" RD "g\"]}", INC,
     "/randDlist/1", NULL},
    {A, "{\"aiotDevPermId\":\"" DEV1 "\",\"randN\":\"" RN "\",\"randDlist\":[\"" RD "\",\"x" RD "\"]}", INC,
     "/randDlist/1", NULL},
    {S, "{\"aiotDevPermId\":\"" DEV1 "\",\"randN\":\"" RN "\",\"randD\":\"" RD " \"}", INC, "/randD", NULL},
    /* base64 */
    {A, AUTH_WITH("\"aiotDevPermId\":\"oQAAAAE\""), INC, "/aiotDevPermId", NULL},     /* no padding */
    {A, AUTH_WITH("\"aiotDevPermId\":\"oQAA*AE=\""), INC, "/aiotDevPermId", NULL},    /* bad symbol */
    {A, AUTH_WITH("\"aiotDevPermId\":\"oQAAAAF=\""), INC, "/aiotDevPermId", NULL},    /* trailing bits */
    {A, AUTH_WITH("\"aiotDevPermId\":\"oQ-_AAE=\""), INC, "/aiotDevPermId", NULL},    /* URL alphabet */
    {A, AUTH_WITH("\"aiotDevPermId\":\"oQ==AAE=\""), INC, "/aiotDevPermId", NULL},    /* inner padding */
    {A, AUTH_WITH("\"aiotDevPermId\":\"oQAA AE=\""), INC, "/aiotDevPermId", NULL},    /* a blank */
    {A, AUTH_WITH("\"aiotDevPermId\":\"\""), INC, "/aiotDevPermId", NULL},            /* 0 octets */
    {A,
     AUTH_WITH("\"aiotDevPermId\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\""),
     INC, "/aiotDevPermId", NULL}, /* 65 octets */
    {A, AUTH_WITH("\"filteringInfo\":\"DKE\""), INC, "/filteringInfo", NULL},
    {A, AUTH_WITH("\"filteringInfo\":\"CAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==\""), INC, "/filteringInfo",
     NULL},                                                         /* 34 octets */
    {A, AUTH_WITH("\"filteringInfo\":\"AKE=\""), INC, "/filteringInfo", NULL}, /* prefix length 0: the ADM refuses */
    {A, AUTH_WITH("\"filteringInfo\":\"CKEA\""), INC, "/filteringInfo", NULL}, /* one octet too many */
    /* the device-or-filter rule */
    {A, AUTH_WITH("\"aiotDevPermId\":\"" DEV1 "\",\"filteringInfo\":\"DKEA\""), INC, "/aiotDevPermId", "/filteringInfo"},
    {A, "{\"randN\":\"" RN "\",\"randDlist\":[\"" RD "\"]}", MIS, "/aiotDevPermId", "/filteringInfo"},
    /* lists */
    {A, "{\"aiotDevPermId\":\"" DEV1 "\",\"randN\":\"" RN "\",\"randDlist\":[]}", INC, "/randDlist", NULL},
    {A, "{\"aiotDevPermId\":\"" DEV1 "\",\"randN\":\"" RN "\",\"randDlist\":\"" RD "\"}", INC, "/randDlist", NULL},
    {A, "{\"aiotDevPermId\":\"" DEV1 "\",\"randN\":\"" RN "\",\"randDlist\":[[\"" RD "\"]]}", INC, "/randDlist/0", NULL},
    /* wrong types */
    {A, "{\"aiotDevPermId\":\"" DEV1 "\",\"randN\":7,\"randDlist\":[\"" RD "\"]}", INC, "/randN", NULL},
    {A, "{\"aiotDevPermId\":\"" DEV1 "\",\"randN\":null,\"randDlist\":[\"" RD "\"]}", INC, "/randN", NULL},
    {A, "{\"aiotDevPermId\":[\"" DEV1 "\"],\"randN\":\"" RN "\",\"randDlist\":[\"" RD "\"]}", INC, "/aiotDevPermId", NULL},
    {A, "{\"aiotDevPermId\":\"" DEV1 "\",\"randN\":\"" RN "\",\"randDlist\":[\"" RD "\",42]}", INC, "/randDlist/1", NULL},
    {T, "{\"aiotDevPermId\":\"" DEV1 "\",\"resyncInd\":\"yes\"}", "OPTIONAL_IE_INCORRECT", "/resyncInd", NULL},
    {T, "{\"aiotDevPermId\":true}", INC, "/aiotDevPermId", NULL},
    /* missing members */
    {A, "{\"aiotDevPermId\":\"" DEV1 "\",\"randDlist\":[\"" RD "\"]}", MIS, "/randN", NULL},
    {A, "{\"aiotDevPermId\":\"" DEV1 "\",\"randN\":\"" RN "\"}", MIS, "/randDlist", NULL},
    {S, "{\"aiotDevPermId\":\"" DEV1 "\",\"randN\":\"" RN "\"}", MIS, "/randD", NULL},
    {S, "{\"randN\":\"" RN "\",\"randD\":\"" RD "\"}", MIS, "/aiotDevPermId", NULL},
    {T, "{}", MIS, "/aiotDevPermId", NULL},
    /* unknown members (escaped as JSON pointers) */
    {A, "{\"aiotDevPermId\":\"" DEV1 "\",\"randN\":\"" RN "\",\"randDlist\":[\"" RD "\"],\"extra\":1}", FMT, "/extra",
     NULL},
    {A, "{\"randDList\":[\"" RD "\"],\"aiotDevPermId\":\"" DEV1 "\",\"randN\":\"" RN "\"}", FMT, "/randDList", NULL},
    {S, "{\"aiotDevPermId\":\"" DEV1 "\",\"randN\":\"" RN "\",\"randD\":\"" RD "\",\"a/b~c\":0}", FMT, "/a~1b~0c", NULL},
    {T, "{\"aiotDevPermId\":\"" DEV1 "\",\"resync\":true}", FMT, "/resync", NULL},
    {R, "{\"randN\":\"" RN "\"}", FMT, "/randN", NULL},
    /* not an object, not JSON, empty */
    {A, "[]", FMT, "", NULL},
    {A, "\"" RN "\"", FMT, "", NULL},
    {A, "{\"aiotDevPermId\":\"" DEV1 "\",", FMT, "", NULL},
    {A, "{\"aiotDevPermId\":\"" DEV1 "\",\"aiotDevPermId\":\"" DEV1 "\",\"randN\":\"" RN "\",\"randDlist\":[\"" RD "\"]}",
     FMT, "", NULL}, /* a member twice */
    {A, AUTH_WITH("\"aiotDevPermId\":\"" DEV1 "\"") " {}", FMT, "", NULL},
    {A, "{\"aiotDevPermId\":\"\xc3\x28\"}", FMT, "", NULL}, /* invalid UTF-8 */
    {A, "nope", FMT, "", NULL},
    {A, "", FMT, "", NULL},
    {S, " \r\n\t", FMT, "", NULL},
    {R, "[]", FMT, "", NULL},
    {R, "x", FMT, "", NULL},
};

static void expect_400(aiotsec_sbi_handler *h, int op, const char *body, size_t body_len, const char *cause,
                       const char *param, const char *param2, const char *label)
{
    const char *resp;
    size_t len;
    int http = 0;
    cr_assert_eq(aiotsec_sbi_handle(h, op, body, body_len, &http, &resp, &len), AIOTSEC_OK);
    cr_assert_eq(http, 400, "%s: HTTP %d: %.300s", label, http, resp);
    check_problem(resp, len, 400, cause, param);
    json_t *v = body_json(resp, len);
    const json_t *ip = json_object_get(v, "invalidParams");
    cr_assert_eq(json_array_size(ip), param2 ? 2u : 1u, "%s: %s", label, resp);
    if (param2)
        cr_assert_str_eq(json_string_value(json_object_get(json_array_get(ip, 1), "param")), param2, "%s", label);
    json_decref(v);
}

Test(malformed, table_of_bad_bodies)
{
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        char label[64];
        snprintf(label, sizeof label, "case %zu", i);
        expect_400(W.h, BAD[i].op, BAD[i].body, strlen(BAD[i].body), BAD[i].cause, BAD[i].param, BAD[i].param2, label);
    }
}

Test(malformed, not_json_and_schema_errors_have_distinct_statuses)
{
    int st = 0, http = 0;
    const char *resp;
    size_t len;
    cr_assert_eq(aiotsec_sbi_handle(W.h, A, "{", 1, &http, &resp, &len), AIOTSEC_OK);
    cr_assert_eq(aiotsec_sbi_handler_last_status(W.h, &st), AIOTSEC_OK);
    cr_assert_eq(st, AIOTSEC_E_PARSE);
    cr_assert_eq(aiotsec_sbi_handle(W.h, A, "{}", 2, &http, &resp, &len), AIOTSEC_OK);
    cr_assert_eq(aiotsec_sbi_handler_last_status(W.h, &st), AIOTSEC_OK);
    cr_assert_eq(st, AIOTSEC_E_BAD_VALUE);
}

Test(malformed, nul_octet_inside_the_body)
{
    static const char body[] = "{\"aiotDevPermId\":\"oQ\0AAAE=\"}";
    expect_400(W.h, T, body, sizeof body - 1, FMT, "", NULL, "NUL");
}

Test(malformed, deeply_nested)
{
    size_t n = 100000;
    char *b = malloc(n + 1);
    memset(b, '[', n);
    b[n] = 0;
    expect_400(W.h, A, b, n, FMT, "", NULL, "nesting");
    free(b);
}

/* Bodies whose parse tree would be many times their size (about 20x): refused on a
 * count of their values before jansson builds anything. */
Test(malformed, value_floods_refused_before_parsing)
{
    size_t n = 1u << 20, w = 0; /* 2 MiB: a randDlist of a million numbers */
    char *b = malloc(2 * n + 256);
    w += (size_t)sprintf(b, "{\"aiotDevPermId\":\"" DEV1 "\",\"randN\":\"" RN "\",\"randDlist\":[");
    for (size_t i = 0; i < n; i++) {
        b[w++] = '0';
        b[w++] = ',';
    }
    w--;
    memcpy(b + w, "]}", 2);
    w += 2;
    const char *resp;
    size_t len;
    int http = 0;
    cr_assert_eq(aiotsec_sbi_handle(W.h, A, b, w, &http, &resp, &len), AIOTSEC_OK);
    check_problem(resp, len, 413, "TOO_MANY_DERIVATIONS", "/randDlist");
    /* getSessionKey holds a few members: thousands of values are no request of it */
    memcpy(b, "{\"x\":[1", 7);
    w = 7;
    for (size_t i = 1; i < 5000; i++) {
        b[w++] = ',';
        b[w++] = '1';
    }
    memcpy(b + w, "]}", 2);
    w += 2;
    cr_assert_eq(aiotsec_sbi_handle(W.h, S, b, w, &http, &resp, &len), AIOTSEC_OK);
    check_problem(resp, len, 413, "PAYLOAD_TOO_LARGE", NULL);
    free(b);
}

/* A body with one member replaced by a 1 MB string: fmt with its one "%s" replaced. */
static char *with_huge_string(const char *fmt)
{
    size_t n = 1u << 20;
    const char *at = strstr(fmt, "%s");
    cr_assert_not_null(at);
    size_t head = (size_t)(at - fmt), tail = strlen(at + 2);
    char *body = malloc(head + n + tail + 1);
    memcpy(body, fmt, head);
    memset(body + head, 'a', n); /* valid hex and base64 symbols: only the length is wrong */
    memcpy(body + head + n, at + 2, tail + 1);
    return body;
}

Test(malformed, one_megabyte_strings)
{
    static const struct {
        int op;
        const char *fmt;
        const char *param;
    } cases[] = {
        {A, "{\"aiotDevPermId\":\"" DEV1 "\",\"randN\":\"%s\",\"randDlist\":[\"" RD "\"]}", "/randN"},
        {A, "{\"aiotDevPermId\":\"%s\",\"randN\":\"" RN "\",\"randDlist\":[\"" RD "\"]}", "/aiotDevPermId"},
        {A, "{\"filteringInfo\":\"%s\",\"randN\":\"" RN "\",\"randDlist\":[\"" RD "\"]}", "/filteringInfo"},
        {A, "{\"aiotDevPermId\":\"" DEV1 "\",\"randN\":\"" RN "\",\"randDlist\":[\"" RD "\",\"%s\"]}", "/randDlist/1"},
        {S, "{\"aiotDevPermId\":\"" DEV1 "\",\"randN\":\"" RN "\",\"randD\":\"%s\"}", "/randD"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *body = with_huge_string(cases[i].fmt);
        expect_400(W.h, cases[i].op, body, strlen(body), INC, cases[i].param, NULL, cases[i].param);
        free(body);
    }
    /* a 1 MB member name: not echoed, the body as a whole is named */
    char *body = with_huge_string("{\"%s\":1}");
    const char *resp;
    size_t len;
    int http = 0;
    cr_assert_eq(aiotsec_sbi_handle(W.h, T, body, strlen(body), &http, &resp, &len), AIOTSEC_OK);
    check_problem(resp, len, 400, FMT, "");
    cr_assert_lt(len, 1024, "the name was echoed");
    free(body);
}

/* getAuthentication for DEV1 with n RAND_AIOT_d (distinct), entry `bad` broken (or none). */
static char *long_list(size_t n, long bad)
{
    size_t cap = 128 + n * 35;
    char *b = malloc(cap);
    size_t w = (size_t)snprintf(b, cap, "{\"aiotDevPermId\":\"" DEV1 "\",\"randN\":\"" RN "\",\"randDlist\":[");
    for (size_t i = 0; i < n; i++)
        w += (size_t)snprintf(b + w, cap - w, "%s\"%08zx%s\"", i ? "," : "", i, (long)i == bad ? "zzzzzzzzzzzzzzzzzzzzzzzz" : "000000000000000000000000");
    snprintf(b + w, cap - w, "]}");
    return b;
}

Test(malformed, ten_thousand_entries_one_bad)
{
    char *b = long_list(10000, 9999);
    expect_400(W.h, A, b, strlen(b), INC, "/randDlist/9999", NULL, "10000 entries");
    free(b);
}

Test(handler, ten_thousand_entries_within_the_limit)
{
    char *b = long_list(10000, -1); /* one device x 10,000 <= 65,536 */
    int http = 0;
    json_t *v = handle_json(W.h, A, b, &http);
    cr_assert_eq(http, 200);
    const json_t *sets = json_object_get(v, "authDataSets");
    cr_assert_eq(json_array_size(sets), 10000);
    /* the last set: XRES_AIOT of DEV1's key for that RAND_AIOT_d, recomputed here */
    uint8_t key[32], perm[8], rn[16], rd[16], xres[16];
    const json_t *dev0 = json_array_get(json_object_get(W.vec, "devices"), 0);
    cr_assert_str_eq(jstr(dev0, "aiotDevPermId"), DEV1);
    size_t kl = tv_hex(jstr(dev0, "kAiotRoot"), key, sizeof key);
    (void)ref_b64(DEV1, perm, sizeof perm);
    tv_hex(RN, rn, 16);
    const json_t *last = json_array_get(sets, 9999);
    tv_hex(jstr(last, "randD"), rd, 16);
    cr_assert_eq(aiotsec_derive_res(W.ctx, key, kl, rn, 16, rd, 16, xres, sizeof xres), AIOTSEC_OK);
    char hex[33];
    tv_tohex(xres, 16, hex);
    cr_assert_str_eq(jstr(json_array_get(json_object_get(last, "authDataSet"), 0), "xres"), hex);
    json_decref(v);
    free(b);
}

Test(handler, ten_thousand_entries_over_the_limit_are_413_unread)
{
    world_adm(&W, 4096);
    char *b = long_list(10000, 5); /* entry 5 is bad, but the list is refused before it is read */
    const char *resp;
    size_t len;
    int http = 0;
    cr_assert_eq(aiotsec_sbi_handle(W.h, A, b, strlen(b), &http, &resp, &len), AIOTSEC_OK);
    cr_assert_eq(http, 413);
    check_problem(resp, len, 413, "TOO_MANY_DERIVATIONS", "/randDlist");
    free(b);
}

/* --- the parser on its own ------------------------------------------------------------- */

Test(parser, views_and_problems)
{
    aiotsec_sbi_request *p = NULL;
    const aiotsec_adm_request *req = NULL;
    cr_assert_eq(aiotsec_sbi_request_new(&p, 0), AIOTSEC_E_BAD_VALUE);
    cr_assert_eq(aiotsec_sbi_request_new(&p, AIOTSEC_SBI_RAND_D_MAX + 1u), AIOTSEC_E_BAD_VALUE);
    cr_assert_eq(aiotsec_sbi_request_new(&p, 2), AIOTSEC_OK);
    const char *ok = "{\"filteringInfo\":\"DKEA\",\"randN\":\"" RN "\",\"randDlist\":[\"" RD "\",\"" RN "\"]}";
    cr_assert_eq(aiotsec_sbi_request_parse(p, A, ok, strlen(ok), &req), AIOTSEC_OK);
    cr_assert_not_null(req);
    cr_assert_eq(req->op, A);
    cr_assert_null(req->perm_id);
    cr_assert_eq(req->filter_len, 3);
    cr_assert_eq(req->filter[0], 0x0c);
    cr_assert_eq(req->filter[1], 0xa1);
    cr_assert_eq(req->rand_n_len, 16);
    cr_assert_eq(req->rand_n[0], 0xc0);
    cr_assert_eq(req->rand_d_count, 2);
    cr_assert_eq(req->rand_d[16], 0xc0);
    cr_assert_eq(aiotsec_sbi_request_error(p, NULL, NULL, NULL, NULL), AIOTSEC_E_BAD_STATE);
    char buf[512];
    size_t len = 0;
    cr_assert_eq(aiotsec_sbi_request_problem(p, buf, sizeof buf, &len), AIOTSEC_E_BAD_STATE);
    /* three entries for a parser of two: 413 before reading them */
    const char *three = "{\"filteringInfo\":\"DKEA\",\"randN\":\"" RN "\",\"randDlist\":[\"x\",\"y\",\"z\"]}";
    cr_assert_eq(aiotsec_sbi_request_parse(p, A, three, strlen(three), &req), AIOTSEC_E_TOO_MANY_DERIVATIONS);
    cr_assert_null(req);
    int http = 0;
    const char *cause = NULL, *param = NULL, *reason = NULL;
    cr_assert_eq(aiotsec_sbi_request_error(p, &http, &cause, &param, &reason), AIOTSEC_OK);
    cr_assert_eq(http, 413);
    cr_assert_str_eq(cause, "TOO_MANY_DERIVATIONS");
    cr_assert_str_eq(param, "/randDlist");
    cr_assert_not_null(strstr(reason, "3 entries"));
    /* the problem body, and a buffer one octet too small for it (wiped, length told) */
    cr_assert_eq(aiotsec_sbi_request_problem(p, buf, sizeof buf, &len), AIOTSEC_OK);
    check_problem(buf, len, 413, "TOO_MANY_DERIVATIONS", "/randDlist");
    char small[512];
    size_t need = 0;
    memset(small, 'x', sizeof small);
    cr_assert_eq(aiotsec_sbi_request_problem(p, small, len, &need), AIOTSEC_E_BUFFER_TOO_SMALL);
    cr_assert_eq(need, len);
    for (size_t i = 0; i < len; i++)
        cr_assert_eq(small[i], 0);
    /* bad op, NULL */
    cr_assert_eq(aiotsec_sbi_request_parse(p, 9, ok, strlen(ok), &req), AIOTSEC_E_BAD_VALUE);
    cr_assert_eq(aiotsec_sbi_request_parse(p, A, NULL, 4, &req), AIOTSEC_E_NULL_ARG);
    cr_assert_eq(aiotsec_sbi_request_parse(NULL, A, ok, 4, &req), AIOTSEC_E_NULL_ARG);
    aiotsec_sbi_request_free(p);
    aiotsec_sbi_request_free(NULL);
}

Test(parser, bodies_over_16_mib_are_refused_unread)
{
    size_t n = AIOTSEC_SBI_BODY_MAX + 1u;
    char *big = malloc(n);
    cr_assert_not_null(big);
    memset(big, ' ', n); /* blanks: an empty getRand body, were it read */
    aiotsec_sbi_request *p = NULL;
    const aiotsec_adm_request *req = NULL;
    cr_assert_eq(aiotsec_sbi_request_new(&p, 1), AIOTSEC_OK);
    cr_assert_eq(aiotsec_sbi_request_parse(p, R, big, n, &req), AIOTSEC_E_LIMIT);
    int http = 0;
    const char *cause = NULL;
    cr_assert_eq(aiotsec_sbi_request_error(p, &http, &cause, NULL, NULL), AIOTSEC_OK);
    cr_assert_eq(http, 413);
    cr_assert_str_eq(cause, "PAYLOAD_TOO_LARGE");
    cr_assert_eq(aiotsec_sbi_request_parse(p, R, big, n - 1, &req), AIOTSEC_OK);
    uint8_t rn[16];
    size_t rl = 0;
    cr_assert_eq(aiotsec_sbi_parse_rand_response(big, n, rn, sizeof rn, &rl), AIOTSEC_E_LIMIT);
    aiotsec_sbi_request_free(p);
    free(big);
}

Test(parser, get_tid_and_session_key_views)
{
    aiotsec_sbi_request *p = NULL;
    const aiotsec_adm_request *req = NULL;
    cr_assert_eq(aiotsec_sbi_request_new(&p, 1), AIOTSEC_OK);
    const char *tid = "{\"resyncInd\":true,\"aiotDevPermId\":\"AQIDBA==\"}";
    cr_assert_eq(aiotsec_sbi_request_parse(p, T, tid, strlen(tid), &req), AIOTSEC_OK);
    cr_assert_eq(req->perm_id_len, 4);
    cr_assert_eq(req->perm_id[3], 4);
    cr_assert_eq(req->resync, 1);
    const char *sk = "{\"aiotDevPermId\":\"AQ==\",\"randN\":\"" RN "\",\"randD\":\"" RD "\"}";
    cr_assert_eq(aiotsec_sbi_request_parse(p, S, sk, strlen(sk), &req), AIOTSEC_OK);
    cr_assert_eq(req->perm_id_len, 1);
    cr_assert_eq(req->rand_d_count, 1);
    cr_assert_eq(req->rand_d[0], 0x7d);
    cr_assert_eq(req->resync, 0);
    aiotsec_sbi_request_free(p);
}
