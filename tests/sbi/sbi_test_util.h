/* Helpers of the libaiotsec-sbi tests: the Nadm_Sec vectors (nadm-sec-profile0.json,
 * read with jansson, never retyped), the six-device key store they use, an ADM and
 * a handler over it, and checks of response and ProblemDetails bodies.
 * The octets of the vectors are decoded here with a base64 decoder of the test's
 * own (not the library's), so the plain C API path checks the codec too. */
#ifndef SBI_TEST_UTIL_H
#define SBI_TEST_UTIL_H

#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aiotsec/aiotsec.h"
#include "aiotsec/sbi.h"
#include "vectors.h"

#define NADM_VECTORS "nadm-sec-profile0.json"

static inline json_t *nadm_vectors(void)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", AIOTSEC_VECTORS_DIR, NADM_VECTORS);
    json_error_t err;
    json_t *v = json_load_file(path, 0, &err);
    cr_assert_not_null(v, "cannot read %s: %s", path, err.text);
    return v;
}

/* A plain base64 decoder (tests only; not strict, the vectors are well formed). */
static inline size_t ref_b64(const char *s, uint8_t *out, size_t cap)
{
    static const char A[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    uint32_t acc = 0;
    int bits = 0;
    size_t n = 0;
    for (; *s && *s != '='; s++) {
        const char *p = strchr(A, *s);
        cr_assert_not_null(p, "test vector is not base64");
        acc = acc << 6 | (uint32_t)(p - A);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            cr_assert_lt(n, cap);
            out[n++] = (uint8_t)(acc >> bits);
        }
    }
    return n;
}

static inline const char *jstr(const json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    cr_assert_not_null(s, "vector member %s missing", key);
    return s;
}

/* The world of the vectors: context, key store, ADM, handler. */
typedef struct sbi_world {
    json_t *vec;
    aiotsec_ctx *ctx;
    aiotsec_memstore *store;
    aiotsec_adm *adm;
    aiotsec_sbi_handler *h;
} sbi_world;

static inline void world_adm(sbi_world *w, uint32_t max_derivations)
{
    aiotsec_sbi_handler_free(w->h);
    aiotsec_adm_free(w->adm);
    aiotsec_keystore ks;
    cr_assert_eq(aiotsec_memstore_keystore(w->store, &ks), AIOTSEC_OK);
    aiotsec_adm_config cfg;
    cr_assert_eq(aiotsec_adm_config_init(&cfg, w->ctx), AIOTSEC_OK);
    if (max_derivations)
        cfg.max_derivations = max_derivations;
    cr_assert_eq(aiotsec_adm_new(&w->adm, w->ctx, &ks, &cfg), AIOTSEC_OK);
    cr_assert_eq(aiotsec_sbi_handler_new(&w->h, w->adm, 0), AIOTSEC_OK);
}

static inline void world_init(sbi_world *w)
{
    memset(w, 0, sizeof *w);
    w->vec = nadm_vectors();
    cr_assert_eq(aiotsec_ctx_new(&w->ctx, NULL, NULL), AIOTSEC_OK);
    cr_assert_eq(aiotsec_memstore_new(&w->store, w->ctx, 0), AIOTSEC_OK);
    json_t *devs = json_object_get(w->vec, "devices");
    cr_assert(json_array_size(devs) == 6, "the vectors name six devices");
    for (size_t i = 0; i < json_array_size(devs); i++) {
        json_t *d = json_array_get(devs, i);
        uint8_t perm[AIOTSEC_ID_MAX], key[32];
        size_t pl = ref_b64(jstr(d, "aiotDevPermId"), perm, sizeof perm);
        size_t kl = tv_hex(jstr(d, "kAiotRoot"), key, sizeof key);
        cr_assert_eq(aiotsec_memstore_add(w->store, perm, pl, key, kl), AIOTSEC_OK);
    }
    world_adm(w, 0);
}

static inline void world_free(sbi_world *w)
{
    aiotsec_sbi_handler_free(w->h);
    aiotsec_adm_free(w->adm);
    aiotsec_memstore_free(w->store);
    aiotsec_ctx_free(w->ctx);
    json_decref(w->vec);
}

