/**
 * @file adm.h
 * @brief The ADM role: the four Nadm_Sec service operations (spec 6.1, TS 29.369 v19.2.0).
 *
 * An ::aiotsec_adm combines a context with the application's key store
 * (keystore.h). It keeps no key of its own: every operation looks the devices
 * up, derives, and wipes what it used. An ADM is immutable and may be shared
 * between threads when the key store's operations are thread-safe (each thread
 * with its own ::aiotsec_auth_answer).
 *
 * getAuthentication is the inventory's hot path: for a filter, every device
 * the filter matches is a candidate and the ADM derives |candidates| x
 * |randDlist| XRES_AIOT values. It refuses a request whose product exceeds its
 * limit (::AIOTSEC_E_TOO_MANY_DERIVATIONS, an SBI 413) before it derives
 * anything, and answers ::AIOTSEC_E_NO_CANDIDATE (an SBI 404) when nothing
 * matches. Candidates whose store offers prepared keys go through the batch
 * API (batch.h), on the configured worker pool when there is one.
 * @ingroup adm
 */
#ifndef AIOTSEC_ADM_H
#define AIOTSEC_ADM_H

/** @addtogroup adm
 * @{ */

#include <stddef.h>
#include <stdint.h>

#include "aiotsec/batch.h"
#include "aiotsec/context.h"
#include "aiotsec/export.h"
#include "aiotsec/keystore.h"
#include "aiotsec/nadm.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief An ADM (opaque). */
typedef struct aiotsec_adm aiotsec_adm;

/** @brief ADM configuration; initialise with aiotsec_adm_config_init(). */
typedef struct aiotsec_adm_config {
    uint32_t struct_size;       /**< sizeof(aiotsec_adm_config). */
    uint32_t max_derivations;   /**< Largest |candidates| x |randDlist| of one getAuthentication
                                     (default: the profile's, 65,536; 1..2^24). */
    aiotsec_batch_pool *pool;   /**< Worker pool for the batches (NULL: the calling thread only).
                                     A pool runs one batch at a time: threads sharing the ADM take turns. */
} aiotsec_adm_config;

/**
 * @brief Fills @p cfg with the defaults of @p ctx's profile and sets struct_size.
 * @param[out] cfg The configuration.
 * @param ctx The context.
 * @return ::AIOTSEC_OK or ::AIOTSEC_E_NULL_ARG.
 */
AIOTSEC_API int aiotsec_adm_config_init(aiotsec_adm_config *cfg, const aiotsec_ctx *ctx);

/**
 * @brief Size of ::aiotsec_adm_config (for bindings).
 * @return sizeof(aiotsec_adm_config).
 */
AIOTSEC_API size_t aiotsec_adm_config_structbytes(void);

/**
 * @brief Makes an ADM.
 * @param[out] out Receives the ADM; free with aiotsec_adm_free().
 * @param ctx The context (must outlive the ADM).
 * @param keystore The key-store table (copied; its @c user must outlive the ADM).
 * @param cfg Configuration; NULL for the defaults (the pool, if any, must outlive the ADM).
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_BAD_VALUE (wrong
 *         struct_size, the required look-up missing, a limit out of range) or
 *         ::AIOTSEC_E_NO_MEMORY.
 */
AIOTSEC_API int aiotsec_adm_new(aiotsec_adm **out, const aiotsec_ctx *ctx, const aiotsec_keystore *keystore,
                                const aiotsec_adm_config *cfg);

/**
 * @brief Frees an ADM. NULL is ignored.
 * @param adm The ADM.
 */
AIOTSEC_API void aiotsec_adm_free(aiotsec_adm *adm);

/**
 * @brief The ADM's limit of |candidates| x |randDlist|.
 * @param adm The ADM.
 * @return The limit; 0 for NULL.
 */
AIOTSEC_API size_t aiotsec_adm_max_derivations(const aiotsec_adm *adm);

/**
 * @brief Nadm_SecRAND_Get (`getRand`): a fresh RAND_AIOT_n from the backend's CSPRNG.
 * @param adm The ADM.
 * @param[out] rand_n Receives 16 octets.
 * @param rand_n_cap Capacity of @p rand_n.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_BUFFER_TOO_SMALL,
 *         ::AIOTSEC_E_UNSUPPORTED or ::AIOTSEC_E_BACKEND_FAILURE.
 */
AIOTSEC_API int aiotsec_adm_get_rand(const aiotsec_adm *adm, uint8_t *rand_n, size_t rand_n_cap);

/**
 * @brief Nadm_SecAuthentication_Get (`getAuthentication`): candidate sets.
 *
 * @p ans is reset, then receives one set per RAND_AIOT_d of @p req, in order,
 * each with one entry per candidate: for a filter every matching device, in
 * Permanent Identifier order, with its Permanent Identifier; for a named
 * device that device alone, without it. On any error @p ans is left empty.
 * @param adm The ADM.
 * @param req The request (@c op is not read; @c perm_id or @c filter, @c rand_n, @c rand_d).
 * @param ans The answer (capacity at least |candidates| x |randDlist|).
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_BAD_VALUE (both or neither of
 *         @c perm_id and @c filter, an empty list), ::AIOTSEC_E_BAD_LENGTH,
 *         ::AIOTSEC_E_BAD_FILTER, ::AIOTSEC_E_UNKNOWN_DEVICE (named device),
 *         ::AIOTSEC_E_NO_CANDIDATE (filter), ::AIOTSEC_E_TOO_MANY_DERIVATIONS,
 *         ::AIOTSEC_E_BUFFER_TOO_SMALL (@p ans too small), ::AIOTSEC_E_UNSUPPORTED
 *         (a filter, and the store cannot list), ::AIOTSEC_E_BAD_STATE (the store
 *         grew under the filter between the count and the derivation three times
 *         running, or a backend or the store reported it), a key-store or a backend status.
 */
