/**
 * @file h2_server.h
 * @brief The Nadm_Sec ADM over HTTP/2 (TS 29.500 / TS 29.369 v19.2.0): the server
 *        behind `aiotsec adm serve` (a static companion library, aiotsec_h2server).
 *
 * Built on libnghttp2 (HTTP/2 framing, HPACK, flow control) and libevent (sockets,
 * timers, signals; bufferevent_openssl for TLS): this library adds the Nadm_Sec
 * routing, the limits, the workers and the key-store generations. Bodies are
 * libaiotsec-sbi's; the core library gains no network dependency.
 *
 * - `POST {apiRoot}/nadm-sec/v1/get-rand | get-authentication | get-session-key |
 *   get-tid`, `application/json`; HTTP/2 with prior knowledge (h2c), or TLS with
 *   ALPN `h2` when a certificate is given.
 * - Errors are `application/problem+json` ProblemDetails: 400 (with
 *   `invalidParams`), 404, 405, 411, 413 (also an answer larger than the whole
 *   memory budget), 415, 429 (the bounded queue, the memory budget of a worker or a
 *   connection's share of it is full), 500 (INSUFFICIENT_RESOURCES: out of memory),
 *   503 (starting: no key store yet; stopping).
 * - Memory: request bodies, as their octets arrive, and response copies, until
 *   they are sent, are counted against @c memory_limit per worker; one connection
 *   holds at most max(@c memory_limit / 8, @c max_body) of bodies and as much of
 *   unread answers (its further requests wait). A body must be complete within
 *   @c idle_timeout_ms of its HEADERS, an answer must make progress every
 *   @c write_timeout_ms: otherwise the stream is reset and its memory freed.
 * - Workers: threads, each with its own event loop, connections, parser, answer
 *   and response buffer, sharing one ADM (and so one key store) read-only. One
 *   thread accepts and hands connections out.
 * - Key-store generations: the key store is loaded by the application's
 *   callback on a loader thread, at start and on reload (SIGHUP); workers move to
 *   the new generation between requests, and the old one is released when the
 *   last worker has left it: no request in flight is dropped.
 * - Stop (SIGTERM, SIGINT): the listener closes, every connection gets a GOAWAY,
 *   requests already received are answered, later ones get 503; then run()
 *   returns ::AIOTSEC_OK.
 * - One log line per request (operation, HTTP status, library status, latency,
 *   candidates per RAND_AIOT_d): never a key, RES, XRES_AIOT or K_AIOTF; response
 *   bodies are never logged.
 *
 * Secrets: response bodies of getAuthentication and getSessionKey hold XRES_AIOT
 * and K_AIOTF. The server's own copies are wiped when freed; the copies nghttp2,
 * libevent and OpenSSL make on the way out are freed by them without wiping.
 */
#ifndef AIOTSEC_H2_SERVER_H
#define AIOTSEC_H2_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "aiotsec/aiotsec.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief A server (opaque). */
typedef struct aiotsec_h2s aiotsec_h2s;

/** @brief Log levels: each level includes the ones before it. */
typedef enum aiotsec_h2s_log_level {
    AIOTSEC_H2S_LOG_NONE = 0,  /**< Nothing. */
    AIOTSEC_H2S_LOG_ERROR = 1, /**< Failures: a key store that does not load, a socket error. */
    AIOTSEC_H2S_LOG_WARN = 2,  /**< Also answers with 5xx and 429, connections cut. */
    AIOTSEC_H2S_LOG_INFO = 3,  /**< Also one line per request, and the life cycle (listening, ready, reloaded). */
    AIOTSEC_H2S_LOG_DEBUG = 4  /**< Also connections opened and closed. */
} aiotsec_h2s_log_level;

/**
 * @brief Loads a key store and makes an ADM over it (called on the loader thread).
 * @param arg The configuration's @c store_arg.
 * @param[out] adm Receives the ADM (shared by every worker: it must be thread-safe, as adm.h describes).
 * @param[out] owner Receives what aiotsec_h2s_unload_fn() frees.
 * @param[out] devices Receives the number of devices, for the log (0 if unknown).
 * @return ::AIOTSEC_OK, or a status: at start the server does not serve, on a reload the old store
 *         stays. ::AIOTSEC_E_UNSUPPORTED on a reload says that the store follows its changes
 *         itself (a database): there is nothing to reload, and the log says so.
 */
typedef int (*aiotsec_h2s_load_fn)(void *arg, const aiotsec_adm **adm, void **owner, size_t *devices);
/**
 * @brief Frees a generation once no worker uses it (any thread).
 * @param arg The configuration's @c store_arg.
 * @param owner What the load gave.
 */
typedef void (*aiotsec_h2s_unload_fn)(void *arg, void *owner);
/**
 * @brief A worker goes idle (e.g. to let a key database free retired keys); may be NULL.
 * @param arg The configuration's @c store_arg.
 * @param owner The generation the worker uses.
 */
typedef void (*aiotsec_h2s_idle_fn)(void *arg, void *owner);

