/* Constant-time check of the roles end to end (run under valgrind memcheck, stage 40),
 * in the style of ct_check.c: every K_AIOT_root given to the key store (ADM side) and
 * to the devices is marked undefined, so XRES_AIOT, RES_AIOT, K_AIOTF and the NAS keys
 * derived from it inside the ADM, the AIOTF and the devices are secret too. Every
 * message is marked defined when it goes on the air (it is public there); the only
 * value declassified inside the library is the verdict of aiotsec_ct_equal (link-time
 * wrapper, as in ct_check.c).
 * Runs, on every backend: a group inventory of three tags (a filter; the ADM derives
 * the candidate sets, the AIOTF compares every RES_AIOT with every candidate), the
 * same with one RES_AIOT forged on the air (that report alone must fail), a named
 * inventory, and a command procedure (WRITE, then READ) with the profile's algorithms,
 * and with 128-NIA2 on backends with AES. Ciphering (128-NEA2) is checked in
 * ct_check.c, where the deciphered message can be declassified as it leaves
 * aiotsec_nas_unprotect(); here the device decodes it inside the library, and memcheck
 * would (rightly, for its model) report the decoder's branches on a plaintext derived
 * from the key stream.
 * Exit 0 ok, 1 a wrong result. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "aiotsec/aiotsec.h"
#define CT_NAME "ct_roles"
#include "ct_common.h"


static int dev_random(void *user, uint8_t *out, size_t len)
{
    return aiotsec_random(user, out, len);
}

#define NTAG 3

typedef struct world {
    aiotsec_ctx *ctx;
    aiotsec_memstore *store;
    aiotsec_adm *adm;
    aiotsec_aiotf *aiotf;
    aiotsec_auth_answer *ans;
    aiotsec_device *dev[NTAG];
    void *dev_mem[NTAG];
    uint8_t memory[NTAG][64];
} world;

static const uint8_t PERM[NTAG][3] = {{'P', '-', '1'}, {'P', '-', '2'}, {'P', '-', '3'}};
static const uint8_t GROUP[] = {16, 'P', '-'}; /* all three */

static int world_new(world *w, const char *be, unsigned int_alg, unsigned enc_alg)
{
    memset(w, 0, sizeof *w);
    aiotsec_keystore ks;
    aiotsec_aiotf_config cfg;
    int rc = aiotsec_ctx_new(&w->ctx, be, NULL);
    if (!rc)
        rc = aiotsec_memstore_new(&w->store, w->ctx, NTAG);
    if (!rc)
        rc = aiotsec_auth_answer_new(&w->ans, 64);
    for (int t = 0; t < NTAG && !rc; t++) {
        uint8_t k_root[32];
        for (size_t i = 0; i < sizeof k_root; i++)
            k_root[i] = (uint8_t)(0x5A ^ (i * 7) ^ (t * 31));
        SECRET(k_root, sizeof k_root);
        rc = aiotsec_memstore_add(w->store, PERM[t], sizeof PERM[t], k_root, sizeof k_root);
        aiotsec_device_config dc;
        if (!rc)
            rc = aiotsec_device_config_init(&dc, w->ctx);
        if (!rc) {
            dc.perm_id = PERM[t];
            dc.perm_id_len = sizeof PERM[t];
            dc.k_root = k_root;
            dc.k_root_len = sizeof k_root;
            dc.memory = w->memory[t];
            dc.memory_len = sizeof w->memory[t];
            dc.rand = dev_random;
            dc.rand_user = w->ctx;
            dc.int_alg = int_alg ? int_alg : dc.int_alg;
            dc.enc_alg = int_alg ? enc_alg : dc.enc_alg;
            size_t sz = (aiotsec_device_statebytes() + AIOTSEC_DEVICE_ALIGN - 1) & ~(size_t)(AIOTSEC_DEVICE_ALIGN - 1);
            w->dev_mem[t] = aligned_alloc(AIOTSEC_DEVICE_ALIGN, sz);
            rc = w->dev_mem[t] ? aiotsec_device_init(&w->dev[t], w->dev_mem[t], sz, w->ctx, &dc)
                               : AIOTSEC_E_NO_MEMORY;
        }
        aiotsec_wipe(k_root, sizeof k_root);
    }
    if (!rc)
        rc = aiotsec_memstore_keystore(w->store, &ks);
    if (!rc)
        rc = aiotsec_adm_new(&w->adm, w->ctx, &ks, NULL);
    if (!rc)
        rc = aiotsec_aiotf_config_init(&cfg, w->ctx);
    if (!rc) {
        cfg.int_alg = int_alg ? int_alg : cfg.int_alg;
        cfg.enc_alg = int_alg ? enc_alg : cfg.enc_alg;
        cfg.max_procedures = 8;
        cfg.max_reports = 64;
        cfg.max_requests = 16;
        cfg.max_sessions = 8;
        rc = aiotsec_aiotf_new(&w->aiotf, w->ctx, &cfg);
    }
    return rc;
}

