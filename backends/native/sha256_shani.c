/* SHA-256 compression with the x86 SHA extensions (SHA-NI), one stream and
 * two interleaved streams. Each sha256rnds2 has a latency of several cycles;
 * two independent streams fill the gaps, which is where the two-way path gains.
 *
 * Only the functions below are compiled for sha/sse4.1 (target attribute): the
 * rest of the library stays baseline x86-64, and these are only reached after
 * CPUID said yes. Register layout (Intel SHA extensions reference): the state
 * lives in two registers, ABEF and CDGH; rnds2 does two rounds using the low two
 * dwords of W+K, and after two rounds the old ABEF is the new CDGH. */
#include <string.h>

#include "native/native.h"

#if defined(AIOT_NATIVE_HAVE_SHANI)
#include <cpuid.h>
#include <immintrin.h>

#define SHANI_TARGET __attribute__((target("sha,sse4.1,ssse3")))

int aiot_sha256_shani_usable(void)
{
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d))
        return 0;
    int ssse3 = (c >> 9) & 1, sse41 = (c >> 19) & 1;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
        return 0;
    int sha = (b >> 29) & 1;
    return ssse3 && sse41 && sha;
}

/* h[0..7] (A..H) -> ABEF, CDGH registers. */
SHANI_TARGET static inline void to_regs(const uint32_t h[8], __m128i *abef, __m128i *cdgh)
{
    __m128i abcd = _mm_loadu_si128((const __m128i *)(const void *)h);
    __m128i efgh = _mm_loadu_si128((const __m128i *)(const void *)(h + 4));
    abcd = _mm_shuffle_epi32(abcd, 0xB1); /* dwords: B A D C */
    efgh = _mm_shuffle_epi32(efgh, 0x1B); /* dwords: H G F E */
    *abef = _mm_alignr_epi8(abcd, efgh, 8);      /* F E B A */
    *cdgh = _mm_blend_epi16(efgh, abcd, 0xF0);   /* H G D C */
}

SHANI_TARGET static inline void from_regs(__m128i abef, __m128i cdgh, uint32_t h[8])
{
    __m128i t = _mm_shuffle_epi32(abef, 0x1B);  /* A B E F */
    cdgh = _mm_shuffle_epi32(cdgh, 0xB1);       /* G H C D */
    _mm_storeu_si128((__m128i *)(void *)h, _mm_blend_epi16(t, cdgh, 0xF0));           /* A B C D */
    _mm_storeu_si128((__m128i *)(void *)(h + 4), _mm_alignr_epi8(cdgh, t, 8));       /* E F G H */
}

SHANI_TARGET static inline __m128i bswap_mask(void)
{
    return _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
}

/* Four rounds on one stream: msg = W[4g..4g+3] + K. */
#define QROUND(ABEF, CDGH, MSG)                                  \
    do {                                                         \
        (CDGH) = _mm_sha256rnds2_epu32((CDGH), (ABEF), (MSG));   \
        (ABEF) = _mm_sha256rnds2_epu32((ABEF), (CDGH), _mm_shuffle_epi32((MSG), 0x0E)); \
    } while (0)

/* Next four schedule words from the previous sixteen (W0 oldest .. W3 newest):
 * W[t] = s1(W[t-2]) + W[t-7] + s0(W[t-15]) + W[t-16]. */
#define SCHED(W0, W1, W2, W3) \
    _mm_sha256msg2_epu32(_mm_add_epi32(_mm_sha256msg1_epu32(W0, W1), _mm_alignr_epi8(W3, W2, 4)), W3)

/* One block (w: its 16 words, host order; k: the round constants) into one
 * register state: the 64 rounds and the feed-forward. Always inlined, so that
 * compress_shani and hmac1_shani keep the code they had with the loop written
 * out in each. */
SHANI_TARGET static inline __attribute__((always_inline)) void block1(__m128i *abef, __m128i *cdgh,
                                                                       __m128i w[4], const __m128i *k)
{
    __m128i abef0 = *abef, cdgh0 = *cdgh;
#pragma GCC unroll 16
    for (int g = 0; g < 16; g++) {
        if (g >= 4)
            w[g & 3] = SCHED(w[g & 3], w[(g + 1) & 3], w[(g + 2) & 3], w[(g + 3) & 3]);
        __m128i msg = _mm_add_epi32(w[g & 3], _mm_loadu_si128(k + g));
        QROUND(*abef, *cdgh, msg);
    }
    *abef = _mm_add_epi32(*abef, abef0);
    *cdgh = _mm_add_epi32(*cdgh, cdgh0);
}

