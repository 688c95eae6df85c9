/**
 * @file batch.h
 * @brief Batches of XRES_AIOT derivations and RES_AIOT verifications (the ADM hot path).
 *
 * The ADM computes XRES_AIOT for every device that answers an inventory. The
 * batch functions take N items, each a prepared K_AIOT_root (prepared.h) with
 * its RAND_AIOT_n and RAND_AIOT_d, and give one result per item. On a backend
 * with ::AIOTSEC_CAP_HMAC_BATCH (`native`) the MACs are computed with two
 * SHA-256 compressions per item, several items interleaved; on the others the
 * results are the same, item by item.
 *
 * A batch can be split across threads: each thread works on a disjoint slice
 * of the items and of the outputs, and nothing else is shared or written.
 * With @c threads of 0 or 1 everything runs in the calling thread and the call
 * allocates nothing.
 *
 * For an ADM, make the context with the `native` backend: its batch path
 * interleaves two SHA-NI streams (or eight AVX2 lanes on CPUs without the SHA
 * extensions), and `aiotsec bench` shows the speed on the machine at hand.
 * The results are identical on every backend.
 */
#ifndef AIOTSEC_BATCH_H
#define AIOTSEC_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "aiotsec/context.h"
#include "aiotsec/export.h"
#include "aiotsec/prepared.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Most threads one batch call may use. */
#define AIOTSEC_BATCH_MAX_THREADS 64u

/**
 * @brief One item of a batch: a device's prepared key and the two RAND values,
 *        plus, for verification, the RES_AIOT the device sent.
 *
 * Every length must equal the context profile's length, otherwise that item's
 * result is ::AIOTSEC_E_BAD_LENGTH. The key must have been prepared with the
 * same context as the batch call (::AIOTSEC_E_BAD_VALUE otherwise).
 */
typedef struct aiotsec_batch_item {
    const aiotsec_prepared_key *key; /**< The device's prepared K_AIOT_root. */
    const uint8_t *rand_n;           /**< RAND_AIOT_n. */
    size_t rand_n_len;               /**< Its length (the profile's). */
    const uint8_t *rand_d;           /**< RAND_AIOT_d. */
    size_t rand_d_len;               /**< Its length (the profile's). */
    const uint8_t *res;              /**< Received RES_AIOT (verify only; ignored by derive). */
    size_t res_len;                  /**< Its length (verify only). */
} aiotsec_batch_item;

/**
 * @brief Size of ::aiotsec_batch_item in this library build (for bindings).
 * @return sizeof(aiotsec_batch_item).
 */
AIOTSEC_API size_t aiotsec_batch_item_size(void);

/**
 * @brief Derives XRES_AIOT for every item.
 * @param ctx The context the keys were prepared with.
 * @param items The items (@c res and @c res_len are ignored).
 * @param n Number of items (0 is allowed and does nothing).
 * @param[out] xres Receives n * aiotsec_res_len(ctx) octets: item i at
 *             offset i * aiotsec_res_len(ctx). Items that fail are zero-filled.
 * @param xres_cap Capacity of @p xres.
 * @param[out] results Receives n statuses: ::AIOTSEC_OK, or the item's error
 *             (::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_BAD_LENGTH, ::AIOTSEC_E_BAD_VALUE,
 *             ::AIOTSEC_E_BACKEND_FAILURE).
 * @param threads Threads to split the batch across (0 or 1: the calling thread only).
 * @return ::AIOTSEC_OK when every item was processed (see @p results),
 *         ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_BUFFER_TOO_SMALL, or
 *         ::AIOTSEC_E_BAD_VALUE (more than ::AIOTSEC_BATCH_MAX_THREADS threads).
 */
AIOTSEC_API int aiotsec_batch_derive_res(const aiotsec_ctx *ctx, const aiotsec_batch_item *items,
                                         size_t n, uint8_t *xres, size_t xres_cap, int *results,
                                         unsigned threads);

/**
 * @brief Verifies every item's received RES_AIOT against its XRES_AIOT, each in constant time.
 * @param ctx The context the keys were prepared with.
 * @param items The items.
 * @param n Number of items (0 is allowed and does nothing).
 * @param[out] results Receives n statuses: ::AIOTSEC_OK (match),
 *             ::AIOTSEC_E_AUTH_FAILED (no match), or the item's error as for
 *             aiotsec_batch_derive_res().
 * @param threads Threads to split the batch across (0 or 1: the calling thread only).
 * @param[out] n_ok Receives how many items matched; may be NULL.
 * @return ::AIOTSEC_OK when every item was processed (the verdicts are in
 *         @p results, never in the return value), ::AIOTSEC_E_NULL_ARG or
 *         ::AIOTSEC_E_BAD_VALUE.
 */
AIOTSEC_API AIOTSEC_WUR int aiotsec_batch_verify_res(const aiotsec_ctx *ctx,
                                                     const aiotsec_batch_item *items, size_t n,
                                                     int *results, unsigned threads, size_t *n_ok);

#ifdef __cplusplus
}
#endif
#endif /* AIOTSEC_BATCH_H */
