/**
 * @file nas.h
 * @brief AIOT NAS message codec (spec section 5): plain messages and the
 *        header of security protected messages.
 *
 * The public API speaks in abstract enums (::aiotsec_nas_type, ::aiotsec_cmd,
 * ::aiotsec_cmd_status); the wire code points (EPD, message types, command and
 * status codes, IEIs, size limits) come from the profile, so a future
 * normative profile changes data, not code.
 *
 * Decoding is bounded (never reads outside the input, never trusts a length
 * field: a length outside its IE's range is ::AIOTSEC_E_NAS_BAD_IE_VALUE even
 * before the value is looked for; a value that runs past the end is
 * ::AIOTSEC_E_NAS_TRUNCATED; an absent mandatory IE is ::AIOTSEC_E_NAS_MISSING_IE),
 * never allocates, and fills a caller-provided ::aiotsec_nas_msg whose
 * octet fields are views into the input: the input must outlive the message.
 * Each rejection rule has its own status (the -40..-59 family of status.h).
 * Encoding writes into a caller buffer and reports the length it needs.
 * @ingroup nas
 */
#ifndef AIOTSEC_NAS_H
#define AIOTSEC_NAS_H

/** @addtogroup nas
 * @{ */

#include <stddef.h>
#include <stdint.h>

#include "aiotsec/export.h"
#include "aiotsec/profile.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Length of the plain message header (EPD, security header type, message type). */
#define AIOTSEC_NAS_PLAIN_HDR_LEN 3u
/** @brief Length of the protected header (EPD, security header type, MAC, SQN). */
#define AIOTSEC_NAS_PROTECTED_HDR_LEN 7u
/** @brief Length of the MAC in a protected message. */
#define AIOTSEC_NAS_MAC_LEN 4u

/** @brief AIOT NAS message types (wire values come from the profile). */
typedef enum aiotsec_nas_type {
    AIOTSEC_NAS_AUTH_RESPONSE = 1,    /**< AUTHENTICATION RESPONSE (D2R, plain). */
    AIOTSEC_NAS_COMMAND_REQUEST = 2,  /**< COMMAND REQUEST (R2D, protection required). */
    AIOTSEC_NAS_COMMAND_RESPONSE = 3  /**< COMMAND RESPONSE (D2R, protection required). */
} aiotsec_nas_type;

/** @brief Commands of a COMMAND REQUEST (wire values come from the profile; names: TS 29.569 `commandType`). */
typedef enum aiotsec_cmd {
    AIOTSEC_CMD_READ = 1,              /**< READ: memory offset and read length. */
    AIOTSEC_CMD_WRITE = 2,             /**< WRITE: memory offset and write data. */
    AIOTSEC_CMD_PERMANENT_DISABLE = 3  /**< PERMANENT_DISABLE: permanently stop RF transmission. */
} aiotsec_cmd;

/** @brief Deprecated name of ::AIOTSEC_CMD_PERMANENT_DISABLE (0.1); removed in 0.3. */
#define AIOTSEC_CMD_DISABLE AIOTSEC_CMD_PERMANENT_DISABLE

/**
 * @brief Status of a COMMAND RESPONSE (wire values come from the profile). Every
 *        failure is named after the TS 29.569 `AIoTDevFailCause` the AIOTF reports
 *        for it (aiotsec_cmd_status_cause()).
 */
typedef enum aiotsec_cmd_status {
    AIOTSEC_CMD_STATUS_SUCCESS = 1,           /**< Success (0x00 in profile 0). */
    AIOTSEC_CMD_STATUS_PARAMS_INVALID = 2,    /**< COMMAND_TYPE_SPECIFIC_PARAMETERS_INVALID: offset or length
                                                   out of range, or the range is write-protected (0x01). */
    AIOTSEC_CMD_STATUS_MSG_TYPE_UNKNOWN = 3,  /**< MESSAGE_TYPE_NON_EXISTENT_OR_NOT_IMPLEMENTED: command or
                                                   message type not recognised or not implemented (0x02). */
    AIOTSEC_CMD_STATUS_LOW_ENERGY = 4,        /**< LOW_ENERGY: not enough energy to complete the command (0x03). */
    AIOTSEC_CMD_STATUS_INVALID_MANDATORY = 5, /**< INVALID_MANDATORY_INFORMATION: a mandatory IE is missing
                                                   or malformed (0x04). */
    AIOTSEC_CMD_STATUS_UNSPECIFIED = 6        /**< ERROR_UNSPECIFIED: not executed, unspecified (0xFF). */
} aiotsec_cmd_status;

