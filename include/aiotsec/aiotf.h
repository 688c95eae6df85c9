/**
 * @file aiotf.h
 * @brief The AIOTF role: inventory and command procedures (spec sections 1 and 6).
 *
 * For each procedure the AIOTF asks the ADM for a fresh RAND_AIOT_n (step 1)
 * and keeps a pending context keyed by it, with a deadline. An Inventory
 * Report (step 6) is matched to its pending context by RAND_AIOT_n and the
 * identification information; a report that matches none, or arrives after
 * the deadline, is dropped and counted *before* any ADM call (the
 * amplification defence of step 3). A matched report costs one
 * Nadm_SecAuthentication_Get; RES_AIOT is compared with XRES_AIOT in constant
 * time. An inventory ends there. A command procedure continues with
 * Nadm_SecSessionKey_Get, a NAS security context from K_AIOTF, protected
 * COMMAND REQUESTs and verified COMMAND RESPONSEs, until aiotsec_aiotf_finish().
 *
 * Time is the caller's: every call that needs it takes @p now_ms, a monotonic
 * clock in milliseconds; the library never reads a clock. The pending table is
 * allocated once, at creation: no call after that allocates. An AIOTF is not
 * thread-safe (one per thread, or a lock around it).
 */
#ifndef AIOTSEC_AIOTF_H
#define AIOTSEC_AIOTF_H

#include <stddef.h>
#include <stdint.h>

#include "aiotsec/adm.h"
#include "aiotsec/context.h"
#include "aiotsec/export.h"
#include "aiotsec/keystore.h"
#include "aiotsec/nas.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief An AIOTF (opaque). */
typedef struct aiotsec_aiotf aiotsec_aiotf;

/** @brief Kinds of procedure. */
typedef enum aiotsec_proc_type {
    AIOTSEC_PROC_INVENTORY = 1, /**< Inventory: authentication only. */
    AIOTSEC_PROC_COMMAND = 2    /**< Command: authentication, K_AIOTF, protected commands. */
} aiotsec_proc_type;

/** @brief AIOTF configuration; initialise with aiotsec_aiotf_config_init(). */
typedef struct aiotsec_aiotf_config {
    uint32_t struct_size; /**< sizeof(aiotsec_aiotf_config). */
    size_t max_pending;   /**< Most procedures at once (default 4096; 1..2^24). */
    uint32_t timeout_ms;  /**< Deadline of a procedure step, from its start or its last command (default 5000). */
    unsigned int_alg;     /**< Integrity algorithm for commands (default: the profile's). */
    unsigned enc_alg;     /**< Ciphering algorithm for commands (default: the profile's). */
} aiotsec_aiotf_config;

/** @brief Counters of an AIOTF. */
typedef struct aiotsec_aiotf_stats {
    uint64_t started;            /**< Procedures started. */
    uint64_t authenticated;      /**< Reports whose RES_AIOT matched. */
    uint64_t auth_failed;        /**< Reports whose RES_AIOT did not match. */
    uint64_t unsolicited;        /**< Reports matching no pending procedure (dropped, no ADM call). */
    uint64_t late;               /**< Reports or responses after the deadline (dropped, no ADM call). */
    uint64_t malformed;          /**< Reports whose AUTHENTICATION RESPONSE did not decode (no ADM call). */
    uint64_t adm_calls;          /**< Calls to the ADM (all three operations). */
    uint64_t commands_sent;      /**< COMMAND REQUESTs protected. */
    uint64_t responses_ok;       /**< COMMAND RESPONSEs verified. */
    uint64_t responses_rejected; /**< COMMAND RESPONSEs refused (integrity, COUNT, decoding, transaction). */
    uint64_t expired;            /**< Procedures removed by aiotsec_aiotf_expire(). */
} aiotsec_aiotf_stats;

/** @brief What a successful report established. */
typedef struct aiotsec_aiotf_result {
    uint64_t proc_id;                 /**< The procedure. */
    int type;                         /**< Its ::aiotsec_proc_type. */
    uint8_t perm_id[AIOTSEC_ID_MAX];  /**< The device's Permanent Identifier (from the ADM). */
    size_t perm_id_len;               /**< Its length. */
} aiotsec_aiotf_result;

/**
 * @brief Fills @p cfg with defaults and sets struct_size.
 * @param[out] cfg The configuration.
 * @param ctx The context whose profile gives the default algorithms.
 * @return ::AIOTSEC_OK or ::AIOTSEC_E_NULL_ARG.
 */
AIOTSEC_API int aiotsec_aiotf_config_init(aiotsec_aiotf_config *cfg, const aiotsec_ctx *ctx);

