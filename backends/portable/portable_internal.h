/* Internals of the portable backend (not installed). Internal names carry the
 * prefix aiot_ and are hidden from the shared library's exports. */
#ifndef AIOT_PORTABLE_INTERNAL_H
#define AIOT_PORTABLE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "aiotsec/portable.h"

/* Whether this build has the portable AES-128: always on the host, on request
 * (AIOTSEC_WITH_AES) in the device-only build. */
#if !defined(AIOTSEC_DEVICE_ONLY) || defined(AIOTSEC_WITH_AES)
#define AIOT_PORTABLE_HAVE_AES 1
#else
#define AIOT_PORTABLE_HAVE_AES 0
#endif

/* The HMAC state: plain data, valid to copy with memcpy. Right after init, h is
 * the inner midstate and total is 64 (the key block). Octets waiting in buf:
 * total % 64. total is 32 bits: one HMAC absorbs less than 4 GiB. */
typedef struct aiot_portable_hmac {
    uint32_t h[8];     /* running inner hash */
    uint32_t outer[8]; /* outer midstate (after K ^ opad) */
    uint32_t total;    /* octets absorbed by the inner hash, key block included */
    uint32_t magic;    /* AIOT_PORTABLE_MAGIC while live */
    uint8_t buf[64];
} aiot_portable_hmac;

#define AIOT_PORTABLE_MAGIC 0x504f5254u /* "PORT" */

/* SHA-256 compression (FIPS 180-4 6.2.2) of nblocks 64-octet blocks into h. */
void aiot_portable_sha256_compress(uint32_t h[8], const uint8_t *blocks, size_t nblocks);

/* The SHA-256 initial hash value and round constants (FIPS 180-4, 5.3.3 and
 * 4.2.2): defined once, in sha256_small.c, for every SHA-256 of the library (the
 * native backend's paths too: the portable backend is in every build). */
extern const uint32_t aiot_sha256_iv[8];
extern const uint32_t aiot_sha256_k[64];

/* v into p[0..3], big-endian: a SHA-256 digest word or length word (both backends). */
static inline void aiot_store_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

#if AIOT_PORTABLE_HAVE_AES
/* AES-128 (FIPS 197) encryption: 44 round-key words, state in caller storage. */
typedef struct aiot_portable_aes {
    uint32_t rk[44];
} aiot_portable_aes;

void aiot_portable_aes128_expand(aiot_portable_aes *st, const uint8_t key[16]);
void aiot_portable_aes128_encrypt(const aiot_portable_aes *st, const uint8_t in[16], uint8_t out[16]);
#endif

#endif
