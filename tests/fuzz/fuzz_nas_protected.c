/* libFuzzer: the protected-header parser and the header peek. Oracle: they agree,
 * and the payload view is exactly the tail of the input. */
#include <stdint.h>
#include <stdlib.h>

#include "aiotsec/aiotsec.h"
#include "aiotsec/testing.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    aiotsec_nas_protected_hdr h;
    int rc = aiotsec_nas_parse_protected(NULL, data, size, &h);
    aiotsec_nas_sht sht_v;
    int sht = aiotsec_nas_peek_sht(NULL, data, size, &sht_v);
    if (sht == AIOTSEC_OK)
        sht = (int)sht_v;
    if (rc == AIOTSEC_OK) {
        if (sht != (int)h.sht || (sht != 1 && sht != 2))
            abort();
        if (h.payload != data + 7 || h.payload_len != size - 7 || h.mac != data + 2 || h.sqn != data[6])
            abort();
    } else if (rc == AIOTSEC_E_NAS_PLAIN_FORBIDDEN && sht != 0) {
        abort();
    }
    return 0;
}
