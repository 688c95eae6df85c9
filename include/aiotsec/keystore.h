/**
 * @file keystore.h
 * @brief Key stores: where the ADM finds K_AIOT_root, and a ready in-memory one.
 *
 * The ADM never owns keys: it asks a key store, a table of callbacks the
 * application implements (a database, an HSM front end...). Devices are known
 * by their Permanent Identifier (spec 6.3: an opaque octet string of 1..64
 * octets). A store gives the ADM each device's key one of two ways: the raw
 * K_AIOT_root (@c by_perm_id), or, for keys that never leave an HSM, the
 * HMAC-SHA-256 under K_AIOT_root of a string the ADM supplies (@c mac_by_perm_id:
 * the ADM builds the KDF input S and the store computes it, e.g. C_Sign with
 * CKM_SHA256_HMAC on a PKCS#11 token). At least one of the two is required. The
 * optional operations make the ADM faster or able to do more:
 *
 * - @c prepared_by_perm_id returns a prepared key (prepared.h), so XRES_AIOT and
 *   K_AIOTF take two SHA-256 compressions instead of four;
 * - @c list_matching lists the devices whose Permanent Identifier matches an
 *   AiotFilteringInformation (filter.h), page by page, in time that grows with
 *   the answer: without it the ADM refuses filters (::AIOTSEC_E_UNSUPPORTED);
 * - @c tid_update keeps the T-IDs of getTid: without it getTid is refused.
 *
 * ::aiotsec_memstore is a ready implementation: devices in memory behind a
 * keyed-SipHash index and a sorted index for filters, a prepared key per device
 * (one 64-octet line with the native backend),
 * loaded from a text file or buffer, one device a line:
 *
 *     # Permanent Identifier   K_AIOT_root   (both hex)
 *     a100000001   000102030405060708090a0b0c0d0e0f
 *
 * Fields are separated by spaces or tabs; blank lines and lines whose first
 * non-blank character is `#` are ignored. The Permanent Identifier is 1..64
 * octets, K_AIOT_root 16 or 32 octets. The three-column form of version 0.1
 * (`identification-information Permanent-Identifier K_AIOT_root`) is still
 * read: its first column is ignored, since paging now names the Permanent
 * Identifier itself or a filter.
 * @ingroup keystore
 */
#ifndef AIOTSEC_KEYSTORE_H
#define AIOTSEC_KEYSTORE_H

/** @addtogroup keystore
 * @{ */

#include <stddef.h>
#include <stdint.h>

#include "aiotsec/context.h"
#include "aiotsec/export.h"
#include "aiotsec/prepared.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Largest Permanent Identifier, in octets (spec 6.3). */
#define AIOTSEC_ID_MAX 64u
/** @brief Largest K_AIOT_root, in octets. */
#define AIOTSEC_KROOT_MAX 32u
/** @brief Length of a T-ID in octets (TS 29.369 `Tid`). */
#define AIOTSEC_TID_LEN 16u

/**
 * @brief Look-up by Permanent Identifier (required).
 * @param user The table's @c user pointer.
 * @param perm_id Permanent Identifier.
 * @param perm_id_len Its length, 1..64.
 * @param[out] k_root Receives K_AIOT_root (capacity ::AIOTSEC_KROOT_MAX).
 * @param[out] k_root_len Receives its length (16 or 32).
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_UNKNOWN_DEVICE, or another negative status.
 */
typedef int (*aiotsec_ks_by_perm_id_fn)(void *user, const uint8_t *perm_id, size_t perm_id_len,
                                        uint8_t *k_root, size_t *k_root_len);

/**
 * @brief HMAC-SHA-256 under a device's K_AIOT_root, computed by the store (keys that
 *        never leave it). The ADM passes the KDF input S of TS 33.220 (spec section 2).
 * @param user The table's @c user pointer.
 * @param perm_id Permanent Identifier.
 * @param perm_id_len Its length, 1..64.
 * @param msg The string to authenticate.
 * @param msg_len Its length.
 * @param[out] mac Receives the 32-octet HMAC-SHA-256.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_UNKNOWN_DEVICE, or another negative status.
 */
typedef int (*aiotsec_ks_mac_by_perm_id_fn)(void *user, const uint8_t *perm_id, size_t perm_id_len,
                                            const uint8_t *msg, size_t msg_len, uint8_t mac[32]);

