/* Profile 0: the ONE place where the spec's provisional (P) values are written down.
 * Every other file reads them from a profile. A future normative profile is a new
 * table like this one (or an aiotsec_profile_new() call), not a code change.
 * Source: ../shared/spec/aiot-security-profile.md sections 3, 4 and 5. */
#include "core/internal.h"

const struct aiotsec_profile aiot_profile0 = {
    .p = {
        .struct_size = sizeof(aiotsec_profile_params),
        .id = 0,
        /* section 3 */
        .rand_n_len = 16,    /* P */
        .rand_d_len = 16,    /* P */
        .res_len = 16,       /* P */
        .fc_res = 0xA0,      /* P */
        .fc_kaiotf = 0xA1,   /* P */
        .fc_alg_key = 0xA2,  /* P */
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
        .cmd_read = 0x01,            /* P */
        .cmd_write = 0x02,           /* P */
        .cmd_disable = 0x03,         /* P */
        .iei_read_data = 0x71,       /* P */
        .status_success = 0x00,          /* P */
        .status_out_of_range = 0x01,     /* P */
        .status_not_supported = 0x02,    /* P */
        .status_write_protected = 0x03,  /* P */
        .status_unspecified = 0xFF,      /* P */
        .nas_max_len = 2048,         /* P */
        .nas_max_data_len = 1024,    /* P */
    },
    .is_static = 1,
};
