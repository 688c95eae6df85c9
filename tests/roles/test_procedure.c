#define _POSIX_C_SOURCE 200809L
/* The three roles against each other, in-process: group inventories (a filter
 * that matches some tags and not others), named inventories, the command
 * sequence per identified device, the asynchronous ADM (retries, splits on 413,
 * answers that do not fit) and every attack with its specific status. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

#include "roles_test_util.h"

#define NDEV 8
#define MEM_LEN 256

/* Permanent Identifiers: devices 0..4 are "a1 ..." (the group), 5..7 are not. */
static const uint8_t PERM[NDEV][5] = {
    {0xa1, 0x00, 0x00, 0x00, 0x01}, {0xa1, 0x00, 0x00, 0x00, 0x02}, {0xa1, 0x0f, 0x00, 0x00, 0x03},
    {0xa1, 0x0f, 0xff, 0xff, 0x04}, {0xa1, 0x80, 0x00, 0x00, 0x05}, {0xa2, 0x00, 0x00, 0x00, 0x06},
    {0xb2, 0x00, 0x00, 0x00, 0x07}, {0x21, 0x00, 0x00, 0x00, 0x08}};
static const uint8_t GROUP_A1[] = {8, 0xa1}; /* filter: the first 8 bits are a1 */

typedef struct world {
    aiotsec_ctx *ctx;
    aiotsec_memstore *store;
    aiotsec_adm *adm;
    aiotsec_aiotf *aiotf;
    test_transport tt;
    uint8_t key[NDEV][32];
    void *dev_mem[NDEV];
    aiotsec_device *dev[NDEV];
    uint8_t memory[NDEV][MEM_LEN];
    uint64_t rng[NDEV];
} world;

static world W;

static void make_device(world *w, int i, const uint8_t *key, unsigned int_alg, unsigned enc_alg)
{
    aiotsec_device_config cfg;
    cr_assert_eq(aiotsec_device_config_init(&cfg, w->ctx), AIOTSEC_OK);
    cfg.perm_id = PERM[i];
    cfg.perm_id_len = sizeof PERM[i];
    cfg.k_root = key;
    cfg.k_root_len = 32;
    cfg.memory = w->memory[i];
    cfg.memory_len = MEM_LEN;
    cfg.wp_offset = 0;
    cfg.wp_len = 16; /* the first 16 octets hold the (read-only) tag identity */
    cfg.rand = test_rand;
    cfg.rand_user = &w->rng[i];
    if (int_alg) {
        cfg.int_alg = int_alg;
        cfg.enc_alg = enc_alg;
    }
    free(w->dev_mem[i]);
    w->dev_mem[i] = aligned_alloc(16, (aiotsec_device_statebytes() + 15) & ~(size_t)15);
    cr_assert_eq(aiotsec_device_init(&w->dev[i], w->dev_mem[i], aiotsec_device_statebytes(), w->ctx, &cfg),
                 AIOTSEC_OK);
}

static void build_adm(world *w, uint32_t max_derivations)
{
    aiotsec_adm_free(w->adm);
    aiotsec_keystore ks;
    cr_assert_eq(aiotsec_memstore_keystore(w->store, &ks), AIOTSEC_OK);
    aiotsec_adm_config ac;
    cr_assert_eq(aiotsec_adm_config_init(&ac, w->ctx), AIOTSEC_OK);
    if (max_derivations)
        ac.max_derivations = max_derivations;
    cr_assert_eq(aiotsec_adm_new(&w->adm, w->ctx, &ks, &ac), AIOTSEC_OK);
    w->tt.adm = w->adm;
}

static void build_profile(world *w, const char *backend, unsigned int_alg, unsigned enc_alg,
                          const aiotsec_profile *profile)
{
    memset(w, 0, sizeof *w);
    cr_assert_eq(aiotsec_ctx_new(&w->ctx, backend, profile), AIOTSEC_OK);
    cr_assert_eq(aiotsec_memstore_new(&w->store, w->ctx, 0), AIOTSEC_OK);
    uint64_t seed = 42;
    for (int i = 0; i < NDEV; i++) {
        test_rand(&seed, w->key[i], 32);
        cr_assert_eq(aiotsec_memstore_add(w->store, PERM[i], sizeof PERM[i], w->key[i], 32), AIOTSEC_OK);
        for (int j = 0; j < MEM_LEN; j++)
            w->memory[i][j] = (uint8_t)(j ^ i);
        w->rng[i] = 1000u + (uint64_t)i;
        make_device(w, i, w->key[i], int_alg, enc_alg);
    }
    build_adm(w, 0);
    cr_assert_eq(aiotsec_auth_answer_new(&w->tt.ans, 65536), AIOTSEC_OK);
    aiotsec_aiotf_config cfg;
    cr_assert_eq(aiotsec_aiotf_config_init(&cfg, w->ctx), AIOTSEC_OK);
    cfg.max_procedures = 16;
    cfg.max_reports = 64;
    cfg.max_requests = 16;
    cfg.max_batch = 4;
    cfg.max_sessions = 8;
    cfg.timeout_ms = 1000;
    cfg.spare_reports = 0; /* a cap is a hard cap here; spares have their own tests */
    if (int_alg) {
        cfg.int_alg = int_alg;
        cfg.enc_alg = enc_alg;
    }
    cr_assert_eq(aiotsec_aiotf_new(&w->aiotf, w->ctx, &cfg), AIOTSEC_OK);
}

static void build(world *w, const char *backend, unsigned int_alg, unsigned enc_alg)
{
    build_profile(w, backend, int_alg, enc_alg, NULL);
}

static void teardown_world(world *w)
{
    aiotsec_aiotf_free(w->aiotf);
    aiotsec_auth_answer_free(w->tt.ans);
    aiotsec_adm_free(w->adm);
    aiotsec_memstore_free(w->store);
    for (int i = 0; i < NDEV; i++) {
        aiotsec_device_clear(w->dev[i]);
        free(w->dev_mem[i]);
    }
    aiotsec_ctx_free(w->ctx);
}

static void setup(void) { build(&W, NULL, 0, 0); }
static void teardown(void) { teardown_world(&W); }

/* Steps 1-2: a procedure and its RAND_AIOT_n (the getRand goes through the transport). */
static uint64_t start(world *w, int type, const uint8_t *perm, size_t perm_len, const uint8_t *filter,
                      size_t filter_len, uint32_t expected, uint64_t now, uint8_t rand_n[16])
{
    uint64_t proc = 0;
    cr_assert_eq(aiotsec_aiotf_start(w->aiotf, now, type, perm, perm_len, filter, filter_len, expected, &proc),
                 AIOTSEC_OK);
    aiotsec_adm_request rq;
    size_t n = 0;
    cr_assert_eq(aiotsec_aiotf_next_requests(w->aiotf, now, &rq, 1, &n), AIOTSEC_OK);
    cr_assert_eq(n, 1);
    cr_assert_eq(rq.op, AIOTSEC_ADM_GET_RAND);
    cr_assert_eq(rq.proc_id, proc);
    cr_assert_eq(aiotsec_adm_get_rand(w->adm, rand_n, 16), AIOTSEC_OK);
    uint64_t got = 0;
    cr_assert_eq(aiotsec_aiotf_on_rand(w->aiotf, rq.id, now, AIOTSEC_OK, rand_n, 16, &got), AIOTSEC_OK);
    cr_assert_eq(got, proc);
    w->tt.rand_calls++;
    return proc;
}

/* Steps 3-6: the paging reaches every device; those it addresses answer, and
 * their reports go to the AIOTF. Returns how many reports it accepted (queued). */
static int radio(world *w, const uint8_t rand_n[16], const uint8_t *perm, size_t perm_len, const uint8_t *filter,
                 size_t filter_len, uint64_t now, uint64_t report_id[NDEV])
{
    int accepted = 0;
    for (int i = 0; i < NDEV; i++) {
        uint8_t pdu[64];
        size_t pl = 99;
        int rc = aiotsec_device_on_paging(w->dev[i], rand_n, 16, perm, perm_len, filter, filter_len, pdu,
                                          sizeof pdu, &pl);
        if (report_id)
            report_id[i] = 0;
        if (rc == AIOTSEC_E_NOT_ADDRESSED || rc == AIOTSEC_E_DEVICE_DISABLED) {
            cr_assert_eq(pl, 0);
            continue;
        }
        cr_assert_eq(rc, AIOTSEC_OK, "device %d: %s", i, aiotsec_status_name(rc));
        rc = aiotsec_aiotf_on_report(w->aiotf, now, rand_n, 16, pdu, pl, report_id ? &report_id[i] : NULL);
        cr_assert(rc == AIOTSEC_OK || rc == AIOTSEC_E_OVER_CAP, "device %d: %s", i, aiotsec_status_name(rc));
        accepted += rc == AIOTSEC_OK;
    }
    return accepted;
}

