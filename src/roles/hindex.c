/* The roles' open-addressing hash index (hindex.h). */
#include <stdlib.h>
#include <string.h>

#include "aiotsec/status.h"
#include "roles/hindex.h"
#include "roles/roles_internal.h"

int aiot_hix_init(aiot_hix *ix, size_t expected)
{
    size_t slots = aiot_index_slots_for(expected);
    if (!slots)
        return AIOTSEC_E_LIMIT;
    uint32_t *t = calloc(slots, sizeof *t);
    if (!t)
        return AIOTSEC_E_NO_MEMORY;
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
    return ix->tab && n <= (ix->mask + 1) / 2;
}

void aiot_hix_insert(aiot_hix *ix, uint64_t h, uint32_t rec)
{
    size_t i = (size_t)h & ix->mask;
    while (ix->tab[i])
        i = (i + 1) & ix->mask;
    ix->tab[i] = rec + 1;
}

void aiot_hix_remove_at(aiot_hix *ix, size_t i, aiot_hix_hash_fn hash_of, const void *arg)
{
    for (size_t j = (i + 1) & ix->mask; ix->tab[j]; j = (j + 1) & ix->mask) {
        size_t home = (size_t)hash_of(arg, ix->tab[j] - 1) & ix->mask;
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
