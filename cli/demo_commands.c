/* The command part of `aiotsec demo`: a command procedure secures the tags it
 * identifies (K_AIOTF from the ADM, step 11), then protected commands go to
 * the first of them - READ, WRITE, READ-back, a WRITE into the write-protected
 * serial number, PERMANENT_DISABLE - and READ, WRITE, READ-back to the second.
 * The exchange helpers here serve the attacks too. */
#include <stdio.h>
#include <string.h>

#include "demo.h"

int demo_cmd_send(demo *d, uint64_t report, demo_wire *w, int cmd, uint16_t off, uint16_t len,
                  const uint8_t *data, size_t data_len)
{
    int rc = aiotsec_aiotf_command(d->aiotf, report, ++d->clock_ms, (aiotsec_cmd)cmd, off, len, data, data_len,
                                   w->req, sizeof w->req, &w->req_len);
    aiotsec_nas_protected_hdr h;
    if (rc == AIOTSEC_OK && aiotsec_nas_parse_protected(aiotsec_ctx_profile(d->ctx), w->req, w->req_len, &h) ==
                                AIOTSEC_OK)
        demo_step(d, "C1", "AIOTF -> tag", "COMMAND REQUEST %s (%s, SQN %u, %zu octets)", aiotsec_cmd_name(cmd),
                  h.sht == AIOTSEC_NAS_SHT_INTEGRITY ? "integrity protected" : "integrity protected, ciphered",
                  (unsigned)h.sqn, w->req_len);
    else
        demo_step(d, "C1", "AIOTF", "no COMMAND REQUEST: %s", aiotsec_status_name(rc));
    return rc;
}