static int identified_as(world *w, uint64_t report_id, int i)
{
    aiotsec_aiotf_device d;
    cr_assert_eq(aiotsec_aiotf_device_get(w->aiotf, report_id, &d), AIOTSEC_OK);
    return d.status == AIOTSEC_OK && d.perm_id_len == sizeof PERM[i] && memcmp(d.perm_id, PERM[i], 5) == 0;
}

/* A command procedure for device i, named, up to a secured session; returns the report id. */
static uint64_t secure_device(world *w, int i, uint64_t now, uint64_t *proc_out)
{
    uint8_t rn[16];
    uint64_t proc = start(w, AIOTSEC_PROC_COMMAND, PERM[i], 5, NULL, 0, 1, now, rn);
    uint64_t rid[NDEV];
    cr_assert_eq(radio(w, rn, PERM[i], 5, NULL, 0, now, rid), 1);
    tt_pump(&w->tt, w->aiotf, now);
    aiotsec_aiotf_device d;
    cr_assert_eq(aiotsec_aiotf_device_get(w->aiotf, rid[i], &d), AIOTSEC_OK);
    cr_assert_eq(d.status, AIOTSEC_OK);
    cr_assert_eq(d.secured, 1);
    if (proc_out)
        *proc_out = proc;
    return rid[i];
}

/* AIOTF -> device -> AIOTF for one command; returns the decoded response status. */
static int run_command(world *w, int i, uint64_t rid, aiotsec_cmd cmd, uint16_t off, uint16_t len,
                       const uint8_t *data, size_t dlen, uint8_t *read_out, size_t *read_len)
{
    static uint8_t req[8200], resp[8200], work[8200]; /* the largest message of any test's profile */
    size_t rl, sl;
    cr_assert_eq(aiotsec_aiotf_command(w->aiotf, rid, 10, cmd, off, len, data, dlen, req, sizeof req, &rl),
                 AIOTSEC_OK);
    cr_assert_eq(aiotsec_device_on_command(w->dev[i], req, rl, resp, sizeof resp, &sl), AIOTSEC_OK);
    aiotsec_nas_msg m;
    cr_assert_eq(aiotsec_aiotf_on_command_response(w->aiotf, rid, 10, resp, sl, work, sizeof work, &m),
                 AIOTSEC_OK);
    if (read_out && m.data) {
        memcpy(read_out, m.data, m.data_len);
        *read_len = m.data_len;
    }
    aiotsec_aiotf_device d;
    cr_assert_eq(aiotsec_aiotf_device_get(w->aiotf, rid, &d), AIOTSEC_OK);
    cr_assert_eq(d.last_cmd_status, m.status);
    return m.status;
}

TestSuite(procedure, .init = setup, .fini = teardown);

Test(procedure, group_inventory_identifies_the_filtered_devices)
{
    uint8_t rn[16];
    uint64_t proc = start(&W, AIOTSEC_PROC_INVENTORY, NULL, 0, GROUP_A1, sizeof GROUP_A1, 5, 0, rn);
    uint64_t rid[NDEV];
    cr_assert_eq(radio(&W, rn, NULL, 0, GROUP_A1, sizeof GROUP_A1, 1, rid), 5);
    /* The fifth answer completed the group: two batches (max_batch 4) went to the queue. */
    cr_assert_eq(aiotsec_aiotf_queued_requests(W.aiotf), 2);
    tt_pump(&W.tt, W.aiotf, 2);
    cr_assert_eq(W.tt.auth_calls, 2);
    cr_assert_eq(W.tt.rand_d_sent, 5);
    for (int i = 0; i < 5; i++)
        cr_assert(identified_as(&W, rid[i], i), "device %d", i);
    aiotsec_aiotf_summary s;
    cr_assert_eq(aiotsec_aiotf_summary_get(W.aiotf, proc, &s), AIOTSEC_OK);
    cr_assert_eq(s.accepted, 5);
    cr_assert_eq(s.authenticated, 5);
    cr_assert_eq(s.waiting, 0);
    cr_assert_eq(s.failure_cause, AIOTSEC_FAILURE_NONE);
    aiotsec_aiotf_device devs[NDEV];
    size_t n = 0;
    cr_assert_eq(aiotsec_aiotf_devices(W.aiotf, proc, devs, NDEV, &n), AIOTSEC_OK);
    cr_assert_eq(n, 5);
    for (size_t i = 0; i < n; i++)
        cr_assert_arr_eq(devs[i].perm_id, PERM[i], 5); /* arrival order */
    cr_assert_eq(aiotsec_aiotf_finish(W.aiotf, proc), AIOTSEC_OK);
    cr_assert_eq(aiotsec_aiotf_pending(W.aiotf), 0);
}

Test(procedure, narrower_filters_and_named_devices)
{
    static const uint8_t f12[] = {12, 0xa1, 0x00}; /* a1 0x: devices 0, 1, 2, 3 */
    static const uint8_t f9[] = {9, 0xa1, 0x80};   /* a1 then a 1 bit: device 4 */
    uint8_t rn[16];
    uint64_t rid[NDEV];
    start(&W, AIOTSEC_PROC_INVENTORY, NULL, 0, f12, sizeof f12, 0, 0, rn);
    cr_assert_eq(radio(&W, rn, NULL, 0, f12, sizeof f12, 0, rid), 4);
    cr_assert_eq(aiotsec_aiotf_queued_requests(W.aiotf), 1); /* one full batch */
    tt_pump(&W.tt, W.aiotf, 0);
    for (int i = 0; i < 4; i++)
        cr_assert(identified_as(&W, rid[i], i));
    uint64_t p9 = start(&W, AIOTSEC_PROC_INVENTORY, NULL, 0, f9, sizeof f9, 0, 0, rn);
    cr_assert_eq(radio(&W, rn, NULL, 0, f9, sizeof f9, 0, rid), 1);
    cr_assert_eq(aiotsec_aiotf_queued_requests(W.aiotf), 0); /* no cap: waits for a flush */
    cr_assert_eq(aiotsec_aiotf_flush(W.aiotf, p9), AIOTSEC_OK);
    tt_pump(&W.tt, W.aiotf, 0);
    cr_assert(identified_as(&W, rid[4], 4));
    for (int i = 5; i < NDEV; i++) {
        uint64_t p = start(&W, AIOTSEC_PROC_INVENTORY, PERM[i], 5, NULL, 0, 1, 0, rn);
        cr_assert_eq(radio(&W, rn, PERM[i], 5, NULL, 0, 0, rid), 1);
        tt_pump(&W.tt, W.aiotf, 0);
        cr_assert(identified_as(&W, rid[i], i));
        cr_assert_eq(aiotsec_aiotf_finish(W.aiotf, p), AIOTSEC_OK);
    }
}

Test(procedure, forged_duplicate_and_over_cap_reports)
{
    uint8_t rn[16], pdu[NDEV][64], forged[64];
    size_t pl[NDEV];
    uint64_t proc = start(&W, AIOTSEC_PROC_INVENTORY, NULL, 0, GROUP_A1, sizeof GROUP_A1, 3, 0, rn);
    for (int i = 0; i < 5; i++)
        cr_assert_eq(aiotsec_device_on_paging(W.dev[i], rn, 16, NULL, 0, GROUP_A1, 2, pdu[i], 64, &pl[i]), 0);
    /* A forged report first: a random RES for a fresh RAND_AIOT_d. */
    memcpy(forged, pdu[0], pl[0]);
    forged[5] ^= 0x40;  /* RES */
    forged[30] ^= 0x01; /* RAND_AIOT_d: not a duplicate of device 0 */
    uint64_t r_forged = 0, r[5] = {0};
    cr_assert_eq(aiotsec_aiotf_on_report(W.aiotf, 1, rn, 16, forged, pl[0], &r_forged), AIOTSEC_OK);
    cr_assert_eq(aiotsec_aiotf_on_report(W.aiotf, 1, rn, 16, pdu[0], pl[0], &r[0]), AIOTSEC_OK);
    /* A replay of device 0's answer: same RAND_AIOT_d, dropped before any ADM call. */
    cr_assert_eq(aiotsec_aiotf_on_report(W.aiotf, 1, rn, 16, pdu[0], pl[0], NULL), AIOTSEC_E_DUPLICATE_REPORT);
    cr_assert_eq(aiotsec_aiotf_on_report(W.aiotf, 1, rn, 16, pdu[1], pl[1], &r[1]), AIOTSEC_OK);
    /* The cap of 3 is reached: further answers are dropped. */
    cr_assert_eq(aiotsec_aiotf_on_report(W.aiotf, 1, rn, 16, pdu[2], pl[2], NULL), AIOTSEC_E_OVER_CAP);
    cr_assert_eq(W.tt.auth_calls, 0);
    tt_pump(&W.tt, W.aiotf, 1);
    cr_assert_eq(W.tt.auth_calls, 1);
    aiotsec_aiotf_device d;
    cr_assert_eq(aiotsec_aiotf_device_get(W.aiotf, r_forged, &d), AIOTSEC_OK);
    cr_assert_eq(d.status, AIOTSEC_E_AUTH_FAILED); /* the forgery fails alone... */
    cr_assert_eq(d.perm_id_len, 0);
    cr_assert(identified_as(&W, r[0], 0)); /* ...and the genuine tags still get through */
    cr_assert(identified_as(&W, r[1], 1));
    aiotsec_aiotf_summary s;
    cr_assert_eq(aiotsec_aiotf_summary_get(W.aiotf, proc, &s), AIOTSEC_OK);
    cr_assert_eq(s.authenticated, 2);
    cr_assert_eq(s.auth_failed, 1);
    cr_assert_eq(s.duplicate, 1);
    cr_assert_eq(s.over_cap, 1);
    aiotsec_aiotf_stats st;
    cr_assert_eq(aiotsec_aiotf_stats_get(W.aiotf, &st), AIOTSEC_OK);
    cr_assert_eq(st.duplicate, 1);
    cr_assert_eq(st.over_cap, 1);
    cr_assert_eq(st.accepted, 3);
}

