/* Constant-time comparison and wiping: the two primitives every secret passes through. */
#include "aiotsec/derive.h"

int aiotsec_ct_equal(const uint8_t *a, const uint8_t *b, size_t len)
{
    if (len == 0)
        return 1;
    if (!a || !b)
        return 0;
    /* Accumulate every difference; no early exit, no data-dependent branch. */
    volatile uint8_t acc = 0;
    for (size_t i = 0; i < len; i++)
        acc = (uint8_t)(acc | (a[i] ^ b[i]));
    /* acc is 0..255: (acc - 1) >> 8 is all ones exactly when acc == 0. */
    return (int)(((unsigned)acc - 1u) >> 8 & 1u);
}

void aiotsec_wipe(void *p, size_t len)
{
    if (!p)
        return;
    volatile unsigned char *v = p;
    while (len--)
        *v++ = 0;
    /* Keep the stores even when the buffer is dead afterwards. */
    __asm__ __volatile__("" : : "r"(p) : "memory");
}