/**
 * @brief Optional fast look-up by Permanent Identifier: a prepared key.
 * @param user The table's @c user pointer.
 * @param perm_id Permanent Identifier.
 * @param perm_id_len Its length, 1..64.
 * @param[out] key Receives a prepared key made with the ADM's context, owned by the store.
 *                 It must stay valid until the calling thread next calls into the table
 *                 (a store with a bounded cache may evict it then); the ADM uses it at once.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_UNKNOWN_DEVICE, or another negative status.
 */
typedef int (*aiotsec_ks_prepared_by_perm_id_fn)(void *user, const uint8_t *perm_id,
                                                 size_t perm_id_len,
                                                 const aiotsec_prepared_key **key);

/**
 * @brief One device handed out by a listing.
 *
 * The views, the prepared key included, stay valid during the page call only: the
 * ADM derives everything a page needs before the page call returns.
 */
typedef struct aiotsec_ks_entry {
    const uint8_t *perm_id;           /**< Permanent Identifier. */
    size_t perm_id_len;               /**< Its length, 1..64. */
    const aiotsec_prepared_key *key;  /**< Its prepared key (made with the ADM's context), or NULL:
                                           the ADM then uses @c mac_by_perm_id or @c by_perm_id. */
} aiotsec_ks_entry;

/**
 * @brief Receives one page of a listing.
 * @param arg The listing's @p arg.
 * @param entries The devices of this page, in byte-lexicographic order of Permanent Identifier.
 * @param n How many (at least 1).
 * @return 0 to go on; a negative status stops the listing, which returns it.
 */
typedef int (*aiotsec_ks_page_fn)(void *arg, const aiotsec_ks_entry *entries, size_t n);

/**
 * @brief Optional: lists the devices whose Permanent Identifier matches a filter.
 *
 * Calls @p page with successive pages of matching devices until every one was
 * given or @p page returned a status. A store kept in Permanent Identifier
 * order finds the range with aiotsec_filter_compare(), so the cost grows with
 * the answer, not with the store.
 *
 * The ADM lists a filter twice, to count and then to derive. A device added in
 * between makes the second listing longer than the first: the ADM then answers
 * the request afresh (three attempts, then ::AIOTSEC_E_BAD_STATE). A device
 * removed in between is simply left out of the answer.
 * @param user The table's @c user pointer.
 * @param filter A well-formed AiotFilteringInformation (the ADM checks it first).
 * @param filter_len Its length.
 * @param page Called per page.
 * @param arg Passed to @p page.
 * @return ::AIOTSEC_OK (all given, possibly none), @p page's status, or another negative status.
 */
typedef int (*aiotsec_ks_list_matching_fn)(void *user, const uint8_t *filter, size_t filter_len,
                                           aiotsec_ks_page_fn page, void *arg);

/**
 * @brief Optional: the T-ID of a device for getTid (spec 6.1), updated atomically.
 *
 * When @p resync is 0, or the device has no T-ID yet, @p fresh becomes its T-ID and
 * the one it replaces its previous T-ID. When @p resync is non-zero and it has one,
 * nothing changes. Either way the current and previous T-IDs are returned.
 * @param user The table's @c user pointer.
 * @param perm_id Permanent Identifier.
 * @param perm_id_len Its length, 1..64.
 * @param resync Non-zero for `resyncInd` true.
 * @param fresh A new T-ID from the ADM's CSPRNG (::AIOTSEC_TID_LEN octets).
 * @param[out] tid Receives the current T-ID.
 * @param[out] prev Receives the previous T-ID, when there is one.
 * @param[out] has_prev Receives 1 when @p prev was written, else 0.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_UNKNOWN_DEVICE, or another negative status.
 */
typedef int (*aiotsec_ks_tid_update_fn)(void *user, const uint8_t *perm_id, size_t perm_id_len, int resync,
                                        const uint8_t fresh[AIOTSEC_TID_LEN], uint8_t tid[AIOTSEC_TID_LEN],
                                        uint8_t prev[AIOTSEC_TID_LEN], int *has_prev);

/**
 * @brief A key store: the table of operations the ADM calls.
 *
 * Set @c struct_size to sizeof(aiotsec_keystore). The operations may be called
 * from several threads at once when the ADM is shared.
 */
