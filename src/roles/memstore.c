/* The in-memory key store: a device array, a byte arena for the identifiers,
 * and two open-addressing hash indexes (by identification information and by
 * Permanent Identifier) of 32-bit device numbers under a keyed SipHash.
 * Each device also holds a prepared K_AIOT_root so the ADM's XRES_AIOT costs
 * two SHA-256 compressions. Per device: ~56 octets of record, the identifiers,
 * the prepared key and 8 octets of index at load factor <= 1/2. */
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "aiotsec/keystore.h"
#include "roles/roles_internal.h"

typedef struct ks_dev {
    size_t off;                   /* arena offset: ident then perm_id */
    aiotsec_prepared_key *prep;   /* fast path for the ADM */
    uint8_t ident_len, perm_len, key_len;
    uint8_t key[AIOTSEC_KROOT_MAX];
} ks_dev;

struct aiotsec_memstore {
    const aiotsec_ctx *ctx;
    uint8_t hash_key[16];
    ks_dev *dev;
    size_t count, cap;
    uint8_t *arena;
    size_t arena_len, arena_cap;
    uint32_t *by_ident, *by_perm; /* device number + 1; 0 = empty slot */
    size_t slots;                 /* power of two */
};

enum { IX_IDENT = 0, IX_PERM = 1 };

static const uint8_t *dev_ident(const aiotsec_memstore *s, const ks_dev *d)
{
    return s->arena + d->off;
}

static const uint8_t *dev_perm(const aiotsec_memstore *s, const ks_dev *d)
{
    return s->arena + d->off + d->ident_len;
}

static size_t slot_of(const aiotsec_memstore *s, const uint8_t *id, size_t len)
{
    return (size_t)aiot_siphash24(s->hash_key, id, len) & (s->slots - 1);
}

/* Device number of the entry with that identifier in index `which`, or SIZE_MAX. */
static size_t find(const aiotsec_memstore *s, int which, const uint8_t *id, size_t len)
{
    const uint32_t *ix = which == IX_IDENT ? s->by_ident : s->by_perm;
    if (!ix || len == 0 || len > AIOTSEC_ID_MAX)
        return SIZE_MAX;
    for (size_t i = slot_of(s, id, len);; i = (i + 1) & (s->slots - 1)) {
        uint32_t e = ix[i];
        if (!e)
            return SIZE_MAX;
        const ks_dev *d = &s->dev[e - 1];
        const uint8_t *cand = which == IX_IDENT ? dev_ident(s, d) : dev_perm(s, d);
        size_t clen = which == IX_IDENT ? d->ident_len : d->perm_len;
        if (clen == len && memcmp(cand, id, len) == 0)
            return e - 1;
    }
}

static void insert(aiotsec_memstore *s, int which, size_t n)
{
    uint32_t *ix = which == IX_IDENT ? s->by_ident : s->by_perm;
    const ks_dev *d = &s->dev[n];
    size_t i = which == IX_IDENT ? slot_of(s, dev_ident(s, d), d->ident_len)
                                 : slot_of(s, dev_perm(s, d), d->perm_len);
    while (ix[i])
        i = (i + 1) & (s->slots - 1);
    ix[i] = (uint32_t)(n + 1);
}

/* Rebuilds both indexes with `slots` slots from the first s->count devices. */
static int rebuild(aiotsec_memstore *s, size_t slots)
{
    uint32_t *a = calloc(slots, sizeof *a), *b = calloc(slots, sizeof *b);
    if (!a || !b) {
        free(a);
        free(b);
        return AIOTSEC_E_NO_MEMORY;
    }
    free(s->by_ident);
    free(s->by_perm);
    s->by_ident = a;
    s->by_perm = b;
    s->slots = slots;
    for (size_t n = 0; n < s->count; n++) {
        insert(s, IX_IDENT, n);
        insert(s, IX_PERM, n);
    }
    return AIOTSEC_OK;
}

int aiotsec_memstore_new(aiotsec_memstore **out, const aiotsec_ctx *ctx, size_t expected)
{
    if (!out || !ctx)
        return AIOTSEC_E_NULL_ARG;
    *out = NULL;
    if (expected >= UINT32_MAX)
        return AIOTSEC_E_LIMIT;
    size_t slots = aiot_index_slots_for(expected);
    if (!slots)
        return AIOTSEC_E_LIMIT;
    aiotsec_memstore *s = calloc(1, sizeof *s);
    if (!s)
        return AIOTSEC_E_NO_MEMORY;
    s->ctx = ctx;
    /* A random hash key per store: collisions cannot be precomputed. */
    int rc = aiotsec_random(ctx, s->hash_key, sizeof s->hash_key);
    if (rc == AIOTSEC_OK)
        rc = rebuild(s, slots);
    if (rc == AIOTSEC_OK && expected) {
        s->dev = malloc(expected * sizeof *s->dev);
        s->cap = expected;
        if (!s->dev)
            rc = AIOTSEC_E_NO_MEMORY;
    }
    if (rc != AIOTSEC_OK) {
        aiotsec_memstore_free(s);
        return rc;
    }
    *out = s;
    return AIOTSEC_OK;
}

