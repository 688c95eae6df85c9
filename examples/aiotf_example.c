/* AIOTF example: inventory of three devices, with the ADM behind an
 * aiotsec_adm_client table (where a real AIOTF plugs in its Nadm SBI client),
 * and an unsolicited report dropped before any ADM call.
 * Build: cc aiotf_example.c $(pkg-config --cflags --libs aiotsec) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <aiotsec/aiotsec.h>

/* A monotonic clock in milliseconds: the library never reads one itself. */
static uint64_t now_ms(void)
{
    struct timespec ts;
    timespec_get(&ts, TIME_UTC); /* use CLOCK_MONOTONIC in production */
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int dev_random(void *user, uint8_t *out, size_t len)
{
    return aiotsec_random(user, out, len);
}

int main(void)
{
    static const char keys[] = "01 5045524d2d31 000102030405060708090a0b0c0d0e0f\n"
                               "02 5045524d2d32 101112131415161718191a1b1c1d1e1f\n"
                               "03 5045524d2d33 202122232425262728292a2b2c2d2e2f\n";
    aiotsec_ctx *ctx = NULL;
    aiotsec_memstore *store = NULL;
    aiotsec_keystore ks;
    aiotsec_adm *adm = NULL;
    aiotsec_adm_client client;
    aiotsec_aiotf *aiotf = NULL;
    aiotsec_aiotf_config cfg;
    int rc = aiotsec_ctx_new(&ctx, NULL, NULL);
    if (rc == 0) rc = aiotsec_memstore_new(&store, ctx, 3);
    if (rc == 0) rc = aiotsec_memstore_load_buffer(store, keys, strlen(keys), NULL);
    if (rc == 0) rc = aiotsec_memstore_keystore(store, &ks);
    if (rc == 0) rc = aiotsec_adm_new(&adm, ctx, &ks);
    if (rc == 0) rc = aiotsec_adm_client_local(adm, &client);
    if (rc == 0) rc = aiotsec_aiotf_config_init(&cfg, ctx);
    cfg.max_pending = 1024;
    cfg.timeout_ms = 2000;
    if (rc == 0) rc = aiotsec_aiotf_new(&aiotf, ctx, &client, &cfg);
    if (rc != 0)
        return fprintf(stderr, "setup: %s\n", aiotsec_strerror(rc)), 1;

    /* The devices (simulated here; on air they are tags). */
    static const uint8_t k[3][16] = {{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
                                     {16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31},
                                     {32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47}};
    size_t dsz = aiotsec_device_size();
    void *mem[3];
    aiotsec_device *dev[3];
    for (int i = 0; i < 3; i++) {
        uint8_t id = (uint8_t)(i + 1);
        aiotsec_device_config dc;
        aiotsec_device_config_init(&dc, ctx);
        dc.ident = &id;
        dc.ident_len = 1;
        dc.k_root = k[i];
        dc.k_root_len = 16;
        dc.rand = dev_random;
        dc.rand_user = ctx;
        mem[i] = aligned_alloc(AIOTSEC_DEVICE_ALIGN, (dsz + 15) & ~(size_t)15);
        if (!mem[i] || aiotsec_device_init(&dev[i], mem[i], dsz, ctx, &dc) != 0)
            return 1;
    }

    int authenticated = 0;
    for (int i = 0; i < 3; i++) {
        uint8_t ident = (uint8_t)(i + 1), rand_n[32], report[128];
        size_t report_len = 0, rn = aiotsec_rand_n_len(ctx);
        uint64_t proc;
        aiotsec_aiotf_result res;
        /* Steps 1-2: RAND_AIOT_n from the ADM, Inventory Request to NG-RAN. */
        rc = aiotsec_aiotf_start(aiotf, AIOTSEC_PROC_INVENTORY, &ident, 1, now_ms(), rand_n, sizeof rand_n, &proc);
        /* Steps 3-6: paging, the device's AUTHENTICATION RESPONSE, the Inventory Report. */
        if (rc == 0)
            rc = aiotsec_device_on_paging(dev[i], rand_n, rn, &ident, 1, report, sizeof report, &report_len);
        /* Steps 7-10: the ADM's XRES_AIOT, compared in constant time. */
        if (rc == 0)
            rc = aiotsec_aiotf_on_report(aiotf, now_ms(), rand_n, rn, &ident, 1, report, report_len, &res);
        printf("device %d: %s", i + 1, aiotsec_status_name(rc));
        if (rc == 0)
            printf(" (permanent identifier %.*s)", (int)res.perm_id_len, (const char *)res.perm_id);
        printf("\n");
        authenticated += rc == 0;
    }

    /* A report nobody asked for (a paging storm, a spoofer): dropped, no ADM call. */
    uint8_t fake_rand[32] = {0}, ident = 1, report[128];
    size_t report_len;
    aiotsec_device_on_paging(dev[0], fake_rand, aiotsec_rand_n_len(ctx), &ident, 1, report, sizeof report,
                             &report_len);
    rc = aiotsec_aiotf_on_report(aiotf, now_ms(), fake_rand, aiotsec_rand_n_len(ctx), &ident, 1, report,
                                 report_len, NULL);
    aiotsec_aiotf_stats st;
    aiotsec_aiotf_stats_get(aiotf, &st);
    printf("unsolicited report: %s; authenticated %llu, unsolicited %llu, ADM calls %llu\n",
           aiotsec_status_name(rc), (unsigned long long)st.authenticated,
           (unsigned long long)st.unsolicited, (unsigned long long)st.adm_calls);
    int ok = authenticated == 3 && rc == AIOTSEC_E_NO_PENDING && st.adm_calls == 6;
    for (int i = 0; i < 3; i++) {
        aiotsec_device_clear(dev[i]);
        free(mem[i]);
    }
    aiotsec_aiotf_free(aiotf);
    aiotsec_adm_free(adm);
    aiotsec_memstore_free(store);
    aiotsec_ctx_free(ctx);
    return ok ? 0 : 1;
}
