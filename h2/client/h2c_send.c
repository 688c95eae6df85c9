/* Requests into slots, and slots onto the wire.
 *
 * A request taken from the AIOTF is copied at once (its views end with its
 * answer, or sooner if its procedure ends) and its body written; a request that
 * cannot be prepared is answered only once the whole batch is copied, since that
 * answer may end a procedure whose other requests come later in the batch. A
 * request goes out on the next lane that is up, skipping the lane it last failed
 * on, once the delay of its earlier failures has passed; a request still waiting
 * at its procedure's deadline is answered ::AIOTSEC_E_TRANSPORT (the AIOTF then
 * ends it). */
#include <stdlib.h>
#include <string.h>

#include "h2c_internal.h"

#define TAKE_BATCH 16u

static int copy_request(h2c_slot *s, const aiotsec_adm_request *r)
{
    s->req = *r;
    s->req.perm_id = s->req.filter = s->req.rand_n = s->req.rand_d = NULL;
    if (r->perm_id) {
        if (r->perm_id_len > sizeof s->perm)
            return AIOTSEC_E_BAD_LENGTH;
        memcpy(s->perm, r->perm_id, r->perm_id_len);
        s->req.perm_id = s->perm;
    }
    if (r->filter) {
        if (r->filter_len > sizeof s->filter)
            return AIOTSEC_E_BAD_LENGTH;
        memcpy(s->filter, r->filter, r->filter_len);
        s->req.filter = s->filter;
    }
    if (r->rand_n) {
        if (r->rand_n_len > sizeof s->rand_n)
            return AIOTSEC_E_BAD_LENGTH;
        memcpy(s->rand_n, r->rand_n, r->rand_n_len);
        s->req.rand_n = s->rand_n;
    }
    if (r->rand_d && r->rand_d_count) {
        if (r->rand_d_count > s->rand_d_cap) {
            uint8_t *more = realloc(s->rand_d, r->rand_d_count * AIOTSEC_RAND_LEN);
            if (!more)
                return AIOTSEC_E_NO_MEMORY;
            s->rand_d = more;
            s->rand_d_cap = r->rand_d_count;
        }
        memcpy(s->rand_d, r->rand_d, r->rand_d_count * AIOTSEC_RAND_LEN);
        s->req.rand_d = s->rand_d;
    }
    return AIOTSEC_OK;
}

static int write_body(h2c_slot *s)
{
    size_t len = 0;
    int rc = aiotsec_sbi_write_request(&s->req, s->body, s->body_cap, &len);
    if (rc == AIOTSEC_E_BUFFER_TOO_SMALL) {
        char *bigger = malloc(len + 1);
        if (!bigger)
            return AIOTSEC_E_NO_MEMORY;
        free(s->body); /* a request body holds no secret */
        s->body = bigger;
        s->body_cap = len + 1;
        rc = aiotsec_sbi_write_request(&s->req, s->body, s->body_cap, &len);
    }
    s->body_len = len;
    return rc;
}

/* Takes one request into a free slot: AIOTSEC_OK, or why it cannot be prepared
 * (the caller answers it, never sent, once the rest of the batch is copied). */
static int load(aiotsec_h2c *c, h2c_slot *s, const aiotsec_adm_request *r, uint64_t now)
{
    s->state = H2C_WAITING;
    c->busy++;
    s->resp_len = 0;
    s->resp_over = 0;
    s->avoid_lane = -1;
    s->not_before = now;
    int rc = copy_request(s, r);
    if (rc == AIOTSEC_OK)
        rc = write_body(s);
    if (rc != AIOTSEC_OK) {
        s->req.id = r->id;
        s->req.op = r->op;
        s->req.proc_id = r->proc_id;
        return rc;
    }
    const h2c_recent *f = h2c_recent_of(c, r->id);
    if (f) { /* it failed before: later, and elsewhere */
        s->not_before = f->not_before;
        s->avoid_lane = (int)f->lane;
    }
    return AIOTSEC_OK;
}

int h2c_take(aiotsec_h2c *c, aiotsec_aiotf *aiotf, uint64_t now)
{
    aiotsec_adm_request reqs[TAKE_BATCH];
    h2c_slot *failed[TAKE_BATCH];
    int why[TAKE_BATCH];
    size_t slot = 0;
    while (c->busy < c->n_slots) {
        size_t room = c->n_slots - c->busy, n = 0, n_failed = 0;
        if (aiotsec_aiotf_next_requests(aiotf, now, reqs, room < TAKE_BATCH ? room : TAKE_BATCH, &n) != AIOTSEC_OK)
            return AIOTSEC_E_NULL_ARG;
        if (n == 0)
            break;
        /* every view of the batch is read before the AIOTF hears of any failure */
        for (size_t i = 0; i < n; i++) {
            while (c->slots[slot].state != H2C_FREE)
                slot++;
            int rc = load(c, &c->slots[slot], &reqs[i], now);
            if (rc != AIOTSEC_OK) {
                failed[n_failed] = &c->slots[slot];
                why[n_failed++] = rc;
            }
        }
        for (size_t i = 0; i < n_failed; i++) /* not retryable: it would fail again */
            h2c_give_up(c, aiotf, failed[i], why[i], aiotsec_status_name(why[i]));
        slot = 0; /* the slots given up are free again */
    }
    return AIOTSEC_OK;
}

