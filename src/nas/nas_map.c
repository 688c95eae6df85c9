/* AIOT NAS code points: the only place enums meet wire values, and every wire
 * value is read from the profile (never a literal), so a new profile is data. */
#include "aiotsec/nas.h"
#include "nas/nas_internal.h"

const aiotsec_profile_params *aiot_nas_params(const aiotsec_profile *profile)
{
    return profile ? &profile->p : &aiot_profile0.p;
}

int aiot_nas_type_to_wire(const aiotsec_profile_params *p, int type)
{
    switch (type) {
    case AIOTSEC_NAS_AUTH_RESPONSE: return p->mt_auth_response;
    case AIOTSEC_NAS_COMMAND_REQUEST: return p->mt_command_request;
    case AIOTSEC_NAS_COMMAND_RESPONSE: return p->mt_command_response;
    default: return AIOTSEC_E_NAS_BAD_TYPE;
    }
}

int aiot_nas_type_from_wire(const aiotsec_profile_params *p, unsigned wire)
{
    if (wire == p->mt_auth_response) return AIOTSEC_NAS_AUTH_RESPONSE;
    if (wire == p->mt_command_request) return AIOTSEC_NAS_COMMAND_REQUEST;
    if (wire == p->mt_command_response) return AIOTSEC_NAS_COMMAND_RESPONSE;
    return AIOTSEC_E_NAS_BAD_TYPE;
}

int aiot_nas_cmd_to_wire(const aiotsec_profile_params *p, int cmd)
{
    switch (cmd) {
    case AIOTSEC_CMD_READ: return p->cmd_read;
    case AIOTSEC_CMD_WRITE: return p->cmd_write;
    case AIOTSEC_CMD_PERMANENT_DISABLE: return p->cmd_permanent_disable;
    default: return AIOTSEC_E_NAS_BAD_COMMAND;
    }
}

int aiot_nas_cmd_from_wire(const aiotsec_profile_params *p, unsigned wire)
{
    if (wire == p->cmd_read) return AIOTSEC_CMD_READ;
    if (wire == p->cmd_write) return AIOTSEC_CMD_WRITE;
    if (wire == p->cmd_permanent_disable) return AIOTSEC_CMD_PERMANENT_DISABLE;
    return AIOTSEC_E_NAS_BAD_COMMAND;
}

int aiotsec_cmd_status_to_wire(const aiotsec_profile *profile, aiotsec_cmd_status status, uint8_t *wire)
{
    if (!wire)
        return AIOTSEC_E_NULL_ARG;
    int w = aiot_nas_status_to_wire(aiot_nas_params(profile), status);
    if (w < 0)
        return w;
    *wire = (uint8_t)w;
    return AIOTSEC_OK;
}

int aiot_nas_status_to_wire(const aiotsec_profile_params *p, int status)
{
    switch (status) {
    case AIOTSEC_CMD_STATUS_SUCCESS: return p->status_success;
    case AIOTSEC_CMD_STATUS_PARAMS_INVALID: return p->status_params_invalid;
    case AIOTSEC_CMD_STATUS_MSG_TYPE_UNKNOWN: return p->status_msg_type_unknown;
    case AIOTSEC_CMD_STATUS_LOW_ENERGY: return p->status_low_energy;
    case AIOTSEC_CMD_STATUS_INVALID_MANDATORY: return p->status_invalid_mandatory;
    case AIOTSEC_CMD_STATUS_UNSPECIFIED: return p->status_unspecified;
    default: return AIOTSEC_E_BAD_VALUE;
    }
}

int aiotsec_cmd_status_from_wire(const aiotsec_profile *profile, uint8_t wire, aiotsec_cmd_status *status)
{
    if (!status)
        return AIOTSEC_E_NULL_ARG;
    int s = aiot_nas_status_from_wire(aiot_nas_params(profile), wire);
    if (s < 0)
        return s;
    *status = (aiotsec_cmd_status)s;
    return AIOTSEC_OK;
}

int aiot_nas_status_from_wire(const aiotsec_profile_params *p, unsigned wire)
{
    if (wire == p->status_success) return AIOTSEC_CMD_STATUS_SUCCESS;
    if (wire == p->status_params_invalid) return AIOTSEC_CMD_STATUS_PARAMS_INVALID;
    if (wire == p->status_msg_type_unknown) return AIOTSEC_CMD_STATUS_MSG_TYPE_UNKNOWN;
    if (wire == p->status_low_energy) return AIOTSEC_CMD_STATUS_LOW_ENERGY;
    if (wire == p->status_invalid_mandatory) return AIOTSEC_CMD_STATUS_INVALID_MANDATORY;
    if (wire == p->status_unspecified) return AIOTSEC_CMD_STATUS_UNSPECIFIED;
    return AIOTSEC_E_NAS_BAD_IE_VALUE;
}

int aiot_nas_type_is_r2d(int type)
{
    return type == AIOTSEC_NAS_COMMAND_REQUEST;
}

const char *aiotsec_nas_type_name(aiotsec_nas_type type)
{
    switch (type) {
    case AIOTSEC_NAS_AUTH_RESPONSE: return "AUTHENTICATION_RESPONSE";
    case AIOTSEC_NAS_COMMAND_REQUEST: return "COMMAND_REQUEST";
    case AIOTSEC_NAS_COMMAND_RESPONSE: return "COMMAND_RESPONSE";
    default: return "UNKNOWN";
    }
}

const char *aiotsec_cmd_name(aiotsec_cmd command)
{
    switch (command) {
    case AIOTSEC_CMD_READ: return "READ";
    case AIOTSEC_CMD_WRITE: return "WRITE";
    case AIOTSEC_CMD_PERMANENT_DISABLE: return "PERMANENT_DISABLE";
    default: return "UNKNOWN";
    }
}

const char *aiotsec_cmd_status_cause(aiotsec_cmd_status status)
{
    switch (status) {
    case AIOTSEC_CMD_STATUS_SUCCESS: return "";
    case AIOTSEC_CMD_STATUS_PARAMS_INVALID: return "COMMAND_TYPE_SPECIFIC_PARAMETERS_INVALID";
    case AIOTSEC_CMD_STATUS_MSG_TYPE_UNKNOWN: return "MESSAGE_TYPE_NON_EXISTENT_OR_NOT_IMPLEMENTED";
    case AIOTSEC_CMD_STATUS_LOW_ENERGY: return "LOW_ENERGY";
    case AIOTSEC_CMD_STATUS_INVALID_MANDATORY: return "INVALID_MANDATORY_INFORMATION";
    case AIOTSEC_CMD_STATUS_UNSPECIFIED: return "ERROR_UNSPECIFIED";
    default: return NULL;
    }
}

size_t aiotsec_nas_mac_bytes(void)
{
    return AIOTSEC_NAS_MAC_LEN;
}

size_t aiotsec_nas_msg_structbytes(void)
{
    return sizeof(aiotsec_nas_msg);
}

size_t aiotsec_nas_protected_hdr_structbytes(void)
{
    return sizeof(aiotsec_nas_protected_hdr);
}

size_t aiotsec_nas_maxbytes(const aiotsec_profile *profile)
{
    return aiot_nas_params(profile)->nas_max_len;
}
