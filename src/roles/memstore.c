/* The in-memory key store, laid out for the ADM's hot path at operator scale
 * (millions of devices, most look-ups missing every cache):
 *
 *  - per device (by device number, in one array each): the backend's compact
 *    prepared key, one 64-octet cache line (two SHA-256 midstates), or, with a
 *    backend that has no compact form, a pointer to a whole prepared key;
 *    a 32-bit reference to its Permanent Identifier, stored length-first in a
 *    byte arena (one miss reads both); and, only when the caller keeps them,
 *    the raw keys, in an array of their own, away from the hot lines;
 *  - a keyed SipHash-1-3 index by Permanent Identifier (8-octet slots, load <= 3/4),
 *    answered a batch at a time with software prefetching (aiot_memstore_find_batch);
 *  - the device numbers sorted by Permanent Identifier (filters: a range found
 *    by two binary searches). A load stores its devices in that order, so a
 *    filter's candidates are contiguous lines.
 * T-IDs (getTid) are the only thing the key-store table writes: they live in
 * their own array, behind a lock. */
#include <pthread.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "aiotsec/filter.h"
#include "aiotsec/keystore.h"
#include "aiotsec/testing.h"
#include "roles/hindex.h"
#include "roles/memstore_internal.h"
#include "roles/roles_internal.h"

#define LINE 64u     /* stride of the compact lines: one cache line each */
#define RAW 33u      /* a raw key: its length, then up to 32 octets */
#define NO_DEV UINT32_MAX
#define FIND_GROUP 16u /* look-ups and insertions whose cache misses overlap */

typedef struct ks_tid {
    uint8_t has, has_prev;
    uint8_t tid[AIOTSEC_TID_LEN], prev[AIOTSEC_TID_LEN];
} ks_tid;

struct aiotsec_memstore {
    const aiotsec_ctx *ctx;
    uint8_t hash_key[16];
    unsigned flags;
    int compact;                 /* lines (1) or prep (0) */
    size_t count, cap;           /* devices, and room in every per-device array */
    uint32_t *id_ref;            /* arena offset of the device's record [len][identifier][number] */
    uint8_t *lines;              /* compact keys, LINE octets each, 64-aligned */
    aiotsec_prepared_key **prep; /* whole prepared keys (no compact form) */
    uint8_t *raw;                /* raw keys, RAW octets each; NULL with NO_RAW_KEYS */
    uint32_t *order;             /* device numbers in Permanent Identifier order; NULL while */
    int order_id;                /* ... the store itself is in that order (order[i] = i) */
    uint8_t *arena;
    size_t arena_len, arena_cap;
    aiot_hix by_perm;
    pthread_mutex_t tid_lock;
    ks_tid *tids; /* NULL until the first getTid; then cap entries (tid_cap) */
    size_t tid_cap;
};

static const uint8_t *dev_id(const aiotsec_memstore *s, size_t n, size_t *len)
{
    const uint8_t *p = s->arena + s->id_ref[n];
    *len = p[0];
    return p + 1;
}

static uint64_t hash_id(const aiotsec_memstore *s, const uint8_t *id, size_t len)
{
    return aiot_siphash13(s->hash_key, id, len);
}

/* A device's arena record: [len][identifier][device number, 4 octets host order].
 * The hash index holds record offsets, so one look-up reads the identifier to
 * confirm and the device number to use from the same cache line. */
static int rec_is(const uint8_t *rec, const uint8_t *id, size_t len)
{
    return rec[0] == len && memcmp(rec + 1, id, len) == 0;
}

static uint32_t rec_dev(const uint8_t *rec)
{
    uint32_t d;
    memcpy(&d, rec + 1 + rec[0], sizeof d);
    return d;
}

static void rec_set_dev(uint8_t *rec, uint32_t d)
{
    memcpy(rec + 1 + rec[0], &d, sizeof d);
}

/* Position i of the Permanent Identifier order. */
static uint32_t ord(const aiotsec_memstore *s, size_t i)
{
    return s->order_id ? (uint32_t)i : s->order[i];
}

typedef struct probe {
    const aiotsec_memstore *s;
    const uint8_t *id;
    size_t len;
} probe;

static int probe_eq(const void *arg, uint32_t off)
{
    const probe *p = arg;
    return rec_is(p->s->arena + off, p->id, p->len);
}

/* Device number with that Permanent Identifier, or NO_DEV. */
static uint32_t find_hashed(const aiotsec_memstore *s, const uint8_t *id, size_t len, uint64_t h)
{
    probe p = {s, id, len};
    size_t pos = aiot_hix_find(&s->by_perm, h, probe_eq, &p);
    return pos == SIZE_MAX ? NO_DEV : rec_dev(s->arena + aiot_hix_at(&s->by_perm, pos));
}

static uint32_t find(const aiotsec_memstore *s, const uint8_t *id, size_t len)
{
    if (len == 0 || len > AIOTSEC_ID_MAX)
        return NO_DEV;
    return find_hashed(s, id, len, hash_id(s, id, len));
}

static void index_dev(aiotsec_memstore *s, size_t n)
{
    size_t len;
    const uint8_t *id = dev_id(s, n, &len);
    aiot_hix_insert(&s->by_perm, hash_id(s, id, len), s->id_ref[n]);
}

