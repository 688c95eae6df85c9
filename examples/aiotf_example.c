/* AIOTF example: a group inventory. The AIOTF pages a filter; the three tags it
 * matches answer (the fourth stays silent), their reports go to the ADM in one
 * getAuthentication, and each is identified by the candidate its RES_AIOT
 * matches. The AIOTF never calls the ADM: carry() takes its queued requests and
 * brings the answers back - where a real AIOTF plugs in its Nadm_Sec client.
 * Then a report nobody asked for is dropped before any ADM request.
 * Build: cc aiotf_example.c $(pkg-config --cflags --libs aiotsec) */
#include <stdio.h>
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

static int tag_random(void *user, uint8_t *out, size_t len)
{
    return aiotsec_random(user, out, len);
}

/* The transport: every queued request to the ADM, every answer back. */
static size_t carry(aiotsec_aiotf *aiotf, const aiotsec_adm *adm, aiotsec_auth_answer *ans)
{
    aiotsec_adm_request rq[8];
    size_t n = 0, total = 0;
    while (aiotsec_aiotf_next_requests(aiotf, now_ms(), rq, 8, &n) == 0 && n) {
        for (size_t i = 0; i < n; i++, total++) {
            if (rq[i].op == AIOTSEC_ADM_GET_RAND) {
                uint8_t rand_n[16];
                int rc = aiotsec_adm_get_rand(adm, rand_n, sizeof rand_n);
                aiotsec_aiotf_on_rand(aiotf, rq[i].id, now_ms(), rc, rand_n, sizeof rand_n, NULL);
            } else if (rq[i].op == AIOTSEC_ADM_GET_AUTHENTICATION) {
                int rc = aiotsec_adm_get_authentication(adm, &rq[i], ans);
                aiotsec_aiotf_on_authentication(aiotf, rq[i].id, now_ms(), rc, ans, NULL);
                aiotsec_auth_answer_reset(ans);
            } else if (rq[i].op == AIOTSEC_ADM_GET_SESSION_KEY) {
                uint8_t kaiotf[16];
                int rc = aiotsec_adm_get_session_key(adm, rq[i].perm_id, rq[i].perm_id_len, rq[i].rand_n,
                                                     rq[i].rand_n_len, rq[i].rand_d, 16, kaiotf, sizeof kaiotf);
                aiotsec_aiotf_on_session_key(aiotf, rq[i].id, now_ms(), rc, kaiotf, sizeof kaiotf, NULL);
                aiotsec_wipe(kaiotf, sizeof kaiotf);
            }
        }
    }
    return total;
}

