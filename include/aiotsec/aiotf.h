/**
 * @file aiotf.h
 * @brief The AIOTF role: group inventory and command procedures (spec sections 1 and 6.3).
 *
 * A procedure pages one device (its Permanent Identifier) or a group (a filter,
 * filter.h) with one RAND_AIOT_n and expects up to a given number of answers.
 * Every tag that answers sends its own RAND_AIOT_d and RES_AIOT and no
 * identifier; the AIOTF batches the answers of one paging into one
 * getAuthentication, and identifies each tag by the candidate of its set whose
 * XRES_AIOT equals its RES_AIOT (every candidate compared, in constant time).
 *
 * **The ADM is asynchronous and transport-agnostic.** The AIOTF never calls the
 * ADM: it queues ::aiotsec_adm_request values (nadm.h) that the application
 * takes with aiotsec_aiotf_next_requests(), carries by any means (an
 * in-process ADM, an HTTP/2 client, a queue) and answers later, in any order,
 * with aiotsec_aiotf_on_rand(), aiotsec_aiotf_on_authentication() and
 * aiotsec_aiotf_on_session_key(). An answer of ::AIOTSEC_E_TRANSPORT puts the
 * request back in the queue until the procedure's deadline: the procedure
 * survives a lost connection. aiotsec_aiotf_pump_local() is the loop for an
 * in-process ADM, written with the same calls.
 *
 * Life of a procedure:
 * 1. aiotsec_aiotf_start() queues getRand; aiotsec_aiotf_on_rand() gives the
 *    RAND_AIOT_n to page with.
 * 2. aiotsec_aiotf_on_report() takes each Inventory Report (RAND_AIOT_n and
 *    the AUTHENTICATION RESPONSE). Reports that match no pending procedure,
 *    arrive after the reporting deadline, repeat a RAND_AIOT_d already seen in
 *    the procedure, exceed the expected number, or do not decode are dropped
 *    before any ADM call, each with its own status and counter (NOTE 2). A few
 *    answers beyond the expected number are held back as spares: when a report
 *    proves forged (its RES_AIOT matches no candidate), a spare takes its place,
 *    so a forgery that arrives first cannot push a genuine tag over the cap;
 *    spares are dropped (::AIOTSEC_E_OVER_CAP) once the expected number of
 *    devices is identified.
 * 3. When the expected number has arrived, or ::aiotsec_aiotf_config.max_batch
 *    reports wait, or on aiotsec_aiotf_flush(), the waiting reports become one
 *    getAuthentication. An ADM that refuses it as too large
 *    (::AIOTSEC_E_TOO_MANY_DERIVATIONS) gets it again in halves: first fewer
 *    RAND_AIOT_d per request, then, for one report, a filter one bit narrower
 *    on each side (the spec's remedy: narrower filters).
 * 4. aiotsec_aiotf_on_authentication() decides each report: identified (its
 *    Permanent Identifier), ::AIOTSEC_E_AUTH_FAILED (no candidate matched: that
 *    report only fails, the procedure stays open for the genuine tags) or
 *    ::AIOTSEC_E_AMBIGUOUS (several matched).
 * 5. Command procedures: each identified device gets a getSessionKey; once
 *    answered, aiotsec_aiotf_command() protects COMMAND REQUESTs for it and
 *    aiotsec_aiotf_on_command_response() verifies its answers.
 * 6. aiotsec_aiotf_summary_get() and aiotsec_aiotf_devices() report per procedure
 *    and per device as TS 29.569 does (`FailureCause`, `DevicesRepInfo`);
 *    aiotsec_aiotf_finish() or aiotsec_aiotf_expire() end the procedure.
 *
 * Time is the caller's: every call that needs it takes @p now_ms, a monotonic
 * clock in milliseconds, right after the AIOTF and the identifier the call is
 * about (request, report), if any; the library never reads a clock. Every table is
 * allocated once, at creation: no call after that allocates. An AIOTF is not
 * thread-safe (one per thread, or a lock around it).
 * @ingroup aiotf
 */
#ifndef AIOTSEC_AIOTF_H
#define AIOTSEC_AIOTF_H

/** @addtogroup aiotf
 * @{ */

#include <stddef.h>
#include <stdint.h>

#include "aiotsec/adm.h"
#include "aiotsec/context.h"
#include "aiotsec/export.h"
#include "aiotsec/keystore.h"
#include "aiotsec/nadm.h"
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

