/* The `native` backend: our own SHA-256 / HMAC-SHA-256 (FIPS 180-4, RFC 2104)
 * with a portable C path and, on x86-64 CPUs with the SHA extensions, an
 * interleaved SHA-NI path chosen at run time. Internal header (not installed). */
#ifndef AIOT_NATIVE_H
#define AIOT_NATIVE_H

#include <stddef.h>
#include <stdint.h>

#include "aiotsec/backend.h"
#include "aiotsec/batch.h"
#include "portable/portable_internal.h" /* aiot_sha256_iv, aiot_sha256_k */

/* Looks up "native" (the best path for this CPU, or the one AIOTSEC_NATIVE_PATH
 * names), "native-portable", "native-shani", "native-shani-vl" or "native-avx2". AIOTSEC_OK, AIOTSEC_E_NULL_ARG,
 * AIOTSEC_E_UNSUPPORTED (a path this CPU or build lacks) or AIOTSEC_E_UNKNOWN_BACKEND. */
int aiot_native_find(const char *name, const aiotsec_backend **out);
/* Number of native names usable on this CPU ("native" first), and the i-th. */
size_t aiot_native_count(void);
const char *aiot_native_name_at(size_t i);
/* The SHA-256 path plain "native" resolved to on this CPU: "portable", "shani", "shani-vl" or "avx2". */
const char *aiot_native_active_path(void);
/* The native extension (core/backend_ext.h) when `be` holds the native backend's
 * operations, else NULL. */
struct aiot_backend_ext;
const struct aiot_backend_ext *aiot_native_ext_of(const aiotsec_backend *be);

/* One SHA-256 implementation: compress nblocks 64-octet blocks into h, and
 * nblocks blocks into each of two independent states (interleaved where the
 * hardware gains from it). */
typedef struct aiot_sha256_impl {
    const char *name;
    void (*compress)(uint32_t h[8], const uint8_t *blocks, size_t nblocks);
    void (*compress2)(uint32_t ha[8], const uint8_t *ba, uint32_t hb[8], const uint8_t *bb,
                      size_t nblocks);
    /* Optional (NULL: built from compress2). Two HMACs of one-block messages
     * (<= 55 octets after the 64-octet key block): in/out are the inner/outer
     * midstates; 64 octets are read at msg, and_ed with keep (0xFF over the
     * message, 0 after) and or_ed with pad (0x80, zeros, bit length) to form
     * the inner block; mac receives the 32-octet results. */
    void (*hmac2)(const uint32_t ina[8], const uint32_t outa[8], const uint8_t *msga,
                  const uint32_t inb[8], const uint32_t outb[8], const uint8_t *msgb,
                  const uint8_t keep[64], const uint8_t pad[64], uint8_t maca[32], uint8_t macb[32]);
    /* Optional: the same for eight messages at once (lanes of a wide register). */
    void (*hmac8)(const uint32_t *const in[8], const uint32_t *const out[8], const uint8_t *const msg[8],
                  const uint8_t keep[64], const uint8_t pad[64], uint8_t *const mac[8]);
    /* Optional: finishes one HMAC whose last inner block blk is already padded
     * (0x80, zeros, total bit length): the inner compression from in, then the
     * outer one from out, fused; mac receives the 32-octet result. */
    void (*hmac1)(const uint32_t in[8], const uint32_t out[8], const uint8_t blk[64], uint8_t mac[32]);
    /* Optional: count HMACs of one-block messages, three at a time (the last one or
     * two on fewer streams). key[i] points to 16 host-order words (the inner
     * midstate, then the outer one: a compact prepared key, or the start of a
     * state); message i is the msg_len octets at msgs + i * msg_len, and 64 octets
     * must be readable there (and_ed with keep, or_ed with pad, as for hmac2); its
     * MAC goes to macs + 32 * i. */
    void (*hmac3)(const void *const *key, const uint8_t *msgs, size_t msg_len, size_t count,
                  const uint8_t keep[64], const uint8_t pad[64], uint8_t *macs);
    /* Optional: count MACs of the KDF string S = FC || P0 || 0x00 0x10 || P1 || 0x00 0x10
     * (a one-octet FC, two 16-octet parameters: 37 octets), key[i] as for hmac3,
     * P0 and P1 of item i the 16 octets at p0[i] and p1[i] (nothing else is read
     * there); the blocks are formed in registers, three streams at a time. With
     * half set, only each MAC's 16 least significant octets are written, to
     * out + 16 * i; else the whole MAC, to out + 32 * i. */
    void (*kdf3)(const void *const *key, uint8_t fc, const uint8_t *const *p0, const uint8_t *const *p1,
                 size_t count, int half, uint8_t *out);
    /* Optional: the same for batch items read in place, with RES compared (see
     * aiot_backend_ext.verify_items: diffs[i] is 0 exactly on a match). */
    void (*kdf3_items)(const aiotsec_batch_item *items, size_t count, size_t compact_off, uint8_t fc,
                       uint64_t *diffs);
} aiot_sha256_impl;


/* Paths. aiot_sha256_shani_usable() is 1 when this build has the SHA-NI code and
 * the CPU supports it (CPUID: SHA, SSSE3, SSE4.1). These probes run CPUID each
 * time (slow in a VM): the backend calls them once, under its pthread_once. */
extern const aiot_sha256_impl aiot_sha256_portable;
#if defined(__x86_64__)
#define AIOT_NATIVE_HAVE_SHANI 1
#define AIOT_NATIVE_HAVE_AVX2 1
extern const aiot_sha256_impl aiot_sha256_shani;
extern const aiot_sha256_impl aiot_sha256_avx2;
/* SHA-NI with three-stream HMAC batches, compiled for AVX-512VL (32 vector registers). */
extern const aiot_sha256_impl aiot_sha256_shani_vl;
#endif
int aiot_sha256_shani_usable(void);
/* 1 when the CPU has AVX-512F and AVX-512VL and the OS saves their state (XCR0:
 * SSE, AVX, opmask, ZMM_Hi256, Hi16_ZMM); shani_vl: that and the SHA-NI path. */
int aiot_sha256_avx512vl_usable(void);
int aiot_sha256_shani_vl_usable(void);
/* 1 when this build has the AVX2 code and the CPU and OS support AVX2. */
int aiot_sha256_avx2_usable(void);

/* Plain SHA-256 of a message with the given implementation (used for keys > 64 octets). */
void aiot_sha256(const aiot_sha256_impl *impl, const uint8_t *msg, size_t len, uint8_t out[32]);

#endif
