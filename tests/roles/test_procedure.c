#define _POSIX_C_SOURCE 200809L
/* The three roles against each other, in-process: inventory, the command
 * sequence, and every attack of the demo with its specific status. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

#include "roles_test_util.h"

#define NDEV 8
#define MEM_LEN 256

typedef struct world {
    aiotsec_ctx *ctx;
    aiotsec_memstore *store;
    aiotsec_adm *adm;
    counting_adm cnt;
    aiotsec_aiotf *aiotf;
    uint8_t ident[NDEV][8], perm[NDEV][10], key[NDEV][32];
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
    cfg.ident = w->ident[i];
    cfg.ident_len = sizeof w->ident[i];
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
    w->dev_mem[i] = aligned_alloc(16, (aiotsec_device_size() + 15) & ~(size_t)15);
    cr_assert_eq(aiotsec_device_init(&w->dev[i], w->dev_mem[i], aiotsec_device_size(), w->ctx, &cfg),
                 AIOTSEC_OK);
}

static void build(world *w, const char *backend, unsigned int_alg, unsigned enc_alg)
{
    memset(w, 0, sizeof *w);
    cr_assert_eq(aiotsec_ctx_new(&w->ctx, backend, NULL), AIOTSEC_OK);
    cr_assert_eq(aiotsec_memstore_new(&w->store, w->ctx, 0), AIOTSEC_OK);
    uint64_t seed = 42;
    for (int i = 0; i < NDEV; i++) {
        memcpy(w->ident[i], "dev-tag", 7);
        w->ident[i][7] = (uint8_t)i;
        snprintf((char *)w->perm[i], sizeof w->perm[i], "perm-%04d", i);
        test_rand(&seed, w->key[i], 32);
        cr_assert_eq(aiotsec_memstore_add(w->store, w->ident[i], 8, w->perm[i], 10, w->key[i], 32),
                     AIOTSEC_OK);
        for (int j = 0; j < MEM_LEN; j++)
            w->memory[i][j] = (uint8_t)(j ^ i);
        w->rng[i] = 1000u + (uint64_t)i;
        make_device(w, i, w->key[i], int_alg, enc_alg);
    }
    aiotsec_keystore ks;
    cr_assert_eq(aiotsec_memstore_keystore(w->store, &ks), AIOTSEC_OK);
    cr_assert_eq(aiotsec_adm_new(&w->adm, w->ctx, &ks), AIOTSEC_OK);
    aiotsec_adm_client local, counted;
    cr_assert_eq(aiotsec_adm_client_local(w->adm, &local), AIOTSEC_OK);
    counting_adm_wrap(&w->cnt, &local, &counted);
    aiotsec_aiotf_config cfg;
    cr_assert_eq(aiotsec_aiotf_config_init(&cfg, w->ctx), AIOTSEC_OK);
    cfg.max_pending = 16;
    cfg.timeout_ms = 1000;
    if (int_alg) {
        cfg.int_alg = int_alg;
        cfg.enc_alg = enc_alg;
    }
    cr_assert_eq(aiotsec_aiotf_new(&w->aiotf, w->ctx, &counted, &cfg), AIOTSEC_OK);
}

static void teardown_world(world *w)
{
    aiotsec_aiotf_free(w->aiotf);
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

/* Steps 1-5: start a procedure and let device i answer. Returns the paging status. */
static int page(world *w, int i, int type, uint64_t now, uint8_t rand_n[32], uint64_t *proc,
                uint8_t *pdu, size_t *pdu_len)
{
    cr_assert_eq(aiotsec_aiotf_start(w->aiotf, type, w->ident[i], 8, now, rand_n, 32, proc), AIOTSEC_OK);
    return aiotsec_device_on_paging(w->dev[i], rand_n, aiotsec_rand_n_len(w->ctx), w->ident[i], 8, pdu,
                                    128, pdu_len);
}

/* A whole command procedure up to an authenticated, secured context. */
static uint64_t secure_proc(world *w, int i, uint64_t now)
{
    uint8_t rn[32], pdu[128];
    size_t pl;
    uint64_t proc;
    cr_assert_eq(page(w, i, AIOTSEC_PROC_COMMAND, now, rn, &proc, pdu, &pl), AIOTSEC_OK);
    aiotsec_aiotf_result r;
    cr_assert_eq(aiotsec_aiotf_on_report(w->aiotf, now, rn, aiotsec_rand_n_len(w->ctx), w->ident[i], 8,
                                         pdu, pl, &r), AIOTSEC_OK);
    cr_assert_eq(r.proc_id, proc);
    return proc;
}

