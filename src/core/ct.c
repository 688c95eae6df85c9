/* Constant-time comparison and wiping: the two primitives every secret passes through. */
#include <string.h>

#include "core/internal.h"

int aiot_ct_verdict(int eq)
{
    return eq;
}

uint64_t aiot_ct_verdicts(uint64_t bits)
{
    return bits;
}

int aiotsec_ct_equal(const uint8_t *a, const uint8_t *b, size_t len)
{
    if (len == 0)
        return 1;
    if (!a || !b)
        return 0;
    return aiot_ct_eq(a, b, len); /* core/internal.h: the one implementation */
}

void aiotsec_wipe(void *p, size_t len)
{
    if (!p || !len)
        return;
    memset(p, 0, len);
    /* The barrier tells the compiler the zeros may be read through p, so the memset
     * survives even when the buffer is dead afterwards (dead-store elimination). */
    __asm__ __volatile__("" : : "r"(p) : "memory");
}
