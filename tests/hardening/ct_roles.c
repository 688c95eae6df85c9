/* Constant-time check of the roles end to end (run under valgrind memcheck, stage 40),
 * in the style of ct_check.c: the K_AIOT_root given to the key store (ADM side) and to
 * the device is marked undefined, so XRES_AIOT, RES_AIOT, K_AIOTF and the NAS keys
 * derived from it inside the ADM, the AIOTF and the device are secret too. Every
 * message is marked defined when it goes on the air (it is public there); the only
 * value declassified inside the library is the verdict of aiotsec_ct_equal (link-time
 * wrapper, as in ct_check.c).
 * Runs, on every backend: an inventory, an inventory with a forged RES_AIOT (must fail),
 * and a command procedure (WRITE, then READ) with the profile's algorithms, and with
 * 128-NIA2 on backends with AES. Ciphering (128-NEA2) is checked in ct_check.c, where
 * the deciphered message can be declassified as it leaves aiotsec_nas_unprotect();
 * here the device decodes it inside the library, and memcheck would (rightly, for its
 * model) report the decoder's branches on a plaintext derived from the key stream.
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

typedef struct world {
    aiotsec_ctx *ctx;
    aiotsec_memstore *store;
    aiotsec_adm *adm;
    aiotsec_aiotf *aiotf;
    aiotsec_device *dev;
    void *dev_mem;
    uint8_t memory[64];
} world;

static const uint8_t IDENT[] = {0xA0, 0x01};
static const uint8_t PERM[] = {'P', '-', '1'};

static int world_new(world *w, const char *be, unsigned int_alg, unsigned enc_alg)
{
    memset(w, 0, sizeof *w);
    uint8_t k_root[32];
    for (size_t i = 0; i < sizeof k_root; i++)
        k_root[i] = (uint8_t)(0x5A ^ (i * 7));
    SECRET(k_root, sizeof k_root);
    aiotsec_keystore ks;
    aiotsec_adm_client client;
    aiotsec_aiotf_config cfg;
    aiotsec_device_config dc;
    int rc = aiotsec_ctx_new(&w->ctx, be, NULL);
    if (!rc)
        rc = aiotsec_memstore_new(&w->store, w->ctx, 1);
    if (!rc)
        rc = aiotsec_memstore_add(w->store, IDENT, sizeof IDENT, PERM, sizeof PERM, k_root, sizeof k_root);
    if (!rc)
        rc = aiotsec_memstore_keystore(w->store, &ks);
    if (!rc)
        rc = aiotsec_adm_new(&w->adm, w->ctx, &ks);
    if (!rc)
        rc = aiotsec_adm_client_local(w->adm, &client);
    if (!rc)
        rc = aiotsec_aiotf_config_init(&cfg, w->ctx);
    if (!rc) {
        cfg.int_alg = int_alg ? int_alg : cfg.int_alg;
        cfg.enc_alg = int_alg ? enc_alg : cfg.enc_alg;
        rc = aiotsec_aiotf_new(&w->aiotf, w->ctx, &client, &cfg);
    }
    if (!rc)
        rc = aiotsec_device_config_init(&dc, w->ctx);
    if (!rc) {
        dc.ident = IDENT;
        dc.ident_len = sizeof IDENT;
        dc.k_root = k_root;
        dc.k_root_len = sizeof k_root;
        dc.memory = w->memory;
        dc.memory_len = sizeof w->memory;
        dc.rand = dev_random;
        dc.rand_user = w->ctx;
        dc.int_alg = int_alg ? int_alg : dc.int_alg;
        dc.enc_alg = int_alg ? enc_alg : dc.enc_alg;
        size_t sz = (aiotsec_device_size() + AIOTSEC_DEVICE_ALIGN - 1) & ~(size_t)(AIOTSEC_DEVICE_ALIGN - 1);
        w->dev_mem = aligned_alloc(AIOTSEC_DEVICE_ALIGN, sz);
        rc = w->dev_mem ? aiotsec_device_init(&w->dev, w->dev_mem, sz, w->ctx, &dc) : AIOTSEC_E_NO_MEMORY;
    }
    aiotsec_wipe(k_root, sizeof k_root);
    return rc;
}

static void world_free(world *w)
{
    if (w->dev)
        aiotsec_device_clear(w->dev);
    free(w->dev_mem);
    aiotsec_aiotf_free(w->aiotf);
    aiotsec_adm_free(w->adm);
    aiotsec_memstore_free(w->store);
    aiotsec_ctx_free(w->ctx);
}

/* Steps 1-10; forge != 0 flips a RES_AIOT bit on the air. Returns the AIOTF's verdict. */
static int authenticate(world *w, int type, int forge, uint64_t *proc)
{
    uint8_t rand_n[32], report[128];
    size_t rn = aiotsec_rand_n_len(w->ctx), report_len = 0;
    int rc = aiotsec_aiotf_start(w->aiotf, type, IDENT, sizeof IDENT, 1000, rand_n, sizeof rand_n, proc);
    if (rc)
        return rc;
    rc = aiotsec_device_on_paging(w->dev, rand_n, rn, IDENT, sizeof IDENT, report, sizeof report,
                                  &report_len);
    if (rc)
        return rc;
    PUBLIC(report, report_len); /* on the air */
    if (forge)
        report[4] ^= 0x01;      /* the first RES_AIOT octet (after EPD, SHT, type, length) */
    aiotsec_aiotf_result res;
    return aiotsec_aiotf_on_report(w->aiotf, 1001, rand_n, rn, IDENT, sizeof IDENT, report, report_len,
                                   &res);
}