/* AIOTF -> device -> AIOTF for one command; returns the decoded response status. */
static int run_command(world *w, int i, uint64_t proc, int cmd, uint16_t off, uint16_t len,
                       const uint8_t *data, size_t dlen, uint8_t *read_out, size_t *read_len)
{
    uint8_t req[1100], resp[1100], work[1100];
    size_t rl, sl;
    cr_assert_eq(aiotsec_aiotf_command(w->aiotf, proc, 10, cmd, off, len, data, dlen, req, sizeof req, &rl),
                 AIOTSEC_OK);
    cr_assert_eq(aiotsec_device_on_command(w->dev[i], req, rl, resp, sizeof resp, &sl), AIOTSEC_OK);
    aiotsec_nas_msg m;
    cr_assert_eq(aiotsec_aiotf_on_command_response(w->aiotf, proc, 10, resp, sl, work, sizeof work, &m),
                 AIOTSEC_OK);
    if (read_out && m.data) {
        memcpy(read_out, m.data, m.data_len);
        *read_len = m.data_len;
    }
    return m.status;
}

TestSuite(procedure, .init = setup, .fini = teardown);

Test(procedure, inventory_of_every_device)
{
    for (int i = 0; i < NDEV; i++) {
        uint8_t rn[32], pdu[128];
        size_t pl;
        uint64_t proc;
        cr_assert_eq(page(&W, i, AIOTSEC_PROC_INVENTORY, 0, rn, &proc, pdu, &pl), AIOTSEC_OK);
        aiotsec_aiotf_result r;
        cr_assert_eq(aiotsec_aiotf_on_report(W.aiotf, 1, rn, 16, W.ident[i], 8, pdu, pl, &r), AIOTSEC_OK);
        cr_assert_eq(r.perm_id_len, 10);
        cr_assert_arr_eq(r.perm_id, W.perm[i], 10);
        cr_assert_eq(r.type, AIOTSEC_PROC_INVENTORY);
        /* An inventory ends with the report: a second one is unsolicited. */
        cr_assert_eq(aiotsec_aiotf_on_report(W.aiotf, 1, rn, 16, W.ident[i], 8, pdu, pl, NULL),
                     AIOTSEC_E_NO_PENDING);
    }
    aiotsec_aiotf_stats st;
    cr_assert_eq(aiotsec_aiotf_stats_get(W.aiotf, &st), AIOTSEC_OK);
    cr_assert_eq(st.authenticated, NDEV);
    cr_assert_eq(st.unsolicited, NDEV);
    cr_assert_eq(W.cnt.auth_calls, NDEV); /* the unsolicited repeats cost nothing */
    cr_assert_eq(W.cnt.skey_calls, 0);
    cr_assert_eq(aiotsec_aiotf_pending(W.aiotf), 0);
}

Test(procedure, each_procedure_gets_a_fresh_rand_n)
{
    uint8_t a[32], b[32];
    uint64_t pa, pb;
    cr_assert_eq(aiotsec_aiotf_start(W.aiotf, AIOTSEC_PROC_INVENTORY, W.ident[0], 8, 0, a, 32, &pa), 0);
    cr_assert_eq(aiotsec_aiotf_start(W.aiotf, AIOTSEC_PROC_INVENTORY, W.ident[0], 8, 0, b, 32, &pb), 0);
    cr_assert(memcmp(a, b, 16) != 0);
    cr_assert_neq(pa, pb);
    cr_assert_eq(W.cnt.rand_calls, 2);
}

