/* The nghttp2 side of a connection: a stream per request, its header fields and
 * body collected, an early answer when the headers already decide (srv_route),
 * the request queued on the worker once complete, the response submitted.
 *
 * A stream answered before its request is complete (a 413 on content-length,
 * a 404...) drops the DATA that still comes. RFC 9113 8.1 lets the server reset
 * it with NO_ERROR once the response is out, and clients must keep the response;
 * libcurl 7.88 does not (it reports a stream error and drops the answer), so the
 * reset is kept for a peer that still has more than DISCARD_MAX octets to send:
 * up to that, reading and dropping costs less than a client that never learns
 * why it was refused.
 *
 * A body is held as it arrives, its buffer grown (up to its content-length) and
 * counted against the worker's budget and the connection's share one growth at a
 * time: a content-length alone reserves nothing. The body must be complete within
 * the idle timeout from the request's HEADERS (srv_conn.c resets it otherwise).
 * A response's copy is counted until nghttp2 has taken all of it, and must make
 * progress every write timeout (likewise). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aiotsec/sbi.h"
#include "srv_internal.h"

#define HEADER_LIST_MAX 16384u
#define STREAM_WINDOW (1u << 20)
#define CONN_WINDOW (16u << 20)
#define DISCARD_MAX (16u << 20) /* request octets read and dropped after an early answer */
#define BODY_FIRST 16384u       /* first size of a body's buffer (then doubled, up to content-length) */

static uint64_t ms_ns(uint32_t ms)
{
    return (uint64_t)ms * 1000000u;
}

static srv_stream *stream_of(nghttp2_session *session, int32_t id)
{
    return nghttp2_session_get_stream_user_data(session, id);
}

static int on_begin_headers(nghttp2_session *session, const nghttp2_frame *frame, void *user_data)
{
    srv_conn *c = user_data;
    if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST)
        return 0;
    srv_stream *st = calloc(1, sizeof *st);
    if (!st)
        return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE; /* the stream is reset */
    st->id = frame->hd.stream_id;
    st->conn = c;
    st->t0_ns = srv_now_ns();
    srv_head_init(&st->head);
    st->next = c->streams;
    if (c->streams)
        c->streams->prev = st;
    c->streams = st;
    c->n_streams++;
    nghttp2_session_set_stream_user_data(session, st->id, st);
    return 0;
}

static int on_header(nghttp2_session *session, const nghttp2_frame *frame, const uint8_t *name, size_t namelen,
                     const uint8_t *value, size_t valuelen, uint8_t flags, void *user_data)
{
    (void)flags;
    (void)user_data;
    srv_stream *st = stream_of(session, frame->hd.stream_id);
    if (st && frame->hd.type == NGHTTP2_HEADERS && frame->headers.cat == NGHTTP2_HCAT_REQUEST)
        srv_head_field(&st->head, name, namelen, value, valuelen);
    return 0;
}

/* The request is complete: queue it, unless it was answered already. */
static void request_done(srv_conn *c, srv_stream *st)
{
    st->req_done = 1;
    st->body_by_ns = 0;
    if (!st->discard && !st->responded)
        srv_worker_enqueue(c->w, st);
}

static void headers_done(srv_conn *c, srv_stream *st, int has_body)
{
    srv_worker *w = c->w;
    struct aiotsec_h2s *s = w->s;
    if (!w->gen)
        srv_gen_adopt(w); /* the first generation may have been published this very turn */
    int state = atomic_load(&s->state) == SRV_STOPPING || w->stopping ? SRV_STOPPING
                : w->gen                                               ? SRV_RUNNING
                                                                       : SRV_STARTING;
    srv_early e;
    srv_route(&st->head, has_body, state, s->cfg.max_body, &e);
    if (e.http) {
        srv_session_problem(c, st, &e);
        return;
    }
    if (has_body) { /* nothing is held yet: the octets are counted as they come, until the deadline */
        st->body_by_ns = st->t0_ns + ms_ns(s->cfg.idle_timeout_ms);
        srv_conn_arm(c, st->body_by_ns);
    }
}

/* Room for `len` more body octets: the buffer grows (doubling, at most to the
 * content-length), each growth counted first. 0, or the stream is answered. */
