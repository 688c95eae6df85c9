/* The simulated tags of `aiotsec inventory`: each key-file line is a tag with its
 * Permanent Identifier and K_AIOT_root, which the device role (device.h) uses
 * to answer a paging exactly as a tag would. They stand in for the radio: the
 * AIOTF sees only their AUTHENTICATION RESPONSEs, never their keys. */
#include <stdlib.h>
#include <string.h>

#include "inventory.h"

static int add_tag(void *user, size_t line, const uint8_t *perm, size_t perm_len, const uint8_t *key,
                   size_t key_len)
{
    inv_tags *t = user;
    (void)line;
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 256;
        inv_tag *more = malloc(cap * sizeof *more); /* not realloc: the old array holds keys, wiped */
        if (!more)
            return AIOTSEC_E_NO_MEMORY;
        if (t->tags) {
            memcpy(more, t->tags, t->n * sizeof *more);
            aiotsec_wipe(t->tags, t->cap * sizeof *t->tags);
            free(t->tags);
        }
        t->tags = more;
        t->cap = cap;
    }
    inv_tag *g = &t->tags[t->n++];
    memset(g, 0, sizeof *g);
    memcpy(g->perm, perm, perm_len);
    memcpy(g->key, key, key_len);
    g->perm_len = (uint8_t)perm_len;
    g->key_len = (uint8_t)key_len;
    return 0;
}

int inv_tags_load(inv_tags *t, const char *path)
{
    memset(t, 0, sizeof *t);
    size_t line = 0;
    int rc = aiotsec_keyfile_read_file(path, add_tag, t, &line);
    if (rc == AIOTSEC_E_IO)
        return cli_usage_error("inventory: %s: cannot read the key file", path);
    if (rc != AIOTSEC_OK && line)
        return cli_usage_error("inventory: %s:%zu: %s", path, line, aiotsec_strerror(rc));
    if (rc != AIOTSEC_OK)
        return cli_usage_error("inventory: %s: %s", path, aiotsec_strerror(rc));
    if (!t->n)
        return cli_usage_error("inventory: %s: no device in the key file", path);
    return CLI_OK;
}

void inv_tags_free(inv_tags *t)
{
    if (t->tags)
        aiotsec_wipe(t->tags, t->cap * sizeof *t->tags);
    free(t->tags);
    memset(t, 0, sizeof *t);
}

int inv_common_filter(const inv_tags *t, const aiotsec_ctx *ctx, uint8_t *filter, size_t cap, size_t *len)
{
    size_t bits = (size_t)t->tags[0].perm_len * 8u;
    for (size_t i = 1; i < t->n && bits; i++) {
        const inv_tag *a = &t->tags[0], *b = &t->tags[i];
        size_t same = 0, max = (size_t)(a->perm_len < b->perm_len ? a->perm_len : b->perm_len) * 8u;
        while (same < max && same < bits &&
               ((a->perm[same / 8] ^ b->perm[same / 8]) & (0x80u >> (same % 8))) == 0)
            same++;
        bits = same;
    }
    if (bits > 255)
        bits = 255;
    if (bits == 0)
        return AIOTSEC_E_BAD_VALUE;
    return aiotsec_filter_make(aiotsec_ctx_profile(ctx), t->tags[0].perm, bits, filter, cap, len);
}

static int tag_random(void *user, uint8_t *out, size_t len)
{
    return aiotsec_random(user, out, len);
}

int inv_page(const inv_tags *t, const aiotsec_ctx *ctx, const uint8_t *rand_n, const uint8_t *perm, size_t perm_len,
             const uint8_t *filter, size_t filter_len, inv_answer *out, size_t *n)
{
    size_t size = (aiotsec_device_statebytes() + AIOTSEC_DEVICE_ALIGN - 1) & ~(size_t)(AIOTSEC_DEVICE_ALIGN - 1);
    void *storage = aligned_alloc(AIOTSEC_DEVICE_ALIGN, size);
    if (!storage)
        return AIOTSEC_E_NO_MEMORY;
    int rc = AIOTSEC_OK;
    *n = 0;
    for (size_t i = 0; i < t->n && rc == AIOTSEC_OK; i++) {
        /* one tag at a time in one scratch slot: the tag's state lasts one paging */
        aiotsec_device_config cfg;
        aiotsec_device *dev = NULL;
        rc = aiotsec_device_config_init(&cfg, ctx);
        cfg.perm_id = t->tags[i].perm;
        cfg.perm_id_len = t->tags[i].perm_len;
        cfg.k_root = t->tags[i].key;
        cfg.k_root_len = t->tags[i].key_len;
        cfg.rand = tag_random;
        cfg.rand_user = (void *)(uintptr_t)ctx;
        if (rc == AIOTSEC_OK)
            rc = aiotsec_device_init(&dev, storage, size, ctx, &cfg);
        inv_answer *a = &out[*n];
        if (rc == AIOTSEC_OK)
            rc = aiotsec_device_on_paging(dev, rand_n, AIOTSEC_RAND_LEN, perm, perm_len, filter, filter_len, a->pdu,
                                          sizeof a->pdu, &a->pdu_len);
        if (rc == AIOTSEC_OK) {
            a->tag = i;
            (*n)++;
        } else if (rc == AIOTSEC_E_NOT_ADDRESSED) {
            rc = AIOTSEC_OK; /* silent: not this tag's paging */
        }
        aiotsec_device_clear(dev);
    }
    aiotsec_wipe(storage, size); /* also after a failed aiotsec_device_init() */
    free(storage);
    return rc;
}
