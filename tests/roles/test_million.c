/* A 1,000,000-device key file, written into a temporary directory, loads into
 * the in-memory store, and every device authenticates end to end: a device
 * object per device answers a paging from the AIOTF, whose ADM reads the store. */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "roles_test_util.h"

/* Under valgrind (AIOTSEC_TEST_REDUCED set by tests/hardening) a smaller file. */
#define NDEV_FULL 1000000u
#define NDEV_REDUCED 20000u
#define BATCH 4096u

static void device_ids(uint32_t i, uint8_t ident[6], uint8_t perm[5], uint8_t key[16])
{
    ident[0] = 'T';
    ident[1] = (uint8_t)(i >> 24);
    ident[2] = (uint8_t)(i >> 16);
    ident[3] = (uint8_t)(i >> 8);
    ident[4] = (uint8_t)i;
    ident[5] = 0x01;
    perm[0] = 'P';
    memcpy(perm + 1, ident + 1, 4);
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

Test(million, load_and_authenticate_every_device, .timeout = 280)
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
    for (uint32_t i = 0; i < ndev; i++) {
        uint8_t id[6], perm[5], key[16];
        device_ids(i, id, perm, key);
        hex(f, id, 6);
        fputc(' ', f);
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
    aiotsec_adm_client client;
    aiotsec_aiotf *aiotf;
    aiotsec_aiotf_config cfg;
    cr_assert_eq(aiotsec_memstore_keystore(store, &ks), 0);
    cr_assert_eq(aiotsec_adm_new(&adm, ctx, &ks), 0);
    cr_assert_eq(aiotsec_adm_client_local(adm, &client), 0);
    cr_assert_eq(aiotsec_aiotf_config_init(&cfg, ctx), 0);
    cfg.max_pending = BATCH;
    cr_assert_eq(aiotsec_aiotf_new(&aiotf, ctx, &client, &cfg), 0);

    size_t dsz = (aiotsec_device_size() + 15) & ~(size_t)15;
    unsigned char *devmem = aligned_alloc(16, dsz);
    cr_assert_not_null(devmem);
    uint64_t rng = 7;
    static uint8_t rn[BATCH][16], pdu[BATCH][80];
    static size_t pl[BATCH];
    size_t ok = 0;
    for (uint32_t base = 0; base < ndev; base += BATCH) {
        uint32_t n = ndev - base < BATCH ? ndev - base : BATCH;
        /* Page the whole batch, then collect the reports. */
        for (uint32_t j = 0; j < n; j++) {
            uint8_t id[6], perm[5], key[16];
            device_ids(base + j, id, perm, key);
            uint64_t proc;
            cr_assert_eq(aiotsec_aiotf_start(aiotf, AIOTSEC_PROC_INVENTORY, id, 6, base, rn[j], 16, &proc), 0);
            aiotsec_device_config dc;
            aiotsec_device *dev;
            aiotsec_device_config_init(&dc, ctx);
            dc.ident = id;
            dc.ident_len = 6;
            dc.k_root = key;
            dc.k_root_len = 16;
            dc.rand = test_rand;
            dc.rand_user = &rng;
            cr_assert_eq(aiotsec_device_init(&dev, devmem, dsz, ctx, &dc), 0);
            cr_assert_eq(aiotsec_device_on_paging(dev, rn[j], 16, id, 6, pdu[j], sizeof pdu[j], &pl[j]), 0);
            aiotsec_device_clear(dev);
        }
        /* The reports of the batch in one call: the ADM's batch path. */
        static aiotsec_aiotf_report rep[BATCH];
        static uint8_t ids[BATCH][6];
        static int st[BATCH];
        static aiotsec_aiotf_result res[BATCH];
        for (uint32_t j = 0; j < n; j++) {
            uint8_t perm[5], key[16];
            device_ids(base + j, ids[j], perm, key);
            rep[j] = (aiotsec_aiotf_report){rn[j], 16, ids[j], 6, pdu[j], pl[j]};
        }
        cr_assert_eq(aiotsec_aiotf_on_reports(aiotf, base, rep, n, st, res), AIOTSEC_OK);
        for (uint32_t j = 0; j < n; j++) {
            uint8_t id[6], perm[5], key[16];
            device_ids(base + j, id, perm, key);
            cr_assert_eq(st[j], AIOTSEC_OK, "device %u: %s", base + j, aiotsec_status_name(st[j]));
            cr_assert_eq(res[j].perm_id_len, 5);
            cr_assert_arr_eq(res[j].perm_id, perm, 5);
            ok++;
        }
    }
    cr_assert_eq(ok, ndev);
    aiotsec_aiotf_stats st;
    cr_assert_eq(aiotsec_aiotf_stats_get(aiotf, &st), 0);
    cr_assert_eq(st.authenticated, ndev);
    cr_assert_eq(st.auth_failed + st.unsolicited + st.late, 0);
    free(devmem);
    aiotsec_aiotf_free(aiotf);
    aiotsec_adm_free(adm);
    aiotsec_memstore_free(store);
    aiotsec_ctx_free(ctx);
}
