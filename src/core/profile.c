/* Profiles: validation against the spec's ranges, creation, access. */
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"

int aiot_fc_valid(uint16_t fc)
{
    return fc <= 0x00FE || fc >= 0xFF00;
}

static int in_range(unsigned v, unsigned lo, unsigned hi)
{
    return v >= lo && v <= hi;
}

static int distinct(const uint8_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (v[i] == v[j])
                return 0;
    return 1;
}

int aiot_profile_check(const aiotsec_profile_params *p)
{
    if (p->struct_size != sizeof(aiotsec_profile_params))
        return AIOTSEC_E_BAD_PROFILE;
    /* TS 29.503: Rand is exactly 16 octets, Xres 4..16. */
    if (p->rand_n_len != AIOTSEC_RAND_LEN || p->rand_d_len != AIOTSEC_RAND_LEN ||
        !in_range(p->res_len, 4, AIOTSEC_RAND_RES_MAX))
        return AIOTSEC_E_BAD_PROFILE;
    /* K_AIOTF is 16 octets (TS 29.369 Kaiotf): the upper or the lower half of the KDF output. */
    if (p->kaiotf_offset != 0 && p->kaiotf_offset != 32 - AIOTSEC_KAIOTF_LEN)
        return AIOTSEC_E_BAD_PROFILE;
    if (!aiot_fc_valid(p->fc_res) || !aiot_fc_valid(p->fc_kaiotf) || !aiot_fc_valid(p->fc_alg_key))
        return AIOTSEC_E_BAD_PROFILE;
    /* Equal FCs would make RES_AIOT the tail of K_AIOTF: refuse. */
    if (p->fc_res == p->fc_kaiotf || p->fc_res == p->fc_alg_key || p->fc_kaiotf == p->fc_alg_key)
        return AIOTSEC_E_BAD_PROFILE;
    if (p->alg_dist_enc == p->alg_dist_int)
        return AIOTSEC_E_BAD_PROFILE;
    /* Identities are 4 bits; 0 is NIA0 and 2 is 128-NIA2. */
    if (!in_range(p->alg_id_aia_hs, 1, 15) || p->alg_id_aia_hs == 2)
        return AIOTSEC_E_BAD_PROFILE;
    if (p->default_int_alg != 2 && p->default_int_alg != p->alg_id_aia_hs)
        return AIOTSEC_E_BAD_PROFILE;
    if (p->default_enc_alg != 0 && p->default_enc_alg != 2)
        return AIOTSEC_E_BAD_PROFILE;
    const uint8_t types[] = {p->mt_auth_response, p->mt_command_request, p->mt_command_response};
    const uint8_t cmds[] = {p->cmd_read, p->cmd_write, p->cmd_permanent_disable};
    const uint8_t stats[] = {p->status_success, p->status_params_invalid, p->status_msg_type_unknown,
                             p->status_low_energy, p->status_invalid_mandatory, p->status_unspecified};
    if (!distinct(types, 3) || !distinct(cmds, 3) || !distinct(stats, sizeof stats))
        return AIOTSEC_E_BAD_PROFILE;
    /* Read data carries up to nas_max_data_len octets: it must be a TLV-E IE (0x70..0x7F). */
    if (!in_range(p->iei_read_data, 0x70, 0x7F))
        return AIOTSEC_E_BAD_PROFILE;
    if (!in_range(p->nas_max_data_len, 1, 65535) || p->nas_max_len < 64 ||
        p->nas_max_data_len > p->nas_max_len)
        return AIOTSEC_E_BAD_PROFILE;
    /* Section 6: the one filter encoding and the one T-ID type defined so far. */
    if (p->filter_encoding != AIOTSEC_FILTER_PREFIX_BITS || p->tid_type != AIOTSEC_TID_STORED)
        return AIOTSEC_E_BAD_PROFILE;
    if (!in_range(p->max_derivations, 1, 1u << 24))
        return AIOTSEC_E_BAD_PROFILE;
    return AIOTSEC_OK;
}

int aiotsec_profile_params_init(aiotsec_profile_params *params)
{
    if (!params)
        return AIOTSEC_E_NULL_ARG;
    *params = aiot_profile0.p;
    return AIOTSEC_OK;
}

size_t aiotsec_profile_params_structbytes(void)
{
    return sizeof(aiotsec_profile_params);
}

#ifndef AIOTSEC_DEVICE_ONLY /* no heap on a tag: profile 0 is static */
int aiotsec_profile_new(aiotsec_profile **out, const aiotsec_profile_params *params)
{
    if (!out || !params)
        return AIOTSEC_E_NULL_ARG;
    *out = NULL;
    int rc = aiot_profile_check(params);
    if (rc != AIOTSEC_OK)
        return rc;
    struct aiotsec_profile *p = calloc(1, sizeof *p);
    if (!p)
        return AIOTSEC_E_NO_MEMORY;
    p->p = *params;
    p->is_static = 0;
    *out = p;
    return AIOTSEC_OK;
}

void aiotsec_profile_free(aiotsec_profile *profile)
{
    if (profile && !profile->is_static)
        free(profile);
}
#endif /* !AIOTSEC_DEVICE_ONLY */

const aiotsec_profile *aiotsec_profile_default(void)
{
    return &aiot_profile0;
}

int aiotsec_profile_get(const aiotsec_profile *profile, aiotsec_profile_params *params)
{
    if (!profile || !params)
        return AIOTSEC_E_NULL_ARG;
    *params = profile->p;
    return AIOTSEC_OK;
}
