/* The attacks of `aiotsec demo`, each expected to be rejected with its own
 * status (demo_attack), with checks that what must not happen did not (no
 * ADM request for a dropped report, no key for an impostor, memory untouched).
 *
 * Roles, from the sorted roster (three tags or more make them distinct):
 * A = the tag the command sequence disabled (the first), U = the second tag
 * (a late report; the storm's filter and the forged report's group are cut
 * around it), V = the last tag (whose identity the impostor claims, and whose
 * procedures are replayed, tampered with, aborted and spoofed). */
#include <stdio.h>
#include <string.h>

#include "demo.h"

static demo_tag impostor, scratch;

/* What the ADM did plus what waits for it: a dropped report must not change it. */
static uint64_t adm_load(const demo *d)
{
    uint64_t n = aiotsec_aiotf_queued_requests(d->aiotf);
    for (size_t i = 0; i < sizeof d->adm_ops / sizeof d->adm_ops[0]; i++)
        n += d->adm_ops[i];
    return n;
}

static const char *perm_of(const demo *d, size_t i, char *buf, size_t cap)
{
    return demo_perm_hex(d, i, buf, cap);
}

/* A named command procedure up to a secured NAS context. */
static int secure_one(demo *d, size_t i, uint64_t *proc, uint64_t *report)
{
    aiotsec_aiotf_device dev;
    int rc = demo_secure(d, NULL, 0, i, 1, proc, report);
    int ok = rc == AIOTSEC_OK && *report && aiotsec_aiotf_device_get(d->aiotf, *report, &dev) == AIOTSEC_OK &&
             dev.status == AIOTSEC_OK && dev.secured;
    demo_check(d, ok, "command procedure: the tag is identified and secured", rc);
    return ok ? AIOTSEC_OK : AIOTSEC_E_BAD_STATE;
}

static void wrong_key(demo *d, size_t v)
{
    char h[2 * AIOTSEC_ID_MAX + 1];
    const demo_rec *r = &d->recs[v];
    demo_say(d, "\n== Attack 1: a tag with a wrong K_AIOT_root claims to be tag %zu (%s)", v + 1,
             perm_of(d, v, h, sizeof h));
    uint8_t bad[AIOTSEC_KROOT_MAX], rn[AIOTSEC_RAND_LEN], pdu[DEMO_PDU_MAX];
    memcpy(bad, r->key, sizeof bad);
    bad[0] ^= 0x80;
    int rc = demo_tag_make(d, &impostor, v, bad);
    aiotsec_wipe(bad, sizeof bad);
    uint64_t proc = 0, rep = 0, keys = d->adm_ops[AIOTSEC_ADM_GET_SESSION_KEY];
    size_t pl = 0;
    if (rc == AIOTSEC_OK)
        rc = demo_proc_start(d, AIOTSEC_PROC_COMMAND, r->perm, r->perm_len, NULL, 0, 1, &proc, rn);
    if (rc == AIOTSEC_OK)
        rc = demo_proc_page(d, &impostor, rn, r->perm, r->perm_len, NULL, 0, pdu, &pl);
    if (rc == AIOTSEC_OK)
        rc = demo_proc_report(d, SIZE_MAX, rn, pdu, pl, &rep);
    if (rc == AIOTSEC_OK)
        demo_adm_pump(d);
    aiotsec_aiotf_device dev;
    int got = rc == AIOTSEC_OK && aiotsec_aiotf_device_get(d->aiotf, rep, &dev) == AIOTSEC_OK ? dev.status : rc;
    demo_attack(d, "the impostor's RES_AIOT matches no candidate", got, AIOTSEC_E_AUTH_FAILED);
    demo_check(d, d->adm_ops[AIOTSEC_ADM_GET_SESSION_KEY] == keys, "no getSessionKey: no K_AIOTF for an impostor",
               got);
    size_t len = 0;
    int c = aiotsec_aiotf_command(d->aiotf, rep, d->clock_ms, AIOTSEC_CMD_READ, 0, 1, NULL, 0, d->wire.req,
                                  sizeof d->wire.req, &len);
    demo_check(d, c == AIOTSEC_E_BAD_STATE, "no COMMAND REQUEST can be protected for it", c);
    demo_check(d, demo_proc_result(d, proc, "procedure") == AIOTSEC_FAILURE_AUTH_FAILURE,
               "procedure result AUTH_FAILURE (TS 29.569 FailureCause)", got);
    (void)aiotsec_aiotf_finish(d->aiotf, proc);
    demo_tag_free(&impostor);
}