AIOTSEC_API int aiotsec_adm_get_authentication(const aiotsec_adm *adm, const aiotsec_adm_request *req,
                                               aiotsec_auth_answer *ans);

/**
 * @brief One named device of aiotsec_adm_get_authentication_named(): a getAuthentication
 *        for one device with one RAND_AIOT_d.
 */
typedef struct aiotsec_adm_named {
    const uint8_t *perm_id; /**< AiotDevPermId (1..64 octets). */
    size_t perm_id_len;     /**< Its length. */
    const uint8_t *rand_n;  /**< RAND_AIOT_n. */
    size_t rand_n_len;      /**< Its length (16). */
    const uint8_t *rand_d;  /**< RAND_AIOT_d. */
    size_t rand_d_len;      /**< Its length (16). */
} aiotsec_adm_named;

/**
 * @brief Size of ::aiotsec_adm_named in this library build (for bindings).
 * @return sizeof(aiotsec_adm_named).
 */
AIOTSEC_API size_t aiotsec_adm_named_structbytes(void);

/**
 * @brief getAuthentication for many named devices at once (the ADM's batch of
 *        single-device requests, e.g. every request an SBI server has queued).
 *
 * Item i's XRES_AIOT (the profile's RES length) goes to @p xres + i x res_len and its
 * status to @p results[i]: ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_BAD_LENGTH,
 * ::AIOTSEC_E_UNKNOWN_DEVICE, a key-store or a backend status; the XRES_AIOT of an item
 * that failed is zeros. With the in-memory store the look-ups of a batch overlap
 * their cache misses and the derivations run through the batch path; with a worker
 * pool in the ADM's configuration, large batches are shared with it.
 * @param adm The ADM.
 * @param items The requests.
 * @param n How many.
 * @param[out] xres Receives n x aiotsec_derive_res_bytes() octets.
 * @param xres_cap Capacity of @p xres.
 * @param[out] results Receives n statuses.
 * @param[out] n_ok Receives how many items succeeded; may be NULL.
 * @return ::AIOTSEC_OK when every item has its status (even if some failed),
 *         ::AIOTSEC_E_NULL_ARG or ::AIOTSEC_E_BUFFER_TOO_SMALL.
 */
AIOTSEC_API int aiotsec_adm_get_authentication_named(const aiotsec_adm *adm, const aiotsec_adm_named *items,
                                                     size_t n, uint8_t *xres, size_t xres_cap, int *results,
                                                     size_t *n_ok);

/**
 * @brief Nadm_SecSessionKey_Get (`getSessionKey`): K_AIOTF for a device.
 * @param adm The ADM.
 * @param perm_id Permanent Identifier (1..64 octets).
 * @param perm_id_len Its length.
 * @param rand_n RAND_AIOT_n (16 octets).
 * @param rand_n_len Its length.
 * @param rand_d RAND_AIOT_d (16 octets).
 * @param rand_d_len Its length.
 * @param[out] kaiotf Receives the 16 octets of K_AIOTF.
 * @param kaiotf_cap Capacity of @p kaiotf.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_BAD_LENGTH,
 *         ::AIOTSEC_E_BUFFER_TOO_SMALL, ::AIOTSEC_E_UNKNOWN_DEVICE, a key-store
 *         or a backend status.
 */
AIOTSEC_API int aiotsec_adm_get_session_key(const aiotsec_adm *adm, const uint8_t *perm_id, size_t perm_id_len,
                                            const uint8_t *rand_n, size_t rand_n_len, const uint8_t *rand_d,
                                            size_t rand_d_len, uint8_t *kaiotf, size_t kaiotf_cap);

/**
 * @brief T-ID retrieval (`getTid`), profile 0: `tidType` STORED, a 16-octet T-ID
 *        from the CSPRNG, kept by the key store with the previous one.
 *
 * With @p resync 0 a new T-ID replaces the current one, which becomes the
 * previous; with @p resync non-zero the current T-ID is returned again with
 * the previous (a device without a T-ID gets a new one either way).
 * @param adm The ADM.
 * @param perm_id Permanent Identifier (1..64 octets).
 * @param perm_id_len Its length.
 * @param resync `resyncInd`.
 * @param[out] out Receives the T-ID information.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_BAD_LENGTH,
 *         ::AIOTSEC_E_UNKNOWN_DEVICE, ::AIOTSEC_E_UNSUPPORTED (the store keeps no
 *         T-IDs) or a backend status.
 */
AIOTSEC_API int aiotsec_adm_get_tid(const aiotsec_adm *adm, const uint8_t *perm_id, size_t perm_id_len,
                                    int resync, aiotsec_tid_info *out);

#ifdef __cplusplus
}
#endif

/** @} */

#endif /* AIOTSEC_ADM_H */
