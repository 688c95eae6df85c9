/* AES-128 encryption (FIPS 197), written for constant time and small code, not
 * speed: the portable backend's AES for 128-NIA2 / 128-NEA2, compiled in on
 * request only in the device-only build (AIOTSEC_WITH_AES).
 *
 * A column of the state is one 32-bit word, row r in octet lane r (bits
 * 8r..8r+7). The S-box is not a table: it is the multiplicative inverse in
 * GF(2^8) (x^254, an addition chain of 11 multiplications) followed by the
 * affine map of FIPS 197 5.1.1, computed on the four lanes of a word at once
 * with masks, so nothing is indexed by, and no branch depends on, key or data. */
#include <string.h>

#include "portable/portable_internal.h"

#if AIOT_PORTABLE_HAVE_AES

#define LANES 0x01010101u

/* Four products by x ("xtime", FIPS 197 4.2.1), one per lane. */
static uint32_t xtime4(uint32_t a)
{
    return ((a & 0x7F7F7F7Fu) << 1) ^ (((a >> 7) & LANES) * 0x1Bu);
}

/* Four products in GF(2^8) (modulus x^8 + x^4 + x^3 + x + 1), lane by lane. */
static uint32_t gmul4(uint32_t a, uint32_t b)
{
    uint32_t r = 0;
    for (unsigned i = 0; i < 8; i++) {
        r ^= a & ((b & LANES) * 0xFFu); /* all ones in the lanes whose bit i of b is set */
        b >>= 1;
        a = xtime4(a);
    }
    return r;
}

/* Rotates each lane left by k (1..7). */
static uint32_t rotl_lanes(uint32_t x, unsigned k)
{
    uint32_t lo = LANES * (0xFFu >> k); /* bits that stay in their lane when shifted left */
    return (x & lo) << k | (x >> (8 - k) & (LANES * (0xFFu >> (8 - k))));
}

/* Four S-box values: affine(x^254). 0 maps to 0^254 = 0, then to 0x63, as FIPS 197 says. */
static uint32_t sub4(uint32_t x)
{
    uint32_t x2 = gmul4(x, x), x3 = gmul4(x2, x), x6 = gmul4(x3, x3), x12 = gmul4(x6, x6);
    uint32_t x15 = gmul4(x12, x3), y = gmul4(x15, x15); /* x^30 */
    y = gmul4(y, y);                                     /* x^60 */
    y = gmul4(y, y);                                     /* x^120 */
    y = gmul4(y, y);                                     /* x^240 */
    y = gmul4(y, x12);                                   /* x^252 */
    y = gmul4(y, x2);                                    /* x^254 */
    return y ^ rotl_lanes(y, 1) ^ rotl_lanes(y, 2) ^ rotl_lanes(y, 3) ^ rotl_lanes(y, 4) ^ (LANES * 0x63u);
}

static uint32_t ror32(uint32_t x, unsigned n)
{
    return x >> n | x << (32u - n);
}

static uint32_t load_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void store_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

void aiot_portable_aes128_expand(aiot_portable_aes *st, const uint8_t key[16])
{
    uint32_t rcon = 1;
    for (unsigned i = 0; i < 4; i++)
        st->rk[i] = load_le32(key + 4 * i);
    for (unsigned i = 4; i < 44; i++) {
        uint32_t t = st->rk[i - 1];
        if (i % 4 == 0) { /* SubWord(RotWord(t)) ^ Rcon (FIPS 197 5.2); i is public */
            t = sub4(ror32(t, 8)) ^ rcon;
            rcon = xtime4(rcon);
        }
        st->rk[i] = st->rk[i - 4] ^ t;
    }
}

void aiot_portable_aes128_encrypt(const aiot_portable_aes *st, const uint8_t in[16], uint8_t out[16])
{
    uint32_t s[4], t[4];
    for (unsigned c = 0; c < 4; c++)
        s[c] = load_le32(in + 4 * c) ^ st->rk[c];
    for (unsigned round = 1; round <= 10; round++) {
        for (unsigned c = 0; c < 4; c++)
            s[c] = sub4(s[c]);
        /* ShiftRows: row r of column c comes from column c + r. */
        for (unsigned c = 0; c < 4; c++)
            t[c] = (s[c] & 0x000000FFu) | (s[(c + 1) & 3] & 0x0000FF00u) | (s[(c + 2) & 3] & 0x00FF0000u) |
                   (s[(c + 3) & 3] & 0xFF000000u);
        for (unsigned c = 0; c < 4; c++) {
            uint32_t w = t[c];
            if (round < 10) { /* MixColumns: 2a_i ^ 3a_{i+1} ^ a_{i+2} ^ a_{i+3} */
                uint32_t r8 = ror32(w, 8);
                w = xtime4(w ^ r8) ^ r8 ^ ror32(w, 16) ^ ror32(w, 24);
            }
            s[c] = w ^ st->rk[4 * round + c];
        }
    }
    for (unsigned c = 0; c < 4; c++)
        store_le32(out + 4 * c, s[c]);
    memset(s, 0, sizeof s);
    memset(t, 0, sizeof t);
    __asm__ __volatile__("" : : "r"(s), "r"(t) : "memory");
}

#else
/* Without AES this unit is empty; ISO C wants a declaration in it. */
typedef int aiot_portable_no_aes;
#endif