Test(procedure, read_write_readback_disable)
{
    uint64_t proc = secure_proc(&W, 3, 0);
    uint8_t buf[1024];
    size_t n = 0;
    cr_assert_eq(run_command(&W, 3, proc, AIOTSEC_CMD_READ, 32, 8, NULL, 0, buf, &n), AIOTSEC_CMD_STATUS_SUCCESS);
    cr_assert_eq(n, 8);
    cr_assert_arr_eq(buf, W.memory[3] + 32, 8);
    const uint8_t data[] = "hello, tag";
    cr_assert_eq(run_command(&W, 3, proc, AIOTSEC_CMD_WRITE, 40, 0, data, 10, NULL, NULL), AIOTSEC_CMD_STATUS_SUCCESS);
    cr_assert_arr_eq(W.memory[3] + 40, data, 10);
    n = 0;
    cr_assert_eq(run_command(&W, 3, proc, AIOTSEC_CMD_READ, 40, 10, NULL, 0, buf, &n), AIOTSEC_CMD_STATUS_SUCCESS);
    cr_assert_eq(n, 10);
    cr_assert_arr_eq(buf, data, 10);
    cr_assert_eq(run_command(&W, 3, proc, AIOTSEC_CMD_DISABLE, 0, 0, NULL, 0, NULL, NULL), AIOTSEC_CMD_STATUS_SUCCESS);
    cr_assert_eq(aiotsec_device_state_get(W.dev[3]), AIOTSEC_DEVICE_DISABLED);
    cr_assert_eq(aiotsec_aiotf_finish(W.aiotf, proc), AIOTSEC_OK);
    cr_assert_eq(W.cnt.skey_calls, 1);

    /* A disabled device answers nothing, ever. */
    uint8_t rn[32], pdu[128];
    size_t pl = 99;
    uint64_t p2;
    cr_assert_eq(page(&W, 3, AIOTSEC_PROC_COMMAND, 100, rn, &p2, pdu, &pl), AIOTSEC_E_DEVICE_DISABLED);
    cr_assert_eq(pl, 0);
    uint8_t resp[64];
    size_t sl = 99;
    cr_assert_eq(aiotsec_device_on_command(W.dev[3], pdu, 20, resp, sizeof resp, &sl), AIOTSEC_E_DEVICE_DISABLED);
    cr_assert_eq(sl, 0);
    /* The AIOTF's procedure gets no report and expires. */
    cr_assert_eq(aiotsec_aiotf_expire(W.aiotf, 100 + 1001), 1);
    cr_assert_eq(aiotsec_aiotf_pending(W.aiotf), 0);
}

Test(procedure, write_protected_and_out_of_range)
{
    uint64_t proc = secure_proc(&W, 1, 0);
    uint8_t before[MEM_LEN];
    memcpy(before, W.memory[1], MEM_LEN);
    const uint8_t data[4] = {1, 2, 3, 4};
    cr_assert_eq(run_command(&W, 1, proc, AIOTSEC_CMD_WRITE, 14, 0, data, 4, NULL, NULL),
                 AIOTSEC_CMD_STATUS_WRITE_PROTECTED);
    cr_assert_eq(run_command(&W, 1, proc, AIOTSEC_CMD_WRITE, MEM_LEN - 2, 0, data, 4, NULL, NULL),
                 AIOTSEC_CMD_STATUS_OUT_OF_RANGE);
    cr_assert_eq(run_command(&W, 1, proc, AIOTSEC_CMD_READ, MEM_LEN - 4, 5, NULL, 0, NULL, NULL),
                 AIOTSEC_CMD_STATUS_OUT_OF_RANGE);
    cr_assert_arr_eq(W.memory[1], before, MEM_LEN);
    /* Reading the protected range is fine. */
    uint8_t buf[16];
    size_t n = 0;
    cr_assert_eq(run_command(&W, 1, proc, AIOTSEC_CMD_READ, 0, 16, NULL, 0, buf, &n), AIOTSEC_CMD_STATUS_SUCCESS);
    cr_assert_arr_eq(buf, before, 16);
}

