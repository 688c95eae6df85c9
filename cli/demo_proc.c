/* One procedure of `aiotsec demo`, step by step as spec section 1 numbers
 * them: the AIOTF starts it (steps 1-3), tags answer (4-5), NG-RAN carries
 * each answer to the AIOTF (6), the transport carries the AIOTF's requests to
 * the ADM (7-9, 11, demo_net.c) and the AIOTF decides every report (10). The
 * sections (inventory, commands, attacks) are made of these calls. */
#include <stdio.h>
#include <string.h>

#include "demo.h"

static const char *tag_label(const demo *d, size_t tag, char *buf, size_t cap)
{
    char h[2 * AIOTSEC_ID_MAX + 1];
    if (tag == SIZE_MAX)
        snprintf(buf, cap, "attacker");
    else
        snprintf(buf, cap, "tag %zu %s", tag + 1, demo_perm_hex(d, tag, h, sizeof h));
    return buf;
}

static const char *target_text(const uint8_t *perm, size_t perm_len, const uint8_t *filter, size_t filter_len,
                               char *buf, size_t cap)
{
    char h[2 * AIOTSEC_ID_MAX + 1];
    if (perm) {
        demo_hex(perm, perm_len, h, sizeof h);
        snprintf(buf, cap, "device %s (by name)", h);
    } else {
        char f[2 * AIOTSEC_FILTER_MAX + 8];
        demo_hex(filter, filter_len, h, sizeof h);
        snprintf(buf, cap, "filter %s (AiotFilteringInformation %s)", demo_filter_text(filter, filter_len, f, sizeof f),
                 h);
    }
    return buf;
}

int demo_proc_start(demo *d, int type, const uint8_t *perm, size_t perm_len, const uint8_t *filter,
                    size_t filter_len, uint32_t expected, uint64_t *proc, uint8_t rand_n[AIOTSEC_RAND_LEN])
{
    char t[200], cap[48] = "";
    d->n_sent = 0;
    int rc = aiotsec_aiotf_start(d->aiotf, d->clock_ms, (aiotsec_proc_type)type, perm, perm_len, filter, filter_len,
                                 expected, proc);
    if (rc != AIOTSEC_OK)
        return rc;
    demo_adm_pump(d); /* step 1: the getRand the AIOTF queued */
    aiotsec_aiotf_summary s;
    rc = aiotsec_aiotf_summary_get(d->aiotf, *proc, &s);
    if (rc == AIOTSEC_OK && !s.paging)
        rc = AIOTSEC_E_BAD_STATE; /* no RAND_AIOT_n: nothing to page with */
    if (rc != AIOTSEC_OK)
        return rc;
    memcpy(rand_n, s.rand_n, AIOTSEC_RAND_LEN);
    target_text(perm, perm_len, filter, filter_len, t, sizeof t);
    if (expected)
        snprintf(cap, sizeof cap, ", up to %u answer%s", (unsigned)expected, expected == 1 ? "" : "s");
    demo_step(d, "2", "AIOTF -> NG-RAN", "%s Request: RAND_AIOT_n, %s%s",
              type == AIOTSEC_PROC_COMMAND ? "Command" : "Inventory", t, cap);
    demo_step(d, "3", "NG-RAN -> tags", "paging: RAND_AIOT_n, %s", perm ? "the device's name" : "the filter");
    return AIOTSEC_OK;
}

int demo_proc_page(demo *d, demo_tag *t, const uint8_t *rand_n, const uint8_t *perm, size_t perm_len,
                   const uint8_t *filter, size_t filter_len, uint8_t *pdu, size_t *pdu_len)
{
    int rc = aiotsec_device_on_paging(t->dev, rand_n, AIOTSEC_RAND_LEN, perm, perm_len, filter, filter_len, pdu,
                                      DEMO_PDU_MAX, pdu_len);
    if (rc == AIOTSEC_OK && d->verbose) {
        char who[2 * AIOTSEC_ID_MAX + 16], h[2 * AIOTSEC_RAND_LEN + 1];
        aiotsec_nas_msg m;
        tag_label(d, t->index, who, sizeof who);
        if (t->index == SIZE_MAX)
            snprintf(who, sizeof who, "impostor");
        if (aiotsec_nas_decode(aiotsec_ctx_profile(d->ctx), pdu, *pdu_len, &m) == AIOTSEC_OK) {
            demo_hex(m.rand_d, m.rand_d_len, h, sizeof h);
            demo_step(d, "4", who, "addressed: RAND_AIOT_d = %s, RES_AIOT computed (not shown)", h);
        }
        if (t->index == SIZE_MAX)
            snprintf(who, sizeof who, "impostor -> NG-RAN");
        else
            snprintf(who, sizeof who, "tag %zu -> NG-RAN", t->index + 1);
        demo_step(d, "5", who, "AUTHENTICATION RESPONSE (%zu octets, no identifier)", *pdu_len);
    }
    return rc;
}