Test(procedure, only_forgeries_is_auth_failure_and_silence_is_no_succ_inv_resp)
{
    uint8_t rn[16], pdu[64];
    size_t pl;
    uint64_t proc = start(&W, AIOTSEC_PROC_INVENTORY, NULL, 0, GROUP_A1, 2, 0, 0, rn);
    cr_assert_eq(aiotsec_device_on_paging(W.dev[3], rn, 16, NULL, 0, GROUP_A1, 2, pdu, 64, &pl), 0);
    pdu[8] ^= 1;
    cr_assert_eq(aiotsec_aiotf_on_report(W.aiotf, 0, rn, 16, pdu, pl, NULL), AIOTSEC_OK);
    aiotsec_aiotf_summary s;
    cr_assert_eq(aiotsec_aiotf_summary_get(W.aiotf, proc, &s), AIOTSEC_OK);
    cr_assert_eq(s.waiting, 1);
    cr_assert_eq(s.failure_cause, AIOTSEC_FAILURE_NONE); /* not decided yet */
    cr_assert_eq(aiotsec_aiotf_flush(W.aiotf, proc), AIOTSEC_OK);
    tt_pump(&W.tt, W.aiotf, 0);
    cr_assert_eq(aiotsec_aiotf_summary_get(W.aiotf, proc, &s), AIOTSEC_OK);
    cr_assert_eq(s.failure_cause, AIOTSEC_FAILURE_AUTH_FAILURE);
    cr_assert_str_eq(aiotsec_failure_cause_name(s.failure_cause), "AUTH_FAILURE");
    uint64_t quiet = start(&W, AIOTSEC_PROC_INVENTORY, NULL, 0, GROUP_A1, 2, 0, 0, rn);
    cr_assert_eq(aiotsec_aiotf_summary_get(W.aiotf, quiet, &s), AIOTSEC_OK);
    cr_assert_eq(s.failure_cause, AIOTSEC_FAILURE_NO_SUCC_INV_RESP);
    cr_assert_str_eq(aiotsec_failure_cause_name(s.failure_cause), "NO_SUCC_INV_RESP");
    cr_assert_str_eq(aiotsec_failure_cause_name(AIOTSEC_FAILURE_NONE), "");
    cr_assert_null(aiotsec_failure_cause_name(7));
}

Test(procedure, transport_failures_are_retried_until_the_deadline)
{
    uint8_t rn[16];
    uint64_t proc = 0;
    cr_assert_eq(aiotsec_aiotf_start(W.aiotf, 0, AIOTSEC_PROC_INVENTORY, NULL, 0, GROUP_A1, 2, 5, &proc), 0);
    W.tt.fail_next = 2; /* the getRand is lost twice */
    tt_pump(&W.tt, W.aiotf, 0);
    cr_assert_eq(W.tt.rand_calls, 3);
    /* The ADM's answer reached the AIOTF at the third try: the procedure pages. */
    aiotsec_aiotf_summary s;
    cr_assert_eq(aiotsec_aiotf_summary_get(W.aiotf, proc, &s), AIOTSEC_OK);
    cr_assert_eq(s.paging, 1);
    uint64_t rid[NDEV];
    cr_assert_eq(radio(&W, s.rand_n, NULL, 0, GROUP_A1, 2, 1, rid), 5);
    tt_pump(&W.tt, W.aiotf, 1);
    for (int i = 0; i < 5; i++)
        cr_assert(identified_as(&W, rid[i], i));
    cr_assert_eq(aiotsec_aiotf_finish(W.aiotf, proc), AIOTSEC_OK);
    W.tt.auth_calls = 0;

    proc = start(&W, AIOTSEC_PROC_INVENTORY, NULL, 0, GROUP_A1, 2, 5, 0, rn);
    cr_assert_eq(radio(&W, rn, NULL, 0, GROUP_A1, 2, 10, rid), 5);
    W.tt.fail_next = 3; /* both getAuthentication requests lost, one of them twice */
    tt_pump(&W.tt, W.aiotf, 20);
    cr_assert_eq(W.tt.auth_calls, 5);
    for (int i = 0; i < 5; i++)
        cr_assert(identified_as(&W, rid[i], i));
    aiotsec_aiotf_stats st;
    cr_assert_eq(aiotsec_aiotf_stats_get(W.aiotf, &st), AIOTSEC_OK);
    cr_assert_eq(st.adm_retries, 2 + 3);
    aiotsec_aiotf_device d;

    /* Past the deadline a lost request is not retried: its reports fail with the transport status. */
    proc = start(&W, AIOTSEC_PROC_INVENTORY, NULL, 0, GROUP_A1, 2, 5, 100, rn);
    cr_assert_eq(radio(&W, rn, NULL, 0, GROUP_A1, 2, 110, rid), 5); /* deadline: 110 + 1000 */
    aiotsec_adm_request rq[2];
    size_t n = 0;
    cr_assert_eq(aiotsec_aiotf_next_requests(W.aiotf, 1110, rq, 2, &n), 0);
    cr_assert_eq(n, 2);
    cr_assert_eq(rq[0].deadline_ms, 1110);
    cr_assert_eq(aiotsec_aiotf_on_authentication(W.aiotf, rq[0].id, 1110, AIOTSEC_E_TRANSPORT, NULL, &n), 0);
    cr_assert_eq(n, 0); /* queued again: nothing decided */
    cr_assert_eq(aiotsec_aiotf_on_authentication(W.aiotf, rq[1].id, 1111, AIOTSEC_E_TRANSPORT, NULL, &n), 0);
    cr_assert_eq(n, 1);
    cr_assert_eq(aiotsec_aiotf_device_get(W.aiotf, rid[4], &d), 0);
    cr_assert_eq(d.status, AIOTSEC_E_TRANSPORT);
    /* The retried one is not handed out after the deadline: its reports expire. */
    cr_assert_eq(aiotsec_aiotf_next_requests(W.aiotf, 1111, rq, 2, &n), 0);
    cr_assert_eq(n, 0);
    cr_assert_eq(aiotsec_aiotf_summary_get(W.aiotf, proc, &s), AIOTSEC_OK);
    cr_assert_eq(s.errors, 5);
    cr_assert_eq(s.waiting, 0);
    cr_assert_eq(aiotsec_aiotf_device_get(W.aiotf, rid[0], &d), 0);
    cr_assert_eq(d.status, AIOTSEC_E_EXPIRED);
}

