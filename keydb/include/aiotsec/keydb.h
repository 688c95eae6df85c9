/**
 * @file keydb.h
 * @brief The persistent key database of the ADM (companion library libaiotsec-keydb).
 *
 * A key database holds K_AIOT_root for every device an operator owns, in an
 * LMDB environment (a directory) keyed by Permanent Identifier, so a filter is
 * a range scan. It implements the core library's key-store table
 * (keystore.h): aiotsec_adm_new() works over it unchanged, filters and getTid
 * included. Many processes may read it (ADM workers) while one writes
 * (`aiotsec keys ...`); every look-up reads the latest committed state, so a
 * revocation takes effect for the next request. Commits are durable and
 * atomic (LMDB): a writer killed in the middle of an import leaves every
 * record committed before, and no torn record.
 *
 * Two custodies, chosen when the database is made:
 *
 * - **sealed**: each K_AIOT_root is encrypted at rest with XChaCha20-Poly1305
 *   under a data key (DEK), with the database identity, the Permanent
 *   Identifier and the record header as associated data, so a record moved to
 *   another device or database, or edited, is refused
 *   (::AIOTSEC_KEYDB_E_BAD_RECORD) and the device is named (options
 *   @c on_bad_record, aiotsec_keydb_verify()). The DEK is itself sealed under
 *   the key-encryption key (KEK) the operator holds: a file of mode 0600 or an
 *   environment variable. Rotation re-seals every record under a fresh DEK
 *   (optionally wrapped under a new KEK) while readers keep reading.
 *   Unsealed keys live only in locked memory excluded from core dumps
 *   (sodium_malloc), in a bounded cache wiped on eviction.
 * - **token**: each K_AIOT_root is a non-extractable generic secret on a
 *   PKCS#11 token (the module is loaded with dlopen); the database keeps only
 *   which token object belongs to which device. RES_AIOT, XRES_AIOT and
 *   K_AIOTF are computed on the token (C_Sign with CKM_SHA256_HMAC over the
 *   KDF input the ADM builds): the key never leaves it.
 *
 * One handle per database and process (LMDB's rule): a second
 * aiotsec_keydb_open() of the same directory in one process is refused with
 * ::AIOTSEC_KEYDB_E_BUSY. A handle may be shared by any number of threads.
 *
 * Functions return ::AIOTSEC_OK or a negative status: the core's
 * (aiotsec_status) or this library's (::aiotsec_keydb_status, named by
 * aiotsec_keydb_strerror()).
 * @ingroup keydb
 */
#ifndef AIOTSEC_KEYDB_H
#define AIOTSEC_KEYDB_H

/** @addtogroup keydb
 * @{ */

#include <stddef.h>
#include <stdint.h>

#include "aiotsec/context.h"
#include "aiotsec/keystore.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Marks a function as part of the exported API of libaiotsec-keydb. */
#if defined(AIOTSEC_KEYDB_BUILDING) && defined(__GNUC__)
#define AIOTSEC_KEYDB_API __attribute__((visibility("default")))
#else
#define AIOTSEC_KEYDB_API
#endif

/** @brief Statuses of this library (below the core's range, which ends at -99). */
typedef enum aiotsec_keydb_status {
    AIOTSEC_KEYDB_E_BAD_RECORD = -200, /**< A record fails authentication or decoding: swapped, edited,
                                            or sealed for another database; the device is named through
                                            @c on_bad_record and aiotsec_keydb_verify(). */
    AIOTSEC_KEYDB_E_WRONG_KEK = -201,  /**< The KEK does not open this database. */
    AIOTSEC_KEYDB_E_KEK_FILE = -202,   /**< The KEK file is not a regular file owned by the caller and
                                            readable by its owner only (mode 0600 or 0400), or does not
                                            hold exactly 64 hex digits. */
    AIOTSEC_KEYDB_E_DB = -203,         /**< LMDB failed (I/O, corruption, locks, readers). */
    AIOTSEC_KEYDB_E_FULL = -204,       /**< The database reached its map size (see @c map_size). */
    AIOTSEC_KEYDB_E_FORMAT = -205,     /**< Not a key database, or one of a format this version cannot read. */
    AIOTSEC_KEYDB_E_EXISTS = -206,     /**< aiotsec_keydb_init(): a key database is already there. */
    AIOTSEC_KEYDB_E_CUSTODY = -207,    /**< The operation needs the custody the database was made with
                                            (its KEK or its token), or that custody cannot do it. */
    AIOTSEC_KEYDB_E_TOKEN = -208,      /**< The PKCS#11 module or token failed (load, login, object, sign). */
    AIOTSEC_KEYDB_E_BUSY = -209,       /**< This process already has the database open. */
    AIOTSEC_KEYDB_E_READ_ONLY = -210   /**< A change to a database opened read-only. */
} aiotsec_keydb_status;