SHANI_TARGET static void compress_shani(uint32_t h[8], const uint8_t *blocks, size_t nblocks)
{
    __m128i abef, cdgh;
    const __m128i mask = bswap_mask();
    const __m128i *k = (const __m128i *)(const void *)aiot_sha256_k;
    to_regs(h, &abef, &cdgh);
    for (size_t blk = 0; blk < nblocks; blk++, blocks += 64) {
        __m128i w[4];
        for (int j = 0; j < 4; j++)
            w[j] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)(blocks + 16 * j)), mask);
        block1(&abef, &cdgh, w, k);
    }
    from_regs(abef, cdgh, h);
}

/* One block into each of two register states, the two dependency chains
 * interleaved; w holds each block's 16 words (already in host order). */
SHANI_TARGET static inline void block2(__m128i *abefa, __m128i *cdgha, __m128i wa[4], __m128i *abefb,
                                       __m128i *cdghb, __m128i wb[4])
{
    const __m128i *k = (const __m128i *)(const void *)aiot_sha256_k;
    __m128i aa = *abefa, ca = *cdgha, ab = *abefb, cb = *cdghb;
#pragma GCC unroll 16
    for (int g = 0; g < 16; g++) {
        if (g >= 4) {
            wa[g & 3] = SCHED(wa[g & 3], wa[(g + 1) & 3], wa[(g + 2) & 3], wa[(g + 3) & 3]);
            wb[g & 3] = SCHED(wb[g & 3], wb[(g + 1) & 3], wb[(g + 2) & 3], wb[(g + 3) & 3]);
        }
        __m128i kk = _mm_loadu_si128(k + g);
        __m128i ma = _mm_add_epi32(wa[g & 3], kk);
        __m128i mb = _mm_add_epi32(wb[g & 3], kk);
        ca = _mm_sha256rnds2_epu32(ca, aa, ma);
        cb = _mm_sha256rnds2_epu32(cb, ab, mb);
        aa = _mm_sha256rnds2_epu32(aa, ca, _mm_shuffle_epi32(ma, 0x0E));
        ab = _mm_sha256rnds2_epu32(ab, cb, _mm_shuffle_epi32(mb, 0x0E));
    }
    *abefa = _mm_add_epi32(*abefa, aa);
    *cdgha = _mm_add_epi32(*cdgha, ca);
    *abefb = _mm_add_epi32(*abefb, ab);
    *cdghb = _mm_add_epi32(*cdghb, cb);
}

SHANI_TARGET static inline void load_block(__m128i w[4], const uint8_t *b, __m128i mask)
{
    for (int j = 0; j < 4; j++)
        w[j] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)(b + 16 * j)), mask);
}

/* nblocks blocks into each of two states. */
SHANI_TARGET static void compress2_shani(uint32_t ha[8], const uint8_t *ba, uint32_t hb[8],
                                         const uint8_t *bb, size_t nblocks)
{
    __m128i abefa, cdgha, abefb, cdghb;
    const __m128i mask = bswap_mask();
    to_regs(ha, &abefa, &cdgha);
    to_regs(hb, &abefb, &cdghb);
    for (size_t blk = 0; blk < nblocks; blk++, ba += 64, bb += 64) {
        __m128i wa[4], wb[4];
        load_block(wa, ba, mask);
        load_block(wb, bb, mask);
        block2(&abefa, &cdgha, wa, &abefb, &cdghb, wb);
    }
    from_regs(abefa, cdgha, ha);
    from_regs(abefb, cdghb, hb);
}

/* ABEF/CDGH -> the digest as two vectors of host-order words (H0..H3, H4..H7). */
SHANI_TARGET static inline void digest_words(__m128i abef, __m128i cdgh, __m128i *h03, __m128i *h47)
{
    __m128i t = _mm_shuffle_epi32(abef, 0x1B);
    cdgh = _mm_shuffle_epi32(cdgh, 0xB1);
    *h03 = _mm_blend_epi16(t, cdgh, 0xF0);
    *h47 = _mm_alignr_epi8(cdgh, t, 8);
}

