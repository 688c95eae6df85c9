/* Simulated tags of `aiotsec demo`: the device role (device.h) in storage the
 * demo owns, made from a roster record. The tags a section works with stay
 * alive (demo_tag_of), so that their state carries from step to step; the bulk
 * inventory re-uses one scratch tag instead.
 *
 * Each tag's user memory starts with its serial number "AIOT-TAG", in the
 * write-protected range; RAND_AIOT_d comes from the tag's random source, the
 * documented callback, here the backend's CSPRNG. */
#include <stdlib.h>
#include <string.h>

#include "demo.h"

static int tag_random(void *user, uint8_t *out, size_t len)
{
    return aiotsec_random(user, out, len);
}

int demo_tag_make(demo *d, demo_tag *t, size_t i, const uint8_t *key)
{
    const demo_rec *r = &d->recs[i];
    if (!t->storage) {
        size_t size = (aiotsec_device_statebytes() + AIOTSEC_DEVICE_ALIGN - 1) & ~(size_t)(AIOTSEC_DEVICE_ALIGN - 1);
        t->storage = aligned_alloc(AIOTSEC_DEVICE_ALIGN, size);
        if (!t->storage)
            return AIOTSEC_E_NO_MEMORY;
    }
    aiotsec_device_clear(t->dev); /* the previous tag in this storage */
    t->dev = NULL;
    memset(t->memory, 0, sizeof t->memory);
    memcpy(t->memory, "AIOT-TAG", 8);
    aiotsec_device_config cfg;
    int rc = aiotsec_device_config_init(&cfg, d->ctx);
    cfg.perm_id = r->perm;
    cfg.perm_id_len = r->perm_len;
    cfg.k_root = key ? key : r->key;
    cfg.k_root_len = r->key_len;
    cfg.memory = t->memory;
    cfg.memory_len = sizeof t->memory;
    cfg.wp_offset = 0;
    cfg.wp_len = DEMO_WP_LEN;
    cfg.rand = tag_random;
    cfg.rand_user = d->ctx;
    t->index = key ? SIZE_MAX : i;
    if (rc == AIOTSEC_OK)
        rc = aiotsec_device_init(&t->dev, t->storage, aiotsec_device_statebytes(), d->ctx, &cfg);
    return rc;
}

void demo_tag_free(demo_tag *t)
{
    aiotsec_device_clear(t->dev);
    /* Also after a failed aiotsec_device_init(): whatever it copied goes too. */
    if (t->storage)
        aiotsec_wipe(t->storage, (aiotsec_device_statebytes() + AIOTSEC_DEVICE_ALIGN - 1) &
                                     ~(size_t)(AIOTSEC_DEVICE_ALIGN - 1));
    free(t->storage);
    t->storage = NULL;
    t->dev = NULL;
}

demo_tag *demo_tag_of(demo *d, size_t i)
{
    for (size_t k = 0; k < d->n_tags; k++)
        if (d->tags[k].index == i)
            return &d->tags[k];
    if (d->n_tags == DEMO_LIVE_TAGS)
        return NULL;
    demo_tag *t = &d->tags[d->n_tags];
    memset(t, 0, sizeof *t);
    if (demo_tag_make(d, t, i, NULL) != AIOTSEC_OK) {
        demo_tag_free(t);
        return NULL;
    }
    d->n_tags++;
    return t;
}

void demo_tags_free(demo *d)
{
    for (size_t k = 0; k < d->n_tags; k++)
        demo_tag_free(&d->tags[k]);
    d->n_tags = 0;
}
