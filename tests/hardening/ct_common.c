/* The state and the wrapper shared by the ctgrind-style programs (see ct_common.h). */
#include "ct_common.h"

int ct_fail;
size_t ct_checks;

int __real_aiotsec_ct_equal(const uint8_t *a, const uint8_t *b, size_t len);
int __wrap_aiotsec_ct_equal(const uint8_t *a, const uint8_t *b, size_t len);

/* The one legitimate declassification: the verify outcome (equal or not). Linked with
 * -Wl,--wrap=aiotsec_ct_equal, so the library's own comparison still runs on undefined
 * data and is checked; only its one-bit result becomes defined. */
int __wrap_aiotsec_ct_equal(const uint8_t *a, const uint8_t *b, size_t len)
{
    int r = __real_aiotsec_ct_equal(a, b, len);
    PUBLIC(&r, sizeof r);
    return r;
}