/** @brief How a database keeps its keys (fixed when it is made). */
typedef enum aiotsec_keydb_custody {
    AIOTSEC_KEYDB_CUSTODY_NONE = 0,   /**< Opened without KEK or token: identifiers only. */
    AIOTSEC_KEYDB_CUSTODY_SEALED = 1, /**< Records sealed under a data key wrapped by the KEK. */
    AIOTSEC_KEYDB_CUSTODY_TOKEN = 2   /**< Keys are non-extractable objects on a PKCS#11 token. */
} aiotsec_keydb_custody;

/** @brief A key database handle (opaque). */
typedef struct aiotsec_keydb aiotsec_keydb;
/** @brief A key-encryption key held in locked memory (opaque). */
typedef struct aiotsec_keydb_kek aiotsec_keydb_kek;
/** @brief A logged-in PKCS#11 token (opaque). */
typedef struct aiotsec_keydb_token aiotsec_keydb_token;

/**
 * @brief Reads a KEK from a file: 64 hex digits (32 octets), an optional newline.
 *
 * The file must be a regular file (not a link) owned by the effective user,
 * with no permission for group or others (0600 or 0400).
 * @param[out] out Receives the KEK; free with aiotsec_keydb_kek_free().
 * @param path File name.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_IO (cannot open or read),
 *         ::AIOTSEC_KEYDB_E_KEK_FILE or ::AIOTSEC_E_NO_MEMORY.
 */
AIOTSEC_KEYDB_API int aiotsec_keydb_kek_from_file(aiotsec_keydb_kek **out, const char *path);

/**
 * @brief Makes a new random KEK and writes it to a new file of mode 0600.
 * @param[out] out Receives the KEK; free with aiotsec_keydb_kek_free().
 * @param path File name; the file must not exist (it is created exclusively).
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_DUPLICATE (the file exists),
 *         ::AIOTSEC_E_IO or ::AIOTSEC_E_NO_MEMORY.
 */
AIOTSEC_KEYDB_API int aiotsec_keydb_kek_create_file(aiotsec_keydb_kek **out, const char *path);

/**
 * @brief Reads a KEK from an environment variable holding 64 hex digits.
 * @param[out] out Receives the KEK; free with aiotsec_keydb_kek_free().
 * @param var The variable's name.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_IO (not set),
 *         ::AIOTSEC_E_PARSE (not 64 hex digits) or ::AIOTSEC_E_NO_MEMORY.
 */
AIOTSEC_KEYDB_API int aiotsec_keydb_kek_from_env(aiotsec_keydb_kek **out, const char *var);

/**
 * @brief Wipes and frees a KEK. NULL is ignored.
 * @param kek The KEK.
 */
AIOTSEC_KEYDB_API void aiotsec_keydb_kek_free(aiotsec_keydb_kek *kek);

/**
 * @brief Loads a PKCS#11 module, finds the token by label and logs in as its user.
 * @param[out] out Receives the token; close with aiotsec_keydb_token_close() after
 *             every database using it is closed.
 * @param module Path of the PKCS#11 module (a shared object, loaded with dlopen).
 * @param label The token label (up to 32 characters).
 * @param pin_env Name of the environment variable holding the user PIN.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_BAD_VALUE (label too long,
 *         PIN variable not set), ::AIOTSEC_E_NO_MEMORY or ::AIOTSEC_KEYDB_E_TOKEN.
 */
AIOTSEC_KEYDB_API int aiotsec_keydb_token_open(aiotsec_keydb_token **out, const char *module, const char *label,
                                               const char *pin_env);

/**
 * @brief Logs out, closes the sessions and finalizes the module. NULL is ignored.
 * @param tok The token.
 */
AIOTSEC_KEYDB_API void aiotsec_keydb_token_close(aiotsec_keydb_token *tok);

