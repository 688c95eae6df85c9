/* Helpers shared by the roles tests: a deterministic device random source, and
 * an ADM transport that counts what it carries and can fail on demand (to prove
 * dropped reports cost no ADM call and that transport failures are retried). */
#ifndef ROLES_TEST_UTIL_H
#define ROLES_TEST_UTIL_H

#include <stdint.h>
#include <string.h>

#include "aiotsec/aiotsec.h"
#include "aiotsec/testing.h"

/* The device's state, or -1 when aiotsec_device_state_get() fails. */
static inline int dev_state(const aiotsec_device *d)
{
    aiotsec_device_state s;
    return aiotsec_device_state_get(d, &s) == AIOTSEC_OK ? (int)s : -1;
}

/* The command status of a wire value, or the failure status. */
static inline int status_from_wire(const aiotsec_profile *p, uint8_t w)
{
    aiotsec_cmd_status s;
    int rc = aiotsec_cmd_status_from_wire(p, w, &s);
    return rc == AIOTSEC_OK ? (int)s : rc;
}

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

/* A transport to an in-process ADM that counts requests per operation and can
 * report the next `fail_next` requests as lost (AIOTSEC_E_TRANSPORT). */
typedef struct test_transport {
    const aiotsec_adm *adm;
    aiotsec_auth_answer *ans;
    unsigned long rand_calls, auth_calls, skey_calls, rand_d_sent;
    unsigned fail_next;
} test_transport;

/* Carries every queued request to the ADM and its answer back; returns how many. */
static inline size_t tt_pump(test_transport *t, aiotsec_aiotf *f, uint64_t now)
{
    aiotsec_adm_request rq[8];
    size_t n = 0, total = 0;
    while (aiotsec_aiotf_next_requests(f, now, rq, 8, &n) == AIOTSEC_OK && n) {
        for (size_t i = 0; i < n; i++, total++) {
            int lost = t->fail_next ? (t->fail_next--, 1) : 0;
            if (rq[i].op == AIOTSEC_ADM_GET_RAND) {
                uint8_t rn[16];
                t->rand_calls++;
                int rc = lost ? AIOTSEC_E_TRANSPORT : aiotsec_adm_get_rand(t->adm, rn, sizeof rn);
                (void)aiotsec_aiotf_on_rand(f, rq[i].id, now, rc, rn, sizeof rn, NULL);
            } else if (rq[i].op == AIOTSEC_ADM_GET_AUTHENTICATION) {
                t->auth_calls++;
                t->rand_d_sent += rq[i].rand_d_count;
                int rc = lost ? AIOTSEC_E_TRANSPORT : aiotsec_adm_get_authentication(t->adm, &rq[i], t->ans);
                (void)aiotsec_aiotf_on_authentication(f, rq[i].id, now, rc, t->ans, NULL);
            } else {
                uint8_t k[16];
                t->skey_calls++;
                int rc = lost ? AIOTSEC_E_TRANSPORT
                              : aiotsec_adm_get_session_key(t->adm, rq[i].perm_id, rq[i].perm_id_len, rq[i].rand_n,
                                                            rq[i].rand_n_len, rq[i].rand_d, 16, k, sizeof k);
                (void)aiotsec_aiotf_on_session_key(f, rq[i].id, now, rc, k, sizeof k, NULL);
            }
        }
    }
    return total;
}

#endif