/* Two whole HMACs of one-block messages: the inner hash of each message from
 * its inner midstate, then the outer hash, whose block (inner digest || padding
 * for 64 + 32 octets) is formed in registers without going to memory. The
 * inner blocks are formed in registers too: 64 octets are read at msga / msgb
 * (the message and whatever follows it), the octets past the message are
 * cleared with `keep` and the padding is or-ed in from `pad`. */
SHANI_TARGET static void hmac2_shani(const uint32_t ina[8], const uint32_t outa[8], const uint8_t *msga,
                                     const uint32_t inb[8], const uint32_t outb[8], const uint8_t *msgb,
                                     const uint8_t keep[64], const uint8_t pad[64],
                                     uint8_t maca[32], uint8_t macb[32])
{
    const __m128i mask = bswap_mask();
    __m128i abefa, cdgha, abefb, cdghb, wa[4], wb[4];
    to_regs(ina, &abefa, &cdgha);
    to_regs(inb, &abefb, &cdghb);
    for (int j = 0; j < 4; j++) {
        __m128i kp = _mm_loadu_si128((const __m128i *)(const void *)(keep + 16 * j));
        __m128i pd = _mm_loadu_si128((const __m128i *)(const void *)(pad + 16 * j));
        __m128i ma = _mm_loadu_si128((const __m128i *)(const void *)(msga + 16 * j));
        __m128i mb = _mm_loadu_si128((const __m128i *)(const void *)(msgb + 16 * j));
        wa[j] = _mm_shuffle_epi8(_mm_or_si128(_mm_and_si128(ma, kp), pd), mask);
        wb[j] = _mm_shuffle_epi8(_mm_or_si128(_mm_and_si128(mb, kp), pd), mask);
    }
    block2(&abefa, &cdgha, wa, &abefb, &cdghb, wb);

    digest_words(abefa, cdgha, &wa[0], &wa[1]);
    digest_words(abefb, cdghb, &wb[0], &wb[1]);
    wa[2] = wb[2] = _mm_set_epi32(0, 0, 0, (int)0x80000000u);
    wa[3] = wb[3] = _mm_set_epi32((64 + 32) * 8, 0, 0, 0);
    to_regs(outa, &abefa, &cdgha);
    to_regs(outb, &abefb, &cdghb);
    block2(&abefa, &cdgha, wa, &abefb, &cdghb, wb);

    __m128i h03, h47;
    digest_words(abefa, cdgha, &h03, &h47);
    _mm_storeu_si128((__m128i *)(void *)maca, _mm_shuffle_epi8(h03, mask));
    _mm_storeu_si128((__m128i *)(void *)(maca + 16), _mm_shuffle_epi8(h47, mask));
    digest_words(abefb, cdghb, &h03, &h47);
    _mm_storeu_si128((__m128i *)(void *)macb, _mm_shuffle_epi8(h03, mask));
    _mm_storeu_si128((__m128i *)(void *)(macb + 16), _mm_shuffle_epi8(h47, mask));
}

/* One whole HMAC of a padded one-block message (see aiot_sha256_impl.hmac1):
 * inner and outer compressions back to back, the digest kept in registers. */
SHANI_TARGET static void hmac1_shani(const uint32_t in[8], const uint32_t out[8], const uint8_t blk[64],
                                     uint8_t mac[32])
{
    const __m128i mask = bswap_mask();
    const __m128i *k = (const __m128i *)(const void *)aiot_sha256_k;
    __m128i abef, cdgh, w[4];
    to_regs(in, &abef, &cdgh);
    load_block(w, blk, mask);
    for (int pass = 0; pass < 2; pass++) {
        block1(&abef, &cdgh, w, k);
        if (pass == 0) {
            /* Outer block: inner digest || 0x80 || zeros || 768 bits. */
            digest_words(abef, cdgh, &w[0], &w[1]);
            w[2] = _mm_set_epi32(0, 0, 0, (int)0x80000000u);
            w[3] = _mm_set_epi32((64 + 32) * 8, 0, 0, 0);
            to_regs(out, &abef, &cdgh);
        }
    }
    __m128i h03, h47;
    digest_words(abef, cdgh, &h03, &h47);
    _mm_storeu_si128((__m128i *)(void *)mac, _mm_shuffle_epi8(h03, mask));
    _mm_storeu_si128((__m128i *)(void *)(mac + 16), _mm_shuffle_epi8(h47, mask));
}