/* Rebuilds the hash index for the first s->count devices with room for `room`. */
static int rebuild_index(aiotsec_memstore *s, size_t room)
{
    aiot_hix nix = {0};
    int rc = aiot_hix_init(&nix, room);
    if (rc != AIOTSEC_OK)
        return rc;
    aiot_hix_free(&s->by_perm);
    s->by_perm = nix;
    for (size_t n = 0; n < s->count; n++)
        index_dev(s, n);
    return AIOTSEC_OK;
}

/* Byte-lexicographic order of Permanent Identifiers, the shorter first on a tie. */
static int id_cmp(const aiotsec_memstore *s, uint32_t a, uint32_t b)
{
    size_t la, lb;
    const uint8_t *ia = dev_id(s, a, &la), *ib = dev_id(s, b, &lb);
    int c = memcmp(ia, ib, la < lb ? la : lb);
    return c ? c : (la > lb) - (la < lb);
}

/* --- arrays ------------------------------------------------------------------- */

/* Replaces *p (cap elements, `keep` in use) by a block of n elements. The old
 * block is wiped before it is freed: some arrays hold keys, which must not be
 * left behind in released heap (realloc would not wipe them). */
static int resize(void **p, size_t keep, size_t n, size_t elem, size_t align)
{
    if (n > SIZE_MAX / elem)
        return AIOTSEC_E_LIMIT;
    size_t bytes = n * elem;
    void *q = aiot_alloc_hot(bytes, align);
    if (!q)
        return AIOTSEC_E_NO_MEMORY;
    if (*p) {
        memcpy(q, *p, keep * elem);
        aiotsec_wipe(*p, keep * elem);
        free(*p);
    }
    *p = q;
    return AIOTSEC_OK;
}

/* Makes room for `need` devices in every per-device array (doubling). */
static int reserve(aiotsec_memstore *s, size_t need)
{
    if (need <= s->cap)
        return AIOTSEC_OK;
    if (need >= UINT32_MAX)
        return AIOTSEC_E_LIMIT;
    size_t n = s->cap ? s->cap : 64;
    while (n < need)
        n *= 2;
    if (n >= UINT32_MAX)
        n = UINT32_MAX - 1;
    int rc = resize((void **)&s->id_ref, s->count, n, sizeof *s->id_ref, 0);
    if (rc == AIOTSEC_OK && !s->order_id)
        rc = resize((void **)&s->order, s->count, n, sizeof *s->order, 0);
    if (rc == AIOTSEC_OK && s->compact)
        rc = resize((void **)&s->lines, s->count, n, LINE, LINE);
    if (rc == AIOTSEC_OK && !s->compact)
        rc = resize((void **)&s->prep, s->count, n, sizeof(aiotsec_prepared_key *), 0);
    if (rc == AIOTSEC_OK && !(s->flags & AIOTSEC_MEMSTORE_NO_RAW_KEYS))
        rc = resize((void **)&s->raw, s->count, n, RAW, 0);
    if (rc == AIOTSEC_OK && s->tids) {
        rc = resize((void **)&s->tids, s->count, n, sizeof *s->tids, 0);
        if (rc == AIOTSEC_OK)
            s->tid_cap = n;
    }
    if (rc == AIOTSEC_OK)
        s->cap = n; /* only when every array has grown: after a failure, the arrays
                       that did grow are larger than cap, which stays valid for all */
    return rc;
}

static int reserve_arena(aiotsec_memstore *s, size_t more)
{
    size_t need = s->arena_len + more;
    if (need >= UINT32_MAX)
        return AIOTSEC_E_LIMIT; /* record offsets are 32 bits (the index stores offset + 1) */
    if (need <= s->arena_cap)
        return AIOTSEC_OK;
    size_t n = s->arena_cap ? s->arena_cap : 1024;
    while (n < need)
        n *= 2;
    int rc = resize((void **)&s->arena, s->arena_len, n, 1, 0);
    if (rc == AIOTSEC_OK)
        s->arena_cap = n;
    return rc;
}

int aiotsec_memstore_new_with_flags(aiotsec_memstore **out, const aiotsec_ctx *ctx, size_t expected,
                                    unsigned flags)
{
    if (!out || !ctx)
        return AIOTSEC_E_NULL_ARG;
    *out = NULL;
    if (flags & ~(unsigned)AIOTSEC_MEMSTORE_NO_RAW_KEYS)
        return AIOTSEC_E_BAD_VALUE;
    if (expected >= UINT32_MAX)
        return AIOTSEC_E_LIMIT;
    aiotsec_memstore *s = calloc(1, sizeof *s);
    if (!s)
        return AIOTSEC_E_NO_MEMORY;
    s->ctx = ctx;
    s->flags = flags;
    s->order_id = 1; /* an empty store is in order */
    s->compact = aiot_has_compact(ctx) && ctx->be.hmac_compact_size <= LINE;
    if (pthread_mutex_init(&s->tid_lock, NULL) != 0) {
        free(s);
        return AIOTSEC_E_NO_MEMORY;
    }
    /* A random hash key per store: collisions cannot be precomputed. */
    int rc = aiotsec_random(ctx, s->hash_key, sizeof s->hash_key);
    if (rc == AIOTSEC_OK)
        rc = aiot_hix_init(&s->by_perm, expected);
    if (rc == AIOTSEC_OK && expected)
        rc = reserve(s, expected);
    if (rc != AIOTSEC_OK) {
        aiotsec_memstore_free(s);
        return rc;
    }
    *out = s;
    return AIOTSEC_OK;
}

