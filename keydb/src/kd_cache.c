/* The cache of unsealed keys: a bounded number of entries in one block of
 * locked memory excluded from core dumps (sodium_malloc), split into shards
 * (each a lock, a keyed-SipHash table and an LRU list). An entry remembers the
 * exact record it was unsealed from: a look-up whose record differs (re-keyed,
 * re-sealed by a rotation, edited) unseals again, so the cache never answers
 * for a record that is no longer there. Keys are wiped when an entry is
 * evicted, refreshed or forgotten; prepared keys are retired through kd_qsbr. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "kd_internal.h"
#include "kd_qsbr.h"

#define SHARDS 16u
#define NONE UINT32_MAX

typedef struct kd_entry {
    uint8_t perm[AIOTSEC_ID_MAX];
    uint8_t rec[KD_REC_MAX];
    uint8_t key[AIOTSEC_KROOT_MAX];
    aiotsec_prepared_key *prep;
    uint64_t hash;
    uint32_t hnext, prev, next; /* bucket chain; LRU list (prev: more recent) */
    uint8_t perm_len, rec_len, key_len;
} kd_entry;

typedef struct shard {
    pthread_mutex_t lock;
    uint32_t *buckets;
    uint32_t mask;
    uint32_t base, cap, fresh; /* entries [base, base + cap); [base + fresh, ...) never used yet */
    uint32_t free_head;        /* freed entries, chained through hnext */
    uint32_t lru_head, lru_tail;
} shard;

struct kd_cache {
    kd_entry *e;
    size_t n, bytes;
    shard sh[SHARDS];
    uint8_t hkey[crypto_shorthash_KEYBYTES];
    const aiotsec_ctx *ctx;
    kd_qsbr *q; /* prepared keys only */
    int locked;
    _Atomic uint64_t hits, misses, evictions;
};

static uint64_t hash_id(const kd_cache *c, const uint8_t *perm, size_t len)
{
    uint8_t out[crypto_shorthash_BYTES];
    crypto_shorthash(out, perm, len, c->hkey);
    uint64_t h;
    memcpy(&h, out, sizeof h);
    return h;
}

static shard *shard_of(kd_cache *c, uint64_t h)
{
    return &c->sh[h >> 60];
}

int kd_cache_new(kd_cache **out, size_t entries, const aiotsec_ctx *ctx, int prepared)
{
    *out = NULL;
    if (entries < SHARDS)
        entries = SHARDS;
    if (entries > (size_t)1 << 28)
        return AIOTSEC_E_LIMIT;
    kd_cache *c = calloc(1, sizeof *c);
    if (!c)
        return AIOTSEC_E_NO_MEMORY;
    for (uint32_t i = 0; i < SHARDS; i++)
        pthread_mutex_init(&c->sh[i].lock, NULL);
    c->ctx = ctx;
    c->n = entries - entries % SHARDS;
    c->bytes = c->n * sizeof *c->e;
    c->e = sodium_malloc(c->bytes); /* guard pages, MADV_DONTDUMP, and an mlock it may not get */
    int rc = c->e ? AIOTSEC_OK : AIOTSEC_E_NO_MEMORY;
    if (rc == AIOTSEC_OK) {
        /* sodium_malloc ignores a failed mlock (RLIMIT_MEMLOCK): lock again to know. */
        c->locked = mlock(c->e, c->bytes) == 0;
        memset(c->e, 0, c->bytes);
        crypto_shorthash_keygen(c->hkey);
    }
    uint32_t per = (uint32_t)(c->n / SHARDS), nb = 1;
    while (nb < 2 * per)
        nb *= 2;
    for (uint32_t i = 0; i < SHARDS && rc == AIOTSEC_OK; i++) {
        shard *s = &c->sh[i];
        s->buckets = malloc(nb * sizeof *s->buckets);
        if (!s->buckets) {
            rc = AIOTSEC_E_NO_MEMORY;
            break;
        }
        memset(s->buckets, 0xff, nb * sizeof *s->buckets);
        s->mask = nb - 1;
        s->base = i * per;
        s->cap = per;
        s->free_head = s->lru_head = s->lru_tail = NONE;
    }
    if (rc == AIOTSEC_OK && prepared && kd_qsbr_new(&c->q, 2 * c->n) != 0)
        rc = AIOTSEC_E_NO_MEMORY;
    if (rc != AIOTSEC_OK) {
        kd_cache_free(c);
        return rc;
    }
    atomic_init(&c->hits, 0);
    atomic_init(&c->misses, 0);
    atomic_init(&c->evictions, 0);
    *out = c;
    return AIOTSEC_OK;
}