Test(procedure, answers_in_any_order_and_stale_ids)
{
    uint8_t rn1[16], rn2[16];
    uint64_t r1[NDEV], r2[NDEV];
    start(&W, AIOTSEC_PROC_INVENTORY, NULL, 0, GROUP_A1, 2, 5, 0, rn1);
    uint64_t p2 = start(&W, AIOTSEC_PROC_INVENTORY, PERM[6], 5, NULL, 0, 1, 0, rn2);
    cr_assert_eq(radio(&W, rn1, NULL, 0, GROUP_A1, 2, 0, r1), 5);
    cr_assert_eq(radio(&W, rn2, PERM[6], 5, NULL, 0, 0, r2), 1);
    aiotsec_adm_request rq[8];
    size_t n = 0;
    cr_assert_eq(aiotsec_aiotf_next_requests(W.aiotf, 0, rq, 8, &n), AIOTSEC_OK);
    cr_assert_eq(n, 3);
    cr_assert_eq(rq[2].proc_id, p2);
    cr_assert_eq(rq[2].perm_id_len, 5);
    cr_assert_null(rq[2].filter);
    cr_assert_eq(rq[0].filter_len, 2);
    cr_assert_null(rq[0].perm_id);
    for (int k = 2; k >= 0; k--) { /* last first */
        cr_assert_eq(aiotsec_adm_get_authentication(W.adm, &rq[k], W.tt.ans), AIOTSEC_OK);
        cr_assert_eq(aiotsec_aiotf_on_authentication(W.aiotf, rq[k].id, 0, AIOTSEC_OK, W.tt.ans, &n), 0);
        cr_assert_eq(n, rq[k].rand_d_count);
    }
    for (int i = 0; i < 5; i++)
        cr_assert(identified_as(&W, r1[i], i));
    cr_assert(identified_as(&W, r2[6], 6));
    /* An answer given twice, or for a request never handed out, finds nothing. */
    cr_assert_eq(aiotsec_aiotf_on_authentication(W.aiotf, rq[0].id, 0, AIOTSEC_OK, W.tt.ans, NULL),
                 AIOTSEC_E_NO_PENDING);
    cr_assert_eq(aiotsec_aiotf_on_rand(W.aiotf, rq[0].id, 0, AIOTSEC_OK, rn1, 16, NULL), AIOTSEC_E_NO_PENDING);
    cr_assert_eq(aiotsec_aiotf_on_session_key(W.aiotf, 12345, 0, AIOTSEC_OK, rn1, 16, NULL), AIOTSEC_E_NO_PENDING);
}

/* A broken or lying ADM: answers that do not fit decide their reports with
 * AIOTSEC_E_BAD_ANSWER and identify nobody. */
Test(procedure, answers_that_do_not_fit_the_request_identify_nobody)
{
    uint8_t rn[16];
    uint64_t rid[NDEV];
    aiotsec_adm_request rq;
    size_t n;
    aiotsec_auth_answer *bad;
    cr_assert_eq(aiotsec_auth_answer_new(&bad, 64), AIOTSEC_OK);
    for (int variant = 0; variant < 5; variant++) {
        uint64_t proc = start(&W, AIOTSEC_PROC_INVENTORY, NULL, 0, GROUP_A1, 2, 2, 0, rn);
        cr_assert_eq(radio(&W, rn, NULL, 0, GROUP_A1, 2, 0, rid), 2);
        cr_assert_eq(aiotsec_aiotf_next_requests(W.aiotf, 0, &rq, 1, &n), 0);
        cr_assert_eq(n, 1);
        cr_assert_eq(aiotsec_adm_get_authentication(W.adm, &rq, W.tt.ans), AIOTSEC_OK);
        /* Copy the true answer, then spoil it one way. */
        aiotsec_auth_answer_reset(bad);
        for (size_t s = 0; s < aiotsec_auth_answer_set_count(W.tt.ans); s++) {
            const uint8_t *rd, *x, *p;
            size_t cnt, xl, plen;
            cr_assert_eq(aiotsec_auth_answer_set(W.tt.ans, s, &rd, &cnt), 0);
            uint8_t rd2[16];
            memcpy(rd2, rd, 16);
            if (variant == 0 && s == 1)
                rd2[0] ^= 1; /* a set for another RAND_AIOT_d */
            if (variant == 1 && s == 1)
                continue; /* a set missing */
            cr_assert_eq(aiotsec_auth_answer_add_set(bad, rd2, 16), 0);
            for (size_t e = 0; e < cnt; e++) {
                cr_assert_eq(aiotsec_auth_answer_entry(W.tt.ans, s, e, &x, &xl, &p, &plen), 0);
                if (variant == 2)
                    cr_assert_eq(aiotsec_auth_answer_add_entry(bad, x, xl, PERM[6], 5), 0); /* outside the filter */
                else if (variant == 3)
                    cr_assert_eq(aiotsec_auth_answer_add_entry(bad, x, xl, NULL, 0), 0); /* no identifier */
                else if (variant == 4)
                    cr_assert_eq(aiotsec_auth_answer_add_entry(bad, x, 8, p, plen), 0); /* short XRES */
                else
                    cr_assert_eq(aiotsec_auth_answer_add_entry(bad, x, xl, p, plen), 0);
            }
        }
        cr_assert_eq(aiotsec_aiotf_on_authentication(W.aiotf, rq.id, 0, AIOTSEC_OK, bad, &n), AIOTSEC_E_BAD_ANSWER,
                     "variant %d", variant);
        cr_assert_eq(n, 2);
        aiotsec_aiotf_summary s;
        cr_assert_eq(aiotsec_aiotf_summary_get(W.aiotf, proc, &s), 0);
        cr_assert_eq(s.authenticated, 0, "variant %d", variant);
        cr_assert_eq(s.errors, 2);
        aiotsec_aiotf_device d;
        cr_assert_eq(aiotsec_aiotf_device_get(W.aiotf, rid[0], &d), 0);
        cr_assert_eq(d.status, AIOTSEC_E_BAD_ANSWER);
        cr_assert_eq(aiotsec_aiotf_finish(W.aiotf, proc), 0);
    }
    aiotsec_auth_answer_free(bad);
}

/* An ADM whose limit is below |candidates| x |randDlist|: the AIOTF halves the
 * list, then narrows the filter, until every answer is decided right. */
Test(procedure, too_many_derivations_splits_the_request)
{
    build_adm(&W, 2); /* at most two derivations per request */
    uint8_t rn[16];
    uint64_t rid[NDEV];
    uint64_t proc = start(&W, AIOTSEC_PROC_INVENTORY, NULL, 0, GROUP_A1, 2, 5, 0, rn);
    cr_assert_eq(radio(&W, rn, NULL, 0, GROUP_A1, 2, 0, rid), 5);
    tt_pump(&W.tt, W.aiotf, 0);
    for (int i = 0; i < 5; i++)
        cr_assert(identified_as(&W, rid[i], i), "device %d", i);
    aiotsec_aiotf_stats st;
    cr_assert_eq(aiotsec_aiotf_stats_get(W.aiotf, &st), 0);
    cr_assert_gt(st.adm_splits, 0);
    aiotsec_aiotf_summary s;
    cr_assert_eq(aiotsec_aiotf_summary_get(W.aiotf, proc, &s), 0);
    cr_assert_eq(s.authenticated, 5);
    /* A named device with a limit of 1: one RAND_AIOT_d per request still fits. */
    build_adm(&W, 1);
    proc = start(&W, AIOTSEC_PROC_INVENTORY, PERM[7], 5, NULL, 0, 1, 0, rn);
    cr_assert_eq(radio(&W, rn, PERM[7], 5, NULL, 0, 0, rid), 1);
    tt_pump(&W.tt, W.aiotf, 0);
    cr_assert(identified_as(&W, rid[7], 7));
}

Test(procedure, filter_matching_nothing_and_unknown_device)
{
    static const uint8_t none[] = {16, 0xc3, 0xc3};
    uint8_t rn[16], pdu[64];
    size_t pl;
    uint64_t proc = start(&W, AIOTSEC_PROC_INVENTORY, NULL, 0, none, sizeof none, 0, 0, rn);
    /* Nobody matches, but someone answers anyway (a device that ignores filters). */
    cr_assert_eq(aiotsec_device_on_paging(W.dev[0], rn, 16, PERM[0], 5, NULL, 0, pdu, 64, &pl), 0);
    uint64_t r;
    cr_assert_eq(aiotsec_aiotf_on_report(W.aiotf, 0, rn, 16, pdu, pl, &r), AIOTSEC_OK);
    cr_assert_eq(aiotsec_aiotf_flush(W.aiotf, proc), 0);
    tt_pump(&W.tt, W.aiotf, 0);
    aiotsec_aiotf_device d;
    cr_assert_eq(aiotsec_aiotf_device_get(W.aiotf, r, &d), 0);
    cr_assert_eq(d.status, AIOTSEC_E_NO_CANDIDATE);
    static const uint8_t ghost[] = {0x99, 0x99};
    start(&W, AIOTSEC_PROC_INVENTORY, ghost, sizeof ghost, NULL, 0, 1, 0, rn);
    cr_assert_eq(aiotsec_device_on_paging(W.dev[0], rn, 16, PERM[0], 5, NULL, 0, pdu, 64, &pl), 0);
    cr_assert_eq(aiotsec_aiotf_on_report(W.aiotf, 0, rn, 16, pdu, pl, &r), AIOTSEC_OK);
    tt_pump(&W.tt, W.aiotf, 0);
    cr_assert_eq(aiotsec_aiotf_device_get(W.aiotf, r, &d), 0);
    cr_assert_eq(d.status, AIOTSEC_E_UNKNOWN_DEVICE);
}