int main(void)
{
    static const char keys[] = "a100000001 000102030405060708090a0b0c0d0e0f\n"
                               "a100000002 101112131415161718191a1b1c1d1e1f\n"
                               "a100000003 202122232425262728292a2b2c2d2e2f\n"
                               "b200000004 303132333435363738393a3b3c3d3e3f\n";
    static const uint8_t perm[4][5] = {{0xa1, 0, 0, 0, 1}, {0xa1, 0, 0, 0, 2}, {0xa1, 0, 0, 0, 3}, {0xb2, 0, 0, 0, 4}};
    static const uint8_t group_a1[] = {8, 0xa1}; /* AiotFilteringInformation: the 8-bit prefix a1 */
    aiotsec_ctx *ctx = NULL;
    aiotsec_memstore *store = NULL;
    aiotsec_keystore ks;
    aiotsec_adm *adm = NULL;
    aiotsec_auth_answer *ans = NULL;
    aiotsec_aiotf *aiotf = NULL;
    aiotsec_aiotf_config cfg;
    int rc = aiotsec_ctx_new(&ctx, NULL, NULL);
    if (rc == 0) rc = aiotsec_memstore_new(&store, ctx, 4);
    if (rc == 0) rc = aiotsec_memstore_load_buffer(store, keys, strlen(keys), NULL);
    if (rc == 0) rc = aiotsec_memstore_keystore(store, &ks);
    if (rc == 0) rc = aiotsec_adm_new(&adm, ctx, &ks, NULL);
    if (rc == 0) rc = aiotsec_auth_answer_new(&ans, aiotsec_adm_max_derivations(adm));
    if (rc == 0) rc = aiotsec_aiotf_config_init(&cfg, ctx);
    cfg.timeout_ms = 2000;
    if (rc == 0) rc = aiotsec_aiotf_new(&aiotf, ctx, &cfg);
    if (rc != 0)
        return fprintf(stderr, "setup: %s\n", aiotsec_strerror(rc)), 1;

    /* The tags (simulated here; on air they are battery-less tags). */
    static const uint8_t k[4][16] = {{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
                                     {16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31},
                                     {32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47},
                                     {48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63}};
    static _Alignas(AIOTSEC_DEVICE_ALIGN) unsigned char mem[4][2048];
    aiotsec_device *dev[4];
    for (int i = 0; i < 4; i++) {
        aiotsec_device_config dc;
        aiotsec_device_config_init(&dc, ctx);
        dc.perm_id = perm[i];
        dc.perm_id_len = sizeof perm[i];
        dc.k_root = k[i];
        dc.k_root_len = 16;
        dc.rand = tag_random;
        dc.rand_user = ctx;
        if (aiotsec_device_init(&dev[i], mem[i], sizeof mem[i], ctx, &dc) != 0)
            return 1;
    }

    /* Steps 1-2: the procedure, its RAND_AIOT_n (getRand), up to 3 answers expected. */
    uint64_t proc = 0;
    aiotsec_aiotf_summary sum;
    rc = aiotsec_aiotf_start(aiotf, now_ms(), AIOTSEC_PROC_INVENTORY, NULL, 0, group_a1, sizeof group_a1, 3, &proc);
    carry(aiotf, adm, ans);
    if (rc == 0) rc = aiotsec_aiotf_summary_get(aiotf, proc, &sum);
    /* Steps 3-6: the paging reaches every tag; those the filter matches answer (no identifier). */
    int silent = 0;
    for (int i = 0; rc == 0 && i < 4; i++) {
        uint8_t report[64];
        size_t len = 0;
        int st = aiotsec_device_on_paging(dev[i], sum.rand_n, 16, NULL, 0, group_a1, sizeof group_a1, report,
                                          sizeof report, &len);
        if (st == AIOTSEC_E_NOT_ADDRESSED)
            silent++;
        else if (st == 0)
            rc = aiotsec_aiotf_on_report(aiotf, now_ms(), sum.rand_n, 16, report, len, NULL);
        else
            rc = st;
    }
    /* Steps 7-10: the third answer completed the group: one getAuthentication, then verdicts. */
    size_t carried = carry(aiotf, adm, ans), n = 0;
    aiotsec_aiotf_device found[4];
    if (rc == 0) rc = aiotsec_aiotf_devices(aiotf, proc, found, 4, &n);
    for (size_t i = 0; rc == 0 && i < n; i++)
        printf("report %zu: %s, Permanent Identifier %02x%02x%02x%02x%02x\n", i + 1,
               aiotsec_status_name(found[i].status), found[i].perm_id[0], found[i].perm_id[1], found[i].perm_id[2],
               found[i].perm_id[3], found[i].perm_id[4]);
    if (rc == 0) rc = aiotsec_aiotf_summary_get(aiotf, proc, &sum);
    printf("group a1/8: %u identified, %d tag silent, %zu ADM request; result %s\n", (unsigned)sum.authenticated,
           silent, carried, sum.failure_cause ? aiotsec_failure_cause_name(sum.failure_cause) : "success");
    aiotsec_aiotf_finish(aiotf, proc);

    /* A report nobody asked for (a paging storm, a spoofer): dropped, no ADM request. */
    uint8_t fake_rand[16] = {0}, report[64];
    size_t len = 0;
    aiotsec_device_on_paging(dev[0], fake_rand, 16, perm[0], 5, NULL, 0, report, sizeof report, &len);
    int drop = aiotsec_aiotf_on_report(aiotf, now_ms(), fake_rand, 16, report, len, NULL);
    size_t after = carry(aiotf, adm, ans);
    printf("unsolicited report: %s, %zu ADM request\n", aiotsec_status_name(drop), after);

    int ok = rc == 0 && sum.authenticated == 3 && silent == 1 && carried == 1 && drop == AIOTSEC_E_NO_PENDING &&
             after == 0;
    for (int i = 0; i < 4; i++)
        aiotsec_device_clear(dev[i]);
    aiotsec_aiotf_free(aiotf);
    aiotsec_auth_answer_free(ans);
    aiotsec_adm_free(adm);
    aiotsec_memstore_free(store);
    aiotsec_ctx_free(ctx);
    return ok ? 0 : 1;
}
