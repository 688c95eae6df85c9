/* A worker thread: its own event loop, connections, answerer and queue.
 *
 * A complete request is not answered inside the nghttp2 callback that completed
 * it but queued, and the queue is worked through SRV_WORK_BATCH requests per turn
 * of the loop: connections take turns (one peer cannot keep the worker to
 * itself), and the queue is the server's bounded backlog: over `queue` waiting
 * requests a new request is answered 429 at once.
 *
 * Memory: request bodies (as their octets arrive) and response copies (until
 * nghttp2 has taken all of them) are counted against the worker's `memory_limit`,
 * and each connection's against its share of it (conn_share). A body that does
 * not fit is answered 429 there and then; an answer that does not fit the
 * worker's budget is 429 (413 when it could never fit: the AIOTF splits the
 * request). A connection whose answers wait unread beyond its share gets no more
 * answers made: its complete requests are parked until its output drains or the
 * send deadline resets what it does not read (srv_conn.c). So a connection holds
 * at most its share of bodies and its share of answers (plus the one that crossed
 * it), a worker at most its budget. Nothing else grows with the load. */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "srv_internal.h"

static void flush_dirty(srv_worker *w);

/* The main thread's requests: new connections, a new generation, stop. */
static void on_wake(evutil_socket_t fd_unused, short what, void *arg)
{
    srv_worker *w = arg;
    (void)fd_unused;
    (void)what;
    int fds[SRV_FD_QUEUE];
    pthread_mutex_lock(&w->s->lock);
    size_t n = w->n_fds;
    memcpy(fds, w->fds, n * sizeof fds[0]);
    w->n_fds = 0;
    int stop = w->stop_asked, force = w->force_asked;
    pthread_mutex_unlock(&w->s->lock);
    srv_gen_adopt(w);
    for (size_t i = 0; i < n; i++)
        if (srv_conn_open(w, fds[i]) != AIOTSEC_OK) {
            close(fds[i]);
            atomic_fetch_sub(&w->s->conns_open, 1u);
        }
    if (stop && !w->stopping) {
        w->stopping = 1;
        struct timeval grace = {0, (suseconds_t)SRV_DRAIN_GRACE_MS * 1000};
        evtimer_add(w->grace_ev, &grace);
        for (srv_conn *c = w->conns, *next; c; c = next) {
            next = c->next;
            srv_conn_drain(c);
        }
    }
    if (force && !w->force) {
        w->force = 1;
        while (w->conns)
            srv_conn_free(w->conns);
    }
    flush_dirty(w);
    srv_worker_conn_gone(w);
}

/* The drain's grace period is over: connections without streams can be closed. */
static void on_grace(evutil_socket_t fd_unused, short what, void *arg)
{
    srv_worker *w = arg;
    (void)fd_unused;
    (void)what;
    w->grace_over = 1;
    for (srv_conn *c = w->conns; c; c = c->next)
        srv_conn_check_idle(c);
    flush_dirty(w);
    srv_worker_conn_gone(w);
}

void srv_worker_mark_dirty(srv_worker *w, srv_conn *c)
{
    if (c->dirty)
        return;
    c->dirty = 1;
    c->dirty_next = w->dirty;
    w->dirty = c;
}

static void flush_dirty(srv_worker *w)
{
    while (w->dirty) {
        srv_conn *c = w->dirty;
        w->dirty = c->dirty_next;
        c->dirty = 0;
        c->dirty_next = NULL;
        srv_conn_flush(c); /* may free c */
    }
}

static void answer_one(srv_worker *w, srv_stream *st)
{
    srv_reply r;
    size_t limit = w->s->cfg.memory_limit;
    srv_answer(w->ans, st->head.op, st->body, st->body_len, &r);
    st->status = r.status;
    st->candidates = r.candidates;
    st->rand_d = r.rand_d;
    /* the request body is not needed any more: give its octets back first */
    free(st->body);
    st->body = NULL;
    st->body_len = st->body_cap = 0;
    srv_worker_uncharge_body(w, st);
    /* The stream's copy of the answer must fit the budget. getTid changes the
     * store (the next T-ID): its small answer is always sent, never redone. */
    if (st->head.op != AIOTSEC_ADM_GET_TID && (r.len > limit || w->held >= limit || r.len > limit - w->held)) {
        srv_answer_clear(w->ans);
        srv_early e = {.http = 429, .retry_after = 1, .what = "memory budget full"};
        if (r.len > limit) /* could never be held: the AIOTF asks again in smaller parts on a 413 */
            e = (srv_early){.http = 413, .what = SRV_WHY_ANSWER_TOO_LARGE};
        srv_session_problem(st->conn, st, &e);
        return;
    }
    srv_session_respond(st->conn, st, r.http, r.body, r.len, r.secret, NULL);
    srv_answer_clear(w->ans); /* the stream has its own copy (wiped when freed) */
    srv_worker_mark_dirty(w, st->conn);
}