static int body_room(srv_conn *c, srv_stream *st, size_t len)
{
    size_t need = st->body_len + len;
    if (need <= st->body_cap)
        return 0;
    size_t cl = (size_t)st->head.cl; /* at most max_body (srv_route) */
    size_t cap = st->body_cap ? st->body_cap * 2 : BODY_FIRST;
    cap = cap < need ? need : cap;
    cap = cap > cl ? cl : cap;
    const char *why = NULL;
    if (srv_worker_charge_body(c->w, st, cap - st->body_cap, &why) != 0) {
        srv_early e = {.http = 429, .retry_after = 1, .what = why};
        srv_session_problem(c, st, &e);
        return -1;
    }
    char *more = realloc(st->body, cap); /* a request body holds no secret */
    if (!more) {
        srv_early e = {.http = 500, .what = SRV_WHY_NO_MEMORY};
        srv_session_problem(c, st, &e);
        return -1;
    }
    st->body = more;
    st->body_cap = cap;
    return 0;
}

static int on_frame_recv(nghttp2_session *session, const nghttp2_frame *frame, void *user_data)
{
    srv_conn *c = user_data;
    int end = (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0;
    /* Activity, for the idle timeout: requests and their bodies, a stream's reset, and
     * flow-control grants while answers wait to be sent. Not PING (nor SETTINGS,
     * PRIORITY...): a peer that only sends those is idle. */
    if (frame->hd.type == NGHTTP2_HEADERS || frame->hd.type == NGHTTP2_DATA || frame->hd.type == NGHTTP2_RST_STREAM ||
        (frame->hd.type == NGHTTP2_WINDOW_UPDATE && c->resp_held))
        c->active_ns = srv_now_ns();
    if (frame->hd.type != NGHTTP2_HEADERS && frame->hd.type != NGHTTP2_DATA)
        return 0;
    srv_stream *st = stream_of(session, frame->hd.stream_id);
    if (!st)
        return 0;
    if (frame->hd.type == NGHTTP2_HEADERS && frame->headers.cat == NGHTTP2_HCAT_REQUEST)
        headers_done(c, st, !end);
    if (end)
        request_done(c, st); /* after DATA, after the request's HEADERS, or after trailers */
    return 0;
}

static int on_data_chunk(nghttp2_session *session, uint8_t flags, int32_t stream_id, const uint8_t *data, size_t len,
                         void *user_data)
{
    srv_conn *c = user_data;
    (void)flags;
    srv_stream *st = stream_of(session, stream_id);
    c->active_ns = srv_now_ns(); /* a body in progress, even inside one long DATA frame */
    if (st && (st->discard || st->responded)) { /* answered early: the rest of the body is dropped */
        st->discarded += len;
        if (st->discarded > DISCARD_MAX && !st->reset_sent) {
            st->reset_sent = 1;
            (void)nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, st->id, NGHTTP2_NO_ERROR);
        }
        return 0;
    }
    if (!st)
        return 0;
    if (len > st->head.cl - st->body_len) { /* more than content-length said (nghttp2 checks too) */
        srv_early e = {.http = 413, .what = "body longer than content-length"};
        srv_session_problem(c, st, &e);
        return 0;
    }
    if (len == 0 || body_room(c, st, len) != 0)
        return 0;
    memcpy(st->body + st->body_len, data, len);
    st->body_len += len;
    return 0;
}

static int on_frame_send(nghttp2_session *session, const nghttp2_frame *frame, void *user_data)
{
    (void)user_data;
    if ((frame->hd.type != NGHTTP2_HEADERS && frame->hd.type != NGHTTP2_DATA) ||
        !(frame->hd.flags & NGHTTP2_FLAG_END_STREAM))
        return 0;
    srv_stream *st = stream_of(session, frame->hd.stream_id);
    /* our answer is complete, the request is not: stop a peer that has much more to send */
    if (st && !st->req_done && !st->reset_sent && st->head.cl_seen && st->head.cl > DISCARD_MAX) {
        st->reset_sent = 1;
        (void)nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, st->id, NGHTTP2_NO_ERROR);
    }
    return 0;
}

