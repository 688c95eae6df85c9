/* The two direct-library baselines and the machine's SHA-256 ceiling.
 *
 * Baselines: one HMAC-SHA-256 of the 37-octet S of A.2 (profile 0) under a
 * 32-octet key, straight through libsodium and straight through OpenSSL.
 * Ceiling: compressions in a tight loop (16 blocks per call) with our own
 * SHA-256 code on the best path of this CPU, on one stream (each block waits
 * for the previous: latency) and on two interleaved streams (throughput). */
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
    return 0;
}
