/* The in-memory key store: a device array, a byte arena for the Permanent
 * Identifiers, a keyed-SipHash index by Permanent Identifier (exact look-ups),
 * and the device numbers sorted by Permanent Identifier (filters: a range found
 * by two binary searches, then read in order). Each device also holds a
 * prepared K_AIOT_root so the ADM's XRES_AIOT costs two SHA-256 compressions.
 * T-IDs (getTid) are the only thing the key-store table writes: they live in
 * their own array, behind a lock. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "aiotsec/filter.h"
#include "aiotsec/keystore.h"
#include "roles/hindex.h"
#include "roles/roles_internal.h"

typedef struct ks_dev {
    size_t off;                 /* arena offset of the Permanent Identifier */
    aiotsec_prepared_key *prep; /* fast path for the ADM */
    uint8_t perm_len, key_len;
    uint8_t key[AIOTSEC_KROOT_MAX];
} ks_dev;

typedef struct ks_tid {
    uint8_t has, has_prev;
    uint8_t tid[AIOTSEC_TID_LEN], prev[AIOTSEC_TID_LEN];
} ks_tid;

struct aiotsec_memstore {
    const aiotsec_ctx *ctx;
    uint8_t hash_key[16];
    ks_dev *dev;
    size_t count, cap;
    uint8_t *arena;
    size_t arena_len, arena_cap;
    aiot_hix by_perm;  /* device numbers by Permanent Identifier */
    uint32_t *order;   /* device numbers in Permanent Identifier order (capacity cap) */
    pthread_mutex_t tid_lock;
    ks_tid *tids;      /* NULL until the first getTid; then count entries (capacity tid_cap) */
    size_t tid_cap;
};

static const uint8_t *dev_perm(const aiotsec_memstore *s, const ks_dev *d)
{
    return s->arena + d->off;
}

static uint64_t hash_perm(const aiotsec_memstore *s, const uint8_t *id, size_t len)
{
    return aiot_siphash24(s->hash_key, id, len);
}

typedef struct probe {
    const aiotsec_memstore *s;
    const uint8_t *id;
    size_t len;
} probe;

static int perm_eq(const void *arg, uint32_t n)
{
    const probe *p = arg;
    const ks_dev *d = &p->s->dev[n];
    return d->perm_len == p->len && memcmp(dev_perm(p->s, d), p->id, p->len) == 0;
}

/* Device number with that Permanent Identifier, or SIZE_MAX. */
static size_t find(const aiotsec_memstore *s, const uint8_t *id, size_t len)
{
    if (len == 0 || len > AIOTSEC_ID_MAX)
        return SIZE_MAX;
    probe p = {s, id, len};
    size_t pos = aiot_hix_find(&s->by_perm, hash_perm(s, id, len), perm_eq, &p);
    return pos == SIZE_MAX ? SIZE_MAX : aiot_hix_at(&s->by_perm, pos);
}

static void index_dev(aiotsec_memstore *s, size_t n)
{
    const ks_dev *d = &s->dev[n];
    aiot_hix_insert(&s->by_perm, hash_perm(s, dev_perm(s, d), d->perm_len), (uint32_t)n);
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
static int perm_cmp(const aiotsec_memstore *s, uint32_t a, uint32_t b)
{
    const ks_dev *da = &s->dev[a], *db = &s->dev[b];
    size_t la = da->perm_len, lb = db->perm_len;
    int c = memcmp(dev_perm(s, da), dev_perm(s, db), la < lb ? la : lb);
    return c ? c : (la > lb) - (la < lb);
}

/* Bottom-up merge sort of s->order[0, n) (stable, O(n log n), qsort has no context argument). */
static int sort_order(aiotsec_memstore *s, size_t n)
{
    if (n < 2)
        return AIOTSEC_OK;
    uint32_t *tmp = malloc(n * sizeof *tmp);
    if (!tmp)
        return AIOTSEC_E_NO_MEMORY;
    uint32_t *src = s->order, *dst = tmp;
    for (size_t w = 1; w < n; w *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * w) {
            size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                dst[k++] = perm_cmp(s, src[j], src[i]) < 0 ? src[j++] : src[i++];
            while (i < mid)
                dst[k++] = src[i++];
            while (j < hi)
                dst[k++] = src[j++];
        }
        uint32_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != s->order)
        memcpy(s->order, src, n * sizeof *src);
    free(tmp);
    return AIOTSEC_OK;
}