static void replay_and_tamper(demo *d, demo_tag *t, uint64_t rep)
{
    demo_wire *w = &d->wire;
    demo_say(d, "\n== Attack 2: a recorded COMMAND REQUEST is replayed to tag %zu", t->index + 1);
    int rc = demo_cmd_exchange(d, t, rep, w, AIOTSEC_CMD_READ, 8, 8, NULL, 0);
    demo_check(d, rc == AIOTSEC_CMD_STATUS_SUCCESS, "the genuine READ", rc);
    rc = demo_cmd_deliver(d, t, w, w->req, w->req_len);
    demo_attack(d, "replayed COMMAND REQUEST", rc, AIOTSEC_E_REPLAY);

    demo_say(d, "\n== Attack 3: a COMMAND REQUEST whose MAC was tampered with");
    uint8_t forged[DEMO_WIRE_MAX];
    rc = demo_cmd_send(d, rep, w, AIOTSEC_CMD_WRITE, 64, 0, (const uint8_t *)"evil", 4);
    memcpy(forged, w->req, w->req_len);
    forged[3] ^= 0x01; /* one bit of the MAC (octets 2..5) */
    if (rc == AIOTSEC_OK)
        rc = demo_cmd_deliver(d, t, w, forged, w->req_len);
    demo_attack(d, "tampered MAC", rc, AIOTSEC_E_MAC_MISMATCH);
    demo_check(d, memcmp(t->memory + 64, "evil", 4) != 0, "the tag's memory is untouched", rc);
}

/* The live tag of roster[i] when there is one, else the scratch slot. */
static demo_tag *reach(demo *d, size_t i)
{
    for (size_t k = 0; k < d->n_tags; k++)
        if (d->tags[k].index == i)
            return &d->tags[k];
    return demo_tag_make(d, &scratch, i, NULL) == AIOTSEC_OK ? &scratch : NULL;
}

static void storm(demo *d, size_t u, size_t v, demo_tag *tv, uint64_t rep)
{
    uint8_t filter[AIOTSEC_FILTER_MAX], rn[AIOTSEC_RAND_LEN], pdu[DEMO_PDU_MAX];
    char f[2 * AIOTSEC_FILTER_MAX + 8], h[2 * AIOTSEC_ID_MAX + 1];
    size_t pl = 0, flen = 0;
    /* U's prefix up to one bit past where U and V part: many tags, never V. */
    size_t bits = demo_common_bits(d, u, v) + 1;
    if (bits <= AIOTSEC_FILTER_BITS_MAX && bits <= (size_t)d->recs[u].perm_len * 8)
        flen = demo_prefix_filter(d, d->recs[u].perm, bits, filter);
    demo_say(d, "\n== Attack 4: a paging storm: an attacker pages the filter %s with its own RAND_AIOT_n while "
             "tag %zu is in a command procedure",
             flen ? demo_filter_text(filter, flen, f, sizeof f) : "(none)", v + 1);
    int rc = flen ? aiotsec_random(d->ctx, rn, sizeof rn) : AIOTSEC_E_BAD_FILTER;
    int ready = rc == AIOTSEC_OK;
    demo_step(d, "3", "attacker -> tags", "paging: the attacker's RAND_AIOT_n, the filter");
    if (ready) {
        rc = demo_proc_page(d, tv, rn, NULL, 0, filter, flen, pdu, &pl);
        demo_step(d, "4", "tag", "tag %zu %s: not addressed, silent; its ongoing procedure is aborted", v + 1,
                  perm_of(d, v, h, sizeof h));
        demo_check(d, rc == AIOTSEC_E_NOT_ADDRESSED, "the victim does not answer the storm", rc);
    }
    uint64_t before = adm_load(d);
    size_t answers = 0, reached = 0;
    int got = AIOTSEC_E_NO_PENDING;
    for (size_t i = 0; ready && i < d->n_recs && reached < DEMO_REACH_MAX; i++) {
        if (i == v || !demo_addressed(d, i, filter, flen))
            continue;
        reached++;
        demo_tag *t = reach(d, i);
        int st = t ? demo_proc_page(d, t, rn, NULL, 0, filter, flen, pdu, &pl) : AIOTSEC_E_NO_MEMORY;
        if (st != AIOTSEC_OK) {
            demo_step(d, "4", "tag", "tag %zu: silent (%s)", i + 1, aiotsec_status_name(st));
            continue;
        }
        answers++;
        int r = demo_proc_report(d, i, rn, pdu, pl, NULL);
        if (r != AIOTSEC_E_NO_PENDING && got == AIOTSEC_E_NO_PENDING)
            got = r;
    }
    if (!answers)
        got = AIOTSEC_E_BAD_STATE; /* nobody answered: the attack was not shown */
    demo_attack(d, "the storm's answers at the AIOTF (unsolicited)", got, AIOTSEC_E_NO_PENDING);
    demo_check(d, adm_load(d) == before, "dropped before any ADM request", got);

    demo_say(d, "\n== Attack 5: the AIOTF's next command to tag %zu, whose procedure the storm aborted", v + 1);
    rc = demo_cmd_send(d, rep, &d->wire, AIOTSEC_CMD_READ, 0, 4, NULL, 0);
    if (rc == AIOTSEC_OK)
        rc = demo_cmd_deliver(d, tv, &d->wire, d->wire.req, d->wire.req_len);
    demo_attack(d, "command of the aborted procedure", rc, AIOTSEC_E_ABORTED);
}

