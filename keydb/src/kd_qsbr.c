/* Deferred freeing of prepared keys: see kd_qsbr.h for the rule.
 *
 * Why it is safe. Thread T, starting an outermost call, loads E then stores it
 * into its slot (both sequentially consistent), and only then takes a shard lock
 * to look a key up. A retirer unlinks the key under that shard lock and only
 * then does e_r = E++ (fetch_add). If T found the key, T's lookup came before
 * the unlink in the lock's order, so T's load of E came before the fetch_add
 * and returned at most e_r: T's slot holds a value <= e_r until T
 * starts another outermost call. The reclaimer reads slots after the key was
 * queued (retire lock), so it sees T's value or a later one, and frees the key
 * only when every slot is > e_r. A thread whose slot is OFFLINE holds nothing. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "kd_qsbr.h"

#define MAX_THREADS 256
#define OFFLINE UINT64_MAX

struct kd_tslot {
    _Atomic uint64_t epoch; /* OFFLINE, or the epoch read when the outermost call began */
    int depth;              /* calls in progress on the owning thread (only it touches this) */
    int in_use;             /* under reg_lock */
    kd_qsbr *q;
};

typedef struct retired {
    aiotsec_prepared_key *k;
    uint64_t epoch;
} retired;

struct kd_qsbr {
    pthread_key_t tkey;
    pthread_mutex_t reg_lock;
    kd_tslot slots[MAX_THREADS];
    _Atomic uint64_t epoch;
    pthread_mutex_t retire_lock;
    retired *ring; /* FIFO of retired keys, oldest first; capacity max_alive */
    size_t cap, head, count;
    _Atomic size_t alive; /* keys in existence: live in the cache, or retired */
    _Atomic uint64_t refused;
};

/* A thread that exits holds nothing: its slot goes back to the pool. */
static void thread_gone(void *p)
{
    kd_tslot *s = p;
    kd_qsbr *q = s->q;
    atomic_store(&s->epoch, OFFLINE);
    pthread_mutex_lock(&q->reg_lock);
    s->in_use = 0;
    s->depth = 0;
    pthread_mutex_unlock(&q->reg_lock);
}

int kd_qsbr_new(kd_qsbr **out, size_t max_alive)
{
    kd_qsbr *q = calloc(1, sizeof *q);
    if (!q)
        return -1;
    q->cap = max_alive ? max_alive : 1;
    q->ring = calloc(q->cap, sizeof *q->ring);
    if (!q->ring || pthread_key_create(&q->tkey, thread_gone) != 0) {
        free(q->ring);
        free(q);
        return -1;
    }
    pthread_mutex_init(&q->reg_lock, NULL);
    pthread_mutex_init(&q->retire_lock, NULL);
    for (size_t i = 0; i < MAX_THREADS; i++) {
        atomic_init(&q->slots[i].epoch, OFFLINE);
        q->slots[i].q = q;
    }
    atomic_init(&q->epoch, 1);
    atomic_init(&q->alive, 0);
    atomic_init(&q->refused, 0);
    *out = q;
    return 0;
}

/* Frees retired keys no thread can hold any more (caller holds retire_lock). */
static void reclaim_locked(kd_qsbr *q)
{
    uint64_t min = OFFLINE;
    for (size_t i = 0; i < MAX_THREADS; i++) {
        uint64_t e = atomic_load(&q->slots[i].epoch);
        if (e < min)
            min = e;
    }
    while (q->count && q->ring[q->head].epoch < min) {
        aiotsec_prepared_key_free(q->ring[q->head].k); /* wipes it */
        q->ring[q->head].k = NULL;
        q->head = (q->head + 1) % q->cap;
        q->count--;
        atomic_fetch_sub(&q->alive, 1);
    }
}

void kd_qsbr_free(kd_qsbr *q)
{
    if (!q)
        return;
    while (q->count) {
        aiotsec_prepared_key_free(q->ring[q->head].k);
        q->head = (q->head + 1) % q->cap;
        q->count--;
    }
    /* Threads still registered keep a stale value under this key: after
     * pthread_key_delete their destructors no longer run, and a new key starts
     * NULL in every thread (POSIX), so nothing reaches the freed slots. */
    pthread_key_delete(q->tkey);
    pthread_mutex_destroy(&q->reg_lock);
    pthread_mutex_destroy(&q->retire_lock);
    free(q->ring);
    free(q);
}

kd_tslot *kd_qsbr_enter(kd_qsbr *q)
{
    kd_tslot *s = pthread_getspecific(q->tkey);
    if (!s) {
        pthread_mutex_lock(&q->reg_lock);
        for (size_t i = 0; i < MAX_THREADS && !s; i++)
            if (!q->slots[i].in_use) {
                s = &q->slots[i];
                s->in_use = 1;
                s->depth = 0;
            }
        pthread_mutex_unlock(&q->reg_lock);
        if (!s || pthread_setspecific(q->tkey, s) != 0) {
            if (s)
                thread_gone(s);
            return NULL;
        }
    }
    if (s->depth++ == 0) /* outermost: every key handed out before is released */
        atomic_store(&s->epoch, atomic_load(&q->epoch));
    return s;
}

void kd_qsbr_leave(kd_tslot *s)
{
    if (s)
        s->depth--;
}

void kd_qsbr_offline(kd_qsbr *q)
{
    kd_tslot *s = pthread_getspecific(q->tkey);
    if (s && s->depth == 0)
        atomic_store(&s->epoch, OFFLINE);
    pthread_mutex_lock(&q->retire_lock);
    reclaim_locked(q);
    pthread_mutex_unlock(&q->retire_lock);
}

int kd_qsbr_reserve(kd_qsbr *q)
{
    size_t n = atomic_fetch_add(&q->alive, 1);
    if (n < q->cap)
        return 1;
    atomic_fetch_sub(&q->alive, 1);
    pthread_mutex_lock(&q->retire_lock); /* full: free what can be freed, then try once more */
    reclaim_locked(q);
    pthread_mutex_unlock(&q->retire_lock);
    n = atomic_fetch_add(&q->alive, 1);
    if (n < q->cap)
        return 1;
    atomic_fetch_sub(&q->alive, 1);
    atomic_fetch_add(&q->refused, 1);
    return 0;
}

void kd_qsbr_unreserve(kd_qsbr *q)
{
    atomic_fetch_sub(&q->alive, 1);
}

void kd_qsbr_retire(kd_qsbr *q, aiotsec_prepared_key *k)
{
    if (!k)
        return;
    uint64_t e = atomic_fetch_add(&q->epoch, 1);
    pthread_mutex_lock(&q->retire_lock);
    /* Never full: every key in the ring was reserved, and reservations stop at cap. */
    q->ring[(q->head + q->count) % q->cap] = (retired){k, e};
    q->count++;
    reclaim_locked(q);
    pthread_mutex_unlock(&q->retire_lock);
}

void kd_qsbr_counts(kd_qsbr *q, uint64_t *pending, uint64_t *refused)
{
    pthread_mutex_lock(&q->retire_lock);
    *pending = q->count;
    pthread_mutex_unlock(&q->retire_lock);
    *refused = atomic_load(&q->refused);
}
