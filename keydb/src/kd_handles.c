/* Token custody: which token object holds a device's key, remembered per device
 * and record sequence number so a look-up skips C_FindObjects. Handles are not
 * secrets; the map is bounded (cleared when full: finding an object again is
 * only slower). */
#include <stdlib.h>
#include <string.h>

#include "kd_internal.h"

#define BUCKETS 4096u
#define MAX_NODES 65536u

typedef struct node {
    struct node *next;
    uint64_t seq;
    unsigned long handle;
    uint8_t len;
    uint8_t perm[AIOTSEC_ID_MAX];
} node;

struct kd_handles {
    pthread_mutex_t lock;
    node *b[BUCKETS];
    size_t n;
};

static size_t bucket(const uint8_t *perm, size_t len)
{
    uint32_t h = 2166136261u; /* FNV-1a: identifiers are not attacker-chosen here (operator data) */
    for (size_t i = 0; i < len; i++)
        h = (h ^ perm[i]) * 16777619u;
    return h % BUCKETS;
}

int kd_handles_new(kd_handles **out)
{
    *out = calloc(1, sizeof **out);
    if (!*out)
        return AIOTSEC_E_NO_MEMORY;
    pthread_mutex_init(&(*out)->lock, NULL);
    return AIOTSEC_OK;
}

static void clear(kd_handles *h)
{
    for (size_t i = 0; i < BUCKETS; i++)
        while (h->b[i]) {
            node *n = h->b[i];
            h->b[i] = n->next;
            free(n);
        }
    h->n = 0;
}

void kd_handles_free(kd_handles *h)
{
    if (!h)
        return;
    clear(h);
    pthread_mutex_destroy(&h->lock);
    free(h);
}

static node **find(kd_handles *h, const uint8_t *perm, size_t len)
{
    node **p = &h->b[bucket(perm, len)];
    while (*p && !((*p)->len == len && memcmp((*p)->perm, perm, len) == 0))
        p = &(*p)->next;
    return p;
}

int kd_handles_get(kd_handles *h, const uint8_t *perm, size_t len, uint64_t seq, unsigned long *handle)
{
    pthread_mutex_lock(&h->lock);
    node *n = *find(h, perm, len);
    int found = n && n->seq == seq;
    if (found)
        *handle = n->handle;
    pthread_mutex_unlock(&h->lock);
    return found;
}

void kd_handles_put(kd_handles *h, const uint8_t *perm, size_t len, uint64_t seq, unsigned long handle)
{
    pthread_mutex_lock(&h->lock);
    node **p = find(h, perm, len);
    if (!*p) {
        if (h->n >= MAX_NODES)
            clear(h), p = find(h, perm, len);
        *p = calloc(1, sizeof **p);
        if (*p) {
            h->n++;
            (*p)->len = (uint8_t)len;
            memcpy((*p)->perm, perm, len);
        }
    }
    if (*p) {
        (*p)->seq = seq;
        (*p)->handle = handle;
    }
    pthread_mutex_unlock(&h->lock);
}

void kd_handles_forget(kd_handles *h, const uint8_t *perm, size_t len)
{
    pthread_mutex_lock(&h->lock);
    node **p = find(h, perm, len);
    if (*p) {
        node *n = *p;
        *p = n->next;
        free(n);
        h->n--;
    }
    pthread_mutex_unlock(&h->lock);
}
