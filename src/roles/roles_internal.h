/* Internal helpers shared by the role files (ADM, AIOTF, device, key store). */
#ifndef AIOTSEC_ROLES_INTERNAL_H
#define AIOTSEC_ROLES_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "aiotsec/batch.h"
#include "aiotsec/derive.h"
#include "aiotsec/keystore.h"
#include "aiotsec/nadm.h"

/* SipHash-2-4 of data under a 16-octet key. The hash indexes are keyed because
 * identifiers and RAND values reaching them can be chosen by an attacker: a fixed
 * hash would let one pile entries onto one probe chain. */
uint64_t aiot_siphash24(const uint8_t key[16], const uint8_t *data, size_t len);
/* SipHash-1-3 (one round per block, three to finish): the key store's index, where
 * one hash per look-up is a fifth of a named derivation's cost. */
uint64_t aiot_siphash13(const uint8_t key[16], const uint8_t *data, size_t len);

/* Smallest power of two >= 4n/3 (load factor <= 3/4), at least 16; 0 if it overflows. */
size_t aiot_index_slots_for(size_t n);

/* --- the getAuthentication answer (nadm.h), shared by its producers ----------- */

/* Candidate number of an entry without a Permanent Identifier (a named device). */
#define AIOT_NO_CAND UINT32_MAX
/* Derivations the ADM hands to one batch call (its scratch in the answer). */
#define AIOT_ANSWER_SCRATCH 4096u

typedef struct aiot_answer_set {
    uint8_t rand_d[AIOTSEC_RAND_LEN];
    size_t first, count; /* entries[first, first + count) */
} aiot_answer_set;

typedef struct aiot_answer_entry {
    uint8_t xres[AIOTSEC_RAND_RES_MAX];
    uint8_t xres_len;
    uint32_t cand; /* into cands, or AIOT_NO_CAND */
} aiot_answer_entry;

typedef struct aiot_answer_cand {
    uint8_t len;
    uint8_t id[AIOTSEC_ID_MAX];
} aiot_answer_cand;

struct aiotsec_auth_answer {
    size_t cap; /* sets, entries and candidates each */
    aiot_answer_set *sets;
    size_t n_sets;
    aiot_answer_entry *entries;
    size_t n_entries;
    aiot_answer_cand *cands;
    size_t n_cands;
    /* The ADM's batch scratch: items, where each item's XRES goes, results, XRES. */
    aiotsec_batch_item *items;
    uint32_t *dest;
    int *results;
    uint8_t *xres;
};

#endif