Test(procedure, attack_wrong_key)
{
    uint8_t bad[32];
    memcpy(bad, W.key[2], 32);
    bad[5] ^= 0x01;
    make_device(&W, 2, bad, 0, 0);
    uint8_t rn[32], pdu[128];
    size_t pl;
    uint64_t proc;
    cr_assert_eq(page(&W, 2, AIOTSEC_PROC_COMMAND, 0, rn, &proc, pdu, &pl), AIOTSEC_OK);
    cr_assert_eq(aiotsec_aiotf_on_report(W.aiotf, 1, rn, 16, W.ident[2], 8, pdu, pl, NULL), AIOTSEC_E_AUTH_FAILED);
    aiotsec_aiotf_stats st;
    cr_assert_eq(aiotsec_aiotf_stats_get(W.aiotf, &st), AIOTSEC_OK);
    cr_assert_eq(st.auth_failed, 1);
    cr_assert_eq(st.authenticated, 0);
    cr_assert_eq(W.cnt.skey_calls, 0); /* no K_AIOTF for an impostor */
    /* One attempt per RAND_AIOT_n: the procedure is gone. */
    cr_assert_eq(aiotsec_aiotf_command(W.aiotf, proc, 2, AIOTSEC_CMD_READ, 0, 1, NULL, 0, pdu, sizeof pdu, &pl),
                 AIOTSEC_E_NO_PENDING);
}

Test(procedure, attack_replayed_command_request)
{
    uint64_t proc = secure_proc(&W, 4, 0);
    uint8_t req[64], resp[1100];
    size_t rl, sl;
    cr_assert_eq(aiotsec_aiotf_command(W.aiotf, proc, 1, AIOTSEC_CMD_READ, 16, 4, NULL, 0, req, sizeof req, &rl), 0);
    cr_assert_eq(aiotsec_device_on_command(W.dev[4], req, rl, resp, sizeof resp, &sl), AIOTSEC_OK);
    cr_assert_eq(aiotsec_device_on_command(W.dev[4], req, rl, resp, sizeof resp, &sl), AIOTSEC_E_REPLAY);
    cr_assert_eq(sl, 0);
}

Test(procedure, attack_replayed_write_does_not_write_twice)
{
    uint64_t proc = secure_proc(&W, 4, 0);
    const uint8_t data[2] = {0xAA, 0xBB};
    uint8_t req[64], resp[1100];
    size_t rl, sl;
    cr_assert_eq(aiotsec_aiotf_command(W.aiotf, proc, 1, AIOTSEC_CMD_WRITE, 100, 0, data, 2, req, sizeof req, &rl), 0);
    cr_assert_eq(aiotsec_device_on_command(W.dev[4], req, rl, resp, sizeof resp, &sl), AIOTSEC_OK);
    W.memory[4][100] = 0; /* the application changed it since */
    cr_assert_eq(aiotsec_device_on_command(W.dev[4], req, rl, resp, sizeof resp, &sl), AIOTSEC_E_REPLAY);
    cr_assert_eq(W.memory[4][100], 0);
}

Test(procedure, attack_tampered_mac_and_payload)
{
    uint64_t proc = secure_proc(&W, 5, 0);
    uint8_t req[64], t[64], resp[1100];
    size_t rl, sl;
    const uint8_t data[1] = {0x55};
    cr_assert_eq(aiotsec_aiotf_command(W.aiotf, proc, 1, AIOTSEC_CMD_WRITE, 200, 0, data, 1, req, sizeof req, &rl), 0);
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
    t[6] ^= 0x01; /* SQN 1: a fresh COUNT, but the MAC was computed over COUNT 0 */
    cr_assert_eq(aiotsec_device_on_command(W.dev[5], t, rl, resp, sizeof resp, &sl), AIOTSEC_E_MAC_MISMATCH);
    cr_assert_eq(W.memory[5][200], old);
    /* The genuine request still works after the forgeries. */
    cr_assert_eq(aiotsec_device_on_command(W.dev[5], req, rl, resp, sizeof resp, &sl), AIOTSEC_OK);
    cr_assert_eq(W.memory[5][200], 0x55);
    /* And a tampered COMMAND RESPONSE is refused by the AIOTF. */
    uint8_t work[1100];
    aiotsec_nas_msg m;
    memcpy(t, resp, sl);
    t[3] ^= 0x80;
    cr_assert_eq(aiotsec_aiotf_on_command_response(W.aiotf, proc, 2, t, sl, work, sizeof work, &m),
                 AIOTSEC_E_MAC_MISMATCH);
    cr_assert_eq(aiotsec_aiotf_on_command_response(W.aiotf, proc, 2, resp, sl, work, sizeof work, &m), AIOTSEC_OK);
    cr_assert_eq(m.status, AIOTSEC_CMD_STATUS_SUCCESS);
}