/**
 * @brief Called when a record is refused: the device it belongs to and why.
 * @param arg The options' @c on_bad_record_arg.
 * @param perm_id The Permanent Identifier the record is stored under.
 * @param perm_id_len Its length.
 * @param status Why (::AIOTSEC_KEYDB_E_BAD_RECORD, or ::AIOTSEC_KEYDB_E_TOKEN for a
 *        record whose token object is missing).
 */
typedef void (*aiotsec_keydb_bad_record_fn)(void *arg, const uint8_t *perm_id, size_t perm_id_len, int status);

/** @brief Options of aiotsec_keydb_init() and aiotsec_keydb_open(); initialise with aiotsec_keydb_options_init(). */
typedef struct aiotsec_keydb_options {
    uint32_t struct_size;                     /**< sizeof(aiotsec_keydb_options). */
    const aiotsec_keydb_kek *kek;             /**< Sealed custody: the KEK (may be freed after the call). */
    aiotsec_keydb_token *token;               /**< Token custody: the token (must outlive the handle). */
    const aiotsec_ctx *ctx;                   /**< Context of the ADM (prepared keys are made with it);
                                                   required for aiotsec_keydb_keystore(); must outlive the handle. */
    size_t cache_entries;                     /**< Unsealed keys kept in locked memory (default 16,384;
                                                   0: none, every look-up unseals). */
    int prepared_keys;                        /**< Non-zero: the table hands out prepared keys (see
                                                   aiotsec_keydb_keystore() for where they live). */
    int read_only;                            /**< Non-zero: no change (getTid is then refused). */
    uint64_t map_size;                        /**< aiotsec_keydb_init() only: the largest size of the data
                                                   file in octets (0: 64 GiB; sparse, about 190 octets a device). */
    aiotsec_keydb_bad_record_fn on_bad_record; /**< Optional: told of every refused record. */
    void *on_bad_record_arg;                  /**< Passed to @c on_bad_record. */
} aiotsec_keydb_options;

/**
 * @brief Fills @p opts with the defaults and sets struct_size.
 * @param[out] opts The options.
 * @return ::AIOTSEC_OK or ::AIOTSEC_E_NULL_ARG.
 */
AIOTSEC_KEYDB_API int aiotsec_keydb_options_init(aiotsec_keydb_options *opts);

/**
 * @brief Makes a new, empty key database in @p dir (created with mode 0700 if missing).
 *
 * The custody is the options': @c kek for a sealed database, @c token for a
 * token database (exactly one of the two).
 * @param dir The directory.
 * @param opts The options.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_BAD_VALUE (neither or both custodies,
 *         wrong struct_size), ::AIOTSEC_KEYDB_E_EXISTS, ::AIOTSEC_E_IO, ::AIOTSEC_KEYDB_E_DB or
 *         ::AIOTSEC_KEYDB_E_BUSY.
 */
AIOTSEC_KEYDB_API int aiotsec_keydb_init(const char *dir, const aiotsec_keydb_options *opts);

/**
 * @brief Opens a key database.
 *
 * Without @c kek and @c token only identifiers can be read (count, list). A
 * KEK must be one the database's data key is wrapped under.
 * @param[out] out Receives the handle; close with aiotsec_keydb_close().
 * @param dir The directory.
 * @param opts The options (NULL: defaults, identifiers only).
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_BAD_VALUE, ::AIOTSEC_E_IO,
 *         ::AIOTSEC_KEYDB_E_FORMAT, ::AIOTSEC_KEYDB_E_WRONG_KEK, ::AIOTSEC_KEYDB_E_CUSTODY
 *         (a KEK for a token database or the reverse), ::AIOTSEC_KEYDB_E_DB,
 *         ::AIOTSEC_KEYDB_E_BUSY or ::AIOTSEC_E_NO_MEMORY.
 */
AIOTSEC_KEYDB_API int aiotsec_keydb_open(aiotsec_keydb **out, const char *dir, const aiotsec_keydb_options *opts);

/**
 * @brief Wipes every cached key and closes the database. NULL is ignored.
 *
 * No thread may be inside a call on the handle, or still use a prepared key it handed out.
 * @param db The handle.
 */
AIOTSEC_KEYDB_API void aiotsec_keydb_close(aiotsec_keydb *db);

/**
 * @brief The custody the database was made with.
 * @param db The handle.
 * @return An ::aiotsec_keydb_custody (::AIOTSEC_KEYDB_CUSTODY_NONE for NULL).
 */