int aiotsec_memstore_new(aiotsec_memstore **out, const aiotsec_ctx *ctx, size_t expected)
{
    if (!out || !ctx)
        return AIOTSEC_E_NULL_ARG;
    *out = NULL;
    if (expected >= UINT32_MAX)
        return AIOTSEC_E_LIMIT;
    aiotsec_memstore *s = calloc(1, sizeof *s);
    if (!s)
        return AIOTSEC_E_NO_MEMORY;
    s->ctx = ctx;
    if (pthread_mutex_init(&s->tid_lock, NULL) != 0) {
        free(s);
        return AIOTSEC_E_NO_MEMORY;
    }
    /* A random hash key per store: collisions cannot be precomputed. */
    int rc = aiotsec_random(ctx, s->hash_key, sizeof s->hash_key);
    if (rc == AIOTSEC_OK)
        rc = aiot_hix_init(&s->by_perm, expected);
    if (rc == AIOTSEC_OK && expected) {
        s->dev = calloc(expected, sizeof *s->dev);
        s->order = calloc(expected, sizeof *s->order);
        s->cap = expected;
        if (!s->dev || !s->order)
            rc = AIOTSEC_E_NO_MEMORY;
    }
    if (rc != AIOTSEC_OK) {
        aiotsec_memstore_free(s);
        return rc;
    }
    *out = s;
    return AIOTSEC_OK;
}

/* Drops devices from number `keep` on (wiping them), in a store whose order
 * array holds the first `keep` devices sorted, then the dropped ones. */
static void truncate_to(aiotsec_memstore *s, size_t keep, size_t arena_keep)
{
    for (size_t n = keep; n < s->count; n++) {
        aiotsec_prepared_key_free(s->dev[n].prep);
        aiotsec_wipe(&s->dev[n], sizeof s->dev[n]);
    }
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
    for (size_t n = 0; n < s->count; n++)
        aiotsec_prepared_key_free(s->dev[n].prep);
    if (s->dev)
        aiotsec_wipe(s->dev, s->count * sizeof *s->dev);
    if (s->tids)
        aiotsec_wipe(s->tids, s->tid_cap * sizeof *s->tids);
    free(s->dev);
    free(s->order);
    free(s->tids);
    free(s->arena);
    aiot_hix_free(&s->by_perm);
    pthread_mutex_destroy(&s->tid_lock);
    aiotsec_wipe(s, sizeof *s);
    free(s);
}

/* Grows an array to hold `need` elements (doubling). The old block is wiped
 * before it is freed: the device array holds raw keys, which must not be left
 * behind in released heap (realloc would not wipe them). */
static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return AIOTSEC_OK;
    size_t n = *cap ? *cap : 64;
    while (n < need)
        n *= 2;
    if (n > SIZE_MAX / elem)
        return AIOTSEC_E_LIMIT;
    void *q = malloc(n * elem);
    if (!q)
        return AIOTSEC_E_NO_MEMORY;
    if (*p) {
        memcpy(q, *p, *cap * elem);
        aiotsec_wipe(*p, *cap * elem);
        free(*p);
    }
    *p = q;
    *cap = n;
    return AIOTSEC_OK;
}

/* Adds one device; when `sorted` the order array stays sorted (insertion),
 * otherwise the device number is appended and the caller sorts later. */