Test(procedure, group_command_read_write_readback_disable)
{
    uint8_t rn[16];
    uint64_t rid[NDEV];
    static const uint8_t f12[] = {12, 0xa1, 0x00}; /* devices 0..3 */
    uint64_t proc = start(&W, AIOTSEC_PROC_COMMAND, NULL, 0, f12, sizeof f12, 4, 0, rn);
    cr_assert_eq(radio(&W, rn, NULL, 0, f12, sizeof f12, 0, rid), 4);
    tt_pump(&W.tt, W.aiotf, 0);
    cr_assert_eq(W.tt.skey_calls, 4); /* one getSessionKey per identified device */
    for (int i = 0; i < 4; i++) {
        uint8_t buf[1024];
        size_t n = 0;
        const uint8_t data[] = "hello, tag";
        cr_assert_eq(run_command(&W, i, rid[i], AIOTSEC_CMD_READ, 32, 8, NULL, 0, buf, &n),
                     AIOTSEC_CMD_STATUS_SUCCESS);
        cr_assert_eq(n, 8);
        cr_assert_arr_eq(buf, W.memory[i] + 32, 8);
        cr_assert_eq(run_command(&W, i, rid[i], AIOTSEC_CMD_WRITE, 40, 0, data, 10, NULL, NULL),
                     AIOTSEC_CMD_STATUS_SUCCESS);
        cr_assert_arr_eq(W.memory[i] + 40, data, 10);
        n = 0;
        cr_assert_eq(run_command(&W, i, rid[i], AIOTSEC_CMD_READ, 40, 10, NULL, 0, buf, &n),
                     AIOTSEC_CMD_STATUS_SUCCESS);
        cr_assert_arr_eq(buf, data, 10);
    }
    cr_assert_eq(run_command(&W, 3, rid[3], AIOTSEC_CMD_PERMANENT_DISABLE, 0, 0, NULL, 0, NULL, NULL),
                 AIOTSEC_CMD_STATUS_SUCCESS);
    cr_assert_eq(dev_state(W.dev[3]), AIOTSEC_DEVICE_DISABLED);
    cr_assert_eq(aiotsec_aiotf_finish(W.aiotf, proc), AIOTSEC_OK);
    /* A disabled device answers nothing, ever: the next group inventory gets three. */
    start(&W, AIOTSEC_PROC_INVENTORY, NULL, 0, f12, sizeof f12, 0, 100, rn);
    cr_assert_eq(radio(&W, rn, NULL, 0, f12, sizeof f12, 100, rid), 3);
    uint8_t resp[64];
    size_t sl = 99;
    cr_assert_eq(aiotsec_device_on_command(W.dev[3], rn, 16, resp, sizeof resp, &sl), AIOTSEC_E_DEVICE_DISABLED);
    cr_assert_eq(sl, 0);
}

Test(procedure, command_statuses_with_their_ts29569_causes)
{
    uint64_t rid = secure_device(&W, 1, 0, NULL);
    uint8_t before[MEM_LEN];
    memcpy(before, W.memory[1], MEM_LEN);
    const uint8_t data[4] = {1, 2, 3, 4};
    int st = run_command(&W, 1, rid, AIOTSEC_CMD_WRITE, 14, 0, data, 4, NULL, NULL); /* write-protected */
    cr_assert_eq(st, AIOTSEC_CMD_STATUS_PARAMS_INVALID);
    cr_assert_str_eq(aiotsec_cmd_status_cause(st), "COMMAND_TYPE_SPECIFIC_PARAMETERS_INVALID");
    cr_assert_eq(run_command(&W, 1, rid, AIOTSEC_CMD_WRITE, MEM_LEN - 2, 0, data, 4, NULL, NULL),
                 AIOTSEC_CMD_STATUS_PARAMS_INVALID);
    cr_assert_eq(run_command(&W, 1, rid, AIOTSEC_CMD_READ, MEM_LEN - 4, 5, NULL, 0, NULL, NULL),
                 AIOTSEC_CMD_STATUS_PARAMS_INVALID);
    cr_assert_arr_eq(W.memory[1], before, MEM_LEN);
    uint8_t buf[16];
    size_t n = 0;
    cr_assert_eq(run_command(&W, 1, rid, AIOTSEC_CMD_READ, 0, 16, NULL, 0, buf, &n), AIOTSEC_CMD_STATUS_SUCCESS);
    cr_assert_arr_eq(buf, before, 16);
    cr_assert_str_eq(aiotsec_cmd_status_cause(AIOTSEC_CMD_STATUS_SUCCESS), "");
    cr_assert_str_eq(aiotsec_cmd_status_cause(AIOTSEC_CMD_STATUS_LOW_ENERGY), "LOW_ENERGY");
    cr_assert_str_eq(aiotsec_cmd_status_cause(AIOTSEC_CMD_STATUS_MSG_TYPE_UNKNOWN),
                     "MESSAGE_TYPE_NON_EXISTENT_OR_NOT_IMPLEMENTED");
    cr_assert_str_eq(aiotsec_cmd_status_cause(AIOTSEC_CMD_STATUS_INVALID_MANDATORY), "INVALID_MANDATORY_INFORMATION");
    cr_assert_str_eq(aiotsec_cmd_status_cause(AIOTSEC_CMD_STATUS_UNSPECIFIED), "ERROR_UNSPECIFIED");
    cr_assert_null(aiotsec_cmd_status_cause(0));
}

static int no_energy_for_writes(void *user, aiotsec_cmd command, size_t len)
{
    (void)user;
    (void)len;
    return command != AIOTSEC_CMD_WRITE;
}

Test(procedure, low_energy_is_answered_and_nothing_is_written)
{
    aiotsec_device_config cfg;
    cr_assert_eq(aiotsec_device_config_init(&cfg, W.ctx), 0);
    cfg.perm_id = PERM[2];
    cfg.perm_id_len = 5;
    cfg.k_root = W.key[2];
    cfg.k_root_len = 32;
    cfg.memory = W.memory[2];
    cfg.memory_len = MEM_LEN;
    cfg.rand = test_rand;
    cfg.rand_user = &W.rng[2];
    cfg.energy = no_energy_for_writes;
    cr_assert_eq(aiotsec_device_init(&W.dev[2], W.dev_mem[2], aiotsec_device_statebytes(), W.ctx, &cfg), 0);
    uint64_t rid = secure_device(&W, 2, 0, NULL);
    const uint8_t data[2] = {0xEE, 0xEE};
    cr_assert_eq(run_command(&W, 2, rid, AIOTSEC_CMD_WRITE, 100, 0, data, 2, NULL, NULL),
                 AIOTSEC_CMD_STATUS_LOW_ENERGY);
    cr_assert_neq(W.memory[2][100], 0xEE);
    cr_assert_eq(run_command(&W, 2, rid, AIOTSEC_CMD_READ, 100, 2, NULL, 0, NULL, NULL), AIOTSEC_CMD_STATUS_SUCCESS);
}

Test(procedure, attack_wrong_key_gets_no_session)
{
    uint8_t bad[32];
    memcpy(bad, W.key[2], 32);
    bad[5] ^= 0x01;
    make_device(&W, 2, bad, 0, 0);
    uint8_t rn[16];
    uint64_t rid[NDEV];
    start(&W, AIOTSEC_PROC_COMMAND, PERM[2], 5, NULL, 0, 1, 0, rn);
    cr_assert_eq(radio(&W, rn, PERM[2], 5, NULL, 0, 0, rid), 1);
    tt_pump(&W.tt, W.aiotf, 0);
    aiotsec_aiotf_device d;
    cr_assert_eq(aiotsec_aiotf_device_get(W.aiotf, rid[2], &d), 0);
    cr_assert_eq(d.status, AIOTSEC_E_AUTH_FAILED);
    cr_assert_eq(d.secured, 0);
    cr_assert_eq(W.tt.skey_calls, 0); /* no K_AIOTF for an impostor */
    uint8_t pdu[64];
    size_t pl;
    cr_assert_eq(aiotsec_aiotf_command(W.aiotf, rid[2], 2, AIOTSEC_CMD_READ, 0, 1, NULL, 0, pdu, sizeof pdu, &pl),
                 AIOTSEC_E_BAD_STATE);
}

