/* The native backend's extension (core/backend_ext.h) on the path with kdf3 (three
 * SHA-NI streams on the AVX-512VL registers): RES_AIOT's KDF string formed in
 * registers from its two RANDs, XRES_AIOT written in place. The other paths have no
 * extension: the library lays S out for them as for any backend. */
#include <string.h>

#include "aiotsec/status.h"
#include "native/native_internal.h"

/* Whole MACs computed at a time when only some of their octets are wanted. */
#define KDF_CHUNK 48u

int aiot_native_kdf_rand_impl(const aiot_sha256_impl *impl, const void *const *compact, uint8_t fc,
                              const uint8_t *const *p0, const uint8_t *const *p1, size_t n, uint8_t *out,
                              size_t out_len)
{
    if (out_len == 0 || out_len > 32)
        return AIOTSEC_E_BAD_LENGTH;
    if (out_len == 16 || out_len == 32) { /* the kernel writes these in place */
        impl->kdf3(compact, fc, p0, p1, n, out_len == 16, out);
        return AIOTSEC_OK;
    }
    uint8_t macs[KDF_CHUNK * 32];
    for (size_t base = 0; base < n; base += KDF_CHUNK) {
        size_t m = n - base < KDF_CHUNK ? n - base : KDF_CHUNK;
        impl->kdf3(compact + base, fc, p0 + base, p1 + base, m, 0, macs);
        for (size_t j = 0; j < m; j++) /* least significant octets */
            memcpy(out + (base + j) * out_len, macs + 32 * j + 32 - out_len, out_len);
    }
    aiot_native_wipe(macs, sizeof macs);
    return AIOTSEC_OK;
}
