/* Internal helpers shared by the role files (ADM, AIOTF, device, key store). */
#ifndef AIOTSEC_ROLES_INTERNAL_H
#define AIOTSEC_ROLES_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "aiotsec/adm.h"

/* SipHash-2-4 of data under a 16-octet key. The hash indexes are keyed because
 * identifiers and RAND values reaching them can be chosen by an attacker: a fixed
 * hash would let one pile entries onto one probe chain. */
uint64_t aiot_siphash24(const uint8_t key[16], const uint8_t *data, size_t len);

/* Smallest power of two >= 2 * n (load factor <= 1/2), at least 16; 0 if it overflows. */
size_t aiot_index_slots_for(size_t n);

/* 1 when the client table is the one aiotsec_adm_client_local() fills: its
 * user is then an aiotsec_adm, and batches can go to the ADM directly. */
int aiot_adm_client_is_local(const aiotsec_adm_client *c);

#endif