Test(procedure, attack_replayed_command_request)
{
    uint64_t rid = secure_device(&W, 4, 0, NULL);
    uint8_t req[64], resp[1100];
    size_t rl, sl;
    cr_assert_eq(aiotsec_aiotf_command(W.aiotf, rid, 1, AIOTSEC_CMD_READ, 16, 4, NULL, 0, req, sizeof req, &rl), 0);
    cr_assert_eq(aiotsec_device_on_command(W.dev[4], req, rl, resp, sizeof resp, &sl), AIOTSEC_OK);
    cr_assert_eq(aiotsec_device_on_command(W.dev[4], req, rl, resp, sizeof resp, &sl), AIOTSEC_E_REPLAY);
    cr_assert_eq(sl, 0);
}

Test(procedure, attack_tampered_mac_and_payload)
{
    uint64_t rid = secure_device(&W, 5, 0, NULL);
    uint8_t req[64], t[64], resp[1100];
    size_t rl, sl;
    const uint8_t data[1] = {0x55};
    cr_assert_eq(aiotsec_aiotf_command(W.aiotf, rid, 1, AIOTSEC_CMD_WRITE, 200, 0, data, 1, req, sizeof req, &rl), 0);
    uint8_t old = W.memory[5][200];
    for (size_t i = 2; i < rl; i++) {
        if (i == 6)
            continue; /* the SQN octet: changing it is a COUNT change, checked below */
        memcpy(t, req, rl);
        t[i] ^= 0x04;
        int rc = aiotsec_device_on_command(W.dev[5], t, rl, resp, sizeof resp, &sl);
        cr_assert_eq(rc, AIOTSEC_E_MAC_MISMATCH, "octet %zu: %s", i, aiotsec_status_name(rc));
    }
    memcpy(t, req, rl);
    t[6] ^= 0x01;
    cr_assert_eq(aiotsec_device_on_command(W.dev[5], t, rl, resp, sizeof resp, &sl), AIOTSEC_E_MAC_MISMATCH);
    cr_assert_eq(W.memory[5][200], old);
    cr_assert_eq(aiotsec_device_on_command(W.dev[5], req, rl, resp, sizeof resp, &sl), AIOTSEC_OK);
    cr_assert_eq(W.memory[5][200], 0x55);
    uint8_t work[1100];
    aiotsec_nas_msg m;
    memcpy(t, resp, sl);
    t[3] ^= 0x80;
    cr_assert_eq(aiotsec_aiotf_on_command_response(W.aiotf, rid, 2, t, sl, work, sizeof work, &m),
                 AIOTSEC_E_MAC_MISMATCH);
    cr_assert_eq(aiotsec_aiotf_on_command_response(W.aiotf, rid, 2, resp, sl, work, sizeof work, &m), AIOTSEC_OK);
    cr_assert_eq(m.status, AIOTSEC_CMD_STATUS_SUCCESS);
}

Test(procedure, attack_unsolicited_late_malformed_cost_no_adm_call)
{
    uint8_t rn[16], pdu[64];
    size_t pl;
    /* A device paged by someone else (a paging storm): its answer reaches the AIOTF. */
    memset(rn, 0x3c, sizeof rn);
    cr_assert_eq(aiotsec_device_on_paging(W.dev[0], rn, 16, PERM[0], 5, NULL, 0, pdu, sizeof pdu, &pl), 0);
    cr_assert_eq(aiotsec_aiotf_on_report(W.aiotf, 0, rn, 16, pdu, pl, NULL), AIOTSEC_E_NO_PENDING);
    cr_assert_eq(aiotsec_aiotf_on_report(W.aiotf, 0, rn, 15, pdu, pl, NULL), AIOTSEC_E_NO_PENDING);
    /* Late: one millisecond after the reporting window. */
    uint64_t proc = start(&W, AIOTSEC_PROC_INVENTORY, NULL, 0, GROUP_A1, 2, 0, 5000, rn);
    cr_assert_eq(aiotsec_device_on_paging(W.dev[1], rn, 16, NULL, 0, GROUP_A1, 2, pdu, 64, &pl), 0);
    cr_assert_eq(aiotsec_aiotf_on_report(W.aiotf, 6001, rn, 16, pdu, pl, NULL), AIOTSEC_E_EXPIRED);
    cr_assert_eq(aiotsec_aiotf_on_report(W.aiotf, 6000, rn, 16, pdu, pl, NULL), AIOTSEC_OK); /* in time */
    /* Malformed: dropped, counted, the procedure goes on. */
    cr_assert_eq(aiotsec_aiotf_on_report(W.aiotf, 6000, rn, 16, pdu, pl - 1, NULL), AIOTSEC_E_NAS_TRUNCATED);
    cr_assert_eq(W.tt.auth_calls, 0);
    aiotsec_aiotf_stats st;
    cr_assert_eq(aiotsec_aiotf_stats_get(W.aiotf, &st), 0);
    cr_assert_eq(st.unsolicited, 2);
    cr_assert_eq(st.late, 1);
    cr_assert_eq(st.malformed, 1);
    aiotsec_aiotf_summary s;
    cr_assert_eq(aiotsec_aiotf_summary_get(W.aiotf, proc, &s), 0);
    cr_assert_eq(s.late, 1);
    cr_assert_eq(s.malformed, 1);
    cr_assert_eq(s.accepted, 1);
}

Test(procedure, attack_new_paging_aborts_ongoing_procedure)
{
    uint64_t rid = secure_device(&W, 2, 0, NULL);
    cr_assert_eq(run_command(&W, 2, rid, AIOTSEC_CMD_READ, 0, 4, NULL, 0, NULL, NULL), AIOTSEC_CMD_STATUS_SUCCESS);
    uint8_t rn[16], pdu[64], req[64], resp[1100];
    size_t pl, rl, sl;
    memset(rn, 0x77, sizeof rn);
    cr_assert_eq(aiotsec_device_on_paging(W.dev[2], rn, 16, NULL, 0, GROUP_A1, 2, pdu, sizeof pdu, &pl), 0);
    cr_assert_eq(dev_state(W.dev[2]), AIOTSEC_DEVICE_AUTHENTICATING);
    aiotsec_device_stats ds;
    cr_assert_eq(aiotsec_device_stats_get(W.dev[2], &ds), 0);
    cr_assert_eq(ds.aborted, 1);
    cr_assert_eq(aiotsec_aiotf_command(W.aiotf, rid, 1, AIOTSEC_CMD_WRITE, 50, 0, (const uint8_t *)"x", 1, req,
                                       sizeof req, &rl), 0);
    cr_assert_eq(aiotsec_device_on_command(W.dev[2], req, rl, resp, sizeof resp, &sl), AIOTSEC_E_MAC_MISMATCH);
    /* A paging for other devices aborts too, and then the device says so. */
    cr_assert_eq(aiotsec_device_on_paging(W.dev[2], rn, 16, PERM[3], 5, NULL, 0, pdu, sizeof pdu, &pl),
                 AIOTSEC_E_NOT_ADDRESSED);
    cr_assert_eq(pl, 0);
    cr_assert_eq(aiotsec_device_on_command(W.dev[2], req, rl, resp, sizeof resp, &sl), AIOTSEC_E_ABORTED);
    cr_assert_eq(dev_state(W.dev[2]), AIOTSEC_DEVICE_IDLE);
    /* A malformed filter is refused, nothing is sent; so is a paging with both or neither target. */
    static const uint8_t broken[] = {9, 0xa1}; /* 9 bits need 2 octets of prefix */
    cr_assert_eq(aiotsec_device_on_paging(W.dev[2], rn, 16, NULL, 0, broken, 2, pdu, sizeof pdu, &pl),
                 AIOTSEC_E_BAD_FILTER);
    cr_assert_eq(pl, 0);
    cr_assert_eq(aiotsec_device_on_paging(W.dev[2], rn, 16, PERM[2], 5, GROUP_A1, 2, pdu, sizeof pdu, &pl),
                 AIOTSEC_E_BAD_VALUE);
    cr_assert_eq(aiotsec_device_on_paging(W.dev[2], rn, 16, NULL, 0, NULL, 0, pdu, sizeof pdu, &pl),
                 AIOTSEC_E_BAD_VALUE);
}

