/* The native backend's extension (core/backend_ext.h): RES_AIOT's KDF string from
 * its two RANDs. A path with kdf3 (three SHA-NI streams on the AVX-512VL registers)
 * forms the blocks in registers and writes XRES_AIOT in place; the others get S
 * laid out here and run through the ordinary batch. */
#include <string.h>

#include "aiotsec/status.h"
#include "native/native_internal.h"

/* Items laid out at a time on a path without kdf3 (a multiple of the kernels' 2, 3 and 8). */
#define KDF_CHUNK 48u
#define KDF_S_LEN 37u /* FC || RAND_n || L || RAND_d || L */

int aiot_native_kdf_rand_impl(const aiot_sha256_impl *impl, const void *const *compact, uint8_t fc,
                              const uint8_t *const *p0, const uint8_t *const *p1, size_t n, uint8_t *out,
                              size_t out_len)
{
    if (out_len == 0 || out_len > 32)
        return AIOTSEC_E_BAD_LENGTH;
    if (impl->kdf3 && (out_len == 16 || out_len == 32)) {
        impl->kdf3(compact, fc, p0, p1, n, out_len == 16, out);
        return AIOTSEC_OK;
    }
    /* S side by side, then the slack the kernels read past the last one (zeros: S is public). */
    uint8_t s[KDF_CHUNK * KDF_S_LEN + AIOT_NATIVE_SLACK] = {0};
    uint8_t macs[KDF_CHUNK * 32]; /* whole MACs of a chunk, when only their tails are wanted */
    const int whole = out_len == 32; /* whole MACs go straight to out */
    int rc = AIOTSEC_OK;
    for (size_t base = 0; base < n && rc == AIOTSEC_OK; base += KDF_CHUNK) {
        size_t m = n - base < KDF_CHUNK ? n - base : KDF_CHUNK;
        uint8_t *dst = macs;
        if (whole)
            dst = out + 32 * base;
        if (impl->kdf3) {
            impl->kdf3(compact + base, fc, p0 + base, p1 + base, m, 0, dst);
        } else {
            for (size_t j = 0; j < m; j++) {
                uint8_t *o = s + j * KDF_S_LEN;
                o[0] = fc;
                memcpy(o + 1, p0[base + j], 16);
                o[17] = 0;
                o[18] = 16;
                memcpy(o + 19, p1[base + j], 16);
                o[35] = 0;
                o[36] = 16;
            }
            rc = aiot_native_batch_compact_slack(impl, compact + base, s, KDF_S_LEN, m, dst);
        }
        for (size_t j = 0; j < m && rc == AIOTSEC_OK && !whole; j++) /* least significant octets */
            memcpy(out + (base + j) * out_len, macs + 32 * j + 32 - out_len, out_len);
    }
    aiot_native_wipe(macs, sizeof macs);
    return rc;
}
