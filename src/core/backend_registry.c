/* The built-in backends, found by name, and validation of user-supplied tables. */
#include <stddef.h>
#include <string.h>

#include "core/internal.h"
#include "aiotsec/portable.h"
#ifdef AIOTSEC_HAVE_NATIVE
#include "native/native.h"
#endif

#ifdef AIOTSEC_DEVICE_ONLY
/* The device-only build has one backend, the portable one (portable.h), which
 * is also the default. A table is not a constant expression through a function,
 * so the list is resolved at each call (once per context, off any hot path). */
#define N_BUILTIN 1u
static const aiotsec_backend *builtin_at(size_t i)
{
    (void)i;
    return aiotsec_backend_portable();
}
#else
/* Non-native built-ins, default first. "native*" names are delegated to the
 * native backend, which knows which of its paths this CPU can run. The portable
 * backend is not listed on the host (aiotsec_backend_portable() reaches it). */
static const aiotsec_backend *const builtin[] = {
    &aiot_backend_sodium,
#ifdef AIOTSEC_HAVE_OPENSSL
    &aiot_backend_openssl,
#endif
};
#define N_BUILTIN (sizeof builtin / sizeof builtin[0])
#define builtin_at(i) (builtin[i])
#endif

int aiotsec_backend_find(const char *name, const aiotsec_backend **out)
{
    if (!out)
        return AIOTSEC_E_NULL_ARG;
    *out = NULL;
    if (!name || !*name) {
        *out = builtin_at(0);
        return AIOTSEC_OK;
    }
    for (size_t i = 0; i < N_BUILTIN; i++)
        if (strcmp(builtin_at(i)->name, name) == 0) {
            *out = builtin_at(i);
            return AIOTSEC_OK;
        }
#ifdef AIOTSEC_HAVE_NATIVE
    if (strncmp(name, "native", 6) == 0)
        return aiot_native_find(name, out);
#endif
    return AIOTSEC_E_UNKNOWN_BACKEND;
}

size_t aiotsec_backend_count(void)
{
#ifdef AIOTSEC_HAVE_NATIVE
    return N_BUILTIN + aiot_native_count();
#else
    return N_BUILTIN;
#endif
}

const char *aiotsec_backend_name_at(size_t index)
{
    if (index < N_BUILTIN)
        return builtin_at(index)->name;
#ifdef AIOTSEC_HAVE_NATIVE
    return aiot_native_name_at(index - N_BUILTIN);
#else
    return NULL;
#endif
}

/* The smallest struct_size a version-1 table can have: up to its last field. */
#define BACKEND_V1_SIZE (offsetof(aiotsec_backend, aes128_release) + sizeof(void (*)(void)))
/* ... and one with the compact-key operations of 0.3. */
#define BACKEND_V2_SIZE (offsetof(aiotsec_backend, hmac_batch_compact) + sizeof(void (*)(void)))

int aiot_backend_check(const aiotsec_backend *be)
{
    if (!be)
        return AIOTSEC_E_NULL_ARG;
    if (be->abi_version != AIOTSEC_BACKEND_ABI_VERSION || be->struct_size < BACKEND_V1_SIZE)
        return AIOTSEC_E_BAD_BACKEND;
    if (!be->name || !be->hmac_init || !be->hmac_update || !be->hmac_final)
        return AIOTSEC_E_BAD_BACKEND;
    if (be->hmac_state_size == 0 || be->hmac_state_size > AIOTSEC_BACKEND_STATE_MAX)
        return AIOTSEC_E_BAD_BACKEND;
    /* AES comes as a pair of operations with a state to keep, or not at all. */
    if ((be->aes128_init == NULL) != (be->aes128_encrypt == NULL))
        return AIOTSEC_E_BAD_BACKEND;
    if (be->aes128_init && (be->aes_state_size == 0 || be->aes_state_size > AIOTSEC_BACKEND_STATE_MAX))
        return AIOTSEC_E_BAD_BACKEND;
#ifndef AIOTSEC_DEVICE_ONLY
    /* Compact keys (0.3): a size and both operations, or none of them. (The device
     * build never uses them: no key store, no batch; its flash budget is tight.) */
    if (be->struct_size >= BACKEND_V2_SIZE) {
        int any = be->hmac_compact_size != 0 || be->hmac_compact || be->hmac_batch_compact;
        int all = be->hmac_compact_size != 0 && be->hmac_compact && be->hmac_batch_compact;
        if (any != all || be->hmac_compact_size > AIOTSEC_COMPACT_MAX)
            return AIOTSEC_E_BAD_BACKEND;
    }
#endif
    return AIOTSEC_OK;
}

uint32_t aiotsec_backend_caps(const aiotsec_backend *backend)
{
    if (aiot_backend_check(backend) != AIOTSEC_OK)
        return 0;
    uint32_t caps = AIOTSEC_CAP_HMAC_SHA256;
    if (backend->random_bytes)
        caps |= AIOTSEC_CAP_RANDOM;
    if (backend->aes128_init)
        caps |= AIOTSEC_CAP_AES128;
    if (backend->hmac_batch_prepared)
        caps |= AIOTSEC_CAP_HMAC_BATCH;
    if (backend->struct_size >= BACKEND_V2_SIZE && backend->hmac_compact_size)
        caps |= AIOTSEC_CAP_HMAC_COMPACT;
    return caps;
}

size_t aiotsec_backend_structbytes(void)
{
    return sizeof(aiotsec_backend);
}
