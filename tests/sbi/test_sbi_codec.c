/* The codecs and small pieces of libaiotsec-sbi: strict base64 against the RFC 4648
 * vectors and a reference encoder written here; every way a base64 text can be
 * malformed; the writers' buffer contract (exact sizes, wiped on overflow); paths
 * of the operations; the HTTP status mappings of both sides. */
#include "sbi_test_util.h"

/* --- base64 ------------------------------------------------------------------------- */

Test(base64, rfc4648_vectors)
{
    static const char *v[][2] = {{"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},    {"foo", "Zm9v"},
                                 {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        char out[16];
        size_t n = 0;
        cr_assert_eq(aiotsec_sbi_base64_encode((const uint8_t *)v[i][0], strlen(v[i][0]), out, sizeof out, &n),
                     AIOTSEC_OK);
        cr_assert_str_eq(out, v[i][1]);
        cr_assert_eq(n, strlen(v[i][1]));
        uint8_t back[16];
        cr_assert_eq(aiotsec_sbi_base64_decode(v[i][1], strlen(v[i][1]), back, sizeof back, &n), AIOTSEC_OK);
        cr_assert_eq(n, strlen(v[i][0]));
        cr_assert_arr_eq(back, v[i][0], n);
    }
}

/* A second encoder, bit by bit, to compare with (tests only). */
static void ref_encode(const uint8_t *in, size_t n, char *out)
{
    static const char A[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t bits = 8 * n, w = 0;
    for (size_t b = 0; b < bits; b += 6) {
        unsigned v = 0;
        for (size_t k = 0; k < 6; k++) {
            size_t bit = b + k;
            unsigned x = bit < bits ? (in[bit / 8] >> (7 - bit % 8)) & 1u : 0u;
            v = v << 1 | x;
        }
        out[w++] = A[v];
    }
    while (w % 4)
        out[w++] = '=';
    out[w] = 0;
}

Test(base64, every_length_and_octet_round_trips)
{
    uint8_t in[100];
    uint64_t st = 7;
    for (size_t len = 0; len <= sizeof in; len++) {
        for (size_t i = 0; i < len; i++) {
            st = st * 6364136223846793005ull + 1442695040888963407ull;
            in[i] = (uint8_t)(st >> 56);
        }
        char want[160], got[160];
        size_t n = 0;
        ref_encode(in, len, want);
        cr_assert_eq(aiotsec_sbi_base64_encode(in, len, got, sizeof got, &n), AIOTSEC_OK);
        cr_assert_str_eq(got, want, "length %zu", len);
        uint8_t back[100];
        cr_assert_eq(aiotsec_sbi_base64_decode(got, n, back, sizeof back, &n), AIOTSEC_OK);
        cr_assert_eq(n, len);
        cr_assert_arr_eq(back, in, len);
    }
    for (unsigned b = 0; b < 256; b++) {
        uint8_t one = (uint8_t)b, back = 0;
        char txt[8], want[8];
        size_t n = 0;
        ref_encode(&one, 1, want);
        cr_assert_eq(aiotsec_sbi_base64_encode(&one, 1, txt, sizeof txt, &n), AIOTSEC_OK);
        cr_assert_str_eq(txt, want);
        cr_assert_eq(aiotsec_sbi_base64_decode(txt, n, &back, 1, &n), AIOTSEC_OK);
        cr_assert_eq(back, one);
    }
}

Test(base64, strictness)
{
    static const char *bad[] = {
        "Zg",       /* no padding */
        "Zg=",      /* length not a multiple of 4 */
        "Zh==",     /* non-zero trailing bits (one octet) */
        "Zm9=",     /* non-zero trailing bits (two octets) */
        "Z===",     /* three padding symbols */
        "====",     /* padding only */
        "Zg==Zg==", /* padding inside */
        "Z=g=",     /* padding before a symbol */
        "Zm9v\n",   /* a newline */
        " Zm9v",    /* a blank */
        "Zm-v",     /* URL-safe alphabet */
        "Zm_v",     /* URL-safe alphabet */
        "Zm9\x80",  /* a non-ASCII octet */
        "Zm9v Yg==",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint8_t out[16];
        size_t n = 99;
        cr_assert_eq(aiotsec_sbi_base64_decode(bad[i], strlen(bad[i]), out, sizeof out, &n), AIOTSEC_E_BAD_VALUE,
                     "'%s' was accepted", bad[i]);
        cr_assert_eq(n, 0);
    }
    /* every octet that is not a symbol, in every position of a quantum */
    for (unsigned c = 0; c < 256; c++) {
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/')
            continue;
        for (size_t pos = 0; pos < 4; pos++) {
            char txt[5] = "Zm9v";
            txt[pos] = (char)c;
            uint8_t out[3];
            size_t n = 0;
            /* ('=' in last place makes "Zm9=", padding over non-zero bits: refused too) */
            int rc = aiotsec_sbi_base64_decode(txt, 4, out, sizeof out, &n);
            cr_assert_eq(rc, AIOTSEC_E_BAD_VALUE, "octet 0x%02x at %zu", c, pos);
        }
    }
    /* sizes and NULLs */
    uint8_t out[2];
    size_t n = 0;
    cr_assert_eq(aiotsec_sbi_base64_decode("Zm9v", 4, out, 2, &n), AIOTSEC_E_BUFFER_TOO_SMALL);
    cr_assert_eq(aiotsec_sbi_base64_decode(NULL, 4, out, 2, &n), AIOTSEC_E_NULL_ARG);
    cr_assert_eq(aiotsec_sbi_base64_decode("", 0, NULL, 0, &n), AIOTSEC_OK);
    cr_assert_eq(n, 0);
    char txt[5];
    cr_assert_eq(aiotsec_sbi_base64_encode((const uint8_t *)"foo", 3, txt, 4, &n), AIOTSEC_E_BUFFER_TOO_SMALL);
    cr_assert_eq(n, 4, "the length needed is told");
    cr_assert_eq(aiotsec_sbi_base64_encode((const uint8_t *)"foo", 3, txt, 5, &n), AIOTSEC_OK);
    cr_assert_eq(aiotsec_sbi_base64_encode(NULL, 3, txt, 5, &n), AIOTSEC_E_NULL_ARG);
}

/* --- writers: sizes, NUL, wiping --------------------------------------------------------- */

Test(writers, exact_size_and_wipe_on_overflow)
{
    uint8_t k[16];
    for (int i = 0; i < 16; i++)
        k[i] = (uint8_t)(0xA0 + i);
    char buf[64];
    size_t len = 0;
    cr_assert_eq(aiotsec_sbi_write_session_key_response(k, 16, buf, sizeof buf, &len), AIOTSEC_OK);
    cr_assert_str_eq(buf, "{\"kAiotf\":\"a0a1a2a3a4a5a6a7a8a9aaabacadaeaf\"}");
    cr_assert_eq(len, strlen(buf));
    size_t need = len;
    /* exactly the length: no room for the NUL */
    memset(buf, 'x', sizeof buf);
    cr_assert_eq(aiotsec_sbi_write_session_key_response(k, 16, buf, need, &len), AIOTSEC_E_BUFFER_TOO_SMALL);
    cr_assert_eq(len, need);
    for (size_t i = 0; i < need; i++)
        cr_assert_eq(buf[i], 0, "octet %zu of a half-written K_AIOTF survived", i);
    cr_assert_eq(buf[need], 'x', "nothing is written past the capacity");
    cr_assert_eq(aiotsec_sbi_write_session_key_response(k, 16, buf, need + 1, &len), AIOTSEC_OK);
    cr_assert_eq(aiotsec_sbi_write_session_key_response(k, 15, buf, sizeof buf, &len), AIOTSEC_E_BAD_LENGTH);
    cr_assert_eq(aiotsec_sbi_write_rand_response(k, 16, buf, sizeof buf, &len), AIOTSEC_OK);
    cr_assert_str_eq(buf, "{\"randN\":\"a0a1a2a3a4a5a6a7a8a9aaabacadaeaf\"}");
    cr_assert_eq(aiotsec_sbi_write_rand_response(k, 17, buf, sizeof buf, &len), AIOTSEC_E_BAD_LENGTH);
    cr_assert_eq(aiotsec_sbi_write_rand_response(NULL, 16, buf, sizeof buf, &len), AIOTSEC_E_NULL_ARG);
}

Test(writers, tid_response)
{
    aiotsec_tid_info t;
    memset(&t, 0, sizeof t);
    memset(t.tid, 0x11, 16);
    memset(t.tid_previous, 0xEE, 16);
    t.tid_type = (int)AIOTSEC_TID_STORED;
    char buf[256];
    size_t len = 0;
    cr_assert_eq(aiotsec_sbi_write_tid_response(&t, buf, sizeof buf, &len), AIOTSEC_OK);
    cr_assert_str_eq(buf, "{\"tidHandInfo\":{\"tidType\":\"STORED\"},\"tid\":\"11111111111111111111111111111111\"}");
    t.has_previous = 1;
    t.tid_type = (int)AIOTSEC_TID_CONCEALED;
    cr_assert_eq(aiotsec_sbi_write_tid_response(&t, buf, sizeof buf, &len), AIOTSEC_OK);
    cr_assert_str_eq(buf, "{\"tidHandInfo\":{\"tidType\":\"CONCEALED\"},\"tid\":\"11111111111111111111111111111111\","
                          "\"tidPrevious\":\"eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee\"}");
    t.tid_type = 0;
    cr_assert_eq(aiotsec_sbi_write_tid_response(&t, buf, sizeof buf, &len), AIOTSEC_E_BAD_VALUE);
}

Test(writers, auth_response_needs_entries)
{
    aiotsec_auth_answer *ans = NULL;
    cr_assert_eq(aiotsec_auth_answer_new(&ans, 4), AIOTSEC_OK);
    char buf[512];
    size_t len = 0;
    cr_assert_eq(aiotsec_sbi_write_auth_response(ans, buf, sizeof buf, &len), AIOTSEC_E_BAD_VALUE);
    uint8_t rd[16] = {1}, x[4] = {0xde, 0xad, 0xbe, 0xef}, p[2] = {0xfb, 0xff};
    cr_assert_eq(aiotsec_auth_answer_add_set(ans, rd, 16), AIOTSEC_OK);
    cr_assert_eq(aiotsec_sbi_write_auth_response(ans, buf, sizeof buf, &len), AIOTSEC_E_BAD_VALUE);
    cr_assert_eq(aiotsec_auth_answer_add_entry(ans, x, 4, p, 2), AIOTSEC_OK);
    cr_assert_eq(aiotsec_auth_answer_add_entry(ans, x, 4, NULL, 0), AIOTSEC_OK);
    cr_assert_eq(aiotsec_sbi_write_auth_response(ans, buf, sizeof buf, &len), AIOTSEC_OK);
    cr_assert_str_eq(buf, "{\"authDataSets\":[{\"randD\":\"01000000000000000000000000000000\",\"authDataSet\":["
                          "{\"xres\":\"deadbeef\",\"aiotDevPermId\":\"+/8=\"},{\"xres\":\"deadbeef\"}]}]}");
    aiotsec_auth_answer_free(ans);
}

Test(writers, problem_bodies)
{
    char buf[512];
    size_t len = 0;
    int http = 0;
    static const struct {
        int status, http;
        const char *cause;
    } m[] = {
        {AIOTSEC_E_UNKNOWN_DEVICE, 404, "AIOT_DEVICE_NOT_FOUND"},
        {AIOTSEC_E_NO_CANDIDATE, 404, "AIOT_DEVICE_NOT_FOUND"},
        {AIOTSEC_E_TOO_MANY_DERIVATIONS, 413, "TOO_MANY_DERIVATIONS"},
        {AIOTSEC_E_LIMIT, 413, "PAYLOAD_TOO_LARGE"},
        {AIOTSEC_E_BAD_FILTER, 400, "MANDATORY_IE_INCORRECT"},
        {AIOTSEC_E_BAD_LENGTH, 400, "MANDATORY_IE_INCORRECT"},
        {AIOTSEC_E_NO_MEMORY, 500, "INSUFFICIENT_RESOURCES"},
        {AIOTSEC_E_BACKEND_FAILURE, 500, "SYSTEM_FAILURE"},
        {AIOTSEC_E_UNSUPPORTED, 500, "SYSTEM_FAILURE"},
        {AIOTSEC_E_BAD_STATE, 500, "SYSTEM_FAILURE"},
    };
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++) {
        cr_assert_eq(aiotsec_sbi_write_problem(m[i].status, NULL, buf, sizeof buf, &len, &http), AIOTSEC_OK);
        cr_assert_eq(http, m[i].http);
        int mapped = 0;
        cr_assert_eq(aiotsec_sbi_http_status(m[i].status, &mapped), AIOTSEC_OK);
        cr_assert_eq(mapped, m[i].http);
        check_problem(buf, len, m[i].http, m[i].cause, m[i].http == 400 ? (m[i].status == AIOTSEC_E_BAD_FILTER ? "/filteringInfo" : "") : NULL);
    }
    cr_assert_eq(aiotsec_sbi_write_problem(AIOTSEC_OK, NULL, buf, sizeof buf, &len, &http), AIOTSEC_E_BAD_VALUE);
    /* a key store's own status (below -99, e.g. the key database's): a 500 that says so */
    cr_assert_eq(aiotsec_sbi_write_problem(-205, NULL, buf, sizeof buf, &len, &http), AIOTSEC_OK);
    check_problem(buf, len, 500, "SYSTEM_FAILURE", NULL);
    cr_assert_not_null(strstr(buf, "key store failed"), "%.*s", (int)len, buf);
    /* a request tells which member a BAD_LENGTH is about */
    uint8_t rn[16] = {0}, rd[16] = {0}, id[1] = {1};
    aiotsec_adm_request r;
    memset(&r, 0, sizeof r);
    r.op = AIOTSEC_ADM_GET_AUTHENTICATION;
    r.perm_id = id;
    r.perm_id_len = 1;
    r.rand_n = rn;
    r.rand_n_len = 15;
    r.rand_d = rd;
    r.rand_d_count = 1;
    cr_assert_eq(aiotsec_sbi_write_problem(AIOTSEC_E_BAD_LENGTH, &r, buf, sizeof buf, &len, &http), AIOTSEC_OK);
    check_problem(buf, len, 400, "MANDATORY_IE_INCORRECT", "/randN");
    r.filter = id;
    cr_assert_eq(aiotsec_sbi_write_problem(AIOTSEC_E_BAD_VALUE, &r, buf, sizeof buf, &len, &http), AIOTSEC_OK);
    check_problem(buf, len, 400, "MANDATORY_IE_INCORRECT", "/aiotDevPermId");
    int ok_http = 0;
    cr_assert_eq(aiotsec_sbi_http_status(AIOTSEC_OK, &ok_http), AIOTSEC_OK);
    cr_assert_eq(ok_http, 200);
    cr_assert_eq(aiotsec_sbi_http_status(AIOTSEC_OK, NULL), AIOTSEC_E_NULL_ARG);
}

/* --- paths, content types, the AIOTF's reading of HTTP statuses ----------------------------- */

Test(paths, operations)
{
    static const struct {
        const char *path;
        int op; /* 0: refused */
    } p[] = {
        {"/get-rand", AIOTSEC_ADM_GET_RAND},
        {"/get-authentication", AIOTSEC_ADM_GET_AUTHENTICATION},
        {"/get-session-key", AIOTSEC_ADM_GET_SESSION_KEY},
        {"/get-tid", AIOTSEC_ADM_GET_TID},
        {"/nadm-sec/v1/get-tid", AIOTSEC_ADM_GET_TID},
        {"/prefix/nadm-sec/v1/get-authentication", AIOTSEC_ADM_GET_AUTHENTICATION},
        {"get-tid", 0},
        {"/nadm-sec/v2/get-tid", 0},
        {"/xnadm-sec/v1/get-tid", 0},
        {"/get-tid/", 0},
        {"/get-tids", 0},
        {"/foo/get-rand", 0},
        {"", 0},
    };
    for (size_t i = 0; i < sizeof p / sizeof p[0]; i++) {
        int op = 0;
        int rc = aiotsec_sbi_op_from_path(p[i].path, strlen(p[i].path), &op);
        if (p[i].op) {
            cr_assert_eq(rc, AIOTSEC_OK, "%s", p[i].path);
            cr_assert_eq(op, p[i].op, "%s", p[i].path);
        } else {
            cr_assert_eq(rc, AIOTSEC_E_BAD_VALUE, "%s was accepted", p[i].path);
        }
    }
    for (int op = AIOTSEC_ADM_GET_RAND; op <= AIOTSEC_ADM_GET_TID; op++) {
        const char *path = NULL;
        int back = 0;
        cr_assert_eq(aiotsec_sbi_op_path(op, &path), AIOTSEC_OK);
        cr_assert_eq(aiotsec_sbi_op_from_path(path, strlen(path), &back), AIOTSEC_OK);
        cr_assert_eq(back, op);
    }
    const char *path = NULL;
    cr_assert_eq(aiotsec_sbi_op_path(5, &path), AIOTSEC_E_BAD_VALUE);
    cr_assert_eq(aiotsec_sbi_op_path(1, NULL), AIOTSEC_E_NULL_ARG);
}

Test(paths, content_types)
{
    const char *ct = NULL;
    cr_assert_eq(aiotsec_sbi_content_type(200, &ct), AIOTSEC_OK);
    cr_assert_str_eq(ct, "application/json");
    for (int s = 400; s <= 500; s += 100) {
        cr_assert_eq(aiotsec_sbi_content_type(s, &ct), AIOTSEC_OK);
        cr_assert_str_eq(ct, "application/problem+json");
    }
    cr_assert_eq(aiotsec_sbi_content_type(200, NULL), AIOTSEC_E_NULL_ARG);
}

Test(paths, answer_status_for_the_aiotf)
{
    uint8_t id[2] = {1, 2}, f[2] = {8, 1};
    aiotsec_adm_request named, group, rnd;
    memset(&named, 0, sizeof named);
    named.op = AIOTSEC_ADM_GET_AUTHENTICATION;
    named.perm_id = id;
    named.perm_id_len = 2;
    group = named;
    group.perm_id = NULL;
    group.filter = f;
    group.filter_len = 2;
    memset(&rnd, 0, sizeof rnd);
    rnd.op = AIOTSEC_ADM_GET_RAND;
    static const struct {
        int http, named, group;
    } m[] = {
        {200, AIOTSEC_OK, AIOTSEC_OK},
        {204, AIOTSEC_OK, AIOTSEC_OK},
        {0, AIOTSEC_E_TRANSPORT, AIOTSEC_E_TRANSPORT},
        {307, AIOTSEC_E_TRANSPORT, AIOTSEC_E_TRANSPORT},
        {429, AIOTSEC_E_TRANSPORT, AIOTSEC_E_TRANSPORT},
        {500, AIOTSEC_E_TRANSPORT, AIOTSEC_E_TRANSPORT},
        {503, AIOTSEC_E_TRANSPORT, AIOTSEC_E_TRANSPORT},
        {504, AIOTSEC_E_TRANSPORT, AIOTSEC_E_TRANSPORT},
        {400, AIOTSEC_E_BAD_VALUE, AIOTSEC_E_BAD_VALUE},
        {403, AIOTSEC_E_BAD_VALUE, AIOTSEC_E_BAD_VALUE},
        {404, AIOTSEC_E_UNKNOWN_DEVICE, AIOTSEC_E_NO_CANDIDATE},
        {413, AIOTSEC_E_TOO_MANY_DERIVATIONS, AIOTSEC_E_TOO_MANY_DERIVATIONS},
        {100, AIOTSEC_E_BAD_ANSWER, AIOTSEC_E_BAD_ANSWER},
        {700, AIOTSEC_E_BAD_ANSWER, AIOTSEC_E_BAD_ANSWER},
    };
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++) {
        cr_assert_eq(aiotsec_sbi_answer_status(&named, m[i].http), m[i].named, "HTTP %d named", m[i].http);
        cr_assert_eq(aiotsec_sbi_answer_status(&group, m[i].http), m[i].group, "HTTP %d filter", m[i].http);
    }
    cr_assert_eq(aiotsec_sbi_answer_status(NULL, 404), AIOTSEC_E_UNKNOWN_DEVICE);
    cr_assert_eq(aiotsec_sbi_answer_status(&rnd, 404), AIOTSEC_E_UNSUPPORTED);
}
