/* `aiotsec demo`, the procedure itself: the inventory of every device, a
 * command sequence on one, and the attacks, each checked for its specific
 * status. Tags are simulated with the device role, NG-RAN is the code that
 * carries octets between them and the AIOTF. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo.h"

#define TAG_MEM 256
#define WP_LEN 16 /* the tag's serial number: write-protected */

typedef struct tag {
    void *storage;
    aiotsec_device *dev;
    uint8_t memory[TAG_MEM];
} tag;

static int tag_random(void *user, uint8_t *out, size_t len)
{
    return aiotsec_random(user, out, len);
}

/* A simulated tag for roster entry i; key may differ from the roster's (an impostor). */
static int tag_make(demo *d, tag *t, size_t i, const uint8_t *key)
{
    const demo_dev *v = &d->devs[i];
    if (!t->storage) {
        t->storage = aligned_alloc(AIOTSEC_DEVICE_ALIGN, (aiotsec_device_size() + 15) & ~(size_t)15);
        if (!t->storage)
            return AIOTSEC_E_NO_MEMORY;
    }
    memset(t->memory, 0, sizeof t->memory);
    memcpy(t->memory, "AIOT-TAG", 8);
    aiotsec_device_config cfg;
    aiotsec_device_config_init(&cfg, d->ctx);
    cfg.ident = v->ident;
    cfg.ident_len = v->ident_len;
    cfg.k_root = key ? key : v->key;
    cfg.k_root_len = v->key_len;
    cfg.memory = t->memory;
    cfg.memory_len = sizeof t->memory;
    cfg.wp_offset = 0;
    cfg.wp_len = WP_LEN;
    cfg.rand = tag_random;
    cfg.rand_user = d->ctx;
    return aiotsec_device_init(&t->dev, t->storage, aiotsec_device_size(), d->ctx, &cfg);
}

static void tag_free(tag *t)
{
    aiotsec_device_clear(t->dev);
    free(t->storage);
    t->storage = NULL;
    t->dev = NULL;
}

static const char *ident_hex(const demo_dev *v, char *buf, size_t cap)
{
    demo_hex(v->ident, v->ident_len, buf, cap);
    return buf;
}

/* Steps 1-5 for one device: returns the paging status; the report in pdu. */
static int page(demo *d, tag *t, size_t i, int type, uint8_t *rand_n, uint64_t *proc,
                uint8_t *pdu, size_t cap, size_t *pdu_len)
{
    const demo_dev *v = &d->devs[i];
    char h[140];
    /* Unnarrated inventories go through the bulk AIOTF (batch path to the ADM). */
    aiotsec_aiotf *f = d->in_bulk ? d->bulk : d->aiotf;
    int rc = aiotsec_aiotf_start(f, type, v->ident, v->ident_len, d->clock_ms, rand_n, 32, proc);
    if (rc != AIOTSEC_OK)
        return rc;
    size_t rn = aiotsec_rand_n_len(d->ctx);
    demo_step(d, "2", "AIOTF -> NG-RAN", "%s Request: RAND_AIOT_n, identification information %s",
              type == AIOTSEC_PROC_COMMAND ? "Command" : "Inventory", ident_hex(v, h, sizeof h));
    demo_step(d, "3", "NG-RAN -> device", "paging with RAND_AIOT_n");
    rc = aiotsec_device_on_paging(t->dev, rand_n, rn, v->ident, v->ident_len, pdu, cap, pdu_len);
    if (rc != AIOTSEC_OK) {
        demo_step(d, "4", "device", "no answer: %s", aiotsec_status_name(rc));
        return rc;
    }
    if (d->verbose) {
        aiotsec_nas_msg m;
        if (aiotsec_nas_decode(aiotsec_ctx_profile(d->ctx), pdu, *pdu_len, &m) == AIOTSEC_OK) {
            demo_hex(m.rand_d, m.rand_d_len, h, sizeof h);
            demo_step(d, "4", "device", "RAND_AIOT_d = %s; RES_AIOT computed (not shown)", h);
        }
        demo_step(d, "5", "device -> NG-RAN", "D2R: AUTHENTICATION RESPONSE (%zu octets)", *pdu_len);
    }
    return AIOTSEC_OK;
}