Test(procedure, attack_unsolicited_reports_cost_no_adm_call)
{
    uint8_t rn[32], pdu[128];
    size_t pl;
    /* A device paged by someone else (a paging storm): its answer reaches the AIOTF. */
    memset(rn, 0x3c, sizeof rn);
    cr_assert_eq(aiotsec_device_on_paging(W.dev[0], rn, 16, W.ident[0], 8, pdu, sizeof pdu, &pl), AIOTSEC_OK);
    unsigned long before = W.cnt.auth_calls;
    cr_assert_eq(aiotsec_aiotf_on_report(W.aiotf, 0, rn, 16, W.ident[0], 8, pdu, pl, NULL), AIOTSEC_E_NO_PENDING);
    /* A pending RAND_AIOT_n answered by another device is unsolicited too. */
    uint8_t rn2[32];
    uint64_t proc;
    cr_assert_eq(page(&W, 1, AIOTSEC_PROC_INVENTORY, 0, rn2, &proc, pdu, &pl), AIOTSEC_OK);
    cr_assert_eq(aiotsec_aiotf_on_report(W.aiotf, 0, rn2, 16, W.ident[0], 8, pdu, pl, NULL), AIOTSEC_E_NO_PENDING);
    /* A wrong RAND length is no match either. */
    cr_assert_eq(aiotsec_aiotf_on_report(W.aiotf, 0, rn2, 15, W.ident[1], 8, pdu, pl, NULL), AIOTSEC_E_NO_PENDING);
    cr_assert_eq(W.cnt.auth_calls, before);
    aiotsec_aiotf_stats st;
    cr_assert_eq(aiotsec_aiotf_stats_get(W.aiotf, &st), AIOTSEC_OK);
    cr_assert_eq(st.unsolicited, 3);
    /* The real device's report still authenticates. */
    cr_assert_eq(aiotsec_aiotf_on_report(W.aiotf, 0, rn2, 16, W.ident[1], 8, pdu, pl, NULL), AIOTSEC_OK);
}

Test(procedure, late_report_dropped_without_adm_call)
{
    uint8_t rn[32], pdu[128];
    size_t pl;
    uint64_t proc;
    cr_assert_eq(page(&W, 6, AIOTSEC_PROC_INVENTORY, 5000, rn, &proc, pdu, &pl), AIOTSEC_OK);
    /* Exactly at the deadline is still in time; one millisecond later is not. */
    cr_assert_eq(aiotsec_aiotf_on_report(W.aiotf, 6001, rn, 16, W.ident[6], 8, pdu, pl, NULL), AIOTSEC_E_EXPIRED);
    cr_assert_eq(W.cnt.auth_calls, 0);
    cr_assert_eq(aiotsec_aiotf_on_report(W.aiotf, 6001, rn, 16, W.ident[6], 8, pdu, pl, NULL), AIOTSEC_E_NO_PENDING);
    cr_assert_eq(page(&W, 6, AIOTSEC_PROC_INVENTORY, 5000, rn, &proc, pdu, &pl), AIOTSEC_OK);
    cr_assert_eq(aiotsec_aiotf_on_report(W.aiotf, 6000, rn, 16, W.ident[6], 8, pdu, pl, NULL), AIOTSEC_OK);
    aiotsec_aiotf_stats st;
    cr_assert_eq(aiotsec_aiotf_stats_get(W.aiotf, &st), AIOTSEC_OK);
    cr_assert_eq(st.late, 1);
}

Test(procedure, malformed_report_keeps_procedure_and_costs_nothing)
{
    uint8_t rn[32], pdu[128];
    size_t pl;
    uint64_t proc;
    cr_assert_eq(page(&W, 7, AIOTSEC_PROC_INVENTORY, 0, rn, &proc, pdu, &pl), AIOTSEC_OK);
    uint8_t bad[128];
    memcpy(bad, pdu, pl);
    cr_assert_eq(aiotsec_aiotf_on_report(W.aiotf, 0, rn, 16, W.ident[7], 8, bad, pl - 1, NULL),
                 AIOTSEC_E_NAS_TRUNCATED);
    bad[0] ^= 1;
    cr_assert_eq(aiotsec_aiotf_on_report(W.aiotf, 0, rn, 16, W.ident[7], 8, bad, pl, NULL), AIOTSEC_E_NAS_BAD_EPD);
    cr_assert_eq(W.cnt.auth_calls, 0);
    cr_assert_eq(aiotsec_aiotf_on_report(W.aiotf, 0, rn, 16, W.ident[7], 8, pdu, pl, NULL), AIOTSEC_OK);
}