/**
 * @brief Makes an AIOTF.
 * @param[out] out Receives the AIOTF; free with aiotsec_aiotf_free().
 * @param ctx The context (must outlive the AIOTF).
 * @param adm The ADM client table (copied; its @c user must outlive the AIOTF).
 * @param cfg Configuration; NULL for the defaults.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_BAD_VALUE (a table or
 *         configuration field), ::AIOTSEC_E_NO_MEMORY.
 */
AIOTSEC_API int aiotsec_aiotf_new(aiotsec_aiotf **out, const aiotsec_ctx *ctx,
                                  const aiotsec_adm_client *adm, const aiotsec_aiotf_config *cfg);

/**
 * @brief Wipes every pending context and frees the AIOTF. NULL is ignored.
 * @param aiotf The AIOTF.
 */
AIOTSEC_API void aiotsec_aiotf_free(aiotsec_aiotf *aiotf);

/**
 * @brief Starts a procedure (steps 1 and 2): a fresh RAND_AIOT_n from the ADM
 *        and a pending context for the device @p ident.
 * @param aiotf The AIOTF.
 * @param type An ::aiotsec_proc_type.
 * @param ident Identification information of the device to page (1..64 octets).
 * @param ident_len Its length.
 * @param now_ms Now (monotonic milliseconds); the deadline is now + timeout.
 * @param[out] rand_n Receives RAND_AIOT_n, to send in the Inventory Request.
 * @param rand_n_cap Capacity of @p rand_n.
 * @param[out] proc_id Receives the procedure's identifier.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_BAD_VALUE (type),
 *         ::AIOTSEC_E_BAD_LENGTH, ::AIOTSEC_E_BUFFER_TOO_SMALL,
 *         ::AIOTSEC_E_LIMIT (max_pending procedures are already pending) or the ADM's status.
 */
AIOTSEC_API int aiotsec_aiotf_start(aiotsec_aiotf *aiotf, int type, const uint8_t *ident,
                                    size_t ident_len, uint64_t now_ms, uint8_t *rand_n,
                                    size_t rand_n_cap, uint64_t *proc_id);

/**
 * @brief An Inventory Report (steps 6 to 11).
 *
 * Unsolicited and late reports are dropped without an ADM call. A report that
 * fails authentication ends its procedure. On success an inventory ends; a
 * command procedure now has its NAS security context.
 * @param aiotf The AIOTF.
 * @param now_ms Now (monotonic milliseconds).
 * @param rand_n RAND_AIOT_n the report answers (from NG-RAN's correlation).
 * @param rand_n_len Its length.
 * @param ident Identification information of the reporting device.
 * @param ident_len Its length.
 * @param nas The AUTHENTICATION RESPONSE (plain AIOT NAS).
 * @param nas_len Its length.
 * @param[out] result Receives the procedure and Permanent Identifier on success; may be NULL.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NO_PENDING, ::AIOTSEC_E_EXPIRED,
 *         ::AIOTSEC_E_AUTH_FAILED, a decoding status (the procedure stays
 *         pending), ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_BAD_LENGTH, or the ADM's status.
 */
AIOTSEC_API AIOTSEC_WUR int aiotsec_aiotf_on_report(aiotsec_aiotf *aiotf, uint64_t now_ms,
                                                    const uint8_t *rand_n, size_t rand_n_len,
                                                    const uint8_t *ident, size_t ident_len,
                                                    const uint8_t *nas, size_t nas_len,
                                                    aiotsec_aiotf_result *result);

/** @brief One Inventory Report of a batch (see aiotsec_aiotf_on_reports()). */
typedef struct aiotsec_aiotf_report {
    const uint8_t *rand_n; /**< RAND_AIOT_n the report answers. */
    size_t rand_n_len;     /**< Its length. */
    const uint8_t *ident;  /**< Identification information of the reporting device. */
    size_t ident_len;      /**< Its length. */
    const uint8_t *nas;    /**< The AUTHENTICATION RESPONSE (plain AIOT NAS). */
    size_t nas_len;        /**< Its length. */
} aiotsec_aiotf_report;

/**
 * @brief Many Inventory Reports at once: each as aiotsec_aiotf_on_report(), in order.
 *
 * Unsolicited, late and malformed reports are dropped first, without an ADM
 * call; the others go to the ADM together (one batch when the client is
 * aiotsec_adm_client_local(), see aiotsec_adm_sec_authentication_get_batch()).
 * A second report for the same procedure in one call is unsolicited. No allocation.
 * @param aiotf The AIOTF.
 * @param now_ms Now (monotonic milliseconds).
 * @param reports The reports.
 * @param n Number of reports (0 does nothing).
 * @param[out] statuses Receives n statuses, each as aiotsec_aiotf_on_report() would return.
 * @param[out] results Receives n results (valid where the status is ::AIOTSEC_OK); may be NULL.
 * @return ::AIOTSEC_OK when every report was processed (verdicts in @p statuses),
 *         or ::AIOTSEC_E_NULL_ARG.
 */