Test(procedure, tables_limits_and_expiry)
{
    uint64_t proc;
    for (int i = 0; i < 16; i++)
        cr_assert_eq(aiotsec_aiotf_start(W.aiotf, (uint64_t)i, AIOTSEC_PROC_INVENTORY, NULL, 0, GROUP_A1, 2, 0, &proc),
                     0);
    cr_assert_eq(aiotsec_aiotf_start(W.aiotf, 0, AIOTSEC_PROC_INVENTORY, NULL, 0, GROUP_A1, 2, 0, &proc),
                 AIOTSEC_E_LIMIT);
    cr_assert_eq(aiotsec_aiotf_queued_requests(W.aiotf), 16);
    tt_pump(&W.tt, W.aiotf, 500);
    cr_assert_eq(aiotsec_aiotf_pending(W.aiotf), 16);
    cr_assert_eq(aiotsec_aiotf_expire(W.aiotf, 1500), 0);
    cr_assert_eq(aiotsec_aiotf_expire(W.aiotf, 1501), 16); /* paging from 500: deadline 1500 */
    cr_assert_eq(aiotsec_aiotf_pending(W.aiotf), 0);
    /* A stale id misses. */
    cr_assert_eq(aiotsec_aiotf_finish(W.aiotf, proc), AIOTSEC_E_NO_PENDING);
    /* Bad arguments. */
    cr_assert_eq(aiotsec_aiotf_start(W.aiotf, 0, 3, NULL, 0, GROUP_A1, 2, 0, &proc), AIOTSEC_E_BAD_VALUE);
    cr_assert_eq(aiotsec_aiotf_start(W.aiotf, 0, AIOTSEC_PROC_INVENTORY, PERM[0], 5, GROUP_A1, 2, 0, &proc),
                 AIOTSEC_E_BAD_VALUE);
    cr_assert_eq(aiotsec_aiotf_start(W.aiotf, 0, AIOTSEC_PROC_INVENTORY, PERM[0], 5, NULL, 0, 2, &proc),
                 AIOTSEC_E_BAD_VALUE);
    cr_assert_eq(aiotsec_aiotf_start(W.aiotf, 0, AIOTSEC_PROC_INVENTORY, NULL, 0, GROUP_A1, 1, 0, &proc),
                 AIOTSEC_E_BAD_FILTER);
    /* A getRand that never comes back: the procedure is dropped at its deadline. */
    cr_assert_eq(aiotsec_aiotf_start(W.aiotf, 0, AIOTSEC_PROC_INVENTORY, NULL, 0, GROUP_A1, 2, 0, &proc), 0);
    aiotsec_adm_request rq;
    size_t n;
    cr_assert_eq(aiotsec_aiotf_next_requests(W.aiotf, 2000, &rq, 1, &n), 0);
    cr_assert_eq(n, 0);
    cr_assert_eq(aiotsec_aiotf_pending(W.aiotf), 0);
}

/* The whole command sequence on every backend, with both integrity algorithms
 * where the backend has AES: the roles do not depend on the backend. */
Test(procedure_backends, every_backend_and_algorithm)
{
    for (size_t b = 0; b < aiotsec_backend_count(); b++) {
        const char *name = aiotsec_backend_name_at(b);
        unsigned algs[2][2] = {{8, 0}, {2, 2}};
        for (int a = 0; a < 2; a++) {
            const aiotsec_backend *be;
            cr_assert_eq(aiotsec_backend_find(name, &be), 0);
            if (algs[a][0] == 2 && !(aiotsec_backend_caps(be) & AIOTSEC_CAP_AES128))
                continue;
            world *w = calloc(1, sizeof *w);
            build(w, name, algs[a][0], algs[a][1]);
            uint8_t rn[16];
            uint64_t rid[NDEV];
            start(w, AIOTSEC_PROC_COMMAND, NULL, 0, GROUP_A1, 2, 5, 0, rn);
            cr_assert_eq(radio(w, rn, NULL, 0, GROUP_A1, 2, 0, rid), 5);
            tt_pump(&w->tt, w->aiotf, 0);
            for (int i = 0; i < 5; i++) {
                const uint8_t data[3] = {9, 8, (uint8_t)i};
                uint8_t buf[8];
                size_t n = 0;
                cr_assert_eq(run_command(w, i, rid[i], AIOTSEC_CMD_WRITE, 60, 0, data, 3, NULL, NULL),
                             AIOTSEC_CMD_STATUS_SUCCESS);
                cr_assert_eq(run_command(w, i, rid[i], AIOTSEC_CMD_READ, 60, 3, NULL, 0, buf, &n),
                             AIOTSEC_CMD_STATUS_SUCCESS);
                cr_assert_arr_eq(buf, data, 3, "backend %s alg %u", name, algs[a][0]);
            }
            teardown_world(w);
            free(w);
        }
    }
}

/* aiotsec_aiotf_pump_local is the same loop over the public calls. */
Test(procedure, pump_local_runs_a_whole_group_inventory)
{
    uint64_t proc;
    cr_assert_eq(aiotsec_aiotf_start(W.aiotf, 0, AIOTSEC_PROC_INVENTORY, NULL, 0, GROUP_A1, 2, 5, &proc), 0);
    size_t handled = 0;
    cr_assert_eq(aiotsec_aiotf_pump_local(W.aiotf, 0, W.adm, W.tt.ans, &handled), 0);
    cr_assert_eq(handled, 1);
    aiotsec_aiotf_summary s;
    cr_assert_eq(aiotsec_aiotf_summary_get(W.aiotf, proc, &s), 0);
    cr_assert_eq(s.paging, 1);
    cr_assert_eq(aiotsec_aiotf_pump_local(NULL, 0, W.adm, W.tt.ans, &handled), AIOTSEC_E_NULL_ARG);
}

/* Splits never wait for a request slot: with ONE slot for every getAuthentication and an
 * ADM limit below one RAND_AIOT_d's candidates, the walk still decides every report right. */
Test(procedure, splits_work_with_a_single_request_slot)
{
    aiotsec_aiotf_free(W.aiotf);
    aiotsec_aiotf_config cfg;
    cr_assert_eq(aiotsec_aiotf_config_init(&cfg, W.ctx), AIOTSEC_OK);
    cfg.max_requests = 1;
    cfg.max_batch = 4;
    cfg.timeout_ms = 1000;
    cfg.spare_reports = 0;
    cr_assert_eq(aiotsec_aiotf_new(&W.aiotf, W.ctx, &cfg), AIOTSEC_OK);
    build_adm(&W, 2); /* 5 candidates > 2: even one RAND_AIOT_d needs narrower filters */
    uint8_t rn[16], pdu[64];
    uint64_t rid[NDEV];
    uint64_t proc = start(&W, AIOTSEC_PROC_INVENTORY, NULL, 0, GROUP_A1, 2, 5, 0, rn);
    cr_assert_eq(radio(&W, rn, NULL, 0, GROUP_A1, 2, 0, rid), 5);
    /* A forgery too: it must end AUTH_FAILED after the whole walk, not earlier. */
    size_t pl;
    uint64_t forged;
    cr_assert_eq(aiotsec_device_on_paging(W.dev[5], rn, 16, PERM[5], 5, NULL, 0, pdu, 64, &pl), 0);
    cr_assert_eq(aiotsec_aiotf_on_report(W.aiotf, 0, rn, 16, pdu, pl, &forged), AIOTSEC_E_OVER_CAP);
    tt_pump(&W.tt, W.aiotf, 0);
    for (int i = 0; i < 5; i++)
        cr_assert(identified_as(&W, rid[i], i), "device %d", i);
    aiotsec_aiotf_summary s;
    cr_assert_eq(aiotsec_aiotf_summary_get(W.aiotf, proc, &s), 0);
    cr_assert_eq(s.authenticated, 5);
    cr_assert_eq(s.waiting, 0);
    aiotsec_aiotf_stats st;
    cr_assert_eq(aiotsec_aiotf_stats_get(W.aiotf, &st), 0);
    cr_assert_gt(st.adm_splits, 4);
    /* Device 5 (a2...) answering an a1 group: its RES matches no candidate of the walk. */
    cr_assert_eq(aiotsec_aiotf_finish(W.aiotf, proc), 0);
    proc = start(&W, AIOTSEC_PROC_INVENTORY, NULL, 0, GROUP_A1, 2, 0, 0, rn);
    cr_assert_eq(aiotsec_device_on_paging(W.dev[5], rn, 16, PERM[5], 5, NULL, 0, pdu, 64, &pl), 0);
    cr_assert_eq(aiotsec_aiotf_on_report(W.aiotf, 0, rn, 16, pdu, pl, &forged), AIOTSEC_OK);
    cr_assert_eq(aiotsec_aiotf_flush(W.aiotf, proc), 0);
    tt_pump(&W.tt, W.aiotf, 0);
    aiotsec_aiotf_device d;
    cr_assert_eq(aiotsec_aiotf_device_get(W.aiotf, forged, &d), 0);
    cr_assert_eq(d.status, AIOTSEC_E_AUTH_FAILED);
}

/* A forgery that arrives first cannot push the genuine tag over the cap: it is held
 * back as a spare and takes the forgery's place once the forgery fails. */