/* Steps 6-10 (and 11 for a command procedure). */
static int report(demo *d, size_t i, const uint8_t *rand_n, const uint8_t *pdu, size_t pdu_len,
                  uint64_t now, aiotsec_aiotf_result *res)
{
    const demo_dev *v = &d->devs[i];
    demo_step(d, "6", "NG-RAN -> AIOTF", "Inventory Report: RAND_AIOT_n, AUTHENTICATION RESPONSE");
    d->step10_shown = 0;
    int rc = aiotsec_aiotf_on_report(d->aiotf, now, rand_n, aiotsec_rand_n_len(d->ctx), v->ident, v->ident_len,
                                     pdu, pdu_len, res);
    if (rc == AIOTSEC_OK && !d->step10_shown)
        demo_step(d, "10", "AIOTF", "RES_AIOT == XRES_AIOT (constant time): device authenticated");
    else if (rc != AIOTSEC_OK)
        demo_step(d, "10", "AIOTF", "report refused: %s", aiotsec_status_name(rc));
    return rc;
}

int demo_inventory_all(demo *d)
{
    enum { BATCH = 4096 };
    uint8_t (*rn)[32] = malloc(BATCH * sizeof *rn);
    uint8_t (*pdu)[80] = malloc(BATCH * sizeof *pdu);
    size_t *pl = malloc(BATCH * sizeof *pl);
    aiotsec_aiotf_report *reps = malloc(BATCH * sizeof *reps);
    int *st = malloc(BATCH * sizeof *st);
    tag t = {0};
    int rc = (rn && pdu && pl && reps && st) ? AIOTSEC_OK : AIOTSEC_E_NO_MEMORY;
    size_t batch = d->verbose ? 1 : BATCH; /* step by step when narrated */
    d->in_bulk = !d->verbose;
    demo_say(d, "\n== Inventory of all %zu devices", d->n_devs);
    for (size_t base = 0; rc == AIOTSEC_OK && base < d->n_devs; base += batch) {
        size_t n = d->n_devs - base < batch ? d->n_devs - base : batch;
        /* Page the whole batch (one fresh RAND_AIOT_n each), then take the reports. */
        for (size_t j = 0; rc == AIOTSEC_OK && j < n; j++) {
            char h[140];
            demo_say(d, "-- device %zu (identification information %s)", base + j + 1,
                     ident_hex(&d->devs[base + j], h, sizeof h));
            uint64_t proc;
            rc = tag_make(d, &t, base + j, NULL);
            if (rc == AIOTSEC_OK)
                rc = page(d, &t, base + j, AIOTSEC_PROC_INVENTORY, rn[j], &proc, pdu[j], sizeof pdu[j], &pl[j]);
            aiotsec_device_clear(t.dev);
        }
        d->clock_ms++;
        if (rc == AIOTSEC_OK && !d->verbose) {
            /* The whole batch of Inventory Reports in one call: the ADM's batch path. */
            for (size_t j = 0; j < n; j++) {
                const demo_dev *v = &d->devs[base + j];
                reps[j].rand_n = rn[j];
                reps[j].rand_n_len = aiotsec_rand_n_len(d->ctx);
                reps[j].ident = v->ident;
                reps[j].ident_len = v->ident_len;
                reps[j].nas = pdu[j];
                reps[j].nas_len = pl[j];
            }
            rc = aiotsec_aiotf_on_reports(d->bulk, d->clock_ms, reps, n, st, NULL);
        }
        for (size_t j = 0; rc == AIOTSEC_OK && j < n; j++) {
            int r = d->verbose ? report(d, base + j, rn[j], pdu[j], pl[j], d->clock_ms, NULL) : st[j];
            d->checks++;
            if (r == AIOTSEC_OK) {
                d->authenticated++;
            } else {
                d->checks_failed++;
                fprintf(stderr, "aiotsec demo: device %zu not authenticated: %s\n", base + j + 1,
                        aiotsec_status_name(r));
            }
        }
        if (d->progress)
            fprintf(stderr, "\rinventory: %zu/%zu devices", base + n, d->n_devs);
    }
    if (d->progress)
        fputc('\n', stderr);
    d->in_bulk = 0;
    tag_free(&t);
    free(rn);
    free(pdu);
    free(pl);
    free(reps);
    free(st);
    if (rc != AIOTSEC_OK)
        fprintf(stderr, "aiotsec demo: inventory stopped: %s\n", aiotsec_strerror(rc));
    demo_say(d, "== Inventory: %zu of %zu devices authenticated", d->authenticated, d->n_devs);
    return rc;
}