static void spoof(demo *d, size_t v, demo_tag *tv)
{
    const demo_rec *r = &d->recs[v];
    uint8_t rn[AIOTSEC_RAND_LEN], pdu[DEMO_PDU_MAX];
    size_t pl = 0;
    uint64_t proc = 0, rep = 0;
    demo_say(d, "\n== Attack 6: a spoofed paging naming tag %zu during its new command procedure", v + 1);
    int rc = secure_one(d, v, &proc, &rep);
    if (rc == AIOTSEC_OK)
        rc = aiotsec_random(d->ctx, rn, sizeof rn);
    demo_step(d, "3", "attacker -> tag", "paging naming tag %zu, with the attacker's RAND_AIOT_n", v + 1);
    if (rc == AIOTSEC_OK)
        rc = demo_proc_page(d, tv, rn, r->perm, r->perm_len, NULL, 0, pdu, &pl);
    demo_check(d, rc == AIOTSEC_OK, "the tag answers (any paging aborts the ongoing procedure: spec step 3)", rc);
    int st = rc;
    if (rc == AIOTSEC_OK)
        st = demo_cmd_send(d, rep, &d->wire, AIOTSEC_CMD_READ, 0, 4, NULL, 0);
    if (st == AIOTSEC_OK)
        st = demo_cmd_deliver(d, tv, &d->wire, d->wire.req, d->wire.req_len);
    demo_attack(d, "command of the aborted procedure (the tag now holds other keys)", st, AIOTSEC_E_MAC_MISMATCH);
    (void)aiotsec_aiotf_finish(d->aiotf, proc);

    demo_say(d, "\n== Attack 7: the answer to that spoofed paging reaches the AIOTF (an unsolicited report)");
    uint64_t before = adm_load(d);
    st = rc == AIOTSEC_OK ? demo_proc_report(d, v, rn, pdu, pl, NULL) : rc;
    demo_attack(d, "unsolicited Inventory Report", st, AIOTSEC_E_NO_PENDING);
    demo_check(d, adm_load(d) == before, "dropped before any ADM request", st);
}

