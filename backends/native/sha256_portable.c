/* Portable SHA-256 compression, written from FIPS 180-4 section 6.2.2.
 * No table is indexed by data and no branch depends on data: constant time. */
#include <string.h>

#include "native/native.h"

static inline uint32_t rotr(uint32_t x, unsigned n) { return (x >> n) | (x << (32u - n)); }

static inline uint32_t load_be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

static void compress_portable(uint32_t h[8], const uint8_t *blocks, size_t nblocks)
{
    uint32_t w[64];
    for (size_t blk = 0; blk < nblocks; blk++, blocks += 64) {
        for (unsigned t = 0; t < 16; t++)
            w[t] = load_be32(blocks + 4 * t);
        for (unsigned t = 16; t < 64; t++) {
            uint32_t s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3);
            uint32_t s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10);
            w[t] = w[t - 16] + s0 + w[t - 7] + s1;
        }
        uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
        for (unsigned t = 0; t < 64; t++) {
            uint32_t S1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
            uint32_t ch = (e & f) ^ (~e & g);
            uint32_t t1 = hh + S1 + ch + aiot_sha256_k[t] + w[t];
            uint32_t S0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
            uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
            uint32_t t2 = S0 + maj;
            hh = g;
            g = f;
            f = e;
            e = d + t1;
            d = c;
            c = b;
            b = a;
            a = t1 + t2;
        }
        h[0] += a; h[1] += b; h[2] += c; h[3] += d;
        h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
    }
    /* The schedule is derived from secret key and message material. */
    memset(w, 0, sizeof w);
    __asm__ __volatile__("" : : "r"(w) : "memory");
}

static void compress2_portable(uint32_t ha[8], const uint8_t *ba, uint32_t hb[8], const uint8_t *bb,
                               size_t nblocks)
{
    compress_portable(ha, ba, nblocks);
    compress_portable(hb, bb, nblocks);
}

const aiot_sha256_impl aiot_sha256_portable = {"portable", compress_portable, compress2_portable, NULL, NULL, NULL,
                                               NULL, NULL, NULL};

void aiot_sha256(const aiot_sha256_impl *impl, const uint8_t *msg, size_t len, uint8_t out[32])
{
    uint32_t h[8];
    uint8_t last[128];
    memcpy(h, aiot_sha256_iv, sizeof h);
    size_t full = len / 64;
    if (full)
        impl->compress(h, msg, full);
    size_t rem = len - full * 64;
    memset(last, 0, sizeof last);
    if (rem)
        memcpy(last, msg + full * 64, rem);
    last[rem] = 0x80;
    size_t tail = rem < 56 ? 64 : 128;
    uint64_t bits = (uint64_t)len * 8u;
    for (unsigned i = 0; i < 8; i++)
        last[tail - 1 - i] = (uint8_t)(bits >> (8 * i));
    impl->compress(h, last, tail / 64);
    for (unsigned i = 0; i < 8; i++) {
        out[4 * i] = (uint8_t)(h[i] >> 24);
        out[4 * i + 1] = (uint8_t)(h[i] >> 16);
        out[4 * i + 2] = (uint8_t)(h[i] >> 8);
        out[4 * i + 3] = (uint8_t)h[i];
    }
    memset(last, 0, sizeof last);
    memset(h, 0, sizeof h);
    __asm__ __volatile__("" : : "r"(last), "r"(h) : "memory");
}