/** @brief Why a procedure failed, as TS 29.569 `FailureCause` names it. */
typedef enum aiotsec_failure_cause {
    AIOTSEC_FAILURE_NONE = 0,             /**< At least one device was identified (or nothing is decided yet). */
    AIOTSEC_FAILURE_NO_SUCC_INV_RESP = 1, /**< `NO_SUCC_INV_RESP`: no inventory response was successful. */
    AIOTSEC_FAILURE_AUTH_FAILURE = 2      /**< `AUTH_FAILURE`: responses came, none authenticated. */
} aiotsec_failure_cause;

/** @brief AIOTF configuration; initialise with aiotsec_aiotf_config_init(). */
typedef struct aiotsec_aiotf_config {
    uint32_t struct_size;  /**< sizeof(aiotsec_aiotf_config). */
    uint32_t timeout_ms;   /**< Reporting window of a procedure, and its idle timeout (default 5000). */
    size_t max_procedures; /**< Procedures at once (default 1024; 1..2^24). */
    size_t max_reports;    /**< Reports held at once over all procedures (default 65536; 1..2^24). */
    size_t max_batch;      /**< Most RAND_AIOT_d in one getAuthentication (default 256; 1..65536). */
    size_t max_requests;   /**< ADM requests queued or outstanding at once (default 1024; 1..2^20). */
    size_t max_sessions;   /**< Command security contexts at once (default 256; 0..2^20). */
    size_t spare_reports;  /**< Answers a capped procedure holds back beyond its cap, without an ADM
                                call, to take the place of reports that prove forged (default 4; 0..65536). */
    unsigned int_alg;      /**< Integrity algorithm for commands (default: the profile's). */
    unsigned enc_alg;      /**< Ciphering algorithm for commands (default: the profile's). */
} aiotsec_aiotf_config;

/** @brief Counters of an AIOTF. */
typedef struct aiotsec_aiotf_stats {
    uint64_t started;            /**< Procedures started. */
    uint64_t reports;            /**< Inventory Reports given to the AIOTF. */
    uint64_t accepted;           /**< Reports queued for the ADM. */
    uint64_t authenticated;      /**< Reports whose RES_AIOT matched exactly one candidate. */
    uint64_t auth_failed;        /**< Reports whose RES_AIOT matched no candidate, or several. */
    uint64_t unsolicited;        /**< Dropped: no pending procedure for the RAND_AIOT_n. */
    uint64_t late;               /**< Dropped: after the reporting deadline (also late command responses). */
    uint64_t duplicate;          /**< Dropped: a RAND_AIOT_d already seen in the procedure. */
    uint64_t over_cap;           /**< Dropped: beyond the expected number of answers and the spares, or
                                      spares no longer needed. */
    uint64_t malformed;          /**< Dropped: the AUTHENTICATION RESPONSE did not decode. */
    uint64_t adm_requests;       /**< Requests handed out (retries included). */
    uint64_t adm_retries;        /**< Requests queued again after ::AIOTSEC_E_TRANSPORT. */
    uint64_t adm_splits;         /**< getAuthentication requests split after ::AIOTSEC_E_TOO_MANY_DERIVATIONS. */
    uint64_t adm_errors;         /**< Answers with another error. */
    uint64_t commands_sent;      /**< COMMAND REQUESTs protected. */
    uint64_t responses_ok;       /**< COMMAND RESPONSEs verified. */
    uint64_t responses_rejected; /**< COMMAND RESPONSEs refused (integrity, COUNT, decoding, transaction). */
    uint64_t expired;            /**< Procedures removed by aiotsec_aiotf_expire(). */
} aiotsec_aiotf_stats;

/** @brief A procedure's account (TS 29.569: the inventory or command result). */
typedef struct aiotsec_aiotf_summary {
    uint64_t proc_id;       /**< The procedure. */
    aiotsec_proc_type type;             /**< Its ::aiotsec_proc_type. */
    int paging;             /**< 1 once RAND_AIOT_n is known and reports are taken. */
    uint8_t rand_n[16];     /**< RAND_AIOT_n to page with (when @c paging). */
    uint32_t expected;      /**< Answers expected (0: no cap). */
    uint32_t accepted;      /**< Reports queued for the ADM (spares that took a forged report's place included). */
    uint32_t spares;        /**< Answers held back beyond the cap (promoted or not). */
    uint32_t waiting;       /**< Reports not decided yet (not sent, with the ADM, or held back). */
    uint32_t authenticated; /**< Reports that identified a device. */
    uint32_t auth_failed;   /**< Reports no candidate (or several) matched. */
    uint32_t errors;        /**< Reports the ADM could not answer (no candidate, limits, errors). */
    uint32_t late;          /**< Dropped after the reporting deadline. */
    uint32_t duplicate;     /**< Dropped as repeats of a RAND_AIOT_d. */
    uint32_t over_cap;      /**< Dropped beyond @c expected and the spares, or spares no longer needed. */
    uint32_t malformed;     /**< Dropped as undecodable. */
    int failure_cause;      /**< An ::aiotsec_failure_cause (NONE while @c waiting or once one is identified). */
} aiotsec_aiotf_summary;

