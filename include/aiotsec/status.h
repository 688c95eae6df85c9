/**
 * @file status.h
 * @brief Status codes returned by every libaiotsec function.
 *
 * Every function that can fail returns an `int`: 0 (::AIOTSEC_OK) on success,
 * or one of the negative ::aiotsec_status values. The values are grouped in
 * families by range so that bindings can map a family to one exception class:
 *
 * | range        | family                                         |
 * |--------------|------------------------------------------------|
 * | -1 .. -19    | argument, resource and backend errors          |
 * | -20 .. -39   | authentication (RES_AIOT) failures             |
 * | -40 .. -59   | AIOT NAS decoding (malformed message)          |
 * | -60 .. -79   | AIOT NAS security (integrity, COUNT, algorithm)|
 * | -80 .. -99   | procedure and role errors, key store           |
 *
 * Values are part of the ABI: they are renumbered only with a new SONAME (0.4.0 moved
 * ::AIOTSEC_E_BAD_STATE from -11 to the procedure family, where a call made in the
 * wrong state belongs), otherwise only added.
 * @ingroup status
 */
#ifndef AIOTSEC_STATUS_H
#define AIOTSEC_STATUS_H

/** @addtogroup status
 * @{ */

#include "aiotsec/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Status codes. 0 is success; every failure is a distinct negative value. */
typedef enum aiotsec_status {
    AIOTSEC_OK = 0,                      /**< Success. */

    /* -1 .. -19: arguments, resources, backends */
    AIOTSEC_E_NULL_ARG = -1,             /**< A required pointer argument was NULL. */
    AIOTSEC_E_BAD_LENGTH = -2,           /**< A length is outside what the function or profile allows. */
    AIOTSEC_E_BUFFER_TOO_SMALL = -3,     /**< The caller's output buffer is too small. */
    AIOTSEC_E_BAD_VALUE = -4,            /**< An argument value is out of range or malformed. */
    AIOTSEC_E_NO_MEMORY = -5,            /**< Memory allocation failed (never on a hot path). */
    AIOTSEC_E_UNSUPPORTED = -6,          /**< The backend does not provide the operation. */
    AIOTSEC_E_UNKNOWN_BACKEND = -7,      /**< No backend of that name is built in. */
    AIOTSEC_E_BACKEND_FAILURE = -8,      /**< The backend reported an internal failure. */
    AIOTSEC_E_BAD_PROFILE = -9,          /**< Profile parameters outside the spec's ranges. */
    AIOTSEC_E_BAD_BACKEND = -10,         /**< A user-supplied backend table is incomplete or of an unknown version. */
    AIOTSEC_E_IO = -12,                  /**< A file could not be opened or read. */
    AIOTSEC_E_LIMIT = -13,               /**< A configured capacity or count limit was reached. */

    /* -20 .. -39: authentication */
    AIOTSEC_E_AUTH_FAILED = -20,         /**< RES_AIOT does not match XRES_AIOT. */

    /* -40 .. -59: AIOT NAS decoding */
    AIOTSEC_E_NAS_TRUNCATED = -40,       /**< The message ends inside a header or an IE. */
    AIOTSEC_E_NAS_TOO_LONG = -41,        /**< The message exceeds the profile's maximum size. */
    AIOTSEC_E_NAS_BAD_EPD = -42,         /**< Unknown extended protocol discriminator. */
    AIOTSEC_E_NAS_SPARE_BITS = -43,      /**< Spare bits of the security header octet are not 0. */
    AIOTSEC_E_NAS_BAD_SHT = -44,         /**< Unknown security header type. */
    AIOTSEC_E_NAS_BAD_TYPE = -45,        /**< Unknown message type. */
    AIOTSEC_E_NAS_MISSING_IE = -46,      /**< A mandatory IE is absent. */
    AIOTSEC_E_NAS_BAD_IE_VALUE = -47,    /**< An IE value or length is outside the spec's range. */
    AIOTSEC_E_NAS_BAD_COMMAND = -48,     /**< Unknown command code in a COMMAND REQUEST. */
    AIOTSEC_E_NAS_PROTECTED = -49,       /**< A security protected message was given to a plain decoder. */
    AIOTSEC_E_NAS_PLAIN_FORBIDDEN = -50, /**< A plain COMMAND REQUEST or COMMAND RESPONSE (protection required). */

    /* -60 .. -79: AIOT NAS security */
    AIOTSEC_E_MAC_MISMATCH = -60,        /**< The MAC of a protected message is wrong. */
    AIOTSEC_E_REPLAY = -61,              /**< COUNT not greater than every COUNT accepted (replay or reorder). */
    AIOTSEC_E_WRONG_DIRECTION = -62,     /**< The message type does not travel in this direction. */
    AIOTSEC_E_NIA0_REJECTED = -63,       /**< Null integrity (NIA0) is not accepted. */
    AIOTSEC_E_UNKNOWN_ALG = -64,         /**< Unknown integrity or ciphering algorithm identity. */
    AIOTSEC_E_COUNT_EXHAUSTED = -65,     /**< COUNT would wrap: a new security context is needed. */

    /* -80 .. -99: procedures, roles, key store */
    AIOTSEC_E_NO_PENDING = -80,          /**< Report matches no pending procedure (unsolicited): dropped. */
    AIOTSEC_E_EXPIRED = -81,             /**< Report arrived after the procedure's deadline: dropped. */
    AIOTSEC_E_UNKNOWN_DEVICE = -82,      /**< The key store has no such device. */
    AIOTSEC_E_DUPLICATE = -83,           /**< Duplicate identity in a key store. */
    AIOTSEC_E_PARSE = -84,               /**< Malformed input text: a key-store line (see the line number out-parameter) or a message body that is not JSON. */
    AIOTSEC_E_DEVICE_DISABLED = -85,     /**< The device is permanently disabled. */
    AIOTSEC_E_NOT_ADDRESSED = -86,       /**< The paging does not address this device. */
    AIOTSEC_E_ABORTED = -87,             /**< The procedure was aborted (e.g. by a new paging). */
    AIOTSEC_E_BAD_FILTER = -88,          /**< Malformed AiotFilteringInformation (spec 6.2). */
    AIOTSEC_E_NO_CANDIDATE = -89,        /**< No device in the key store matches the filter (an SBI 404). */
    AIOTSEC_E_TOO_MANY_DERIVATIONS = -90,/**< |candidates| x |randDlist| exceeds the ADM's limit; nothing was derived (an SBI 413). */
    AIOTSEC_E_TRANSPORT = -91,           /**< The ADM request failed in transport (no answer, connection lost): retryable. */
    AIOTSEC_E_DUPLICATE_REPORT = -92,    /**< The report repeats a RAND_AIOT_d already seen in its procedure: dropped. */
    AIOTSEC_E_OVER_CAP = -93,            /**< The procedure already has the number of answers it expects: dropped. */
    AIOTSEC_E_AMBIGUOUS = -94,           /**< RES_AIOT matched more than one candidate: nobody is identified. */
    AIOTSEC_E_BAD_ANSWER = -95,          /**< The ADM's answer does not fit the request (sets, order, lengths). */
    AIOTSEC_E_IN_PROGRESS = -96,         /**< Not decided yet: the request is still with the ADM. */
    AIOTSEC_E_BAD_STATE = -97            /**< The object is not in a state where the call is allowed (e.g. no
                                              security context yet; -11 before 0.4). */
} aiotsec_status;

/**
 * @brief Name of a status code.
 * @param status A value returned by a libaiotsec function.
 * @return A static, human-readable, one-line description; "unknown status"
 *         for a value that is not an ::aiotsec_status. Never NULL.
 */
AIOTSEC_API const char *aiotsec_strerror(int status);

/**
 * @brief Symbolic name of a status code, e.g. "AIOTSEC_E_REPLAY".
 * @param status A value returned by a libaiotsec function.
 * @return A static string; "AIOTSEC_E_UNKNOWN" for an unknown value. Never NULL.
 */
AIOTSEC_API const char *aiotsec_status_name(int status);

#ifdef __cplusplus
}
#endif

/** @} */

#endif /* AIOTSEC_STATUS_H */
