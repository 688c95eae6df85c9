/**
 * @file nadm.h
 * @brief The Nadm_Sec service operations as data (TS 29.369 v19.2.0): an ADM
 *        request, and the answer of getAuthentication (candidate sets).
 *
 * These types are what travels between the AIOTF and the ADM, whatever carries
 * them: the AIOTF hands out ::aiotsec_adm_request values (aiotf.h), an
 * in-process ADM answers them directly (adm.h), and the companion library
 * libaiotsec-sbi turns both into the TS 29.369 JSON bodies for an SBI.
 *
 * getAuthentication (spec 6.1): the request names one device (its Permanent
 * Identifier) or a filter, RAND_AIOT_n and a list of RAND_AIOT_d (`randDlist`);
 * the answer has one set per RAND_AIOT_d, in the same order, each with one
 * entry per candidate device: its XRES_AIOT and, when the request carried a
 * filter, its Permanent Identifier.
 *
 * An ::aiotsec_auth_answer is allocated once with a capacity (entries over all
 * sets) and reused: filling it never allocates. It is not thread-safe; use one
 * per thread. It holds XRES_AIOT values: it is wiped when reset or freed.
 * @ingroup adm
 */
#ifndef AIOTSEC_NADM_H
#define AIOTSEC_NADM_H

/** @addtogroup adm
 * @{ */

#include <stddef.h>
#include <stdint.h>

#include "aiotsec/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief The Nadm_Sec operations (TS 29.369 operationId in brackets). */
typedef enum aiotsec_adm_op {
    AIOTSEC_ADM_GET_RAND = 1,           /**< Nadm_SecRAND_Get (`getRand`). */
    AIOTSEC_ADM_GET_AUTHENTICATION = 2, /**< Nadm_SecAuthentication_Get (`getAuthentication`). */
    AIOTSEC_ADM_GET_SESSION_KEY = 3,    /**< Nadm_SecSessionKey_Get (`getSessionKey`). */
    AIOTSEC_ADM_GET_TID = 4             /**< T-ID retrieval (`getTid`). */
} aiotsec_adm_op;

/**
 * @brief One request to the ADM. Views: the octets belong to whoever made the request.
 *
 * Which fields an operation uses:
 * - getRand: none;
 * - getAuthentication: exactly one of @c perm_id and @c filter, @c rand_n, and
 *   @c rand_d_count RAND_AIOT_d values back to back in @c rand_d;
 * - getSessionKey: @c perm_id, @c rand_n and one RAND_AIOT_d in @c rand_d;
 * - getTid: @c perm_id and @c resync.
 */
typedef struct aiotsec_adm_request {
    uint64_t id;            /**< Set by the AIOTF: give it back with the answer. */
    uint64_t proc_id;       /**< Set by the AIOTF: the procedure the request serves. */
    aiotsec_adm_op op;               /**< An ::aiotsec_adm_op. */
    uint32_t attempt;       /**< 0 for the first sending, then 1, 2... for retries. */
    uint64_t deadline_ms;   /**< Set by the AIOTF: retries make sense until then. */
    const uint8_t *perm_id; /**< AiotDevPermId (1..64 octets), or NULL. */
    size_t perm_id_len;     /**< Its length. */
    const uint8_t *filter;  /**< AiotFilteringInformation, or NULL. */
    size_t filter_len;      /**< Its length. */
    const uint8_t *rand_n;  /**< RAND_AIOT_n. */
    size_t rand_n_len;      /**< Its length (16). */
    const uint8_t *rand_d;  /**< RAND_AIOT_d values, 16 octets each, back to back. */
    size_t rand_d_count;    /**< How many (getAuthentication: 1 or more; getSessionKey: 1). */
    int resync;             /**< getTid: `resyncInd`. */
} aiotsec_adm_request;

/**
 * @brief Size of ::aiotsec_adm_request (for bindings).
 * @return sizeof(aiotsec_adm_request).
 */
AIOTSEC_API size_t aiotsec_adm_request_structbytes(void);

/**
 * @brief Name of an operation as TS 29.369 spells its operationId, e.g. "getAuthentication".
 * @param op An ::aiotsec_adm_op.
 * @return A static string; NULL for a value that is not an ::aiotsec_adm_op.
 */
AIOTSEC_API const char *aiotsec_adm_op_name(aiotsec_adm_op op);

/** @brief The answer of getAuthentication: candidate sets (opaque). */
typedef struct aiotsec_auth_answer aiotsec_auth_answer;

/**
 * @brief Makes an empty answer able to hold @p max_entries candidate entries over all its sets.
 * @param[out] out Receives the answer; free with aiotsec_auth_answer_free().
 * @param max_entries 1..2^24 (an ADM's default limit is 65,536 derivations).
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_BAD_VALUE or ::AIOTSEC_E_NO_MEMORY.
 */