int aiotsec_memstore_new(aiotsec_memstore **out, const aiotsec_ctx *ctx, size_t expected)
{
    return aiotsec_memstore_new_with_flags(out, ctx, expected, 0);
}

/* Wipes (and frees the prepared keys of) devices [from, to). */
static void wipe_devices(aiotsec_memstore *s, size_t from, size_t to)
{
    for (size_t n = from; n < to; n++) {
        if (s->compact)
            aiotsec_wipe(s->lines + n * LINE, LINE);
        else
            aiotsec_prepared_key_free(s->prep[n]);
        if (s->raw)
            aiotsec_wipe(s->raw + n * RAW, RAW);
    }
}

/* Drops devices from number `keep` on (wiping them), in a store whose order
 * array holds the first `keep` devices sorted, then the dropped ones. */
static void truncate_to(aiotsec_memstore *s, size_t keep, size_t arena_keep)
{
    wipe_devices(s, keep, s->count);
    s->count = keep;
    s->arena_len = arena_keep;
    aiot_hix_clear(&s->by_perm);
    for (size_t n = 0; n < s->count; n++)
        index_dev(s, n);
}

void aiotsec_memstore_free(aiotsec_memstore *s)
{
    if (!s)
        return;
    wipe_devices(s, 0, s->count);
    if (s->tids)
        aiotsec_wipe(s->tids, s->tid_cap * sizeof *s->tids);
    free(s->id_ref);
    free(s->order);
    free(s->lines);
    free(s->prep);
    free(s->raw);
    free(s->tids);
    free(s->arena);
    aiot_hix_free(&s->by_perm);
    pthread_mutex_destroy(&s->tid_lock);
    aiotsec_wipe(s, sizeof *s);
    free(s);
}

/* Appends one device (unsorted: the caller places it in `order`). A load
 * (`deferred`) neither checks for duplicates nor indexes here: it does both
 * for all its devices at once, in place_loaded() and index_range(). */
static int append_device(aiotsec_memstore *s, const uint8_t *perm_id, size_t perm_id_len, const uint8_t *k_root,
                         size_t k_root_len, int deferred)
{
    if (!s || !perm_id || !k_root)
        return AIOTSEC_E_NULL_ARG;
    if (perm_id_len == 0 || perm_id_len > AIOTSEC_ID_MAX || (k_root_len != 16 && k_root_len != 32))
        return AIOTSEC_E_BAD_LENGTH;
    uint64_t h = 0;
    if (!deferred) {
        h = hash_id(s, perm_id, perm_id_len);
        if (find_hashed(s, perm_id, perm_id_len, h) != NO_DEV)
            return AIOTSEC_E_DUPLICATE;
    }
    int rc = reserve(s, s->count + 1);
    if (rc == AIOTSEC_OK)
        rc = reserve_arena(s, 1 + perm_id_len + 4);
    if (rc == AIOTSEC_OK && !deferred && !aiot_hix_fits(&s->by_perm, s->count + 1))
        rc = rebuild_index(s, 2 * (s->count + 1));
    if (rc != AIOTSEC_OK)
        return rc;
    size_t n = s->count;
    if (s->compact)
        rc = aiot_compact_from_key(s->ctx, k_root, k_root_len, s->lines + n * LINE);
    else
        rc = aiotsec_prepared_key_new(&s->prep[n], s->ctx, k_root, k_root_len);
    if (rc != AIOTSEC_OK)
        return rc;
    if (s->raw) {
        uint8_t *r = s->raw + n * RAW;
        memset(r, 0, RAW);
        r[0] = (uint8_t)k_root_len;
        memcpy(r + 1, k_root, k_root_len);
    }
    uint8_t *rec = s->arena + s->arena_len;
    s->id_ref[n] = (uint32_t)s->arena_len;
    rec[0] = (uint8_t)perm_id_len;
    memcpy(rec + 1, perm_id, perm_id_len);
    rec_set_dev(rec, (uint32_t)n);
    s->arena_len += 1 + perm_id_len + 4;
    if (s->tids)
        memset(&s->tids[n], 0, sizeof s->tids[n]);
    if (!deferred)
        aiot_hix_insert(&s->by_perm, h, s->id_ref[n]);
    if (!s->order_id)
        s->order[n] = (uint32_t)n;
    s->count++;
    return AIOTSEC_OK;
}

/* Gives the store an explicit order array (order[i] = i): from now on devices may
 * be stored out of Permanent Identifier order. */
static int materialize_order(aiotsec_memstore *s)
{
    if (!s->order_id)
        return AIOTSEC_OK;
    size_t n = s->cap > s->count ? s->cap : s->count + 1;
    uint32_t *o = calloc(n, sizeof *o);
    if (!o)
        return AIOTSEC_E_NO_MEMORY;
    for (size_t i = 0; i < s->count; i++)
        o[i] = (uint32_t)i;
    s->order = o;
    s->order_id = 0;
    return AIOTSEC_OK;
}