/* The lane for a slot: the next one, in turn, that is up and can take a transfer
 * now (READY, or IDLE: this transfer opens it; not while its opener is out); the
 * lane the request failed on last only when no other can. -1: none now. */
static int pick_lane(aiotsec_h2c *c, const h2c_slot *s, uint64_t now)
{
    unsigned n = c->cfg.connections;
    int fallback = -1;
    for (unsigned k = 0; k < n; k++) {
        unsigned l = (c->next_lane + k) % n;
        if (c->lanes[l].down_until > now || c->lanes[l].state == H2C_LANE_OPENING)
            continue;
        if ((int)l == s->avoid_lane && n > 1) {
            fallback = (int)l;
            continue;
        }
        c->next_lane = (l + 1) % n;
        return (int)l;
    }
    return fallback;
}

/* When a lane that is resting now comes up again; UINT64_MAX when none is resting.
 * A lane that is OPENING frees itself when its opener finishes, which libcurl's
 * socket activity reports: nothing to wake up for here (a past time would make
 * the pump spin until the opener's answer or timeout). */
static uint64_t lane_up_at(const aiotsec_h2c *c, uint64_t now)
{
    uint64_t t = UINT64_MAX;
    for (unsigned l = 0; l < c->cfg.connections; l++) {
        const h2c_lane *ln = &c->lanes[l];
        if (ln->state != H2C_LANE_OPENING && ln->down_until > now && ln->down_until < t)
            t = ln->down_until;
    }
    return t;
}

static int start(aiotsec_h2c *c, h2c_slot *s, unsigned lane, uint64_t now)
{
    CURL *e = s->easy;
    h2c_lane *ln = &c->lanes[lane];
    uint64_t left = s->req.deadline_ms > now ? s->req.deadline_ms - now : 1;
    uint64_t timeout = c->cfg.request_timeout_ms < left ? c->cfg.request_timeout_ms : left;
    CURLcode r = CURLE_OK;
    /* h2c: the opener of a lane's connection speaks HTTP/2 with prior knowledge.
     * libcurl before 8.0.0 cannot reuse such a connection as such (curl issue
     * 10634: it stacks a second HTTP/2 layer and fails with "Error in the HTTP2
     * framing layer"); a transfer asking for CURL_HTTP_VERSION_2_0 reuses it
     * correctly, so that is what the others ask for. They wait for the opener's
     * answer: with no connection to reuse, 2_0 would try an HTTP/1.1 Upgrade. */
    long version = c->https                                ? (long)CURL_HTTP_VERSION_2TLS
                   : c->reuse_workaround && ln->state == H2C_LANE_READY ? (long)CURL_HTTP_VERSION_2_0
                                                                          : (long)CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE;
    r |= curl_easy_setopt(e, CURLOPT_HTTP_VERSION, version);
    r |= curl_easy_setopt(e, CURLOPT_URL, c->url[s->req.op]);
    r |= curl_easy_setopt(e, CURLOPT_POSTFIELDS, s->body);
    r |= curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)s->body_len);
    r |= curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)(timeout ? timeout : 1));
    r |= curl_easy_setopt(e, CURLOPT_SHARE, ln->share);
    r |= curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, ln->fresh ? 1L : 0L);
    s->errbuf[0] = 0;
    if (r != CURLE_OK || curl_multi_add_handle(c->multi, e) != CURLM_OK)
        return -1;
    ln->fresh = 0;
    s->opener = ln->state == H2C_LANE_IDLE;
    if (s->opener)
        ln->state = H2C_LANE_OPENING;
    s->lane = lane;
    s->t_sent = now;
    s->state = H2C_ACTIVE;
    c->stats.sent++;
    return 0;
}

size_t h2c_start_due(aiotsec_h2c *c, aiotsec_aiotf *aiotf, uint64_t now, uint64_t *next_due)
{
    size_t answered = 0;
    uint64_t next = UINT64_MAX;
    for (size_t i = 0; i < c->n_slots; i++) {
        h2c_slot *s = &c->slots[i];
        if (s->state != H2C_WAITING)
            continue;
        if (now > s->req.deadline_ms) {
            h2c_give_up(c, aiotf, s, AIOTSEC_E_TRANSPORT, "deadline passed while waiting to be sent");
            answered++;
            continue;
        }
        if (s->not_before > now) {
            next = s->not_before < next ? s->not_before : next;
            continue;
        }
        int lane = pick_lane(c, s, now);
        if (lane < 0) {
            uint64_t up = lane_up_at(c, now);
            next = up < next ? up : next;
            continue;
        }
        if (start(c, s, (unsigned)lane, now) != 0) {
            h2c_give_up(c, aiotf, s, AIOTSEC_E_BACKEND_FAILURE, "libcurl refused the transfer");
            answered++;
        }
    }
    *next_due = next;
    return answered;
}