Test(procedure, attack_new_paging_aborts_ongoing_procedure)
{
    uint64_t proc = secure_proc(&W, 2, 0);
    cr_assert_eq(run_command(&W, 2, proc, AIOTSEC_CMD_READ, 0, 4, NULL, 0, NULL, NULL), AIOTSEC_CMD_STATUS_SUCCESS);
    /* A new paging (here from an attacker who knows the identity) aborts it. */
    uint8_t rn[32], pdu[128], req[64], resp[1100];
    size_t pl, rl, sl;
    memset(rn, 0x77, sizeof rn);
    cr_assert_eq(aiotsec_device_on_paging(W.dev[2], rn, 16, W.ident[2], 8, pdu, sizeof pdu, &pl), AIOTSEC_OK);
    cr_assert_eq(aiotsec_device_state_get(W.dev[2]), AIOTSEC_DEVICE_AUTHENTICATING);
    aiotsec_device_stats ds;
    cr_assert_eq(aiotsec_device_stats_get(W.dev[2], &ds), AIOTSEC_OK);
    cr_assert_eq(ds.aborted, 1);
    /* The old procedure's next command no longer verifies: the keys are new. */
    cr_assert_eq(aiotsec_aiotf_command(W.aiotf, proc, 1, AIOTSEC_CMD_WRITE, 50, 0, (const uint8_t *)"x", 1, req,
                                       sizeof req, &rl), 0);
    cr_assert_eq(aiotsec_device_on_command(W.dev[2], req, rl, resp, sizeof resp, &sl), AIOTSEC_E_MAC_MISMATCH);
    /* A paging for another device aborts too, and then the device says so. */
    cr_assert_eq(aiotsec_device_on_paging(W.dev[2], rn, 16, W.ident[3], 8, pdu, sizeof pdu, &pl),
                 AIOTSEC_E_NOT_ADDRESSED);
    cr_assert_eq(pl, 0);
    cr_assert_eq(aiotsec_device_on_command(W.dev[2], req, rl, resp, sizeof resp, &sl), AIOTSEC_E_ABORTED);
    cr_assert_eq(aiotsec_device_state_get(W.dev[2]), AIOTSEC_DEVICE_IDLE);
}

Test(procedure, command_before_any_paging_is_bad_state)
{
    uint8_t junk[16] = {0x7a, 1}, resp[64];
    size_t sl;
    cr_assert_eq(aiotsec_device_on_command(W.dev[0], junk, sizeof junk, resp, sizeof resp, &sl), AIOTSEC_E_BAD_STATE);
}

Test(procedure, pending_table_limit_and_expiry)
{
    uint8_t rn[32];
    uint64_t proc;
    for (int i = 0; i < 16; i++)
        cr_assert_eq(aiotsec_aiotf_start(W.aiotf, AIOTSEC_PROC_INVENTORY, W.ident[0], 8, (uint64_t)i, rn, 32, &proc), 0);
    cr_assert_eq(aiotsec_aiotf_start(W.aiotf, AIOTSEC_PROC_INVENTORY, W.ident[0], 8, 0, rn, 32, &proc), AIOTSEC_E_LIMIT);
    cr_assert_eq(aiotsec_aiotf_expire(W.aiotf, 1005), 5); /* started at 0..4 */
    cr_assert_eq(aiotsec_aiotf_pending(W.aiotf), 11);
    /* The table still finds the survivors after removals moved index entries. */
    cr_assert_eq(aiotsec_aiotf_start(W.aiotf, AIOTSEC_PROC_INVENTORY, W.ident[1], 8, 2000, rn, 32, &proc), 0);
    uint8_t pdu[128];
    size_t pl;
    cr_assert_eq(aiotsec_device_on_paging(W.dev[1], rn, 16, W.ident[1], 8, pdu, sizeof pdu, &pl), 0);
    cr_assert_eq(aiotsec_aiotf_on_report(W.aiotf, 2000, rn, 16, W.ident[1], 8, pdu, pl, NULL), AIOTSEC_OK);
    cr_assert_eq(aiotsec_aiotf_finish(W.aiotf, proc), AIOTSEC_E_NO_PENDING); /* stale id */
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
            uint64_t proc = secure_proc(w, 0, 0);
            const uint8_t data[3] = {9, 8, 7};
            uint8_t buf[8];
            size_t n = 0;
            cr_assert_eq(run_command(w, 0, proc, AIOTSEC_CMD_WRITE, 60, 0, data, 3, NULL, NULL), AIOTSEC_CMD_STATUS_SUCCESS);
            cr_assert_eq(run_command(w, 0, proc, AIOTSEC_CMD_READ, 60, 3, NULL, 0, buf, &n), AIOTSEC_CMD_STATUS_SUCCESS);
            cr_assert_arr_eq(buf, data, 3, "backend %s alg %u", name, algs[a][0]);
            teardown_world(w);
            free(w);
        }
    }
}