int aiotsec_memstore_add(aiotsec_memstore *s, const uint8_t *perm_id, size_t perm_id_len,
                         const uint8_t *k_root, size_t k_root_len)
{
    if (!s)
        return AIOTSEC_E_NULL_ARG;
    int rc = materialize_order(s);
    if (rc == AIOTSEC_OK)
        rc = append_device(s, perm_id, perm_id_len, k_root, k_root_len, 0);
    if (rc != AIOTSEC_OK)
        return rc;
    /* Keep `order` sorted: the first position whose identifier sorts after the new one. */
    uint32_t n = (uint32_t)(s->count - 1);
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (id_cmp(s, s->order[mid], n) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    memmove(s->order + lo + 1, s->order + lo, (n - lo) * sizeof *s->order);
    s->order[lo] = n;
    return AIOTSEC_OK;
}

/* --- bulk loads ----------------------------------------------------------------- */

/* Big-endian value of an identifier's first 8 octets (zero-padded): sorting by it
 * first keeps the sort away from the arena for all but equal prefixes. */
static uint64_t id_prefix(const aiotsec_memstore *s, uint32_t n)
{
    size_t len;
    const uint8_t *id = dev_id(s, n, &len);
    uint64_t v = 0;
    for (size_t i = 0; i < 8; i++)
        v = v << 8 | (i < len ? id[i] : 0u);
    return v;
}

typedef struct sort_key {
    uint64_t prefix;
    uint32_t dev;
} sort_key;

static int key_less(const aiotsec_memstore *s, const sort_key *a, const sort_key *b)
{
    if (a->prefix != b->prefix)
        return a->prefix < b->prefix;
    return id_cmp(s, a->dev, b->dev) < 0;
}

/* Stable bottom-up merge sort of k[0, n) (qsort has no context argument). */
static int sort_keys(const aiotsec_memstore *s, sort_key *k, size_t n)
{
    if (n < 2)
        return AIOTSEC_OK;
    sort_key *tmp = malloc(n * sizeof *tmp);
    if (!tmp)
        return AIOTSEC_E_NO_MEMORY;
    sort_key *src = k, *dst = tmp;
    for (size_t w = 1; w < n; w *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * w) {
            size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            size_t i = lo, j = mid, o = lo;
            while (i < mid && j < hi)
                dst[o++] = key_less(s, &src[j], &src[i]) ? src[j++] : src[i++];
            while (i < mid)
                dst[o++] = src[i++];
            while (j < hi)
                dst[o++] = src[j++];
        }
        sort_key *t = src;
        src = dst;
        dst = t;
    }
    if (src != k)
        memcpy(k, src, n * sizeof *k);
    free(tmp);
    return AIOTSEC_OK;
}

/* Gathers the per-device elements of devices [base, base + n) into the order
 * perm gives (perm[i] = the device number that goes to base + i). */
static int gather(void *arr, size_t base, const uint32_t *perm, size_t n, size_t elem, size_t align)
{
    if (!arr || !n)
        return AIOTSEC_OK;
    size_t bytes = n * elem;
    uint8_t *tmp = aiot_alloc_hot(bytes, align);
    if (!tmp)
        return AIOTSEC_E_NO_MEMORY;
    uint8_t *a = arr;
    for (size_t i = 0; i < n; i++)
        memcpy(tmp + i * elem, a + (size_t)perm[i] * elem, elem);
    memcpy(a + base * elem, tmp, bytes);
    aiotsec_wipe(tmp, bytes);
    free(tmp);
    return AIOTSEC_OK;
}

/* Indexes devices [from, to), known to be absent from the index: hashes a
 * group, prefetches its home slots, then inserts it (probing compares nothing). */
static void index_range(aiotsec_memstore *s, size_t from, size_t to)
{
    uint64_t h[FIND_GROUP];
    for (size_t base = from; base < to; base += FIND_GROUP) {
        size_t g = to - base < FIND_GROUP ? to - base : FIND_GROUP;
        for (size_t j = 0; j < g; j++) {
            size_t len;
            const uint8_t *id = dev_id(s, base + j, &len);
            h[j] = hash_id(s, id, len);
            __builtin_prefetch(&s->by_perm.tab[h[j] & s->by_perm.mask], 1);
        }
        for (size_t j = 0; j < g; j++)
            aiot_hix_insert(&s->by_perm, h[j], s->id_ref[base + j]);
    }
}

/* A load in progress: the store, and the line each appended device came from
 * (duplicates are found after the reading, and reported with their line). */
typedef struct loader {
    aiotsec_memstore *s;
    size_t keep; /* devices before the load */
    uint32_t *line; /* line[i]: the line of device keep + i */
    size_t cap;
} loader;

static int add_line(void *user, size_t line, const uint8_t *perm_id, size_t perm_id_len,
                    const uint8_t *k_root, size_t k_root_len)
{
    loader *ld = user;
    size_t i = ld->s->count - ld->keep;
    if (line > UINT32_MAX)
        return AIOTSEC_E_LIMIT;
    if (i >= ld->cap) {
        size_t cap = ld->cap ? 2 * ld->cap : 1024;
        int rc = resize((void **)&ld->line, i, cap, sizeof *ld->line, 0);
        if (rc != AIOTSEC_OK)
            return rc;
        ld->cap = cap;
    }
    int rc = append_device(ld->s, perm_id, perm_id_len, k_root, k_root_len, 1);
    if (rc == AIOTSEC_OK)
        ld->line[i] = (uint32_t)line;
    return rc;
}

