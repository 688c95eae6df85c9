/* Eight SHA-256 streams side by side in AVX2 registers (one 32-bit lane per
 * stream), for the batch path on CPUs without the SHA extensions: the batch
 * HMAC of eight one-block messages at a time. Single hashes keep the portable
 * code (a lone stream cannot use the lanes).
 *
 * Written from FIPS 180-4 6.2.2; the functions are compiled for avx2 only
 * (target attribute) and reached only after CPUID and XGETBV said yes. */
#include <string.h>

#include "native/native.h"

#if defined(AIOT_NATIVE_HAVE_AVX2)
#include <cpuid.h>
#include <immintrin.h>

#define AVX2_TARGET __attribute__((target("avx2")))

int aiot_sha256_avx2_usable(void)
{
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d))
        return 0;
    if (!((c >> 27) & 1)) /* OSXSAVE: the OS saves the YMM registers */
        return 0;
    unsigned lo, hi;
    __asm__ __volatile__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    (void)hi;
    if ((lo & 6u) != 6u) /* XMM and YMM state enabled */
        return 0;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
        return 0;
    return (int)((b >> 5) & 1); /* AVX2 */
}

AVX2_TARGET static inline __m256i rotr(__m256i x, int n)
{
    return _mm256_or_si256(_mm256_srli_epi32(x, n), _mm256_slli_epi32(x, 32 - n));
}

/* 8x8 transpose of 32-bit words: row i lane j <-> row j lane i. */
AVX2_TARGET static inline void transpose8(__m256i r[8])
{
    __m256i t[8], u[8];
    for (int i = 0; i < 8; i += 2) {
        t[i] = _mm256_unpacklo_epi32(r[i], r[i + 1]);
        t[i + 1] = _mm256_unpackhi_epi32(r[i], r[i + 1]);
    }
    for (int i = 0; i < 8; i += 4) {
        u[i] = _mm256_unpacklo_epi64(t[i], t[i + 2]);
        u[i + 1] = _mm256_unpackhi_epi64(t[i], t[i + 2]);
        u[i + 2] = _mm256_unpacklo_epi64(t[i + 1], t[i + 3]);
        u[i + 3] = _mm256_unpackhi_epi64(t[i + 1], t[i + 3]);
    }
    for (int i = 0; i < 4; i++) {
        r[i] = _mm256_permute2x128_si256(u[i], u[i + 4], 0x20);
        r[i + 4] = _mm256_permute2x128_si256(u[i], u[i + 4], 0x31);
    }
}

/* One block per lane: s[0..7] = lanes of A..H, w[0..15] = lanes of W0..W15. */
AVX2_TARGET static void compress8(__m256i s[8], __m256i w[16])
{
    __m256i a = s[0], b = s[1], c = s[2], d = s[3], e = s[4], f = s[5], g = s[6], h = s[7];
#pragma GCC unroll 8
    for (int t = 0; t < 64; t++) {
        __m256i wt;
        if (t < 16) {
            wt = w[t];
        } else {
            __m256i w15 = w[(t - 15) & 15], w2 = w[(t - 2) & 15];
            __m256i s0 = _mm256_xor_si256(_mm256_xor_si256(rotr(w15, 7), rotr(w15, 18)), _mm256_srli_epi32(w15, 3));
            __m256i s1 = _mm256_xor_si256(_mm256_xor_si256(rotr(w2, 17), rotr(w2, 19)), _mm256_srli_epi32(w2, 10));
            wt = _mm256_add_epi32(_mm256_add_epi32(w[t & 15], s0), _mm256_add_epi32(w[(t - 7) & 15], s1));
            w[t & 15] = wt;
        }
        __m256i S1 = _mm256_xor_si256(_mm256_xor_si256(rotr(e, 6), rotr(e, 11)), rotr(e, 25));
        __m256i ch = _mm256_xor_si256(_mm256_and_si256(e, f), _mm256_andnot_si256(e, g));
        __m256i t1 = _mm256_add_epi32(_mm256_add_epi32(h, S1),
                                      _mm256_add_epi32(ch, _mm256_add_epi32(wt, _mm256_set1_epi32((int)aiot_sha256_k[t]))));
        __m256i S0 = _mm256_xor_si256(_mm256_xor_si256(rotr(a, 2), rotr(a, 13)), rotr(a, 22));
        __m256i maj = _mm256_or_si256(_mm256_and_si256(a, b), _mm256_and_si256(c, _mm256_or_si256(a, b)));
        __m256i t2 = _mm256_add_epi32(S0, maj);
        h = g;
        g = f;
        f = e;
        e = _mm256_add_epi32(d, t1);
        d = c;
        c = b;
        b = a;
        a = _mm256_add_epi32(t1, t2);
    }
    s[0] = _mm256_add_epi32(s[0], a);
    s[1] = _mm256_add_epi32(s[1], b);
    s[2] = _mm256_add_epi32(s[2], c);
    s[3] = _mm256_add_epi32(s[3], d);
    s[4] = _mm256_add_epi32(s[4], e);
    s[5] = _mm256_add_epi32(s[5], f);
    s[6] = _mm256_add_epi32(s[6], g);
    s[7] = _mm256_add_epi32(s[7], h);
}

