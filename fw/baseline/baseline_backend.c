/* The "before" measurement (fw/baseline/measure_before.sh): the backend table a
 * firmware engineer had to write outside the project before the device-only
 * build existed, over the native backend's portable SHA-256 and HMAC
 * (backends/native/native_internal.h), as issue 12 describes. Not part of any build. */
#include "aiotsec/backend.h"
#include "native/native_internal.h"

static int b_init(void *u, void *s, const uint8_t *k, size_t n)
{
    return aiot_native_hmac_init_impl(u, s, k, n);
}

static int b_update(void *u, void *s, const uint8_t *d, size_t n)
{
    return aiot_native_hmac_update_impl(u, s, d, n);
}

static int b_final(void *u, void *s, uint8_t mac[32])
{
    return aiot_native_hmac_final_impl(u, s, mac);
}

const aiotsec_backend baseline_backend = {
    .struct_size = sizeof(aiotsec_backend),
    .abi_version = AIOTSEC_BACKEND_ABI_VERSION,
    .name = "baseline",
    .user = (void *)&aiot_sha256_portable,
    .hmac_state_size = sizeof(aiot_native_hmac),
    .hmac_init = b_init,
    .hmac_update = b_update,
    .hmac_final = b_final,
};