/* A body the library emitted: valid JSON, an object; the caller frees it. */
static inline json_t *body_json(const char *body, size_t len)
{
    cr_assert_eq(strlen(body), len, "the body is NUL-terminated at its length");
    json_error_t err;
    json_t *v = json_loadb(body, len, JSON_REJECT_DUPLICATES, &err);
    cr_assert_not_null(v, "emitted body is not JSON (%s): %.200s", err.text, body);
    cr_assert(json_is_object(v), "emitted body is not an object");
    return v;
}

/* A ProblemDetails of the given status and cause whose invalidParams (for a 400)
 * name `param` first (param NULL: no invalidParams expected). */
static inline void check_problem(const char *body, size_t len, int http, const char *cause, const char *param)
{
    json_t *v = body_json(body, len);
    cr_assert_eq(json_integer_value(json_object_get(v, "status")), http, "%s", body);
    cr_assert_str_eq(json_string_value(json_object_get(v, "cause")), cause, "%s", body);
    json_t *ip = json_object_get(v, "invalidParams");
    if (param) {
        cr_assert(json_array_size(ip) >= 1, "no invalidParams: %s", body);
        const char *first = json_string_value(json_object_get(json_array_get(ip, 0), "param"));
        cr_assert_not_null(first);
        cr_assert_str_eq(first, param, "%.300s", body);
        cr_assert_not_null(json_string_value(json_object_get(json_array_get(ip, 0), "reason")));
    } else {
        cr_assert_null(ip, "unexpected invalidParams: %s", body);
    }
    json_decref(v);
}

static inline int entry_equal(const json_t *a, const json_t *b)
{
    const char *pa = json_string_value(json_object_get(a, "aiotDevPermId"));
    const char *pb = json_string_value(json_object_get(b, "aiotDevPermId"));
    return !strcmp(json_string_value(json_object_get(a, "xres")), json_string_value(json_object_get(b, "xres"))) &&
           ((!pa && !pb) || (pa && pb && !strcmp(pa, pb))) && json_object_size(a) == json_object_size(b);
}

/* Two GetAuthenticationResponse objects are the same: sets in order, candidates in any order. */
static inline void assert_auth_equal(const json_t *want, const json_t *got)
{
    const json_t *ws = json_object_get(want, "authDataSets"), *gs = json_object_get(got, "authDataSets");
    cr_assert_eq(json_object_size(got), 1);
    cr_assert_eq(json_array_size(gs), json_array_size(ws));
    for (size_t i = 0; i < json_array_size(ws); i++) {
        const json_t *w = json_array_get(ws, i), *g = json_array_get(gs, i);
        cr_assert_str_eq(json_string_value(json_object_get(g, "randD")), jstr(w, "randD"));
        const json_t *we = json_object_get(w, "authDataSet"), *ge = json_object_get(g, "authDataSet");
        cr_assert_eq(json_array_size(ge), json_array_size(we), "set %zu", i);
        int used[64] = {0};
        cr_assert_lt(json_array_size(we), 64);
        for (size_t a = 0; a < json_array_size(we); a++) {
            int found = 0;
            for (size_t b = 0; b < json_array_size(ge) && !found; b++)
                if (!used[b] && entry_equal(json_array_get(we, a), json_array_get(ge, b)))
                    found = used[b] = 1;
            cr_assert(found, "set %zu: candidate %zu of the vector is missing", i, a);
        }
    }
}

/* Runs one request through the handler; returns the response as JSON (the caller frees it). */
static inline json_t *handle_json(aiotsec_sbi_handler *h, int op, const char *body, int *http)
{
    const char *resp = NULL;
    size_t len = 0;
    cr_assert_eq(aiotsec_sbi_handle(h, op, body, body ? strlen(body) : 0, http, &resp, &len), AIOTSEC_OK);
    json_t *v = body_json(resp, len);
    const char *ct = NULL;
    cr_assert_eq(aiotsec_sbi_content_type(*http, &ct), AIOTSEC_OK);
    if (*http != 200) { /* a ProblemDetails says its own status */
        cr_assert_str_eq(ct, "application/problem+json");
        cr_assert_eq(json_integer_value(json_object_get(v, "status")), *http);
    } else {
        cr_assert_str_eq(ct, "application/json");
    }
    return v;
}

#endif
