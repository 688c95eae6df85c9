/* The client's loop: take what the AIOTF queued, start what is due, let libcurl
 * move the octets, hand back what finished; wait (curl_multi_poll, bounded)
 * only when nothing was handed back yet. */
#include <string.h>

#include "h2c_internal.h"

/* Hands back every finished transfer: how many. */
static size_t collect(aiotsec_h2c *c, aiotsec_aiotf *aiotf)
{
    size_t n = 0;
    int left = 0;
    CURLMsg *m;
    while ((m = curl_multi_info_read(c->multi, &left)) != NULL) {
        if (m->msg != CURLMSG_DONE)
            continue;
        h2c_slot *s = NULL;
        CURL *e = m->easy_handle;
        CURLcode result = m->data.result;
        (void)curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&s);
        if (s && s->state == H2C_ACTIVE) {
            h2c_finish(c, aiotf, s, result);
            n++;
        }
    }
    return n;
}

AIOTSEC_H2C_API int aiotsec_h2c_pump(aiotsec_h2c *c, aiotsec_aiotf *aiotf, uint32_t wait_ms, size_t *answered)
{
    if (answered)
        *answered = 0;
    if (!c || !aiotf)
        return AIOTSEC_E_NULL_ARG;
    uint64_t t0 = h2c_now(c), now = t0;
    size_t done = 0;
    for (;;) {
        uint64_t due = UINT64_MAX;
        h2c_take(c, aiotf, now);
        done += h2c_start_due(c, aiotf, now, &due);
        int running = 0;
        if (curl_multi_perform(c->multi, &running) != CURLM_OK)
            return AIOTSEC_E_BACKEND_FAILURE;
        done += collect(c, aiotf);
        now = h2c_now(c);
        uint64_t spent = now - t0;
        if (done || spent >= wait_ms || c->busy == 0)
            break;
        uint64_t wait = wait_ms - spent;
        if (due != UINT64_MAX)
            wait = due > now ? (due - now < wait ? due - now : wait) : 0;
        if (wait > 60000)
            wait = 60000; /* curl_multi_poll takes an int */
        if (wait && curl_multi_poll(c->multi, NULL, 0, (int)wait, NULL) != CURLM_OK)
            return AIOTSEC_E_BACKEND_FAILURE;
        now = h2c_now(c);
    }
    if (answered)
        *answered = done;
    return AIOTSEC_OK;
}

AIOTSEC_H2C_API int aiotsec_h2c_settle(aiotsec_h2c *c, aiotsec_aiotf *aiotf, uint32_t max_ms)
{
    if (!c || !aiotf)
        return AIOTSEC_E_NULL_ARG;
    uint64_t t0 = h2c_now(c);
    for (;;) {
        if (!aiotsec_aiotf_queued_requests(aiotf) && !c->busy)
            return AIOTSEC_OK;
        uint64_t spent = h2c_now(c) - t0;
        if (spent >= max_ms)
            return AIOTSEC_E_IN_PROGRESS;
        uint64_t left = max_ms - spent;
        int rc = aiotsec_h2c_pump(c, aiotf, left < 100 ? (uint32_t)left : 100u, NULL);
        if (rc != AIOTSEC_OK)
            return rc;
    }
}