/* A batch of reports gives, report by report, what single calls would: valid,
 * impostor, duplicate, unsolicited, malformed and late, through the counting
 * (remote-style) client and through the in-process client's batch path. */
static void batch_mix(world *w, aiotsec_aiotf *f, int expect_adm_calls, unsigned long *auth_calls)
{
    uint8_t rn[NDEV][32], pdu[NDEV][128], fake[32];
    size_t pl[NDEV];
    uint64_t proc[NDEV];
    uint8_t bad[32];
    memcpy(bad, w->key[2], 32);
    bad[31] ^= 1;
    make_device(w, 2, bad, 0, 0); /* device 2 is an impostor */
    for (int i = 0; i < NDEV; i++) {
        uint64_t t0 = i == 6 ? 0 : 500; /* device 6's procedure will be late */
        cr_assert_eq(aiotsec_aiotf_start(f, i == 5 ? AIOTSEC_PROC_COMMAND : AIOTSEC_PROC_INVENTORY, w->ident[i], 8,
                                         t0, rn[i], 32, &proc[i]), 0);
        cr_assert_eq(aiotsec_device_on_paging(w->dev[i], rn[i], 16, w->ident[i], 8, pdu[i], 128, &pl[i]), 0);
    }
    memset(fake, 0xAB, sizeof fake);
    aiotsec_aiotf_report r[NDEV + 3];
    for (int i = 0; i < NDEV; i++)
        r[i] = (aiotsec_aiotf_report){rn[i], 16, w->ident[i], 8, pdu[i], pl[i]};
    r[7].nas_len = pl[7] - 2;                                /* malformed: stays pending */
    r[NDEV] = r[0];                                          /* duplicate of device 0 */
    r[NDEV + 1] = (aiotsec_aiotf_report){fake, 16, w->ident[1], 8, pdu[1], pl[1]}; /* unsolicited */
    r[NDEV + 2] = (aiotsec_aiotf_report){rn[7], 16, w->ident[7], 8, pdu[7], pl[7]}; /* 7 again, intact */
    int st[NDEV + 3];
    aiotsec_aiotf_result res[NDEV + 3];
    unsigned long before = *auth_calls;
    cr_assert_eq(aiotsec_aiotf_on_reports(f, 1001, r, NDEV + 3, st, res), AIOTSEC_OK);
    int want[NDEV + 3] = {AIOTSEC_OK, AIOTSEC_OK, AIOTSEC_E_AUTH_FAILED, AIOTSEC_OK, AIOTSEC_OK, AIOTSEC_OK,
                          AIOTSEC_E_EXPIRED, AIOTSEC_E_NAS_TRUNCATED, AIOTSEC_E_NO_PENDING,
                          AIOTSEC_E_NO_PENDING, AIOTSEC_OK};
    for (int i = 0; i < NDEV + 3; i++)
        cr_assert_eq(st[i], want[i], "report %d: %s", i, aiotsec_status_name(st[i]));
    for (int i = 0; i < NDEV; i++)
        if (st[i] == AIOTSEC_OK) {
            cr_assert_eq(res[i].perm_id_len, 10);
            cr_assert_arr_eq(res[i].perm_id, w->perm[i], 10);
            cr_assert_eq(res[i].type, i == 5 ? AIOTSEC_PROC_COMMAND : AIOTSEC_PROC_INVENTORY);
        }
    cr_assert_arr_eq(res[NDEV + 2].perm_id, w->perm[7], 10);
    if (expect_adm_calls >= 0) /* 0,1,2,3,4,5,7: the well-formed matched ones */
        cr_assert_eq(*auth_calls - before, (unsigned long)expect_adm_calls);
    /* The command procedure is secured and usable. */
    uint8_t req[64], resp[1100];
    size_t rl, sl;
    cr_assert_eq(aiotsec_aiotf_command(f, proc[5], 1002, AIOTSEC_CMD_READ, 16, 4, NULL, 0, req, sizeof req, &rl), 0);
    cr_assert_eq(aiotsec_device_on_command(w->dev[5], req, rl, resp, sizeof resp, &sl), 0);
    cr_assert_eq(aiotsec_aiotf_pending(f), 1);
}

