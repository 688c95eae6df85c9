/* The one open-addressing hash index of the roles (memstore: by Permanent
 * Identifier; AIOTF: procedures by RAND_AIOT_n, reports by RAND_AIOT_d). It
 * holds 32-bit numbers of records kept elsewhere, each beside the top 32 bits
 * of its hash (a tag: a probe compares the key only when the tag agrees, so
 * passing a slot costs no look-up of the record); the caller supplies the
 * keyed hash and the key comparison. Linear probing at a load factor of at most
 * 3/4 (8 slots a cache line), backward-shift deletion (no tombstones). */
#ifndef AIOT_HINDEX_H
#define AIOT_HINDEX_H

#include <stddef.h>
#include <stdint.h>

typedef struct aiot_hix {
    uint64_t *tab; /* tag << 32 | (record + 1); 0 = empty */
    size_t mask;   /* slots - 1; slots is a power of two */
} aiot_hix;

/* The slot entry of record `rec` under hash h. */
static inline uint64_t aiot_hix_entry(uint64_t h, uint32_t rec)
{
    return (h & 0xffffffff00000000u) | ((uint64_t)rec + 1u);
}

/* 1 when slot entry e may hold a record under hash h (same tag). */
static inline int aiot_hix_tag_ok(uint64_t e, uint64_t h)
{
    return (e >> 32) == (h >> 32);
}

/* The record of a non-empty slot entry. */
static inline uint32_t aiot_hix_rec(uint64_t e)
{
    return (uint32_t)e - 1u;
}

/* malloc for arrays read at random (indexes, key lines): large ones on huge
 * pages; `align` (0 or a power of two >= sizeof(void *)) for the small ones.
 * Released with free(). */
void *aiot_alloc_hot(size_t bytes, size_t align);

/* Allocates an empty index for up to `expected` records (load factor <= 3/4).
 * AIOTSEC_OK, AIOTSEC_E_LIMIT or AIOTSEC_E_NO_MEMORY; on failure ix is unchanged. */
int aiot_hix_init(aiot_hix *ix, size_t expected);
void aiot_hix_free(aiot_hix *ix);
/* 1 when the index has room for `n` records without passing load factor 3/4. */
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
        uint64_t e = ix->tab[i];
        if (!e)
            return SIZE_MAX;
        if (aiot_hix_tag_ok(e, h) && eq(arg, aiot_hix_rec(e)))
            return i;
    }
}

/* The record at a position aiot_hix_find returned. */
static inline uint32_t aiot_hix_at(const aiot_hix *ix, size_t pos)
{
    return aiot_hix_rec(ix->tab[pos]);
}

/* Inserts record `rec` under hash h (the caller has checked it is not present). */
void aiot_hix_insert(aiot_hix *ix, uint64_t h, uint32_t rec);
/* Removes the entry at `pos`, moving later entries of the cluster back. */
void aiot_hix_remove_at(aiot_hix *ix, size_t pos, aiot_hix_hash_fn hash_of, const void *arg);
/* Empties the index (same size). */
void aiot_hix_clear(aiot_hix *ix);

#endif