const aiot_sha256_impl aiot_sha256_shani = {"shani", compress_shani, compress2_shani, hmac2_shani, NULL,
                                            hmac1_shani, NULL, NULL, NULL};

/* ---- Three streams, for CPUs with AVX-512VL ------------------------------------
 * sha256rnds2 has a latency of several cycles and issues more often than that:
 * three independent streams fill more of it than two (on Zen 4 the SHA unit is
 * then nearly busy: sha256msg2 in particular). Three streams need more vector
 * registers than the sixteen of SSE/AVX (per stream two state registers, their
 * saved copies and four schedule words); the legacy-encoded SHA instructions only
 * reach xmm0-15, but with AVX-512VL everything else (adds, shuffles, the saved
 * states, schedule words between uses) can live in xmm16-31. Only the functions
 * below are compiled for that target, and they are reached only after CPUID and
 * XGETBV said yes.
 *
 * Measured on Zen 4 (per HMAC of a 37-octet message, one core, data in L1):
 * two streams (hmac2) 40 ns, three streams 29.7 ns; a pipelined variant (the
 * outer compressions of one group interleaved with the inner ones of the next,
 * six chains) 31 ns, four streams 33 ns (spills): three, group by group, it is. */

#define SHANI_VL_TARGET __attribute__((target("sha,sse4.1,ssse3,avx,avx2,avx512f,avx512vl")))

int aiot_sha256_avx512vl_usable(void)
{
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !((c >> 27) & 1)) /* OSXSAVE: XGETBV is available */
        return 0;
    unsigned lo, hi;
    __asm__ __volatile__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    (void)hi;
    /* XCR0: SSE (1), AVX (2), opmask (5), ZMM_Hi256 (6), Hi16_ZMM (7) state enabled. */
    if ((lo & 0xE6u) != 0xE6u)
        return 0;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
        return 0;
    return ((b >> 16) & 1) && ((b >> 31) & 1); /* AVX512F, AVX512VL */
}

int aiot_sha256_shani_vl_usable(void)
{
    return aiot_sha256_shani_usable() && aiot_sha256_avx512vl_usable();
}

#define VL_INLINE SHANI_VL_TARGET static inline __attribute__((always_inline))

/* One block into each of ns (1..3, a constant once inlined) register states, the
 * chains interleaved. Each stream's schedule runs two groups ahead of its
 * rounds: the four words of group g + 2 are computed right after the rounds of
 * group g (they overwrite those of group g - 2, used by then), so they are ready
 * long before the rounds need them. */
VL_INLINE void block_n(int ns, __m128i abef[], __m128i cdgh[], __m128i w[][4])
{
    const __m128i *k = (const __m128i *)(const void *)aiot_sha256_k;
    __m128i a[3], c[3];
#pragma GCC unroll 3
    for (int s = 0; s < ns; s++) {
        a[s] = abef[s];
        c[s] = cdgh[s];
    }
#pragma GCC unroll 16
    for (int g = 0; g < 16; g++) {
        const __m128i kk = _mm_loadu_si128(k + g);
        const int h = g + 2;
#pragma GCC unroll 3
        for (int s = 0; s < ns; s++) {
            __m128i m = _mm_add_epi32(w[s][g & 3], kk);
            c[s] = _mm_sha256rnds2_epu32(c[s], a[s], m);
            a[s] = _mm_sha256rnds2_epu32(a[s], c[s], _mm_shuffle_epi32(m, 0x0E));
            if (h >= 4 && h < 16)
                w[s][h & 3] = SCHED(w[s][h & 3], w[s][(h + 1) & 3], w[s][(h + 2) & 3], w[s][(h + 3) & 3]);
        }
    }
#pragma GCC unroll 3
    for (int s = 0; s < ns; s++) {
        abef[s] = _mm_add_epi32(abef[s], a[s]);
        cdgh[s] = _mm_add_epi32(cdgh[s], c[s]);
    }
}

/* What hmac_n_blocks does with each MAC (a constant once inlined). */
enum mac_out {
    MAC_WHOLE, /* the 32 octets to macs + 32 * s */
    MAC_HALF,  /* the 16 least significant octets (XRES_AIOT) to macs + 16 * s */
    MAC_DIFF   /* those 16 compared with the 16 at res[s]: their difference, or-ed into one word, to diffs[s] */
};

