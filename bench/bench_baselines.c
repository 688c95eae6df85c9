/* The two direct-library baselines and the machine's SHA-256 ceiling.
 *
 * Baselines: one HMAC-SHA-256 of the 37-octet S of A.2 (profile 0) under a
 * 32-octet key, straight through libsodium and straight through OpenSSL.
 * Ceiling: compressions in a tight loop (16 blocks per call) with our own
 * SHA-256 code on the best path of this CPU, on one stream (each block waits
 * for the previous: latency) and on two interleaved streams (throughput); and
 * whole HMACs through the best HMAC kernel (the ceiling the batch rows are
 * compared with). */
#include <sodium.h>
#include <string.h>
#ifdef BENCH_HAVE_OPENSSL
#include <openssl/evp.h>
#include <openssl/hmac.h>
#endif

#include "bench.h"
#include "native/native.h"

/* 64 distinct devices, cycled, as in the library rows; calls are independent. */
#define NDEV 64

typedef struct hmac_arg {
    uint8_t key[NDEV][32];
    uint8_t msg[NDEV][37];
    uint8_t mac[32];
    uint8_t sink;
} hmac_arg;

static int run_sodium(void *p, size_t iters)
{
    hmac_arg *a = p;
    for (size_t i = 0; i < iters; i++) {
        size_t j = i % NDEV;
        crypto_auth_hmacsha256(a->mac, a->msg[j], sizeof a->msg[j], a->key[j]);
        a->sink ^= a->mac[0];
    }
    return 0;
}

#ifdef BENCH_HAVE_OPENSSL
static int run_openssl(void *p, size_t iters)
{
    hmac_arg *a = p;
    for (size_t i = 0; i < iters; i++) {
        size_t j = i % NDEV;
        unsigned int len = 0;
        if (!HMAC(EVP_sha256(), a->key[j], (int)sizeof a->key[j], a->msg[j], sizeof a->msg[j], a->mac, &len))
            return -1;
        a->sink ^= a->mac[0];
    }
    return 0;
}
#endif

typedef struct ceil_arg {
    const aiot_sha256_impl *impl;
    uint32_t ha[8], hb[8];
    uint8_t blocks_a[16 * 64], blocks_b[16 * 64];
} ceil_arg;

static int run_1way(void *p, size_t iters)
{
    ceil_arg *a = p;
    for (size_t i = 0; i < iters; i++)
        a->impl->compress(a->ha, a->blocks_a, 16);
    return 0;
}

static int run_2way(void *p, size_t iters)
{
    ceil_arg *a = p;
    for (size_t i = 0; i < iters; i++)
        a->impl->compress2(a->ha, a->blocks_a, a->hb, a->blocks_b, 16);
    return 0;
}

/* The HMAC kernel ceiling: whole HMACs of the 37-octet S from in-cache compact
 * keys, straight into the best kernel of this CPU, 48 at a time: no batch API, no
 * key look-up, no RES comparison. What a batch row can at best approach. With
 * AVX-512VL there are two three-stream SHA-NI kernels, hmac3 (the block read from
 * S laid out in memory) and kdf3 (the block formed from the two RANDs, as the
 * batch and the ADM use it): both are measured and the faster one is the
 * ceiling. Without it, hmac2 (two streams). */
#define KERNEL_N 48

typedef struct kernel_arg {
    const aiot_sha256_impl *impl;
    uint32_t keys[KERNEL_N][16];
    const void *kp[KERNEL_N];
    const uint8_t *p0[KERNEL_N], *p1[KERNEL_N]; /* kdf3: the RANDs inside msgs */
    uint8_t msgs[KERNEL_N * 37 + 64]; /* 64 readable octets past the last message */
    uint8_t keep[64], pad[64];
    uint8_t macs[KERNEL_N * 32];
} kernel_arg;

static int run_kernel(void *p, size_t iters)
{
    kernel_arg *a = p;
    for (size_t i = 0; i < iters; i++) {
        if (a->impl->hmac3) {
            a->impl->hmac3(a->kp, a->msgs, 37, KERNEL_N, a->keep, a->pad, a->macs);
        } else {
            for (size_t j = 0; j < KERNEL_N; j += 2)
                a->impl->hmac2(a->keys[j], a->keys[j] + 8, a->msgs + 37 * j, a->keys[j + 1], a->keys[j + 1] + 8,
                               a->msgs + 37 * (j + 1), a->keep, a->pad, a->macs + 32 * j, a->macs + 32 * (j + 1));
        }
        a->msgs[0] ^= a->macs[0]; /* a dependency: no call can be skipped */
    }
    return 0;
}