/** @brief Security header types (spec 5.1 and 5.2; fixed by the spec, not the profile). */
typedef enum aiotsec_nas_sht {
    AIOTSEC_NAS_SHT_PLAIN = 0,              /**< Plain message. */
    AIOTSEC_NAS_SHT_INTEGRITY = 1,          /**< Integrity protected. */
    AIOTSEC_NAS_SHT_INTEGRITY_CIPHERED = 2  /**< Integrity protected and ciphered. */
} aiotsec_nas_sht;

/**
 * @brief A plain AIOT NAS message. Fields a message type does not use are
 *        ignored by the encoder and zeroed/NULL by the decoder.
 *
 * Octet fields are views: after decoding they point into the decoded input.
 */
typedef struct aiotsec_nas_msg {
    aiotsec_nas_type type;             /**< An ::aiotsec_nas_type. */
    const uint8_t *res;     /**< AUTHENTICATION RESPONSE: RES_AIOT. */
    size_t res_len;         /**< Length of @c res: the profile's RES length (4..16; 16 in profile 0). */
    const uint8_t *rand_d;  /**< AUTHENTICATION RESPONSE: RAND_AIOT_d. */
    size_t rand_d_len;      /**< Length of @c rand_d: 16. */
    uint8_t transaction_id; /**< COMMAND REQUEST / RESPONSE: transaction ID, 0..255. */
    aiotsec_cmd command;          /**< COMMAND REQUEST: an ::aiotsec_cmd. */
    uint16_t offset;        /**< COMMAND REQUEST READ/WRITE: memory offset. */
    uint16_t length;        /**< COMMAND REQUEST READ: read length, 1..max data length (1024). */
    const uint8_t *data;    /**< WRITE: write data; COMMAND RESPONSE: read data (NULL when absent). */
    size_t data_len;        /**< Length of @c data: 1..1024, or 0 when absent (COMMAND RESPONSE only). */
    aiotsec_cmd_status status;           /**< COMMAND RESPONSE: an ::aiotsec_cmd_status. */
} aiotsec_nas_msg;

/** @brief The header of a security protected message (views into the input). */
typedef struct aiotsec_nas_protected_hdr {
    aiotsec_nas_sht sht;              /**< ::AIOTSEC_NAS_SHT_INTEGRITY or ::AIOTSEC_NAS_SHT_INTEGRITY_CIPHERED. */
    const uint8_t *mac;     /**< The 4-octet MAC (not verified by the parser). */
    uint8_t sqn;            /**< SQN: the 8 least significant bits of COUNT. */
    const uint8_t *payload; /**< The plain or ciphered message (octets 7..end). */
    size_t payload_len;     /**< Length of @c payload, at least 1. */
} aiotsec_nas_protected_hdr;

/**
 * @brief Length of the MAC of a protected AIOT NAS message (for bindings).
 * @return ::AIOTSEC_NAS_MAC_LEN (4).
 */
AIOTSEC_API size_t aiotsec_nas_mac_bytes(void);

/**
 * @brief Size of ::aiotsec_nas_msg in this build (for bindings).
 * @return sizeof(aiotsec_nas_msg).
 */
AIOTSEC_API size_t aiotsec_nas_msg_structbytes(void);

/**
 * @brief Size of ::aiotsec_nas_protected_hdr in this build (for bindings).
 * @return sizeof(aiotsec_nas_protected_hdr).
 */
AIOTSEC_API size_t aiotsec_nas_protected_hdr_structbytes(void);

/**
 * @brief Largest AIOT NAS message of a profile (2048 in profile 0).
 * @param profile The profile; NULL for profile 0.
 * @return The limit in octets.
 */
AIOTSEC_API size_t aiotsec_nas_maxbytes(const aiotsec_profile *profile);

/**
 * @brief Decodes a plain AIOT NAS message.
 * @param profile The profile; NULL for profile 0.
 * @param in The message.
 * @param len Its length.
 * @param[out] msg Receives the message (views into @p in); zeroed first.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_NAS_TOO_LONG,
 *         ::AIOTSEC_E_NAS_TRUNCATED, ::AIOTSEC_E_NAS_BAD_EPD, ::AIOTSEC_E_NAS_SPARE_BITS,
 *         ::AIOTSEC_E_NAS_BAD_SHT, ::AIOTSEC_E_NAS_PROTECTED (a protected message:
 *         use aiotsec_nas_parse_protected() or aiotsec_nas_verify_decode()),
 *         ::AIOTSEC_E_NAS_BAD_TYPE, ::AIOTSEC_E_NAS_MISSING_IE,
 *         ::AIOTSEC_E_NAS_BAD_IE_VALUE or ::AIOTSEC_E_NAS_BAD_COMMAND.
 */
