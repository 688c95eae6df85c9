/* SHA-256 compression for small cores, written from FIPS 180-4 section 6.2.2.
 *
 * What a Cortex-M0+ pays for in the textbook loop is moving the eight working
 * variables a..h every round: they do not fit in its eight low registers, so
 * each round loads and stores all of them. Here they live in a window that
 * slides down one array: at round t the window p[0..7] holds a..h, the round
 * writes only the new a (p[-1]) and the new e (p[3], in place of d, which it
 * consumes), and the window moves one word down. The message schedule is
 * computed first, W[j] into the slot v[63 - j] just below the window: round t
 * reads W[t] from p[-1] right before it writes the new a there, so one array of
 * 72 words holds both (no ring index to mask, no branch in the round loop).
 * The Sigma functions are factored so that each costs three rotations (FIPS
 * 180-4 4.1.2 rewritten with ROTR(x ^ y) = ROTR(x) ^ ROTR(y)):
 *   Sigma0(a) = ROTR2(a ^ ROTR11(a ^ ROTR9(a)))    = ROTR2 ^ ROTR13 ^ ROTR22
 *   Sigma1(e) = ROTR6(e ^ ROTR5(e ^ ROTR14(e)))    = ROTR6 ^ ROTR11 ^ ROTR25
 *   sigma0(x) = ROTR7(x ^ ROTR11(x)) ^ SHR3(x)     = ROTR7 ^ ROTR18 ^ SHR3
 *   sigma1(x) = ROTR17(x ^ ROTR2(x)) ^ SHR10(x)    = ROTR17 ^ ROTR19 ^ SHR10
 * No table is indexed by data and no branch depends on data: constant time. */
#include <string.h>

#include "portable/portable_internal.h"

const uint32_t aiot_sha256_iv[8] = {
    0x6a09e667u, 0xbb67ae85u, 0x3c6ef372u, 0xa54ff53au,
    0x510e527fu, 0x9b05688cu, 0x1f83d9abu, 0x5be0cd19u,
};

/* FIPS 180-4 4.2.2 */
const uint32_t aiot_sha256_k[64] = {
    0x428a2f98u, 0x71374491u, 0xb5c0fbcfu, 0xe9b5dba5u, 0x3956c25bu, 0x59f111f1u, 0x923f82a4u, 0xab1c5ed5u,
    0xd807aa98u, 0x12835b01u, 0x243185beu, 0x550c7dc3u, 0x72be5d74u, 0x80deb1feu, 0x9bdc06a7u, 0xc19bf174u,
    0xe49b69c1u, 0xefbe4786u, 0x0fc19dc6u, 0x240ca1ccu, 0x2de92c6fu, 0x4a7484aau, 0x5cb0a9dcu, 0x76f988dau,
    0x983e5152u, 0xa831c66du, 0xb00327c8u, 0xbf597fc7u, 0xc6e00bf3u, 0xd5a79147u, 0x06ca6351u, 0x14292967u,
    0x27b70a85u, 0x2e1b2138u, 0x4d2c6dfcu, 0x53380d13u, 0x650a7354u, 0x766a0abbu, 0x81c2c92eu, 0x92722c85u,
    0xa2bfe8a1u, 0xa81a664bu, 0xc24b8b70u, 0xc76c51a3u, 0xd192e819u, 0xd6990624u, 0xf40e3585u, 0x106aa070u,
    0x19a4c116u, 0x1e376c08u, 0x2748774cu, 0x34b0bcb5u, 0x391c0cb3u, 0x4ed8aa4au, 0x5b9cca4fu, 0x682e6ff3u,
    0x748f82eeu, 0x78a5636fu, 0x84c87814u, 0x8cc70208u, 0x90befffau, 0xa4506cebu, 0xbef9a3f7u, 0xc67178f2u,
};

static inline uint32_t rotr(uint32_t x, unsigned n)
{
    return x >> n | x << (32u - n);
}

