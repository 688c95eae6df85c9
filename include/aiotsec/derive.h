/**
 * @file derive.h
 * @brief RES_AIOT / XRES_AIOT (A.2), K_AIOTF (A.3), algorithm keys, RAND values.
 *
 * Lengths and FC values come from the context's profile. Every output is
 * written to a caller buffer whose capacity is passed explicitly; the exact
 * length is given by the size getters (aiotsec_derive_res_bytes() and friends).
 * @ingroup derive
 */
#ifndef AIOTSEC_DERIVE_H
#define AIOTSEC_DERIVE_H

/** @addtogroup derive
 * @{ */

#include <stddef.h>
#include <stdint.h>

#include "aiotsec/context.h"
#include "aiotsec/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Length of K_AIOTF in octets (TS 29.369 `Kaiotf`: 16). */
#define AIOTSEC_KAIOTF_LEN 16u
/** @brief Length of RAND_AIOT_n and RAND_AIOT_d in octets (TS 29.503 `Rand`: 16). */
#define AIOTSEC_RAND_LEN 16u
/** @brief Largest RES_AIOT, RAND_AIOT_n or RAND_AIOT_d any profile allows (TS 29.503: 16). */
#define AIOTSEC_RAND_RES_MAX 16u
/** @brief Largest algorithm key (AIA-HS) in octets. */
#define AIOTSEC_ALG_KEY_MAX 32u

/** @brief Which algorithm an algorithm key is for. */
typedef enum aiotsec_alg_type {
    AIOTSEC_ALG_ENC = 1, /**< AIOT-NAS-enc-alg (distinguisher from the profile, 0x01 in profile 0). */
    AIOTSEC_ALG_INT = 2  /**< AIOT-NAS-int-alg (distinguisher from the profile, 0x02 in profile 0). */
} aiotsec_alg_type;

/** @brief RES_AIOT length of the context's profile, in octets (0 for NULL). @param ctx The context. @return The length. */
AIOTSEC_API size_t aiotsec_derive_res_bytes(const aiotsec_ctx *ctx);
/** @brief RAND_AIOT_n length of the context's profile (0 for NULL). @param ctx The context. @return The length. */
AIOTSEC_API size_t aiotsec_derive_rand_n_bytes(const aiotsec_ctx *ctx);
/** @brief RAND_AIOT_d length of the context's profile (0 for NULL). @param ctx The context. @return The length. */
AIOTSEC_API size_t aiotsec_derive_rand_d_bytes(const aiotsec_ctx *ctx);
/** @brief K_AIOTF length, 16. @return ::AIOTSEC_KAIOTF_LEN. */
AIOTSEC_API size_t aiotsec_derive_kaiotf_bytes(void);

/**
 * @brief Length of the algorithm key for an algorithm identity.
 * @param ctx The context (its profile names AIA-HS).
 * @param type ::AIOTSEC_ALG_ENC or ::AIOTSEC_ALG_INT.
 * @param alg_id Algorithm identity 0..15.
 * @return 32 for AIA-HS, 16 for every other identity 1..15; 0 for NULL,
 *         a bad type, identity 0 or one above 15.
 */
AIOTSEC_API size_t aiotsec_derive_alg_key_bytes(const aiotsec_ctx *ctx, aiotsec_alg_type type, unsigned alg_id);

/**
 * @brief Generates RAND_AIOT_n (profile length) from the backend's CSPRNG (Nadm_SecRAND_Get).
 * @param ctx The context.
 * @param[out] out Buffer.
 * @param out_cap Its capacity; at least aiotsec_derive_rand_n_bytes().
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_BUFFER_TOO_SMALL,
 *         ::AIOTSEC_E_UNSUPPORTED or ::AIOTSEC_E_BACKEND_FAILURE.
 */
AIOTSEC_API int aiotsec_gen_rand_n(const aiotsec_ctx *ctx, uint8_t *out, size_t out_cap);

/**
 * @brief Generates RAND_AIOT_d (profile length) from the backend's CSPRNG.
 * @param ctx The context.
 * @param[out] out Buffer.
 * @param out_cap Its capacity; at least aiotsec_derive_rand_d_bytes().
 * @return As aiotsec_gen_rand_n().
 */
AIOTSEC_API int aiotsec_gen_rand_d(const aiotsec_ctx *ctx, uint8_t *out, size_t out_cap);

/**
 * @brief RES_AIOT = XRES_AIOT (A.2): the res_len least significant octets of
 *        KDF(K_AIOT_root, FC_res, RAND_AIOT_n, RAND_AIOT_d).
 * @param ctx The context.
 * @param k_root K_AIOT_root.
 * @param k_root_len 16 or 32.
 * @param rand_n RAND_AIOT_n.
 * @param rand_n_len Must equal the profile's RAND_AIOT_n length.
 * @param rand_d RAND_AIOT_d.
 * @param rand_d_len Must equal the profile's RAND_AIOT_d length.
 * @param[out] res Receives aiotsec_derive_res_bytes() octets.
 * @param res_cap Capacity of @p res.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_BAD_LENGTH,
 *         ::AIOTSEC_E_BUFFER_TOO_SMALL or ::AIOTSEC_E_BACKEND_FAILURE.
 */