AIOTSEC_API AIOTSEC_WUR int aiotsec_nas_decode(const aiotsec_profile *profile, const uint8_t *in,
                                               size_t len, aiotsec_nas_msg *msg);

/**
 * @brief Encodes a plain AIOT NAS message.
 * @param profile The profile; NULL for profile 0.
 * @param msg The message.
 * @param[out] out Buffer (may be NULL when @p cap is 0, to ask for the length).
 * @param cap Capacity of @p out.
 * @param[out] out_len Receives the encoded length, also when the buffer is too small.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_BUFFER_TOO_SMALL
 *         (*out_len = the length needed), ::AIOTSEC_E_NAS_BAD_TYPE,
 *         ::AIOTSEC_E_NAS_BAD_COMMAND, ::AIOTSEC_E_NAS_BAD_IE_VALUE (a value or
 *         length outside the spec's range) or ::AIOTSEC_E_NAS_TOO_LONG.
 */
AIOTSEC_API int aiotsec_nas_encode(const aiotsec_profile *profile, const aiotsec_nas_msg *msg,
                                   uint8_t *out, size_t cap, size_t *out_len);

/**
 * @brief Parses the header of a security protected message without verifying it
 *        (for display and tools; receivers use aiotsec_nas_verify_decode()).
 * @param profile The profile; NULL for profile 0.
 * @param in The message.
 * @param len Its length.
 * @param[out] hdr Receives the header (views into @p in).
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG, ::AIOTSEC_E_NAS_TOO_LONG,
 *         ::AIOTSEC_E_NAS_TRUNCATED, ::AIOTSEC_E_NAS_BAD_EPD, ::AIOTSEC_E_NAS_SPARE_BITS,
 *         ::AIOTSEC_E_NAS_BAD_SHT, or ::AIOTSEC_E_NAS_PLAIN_FORBIDDEN (the message is plain).
 */
AIOTSEC_API AIOTSEC_WUR int aiotsec_nas_parse_protected(const aiotsec_profile *profile,
                                                        const uint8_t *in, size_t len,
                                                        aiotsec_nas_protected_hdr *hdr);

/**
 * @brief Name of a message type, e.g. "COMMAND_REQUEST".
 * @param type An ::aiotsec_nas_type.
 * @return A static string; "UNKNOWN" otherwise.
 */
AIOTSEC_API const char *aiotsec_nas_type_name(aiotsec_nas_type type);

/**
 * @brief Name of a command as TS 29.569 `commandType` spells it, e.g. "PERMANENT_DISABLE".
 * @param command An ::aiotsec_cmd.
 * @return A static string; "UNKNOWN" otherwise.
 */
AIOTSEC_API const char *aiotsec_cmd_name(aiotsec_cmd command);

/**
 * @brief The TS 29.569 `AIoTDevFailCause` of a command status, e.g. "LOW_ENERGY".
 * @param status An ::aiotsec_cmd_status.
 * @return A static string; "" for ::AIOTSEC_CMD_STATUS_SUCCESS (no failure cause) and
 *         NULL for a value that is not an ::aiotsec_cmd_status.
 */
AIOTSEC_API const char *aiotsec_cmd_status_cause(aiotsec_cmd_status status);

/**
 * @brief Wire value of a command status in a profile.
 * @param profile The profile; NULL for profile 0.
 * @param status An ::aiotsec_cmd_status.
 * @param[out] wire Receives the octet.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG or ::AIOTSEC_E_BAD_VALUE (not an ::aiotsec_cmd_status).
 */
AIOTSEC_API int aiotsec_cmd_status_to_wire(const aiotsec_profile *profile, aiotsec_cmd_status status,
                                           uint8_t *wire);

/**
 * @brief Command status of a wire value in a profile.
 * @param profile The profile; NULL for profile 0.
 * @param wire The octet.
 * @param[out] status Receives the ::aiotsec_cmd_status.
 * @return ::AIOTSEC_OK, ::AIOTSEC_E_NULL_ARG or ::AIOTSEC_E_NAS_BAD_IE_VALUE (a value the profile
 *         does not define).
 */
AIOTSEC_API int aiotsec_cmd_status_from_wire(const aiotsec_profile *profile, uint8_t wire,
                                             aiotsec_cmd_status *status);

#ifdef __cplusplus
}
#endif

/** @} */

#endif /* AIOTSEC_NAS_H */