AIOTSEC_API int aiotsec_auth_answer_new(aiotsec_auth_answer **out, size_t max_entries);

/**
 * @brief Wipes and frees an answer. NULL is ignored.
 * @param ans The answer.
 */
AIOTSEC_API void aiotsec_auth_answer_free(aiotsec_auth_answer *ans);

/**
 * @brief Empties an answer (and wipes what it held) for reuse.
 * @param ans The answer; NULL is ignored.
 */
AIOTSEC_API void aiotsec_auth_answer_reset(aiotsec_auth_answer *ans);

/**
 * @brief The answer's capacity in entries.
 * @param ans The answer.
 * @return The @p max_entries it was made with; 0 for NULL.
 */
AIOTSEC_API size_t aiotsec_auth_answer_capacity(const aiotsec_auth_answer *ans);

/**
 * @brief Number of sets (one per RAND_AIOT_d).
 * @param ans The answer.
 * @return The count; 0 for NULL.
 */
AIOTSEC_API size_t aiotsec_auth_answer_set_count(const aiotsec_auth_answer *ans);

/**
 * @brief Total number of entries over all sets.
 * @param ans The answer.
 * @return The count; 0 for NULL.
 */
AIOTSEC_API size_t aiotsec_auth_answer_entry_count(const aiotsec_auth_answer *ans);

/**
 * @brief One set: its RAND_AIOT_d and how many candidate entries it has.
 * @param ans The answer.
 * @param set 0 .. set count - 1.
 * @param[out] rand_d Receives a view of RAND_AIOT_d (16 octets).
 * @param[out] entries Receives the number of entries of the set.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG or ::AIOTSEC_E_BAD_VALUE (@p set).
 */
AIOTSEC_API int aiotsec_auth_answer_set(const aiotsec_auth_answer *ans, size_t set, const uint8_t **rand_d,
                                        size_t *entries);

/**
 * @brief One candidate entry of a set: XRES_AIOT and the Permanent Identifier.
 * @param ans The answer.
 * @param set 0 .. set count - 1.
 * @param entry 0 .. the set's entries - 1.
 * @param[out] xres Receives a view of XRES_AIOT.
 * @param[out] xres_len Receives its length (4..16).
 * @param[out] perm_id Receives a view of the Permanent Identifier, or NULL when the
 *             entry has none (the request named the device).
 * @param[out] perm_id_len Receives its length, 0 when absent.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG or ::AIOTSEC_E_BAD_VALUE (@p set or @p entry).
 */
AIOTSEC_API int aiotsec_auth_answer_entry(const aiotsec_auth_answer *ans, size_t set, size_t entry,
                                          const uint8_t **xres, size_t *xres_len,
                                          const uint8_t **perm_id, size_t *perm_id_len);

/**
 * @brief Appends a set (for transports that read an answer off the wire).
 * @param ans The answer.
 * @param rand_d RAND_AIOT_d of the set.
 * @param rand_d_len 16.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_BAD_LENGTH or ::AIOTSEC_E_LIMIT (capacity).
 */
AIOTSEC_API int aiotsec_auth_answer_add_set(aiotsec_auth_answer *ans, const uint8_t *rand_d, size_t rand_d_len);

/**
 * @brief Appends an entry to the last set.
 * @param ans The answer.
 * @param xres XRES_AIOT.
 * @param xres_len 4..16.
 * @param perm_id Permanent Identifier, or NULL when absent.
 * @param perm_id_len 1..64, or 0 when absent.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_BAD_LENGTH,
 *         ::AIOTSEC_E_BAD_STATE (no set yet) or ::AIOTSEC_E_LIMIT (capacity).
 */
AIOTSEC_API int aiotsec_auth_answer_add_entry(aiotsec_auth_answer *ans, const uint8_t *xres, size_t xres_len,
                                              const uint8_t *perm_id, size_t perm_id_len);

/** @brief What getTid returns (TS 29.369 `GetTidResponse`). */
typedef struct aiotsec_tid_info {
    uint8_t tid[16];          /**< The T-ID (`tid`). */
    uint8_t tid_previous[16]; /**< The previous T-ID (`tidPrevious`), when @c has_previous. */
    int has_previous;         /**< 1 when @c tid_previous is set. */
    int tid_type;             /**< ::AIOTSEC_TID_STORED (`tidHandInfo.tidType`). */
} aiotsec_tid_info;

/**
 * @brief Size of ::aiotsec_tid_info (for bindings).
 * @return sizeof(aiotsec_tid_info).
 */
AIOTSEC_API size_t aiotsec_tid_info_structbytes(void);

#ifdef __cplusplus
}
#endif

/** @} */

#endif /* AIOTSEC_NADM_H */
