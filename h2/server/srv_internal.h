/* The ADM server's internals (h2_server.h is the interface). One purpose per file:
 *
 *   srv_route.c    header fields -> go on, or an early answer   (no network; fuzzed)
 *   srv_problem.c  the ProblemDetails of the server's own answers (no network)
 *   srv_answer.c   request body -> response through libaiotsec-sbi and the ADM (no network)
 *   srv_server.c   the server object: configuration, run, signals, stop
 *   srv_listen.c   the listening socket and the hand-out of accepted connections
 *   srv_gen.c      key-store generations: the loader thread, publication, release
 *   srv_worker.c   a worker thread: its loop, queue, memory budget, drain
 *   srv_conn.c     one connection: bufferevent (TLS or not) <-> nghttp2, back-pressure
 *   srv_session.c  nghttp2 callbacks: streams, early answers, responses
 *   srv_tls.c      the TLS context (ALPN h2 only)
 *   srv_log.c      log lines, one write(2) each
 *
 * Threads: the main thread accepts, handles signals and generations; each worker
 * owns its connections, streams and answerer and touches nothing of another
 * worker. What crosses threads is under aiotsec_h2s.lock (accepted descriptors,
 * stop and force requests, generation reference counts) or atomic (the state,
 * the number of the current generation, the number of open connections). */
#ifndef AIOTSEC_H2_SRV_INTERNAL_H
#define AIOTSEC_H2_SRV_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>
#include <event2/listener.h>
#include <nghttp2/nghttp2.h>
#include <openssl/ssl.h>

#include "aiotsec/h2_server.h"
#include "srv_exchange.h"

#define SRV_FD_QUEUE 1024u       /* accepted descriptors waiting for one worker */
#define SRV_WORK_BATCH 32u       /* requests answered per turn of a worker's loop */
#define SRV_OUT_HIGH (256u << 10) /* output held per connection before nghttp2 is asked for more */
#define SRV_LOG_LINE 512u
#define SRV_DRAIN_GRACE_MS 250u   /* after the GOAWAY notice: time for requests already on the way */
#define SRV_ACCEPT_PAUSE_MS 100u  /* the listener rests this long after accept() ran out of descriptors */

typedef struct srv_gen {
    const aiotsec_adm *adm;
    void *owner;
    size_t devices;
    uint64_t number;  /* 1, 2, ... */
    unsigned refs;    /* the server's "current" reference + one per worker using it; under s->lock */
} srv_gen;

struct srv_conn;
struct srv_worker;

typedef struct srv_stream {
    int32_t id;
    struct srv_conn *conn;
    struct srv_stream *prev, *next;     /* the connection's streams */
    struct srv_stream *q_prev, *q_next; /* the worker's queue */
    srv_head head;
    uint64_t t0_ns;      /* first header field */
    uint64_t body_by_ns;  /* the request's body must be complete by then (0: no body pending) */
    uint64_t send_by_ns;  /* the response must make progress by then (0: nothing to send) */
    int req_done;        /* END_STREAM from the peer */
    int queued;          /* in the worker's queue */
    int parked;          /* complete, waiting for its connection's answers to drain */
    int discard;         /* answered early: DATA that still comes is dropped */
    int reset_sent;      /* RST_STREAM(NO_ERROR) sent after an early answer */
    size_t discarded;    /* octets dropped since */
    int responded;
    int http, status;    /* what was answered (status: the library's, for the log) */
    const char *what;    /* an early answer's reason, for the log */
    const char *cut;     /* reset by the server (a deadline missed), for the log */
    size_t candidates, rand_d;
    char *body;          /* the request body, grown as its octets arrive (up to content-length) */
    size_t body_len, body_cap;
    char *resp;          /* the response body (wiped when it held a secret) */
    size_t resp_len, resp_off;
    int resp_secret;
    int resp_static;     /* resp is a constant (out of memory): never written or freed */
    size_t charged_req;  /* request octets held (body_cap), counted against the budgets */
    size_t charged_resp; /* response octets held (until all are handed to nghttp2), counted too */
} srv_stream;

typedef struct srv_conn {
    struct srv_worker *w;
    uint64_t id;
    struct bufferevent *bev;
    nghttp2_session *session;
    struct srv_conn *prev, *next; /* the worker's connections */
    struct srv_conn *dirty_next;  /* has output after a work turn */
    int dirty;
    srv_stream *streams;
    size_t n_streams;
    srv_stream *park_head, *park_tail; /* complete requests waiting for resp_held to fall under the share */
    size_t req_held;              /* request body octets of its streams (at most conn_share) */
    size_t resp_held;             /* response octets not yet handed to nghttp2 (no answer is made
                                     past conn_share: its requests are parked) */
    struct event *timer;          /* idle, body and send deadlines */
    uint64_t timer_at;            /* when it is armed for (0: not armed) */
    uint64_t active_ns;           /* last frame from the peer that counts as activity (not PING) */
    int freeing;
    int read_paused;              /* output over SRV_OUT_HIGH: the peer is not reading */
    int notice_sent, goaway_sent; /* drain */
    int closing;                  /* free once the output is written */
    int tls_checked;
} srv_conn;

typedef struct srv_worker {
    struct aiotsec_h2s *s;
    unsigned index;
    pthread_t thread;
    int started;
    struct event_base *base;
    struct event *wake_ev, *work_ev, *grace_ev;
    /* from the main thread, under s->lock */
    int fds[SRV_FD_QUEUE];
    size_t n_fds;
    int stop_asked, force_asked;
    /* the worker's own */
    int stopping, force;
    int grace_over;     /* SRV_DRAIN_GRACE_MS have passed since stopping began */
    srv_gen *gen;
    srv_answerer *ans;
    srv_stream *q_head, *q_tail;
    size_t q_len;
    size_t held;        /* request and response octets of its streams (every connection's held) */
    srv_conn *conns;
    size_t n_conns;
    srv_conn *dirty;
    uint64_t next_conn_id;
    aiotsec_h2s_stats stats;
} srv_worker;