static void late(demo *d, size_t u)
{
    const demo_rec *r = &d->recs[u];
    uint8_t rn[AIOTSEC_RAND_LEN], pdu[DEMO_PDU_MAX];
    size_t pl = 0;
    uint64_t proc = 0;
    demo_say(d, "\n== Attack 8: tag %zu's answer is held back past the AIOTF's reporting window (%u ms)", u + 1,
             DEMO_TIMEOUT_MS);
    demo_tag *t = demo_tag_of(d, u);
    int rc = t ? demo_proc_start(d, AIOTSEC_PROC_INVENTORY, r->perm, r->perm_len, NULL, 0, 1, &proc, rn)
               : AIOTSEC_E_NO_MEMORY;
    if (rc == AIOTSEC_OK)
        rc = demo_proc_page(d, t, rn, r->perm, r->perm_len, NULL, 0, pdu, &pl);
    d->clock_ms += DEMO_TIMEOUT_MS + 1;
    demo_step(d, "6", "attacker", "delays the Inventory Report by %u ms", DEMO_TIMEOUT_MS + 1);
    uint64_t before = adm_load(d);
    if (rc == AIOTSEC_OK)
        rc = demo_proc_report(d, u, rn, pdu, pl, NULL);
    demo_attack(d, "late Inventory Report", rc, AIOTSEC_E_EXPIRED);
    demo_check(d, adm_load(d) == before, "dropped before any ADM request", rc);
    demo_check(d, demo_proc_result(d, proc, "procedure") == AIOTSEC_FAILURE_NO_SUCC_INV_RESP,
               "procedure result NO_SUCC_INV_RESP (TS 29.569 FailureCause)", rc);
    (void)aiotsec_aiotf_finish(d->aiotf, proc);
}

static void disabled_tag(demo *d)
{
    size_t a = d->disabled;
    if (a == SIZE_MAX) {
        demo_attack(d, "commands to the disabled tag (the command sequence did not disable it)", AIOTSEC_E_BAD_STATE,
                    AIOTSEC_E_DEVICE_DISABLED);
        return;
    }
    const demo_rec *r = &d->recs[a];
    uint8_t rn[AIOTSEC_RAND_LEN], pdu[DEMO_PDU_MAX];
    size_t pl = 0;
    uint64_t proc = 0;
    demo_say(d, "\n== Attack 9: a paging and a recorded COMMAND REQUEST for the disabled tag %zu", a + 1);
    demo_tag *t = demo_tag_of(d, a);
    int rc = t ? demo_proc_start(d, AIOTSEC_PROC_COMMAND, r->perm, r->perm_len, NULL, 0, 1, &proc, rn)
               : AIOTSEC_E_NO_MEMORY;
    int st = rc == AIOTSEC_OK ? demo_proc_page(d, t, rn, r->perm, r->perm_len, NULL, 0, pdu, &pl) : rc;
    demo_step(d, "4", "tag", "tag %zu: silent (%s)", a + 1, aiotsec_status_name(st));
    demo_check(d, st == AIOTSEC_E_DEVICE_DISABLED, "a disabled tag answers no paging", st);
    if (rc == AIOTSEC_OK) {
        (void)aiotsec_aiotf_flush(d->aiotf, proc);
        demo_check(d, demo_proc_result(d, proc, "procedure") == AIOTSEC_FAILURE_NO_SUCC_INV_RESP,
                   "procedure result NO_SUCC_INV_RESP", st);
        (void)aiotsec_aiotf_finish(d->aiotf, proc);
    }
    rc = t ? demo_cmd_deliver(d, t, &d->wire, d->captured, d->captured_len) : AIOTSEC_E_NO_MEMORY;
    demo_attack(d, "recorded COMMAND REQUEST to the disabled tag", rc, AIOTSEC_E_DEVICE_DISABLED);
}

/* An AUTHENTICATION RESPONSE with a random RES_AIOT and RAND_AIOT_d: no key behind it. */
static int forge(demo *d, uint8_t *pdu, size_t *pl)
{
    uint8_t res[AIOTSEC_RAND_RES_MAX], rand_d[AIOTSEC_RAND_LEN];
    aiotsec_nas_msg m;
    memset(&m, 0, sizeof m);
    m.type = AIOTSEC_NAS_AUTH_RESPONSE;
    m.res = res;
    m.res_len = aiotsec_derive_res_bytes(d->ctx);
    m.rand_d = rand_d;
    m.rand_d_len = sizeof rand_d;
    int rc = aiotsec_random(d->ctx, res, sizeof res);
    if (rc == AIOTSEC_OK)
        rc = aiotsec_random(d->ctx, rand_d, sizeof rand_d);
    if (rc == AIOTSEC_OK)
        rc = aiotsec_nas_encode(aiotsec_ctx_profile(d->ctx), &m, pdu, DEMO_PDU_MAX, pl);
    char h[2 * AIOTSEC_RAND_LEN + 1];
    demo_hex(rand_d, sizeof rand_d, h, sizeof h);
    demo_step(d, "5", "attacker -> NG-RAN", "a forged AUTHENTICATION RESPONSE: random RES_AIOT, RAND_AIOT_d = %s", h);
    return rc;
}

