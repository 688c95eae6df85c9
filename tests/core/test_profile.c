/* Profiles: profile 0 is what the spec says; other valid profiles change the
 * derivations exactly as the KDF definition says; invalid ones are refused. */
#include <criterion/criterion.h>
#include <string.h>

#include "aiotsec/aiotsec.h"

Test(profile, profile0_matches_spec_section_3)
{
    aiotsec_profile_params p;
    cr_assert_eq(aiotsec_profile_get(aiotsec_profile_default(), &p), AIOTSEC_OK);
    cr_assert_eq(p.struct_size, aiotsec_profile_params_structbytes());
    cr_assert_eq(p.rand_n_len, 16);
    cr_assert_eq(p.rand_d_len, 16);
    cr_assert_eq(p.res_len, 16);
    cr_assert_eq(p.fc_res, 0xA0);
    cr_assert_eq(p.fc_kaiotf, 0xA1);
    cr_assert_eq(p.fc_alg_key, 0xA2);
    cr_assert_eq(p.alg_id_aia_hs, 8);
    cr_assert_eq(p.default_int_alg, 8);
    cr_assert_eq(p.default_enc_alg, 0);
    cr_assert_eq(p.nas_epd, 0x7A);
    cr_assert_eq(p.nas_max_len, 2048);
    cr_assert_eq(p.nas_max_data_len, 1024);
    /* Revision 2: K_AIOTF is the 128 least significant bits, TS 29.569 command and status names. */
    cr_assert_eq(p.kaiotf_offset, 16);
    cr_assert_eq(p.cmd_permanent_disable, 0x03);
    cr_assert_eq(p.status_success, 0x00);
    cr_assert_eq(p.status_params_invalid, 0x01);
    cr_assert_eq(p.status_msg_type_unknown, 0x02);
    cr_assert_eq(p.status_low_energy, 0x03);
    cr_assert_eq(p.status_invalid_mandatory, 0x04);
    cr_assert_eq(p.status_unspecified, 0xFF);
    cr_assert_eq(p.filter_encoding, AIOTSEC_FILTER_PREFIX_BITS);
    cr_assert_eq(p.tid_type, AIOTSEC_TID_STORED);
    cr_assert_eq(p.max_derivations, 65536);
}

/* RES under a profile = the res_len last octets of KDF(K, fc_res, RAND_n, RAND_d). */
static void check_profile_derivation(const aiotsec_profile_params *pp)
{
    aiotsec_profile *prof = NULL;
    aiotsec_ctx *ctx = NULL;
    cr_assert_eq(aiotsec_profile_new(&prof, pp), AIOTSEC_OK);
    cr_assert_eq(aiotsec_ctx_new(&ctx, NULL, prof), AIOTSEC_OK);
    aiotsec_profile_free(prof); /* the context keeps its own copy */
    cr_assert_eq(aiotsec_derive_res_bytes(ctx), pp->res_len);
    cr_assert_eq(aiotsec_derive_rand_n_bytes(ctx), pp->rand_n_len);
    cr_assert_eq(aiotsec_derive_rand_d_bytes(ctx), pp->rand_d_len);

    uint8_t k[16] = {1, 2, 3}, rn[32], rd[32], res[32], full[32], kf[AIOTSEC_KAIOTF_LEN];
    memset(rn, 0x5A, sizeof rn);
    memset(rd, 0xA5, sizeof rd);
    cr_assert_eq(aiotsec_gen_rand_n(ctx, rn, sizeof rn), AIOTSEC_OK);
    aiotsec_kdf_param params[2] = {{rn, pp->rand_n_len}, {rd, pp->rand_d_len}};
    cr_assert_eq(aiotsec_kdf(ctx, k, 16, pp->fc_res, params, 2, full, 32), AIOTSEC_OK);
    cr_assert_eq(aiotsec_derive_res(ctx, k, 16, rn, pp->rand_n_len, rd, pp->rand_d_len, res, sizeof res), AIOTSEC_OK);
    cr_assert(memcmp(res, full + 32 - pp->res_len, pp->res_len) == 0);
    cr_assert_eq(aiotsec_verify_res(ctx, k, 16, rn, pp->rand_n_len, rd, pp->rand_d_len, res, pp->res_len), AIOTSEC_OK);
    cr_assert_eq(aiotsec_kdf(ctx, k, 16, pp->fc_kaiotf, params, 2, full, 32), AIOTSEC_OK);
    cr_assert_eq(aiotsec_derive_kaiotf(ctx, k, 16, rn, pp->rand_n_len, rd, pp->rand_d_len, kf, sizeof kf), AIOTSEC_OK);
    cr_assert(memcmp(kf, full + pp->kaiotf_offset, sizeof kf) == 0);
    /* profile 0's RES length is now wrong when it differs */
    if (pp->res_len != 16)
        cr_assert_eq(aiotsec_verify_res(ctx, k, 16, rn, 16, rd, 16, full + 16, 16), AIOTSEC_E_BAD_LENGTH);
    aiotsec_ctx_free(ctx);
}