AIOTSEC_KEYDB_API int aiotsec_keydb_custody_of(const aiotsec_keydb *db);

/**
 * @brief Adds one device (sealed, or created on the token), in one commit.
 * @param db The handle.
 * @param perm_id Permanent Identifier.
 * @param perm_id_len 1..64.
 * @param k_root K_AIOT_root.
 * @param k_root_len 16 or 32.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_BAD_LENGTH, ::AIOTSEC_E_DUPLICATE,
 *         ::AIOTSEC_KEYDB_E_CUSTODY, ::AIOTSEC_KEYDB_E_READ_ONLY, ::AIOTSEC_KEYDB_E_FULL,
 *         ::AIOTSEC_KEYDB_E_DB or ::AIOTSEC_KEYDB_E_TOKEN.
 */
AIOTSEC_KEYDB_API int aiotsec_keydb_add(aiotsec_keydb *db, const uint8_t *perm_id, size_t perm_id_len,
                                        const uint8_t *k_root, size_t k_root_len);

/**
 * @brief Gives a known device a new K_AIOT_root, in one commit (its T-IDs are kept).
 * @param db The handle.
 * @param perm_id Permanent Identifier.
 * @param perm_id_len 1..64.
 * @param k_root The new K_AIOT_root.
 * @param k_root_len 16 or 32.
 * @return As aiotsec_keydb_add(), with ::AIOTSEC_E_UNKNOWN_DEVICE instead of ::AIOTSEC_E_DUPLICATE.
 */
AIOTSEC_KEYDB_API int aiotsec_keydb_rekey(aiotsec_keydb *db, const uint8_t *perm_id, size_t perm_id_len,
                                          const uint8_t *k_root, size_t k_root_len);

/**
 * @brief Removes a device and its T-IDs, in one commit (a token object is destroyed after).
 * @param db The handle.
 * @param perm_id Permanent Identifier.
 * @param perm_id_len 1..64.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_BAD_LENGTH, ::AIOTSEC_E_UNKNOWN_DEVICE,
 *         ::AIOTSEC_KEYDB_E_READ_ONLY, ::AIOTSEC_KEYDB_E_DB or ::AIOTSEC_KEYDB_E_TOKEN.
 */
AIOTSEC_KEYDB_API int aiotsec_keydb_revoke(aiotsec_keydb *db, const uint8_t *perm_id, size_t perm_id_len);

/**
 * @brief Told after each commit of an import or a rotation.
 * @param arg The caller's argument.
 * @param committed Records committed so far by this call.
 */
typedef void (*aiotsec_keydb_progress_fn)(void *arg, size_t committed);

/**
 * @brief Imports a key file (the format of keystore.h), committing every @p batch devices.
 *
 * A device already in the database, a malformed line or a duplicate stops the
 * import with the line number; the batch in progress is abandoned, the batches
 * committed before it stay (they are listed by @p imported). With @p batch 0
 * the whole file is one commit: all or nothing.
 * @param db The handle.
 * @param path File name ("/dev/stdin" reads standard input).
 * @param batch Devices per commit (0: one commit).
 * @param progress Optional, told after each commit.
 * @param arg Passed to @p progress.
 * @param[out] imported Receives the number of devices committed; may be NULL.
 * @param[out] err_line Receives the failing line number, or 0; may be NULL.
 * @return ::AIOTSEC_OK, a key-file status (::AIOTSEC_E_PARSE, ::AIOTSEC_E_BAD_LENGTH, ::AIOTSEC_E_IO),
 *         ::AIOTSEC_E_DUPLICATE or a status of aiotsec_keydb_add().
 */
AIOTSEC_KEYDB_API int aiotsec_keydb_import_file(aiotsec_keydb *db, const char *path, size_t batch,
                                                aiotsec_keydb_progress_fn progress, void *arg, size_t *imported,
                                                size_t *err_line);

/**
 * @brief As aiotsec_keydb_import_file(), from a buffer.
 * @param db The handle.
 * @param text The key-file text (need not be NUL-terminated).
 * @param len Its length.
 * @param batch Devices per commit (0: one commit).
 * @param progress Optional, told after each commit.
 * @param arg Passed to @p progress.
 * @param[out] imported Receives the number of devices committed; may be NULL.
 * @param[out] err_line Receives the failing line number, or 0; may be NULL.
 * @return As aiotsec_keydb_import_file().
 */
