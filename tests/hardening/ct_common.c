/* The state and the wrapper shared by the ctgrind-style programs (see ct_common.h). */
#include "ct_common.h"

int ct_fail;
size_t ct_checks;

int __real_aiotsec_ct_equal(const uint8_t *a, const uint8_t *b, size_t len);
int __wrap_aiotsec_ct_equal(const uint8_t *a, const uint8_t *b, size_t len);
int __real_aiot_ct_verdict(int eq);
int __wrap_aiot_ct_verdict(int eq);
uint64_t __real_aiot_ct_verdicts(uint64_t bits);
uint64_t __wrap_aiot_ct_verdicts(uint64_t bits);

/* The one legitimate declassification: the verify outcome (equal or not). Linked with
 * -Wl,--wrap=aiotsec_ct_equal, so the library's own comparison still runs on undefined
 * data and is checked; only its one-bit result becomes defined. */
int __wrap_aiotsec_ct_equal(const uint8_t *a, const uint8_t *b, size_t len)
{
    int r = __real_aiotsec_ct_equal(a, b, len);
    PUBLIC(&r, sizeof r);
    return r;
}

/* The same for the comparisons the library inlines in its hot loops (core/internal.h
 * aiot_ct_eq): their one-bit result leaves through aiot_ct_verdict(). */
int __wrap_aiot_ct_verdict(int eq)
{
    int r = __real_aiot_ct_verdict(eq);
    PUBLIC(&r, sizeof r);
    return r;
}

/* ... and for the batch loops, which collect a chunk's one-bit results and let them
 * leave together through aiot_ct_verdicts(). */
uint64_t __wrap_aiot_ct_verdicts(uint64_t bits)
{
    uint64_t r = __real_aiot_ct_verdicts(bits);
    PUBLIC(&r, sizeof r);
    return r;
}
