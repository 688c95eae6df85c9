/**
 * @file adm.h
 * @brief The ADM role: the three Nadm_Sec service operations (spec sections 1 and 6).
 *
 * An ::aiotsec_adm combines a context with the application's key store
 * (keystore.h). It keeps no key of its own: every operation looks the device
 * up, derives, and wipes what it used. An ADM is immutable and may be shared
 * between threads when the key store's look-ups are thread-safe.
 *
 * The AIOTF talks to an ADM through an ::aiotsec_adm_client, a table of the
 * three operations: aiotsec_adm_client_local() fills one for an in-process ADM;
 * an application whose ADM is remote fills one with its SBI client.
 */
#ifndef AIOTSEC_ADM_H
#define AIOTSEC_ADM_H

#include <stddef.h>
#include <stdint.h>

#include "aiotsec/context.h"
#include "aiotsec/export.h"
#include "aiotsec/keystore.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief An ADM (opaque). */
typedef struct aiotsec_adm aiotsec_adm;

/**
 * @brief Makes an ADM.
 * @param[out] out Receives the ADM; free with aiotsec_adm_free().
 * @param ctx The context (must outlive the ADM).
 * @param keystore The key-store table (copied; its @c user must outlive the ADM).
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_BAD_VALUE (wrong
 *         struct_size or a required look-up missing) or ::AIOTSEC_E_NO_MEMORY.
 */
AIOTSEC_API int aiotsec_adm_new(aiotsec_adm **out, const aiotsec_ctx *ctx,
                                const aiotsec_keystore *keystore);

/**
 * @brief Frees an ADM. NULL is ignored.
 * @param adm The ADM.
 */
AIOTSEC_API void aiotsec_adm_free(aiotsec_adm *adm);

/**
 * @brief Nadm_SecRAND_Get: a fresh RAND_AIOT_n from the backend's CSPRNG.
 * @param adm The ADM.
 * @param[out] rand_n Receives aiotsec_rand_n_len() octets.
 * @param rand_n_cap Capacity of @p rand_n.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_BUFFER_TOO_SMALL,
 *         ::AIOTSEC_E_UNSUPPORTED or ::AIOTSEC_E_BACKEND_FAILURE.
 */
AIOTSEC_API int aiotsec_adm_sec_rand_get(const aiotsec_adm *adm, uint8_t *rand_n, size_t rand_n_cap);

/**
 * @brief Nadm_SecAuthentication_Get: XRES_AIOT for a device, and its Permanent Identifier.
 * @param adm The ADM.
 * @param ident Identification information (1..64 octets).
 * @param ident_len Its length.
 * @param rand_n RAND_AIOT_n (profile length).
 * @param rand_n_len Its length.
 * @param rand_d RAND_AIOT_d (profile length).
 * @param rand_d_len Its length.
 * @param[out] xres Receives aiotsec_res_len() octets of XRES_AIOT.
 * @param xres_cap Capacity of @p xres.
 * @param[out] perm_id Receives the Permanent Identifier (capacity ::AIOTSEC_ID_MAX
 *             is always enough); NULL when the caller already knows it.
 * @param perm_id_cap Capacity of @p perm_id.
 * @param[out] perm_id_len Receives its length; may be NULL when @p perm_id is NULL.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_BAD_LENGTH,
 *         ::AIOTSEC_E_BUFFER_TOO_SMALL, ::AIOTSEC_E_UNKNOWN_DEVICE, a key-store
 *         or a backend status.
 */
AIOTSEC_API int aiotsec_adm_sec_authentication_get(const aiotsec_adm *adm,
                                                   const uint8_t *ident, size_t ident_len,
                                                   const uint8_t *rand_n, size_t rand_n_len,
                                                   const uint8_t *rand_d, size_t rand_d_len,
                                                   uint8_t *xres, size_t xres_cap,
                                                   uint8_t *perm_id, size_t perm_id_cap,
                                                   size_t *perm_id_len);

/**
 * @brief Nadm_SecSessionKey_Get: K_AIOTF for a device.
 * @param adm The ADM.
 * @param perm_id Permanent Identifier (1..64 octets).
 * @param perm_id_len Its length.
 * @param rand_n RAND_AIOT_n (profile length).
 * @param rand_n_len Its length.
 * @param rand_d RAND_AIOT_d (profile length).
 * @param rand_d_len Its length.
 * @param[out] kaiotf Receives the 32 octets of K_AIOTF.
 * @param kaiotf_cap Capacity of @p kaiotf.
 * @return As aiotsec_adm_sec_authentication_get().
 */
