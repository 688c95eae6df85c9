/**
 * @file testing.h
 * @brief Calls for tests and tools, outside the umbrella header.
 *
 * A network function or a tag never needs these: they set a NAS security
 * context's COUNTs by hand (to replay a recorded exchange or reach the COUNT
 * limit), read a message's security header type without verifying it, and walk
 * a memory key store by position. Test programs, fuzzers, benchmarks and the
 * `aiotsec` command line include this header explicitly; aiotsec/aiotsec.h does
 * not, so that production code does not reach for them by accident.
 * @ingroup testing
 */
#ifndef AIOTSEC_TESTING_H
#define AIOTSEC_TESTING_H

#include <stddef.h>
#include <stdint.h>

#include "aiotsec/export.h"
#include "aiotsec/keystore.h"
#include "aiotsec/nas.h"
#include "aiotsec/nas_security.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @addtogroup testing
 * @{ */

/**
 * @brief Sets the COUNT the next protect uses (tools and tests; a fresh context starts at 0).
 * @param sec The context.
 * @param count 0 .. ::AIOTSEC_NAS_COUNT_MAX.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG or ::AIOTSEC_E_BAD_VALUE.
 */
AIOTSEC_API int aiotsec_nas_sec_set_tx_count(aiotsec_nas_sec *sec, uint32_t count);

/**
 * @brief Records @p count as the highest COUNT already accepted in the receive
 *        direction: the next message must carry a greater COUNT.
 * @param sec The context.
 * @param count 0 .. ::AIOTSEC_NAS_COUNT_MAX.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG or ::AIOTSEC_E_BAD_VALUE.
 */
AIOTSEC_API int aiotsec_nas_sec_set_rx_last_count(aiotsec_nas_sec *sec, uint32_t count);

/**
 * @brief Security header type of a message, after checking EPD and spare bits,
 *        without verifying anything (tools that display a message, fuzzers).
 * @param profile The profile; NULL for profile 0.
 * @param in The message.
 * @param len Its length.
 * @param[out] sht Receives the security header type.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_NAS_TRUNCATED,
 *         ::AIOTSEC_E_NAS_BAD_EPD, ::AIOTSEC_E_NAS_SPARE_BITS or ::AIOTSEC_E_NAS_BAD_SHT.
 */
AIOTSEC_API int aiotsec_nas_peek_sht(const aiotsec_profile *profile, const uint8_t *in, size_t len,
                                     aiotsec_nas_sht *sht);

/**
 * @brief Permanent Identifier of the i-th device, in storage order, e.g. to build devices for a test.
 *
 * Storage order is insertion order, except that each load stores its devices
 * sorted by Permanent Identifier (so that a filter's candidates are contiguous).
 * @param store The store.
 * @param index 0 .. count - 1.
 * @param[out] perm_id Receives a pointer to the Permanent Identifier (owned by the store).
 * @param[out] perm_id_len Receives its length.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG or ::AIOTSEC_E_BAD_VALUE (index).
 */
AIOTSEC_API int aiotsec_memstore_device_at(const aiotsec_memstore *store, size_t index,
                                           const uint8_t **perm_id, size_t *perm_id_len);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* AIOTSEC_TESTING_H */