/* Eight HMACs of one-block messages (see aiot_sha256_impl.hmac8). */
AVX2_TARGET static void hmac8_avx2(const uint32_t *const in[8], const uint32_t *const out[8],
                                   const uint8_t *const msg[8], const uint8_t keep[64], const uint8_t pad[64],
                                   uint8_t *const mac[8])
{
    const __m256i bswap = _mm256_set_epi8(12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3,
                                          12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3);
    __m256i s[8], w[16], lo[8], hi[8];
    const __m256i keep0 = _mm256_loadu_si256((const __m256i *)(const void *)keep);
    const __m256i keep1 = _mm256_loadu_si256((const __m256i *)(const void *)(keep + 32));
    const __m256i pad0 = _mm256_loadu_si256((const __m256i *)(const void *)pad);
    const __m256i pad1 = _mm256_loadu_si256((const __m256i *)(const void *)(pad + 32));
    for (int l = 0; l < 8; l++) {
        s[l] = _mm256_loadu_si256((const __m256i *)(const void *)in[l]);
        __m256i m0 = _mm256_loadu_si256((const __m256i *)(const void *)msg[l]);
        __m256i m1 = _mm256_loadu_si256((const __m256i *)(const void *)(msg[l] + 32));
        lo[l] = _mm256_shuffle_epi8(_mm256_or_si256(_mm256_and_si256(m0, keep0), pad0), bswap);
        hi[l] = _mm256_shuffle_epi8(_mm256_or_si256(_mm256_and_si256(m1, keep1), pad1), bswap);
    }
    transpose8(s);
    transpose8(lo);
    transpose8(hi);
    for (int j = 0; j < 8; j++) {
        w[j] = lo[j];
        w[j + 8] = hi[j];
    }
    compress8(s, w);

    /* Outer block: the inner digest (already one word per register), 0x80, zeros, 768 bits. */
    for (int j = 0; j < 8; j++)
        w[j] = s[j];
    w[8] = _mm256_set1_epi32((int)0x80000000u);
    for (int j = 9; j < 15; j++)
        w[j] = _mm256_setzero_si256();
    w[15] = _mm256_set1_epi32((64 + 32) * 8);
    for (int l = 0; l < 8; l++)
        s[l] = _mm256_loadu_si256((const __m256i *)(const void *)out[l]);
    transpose8(s);
    compress8(s, w);

    transpose8(s);
    for (int l = 0; l < 8; l++)
        _mm256_storeu_si256((__m256i *)(void *)mac[l], _mm256_shuffle_epi8(s[l], bswap));
}

static void compress2_portable_pair(uint32_t ha[8], const uint8_t *ba, uint32_t hb[8], const uint8_t *bb,
                                    size_t nblocks)
{
    aiot_sha256_portable.compress(ha, ba, nblocks);
    aiot_sha256_portable.compress(hb, bb, nblocks);
}

static void compress_portable_one(uint32_t h[8], const uint8_t *blocks, size_t nblocks)
{
    aiot_sha256_portable.compress(h, blocks, nblocks);
}

const aiot_sha256_impl aiot_sha256_avx2 = {"avx2", compress_portable_one, compress2_portable_pair, NULL,
                                           hmac8_avx2, NULL, NULL, NULL, NULL};

#else

int aiot_sha256_avx2_usable(void)
{
    return 0;
}

#endif
