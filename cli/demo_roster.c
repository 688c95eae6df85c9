/* The tags of `aiotsec demo`: the network's key store and the demo's own list
 * of the same records (to simulate each tag), sorted by Permanent Identifier
 * in the byte order the filters follow (spec 6.2), so that the tags a filter
 * addresses are a contiguous range of the list.
 *
 * Three sources: eight built-in tags (five share the prefix a1, three do not),
 * N generated tags in groups of G (Permanent Identifier a1 || group (3 octets)
 * || number in the group (3 octets), so that each group is one 32-bit prefix),
 * or a key file. Keys come from the backend's CSPRNG and are wiped at the end. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo.h"

static int push(demo *d, size_t *cap, const uint8_t *perm, size_t perm_len, const uint8_t *key,
                size_t key_len)
{
    if (d->n_recs == *cap) {
        /* Not realloc: the old array holds keys, which are wiped before it is freed. */
        size_t n = *cap ? 2 * *cap : 64;
        demo_rec *p = n <= SIZE_MAX / sizeof *p ? malloc(n * sizeof *p) : NULL;
        if (!p)
            return AIOTSEC_E_NO_MEMORY;
        if (d->recs) {
            memcpy(p, d->recs, d->n_recs * sizeof *p);
            aiotsec_wipe(d->recs, d->n_recs * sizeof *p);
            free(d->recs);
        }
        d->recs = p;
        *cap = n;
    }
    demo_rec *r = &d->recs[d->n_recs++];
    memset(r, 0, sizeof *r);
    memcpy(r->perm, perm, perm_len);
    memcpy(r->key, key, key_len);
    r->perm_len = (uint8_t)perm_len;
    r->key_len = (uint8_t)key_len;
    return AIOTSEC_OK;
}

/* Byte-lexicographic, a prefix first: the order of the key store's filter index. */
static int rec_cmp(const void *a, const void *b)
{
    const demo_rec *x = a, *y = b;
    size_t n = x->perm_len < y->perm_len ? x->perm_len : y->perm_len;
    int c = memcmp(x->perm, y->perm, n);
    if (c)
        return c;
    return (x->perm_len > y->perm_len) - (x->perm_len < y->perm_len);
}

/* The roster as key-file text (`PERM_ID_HEX K_ROOT_HEX`), loaded into a fresh
 * key store the way a deployment loads its file; the text is wiped after. */
static int load_store(demo *d)
{
    size_t cap = 1;
    for (size_t i = 0; i < d->n_recs; i++)
        cap += 2u * d->recs[i].perm_len + 2u * d->recs[i].key_len + 2u;
    char *text = malloc(cap);
    int rc = text ? aiotsec_memstore_new(&d->store, d->ctx, d->n_recs) : AIOTSEC_E_NO_MEMORY;
    size_t len = 0, line = 0;
    for (size_t i = 0; rc == AIOTSEC_OK && i < d->n_recs; i++) {
        const demo_rec *r = &d->recs[i];
        cli_to_hex(r->perm, r->perm_len, text + len);
        len += 2u * r->perm_len;
        text[len++] = ' ';
        cli_to_hex(r->key, r->key_len, text + len);
        len += 2u * r->key_len;
        text[len++] = '\n';
    }
    if (rc == AIOTSEC_OK)
        rc = aiotsec_memstore_load_buffer(d->store, text, len, &line);
    if (text)
        aiotsec_wipe(text, cap);
    free(text);
    return rc;
}

/* Moves recs[i] down the heap rooted at i of n records (largest on top). */
static void sift_down(demo_rec *recs, size_t i, size_t n, demo_rec *tmp)
{
    for (;;) {
        size_t big = i, l = 2 * i + 1, r = l + 1;
        if (l < n && rec_cmp(&recs[l], &recs[big]) > 0)
            big = l;
        if (r < n && rec_cmp(&recs[r], &recs[big]) > 0)
            big = r;
        if (big == i)
            return;
        *tmp = recs[i];
        recs[i] = recs[big];
        recs[big] = *tmp;
        i = big;
    }
}

/* Heapsort in place, not qsort: the C library's qsort may copy the records (keys
 * included) into a scratch buffer of its own, on the stack or the heap, and
 * free it unwiped. The one record of scratch here is wiped. */