void kd_cache_free(kd_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; c->e && i < c->n; i++)
        aiotsec_prepared_key_free(c->e[i].prep); /* live keys; retired ones go with the domain */
    kd_qsbr_free(c->q);
    for (uint32_t i = 0; i < SHARDS; i++) {
        free(c->sh[i].buckets);
        pthread_mutex_destroy(&c->sh[i].lock);
    }
    if (c->e) {
        if (c->locked)
            munlock(c->e, c->bytes);
        sodium_free(c->e); /* wipes every entry */
    }
    sodium_memzero(c->hkey, sizeof c->hkey);
    free(c);
}

static uint32_t find(kd_cache *c, shard *s, uint64_t h, const uint8_t *perm, size_t len)
{
    for (uint32_t i = s->buckets[h & s->mask]; i != NONE; i = c->e[i].hnext)
        if (c->e[i].hash == h && c->e[i].perm_len == len && memcmp(c->e[i].perm, perm, len) == 0)
            return i;
    return NONE;
}

static void lru_unlink(kd_cache *c, shard *s, uint32_t i)
{
    kd_entry *e = &c->e[i];
    if (e->prev != NONE)
        c->e[e->prev].next = e->next;
    else
        s->lru_head = e->next;
    if (e->next != NONE)
        c->e[e->next].prev = e->prev;
    else
        s->lru_tail = e->prev;
}

static void lru_push(kd_cache *c, shard *s, uint32_t i)
{
    kd_entry *e = &c->e[i];
    e->prev = NONE;
    e->next = s->lru_head;
    if (s->lru_head != NONE)
        c->e[s->lru_head].prev = i;
    s->lru_head = i;
    if (s->lru_tail == NONE)
        s->lru_tail = i;
}

/* Takes entry i out of the bucket chain and the LRU list, retires its prepared
 * key and wipes it (caller holds the shard lock). */
static void drop(kd_cache *c, shard *s, uint32_t i)
{
    kd_entry *e = &c->e[i];
    uint32_t *p = &s->buckets[e->hash & s->mask];
    while (*p != i)
        p = &c->e[*p].hnext;
    *p = e->hnext;
    lru_unlink(c, s, i);
    if (e->prep)
        kd_qsbr_retire(c->q, e->prep);
    sodium_memzero(e, sizeof *e);
}

static void release(kd_cache *c, shard *s, uint32_t i)
{
    drop(c, s, i);
    c->e[i].hnext = s->free_head;
    s->free_head = i;
}

/* A free entry: a released one, a never-used one, or the least recently used (evicted). */
static uint32_t take(kd_cache *c, shard *s)
{
    uint32_t i = s->free_head;
    if (i != NONE) {
        s->free_head = c->e[i].hnext;
        return i;
    }
    if (s->fresh < s->cap)
        return s->base + s->fresh++;
    i = s->lru_tail;
    drop(c, s, i);
    atomic_fetch_add(&c->evictions, 1);
    return i;
}

