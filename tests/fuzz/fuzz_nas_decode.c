/* libFuzzer: aiotsec_nas_decode on arbitrary input. Oracle: whatever is accepted
 * re-encodes, no longer than the input, and decodes again to the same fields. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aiotsec/aiotsec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int same_view(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
    return al == bl && (al == 0 || !memcmp(a, b, al));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t out[4096];
    aiotsec_nas_msg m, m2;
    if (aiotsec_nas_decode(NULL, data, size, &m) != AIOTSEC_OK)
        return 0;
    size_t len = 0;
    if (aiotsec_nas_encode(NULL, &m, out, sizeof out, &len) != AIOTSEC_OK || len > size)
        abort();
    if (aiotsec_nas_decode(NULL, out, len, &m2) != AIOTSEC_OK)
        abort();
    if (m.type != m2.type || m.transaction_id != m2.transaction_id || m.command != m2.command ||
        m.offset != m2.offset || m.length != m2.length || m.status != m2.status ||
        !same_view(m.res, m.res_len, m2.res, m2.res_len) ||
        !same_view(m.rand_d, m.rand_d_len, m2.rand_d, m2.rand_d_len) ||
        !same_view(m.data, m.data_len, m2.data, m2.data_len))
        abort();
    /* Views stay inside the input. */
    if (m.data_len && (m.data < data || m.data + m.data_len > data + size))
        abort();
    return 0;
}
