/* The 0.3 names that 0.4.0 replaced (aiotsec/deprecated.h) still compile and do
 * what the new names do, for one minor release. This file is the one place that
 * uses them on purpose, so their deprecation warnings are silenced here only. */
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#include <criterion/criterion.h>
#include <string.h>

#include "aiotsec/aiotsec.h"

#ifndef AIOTSEC_DEPRECATED_H
#error "aiotsec/aiotsec.h must include the deprecated aliases unless AIOTSEC_NO_DEPRECATED is defined"
#endif

Test(deprecated, struct_and_state_getters)
{
    cr_assert_eq(aiotsec_adm_config_size(), aiotsec_adm_config_structbytes());
    cr_assert_eq(aiotsec_adm_named_size(), aiotsec_adm_named_structbytes());
    cr_assert_eq(aiotsec_adm_request_size(), aiotsec_adm_request_structbytes());
    cr_assert_eq(aiotsec_aiotf_config_size(), aiotsec_aiotf_config_structbytes());
    cr_assert_eq(aiotsec_aiotf_stats_size(), aiotsec_aiotf_stats_structbytes());
    cr_assert_eq(aiotsec_aiotf_summary_size(), aiotsec_aiotf_summary_structbytes());
    cr_assert_eq(aiotsec_aiotf_device_size(), aiotsec_aiotf_device_structbytes());
    cr_assert_eq(aiotsec_aiotf_report_size(), aiotsec_aiotf_report_structbytes());
    cr_assert_eq(aiotsec_backend_struct_size(), aiotsec_backend_structbytes());
    cr_assert_eq(aiotsec_batch_item_size(), aiotsec_batch_item_structbytes());
    cr_assert_eq(aiotsec_ctx_size(), aiotsec_ctx_statebytes());
    cr_assert_eq(aiotsec_device_size(), aiotsec_device_statebytes());
    cr_assert_eq(aiotsec_device_config_size(), aiotsec_device_config_structbytes());
    cr_assert_eq(aiotsec_device_stats_size(), aiotsec_device_stats_structbytes());
    cr_assert_eq(aiotsec_kdf_param_size(), aiotsec_kdf_param_structbytes());
    cr_assert_eq(aiotsec_keystore_struct_size(), aiotsec_keystore_structbytes());
    cr_assert_eq(aiotsec_tid_info_size(), aiotsec_tid_info_structbytes());
    cr_assert_eq(aiotsec_nas_msg_size(), aiotsec_nas_msg_structbytes());
    cr_assert_eq(aiotsec_nas_protected_hdr_size(), aiotsec_nas_protected_hdr_structbytes());
    cr_assert_eq(aiotsec_nas_sec_size(), aiotsec_nas_sec_statebytes());
    cr_assert_eq(aiotsec_profile_params_size(), aiotsec_profile_params_structbytes());
    cr_assert_eq(aiotsec_adm_named_size(), sizeof(aiotsec_adm_named));
}

Test(deprecated, length_getters)
{
    aiotsec_ctx *ctx = NULL;
    cr_assert_eq(aiotsec_ctx_new(&ctx, "sodium", NULL), AIOTSEC_OK);
    cr_assert_eq(aiotsec_res_len(ctx), aiotsec_derive_res_bytes(ctx));
    cr_assert_eq(aiotsec_rand_n_len(ctx), aiotsec_derive_rand_n_bytes(ctx));
    cr_assert_eq(aiotsec_rand_d_len(ctx), aiotsec_derive_rand_d_bytes(ctx));
    cr_assert_eq(aiotsec_kaiotf_len(), aiotsec_derive_kaiotf_bytes());
    cr_assert_eq(aiotsec_kaiotf_len(), 16);
    cr_assert_eq(aiotsec_alg_key_len(ctx, AIOTSEC_ALG_INT, 2), aiotsec_derive_alg_key_bytes(ctx, AIOTSEC_ALG_INT, 2));
    cr_assert_eq(aiotsec_filter_max_len(), aiotsec_filter_maxbytes());
    cr_assert_eq(aiotsec_kdf_out_len(), aiotsec_kdf_out_bytes());
    cr_assert_eq(aiotsec_id_max_len(), aiotsec_keystore_id_maxbytes());
    cr_assert_eq(aiotsec_nas_mac_len(), aiotsec_nas_mac_bytes());
    cr_assert_eq(aiotsec_nas_max_len(NULL), aiotsec_nas_maxbytes(NULL));
    cr_assert_eq(aiotsec_cmac_len(), aiotsec_alg_cmac_bytes());
    aiotsec_ctx_free(ctx);
}

/* On every backend: the same status (AIOTSEC_E_UNSUPPORTED without AES) and the same output. */
Test(deprecated, algorithms_and_prepared_keys)
{
    for (size_t i = 0; i < aiotsec_backend_count(); i++) {
        aiotsec_ctx *ctx = NULL;
        const char *name = aiotsec_backend_name_at(i);
        cr_assert_eq(aiotsec_ctx_new(&ctx, name, NULL), AIOTSEC_OK, "%s", name);
        const uint8_t key[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
        const uint8_t msg[21] = "aiotsec 0.3 names ok";
        uint8_t a[16] = {0}, b[16] = {0};
        int ra = aiotsec_aes_cmac(ctx, key, 16, msg, sizeof msg, a, sizeof a);
        cr_assert_eq(ra, aiotsec_alg_aes_cmac(ctx, key, 16, msg, sizeof msg, b, sizeof b), "%s", name);
        cr_assert_arr_eq(a, b, 16);
        uint8_t ka[4] = {0}, kb[4] = {0};
        ra = aiotsec_nia2(ctx, key, 16, 7, 1, 0, msg, 8 * sizeof msg, ka, sizeof ka);
        cr_assert_eq(ra, aiotsec_alg_nia2(ctx, key, 16, 7, 1, 0, msg, 8 * sizeof msg, kb, sizeof kb), "%s", name);
        cr_assert_arr_eq(ka, kb, 4);
        cr_assert_eq(ra == AIOTSEC_OK, (aiotsec_ctx_caps(ctx) & AIOTSEC_CAP_AES128) != 0, "%s", name);

        const uint8_t rn[16] = {0xa}, rd[16] = {0xb};
        uint8_t root[32];
        memset(root, 0x5c, sizeof root);
        aiotsec_prepared_key *pk = NULL;
        cr_assert_eq(aiotsec_prepared_key_new(&pk, ctx, root, sizeof root), AIOTSEC_OK);
        size_t rl = aiotsec_derive_res_bytes(ctx);
        uint8_t r1[32], r2[32];
        cr_assert_eq(aiotsec_derive_res_prepared(pk, rn, 16, rd, 16, r1, sizeof r1), AIOTSEC_OK);
        cr_assert_eq(aiotsec_prepared_derive_res(pk, rn, 16, rd, 16, r2, sizeof r2), AIOTSEC_OK);
        cr_assert_arr_eq(r1, r2, rl);
        cr_assert_eq(aiotsec_verify_res_prepared(pk, rn, 16, rd, 16, r1, rl), AIOTSEC_OK);
        r1[0] ^= 1;
        cr_assert_eq(aiotsec_verify_res_prepared(pk, rn, 16, rd, 16, r1, rl), AIOTSEC_E_AUTH_FAILED);
        aiotsec_prepared_key_free(pk);
        aiotsec_ctx_free(ctx);
    }
}