/** @brief Server configuration; initialise with aiotsec_h2s_config_init(). */
typedef struct aiotsec_h2s_config {
    uint32_t struct_size;        /**< sizeof(aiotsec_h2s_config). */
    const char *listen;          /**< "ADDR:PORT" (numeric; IPv6 as "[::1]:8080"); port 0 picks a free one. Default "127.0.0.1:8080". */
    int allow_cleartext_remote;  /**< Without TLS, listen on a non-loopback address only when set (h2c carries XRES_AIOT and K_AIOTF in clear). */
    unsigned workers;            /**< Worker threads, 1..256 (default: online CPUs, at most 16). */
    const char *tls_cert;        /**< PEM certificate chain: TLS with ALPN h2 (NULL: h2c). */
    const char *tls_key;         /**< PEM private key (with @c tls_cert). */
    size_t max_body;             /**< Largest request body (default 4 MiB, the SBI handler's; at most 16 MiB). */
    size_t queue;                /**< Complete requests waiting per worker before 429 (default 1024). */
    size_t memory_limit;         /**< Request and response octets held per worker before 429 (default 64 MiB); a connection's share: max(1/8 of it, max_body). */
    uint32_t max_streams;        /**< SETTINGS_MAX_CONCURRENT_STREAMS (default 128). */
    uint32_t max_connections;    /**< Connections at once over all workers; more are closed at accept (default 4096; lowered at run, with a warning, to what fits under RLIMIT_NOFILE). */
    uint32_t idle_timeout_ms;    /**< A connection that sends nothing but PINGs for this long is closed; a request body not complete this long after its HEADERS is reset (default 60000). */
    uint32_t write_timeout_ms;   /**< A peer that reads nothing for this long is cut off; an answer that makes no progress (socket or flow control) for this long is reset (default 30000). */
    uint32_t drain_timeout_ms;   /**< Longest drain at stop before connections are cut (default 10000). */
    int log_level;               /**< An ::aiotsec_h2s_log_level (default INFO). */
    int log_fd;                  /**< Where log lines go (default 2, stderr); one write(2) per line. */
    int handle_signals;          /**< 1 (default): SIGHUP reloads, SIGTERM and SIGINT stop. */
    aiotsec_h2s_load_fn load;    /**< Required. */
    aiotsec_h2s_unload_fn unload;/**< Required. */
    aiotsec_h2s_idle_fn idle;    /**< Optional. */
    void *store_arg;             /**< Passed to the three. */
} aiotsec_h2s_config;

/**
 * @brief Fills @p cfg with the defaults.
 * @param[out] cfg The configuration.
 * @return ::AIOTSEC_OK or ::AIOTSEC_E_NULL_ARG.
 */
int aiotsec_h2s_config_init(aiotsec_h2s_config *cfg);

/**
 * @brief Makes a server: checks the configuration, loads the TLS certificate,
 *        binds and listens (the port is known from here on). No thread yet.
 * @param[out] out Receives the server; free with aiotsec_h2s_free().
 * @param cfg The configuration (its strings are copied).
 * @param[out] why Receives a one-line reason on failure (static or in @p why_buf); may be NULL.
 * @param why_buf Room for a reason that names the cause (e.g. the system's).
 * @param why_cap Its capacity.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_BAD_VALUE (an option; a certificate
 *         or key that cannot be read or does not match), ::AIOTSEC_E_IO (cannot listen) or
 *         ::AIOTSEC_E_NO_MEMORY.
 */
int aiotsec_h2s_new(aiotsec_h2s **out, const aiotsec_h2s_config *cfg, const char **why, char *why_buf,
                    size_t why_cap);

/**
 * @brief The address the server listens on, e.g. "127.0.0.1:40123".
 * @param s The server.
 * @return A string owned by the server.
 */
const char *aiotsec_h2s_address(const aiotsec_h2s *s);

/**
 * @brief Serves until stopped: starts the workers and the first load, answers 503
 *        until the key store is loaded, reloads on SIGHUP, drains on SIGTERM.
 * @param s The server (run once).
 * @return ::AIOTSEC_OK after a stop (drained or cut at the drain timeout),
 *         ::AIOTSEC_E_IO when the first load failed, ::AIOTSEC_E_NO_MEMORY or
 *         ::AIOTSEC_E_BAD_STATE (run twice).
 */
int aiotsec_h2s_run(aiotsec_h2s *s);

/**
 * @brief Asks a running server to reload its key store (as SIGHUP); any thread.
 * @param s The server.
 * @return ::AIOTSEC_OK or ::AIOTSEC_E_NULL_ARG.
 */
int aiotsec_h2s_reload(aiotsec_h2s *s);

/**
 * @brief Asks a running server to stop (as SIGTERM); any thread.
 * @param s The server.
 * @return ::AIOTSEC_OK or ::AIOTSEC_E_NULL_ARG.
 */
int aiotsec_h2s_stop(aiotsec_h2s *s);

/** @brief What a server did (aiotsec_h2s_stats_get()). */
typedef struct aiotsec_h2s_stats {
    uint64_t requests;     /**< Requests answered (any status). */
    uint64_t by_class[6];  /**< By status class: [2] 2xx, [4] 4xx, [5] 5xx. */
    uint64_t rejected_429; /**< Of those, 429 (queue or memory budget). */
    uint64_t connections;  /**< Connections accepted. */
    uint64_t refused;      /**< Connections closed at accept (over max_connections). */
    uint64_t reloads;      /**< Key-store generations loaded after the first. */
} aiotsec_h2s_stats;

/**
 * @brief Counters, summed over the workers (exact once run() has returned).
 * @param s The server.
 * @param[out] out Receives them.
 * @return ::AIOTSEC_OK or ::AIOTSEC_E_NULL_ARG.
 */
int aiotsec_h2s_stats_get(const aiotsec_h2s *s, aiotsec_h2s_stats *out);

/**
 * @brief Frees a server (after run() returned, or without running it). NULL is ignored.
 * @param s The server.
 */
void aiotsec_h2s_free(aiotsec_h2s *s);

#ifdef __cplusplus
}
#endif
#endif /* AIOTSEC_H2_SERVER_H */