Test(procedure, a_forgery_first_does_not_push_the_genuine_tag_out)
{
    aiotsec_aiotf_free(W.aiotf);
    aiotsec_aiotf_config cfg;
    cr_assert_eq(aiotsec_aiotf_config_init(&cfg, W.ctx), AIOTSEC_OK);
    cr_assert_eq(cfg.spare_reports, 4);
    cfg.spare_reports = 2;
    cr_assert_eq(aiotsec_aiotf_new(&W.aiotf, W.ctx, &cfg), AIOTSEC_OK);
    uint8_t rn[16], pdu[64], forged[64];
    size_t pl;
    /* A named device: one answer expected. */
    uint64_t proc = start(&W, AIOTSEC_PROC_COMMAND, PERM[3], 5, NULL, 0, 1, 0, rn);
    cr_assert_eq(aiotsec_device_on_paging(W.dev[3], rn, 16, PERM[3], 5, NULL, 0, pdu, 64, &pl), 0);
    memcpy(forged, pdu, pl);
    forged[6] ^= 0x10;  /* RES */
    forged[25] ^= 0x01; /* RAND_AIOT_d */
    uint64_t rf, rg, r3;
    cr_assert_eq(aiotsec_aiotf_on_report(W.aiotf, 0, rn, 16, forged, pl, &rf), AIOTSEC_OK);
    cr_assert_eq(aiotsec_aiotf_on_report(W.aiotf, 0, rn, 16, pdu, pl, &rg), AIOTSEC_OK); /* a spare */
    forged[26] ^= 0x01;
    cr_assert_eq(aiotsec_aiotf_on_report(W.aiotf, 0, rn, 16, forged, pl, &r3), AIOTSEC_OK); /* another spare */
    forged[27] ^= 0x01;
    cr_assert_eq(aiotsec_aiotf_on_report(W.aiotf, 0, rn, 16, forged, pl, NULL), AIOTSEC_E_OVER_CAP);
    aiotsec_aiotf_summary s;
    cr_assert_eq(aiotsec_aiotf_summary_get(W.aiotf, proc, &s), 0);
    cr_assert_eq(s.accepted, 1);
    cr_assert_eq(s.spares, 2);
    cr_assert_eq(s.waiting, 3);
    cr_assert_eq(aiotsec_aiotf_queued_requests(W.aiotf), 1); /* only the first went to the queue */
    tt_pump(&W.tt, W.aiotf, 0);
    cr_assert_eq(W.tt.auth_calls, 2); /* the forgery, then the spare that took its place */
    aiotsec_aiotf_device d;
    cr_assert_eq(aiotsec_aiotf_device_get(W.aiotf, rf, &d), 0);
    cr_assert_eq(d.status, AIOTSEC_E_AUTH_FAILED);
    cr_assert(identified_as(&W, rg, 3));
    cr_assert_eq(aiotsec_aiotf_device_get(W.aiotf, r3, &d), 0);
    cr_assert_eq(d.status, AIOTSEC_E_OVER_CAP); /* no longer needed: dropped, never sent */
    cr_assert_eq(aiotsec_aiotf_summary_get(W.aiotf, proc, &s), 0);
    cr_assert_eq(s.authenticated, 1);
    cr_assert_eq(s.auth_failed, 1);
    cr_assert_eq(s.over_cap, 2);
    cr_assert_eq(s.waiting, 0);
    cr_assert_eq(s.accepted, 2);
    cr_assert_eq(W.tt.skey_calls, 1);
    cr_assert_eq(aiotsec_aiotf_device_get(W.aiotf, rg, &d), 0);
    cr_assert_eq(d.secured, 1); /* and the genuine tag can be commanded */
    cr_assert_eq(run_command(&W, 3, rg, AIOTSEC_CMD_READ, 16, 4, NULL, 0, NULL, NULL), AIOTSEC_CMD_STATUS_SUCCESS);

    /* A group: three expected, two forgeries first; every genuine tag still gets through. */
    uint64_t rid[NDEV];
    proc = start(&W, AIOTSEC_PROC_INVENTORY, NULL, 0, GROUP_A1, 2, 3, 10, rn);
    cr_assert_eq(aiotsec_device_on_paging(W.dev[0], rn, 16, NULL, 0, GROUP_A1, 2, pdu, 64, &pl), 0);
    for (int k = 0; k < 2; k++) {
        memcpy(forged, pdu, pl);
        forged[5 + k] ^= 0x20;
        forged[30 + k] ^= 0x02;
        cr_assert_eq(aiotsec_aiotf_on_report(W.aiotf, 10, rn, 16, forged, pl, NULL), AIOTSEC_OK);
    }
    cr_assert_eq(aiotsec_aiotf_on_report(W.aiotf, 10, rn, 16, pdu, pl, &rid[0]), AIOTSEC_OK);
    for (int i = 1; i < 3; i++) {
        cr_assert_eq(aiotsec_device_on_paging(W.dev[i], rn, 16, NULL, 0, GROUP_A1, 2, pdu, 64, &pl), 0);
        cr_assert_eq(aiotsec_aiotf_on_report(W.aiotf, 10, rn, 16, pdu, pl, &rid[i]), AIOTSEC_OK);
    }
    tt_pump(&W.tt, W.aiotf, 10);
    for (int i = 0; i < 3; i++)
        cr_assert(identified_as(&W, rid[i], i), "device %d", i);
    cr_assert_eq(aiotsec_aiotf_summary_get(W.aiotf, proc, &s), 0);
    cr_assert_eq(s.authenticated, 3);
    cr_assert_eq(s.auth_failed, 2);
    cr_assert_eq(s.waiting, 0);
}

/* The profile, not a constant of the library, bounds a ciphered command: with a
 * profile allowing 8,192-octet messages and 4,096 octets of data, a tag (host
 * build) deciphers and executes a 4,000-octet WRITE and answers a READ of it. */
Test(procedure_backends, ciphered_commands_up_to_the_profiles_largest_message)
{
    const aiotsec_backend *be;
    cr_assert_eq(aiotsec_backend_find("openssl", &be), AIOTSEC_OK, "the OpenSSL backend (AES) is built here");
    aiotsec_profile_params pp;
    cr_assert_eq(aiotsec_profile_params_init(&pp), AIOTSEC_OK);
    pp.nas_max_len = 8192;
    pp.nas_max_data_len = 4096;
    aiotsec_profile *prof = NULL;
    cr_assert_eq(aiotsec_profile_new(&prof, &pp), AIOTSEC_OK);
    world *w = calloc(1, sizeof *w);
    build_profile(w, "openssl", 2, 2, prof);
    static uint8_t big[5000], data[4000], back[4096];
    for (size_t k = 0; k < sizeof data; k++)
        data[k] = (uint8_t)(k * 7 + 1);
    /* Device 0 again, with 5,000 octets of memory. */
    aiotsec_device_config cfg;
    cr_assert_eq(aiotsec_device_config_init(&cfg, w->ctx), AIOTSEC_OK);
    cfg.perm_id = PERM[0];
    cfg.perm_id_len = sizeof PERM[0];
    cfg.k_root = w->key[0];
    cfg.k_root_len = 32;
    cfg.memory = big;
    cfg.memory_len = sizeof big;
    cfg.rand = test_rand;
    cfg.rand_user = &w->rng[0];
    cfg.int_alg = 2;
    cfg.enc_alg = 2;
    aiotsec_device_clear(w->dev[0]);
    cr_assert_eq(aiotsec_device_init(&w->dev[0], w->dev_mem[0], aiotsec_device_statebytes(), w->ctx, &cfg),
                 AIOTSEC_OK);
    uint8_t rn[16];
    uint64_t rid[NDEV];
    start(w, AIOTSEC_PROC_COMMAND, PERM[0], sizeof PERM[0], NULL, 0, 1, 0, rn);
    cr_assert_eq(radio(w, rn, PERM[0], sizeof PERM[0], NULL, 0, 0, rid), 1);
    tt_pump(&w->tt, w->aiotf, 0);
    cr_assert_eq(run_command(w, 0, rid[0], AIOTSEC_CMD_WRITE, 900, 0, data, sizeof data, NULL, NULL),
                 AIOTSEC_CMD_STATUS_SUCCESS);
    cr_assert_arr_eq(big + 900, data, sizeof data);
    size_t n = 0;
    cr_assert_eq(run_command(w, 0, rid[0], AIOTSEC_CMD_READ, 900, 4000, NULL, 0, back, &n),
                 AIOTSEC_CMD_STATUS_SUCCESS);
    cr_assert_eq(n, sizeof data);
    cr_assert_arr_eq(back, data, sizeof data);
    teardown_world(w);
    free(w);
    aiotsec_profile_free(prof);
}