static void world_free(world *w)
{
    for (int t = 0; t < NTAG; t++) {
        if (w->dev[t])
            aiotsec_device_clear(w->dev[t]);
        free(w->dev_mem[t]);
    }
    aiotsec_aiotf_free(w->aiotf);
    aiotsec_auth_answer_free(w->ans);
    aiotsec_adm_free(w->adm);
    aiotsec_memstore_free(w->store);
    aiotsec_ctx_free(w->ctx);
}

/* Steps 1-10 for the tags [first, first + n): a group paging (filter) or a named one
 * (n == 1, named != 0). forge_tag >= 0 flips a RES_AIOT bit of that tag's report on
 * the air. Writes each tag's verdict and report id. */
static int inventory(world *w, int type, int first, int n, int named, int forge_tag, int verdict[NTAG],
                     uint64_t rid[NTAG], uint64_t *proc)
{
    int rc = aiotsec_aiotf_start(w->aiotf, 1000, type, named ? PERM[first] : NULL,
                                 named ? sizeof PERM[first] : 0, named ? NULL : GROUP, named ? 0 : sizeof GROUP, (uint32_t)n, proc);
    if (!rc)
        rc = aiotsec_aiotf_pump_local(w->aiotf, 1000, w->adm, w->ans, NULL);
    aiotsec_aiotf_summary sum;
    if (!rc)
        rc = aiotsec_aiotf_summary_get(w->aiotf, *proc, &sum);
    for (int t = first; t < first + n && !rc; t++) {
        uint8_t report[128];
        size_t report_len = 0;
        rc = aiotsec_device_on_paging(w->dev[t], sum.rand_n, 16, named ? PERM[t] : NULL, named ? sizeof PERM[t] : 0,
                                      named ? NULL : GROUP, named ? 0 : sizeof GROUP, report, sizeof report,
                                      &report_len);
        if (rc)
            break;
        PUBLIC(report, report_len); /* on the air */
        if (t == forge_tag)
            report[4] ^= 0x01; /* the first RES_AIOT octet (after EPD, SHT, type, length) */
        rc = aiotsec_aiotf_on_report(w->aiotf, 1001, sum.rand_n, 16, report, report_len, &rid[t]);
    }
    if (!rc)
        rc = aiotsec_aiotf_pump_local(w->aiotf, 1002, w->adm, w->ans, NULL);
    for (int t = first; t < first + n && !rc; t++) {
        aiotsec_aiotf_device d;
        rc = aiotsec_aiotf_device_get(w->aiotf, rid[t], &d);
        verdict[t] = d.status;
        if (!rc && d.status == AIOTSEC_OK && (d.perm_id_len != sizeof PERM[t] || memcmp(d.perm_id, PERM[t], 3)))
            rc = AIOTSEC_E_BAD_ANSWER; /* identified as the wrong device */
    }
    return rc;
}

/* One protected command and its protected response. */
static int command(world *w, int t, uint64_t rid, aiotsec_cmd cmd, const uint8_t *data, size_t data_len,
                   aiotsec_nas_msg *msg, uint8_t *work, size_t work_cap)
{
    uint8_t req[256], resp[256];
    size_t req_len = 0, resp_len = 0;
    int rc = aiotsec_aiotf_command(w->aiotf, rid, 1002, cmd, 8, 4, data, data_len, req, sizeof req, &req_len);
    if (rc)
        return rc;
    PUBLIC(req, req_len);
    rc = aiotsec_device_on_command(w->dev[t], req, req_len, resp, sizeof resp, &resp_len);
    if (rc)
        return rc;
    PUBLIC(resp, resp_len);
    rc = aiotsec_aiotf_on_command_response(w->aiotf, rid, 1003, resp, resp_len, work, work_cap, msg);
    PUBLIC(work, work_cap); /* the AIOTF's plain response is the AIOTF's to read */
    PUBLIC(msg, sizeof *msg);
    return rc;
}