/* The devices a load appended, [keep, count): stores them in Permanent Identifier
 * order (unless they came that way), then checks them for duplicates, among
 * themselves (neighbours, once sorted) and against the devices already stored.
 * AIOTSEC_E_DUPLICATE with *dup_line the first line that repeats an identifier. */
static int place_loaded(aiotsec_memstore *s, loader *ld, size_t *dup_line)
{
    size_t keep = ld->keep, n = s->count - keep;
    int sorted = 1;
    for (size_t i = keep + 1; i < s->count && sorted; i++)
        sorted = id_cmp(s, (uint32_t)(i - 1), (uint32_t)i) < 0;
    if (!sorted) {
        sort_key *k = malloc(n * sizeof *k);
        uint32_t *perm = malloc(n * sizeof *perm);
        int rc = k && perm ? AIOTSEC_OK : AIOTSEC_E_NO_MEMORY;
        for (size_t i = 0; rc == AIOTSEC_OK && i < n; i++)
            k[i] = (sort_key){id_prefix(s, (uint32_t)(keep + i)), (uint32_t)(keep + i)};
        if (rc == AIOTSEC_OK)
            rc = sort_keys(s, k, n);
        for (size_t i = 0; rc == AIOTSEC_OK && i < n; i++)
            perm[i] = k[i].dev;
        /* Every per-device array moves the same way (a load has no T-IDs yet); the
         * line numbers too, so line[i] stays device keep + i's. */
        if (rc == AIOTSEC_OK)
            rc = gather(s->id_ref, keep, perm, n, sizeof *s->id_ref, 0);
        if (rc == AIOTSEC_OK)
            rc = gather(s->lines, keep, perm, n, LINE, LINE);
        if (rc == AIOTSEC_OK)
            rc = gather(s->prep, keep, perm, n, sizeof(aiotsec_prepared_key *), 0);
        if (rc == AIOTSEC_OK)
            rc = gather(s->raw, keep, perm, n, RAW, 0);
        for (size_t i = keep; rc == AIOTSEC_OK && i < s->count; i++)
            rec_set_dev(s->arena + s->id_ref[i], (uint32_t)i); /* the records follow their devices */
        for (size_t i = 0; rc == AIOTSEC_OK && i < n; i++)
            perm[i] -= (uint32_t)keep;
        if (rc == AIOTSEC_OK)
            rc = gather(ld->line, 0, perm, n, sizeof *ld->line, 0);
        free(k);
        free(perm);
        if (rc != AIOTSEC_OK)
            return rc; /* the caller truncates: every new device is dropped */
    }
    /* Equal identifiers are neighbours now: the later line of each pair repeats. */
    size_t first = SIZE_MAX;
    for (size_t i = keep + 1; i < s->count; i++) {
        if (id_cmp(s, (uint32_t)(i - 1), (uint32_t)i) == 0) {
            uint32_t a = ld->line[i - 1 - keep], b = ld->line[i - keep];
            size_t later = a > b ? a : b;
            first = later < first ? later : first;
        }
    }
    for (size_t i = keep; keep && i < s->count; i++) {
        size_t len;
        const uint8_t *id = dev_id(s, i, &len);
        if (find(s, id, len) != NO_DEV && ld->line[i - keep] < first) /* the index holds the old devices */
            first = ld->line[i - keep];
    }
    if (first != SIZE_MAX) {
        *dup_line = first;
        return AIOTSEC_E_DUPLICATE;
    }
    return AIOTSEC_OK;
}

/* Merges the old sorted order[0, keep) with the new (sorted) devices keep..count-1. */
static int merge_order(aiotsec_memstore *s, size_t keep)
{
    if (keep == 0 || keep == s->count)
        return AIOTSEC_OK; /* order[i] = i already (or nothing new) */
    if (s->order_id && id_cmp(s, (uint32_t)(keep - 1), (uint32_t)keep) < 0)
        return AIOTSEC_OK; /* the new devices all sort after the old ones: still in order */
    int rc = materialize_order(s);
    if (rc != AIOTSEC_OK)
        return rc;
    for (size_t i = keep; i < s->count; i++)
        s->order[i] = (uint32_t)i; /* appended while the order was implicit */
    uint32_t *m = malloc(s->count * sizeof *m);
    if (!m)
        return AIOTSEC_E_NO_MEMORY;
    size_t i = 0, j = keep, o = 0;
    while (i < keep && j < s->count)
        m[o++] = id_cmp(s, (uint32_t)j, s->order[i]) < 0 ? (uint32_t)j++ : s->order[i++];
    while (i < keep)
        m[o++] = s->order[i++];
    while (j < s->count)
        m[o++] = (uint32_t)j++;
    memcpy(s->order, m, s->count * sizeof *m);
    free(m);
    return AIOTSEC_OK;
}

/* Lines of a text (an upper bound on its devices), to size the arrays once. */
static size_t count_lines(const char *text, size_t len)
{
    size_t n = 0;
    for (const char *p = text, *end = text + len; p < end; n++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            return n + 1;
        p = nl + 1;
    }
    return n;
}

