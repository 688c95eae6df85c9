/**
 * @file device.h
 * @brief The device role: a small state machine for an Ambient IoT tag.
 *
 * No allocation: the caller provides the device's storage
 * (aiotsec_device_statebytes() octets, aligned to ::AIOTSEC_DEVICE_ALIGN) and the
 * user memory buffer; random numbers come from a callback (the tag's TRNG). The
 * device keeps its Permanent Identifier and K_AIOT_root (copied at init), and at
 * most one procedure:
 *
 * - IDLE: waiting for a paging.
 * - AUTHENTICATING: a paging addressed the device; it answered with an
 *   AUTHENTICATION RESPONSE and keeps RAND_AIOT_n and RAND_AIOT_d.
 * - SECURED: the first COMMAND REQUEST arrived: K_AIOTF and the NAS security
 *   context exist (each command is still verified before it is acted on).
 * - DISABLED: a verified PERMANENT_DISABLE was executed; the device never transmits again.
 *
 * Every paging aborts the ongoing procedure (spec section 1, step 3) and wipes
 * its keys; it is answered only when it names the device's Permanent
 * Identifier or carries a filter (filter.h) the Permanent Identifier matches.
 * A COMMAND REQUEST is verified (COUNT, then MAC) before anything is decoded
 * or acted on; a verified one the device cannot execute is answered with the
 * status that says why (nas.h, ::aiotsec_cmd_status).
 *
 * Keys: over a backend whose HMAC states are plain data (the portable, native
 * and sodium backends; always in the device-only build) the device keeps
 * K_AIOT_root only as its HMAC midstates, from aiotsec_device_init() until
 * aiotsec_device_clear() or PERMANENT_DISABLE, and a command procedure keeps
 * the midstates of K_NASint from its first COMMAND REQUEST until the next
 * paging: a paging costs two SHA-256 blocks, a command after the first four.
 *
 * Stack and buffers: a request without ciphering (NEA0) is verified and decoded
 * in place in @c in (no copy), so @c in must not change during the call (stop a
 * radio's DMA into it first: octets changed after the MAC check would be acted
 * on); @c out may be @c in itself (one radio buffer), but must not otherwise
 * overlap it. A ciphered one (NEA2, builds with AES) is deciphered into a stack
 * buffer of AIOTSEC_DEVICE_MSG_MAX octets of deciphered payload: 65535, the
 * largest any profile allows, in a host build; the tag's largest message in a
 * device-only build (2048 unless it sets another), where aiotsec_device_init()
 * refuses a ciphering device whose profile allows longer messages. Measured on a Cortex-M0+ (device-only build, NEA0):
 * a stack peak under 1 KiB for a whole tag (docs/notes/firmware.md).
 * A device object is not thread-safe.
 * @ingroup device
 */
#ifndef AIOTSEC_DEVICE_H
#define AIOTSEC_DEVICE_H

/** @addtogroup device
 * @{ */

#include <stddef.h>
#include <stdint.h>

#include "aiotsec/context.h"
#include "aiotsec/export.h"
#include "aiotsec/nas.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Alignment, in octets, of the storage given to aiotsec_device_init(). */
#define AIOTSEC_DEVICE_ALIGN 16u

/** @brief Backend state slots in a device: K_AIOT_root, K_NASint and, with AES, K_NASenc. */
#if defined(AIOTSEC_DEVICE_ONLY) && !defined(AIOTSEC_WITH_AES)
#define AIOTSEC_DEVICE_STATE_SLOTS 2u
#else
#define AIOTSEC_DEVICE_STATE_SLOTS 3u
#endif

/**
 * @brief Octets that always hold a device of this build: an upper bound of
 *        aiotsec_device_statebytes() that is a constant expression, for static
 *        storage in firmware (560 in the device-only build for a 32-bit core,
 *        where aiotsec_device_statebytes() is 512).
 */
#define AIOTSEC_DEVICE_STORAGE_SIZE \
    (AIOTSEC_DEVICE_STATE_SLOTS * AIOTSEC_BACKEND_STATE_MAX + 16u * sizeof(void *) + 208u)

/** @brief A device (opaque; lives in caller storage). */
typedef struct aiotsec_device aiotsec_device;

