/**
 * @file prepared.h
 * @brief Prepared keys and batches: the ADM's per-inventory hot path.
 *
 * A prepared key holds the HMAC state of K_AIOT_root right after the key was
 * absorbed (for SHA-256: the inner and outer midstates), so XRES_AIOT and
 * K_AIOTF cost two compressions instead of four. The results are exactly
 * those of the raw-key functions. A prepared key is immutable, tied to the
 * context that made it, safe to share between threads, and wiped when freed.
 * @ingroup prepared
 */
#ifndef AIOTSEC_PREPARED_H
#define AIOTSEC_PREPARED_H

/** @addtogroup prepared
 * @{ */

#include <stddef.h>
#include <stdint.h>

#include "aiotsec/context.h"
#include "aiotsec/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief A prepared K_AIOT_root (opaque). */
typedef struct aiotsec_prepared_key aiotsec_prepared_key;

/**
 * @brief Prepares K_AIOT_root.
 * @param[out] out Receives the prepared key; free with aiotsec_prepared_key_free().
 * @param ctx The context (must outlive the key).
 * @param k_root K_AIOT_root.
 * @param k_root_len 16 or 32.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_BAD_LENGTH,
 *         ::AIOTSEC_E_NO_MEMORY or ::AIOTSEC_E_BACKEND_FAILURE.
 */
AIOTSEC_API int aiotsec_prepared_key_new(aiotsec_prepared_key **out, const aiotsec_ctx *ctx,
                                         const uint8_t *k_root, size_t k_root_len);

/**
 * @brief Wipes and frees a prepared key. NULL is ignored.
 * @param key The key.
 */
AIOTSEC_API void aiotsec_prepared_key_free(aiotsec_prepared_key *key);

/**
 * @brief RES_AIOT / XRES_AIOT from a prepared key (as aiotsec_derive_res()).
 * @param key The prepared key.
 * @param rand_n RAND_AIOT_n.
 * @param rand_n_len Profile length.
 * @param rand_d RAND_AIOT_d.
 * @param rand_d_len Profile length.
 * @param[out] res Receives aiotsec_derive_res_bytes() octets.
 * @param res_cap Capacity of @p res.
 * @return As aiotsec_derive_res().
 */
AIOTSEC_API int aiotsec_prepared_derive_res(const aiotsec_prepared_key *key,
                                            const uint8_t *rand_n, size_t rand_n_len,
                                            const uint8_t *rand_d, size_t rand_d_len,
                                            uint8_t *res, size_t res_cap);

/**
 * @brief Verifies a received RES_AIOT against a prepared key, in constant time.
 * @param key The prepared key.
 * @param rand_n RAND_AIOT_n.
 * @param rand_n_len Profile length.
 * @param rand_d RAND_AIOT_d.
 * @param rand_d_len Profile length.
 * @param res The received RES_AIOT.
 * @param res_len Its length.
 * @return As aiotsec_verify_res().
 */
AIOTSEC_API AIOTSEC_WUR int aiotsec_prepared_verify_res(const aiotsec_prepared_key *key,
                                                        const uint8_t *rand_n, size_t rand_n_len,
                                                        const uint8_t *rand_d, size_t rand_d_len,
                                                        const uint8_t *res, size_t res_len);

/**
 * @brief K_AIOTF from a prepared key (as aiotsec_derive_kaiotf()).
 * @param key The prepared key.
 * @param rand_n RAND_AIOT_n.
 * @param rand_n_len Profile length.
 * @param rand_d RAND_AIOT_d.
 * @param rand_d_len Profile length.
 * @param[out] kaiotf Receives ::AIOTSEC_KAIOTF_LEN (16) octets.
 * @param kaiotf_cap Capacity, at least 16.
 * @return As aiotsec_derive_kaiotf().
 */
AIOTSEC_API int aiotsec_prepared_derive_kaiotf(const aiotsec_prepared_key *key,
                                               const uint8_t *rand_n, size_t rand_n_len,
                                               const uint8_t *rand_d, size_t rand_d_len,
                                               uint8_t *kaiotf, size_t kaiotf_cap);

#ifdef __cplusplus
}
#endif

/** @} */

#endif /* AIOTSEC_PREPARED_H */