/* A command procedure up to an authenticated, secured context (steps 1-11). */
static int secure(demo *d, tag *t, size_t i, uint64_t *proc)
{
    uint8_t rn[32], pdu[80];
    size_t pl;
    int rc = page(d, t, i, AIOTSEC_PROC_COMMAND, rn, proc, pdu, sizeof pdu, &pl);
    if (rc == AIOTSEC_OK)
        rc = report(d, i, rn, pdu, pl, ++d->clock_ms, NULL);
    return rc;
}

typedef struct wire {
    uint8_t req[1100], resp[1100], work[1100];
    size_t req_len, resp_len;
    aiotsec_nas_msg msg;
} wire;

/* AIOTF builds the protected COMMAND REQUEST into w->req. */
static int send_command(demo *d, uint64_t proc, wire *w, int cmd, uint16_t off, uint16_t len,
                        const uint8_t *data, size_t dl)
{
    int rc = aiotsec_aiotf_command(d->aiotf, proc, ++d->clock_ms, cmd, off, len, data, dl, w->req,
                                   sizeof w->req, &w->req_len);
    if (rc == AIOTSEC_OK) {
        aiotsec_nas_protected_hdr h;
        if (aiotsec_nas_parse_protected(aiotsec_ctx_profile(d->ctx), w->req, w->req_len, &h) == AIOTSEC_OK)
            demo_step(d, "C1", "AIOTF -> device", "COMMAND REQUEST %s (integrity protected, SQN %u, %zu octets)",
                      aiotsec_cmd_name(cmd), h.sqn, w->req_len);
    }
    return rc;
}

/* The device's side of one exchange: verify and act, answer. */
static int deliver(demo *d, tag *t, wire *w, const uint8_t *req, size_t len)
{
    int rc = aiotsec_device_on_command(t->dev, req, len, w->resp, sizeof w->resp, &w->resp_len);
    if (rc == AIOTSEC_OK) {
        demo_step(d, "C2", "device", "MAC and COUNT verified, command executed");
        demo_step(d, "C3", "device -> AIOTF", "COMMAND RESPONSE (integrity protected, %zu octets)", w->resp_len);
    } else {
        demo_step(d, "C2", "device", "COMMAND REQUEST refused, nothing executed: %s", aiotsec_status_name(rc));
    }
    return rc;
}

static int printable(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] < 0x20 || p[i] > 0x7e)
            return 0;
    return 1;
}

static const char *status_name(int status)
{
    switch (status) {
    case AIOTSEC_CMD_STATUS_SUCCESS: return "success";
    case AIOTSEC_CMD_STATUS_OUT_OF_RANGE: return "offset or length out of range";
    case AIOTSEC_CMD_STATUS_NOT_SUPPORTED: return "command not supported";
    case AIOTSEC_CMD_STATUS_WRITE_PROTECTED: return "memory write-protected";
    default: return "unspecified failure";
    }
}