/** @brief One report of a procedure and what it established (TS 29.569 `DevicesRepInfo`). */
typedef struct aiotsec_aiotf_device {
    uint64_t report_id;              /**< The report (the handle for commands to its device). */
    uint64_t proc_id;                /**< Its procedure. */
    int status;                      /**< ::AIOTSEC_OK (identified), ::AIOTSEC_E_IN_PROGRESS, or why not. */
    uint8_t perm_id[AIOTSEC_ID_MAX]; /**< `deviceId`: the Permanent Identifier when identified. */
    size_t perm_id_len;              /**< Its length (0 when not identified). */
    int held_back;                   /**< 1 while held back as a spare beyond the cap (no ADM request yet). */
    int secured;                     /**< 1 when commands can be sent (command procedures). */
    aiotsec_cmd_status last_cmd_status; /**< The ::aiotsec_cmd_status of its last COMMAND RESPONSE, 0 if none
                                          (`failCause`: aiotsec_cmd_status_cause()). */
} aiotsec_aiotf_device;

/** @brief One Inventory Report, for aiotsec_aiotf_on_reports(). */
typedef struct aiotsec_aiotf_report {
    const uint8_t *rand_n; /**< RAND_AIOT_n the report answers (NG-RAN's correlation). */
    size_t rand_n_len;     /**< Its length. */
    const uint8_t *nas;    /**< The AUTHENTICATION RESPONSE (plain AIOT NAS). */
    size_t nas_len;        /**< Its length. */
} aiotsec_aiotf_report;

/**
 * @brief Fills @p cfg with defaults and sets struct_size.
 * @param[out] cfg The configuration.
 * @param ctx The context whose profile gives the default algorithms.
 * @return ::AIOTSEC_OK or ::AIOTSEC_E_NULL_ARG.
 */
AIOTSEC_API int aiotsec_aiotf_config_init(aiotsec_aiotf_config *cfg, const aiotsec_ctx *ctx);

/**
 * @brief Makes an AIOTF and allocates every table it will use.
 * @param[out] out Receives the AIOTF; free with aiotsec_aiotf_free().
 * @param ctx The context (must outlive the AIOTF).
 * @param cfg Configuration; NULL for the defaults.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_BAD_VALUE (a configuration
 *         field), ::AIOTSEC_E_NO_MEMORY or a backend status (hash keys).
 */
AIOTSEC_API int aiotsec_aiotf_new(aiotsec_aiotf **out, const aiotsec_ctx *ctx, const aiotsec_aiotf_config *cfg);

/**
 * @brief Wipes every procedure and session and frees the AIOTF. NULL is ignored.
 * @param aiotf The AIOTF.
 */
AIOTSEC_API void aiotsec_aiotf_free(aiotsec_aiotf *aiotf);

/**
 * @brief Starts a procedure: queues its getRand (step 1).
 * @param aiotf The AIOTF.
 * @param now_ms Now; the reporting deadline is now + timeout.
 * @param type An ::aiotsec_proc_type.
 * @param perm_id The device to page, or NULL.
 * @param perm_id_len Its length (1..64; 0 with NULL).
 * @param filter The filter to page, or NULL (exactly one of @p perm_id and @p filter).
 * @param filter_len Its length.
 * @param expected Answers expected (the group size asked for, or a cap); 0: no cap.
 *        A named device is expected to answer once (0 or 1).
 * @param[out] proc_id Receives the procedure's identifier.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_BAD_VALUE (type, both or
 *         neither target, @p expected above 1 for a device), ::AIOTSEC_E_BAD_LENGTH,
 *         ::AIOTSEC_E_BAD_FILTER or ::AIOTSEC_E_LIMIT (no procedure or request slot free).
 */
