/* The built-in backends, found by name, and validation of user-supplied tables. */
#include <stddef.h>
#include <string.h>

#include "core/backend_ext.h"
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

int aiotsec_backend_find(const char *name, const aiotsec_backend **out)
{
    if (!out)
        return AIOTSEC_E_NULL_ARG;
    *out = NULL;
    const aiotsec_backend *be = builtin_at(0);
    if (name && *name && strcmp(name, be->name) != 0)
        return AIOTSEC_E_UNKNOWN_BACKEND;
    *out = be;
    return AIOTSEC_OK;
}

size_t aiotsec_backend_count(void)
{
    return N_BUILTIN;
}

const char *aiotsec_backend_name_at(size_t index)
{
    return index < N_BUILTIN ? builtin_at(index)->name : NULL;
}

const aiot_backend_ext *aiot_backend_ext_of(const aiotsec_backend *be)
{
    (void)be;
    return NULL;
}
#else
/* The built-ins come in families, default first: a family is one table
 * (sodium, OpenSSL) or several that share code and choose by CPU which they can
 * run (native and its forced paths). The registry asks each family in turn and
 * knows none by name. The portable backend is not listed on the host
 * (aiotsec_backend_portable() reaches it). */
typedef struct family {
    const aiotsec_backend *table;                        /* a one-table family; else NULL */
    size_t (*count)(void);                               /* several tables: how many */
    const char *(*name_at)(size_t i);                    /* ... their names */
    int (*find)(const char *name, const aiotsec_backend **out); /* UNKNOWN_BACKEND: not ours */
    const aiot_backend_ext *(*ext_of)(const aiotsec_backend *be); /* NULL: no family extension */
} family;

static const family families[] = {
    {&aiot_backend_sodium, NULL, NULL, NULL, NULL},
#ifdef AIOTSEC_HAVE_OPENSSL
    {&aiot_backend_openssl, NULL, NULL, NULL, NULL},
#endif
#ifdef AIOTSEC_HAVE_NATIVE
    {NULL, aiot_native_count, aiot_native_name_at, aiot_native_find, aiot_native_ext_of},
#endif
};
#define N_FAMILIES (sizeof families / sizeof families[0])

static size_t family_count(const family *f)
{
    return f->table ? 1u : f->count();
}

int aiotsec_backend_find(const char *name, const aiotsec_backend **out)
{
    if (!out)
        return AIOTSEC_E_NULL_ARG;
    *out = NULL;
    if (!name || !*name) {
        *out = families[0].table;
        return AIOTSEC_OK;
    }
    for (size_t i = 0; i < N_FAMILIES; i++) {
        const family *f = &families[i];
        if (f->table) {
            if (strcmp(f->table->name, name) == 0) {
                *out = f->table;
                return AIOTSEC_OK;
            }
            continue;
        }
        int rc = f->find(name, out);
        if (rc != AIOTSEC_E_UNKNOWN_BACKEND)
            return rc; /* found, or ours but not runnable here (UNSUPPORTED) */
    }
    return AIOTSEC_E_UNKNOWN_BACKEND;
}

size_t aiotsec_backend_count(void)
{
    size_t n = 0;
    for (size_t i = 0; i < N_FAMILIES; i++)
        n += family_count(&families[i]);
    return n;
}

const char *aiotsec_backend_name_at(size_t index)
{
    for (size_t i = 0; i < N_FAMILIES; i++) {
        const family *f = &families[i];
        size_t n = family_count(f);
        if (index < n)
            return f->table ? f->table->name : f->name_at(index);
        index -= n;
    }
    return NULL;
}

const aiot_backend_ext *aiot_backend_ext_of(const aiotsec_backend *be)
{
    for (size_t i = 0; i < N_FAMILIES; i++) {
        const aiot_backend_ext *ext = families[i].ext_of ? families[i].ext_of(be) : NULL;
        if (ext)
            return ext;
    }
    return NULL;
}
#endif

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