/* Pages the enabled members of the group; reports their answers. Returns how many answered. */
static size_t page_group(demo *d, const uint8_t *filter, size_t flen, size_t first, size_t count,
                         const uint8_t *rn, uint64_t *ids, uint8_t *keep, size_t *keep_len, size_t *keep_tag)
{
    uint8_t pdu[DEMO_PDU_MAX];
    size_t pl = 0, n = 0;
    for (size_t j = 0; j < count; j++) {
        demo_tag *t = demo_tag_of(d, first + j);
        ids[j] = 0;
        int st = t ? demo_proc_page(d, t, rn, NULL, 0, filter, flen, pdu, &pl) : AIOTSEC_E_NO_MEMORY;
        if (st != AIOTSEC_OK) {
            demo_step(d, "4", "tag", "tag %zu: silent (%s)", first + j + 1, aiotsec_status_name(st));
            continue;
        }
        if (keep && !*keep_len) {
            memcpy(keep, pdu, pl);
            *keep_len = pl;
            *keep_tag = first + j;
        }
        (void)demo_proc_report(d, first + j, rn, pdu, pl, &ids[j]);
        n++;
    }
    return n;
}

static void group_attacks(demo *d, size_t u)
{
    uint8_t filter[AIOTSEC_FILTER_MAX], rn[AIOTSEC_RAND_LEN], pdu[DEMO_PDU_MAX], dup[DEMO_PDU_MAX];
    char f[2 * AIOTSEC_FILTER_MAX + 8];
    size_t flen = 0, first = 0, count = 0, pl = 0, dup_len = 0, dup_tag = 0, enabled = 0;
    uint64_t proc = 0, forged = 0, ids[16];
    demo_plan_pair(d, u, filter, &flen, &first, &count);
    if (count > 16)
        count = 16;
    for (size_t j = 0; j < count; j++)
        enabled += !d->recs[first + j].disabled;
    demo_filter_text(filter, flen, f, sizeof f);

    demo_say(d, "\n== Attack 10: a forged report during a group inventory (filter %s, tags %zu-%zu, no cap)", f,
             first + 1, first + count);
    int rc = demo_proc_start(d, AIOTSEC_PROC_INVENTORY, NULL, 0, filter, flen, 0, &proc, rn);
    if (rc == AIOTSEC_OK)
        rc = forge(d, pdu, &pl);
    if (rc == AIOTSEC_OK)
        rc = demo_proc_report(d, SIZE_MAX, rn, pdu, pl, &forged);
    size_t answered = rc == AIOTSEC_OK ? page_group(d, filter, flen, first, count, rn, ids, dup, &dup_len, &dup_tag)
                                       : 0;

    demo_say(d, "\n== Attack 11: tag %zu's answer is sent again (the same RAND_AIOT_d)", dup_tag + 1);
    uint64_t before = adm_load(d);
    int st = dup_len ? demo_proc_report(d, dup_tag, rn, dup, dup_len, NULL) : AIOTSEC_E_BAD_STATE;
    demo_attack(d, "duplicate RAND_AIOT_d", st, AIOTSEC_E_DUPLICATE_REPORT);
    demo_check(d, adm_load(d) == before, "dropped before any ADM request", st);

    demo_say(d, "   The reporting window closes; the AIOTF sends the %zu reports it holds:", answered + 1);
    d->clock_ms++;
    if (rc == AIOTSEC_OK) {
        (void)aiotsec_aiotf_flush(d->aiotf, proc);
        demo_adm_pump(d);
    }
    aiotsec_aiotf_device dev;
    st = rc == AIOTSEC_OK && aiotsec_aiotf_device_get(d->aiotf, forged, &dev) == AIOTSEC_OK ? dev.status : rc;
    demo_attack(d, "forged report", st, AIOTSEC_E_AUTH_FAILED);
    demo_check(d, answered == enabled && demo_proc_identified(d, first, count, ids) == enabled,
               "every genuine tag of the group is identified despite the forgery", rc);
    demo_check(d, demo_proc_result(d, proc, "group inventory") == AIOTSEC_FAILURE_NONE,
               "the procedure succeeds", rc);
    (void)aiotsec_aiotf_finish(d->aiotf, proc);

    demo_say(d, "\n== Attack 12: answers beyond the cap: the AIOTF asks for %zu answers and holds back up to "
             "%zu more;\n   an attacker replays the paging %zu times",
             enabled, d->spares, d->spares + 1);
    rc = demo_proc_start(d, AIOTSEC_PROC_INVENTORY, NULL, 0, filter, flen, (uint32_t)enabled, &proc, rn);
    dup_len = 0;
    if (rc == AIOTSEC_OK)
        answered = page_group(d, filter, flen, first, count, rn, ids, dup, &dup_len, &dup_tag);
    demo_tag *t = dup_len ? demo_tag_of(d, dup_tag) : NULL;
    uint64_t held[DEMO_SPARES];
    size_t n_held = 0;
    before = adm_load(d);
    st = t ? AIOTSEC_OK : AIOTSEC_E_BAD_STATE;
    for (size_t k = 0; k <= d->spares && st == AIOTSEC_OK; k++) {
        demo_step(d, "3", "attacker -> tag", "the same paging again (RAND_AIOT_n, filter) to tag %zu", dup_tag + 1);
        uint64_t id = 0;
        st = demo_proc_page(d, t, rn, NULL, 0, filter, flen, pdu, &pl);
        if (st == AIOTSEC_OK)
            st = demo_proc_report(d, dup_tag, rn, pdu, pl, &id);
        if (st == AIOTSEC_OK && n_held < DEMO_SPARES)
            held[n_held++] = id; /* held back: no ADM request (yet) */
    }
    demo_attack(d, "an answer beyond the cap and the spares (a fresh RAND_AIOT_d)", st, AIOTSEC_E_OVER_CAP);
    demo_check(d, adm_load(d) == before, "no ADM request for the held-back or dropped answers", st);
    d->clock_ms++;
    demo_adm_pump(d);
    demo_check(d, rc == AIOTSEC_OK && demo_proc_identified(d, first, count, ids) == enabled,
               "every tag within the cap is identified", rc);
    size_t dropped = 0;
    for (size_t k = 0; k < n_held; k++) {
        aiotsec_aiotf_device hd;
        dropped += aiotsec_aiotf_device_get(d->aiotf, held[k], &hd) == AIOTSEC_OK && hd.status == AIOTSEC_E_OVER_CAP;
    }
    demo_check(d, n_held == d->spares && dropped == n_held,
               "the held-back answers are dropped once the group is identified, never sent", rc);
    (void)aiotsec_aiotf_finish(d->aiotf, proc);
}

void demo_attacks(demo *d)
{
    size_t u = 1, v = d->n_recs - 1;
    uint64_t proc = 0, rep = 0;
    char h[2 * AIOTSEC_ID_MAX + 1];
    d->verbose = !d->json;
    wrong_key(d, v);

    demo_say(d, "\n== Command procedure on tag %zu (%s) for the next attacks", v + 1, perm_of(d, v, h, sizeof h));
    demo_tag *tv = demo_tag_of(d, v);
    if (tv && secure_one(d, v, &proc, &rep) == AIOTSEC_OK) {
        replay_and_tamper(d, tv, rep);
        storm(d, u, v, tv, rep);
    } else {
        demo_attack(d, "replay, tampering and storm (no secured procedure)", AIOTSEC_E_BAD_STATE, AIOTSEC_OK);
    }
    (void)aiotsec_aiotf_finish(d->aiotf, proc);
    if (tv)
        spoof(d, v, tv);
    late(d, u);
    disabled_tag(d);
    group_attacks(d, u);
    demo_tag_free(&scratch);
}
