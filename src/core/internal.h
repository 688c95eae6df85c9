/* Internal interface of libaiotsec: the context and profile layouts and the
 * backend call wrappers every area uses. Not installed. Internal functions
 * carry the prefix aiot_ (never aiotsec_, which is reserved for the export list). */
#ifndef AIOTSEC_INTERNAL_H
#define AIOTSEC_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "aiotsec/aiotsec.h"

/* A profile: the validated parameters. Profile 0 is a static instance. */
struct aiotsec_profile {
    aiotsec_profile_params p;
    int is_static; /* 1 for the built-in profile 0: aiotsec_profile_free() ignores it */
};

/* A context: a private copy of the backend table and of the profile; immutable. */
struct aiotsec_ctx {
    aiotsec_backend be;
    struct aiotsec_profile profile;
    uint32_t caps;
    uint32_t on_heap; /* made by aiotsec_ctx_new*(): aiotsec_ctx_free() ignores the others */
};

/* Caller-provided storage for one backend state (HMAC or AES), on the stack
 * or inside a handle: the reason the hot paths never allocate. */
typedef struct aiot_state {
    _Alignas(16) unsigned char b[AIOTSEC_BACKEND_STATE_MAX];
} aiot_state;

/* A prepared K_AIOT_root: the backend's HMAC state right after hmac_init, and
 * the backend's compact form of it when it has one, in one 64-aligned allocation
 * after the handle: the compact form first (compact points there: a batch finds
 * handle and compact form in two adjacent cache lines), then the state.
 *
 * A key store that keeps only compact forms (memstore: one 64-octet line per
 * device) hands out *views*: state_size 0, compact pointing into the store. A
 * view lives on the stack of whoever made it, for one call, and is never freed. */
struct aiotsec_prepared_key {
    const aiotsec_ctx *ctx;
    const unsigned char *compact; /* the backend's compact form, or NULL when it has none */
    size_t state_size;            /* 0: a view (compact only) */
    unsigned char *state;         /* the whole state, in the same allocation (16-aligned) */
};

/* The one-bit verdict of a constant-time comparison, its one exit: a function of
 * its own (ct.c) so that the constant-time check can declassify exactly that bit
 * (tests/hardening, -Wl,--wrap=aiot_ct_verdict). */
int aiot_ct_verdict(int eq);

/* The verdicts of up to 64 comparisons at once, bit j for comparison j (ct.c): the
 * batch loops' one exit per chunk, declassified as a whole by the same check. */
uint64_t aiot_ct_verdicts(uint64_t bits);

/* 1 when the accumulated difference acc is 0, else 0, still secret. The empty asm
 * makes acc opaque, so the reduction cannot become a compare and branch. */
static inline uint64_t aiot_ct_zero_bit(uint64_t acc)
{
    __asm__ __volatile__("" : "+r"(acc));
    /* Fold to 32 bits; then (d - 1) >> 63 is 1 exactly when d == 0 (d < 2^32). */
    uint64_t d = (acc | (acc >> 32)) & 0xFFFFFFFFu;
    return (d - 1u) >> 63;
}

/* 1 when the len octets at a and b are equal, 0 otherwise, still secret: every
 * difference accumulated, eight octets at a time (memcpy: any alignment), then the
 * tail: no early exit, no branch on the data, only on the length. */
static inline uint64_t aiot_ct_eq_bit(const uint8_t *a, const uint8_t *b, size_t len)
{
    uint64_t acc = 0;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t x, y;
        __builtin_memcpy(&x, a + i, 8);
        __builtin_memcpy(&y, b + i, 8);
        acc |= x ^ y;
    }
    for (; i < len; i++)
        acc |= (uint64_t)(a[i] ^ b[i]);
    return aiot_ct_zero_bit(acc);
}

/* aiotsec_ct_equal() for the library's own hot loops, the loop inlined (an exported
 * function is called through the PLT even from inside the library). */
static inline int aiot_ct_eq(const uint8_t *a, const uint8_t *b, size_t len)
{
    return aiot_ct_verdict((int)aiot_ct_eq_bit(a, b, len));
}