/* Unseals into entry i and links it under hash h (caller holds the lock). */
static int fill(kd_cache *c, shard *s, uint32_t i, uint64_t h, const uint8_t *perm, size_t len, const uint8_t *rec,
                size_t rec_len, kd_unseal_fn unseal, void *arg)
{
    kd_entry *e = &c->e[i];
    size_t klen = 0;
    int rc = unseal(arg, e->key, &klen);
    if (rc != AIOTSEC_OK) {
        sodium_memzero(e, sizeof *e);
        e->hnext = s->free_head;
        s->free_head = i;
        return rc;
    }
    memcpy(e->perm, perm, len);
    memcpy(e->rec, rec, rec_len);
    e->perm_len = (uint8_t)len;
    e->rec_len = (uint8_t)rec_len;
    e->key_len = (uint8_t)klen;
    e->hash = h;
    e->prep = NULL;
    e->hnext = s->buckets[h & s->mask];
    s->buckets[h & s->mask] = i;
    lru_push(c, s, i);
    atomic_fetch_add(&c->misses, 1);
    return AIOTSEC_OK;
}

int kd_cache_get(kd_cache *c, const uint8_t *perm, size_t len, const uint8_t *rec, size_t rec_len,
                 kd_unseal_fn unseal, void *arg, uint8_t *raw, size_t *raw_len, const aiotsec_prepared_key **prep)
{
    if (rec_len > KD_REC_MAX)
        return AIOTSEC_KEYDB_E_BAD_RECORD;
    uint64_t h = hash_id(c, perm, len);
    shard *s = shard_of(c, h);
    pthread_mutex_lock(&s->lock);
    uint32_t i = find(c, s, h, perm, len);
    int rc = AIOTSEC_OK;
    if (i != NONE && c->e[i].rec_len == rec_len && memcmp(c->e[i].rec, rec, rec_len) == 0) {
        lru_unlink(c, s, i);
        lru_push(c, s, i);
        atomic_fetch_add(&c->hits, 1);
    } else {
        if (i != NONE) /* the record changed since: the old key goes */
            release(c, s, i);
        i = take(c, s);
        rc = fill(c, s, i, h, perm, len, rec, rec_len, unseal, arg);
    }
    if (rc == AIOTSEC_OK && prep) {
        kd_entry *e = &c->e[i];
        if (!e->prep && c->q && kd_qsbr_reserve(c->q)) {
            if (aiotsec_prepared_key_new(&e->prep, c->ctx, e->key, e->key_len) != AIOTSEC_OK) {
                e->prep = NULL;
                kd_qsbr_unreserve(c->q);
            }
        }
        *prep = e->prep; /* NULL: the ADM falls back to the raw key */
    }
    if (rc == AIOTSEC_OK && raw) {
        memcpy(raw, c->e[i].key, c->e[i].key_len);
        *raw_len = c->e[i].key_len;
    }
    pthread_mutex_unlock(&s->lock);
    return rc;
}

void kd_cache_forget(kd_cache *c, const uint8_t *perm, size_t len)
{
    uint64_t h = hash_id(c, perm, len);
    shard *s = shard_of(c, h);
    pthread_mutex_lock(&s->lock);
    uint32_t i = find(c, s, h, perm, len);
    if (i != NONE)
        release(c, s, i);
    pthread_mutex_unlock(&s->lock);
}

void *kd_cache_enter(kd_cache *c)
{
    return c && c->q ? kd_qsbr_enter(c->q) : NULL;
}

void kd_cache_leave(kd_cache *c, void *slot)
{
    (void)c;
    kd_qsbr_leave(slot);
}

void kd_cache_quiescent(kd_cache *c)
{
    if (c && c->q)
        kd_qsbr_offline(c->q);
}

void kd_cache_stats(kd_cache *c, aiotsec_keydb_stats *st)
{
    st->hits = atomic_load(&c->hits);
    st->misses = atomic_load(&c->misses);
    st->evictions = atomic_load(&c->evictions);
    st->cache_capacity = c->n;
    st->cache_locked = c->locked;
    if (c->q)
        kd_qsbr_counts(c->q, &st->retired_pending, &st->retire_full);
}
