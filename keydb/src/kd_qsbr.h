/* Deferred freeing of prepared keys (quiescent-state-based reclamation).
 *
 * The key-store table hands out pointers to prepared keys, and the interface has
 * no "release": the ADM simply stops using a key when its request is done. So
 * the rule is per thread: a key handed to a thread stays valid until that
 * thread's next outermost call into the table (a call made from inside a listing
 * callback is not outermost), its kd_qsbr_offline(), or its exit.
 *
 * Each thread that calls in gets a slot holding the global epoch it read when
 * its current outermost call began. A key retired (evicted, revoked, re-keyed)
 * is stamped with the epoch of its retirement; it is freed once every slot's
 * epoch is greater, i.e. every thread has started a new call since, or is
 * offline. Retirement happens under the cache shard lock, after the key was
 * unlinked, and a thread reads the epoch before it looks anything up under that
 * lock: a thread that could have found the key has an epoch no greater than the
 * key's stamp (see kd_qsbr.c). */
#ifndef KD_QSBR_H
#define KD_QSBR_H

#include <stddef.h>
#include <stdint.h>

#include "aiotsec/prepared.h"

typedef struct kd_qsbr kd_qsbr;
typedef struct kd_tslot kd_tslot;

/* A domain allowing at most max_alive prepared keys in existence, live or retired. */
int kd_qsbr_new(kd_qsbr **out, size_t max_alive);
/* Frees every retired key; no thread may be inside a call any more. */
void kd_qsbr_free(kd_qsbr *q);
/* Entering a call: returns the thread's slot, or NULL when no slot is free
 * (the call then hands out no prepared key). */
kd_tslot *kd_qsbr_enter(kd_qsbr *q);
void kd_qsbr_leave(kd_tslot *s);
/* The calling thread holds no key (outside any call). */
void kd_qsbr_offline(kd_qsbr *q);
/* Reserves room for one more prepared key: 1 if granted, 0 if too many exist. */
int kd_qsbr_reserve(kd_qsbr *q);
/* Gives back a reservation that was not used. */
void kd_qsbr_unreserve(kd_qsbr *q);
/* Retires a key that was unlinked from every index (frees it now if nobody can hold it). */
void kd_qsbr_retire(kd_qsbr *q, aiotsec_prepared_key *k);
/* Counters: keys retired and not yet freed; reservations refused. */
void kd_qsbr_counts(kd_qsbr *q, uint64_t *pending, uint64_t *refused);

#endif
