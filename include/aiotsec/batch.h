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
 * allocates nothing. With more, those functions create the threads for the call
 * and join them before returning; a new thread starts tens of microseconds
 * late, a noticeable part of a batch of a few thousand items.
 *
 * For repeated batches (an ADM under load), make a worker pool once with
 * aiotsec_batch_pool_new() and pass it to aiotsec_batch_pool_derive_res() /
 * aiotsec_batch_pool_verify_res(): same results, no thread creation and no
 * allocation per call. See ::aiotsec_batch_pool for its spin-then-sleep
 * trade-off.
 *
 * For an ADM, make the context with the `native` backend: its batch path
 * interleaves two SHA-NI streams (or eight AVX2 lanes on CPUs without the SHA
 * extensions), and `aiotsec bench` shows the speed on the machine at hand.
 * The results are identical on every backend.
 * @ingroup prepared
 */
#ifndef AIOTSEC_BATCH_H
#define AIOTSEC_BATCH_H

/** @addtogroup prepared
 * @{ */

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
AIOTSEC_API size_t aiotsec_batch_item_structbytes(void);

/**
 * @brief Derives XRES_AIOT for every item.
 * @param ctx The context the keys were prepared with.
 * @param items The items (@c res and @c res_len are ignored).
 * @param n Number of items (0 is allowed and does nothing).
 * @param[out] xres Receives n * aiotsec_derive_res_bytes(ctx) octets: item i at
 *             offset i * aiotsec_derive_res_bytes(ctx). Items that fail are zero-filled.
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

/**
 * @brief A caller-owned pool of worker threads for batch calls (opaque).
 *
 * Made with aiotsec_batch_pool_new(), used by aiotsec_batch_pool_derive_res()
 * and aiotsec_batch_pool_verify_res(), freed with aiotsec_batch_pool_free().
 * A pool of @c threads runs every batch in the calling thread plus
 * @c threads - 1 workers created once; the items are handed out in grains of
 * 256 from a shared counter, as with the @c threads argument of the per-call
 * functions, so the results are identical to a single-thread call.
 *
 * The pool runs one batch at a time: calls made on one pool from several
 * threads at once are serialised (each waits for the one before), never mixed.
 * A pool may serve contexts of any backend; it holds no library state besides
 * its threads. A batch of at most 256 items (one grain) runs in the calling
 * thread only.
 *
 * Trade-off (the spin window): after each batch, a worker keeps polling for the
 * next one for about 100 microseconds (yielding its CPU after the first 20),
 * then blocks on a condition variable. Back-to-back batches therefore find the
 * workers awake and start on every thread at once, while an idle pool costs no
 * CPU after that window. The price is up to ~100 us of CPU per worker after
 * each batch; a batch that arrives when the workers are asleep starts in the
 * caller at once and the workers join as soon as they wake, tens of
 * microseconds later (the caller never waits for a worker that has not
 * joined: it takes over that worker's share). Where batches come further
 * apart than the window, the pool still saves the thread creation of every
 * call, but not the wake-up.
 *
 * Do not use a pool in a child process after fork(); make a new one there.
 */
typedef struct aiotsec_batch_pool aiotsec_batch_pool;

/**
 * @brief Makes a worker pool: @p threads - 1 worker threads, the caller being the last.
 *
 * The only allocation of the pool's life: the batch calls allocate nothing.
 * The workers are started with every signal blocked.
 * @param[out] out Receives the pool (NULL on failure).
 * @param threads Threads a batch uses, the caller included: 1 to
 *        ::AIOTSEC_BATCH_MAX_THREADS (1 makes a pool without workers, where every
 *        batch runs in the caller).
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_BAD_VALUE (@p threads
 *         0 or above ::AIOTSEC_BATCH_MAX_THREADS) or ::AIOTSEC_E_NO_MEMORY
 *         (memory or a thread could not be obtained; nothing is left running).
 */
AIOTSEC_API int aiotsec_batch_pool_new(aiotsec_batch_pool **out, unsigned threads);

/**
 * @brief Stops and joins the workers, then frees the pool.
 *
 * Call it only when no batch call is using the pool (one still running is
 * waited for, but a call that starts afterwards would use freed memory).
 * @param pool The pool; NULL is ignored.
 */
AIOTSEC_API void aiotsec_batch_pool_free(aiotsec_batch_pool *pool);

/**
 * @brief aiotsec_batch_derive_res() on a worker pool.
 *
 * Same arguments, results and outputs as aiotsec_batch_derive_res() with
 * @c threads set to the pool's thread count, but the threads are the pool's.
 * @param ctx The context the keys were prepared with.
 * @param pool The pool (one batch at a time: concurrent calls wait their turn).
 * @param items The items (@c res and @c res_len are ignored).
 * @param n Number of items (0 is allowed and does nothing).
 * @param[out] xres Receives n * aiotsec_derive_res_bytes(ctx) octets: item i at
 *             offset i * aiotsec_derive_res_bytes(ctx). Items that fail are zero-filled.
 * @param xres_cap Capacity of @p xres.
 * @param[out] results Receives n statuses, as for aiotsec_batch_derive_res().
 * @return ::AIOTSEC_OK when every item was processed (see @p results),
 *         ::AIOTSEC_E_NULL_ARG (@p ctx or @p pool NULL, even with @p n 0; or a
 *         buffer NULL with @p n above 0) or ::AIOTSEC_E_BUFFER_TOO_SMALL.
 */
AIOTSEC_API int aiotsec_batch_pool_derive_res(const aiotsec_ctx *ctx, aiotsec_batch_pool *pool,
                                              const aiotsec_batch_item *items, size_t n,
                                              uint8_t *xres, size_t xres_cap, int *results);

/**
 * @brief aiotsec_batch_verify_res() on a worker pool, each RES_AIOT compared in constant time.
 *
 * Same arguments, verdicts and outputs as aiotsec_batch_verify_res() with
 * @c threads set to the pool's thread count, but the threads are the pool's.
 * @param ctx The context the keys were prepared with.
 * @param pool The pool (one batch at a time: concurrent calls wait their turn).
 * @param items The items.
 * @param n Number of items (0 is allowed and does nothing).
 * @param[out] results Receives n statuses: ::AIOTSEC_OK (match),
 *             ::AIOTSEC_E_AUTH_FAILED (no match), or the item's error as for
 *             aiotsec_batch_derive_res().
 * @param[out] n_ok Receives how many items matched; may be NULL.
 * @return ::AIOTSEC_OK when every item was processed (the verdicts are in
 *         @p results, never in the return value) or ::AIOTSEC_E_NULL_ARG
 *         (@p ctx or @p pool NULL, even with @p n 0; or @p items or
 *         @p results NULL with @p n above 0).
 */
AIOTSEC_API AIOTSEC_WUR int aiotsec_batch_pool_verify_res(const aiotsec_ctx *ctx, aiotsec_batch_pool *pool,
                                                          const aiotsec_batch_item *items, size_t n,
                                                          int *results, size_t *n_ok);

#ifdef __cplusplus
}
#endif

/** @} */

#endif /* AIOTSEC_BATCH_H */
