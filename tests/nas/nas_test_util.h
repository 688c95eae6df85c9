/* Helpers for the AIOT NAS tests: a seeded PRNG (the seed is printed on
 * failure through the assert messages) and random valid messages. */
#ifndef AIOTSEC_NAS_TEST_UTIL_H
#define AIOTSEC_NAS_TEST_UTIL_H

#include <stdint.h>
#include <string.h>

#include "aiotsec/aiotsec.h"
#include "aiotsec/testing.h"

/* The security header type, or the failure status. */
static inline int peek_sht(const aiotsec_profile *p, const uint8_t *in, size_t len)
{
    aiotsec_nas_sht s;
    int rc = aiotsec_nas_peek_sht(p, in, len, &s);
    return rc == AIOTSEC_OK ? (int)s : rc;
}

typedef struct prng {
    uint64_t s;
} prng;

static inline uint64_t prng_next(prng *p)
{
    /* xorshift64*: deterministic, good enough to pick test values */
    p->s ^= p->s >> 12;
    p->s ^= p->s << 25;
    p->s ^= p->s >> 27;
    return p->s * 2685821657736338717ull;
}

static inline unsigned prng_range(prng *p, unsigned lo, unsigned hi)
{
    return lo + (unsigned)(prng_next(p) % (uint64_t)(hi - lo + 1));
}

static inline void prng_fill(prng *p, uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        b[i] = (uint8_t)prng_next(p);
}

/* A random valid message whose octets live in store (>= 1024 + 64 octets). */
static inline void random_msg(prng *p, aiotsec_nas_msg *m, uint8_t *store)
{
    memset(m, 0, sizeof *m);
    m->type = (int)prng_range(p, AIOTSEC_NAS_AUTH_RESPONSE, AIOTSEC_NAS_COMMAND_RESPONSE);
    if (m->type == AIOTSEC_NAS_AUTH_RESPONSE) {
        m->res_len = 16;    /* profile 0's RES length */
        m->rand_d_len = 16; /* RAND_AIOT_d is always 16 octets */
        prng_fill(p, store, 64);
        m->res = store;
        m->rand_d = store + 32;
        return;
    }
    m->transaction_id = (uint8_t)prng_next(p);
    /* Lengths: mostly short, sometimes at the 1024 limit. */
    size_t dl = prng_range(p, 0, 3) == 0 ? prng_range(p, 1000, 1024) : prng_range(p, 1, 40);
    prng_fill(p, store, dl);
    if (m->type == AIOTSEC_NAS_COMMAND_REQUEST) {
        m->command = (int)prng_range(p, AIOTSEC_CMD_READ, AIOTSEC_CMD_PERMANENT_DISABLE);
        if (m->command != AIOTSEC_CMD_PERMANENT_DISABLE)
            m->offset = (uint16_t)prng_next(p);
        if (m->command == AIOTSEC_CMD_READ)
            m->length = (uint16_t)prng_range(p, 1, 1024);
        if (m->command == AIOTSEC_CMD_WRITE) {
            m->data = store;
            m->data_len = dl;
        }
    } else {
        m->status = (int)prng_range(p, AIOTSEC_CMD_STATUS_SUCCESS, AIOTSEC_CMD_STATUS_UNSPECIFIED);
        if (prng_range(p, 0, 1)) {
            m->data = store;
            m->data_len = dl;
        }
    }
}

static inline int views_equal(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
    return al == bl && (al == 0 || memcmp(a, b, al) == 0);
}

static inline int msgs_equal(const aiotsec_nas_msg *a, const aiotsec_nas_msg *b)
{
    return a->type == b->type && views_equal(a->res, a->res_len, b->res, b->res_len) &&
           views_equal(a->rand_d, a->rand_d_len, b->rand_d, b->rand_d_len) &&
           a->transaction_id == b->transaction_id && a->command == b->command &&
           a->offset == b->offset && a->length == b->length &&
           views_equal(a->data, a->data_len, b->data, b->data_len) && a->status == b->status;
}

#endif