/** @brief States of a device. */
typedef enum aiotsec_device_state {
    AIOTSEC_DEVICE_IDLE = 0,           /**< No procedure. */
    AIOTSEC_DEVICE_AUTHENTICATING = 1, /**< Answered a paging; waiting for a command or a new paging. */
    AIOTSEC_DEVICE_SECURED = 2,        /**< A COMMAND REQUEST arrived: K_AIOTF and the NAS security context exist. */
    AIOTSEC_DEVICE_DISABLED = 3        /**< Permanently silent. */
} aiotsec_device_state;

/**
 * @brief The device's random source for RAND_AIOT_d: on a tag, its TRNG.
 *
 * Called once per paging that addresses the device, before RES_AIOT is
 * computed, for the profile's RAND_AIOT_d length (16 octets). It must return
 * fresh, unpredictable octets (a hardware TRNG, or a DRBG seeded from one and
 * reseeded as its standard says): RAND_AIOT_d must never repeat under one
 * K_AIOT_root. It is the only randomness the device needs; the library never
 * calls a random source of its own on the device side (the portable backend has
 * none). A failure (a negative ::aiotsec_status, e.g. a TRNG health-test
 * failure reported as ::AIOTSEC_E_BACKEND_FAILURE) makes the paging fail with
 * that status and nothing is sent; a positive value is reported as
 * ::AIOTSEC_E_BACKEND_FAILURE.
 * @param user The config's @c rand_user.
 * @param[out] out Buffer to fill.
 * @param len Octets wanted.
 * @return 0 on success, a negative status otherwise.
 */
typedef int (*aiotsec_device_rand_fn)(void *user, uint8_t *out, size_t len);

/**
 * @brief Optional: whether the tag has the energy to execute a verified command.
 * @param user The config's @c energy_user.
 * @param command The ::aiotsec_cmd about to be executed.
 * @param len Octets it reads or writes (0 for PERMANENT_DISABLE).
 * @return Non-zero when it can complete; 0 answers the command with
 *         ::AIOTSEC_CMD_STATUS_LOW_ENERGY and executes nothing.
 */
typedef int (*aiotsec_device_energy_fn)(void *user, aiotsec_cmd command, size_t len);

/** @brief Device configuration; initialise with aiotsec_device_config_init(). */
typedef struct aiotsec_device_config {
    uint32_t struct_size;        /**< sizeof(aiotsec_device_config). */
    const uint8_t *perm_id;      /**< Permanent Identifier (copied), 1..64 octets. */
    size_t perm_id_len;          /**< Its length. */
    const uint8_t *k_root;       /**< K_AIOT_root (copied), 16 or 32 octets. */
    size_t k_root_len;           /**< Its length. */
    uint8_t *memory;             /**< User memory for READ/WRITE (caller's; may be NULL when @c memory_len is 0). */
    size_t memory_len;           /**< Its size in octets, 0..65536. */
    size_t wp_offset;            /**< Start of the write-protected range. */
    size_t wp_len;               /**< Length of the write-protected range (0: none). */
    aiotsec_device_rand_fn rand; /**< Random source for RAND_AIOT_d (required). */
    void *rand_user;             /**< Passed to @c rand. */
    unsigned int_alg;            /**< Integrity algorithm identity (default: the profile's). */
    unsigned enc_alg;            /**< Ciphering algorithm identity (default: the profile's). */
    int disabled;                /**< Non-zero: start disabled (restored from non-volatile memory). */
    aiotsec_device_energy_fn energy; /**< Energy check before a command (NULL: always enough). */
    void *energy_user;           /**< Passed to @c energy. */
} aiotsec_device_config;

/**
 * @brief Counters of a device.
 *
 * The device-only build keeps them in 32 bits by default
 * (`AIOTSEC_DEVICE_COUNTERS_32`, widened when read): they wrap after 2^32 events.
 */