AIOTSEC_API int aiotsec_aiotf_on_reports(aiotsec_aiotf *aiotf, uint64_t now_ms,
                                         const aiotsec_aiotf_report *reports, size_t n,
                                         int *statuses, aiotsec_aiotf_result *results);

/**
 * @brief Size of ::aiotsec_aiotf_report (for bindings).
 * @return sizeof(aiotsec_aiotf_report).
 */
AIOTSEC_API size_t aiotsec_aiotf_report_size(void);

/**
 * @brief Builds a protected COMMAND REQUEST for an authenticated command procedure.
 * @param aiotf The AIOTF.
 * @param proc_id The procedure.
 * @param now_ms Now; the deadline for the response becomes now + timeout.
 * @param command An ::aiotsec_cmd.
 * @param offset Memory offset (READ, WRITE).
 * @param length Read length (READ).
 * @param data Write data (WRITE); may be NULL otherwise.
 * @param data_len Its length (WRITE, 1..1024).
 * @param[out] out Buffer for the protected message.
 * @param cap Capacity of @p out.
 * @param[out] out_len Receives the length.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_NO_PENDING (unknown
 *         procedure), ::AIOTSEC_E_BAD_STATE (not an authenticated command procedure),
 *         or a status of aiotsec_nas_protect_msg().
 */
AIOTSEC_API int aiotsec_aiotf_command(aiotsec_aiotf *aiotf, uint64_t proc_id, uint64_t now_ms,
                                      int command, uint16_t offset, uint16_t length,
                                      const uint8_t *data, size_t data_len,
                                      uint8_t *out, size_t cap, size_t *out_len);

/**
 * @brief Verifies and decodes a COMMAND RESPONSE (COUNT, MAC, transaction ID).
 * @param aiotf The AIOTF.
 * @param proc_id The procedure.
 * @param now_ms Now.
 * @param in The protected COMMAND RESPONSE.
 * @param len Its length.
 * @param work Buffer for the plain message; @p msg's views point into it.
 * @param work_cap Its capacity (len is enough).
 * @param[out] msg Receives the response.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NO_PENDING, ::AIOTSEC_E_BAD_STATE (no command
 *         outstanding), ::AIOTSEC_E_EXPIRED, ::AIOTSEC_E_BAD_VALUE (transaction ID
 *         not the one sent), or a status of aiotsec_nas_verify_decode().
 */
AIOTSEC_API AIOTSEC_WUR int aiotsec_aiotf_on_command_response(aiotsec_aiotf *aiotf, uint64_t proc_id,
                                                              uint64_t now_ms, const uint8_t *in,
                                                              size_t len, uint8_t *work,
                                                              size_t work_cap, aiotsec_nas_msg *msg);

/**
 * @brief Ends a procedure and wipes its context.
 * @param aiotf The AIOTF.
 * @param proc_id The procedure.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG or ::AIOTSEC_E_NO_PENDING.
 */
AIOTSEC_API int aiotsec_aiotf_finish(aiotsec_aiotf *aiotf, uint64_t proc_id);

/**
 * @brief Removes every procedure whose deadline has passed.
 * @param aiotf The AIOTF.
 * @param now_ms Now.
 * @return The number removed (0 for NULL).
 */
AIOTSEC_API size_t aiotsec_aiotf_expire(aiotsec_aiotf *aiotf, uint64_t now_ms);

/**
 * @brief Number of pending procedures.
 * @param aiotf The AIOTF.
 * @return The count (0 for NULL).
 */
AIOTSEC_API size_t aiotsec_aiotf_pending(const aiotsec_aiotf *aiotf);

/**
 * @brief The AIOTF's counters.
 * @param aiotf The AIOTF.
 * @param[out] out Receives them.
 * @return ::AIOTSEC_OK or ::AIOTSEC_E_NULL_ARG.
 */
AIOTSEC_API int aiotsec_aiotf_stats_get(const aiotsec_aiotf *aiotf, aiotsec_aiotf_stats *out);

/**
 * @brief Size of ::aiotsec_aiotf_config (for bindings).
 * @return sizeof(aiotsec_aiotf_config).
 */
AIOTSEC_API size_t aiotsec_aiotf_config_size(void);

/**
 * @brief Size of ::aiotsec_aiotf_stats (for bindings).
 * @return sizeof(aiotsec_aiotf_stats).
 */
AIOTSEC_API size_t aiotsec_aiotf_stats_size(void);

/**
 * @brief Size of ::aiotsec_aiotf_result (for bindings).
 * @return sizeof(aiotsec_aiotf_result).
 */
AIOTSEC_API size_t aiotsec_aiotf_result_size(void);

#ifdef __cplusplus
}
#endif
#endif /* AIOTSEC_AIOTF_H */