static int on_stream_close(nghttp2_session *session, int32_t stream_id, uint32_t error_code, void *user_data)
{
    srv_conn *c = user_data;
    (void)error_code;
    srv_stream *st = stream_of(session, stream_id);
    if (!st)
        return 0;
    srv_log_request(c->w, st);
    srv_stream_free(c, st);
    srv_conn_check_idle(c);
    return 0;
}

/* Frees (wiping it if it holds a secret) a stream's response copy and gives its octets back. */
static void drop_resp(srv_conn *c, srv_stream *st)
{
    if (st->resp && !st->resp_static) {
        if (st->resp_secret)
            aiotsec_wipe(st->resp, st->resp_len);
        free(st->resp);
    }
    st->resp = NULL;
    st->resp_static = 0;
    st->send_by_ns = 0;
    srv_worker_uncharge_resp(c->w, st);
}

/* The response body, handed to nghttp2 as its DATA frames are made: each call is
 * progress (the send deadline moves on); once all of it is copied there, the
 * stream's copy is wiped and freed and its octets given back. */
static ssize_t read_body(nghttp2_session *session, int32_t stream_id, uint8_t *buf, size_t length,
                         uint32_t *data_flags, nghttp2_data_source *source, void *user_data)
{
    (void)session;
    (void)stream_id;
    srv_conn *c = user_data;
    srv_stream *st = source->ptr;
    if (!st->resp) /* cut (srv_conn_cut_stream): its RST_STREAM is on the way */
        return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
    size_t n = st->resp_len - st->resp_off;
    if (n > length)
        n = length;
    memcpy(buf, st->resp + st->resp_off, n);
    st->resp_off += n;
    st->send_by_ns = srv_now_ns() + ms_ns(c->w->s->cfg.write_timeout_ms);
    if (st->resp_off == st->resp_len) {
        *data_flags |= NGHTTP2_DATA_FLAG_EOF;
        drop_resp(c, st);
    }
    return (ssize_t)n;
}

int srv_session_new(srv_conn *c)
{
    nghttp2_session_callbacks *cb = NULL;
    if (nghttp2_session_callbacks_new(&cb) != 0)
        return AIOTSEC_E_NO_MEMORY;
    nghttp2_session_callbacks_set_on_begin_headers_callback(cb, on_begin_headers);
    nghttp2_session_callbacks_set_on_header_callback(cb, on_header);
    nghttp2_session_callbacks_set_on_frame_recv_callback(cb, on_frame_recv);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, on_data_chunk);
    nghttp2_session_callbacks_set_on_frame_send_callback(cb, on_frame_send);
    nghttp2_session_callbacks_set_on_stream_close_callback(cb, on_stream_close);
    int rv = nghttp2_session_server_new(&c->session, cb, c);
    nghttp2_session_callbacks_del(cb);
    if (rv != 0)
        return AIOTSEC_E_NO_MEMORY;
    nghttp2_settings_entry iv[] = {
        {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, c->w->s->cfg.max_streams},
        {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, STREAM_WINDOW},
        {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, HEADER_LIST_MAX},
    };
    rv = nghttp2_submit_settings(c->session, NGHTTP2_FLAG_NONE, iv, sizeof iv / sizeof iv[0]);
    if (rv == 0) /* the connection's own window: several large bodies at once */
        rv = nghttp2_session_set_local_window_size(c->session, NGHTTP2_FLAG_NONE, 0, CONN_WINDOW);
    if (rv != 0) {
        nghttp2_session_del(c->session);
        c->session = NULL;
        return AIOTSEC_E_NO_MEMORY;
    }
    return AIOTSEC_OK;
}

#define NV(n, v, vl) {(uint8_t *)(n), (uint8_t *)(v), sizeof(n) - 1, (vl), NGHTTP2_NV_FLAG_NONE}