/* A complete exchange; returns the response's status or a negative error. */
static int exchange(demo *d, tag *t, uint64_t proc, wire *w, int cmd, uint16_t off, uint16_t len,
                    const uint8_t *data, size_t dl)
{
    int rc = send_command(d, proc, w, cmd, off, len, data, dl);
    if (rc == AIOTSEC_OK)
        rc = deliver(d, t, w, w->req, w->req_len);
    if (rc == AIOTSEC_OK)
        rc = aiotsec_aiotf_on_command_response(d->aiotf, proc, d->clock_ms, w->resp, w->resp_len, w->work,
                                               sizeof w->work, &w->msg);
    if (rc != AIOTSEC_OK)
        return rc;
    d->commands++;
    char h[80] = "", x[70];
    if (w->msg.data && printable(w->msg.data, w->msg.data_len)) {
        snprintf(h, sizeof h, ", data \"%.*s\"", (int)w->msg.data_len, (const char *)w->msg.data);
    } else if (w->msg.data) {
        demo_hex(w->msg.data, w->msg.data_len, x, sizeof x);
        snprintf(h, sizeof h, ", data %s", x);
    }
    demo_step(d, "C4", "AIOTF", "COMMAND RESPONSE verified: status %s%s", status_name(w->msg.status), h);
    return w->msg.status;
}

static wire W; /* message buffers of the command sequence and the attacks */
static tag A, B, C;
static uint8_t captured[1100]; /* a COMMAND REQUEST recorded off the air */
static size_t captured_len;

void demo_command_sequence(demo *d)
{
    uint64_t proc = 0;
    char h[140];
    demo_say(d, "\n== Command procedure on device 1 (%s): READ, WRITE, READ-back, DISABLE",
             ident_hex(&d->devs[0], h, sizeof h));
    int rc = tag_make(d, &A, 0, NULL);
    if (rc == AIOTSEC_OK)
        rc = secure(d, &A, 0, &proc);
    demo_check(d, rc == AIOTSEC_OK, "command procedure authenticated, NAS security context from K_AIOTF", rc);
    if (rc != AIOTSEC_OK)
        return;
    rc = exchange(d, &A, proc, &W, AIOTSEC_CMD_READ, 0, 8, NULL, 0);
    demo_check(d, rc == AIOTSEC_CMD_STATUS_SUCCESS && W.msg.data_len == 8 && !memcmp(W.msg.data, "AIOT-TAG", 8),
               "READ offset 0 length 8", rc);
    memcpy(captured, W.req, W.req_len);
    captured_len = W.req_len;
    static const uint8_t msg[] = "written by aiotsec demo";
    rc = exchange(d, &A, proc, &W, AIOTSEC_CMD_WRITE, 32, 0, msg, sizeof msg - 1);
    demo_check(d, rc == AIOTSEC_CMD_STATUS_SUCCESS, "WRITE offset 32", rc);
    rc = exchange(d, &A, proc, &W, AIOTSEC_CMD_READ, 32, (uint16_t)(sizeof msg - 1), NULL, 0);
    demo_check(d, rc == AIOTSEC_CMD_STATUS_SUCCESS && W.msg.data_len == sizeof msg - 1 &&
                      !memcmp(W.msg.data, msg, sizeof msg - 1), "READ-back equals what was written", rc);
    rc = exchange(d, &A, proc, &W, AIOTSEC_CMD_WRITE, 4, 0, (const uint8_t *)"XXXX", 4);
    demo_check(d, rc == AIOTSEC_CMD_STATUS_WRITE_PROTECTED && !memcmp(A.memory, "AIOT-TAG", 8),
               "WRITE into the write-protected serial number refused by the tag", rc);
    rc = exchange(d, &A, proc, &W, AIOTSEC_CMD_DISABLE, 0, 0, NULL, 0);
    demo_check(d, rc == AIOTSEC_CMD_STATUS_SUCCESS && aiotsec_device_state_get(A.dev) == AIOTSEC_DEVICE_DISABLED,
               "DISABLE: the tag is silent for good", rc);
    aiotsec_aiotf_finish(d->aiotf, proc);
}

