/**
 * @file deprecated.h
 * @brief The names 0.4.0 replaced, kept for one minor release as inline aliases.
 *
 * 0.4.0 gave the API one naming scheme (README, Conventions): getters end in
 * `_bytes()` (a value's fixed length), `_maxbytes()` (an upper bound),
 * `_structbytes()` (a public struct's size) or `_statebytes()` (storage for an
 * opaque object the caller places), and every function sits in its area
 * (`aiotsec_<area>_<verb>`). The old names below still compile, with a
 * deprecation warning that names the new one; they are inline functions, not
 * exported symbols, and go away in 0.5.0. Define AIOTSEC_NO_DEPRECATED before
 * including aiotsec/aiotsec.h to check that code no longer uses them.
 * @ingroup deprecated
 */
#ifndef AIOTSEC_DEPRECATED_H
#define AIOTSEC_DEPRECATED_H

#include "aiotsec/adm.h"
#include "aiotsec/aiotf.h"
#include "aiotsec/backend.h"
#include "aiotsec/batch.h"
#include "aiotsec/context.h"
#include "aiotsec/derive.h"
#include "aiotsec/device.h"
#include "aiotsec/filter.h"
#include "aiotsec/kdf.h"
#include "aiotsec/keystore.h"
#include "aiotsec/nadm.h"
#include "aiotsec/nas.h"
#include "aiotsec/nas_algs.h"
#include "aiotsec/nas_security.h"
#include "aiotsec/prepared.h"
#include "aiotsec/profile.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @cond AIOTSEC_INTERNAL */
#if defined(__GNUC__) || defined(__clang__)
#define AIOTSEC_DEPRECATED(msg) __attribute__((deprecated(msg)))
#else
#define AIOTSEC_DEPRECATED(msg)
#endif
/** @endcond */

/** @addtogroup deprecated
 * @{ */

/** @deprecated Since 0.4.0: use aiotsec_adm_config_structbytes() (removed in 0.5.0). */
AIOTSEC_DEPRECATED("use aiotsec_adm_config_structbytes") static inline size_t aiotsec_adm_config_size(void)
{
    return aiotsec_adm_config_structbytes();
}

/** @deprecated Since 0.4.0: use aiotsec_adm_named_structbytes() (removed in 0.5.0). */
AIOTSEC_DEPRECATED("use aiotsec_adm_named_structbytes") static inline size_t aiotsec_adm_named_size(void)
{
    return aiotsec_adm_named_structbytes();
}

/** @deprecated Since 0.4.0: use aiotsec_adm_request_structbytes() (removed in 0.5.0). */
AIOTSEC_DEPRECATED("use aiotsec_adm_request_structbytes") static inline size_t aiotsec_adm_request_size(void)
{
    return aiotsec_adm_request_structbytes();
}

/** @deprecated Since 0.4.0: use aiotsec_aiotf_config_structbytes() (removed in 0.5.0). */
AIOTSEC_DEPRECATED("use aiotsec_aiotf_config_structbytes") static inline size_t aiotsec_aiotf_config_size(void)
{
    return aiotsec_aiotf_config_structbytes();
}

/** @deprecated Since 0.4.0: use aiotsec_aiotf_stats_structbytes() (removed in 0.5.0). */
AIOTSEC_DEPRECATED("use aiotsec_aiotf_stats_structbytes") static inline size_t aiotsec_aiotf_stats_size(void)
{
    return aiotsec_aiotf_stats_structbytes();
}

/** @deprecated Since 0.4.0: use aiotsec_aiotf_summary_structbytes() (removed in 0.5.0). */
AIOTSEC_DEPRECATED("use aiotsec_aiotf_summary_structbytes") static inline size_t aiotsec_aiotf_summary_size(void)
{
    return aiotsec_aiotf_summary_structbytes();
}

/** @deprecated Since 0.4.0: use aiotsec_aiotf_device_structbytes() (removed in 0.5.0). */
AIOTSEC_DEPRECATED("use aiotsec_aiotf_device_structbytes") static inline size_t aiotsec_aiotf_device_size(void)
{
    return aiotsec_aiotf_device_structbytes();
}

/** @deprecated Since 0.4.0: use aiotsec_aiotf_report_structbytes() (removed in 0.5.0). */
AIOTSEC_DEPRECATED("use aiotsec_aiotf_report_structbytes") static inline size_t aiotsec_aiotf_report_size(void)
{
    return aiotsec_aiotf_report_structbytes();
}

