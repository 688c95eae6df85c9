/* Contexts: a private copy of a backend table and a profile, immutable once made,
 * on the heap (aiotsec_ctx_new*) or in caller storage (aiotsec_ctx_init, the one
 * the device-only build has: it makes no heap call at all). */
#include <string.h>
#ifndef AIOTSEC_DEVICE_ONLY
#include <stdlib.h>
#endif

#include "core/internal.h"

_Static_assert(sizeof(struct aiotsec_ctx) <= AIOTSEC_CTX_STORAGE_SIZE,
               "AIOTSEC_CTX_STORAGE_SIZE must bound the context");
_Static_assert(_Alignof(struct aiotsec_ctx) <= AIOTSEC_CTX_ALIGN, "AIOTSEC_CTX_ALIGN");

/* Copies a checked table and profile into a zeroed ctx. */
static void copy_in(struct aiotsec_ctx *ctx, const aiotsec_backend *backend, const aiotsec_profile *profile)
{
    /* A table compiled against an older, shorter layout leaves the newer fields NULL. */
    size_t n = backend->struct_size < sizeof ctx->be ? backend->struct_size : sizeof ctx->be;
    memcpy(&ctx->be, backend, n);
    ctx->be.struct_size = (uint32_t)sizeof ctx->be;
    ctx->profile.p = profile->p;
    ctx->profile.is_static = 1; /* embedded: never freed on its own */
    ctx->caps = aiotsec_backend_caps(&ctx->be);
}

/* Validates the table and the profile and fills ctx. Profile 0 (NULL) is not
 * checked again here: it is data of this build, checked by the test suite
 * (aiot_profile_check must accept it: tests/fw, stage 80), so a tag never runs
 * the check. The device-only build has only that profile (a profile of one's
 * own comes from aiotsec_profile_new(), i.e. the heap): a future normative
 * profile is a change of profile0.c there, checked the same way. */
static int fill(struct aiotsec_ctx *ctx, const aiotsec_backend *backend, const aiotsec_profile *profile)
{
    int rc = aiot_backend_check(backend);
    if (rc != AIOTSEC_OK)
        return rc;
#ifdef AIOTSEC_DEVICE_ONLY
    if (profile && profile != &aiot_profile0)
        return AIOTSEC_E_BAD_PROFILE;
#else
    if (profile && profile != &aiot_profile0 && (rc = aiot_profile_check(&profile->p)) != AIOTSEC_OK)
        return rc;
#endif
    if (!profile)
        profile = &aiot_profile0;
    memset(ctx, 0, sizeof *ctx);
    copy_in(ctx, backend, profile);
    return AIOTSEC_OK;
}

size_t aiotsec_ctx_statebytes(void)
{
    return sizeof(struct aiotsec_ctx);
}

int aiotsec_ctx_init(aiotsec_ctx **out, void *mem, size_t mem_len, const aiotsec_backend *backend,
                     const aiotsec_profile *profile)
{
    if (!out)
        return AIOTSEC_E_NULL_ARG;
    *out = NULL;
    if (!mem || !backend)
        return AIOTSEC_E_NULL_ARG;
    if (mem_len < sizeof(struct aiotsec_ctx))
        return AIOTSEC_E_BUFFER_TOO_SMALL;
    if ((uintptr_t)mem % AIOTSEC_CTX_ALIGN)
        return AIOTSEC_E_BAD_VALUE;
    int rc = fill(mem, backend, profile);
    if (rc == AIOTSEC_OK)
        *out = mem;
    return rc;
}

#ifndef AIOTSEC_DEVICE_ONLY
int aiotsec_ctx_new_custom(aiotsec_ctx **out, const aiotsec_backend *backend,
                           const aiotsec_profile *profile)
{
    if (!out || !backend)
        return AIOTSEC_E_NULL_ARG;
    *out = NULL;
    int rc = aiot_backend_check(backend);
    if (rc != AIOTSEC_OK)
        return rc;
    if (!profile)
        profile = &aiot_profile0;
    rc = aiot_profile_check(&profile->p);
    if (rc != AIOTSEC_OK)
        return rc;
    struct aiotsec_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx)
        return AIOTSEC_E_NO_MEMORY;
    copy_in(ctx, backend, profile);
    ctx->on_heap = 1;
    *out = ctx;
    return AIOTSEC_OK;
}

int aiotsec_ctx_new(aiotsec_ctx **out, const char *backend_name, const aiotsec_profile *profile)
{
    if (!out)
        return AIOTSEC_E_NULL_ARG;
    *out = NULL;
    const aiotsec_backend *be = NULL;
    int rc = aiotsec_backend_find(backend_name, &be);
    if (rc != AIOTSEC_OK)
        return rc;
    return aiotsec_ctx_new_custom(out, be, profile);
}

void aiotsec_ctx_free(aiotsec_ctx *ctx)
{
    if (!ctx || !ctx->on_heap)
        return; /* a context in caller storage (aiotsec_ctx_init) is not ours to free */
    aiotsec_wipe(ctx, sizeof *ctx);
    free(ctx);
}
#endif /* !AIOTSEC_DEVICE_ONLY */

const char *aiotsec_ctx_backend_name(const aiotsec_ctx *ctx)
{
    return ctx ? ctx->be.name : "";
}

uint32_t aiotsec_ctx_caps(const aiotsec_ctx *ctx)
{
    return ctx ? ctx->caps : 0;
}

const aiotsec_profile *aiotsec_ctx_profile(const aiotsec_ctx *ctx)
{
    return ctx ? &ctx->profile : NULL;
}

int aiotsec_random(const aiotsec_ctx *ctx, uint8_t *out, size_t len)
{
    if (!ctx || !out)
        return AIOTSEC_E_NULL_ARG;
    if (len == 0 || len > 65536)
        return AIOTSEC_E_BAD_LENGTH;
    if (!ctx->be.random_bytes)
        return AIOTSEC_E_UNSUPPORTED;
    return ctx->be.random_bytes(ctx->be.user, out, len) == 0 ? AIOTSEC_OK : AIOTSEC_E_BACKEND_FAILURE;
}

int aiotsec_hmac_sha256(const aiotsec_ctx *ctx, const uint8_t *key, size_t key_len,
                        const uint8_t *msg, size_t msg_len, uint8_t *mac, size_t mac_cap)
{
    if (!ctx || !mac || (!key && key_len) || (!msg && msg_len))
        return AIOTSEC_E_NULL_ARG;
    if (mac_cap < 32)
        return AIOTSEC_E_BUFFER_TOO_SMALL;
    return aiot_hmac(ctx, key, key_len, msg, msg_len, mac);
}
