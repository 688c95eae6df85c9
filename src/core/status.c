/* Status names and descriptions: one table, so the two can never disagree. */
#include "aiotsec/status.h"

#include <stddef.h>

static const struct {
    int code;
    const char *name;
    const char *text;
} table[] = {
    {AIOTSEC_OK, "AIOTSEC_OK", "success"},
    {AIOTSEC_E_NULL_ARG, "AIOTSEC_E_NULL_ARG", "a required pointer argument is NULL"},
    {AIOTSEC_E_BAD_LENGTH, "AIOTSEC_E_BAD_LENGTH", "a length is outside the allowed range"},
    {AIOTSEC_E_BUFFER_TOO_SMALL, "AIOTSEC_E_BUFFER_TOO_SMALL", "the output buffer is too small"},
    {AIOTSEC_E_BAD_VALUE, "AIOTSEC_E_BAD_VALUE", "an argument value is out of range or malformed"},
    {AIOTSEC_E_NO_MEMORY, "AIOTSEC_E_NO_MEMORY", "out of memory"},
    {AIOTSEC_E_UNSUPPORTED, "AIOTSEC_E_UNSUPPORTED", "the backend does not support this operation"},
    {AIOTSEC_E_UNKNOWN_BACKEND, "AIOTSEC_E_UNKNOWN_BACKEND", "no backend of that name in this build"},
    {AIOTSEC_E_BACKEND_FAILURE, "AIOTSEC_E_BACKEND_FAILURE", "the crypto backend reported a failure"},
    {AIOTSEC_E_BAD_PROFILE, "AIOTSEC_E_BAD_PROFILE", "profile parameters outside the spec's ranges"},
    {AIOTSEC_E_BAD_BACKEND, "AIOTSEC_E_BAD_BACKEND", "backend table incomplete or of an unknown version"},
    {AIOTSEC_E_BAD_STATE, "AIOTSEC_E_BAD_STATE", "call not allowed in the object's current state"},
    {AIOTSEC_E_IO, "AIOTSEC_E_IO", "file could not be opened or read"},
    {AIOTSEC_E_LIMIT, "AIOTSEC_E_LIMIT", "a capacity or count limit was reached"},
    {AIOTSEC_E_AUTH_FAILED, "AIOTSEC_E_AUTH_FAILED", "RES_AIOT does not match XRES_AIOT"},
    {AIOTSEC_E_NAS_TRUNCATED, "AIOTSEC_E_NAS_TRUNCATED", "AIOT NAS message ends inside a header or IE"},
    {AIOTSEC_E_NAS_TOO_LONG, "AIOTSEC_E_NAS_TOO_LONG", "AIOT NAS message exceeds the maximum size"},
    {AIOTSEC_E_NAS_BAD_EPD, "AIOTSEC_E_NAS_BAD_EPD", "unknown extended protocol discriminator"},
    {AIOTSEC_E_NAS_SPARE_BITS, "AIOTSEC_E_NAS_SPARE_BITS", "spare bits of the security header octet are not 0"},
    {AIOTSEC_E_NAS_BAD_SHT, "AIOTSEC_E_NAS_BAD_SHT", "unknown security header type"},
    {AIOTSEC_E_NAS_BAD_TYPE, "AIOTSEC_E_NAS_BAD_TYPE", "unknown AIOT NAS message type"},
    {AIOTSEC_E_NAS_MISSING_IE, "AIOTSEC_E_NAS_MISSING_IE", "a mandatory IE is missing"},
    {AIOTSEC_E_NAS_BAD_IE_VALUE, "AIOTSEC_E_NAS_BAD_IE_VALUE", "an IE value or length is out of range"},
    {AIOTSEC_E_NAS_BAD_COMMAND, "AIOTSEC_E_NAS_BAD_COMMAND", "unknown command code"},
    {AIOTSEC_E_NAS_PROTECTED, "AIOTSEC_E_NAS_PROTECTED", "security protected message given to the plain decoder"},
    {AIOTSEC_E_NAS_PLAIN_FORBIDDEN, "AIOTSEC_E_NAS_PLAIN_FORBIDDEN", "plain COMMAND REQUEST/RESPONSE: protection required"},
    {AIOTSEC_E_MAC_MISMATCH, "AIOTSEC_E_MAC_MISMATCH", "MAC check failed"},
    {AIOTSEC_E_REPLAY, "AIOTSEC_E_REPLAY", "replayed or reordered message (COUNT not fresh)"},
    {AIOTSEC_E_WRONG_DIRECTION, "AIOTSEC_E_WRONG_DIRECTION", "message type does not travel in this direction"},
    {AIOTSEC_E_NIA0_REJECTED, "AIOTSEC_E_NIA0_REJECTED", "null integrity (NIA0) is not accepted"},
    {AIOTSEC_E_UNKNOWN_ALG, "AIOTSEC_E_UNKNOWN_ALG", "unknown algorithm identity"},
    {AIOTSEC_E_COUNT_EXHAUSTED, "AIOTSEC_E_COUNT_EXHAUSTED", "COUNT would wrap: a new security context is needed"},
    {AIOTSEC_E_NO_PENDING, "AIOTSEC_E_NO_PENDING", "report matches no pending procedure (unsolicited)"},
    {AIOTSEC_E_EXPIRED, "AIOTSEC_E_EXPIRED", "report arrived after the procedure's deadline"},
    {AIOTSEC_E_UNKNOWN_DEVICE, "AIOTSEC_E_UNKNOWN_DEVICE", "no such device in the key store"},
    {AIOTSEC_E_DUPLICATE, "AIOTSEC_E_DUPLICATE", "duplicate identity in the key store"},
    {AIOTSEC_E_PARSE, "AIOTSEC_E_PARSE", "malformed input text (a key-store line, or a body that is not JSON)"},
    {AIOTSEC_E_DEVICE_DISABLED, "AIOTSEC_E_DEVICE_DISABLED", "the device is permanently disabled"},
    {AIOTSEC_E_NOT_ADDRESSED, "AIOTSEC_E_NOT_ADDRESSED", "the paging does not address this device"},
    {AIOTSEC_E_ABORTED, "AIOTSEC_E_ABORTED", "the procedure was aborted"},
    {AIOTSEC_E_BAD_FILTER, "AIOTSEC_E_BAD_FILTER", "malformed AiotFilteringInformation"},
    {AIOTSEC_E_NO_CANDIDATE, "AIOTSEC_E_NO_CANDIDATE", "no device matches the filter"},
    {AIOTSEC_E_TOO_MANY_DERIVATIONS, "AIOTSEC_E_TOO_MANY_DERIVATIONS", "candidates x RAND_AIOT_d values exceed the ADM's limit"},
    {AIOTSEC_E_TRANSPORT, "AIOTSEC_E_TRANSPORT", "the ADM request failed in transport (retryable)"},
    {AIOTSEC_E_DUPLICATE_REPORT, "AIOTSEC_E_DUPLICATE_REPORT", "report repeats a RAND_AIOT_d of its procedure"},
    {AIOTSEC_E_OVER_CAP, "AIOTSEC_E_OVER_CAP", "the procedure already has the answers it expects"},
    {AIOTSEC_E_AMBIGUOUS, "AIOTSEC_E_AMBIGUOUS", "RES_AIOT matched more than one candidate"},
    {AIOTSEC_E_BAD_ANSWER, "AIOTSEC_E_BAD_ANSWER", "the ADM's answer does not fit the request"},
    {AIOTSEC_E_IN_PROGRESS, "AIOTSEC_E_IN_PROGRESS", "not decided yet: the request is still with the ADM"},
};

const char *aiotsec_strerror(int status)
{
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (table[i].code == status)
            return table[i].text;
    return "unknown status";
}

const char *aiotsec_status_name(int status)
{
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (table[i].code == status)
            return table[i].name;
    return "AIOTSEC_E_UNKNOWN";
}
