/**
 * @file backend.h
 * @brief The crypto backend interface: a table of function pointers.
 *
 * libaiotsec never calls a crypto library directly; it calls the backend of
 * its context. Three backends are built in and found by name ("sodium", the
 * default; "openssl" when OpenSSL >= 3.0.3 was found at build time; "native").
 * An application can fill in an ::aiotsec_backend of its own (an HSM, say)
 * and pass it to aiotsec_ctx_new_custom().
 *
 * State is always caller-provided: the library keeps HMAC and AES states in
 * its own stack or handle storage of ::AIOTSEC_BACKEND_STATE_MAX octets,
 * aligned to 16, so the hot paths never allocate. A backend whose states do
 * not fit is refused with ::AIOTSEC_E_BAD_BACKEND.
 *
 * Every operation returns 0 on success or a negative ::aiotsec_status.
 * An optional operation that is NULL makes the library return
 * ::AIOTSEC_E_UNSUPPORTED for everything that needs it.
 * @ingroup context
 */
#ifndef AIOTSEC_BACKEND_H
#define AIOTSEC_BACKEND_H

/** @addtogroup context
 * @{ */

#include <stddef.h>
#include <stdint.h>

#include "aiotsec/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Version of the ::aiotsec_backend layout this header describes. */
#define AIOTSEC_BACKEND_ABI_VERSION 1u

/**
 * @brief Largest HMAC or AES state, in octets, a backend may declare.
 *
 * 512 in a host build. The device-only build defines it (for itself and for
 * the code that links it) to what its portable backend needs, 144 (176 with
 * AES), because the device keeps backend states in its own storage and on the
 * stack: a larger custom backend there needs a larger value at build time.
 */
#ifndef AIOTSEC_BACKEND_STATE_MAX
#define AIOTSEC_BACKEND_STATE_MAX 512u
#endif

/** @brief Capability bit: HMAC-SHA-256 (always set; required). */
#define AIOTSEC_CAP_HMAC_SHA256 0x01u
/** @brief Capability bit: random bytes from a CSPRNG. */
#define AIOTSEC_CAP_RANDOM 0x02u
/** @brief Capability bit: AES-128 block encryption (needed by 128-NIA2 / 128-NEA2). */
#define AIOTSEC_CAP_AES128 0x04u
/** @brief Capability bit: a native batch of prepared-key HMACs (a fast path, not a requirement). */
#define AIOTSEC_CAP_HMAC_BATCH 0x08u
/** @brief Capability bit: compact prepared keys (see aiotsec_backend::hmac_compact_size). */
#define AIOTSEC_CAP_HMAC_COMPACT 0x10u

/**
 * @brief A crypto backend: name, state sizes and operations.
 *
 * Fill it in with `struct_size = sizeof(aiotsec_backend)` and
 * `abi_version = AIOTSEC_BACKEND_ABI_VERSION`. Operations receive @c user
 * unchanged. A backend must be safe to call from many threads at once with
 * distinct states.
 */