/* A complete request of a connection whose unread answers fill its share waits on
 * the connection, outside the worker's queue, for the share to drain. */
static void park(srv_stream *st)
{
    srv_conn *c = st->conn;
    st->parked = 1;
    st->q_prev = c->park_tail;
    st->q_next = NULL;
    if (c->park_tail)
        c->park_tail->q_next = st;
    else
        c->park_head = st;
    c->park_tail = st;
}

static void queue_tail(srv_worker *w, srv_stream *st)
{
    st->queued = 1;
    st->q_prev = w->q_tail;
    st->q_next = NULL;
    if (w->q_tail)
        w->q_tail->q_next = st;
    else
        w->q_head = st;
    w->q_tail = st;
    if (w->q_len++ == 0)
        event_active(w->work_ev, EV_READ, 0);
}

/* Parked requests go back to the queue (already admitted: the queue's bound does
 * not apply; they are at most max_streams per connection). */
static void unpark_all(srv_worker *w, srv_conn *c)
{
    while (c->park_head) {
        srv_stream *st = c->park_head;
        c->park_head = st->q_next;
        st->parked = 0;
        queue_tail(w, st);
    }
    c->park_tail = NULL;
}

static void on_work(evutil_socket_t fd_unused, short what, void *arg)
{
    srv_worker *w = arg;
    (void)fd_unused;
    (void)what;
    srv_gen_adopt(w); /* between two requests: the only place a worker changes key store */
    for (unsigned k = 0; k < SRV_WORK_BATCH && w->q_head;) {
        srv_stream *st = w->q_head;
        srv_worker_unqueue(w, st);
        if (st->conn->resp_held >= w->s->conn_share) {
            park(st);
            continue;
        }
        answer_one(w, st);
        k++;
    }
    flush_dirty(w);
    if (w->q_head)
        event_active(w->work_ev, EV_READ, 0); /* the rest after the other events of this turn */
    else if (w->gen && w->s->cfg.idle)
        w->s->cfg.idle(w->s->cfg.store_arg, w->gen->owner);
    srv_worker_conn_gone(w);
}

void srv_worker_enqueue(srv_worker *w, srv_stream *st)
{
    if (w->q_len >= w->s->cfg.queue) {
        srv_early e = {.http = 429, .retry_after = 1, .what = "queue full"};
        srv_session_problem(st->conn, st, &e);
        return;
    }
    queue_tail(w, st);
}

void srv_worker_unqueue(srv_worker *w, srv_stream *st)
{
    if (st->parked) {
        srv_conn *c = st->conn;
        if (st->q_prev)
            st->q_prev->q_next = st->q_next;
        else
            c->park_head = st->q_next;
        if (st->q_next)
            st->q_next->q_prev = st->q_prev;
        else
            c->park_tail = st->q_prev;
        st->q_prev = st->q_next = NULL;
        st->parked = 0;
        return;
    }
    if (!st->queued)
        return;
    if (st->q_prev)
        st->q_prev->q_next = st->q_next;
    else
        w->q_head = st->q_next;
    if (st->q_next)
        st->q_next->q_prev = st->q_prev;
    else
        w->q_tail = st->q_prev;
    st->q_prev = st->q_next = NULL;
    st->queued = 0;
    w->q_len--;
}

int srv_worker_charge_body(srv_worker *w, srv_stream *st, size_t octets, const char **why)
{
    size_t limit = w->s->cfg.memory_limit, share = w->s->conn_share;
    srv_conn *c = st->conn;
    if (w->held >= limit || octets > limit - w->held) {
        *why = "memory budget full";
        return -1;
    }
    if (c->req_held >= share || octets > share - c->req_held) {
        *why = "connection over its memory share";
        return -1;
    }
    w->held += octets;
    c->req_held += octets;
    st->charged_req += octets;
    return 0;
}

void srv_worker_charge_resp(srv_worker *w, srv_stream *st, size_t octets)
{
    w->held += octets;
    st->conn->resp_held += octets;
    st->charged_resp += octets;
}