/* ns HMACs whose inner blocks are in w (host-order words) and whose inner
 * midstates are in abef/cdgh (the callers load them first: that order measured
 * faster): the inner compressions, then the outer ones from the keys' outer
 * midstates; each MAC goes where `how` says. */
VL_INLINE void hmac_n_blocks(int ns, const void *const *key, __m128i abef[], __m128i cdgh[], __m128i w[][4],
                             enum mac_out how, uint8_t *macs, const uint8_t *const *res, uint64_t *diffs)
{
    const __m128i mask = bswap_mask();
    const __m128i w2 = _mm_set_epi32(0, 0, 0, (int)0x80000000u), w3 = _mm_set_epi32((64 + 32) * 8, 0, 0, 0);
    block_n(ns, abef, cdgh, w);
#pragma GCC unroll 3
    for (int s = 0; s < ns; s++) {
        /* Outer block: inner digest || 0x80 || zeros || 768 bits. */
        digest_words(abef[s], cdgh[s], &w[s][0], &w[s][1]);
        w[s][2] = w2;
        w[s][3] = w3;
        to_regs((const uint32_t *)key[s] + 8, &abef[s], &cdgh[s]);
    }
    block_n(ns, abef, cdgh, w);
#pragma GCC unroll 3
    for (int s = 0; s < ns; s++) {
        __m128i h03, h47;
        digest_words(abef[s], cdgh[s], &h03, &h47);
        if (how == MAC_DIFF) {
            __m128i x = _mm_xor_si128(_mm_shuffle_epi8(h47, mask),
                                      _mm_loadu_si128((const __m128i *)(const void *)res[s]));
            diffs[s] = (uint64_t)_mm_cvtsi128_si64(_mm_or_si128(x, _mm_unpackhi_epi64(x, x)));
        } else if (how == MAC_HALF) {
            _mm_storeu_si128((__m128i *)(void *)(macs + 16 * s), _mm_shuffle_epi8(h47, mask));
        } else {
            _mm_storeu_si128((__m128i *)(void *)(macs + 32 * s), _mm_shuffle_epi8(h03, mask));
            _mm_storeu_si128((__m128i *)(void *)(macs + 32 * s + 16), _mm_shuffle_epi8(h47, mask));
        }
    }
}

/* ngroups groups of ns HMACs (see aiot_sha256_impl.hmac3): per group, the inner
 * blocks formed in registers as in hmac2, then hmac_n_blocks. */
VL_INLINE void hmac_n(int ns, const void *const *key, const uint8_t *msgs, size_t msg_len, size_t ngroups,
                      const uint8_t keep[64], const uint8_t pad[64], uint8_t *macs)
{
    const __m128i mask = bswap_mask();
    for (size_t grp = 0; grp < ngroups; grp++, key += ns, msgs += (size_t)ns * msg_len, macs += 32 * ns) {
        __m128i abef[3], cdgh[3], w[3][4];
#pragma GCC unroll 3
        for (int s = 0; s < ns; s++) {
            const uint8_t *m = msgs + (size_t)s * msg_len;
            to_regs(key[s], &abef[s], &cdgh[s]);
#pragma GCC unroll 4
            for (int j = 0; j < 4; j++) {
                __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(m + 16 * j));
                __m128i kp = _mm_loadu_si128((const __m128i *)(const void *)(keep + 16 * j));
                __m128i pd = _mm_loadu_si128((const __m128i *)(const void *)(pad + 16 * j));
                w[s][j] = _mm_shuffle_epi8(_mm_or_si128(_mm_and_si128(x, kp), pd), mask);
            }
        }
        hmac_n_blocks(ns, key, abef, cdgh, w, MAC_WHOLE, macs, NULL, NULL);
    }
}

/* ---- The KDF string straight from its parameters --------------------------------
 * S = FC || P0 || 0x00 0x10 || P1 || 0x00 0x10 (TS 33.220 B.2 with a one-octet FC
 * and two 16-octet parameters: RAND_AIOT_n and RAND_AIOT_d), 37 octets, padded in
 * one block after the 64-octet key block. Each host-order word of that block is a
 * byte shuffle of P0, one of P1 and a constant: the shuffles below pick, for every
 * octet of the four words, where it comes from (0x80: nowhere, a zero). The
 * caller never lays S out in memory, and nothing past a parameter is read. */

