/* A 1,000,000-device key file, written into a temporary directory, loads into
 * the in-memory store, and every device is identified by group inventories:
 * groups of 16 tags (a 36-bit filter), each tag a device object answering its
 * group's paging, the AIOTF batching the answers into getAuthentication
 * requests that the in-process ADM answers with 16 candidates per RAND_AIOT_d. */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "roles_test_util.h"

/* Under valgrind (AIOTSEC_TEST_REDUCED set by tests/hardening) a smaller file. */
#define NDEV_FULL 1000000u
#define NDEV_REDUCED 20000u
#define GROUP 16u    /* tags per group: the low 4 bits of the identifier */
#define ROUND 4096u  /* tags paged per round (ROUND / GROUP procedures at once) */

/* Permanent Identifier 'P' || i (32 bits, big-endian), a key from i. */
static void device_ids(uint32_t i, uint8_t perm[5], uint8_t key[16])
{
    perm[0] = 'P';
    perm[1] = (uint8_t)(i >> 24);
    perm[2] = (uint8_t)(i >> 16);
    perm[3] = (uint8_t)(i >> 8);
    perm[4] = (uint8_t)i;
    uint64_t seed = 0x9e3779b97f4a7c15ull ^ i;
    test_rand(&seed, key, 16);
}

static void hex(FILE *f, const uint8_t *p, size_t n)
{
    static const char d[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        fputc(d[p[i] >> 4], f);
        fputc(d[p[i] & 15], f);
    }
}