int demo_cmd_deliver(demo *d, demo_tag *t, demo_wire *w, const uint8_t *req, size_t req_len)
{
    int rc = aiotsec_device_on_command(t->dev, req, req_len, w->resp, sizeof w->resp, &w->resp_len);
    if (rc == AIOTSEC_OK) {
        demo_step(d, "C2", "tag", "integrity and COUNT verified before anything else; command handled");
        demo_step(d, "C3", "tag -> AIOTF", "COMMAND RESPONSE (protected, %zu octets)", w->resp_len);
    } else {
        demo_step(d, "C2", "tag", "COMMAND REQUEST refused, nothing executed, nothing sent: %s",
                  aiotsec_status_name(rc));
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

int demo_cmd_exchange(demo *d, demo_tag *t, uint64_t report, demo_wire *w, int cmd, uint16_t off, uint16_t len,
                      const uint8_t *data, size_t data_len)
{
    int rc = demo_cmd_send(d, report, w, cmd, off, len, data, data_len);
    if (rc == AIOTSEC_OK)
        rc = demo_cmd_deliver(d, t, w, w->req, w->req_len);
    if (rc == AIOTSEC_OK)
        rc = aiotsec_aiotf_on_command_response(d->aiotf, report, d->clock_ms, w->resp, w->resp_len, w->work,
                                               sizeof w->work, &w->msg);
    if (rc != AIOTSEC_OK)
        return rc;
    d->commands++;
    char data_text[80] = "", hex[70];
    if (w->msg.data && printable(w->msg.data, w->msg.data_len)) {
        snprintf(data_text, sizeof data_text, ", data \"%.*s\"", (int)w->msg.data_len, (const char *)w->msg.data);
    } else if (w->msg.data) {
        demo_hex(w->msg.data, w->msg.data_len, hex, sizeof hex);
        snprintf(data_text, sizeof data_text, ", data %s", hex);
    }
    const char *cause = aiotsec_cmd_status_cause(w->msg.status);
    uint8_t wire = 0; /* a verified response's status always has a wire value */
    (void)aiotsec_cmd_status_to_wire(aiotsec_ctx_profile(d->ctx), w->msg.status, &wire);
    demo_step(d, "C4", "AIOTF", "COMMAND RESPONSE verified: status 0x%02x %s%s", (unsigned)wire,
              cause && *cause ? cause : "success", data_text);
    return w->msg.status;
}

int demo_secure(demo *d, const uint8_t *filter, size_t filter_len, size_t first, size_t count, uint64_t *proc,
                uint64_t *ids)
{
    const demo_rec *named = filter_len ? NULL : &d->recs[first];
    uint32_t expected = 0;
    for (size_t j = 0; j < count; j++)
        expected += !d->recs[first + j].disabled; /* the network knows whom it disabled */
    uint8_t rand_n[AIOTSEC_RAND_LEN], pdu[DEMO_PDU_MAX];
    size_t pl = 0;
    int rc = demo_proc_start(d, AIOTSEC_PROC_COMMAND, named ? named->perm : NULL, named ? named->perm_len : 0,
                             named ? NULL : filter, filter_len, named ? 1 : expected, proc, rand_n);
    for (size_t j = 0; rc == AIOTSEC_OK && j < count; j++) {
        demo_tag *t = demo_tag_of(d, first + j);
        ids[j] = 0;
        if (!t)
            return AIOTSEC_E_NO_MEMORY;
        int st = demo_proc_page(d, t, rand_n, named ? named->perm : NULL, named ? named->perm_len : 0,
                                named ? NULL : filter, filter_len, pdu, &pl);
        if (st == AIOTSEC_OK)
            (void)demo_proc_report(d, first + j, rand_n, pdu, pl, &ids[j]);
        else
            demo_step(d, "4", "tag", "tag %zu does not answer: %s", first + j + 1, aiotsec_status_name(st));
    }
    if (rc == AIOTSEC_OK) {
        d->clock_ms++;
        (void)aiotsec_aiotf_flush(d->aiotf, *proc); /* the reporting window closes */
        demo_adm_pump(d);                           /* steps 7-11 */
    }
    return rc;
}

static void sequence(demo *d, demo_tag *t, uint64_t report, int first)
{
    demo_wire *w = &d->wire;
    static const uint8_t text[] = "written by aiotsec demo";
    const size_t tl = sizeof text - 1;
    int rc = demo_cmd_exchange(d, t, report, w, AIOTSEC_CMD_READ, 0, 8, NULL, 0);
    demo_check(d, rc == AIOTSEC_CMD_STATUS_SUCCESS && w->msg.data_len == 8 && !memcmp(w->msg.data, "AIOT-TAG", 8),
               "READ of the serial number", rc);
    if (first) { /* recorded off the air, replayed to the disabled tag later */
        memcpy(d->captured, w->req, w->req_len);
        d->captured_len = w->req_len;
    }
    rc = demo_cmd_exchange(d, t, report, w, AIOTSEC_CMD_WRITE, 32, 0, text, tl);
    demo_check(d, rc == AIOTSEC_CMD_STATUS_SUCCESS && !memcmp(t->memory + 32, text, tl), "WRITE at offset 32", rc);
    rc = demo_cmd_exchange(d, t, report, w, AIOTSEC_CMD_READ, 32, (uint16_t)tl, NULL, 0);
    demo_check(d, rc == AIOTSEC_CMD_STATUS_SUCCESS && w->msg.data_len == tl && !memcmp(w->msg.data, text, tl),
               "READ-back equals what was written", rc);
    if (!first)
        return;
    rc = demo_cmd_exchange(d, t, report, w, AIOTSEC_CMD_WRITE, 4, 0, (const uint8_t *)"XXXX", 4);
    demo_check(d, rc == AIOTSEC_CMD_STATUS_PARAMS_INVALID && !memcmp(t->memory, "AIOT-TAG", 8),
               "WRITE into the write-protected serial number: COMMAND_TYPE_SPECIFIC_PARAMETERS_INVALID, "
               "nothing written",
               rc);
    rc = demo_cmd_exchange(d, t, report, w, AIOTSEC_CMD_PERMANENT_DISABLE, 0, 0, NULL, 0);
    aiotsec_device_state state = AIOTSEC_DEVICE_IDLE;
    int off = aiotsec_device_state_get(t->dev, &state) == AIOTSEC_OK && state == AIOTSEC_DEVICE_DISABLED;
    demo_check(d, rc == AIOTSEC_CMD_STATUS_SUCCESS && off, "PERMANENT_DISABLE: the tag is silent for good", rc);
    if (rc == AIOTSEC_CMD_STATUS_SUCCESS) {
        d->recs[t->index].disabled = 1;
        d->disabled = t->index;
    }
}

void demo_command_sequence(demo *d)
{
    uint8_t filter[AIOTSEC_FILTER_MAX];
    size_t filter_len = 0, first = 0, count = 0;
    uint64_t proc = 0, ids[16];
    char f[2 * AIOTSEC_FILTER_MAX + 8];
    d->verbose = !d->json;
    /* The tightest filter around the first two tags (they share the longest prefix). */
    demo_plan_pair(d, 0, filter, &filter_len, &first, &count);
    if (count > 16)
        count = 16; /* a pathological roster: the cell holds the first 16 */
    demo_say(d, "\n== Command procedure: filter %s pages tags %zu-%zu; each is identified and secured",
             demo_filter_text(filter, filter_len, f, sizeof f), first + 1, first + count);
    int rc = demo_secure(d, filter, filter_len, first, count, &proc, ids);
    size_t ok = rc == AIOTSEC_OK ? demo_proc_identified(d, first, count, ids) : 0;
    demo_check(d, ok == count, "every tag of the command procedure is identified", rc);
    /* Commands are protected with keys from K_AIOTF; C1-C4 are this demo's numbers (spec sections 4-5). */
    for (size_t j = 0; j < count && j < 2; j++) {
        aiotsec_aiotf_device dev;
        char h[2 * AIOTSEC_ID_MAX + 1];
        demo_say(d, "\n-- commands to tag %zu (%s)", first + j + 1, demo_perm_hex(d, first + j, h, sizeof h));
        demo_tag *t = demo_tag_of(d, first + j);
        int secured = t && aiotsec_aiotf_device_get(d->aiotf, ids[j], &dev) == AIOTSEC_OK && dev.secured;
        demo_check(d, secured, "the AIOTF holds a NAS security context for it", AIOTSEC_E_BAD_STATE);
        if (secured)
            sequence(d, t, ids[j], j == 0);
    }
    (void)aiotsec_aiotf_finish(d->aiotf, proc);
}
