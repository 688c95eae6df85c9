/**
 * @file h2_client.h
 * @brief libaiotsec-h2client: the AIOTF's asynchronous ADM client over HTTP/2
 *        (Nadm_Sec, TS 29.369 v19.2.0 over TS 29.500), a companion library.
 *
 * It carries the requests an ::aiotsec_aiotf queues (aiotsec_aiotf_next_requests())
 * to a remote ADM and hands the answers back (aiotsec_aiotf_on_rand(),
 * aiotsec_aiotf_on_authentication(), aiotsec_aiotf_on_session_key()): the same
 * loop as aiotsec_aiotf_pump_local(), with the network in between. Bodies are
 * libaiotsec-sbi's; HTTP/2 is libcurl's (multi interface, nghttp2).
 *
 * - **Connections.** The client keeps @c connections HTTP/2 connections ("lanes")
 *   to the ADM and multiplexes its requests over them; connections are reused
 *   from request to request.
 * - **Timeouts.** Each request gets min(@c request_timeout_ms, time left before
 *   its procedure's deadline).
 * - **Failures.** No answer (connection refused or lost, timeout) and 429, 3xx
 *   and 5xx answers are given to the AIOTF as ::AIOTSEC_E_TRANSPORT: it queues
 *   the request again until the procedure's deadline. When it comes back the
 *   client sends it on another connection than the one that failed, after a
 *   delay that doubles with each failure of that request (@c retry_delay_ms up
 *   to @c retry_delay_max_ms); a connection that failed is rested the same way
 *   and reopened fresh. Other answers map as aiotsec_sbi_answer_status() says.
 *
 * Time: the AIOTF's calls take the time from @c clock (default: CLOCK_MONOTONIC
 * in milliseconds); give the AIOTF's other calls the same clock.
 *
 * Secrets: response bodies hold XRES_AIOT and K_AIOTF; the client's own copies
 * are wiped after use. libcurl and nghttp2 copy them through buffers of their
 * own that they free without wiping.
 *
 * A client is not thread-safe: one per thread, with its own AIOTF. Functions
 * return ::AIOTSEC_OK (0) or a negative ::aiotsec_status.
 * @ingroup h2client
 */
#ifndef AIOTSEC_H2_CLIENT_H
#define AIOTSEC_H2_CLIENT_H

/** @addtogroup h2client
 * @{ */

#include <stddef.h>
#include <stdint.h>

#include "aiotsec/aiotf.h"
#include "aiotsec/nadm.h"
#include "aiotsec/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Marks a function as part of the exported API of libaiotsec-h2client. */
#if defined(AIOTSEC_H2C_BUILDING_LIBRARY) && defined(__GNUC__)
#define AIOTSEC_H2C_API __attribute__((visibility("default")))
#else
#define AIOTSEC_H2C_API
#endif

/** @brief Room for a ProblemDetails `cause` in an event, with its NUL. */
#define AIOTSEC_H2C_CAUSE_MAX 64u

/** @brief A client (opaque). */
typedef struct aiotsec_h2c aiotsec_h2c;

/**
 * @brief A monotonic clock in milliseconds.
 * @param arg The configuration's @c clock_arg.
 * @return Now.
 */
typedef uint64_t (*aiotsec_h2c_clock_fn)(void *arg);

/** @brief One request's outcome, as given to the AIOTF (for logs, narration, metrics). */
typedef struct aiotsec_h2c_event {
    const aiotsec_adm_request *req;  /**< The request (the client's copy: valid during the call only). */
    int http_status;                 /**< The HTTP status; 0 when no answer came. */
    int status;                      /**< What the AIOTF was given (::AIOTSEC_E_TRANSPORT: it retries). */
    int aiotf_status;                /**< What the aiotsec_aiotf_on_*() call returned. */
    const aiotsec_auth_answer *ans;  /**< getAuthentication answered: its candidate sets; else NULL. */
    const uint8_t *rand_n;           /**< getRand answered: RAND_AIOT_n (16 octets); else NULL. */
    char cause[AIOTSEC_H2C_CAUSE_MAX]; /**< The ProblemDetails `cause` of an error answer, "" when none. */
    const char *transport_error;     /**< Why no answer came (libcurl's words), else NULL. */
    uint32_t latency_ms;             /**< From sending to the answer. */
    unsigned connection;             /**< The connection (lane) used, 0 .. connections - 1. */
} aiotsec_h2c_event;

/**
 * @brief Called once per answered request, after the AIOTF was given the answer.
 * @param arg The configuration's @c event_arg.
 * @param ev The outcome (valid during the call only).
 */
typedef void (*aiotsec_h2c_event_fn)(void *arg, const aiotsec_h2c_event *ev);