/* Lines of a regular file; 0 (unknown: the arrays grow as they go) for anything
 * else, a FIFO above all, which a counting pass would empty before the load. */
static size_t count_file_lines(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    char buf[1 << 16]; /* key text: wiped below */
    size_t n = 0, got;
    while ((got = fread(buf, 1, sizeof buf, f)) > 0)
        for (const char *p = buf; (p = memchr(p, '\n', (size_t)(buf + got - p))) != NULL; p++)
            n++;
    (void)fclose(f);
    aiotsec_wipe(buf, sizeof buf);
    return n + 1;
}

/* Room for `more` devices at once: arrays sized once, not doubled. */
static void presize(aiotsec_memstore *s, loader *ld, size_t more)
{
    if (more == 0 || more > UINT32_MAX / 2)
        return; /* unknown, or the load fails on its own limits */
    (void)reserve(s, s->count + more); /* best effort: the appends grow what this could not */
    if (resize((void **)&ld->line, 0, more, sizeof *ld->line, 0) == AIOTSEC_OK)
        ld->cap = more;
}

typedef int (*reader_fn)(loader *ld, const void *src, size_t len, size_t *err_line);

static int read_buffer(loader *ld, const void *src, size_t len, size_t *err_line)
{
    presize(ld->s, ld, count_lines(src, len));
    return aiotsec_keyfile_read_buffer(src, len, add_line, ld, err_line);
}

static int read_file(loader *ld, const void *src, size_t len, size_t *err_line)
{
    (void)len;
    presize(ld->s, ld, count_file_lines(src));
    return aiotsec_keyfile_read_file(src, add_line, ld, err_line);
}

/* A load appends, then places, checks and indexes the new devices at once; on
 * any failure the store is as before. The first offending line wins: a
 * duplicate on a line before the one the reader stopped at is reported as such. */
static int load(aiotsec_memstore *s, reader_fn reader, const void *src, size_t len, size_t *err_line)
{
    if (err_line)
        *err_line = 0;
    if (!s || (!src && len))
        return AIOTSEC_E_NULL_ARG;
    if (!src)
        return reader == read_file ? AIOTSEC_E_NULL_ARG : AIOTSEC_OK;
    size_t keep = s->count, arena_keep = s->arena_len, line = 0, dup_line = 0;
    loader ld = {s, keep, NULL, 0};
    int rc = reader(&ld, src, len, &line);
    int placed = place_loaded(s, &ld, &dup_line);
    if (placed == AIOTSEC_E_DUPLICATE && (rc == AIOTSEC_OK || dup_line < line)) {
        rc = placed;
        line = dup_line;
    } else if (rc == AIOTSEC_OK) {
        rc = placed;
    }
    if (rc == AIOTSEC_OK)
        rc = merge_order(s, keep);
    if (rc == AIOTSEC_OK && aiot_hix_fits(&s->by_perm, s->count)) {
        index_range(s, keep, s->count);
    } else if (rc == AIOTSEC_OK) {
        aiot_hix nix = {0}; /* sized once for the whole store */
        if ((rc = aiot_hix_init(&nix, s->count)) == AIOTSEC_OK) {
            aiot_hix_free(&s->by_perm);
            s->by_perm = nix;
            index_range(s, 0, s->count);
        }
    }
    free(ld.line);
    if (rc != AIOTSEC_OK) {
        truncate_to(s, keep, arena_keep); /* all or nothing; order[0, keep) is still the old sort */
        if (err_line)
            *err_line = line;
    }
    return rc;
}

int aiotsec_memstore_load_buffer(aiotsec_memstore *s, const char *text, size_t len, size_t *err_line)
{
    return load(s, read_buffer, text, len, err_line);
}

int aiotsec_memstore_load_file(aiotsec_memstore *s, const char *path, size_t *err_line)
{
    return load(s, read_file, path, 0, err_line);
}

size_t aiotsec_memstore_count(const aiotsec_memstore *s)
{
    return s ? s->count : 0;
}

int aiotsec_memstore_device_at(const aiotsec_memstore *s, size_t index, const uint8_t **perm_id,
                               size_t *perm_id_len)
{
    if (!s || !perm_id || !perm_id_len)
        return AIOTSEC_E_NULL_ARG;
    if (index >= s->count)
        return AIOTSEC_E_BAD_VALUE;
    *perm_id = dev_id(s, index, perm_id_len);
    return AIOTSEC_OK;
}

/* --- the ADM's direct path (memstore_internal.h) ---------------------------------- */

const aiotsec_prepared_key *aiot_memstore_key(const aiotsec_memstore *s, uint32_t dev, aiotsec_prepared_key *view)
{
    if (!s->compact)
        return s->prep[dev];
    *view = aiot_prepared_view(s->ctx, s->lines + (size_t)dev * LINE);
    return view;
}

uint32_t aiot_memstore_find(const aiotsec_memstore *s, const uint8_t *perm_id, size_t perm_id_len)
{
    return find(s, perm_id, perm_id_len);
}

/* Look-ups as a software pipeline over groups of FIND_GROUP: at each step,
 * group k is hashed (its home slots requested), group k-1 reads its slots (its
 * arena records requested) and group k-2 confirms its identifiers (its key
 * lines requested, for the derivations that follow). Each load is issued a few
 * hundred nanoseconds before it is needed, so the cache misses of a batch
 * overlap instead of following one another. */