struct aiotsec_h2s {
    aiotsec_h2s_config cfg; /* the strings point into the copies below */
    char *listen_copy, *cert_copy, *key_copy;
    char address[96];
    int lfd;
    SSL_CTX *tls;
    struct event_base *base;
    struct evconnlistener *listener;
    struct event *accept_retry_ev;      /* re-enables the listener after EMFILE/ENFILE */
    uint64_t accept_log_ns;             /* last accept error logged (at most one line a second) */
    uint64_t accept_errors;             /* accept errors not logged since */
    size_t conn_share;                  /* octets one connection may hold: max(memory_limit / 8, max_body) */
    struct event *sig_hup, *sig_term, *sig_int, *ctl_ev, *loaded_ev, *done_ev, *drain_ev;
    srv_worker *workers;
    unsigned n_workers, next_worker;
    pthread_mutex_t lock;
    pthread_cond_t loader_cond;
    srv_gen *current;       /* under lock */
    uint64_t gen_counter;
    atomic_uint_fast64_t gen_published; /* number of the current generation, 0 before the first */
    atomic_int state;                   /* SRV_STARTING, SRV_RUNNING, SRV_STOPPING */
    atomic_uint conns_open;
    int ctl_reload, ctl_stop;           /* under lock: asked from another thread */
    pthread_t loader;
    int loader_running, loader_finished, reload_again; /* under lock */
    int load_rc;
    srv_gen *loaded;
    unsigned workers_done;  /* under lock */
    int ran, first_load_failed, loader_stuck;
    uint64_t accepted, refused, reloads; /* main thread */
};

/* srv_log.c */
uint64_t srv_now_ns(void);
void srv_log(const struct aiotsec_h2s *s, int level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void srv_log_request(const srv_worker *w, const srv_stream *st);

/* srv_tls.c */
int srv_tls_new(SSL_CTX **out, const char *cert, const char *key, char *why, size_t cap);
int srv_tls_is_h2(SSL *ssl);

/* srv_listen.c */
int srv_listen_open(struct aiotsec_h2s *s, char *why, size_t cap);
int srv_listen_start(struct aiotsec_h2s *s);
void srv_listen_stop(struct aiotsec_h2s *s);

/* srv_gen.c */
void srv_gen_start_load(struct aiotsec_h2s *s);      /* main thread */
void srv_gen_loaded(struct aiotsec_h2s *s);          /* main thread, when the loader is done */
void srv_gen_adopt(srv_worker *w);                   /* a worker: move to the current generation */
void srv_gen_release(struct aiotsec_h2s *s, srv_gen *g);
int srv_gen_wait_loader(struct aiotsec_h2s *s, uint32_t ms); /* 0 joined, -1 still running */

/* srv_worker.c */
int srv_worker_init(srv_worker *w, struct aiotsec_h2s *s, unsigned index);
int srv_worker_start(srv_worker *w);
void srv_worker_free(srv_worker *w);
void srv_worker_give_fd(srv_worker *w, int fd);   /* main thread */
void srv_worker_ask_stop(srv_worker *w, int force); /* main thread */
void srv_worker_wake(srv_worker *w);
/* A request is complete: queue it (or answer 429). */
void srv_worker_enqueue(srv_worker *w, srv_stream *st);
void srv_worker_unqueue(srv_worker *w, srv_stream *st);
void srv_worker_mark_dirty(srv_worker *w, srv_conn *c);
/* Budgets. A request body's octets as they arrive: 0 when they fit both the worker's
 * budget and the connection's share (and are now counted), -1 otherwise with *why. */
int srv_worker_charge_body(srv_worker *w, srv_stream *st, size_t octets, const char **why);
/* A response's copy: counted (its size was checked before it was made). */
void srv_worker_charge_resp(srv_worker *w, srv_stream *st, size_t octets);
void srv_worker_uncharge_body(srv_worker *w, srv_stream *st);
/* Gives the response's octets back; its connection's parked requests go back to the
 * queue once the connection is under its share again. */
void srv_worker_uncharge_resp(srv_worker *w, srv_stream *st);
void srv_worker_uncharge(srv_worker *w, srv_stream *st); /* both */
/* A connection closed, or a stream ended: drain bookkeeping. */
void srv_worker_conn_gone(srv_worker *w);

/* srv_conn.c */
int srv_conn_open(srv_worker *w, int fd);
void srv_conn_flush(srv_conn *c);
void srv_conn_free(srv_conn *c);
void srv_conn_drain(srv_conn *c);   /* stopping: GOAWAY notice, close when idle */
void srv_conn_check_idle(srv_conn *c);
/* The connection's timer fires at `when_ns` at the latest (a deadline was set). */
void srv_conn_arm(srv_conn *c, uint64_t when_ns);
/* Resets a stream the server gives up on (a deadline missed): its body and response
 * copies are freed (wiped) and their octets given back at once. */
void srv_conn_cut_stream(srv_conn *c, srv_stream *st, const char *why);

/* srv_session.c */
int srv_session_new(srv_conn *c);
/* Answers a stream: status, body (copied), the extra headers of an early answer. */
void srv_session_respond(srv_conn *c, srv_stream *st, int http, const char *body, size_t len, int secret,
                         const srv_early *early);
/* Answers a stream with a ProblemDetails the server decides (429, or an early answer). */
void srv_session_problem(srv_conn *c, srv_stream *st, const srv_early *early);
void srv_stream_free(srv_conn *c, srv_stream *st);

#endif