int demo_proc_report(demo *d, size_t tag, const uint8_t *rand_n, const uint8_t *pdu, size_t pdu_len,
                     uint64_t *report_id)
{
    uint64_t id = 0;
    int rc = aiotsec_aiotf_on_report(d->aiotf, d->clock_ms, rand_n, AIOTSEC_RAND_LEN, pdu, pdu_len, &id);
    if (report_id)
        *report_id = id;
    aiotsec_aiotf_device dev;
    if (rc == AIOTSEC_OK && aiotsec_aiotf_device_get(d->aiotf, id, &dev) == AIOTSEC_OK && dev.held_back)
        demo_step(d, "6", "NG-RAN -> AIOTF", "Inventory Report: held back, beyond the cap (no ADM request)");
    else if (rc == AIOTSEC_OK)
        demo_step(d, "6", "NG-RAN -> AIOTF", "Inventory Report: queued for the ADM");
    else
        demo_step(d, "6", "NG-RAN -> AIOTF", "Inventory Report dropped before any ADM call: %s",
                  aiotsec_status_name(rc));
    aiotsec_nas_msg m;
    if (rc == AIOTSEC_OK && d->n_sent < DEMO_SENT_MAX &&
        aiotsec_nas_decode(aiotsec_ctx_profile(d->ctx), pdu, pdu_len, &m) == AIOTSEC_OK) {
        demo_sent *s = &d->sent[d->n_sent++];
        s->report_id = id;
        s->tag = tag;
        memcpy(s->rand_d, m.rand_d, AIOTSEC_RAND_LEN);
    }
    return rc;
}

void demo_proc_verdicts(demo *d, const uint8_t *rand_d, size_t count, const aiotsec_auth_answer *ans)
{
    for (size_t i = 0; i < count; i++) {
        const uint8_t *rd = rand_d + i * AIOTSEC_RAND_LEN;
        const demo_sent *s = NULL;
        for (size_t k = 0; k < d->n_sent && !s; k++)
            if (!memcmp(d->sent[k].rand_d, rd, AIOTSEC_RAND_LEN))
                s = &d->sent[k];
        aiotsec_aiotf_device dev;
        if (!s || aiotsec_aiotf_device_get(d->aiotf, s->report_id, &dev) != AIOTSEC_OK ||
            dev.status == AIOTSEC_E_IN_PROGRESS)
            continue;
        const uint8_t *set_rd;
        size_t cands = 0;
        if (ans)
            (void)aiotsec_auth_answer_set(ans, i, &set_rd, &cands);
        char h[2 * AIOTSEC_RAND_LEN + 1], p[2 * AIOTSEC_ID_MAX + 1], from[2 * AIOTSEC_ID_MAX + 16];
        demo_hex(rd, 8, h, sizeof h);
        tag_label(d, s->tag, from, sizeof from);
        if (dev.status == AIOTSEC_OK) {
            demo_hex(dev.perm_id, dev.perm_id_len, p, sizeof p);
            demo_step(d, "10", "AIOTF", "RAND_AIOT_d %s..: RES_AIOT matches 1 of %zu candidate(s): %s identified", h,
                      cands, p);
        } else {
            demo_step(d, "10", "AIOTF", "RAND_AIOT_d %s.. (from the %s): %s; this report only", h,
                      s->tag == SIZE_MAX ? "attacker" : "tag", aiotsec_status_name(dev.status));
        }
    }
}

int demo_proc_result(demo *d, uint64_t proc, const char *what)
{
    aiotsec_aiotf_summary s;
    if (aiotsec_aiotf_summary_get(d->aiotf, proc, &s) != AIOTSEC_OK)
        return -1;
    const char *cause = aiotsec_failure_cause_name(s.failure_cause);
    if (d->verbose) {
        printf("        %s: %u identified, %u failed authentication, %u dropped (%u duplicate, %u over the cap, "
               "%u late); result: %s\n",
               what, (unsigned)s.authenticated, (unsigned)s.auth_failed,
               (unsigned)(s.duplicate + s.over_cap + s.late + s.malformed), (unsigned)s.duplicate,
               (unsigned)s.over_cap, (unsigned)s.late, cause && *cause ? cause : "success");
    }
    return s.failure_cause;
}

size_t demo_proc_identified(demo *d, size_t first, size_t count, const uint64_t *report_ids)
{
    size_t ok = 0;
    for (size_t j = 0; j < count; j++) {
        aiotsec_aiotf_device dev;
        const demo_rec *r = &d->recs[first + j];
        if (report_ids[j] && aiotsec_aiotf_device_get(d->aiotf, report_ids[j], &dev) == AIOTSEC_OK &&
            dev.status == AIOTSEC_OK && dev.perm_id_len == r->perm_len &&
            !memcmp(dev.perm_id, r->perm, r->perm_len))
            ok++;
    }
    return ok;
}