void srv_session_respond(srv_conn *c, srv_stream *st, int http, const char *body, size_t len, int secret,
                         const srv_early *early)
{
    srv_worker *w = c->w;
    static const char no_memory[] = "{\"status\":500,\"cause\":\"INSUFFICIENT_RESOURCES\",\"detail\":\"out of memory\"}";
    st->responded = 1;
    if (len && !(st->resp = malloc(len))) {
        http = 500;
        len = sizeof no_memory - 1;
        secret = 0;
        st->resp = (char *)(uintptr_t)no_memory; /* read only, never freed (resp_static) */
        st->resp_static = 1;
        st->status = AIOTSEC_E_NO_MEMORY;
    } else if (len) {
        memcpy(st->resp, body, len);
        /* its size was checked against the budget by the caller (a ProblemDetails
         * of the server's own is at most 512 octets a stream) */
        srv_worker_charge_resp(w, st, len);
    }
    if (len) { /* the copy is kept only while the peer takes it */
        st->send_by_ns = srv_now_ns() + ms_ns(w->s->cfg.write_timeout_ms);
        srv_conn_arm(c, st->send_by_ns);
    }
    st->http = http;
    st->resp_len = len;
    st->resp_off = 0;
    st->resp_secret = secret;
    char status[8], length[24], retry[12];
    (void)snprintf(status, sizeof status, "%03d", http % 1000);
    int ln = snprintf(length, sizeof length, "%zu", len);
    const char *type = NULL;
    (void)aiotsec_sbi_content_type(http, &type);
    nghttp2_nv nva[5] = {
        NV(":status", status, 3),
        NV("content-type", type, strlen(type)),
        NV("content-length", length, (size_t)ln),
    };
    size_t n = 3;
    if (early && early->allow_post)
        nva[n++] = (nghttp2_nv)NV("allow", "POST", 4);
    if (early && early->retry_after) {
        int rl = snprintf(retry, sizeof retry, "%d", early->retry_after);
        nva[n++] = (nghttp2_nv)NV("retry-after", retry, (size_t)rl);
    }
    nghttp2_data_provider prd;
    prd.source.ptr = st;
    prd.read_callback = read_body;
    if (nghttp2_submit_response(c->session, st->id, nva, n, len ? &prd : NULL) != 0)
        srv_log(w->s, AIOTSEC_H2S_LOG_WARN, "stream %d: response not submitted", (int)st->id);
    w->stats.requests++;
    w->stats.by_class[http / 100 < 6 ? http / 100 : 5]++;
    if (http == 429)
        w->stats.rejected_429++;
    srv_worker_mark_dirty(w, c);
}

void srv_session_problem(srv_conn *c, srv_stream *st, const srv_early *early)
{
    char body[512];
    size_t len = srv_problem_body(early->http, early->what, body, sizeof body);
    st->what = early->what;
    st->discard = 1;
    st->body_by_ns = 0;
    free(st->body); /* nothing of the request is needed any more */
    st->body = NULL;
    st->body_len = st->body_cap = 0;
    srv_worker_uncharge_body(c->w, st);
    srv_session_respond(c, st, early->http, body, len, 0, early);
}

void srv_conn_cut_stream(srv_conn *c, srv_stream *st, const char *why)
{
    srv_worker *w = c->w;
    st->cut = why;
    st->discard = 1; /* DATA still on the way is dropped */
    st->body_by_ns = 0;
    srv_worker_unqueue(w, st);
    free(st->body);
    st->body = NULL;
    st->body_len = st->body_cap = 0;
    srv_worker_uncharge_body(w, st);
    drop_resp(c, st);
    /* on_stream_close logs and frees the stream once the reset is sent (or the
     * connection ends first); the octets are back already */
    (void)nghttp2_submit_rst_stream(c->session, NGHTTP2_FLAG_NONE, st->id, NGHTTP2_CANCEL);
    srv_worker_mark_dirty(w, c);
}

void srv_stream_free(srv_conn *c, srv_stream *st)
{
    srv_worker *w = c->w;
    srv_worker_unqueue(w, st);
    drop_resp(c, st);
    srv_worker_uncharge(w, st);
    free(st->body);
    if (st->prev)
        st->prev->next = st->next;
    else
        c->streams = st->next;
    if (st->next)
        st->next->prev = st->prev;
    c->n_streams--;
    if (c->session)
        (void)nghttp2_session_set_stream_user_data(c->session, st->id, NULL);
    free(st);
}