static inline uint32_t load_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* ARMv6-M (Cortex-M0, M0+, M1): the same two loops written out, because the
 * compiler reloads the rotation counts and the loop bound every round and this
 * is where a tag spends its energy. Same window, same factored Sigmas; the
 * schedule keeps its four rotation counts in registers. C above for every other
 * core; the vectors run both (tests/fw on the host, the self-test under qemu). */
#if defined(__thumb__) && !defined(__thumb2__) && defined(__GNUC__)
#define AIOT_SHA256_V6M 1

/* r7 is named in the asm below; GCC keeps the Thumb-1 frame pointer in r7 when one
 * is used (-O0, -fno-omit-frame-pointer), so these two never have one. */
#define V6M_ASM_FN __attribute__((noinline, optimize("omit-frame-pointer")))

/* W[16..63] into v[47..0] (W[j] at v[63 - j]): q[0] = q[16] + q[7] + sigma0(q[15]) + sigma1(q[2]). */
V6M_ASM_FN static void schedule_v6m(uint32_t v[72])
{
    register uint32_t *q __asm__("r0") = v + 47;
    register uint32_t *lo __asm__("r8") = v;
    __asm__ __volatile__(
        ".syntax unified\n\t" /* GCC hands Thumb-1 inline assembly over in divided syntax */
        "movs r1, #11\n\t"
        "movs r4, #7\n\t"
        "movs r6, #2\n\t"
        "movs r7, #17\n"
        "1:\n\t"
        "ldr r2, [r0, #60]\n\t" /* x = W[t-15] */
        "movs r3, r2\n\t"
        "rors r3, r1\n\t"
        "eors r3, r2\n\t"
        "rors r3, r4\n\t"
        "lsrs r2, r2, #3\n\t"
        "eors r3, r2\n\t"       /* sigma0 */
        "ldr r2, [r0, #8]\n\t"  /* x = W[t-2] */
        "movs r5, r2\n\t"
        "rors r5, r6\n\t"
        "eors r5, r2\n\t"
        "rors r5, r7\n\t"
        "lsrs r2, r2, #10\n\t"
        "eors r5, r2\n\t"       /* sigma1 */
        "adds r3, r3, r5\n\t"
        "ldr r2, [r0, #64]\n\t" /* W[t-16] */
        "adds r3, r3, r2\n\t"
        "ldr r2, [r0, #28]\n\t" /* W[t-7] */
        "adds r3, r3, r2\n\t"
        "str r3, [r0]\n\t"
        "subs r0, #4\n\t"
        "cmp r0, r8\n\t"
        "bhs 1b"
        : "+l"(q)
        : "h"(lo)
        : "r1", "r2", "r3", "r4", "r5", "r6", "r7", "cc", "memory");
}

/* The 64 rounds. q = p - 1: W[t] and the new a at q[0], a..h at q[1..8], the
 * new e at q[4] (over d). */