AIOTSEC_API int aiotsec_aiotf_start(aiotsec_aiotf *aiotf, uint64_t now_ms, aiotsec_proc_type type,
                                    const uint8_t *perm_id, size_t perm_id_len, const uint8_t *filter,
                                    size_t filter_len, uint32_t expected, uint64_t *proc_id);

/**
 * @brief Takes requests for the ADM from the queue (oldest first) and marks them outstanding.
 *
 * The views in each request stay valid until its answer is given or its
 * procedure ends.
 * @param aiotf The AIOTF.
 * @param now_ms Now; requests of procedures past their deadline are dropped, not handed out.
 * @param[out] reqs Receives up to @p cap requests.
 * @param cap Capacity of @p reqs.
 * @param[out] n Receives how many were written (0: nothing to send).
 * @return ::AIOTSEC_OK or ::AIOTSEC_E_NULL_ARG.
 */
AIOTSEC_API int aiotsec_aiotf_next_requests(aiotsec_aiotf *aiotf, uint64_t now_ms, aiotsec_adm_request *reqs,
                                            size_t cap, size_t *n);

/**
 * @brief Number of requests waiting in the queue (not yet handed out).
 * @param aiotf The AIOTF.
 * @return The count; 0 for NULL.
 */
AIOTSEC_API size_t aiotsec_aiotf_queued_requests(const aiotsec_aiotf *aiotf);

/**
 * @brief The answer of a getRand request.
 * @param aiotf The AIOTF.
 * @param req_id The request's @c id.
 * @param now_ms Now.
 * @param status ::AIOTSEC_OK, ::AIOTSEC_E_TRANSPORT (queued again), or the ADM's
 *        error (the procedure ends).
 * @param rand_n RAND_AIOT_n (with ::AIOTSEC_OK): page with it.
 * @param rand_n_len Its length (16).
 * @param[out] proc_id Receives the procedure; may be NULL.
 * @return ::AIOTSEC_OK (the procedure pages, or the request was queued again),
 *         ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_NO_PENDING (no such outstanding request),
 *         ::AIOTSEC_E_BAD_LENGTH, ::AIOTSEC_E_DUPLICATE (another procedure has that
 *         RAND_AIOT_n: the request is queued again), ::AIOTSEC_E_EXPIRED (too late
 *         to retry: the procedure ended), or @p status when it ended the procedure.
 */
AIOTSEC_API int aiotsec_aiotf_on_rand(aiotsec_aiotf *aiotf, uint64_t req_id, uint64_t now_ms, int status,
                                      const uint8_t *rand_n, size_t rand_n_len, uint64_t *proc_id);

/**
 * @brief An Inventory Report (step 6): dropped, or queued for the ADM.
 * @param aiotf The AIOTF.
 * @param now_ms Now.
 * @param rand_n RAND_AIOT_n the report answers.
 * @param rand_n_len Its length.
 * @param nas The AUTHENTICATION RESPONSE (plain AIOT NAS).
 * @param nas_len Its length.
 * @param[out] report_id Receives the report's identifier when queued; may be NULL.
 * @return ::AIOTSEC_OK (queued, or held back as a spare: see aiotsec_aiotf_device_get()),
 *         ::AIOTSEC_E_NO_PENDING, ::AIOTSEC_E_EXPIRED,
 *         ::AIOTSEC_E_DUPLICATE_REPORT, ::AIOTSEC_E_OVER_CAP, a decoding status or
 *         ::AIOTSEC_E_BAD_LENGTH (dropped: no ADM call), ::AIOTSEC_E_LIMIT (no report
 *         slot free) or ::AIOTSEC_E_NULL_ARG.
 */
AIOTSEC_API int aiotsec_aiotf_on_report(aiotsec_aiotf *aiotf, uint64_t now_ms, const uint8_t *rand_n,
                                        size_t rand_n_len, const uint8_t *nas, size_t nas_len,
                                        uint64_t *report_id);

/**
 * @brief Many Inventory Reports: each as aiotsec_aiotf_on_report(), in order.
 * @param aiotf The AIOTF.
 * @param now_ms Now.
 * @param reports The reports.
 * @param n How many.
 * @param[out] statuses Receives n statuses.
 * @param[out] report_ids Receives n identifiers (0 where dropped); may be NULL.
 * @return ::AIOTSEC_OK (verdicts in @p statuses) or ::AIOTSEC_E_NULL_ARG.
 */
