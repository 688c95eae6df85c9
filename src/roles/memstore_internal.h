/* The ADM's direct path into the in-memory key store (memstore.c): look-ups that
 * return device numbers, in batches with prefetching, and the device's key as a
 * view of its compact line. Internal, never installed. */
#ifndef AIOT_MEMSTORE_INTERNAL_H
#define AIOT_MEMSTORE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "aiotsec/keystore.h"

/* Not a device: an unknown Permanent Identifier. */
#define AIOT_MEMSTORE_NO_DEV UINT32_MAX

/* The memstore behind a table that aiotsec_memstore_keystore() filled, else NULL. */
const aiotsec_memstore *aiot_memstore_of(const aiotsec_keystore *ks);

/* Device number of a Permanent Identifier, or AIOT_MEMSTORE_NO_DEV. */
uint32_t aiot_memstore_find(const aiotsec_memstore *s, const uint8_t *perm_id, size_t perm_id_len);

/* devs[i] = the device number of ids[i] (lens[i] octets), or AIOT_MEMSTORE_NO_DEV,
 * for i in [0, n): a batch at a time, each step's cache misses overlapped. */
void aiot_memstore_find_batch(const aiotsec_memstore *s, const uint8_t *const *ids, const size_t *lens, size_t n,
                              uint32_t *devs);

/* The device's prepared key: its whole key, or *view made to point at its compact
 * line (valid while the store is not changed). */
const aiotsec_prepared_key *aiot_memstore_key(const aiotsec_memstore *s, uint32_t dev,
                                              aiotsec_prepared_key *view);

/* The positions [*first, *end) of the Permanent Identifier order that a
 * well-formed filter (checked by the caller) matches: two binary searches. */
void aiot_memstore_range(const aiotsec_memstore *s, const uint8_t *filter, size_t filter_len, size_t *first,
                         size_t *end);
/* The device at position pos of the Permanent Identifier order. */
uint32_t aiot_memstore_at(const aiotsec_memstore *s, size_t pos);
/* A device's Permanent Identifier (len receives its length). */
const uint8_t *aiot_memstore_id(const aiotsec_memstore *s, uint32_t dev, size_t *len);
/* A device's compact key line (the store must have compact keys). */
const void *aiot_memstore_line(const aiotsec_memstore *s, uint32_t dev);

#endif