/* The same HMACs through kdf3, which forms each block from the two RANDs itself
 * (p0/p1 point at them inside msgs). */
static int run_kernel_kdf(void *p, size_t iters)
{
    kernel_arg *a = p;
    for (size_t i = 0; i < iters; i++) {
        a->impl->kdf3(a->kp, 0xA0, a->p0, a->p1, KERNEL_N, 0, a->macs);
        a->msgs[1] ^= a->macs[0];
    }
    return 0;
}

int bench_run_baselines(bench_baselines *out, double target_ms, int reps)
{
    memset(out, 0, sizeof *out);
    if (sodium_init() < 0)
        return -1;
    uint64_t seed = 1;
    static hmac_arg h;
    bench_fill(&seed, &h.key[0][0], sizeof h.key);
    bench_fill(&seed, &h.msg[0][0], sizeof h.msg);
    out->libsodium_hmac_ns = bench_measure(run_sodium, &h, 1, target_ms, reps);
#ifdef BENCH_HAVE_OPENSSL
    out->openssl_hmac_ns = bench_measure(run_openssl, &h, 1, target_ms, reps);
#else
    out->openssl_hmac_ns = -1;
#endif

    static ceil_arg c; /* 2 KiB of blocks: static rather than on the stack */
    out->sha_ni = aiot_sha256_shani_usable();
    c.impl = &aiot_sha256_portable;
#ifdef AIOT_NATIVE_HAVE_SHANI
    if (out->sha_ni)
        c.impl = &aiot_sha256_shani;
#endif
    memcpy(c.ha, aiot_sha256_iv, sizeof c.ha);
    memcpy(c.hb, aiot_sha256_iv, sizeof c.hb);
    bench_fill(&seed, c.blocks_a, sizeof c.blocks_a);
    bench_fill(&seed, c.blocks_b, sizeof c.blocks_b);
    out->sha256_block_1way_ns = bench_measure(run_1way, &c, 16, target_ms, reps);
    out->sha256_block_2way_ns = bench_measure(run_2way, &c, 32, target_ms, reps);

    static kernel_arg k;
    k.impl = NULL;
    out->hmac_kernel = "none";
#ifdef AIOT_NATIVE_HAVE_SHANI
    if (aiot_sha256_shani_vl_usable())
        k.impl = &aiot_sha256_shani_vl;
    else if (out->sha_ni)
        k.impl = &aiot_sha256_shani;
#endif
    out->hmac_kernel_ns = -1;
    if (k.impl && (k.impl->hmac3 || k.impl->hmac2)) {
        out->hmac_kernel = k.impl->hmac3 ? "shani-vl hmac3 (3 streams)" : "shani hmac2 (2 streams)";
        bench_fill(&seed, (uint8_t *)k.keys, sizeof k.keys);
        bench_fill(&seed, k.msgs, sizeof k.msgs);
        for (size_t j = 0; j < KERNEL_N; j++)
            k.kp[j] = k.keys[j];
        /* keep/pad as the native batch forms them for a 37-octet message after a 64-octet key block. */
        memset(k.keep, 0, sizeof k.keep);
        memset(k.keep, 0xFF, 37);
        memset(k.pad, 0, sizeof k.pad);
        k.pad[37] = 0x80;
        k.pad[62] = (uint8_t)(((64 + 37) * 8) >> 8);
        k.pad[63] = (uint8_t)((64 + 37) * 8);
        out->hmac_kernel_ns = bench_measure(run_kernel, &k, KERNEL_N, target_ms, reps);
        if (k.impl->kdf3) {
            for (size_t j = 0; j < KERNEL_N; j++) {
                k.p0[j] = k.msgs + 37 * j + 1;
                k.p1[j] = k.msgs + 37 * j + 19;
            }
            double kdf = bench_measure(run_kernel_kdf, &k, KERNEL_N, target_ms, reps);
            if (kdf > 0 && kdf < out->hmac_kernel_ns) {
                out->hmac_kernel_ns = kdf;
                out->hmac_kernel = "shani-vl kdf3 (3 streams, blocks formed from the RANDs)";
            }
        }
    }
    return 0;
}
