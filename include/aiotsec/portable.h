/**
 * @file portable.h
 * @brief The portable backend: plain C11 HMAC-SHA-256 (and AES-128 when the
 *        library was built with it), no operating system, no allocation.
 *
 * It is the backend of the device-only build (`-DAIOTSEC_DEVICE_ONLY=ON`, the
 * tag firmware) and is also part of every host build, so the same code is
 * tested on the host and on the tag. It is written for small cores: its SHA-256
 * keeps the working variables in a sliding window in memory instead of moving
 * eight words every round, which is what a Cortex-M0+ (eight low registers)
 * pays for most; no table is indexed by secret data and no branch depends on it.
 *
 * - HMAC states are plain data (::AIOTSEC_PORTABLE_HMAC_STATE_SIZE octets): a
 *   state right after hmac_init may be copied with memcpy, which is how the
 *   device keeps the HMAC midstates of K_AIOT_root and K_int (device.h).
 * - AES-128 (128-NIA2, 128-NEA2) is present only when the library was built
 *   with it: always on the host, on request (`-DAIOTSEC_WITH_AES=ON`) in the
 *   device-only build. Its S-box is computed (inversion in GF(2^8), four bytes
 *   at a time), not looked up, so it is constant time and slow (see
 *   docs/notes/firmware.md for the instruction counts).
 * - It has no random source: a tag draws RAND_AIOT_d from its TRNG through the
 *   device's @c rand callback (::aiotsec_device_rand_fn), so aiotsec_random()
 *   on a portable context returns ::AIOTSEC_E_UNSUPPORTED.
 *
 * On the host it is reached through aiotsec_backend_portable() and
 * aiotsec_ctx_new_custom() / aiotsec_ctx_init() (it is not one of the names
 * aiotsec_backend_find() lists there, so the host's list of built-in backends
 * is unchanged); in the device-only build it is the only built-in backend, also
 * found as "portable" (and as the default, NULL or "").
 * @ingroup context
 */
#ifndef AIOTSEC_PORTABLE_H
#define AIOTSEC_PORTABLE_H

/** @addtogroup context
 * @{ */

#include "aiotsec/backend.h"
#include "aiotsec/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Octets of one HMAC state of the portable backend (its @c hmac_state_size). */
#define AIOTSEC_PORTABLE_HMAC_STATE_SIZE 136u

/** @brief Octets of one AES-128 state of the portable backend (the 11 round keys). */
#define AIOTSEC_PORTABLE_AES_STATE_SIZE 176u

/**
 * @brief The portable backend's table (static, read-only).
 *
 * Name "portable"; HMAC-SHA-256 always, AES-128 when built in (check
 * aiotsec_backend_caps() for ::AIOTSEC_CAP_AES128), no random source.
 * @return The table; never NULL.
 */
AIOTSEC_API const aiotsec_backend *aiotsec_backend_portable(void);

#ifdef __cplusplus
}
#endif

/** @} */

#endif /* AIOTSEC_PORTABLE_H */
