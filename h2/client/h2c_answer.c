/* A finished transfer, handed back to the AIOTF.
 *
 * No HTTP answer (refused, reset, timed out) and 429, 3xx, 5xx are
 * ::AIOTSEC_E_TRANSPORT: the AIOTF queues the request again, and the client
 * remembers the failure so that the request comes back later and on another
 * lane; a lane that gave no answer is rested and its next transfer opens a new
 * connection. Every other answer maps as aiotsec_sbi_answer_status() says, a
 * 2xx is read with the operation's reader (::AIOTSEC_E_BAD_ANSWER when it does
 * not parse). The response octets are wiped as soon as they are read. */
#include <stdio.h>
#include <string.h>

#include "h2c_internal.h"

static uint64_t backoff(const aiotsec_h2c *c, uint32_t fails)
{
    uint64_t d = c->cfg.retry_delay_ms;
    for (uint32_t k = 1; k < fails && d < c->cfg.retry_delay_max_ms; k++)
        d *= 2;
    return d < c->cfg.retry_delay_max_ms ? d : c->cfg.retry_delay_max_ms;
}

const h2c_recent *h2c_recent_of(const aiotsec_h2c *c, uint64_t id)
{
    for (size_t i = 0; i < H2C_RECENT; i++)
        if (c->recent[i].id == id && id)
            return &c->recent[i];
    return NULL;
}

void h2c_remember_failure(aiotsec_h2c *c, uint64_t id, unsigned lane, uint64_t now)
{
    h2c_recent *f = (h2c_recent *)(uintptr_t)h2c_recent_of(c, id);
    if (!f) {
        f = &c->recent[c->recent_next];
        c->recent_next = (c->recent_next + 1) % H2C_RECENT;
        f->id = id;
        f->fails = 0;
    }
    f->fails++;
    f->lane = lane;
    f->not_before = now + backoff(c, f->fails);
}

static void forget_failure(aiotsec_h2c *c, uint64_t id)
{
    h2c_recent *f = (h2c_recent *)(uintptr_t)h2c_recent_of(c, id);
    if (f)
        memset(f, 0, sizeof *f);
}

void h2c_lane_outcome(aiotsec_h2c *c, const h2c_slot *s, int ok, uint64_t now)
{
    h2c_lane *ln = &c->lanes[s->lane];
    if (ok) {
        ln->fails = 0;
        if (s->opener || ln->state == H2C_LANE_IDLE)
            ln->state = H2C_LANE_READY;
        return;
    }
    /* no answer: whatever connection the lane had is suspect; rest it, reopen it fresh */
    ln->fails++;
    ln->down_until = now + backoff(c, ln->fails);
    ln->fresh = 1;
    ln->state = c->https ? H2C_LANE_READY : H2C_LANE_IDLE;
}

void h2c_slot_release(aiotsec_h2c *c, h2c_slot *s)
{
    if (s->resp && s->resp_len)
        aiotsec_wipe(s->resp, s->resp_len);
    s->resp_len = 0;
    s->resp_over = 0;
    s->state = H2C_FREE;
    c->busy--;
}