#define PIPE 3u

typedef struct find_pipe {
    const aiotsec_memstore *s;
    const uint8_t *const *ids;
    const size_t *lens;
    uint32_t *devs; /* record offsets between the slot and the confirmation stages */
    uint64_t h[PIPE][FIND_GROUP];
} find_pipe;

static int id_len_ok(size_t len)
{
    return len && len <= AIOTSEC_ID_MAX;
}

static void stage_hash(find_pipe *f, size_t b, size_t g, uint64_t *h)
{
    const aiotsec_memstore *s = f->s;
    for (size_t j = 0; j < g; j++) {
        h[j] = id_len_ok(f->lens[b + j]) ? hash_id(s, f->ids[b + j], f->lens[b + j]) : 0;
        __builtin_prefetch(&s->by_perm.tab[h[j] & s->by_perm.mask]);
    }
}

static void stage_slot(find_pipe *f, size_t b, size_t g, const uint64_t *h)
{
    const aiotsec_memstore *s = f->s;
    const uint64_t *tab = s->by_perm.tab;
    const size_t mask = s->by_perm.mask;
    for (size_t j = 0; j < g; j++) {
        uint32_t off = NO_DEV;
        if (id_len_ok(f->lens[b + j])) {
            for (size_t i = h[j] & mask; tab[i]; i = (i + 1) & mask) {
                if (aiot_hix_tag_ok(tab[i], h[j])) {
                    off = aiot_hix_rec(tab[i]);
                    const uint8_t *rec = s->arena + off;
                    __builtin_prefetch(rec);
                    __builtin_prefetch(rec + f->lens[b + j] + 4); /* a record across two lines */
                    break;
                }
            }
        }
        f->devs[b + j] = off;
    }
}

static void stage_check(find_pipe *f, size_t b, size_t g, const uint64_t *h)
{
    const aiotsec_memstore *s = f->s;
    for (size_t j = 0; j < g; j++) {
        uint32_t off = f->devs[b + j], d = NO_DEV;
        if (off != NO_DEV) {
            const uint8_t *rec = s->arena + off;
            d = rec_is(rec, f->ids[b + j], f->lens[b + j]) ? rec_dev(rec)
                                                          : find_hashed(s, f->ids[b + j], f->lens[b + j], h[j]);
            if (d != NO_DEV && s->compact)
                __builtin_prefetch(s->lines + (size_t)d * LINE);
        }
        f->devs[b + j] = d;
    }
}

void aiot_memstore_find_batch(const aiotsec_memstore *s, const uint8_t *const *ids, const size_t *lens, size_t n,
                              uint32_t *devs)
{
    find_pipe f;
    f.s = s;
    f.ids = ids;
    f.lens = lens;
    f.devs = devs;
    size_t groups = (n + FIND_GROUP - 1) / FIND_GROUP;
    for (size_t k = 0; k < groups + PIPE - 1; k++) {
        /* Stage i works on group k - i (when there is one), the oldest group first. */
        for (size_t i = PIPE; i-- > 0;) {
            if (k < i || k - i >= groups)
                continue;
            size_t grp = k - i, b = grp * FIND_GROUP, g = n - b < FIND_GROUP ? n - b : FIND_GROUP;
            uint64_t *h = f.h[grp % PIPE];
            if (i == 0)
                stage_hash(&f, b, g, h);
            else if (i == 1)
                stage_slot(&f, b, g, h);
            else
                stage_check(&f, b, g, h);
        }
    }
}

/* --- the key-store table over a memstore ------------------------------------- */

static int ms_by_perm(void *user, const uint8_t *perm_id, size_t perm_id_len, uint8_t *k_root,
                      size_t *k_root_len)
{
    const aiotsec_memstore *s = user;
    uint32_t n = find(s, perm_id, perm_id_len);
    if (n == NO_DEV)
        return AIOTSEC_E_UNKNOWN_DEVICE;
    const uint8_t *r = s->raw + (size_t)n * RAW;
    memcpy(k_root, r + 1, r[0]);
    *k_root_len = r[0];
    return AIOTSEC_OK;
}

static int ms_mac(void *user, const uint8_t *perm_id, size_t perm_id_len, const uint8_t *msg, size_t msg_len,
                  uint8_t mac[32])
{
    const aiotsec_memstore *s = user;
    uint32_t n = find(s, perm_id, perm_id_len);
    if (n == NO_DEV)
        return AIOTSEC_E_UNKNOWN_DEVICE;
    aiotsec_prepared_key view;
    return aiot_prepared_hmac(aiot_memstore_key(s, n, &view), msg, msg_len, mac);
}

static int ms_prep_by_perm(void *user, const uint8_t *perm_id, size_t perm_id_len,
                           const aiotsec_prepared_key **key)
{
    const aiotsec_memstore *s = user;
    uint32_t n = find(s, perm_id, perm_id_len);
    if (n == NO_DEV)
        return AIOTSEC_E_UNKNOWN_DEVICE;
    *key = s->prep[n];
    return AIOTSEC_OK;
}