static void run(const char *be, unsigned int_alg, unsigned enc_alg)
{
    world w;
    int rc = world_new(&w, be, int_alg, enc_alg);
    CHECK(rc == AIOTSEC_OK, "%s setup: %d", be, rc);
    if (rc == AIOTSEC_OK) {
        uint64_t proc = 0, rid[NTAG] = {0};
        int v[NTAG];
        rc = inventory(&w, AIOTSEC_PROC_INVENTORY, 0, NTAG, 0, -1, v, rid, &proc);
        CHECK(rc == AIOTSEC_OK && v[0] == AIOTSEC_OK && v[1] == AIOTSEC_OK && v[2] == AIOTSEC_OK,
              "%s group inventory: %d", be, rc);
        rc = inventory(&w, AIOTSEC_PROC_INVENTORY, 0, NTAG, 0, 1, v, rid, &proc);
        CHECK(rc == AIOTSEC_OK && v[0] == AIOTSEC_OK && v[1] == AIOTSEC_E_AUTH_FAILED && v[2] == AIOTSEC_OK,
              "%s group inventory with a forged RES: %d (%d %d %d)", be, rc, v[0], v[1], v[2]);
        rc = inventory(&w, AIOTSEC_PROC_INVENTORY, 2, 1, 1, -1, v, rid, &proc);
        CHECK(rc == AIOTSEC_OK && v[2] == AIOTSEC_OK, "%s named inventory: %d", be, rc);
        rc = inventory(&w, AIOTSEC_PROC_COMMAND, 1, 1, 1, -1, v, rid, &proc);
        CHECK(rc == AIOTSEC_OK && v[1] == AIOTSEC_OK, "%s command authentication: %d", be, rc);
        if (rc == AIOTSEC_OK) {
            static const uint8_t wdata[4] = {0xDE, 0xAD, 0xBE, 0xEF};
            uint8_t work[256];
            aiotsec_nas_msg msg;
            rc = command(&w, 1, rid[1], AIOTSEC_CMD_WRITE, wdata, sizeof wdata, &msg, work, sizeof work);
            CHECK(rc == AIOTSEC_OK && msg.status == AIOTSEC_CMD_STATUS_SUCCESS, "%s WRITE: %d", be, rc);
            rc = command(&w, 1, rid[1], AIOTSEC_CMD_READ, NULL, 0, &msg, work, sizeof work);
            CHECK(rc == AIOTSEC_OK && msg.status == AIOTSEC_CMD_STATUS_SUCCESS && msg.data_len == 4 &&
                      memcmp(msg.data, wdata, 4) == 0, "%s READ back: %d", be, rc);
            CHECK(aiotsec_aiotf_finish(w.aiotf, proc) == AIOTSEC_OK, "%s finish", be);
        }
    }
    world_free(&w);
    printf("ct_roles: backend %s, int %u enc %u: done\n", be, int_alg, enc_alg);
}

int main(void)
{
    for (size_t i = 0; i < aiotsec_backend_count(); i++) {
        const char *be = aiotsec_backend_name_at(i);
        run(be, 0, 0); /* the profile's defaults (AIA-HS, NEA0) */
        aiotsec_ctx *ctx = NULL;
        if (aiotsec_ctx_new(&ctx, be, NULL) == AIOTSEC_OK && (aiotsec_ctx_caps(ctx) & AIOTSEC_CAP_AES128))
            run(be, AIOTSEC_NIA2, AIOTSEC_NEA0);
        aiotsec_ctx_free(ctx);
    }
    printf("ct_roles: %zu checks, %s (valgrind: %s)\n", ct_checks, ct_fail ? "FAILED" : "ok",
           RUNNING_ON_VALGRIND ? "yes" : "no");
    return ct_fail ? 1 : 0;
}