typedef struct aiotsec_device_stats {
    uint64_t pagings;            /**< Pagings received (while not disabled). */
    uint64_t not_addressed;      /**< Pagings that named another device or a filter it does not match. */
    uint64_t answered;           /**< AUTHENTICATION RESPONSEs sent. */
    uint64_t aborted;            /**< Procedures aborted by a paging. */
    uint64_t commands_executed;  /**< Verified COMMAND REQUESTs acted on. */
    uint64_t commands_rejected;  /**< COMMAND REQUESTs refused (state, integrity, COUNT, decoding). */
} aiotsec_device_stats;

/**
 * @brief Fills @p cfg with defaults (profile algorithms of @p ctx) and sets struct_size.
 * @param[out] cfg The configuration.
 * @param ctx The context whose profile gives the default algorithms.
 * @return ::AIOTSEC_OK or ::AIOTSEC_E_NULL_ARG.
 */
AIOTSEC_API int aiotsec_device_config_init(aiotsec_device_config *cfg, const aiotsec_ctx *ctx);

/**
 * @brief Octets of storage a device needs (depends on the library build, not on the device).
 * @return The size.
 */
AIOTSEC_API size_t aiotsec_device_statebytes(void);

/**
 * @brief Alignment the storage given to aiotsec_device_init() needs (for bindings).
 * @return ::AIOTSEC_DEVICE_ALIGN.
 */
AIOTSEC_API size_t aiotsec_device_align(void);

/**
 * @brief Initialises a device in caller storage.
 * @param[out] out Receives the device (a pointer to @p mem).
 * @param mem Storage of aiotsec_device_statebytes() octets, aligned to ::AIOTSEC_DEVICE_ALIGN.
 * @param mem_len Size of @p mem.
 * @param ctx The context (HMAC, and AES for NIA2/NEA2); must outlive the device.
 * @param cfg The configuration.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_BUFFER_TOO_SMALL,
 *         ::AIOTSEC_E_BAD_VALUE (misaligned storage, struct_size, no random
 *         source, a write-protected range outside the memory),
 *         ::AIOTSEC_E_BAD_LENGTH (Permanent Identifier, key or memory size) or
 *         ::AIOTSEC_E_BAD_PROFILE (a ciphering device, in a device-only build whose
 *         AIOTSEC_DEVICE_MSG_MAX is below the profile's largest message).
 */
AIOTSEC_API int aiotsec_device_init(aiotsec_device **out, void *mem, size_t mem_len,
                                    const aiotsec_ctx *ctx, const aiotsec_device_config *cfg);

/**
 * @brief Wipes every key of a device (its storage can then be released). NULL is ignored.
 * @param dev The device.
 */
AIOTSEC_API void aiotsec_device_clear(aiotsec_device *dev);

/**
 * @brief A paging (steps 3 to 5): aborts any ongoing procedure; if it addresses
 *        the device, draws RAND_AIOT_d, computes RES_AIOT and writes the
 *        AUTHENTICATION RESPONSE.
 *
 * The paging's identification information is exactly one of a Permanent
 * Identifier and an AiotFilteringInformation.
 * @param dev The device.
 * @param rand_n RAND_AIOT_n from the paging.
 * @param rand_n_len Its length (16).
 * @param perm_id The Permanent Identifier the paging names, or NULL.
 * @param perm_id_len Its length (0 with NULL).
 * @param filter The filter the paging carries, or NULL.
 * @param filter_len Its length (0 with NULL).
 * @param[out] out Buffer for the AUTHENTICATION RESPONSE (plain AIOT NAS).
 * @param cap Capacity of @p out (3 + 2 + 16 + 16 = 37 is always enough).
 * @param[out] out_len Receives its length (0 when nothing is sent).
 * @return ::AIOTSEC_OK (send @p out), ::AIOTSEC_E_NOT_ADDRESSED (nothing to send;
 *         the ongoing procedure was still aborted), ::AIOTSEC_E_DEVICE_DISABLED,
 *         ::AIOTSEC_E_BAD_FILTER (a malformed filter: refused, nothing sent),
 *         ::AIOTSEC_E_BAD_VALUE (both or neither identification), ::AIOTSEC_E_NULL_ARG,
 *         ::AIOTSEC_E_BAD_LENGTH, ::AIOTSEC_E_BUFFER_TOO_SMALL, the random source's
 *         status or a backend status.
 */
