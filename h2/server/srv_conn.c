/* One connection: octets between a bufferevent (a socket, or OpenSSL over one)
 * and the connection's nghttp2 session.
 *
 * Back-pressure: nghttp2 is asked for output only while less than SRV_OUT_HIGH
 * octets wait to be written; past that, reading stops too, so a peer that sends
 * requests but never reads its answers makes the server hold at most that much
 * for it (plus the answers counted against its share of the budget), and the
 * write timeout (libevent's: no octet written for that long) cuts it off.
 *
 * Deadlines, on one timer per connection (armed for the earliest, re-armed when
 * it fires, so that activity costs a clock read and no timer operation):
 * - idle: no frame that counts as activity (srv_session.c: not PING) for the idle
 *   timeout, while reading is not paused by our own output: the connection is cut
 *   (this also cuts a peer that stops in the middle of a frame);
 * - body: a request's body not complete within the idle timeout from its HEADERS:
 *   the stream is reset and its octets given back;
 * - send: an answer that made no progress (nothing handed to nghttp2: stalled in
 *   the socket or by the peer's flow control) for the write timeout: the stream is
 *   reset and its copy freed, even while the peer reads its socket and sends PINGs.
 * Either way the worker's other connections are served meanwhile (nothing here
 * blocks). */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>

#include "srv_internal.h"

#define PEEK_IOV 16
#define SLACK_NS 1000000u /* a deadline this close is due: the timer is not re-armed for less */

static uint64_t ms_ns(uint32_t ms)
{
    return (uint64_t)ms * 1000000u;
}

static void close_now(srv_conn *c, const char *why)
{
    srv_log(c->w->s, AIOTSEC_H2S_LOG_DEBUG, "connection %llu closed: %s", (unsigned long long)c->id, why);
    srv_conn_free(c);
}

/* Is the connection done: nothing to read or write for nghttp2, and the output out? */
static int finished(srv_conn *c)
{
    struct evbuffer *out = bufferevent_get_output(c->bev);
    return evbuffer_get_length(out) == 0 &&
           ((!nghttp2_session_want_read(c->session) && !nghttp2_session_want_write(c->session)) || c->closing);
}

void srv_conn_flush(srv_conn *c)
{
    struct evbuffer *out = bufferevent_get_output(c->bev);
    while (evbuffer_get_length(out) < SRV_OUT_HIGH) {
        const uint8_t *data = NULL;
        ssize_t n = nghttp2_session_mem_send(c->session, &data);
        if (n < 0) {
            close_now(c, nghttp2_strerror((int)n));
            return;
        }
        if (n == 0)
            break;
        if (evbuffer_add(out, data, (size_t)n) != 0) {
            close_now(c, "out of memory");
            return;
        }
    }
    int over = evbuffer_get_length(out) >= SRV_OUT_HIGH;
    if (over && !c->read_paused) {
        c->read_paused = 1;
        bufferevent_disable(c->bev, EV_READ);
    }
    if (finished(c))
        close_now(c, c->closing ? "drained" : "session over");
}

static void on_read(struct bufferevent *bev, void *arg)
{
    srv_conn *c = arg;
    struct evbuffer *in = bufferevent_get_input(bev);
    while (evbuffer_get_length(in) > 0) {
        struct evbuffer_iovec v[PEEK_IOV];
        size_t total = 0;
        int n = evbuffer_peek(in, -1, NULL, v, PEEK_IOV);
        for (int i = 0; i < n && i < PEEK_IOV; i++) {
            ssize_t got = nghttp2_session_mem_recv(c->session, v[i].iov_base, v[i].iov_len);
            if (got < 0) {
                close_now(c, nghttp2_strerror((int)got));
                return;
            }
            total += (size_t)got;
        }
        evbuffer_drain(in, total);
    }
    srv_conn_flush(c);
}

static void on_write(struct bufferevent *bev, void *arg)
{
    srv_conn *c = arg;
    (void)bev;
    if (c->read_paused && !c->closing) {
        c->read_paused = 0;
        c->active_ns = srv_now_ns(); /* not idle while we did not read: the idle time starts now */
        bufferevent_enable(c->bev, EV_READ);
    }
    srv_conn_check_idle(c);
    srv_conn_flush(c);
}

