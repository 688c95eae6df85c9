/**
 * @file profile.h
 * @brief Profiles: every provisional (P) value of the spec, as data.
 *
 * The spec of record marks values as provisional (P) until TS 33.369 Annex A
 * and TS 24.369 are published: lengths, FC values, AIOT NAS code points,
 * the AIA-HS algorithm identity and the defaults. All of them live in an
 * ::aiotsec_profile_params and nowhere else in the code, so a future
 * normative profile is a data change. Profile 0 is built in.
 *
 * FC values are encoded in a uint16_t: 0x0000..0x00FE is a one-octet FC;
 * 0xFF00..0xFFFF is the two-octet FC 0xFF || FC2. Anything else is invalid.
 * @ingroup profile
 */
#ifndef AIOTSEC_PROFILE_H
#define AIOTSEC_PROFILE_H

/** @addtogroup profile
 * @{ */

#include <stddef.h>
#include <stdint.h>

#include "aiotsec/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief AiotFilteringInformation encoding of spec 6.2: prefix length in bits, then the prefix. */
#define AIOTSEC_FILTER_PREFIX_BITS 0u
/** @brief T-ID type STORED (TS 29.369 `TidType`). */
#define AIOTSEC_TID_STORED 1u
/** @brief T-ID type CONCEALED (TS 29.369 `TidType`; not supported by profile 0). */
#define AIOTSEC_TID_CONCEALED 2u

/** @brief An immutable profile (opaque). Safe to share between threads. */
typedef struct aiotsec_profile aiotsec_profile;

/**
 * @brief Profile parameters. Initialise with aiotsec_profile_params_init()
 *        (which fills in profile 0), change what differs, then aiotsec_profile_new().
 */
typedef struct aiotsec_profile_params {
    uint32_t struct_size;        /**< sizeof(aiotsec_profile_params); set by aiotsec_profile_params_init(). */
    uint32_t id;                 /**< Profile number (0 for profile 0). */

    /* Key derivation (spec section 3). */
    uint8_t rand_n_len;          /**< RAND_AIOT_n length in octets: 16 (TS 29.503 `Rand`). */
    uint8_t rand_d_len;          /**< RAND_AIOT_d length in octets: 16 (TS 29.503 `Rand`). */
    uint8_t res_len;             /**< RES_AIOT length in octets, 4..16 (TS 29.503 `Xres`); 16 in profile 0. */
    uint8_t alg_dist_enc;        /**< Algorithm-key distinguisher for ciphering (0x01). */
    uint16_t fc_res;             /**< FC for RES_AIOT / XRES_AIOT. */
    uint16_t fc_kaiotf;          /**< FC for K_AIOTF. */
    uint16_t fc_alg_key;         /**< FC for algorithm keys. */
    uint8_t alg_dist_int;        /**< Algorithm-key distinguisher for integrity (0x02). */
    uint8_t kaiotf_offset;       /**< Where the 16 octets of K_AIOTF start in the 32-octet KDF output:
                                      16 (the least significant bits, profile 0) or 0. */

    /* Algorithms (spec section 4). */
    uint8_t alg_id_aia_hs;       /**< Integrity identity of AIA-HS, 1..15, not 2 (8). */
    uint8_t default_int_alg;     /**< Default integrity algorithm identity (8). */
    uint8_t default_enc_alg;     /**< Default ciphering algorithm identity (0). */

    /* AIOT NAS code points (spec section 5). */
    uint8_t nas_epd;             /**< Extended protocol discriminator (0x7A). */
    uint8_t mt_auth_response;    /**< Message type AUTHENTICATION RESPONSE (0x41). */
    uint8_t mt_command_request;  /**< Message type COMMAND REQUEST (0x42). */
    uint8_t mt_command_response; /**< Message type COMMAND RESPONSE (0x43). */
    uint8_t cmd_read;            /**< Command code READ (0x01). */
    uint8_t cmd_write;           /**< Command code WRITE (0x02). */
    uint8_t cmd_permanent_disable; /**< Command code PERMANENT_DISABLE (0x03). */
    uint8_t iei_read_data;       /**< IEI of Read data in COMMAND RESPONSE (0x71, TLV-E). */
    uint8_t status_success;      /**< Status code success (0x00). */
    uint8_t status_params_invalid; /**< COMMAND_TYPE_SPECIFIC_PARAMETERS_INVALID (0x01). */
    uint8_t status_msg_type_unknown; /**< MESSAGE_TYPE_NON_EXISTENT_OR_NOT_IMPLEMENTED (0x02). */
    uint8_t status_low_energy;   /**< LOW_ENERGY (0x03). */
    uint8_t status_invalid_mandatory; /**< INVALID_MANDATORY_INFORMATION (0x04). */
    uint8_t status_unspecified;  /**< ERROR_UNSPECIFIED (0xFF). */
    uint16_t nas_max_len;        /**< Largest AIOT NAS message in octets (2048). */
    uint16_t nas_max_data_len;   /**< Largest read length / write data / read data (1024). */

    /* Service operations (spec section 6). */
    uint8_t filter_encoding;     /**< AiotFilteringInformation encoding: ::AIOTSEC_FILTER_PREFIX_BITS (spec 6.2). */
    uint8_t tid_type;            /**< T-ID type getTid hands out: ::AIOTSEC_TID_STORED. */
    uint32_t max_derivations;    /**< Default limit of |candidates| x |randDlist| in one
                                      getAuthentication (65,536); 1..2^24. */
} aiotsec_profile_params;

/**
 * @brief Fills @p params with profile 0 and sets struct_size.
 * @param[out] params Parameters to initialise.
 * @return ::AIOTSEC_OK or ::AIOTSEC_E_NULL_ARG.
 */
AIOTSEC_API int aiotsec_profile_params_init(aiotsec_profile_params *params);

/**
 * @brief Size of ::aiotsec_profile_params in this library build (for bindings).
 * @return sizeof(aiotsec_profile_params).
 */
AIOTSEC_API size_t aiotsec_profile_params_structbytes(void);

/**
 * @brief Makes a profile after checking every value against the spec's ranges
 *        (not in the device-only build, which has no heap: profile 0 is static).
 * @param[out] out Receives the new profile; free it with aiotsec_profile_free().
 * @param params Parameters (struct_size must be set).
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_BAD_PROFILE (a value
 *         out of range, a bad FC encoding, clashing code points) or ::AIOTSEC_E_NO_MEMORY.
 */
AIOTSEC_API int aiotsec_profile_new(aiotsec_profile **out, const aiotsec_profile_params *params);

/**
 * @brief Frees a profile made by aiotsec_profile_new(). NULL and the built-in profile 0 are ignored.
 * @param profile The profile.
 */
AIOTSEC_API void aiotsec_profile_free(aiotsec_profile *profile);

/**
 * @brief The built-in profile 0 (static; never freed).
 * @return Profile 0; never NULL.
 */
AIOTSEC_API const aiotsec_profile *aiotsec_profile_default(void);

/**
 * @brief Copies a profile's parameters out.
 * @param profile The profile.
 * @param[out] params Receives the parameters.
 * @return ::AIOTSEC_OK or ::AIOTSEC_E_NULL_ARG.
 */
AIOTSEC_API int aiotsec_profile_get(const aiotsec_profile *profile, aiotsec_profile_params *params);

#ifdef __cplusplus
}
#endif

/** @} */

#endif /* AIOTSEC_PROFILE_H */