/* The index of a device other than 0 for the attacks (the roster has >= 2). */
static size_t other(const demo *d, size_t want)
{
    return want < d->n_devs ? want : d->n_devs - 1;
}

static void attack_wrong_key(demo *d)
{
    size_t i = other(d, 1);
    uint8_t bad[AIOTSEC_KROOT_MAX];
    memcpy(bad, d->devs[i].key, sizeof bad);
    bad[0] ^= 0x80;
    demo_say(d, "\n== Attack 1: a device with a wrong K_AIOT_root claims device %zu's identity", i + 1);
    uint8_t rn[32], pdu[80];
    size_t pl;
    uint64_t proc;
    int rc = tag_make(d, &C, i, bad);
    aiotsec_wipe(bad, sizeof bad);
    if (rc == AIOTSEC_OK)
        rc = page(d, &C, i, AIOTSEC_PROC_COMMAND, rn, &proc, pdu, sizeof pdu, &pl);
    if (rc == AIOTSEC_OK)
        rc = report(d, i, rn, pdu, pl, ++d->clock_ms, NULL);
    demo_attack(d, "impostor's RES_AIOT", rc, AIOTSEC_E_AUTH_FAILED);
}

static void attack_replay_and_tamper(demo *d, uint64_t proc)
{
    demo_say(d, "\n== Attack 2: a recorded COMMAND REQUEST is replayed");
    int rc = exchange(d, &B, proc, &W, AIOTSEC_CMD_READ, 8, 8, NULL, 0);
    demo_check(d, rc == AIOTSEC_CMD_STATUS_SUCCESS, "genuine READ", rc);
    rc = deliver(d, &B, &W, W.req, W.req_len);
    demo_attack(d, "replayed COMMAND REQUEST", rc, AIOTSEC_E_REPLAY);

    demo_say(d, "\n== Attack 3: a COMMAND REQUEST with a tampered MAC");
    rc = send_command(d, proc, &W, AIOTSEC_CMD_WRITE, 64, 0, (const uint8_t *)"evil", 4);
    uint8_t forged[1100];
    memcpy(forged, W.req, W.req_len);
    forged[3] ^= 0x01; /* one bit of the MAC (octets 2..5) */
    if (rc == AIOTSEC_OK)
        rc = deliver(d, &B, &W, forged, W.req_len);
    demo_attack(d, "tampered MAC", rc, AIOTSEC_E_MAC_MISMATCH);
    demo_check(d, memcmp(B.memory + 64, "evil", 4) != 0, "tag memory untouched by the forgery", 0);
}

