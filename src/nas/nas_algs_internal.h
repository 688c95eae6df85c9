/* The NAS algorithms over caller-held backend states (the security context
 * keeps its expanded AES keys), shared by nas_algs_*.c and nas_security.c. */
#ifndef AIOT_NAS_ALGS_INTERNAL_H
#define AIOT_NAS_ALGS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/internal.h"

/* The 8-octet header NIA2, NEA2 and AIA-HS share:
 * COUNT (big-endian) || BEARER << 3 | DIRECTION << 2 || 0x00 0x00 0x00. */
void aiot_nas_alg_hdr(uint8_t hdr[8], uint32_t count, unsigned bearer, unsigned direction);

/* AES-CMAC (NIST SP 800-38B, bit-string form) of pre (pre_len octets) followed by
 * the first msg_bits bits of msg. aes holds the expanded key. */
int aiot_cmac_bits(const aiotsec_ctx *ctx, const aiot_state *aes, const uint8_t *pre, size_t pre_len,
                   const uint8_t *msg, size_t msg_bits, uint8_t tag[16]);

/* 128-NIA2 MAC (4 octets) with an expanded key. */
int aiot_nia2_state(const aiotsec_ctx *ctx, const aiot_state *aes, uint32_t count, unsigned bearer,
                    unsigned direction, const uint8_t *msg, size_t len_bits, uint8_t mac[4]);

/* 128-NEA2 keystream XOR with an expanded key; in and out may be equal. Bits of
 * the last octet past len_bits are zeroed. */
int aiot_nea2_state(const aiotsec_ctx *ctx, const aiot_state *aes, uint32_t count, unsigned bearer,
                    unsigned direction, const uint8_t *in, size_t len_bits, uint8_t *out);

/* AIA-HS MAC (4 octets); key is 32 octets. */
int aiot_aia_hs_mac(const aiotsec_ctx *ctx, const uint8_t *key, uint32_t count, unsigned bearer,
                    unsigned direction, const uint8_t *msg, size_t len, uint8_t mac[4]);

#endif
