/* libaiotsec-h2client internals (h2_client.h is the interface). Names start with
 * h2c_ and are hidden (visibility and h2client.map).
 *
 *   h2c_client.c  configuration, the object, lanes (one libcurl share each: its
 *                 own connection cache, so its own HTTP/2 connection), counters
 *   h2c_send.c    a request taken from the AIOTF into a slot: its copy, its body,
 *                 when and on which lane it goes, the transfer started
 *   h2c_answer.c  a finished transfer: HTTP outcome -> AIOTF status, the response
 *                 read, the aiotsec_aiotf_on_*() call, the event
 *   h2c_pump.c    pump and settle: the loop over libcurl's multi handle */
#ifndef AIOTSEC_H2C_INTERNAL_H
#define AIOTSEC_H2C_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>

#include "aiotsec/aiotsec.h"
#include "aiotsec/h2_client.h"
#include "aiotsec/sbi.h"

#define H2C_LANES_MAX 16u
#define H2C_RECENT 256u /* failed requests remembered, to send them elsewhere and later */

enum { H2C_FREE = 0, H2C_WAITING = 1, H2C_ACTIVE = 2 };

/* One request in the client: a copy that outlives the AIOTF's views. */
typedef struct h2c_slot {
    CURL *easy;
    int state;
    aiotsec_adm_request req; /* views into the arrays below */
    uint8_t perm[AIOTSEC_ID_MAX], filter[AIOTSEC_FILTER_MAX], rand_n[AIOTSEC_RAND_LEN];
    uint8_t *rand_d;
    size_t rand_d_cap;       /* in RAND_AIOT_d values */
    char *body;
    size_t body_cap, body_len;
    char *resp;              /* the response (wiped after use: XRES_AIOT, K_AIOTF) */
    size_t resp_cap, resp_len;
    int resp_over;           /* longer than AIOTSEC_SBI_BODY_MAX */
    unsigned lane;
    int opener;              /* this transfer opens its lane's h2c connection */
    int avoid_lane;          /* -1, or the lane this request last failed on */
    uint64_t not_before, t_sent;
    char errbuf[CURL_ERROR_SIZE];
} h2c_slot;

/* A lane's connection, as far as the client knows. Over h2c, the transfer that
 * opens it (the "opener") goes alone; the others wait for it to answer (see
 * h2c_send.c for why). Over TLS a lane is always READY (ALPN decides). */
enum { H2C_LANE_IDLE = 0, H2C_LANE_OPENING = 1, H2C_LANE_READY = 2 };

typedef struct h2c_lane {
    CURLSH *share;
    int state;
    uint64_t down_until;     /* rested after a transport failure */
    uint32_t fails;          /* consecutive transport failures */
    int fresh;               /* the next transfer opens a new connection */
} h2c_lane;

/* A request that failed (no answer or a retryable status): when it comes back it
 * waits until not_before and avoids its lane. */
typedef struct h2c_recent {
    uint64_t id;
    unsigned lane;
    uint32_t fails;
    uint64_t not_before;
} h2c_recent;

struct aiotsec_h2c {
    aiotsec_h2c_config cfg;
    char *api_root, *ca_file;
    char *url[AIOTSEC_ADM_GET_TID + 1];  /* per operation */
    CURLM *multi;
    struct curl_slist *headers;
    h2c_lane lanes[H2C_LANES_MAX];
    unsigned next_lane;
    int https;
    int reuse_workaround;    /* libcurl < 8.0.0: reuse h2c connections as CURL_HTTP_VERSION_2_0 (h2c_send.c) */
    h2c_slot *slots;
    size_t n_slots, busy;
    h2c_recent recent[H2C_RECENT];
    size_t recent_next;
    aiotsec_auth_answer *ans;
    aiotsec_h2c_stats stats;
    int curl_global;
};

uint64_t h2c_now(aiotsec_h2c *c);

/* h2c_send.c */
int h2c_take(aiotsec_h2c *c, aiotsec_aiotf *aiotf, uint64_t now);
/* Starts the waiting slots whose time has come; answers those past their deadline.
 * Returns how many were answered; *next_ms receives when the next one is due (or UINT64_MAX). */
size_t h2c_start_due(aiotsec_h2c *c, aiotsec_aiotf *aiotf, uint64_t now, uint64_t *next_due);

/* h2c_answer.c */
/* Hands a finished transfer's outcome to the AIOTF and frees the slot. */
void h2c_finish(aiotsec_h2c *c, aiotsec_aiotf *aiotf, h2c_slot *s, CURLcode result);
/* Answers a slot that was never sent (or not answered) with status: ::AIOTSEC_E_TRANSPORT
 * when its deadline passed while it waited, the reason it could not be prepared otherwise. */
void h2c_give_up(aiotsec_h2c *c, aiotsec_aiotf *aiotf, h2c_slot *s, int status, const char *why);
/* Remembers a failure of request id on lane: how long it waits when it comes back. */
void h2c_remember_failure(aiotsec_h2c *c, uint64_t id, unsigned lane, uint64_t now);
/* The remembered failure of request id, or NULL. */
const h2c_recent *h2c_recent_of(const aiotsec_h2c *c, uint64_t id);
void h2c_slot_release(aiotsec_h2c *c, h2c_slot *s);
/* A transfer on a lane got an HTTP answer (ok) or none: the lane's state follows. */
void h2c_lane_outcome(aiotsec_h2c *c, const h2c_slot *s, int ok, uint64_t now);

#endif