AIOTSEC_API int aiotsec_derive_res(const aiotsec_ctx *ctx, const uint8_t *k_root, size_t k_root_len,
                                   const uint8_t *rand_n, size_t rand_n_len,
                                   const uint8_t *rand_d, size_t rand_d_len,
                                   uint8_t *res, size_t res_cap);

/**
 * @brief Derives XRES_AIOT and compares it with a received RES_AIOT in constant time.
 * @param ctx The context.
 * @param k_root K_AIOT_root (16 or 32 octets).
 * @param k_root_len Its length.
 * @param rand_n RAND_AIOT_n (profile length).
 * @param rand_n_len Its length.
 * @param rand_d RAND_AIOT_d (profile length).
 * @param rand_d_len Its length.
 * @param res The received RES_AIOT.
 * @param res_len Its length (a length other than the profile's fails with ::AIOTSEC_E_BAD_LENGTH).
 * @return ::AIOTSEC_OK when they match, ::AIOTSEC_E_AUTH_FAILED when not, or
 *         an argument/backend status.
 */
AIOTSEC_API AIOTSEC_WUR int aiotsec_verify_res(const aiotsec_ctx *ctx,
                                               const uint8_t *k_root, size_t k_root_len,
                                               const uint8_t *rand_n, size_t rand_n_len,
                                               const uint8_t *rand_d, size_t rand_d_len,
                                               const uint8_t *res, size_t res_len);

/**
 * @brief K_AIOTF (A.3): 16 octets of KDF(K_AIOT_root, FC_kaiotf, RAND_AIOT_n, RAND_AIOT_d),
 *        the 128 least significant bits in profile 0 (the profile's @c kaiotf_offset).
 * @param ctx The context.
 * @param k_root K_AIOT_root (16 or 32 octets).
 * @param k_root_len Its length.
 * @param rand_n RAND_AIOT_n (profile length).
 * @param rand_n_len Its length.
 * @param rand_d RAND_AIOT_d (profile length).
 * @param rand_d_len Its length.
 * @param[out] kaiotf Receives ::AIOTSEC_KAIOTF_LEN (16) octets.
 * @param kaiotf_cap Capacity of @p kaiotf, at least 16.
 * @return As aiotsec_derive_res().
 */
AIOTSEC_API int aiotsec_derive_kaiotf(const aiotsec_ctx *ctx, const uint8_t *k_root, size_t k_root_len,
                                      const uint8_t *rand_n, size_t rand_n_len,
                                      const uint8_t *rand_d, size_t rand_d_len,
                                      uint8_t *kaiotf, size_t kaiotf_cap);

/**
 * @brief Algorithm key = KDF(K_AIOTF, FC_alg, distinguisher, algorithm identity);
 *        the last 16 octets for a 128-bit algorithm, all 32 for AIA-HS.
 * @param ctx The context.
 * @param kaiotf K_AIOTF.
 * @param kaiotf_len ::AIOTSEC_KAIOTF_LEN (16).
 * @param type ::AIOTSEC_ALG_ENC or ::AIOTSEC_ALG_INT.
 * @param alg_id Algorithm identity 1..15.
 * @param[out] key Receives aiotsec_derive_alg_key_bytes() octets.
 * @param key_cap Capacity of @p key.
 * @param[out] key_len Receives the length written; may be NULL.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_BAD_LENGTH,
 *         ::AIOTSEC_E_BAD_VALUE (type), ::AIOTSEC_E_UNKNOWN_ALG (identity 0 or
 *         above 15), ::AIOTSEC_E_BUFFER_TOO_SMALL or ::AIOTSEC_E_BACKEND_FAILURE.
 */
AIOTSEC_API int aiotsec_derive_alg_key(const aiotsec_ctx *ctx, const uint8_t *kaiotf, size_t kaiotf_len,
                                       aiotsec_alg_type type, unsigned alg_id,
                                       uint8_t *key, size_t key_cap, size_t *key_len);

/**
 * @brief Constant-time comparison of two equal-length octet strings.
 * @param a First string.
 * @param b Second string.
 * @param len Length of both.
 * @return 1 when equal, 0 when not or when an argument is NULL with @p len > 0.
 *         Time depends on @p len only.
 */
AIOTSEC_API int aiotsec_ct_equal(const uint8_t *a, const uint8_t *b, size_t len);

/**
 * @brief Overwrites @p len octets at @p p with zeros in a way the compiler keeps.
 * @param p Buffer (NULL is ignored).
 * @param len Length.
 */
AIOTSEC_API void aiotsec_wipe(void *p, size_t len);

#ifdef __cplusplus
}
#endif

/** @} */

#endif /* AIOTSEC_DERIVE_H */