/* One protected command and its protected response. */
static int command(world *w, uint64_t proc, int cmd, const uint8_t *data, size_t data_len,
                   aiotsec_nas_msg *msg, uint8_t *work, size_t work_cap)
{
    uint8_t req[256], resp[256];
    size_t req_len = 0, resp_len = 0;
    int rc = aiotsec_aiotf_command(w->aiotf, proc, 1002, cmd, 8, 4, data, data_len, req, sizeof req,
                                   &req_len);
    if (rc)
        return rc;
    PUBLIC(req, req_len);
    rc = aiotsec_device_on_command(w->dev, req, req_len, resp, sizeof resp, &resp_len);
    if (rc)
        return rc;
    PUBLIC(resp, resp_len);
    rc = aiotsec_aiotf_on_command_response(w->aiotf, proc, 1003, resp, resp_len, work, work_cap, msg);
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
        uint64_t proc = 0;
        rc = authenticate(&w, AIOTSEC_PROC_INVENTORY, 0, &proc);
        CHECK(rc == AIOTSEC_OK, "%s inventory: %d", be, rc);
        rc = authenticate(&w, AIOTSEC_PROC_INVENTORY, 1, &proc);
        CHECK(rc == AIOTSEC_E_AUTH_FAILED, "%s forged RES must fail: %d", be, rc);

        rc = authenticate(&w, AIOTSEC_PROC_COMMAND, 0, &proc);
        CHECK(rc == AIOTSEC_OK, "%s command authentication: %d", be, rc);
        if (rc == AIOTSEC_OK) {
            static const uint8_t wdata[4] = {0xDE, 0xAD, 0xBE, 0xEF};
            uint8_t work[256];
            aiotsec_nas_msg msg;
            rc = command(&w, proc, AIOTSEC_CMD_WRITE, wdata, sizeof wdata, &msg, work, sizeof work);
            CHECK(rc == AIOTSEC_OK && msg.status == AIOTSEC_CMD_STATUS_SUCCESS, "%s WRITE: %d", be, rc);
            rc = command(&w, proc, AIOTSEC_CMD_READ, NULL, 0, &msg, work, sizeof work);
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
