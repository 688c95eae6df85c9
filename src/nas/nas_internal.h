/* Internal helpers shared by the AIOT NAS files: wire <-> enum mapping through
 * the profile, and the layout of the security context. Not installed. */
#ifndef AIOT_NAS_INTERNAL_H
#define AIOT_NAS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/internal.h"

/* Octet 1: spare bits 8..5 and the security header type in bits 4..1. */
#define AIOT_NAS_SPARE_MASK 0xF0u
#define AIOT_NAS_SHT_MASK 0x0Fu
/* Optional IEs with an IEI in 0x70..0x7F are TLV-E (2-octet length). */
#define AIOT_NAS_TLVE_MASK 0xF0u
#define AIOT_NAS_TLVE_HIGH 0x70u

/* The profile parameters of a profile handle (NULL = profile 0). */
const aiotsec_profile_params *aiot_nas_params(const aiotsec_profile *profile);

/* Wire value <-> enum. The *_from_wire functions return the enum or a negative status. */
int aiot_nas_type_to_wire(const aiotsec_profile_params *p, int type);
int aiot_nas_type_from_wire(const aiotsec_profile_params *p, unsigned wire);
int aiot_nas_cmd_to_wire(const aiotsec_profile_params *p, int cmd);
int aiot_nas_cmd_from_wire(const aiotsec_profile_params *p, unsigned wire);
int aiot_nas_status_to_wire(const aiotsec_profile_params *p, int status);
int aiot_nas_status_from_wire(const aiotsec_profile_params *p, unsigned wire);

/* Checks octets 0 and 1 (EPD, spare bits, SHT): returns the SHT (0..2) or a status.
 * len >= 2 is the caller's job. */
int aiot_nas_check_hdr(const aiotsec_profile_params *p, const uint8_t *in, size_t len);

/* 1 when a message of this type is sent by the network (R2D), 0 when by the device. */
int aiot_nas_type_is_r2d(int type);

#endif
