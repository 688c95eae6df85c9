/* The roles' hash index (src/roles/hindex.h) with hashes chosen by the test:
 * records sharing a home slot, a tag, or both; look-ups pass a slot whose tag
 * differs without comparing, compare when it agrees; deletions keep every
 * remaining record reachable; against a plain list as the reference. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "roles/hindex.h"

#define N 600

static uint64_t hashes[N];
static int keys[N], present[N];
static size_t compares;

static int eq(const void *arg, uint32_t rec)
{
    compares++;
    return keys[rec] == *(const int *)arg;
}

static uint64_t hash_of(const void *arg, uint32_t rec)
{
    (void)arg;
    return hashes[rec];
}

Test(hindex, shared_slots_and_tags_against_a_reference)
{
    aiot_hix ix = {0};
    cr_assert_eq(aiot_hix_init(&ix, N), 0);
    uint64_t r = 42;
    for (int i = 0; i < N; i++) {
        r ^= r << 13;
        r ^= r >> 7;
        r ^= r << 17;
        /* Few distinct homes (dense clusters) and few distinct tags (compares needed). */
        hashes[i] = (r % 7) << 32 | (r >> 20) % 31;
        keys[i] = i * 3 + 1;
        aiot_hix_insert(&ix, hashes[i], (uint32_t)i);
        present[i] = 1;
    }
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < N; i++) {
            size_t pos = aiot_hix_find(&ix, hashes[i], eq, &keys[i]);
            if (present[i])
                cr_assert(pos != SIZE_MAX && aiot_hix_at(&ix, pos) == (uint32_t)i, "record %d", i);
            else
                cr_assert_eq(pos, SIZE_MAX, "record %d", i);
        }
        /* A key nobody has, under a tag nobody has: found absent without a single compare. */
        int none = -5;
        compares = 0;
        cr_assert_eq(aiot_hix_find(&ix, (uint64_t)99 << 32 | 3, eq, &none), SIZE_MAX);
        cr_assert_eq(compares, 0);
        /* Remove a third, then look everything up again. */
        for (int i = round; i < N; i += 3) {
            size_t pos = aiot_hix_find(&ix, hashes[i], eq, &keys[i]);
            if (present[i]) {
                aiot_hix_remove_at(&ix, pos, hash_of, NULL);
                present[i] = 0;
            }
        }
    }
    aiot_hix_free(&ix);
}

Test(hindex, load_factor_three_quarters)
{
    aiot_hix ix = {0};
    cr_assert_eq(aiot_hix_init(&ix, 1000), 0);
    size_t slots = ix.mask + 1;
    cr_assert_geq(slots / 4 * 3, 1000);
    cr_assert(aiot_hix_fits(&ix, slots / 4 * 3));
    cr_assert(!aiot_hix_fits(&ix, slots / 4 * 3 + 1));
    aiot_hix_free(&ix);
}