static void on_event(struct bufferevent *bev, short what, void *arg)
{
    srv_conn *c = arg;
    if (what & BEV_EVENT_CONNECTED) { /* TLS handshake done */
        SSL *ssl = bufferevent_openssl_get_ssl(bev);
        if (ssl && !srv_tls_is_h2(ssl)) {
            close_now(c, "TLS without ALPN h2");
            return;
        }
        c->tls_checked = 1;
        return;
    }
    if (what & BEV_EVENT_TIMEOUT) { /* only the write timeout is set: idle is on_timer's */
        srv_log(c->w->s, AIOTSEC_H2S_LOG_WARN, "connection %llu cut: %s timeout", (unsigned long long)c->id,
                what & BEV_EVENT_READING ? "idle (read)" : "write");
        srv_conn_free(c);
        return;
    }
    close_now(c, what & BEV_EVENT_EOF ? "closed by peer" : "socket error");
}

void srv_conn_arm(srv_conn *c, uint64_t when_ns)
{
    if (c->timer_at && c->timer_at <= when_ns)
        return; /* it fires earlier and re-arms for what is left then */
    uint64_t now = srv_now_ns(), d = when_ns > now ? when_ns - now : 0;
    struct timeval tv = {(time_t)(d / 1000000000u), (suseconds_t)(d % 1000000000u / 1000u)};
    if (evtimer_add(c->timer, &tv) == 0)
        c->timer_at = when_ns;
}

static void on_timer(evutil_socket_t fd_unused, short what, void *arg)
{
    srv_conn *c = arg;
    struct aiotsec_h2s *s = c->w->s;
    (void)fd_unused;
    (void)what;
    c->timer_at = 0;
    uint64_t now = srv_now_ns(), due = now + SLACK_NS;
    if (c->read_paused)
        c->active_ns = now; /* we stopped reading it: the write timeout judges it */
    uint64_t next = c->active_ns + ms_ns(s->cfg.idle_timeout_ms);
    if (next <= due) {
        srv_log(s, AIOTSEC_H2S_LOG_WARN, "connection %llu cut: idle (read) timeout", (unsigned long long)c->id);
        srv_conn_free(c);
        return;
    }
    int cut = 0;
    for (srv_stream *st = c->streams, *after; st; st = after) {
        after = st->next; /* a cut stream stays listed until its reset is sent */
        if (st->body_by_ns && st->body_by_ns <= due) {
            srv_conn_cut_stream(c, st, "request body deadline");
            cut = 1;
        } else if (st->send_by_ns && st->send_by_ns <= due) {
            srv_conn_cut_stream(c, st, "answer not read");
            cut = 1;
        }
        if (st->body_by_ns && st->body_by_ns < next)
            next = st->body_by_ns;
        if (st->send_by_ns && st->send_by_ns < next)
            next = st->send_by_ns;
    }
    srv_conn_arm(c, next);
    if (cut)
        srv_conn_flush(c); /* the resets; may free c */
}

