/* The native backend tables and their lookup by name.
 *
 * "native" resolves its SHA-256 path once (pthread_once): AIOTSEC_NATIVE_PATH
 * if set (portable|shani|shani-vl|avx2) and the CPU has it, else SHA-NI with
 * three-stream batches when CPUID reports SHA and AVX-512VL (and XGETBV says the
 * OS saves that state), else SHA-NI, else AVX2 (wide batches; single hashes
 * portable), else portable. The CPU probes run only there (CPUID is slow in a VM);
 * their answers are kept for the lookups by name. After that nothing global
 * changes: each table's `user` points at a const implementation, and the auto
 * table (user NULL) reads the resolved pointer. */
#define _DEFAULT_SOURCE 1
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "aiotsec/status.h"
#include "core/backend_ext.h"
#include "native/native_internal.h"

static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static const aiot_sha256_impl *g_auto;           /* written once, under g_once */
static int g_shani, g_shani_vl, g_avx2;          /* idem: what the CPU (and OS) support */
static const char *g_names[5];                   /* idem */
static size_t g_name_count;                      /* idem */

static void native_init_once(void)
{
    const aiot_sha256_impl *best = &aiot_sha256_portable;
    g_shani = aiot_sha256_shani_usable();
    g_shani_vl = g_shani && aiot_sha256_avx512vl_usable();
    g_avx2 = aiot_sha256_avx2_usable();
#ifdef AIOT_NATIVE_HAVE_AVX2
    if (g_avx2)
        best = &aiot_sha256_avx2;
#endif
#ifdef AIOT_NATIVE_HAVE_SHANI
    if (g_shani)
        best = g_shani_vl ? &aiot_sha256_shani_vl : &aiot_sha256_shani;
#endif
    /* A forced path the CPU lacks keeps the best available one: never fault. */
    const char *env = getenv("AIOTSEC_NATIVE_PATH");
    if (env && !strcmp(env, "portable"))
        best = &aiot_sha256_portable;
#ifdef AIOT_NATIVE_HAVE_AVX2
    if (env && !strcmp(env, "avx2") && g_avx2)
        best = &aiot_sha256_avx2;
#endif
#ifdef AIOT_NATIVE_HAVE_SHANI
    if (env && !strcmp(env, "shani") && g_shani)
        best = &aiot_sha256_shani;
    if (env && !strcmp(env, "shani-vl") && g_shani_vl)
        best = &aiot_sha256_shani_vl;
#endif
    g_auto = best;

    g_names[g_name_count++] = "native";
    g_names[g_name_count++] = "native-portable";
    if (g_shani)
        g_names[g_name_count++] = "native-shani";
    if (g_shani_vl)
        g_names[g_name_count++] = "native-shani-vl";
    if (g_avx2)
        g_names[g_name_count++] = "native-avx2";
}

static const aiot_sha256_impl *impl_of(void *user)
{
    if (user)
        return user;
    pthread_once(&g_once, native_init_once);
    return g_auto;
}

static int op_hmac_init(void *user, void *state, const uint8_t *key, size_t key_len)
{
    return aiot_native_hmac_init_impl(impl_of(user), state, key, key_len);
}

static int op_hmac_update(void *user, void *state, const uint8_t *data, size_t len)
{
    return aiot_native_hmac_update_impl(impl_of(user), state, data, len);
}

static int op_hmac_final(void *user, void *state, uint8_t mac[32])
{
    return aiot_native_hmac_final_impl(impl_of(user), state, mac);
}

static void op_hmac_release(void *user, void *state)
{
    (void)user;
    aiot_native_wipe(state, sizeof(aiot_native_hmac));
}

static int op_hmac_oneshot(void *user, const uint8_t *key, size_t key_len, const uint8_t *msg,
                           size_t msg_len, uint8_t mac[32])
{
    return aiot_native_oneshot_impl(impl_of(user), key, key_len, msg, msg_len, mac);
}

static int op_batch(void *user, const void *const *prepared, const uint8_t *msgs, size_t msg_len,
                    size_t n, uint8_t *macs)
{
    return aiot_native_batch_impl(impl_of(user), prepared, msgs, msg_len, n, macs);
}

static int op_compact(void *user, void *compact, const void *state)
{
    (void)user;
    return aiot_native_compact_impl(compact, state);
}

static int op_batch_compact(void *user, const void *const *compact, const uint8_t *msgs, size_t msg_len,
                            size_t n, uint8_t *macs)
{
    return aiot_native_batch_compact_impl(impl_of(user), compact, msgs, msg_len, n, macs);
}

static int op_random(void *user, uint8_t *out, size_t len)
{
    (void)user;
    if (!out && len)
        return AIOTSEC_E_NULL_ARG;
    while (len) {
        ssize_t got = getrandom(out, len, 0);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            return AIOTSEC_E_BACKEND_FAILURE;
        }
        out += got;
        len -= (size_t)got;
    }
    return AIOTSEC_OK;
}