typedef struct aiotsec_keystore {
    uint32_t struct_size;                                  /**< sizeof(aiotsec_keystore). */
    void *user;                                            /**< Passed back to every operation. */
    aiotsec_ks_by_perm_id_fn by_perm_id;                   /**< Raw keys (NULL when @c mac_by_perm_id is set). */
    aiotsec_ks_prepared_by_perm_id_fn prepared_by_perm_id; /**< Optional (NULL: raw keys are used). */
    aiotsec_ks_list_matching_fn list_matching;             /**< Optional (NULL: filters are refused). */
    aiotsec_ks_tid_update_fn tid_update;                   /**< Optional (NULL: getTid is refused). */
    aiotsec_ks_mac_by_perm_id_fn mac_by_perm_id;           /**< Keys kept by the store (NULL when
                                                                @c by_perm_id is set; preferred when both are). */
} aiotsec_keystore;

/**
 * @brief Size of ::aiotsec_keystore (for bindings).
 * @return sizeof(aiotsec_keystore).
 */
AIOTSEC_API size_t aiotsec_keystore_structbytes(void);

/**
 * @brief Largest Permanent Identifier, in octets (for bindings).
 * @return ::AIOTSEC_ID_MAX.
 */
AIOTSEC_API size_t aiotsec_keystore_id_maxbytes(void);

/**
 * @brief Called once per device line by the key-file readers.
 * @param user The reader's @p user argument.
 * @param line 1-based line number.
 * @param perm_id Permanent Identifier (valid during the call).
 * @param perm_id_len 1..64.
 * @param k_root K_AIOT_root (valid during the call; wiped by the reader afterwards).
 * @param k_root_len 16 or 32.
 * @return 0 to go on; a negative status stops the reader, which returns it.
 */
typedef int (*aiotsec_keyfile_fn)(void *user, size_t line, const uint8_t *perm_id, size_t perm_id_len,
                                  const uint8_t *k_root, size_t k_root_len);

/**
 * @brief Parses a key file held in memory and calls @p fn for each device line, in order.
 * @param text The text (need not be NUL-terminated).
 * @param len Its length.
 * @param fn The callback.
 * @param user Passed to @p fn.
 * @param[out] err_line Receives the 1-based number of the line that failed
 *             (parse error, bad length, or @p fn returned an error), 0 otherwise; may be NULL.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_PARSE (not two or three
 *         hex fields, odd or bad hex digits, a line over 1024 characters),
 *         ::AIOTSEC_E_BAD_LENGTH (an identifier outside 1..64 octets or a key
 *         not 16 or 32 octets) or the callback's status.
 */
AIOTSEC_API int aiotsec_keyfile_read_buffer(const char *text, size_t len, aiotsec_keyfile_fn fn,
                                            void *user, size_t *err_line);

/**
 * @brief Parses a key file (streamed, any size) and calls @p fn for each device line.
 * @param path File name.
 * @param fn The callback.
 * @param user Passed to @p fn.
 * @param[out] err_line As aiotsec_keyfile_read_buffer(); may be NULL.
 * @return As aiotsec_keyfile_read_buffer(), or ::AIOTSEC_E_IO.
 */
AIOTSEC_API int aiotsec_keyfile_read_file(const char *path, aiotsec_keyfile_fn fn, void *user,
                                          size_t *err_line);

/** @brief The in-memory key store (opaque). Read-only use is thread-safe. */
typedef struct aiotsec_memstore aiotsec_memstore;

/**
 * @brief Makes an empty in-memory key store.
 * @param[out] out Receives the store; free with aiotsec_memstore_free().
 * @param ctx The context the prepared keys are made with (must outlive the store).
 * @param expected Expected number of devices (sizes the indexes; 0 is fine, they grow).
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_NO_MEMORY,
 *         ::AIOTSEC_E_LIMIT (@p expected too large) or a backend status (hash key).
 */
AIOTSEC_API int aiotsec_memstore_new(aiotsec_memstore **out, const aiotsec_ctx *ctx, size_t expected);

/** @brief Flag of aiotsec_memstore_new_with_flags(): keep no raw K_AIOT_root at all, only the
 *         prepared keys (the table then has no @c by_perm_id; everything is derived through
 *         @c mac_by_perm_id and the prepared keys). Saves 33 octets per device. */
#define AIOTSEC_MEMSTORE_NO_RAW_KEYS 0x1u