/* The octet of S (or of its padding) that lands at octet o of word vector j. */
#define KDF_AT(j, o) (16 * (j) + ((o) & ~3) + 3 - ((o) & 3))
#define KDF_P0(x) ((x) >= 1 && (x) <= 16 ? (x) - 1 : 0x80)
#define KDF_P1(x) ((x) >= 19 && (x) <= 34 ? (x) - 19 : 0x80)
/* The constant octets: both lengths (0x00 0x10), the 0x80 after S, the bit length
 * (64 + 37) * 8 = 0x0328 in the last two octets. FC is or-ed in at run time. */
#define KDF_C(x) ((x) == 18 || (x) == 36 ? 0x10 : (x) == 37 ? 0x80 : (x) == 62 ? 0x03 : (x) == 63 ? 0x28 : 0)
#define KDF_V(F, j)                                                                                  \
    _mm_setr_epi8((char)F(KDF_AT(j, 0)), (char)F(KDF_AT(j, 1)), (char)F(KDF_AT(j, 2)),              \
                  (char)F(KDF_AT(j, 3)), (char)F(KDF_AT(j, 4)), (char)F(KDF_AT(j, 5)),              \
                  (char)F(KDF_AT(j, 6)), (char)F(KDF_AT(j, 7)), (char)F(KDF_AT(j, 8)),              \
                  (char)F(KDF_AT(j, 9)), (char)F(KDF_AT(j, 10)), (char)F(KDF_AT(j, 11)),            \
                  (char)F(KDF_AT(j, 12)), (char)F(KDF_AT(j, 13)), (char)F(KDF_AT(j, 14)),           \
                  (char)F(KDF_AT(j, 15)))

/* The shuffles and constants of the block, FC or-ed in. */
typedef struct kdf_form {
    __m128i p0w0, p0w1, p1w1, p1w2, c0, c1, c2, c3;
} kdf_form;

VL_INLINE kdf_form kdf_form_of(uint8_t fc)
{
    kdf_form f;
    f.p0w0 = KDF_V(KDF_P0, 0);
    f.p0w1 = KDF_V(KDF_P0, 1);
    f.p1w1 = KDF_V(KDF_P1, 1);
    f.p1w2 = KDF_V(KDF_P1, 2);
    /* FC is octet 0 of S: the most significant octet of word 0. */
    f.c0 = _mm_or_si128(KDF_V(KDF_C, 0), _mm_set_epi32(0, 0, 0, (int)((uint32_t)fc << 24)));
    f.c1 = KDF_V(KDF_C, 1);
    f.c2 = KDF_V(KDF_C, 2);
    f.c3 = KDF_V(KDF_C, 3);
    return f;
}

/* The inner block of one item from the 16 octets at p0 and at p1. */
VL_INLINE void kdf_block(const kdf_form *f, const uint8_t *p0, const uint8_t *p1, __m128i w[4])
{
    const __m128i a = _mm_loadu_si128((const __m128i *)(const void *)p0);
    const __m128i b = _mm_loadu_si128((const __m128i *)(const void *)p1);
    w[0] = _mm_or_si128(_mm_shuffle_epi8(a, f->p0w0), f->c0);
    w[1] = _mm_ternarylogic_epi32(_mm_shuffle_epi8(a, f->p0w1), _mm_shuffle_epi8(b, f->p1w1), f->c1, 0xFE); /* or */
    w[2] = _mm_or_si128(_mm_shuffle_epi8(b, f->p1w2), f->c2);
    w[3] = f->c3;
}

/* ngroups groups of ns KDF MACs (see aiot_sha256_impl.kdf3), written as `how` says. */
VL_INLINE void kdf_n(int ns, const void *const *key, uint8_t fc, const uint8_t *const *p0,
                     const uint8_t *const *p1, size_t ngroups, enum mac_out how, uint8_t *out)
{
    const kdf_form f = kdf_form_of(fc);
    const size_t step = how == MAC_HALF ? 16u : 32u;
    for (size_t grp = 0; grp < ngroups; grp++, key += ns, p0 += ns, p1 += ns, out += step * (size_t)ns) {
        __m128i abef[3], cdgh[3], w[3][4];
#pragma GCC unroll 3
        for (int s = 0; s < ns; s++) {
            to_regs(key[s], &abef[s], &cdgh[s]);
            kdf_block(&f, p0[s], p1[s], w[s]);
        }
        hmac_n_blocks(ns, key, abef, cdgh, w, how, out, NULL, NULL);
    }
}