typedef struct aiotsec_backend {
    uint32_t struct_size;     /**< sizeof(aiotsec_backend) as the backend was compiled. */
    uint32_t abi_version;     /**< ::AIOTSEC_BACKEND_ABI_VERSION. */
    const char *name;         /**< Short name, e.g. "sodium". */
    void *user;               /**< Passed back to every operation. */

    /** Octets of state the HMAC operations need (<= ::AIOTSEC_BACKEND_STATE_MAX). */
    uint32_t hmac_state_size;
    /** Octets of state the AES operations need (<= ::AIOTSEC_BACKEND_STATE_MAX; 0 without AES). */
    uint32_t aes_state_size;

    /** Required. Starts HMAC-SHA-256 with @p key (any length) in @p state. */
    int (*hmac_init)(void *user, void *state, const uint8_t *key, size_t key_len);
    /** Required. Absorbs @p len octets (@p data may be NULL when @p len is 0). */
    int (*hmac_update)(void *user, void *state, const uint8_t *data, size_t len);
    /** Required. Writes the 32-octet MAC and releases and wipes the state. */
    int (*hmac_final)(void *user, void *state, uint8_t mac[32]);
    /**
     * Optional. Makes @p dst an independent copy of the initialised state
     * @p src (used to derive from a prepared key). NULL means a plain memory
     * copy of hmac_state_size octets is a valid copy.
     */
    int (*hmac_copy)(void *user, void *dst, const void *src);
    /** Optional. Releases and wipes a state that will not be finalised. NULL: the library wipes it. */
    void (*hmac_release)(void *user, void *state);
    /** Optional. One-shot HMAC-SHA-256; NULL: init/update/final are used. */
    int (*hmac_oneshot)(void *user, const uint8_t *key, size_t key_len,
                        const uint8_t *msg, size_t msg_len, uint8_t mac[32]);
    /**
     * Optional fast path. For i in [0, n): macs[32*i .. 32*i+31] =
     * HMAC(prepared[i], msgs[msg_len*i .. msg_len*i + msg_len - 1]), where
     * each prepared[i] is a state right after hmac_init (left unchanged).
     */
    int (*hmac_batch_prepared)(void *user, const void *const *prepared,
                               const uint8_t *msgs, size_t msg_len, size_t n,
                               uint8_t *macs);

    /** Optional. Fills @p out with @p len octets from a CSPRNG. */
    int (*random_bytes)(void *user, uint8_t *out, size_t len);

    /** Optional (with aes128_encrypt). Expands a 16-octet AES-128 key into @p state. */
    int (*aes128_init)(void *user, void *state, const uint8_t key[16]);
    /** Optional. Encrypts one 16-octet block; @p in and @p out may alias. */
    int (*aes128_encrypt)(void *user, const void *state, const uint8_t in[16], uint8_t out[16]);
    /** Optional. Releases and wipes an AES state. NULL: the library wipes it. */
    void (*aes128_release)(void *user, void *state);

    /* Added in 0.3 (a table with a smaller struct_size has none of them). */

    /**
     * Octets of a prepared key's compact form (at most ::AIOTSEC_COMPACT_MAX), or 0 when
     * the backend has none. The compact form is the least a batch needs (for HMAC-SHA-256,
     * the inner and outer midstates: 64 octets, one cache line): key stores keep millions
     * of them side by side instead of whole states.
     */
    uint32_t hmac_compact_size;
    /**
     * Optional (with hmac_batch_compact and hmac_compact_size). Writes the compact form
     * of @p state, a state right after hmac_init (left unchanged), to @p compact.
     */
    int (*hmac_compact)(void *user, void *compact, const void *state);
    /**
     * Optional. As hmac_batch_prepared, where each compact[i] points to
     * hmac_compact_size octets written by hmac_compact (any alignment of 8 or more).
     * Every msg_len must work, including more than one block.
     */
    int (*hmac_batch_compact)(void *user, const void *const *compact,
                              const uint8_t *msgs, size_t msg_len, size_t n,
                              uint8_t *macs);
} aiotsec_backend;

/** @brief Largest compact form of a prepared key, in octets (see aiotsec_backend::hmac_compact_size). */
#define AIOTSEC_COMPACT_MAX 64u

/**
 * @brief The built-in backend of that name.
 * @param name "sodium", "openssl" or "native"; NULL or "" means the default ("sodium").
 * @param[out] out Receives a pointer to a static, read-only table.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, or ::AIOTSEC_E_UNKNOWN_BACKEND
 *         (also for "openssl" when the library was built without it).
 */
AIOTSEC_API int aiotsec_backend_find(const char *name, const aiotsec_backend **out);

/**
 * @brief Number of built-in backends in this build.
 * @return At least 1.
 */
AIOTSEC_API size_t aiotsec_backend_count(void);

/**
 * @brief Name of the i-th built-in backend.
 * @param index 0 .. aiotsec_backend_count() - 1.
 * @return A static string, or NULL when @p index is out of range.
 */
AIOTSEC_API const char *aiotsec_backend_name_at(size_t index);

/**
 * @brief Capabilities of a backend table: a mask of AIOTSEC_CAP_* bits,
 *        derived from which operations it provides.
 * @param backend A backend table, or NULL.
 * @return The mask; 0 for NULL or a table that fails validation.
 */
AIOTSEC_API uint32_t aiotsec_backend_caps(const aiotsec_backend *backend);

/**
 * @brief Size of ::aiotsec_backend in this library build (for bindings).
 * @return sizeof(aiotsec_backend).
 */
AIOTSEC_API size_t aiotsec_backend_structbytes(void);

#ifdef __cplusplus
}
#endif

/** @} */

#endif /* AIOTSEC_BACKEND_H */