/* 1 when ctx's backend has compact prepared keys (all three operations). */
static inline int aiot_has_compact(const aiotsec_ctx *ctx)
{
    return ctx->be.hmac_compact_size != 0 && ctx->be.hmac_batch_compact != NULL;
}
/* A view of a compact form made by ctx's backend. */
static inline struct aiotsec_prepared_key aiot_prepared_view(const aiotsec_ctx *ctx, const void *compact)
{
    struct aiotsec_prepared_key v = {ctx, (const unsigned char *)compact, 0, NULL};
    return v;
}
/* The compact form of K_AIOT_root (ctx's backend must have compact keys). */
int aiot_compact_from_key(const aiotsec_ctx *ctx, const uint8_t *k_root, size_t k_root_len, void *compact);
/* HMAC(prepared key, msg) for a full key or a view. */
int aiot_prepared_hmac(const aiotsec_prepared_key *key, const uint8_t *msg, size_t msg_len, uint8_t mac[32]);
/* Maps a backend's return value to a status: its own negative status when it
 * is one of ours (the base families), else AIOTSEC_E_BACKEND_FAILURE. */
int aiot_map_backend(int rc);

/* Profile 0, the one place provisional values are written down (profile0.c). */
extern const struct aiotsec_profile aiot_profile0;

/* Returns AIOTSEC_OK if every value is within the spec's ranges, else AIOTSEC_E_BAD_PROFILE. */
int aiot_profile_check(const aiotsec_profile_params *p);
/* 1 if fc is a valid FC encoding (0x00..0xFE or 0xFF00..0xFFFF). */
int aiot_fc_valid(uint16_t fc);
/* Validates a user backend table; AIOTSEC_OK or AIOTSEC_E_BAD_BACKEND. */
int aiot_backend_check(const aiotsec_backend *be);

/* HMAC-SHA-256 through ctx's backend, state in caller storage. aiot_hmac_final
 * and aiot_hmac_release leave the state wiped. */
int aiot_hmac_init(const aiotsec_ctx *ctx, aiot_state *st, const uint8_t *key, size_t key_len);
int aiot_hmac_update(const aiotsec_ctx *ctx, aiot_state *st, const uint8_t *data, size_t len);
int aiot_hmac_final(const aiotsec_ctx *ctx, aiot_state *st, uint8_t mac[32]);
/* dst becomes an independent copy of the initialised state src (src_size octets). */
int aiot_hmac_copy_from(const aiotsec_ctx *ctx, aiot_state *dst, const void *src);
void aiot_hmac_release(const aiotsec_ctx *ctx, aiot_state *st);
/* Absorbs msg into an initialised state and finalises it; the state is left
 * released and wiped whatever happens. */
int aiot_hmac_update_final(const aiotsec_ctx *ctx, aiot_state *st, const uint8_t *msg, size_t msg_len,
                           uint8_t mac[32]);
/* One-shot HMAC-SHA-256. */
int aiot_hmac(const aiotsec_ctx *ctx, const uint8_t *key, size_t key_len,
              const uint8_t *msg, size_t msg_len, uint8_t mac[32]);

/* AES-128 through ctx's backend: AIOTSEC_E_UNSUPPORTED when it has none. */
int aiot_aes_init(const aiotsec_ctx *ctx, aiot_state *st, const uint8_t key[16]);
int aiot_aes_encrypt(const aiotsec_ctx *ctx, const aiot_state *st, const uint8_t in[16], uint8_t out[16]);
void aiot_aes_release(const aiotsec_ctx *ctx, aiot_state *st);

/* Largest KDF string S of A.2/A.3: a two-octet FC, two RANDs and their lengths. */
#define AIOT_S_RAND_MAX (2u + AIOTSEC_RAND_LEN + 2u + AIOTSEC_RAND_LEN + 2u)

/* Feeds FC (1 or 2 octets) into an HMAC state: the start of the KDF string S. */
int aiot_kdf_put_fc(const aiotsec_ctx *ctx, aiot_state *st, uint16_t fc);
/* Feeds Pi || Li into an HMAC state. */
int aiot_kdf_put_param(const aiotsec_ctx *ctx, aiot_state *st, const uint8_t *p, size_t len);
/* Builds S = FC || RAND_n || L || RAND_d || L for the A.2/A.3 derivations into out
 * (capacity cap) and returns its length, or 0 if it does not fit. */
size_t aiot_kdf_build_s_rand(uint16_t fc, const uint8_t *rand_n, size_t rand_n_len,
                             const uint8_t *rand_d, size_t rand_d_len, uint8_t *out, size_t cap);

/* Built-in backends (backends/<name>/). */
extern const aiotsec_backend aiot_backend_sodium;
#ifdef AIOTSEC_HAVE_OPENSSL
extern const aiotsec_backend aiot_backend_openssl;
#endif
#ifdef AIOTSEC_HAVE_NATIVE
extern const aiotsec_backend aiot_backend_native;
#endif

#endif
