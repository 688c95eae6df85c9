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

/* The first checks of every message, plain or protected: the profile's length
 * limit, then octets 0 and 1; returns the SHT or a status.
 * aiot_nas_plain_type: those of a plain message, the decoder's and the tag's
 * (spec 5.3): a plain SHT, the plain header's length; returns the message type
 * (an aiotsec_nas_type) or a status. Inline: the tag's COMMAND REQUEST parser
 * (roles/device.c) links without the decoder, and its flash budget has no room
 * for a call. */
static inline int aiot_nas_check_msg(const aiotsec_profile_params *p, const uint8_t *in, size_t len)
{
    if (len > p->nas_max_len)
        return AIOTSEC_E_NAS_TOO_LONG;
    return aiot_nas_check_hdr(p, in, len);
}

static inline int aiot_nas_plain_type(const aiotsec_profile_params *p, const uint8_t *in, size_t len)
{
    int sht = aiot_nas_check_msg(p, in, len);
    if (sht < 0)
        return sht;
    if (sht != AIOTSEC_NAS_SHT_PLAIN)
        return AIOTSEC_E_NAS_PROTECTED;
    if (len < AIOTSEC_NAS_PLAIN_HDR_LEN)
        return AIOTSEC_E_NAS_TRUNCATED;
    return aiot_nas_type_from_wire(p, in[2]);
}

/* 1 when a message of this type is sent by the network (R2D), 0 when by the device. */
int aiot_nas_type_is_r2d(int type);

/* Whether this build runs the AES algorithms (128-NIA2, 128-NEA2): always on
 * the host, on request (AIOTSEC_WITH_AES) in the device-only build. */
#if !defined(AIOTSEC_DEVICE_ONLY) || defined(AIOTSEC_WITH_AES)
#define AIOT_NAS_HAVE_AES 1
#else
#define AIOT_NAS_HAVE_AES 0
#endif

/* Whether HMAC midstates (a backend state right after hmac_init) are kept instead
 * of a key, for K_AIOT_root in a device and K_NASint in a security context. In
 * the device-only build always: it has no other use for the key, and a backend
 * state that holds resources is released by aiotsec_device_clear() /
 * aiotsec_nas_sec_clear(). On the host for the device role (role_ok) over
 * backends whose states are plain data (hmac_copy NULL), so that a device or a
 * context nobody clears holds no OpenSSL object and an AIOTF's thousands of
 * network contexts stay as they were. */
#ifdef AIOTSEC_DEVICE_ONLY
#define AIOT_KEEP_MIDSTATES(ctx, role_ok) ((void)(ctx), (void)(role_ok), 1)
#else
#define AIOT_KEEP_MIDSTATES(ctx, role_ok) ((role_ok) && !(ctx)->be.hmac_copy)
#endif

/* An upper bound of sizeof(struct aiotsec_nas_sec) (checked there), so that the
 * device can check its own bound, AIOTSEC_DEVICE_STORAGE_SIZE, at compile time. */
#define AIOT_NAS_SEC_BOUND ((1u + AIOT_NAS_HAVE_AES) * AIOTSEC_BACKEND_STATE_MAX + 8u * sizeof(void *))

struct aiotsec_nas_sec;
/* aiotsec_nas_unprotect() without the copy: header, COUNT and MAC are checked,
 * then *plain points at the plain message, in place inside in when the context
 * does not cipher (NEA0), else deciphered into buf (cap octets, which must hold
 * len - 7). The receive COUNT advances only on success. */
int aiot_nas_unprotect_view(struct aiotsec_nas_sec *sec, const uint8_t *in, size_t len, uint8_t *buf,
                            size_t cap, const uint8_t **plain, size_t *plain_len);
/* Protects (header, SQN, NEA2, MAC) a plain message its caller encoded itself at
 * out + 7 (plain_len octets; out holds plain_len + 7) with the send COUNT, then
 * advances it. No re-decoding: the device uses it for the messages it builds. */
int aiot_nas_protect_in_place(struct aiotsec_nas_sec *sec, uint8_t *out, size_t plain_len);

struct aiotsec_nas_msg;
/* The device role's own COMMAND REQUEST parser (src/roles/device.c): the checks
 * and statuses of aiotsec_nas_decode() for that message, in the code a tag links;
 * exported to the tests (tests/fw compares the two). */
int aiot_device_parse_request(const aiotsec_profile *profile, const uint8_t *in, size_t len,
                              struct aiotsec_nas_msg *m);

#endif