/**
 * @brief Makes an empty in-memory key store, with flags.
 *
 * With a backend that has compact prepared keys (the native backend: two
 * SHA-256 midstates, 64 octets), each device costs one cache line for its key,
 * about 14 octets of hash index, 8 of references and its identifier plus one
 * octet; raw keys add 33 unless ::AIOTSEC_MEMSTORE_NO_RAW_KEYS. Other backends
 * keep one whole prepared key per device, on the heap.
 * @param[out] out Receives the store; free with aiotsec_memstore_free().
 * @param ctx The context the prepared keys are made with (must outlive the store).
 * @param expected Expected number of devices (sizes the arrays; 0 is fine, they grow).
 * @param flags 0 or ::AIOTSEC_MEMSTORE_NO_RAW_KEYS.
 * @return As aiotsec_memstore_new(), or ::AIOTSEC_E_BAD_VALUE for an unknown flag.
 */
AIOTSEC_API int aiotsec_memstore_new_with_flags(aiotsec_memstore **out, const aiotsec_ctx *ctx, size_t expected,
                                                unsigned flags);

/**
 * @brief Wipes every key and frees the store. NULL is ignored.
 * @param store The store.
 */
AIOTSEC_API void aiotsec_memstore_free(aiotsec_memstore *store);

/**
 * @brief Adds one device.
 *
 * Keeps the filter index sorted: each call costs up to a move of the index
 * (O(count)); for many devices, load them with aiotsec_memstore_load_buffer()
 * or aiotsec_memstore_load_file(), which sort once.
 * @param store The store.
 * @param perm_id Permanent Identifier.
 * @param perm_id_len 1..64.
 * @param k_root K_AIOT_root.
 * @param k_root_len 16 or 32.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_BAD_LENGTH,
 *         ::AIOTSEC_E_DUPLICATE (the Permanent Identifier is already present;
 *         nothing is changed), ::AIOTSEC_E_NO_MEMORY, ::AIOTSEC_E_LIMIT or a backend status.
 */
AIOTSEC_API int aiotsec_memstore_add(aiotsec_memstore *store, const uint8_t *perm_id, size_t perm_id_len,
                                     const uint8_t *k_root, size_t k_root_len);

/**
 * @brief Adds every device of a text buffer (format in the file description).
 *
 * All or nothing: on any error the store is left exactly as it was.
 * @param store The store.
 * @param text The text (need not be NUL-terminated).
 * @param len Its length.
 * @param[out] err_line Receives the 1-based number of the offending line on a
 *             parse, length or duplicate error, 0 otherwise; may be NULL.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_PARSE (not two or three hex
 *         fields, odd or bad hex digits, a line over 1024 characters),
 *         ::AIOTSEC_E_BAD_LENGTH (an identifier outside 1..64 octets or a key
 *         not 16 or 32 octets), ::AIOTSEC_E_DUPLICATE, ::AIOTSEC_E_NO_MEMORY,
 *         ::AIOTSEC_E_LIMIT or a backend status.
 */
AIOTSEC_API int aiotsec_memstore_load_buffer(aiotsec_memstore *store, const char *text, size_t len,
                                             size_t *err_line);

/**
 * @brief Adds every device of a text file (as aiotsec_memstore_load_buffer()).
 * @param store The store.
 * @param path File name.
 * @param[out] err_line Receives the offending line number or 0; may be NULL.
 * @return As aiotsec_memstore_load_buffer(), or ::AIOTSEC_E_IO.
 */
AIOTSEC_API int aiotsec_memstore_load_file(aiotsec_memstore *store, const char *path,
                                           size_t *err_line);

/**
 * @brief Number of devices in the store.
 * @param store The store.
 * @return The count; 0 for NULL.
 */
AIOTSEC_API size_t aiotsec_memstore_count(const aiotsec_memstore *store);

/**
 * @brief Fills a key-store table over this store (every operation, filters and T-IDs included).
 *
 * Pointers returned by the look-ups stay valid until the store is changed or freed.
 * T-IDs are the only state the table changes; they are kept under a lock.
 * @param store The store (must outlive every use of the table).
 * @param[out] out The table.
 * @return ::AIOTSEC_OK or ::AIOTSEC_E_NULL_ARG.
 */
AIOTSEC_API int aiotsec_memstore_keystore(const aiotsec_memstore *store, aiotsec_keystore *out);

#ifdef __cplusplus
}
#endif

/** @} */

#endif /* AIOTSEC_KEYSTORE_H */
