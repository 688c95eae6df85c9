/* The paging plan of `aiotsec demo`: which filter pages which tags.
 *
 * The roster is sorted by Permanent Identifier, so the tags that share a bit
 * prefix are a contiguous range (spec 6.2). The plan walks the binary trie of
 * the identifiers: a range of at most --group tags becomes one filter, the
 * longest prefix its tags share (so it addresses exactly them and no other tag
 * of the roster); a larger range is split on its next bit. A range of one tag
 * is paged by name, and so is a tag whose identifier ends where the range's
 * prefix does (no longer prefix can address it). Filters hold at most 255 bits:
 * a range still too large there is paged with that filter anyway. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo.h"

static int bit_of(const demo_rec *r, size_t bit)
{
    return (r->perm[bit / 8] >> (7 - bit % 8)) & 1;
}

/* Bits two identifiers share from the start. */
static size_t common_bits(const demo_rec *a, const demo_rec *b)
{
    size_t n = a->perm_len < b->perm_len ? a->perm_len : b->perm_len;
    for (size_t i = 0; i < n; i++) {
        unsigned x = (unsigned)(a->perm[i] ^ b->perm[i]);
        if (x) {
            size_t k = 0;
            while (!(x & 0x80u)) {
                x <<= 1;
                k++;
            }
            return 8 * i + k;
        }
    }
    return 8 * n;
}

size_t demo_common_bits(const demo *d, size_t i, size_t j)
{
    return common_bits(&d->recs[i], &d->recs[j]);
}

size_t demo_prefix_filter(const demo *d, const uint8_t *perm, size_t bits, uint8_t *filter)
{
    size_t len = 0;
    if (aiotsec_filter_make(aiotsec_ctx_profile(d->ctx), perm, bits, filter, AIOTSEC_FILTER_MAX, &len) !=
        AIOTSEC_OK)
        return 0;
    return len;
}

/* Spec 6.2 written out here, independently of the library: the tags the plan
 * says a filter addresses are what the simulated tags are checked against. */
int demo_addressed(const demo *d, size_t i, const uint8_t *filter, size_t filter_len)
{
    const demo_rec *r = &d->recs[i];
    size_t bits = filter_len ? filter[0] : 0, full = bits / 8, rest = bits % 8;
    if (bits == 0 || filter_len != 1 + (bits + 7) / 8 || (size_t)r->perm_len * 8 < bits)
        return 0;
    if (memcmp(r->perm, filter + 1, full) != 0)
        return 0;
    uint8_t mask = (uint8_t)(0xFFu << (8 - rest));
    return rest == 0 || (r->perm[full] & mask) == (filter[1 + full] & mask);
}

static int add(demo *d, size_t first, size_t count, size_t bits)
{
    if (d->n_groups == d->cap_groups) {
        size_t n = d->cap_groups ? 2 * d->cap_groups : 64;
        demo_group *p = realloc(d->groups, n * sizeof *p);
        if (!p)
            return AIOTSEC_E_NO_MEMORY;
        d->groups = p;
        d->cap_groups = n;
    }
    demo_group *g = &d->groups[d->n_groups];
    memset(g, 0, sizeof *g);
    g->first = first;
    g->count = count;
    if (bits) {
        g->filter_len = demo_prefix_filter(d, d->recs[first].perm, bits, g->filter);
        if (!g->filter_len)
            return AIOTSEC_E_BAD_VALUE;
        d->n_filters++;
    }
    d->n_groups++;
    if (count > d->max_group)
        d->max_group = count;
    return AIOTSEC_OK;
}

/* roster[lo, hi) share their first `bit` bits. */
static int split(demo *d, size_t lo, size_t hi, size_t bit)
{
    if (lo >= hi)
        return AIOTSEC_OK;
    if (hi - lo == 1)
        return add(d, lo, 1, 0);
    if ((bit > 0 && hi - lo <= d->group_size) || bit >= AIOTSEC_FILTER_BITS_MAX) {
        size_t bits = common_bits(&d->recs[lo], &d->recs[hi - 1]); /* sorted: first and last suffice */
        return add(d, lo, hi - lo, bits < AIOTSEC_FILTER_BITS_MAX ? bits : AIOTSEC_FILTER_BITS_MAX);
    }
    int rc = AIOTSEC_OK;
    while (rc == AIOTSEC_OK && lo < hi && (size_t)d->recs[lo].perm_len * 8 <= bit)
        rc = add(d, lo++, 1, 0); /* sorts first: a prefix precedes its extensions */
    size_t a = lo, b = hi; /* first tag whose bit `bit` is 1 */
    while (a < b) {
        size_t mid = a + (b - a) / 2;
        if (bit_of(&d->recs[mid], bit))
            b = mid;
        else
            a = mid + 1;
    }
    if (rc == AIOTSEC_OK)
        rc = split(d, lo, a, bit + 1);
    if (rc == AIOTSEC_OK)
        rc = split(d, a, hi, bit + 1);
    return rc;
}

int demo_plan_make(demo *d)
{
    return split(d, 0, d->n_recs, 0);
}

/* The range of tags around roster[i] that a filter addresses. */
static void range_of(const demo *d, size_t i, const uint8_t *filter, size_t filter_len, size_t *first,
                     size_t *count)
{
    size_t lo = i, hi = i + 1;
    while (lo > 0 && demo_addressed(d, lo - 1, filter, filter_len))
        lo--;
    while (hi < d->n_recs && demo_addressed(d, hi, filter, filter_len))
        hi++;
    *first = lo;
    *count = hi - lo;
}

void demo_plan_pair(const demo *d, size_t i, uint8_t *filter, size_t *filter_len, size_t *first, size_t *count)
{
    const demo_rec *r = &d->recs[i];
    size_t bits = i + 1 < d->n_recs ? common_bits(r, &d->recs[i + 1]) : 0;
    if (bits > AIOTSEC_FILTER_BITS_MAX)
        bits = AIOTSEC_FILTER_BITS_MAX;
    if (bits) {
        *filter_len = demo_prefix_filter(d, r->perm, bits, filter);
        range_of(d, i, filter, *filter_len, first, count);
        if (*count <= 16)
            return;
    }
    /* No shared prefix, or too many tags behind it: the tag's own identifier. */
    bits = (size_t)r->perm_len * 8 < AIOTSEC_FILTER_BITS_MAX ? (size_t)r->perm_len * 8 : AIOTSEC_FILTER_BITS_MAX;
    *filter_len = demo_prefix_filter(d, r->perm, bits, filter);
    range_of(d, i, filter, *filter_len, first, count);
}

const char *demo_filter_text(const uint8_t *filter, size_t filter_len, char *buf, size_t cap)
{
    char hex[2 * AIOTSEC_FILTER_MAX + 1];
    if (filter_len < 2) {
        snprintf(buf, cap, "(none)");
        return buf;
    }
    demo_hex(filter + 1, filter_len - 1, hex, sizeof hex);
    snprintf(buf, cap, "%s/%u", hex, (unsigned)filter[0]);
    return buf;
}