AIOTSEC_API int aiotsec_aiotf_on_reports(aiotsec_aiotf *aiotf, uint64_t now_ms,
                                         const aiotsec_aiotf_report *reports, size_t n, int *statuses,
                                         uint64_t *report_ids);

/**
 * @brief Sends what has arrived: the procedure's waiting reports become getAuthentication requests.
 * @param aiotf The AIOTF.
 * @param proc_id The procedure.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_NO_PENDING or
 *         ::AIOTSEC_E_LIMIT (no request slot free: flush again later).
 */
AIOTSEC_API int aiotsec_aiotf_flush(aiotsec_aiotf *aiotf, uint64_t proc_id);

/**
 * @brief The answer of a getAuthentication request (steps 9 and 10).
 *
 * With ::AIOTSEC_OK each report of the request is compared with every entry of
 * its set, in constant time. With ::AIOTSEC_E_TRANSPORT the request is queued
 * again (until the deadline); with ::AIOTSEC_E_TOO_MANY_DERIVATIONS it is split;
 * any other status decides its reports with that status.
 * @param aiotf The AIOTF.
 * @param req_id The request's @c id.
 * @param now_ms Now.
 * @param status The ADM's status.
 * @param ans The answer (with ::AIOTSEC_OK; may be NULL otherwise).
 * @param[out] decided Receives how many reports this answer decided; may be NULL.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_NO_PENDING (no such
 *         outstanding request) or ::AIOTSEC_E_BAD_ANSWER (the answer does not fit
 *         the request: its reports are decided with that status).
 */
AIOTSEC_API int aiotsec_aiotf_on_authentication(aiotsec_aiotf *aiotf, uint64_t req_id, uint64_t now_ms,
                                                int status, const aiotsec_auth_answer *ans, size_t *decided);

/**
 * @brief The answer of a getSessionKey request: the device's NAS security context.
 * @param aiotf The AIOTF.
 * @param req_id The request's @c id.
 * @param now_ms Now.
 * @param status The ADM's status (::AIOTSEC_E_TRANSPORT: queued again).
 * @param kaiotf K_AIOTF (with ::AIOTSEC_OK).
 * @param kaiotf_len 16.
 * @param[out] report_id Receives the report whose device it secures; may be NULL.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_NO_PENDING,
 *         ::AIOTSEC_E_BAD_LENGTH, ::AIOTSEC_E_LIMIT (no session slot), a status of
 *         aiotsec_nas_sec_init(), or @p status.
 */
AIOTSEC_API int aiotsec_aiotf_on_session_key(aiotsec_aiotf *aiotf, uint64_t req_id, uint64_t now_ms,
                                             int status, const uint8_t *kaiotf, size_t kaiotf_len,
                                             uint64_t *report_id);

/**
 * @brief Runs every queued request against an in-process ADM and hands the answers back,
 *        until the queue is empty (the ADM as one transport among others).
 * @param aiotf The AIOTF.
 * @param now_ms Now.
 * @param adm The ADM.
 * @param ans Scratch answer for getAuthentication (capacity at least the ADM's limit).
 * @param[out] handled Receives how many requests were answered; may be NULL.
 * @return ::AIOTSEC_OK or ::AIOTSEC_E_NULL_ARG (each request's own outcome is in its procedure).
 */
AIOTSEC_API int aiotsec_aiotf_pump_local(aiotsec_aiotf *aiotf, uint64_t now_ms, const aiotsec_adm *adm,
                                         aiotsec_auth_answer *ans, size_t *handled);

/**
 * @brief What a report established.
 * @param aiotf The AIOTF.
 * @param report_id The report.
 * @param[out] out Receives it.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG or ::AIOTSEC_E_NO_PENDING (no such report).
 */
AIOTSEC_API int aiotsec_aiotf_device_get(const aiotsec_aiotf *aiotf, uint64_t report_id,
                                         aiotsec_aiotf_device *out);

/**
 * @brief The reports of a procedure, in arrival order.
 * @param aiotf The AIOTF.
 * @param proc_id The procedure.
 * @param[out] out Receives up to @p cap entries (may be NULL when @p cap is 0).
 * @param cap Capacity of @p out.
 * @param[out] n Receives the procedure's number of reports (may exceed @p cap).
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG or ::AIOTSEC_E_NO_PENDING.
 */
AIOTSEC_API int aiotsec_aiotf_devices(const aiotsec_aiotf *aiotf, uint64_t proc_id, aiotsec_aiotf_device *out,
                                      size_t cap, size_t *n);