/** @deprecated Since 0.4.0: use aiotsec_backend_structbytes() (removed in 0.5.0). */
AIOTSEC_DEPRECATED("use aiotsec_backend_structbytes") static inline size_t aiotsec_backend_struct_size(void)
{
    return aiotsec_backend_structbytes();
}

/** @deprecated Since 0.4.0: use aiotsec_batch_item_structbytes() (removed in 0.5.0). */
AIOTSEC_DEPRECATED("use aiotsec_batch_item_structbytes") static inline size_t aiotsec_batch_item_size(void)
{
    return aiotsec_batch_item_structbytes();
}

/** @deprecated Since 0.4.0: use aiotsec_ctx_statebytes() (removed in 0.5.0). */
AIOTSEC_DEPRECATED("use aiotsec_ctx_statebytes") static inline size_t aiotsec_ctx_size(void)
{
    return aiotsec_ctx_statebytes();
}

/** @deprecated Since 0.4.0: use aiotsec_derive_res_bytes() (removed in 0.5.0). */
AIOTSEC_DEPRECATED("use aiotsec_derive_res_bytes") static inline size_t aiotsec_res_len(const aiotsec_ctx *ctx)
{
    return aiotsec_derive_res_bytes(ctx);
}

/** @deprecated Since 0.4.0: use aiotsec_derive_rand_n_bytes() (removed in 0.5.0). */
AIOTSEC_DEPRECATED("use aiotsec_derive_rand_n_bytes") static inline size_t aiotsec_rand_n_len(const aiotsec_ctx *ctx)
{
    return aiotsec_derive_rand_n_bytes(ctx);
}

/** @deprecated Since 0.4.0: use aiotsec_derive_rand_d_bytes() (removed in 0.5.0). */
AIOTSEC_DEPRECATED("use aiotsec_derive_rand_d_bytes") static inline size_t aiotsec_rand_d_len(const aiotsec_ctx *ctx)
{
    return aiotsec_derive_rand_d_bytes(ctx);
}

/** @deprecated Since 0.4.0: use aiotsec_derive_kaiotf_bytes() (removed in 0.5.0). */
AIOTSEC_DEPRECATED("use aiotsec_derive_kaiotf_bytes") static inline size_t aiotsec_kaiotf_len(void)
{
    return aiotsec_derive_kaiotf_bytes();
}

/** @deprecated Since 0.4.0: use aiotsec_derive_alg_key_bytes() (removed in 0.5.0). */
AIOTSEC_DEPRECATED("use aiotsec_derive_alg_key_bytes") static inline size_t aiotsec_alg_key_len(const aiotsec_ctx *ctx, aiotsec_alg_type type, unsigned alg_id)
{
    return aiotsec_derive_alg_key_bytes(ctx, type, alg_id);
}

/** @deprecated Since 0.4.0: use aiotsec_device_statebytes() (removed in 0.5.0). */
AIOTSEC_DEPRECATED("use aiotsec_device_statebytes") static inline size_t aiotsec_device_size(void)
{
    return aiotsec_device_statebytes();
}

/** @deprecated Since 0.4.0: use aiotsec_device_config_structbytes() (removed in 0.5.0). */
AIOTSEC_DEPRECATED("use aiotsec_device_config_structbytes") static inline size_t aiotsec_device_config_size(void)
{
    return aiotsec_device_config_structbytes();
}

/** @deprecated Since 0.4.0: use aiotsec_device_stats_structbytes() (removed in 0.5.0). */
AIOTSEC_DEPRECATED("use aiotsec_device_stats_structbytes") static inline size_t aiotsec_device_stats_size(void)
{
    return aiotsec_device_stats_structbytes();
}

/** @deprecated Since 0.4.0: use aiotsec_filter_maxbytes() (removed in 0.5.0). */
AIOTSEC_DEPRECATED("use aiotsec_filter_maxbytes") static inline size_t aiotsec_filter_max_len(void)
{
    return aiotsec_filter_maxbytes();
}

/** @deprecated Since 0.4.0: use aiotsec_kdf_out_bytes() (removed in 0.5.0). */
AIOTSEC_DEPRECATED("use aiotsec_kdf_out_bytes") static inline size_t aiotsec_kdf_out_len(void)
{
    return aiotsec_kdf_out_bytes();
}

