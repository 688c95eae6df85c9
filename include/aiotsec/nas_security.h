/**
 * @file nas_security.h
 * @brief AIOT NAS security context (spec section 4): protect and
 *        verify-then-decode, with per-direction COUNTs and replay protection.
 *
 * One security context per command procedure, made from a fresh K_AIOTF, the
 * integrity and ciphering algorithm identities and the role. It holds the
 * algorithm keys (wiped when the context is freed or cleared) and two COUNTs,
 * both 0 at creation: the send COUNT (used, then advanced, by every protect)
 * and the highest COUNT accepted so far in the receive direction.
 *
 * The network sends in the R2D direction (DIRECTION = 1) and receives D2R; the
 * device sends D2R (DIRECTION = 0) and receives R2D. A receiver checks COUNT
 * and MAC before it deciphers or decodes anything, and advances its receive
 * COUNT only when both are good. NIA0 and unknown algorithm identities are
 * refused when the context is made.
 *
 * A context is not thread-safe (it has COUNTs); use one per procedure. Two
 * ways to get one: aiotsec_nas_sec_new() allocates; aiotsec_nas_sec_init()
 * uses caller storage of aiotsec_nas_sec_statebytes() octets (for firmware that
 * never allocates).
 * @ingroup nas_security
 */
#ifndef AIOTSEC_NAS_SECURITY_H
#define AIOTSEC_NAS_SECURITY_H

/** @addtogroup nas_security
 * @{ */

#include <stddef.h>
#include <stdint.h>

#include "aiotsec/context.h"
#include "aiotsec/export.h"
#include "aiotsec/nas.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Largest COUNT (OVERFLOW and SQN all ones): 2^24 - 1. */
#define AIOTSEC_NAS_COUNT_MAX 0xFFFFFFu
/** @brief Alignment, in octets, the storage given to aiotsec_nas_sec_init() must have. */
#define AIOTSEC_NAS_SEC_ALIGN 16u
/** @brief Integrity algorithm identity of NIA0 (always rejected). */
#define AIOTSEC_NIA0 0u
/** @brief Integrity algorithm identity of 128-NIA2. */
#define AIOTSEC_NIA2 2u
/** @brief Ciphering algorithm identity of NEA0 (no ciphering). */
#define AIOTSEC_NEA0 0u
/** @brief Ciphering algorithm identity of 128-NEA2. */
#define AIOTSEC_NEA2 2u

/** @brief Which end of the procedure a security context is. */
typedef enum aiotsec_nas_role {
    AIOTSEC_NAS_ROLE_NETWORK = 1, /**< The AIOTF: sends R2D, receives D2R. */
    AIOTSEC_NAS_ROLE_DEVICE = 2   /**< The device: sends D2R, receives R2D. */
} aiotsec_nas_role;

/** @brief A NAS security context (opaque). */
typedef struct aiotsec_nas_sec aiotsec_nas_sec;

/**
 * @brief Octets of storage aiotsec_nas_sec_init() needs.
 * @return The size.
 */
AIOTSEC_API size_t aiotsec_nas_sec_statebytes(void);

/**
 * @brief Makes a security context (allocated). Derives the algorithm keys from
 *        K_AIOTF as spec section 3 says.
 * @param[out] out Receives the context; free it with aiotsec_nas_sec_free().
 * @param ctx The library context (backend and profile); must outlive the security context.
 * @param kaiotf K_AIOTF.
 * @param kaiotf_len ::AIOTSEC_KAIOTF_LEN (16).
 * @param int_alg Integrity algorithm identity: 2 (128-NIA2) or the profile's AIA-HS identity (8).
 * @param enc_alg Ciphering algorithm identity: 0 (NEA0) or 2 (128-NEA2).
 * @param role An ::aiotsec_nas_role.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_BAD_LENGTH,
 *         ::AIOTSEC_E_BAD_VALUE (role), ::AIOTSEC_E_NIA0_REJECTED,
 *         ::AIOTSEC_E_UNKNOWN_ALG, ::AIOTSEC_E_UNSUPPORTED (the backend has no
 *         AES for NIA2/NEA2), ::AIOTSEC_E_NO_MEMORY or ::AIOTSEC_E_BACKEND_FAILURE.
 */
AIOTSEC_API int aiotsec_nas_sec_new(aiotsec_nas_sec **out, const aiotsec_ctx *ctx,
                                    const uint8_t *kaiotf, size_t kaiotf_len,
                                    unsigned int_alg, unsigned enc_alg, aiotsec_nas_role role);

/**
 * @brief Makes a security context in caller storage (no allocation).
 * @param[out] out Receives the context (a pointer into @p mem); end it with aiotsec_nas_sec_clear().
 * @param mem Storage of at least aiotsec_nas_sec_statebytes() octets, aligned to ::AIOTSEC_NAS_SEC_ALIGN.
 * @param mem_len Size of @p mem.
 * @param ctx The library context; must outlive the security context.
 * @param kaiotf K_AIOTF.
 * @param kaiotf_len ::AIOTSEC_KAIOTF_LEN (16).
 * @param int_alg Integrity algorithm identity.
 * @param enc_alg Ciphering algorithm identity.
 * @param role An ::aiotsec_nas_role.
 * @return As aiotsec_nas_sec_new(), plus ::AIOTSEC_E_BUFFER_TOO_SMALL
 *         (@p mem_len) and ::AIOTSEC_E_BAD_VALUE (misaligned @p mem); never ::AIOTSEC_E_NO_MEMORY.
 */
AIOTSEC_API int aiotsec_nas_sec_init(aiotsec_nas_sec **out, void *mem, size_t mem_len,
                                     const aiotsec_ctx *ctx, const uint8_t *kaiotf,
                                     size_t kaiotf_len, unsigned int_alg, unsigned enc_alg, aiotsec_nas_role role);

