/* Profile 0: the ONE place where the spec's provisional (P) values are written down.
 * Every other file reads them from a profile. A future normative profile is a new
 * table like this one (or an aiotsec_profile_new() call), not a code change.
 * Source: ../shared/spec/aiot-security-profile.md (revision 2) sections 3 to 6. */
#include "core/internal.h"

const struct aiotsec_profile aiot_profile0 = {
    .p = {
        .struct_size = sizeof(aiotsec_profile_params),
        .id = 0,
        /* section 3 (revision 2: TS 29.369 v19.2.0 / TS 29.503 lengths) */
        .rand_n_len = 16,    /* TS 29.503 Rand */
        .rand_d_len = 16,    /* TS 29.503 Rand */
        .res_len = 16,       /* P (TS 29.503 Xres allows 4..16) */
        .fc_res = 0xA0,      /* P */
        .fc_kaiotf = 0xA1,   /* P */
        .fc_alg_key = 0xA2,  /* P */
        .kaiotf_offset = 16, /* P: K_AIOTF = the 128 least significant bits */
        .alg_dist_enc = 0x01, /* mirrors TS 33.501 A.8 */
        .alg_dist_int = 0x02, /* mirrors TS 33.501 A.8 */
        /* section 4 */
        .alg_id_aia_hs = 8,  /* P */
        .default_int_alg = 8, /* P: AIA-HS */
        .default_enc_alg = 0, /* P: NEA0 */
        /* section 5 */
        .nas_epd = 0x7A,             /* P */
        .mt_auth_response = 0x41,    /* P */
        .mt_command_request = 0x42,  /* P */
        .mt_command_response = 0x43, /* P */
        .cmd_read = 0x01,            /* P (TS 29.569 commandType READ) */
        .cmd_write = 0x02,           /* P (WRITE) */
        .cmd_permanent_disable = 0x03, /* P (PERMANENT_DISABLE) */
        .iei_read_data = 0x71,       /* P */
        .status_success = 0x00,            /* P */
        .status_params_invalid = 0x01,     /* P: COMMAND_TYPE_SPECIFIC_PARAMETERS_INVALID */
        .status_msg_type_unknown = 0x02,   /* P: MESSAGE_TYPE_NON_EXISTENT_OR_NOT_IMPLEMENTED */
        .status_low_energy = 0x03,         /* P: LOW_ENERGY */
        .status_invalid_mandatory = 0x04,  /* P: INVALID_MANDATORY_INFORMATION */
        .status_unspecified = 0xFF,        /* P: ERROR_UNSPECIFIED */
        .nas_max_len = 2048,         /* P */
        .nas_max_data_len = 1024,    /* P */
        /* section 6 */
        .filter_encoding = AIOTSEC_FILTER_PREFIX_BITS, /* P (6.2) */
        .tid_type = AIOTSEC_TID_STORED,                /* P (6.1) */
        .max_derivations = 65536,                      /* P (6.1): the ADM's default limit */
    },
    .is_static = 1,
};