/**
 * @brief A procedure's account.
 * @param aiotf The AIOTF.
 * @param proc_id The procedure.
 * @param[out] out Receives it.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG or ::AIOTSEC_E_NO_PENDING.
 */
AIOTSEC_API int aiotsec_aiotf_summary_get(const aiotsec_aiotf *aiotf, uint64_t proc_id, aiotsec_aiotf_summary *out);

/**
 * @brief The TS 29.569 name of a failure cause, e.g. "NO_SUCC_INV_RESP".
 * @param cause An ::aiotsec_failure_cause.
 * @return A static string; "" for ::AIOTSEC_FAILURE_NONE, NULL for an unknown value.
 */
AIOTSEC_API const char *aiotsec_failure_cause_name(aiotsec_failure_cause cause);

/**
 * @brief Builds a protected COMMAND REQUEST for an identified, secured device.
 * @param aiotf The AIOTF.
 * @param report_id The report that identified the device.
 * @param now_ms Now; the deadline for the response becomes now + timeout.
 * @param command An ::aiotsec_cmd.
 * @param offset Memory offset (READ, WRITE).
 * @param length Read length (READ).
 * @param data Write data (WRITE); may be NULL otherwise.
 * @param data_len Its length (WRITE, 1..1024).
 * @param[out] out Buffer for the protected message.
 * @param cap Capacity of @p out.
 * @param[out] out_len Receives the length.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_NO_PENDING (unknown report),
 *         ::AIOTSEC_E_BAD_STATE (not a secured device of a command procedure),
 *         or a status of aiotsec_nas_protect_msg().
 */
AIOTSEC_API int aiotsec_aiotf_command(aiotsec_aiotf *aiotf, uint64_t report_id, uint64_t now_ms,
                                      aiotsec_cmd command, uint16_t offset, uint16_t length, const uint8_t *data,
                                      size_t data_len, uint8_t *out, size_t cap, size_t *out_len);

/**
 * @brief Verifies and decodes a COMMAND RESPONSE (COUNT, MAC, transaction ID).
 * @param aiotf The AIOTF.
 * @param report_id The report of the device.
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
AIOTSEC_API AIOTSEC_WUR int aiotsec_aiotf_on_command_response(aiotsec_aiotf *aiotf, uint64_t report_id,
                                                              uint64_t now_ms, const uint8_t *in, size_t len,
                                                              uint8_t *work, size_t work_cap,
                                                              aiotsec_nas_msg *msg);

/**
 * @brief Ends a procedure: wipes its reports and sessions; its outstanding requests
 *        are forgotten (their answers get ::AIOTSEC_E_NO_PENDING).
 * @param aiotf The AIOTF.
 * @param proc_id The procedure.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG or ::AIOTSEC_E_NO_PENDING.
 */
AIOTSEC_API int aiotsec_aiotf_finish(aiotsec_aiotf *aiotf, uint64_t proc_id);

/**
 * @brief Ends every procedure idle past its deadline (no report, answer or command for
 *        the timeout, and its reporting window closed).
 * @param aiotf The AIOTF.
 * @param now_ms Now.
 * @return The number ended (0 for NULL).
 */
AIOTSEC_API size_t aiotsec_aiotf_expire(aiotsec_aiotf *aiotf, uint64_t now_ms);

/**
 * @brief Number of procedures in progress.
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

/** @brief Size of ::aiotsec_aiotf_config (for bindings). @return sizeof(aiotsec_aiotf_config). */
AIOTSEC_API size_t aiotsec_aiotf_config_structbytes(void);
/** @brief Size of ::aiotsec_aiotf_stats (for bindings). @return sizeof(aiotsec_aiotf_stats). */
AIOTSEC_API size_t aiotsec_aiotf_stats_structbytes(void);
/** @brief Size of ::aiotsec_aiotf_summary (for bindings). @return sizeof(aiotsec_aiotf_summary). */
AIOTSEC_API size_t aiotsec_aiotf_summary_structbytes(void);
/** @brief Size of ::aiotsec_aiotf_device (for bindings). @return sizeof(aiotsec_aiotf_device). */
AIOTSEC_API size_t aiotsec_aiotf_device_structbytes(void);
/** @brief Size of ::aiotsec_aiotf_report (for bindings). @return sizeof(aiotsec_aiotf_report). */
AIOTSEC_API size_t aiotsec_aiotf_report_structbytes(void);

#ifdef __cplusplus
}
#endif

/** @} */

#endif /* AIOTSEC_AIOTF_H */