/** @deprecated Since 0.4.0: use aiotsec_kdf_param_structbytes() (removed in 0.5.0). */
AIOTSEC_DEPRECATED("use aiotsec_kdf_param_structbytes") static inline size_t aiotsec_kdf_param_size(void)
{
    return aiotsec_kdf_param_structbytes();
}

/** @deprecated Since 0.4.0: use aiotsec_keystore_structbytes() (removed in 0.5.0). */
AIOTSEC_DEPRECATED("use aiotsec_keystore_structbytes") static inline size_t aiotsec_keystore_struct_size(void)
{
    return aiotsec_keystore_structbytes();
}

/** @deprecated Since 0.4.0: use aiotsec_keystore_id_maxbytes() (removed in 0.5.0). */
AIOTSEC_DEPRECATED("use aiotsec_keystore_id_maxbytes") static inline size_t aiotsec_id_max_len(void)
{
    return aiotsec_keystore_id_maxbytes();
}

/** @deprecated Since 0.4.0: use aiotsec_tid_info_structbytes() (removed in 0.5.0). */
AIOTSEC_DEPRECATED("use aiotsec_tid_info_structbytes") static inline size_t aiotsec_tid_info_size(void)
{
    return aiotsec_tid_info_structbytes();
}

/** @deprecated Since 0.4.0: use aiotsec_nas_mac_bytes() (removed in 0.5.0). */
AIOTSEC_DEPRECATED("use aiotsec_nas_mac_bytes") static inline size_t aiotsec_nas_mac_len(void)
{
    return aiotsec_nas_mac_bytes();
}

/** @deprecated Since 0.4.0: use aiotsec_nas_msg_structbytes() (removed in 0.5.0). */
AIOTSEC_DEPRECATED("use aiotsec_nas_msg_structbytes") static inline size_t aiotsec_nas_msg_size(void)
{
    return aiotsec_nas_msg_structbytes();
}

/** @deprecated Since 0.4.0: use aiotsec_nas_protected_hdr_structbytes() (removed in 0.5.0). */
AIOTSEC_DEPRECATED("use aiotsec_nas_protected_hdr_structbytes") static inline size_t aiotsec_nas_protected_hdr_size(void)
{
    return aiotsec_nas_protected_hdr_structbytes();
}

/** @deprecated Since 0.4.0: use aiotsec_nas_maxbytes() (removed in 0.5.0). */
AIOTSEC_DEPRECATED("use aiotsec_nas_maxbytes") static inline size_t aiotsec_nas_max_len(const aiotsec_profile *profile)
{
    return aiotsec_nas_maxbytes(profile);
}

/** @deprecated Since 0.4.0: use aiotsec_alg_cmac_bytes() (removed in 0.5.0). */
AIOTSEC_DEPRECATED("use aiotsec_alg_cmac_bytes") static inline size_t aiotsec_cmac_len(void)
{
    return aiotsec_alg_cmac_bytes();
}

/** @deprecated Since 0.4.0: use aiotsec_nas_sec_statebytes() (removed in 0.5.0). */
AIOTSEC_DEPRECATED("use aiotsec_nas_sec_statebytes") static inline size_t aiotsec_nas_sec_size(void)
{
    return aiotsec_nas_sec_statebytes();
}

/** @deprecated Since 0.4.0: use aiotsec_profile_params_structbytes() (removed in 0.5.0). */
AIOTSEC_DEPRECATED("use aiotsec_profile_params_structbytes") static inline size_t aiotsec_profile_params_size(void)
{
    return aiotsec_profile_params_structbytes();
}

/** @deprecated Since 0.4.0: use aiotsec_alg_aes_cmac() (removed in 0.5.0). */
AIOTSEC_DEPRECATED("use aiotsec_alg_aes_cmac") static inline int aiotsec_aes_cmac(const aiotsec_ctx *ctx, const uint8_t *key, size_t key_len, const uint8_t *msg, size_t msg_len, uint8_t *mac, size_t mac_cap)
{
    return aiotsec_alg_aes_cmac(ctx, key, key_len, msg, msg_len, mac, mac_cap);
}

/** @deprecated Since 0.4.0: use aiotsec_alg_nia2() (removed in 0.5.0). */
AIOTSEC_DEPRECATED("use aiotsec_alg_nia2") static inline int aiotsec_nia2(const aiotsec_ctx *ctx, const uint8_t *key, size_t key_len, uint32_t count, unsigned bearer, unsigned direction, const uint8_t *msg, size_t len_bits, uint8_t *mac, size_t mac_cap)
{
    return aiotsec_alg_nia2(ctx, key, key_len, count, bearer, direction, msg, len_bits, mac, mac_cap);
}

