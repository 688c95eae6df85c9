/**
 * @file context.h
 * @brief The library context: a backend plus a profile.
 *
 * A context is immutable once made: every function takes it as `const`, so
 * one context can be shared read-only by any number of threads.
 * @ingroup context
 */
#ifndef AIOTSEC_CONTEXT_H
#define AIOTSEC_CONTEXT_H

/** @addtogroup context
 * @{ */

#include <stddef.h>
#include <stdint.h>

#include "aiotsec/backend.h"
#include "aiotsec/export.h"
#include "aiotsec/profile.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief A library context (opaque). */
typedef struct aiotsec_ctx aiotsec_ctx;

/** @brief Alignment, in octets, of the storage given to aiotsec_ctx_init(). */
#define AIOTSEC_CTX_ALIGN 16u

/**
 * @brief Octets that always hold a context (an upper bound of aiotsec_ctx_statebytes(),
 *        a constant expression, for static storage in firmware).
 */
#define AIOTSEC_CTX_STORAGE_SIZE (sizeof(aiotsec_backend) + sizeof(aiotsec_profile_params) + 16u)

/**
 * @brief Makes a context over a built-in backend.
 * @param[out] out Receives the context; free it with aiotsec_ctx_free().
 * @param backend_name "sodium", "openssl", "native"; NULL or "" for the default.
 * @param profile The profile (copied); NULL for profile 0.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_UNKNOWN_BACKEND,
 *         ::AIOTSEC_E_BACKEND_FAILURE (the backend failed to initialise) or ::AIOTSEC_E_NO_MEMORY.
 */
AIOTSEC_API int aiotsec_ctx_new(aiotsec_ctx **out, const char *backend_name,
                                const aiotsec_profile *profile);

/**
 * @brief Makes a context over a caller-supplied backend table.
 * @param[out] out Receives the context.
 * @param backend The table (copied; @c user and the functions must outlive the context).
 * @param profile The profile (copied); NULL for profile 0.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_BAD_BACKEND (wrong
 *         struct_size or abi_version, a required operation missing, a state
 *         larger than ::AIOTSEC_BACKEND_STATE_MAX) or ::AIOTSEC_E_NO_MEMORY.
 */
AIOTSEC_API int aiotsec_ctx_new_custom(aiotsec_ctx **out, const aiotsec_backend *backend,
                                       const aiotsec_profile *profile);

/**
 * @brief Octets of storage a context needs (at most ::AIOTSEC_CTX_STORAGE_SIZE).
 * @return The size.
 */
AIOTSEC_API size_t aiotsec_ctx_statebytes(void);

/**
 * @brief Makes a context in caller storage: no allocation (the only way to make
 *        a context in the device-only build, where aiotsec_ctx_new() and
 *        aiotsec_ctx_new_custom() do not exist).
 *
 * The context is the same as the one aiotsec_ctx_new_custom() makes: a private
 * copy of @p backend and of the profile, immutable, shareable read-only. It
 * needs no release (it holds no key); aiotsec_ctx_free() ignores it.
 * A profile other than profile 0 is checked once, here; profile 0 (NULL) is
 * data of the library build and is checked by its test suite, not at run time.
 * The device-only build accepts profile 0 only (NULL or aiotsec_profile_default()):
 * anything else is ::AIOTSEC_E_BAD_PROFILE there.
 * @param[out] out Receives the context (a pointer to @p mem).
 * @param mem Storage of aiotsec_ctx_statebytes() octets (or ::AIOTSEC_CTX_STORAGE_SIZE),
 *        aligned to ::AIOTSEC_CTX_ALIGN; it must outlive every user of the context.
 * @param mem_len Size of @p mem.
 * @param backend The table (copied; @c user and the functions must outlive the
 *        context), e.g. aiotsec_backend_portable() (portable.h).
 * @param profile The profile (copied); NULL for profile 0.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_BUFFER_TOO_SMALL,
 *         ::AIOTSEC_E_BAD_VALUE (misaligned storage), ::AIOTSEC_E_BAD_BACKEND or
 *         ::AIOTSEC_E_BAD_PROFILE.
 */
AIOTSEC_API int aiotsec_ctx_init(aiotsec_ctx **out, void *mem, size_t mem_len,
                                 const aiotsec_backend *backend, const aiotsec_profile *profile);

/**
 * @brief Frees a context made by aiotsec_ctx_new() or aiotsec_ctx_new_custom().
 *        NULL and a context made by aiotsec_ctx_init() (caller storage) are ignored.
 * @param ctx The context.
 */
AIOTSEC_API void aiotsec_ctx_free(aiotsec_ctx *ctx);

/**
 * @brief Name of the context's backend.
 * @param ctx The context.
 * @return A string owned by the backend; "" for NULL.
 */
AIOTSEC_API const char *aiotsec_ctx_backend_name(const aiotsec_ctx *ctx);

/**
 * @brief Capabilities of the context's backend (AIOTSEC_CAP_* mask).
 * @param ctx The context.
 * @return The mask; 0 for NULL.
 */
AIOTSEC_API uint32_t aiotsec_ctx_caps(const aiotsec_ctx *ctx);

/**
 * @brief The context's profile.
 * @param ctx The context.
 * @return The profile (owned by the context); NULL for NULL.
 */
AIOTSEC_API const aiotsec_profile *aiotsec_ctx_profile(const aiotsec_ctx *ctx);

/**
 * @brief Fills @p out with @p len octets from the backend's CSPRNG.
 * @param ctx The context.
 * @param[out] out Buffer of @p len octets.
 * @param len 1 .. 65536.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_BAD_LENGTH,
 *         ::AIOTSEC_E_UNSUPPORTED or ::AIOTSEC_E_BACKEND_FAILURE.
 */
AIOTSEC_API int aiotsec_random(const aiotsec_ctx *ctx, uint8_t *out, size_t len);

/**
 * @brief HMAC-SHA-256 through the context's backend.
 * @param ctx The context.
 * @param key Key (may be NULL when @p key_len is 0).
 * @param key_len Key length, any.
 * @param msg Message (may be NULL when @p msg_len is 0).
 * @param msg_len Message length, any.
 * @param[out] mac Receives 32 octets.
 * @param mac_cap Capacity of @p mac; at least 32.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_BUFFER_TOO_SMALL or ::AIOTSEC_E_BACKEND_FAILURE.
 */
AIOTSEC_API int aiotsec_hmac_sha256(const aiotsec_ctx *ctx, const uint8_t *key, size_t key_len,
                                    const uint8_t *msg, size_t msg_len,
                                    uint8_t *mac, size_t mac_cap);

#ifdef __cplusplus
}
#endif

/** @} */

#endif /* AIOTSEC_CONTEXT_H */