AIOTSEC_KEYDB_API int aiotsec_keydb_import_buffer(aiotsec_keydb *db, const char *text, size_t len, size_t batch,
                                                  aiotsec_keydb_progress_fn progress, void *arg, size_t *imported,
                                                  size_t *err_line);

/**
 * @brief Number of devices.
 * @param db The handle.
 * @param[out] count Receives the count.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG or ::AIOTSEC_KEYDB_E_DB.
 */
AIOTSEC_KEYDB_API int aiotsec_keydb_count(aiotsec_keydb *db, size_t *count);

/**
 * @brief Receives one device of aiotsec_keydb_list().
 * @param arg The caller's argument.
 * @param perm_id Permanent Identifier (valid during the call).
 * @param perm_id_len Its length.
 * @param k_root_len Length of its K_AIOT_root (16 or 32); no key is read.
 * @return 0 to go on; a negative status stops the listing, which returns it.
 */
typedef int (*aiotsec_keydb_id_fn)(void *arg, const uint8_t *perm_id, size_t perm_id_len, size_t k_root_len);

/**
 * @brief Lists devices in Permanent Identifier order, without reading any key.
 * @param db The handle.
 * @param filter An AiotFilteringInformation (filter.h, profile 0 encoding), or NULL for every device.
 * @param filter_len Its length.
 * @param fn Called per device.
 * @param arg Passed to @p fn.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_BAD_FILTER, @p fn's status or ::AIOTSEC_KEYDB_E_DB.
 */
AIOTSEC_KEYDB_API int aiotsec_keydb_list(aiotsec_keydb *db, const uint8_t *filter, size_t filter_len,
                                         aiotsec_keydb_id_fn fn, void *arg);

/**
 * @brief Checks every record: unseals it (sealed) or finds its token object (token), wiping at once.
 * @param db The handle (opened with its custody).
 * @param bad Optional: called for every refused record, naming the device.
 * @param arg Passed to @p bad.
 * @param[out] checked Receives the number of records checked; may be NULL.
 * @param[out] n_bad Receives the number refused; may be NULL.
 * @return ::AIOTSEC_OK (even when records were refused: see @p n_bad), ::AIOTSEC_E_NULL_ARG,
 *         ::AIOTSEC_KEYDB_E_CUSTODY or ::AIOTSEC_KEYDB_E_DB.
 */
AIOTSEC_KEYDB_API int aiotsec_keydb_verify(aiotsec_keydb *db, aiotsec_keydb_bad_record_fn bad, void *arg,
                                           size_t *checked, size_t *n_bad);

/**
 * @brief Re-seals every record under a fresh data key, @p batch records per commit, while
 *        readers keep reading (sealed custody).
 *
 * The fresh data key is wrapped under the handle's KEK and, when @p new_kek is
 * given, under it too, as is every older data key the handle's KEK opens: readers
 * opened with either KEK read every record during and after the rotation, also
 * when a refused record stopped it. Only a rotation to a new KEK, followed by
 * aiotsec_keydb_retire_keks(), keeps records sealed before it from being put back. Once every reader runs with the new KEK, remove the
 * old KEK's wraps with aiotsec_keydb_retire_keks() on a handle opened with the
 * new one. A rotation that stops half way (a crash) is finished by running it again.
 * @param db The handle (opened with the current KEK).
 * @param new_kek The next KEK, or NULL to keep the current one.
 * @param batch Records per commit (0: 1,000).
 * @param progress Optional, told after each commit.
 * @param arg Passed to @p progress.
 * @param[out] resealed Receives the number of records re-sealed; may be NULL.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_KEYDB_E_CUSTODY, ::AIOTSEC_KEYDB_E_BAD_RECORD
 *         (a record that does not unseal: nothing after it is re-sealed; see aiotsec_keydb_verify()),
 *         ::AIOTSEC_KEYDB_E_READ_ONLY, ::AIOTSEC_KEYDB_E_FULL or ::AIOTSEC_KEYDB_E_DB.
 */
AIOTSEC_KEYDB_API int aiotsec_keydb_rotate(aiotsec_keydb *db, const aiotsec_keydb_kek *new_kek, size_t batch,
                                           aiotsec_keydb_progress_fn progress, void *arg, size_t *resealed);