/** @deprecated Since 0.4.0: use aiotsec_alg_nea2() (removed in 0.5.0). */
AIOTSEC_DEPRECATED("use aiotsec_alg_nea2") static inline int aiotsec_nea2(const aiotsec_ctx *ctx, const uint8_t *key, size_t key_len, uint32_t count, unsigned bearer, unsigned direction, const uint8_t *in, size_t len_bits, uint8_t *out, size_t out_cap)
{
    return aiotsec_alg_nea2(ctx, key, key_len, count, bearer, direction, in, len_bits, out, out_cap);
}

/** @deprecated Since 0.4.0: use aiotsec_alg_aia_hs() (removed in 0.5.0). */
AIOTSEC_DEPRECATED("use aiotsec_alg_aia_hs") static inline int aiotsec_aia_hs(const aiotsec_ctx *ctx, const uint8_t *key, size_t key_len, uint32_t count, unsigned bearer, unsigned direction, const uint8_t *msg, size_t msg_len, uint8_t *mac, size_t mac_cap)
{
    return aiotsec_alg_aia_hs(ctx, key, key_len, count, bearer, direction, msg, msg_len, mac, mac_cap);
}

/** @deprecated Since 0.4.0: use aiotsec_prepared_derive_res() (removed in 0.5.0). */
AIOTSEC_DEPRECATED("use aiotsec_prepared_derive_res") static inline int aiotsec_derive_res_prepared(const aiotsec_prepared_key *key, const uint8_t *rand_n, size_t rand_n_len, const uint8_t *rand_d, size_t rand_d_len, uint8_t *res, size_t res_cap)
{
    return aiotsec_prepared_derive_res(key, rand_n, rand_n_len, rand_d, rand_d_len, res, res_cap);
}

/** @deprecated Since 0.4.0: use aiotsec_prepared_derive_kaiotf() (removed in 0.5.0). */
AIOTSEC_DEPRECATED("use aiotsec_prepared_derive_kaiotf") static inline int aiotsec_derive_kaiotf_prepared(const aiotsec_prepared_key *key, const uint8_t *rand_n, size_t rand_n_len, const uint8_t *rand_d, size_t rand_d_len, uint8_t *kaiotf, size_t kaiotf_cap)
{
    return aiotsec_prepared_derive_kaiotf(key, rand_n, rand_n_len, rand_d, rand_d_len, kaiotf, kaiotf_cap);
}

/** @deprecated Since 0.4.0: use aiotsec_prepared_verify_res() (removed in 0.5.0). */
AIOTSEC_DEPRECATED("use aiotsec_prepared_verify_res") AIOTSEC_WUR static inline int aiotsec_verify_res_prepared(const aiotsec_prepared_key *key, const uint8_t *rand_n, size_t rand_n_len, const uint8_t *rand_d, size_t rand_d_len, const uint8_t *res, size_t res_len)
{
    return aiotsec_prepared_verify_res(key, rand_n, rand_n_len, rand_d, rand_d_len, res, res_len);
}

/** @deprecated Since 0.4.0: use aiotsec_batch_pool_derive_res() (removed in 0.5.0). */
AIOTSEC_DEPRECATED("use aiotsec_batch_pool_derive_res") static inline int aiotsec_batch_derive_res_pool(const aiotsec_ctx *ctx, aiotsec_batch_pool *pool, const aiotsec_batch_item *items, size_t n, uint8_t *xres, size_t xres_cap, int *results)
{
    return aiotsec_batch_pool_derive_res(ctx, pool, items, n, xres, xres_cap, results);
}

/** @deprecated Since 0.4.0: use aiotsec_batch_pool_verify_res() (removed in 0.5.0). */
AIOTSEC_DEPRECATED("use aiotsec_batch_pool_verify_res") AIOTSEC_WUR static inline int aiotsec_batch_verify_res_pool(const aiotsec_ctx *ctx, aiotsec_batch_pool *pool, const aiotsec_batch_item *items, size_t n, int *results, size_t *n_ok)
{
    return aiotsec_batch_pool_verify_res(ctx, pool, items, n, results, n_ok);
}

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* AIOTSEC_DEPRECATED_H */