int srv_conn_open(srv_worker *w, int fd)
{
    struct aiotsec_h2s *s = w->s;
    srv_conn *c = calloc(1, sizeof *c);
    if (!c)
        return AIOTSEC_E_NO_MEMORY;
    c->w = w;
    c->id = ++w->next_conn_id * 1000u + w->index; /* unique over the workers, for the log */
    evutil_make_socket_nonblocking(fd);
    if (s->tls) {
        SSL *ssl = SSL_new(s->tls);
        c->bev = ssl ? bufferevent_openssl_socket_new(w->base, fd, ssl, BUFFEREVENT_SSL_ACCEPTING,
                                                      BEV_OPT_CLOSE_ON_FREE)
                     : NULL;
        if (!c->bev && ssl)
            SSL_free(ssl);
    } else {
        c->bev = bufferevent_socket_new(w->base, fd, BEV_OPT_CLOSE_ON_FREE);
    }
    c->timer = evtimer_new(w->base, on_timer, c);
    if (!c->bev || !c->timer || srv_session_new(c) != AIOTSEC_OK) {
        if (c->bev)
            bufferevent_free(c->bev); /* closes fd */
        else
            close(fd);
        if (c->timer)
            event_free(c->timer);
        if (c->session)
            nghttp2_session_del(c->session);
        free(c);
        atomic_fetch_sub(&s->conns_open, 1u);
        return AIOTSEC_OK; /* dealt with: nothing for the caller to close */
    }
    /* the write timeout is libevent's; the idle timeout is the timer's (PINGs do not count) */
    struct timeval wt = {s->cfg.write_timeout_ms / 1000u, (suseconds_t)(s->cfg.write_timeout_ms % 1000u) * 1000};
    bufferevent_set_timeouts(c->bev, NULL, &wt);
    c->active_ns = srv_now_ns();
    srv_conn_arm(c, c->active_ns + ms_ns(s->cfg.idle_timeout_ms));
    bufferevent_setcb(c->bev, on_read, on_write, on_event, c);
    bufferevent_enable(c->bev, EV_READ | EV_WRITE);
    c->next = w->conns;
    if (w->conns)
        w->conns->prev = c;
    w->conns = c;
    w->n_conns++;
    w->stats.connections++;
    srv_log(s, AIOTSEC_H2S_LOG_DEBUG, "connection %llu opened (worker %u)", (unsigned long long)c->id, w->index);
    if (w->stopping)
        srv_conn_drain(c);
    srv_conn_flush(c); /* our SETTINGS */
    return AIOTSEC_OK;
}

void srv_conn_free(srv_conn *c)
{
    srv_worker *w = c->w;
    c->freeing = 1; /* its parked requests go with it, not back to the queue */
    while (c->streams) { /* the connection ends under them: still one log line each */
        srv_log_request(w, c->streams);
        srv_stream_free(c, c->streams);
    }
    /* nghttp2_session_del does not call on_stream_close: the streams went above */
    nghttp2_session_del(c->session);
    c->session = NULL;
    if (c->timer)
        event_free(c->timer);
    if (c->bev)
        bufferevent_free(c->bev);
    if (c->dirty) { /* take it off the worker's list of connections with output */
        for (srv_conn **p = &w->dirty; *p; p = &(*p)->dirty_next)
            if (*p == c) {
                *p = c->dirty_next;
                break;
            }
    }
    if (c->prev)
        c->prev->next = c->next;
    else
        w->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    w->n_conns--;
    atomic_fetch_sub(&w->s->conns_open, 1u);
    free(c);
    srv_worker_conn_gone(w);
}

void srv_conn_drain(srv_conn *c)
{
    if (!c->notice_sent) {
        c->notice_sent = 1;
        (void)nghttp2_submit_shutdown_notice(c->session); /* "open no more streams" */
    }
    srv_conn_check_idle(c);
    srv_worker_mark_dirty(c->w, c);
}

/* Octets the peer sent that nobody has read yet (in the socket, or in the input buffer). */
static int unread_input(srv_conn *c)
{
    int n = 0;
    evutil_socket_t fd = bufferevent_getfd(c->bev);
    if (evbuffer_get_length(bufferevent_get_input(c->bev)) > 0)
        return 1;
    return fd >= 0 && ioctl(fd, FIONREAD, &n) == 0 && n > 0;
}

/* Draining: the final GOAWAY (naming the last stream processed) goes once the
 * grace period is over, no stream is open and nothing the peer sent is waiting
 * unread (reading pauses while answers wait to be written: what is behind it was
 * sent before the GOAWAY and gets an answer, 503 if it is a new request). */
void srv_conn_check_idle(srv_conn *c)
{
    if (!c->w->stopping || !c->w->grace_over || c->goaway_sent || c->n_streams || c->read_paused ||
        unread_input(c))
        return;
    c->goaway_sent = 1;
    c->closing = 1;
    (void)nghttp2_submit_goaway(c->session, NGHTTP2_FLAG_NONE, nghttp2_session_get_last_proc_stream_id(c->session),
                                NGHTTP2_NO_ERROR, NULL, 0);
    srv_worker_mark_dirty(c->w, c);
}