/**
 * @brief Removes the data-key wraps of every KEK but the handle's: other KEKs no longer open the database.
 * @param db The handle (opened with the KEK to keep).
 * @param[out] removed Receives the number of wraps removed; may be NULL.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_KEYDB_E_CUSTODY, ::AIOTSEC_KEYDB_E_READ_ONLY
 *         or ::AIOTSEC_KEYDB_E_DB.
 */
AIOTSEC_KEYDB_API int aiotsec_keydb_retire_keks(aiotsec_keydb *db, size_t *removed);

/**
 * @brief Fills a key-store table over the database (keystore.h), for aiotsec_adm_new().
 *
 * Sealed custody: @c by_perm_id (from the locked cache, unsealing on a miss),
 * @c list_matching (a range scan; records that do not unseal are skipped and
 * reported), @c tid_update (one commit each), and, when the options asked for
 * them, @c prepared_by_perm_id with prepared keys in the listings. Token
 * custody: @c mac_by_perm_id (C_Sign on the token), @c list_matching and
 * @c tid_update; no raw key exists outside the token.
 *
 * Every look-up reads the latest commit: a revoked device is
 * ::AIOTSEC_E_UNKNOWN_DEVICE for the next request; a refused record is
 * ::AIOTSEC_KEYDB_E_BAD_RECORD and @c on_bad_record names it.
 *
 * A prepared key handed to a thread stays valid until that thread's next call
 * into the table that is not made from inside a listing callback, or its call
 * to aiotsec_keydb_quiescent(), or aiotsec_keydb_close(): a revocation, a
 * re-key or an eviction by another thread retires the key, which is wiped and
 * freed only once every thread that could hold it has moved on. (The ADM uses
 * a prepared key only within the request that obtained it.) Prepared keys are
 * made by the core library (aiotsec_prepared_key_new()), which allocates them
 * from the ordinary heap: they are wiped when retired but are not in locked
 * memory. Leave @c prepared_keys 0 to keep every key-equivalent value in locked
 * memory.
 * @param db The handle, opened with its custody and a context.
 * @param[out] out The table (its @c user is @p db).
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG or ::AIOTSEC_KEYDB_E_CUSTODY.
 */
AIOTSEC_KEYDB_API int aiotsec_keydb_keystore(aiotsec_keydb *db, aiotsec_keystore *out);

/**
 * @brief Declares that the calling thread holds no prepared key of this database
 *        (a thread about to sleep, so retired keys can be freed).
 * @param db The handle; NULL is ignored.
 */
AIOTSEC_KEYDB_API void aiotsec_keydb_quiescent(aiotsec_keydb *db);

/** @brief Counters of a handle (aiotsec_keydb_stats_get()). */
typedef struct aiotsec_keydb_stats {
    uint32_t struct_size;     /**< sizeof(aiotsec_keydb_stats). */
    uint64_t hits;            /**< Look-ups answered from the cache. */
    uint64_t misses;          /**< Look-ups that unsealed a record (or found a token object). */
    uint64_t evictions;       /**< Cache entries evicted for room. */
    uint64_t retired_pending; /**< Retired prepared keys not yet freed. */
    uint64_t retire_full;     /**< Look-ups answered without a prepared key because too many were pending. */
    uint64_t bad_records;     /**< Records refused. */
    size_t cache_capacity;    /**< Cache entries. */
    int cache_locked;         /**< 1 when the cache memory is locked (mlock succeeded), else 0. */
} aiotsec_keydb_stats;

/**
 * @brief Reads the counters.
 * @param db The handle.
 * @param[out] st Receives them (the call sets struct_size).
 * @return ::AIOTSEC_OK or ::AIOTSEC_E_NULL_ARG.
 */
AIOTSEC_KEYDB_API int aiotsec_keydb_stats_get(aiotsec_keydb *db, aiotsec_keydb_stats *st);

/**
 * @brief Human-readable description of a status of this library or of the core.
 * @param status A status.
 * @return A static string, never NULL.
 */
AIOTSEC_KEYDB_API const char *aiotsec_keydb_strerror(int status);

/**
 * @brief Symbolic name of a status of this library or of the core, e.g. "AIOTSEC_KEYDB_E_BAD_RECORD".
 * @param status A status.
 * @return A static string, never NULL.
 */
AIOTSEC_KEYDB_API const char *aiotsec_keydb_status_name(int status);

#ifdef __cplusplus
}
#endif

/** @} */

#endif /* AIOTSEC_KEYDB_H */
