/* The device role, and the AIOTF and ADM after their creation, never allocate:
 * every allocation call made from the library's own code is counted (the
 * static library is linked with --wrap=malloc,calloc,realloc,aligned_alloc,
 * posix_memalign) while a group command procedure runs end to end: getRand,
 * pagings, reports (a duplicate and a forgery among them), getAuthentication,
 * getSessionKey, WRITE, a replay, READ and PERMANENT_DISABLE. Allocations inside
 * third-party shared libraries are not visible here, which is why only the
 * sodium and native backends (that allocate nothing for HMAC) are checked. */
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

#define NDEV 6

static void run(const char *backend)
{
    aiotsec_ctx *ctx;
    cr_assert_eq(aiotsec_ctx_new(&ctx, backend, NULL), 0);
    static const char text[] = "7070 0101020305080d1522375990e97962db\n"
                               "7071 0201020305080d1522375990e97962db\n"
                               "7072 0301020305080d1522375990e97962db\n"
                               "7073 0401020305080d1522375990e97962db\n"
                               "7074 0501020305080d1522375990e97962db\n"
                               "7075 0601020305080d1522375990e97962db\n";
    static const uint8_t group[] = {8, 0x70};
    aiotsec_memstore *store;
    aiotsec_keystore ks;
    aiotsec_adm *adm;
    aiotsec_aiotf *aiotf;
    aiotsec_auth_answer *ans;
    aiotsec_aiotf_config acfg;
    cr_assert_eq(aiotsec_memstore_new(&store, ctx, NDEV), 0);
    cr_assert_eq(aiotsec_memstore_load_buffer(store, text, strlen(text), NULL), 0);
    cr_assert_eq(aiotsec_memstore_keystore(store, &ks), 0);
    cr_assert_eq(aiotsec_adm_new(&adm, ctx, &ks, NULL), 0);
    cr_assert_eq(aiotsec_auth_answer_new(&ans, 1024), 0);
    cr_assert_eq(aiotsec_aiotf_config_init(&acfg, ctx), 0);
    acfg.max_batch = 4; /* two getAuthentication requests */
    acfg.max_procedures = 4;
    acfg.max_reports = 64;
    acfg.max_requests = 8;
    acfg.max_sessions = 8;
    cr_assert_eq(aiotsec_aiotf_new(&aiotf, ctx, &acfg), 0);

    static _Alignas(16) unsigned char storage[NDEV][8192];
    static uint8_t memory[NDEV][64];
    uint64_t rng = 3;
    cr_assert(aiotsec_device_statebytes() <= sizeof storage[0]);
    aiotsec_device *dev[NDEV];
    uint8_t up[1100], down[1100], work[1100], forged[64];
    size_t ul, dl, fl = 0;
    uint64_t proc, rid[NDEV];
    aiotsec_nas_msg m;
    aiotsec_aiotf_summary sum;

    armed = 1; /* from here on, nothing may allocate */
    for (int i = 0; i < NDEV; i++) {
        uint8_t perm[2] = {0x70, (uint8_t)(0x70 + i)}, key[16];
        memcpy(key, "\x01\x01\x02\x03\x05\x08\x0d\x15\x22\x37\x59\x90\xe9\x79\x62\xdb", 16);
        key[0] = (uint8_t)(i + 1);
        aiotsec_device_config cfg;
        cr_assert_eq(aiotsec_device_config_init(&cfg, ctx), 0);
        cfg.perm_id = perm;
        cfg.perm_id_len = 2;
        cfg.k_root = key;
        cfg.k_root_len = 16;
        cfg.memory = memory[i];
        cfg.memory_len = sizeof memory[i];
        cfg.rand = test_rand;
        cfg.rand_user = &rng;
        cr_assert_eq(aiotsec_device_init(&dev[i], storage[i], sizeof storage[i], ctx, &cfg), 0);
    }
    cr_assert_eq(aiotsec_aiotf_start(aiotf, 0, AIOTSEC_PROC_COMMAND, NULL, 0, group, 2, NDEV, &proc), 0);
    cr_assert_eq(aiotsec_aiotf_pump_local(aiotf, 0, adm, ans, NULL), 0);
    cr_assert_eq(aiotsec_aiotf_summary_get(aiotf, proc, &sum), 0);
    for (int i = 0; i < NDEV; i++) {
        cr_assert_eq(aiotsec_device_on_paging(dev[i], sum.rand_n, 16, NULL, 0, group, 2, up, sizeof up, &ul), 0);
        if (i == 0) { /* a forgery first, then a duplicate of the genuine answer */
            memcpy(forged, up, ul);
            forged[4] ^= 1;
            forged[ul - 1] ^= 1;
            fl = ul;
            cr_assert_eq(aiotsec_aiotf_on_report(aiotf, 1, sum.rand_n, 16, forged, fl, NULL), 0);
        }
        /* The last genuine answer is beyond the cap: held back as a spare, it takes
         * the forgery's place once the forgery fails. */
        cr_assert_eq(aiotsec_aiotf_on_report(aiotf, 1, sum.rand_n, 16, up, ul, &rid[i]), 0);
        if (i == 0)
            cr_assert_eq(aiotsec_aiotf_on_report(aiotf, 1, sum.rand_n, 16, up, ul, NULL), AIOTSEC_E_DUPLICATE_REPORT);
    }
    cr_assert_eq(aiotsec_aiotf_pump_local(aiotf, 2, adm, ans, NULL), 0);
    cr_assert_eq(aiotsec_aiotf_summary_get(aiotf, proc, &sum), 0);
    cr_assert_eq(sum.authenticated, NDEV);
    cr_assert_eq(sum.auth_failed, 1);
    cr_assert_eq(sum.spares, 1);
    const aiotsec_cmd cmds[3] = {AIOTSEC_CMD_WRITE, AIOTSEC_CMD_READ, AIOTSEC_CMD_PERMANENT_DISABLE};
    for (int i = 0; i < NDEV; i++)
        for (int c = 0; c < 3; c++) {
            cr_assert_eq(aiotsec_aiotf_command(aiotf, rid[i], 2, cmds[c], 8, 4, (const uint8_t *)"abcd", 4, down,
                                               sizeof down, &dl), 0);
            uint8_t again[1100];
            size_t al;
            cr_assert_eq(aiotsec_device_on_command(dev[i], down, dl, up, sizeof up, &ul), 0);
            if (cmds[c] == AIOTSEC_CMD_WRITE) /* a replay, refused */
                cr_assert_eq(aiotsec_device_on_command(dev[i], down, dl, again, sizeof again, &al), AIOTSEC_E_REPLAY);
            cr_assert_eq(aiotsec_aiotf_on_command_response(aiotf, rid[i], 3, up, ul, work, sizeof work, &m), 0);
        }
    for (int i = 0; i < NDEV; i++) {
        cr_assert_eq(dev_state(dev[i]), AIOTSEC_DEVICE_DISABLED);
        aiotsec_device_clear(dev[i]);
    }
    cr_assert_eq(aiotsec_aiotf_finish(aiotf, proc), 0);
    armed = 0;
    cr_assert_eq(allocs, 0, "backend %s: %lu allocations after creation", backend, allocs);
    cr_assert_arr_eq(memory[0] + 8, "abcd", 4);
    aiotsec_aiotf_free(aiotf);
    aiotsec_auth_answer_free(ans);
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
