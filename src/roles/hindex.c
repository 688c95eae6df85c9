/* The roles' open-addressing hash index (hindex.h), and the allocator of the
 * large arrays it and the key store look up at random. */
#define _DEFAULT_SOURCE /* madvise */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "aiotsec/status.h"
#include "roles/hindex.h"
#include "roles/roles_internal.h"

/* Arrays of millions of entries read at random miss the TLB on almost every
 * access with 4 KiB pages: from HOT_HUGE octets on they are aligned to 2 MiB
 * and the kernel is asked for transparent huge pages (where THP is "madvise"). */
#define HOT_HUGE (4u << 20)
#define HUGE_PAGE (2u << 20)

void *aiot_alloc_hot(size_t bytes, size_t align)
{
    if (bytes >= HOT_HUGE) {
        size_t rounded = (bytes + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
        void *p = NULL;
        if (posix_memalign(&p, HUGE_PAGE, rounded) != 0)
            return NULL;
#ifdef MADV_HUGEPAGE
        (void)madvise(p, rounded, MADV_HUGEPAGE); /* a hint: without it, plain pages */
#endif
        return p;
    }
    if (align) {
        void *p = NULL;
        return posix_memalign(&p, align, bytes ? bytes : 1) == 0 ? p : NULL;
    }
    return malloc(bytes ? bytes : 1);
}

int aiot_hix_init(aiot_hix *ix, size_t expected)
{
    size_t slots = aiot_index_slots_for(expected);
    if (!slots)
        return AIOTSEC_E_LIMIT;
    if (slots > SIZE_MAX / sizeof(uint64_t))
        return AIOTSEC_E_LIMIT;
    uint64_t *t = aiot_alloc_hot(slots * sizeof *t, 0);
    if (!t)
        return AIOTSEC_E_NO_MEMORY;
    memset(t, 0, slots * sizeof *t);
    ix->tab = t;
    ix->mask = slots - 1;
    return AIOTSEC_OK;
}

void aiot_hix_free(aiot_hix *ix)
{
    free(ix->tab);
    ix->tab = NULL;
    ix->mask = 0;
}

int aiot_hix_fits(const aiot_hix *ix, size_t n)
{
    return ix->tab && n <= (ix->mask + 1) / 4 * 3;
}

void aiot_hix_insert(aiot_hix *ix, uint64_t h, uint32_t rec)
{
    size_t i = (size_t)h & ix->mask;
    while (ix->tab[i])
        i = (i + 1) & ix->mask;
    ix->tab[i] = aiot_hix_entry(h, rec);
}

void aiot_hix_remove_at(aiot_hix *ix, size_t i, aiot_hix_hash_fn hash_of, const void *arg)
{
    for (size_t j = (i + 1) & ix->mask; ix->tab[j]; j = (j + 1) & ix->mask) {
        size_t home = (size_t)hash_of(arg, aiot_hix_rec(ix->tab[j])) & ix->mask;
        /* Move j back into the hole at i unless its home lies cyclically in (i, j]. */
        int stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
        if (!stays) {
            ix->tab[i] = ix->tab[j];
            i = j;
        }
    }
    ix->tab[i] = 0;
}

void aiot_hix_clear(aiot_hix *ix)
{
    if (ix->tab)
        memset(ix->tab, 0, (ix->mask + 1) * sizeof *ix->tab);
}