/**
 * @brief Wipes the keys and frees a context made by aiotsec_nas_sec_new()
 *        (a context made by aiotsec_nas_sec_init() is only wiped). NULL is ignored.
 * @param sec The context.
 */
AIOTSEC_API void aiotsec_nas_sec_free(aiotsec_nas_sec *sec);

/**
 * @brief Wipes a context made by aiotsec_nas_sec_init() (its storage can then be reused).
 *        NULL is ignored.
 * @param sec The context.
 */
AIOTSEC_API void aiotsec_nas_sec_clear(aiotsec_nas_sec *sec);

/**
 * @brief The COUNT the next protect will use.
 * @param sec The context.
 * @param[out] count Receives it (::AIOTSEC_NAS_COUNT_MAX + 1 once exhausted).
 * @return ::AIOTSEC_OK or ::AIOTSEC_E_NULL_ARG.
 */
AIOTSEC_API int aiotsec_nas_sec_tx_count(const aiotsec_nas_sec *sec, uint32_t *count);

/**
 * @brief The highest COUNT accepted in the receive direction.
 * @param sec The context.
 * @param[out] count Receives it (0 when nothing was accepted yet).
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, or ::AIOTSEC_E_BAD_STATE when
 *         nothing has been accepted yet (*count is then 0).
 */
AIOTSEC_API int aiotsec_nas_sec_rx_last_count(const aiotsec_nas_sec *sec, uint32_t *count);

/**
 * @brief Protects an encoded plain message with the send COUNT, then advances it.
 *
 * The plain message is validated first (it must decode and its type must travel
 * in this context's sending direction). Security header type 2 when the
 * context ciphers (enc_alg != 0), else 1.
 * @param sec The context.
 * @param plain The encoded plain message.
 * @param plain_len Its length.
 * @param[out] out Buffer for the protected message (must not overlap @p plain).
 * @param cap Capacity of @p out.
 * @param[out] out_len Receives the protected length (plain_len + 7), also when
 *             the buffer is too small.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_BUFFER_TOO_SMALL,
 *         a decoding status of aiotsec_nas_decode() for @p plain,
 *         ::AIOTSEC_E_NAS_TOO_LONG (the result would exceed the profile's maximum),
 *         ::AIOTSEC_E_WRONG_DIRECTION, ::AIOTSEC_E_COUNT_EXHAUSTED or a backend status.
 */
AIOTSEC_API int aiotsec_nas_protect(aiotsec_nas_sec *sec, const uint8_t *plain, size_t plain_len,
                                    uint8_t *out, size_t cap, size_t *out_len);

/**
 * @brief Encodes @p msg and protects it (aiotsec_nas_encode() then aiotsec_nas_protect()).
 * @param sec The context.
 * @param msg The message.
 * @param[out] out Buffer for the protected message.
 * @param cap Capacity of @p out.
 * @param[out] out_len Receives the protected length, also when the buffer is too small.
 * @return As aiotsec_nas_encode() and aiotsec_nas_protect().
 */
AIOTSEC_API int aiotsec_nas_protect_msg(aiotsec_nas_sec *sec, const aiotsec_nas_msg *msg,
                                        uint8_t *out, size_t cap, size_t *out_len);

/**
 * @brief Verifies a protected message (COUNT, then MAC), then deciphers it.
 *        The receive COUNT advances only on success.
 * @param sec The context.
 * @param in The protected message.
 * @param len Its length.
 * @param[out] plain_out Receives the plain message (may alias nothing in @p in).
 * @param cap Capacity of @p plain_out.
 * @param[out] plain_len Receives the plain length (len - 7), also when the buffer is too small.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_NAS_TOO_LONG,
 *         ::AIOTSEC_E_NAS_TRUNCATED, ::AIOTSEC_E_NAS_BAD_EPD, ::AIOTSEC_E_NAS_SPARE_BITS,
 *         ::AIOTSEC_E_NAS_BAD_SHT (unknown, or not the one this context uses),
 *         ::AIOTSEC_E_NAS_PLAIN_FORBIDDEN, ::AIOTSEC_E_BUFFER_TOO_SMALL,
 *         ::AIOTSEC_E_REPLAY, ::AIOTSEC_E_COUNT_EXHAUSTED, ::AIOTSEC_E_MAC_MISMATCH
 *         or a backend status.
 */
AIOTSEC_API AIOTSEC_WUR int aiotsec_nas_unprotect(aiotsec_nas_sec *sec, const uint8_t *in, size_t len,
                                                  uint8_t *plain_out, size_t cap, size_t *plain_len);

/**
 * @brief Verifies, deciphers and decodes a received message in one call:
 *        aiotsec_nas_unprotect(), then aiotsec_nas_decode(), then a check that the
 *        message type travels in this context's receiving direction.
 * @param sec The context.
 * @param in The protected message.
 * @param len Its length.
 * @param work Buffer for the plain message; @p msg's views point into it.
 * @param work_cap Capacity of @p work (len - 7 is enough).
 * @param[out] msg Receives the decoded message.
 * @return ::AIOTSEC_OK, any status of aiotsec_nas_unprotect() and of
 *         aiotsec_nas_decode(), or ::AIOTSEC_E_WRONG_DIRECTION.
 */
AIOTSEC_API AIOTSEC_WUR int aiotsec_nas_verify_decode(aiotsec_nas_sec *sec, const uint8_t *in,
                                                      size_t len, uint8_t *work, size_t work_cap,
                                                      aiotsec_nas_msg *msg);

#ifdef __cplusplus
}
#endif

/** @} */

#endif /* AIOTSEC_NAS_SECURITY_H */
