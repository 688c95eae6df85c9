/* SipHash-2-4 and SipHash-1-3 (Aumasson and Bernstein, 2012), written from the
 * paper's description: keyed 64-bit hashes for the role hash indexes. The key
 * store's index, hashed once per look-up of millions, takes the lighter 1-3 (the
 * variant CPython and Rust hash their tables with); the AIOTF's keeps 2-4. */
#include <string.h>

#include "roles/roles_internal.h"

static uint64_t rotl(uint64_t x, unsigned b)
{
    return (x << b) | (x >> (64u - b));
}

static uint64_t load_le64(const uint8_t *p)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t v;
    memcpy(&v, p, sizeof v); /* one load on little-endian hosts */
    return v;
#else
    uint64_t v = 0;
    for (unsigned i = 0; i < 8; i++)
        v |= (uint64_t)p[i] << (8u * i);
    return v;
#endif
}

/* One SipRound over the four state words (inlined: the state stays in registers). */
static inline void sip_round(uint64_t *v0, uint64_t *v1, uint64_t *v2, uint64_t *v3)
{
    *v0 += *v1;
    *v1 = rotl(*v1, 13);
    *v1 ^= *v0;
    *v0 = rotl(*v0, 32);
    *v2 += *v3;
    *v3 = rotl(*v3, 16);
    *v3 ^= *v2;
    *v0 += *v3;
    *v3 = rotl(*v3, 21);
    *v3 ^= *v0;
    *v2 += *v1;
    *v1 = rotl(*v1, 17);
    *v1 ^= *v2;
    *v2 = rotl(*v2, 32);
}

/* SipHash-c-d: c rounds per 8-octet block, d to finish (constants once inlined). */
static inline __attribute__((always_inline)) uint64_t siphash(const uint8_t key[16], const uint8_t *data, size_t len,
                                                              int c, int d)
{
    uint64_t k0 = load_le64(key), k1 = load_le64(key + 8);
    uint64_t v0 = k0 ^ 0x736f6d6570736575ull, v1 = k1 ^ 0x646f72616e646f6dull;
    uint64_t v2 = k0 ^ 0x6c7967656e657261ull, v3 = k1 ^ 0x7465646279746573ull;
    size_t full = len & ~(size_t)7;
    for (size_t i = 0; i < full; i += 8) {
        uint64_t m = load_le64(data + i);
        v3 ^= m;
        for (int r = 0; r < c; r++)
            sip_round(&v0, &v1, &v2, &v3);
        v0 ^= m;
    }
    /* Last block: the remaining octets, and the length's low octet on top. */
    uint64_t b = (uint64_t)(len & 0xff) << 56;
    uint8_t tail[8] = {0};
    memcpy(tail, data + full, len & 7);
    b |= load_le64(tail);
    v3 ^= b;
    for (int r = 0; r < c; r++)
        sip_round(&v0, &v1, &v2, &v3);
    v0 ^= b;
    v2 ^= 0xff;
    for (int r = 0; r < d; r++)
        sip_round(&v0, &v1, &v2, &v3);
    return v0 ^ v1 ^ v2 ^ v3;
}

uint64_t aiot_siphash24(const uint8_t key[16], const uint8_t *data, size_t len)
{
    return siphash(key, data, len, 2, 4);
}

uint64_t aiot_siphash13(const uint8_t key[16], const uint8_t *data, size_t len)
{
    return siphash(key, data, len, 1, 3);
}

size_t aiot_index_slots_for(size_t n)
{
    size_t slots = 16;
    while (slots / 4 * 3 < n) {
        if (slots > (SIZE_MAX >> 2))
            return 0;
        slots <<= 1;
    }
    return slots;
}
