/**
 * @file kdf.h
 * @brief The TS 33.220 Annex B.2 generic key derivation function.
 *
 *     S = FC || P0 || L0 || P1 || L1 || ... || Pn || Ln
 *     derived key = HMAC-SHA-256(Key, S)
 *
 * Li is the length of Pi as two octets, big-endian; empty parameters are
 * legal. The KDF streams S into the backend and never allocates.
 * @ingroup derive
 */
#ifndef AIOTSEC_KDF_H
#define AIOTSEC_KDF_H

/** @addtogroup derive
 * @{ */

#include <stddef.h>
#include <stdint.h>

#include "aiotsec/context.h"
#include "aiotsec/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Output size of the KDF in octets (256 bits). */
#define AIOTSEC_KDF_OUT_LEN 32u
/** @brief Largest KDF parameter, in octets (its length must fit two octets). */
#define AIOTSEC_KDF_PARAM_MAX 65535u

/** @brief One KDF input parameter Pi. */
typedef struct aiotsec_kdf_param {
    const uint8_t *data; /**< The octets; may be NULL when @c len is 0. */
    size_t len;          /**< Length in octets, 0 .. ::AIOTSEC_KDF_PARAM_MAX. */
} aiotsec_kdf_param;

/**
 * @brief Runs the generic KDF and keeps the @p out_len least significant octets.
 * @param ctx The context.
 * @param key The key (may be NULL when @p key_len is 0).
 * @param key_len Key length (any; typically 16 or 32).
 * @param fc FC: 0x00..0xFE (one octet) or 0xFF00..0xFFFF (0xFF || FC2).
 * @param params Parameters P0..Pn (may be NULL when @p n_params is 0).
 * @param n_params Number of parameters (any).
 * @param[out] out Receives the last @p out_len octets of the 32-octet output.
 * @param out_len 1 .. 32 (32 for the full output).
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_BAD_VALUE (FC),
 *         ::AIOTSEC_E_BAD_LENGTH (a parameter over 65535 octets, @p out_len
 *         outside 1..32) or ::AIOTSEC_E_BACKEND_FAILURE.
 */
AIOTSEC_API int aiotsec_kdf(const aiotsec_ctx *ctx, const uint8_t *key, size_t key_len,
                            uint16_t fc, const aiotsec_kdf_param *params, size_t n_params,
                            uint8_t *out, size_t out_len);

/**
 * @brief Output length of the KDF and of HMAC-SHA-256, in octets (for bindings).
 * @return ::AIOTSEC_KDF_OUT_LEN (32).
 */
AIOTSEC_API size_t aiotsec_kdf_out_bytes(void);

/**
 * @brief Size of ::aiotsec_kdf_param (for bindings).
 * @return sizeof(aiotsec_kdf_param).
 */
AIOTSEC_API size_t aiotsec_kdf_param_structbytes(void);

#ifdef __cplusplus
}
#endif

/** @} */

#endif /* AIOTSEC_KDF_H */
