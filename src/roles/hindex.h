/* The one open-addressing hash index of the roles (memstore: by Permanent
 * Identifier; AIOTF: procedures by RAND_AIOT_n, reports by RAND_AIOT_d). It
 * holds 32-bit numbers of records kept elsewhere (stored + 1, 0 = empty); the
 * caller supplies the keyed hash and the key comparison. Linear probing at a
 * load factor of at most 1/2, backward-shift deletion (no tombstones). */
#ifndef AIOT_HINDEX_H
#define AIOT_HINDEX_H

#include <stddef.h>
#include <stdint.h>

typedef struct aiot_hix {
    uint32_t *tab;
    size_t mask; /* slots - 1; slots is a power of two */
} aiot_hix;

/* Allocates an empty index for up to `expected` records (load factor <= 1/2).
 * AIOTSEC_OK, AIOTSEC_E_LIMIT or AIOTSEC_E_NO_MEMORY; on failure ix is unchanged. */
int aiot_hix_init(aiot_hix *ix, size_t expected);
void aiot_hix_free(aiot_hix *ix);
/* 1 when the index has room for `n` records without passing load factor 1/2. */
int aiot_hix_fits(const aiot_hix *ix, size_t n);

/* Tells whether record `rec` has the key the caller is looking for. */
typedef int (*aiot_hix_eq_fn)(const void *arg, uint32_t rec);
/* Gives the hash a record was inserted with (for deletion's moves). */
typedef uint64_t (*aiot_hix_hash_fn)(const void *arg, uint32_t rec);

/* Position of the record with hash h for which eq is true, or SIZE_MAX. */
static inline size_t aiot_hix_find(const aiot_hix *ix, uint64_t h, aiot_hix_eq_fn eq, const void *arg)
{
    if (!ix->tab)
        return SIZE_MAX;
    for (size_t i = (size_t)h & ix->mask;; i = (i + 1) & ix->mask) {
        uint32_t e = ix->tab[i];
        if (!e)
            return SIZE_MAX;
        if (eq(arg, e - 1))
            return i;
    }
}

/* The record at a position aiot_hix_find returned. */
static inline uint32_t aiot_hix_at(const aiot_hix *ix, size_t pos)
{
    return ix->tab[pos] - 1;
}

/* Inserts record `rec` under hash h (the caller has checked it is not present). */
void aiot_hix_insert(aiot_hix *ix, uint64_t h, uint32_t rec);
/* Removes the entry at `pos`, moving later entries of the cluster back. */
void aiot_hix_remove_at(aiot_hix *ix, size_t pos, aiot_hix_hash_fn hash_of, const void *arg);
/* Empties the index (same size). */
void aiot_hix_clear(aiot_hix *ix);

#endif