#define NATIVE_TABLE(NAME, USER)                                                        \
    {                                                                                   \
        .struct_size = sizeof(aiotsec_backend), .abi_version = AIOTSEC_BACKEND_ABI_VERSION, \
        .name = (NAME), .user = (void *)(USER), .hmac_state_size = sizeof(aiot_native_hmac), \
        .aes_state_size = 0, .hmac_init = op_hmac_init, .hmac_update = op_hmac_update,   \
        .hmac_final = op_hmac_final, .hmac_copy = NULL, .hmac_release = op_hmac_release, \
        .hmac_oneshot = op_hmac_oneshot, .hmac_batch_prepared = op_batch,              \
        .random_bytes = op_random, .hmac_compact_size = AIOT_NATIVE_COMPACT_SIZE,        \
        .hmac_compact = op_compact, .hmac_batch_compact = op_batch_compact,             \
    }

/* user is never written through: the casts only drop const for the table's void *. */
const aiotsec_backend aiot_backend_native = NATIVE_TABLE("native", NULL);
static const aiotsec_backend backend_portable = NATIVE_TABLE("native-portable", &aiot_sha256_portable);
#ifdef AIOT_NATIVE_HAVE_SHANI
static const aiotsec_backend backend_shani = NATIVE_TABLE("native-shani", &aiot_sha256_shani);
static const aiotsec_backend backend_shani_vl = NATIVE_TABLE("native-shani-vl", &aiot_sha256_shani_vl);
#endif
#ifdef AIOT_NATIVE_HAVE_AVX2
static const aiotsec_backend backend_avx2 = NATIVE_TABLE("native-avx2", &aiot_sha256_avx2);
#endif

int aiot_native_find(const char *name, const aiotsec_backend **out)
{
    if (!name || !out)
        return AIOTSEC_E_NULL_ARG;
    pthread_once(&g_once, native_init_once);
    if (!strcmp(name, "native")) {
        *out = &aiot_backend_native;
        return AIOTSEC_OK;
    }
    if (!strcmp(name, "native-portable")) {
        *out = &backend_portable;
        return AIOTSEC_OK;
    }
    if (!strcmp(name, "native-shani")) {
#ifdef AIOT_NATIVE_HAVE_SHANI
        if (g_shani) {
            *out = &backend_shani;
            return AIOTSEC_OK;
        }
#endif
        return AIOTSEC_E_UNSUPPORTED;
    }
    if (!strcmp(name, "native-shani-vl")) {
#ifdef AIOT_NATIVE_HAVE_SHANI
        if (g_shani_vl) {
            *out = &backend_shani_vl;
            return AIOTSEC_OK;
        }
#endif
        return AIOTSEC_E_UNSUPPORTED;
    }
    if (!strcmp(name, "native-avx2")) {
#ifdef AIOT_NATIVE_HAVE_AVX2
        if (g_avx2) {
            *out = &backend_avx2;
            return AIOTSEC_OK;
        }
#endif
        return AIOTSEC_E_UNSUPPORTED;
    }
    return AIOTSEC_E_UNKNOWN_BACKEND;
}

size_t aiot_native_count(void)
{
    pthread_once(&g_once, native_init_once);
    return g_name_count;
}

const char *aiot_native_name_at(size_t i)
{
    pthread_once(&g_once, native_init_once);
    return i < g_name_count ? g_names[i] : NULL;
}

/* The extension (core/backend_ext.h), on a path with kdf3: RES_AIOT's KDF string
 * from its RANDs and, with an item kernel, the whole verification of batch items. */
static int ext_kdf_rand(void *user, const void *const *compact, uint8_t fc, const uint8_t *const *p0,
                        const uint8_t *const *p1, size_t n, uint8_t *out, size_t out_len)
{
    return aiot_native_kdf_rand_impl(impl_of(user), compact, fc, p0, p1, n, out, out_len);
}

static void ext_verify_items(void *user, const aiotsec_batch_item *items, size_t n, size_t compact_off,
                             uint8_t fc, uint64_t *diffs)
{
    impl_of(user)->kdf3_items(items, n, compact_off, fc, diffs);
}

static const aiot_backend_ext ext_plain = {ext_kdf_rand, NULL};
static const aiot_backend_ext ext_items = {ext_kdf_rand, ext_verify_items};

const aiot_backend_ext *aiot_native_ext_of(const aiotsec_backend *be)
{
    /* Any table with the native operations (a built-in one or a context's copy) on a
     * path with kdf3; the others gain nothing over the library's own layout of S. */
    if (!be || be->hmac_batch_compact != op_batch_compact || !impl_of(be->user)->kdf3)
        return NULL;
    return impl_of(be->user)->kdf3_items ? &ext_items : &ext_plain;
}

/* The path "native" resolved to, for the bench and tests ("portable", "shani", "shani-vl" or "avx2"). */
const char *aiot_native_active_path(void)
{
    return impl_of(NULL)->name;
}