void srv_worker_uncharge_body(srv_worker *w, srv_stream *st)
{
    w->held -= st->charged_req;
    st->conn->req_held -= st->charged_req;
    st->charged_req = 0;
}

void srv_worker_uncharge_resp(srv_worker *w, srv_stream *st)
{
    srv_conn *c = st->conn;
    if (!st->charged_resp)
        return;
    w->held -= st->charged_resp;
    c->resp_held -= st->charged_resp;
    st->charged_resp = 0;
    if (c->park_head && !c->freeing && c->resp_held < w->s->conn_share)
        unpark_all(w, c);
}

void srv_worker_uncharge(srv_worker *w, srv_stream *st)
{
    srv_worker_uncharge_body(w, st);
    srv_worker_uncharge_resp(w, st);
}

void srv_worker_conn_gone(srv_worker *w)
{
    if (w->stopping && !w->conns) {
        pthread_mutex_lock(&w->s->lock);
        int more = w->n_fds > 0;
        pthread_mutex_unlock(&w->s->lock);
        if (!more)
            event_base_loopexit(w->base, NULL);
    }
}

static void *worker_main(void *arg)
{
    srv_worker *w = arg;
    srv_gen_adopt(w);
    event_base_dispatch(w->base);
    /* drained (or cut): nothing of this worker is left in flight */
    while (w->conns)
        srv_conn_free(w->conns);
    srv_answerer_free(w->ans);
    w->ans = NULL;
    srv_gen_release(w->s, w->gen);
    w->gen = NULL;
    pthread_mutex_lock(&w->s->lock);
    w->s->workers_done++;
    for (size_t i = 0; i < w->n_fds; i++) {
        close(w->fds[i]);
        atomic_fetch_sub(&w->s->conns_open, 1u);
    }
    w->n_fds = 0;
    pthread_mutex_unlock(&w->s->lock);
    event_active(w->s->done_ev, EV_READ, 0);
    return NULL;
}

int srv_worker_init(srv_worker *w, struct aiotsec_h2s *s, unsigned index)
{
    memset(w, 0, sizeof *w);
    w->s = s;
    w->index = index;
    w->base = event_base_new();
    if (!w->base)
        return AIOTSEC_E_NO_MEMORY;
    w->wake_ev = event_new(w->base, -1, EV_PERSIST, on_wake, w);
    w->work_ev = event_new(w->base, -1, 0, on_work, w);
    w->grace_ev = evtimer_new(w->base, on_grace, w);
    if (!w->wake_ev || !w->work_ev || !w->grace_ev)
        return AIOTSEC_E_NO_MEMORY;
    /* keeps the loop running while the worker has nothing to do */
    struct timeval forever = {86400 * 365, 0};
    event_add(w->wake_ev, &forever);
    return AIOTSEC_OK;
}

int srv_worker_start(srv_worker *w)
{
    /* Signals go to the main thread's handlers: the workers block them all. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    int rc = pthread_create(&w->thread, NULL, worker_main, w);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0)
        return AIOTSEC_E_NO_MEMORY;
    w->started = 1;
    return AIOTSEC_OK;
}

void srv_worker_free(srv_worker *w)
{
    if (w->started)
        pthread_join(w->thread, NULL);
    w->started = 0;
    if (w->wake_ev)
        event_free(w->wake_ev);
    if (w->work_ev)
        event_free(w->work_ev);
    if (w->grace_ev)
        event_free(w->grace_ev);
    if (w->base)
        event_base_free(w->base);
    w->wake_ev = w->work_ev = w->grace_ev = NULL;
    w->base = NULL;
}

void srv_worker_wake(srv_worker *w)
{
    event_active(w->wake_ev, EV_READ, 0);
}

void srv_worker_give_fd(srv_worker *w, int fd)
{
    pthread_mutex_lock(&w->s->lock);
    int full = w->n_fds == SRV_FD_QUEUE;
    if (!full)
        w->fds[w->n_fds++] = fd;
    pthread_mutex_unlock(&w->s->lock);
    if (full) {
        close(fd);
        atomic_fetch_sub(&w->s->conns_open, 1u);
        w->s->refused++;
        return;
    }
    srv_worker_wake(w);
}

void srv_worker_ask_stop(srv_worker *w, int force)
{
    pthread_mutex_lock(&w->s->lock);
    w->stop_asked = 1;
    if (force)
        w->force_asked = 1;
    pthread_mutex_unlock(&w->s->lock);
    srv_worker_wake(w);
}