AIOTSEC_API int aiotsec_adm_sec_session_key_get(const aiotsec_adm *adm,
                                                const uint8_t *perm_id, size_t perm_id_len,
                                                const uint8_t *rand_n, size_t rand_n_len,
                                                const uint8_t *rand_d, size_t rand_d_len,
                                                uint8_t *kaiotf, size_t kaiotf_cap);

/**
 * @brief One request and its answer in a batch of Nadm_SecAuthentication_Get.
 *
 * The caller fills the inputs and the output pointers; the batch call fills
 * @c perm_id_len and @c status.
 */
typedef struct aiotsec_adm_auth_item {
    const uint8_t *ident;  /**< Identification information (1..64 octets). */
    size_t ident_len;      /**< Its length. */
    const uint8_t *rand_n; /**< RAND_AIOT_n (profile length). */
    size_t rand_n_len;     /**< Its length. */
    const uint8_t *rand_d; /**< RAND_AIOT_d (profile length). */
    size_t rand_d_len;     /**< Its length. */
    uint8_t *xres;         /**< Output: aiotsec_res_len() octets of XRES_AIOT (caller buffer of that size). */
    uint8_t *perm_id;      /**< Output: Permanent Identifier (caller buffer of ::AIOTSEC_ID_MAX octets), or NULL. */
    size_t perm_id_len;    /**< Output: its length. */
    int status;            /**< Output: as aiotsec_adm_sec_authentication_get() for this item. */
} aiotsec_adm_auth_item;

/**
 * @brief Nadm_SecAuthentication_Get for many devices at once (the inventory hot path).
 *
 * Devices whose key store offers prepared keys go through the batch API
 * (batch.h: several HMACs interleaved on the native backend); the others one
 * by one. Results are exactly those of aiotsec_adm_sec_authentication_get().
 * No allocation.
 * @param adm The ADM.
 * @param items The requests; outputs are written into them.
 * @param n Number of items (0 does nothing).
 * @return ::AIOTSEC_OK when every item was processed (see each @c status),
 *         or ::AIOTSEC_E_NULL_ARG.
 */
AIOTSEC_API int aiotsec_adm_sec_authentication_get_batch(const aiotsec_adm *adm,
                                                         aiotsec_adm_auth_item *items, size_t n);

/**
 * @brief Size of ::aiotsec_adm_auth_item (for bindings).
 * @return sizeof(aiotsec_adm_auth_item).
 */
AIOTSEC_API size_t aiotsec_adm_auth_item_size(void);

/**
 * @brief The three Nadm_Sec operations as seen by an AIOTF: a table of callbacks.
 *
 * Each operation has the parameters of the aiotsec_adm_sec_* function of the
 * same name, with @c user in place of the ADM.
 */
typedef struct aiotsec_adm_client {
    uint32_t struct_size; /**< sizeof(aiotsec_adm_client). */
    void *user;           /**< Passed back to every operation. */
    /** Nadm_SecRAND_Get (see aiotsec_adm_sec_rand_get()). */
    int (*rand_get)(void *user, uint8_t *rand_n, size_t rand_n_cap);
    /** Nadm_SecAuthentication_Get (see aiotsec_adm_sec_authentication_get()). */
    int (*authentication_get)(void *user, const uint8_t *ident, size_t ident_len,
                              const uint8_t *rand_n, size_t rand_n_len,
                              const uint8_t *rand_d, size_t rand_d_len,
                              uint8_t *xres, size_t xres_cap,
                              uint8_t *perm_id, size_t perm_id_cap, size_t *perm_id_len);
    /** Nadm_SecSessionKey_Get (see aiotsec_adm_sec_session_key_get()). */
    int (*session_key_get)(void *user, const uint8_t *perm_id, size_t perm_id_len,
                           const uint8_t *rand_n, size_t rand_n_len,
                           const uint8_t *rand_d, size_t rand_d_len,
                           uint8_t *kaiotf, size_t kaiotf_cap);
} aiotsec_adm_client;

/**
 * @brief Fills a client table that calls an in-process ADM.
 * @param adm The ADM (must outlive the table's use).
 * @param[out] out The table.
 * @return ::AIOTSEC_OK or ::AIOTSEC_E_NULL_ARG.
 */
AIOTSEC_API int aiotsec_adm_client_local(const aiotsec_adm *adm, aiotsec_adm_client *out);

/**
 * @brief Size of ::aiotsec_adm_client (for bindings).
 * @return sizeof(aiotsec_adm_client).
 */
AIOTSEC_API size_t aiotsec_adm_client_struct_size(void);

#ifdef __cplusplus
}
#endif
#endif /* AIOTSEC_ADM_H */
