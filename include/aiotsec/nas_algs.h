/**
 * @file nas_algs.h
 * @brief The AIOT NAS integrity and ciphering algorithms, exposed for vector
 *        tests and bindings: AES-128-CMAC (RFC 4493), 128-NIA2 and 128-NEA2
 *        (TS 33.401 B.2.3 and B.1.3, with bit-length inputs) and AIA-HS.
 *
 * CMAC and CTR are built on the backend's single AES-128 block operation, so
 * every backend with AES runs them; a backend without AES (sodium) makes the
 * AES-based functions return ::AIOTSEC_E_UNSUPPORTED. AIA-HS needs only
 * HMAC-SHA-256 and runs on every backend.
 *
 * COUNT is a 32-bit value, BEARER 5 bits, DIRECTION 1 bit (1 = R2D).
 * @ingroup nas_algs
 */
#ifndef AIOTSEC_NAS_ALGS_H
#define AIOTSEC_NAS_ALGS_H

/** @addtogroup nas_algs
 * @{ */

#include <stddef.h>
#include <stdint.h>

#include "aiotsec/context.h"
#include "aiotsec/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief AES-128 key length in octets (128-NIA2, 128-NEA2, AES-CMAC). */
#define AIOTSEC_AES128_KEY_LEN 16u
/** @brief AES-CMAC tag length in octets. */
#define AIOTSEC_CMAC_LEN 16u
/** @brief AIA-HS key length in octets. */
#define AIOTSEC_AIA_HS_KEY_LEN 32u

/**
 * @brief Length of an AES-CMAC tag in octets (for bindings).
 * @return ::AIOTSEC_CMAC_LEN (16).
 */
AIOTSEC_API size_t aiotsec_alg_cmac_bytes(void);

/**
 * @brief AES-128-CMAC (RFC 4493) of an octet string.
 * @param ctx The context (its backend does the AES).
 * @param key The key.
 * @param key_len 16.
 * @param msg The message (may be NULL when @p msg_len is 0).
 * @param msg_len Its length in octets (at most SIZE_MAX / 16: ::AIOTSEC_E_BAD_LENGTH beyond).
 * @param[out] mac Receives the 16-octet tag.
 * @param mac_cap Capacity of @p mac, at least 16.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_BAD_LENGTH,
 *         ::AIOTSEC_E_BUFFER_TOO_SMALL, ::AIOTSEC_E_UNSUPPORTED or ::AIOTSEC_E_BACKEND_FAILURE.
 */
AIOTSEC_API int aiotsec_alg_aes_cmac(const aiotsec_ctx *ctx, const uint8_t *key, size_t key_len,
                                 const uint8_t *msg, size_t msg_len, uint8_t *mac, size_t mac_cap);

/**
 * @brief 128-NIA2: the 32 most significant bits of AES-CMAC over
 *        COUNT || BEARER || DIRECTION || 0^26 || MESSAGE (LENGTH bits).
 * @param ctx The context.
 * @param key The key.
 * @param key_len 16.
 * @param count COUNT.
 * @param bearer BEARER, 0..31.
 * @param direction DIRECTION, 0 or 1.
 * @param msg The message: ceil(@p len_bits / 8) octets; bits past LENGTH are ignored.
 * @param len_bits LENGTH in bits, a 32-bit value (TS 33.401): ::AIOTSEC_E_BAD_LENGTH above 2^32 - 1.
 * @param[out] mac Receives the 4-octet MAC.
 * @param mac_cap Capacity of @p mac, at least 4.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_BAD_LENGTH,
 *         ::AIOTSEC_E_BAD_VALUE (bearer or direction), ::AIOTSEC_E_BUFFER_TOO_SMALL,
 *         ::AIOTSEC_E_UNSUPPORTED or ::AIOTSEC_E_BACKEND_FAILURE.
 */
AIOTSEC_API int aiotsec_alg_nia2(const aiotsec_ctx *ctx, const uint8_t *key, size_t key_len,
                             uint32_t count, unsigned bearer, unsigned direction,
                             const uint8_t *msg, size_t len_bits, uint8_t *mac, size_t mac_cap);

/**
 * @brief 128-NEA2: AES-128 in counter mode from the block
 *        COUNT || BEARER || DIRECTION || 0^26 || 0^64, over LENGTH bits.
 *        Encryption and decryption are the same operation.
 * @param ctx The context.
 * @param key The key.
 * @param key_len 16.
 * @param count COUNT.
 * @param bearer BEARER, 0..31.
 * @param direction DIRECTION, 0 or 1.
 * @param in Input of ceil(@p len_bits / 8) octets.
 * @param len_bits LENGTH in bits, a 32-bit value (TS 33.401): ::AIOTSEC_E_BAD_LENGTH above 2^32 - 1.
 * @param[out] out Receives ceil(@p len_bits / 8) octets, bits past LENGTH set to 0;
 *             may equal @p in.
 * @param out_cap Capacity of @p out.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_BAD_LENGTH,
 *         ::AIOTSEC_E_BAD_VALUE, ::AIOTSEC_E_BUFFER_TOO_SMALL,
 *         ::AIOTSEC_E_UNSUPPORTED or ::AIOTSEC_E_BACKEND_FAILURE.
 */
AIOTSEC_API int aiotsec_alg_nea2(const aiotsec_ctx *ctx, const uint8_t *key, size_t key_len,
                             uint32_t count, unsigned bearer, unsigned direction,
                             const uint8_t *in, size_t len_bits, uint8_t *out, size_t out_cap);

/**
 * @brief AIA-HS: the first 4 octets of HMAC-SHA-256(K, HDR || MESSAGE), where
 *        HDR = COUNT || (BEARER << 3 | DIRECTION << 2) || 0x00 0x00 0x00.
 * @param ctx The context.
 * @param key The key.
 * @param key_len 32.
 * @param count COUNT.
 * @param bearer BEARER, 0..31.
 * @param direction DIRECTION, 0 or 1.
 * @param msg The message (may be NULL when @p msg_len is 0).
 * @param msg_len Its length in octets.
 * @param[out] mac Receives the 4-octet MAC.
 * @param mac_cap Capacity of @p mac, at least 4.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_BAD_LENGTH,
 *         ::AIOTSEC_E_BAD_VALUE, ::AIOTSEC_E_BUFFER_TOO_SMALL or ::AIOTSEC_E_BACKEND_FAILURE.
 */
AIOTSEC_API int aiotsec_alg_aia_hs(const aiotsec_ctx *ctx, const uint8_t *key, size_t key_len,
                               uint32_t count, unsigned bearer, unsigned direction,
                               const uint8_t *msg, size_t msg_len, uint8_t *mac, size_t mac_cap);

#ifdef __cplusplus
}
#endif

/** @} */

#endif /* AIOTSEC_NAS_ALGS_H */