static void sort_roster(demo *d)
{
    demo_rec tmp;
    size_t n = d->n_recs;
    for (size_t i = n / 2; i-- > 0;)
        sift_down(d->recs, i, n, &tmp);
    for (size_t end = n; end-- > 1;) {
        tmp = d->recs[0];
        d->recs[0] = d->recs[end];
        d->recs[end] = tmp;
        sift_down(d->recs, 0, end, &tmp);
    }
    aiotsec_wipe(&tmp, sizeof tmp);
}

int demo_roster_builtin(demo *d)
{
    /* Tags 1-5 share the prefix a1 (one group), tags 6-8 do not. */
    static const uint8_t perm[8][5] = {
        {0xa1, 0x00, 0x00, 0x00, 0x01}, {0xa1, 0x00, 0x00, 0x00, 0x02}, {0xa1, 0x0f, 0x00, 0x00, 0x03},
        {0xa1, 0x0f, 0xff, 0xff, 0x04}, {0xa1, 0x80, 0x00, 0x00, 0x05}, {0xa2, 0x00, 0x00, 0x00, 0x06},
        {0xb2, 0x00, 0x00, 0x00, 0x07}, {0xc3, 0x00, 0x00, 0x00, 0x08}};
    uint8_t keys[8 * 32];
    size_t cap = 0;
    int rc = aiotsec_random(d->ctx, keys, sizeof keys);
    for (size_t i = 0; rc == AIOTSEC_OK && i < 8; i++) /* both K_AIOT_root lengths */
        rc = push(d, &cap, perm[i], sizeof perm[i], keys + 32 * i, i % 2 ? 32 : 16);
    aiotsec_wipe(keys, sizeof keys);
    if (rc == AIOTSEC_OK)
        sort_roster(d);
    return rc == AIOTSEC_OK ? load_store(d) : rc;
}

int demo_roster_generate(demo *d, size_t count, size_t group)
{
    enum { KEYS_PER_DRAW = 4096 }; /* aiotsec_random() gives at most 65,536 octets a call */
    uint8_t keys[KEYS_PER_DRAW * 16];
    size_t cap = 0;
    int rc = AIOTSEC_OK;
    for (size_t i = 0; rc == AIOTSEC_OK && i < count; i++) {
        if (i % KEYS_PER_DRAW == 0)
            rc = aiotsec_random(d->ctx, keys, sizeof keys);
        size_t g = i / group, k = i % group;
        uint8_t perm[7] = {0xa1, (uint8_t)(g >> 16), (uint8_t)(g >> 8), (uint8_t)g,
                           (uint8_t)(k >> 16), (uint8_t)(k >> 8), (uint8_t)k};
        if (rc == AIOTSEC_OK)
            rc = push(d, &cap, perm, sizeof perm, keys + (i % KEYS_PER_DRAW) * 16, 16);
    }
    aiotsec_wipe(keys, sizeof keys);
    /* Made in order already; sorting keeps one rule for every source. */
    if (rc == AIOTSEC_OK)
        sort_roster(d);
    return rc == AIOTSEC_OK ? load_store(d) : rc;
}

typedef struct file_arg {
    demo *d;
    size_t cap;
} file_arg;

static int file_line(void *user, size_t line, const uint8_t *perm, size_t perm_len, const uint8_t *key,
                     size_t key_len)
{
    (void)line;
    file_arg *a = user;
    return push(a->d, &a->cap, perm, perm_len, key, key_len);
}

int demo_roster_from_file(demo *d, const char *path)
{
    size_t line = 0;
    file_arg a = {d, 0};
    /* The key store first: it refuses duplicates and bad lines with their line number. */
    int rc = aiotsec_memstore_new(&d->store, d->ctx, 0);
    if (rc == AIOTSEC_OK)
        rc = aiotsec_memstore_load_file(d->store, path, &line);
    if (rc == AIOTSEC_OK) /* the tags' side of the same file */
        rc = aiotsec_keyfile_read_file(path, file_line, &a, &line);
    if (rc == AIOTSEC_OK) {
        sort_roster(d);
        return AIOTSEC_OK;
    }
    if (line)
        fprintf(stderr, "aiotsec: %s:%zu: %s\n", path, line, aiotsec_strerror(rc));
    else
        fprintf(stderr, "aiotsec: %s: %s\n", path, aiotsec_strerror(rc));
    return rc;
}

const char *demo_perm_hex(const demo *d, size_t i, char *buf, size_t cap)
{
    demo_hex(d->recs[i].perm, d->recs[i].perm_len, buf, cap);
    return buf;
}