V6M_ASM_FN static void rounds_v6m(uint32_t v[72])
{
    register uint32_t *q __asm__("r0") = v + 63;
    register const uint32_t *k __asm__("r1") = aiot_sha256_k;
    register uint32_t *lo __asm__("r8") = v;
    __asm__ __volatile__(
        ".syntax unified\n"
        "1:\n\t"
        "ldr r2, [r0, #20]\n\t" /* e */
        "ldr r3, [r0, #24]\n\t" /* f */
        "ldr r4, [r0, #28]\n\t" /* g */
        "eors r3, r4\n\t"
        "ands r3, r2\n\t"
        "eors r3, r4\n\t"       /* Ch(e, f, g) */
        "ldr r4, [r0, #32]\n\t" /* h */
        "adds r3, r3, r4\n\t"
        "ldr r4, [r0]\n\t"      /* W[t] */
        "adds r3, r3, r4\n\t"
        "ldmia r1!, {r4}\n\t"   /* K[t] */
        "adds r3, r3, r4\n\t"
        "movs r4, #14\n\t"
        "movs r5, r2\n\t"
        "rors r5, r4\n\t"
        "eors r5, r2\n\t"
        "movs r4, #5\n\t"
        "rors r5, r4\n\t"
        "eors r5, r2\n\t"
        "movs r4, #6\n\t"
        "rors r5, r4\n\t"       /* Sigma1(e) */
        "adds r3, r3, r5\n\t"   /* T1 */
        "ldr r2, [r0, #16]\n\t" /* d */
        "adds r2, r2, r3\n\t"
        "str r2, [r0, #16]\n\t" /* e' = d + T1 */
        "ldr r2, [r0, #4]\n\t"  /* a */
        "movs r4, #9\n\t"
        "movs r5, r2\n\t"
        "rors r5, r4\n\t"
        "eors r5, r2\n\t"
        "movs r4, #11\n\t"
        "rors r5, r4\n\t"
        "eors r5, r2\n\t"
        "movs r4, #2\n\t"
        "rors r5, r4\n\t"       /* Sigma0(a) */
        "adds r3, r3, r5\n\t"
        "ldr r4, [r0, #8]\n\t"  /* b */
        "ldr r6, [r0, #12]\n\t" /* c */
        "movs r7, r2\n\t"
        "orrs r7, r4\n\t"
        "ands r7, r6\n\t"
        "ands r2, r4\n\t"
        "orrs r2, r7\n\t"       /* Maj(a, b, c) */
        "adds r3, r3, r2\n\t"
        "str r3, [r0]\n\t"      /* a' = T1 + T2 */
        "subs r0, #4\n\t"
        "cmp r0, r8\n\t"
        "bhs 1b"
        : "+l"(q), "+l"(k)
        : "h"(lo)
        : "r2", "r3", "r4", "r5", "r6", "r7", "cc", "memory");
}
#else
#define AIOT_SHA256_V6M 0
#endif

void aiot_portable_sha256_compress(uint32_t h[8], const uint8_t *blocks, size_t nblocks)
{
    /* v[64..71]: a..h at round 0; v[63 - j]: W[j]. */
    uint32_t v[72];
    for (; nblocks; nblocks--, blocks += 64) {
        for (unsigned j = 0; j < 16; j++)
            v[63 - j] = load_be32(blocks + 4 * j);
#if AIOT_SHA256_V6M
        schedule_v6m(v);
        memcpy(v + 64, h, 32);
        rounds_v6m(v);
#else
        for (size_t j = 48; j-- > 0;) {
            /* q[0] = W[t] for t = 63 - j; q[2] = W[t-2], q[7] = W[t-7], q[15] = W[t-15], q[16] = W[t-16] */
            uint32_t *q = v + j;
            uint32_t x15 = q[15], x2 = q[2];
            q[0] = q[16] + q[7] + (rotr(x15 ^ rotr(x15, 11), 7) ^ x15 >> 3) +
                   (rotr(x2 ^ rotr(x2, 2), 17) ^ x2 >> 10);
        }
        memcpy(v + 64, h, 32);
        const uint32_t *k = aiot_sha256_k;
        for (uint32_t *p = v + 64; p != v; p--, k++) {
            uint32_t e = p[4], g = p[6];
            uint32_t t1 = p[7] + rotr(e ^ rotr(e ^ rotr(e, 14), 5), 6) + (g ^ (e & (p[5] ^ g))) + *k + p[-1];
            uint32_t a = p[0], b = p[1];
            uint32_t t2 = rotr(a ^ rotr(a ^ rotr(a, 9), 11), 2) + ((a & b) | (p[2] & (a | b)));
            p[3] += t1;
            p[-1] = t1 + t2;
        }
#endif
        for (unsigned i = 0; i < 8; i++)
            h[i] += v[i];
    }
    /* The array holds key and message material. */
    memset(v, 0, sizeof v);
    __asm__ __volatile__("" : : "r"(v) : "memory");
}