void demo_attacks(demo *d)
{
    size_t b = other(d, 1), c = other(d, 2);
    char h[140];
    attack_wrong_key(d);

    uint64_t proc = 0;
    demo_say(d, "\n== Command procedure on device %zu (%s) for the next attacks", b + 1,
             ident_hex(&d->devs[b], h, sizeof h));
    int rc = tag_make(d, &B, b, NULL);
    if (rc == AIOTSEC_OK)
        rc = secure(d, &B, b, &proc);
    demo_check(d, rc == AIOTSEC_OK, "command procedure authenticated", rc);
    if (rc == AIOTSEC_OK)
        attack_replay_and_tamper(d, proc);

    demo_say(d, "\n== Attack 4: a paging storm (another identity) during device %zu's procedure", b + 1);
    uint8_t rn[32], pdu[80];
    size_t pl;
    aiotsec_random(d->ctx, rn, sizeof rn);
    uint8_t other_ident[] = {0xEE, 0xEE};
    rc = aiotsec_device_on_paging(B.dev, rn, aiotsec_rand_n_len(d->ctx), other_ident, sizeof other_ident, pdu,
                                  sizeof pdu, &pl);
    demo_step(d, "3", "attacker -> device", "paging for identity eeee: %s (ongoing procedure aborted)",
              aiotsec_status_name(rc));
    rc = send_command(d, proc, &W, AIOTSEC_CMD_READ, 0, 4, NULL, 0);
    if (rc == AIOTSEC_OK)
        rc = deliver(d, &B, &W, W.req, W.req_len);
    demo_attack(d, "command of the aborted procedure", rc, AIOTSEC_E_ABORTED);
    aiotsec_aiotf_finish(d->aiotf, proc);

    demo_say(d, "\n== Attack 5: a spoofed paging for device %zu itself during a new procedure", b + 1);
    rc = secure(d, &B, b, &proc);
    demo_check(d, rc == AIOTSEC_OK, "new command procedure authenticated", rc);
    aiotsec_random(d->ctx, rn, sizeof rn);
    rc = aiotsec_device_on_paging(B.dev, rn, aiotsec_rand_n_len(d->ctx), d->devs[b].ident, d->devs[b].ident_len,
                                  pdu, sizeof pdu, &pl);
    demo_step(d, "3", "attacker -> device", "paging with the attacker's RAND_AIOT_n: device answers (%s), "
              "ongoing procedure aborted", aiotsec_status_name(rc));
    rc = send_command(d, proc, &W, AIOTSEC_CMD_READ, 0, 4, NULL, 0);
    if (rc == AIOTSEC_OK)
        rc = deliver(d, &B, &W, W.req, W.req_len);
    demo_attack(d, "command of the aborted procedure (the tag now has other keys)", rc, AIOTSEC_E_MAC_MISMATCH);
    aiotsec_aiotf_finish(d->aiotf, proc);

    demo_say(d, "\n== Attack 6: the answer to that spoofed paging reaches the AIOTF (unsolicited report)");
    uint64_t calls = d->adm_auth_calls;
    rc = report(d, b, rn, pdu, pl, ++d->clock_ms, NULL);
    demo_attack(d, "unsolicited Inventory Report", rc, AIOTSEC_E_NO_PENDING);
    demo_check(d, d->adm_auth_calls == calls, "dropped before any ADM call", rc);

    demo_say(d, "\n== Attack 7: a report delayed past the procedure's deadline");
    uint64_t p7;
    rc = tag_make(d, &C, c, NULL);
    if (rc == AIOTSEC_OK)
        rc = page(d, &C, c, AIOTSEC_PROC_INVENTORY, rn, &p7, pdu, sizeof pdu, &pl);
    calls = d->adm_auth_calls;
    d->clock_ms += 5001; /* the simulated clock: just past the 5000 ms timeout */
    if (rc == AIOTSEC_OK)
        rc = report(d, c, rn, pdu, pl, d->clock_ms, NULL);
    demo_attack(d, "late Inventory Report", rc, AIOTSEC_E_EXPIRED);
    demo_check(d, d->adm_auth_calls == calls, "dropped before any ADM call", rc);

    demo_say(d, "\n== Attack 8: commands to the disabled device 1");
    if (A.dev) {
        uint64_t p8;
        rc = page(d, &A, 0, AIOTSEC_PROC_COMMAND, rn, &p8, pdu, sizeof pdu, &pl);
        demo_check(d, rc == AIOTSEC_E_DEVICE_DISABLED, "a disabled tag does not answer a paging", rc);
        aiotsec_aiotf_finish(d->aiotf, p8);
        rc = deliver(d, &A, &W, captured, captured_len);
        demo_attack(d, "recorded COMMAND REQUEST to the disabled tag", rc, AIOTSEC_E_DEVICE_DISABLED);
    } else {
        demo_attack(d, "disabled device (command sequence did not run)", AIOTSEC_E_BAD_STATE,
                    AIOTSEC_E_DEVICE_DISABLED);
    }
    tag_free(&A);
    tag_free(&B);
    tag_free(&C);
}