AIOTSEC_API int aiotsec_device_on_paging(aiotsec_device *dev, const uint8_t *rand_n, size_t rand_n_len,
                                         const uint8_t *perm_id, size_t perm_id_len,
                                         const uint8_t *filter, size_t filter_len,
                                         uint8_t *out, size_t cap, size_t *out_len);

/**
 * @brief A COMMAND REQUEST: verifies it (state, COUNT, MAC, decoding), acts on
 *        it, and writes the protected COMMAND RESPONSE.
 *
 * The first COMMAND REQUEST after a paging derives K_AIOTF and the algorithm
 * keys. Nothing is acted on unless the response fits in @p out. Statuses
 * (TS 29.569 names): READ or WRITE outside the memory, or a WRITE touching the
 * write-protected range, COMMAND_TYPE_SPECIFIC_PARAMETERS_INVALID; a verified
 * message of an unknown type or with an unknown command code,
 * MESSAGE_TYPE_NON_EXISTENT_OR_NOT_IMPLEMENTED; a verified COMMAND REQUEST with
 * a missing or malformed mandatory IE, INVALID_MANDATORY_INFORMATION (both
 * answered only when the message holds a transaction ID, octet 3); not enough
 * energy (the @c energy callback), LOW_ENERGY. PERMANENT_DISABLE answers
 * success, then the device is silent for good.
 * @param dev The device.
 * @param in The protected COMMAND REQUEST.
 * @param len Its length.
 * @param[out] out Buffer for the protected COMMAND RESPONSE.
 * @param cap Capacity of @p out (aiotsec_nas_maxbytes() of the profile is always enough; 7 + 5 + 3 +
 *        1024 = 1039 in profile 0).
 *        @p out may be @p in itself (the response is written over the request).
 * @param[out] out_len Receives its length (0 when nothing is sent).
 * @return ::AIOTSEC_OK (send @p out), ::AIOTSEC_E_DEVICE_DISABLED,
 *         ::AIOTSEC_E_BAD_STATE (no procedure), ::AIOTSEC_E_NAS_TOO_LONG (a ciphered
 *         request whose deciphered payload exceeds AIOTSEC_DEVICE_MSG_MAX octets),
 *         ::AIOTSEC_E_UNSUPPORTED (NIA2 or NEA2 configured in a device-only build
 *         without AES), ::AIOTSEC_E_ABORTED (the procedure
 *         was aborted by a paging that did not address the device), the
 *         statuses of aiotsec_nas_unprotect() (e.g. ::AIOTSEC_E_MAC_MISMATCH,
 *         ::AIOTSEC_E_REPLAY), ::AIOTSEC_E_WRONG_DIRECTION, a decoding status of a
 *         verified message too short to answer, ::AIOTSEC_E_BUFFER_TOO_SMALL or a
 *         backend status.
 */
AIOTSEC_API AIOTSEC_WUR int aiotsec_device_on_command(aiotsec_device *dev, const uint8_t *in, size_t len,
                                                      uint8_t *out, size_t cap, size_t *out_len);

/**
 * @brief The device's state.
 * @param dev The device.
 * @param[out] state Receives its ::aiotsec_device_state.
 * @return ::AIOTSEC_OK or ::AIOTSEC_E_NULL_ARG.
 */
AIOTSEC_API int aiotsec_device_state_get(const aiotsec_device *dev, aiotsec_device_state *state);

/**
 * @brief The device's counters.
 * @param dev The device.
 * @param[out] out Receives them.
 * @return ::AIOTSEC_OK or ::AIOTSEC_E_NULL_ARG.
 */
AIOTSEC_API int aiotsec_device_stats_get(const aiotsec_device *dev, aiotsec_device_stats *out);

/**
 * @brief Size of ::aiotsec_device_config (for bindings).
 * @return sizeof(aiotsec_device_config).
 */
AIOTSEC_API size_t aiotsec_device_config_structbytes(void);

/**
 * @brief Size of ::aiotsec_device_stats (for bindings).
 * @return sizeof(aiotsec_device_stats).
 */
AIOTSEC_API size_t aiotsec_device_stats_structbytes(void);

#ifdef __cplusplus
}
#endif

/** @} */

#endif /* AIOTSEC_DEVICE_H */