Test(procedure, batch_of_reports_through_a_remote_client)
{
    batch_mix(&W, W.aiotf, 7, &W.cnt.auth_calls);
}

Test(procedure, batch_of_reports_through_the_local_batch_path)
{
    aiotsec_adm_client local;
    aiotsec_aiotf *f;
    aiotsec_aiotf_config cfg;
    cr_assert_eq(aiotsec_adm_client_local(W.adm, &local), 0);
    cr_assert_eq(aiotsec_aiotf_config_init(&cfg, W.ctx), 0);
    cfg.max_pending = 16;
    cfg.timeout_ms = 1000;
    cr_assert_eq(aiotsec_aiotf_new(&f, W.ctx, &local, &cfg), 0);
    unsigned long none = 0;
    batch_mix(&W, f, -1, &none);
    aiotsec_aiotf_stats st;
    cr_assert_eq(aiotsec_aiotf_stats_get(f, &st), 0);
    cr_assert_eq(st.authenticated, 6);
    cr_assert_eq(st.auth_failed, 1);
    cr_assert_eq(st.unsolicited, 2);
    cr_assert_eq(st.late, 1);
    cr_assert_eq(st.malformed, 1);
    aiotsec_aiotf_free(f);
}

/* The ADM's batch equals its single call, item by item, on every backend
 * (the native one has a real multi-buffer HMAC path), errors included. */
Test(procedure_backends, adm_batch_equals_single_calls)
{
    for (size_t b = 0; b < aiotsec_backend_count(); b++) {
        world *w = calloc(1, sizeof *w);
        build(w, aiotsec_backend_name_at(b), 0, 0);
        enum { N = 150 };
        static aiotsec_adm_auth_item it[N];
        static uint8_t rn[N][16], rd[N][16], xres[N][32], perm[N][64], want[32], wperm[64];
        for (int i = 0; i < N; i++) {
            uint64_t s = (uint64_t)i * 77u + 1;
            test_rand(&s, rn[i], 16);
            test_rand(&s, rd[i], 16);
            it[i] = (aiotsec_adm_auth_item){w->ident[i % NDEV], 8, rn[i], 16, rd[i], 16, xres[i], perm[i], 0, 99};
        }
        it[10].ident_len = 7;   /* unknown device */
        it[20].rand_d_len = 15; /* bad length */
        it[30].perm_id = NULL;  /* Permanent Identifier not wanted */
        cr_assert_eq(aiotsec_adm_sec_authentication_get_batch(w->adm, it, N), AIOTSEC_OK);
        for (int i = 0; i < N; i++) {
            size_t wl = 0;
            int rc = aiotsec_adm_sec_authentication_get(w->adm, it[i].ident, it[i].ident_len, rn[i], 16, rd[i],
                                                        it[i].rand_d_len, want, sizeof want, wperm, sizeof wperm, &wl);
            cr_assert_eq(it[i].status, rc, "item %d: %s vs %s", i, aiotsec_status_name(it[i].status),
                         aiotsec_status_name(rc));
            if (rc == AIOTSEC_OK) {
                cr_assert_arr_eq(xres[i], want, 16, "item %d", i);
                if (i != 30) {
                    cr_assert_eq(it[i].perm_id_len, wl);
                    cr_assert_arr_eq(perm[i], wperm, wl);
                }
            }
        }
        cr_assert_eq(it[10].status, AIOTSEC_E_UNKNOWN_DEVICE);
        cr_assert_eq(it[20].status, AIOTSEC_E_BAD_LENGTH);
        teardown_world(w);
        free(w);
    }
}