Test(profile, other_valid_profiles_derive_as_specified)
{
    aiotsec_profile_params p;
    aiotsec_profile_params_init(&p);
    p.id = 1;
    p.res_len = 4; /* TS 29.503 Xres: 4..16 octets */
    p.fc_res = 0xFF01; /* two-octet FC */
    p.fc_kaiotf = 0x00;
    p.fc_alg_key = 0xFE;
    p.kaiotf_offset = 0; /* the 128 most significant bits */
    check_profile_derivation(&p);
    p.res_len = 8;
    p.fc_res = 0x20;
    p.fc_kaiotf = 0xFFFF;
    p.kaiotf_offset = 16;
    check_profile_derivation(&p);
}

Test(profile, invalid_profiles_refused)
{
    aiotsec_profile_params base, p;
    aiotsec_profile *prof = (aiotsec_profile *)0x1;
    aiotsec_profile_params_init(&base);
#define REFUSE(stmt)                                                                 \
    do {                                                                             \
        p = base;                                                                    \
        stmt;                                                                        \
        cr_assert_eq(aiotsec_profile_new(&prof, &p), AIOTSEC_E_BAD_PROFILE, #stmt); \
        cr_assert_null(prof);                                                        \
    } while (0)
    REFUSE(p.rand_n_len = 4);  /* TS 29.503 Rand: exactly 16 octets */
    REFUSE(p.rand_n_len = 32);
    REFUSE(p.rand_d_len = 15);
    REFUSE(p.rand_d_len = 0);
    REFUSE(p.res_len = 3);
    REFUSE(p.res_len = 17);     /* TS 29.503 Xres: at most 16 octets */
    REFUSE(p.kaiotf_offset = 8); /* K_AIOTF is one half of the KDF output */
    REFUSE(p.kaiotf_offset = 32);
    REFUSE(p.fc_res = 0x00FF);  /* lone 0xFF is the two-octet escape */
    REFUSE(p.fc_res = 0x0100);  /* neither encoding */
    REFUSE(p.fc_kaiotf = 0xFEFF);
    REFUSE(p.fc_kaiotf = p.fc_res); /* RES would be the tail of K_AIOTF */
    REFUSE(p.fc_alg_key = p.fc_res);
    REFUSE(p.alg_dist_int = p.alg_dist_enc);
    REFUSE(p.alg_id_aia_hs = 0);
    REFUSE(p.alg_id_aia_hs = 2);
    REFUSE(p.alg_id_aia_hs = 16);
    REFUSE(p.default_int_alg = 0); /* NIA0 is never a default */
    REFUSE(p.default_enc_alg = 1);
    REFUSE(p.mt_command_request = p.mt_auth_response);
    REFUSE(p.cmd_permanent_disable = p.cmd_read);
    REFUSE(p.status_unspecified = p.status_success);
    REFUSE(p.status_low_energy = p.status_invalid_mandatory);
    REFUSE(p.filter_encoding = 1);
    REFUSE(p.tid_type = AIOTSEC_TID_CONCEALED);
    REFUSE(p.max_derivations = 0);
    REFUSE(p.max_derivations = (1u << 24) + 1);
    REFUSE(p.iei_read_data = 0x21); /* read data needs a 2-octet length (TLV-E) */
    REFUSE(p.nas_max_data_len = 0);
    REFUSE(p.nas_max_len = 10);
    REFUSE(p.struct_size = 4);
#undef REFUSE
    cr_assert_eq(aiotsec_profile_new(&prof, NULL), AIOTSEC_E_NULL_ARG);
    cr_assert_eq(aiotsec_profile_new(NULL, &base), AIOTSEC_E_NULL_ARG);
    aiotsec_profile_free(NULL);
    aiotsec_profile_free((aiotsec_profile *)aiotsec_profile_default()); /* ignored */
}