Test(million, load_and_identify_every_device_by_group, .timeout = 280)
{
    const char *reduced = getenv("AIOTSEC_TEST_REDUCED");
    const uint32_t ndev = reduced && *reduced && *reduced != '0' ? NDEV_REDUCED : NDEV_FULL;
    char dir[] = "/tmp/aiotsec-million-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof path, "%s/keys.txt", dir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fprintf(f, "# %u devices\n", ndev);
    /* Written in a scrambled order: the store sorts them for the filters. */
    for (uint32_t k = 0; k < ndev; k++) {
        uint32_t i = (uint32_t)(((uint64_t)k * 7919u) % ndev);
        uint8_t perm[5], key[16];
        device_ids(i, perm, key);
        hex(f, perm, 5);
        fputc(' ', f);
        hex(f, key, 16);
        fputc('\n', f);
    }
    cr_assert_eq(fclose(f), 0);

    aiotsec_ctx *ctx;
    cr_assert_eq(aiotsec_ctx_new(&ctx, NULL, NULL), AIOTSEC_OK);
    aiotsec_memstore *store;
    cr_assert_eq(aiotsec_memstore_new(&store, ctx, 0), AIOTSEC_OK); /* grows: no size hint */
    size_t line = 0;
    int rc = aiotsec_memstore_load_file(store, path, &line);
    cr_assert_eq(rc, AIOTSEC_OK, "%s at line %zu", aiotsec_status_name(rc), line);
    cr_assert_eq(aiotsec_memstore_count(store), ndev);
    unlink(path);
    rmdir(dir);

    aiotsec_keystore ks;
    aiotsec_adm *adm;
    aiotsec_aiotf *aiotf;
    aiotsec_auth_answer *ans;
    aiotsec_aiotf_config cfg;
    cr_assert_eq(aiotsec_memstore_keystore(store, &ks), 0);
    cr_assert_eq(aiotsec_adm_new(&adm, ctx, &ks, NULL), 0);
    cr_assert_eq(aiotsec_auth_answer_new(&ans, 65536), 0);
    cr_assert_eq(aiotsec_aiotf_config_init(&cfg, ctx), 0);
    cfg.max_procedures = ROUND / GROUP;
    cfg.max_reports = ROUND;
    cr_assert_eq(aiotsec_aiotf_new(&aiotf, ctx, &cfg), 0);

    size_t dsz = (aiotsec_device_statebytes() + 15) & ~(size_t)15;
    unsigned char *devmem = aligned_alloc(16, dsz);
    cr_assert_not_null(devmem);
    uint64_t rng = 7, derivations = 0;
    static uint64_t procs[ROUND / GROUP];
    static aiotsec_aiotf_device devs[GROUP];
    size_t identified = 0;
    for (uint32_t base = 0; base < ndev; base += ROUND) {
        uint32_t n = ndev - base < ROUND ? ndev - base : ROUND, groups = (n + GROUP - 1) / GROUP;
        for (uint32_t g = 0; g < groups; g++) {
            uint8_t perm[5], key[16], flt[AIOTSEC_FILTER_MAX];
            size_t fl;
            device_ids(base + g * GROUP, perm, key);
            cr_assert_eq(aiotsec_filter_make(NULL, perm, 36, flt, sizeof flt, &fl), 0);
            uint32_t size = n - g * GROUP < GROUP ? n - g * GROUP : GROUP;
            cr_assert_eq(aiotsec_aiotf_start(aiotf, base, AIOTSEC_PROC_INVENTORY, NULL, 0, flt, fl, size, &procs[g]),
                         0);
        }
        cr_assert_eq(aiotsec_aiotf_pump_local(aiotf, base, adm, ans, NULL), 0); /* the getRands */
        for (uint32_t j = 0; j < n; j++) {
            uint32_t g = j / GROUP;
            aiotsec_aiotf_summary sum;
            cr_assert_eq(aiotsec_aiotf_summary_get(aiotf, procs[g], &sum), 0);
            uint8_t perm[5], key[16], flt[AIOTSEC_FILTER_MAX], pdu[64];
            size_t fl, pl;
            device_ids(base + j, perm, key);
            cr_assert_eq(aiotsec_filter_make(NULL, perm, 36, flt, sizeof flt, &fl), 0);
            aiotsec_device_config dc;
            aiotsec_device *dev;
            aiotsec_device_config_init(&dc, ctx);
            dc.perm_id = perm;
            dc.perm_id_len = 5;
            dc.k_root = key;
            dc.k_root_len = 16;
            dc.rand = test_rand;
            dc.rand_user = &rng;
            cr_assert_eq(aiotsec_device_init(&dev, devmem, dsz, ctx, &dc), 0);
            cr_assert_eq(aiotsec_device_on_paging(dev, sum.rand_n, 16, NULL, 0, flt, fl, pdu, sizeof pdu, &pl), 0);
            aiotsec_device_clear(dev);
            cr_assert_eq(aiotsec_aiotf_on_report(aiotf, base, sum.rand_n, 16, pdu, pl, NULL), 0);
        }
        cr_assert_eq(aiotsec_aiotf_pump_local(aiotf, base, adm, ans, NULL), 0); /* the getAuthentications */
        for (uint32_t g = 0; g < groups; g++) {
            size_t cnt = 0;
            cr_assert_eq(aiotsec_aiotf_devices(aiotf, procs[g], devs, GROUP, &cnt), 0);
            uint32_t size = n - g * GROUP < GROUP ? n - g * GROUP : GROUP;
            cr_assert_eq(cnt, size);
            derivations += (uint64_t)size * size;
            for (size_t k = 0; k < cnt; k++) {
                uint8_t perm[5], key[16];
                device_ids(base + g * GROUP + (uint32_t)k, perm, key);
                cr_assert_eq(devs[k].status, AIOTSEC_OK, "device %u: %s", base + g * GROUP + (uint32_t)k,
                             aiotsec_status_name(devs[k].status));
                cr_assert_eq(devs[k].perm_id_len, 5);
                cr_assert_arr_eq(devs[k].perm_id, perm, 5);
                identified++;
            }
            cr_assert_eq(aiotsec_aiotf_finish(aiotf, procs[g]), 0);
        }
    }
    cr_assert_eq(identified, ndev);
    aiotsec_aiotf_stats st;
    cr_assert_eq(aiotsec_aiotf_stats_get(aiotf, &st), 0);
    cr_assert_eq(st.authenticated, ndev);
    cr_assert_eq(st.auth_failed + st.unsolicited + st.late + st.duplicate + st.over_cap, 0);
    cr_assert_geq(derivations, ndev);
    free(devmem);
    aiotsec_aiotf_free(aiotf);
    aiotsec_auth_answer_free(ans);
    aiotsec_adm_free(adm);
    aiotsec_memstore_free(store);
    aiotsec_ctx_free(ctx);
}