static int add_device(aiotsec_memstore *s, const uint8_t *perm_id, size_t perm_id_len, const uint8_t *k_root,
                      size_t k_root_len, int sorted)
{
    if (!s || !perm_id || !k_root)
        return AIOTSEC_E_NULL_ARG;
    if (perm_id_len == 0 || perm_id_len > AIOTSEC_ID_MAX || (k_root_len != 16 && k_root_len != 32))
        return AIOTSEC_E_BAD_LENGTH;
    if (find(s, perm_id, perm_id_len) != SIZE_MAX)
        return AIOTSEC_E_DUPLICATE;
    if (s->count >= UINT32_MAX - 1)
        return AIOTSEC_E_LIMIT;
    size_t dev_cap = s->cap, order_cap = s->cap;
    int rc = grow((void **)&s->dev, &dev_cap, s->count + 1, sizeof *s->dev);
    if (rc == AIOTSEC_OK)
        rc = grow((void **)&s->order, &order_cap, s->count + 1, sizeof *s->order);
    if (rc == AIOTSEC_OK)
        s->cap = dev_cap < order_cap ? dev_cap : order_cap;
    if (rc == AIOTSEC_OK && s->tids)
        rc = grow((void **)&s->tids, &s->tid_cap, s->count + 1, sizeof *s->tids);
    if (rc == AIOTSEC_OK)
        rc = grow((void **)&s->arena, &s->arena_cap, s->arena_len + perm_id_len, 1);
    if (rc == AIOTSEC_OK && !aiot_hix_fits(&s->by_perm, s->count + 1))
        rc = rebuild_index(s, 2 * (s->count + 1));
    aiotsec_prepared_key *prep = NULL;
    if (rc == AIOTSEC_OK)
        rc = aiotsec_prepared_key_new(&prep, s->ctx, k_root, k_root_len);
    if (rc != AIOTSEC_OK)
        return rc;
    size_t n = s->count;
    ks_dev *d = &s->dev[n];
    memset(d, 0, sizeof *d);
    d->off = s->arena_len;
    d->prep = prep;
    d->perm_len = (uint8_t)perm_id_len;
    d->key_len = (uint8_t)k_root_len;
    memcpy(d->key, k_root, k_root_len);
    memcpy(s->arena + s->arena_len, perm_id, perm_id_len);
    s->arena_len += perm_id_len;
    if (s->tids)
        memset(&s->tids[n], 0, sizeof s->tids[n]);
    index_dev(s, n);
    size_t at = n;
    if (sorted) {
        /* First position whose identifier sorts after the new one. */
        size_t lo = 0, hi = n;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (perm_cmp(s, s->order[mid], (uint32_t)n) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        at = lo;
        memmove(s->order + at + 1, s->order + at, (n - at) * sizeof *s->order);
    }
    s->order[at] = (uint32_t)n;
    s->count++;
    return AIOTSEC_OK;
}

int aiotsec_memstore_add(aiotsec_memstore *s, const uint8_t *perm_id, size_t perm_id_len,
                         const uint8_t *k_root, size_t k_root_len)
{
    return add_device(s, perm_id, perm_id_len, k_root, k_root_len, 1);
}

static int add_line(void *user, size_t line, const uint8_t *perm_id, size_t perm_id_len,
                    const uint8_t *k_root, size_t k_root_len)
{
    (void)line;
    return add_device(user, perm_id, perm_id_len, k_root, k_root_len, 0);
}

typedef int (*reader_fn)(aiotsec_memstore *s, const void *src, size_t len, size_t *err_line);

static int read_buffer(aiotsec_memstore *s, const void *src, size_t len, size_t *err_line)
{
    return aiotsec_keyfile_read_buffer(src, len, add_line, s, err_line);
}

static int read_file(aiotsec_memstore *s, const void *src, size_t len, size_t *err_line)
{
    (void)len;
    return aiotsec_keyfile_read_file(src, add_line, s, err_line);
}

/* A load appends unsorted, then sorts once; on any failure the store is as before. */
static int load(aiotsec_memstore *s, reader_fn reader, const void *src, size_t len, size_t *err_line)
{
    if (err_line)
        *err_line = 0;
    if (!s)
        return AIOTSEC_E_NULL_ARG;
    size_t keep = s->count, arena_keep = s->arena_len;
    int rc = reader(s, src, len, err_line);
    if (rc == AIOTSEC_OK)
        rc = sort_order(s, s->count);
    if (rc != AIOTSEC_OK)
        truncate_to(s, keep, arena_keep); /* all or nothing; order[0, keep) is still the old sort */
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
    *perm_id = dev_perm(s, &s->dev[index]);
    *perm_id_len = s->dev[index].perm_len;
    return AIOTSEC_OK;
}

/* --- the key-store table over a memstore ------------------------------------- */

static int ms_by_perm(void *user, const uint8_t *perm_id, size_t perm_id_len, uint8_t *k_root,
                      size_t *k_root_len)
{
    const aiotsec_memstore *s = user;
    size_t n = find(s, perm_id, perm_id_len);
    if (n == SIZE_MAX)
        return AIOTSEC_E_UNKNOWN_DEVICE;
    memcpy(k_root, s->dev[n].key, s->dev[n].key_len);
    *k_root_len = s->dev[n].key_len;
    return AIOTSEC_OK;
}

static int ms_prep_by_perm(void *user, const uint8_t *perm_id, size_t perm_id_len,
                           const aiotsec_prepared_key **key)
{
    const aiotsec_memstore *s = user;
    size_t n = find(s, perm_id, perm_id_len);
    if (n == SIZE_MAX)
        return AIOTSEC_E_UNKNOWN_DEVICE;
    *key = s->dev[n].prep;
    return AIOTSEC_OK;
}

/* Order of the i-th sorted device relative to the filter's range (-1, 0, 1). */
static int order_at(const aiotsec_memstore *s, const uint8_t *filter, size_t filter_len, size_t i)
{
    const ks_dev *d = &s->dev[s->order[i]];
    int order = 0;
    (void)aiotsec_filter_compare(&s->ctx->profile, filter, filter_len, dev_perm(s, d), d->perm_len, &order);
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
    for (size_t i = first; i < end; i += MS_PAGE) {
        size_t n = end - i < MS_PAGE ? end - i : MS_PAGE;
        for (size_t j = 0; j < n; j++) {
            const ks_dev *d = &s->dev[s->order[i + j]];
            e[j].perm_id = dev_perm(s, d);
            e[j].perm_id_len = d->perm_len;
            e[j].key = d->prep;
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
    size_t n = find(s, perm_id, perm_id_len);
    if (n == SIZE_MAX)
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
    out->by_perm_id = ms_by_perm;
    out->prepared_by_perm_id = ms_prep_by_perm;
    out->list_matching = ms_list_matching;
    out->tid_update = ms_tid_update;
    return AIOTSEC_OK;
}

size_t aiotsec_id_max_len(void)
{
    return AIOTSEC_ID_MAX;
}

size_t aiotsec_keystore_struct_size(void)
{
    return sizeof(aiotsec_keystore);
}