/* Order of the i-th sorted device relative to the filter's range (-1, 0, 1). */
static int order_at(const aiotsec_memstore *s, const uint8_t *filter, size_t filter_len, size_t i)
{
    size_t len;
    const uint8_t *id = dev_id(s, ord(s, i), &len);
    int order = 0;
    (void)aiotsec_filter_compare(&s->ctx->profile, filter, filter_len, id, len, &order);
    return order;
}

/* First sorted position whose order is >= `at_least` (binary search: the order is monotone). */
static size_t bound(const aiotsec_memstore *s, const uint8_t *filter, size_t filter_len, int at_least)
{
    size_t lo = 0, hi = s->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (order_at(s, filter, filter_len, mid) < at_least)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

void aiot_memstore_range(const aiotsec_memstore *s, const uint8_t *filter, size_t filter_len, size_t *first,
                         size_t *end)
{
    *first = bound(s, filter, filter_len, 0);
    *end = bound(s, filter, filter_len, 1);
}

uint32_t aiot_memstore_at(const aiotsec_memstore *s, size_t pos)
{
    return ord(s, pos);
}

const uint8_t *aiot_memstore_id(const aiotsec_memstore *s, uint32_t dev, size_t *len)
{
    return dev_id(s, dev, len);
}

const void *aiot_memstore_line(const aiotsec_memstore *s, uint32_t dev)
{
    return s->lines + (size_t)dev * LINE;
}

#define MS_PAGE 256

static int ms_list_matching(void *user, const uint8_t *filter, size_t filter_len, aiotsec_ks_page_fn page,
                            void *arg)
{
    const aiotsec_memstore *s = user;
    int rc = aiotsec_filter_check(&s->ctx->profile, filter, filter_len);
    if (rc != AIOTSEC_OK)
        return rc;
    size_t first = bound(s, filter, filter_len, 0), end = bound(s, filter, filter_len, 1);
    aiotsec_ks_entry e[MS_PAGE];
    aiotsec_prepared_key views[MS_PAGE]; /* the compact keys' views, valid for the page call */
    for (size_t i = first; i < end; i += MS_PAGE) {
        size_t n = end - i < MS_PAGE ? end - i : MS_PAGE;
        for (size_t j = 0; j < n; j++) {
            uint32_t d = ord(s, i + j);
            e[j].perm_id = dev_id(s, d, &e[j].perm_id_len);
            e[j].key = aiot_memstore_key(s, d, &views[j]);
        }
        if ((rc = page(arg, e, n)) != 0)
            return rc;
    }
    return AIOTSEC_OK;
}

static int ms_tid_update(void *user, const uint8_t *perm_id, size_t perm_id_len, int resync,
                         const uint8_t fresh[AIOTSEC_TID_LEN], uint8_t tid[AIOTSEC_TID_LEN],
                         uint8_t prev[AIOTSEC_TID_LEN], int *has_prev)
{
    aiotsec_memstore *s = user; /* the T-ID array is the one thing this table writes, under the lock */
    uint32_t n = find(s, perm_id, perm_id_len);
    if (n == NO_DEV)
        return AIOTSEC_E_UNKNOWN_DEVICE;
    int rc = AIOTSEC_OK;
    pthread_mutex_lock(&s->tid_lock);
    if (!s->tids) {
        s->tids = calloc(s->cap ? s->cap : 1, sizeof *s->tids);
        s->tid_cap = s->cap ? s->cap : 1;
        if (!s->tids)
            rc = AIOTSEC_E_NO_MEMORY;
    }
    if (rc == AIOTSEC_OK) {
        ks_tid *t = &s->tids[n];
        if (!resync || !t->has) {
            if (t->has) {
                memcpy(t->prev, t->tid, sizeof t->prev);
                t->has_prev = 1;
            }
            memcpy(t->tid, fresh, sizeof t->tid);
            t->has = 1;
        }
        memcpy(tid, t->tid, AIOTSEC_TID_LEN);
        *has_prev = t->has_prev;
        if (t->has_prev)
            memcpy(prev, t->prev, AIOTSEC_TID_LEN);
    }
    pthread_mutex_unlock(&s->tid_lock);
    return rc;
}

int aiotsec_memstore_keystore(const aiotsec_memstore *s, aiotsec_keystore *out)
{
    if (!s || !out)
        return AIOTSEC_E_NULL_ARG;
    memset(out, 0, sizeof *out);
    out->struct_size = (uint32_t)sizeof *out;
    out->user = (void *)(uintptr_t)s; /* the look-ups only read; T-IDs are locked */
    out->by_perm_id = s->raw ? ms_by_perm : NULL;
    out->mac_by_perm_id = ms_mac;
    /* Compact keys are handed out as views, which need the caller's storage:
     * only listings (views on the listing's stack) and the ADM's direct path do. */
    out->prepared_by_perm_id = s->compact ? NULL : ms_prep_by_perm;
    out->list_matching = ms_list_matching;
    out->tid_update = ms_tid_update;
    return AIOTSEC_OK;
}

const aiotsec_memstore *aiot_memstore_of(const aiotsec_keystore *ks)
{
    return ks->list_matching == ms_list_matching ? ks->user : NULL;
}

size_t aiotsec_keystore_id_maxbytes(void)
{
    return AIOTSEC_ID_MAX;
}

size_t aiotsec_keystore_structbytes(void)
{
    return sizeof(aiotsec_keystore);
}