/* Three streams at a time, then the last two (or one). */
VL_INLINE void kdf3_as(const void *const *key, uint8_t fc, const uint8_t *const *p0, const uint8_t *const *p1,
                       size_t count, enum mac_out how, uint8_t *out)
{
    const size_t step = how == MAC_HALF ? 16u : 32u;
    size_t groups = count / 3, done = 3 * groups;
    kdf_n(3, key, fc, p0, p1, groups, how, out);
    if (count - done == 2)
        kdf_n(2, key + done, fc, p0 + done, p1 + done, 1, how, out + step * done);
    else if (count - done == 1)
        kdf_n(1, key + done, fc, p0 + done, p1 + done, 1, how, out + step * done);
}

/* See aiot_sha256_impl.kdf3 (each output form its own code). */
SHANI_VL_TARGET static void kdf3_shani(const void *const *key, uint8_t fc, const uint8_t *const *p0,
                                       const uint8_t *const *p1, size_t count, int half, uint8_t *out)
{
    if (half)
        kdf3_as(key, fc, p0, p1, count, MAC_HALF, out);
    else
        kdf3_as(key, fc, p0, p1, count, MAC_WHOLE, out);
}

/* ngroups groups of ns verifications of batch items (see aiot_sha256_impl.kdf3_items):
 * the pointers are read from the items here, inside the loop whose SHA-256 work
 * they overlap, instead of in a pass of their own. */
VL_INLINE void kdf_items_n(int ns, const aiotsec_batch_item *it, size_t ngroups, size_t compact_off, uint8_t fc,
                           uint64_t *diffs)
{
    const kdf_form f = kdf_form_of(fc);
    for (size_t grp = 0; grp < ngroups; grp++, it += ns, diffs += ns) {
        __m128i abef[3], cdgh[3], w[3][4];
        const void *key[3];
        const uint8_t *res[3];
#pragma GCC unroll 3
        for (int s = 0; s < ns; s++) {
            const unsigned char *handle = (const unsigned char *)(const void *)it[s].key;
            memcpy(&key[s], handle + compact_off, sizeof key[s]);
            res[s] = it[s].res;
            to_regs(key[s], &abef[s], &cdgh[s]);
            kdf_block(&f, it[s].rand_n, it[s].rand_d, w[s]);
        }
        hmac_n_blocks(ns, key, abef, cdgh, w, MAC_DIFF, NULL, res, diffs);
    }
}

SHANI_VL_TARGET static void kdf3_items_shani(const aiotsec_batch_item *items, size_t count, size_t compact_off,
                                             uint8_t fc, uint64_t *diffs)
{
    size_t groups = count / 3, done = 3 * groups;
    kdf_items_n(3, items, groups, compact_off, fc, diffs);
    if (count - done == 2)
        kdf_items_n(2, items + done, 1, compact_off, fc, diffs + done);
    else if (count - done == 1)
        kdf_items_n(1, items + done, 1, compact_off, fc, diffs + done);
}

/* See aiot_sha256_impl.hmac3: three streams at a time, then the last two (or
 * one) on two streams (or one) with the same code. */
SHANI_VL_TARGET static void hmac3_shani(const void *const *key, const uint8_t *msgs, size_t msg_len, size_t count,
                                        const uint8_t keep[64], const uint8_t pad[64], uint8_t *macs)
{
    size_t groups = count / 3, done = 3 * groups;
    hmac_n(3, key, msgs, msg_len, groups, keep, pad, macs);
    if (count - done == 2)
        hmac_n(2, key + done, msgs + done * msg_len, msg_len, 1, keep, pad, macs + 32 * done);
    else if (count - done == 1)
        hmac_n(1, key + done, msgs + done * msg_len, msg_len, 1, keep, pad, macs + 32 * done);
}

const aiot_sha256_impl aiot_sha256_shani_vl = {"shani-vl", compress_shani, compress2_shani, hmac2_shani, NULL,
                                               hmac1_shani, hmac3_shani, kdf3_shani, kdf3_items_shani};

#else

int aiot_sha256_shani_usable(void)
{
    return 0;
}

int aiot_sha256_avx512vl_usable(void)
{
    return 0;
}

int aiot_sha256_shani_vl_usable(void)
{
    return 0;
}

#endif