/* The answer to the AIOTF, the event, the slot freed. */
static void deliver(aiotsec_h2c *c, aiotsec_aiotf *aiotf, h2c_slot *s, int http, int status, const char *cause,
                    const char *terr)
{
    uint64_t now = h2c_now(c);
    aiotsec_h2c_event ev;
    memset(&ev, 0, sizeof ev);
    _Static_assert(AIOTSEC_KAIOTF_LEN <= AIOTSEC_RAND_LEN, "octets holds a RAND or a K_AIOTF");
    uint8_t octets[AIOTSEC_RAND_LEN];
    size_t n = 0;
    int ok2xx = status == AIOTSEC_OK;
    switch (s->req.op) {
    case AIOTSEC_ADM_GET_RAND:
        if (ok2xx && aiotsec_sbi_parse_rand_response(s->resp, s->resp_len, octets, sizeof octets, &n) != AIOTSEC_OK)
            status = AIOTSEC_E_BAD_ANSWER;
        ev.aiotf_status = aiotsec_aiotf_on_rand(aiotf, s->req.id, now, status, octets, AIOTSEC_RAND_LEN, NULL);
        ev.rand_n = status == AIOTSEC_OK ? octets : NULL;
        break;
    case AIOTSEC_ADM_GET_AUTHENTICATION:
        if (ok2xx && aiotsec_sbi_parse_auth_response(s->resp, s->resp_len, c->ans) != AIOTSEC_OK)
            status = AIOTSEC_E_BAD_ANSWER;
        ev.aiotf_status = aiotsec_aiotf_on_authentication(aiotf, s->req.id, now, status,
                                                          status == AIOTSEC_OK ? c->ans : NULL, NULL);
        ev.ans = status == AIOTSEC_OK ? c->ans : NULL;
        break;
    case AIOTSEC_ADM_GET_SESSION_KEY:
        if (ok2xx && aiotsec_sbi_parse_session_key_response(s->resp, s->resp_len, octets, sizeof octets, &n) !=
                         AIOTSEC_OK)
            status = AIOTSEC_E_BAD_ANSWER;
        ev.aiotf_status = aiotsec_aiotf_on_session_key(aiotf, s->req.id, now, status, octets, AIOTSEC_KAIOTF_LEN, NULL);
        break;
    default: /* getTid: the AIOTF never asks for it */
        ev.aiotf_status = AIOTSEC_E_UNSUPPORTED;
        break;
    }
    if (ok2xx && status == AIOTSEC_E_BAD_ANSWER)
        c->stats.bad_answers++;
    if (status == AIOTSEC_E_TRANSPORT)
        h2c_remember_failure(c, s->req.id, s->lane, now);
    else
        forget_failure(c, s->req.id);
    c->stats.answered++;
    if (c->cfg.on_event) {
        ev.req = &s->req;
        ev.http_status = http;
        ev.status = status;
        if (cause)
            (void)snprintf(ev.cause, sizeof ev.cause, "%s", cause);
        ev.transport_error = terr;
        ev.latency_ms = s->t_sent && now > s->t_sent ? (uint32_t)(now - s->t_sent) : 0;
        ev.connection = s->lane;
        c->cfg.on_event(c->cfg.event_arg, &ev);
    }
    aiotsec_wipe(octets, sizeof octets);
    aiotsec_auth_answer_reset(c->ans); /* it held XRES_AIOT values */
    h2c_slot_release(c, s);
}

void h2c_give_up(aiotsec_h2c *c, aiotsec_aiotf *aiotf, h2c_slot *s, int status, const char *why)
{
    s->t_sent = 0;
    if (status == AIOTSEC_E_TRANSPORT)
        c->stats.no_answer++;
    deliver(c, aiotf, s, 0, status, NULL, why);
}

void h2c_finish(aiotsec_h2c *c, aiotsec_aiotf *aiotf, h2c_slot *s, CURLcode result)
{
    curl_multi_remove_handle(c->multi, s->easy);
    long http = 0, conns = 0;
    (void)curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &http);
    (void)curl_easy_getinfo(s->easy, CURLINFO_NUM_CONNECTS, &conns);
    c->stats.connections += (uint64_t)(conns > 0 ? conns : 0);
    uint64_t now = h2c_now(c);
    char cause[AIOTSEC_SBI_CAUSE_MAX] = "";
    if (result != CURLE_OK && s->resp_over) {
        h2c_lane_outcome(c, s, 1, now); /* the connection answered: too much, but it works */
        deliver(c, aiotf, s, (int)http, AIOTSEC_E_BAD_ANSWER, NULL, "answer over 16 MiB");
        return;
    }
    if (result != CURLE_OK) {
        c->stats.no_answer++;
        if (result == CURLE_OPERATION_TIMEDOUT)
            c->stats.timeouts++;
        h2c_lane_outcome(c, s, 0, now);
        deliver(c, aiotf, s, 0, AIOTSEC_E_TRANSPORT, NULL, s->errbuf[0] ? s->errbuf : curl_easy_strerror(result));
        return;
    }
    h2c_lane_outcome(c, s, 1, now);
    c->stats.by_class[http >= 100 && http < 600 ? http / 100 : 0]++;
    int status = aiotsec_sbi_answer_status(&s->req, (int)http);
    if (status == AIOTSEC_E_TRANSPORT)
        c->stats.retryable_status++;
    if (http < 200 || http > 299)
        (void)aiotsec_sbi_parse_problem(s->resp, s->resp_len, NULL, cause, sizeof cause);
    deliver(c, aiotf, s, (int)http, status, cause, NULL);
}
