/* Constant-time comparison and wiping: the two primitives every secret passes through. */
#include <string.h>

#include "aiotsec/derive.h"

int aiotsec_ct_equal(const uint8_t *a, const uint8_t *b, size_t len)
{
    if (len == 0)
        return 1;
    if (!a || !b)
        return 0;
    /* Accumulate every difference; no early exit, no data-dependent branch. The empty asm
     * makes acc opaque to the optimiser after each step, so it cannot turn the loop into
     * an early-exit comparison; unlike a volatile, it costs no memory round trip. */
    unsigned acc = 0;
    for (size_t i = 0; i < len; i++) {
        acc |= (unsigned)(a[i] ^ b[i]);
        __asm__ __volatile__("" : "+r"(acc));
    }
    /* acc is 0..255: (acc - 1) >> 8 has its low bit set exactly when acc == 0. */
    return (int)(((acc - 1u) >> 8) & 1u);
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