/** @brief Client configuration; initialise with aiotsec_h2c_config_init(). */
typedef struct aiotsec_h2c_config {
    uint32_t struct_size;         /**< sizeof(aiotsec_h2c_config). */
    const char *api_root;         /**< The ADM's apiRoot: "http://HOST:PORT" (h2c, prior knowledge) or
                                       "https://HOST:PORT" (TLS, ALPN h2), optionally with a path; the
                                       operations are at {api_root}/nadm-sec/v1/... Required. */
    const char *ca_file;          /**< https: PEM file of the CAs that may sign the ADM's certificate
                                       (NULL: the system's). */
    uint32_t connections;         /**< HTTP/2 connections kept (default 2; 1..16). */
    uint32_t max_in_flight;       /**< Requests sent or waiting at once (default 64; 1..4096). */
    uint32_t request_timeout_ms;  /**< Per request (default 2000). */
    uint32_t connect_timeout_ms;  /**< Per connection attempt (default 1000). */
    uint32_t retry_delay_ms;      /**< First delay before a request is sent again (default 50). */
    uint32_t retry_delay_max_ms;  /**< Its ceiling (default 1000). */
    size_t max_auth_entries;      /**< Largest getAuthentication answer read, in entries (default 65536). */
    aiotsec_h2c_clock_fn clock;   /**< NULL: CLOCK_MONOTONIC in milliseconds. */
    void *clock_arg;              /**< Passed to @c clock. */
    aiotsec_h2c_event_fn on_event;/**< Optional. */
    void *event_arg;              /**< Passed to @c on_event. */
} aiotsec_h2c_config;

/** @brief Counters of a client. */
typedef struct aiotsec_h2c_stats {
    uint64_t sent;                /**< Requests sent (retries included). */
    uint64_t answered;            /**< Requests answered to the AIOTF (whatever the outcome). */
    uint64_t no_answer;           /**< Of those, given ::AIOTSEC_E_TRANSPORT because no HTTP answer came. */
    uint64_t timeouts;            /**< Of those, timed out. */
    uint64_t retryable_status;    /**< Given ::AIOTSEC_E_TRANSPORT for a 429, 3xx or 5xx answer. */
    uint64_t bad_answers;         /**< 2xx answers that did not parse. */
    uint64_t by_class[6];         /**< HTTP answers by class: [2] 2xx, [4] 4xx, [5] 5xx. */
    uint64_t connections;         /**< Connections opened. */
} aiotsec_h2c_stats;

/**
 * @brief Fills @p cfg with the defaults and sets struct_size.
 * @param[out] cfg The configuration.
 * @return ::AIOTSEC_OK or ::AIOTSEC_E_NULL_ARG.
 */
AIOTSEC_H2C_API int aiotsec_h2c_config_init(aiotsec_h2c_config *cfg);

/**
 * @brief Makes a client (allocates every slot, easy handle and buffer up front;
 *        connects lazily, at the first request).
 * @param[out] out Receives the client; free with aiotsec_h2c_free().
 * @param cfg The configuration (strings copied).
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_BAD_VALUE (a field; an
 *         api_root that is not http:// or https://) or ::AIOTSEC_E_NO_MEMORY.
 */
AIOTSEC_H2C_API int aiotsec_h2c_new(aiotsec_h2c **out, const aiotsec_h2c_config *cfg);

/**
 * @brief Frees a client: requests still in flight are abandoned (their
 *        procedures expire in the AIOTF). NULL is ignored.
 * @param c The client.
 */
AIOTSEC_H2C_API void aiotsec_h2c_free(aiotsec_h2c *c);

/**
 * @brief One round: takes the AIOTF's queued requests (as many as there is room
 *        for), sends them, and hands back every answer that arrives, waiting up
 *        to @p wait_ms for the first one.
 * @param c The client.
 * @param aiotf The AIOTF (the same one on every call).
 * @param wait_ms Longest wait when nothing is answered at once (0: do not wait).
 * @param[out] answered Receives how many answers were handed back; may be NULL.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG or ::AIOTSEC_E_BACKEND_FAILURE (libcurl
 *         failed as a whole; each request's own outcome is in its procedure).
 */
AIOTSEC_H2C_API int aiotsec_h2c_pump(aiotsec_h2c *c, aiotsec_aiotf *aiotf, uint32_t wait_ms, size_t *answered);

/**
 * @brief Pumps until the AIOTF has no queued request and none is in flight, or
 *        @p max_ms have passed.
 * @param c The client.
 * @param aiotf The AIOTF.
 * @param max_ms Longest time spent.
 * @return ::AIOTSEC_OK (settled), ::AIOTSEC_E_IN_PROGRESS (time ran out),
 *         ::AIOTSEC_E_NULL_ARG or ::AIOTSEC_E_BACKEND_FAILURE.
 */
AIOTSEC_H2C_API int aiotsec_h2c_settle(aiotsec_h2c *c, aiotsec_aiotf *aiotf, uint32_t max_ms);

/**
 * @brief Requests taken from the AIOTF and not answered yet (sent or waiting to be).
 * @param c The client.
 * @return The count; 0 for NULL.
 */
AIOTSEC_H2C_API size_t aiotsec_h2c_in_flight(const aiotsec_h2c *c);

/**
 * @brief The client's counters.
 * @param c The client.
 * @param[out] out Receives them.
 * @return ::AIOTSEC_OK or ::AIOTSEC_E_NULL_ARG.
 */
AIOTSEC_H2C_API int aiotsec_h2c_stats_get(const aiotsec_h2c *c, aiotsec_h2c_stats *out);

#ifdef __cplusplus
}
#endif

/** @} */

#endif /* AIOTSEC_H2_CLIENT_H */