/* Drops devices from number `keep` on (wiping them) and rebuilds the indexes. */
static void truncate_to(aiotsec_memstore *s, size_t keep, size_t arena_keep)
{
    for (size_t n = keep; n < s->count; n++) {
        aiotsec_prepared_key_free(s->dev[n].prep);
        aiotsec_wipe(&s->dev[n], sizeof s->dev[n]);
    }
    s->count = keep;
    s->arena_len = arena_keep;
    /* Same slot count: cannot fail for lack of a bigger table, only of memory;
     * on that rare failure the indexes are cleared by hand instead. */
    if (rebuild(s, s->slots) != AIOTSEC_OK) {
        memset(s->by_ident, 0, s->slots * sizeof *s->by_ident);
        memset(s->by_perm, 0, s->slots * sizeof *s->by_perm);
        for (size_t n = 0; n < s->count; n++) {
            insert(s, IX_IDENT, n);
            insert(s, IX_PERM, n);
        }
    }
}

void aiotsec_memstore_free(aiotsec_memstore *s)
{
    if (!s)
        return;
    for (size_t n = 0; n < s->count; n++)
        aiotsec_prepared_key_free(s->dev[n].prep);
    if (s->dev)
        aiotsec_wipe(s->dev, s->count * sizeof *s->dev);
    free(s->dev);
    free(s->arena);
    free(s->by_ident);
    free(s->by_perm);
    aiotsec_wipe(s, sizeof *s);
    free(s);
}

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return AIOTSEC_OK;
    size_t n = *cap ? *cap : 64;
    while (n < need)
        n *= 2;
    if (n > SIZE_MAX / elem)
        return AIOTSEC_E_LIMIT;
    void *q = realloc(*p, n * elem);
    if (!q)
        return AIOTSEC_E_NO_MEMORY;
    *p = q;
    *cap = n;
    return AIOTSEC_OK;
}

int aiotsec_memstore_add(aiotsec_memstore *s, const uint8_t *ident, size_t ident_len,
                         const uint8_t *perm_id, size_t perm_id_len,
                         const uint8_t *k_root, size_t k_root_len)
{
    if (!s || !ident || !perm_id || !k_root)
        return AIOTSEC_E_NULL_ARG;
    if (ident_len == 0 || ident_len > AIOTSEC_ID_MAX || perm_id_len == 0 ||
        perm_id_len > AIOTSEC_ID_MAX || (k_root_len != 16 && k_root_len != 32))
        return AIOTSEC_E_BAD_LENGTH;
    if (find(s, IX_IDENT, ident, ident_len) != SIZE_MAX ||
        find(s, IX_PERM, perm_id, perm_id_len) != SIZE_MAX)
        return AIOTSEC_E_DUPLICATE;
    if (s->count >= UINT32_MAX - 1)
        return AIOTSEC_E_LIMIT;
    int rc = grow((void **)&s->dev, &s->cap, s->count + 1, sizeof *s->dev);
    if (rc == AIOTSEC_OK)
        rc = grow((void **)&s->arena, &s->arena_cap, s->arena_len + ident_len + perm_id_len, 1);
    if (rc == AIOTSEC_OK && s->slots / 2 < s->count + 1) {
        size_t slots = aiot_index_slots_for(s->count + 1);
        rc = slots ? rebuild(s, slots) : AIOTSEC_E_LIMIT;
    }
    aiotsec_prepared_key *prep = NULL;
    if (rc == AIOTSEC_OK)
        rc = aiotsec_prepared_key_new(&prep, s->ctx, k_root, k_root_len);
    if (rc != AIOTSEC_OK)
        return rc;
    ks_dev *d = &s->dev[s->count];
    memset(d, 0, sizeof *d);
    d->off = s->arena_len;
    d->prep = prep;
    d->ident_len = (uint8_t)ident_len;
    d->perm_len = (uint8_t)perm_id_len;
    d->key_len = (uint8_t)k_root_len;
    memcpy(d->key, k_root, k_root_len);
    memcpy(s->arena + s->arena_len, ident, ident_len);
    memcpy(s->arena + s->arena_len + ident_len, perm_id, perm_id_len);
    s->arena_len += ident_len + perm_id_len;
    insert(s, IX_IDENT, s->count);
    insert(s, IX_PERM, s->count);
    s->count++;
    return AIOTSEC_OK;
}

static int add_line(void *user, size_t line, const uint8_t *ident, size_t ident_len,
                    const uint8_t *perm_id, size_t perm_id_len,
                    const uint8_t *k_root, size_t k_root_len)
{
    (void)line;
    return aiotsec_memstore_add(user, ident, ident_len, perm_id, perm_id_len, k_root, k_root_len);
}

