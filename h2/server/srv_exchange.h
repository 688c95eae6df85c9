/* One Nadm_Sec request as the ADM server sees it, from its header fields to its
 * response, with no network code: what nghttp2 hands over goes in, a status and
 * a body come out. Kept apart so that the fuzz target (tests/fuzz/fuzz_h2_request.c)
 * and the unit test drive exactly the code the server runs.
 *
 *   srv_head_*    collects the header fields of one request (no copy of the path)
 *   srv_route     decides from the headers alone: go on, or answer now (404,
 *                 405, 411, 413, 415, 503)
 *   srv_answerer  a worker's parser, answer and response buffer: body -> 200 or a
 *                 ProblemDetails (400, 404, 413, 500) through libaiotsec-sbi and the ADM */
#ifndef AIOTSEC_H2_SRV_EXCHANGE_H
#define AIOTSEC_H2_SRV_EXCHANGE_H

#include <stddef.h>
#include <stdint.h>

#include "aiotsec/aiotsec.h"

/* The server's life, as a request sees it. */
enum { SRV_STARTING = 0, SRV_RUNNING = 1, SRV_STOPPING = 2 };

/* The header fields that matter, as they arrive (any order, each at most once). */
typedef struct srv_head {
    int op;              /* the operation :path names (0: none of ours, or no :path) */
    int method_post;     /* :method is POST */
    int method_seen;
    int ct_seen, ct_json; /* content-type present; it is application/json (parameters allowed) */
    int cl_seen, cl_bad;  /* content-length present; malformed or repeated */
    uint64_t cl;          /* its value */
} srv_head;

void srv_head_init(srv_head *h);
/* One header field (name in lower case, as HTTP/2 requires). */
void srv_head_field(srv_head *h, const uint8_t *name, size_t name_len, const uint8_t *value, size_t value_len);

/* The operation of a request path: exactly "/nadm-sec/v1/<operation>", the query
 * (after '?') ignored. 0 when it is none of the four. */
int srv_path_op(const char *path, size_t len);

/* An answer decided without the body. */
typedef struct srv_early {
    int http;            /* 0: go on and read the body */
    int allow_post;      /* 405: send "allow: POST" */
    int retry_after;     /* 429, 503: seconds for "retry-after", 0 for none */
    const char *what;    /* for the log: why */
} srv_early;

/* Reasons (srv_early.what) whose ProblemDetails are not their status's usual one. */
#define SRV_WHY_NO_MEMORY "out of memory"                 /* 500 INSUFFICIENT_RESOURCES */
#define SRV_WHY_ANSWER_TOO_LARGE "answer over the memory limit" /* 413 TOO_MANY_DERIVATIONS */

/* Decides from the headers: has_body says whether DATA follows the HEADERS. */
void srv_route(const srv_head *h, int has_body, int state, size_t max_body, srv_early *out);

/* The ProblemDetails body of an early answer (and of 429/503 decided by the
 * server): {"status","cause","detail"}, never a copy of the request. 413 is the
 * body libaiotsec-sbi writes for a body over its limit (TOO_MANY_DERIVATIONS for
 * SRV_WHY_ANSWER_TOO_LARGE); 500 is SYSTEM_FAILURE (INSUFFICIENT_RESOURCES for
 * SRV_WHY_NO_MEMORY). Returns its length, or 0 when cap is too small (cap 512 is
 * always enough). */
size_t srv_problem_body(int http, const char *what, char *buf, size_t cap);

/* --- the body: parse, ADM, response ---------------------------------------------- */

typedef struct srv_answerer srv_answerer;

/* What one request came to. */
typedef struct srv_reply {
    int http;            /* 200, 400, 404, 413 or 500 */
    int status;          /* the library status behind it (AIOTSEC_OK for 200) */
    const char *body;    /* valid until the next srv_answer/srv_answer_clear/free */
    size_t len;
    int secret;          /* the body holds XRES_AIOT or K_AIOTF: wipe every copy */
    size_t candidates;   /* getAuthentication: candidates per RAND_AIOT_d */
    size_t rand_d;       /* getAuthentication: RAND_AIOT_d in the request */
} srv_reply;

/* An answerer over an ADM (parser sized for the ADM's limit). max_body as the
 * handler of libaiotsec-sbi takes it (0: its default). */
int srv_answerer_new(srv_answerer **out, const aiotsec_adm *adm, size_t max_body);
void srv_answerer_free(srv_answerer *a);
/* Answers one request: always fills r (a fixed 500 body when memory runs out). */
void srv_answer(srv_answerer *a, int op, const char *body, size_t len, srv_reply *r);
/* Wipes the last response (as soon as it has been copied out). */
void srv_answer_clear(srv_answerer *a);

#endif
