/* Helpers shared by the roles tests: a deterministic device random source and
 * a counting ADM client (to prove dropped reports cost no ADM call). */
#ifndef ROLES_TEST_UTIL_H
#define ROLES_TEST_UTIL_H

#include <stdint.h>
#include <string.h>

#include "aiotsec/aiotsec.h"

/* Counter-based pseudo-random octets (tests only: devices need distinct RAND_AIOT_d). */
static inline int test_rand(void *user, uint8_t *out, size_t len)
{
    uint64_t *st = user;
    for (size_t i = 0; i < len; i++) {
        *st = *st * 6364136223846793005ull + 1442695040888963407ull;
        out[i] = (uint8_t)(*st >> 56);
    }
    return 0;
}

typedef struct counting_adm {
    aiotsec_adm_client inner;
    unsigned long rand_calls, auth_calls, skey_calls;
} counting_adm;

static inline int cnt_rand(void *u, uint8_t *r, size_t cap)
{
    counting_adm *c = u;
    c->rand_calls++;
    return c->inner.rand_get(c->inner.user, r, cap);
}

static inline int cnt_auth(void *u, const uint8_t *id, size_t il, const uint8_t *rn, size_t rnl,
                           const uint8_t *rd, size_t rdl, uint8_t *x, size_t xc, uint8_t *p,
                           size_t pc, size_t *pl)
{
    counting_adm *c = u;
    c->auth_calls++;
    return c->inner.authentication_get(c->inner.user, id, il, rn, rnl, rd, rdl, x, xc, p, pc, pl);
}

static inline int cnt_skey(void *u, const uint8_t *p, size_t pl, const uint8_t *rn, size_t rnl,
                           const uint8_t *rd, size_t rdl, uint8_t *k, size_t kc)
{
    counting_adm *c = u;
    c->skey_calls++;
    return c->inner.session_key_get(c->inner.user, p, pl, rn, rnl, rd, rdl, k, kc);
}

static inline void counting_adm_wrap(counting_adm *c, const aiotsec_adm_client *inner,
                                     aiotsec_adm_client *out)
{
    memset(c, 0, sizeof *c);
    c->inner = *inner;
    memset(out, 0, sizeof *out);
    out->struct_size = (uint32_t)sizeof *out;
    out->user = c;
    out->rand_get = cnt_rand;
    out->authentication_get = cnt_auth;
    out->session_key_get = cnt_skey;
}

#endif