int aiotsec_memstore_load_buffer(aiotsec_memstore *s, const char *text, size_t len, size_t *err_line)
{
    if (err_line)
        *err_line = 0;
    if (!s)
        return AIOTSEC_E_NULL_ARG;
    size_t keep = s->count, arena_keep = s->arena_len;
    int rc = aiotsec_keyfile_read_buffer(text, len, add_line, s, err_line);
    if (rc != AIOTSEC_OK)
        truncate_to(s, keep, arena_keep); /* all or nothing */
    return rc;
}

int aiotsec_memstore_load_file(aiotsec_memstore *s, const char *path, size_t *err_line)
{
    if (err_line)
        *err_line = 0;
    if (!s)
        return AIOTSEC_E_NULL_ARG;
    size_t keep = s->count, arena_keep = s->arena_len;
    int rc = aiotsec_keyfile_read_file(path, add_line, s, err_line);
    if (rc != AIOTSEC_OK)
        truncate_to(s, keep, arena_keep);
    return rc;
}

size_t aiotsec_memstore_count(const aiotsec_memstore *s)
{
    return s ? s->count : 0;
}

int aiotsec_memstore_device_at(const aiotsec_memstore *s, size_t index,
                               const uint8_t **ident, size_t *ident_len,
                               const uint8_t **perm_id, size_t *perm_id_len)
{
    if (!s || !ident || !ident_len)
        return AIOTSEC_E_NULL_ARG;
    if (index >= s->count)
        return AIOTSEC_E_BAD_VALUE;
    const ks_dev *d = &s->dev[index];
    *ident = dev_ident(s, d);
    *ident_len = d->ident_len;
    if (perm_id)
        *perm_id = dev_perm(s, d);
    if (perm_id_len)
        *perm_id_len = d->perm_len;
    return AIOTSEC_OK;
}

/* --- the key-store table over a memstore ------------------------------------- */

static int ms_by_ident(void *user, const uint8_t *ident, size_t ident_len, uint8_t *k_root,
                       size_t *k_root_len, uint8_t *perm_id, size_t *perm_id_len)
{
    const aiotsec_memstore *s = user;
    size_t n = find(s, IX_IDENT, ident, ident_len);
    if (n == SIZE_MAX)
        return AIOTSEC_E_UNKNOWN_DEVICE;
    const ks_dev *d = &s->dev[n];
    memcpy(k_root, d->key, d->key_len);
    *k_root_len = d->key_len;
    memcpy(perm_id, dev_perm(s, d), d->perm_len);
    *perm_id_len = d->perm_len;
    return AIOTSEC_OK;
}

static int ms_by_perm(void *user, const uint8_t *perm_id, size_t perm_id_len, uint8_t *k_root,
                      size_t *k_root_len)
{
    const aiotsec_memstore *s = user;
    size_t n = find(s, IX_PERM, perm_id, perm_id_len);
    if (n == SIZE_MAX)
        return AIOTSEC_E_UNKNOWN_DEVICE;
    memcpy(k_root, s->dev[n].key, s->dev[n].key_len);
    *k_root_len = s->dev[n].key_len;
    return AIOTSEC_OK;
}

static int ms_prep_by_ident(void *user, const uint8_t *ident, size_t ident_len,
                            const aiotsec_prepared_key **key, const uint8_t **perm_id,
                            size_t *perm_id_len)
{
    const aiotsec_memstore *s = user;
    size_t n = find(s, IX_IDENT, ident, ident_len);
    if (n == SIZE_MAX)
        return AIOTSEC_E_UNKNOWN_DEVICE;
    *key = s->dev[n].prep;
    *perm_id = dev_perm(s, &s->dev[n]);
    *perm_id_len = s->dev[n].perm_len;
    return AIOTSEC_OK;
}

static int ms_prep_by_perm(void *user, const uint8_t *perm_id, size_t perm_id_len,
                           const aiotsec_prepared_key **key)
{
    const aiotsec_memstore *s = user;
    size_t n = find(s, IX_PERM, perm_id, perm_id_len);
    if (n == SIZE_MAX)
        return AIOTSEC_E_UNKNOWN_DEVICE;
    *key = s->dev[n].prep;
    return AIOTSEC_OK;
}

int aiotsec_memstore_keystore(const aiotsec_memstore *s, aiotsec_keystore *out)
{
    if (!s || !out)
        return AIOTSEC_E_NULL_ARG;
    memset(out, 0, sizeof *out);
    out->struct_size = (uint32_t)sizeof *out;
    out->user = (void *)(uintptr_t)s; /* the look-ups only read */
    out->by_ident = ms_by_ident;
    out->by_perm_id = ms_by_perm;
    out->prepared_by_ident = ms_prep_by_ident;
    out->prepared_by_perm_id = ms_prep_by_perm;
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
