/* The device role never allocates: every allocation call made from the
 * library's own code is counted (the static library is linked with
 * --wrap=malloc,calloc,realloc,aligned_alloc,posix_memalign) while a tag runs
 * paging, READ, WRITE, a replay and DISABLE. Allocations inside third-party
 * shared libraries are not visible here, which is why only the sodium and
 * native backends (that allocate nothing for HMAC) are checked. */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "roles_test_util.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t m);
void *__real_realloc(void *p, size_t n);
void *__real_aligned_alloc(size_t a, size_t n);
int __real_posix_memalign(void **p, size_t a, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t m);
void *__wrap_realloc(void *p, size_t n);
void *__wrap_aligned_alloc(size_t a, size_t n);
int __wrap_posix_memalign(void **p, size_t a, size_t n);

static int armed;
static unsigned long allocs;

void *__wrap_malloc(size_t n) { allocs += (unsigned long)armed; return __real_malloc(n); }
void *__wrap_calloc(size_t n, size_t m) { allocs += (unsigned long)armed; return __real_calloc(n, m); }
void *__wrap_realloc(void *p, size_t n) { allocs += (unsigned long)armed; return __real_realloc(p, n); }
void *__wrap_aligned_alloc(size_t a, size_t n) { allocs += (unsigned long)armed; return __real_aligned_alloc(a, n); }
int __wrap_posix_memalign(void **p, size_t a, size_t n) { allocs += (unsigned long)armed; return __real_posix_memalign(p, a, n); }

static void run(const char *backend)
{
    aiotsec_ctx *ctx;
    cr_assert_eq(aiotsec_ctx_new(&ctx, backend, NULL), 0);
    static const uint8_t ident[2] = {7, 7}, key[16] = {1, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 121, 98, 219};
    static const char text[] = "0707 7070 0101020305080d1522375990e97962db\n";
    aiotsec_memstore *store;
    aiotsec_keystore ks;
    aiotsec_adm *adm;
    aiotsec_adm_client client;
    aiotsec_aiotf *aiotf;
    cr_assert_eq(aiotsec_memstore_new(&store, ctx, 1), 0);
    cr_assert_eq(aiotsec_memstore_load_buffer(store, text, strlen(text), NULL), 0);
    cr_assert_eq(aiotsec_memstore_keystore(store, &ks), 0);
    cr_assert_eq(aiotsec_adm_new(&adm, ctx, &ks), 0);
    cr_assert_eq(aiotsec_adm_client_local(adm, &client), 0);
    cr_assert_eq(aiotsec_aiotf_new(&aiotf, ctx, &client, NULL), 0);

    static _Alignas(16) unsigned char storage[8192];
    static uint8_t memory[64];
    uint64_t rng = 3;
    cr_assert(aiotsec_device_size() <= sizeof storage);
    aiotsec_device_config cfg;
    cr_assert_eq(aiotsec_device_config_init(&cfg, ctx), 0);
    cfg.ident = ident;
    cfg.ident_len = 2;
    cfg.k_root = key;
    cfg.k_root_len = 16;
    cfg.memory = memory;
    cfg.memory_len = sizeof memory;
    cfg.rand = test_rand;
    cfg.rand_user = &rng;

    uint8_t rn[32], up[1100], down[1100], work[1100];
    size_t ul, dl;
    uint64_t proc;
    aiotsec_device *dev;
    aiotsec_nas_msg m;
    cr_assert_eq(aiotsec_aiotf_start(aiotf, AIOTSEC_PROC_COMMAND, ident, 2, 0, rn, 32, &proc), 0);
    armed = 1;
    cr_assert_eq(aiotsec_device_init(&dev, storage, sizeof storage, ctx, &cfg), 0);
    cr_assert_eq(aiotsec_device_on_paging(dev, rn, 16, ident, 2, up, sizeof up, &ul), 0);
    armed = 0;
    cr_assert_eq(aiotsec_aiotf_on_report(aiotf, 1, rn, 16, ident, 2, up, ul, NULL), 0);
    const int cmds[3] = {AIOTSEC_CMD_WRITE, AIOTSEC_CMD_READ, AIOTSEC_CMD_DISABLE};
    for (int i = 0; i < 3; i++) {
        cr_assert_eq(aiotsec_aiotf_command(aiotf, proc, 2, cmds[i], 8, 4, (const uint8_t *)"abcd", 4, down,
                                           sizeof down, &dl), 0);
        uint8_t again[1100];
        size_t al;
        armed = 1;
        cr_assert_eq(aiotsec_device_on_command(dev, down, dl, up, sizeof up, &ul), 0);
        if (cmds[i] == AIOTSEC_CMD_WRITE) /* a replay, refused without allocating either */
            cr_assert_eq(aiotsec_device_on_command(dev, down, dl, again, sizeof again, &al), AIOTSEC_E_REPLAY);
        armed = 0;
        cr_assert_eq(aiotsec_aiotf_on_command_response(aiotf, proc, 3, up, ul, work, sizeof work, &m), 0);
    }
    armed = 1;
    cr_assert_eq(aiotsec_device_state_get(dev), AIOTSEC_DEVICE_DISABLED);
    aiotsec_device_clear(dev);
    armed = 0;
    cr_assert_eq(allocs, 0, "backend %s: the device role allocated %lu times", backend, allocs);
    cr_assert_arr_eq(memory + 8, "abcd", 4);
    aiotsec_aiotf_free(aiotf);
    aiotsec_adm_free(adm);
    aiotsec_memstore_free(store);
    aiotsec_ctx_free(ctx);
}

Test(device_noalloc, sodium) { run("sodium"); }
Test(device_noalloc, native) { run("native"); }

/* The counter itself works (so a zero above means something). */
Test(device_noalloc, counter_counts)
{
    aiotsec_memstore *s;
    aiotsec_ctx *ctx;
    cr_assert_eq(aiotsec_ctx_new(&ctx, NULL, NULL), 0);
    armed = 1;
    cr_assert_eq(aiotsec_memstore_new(&s, ctx, 4), 0);
    armed = 0;
    cr_assert_gt(allocs, 0);
    aiotsec_memstore_free(s);
    aiotsec_ctx_free(ctx);
}
