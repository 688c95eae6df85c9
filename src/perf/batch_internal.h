/* Shared between the batch entry points (batch.c: per-call threads) and the
 * caller-owned worker pool (batch_pool.c): one description of a batch call and
 * the one loop that works through it in GRAINs. Internal, never installed. */
#ifndef AIOT_BATCH_INTERNAL_H
#define AIOT_BATCH_INTERNAL_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "aiotsec/batch.h"

/* Items the backend gets in one hmac_batch_prepared call. */
#define AIOT_BATCH_CHUNK 33u /* a multiple of 3: the native backend's widest kernel takes three at a time */
/* Items a thread takes from the shared counter at a time: large enough that the
 * counter is touched rarely (8 chunks, ~20 us on one core), small enough that a
 * thread that starts or wakes late only costs the others a fraction of a grain. */
#define AIOT_BATCH_GRAIN (8u * AIOT_BATCH_CHUNK)

/* One batch call. The description is read-only while threads work on it; the
 * items and outputs each thread writes are disjoint (whole grains). */
typedef struct aiot_batch_job aiot_batch_job;
/* Runs items [first, first + len) of a job; returns its successes. */
typedef size_t (*aiot_batch_range_fn)(const aiot_batch_job *jb, size_t first, size_t len);

struct aiot_batch_job {
    const aiotsec_ctx *ctx;
    const aiotsec_batch_item *items;
    size_t n;
    uint8_t *xres; /* derive: n * res_len octets; NULL for verify */
    int *results;
    atomic_size_t next; /* first item not yet taken */
    /* Two-ended taking (n < 2^32): the first item not yet taken from the front
     * << 32 | one past the last not yet taken from the back. */
    _Atomic uint64_t span;
    /* Another kind of job (the ADM's named look-ups): NULL for batch items. */
    aiot_batch_range_fn range;
    const void *arg;
    /* Items a thread takes at a time; 0: AIOT_BATCH_GRAIN. Costlier items want
     * smaller grains, so the last one does not keep the caller waiting long. */
    size_t grain;
};

/* The job's grain. */
static inline size_t aiot_batch_job_grain(const aiot_batch_job *jb)
{
    return jb->grain ? jb->grain : AIOT_BATCH_GRAIN;
}

/* Runs a job of jb->n items through the pool (the caller works too) and
 * returns its successes; jb->next is reset here. */
size_t aiot_batch_pool_run(aiotsec_batch_pool *p, aiot_batch_job *jb);

/* Runs items [0, n) in the calling thread; returns how many succeeded (derive)
 * or matched (verify). */
size_t aiot_batch_run_range(const aiotsec_ctx *ctx, const aiotsec_batch_item *items, size_t n,
                            uint8_t *xres, int *results);

/* XRES_AIOT of n derivations from compact keys (ctx's backend has them), the
 * RAND lengths already checked: xres receives n * res_len octets. The ADM's
 * named batches, without batch items. AIOTSEC_OK or a backend status (for all). */
int aiot_batch_derive_compact(const aiotsec_ctx *ctx, const void *const *keys, const uint8_t *const *rand_n,
                              const uint8_t *const *rand_d, size_t n, uint8_t *xres);

/* Takes GRAINs from jb->next until none are left, runs them; returns how many of
 * the items this thread ran succeeded (derive) or matched (verify). */
size_t aiot_batch_take_grains(aiot_batch_job *jb, int from_back);
/* Resets jb's counters for a new run over its n items. */
void aiot_batch_job_reset(aiot_batch_job *jb);

/* Grains in a batch of n items: more threads than this have nothing to take. */
static inline size_t aiot_batch_grains(size_t n)
{
    return (n + AIOT_BATCH_GRAIN - 1) / AIOT_BATCH_GRAIN;
}

#endif /* AIOT_BATCH_INTERNAL_H */
