/* The server object: configuration, the main thread's loop (accept, signals,
 * key-store generations, stop) and its end. See h2_server.h for the behaviour
 * and srv_internal.h for who owns what. */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/thread.h>

#include "aiotsec/sbi.h"
#include "srv_internal.h"

#define WORKERS_MAX 256u
#define WORKERS_DEFAULT_MAX 16u

int aiotsec_h2s_config_init(aiotsec_h2s_config *cfg)
{
    if (!cfg)
        return AIOTSEC_E_NULL_ARG;
    memset(cfg, 0, sizeof *cfg);
    cfg->struct_size = sizeof *cfg;
    cfg->listen = "127.0.0.1:8080";
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    cfg->workers = cpus < 1 ? 1u : cpus > (long)WORKERS_DEFAULT_MAX ? WORKERS_DEFAULT_MAX : (unsigned)cpus;
    cfg->max_body = AIOTSEC_SBI_BODY_DEFAULT;
    cfg->queue = 1024;
    cfg->memory_limit = 64u << 20;
    cfg->max_streams = 128;
    cfg->max_connections = 4096;
    cfg->idle_timeout_ms = 60000;
    cfg->write_timeout_ms = 30000;
    cfg->drain_timeout_ms = 10000;
    cfg->log_level = AIOTSEC_H2S_LOG_INFO;
    cfg->log_fd = 2;
    cfg->handle_signals = 1;
    return AIOTSEC_OK;
}

static char *dup_or_null(const char *s, int *ok)
{
    if (!s)
        return NULL;
    char *d = strdup(s);
    if (!d)
        *ok = 0;
    return d;
}

static const char *check(const aiotsec_h2s_config *c)
{
    if (c->struct_size != sizeof *c)
        return "configuration: wrong struct_size";
    if (!c->load || !c->unload)
        return "configuration: no key-store load and unload callbacks";
    if (c->workers < 1 || c->workers > WORKERS_MAX)
        return "--workers: 1..256";
    if ((c->tls_cert != NULL) != (c->tls_key != NULL))
        return "--tls-cert and --tls-key go together";
    if (c->max_body < 1 || c->max_body > AIOTSEC_SBI_BODY_MAX)
        return "--max-body: 1 octet .. 16 MiB";
    if (c->queue < 1 || c->queue > (1u << 20))
        return "--queue: 1..1048576";
    if (c->memory_limit < c->max_body)
        return "--memory-limit: at least --max-body";
    if (c->max_streams < 1 || c->max_streams > (1u << 20))
        return "--max-streams: 1..1048576";
    if (c->max_connections < 1)
        return "--max-connections: at least 1";
    if (!c->idle_timeout_ms || !c->write_timeout_ms || !c->drain_timeout_ms)
        return "timeouts: at least 1 ms";
    if (c->log_level < AIOTSEC_H2S_LOG_NONE || c->log_level > AIOTSEC_H2S_LOG_DEBUG)
        return "--log-level: none, error, warn, info or debug";
    return NULL;
}

int aiotsec_h2s_new(aiotsec_h2s **out, const aiotsec_h2s_config *cfg, const char **why, char *why_buf,
                    size_t why_cap)
{
    static char fallback[200];
    if (!why_buf || !why_cap) {
        why_buf = fallback;
        why_cap = sizeof fallback;
    }
    if (why)
        *why = "";
    if (!out || !cfg)
        return AIOTSEC_E_NULL_ARG;
    *out = NULL;
    const char *bad = check(cfg);
    if (bad) {
        if (why)
            *why = bad;
        return AIOTSEC_E_BAD_VALUE;
    }
    aiotsec_h2s *s = calloc(1, sizeof *s);
    if (!s)
        return AIOTSEC_E_NO_MEMORY;
    s->cfg = *cfg;
    s->lfd = -1;
    /* one connection holds at most an eighth of a worker's budget, but always one whole body */
    s->conn_share = cfg->memory_limit / 8 > cfg->max_body ? cfg->memory_limit / 8 : cfg->max_body;
    int ok = 1;
    s->listen_copy = dup_or_null(cfg->listen ? cfg->listen : "127.0.0.1:8080", &ok);
    s->cert_copy = dup_or_null(cfg->tls_cert, &ok);
    s->key_copy = dup_or_null(cfg->tls_key, &ok);
    s->cfg.listen = s->listen_copy;
    s->cfg.tls_cert = s->cert_copy;
    s->cfg.tls_key = s->key_copy;
    if (!ok || pthread_mutex_init(&s->lock, NULL) != 0 || pthread_cond_init(&s->loader_cond, NULL) != 0) {
        free(s->listen_copy);
        free(s->cert_copy);
        free(s->key_copy);
        free(s);
        return AIOTSEC_E_NO_MEMORY;
    }
    atomic_init(&s->gen_published, 0);
    atomic_init(&s->state, SRV_STARTING);
    atomic_init(&s->conns_open, 0u);
    int rc = AIOTSEC_OK;
    if (s->cfg.tls_cert)
        rc = srv_tls_new(&s->tls, s->cfg.tls_cert, s->cfg.tls_key, why_buf, why_cap);
    if (rc == AIOTSEC_OK)
        rc = srv_listen_open(s, why_buf, why_cap);
    if (rc != AIOTSEC_OK) {
        if (why)
            *why = why_buf;
        aiotsec_h2s_free(s);
        return rc;
    }
    *out = s;
    return AIOTSEC_OK;
}

const char *aiotsec_h2s_address(const aiotsec_h2s *s)
{
    return s ? s->address : "";
}

/* --- stop ------------------------------------------------------------------------- */

static void on_drain_timeout(evutil_socket_t fd, short what, void *arg)
{
    aiotsec_h2s *s = arg;
    (void)fd;
    (void)what;
    srv_log(s, AIOTSEC_H2S_LOG_WARN, "drain timeout (%u ms): cutting the connections left",
            (unsigned)s->cfg.drain_timeout_ms);
    for (unsigned i = 0; i < s->n_workers; i++)
        srv_worker_ask_stop(&s->workers[i], 1);
}

static void begin_stop(aiotsec_h2s *s, const char *why)
{
    if (atomic_exchange(&s->state, SRV_STOPPING) == SRV_STOPPING)
        return;
    srv_log(s, AIOTSEC_H2S_LOG_INFO, "stopping (%s): draining", why);
    srv_listen_stop(s);
    for (unsigned i = 0; i < s->n_workers; i++)
        srv_worker_ask_stop(&s->workers[i], 0);
    struct timeval tv = {s->cfg.drain_timeout_ms / 1000u, (suseconds_t)(s->cfg.drain_timeout_ms % 1000u) * 1000};
    s->drain_ev = evtimer_new(s->base, on_drain_timeout, s);
    if (s->drain_ev)
        evtimer_add(s->drain_ev, &tv);
}

/* --- the main thread's events ------------------------------------------------------- */

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
    aiotsec_h2s *s = arg;
    (void)what;
    if (sig == SIGHUP) {
        if (atomic_load(&s->state) != SRV_STOPPING) {
            srv_log(s, AIOTSEC_H2S_LOG_INFO, "SIGHUP: reloading the key store");
            srv_gen_start_load(s);
        }
    } else {
        begin_stop(s, sig == SIGTERM ? "SIGTERM" : "SIGINT");
    }
}

static void on_control(evutil_socket_t fd, short what, void *arg)
{
    aiotsec_h2s *s = arg;
    (void)fd;
    (void)what;
    pthread_mutex_lock(&s->lock);
    int reload = s->ctl_reload, stop = s->ctl_stop;
    s->ctl_reload = s->ctl_stop = 0;
    pthread_mutex_unlock(&s->lock);
    if (reload && atomic_load(&s->state) != SRV_STOPPING)
        srv_gen_start_load(s);
    if (stop)
        begin_stop(s, "asked");
}

static void on_loaded(evutil_socket_t fd, short what, void *arg)
{
    aiotsec_h2s *s = arg;
    (void)fd;
    (void)what;
    srv_gen_loaded(s);
    if (s->first_load_failed)
        begin_stop(s, "no key store");
}

static void on_worker_done(evutil_socket_t fd, short what, void *arg)
{
    aiotsec_h2s *s = arg;
    (void)fd;
    (void)what;
    pthread_mutex_lock(&s->lock);
    int all = s->workers_done == s->n_workers;
    pthread_mutex_unlock(&s->lock);
    if (all)
        event_base_loopexit(s->base, NULL);
}

int aiotsec_h2s_reload(aiotsec_h2s *s)
{
    if (!s)
        return AIOTSEC_E_NULL_ARG;
    pthread_mutex_lock(&s->lock);
    s->ctl_reload = 1;
    struct event *ev = s->ctl_ev;
    pthread_mutex_unlock(&s->lock);
    if (ev)
        event_active(ev, EV_READ, 0);
    return AIOTSEC_OK;
}

int aiotsec_h2s_stop(aiotsec_h2s *s)
{
    if (!s)
        return AIOTSEC_E_NULL_ARG;
    pthread_mutex_lock(&s->lock);
    s->ctl_stop = 1;
    struct event *ev = s->ctl_ev;
    pthread_mutex_unlock(&s->lock);
    if (ev)
        event_active(ev, EV_READ, 0);
    return AIOTSEC_OK;
}

/* --- run ---------------------------------------------------------------------------- */

static void use_pthreads(void)
{
    (void)evthread_use_pthreads(); /* event_active() from another thread */
}

static int make_events(aiotsec_h2s *s)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    (void)pthread_once(&once, use_pthreads);
    s->base = event_base_new();
    if (!s->base)
        return AIOTSEC_E_NO_MEMORY;
    struct event *ctl = event_new(s->base, -1, EV_PERSIST, on_control, s);
    s->loaded_ev = event_new(s->base, -1, EV_PERSIST, on_loaded, s);
    s->done_ev = event_new(s->base, -1, EV_PERSIST, on_worker_done, s);
    if (!ctl || !s->loaded_ev || !s->done_ev) {
        if (ctl)
            event_free(ctl);
        return AIOTSEC_E_NO_MEMORY;
    }
    pthread_mutex_lock(&s->lock);
    s->ctl_ev = ctl;
    int pending = s->ctl_reload || s->ctl_stop;
    pthread_mutex_unlock(&s->lock);
    if (pending)
        event_active(ctl, EV_READ, 0);
    if (s->cfg.handle_signals) {
        s->sig_hup = evsignal_new(s->base, SIGHUP, on_signal, s);
        s->sig_term = evsignal_new(s->base, SIGTERM, on_signal, s);
        s->sig_int = evsignal_new(s->base, SIGINT, on_signal, s);
        if (!s->sig_hup || !s->sig_term || !s->sig_int || evsignal_add(s->sig_hup, NULL) ||
            evsignal_add(s->sig_term, NULL) || evsignal_add(s->sig_int, NULL))
            return AIOTSEC_E_NO_MEMORY;
    }
    return AIOTSEC_OK;
}

int aiotsec_h2s_run(aiotsec_h2s *s)
{
    if (!s)
        return AIOTSEC_E_NULL_ARG;
    if (s->ran)
        return AIOTSEC_E_BAD_STATE;
    s->ran = 1;
    int rc = make_events(s);
    if (rc == AIOTSEC_OK && !(s->workers = calloc(s->cfg.workers, sizeof *s->workers)))
        rc = AIOTSEC_E_NO_MEMORY;
    for (unsigned i = 0; rc == AIOTSEC_OK && i < s->cfg.workers; i++) {
        rc = srv_worker_init(&s->workers[i], s, i);
        s->n_workers = i + 1;
    }
    if (rc == AIOTSEC_OK)
        rc = srv_listen_start(s);
    for (unsigned i = 0; rc == AIOTSEC_OK && i < s->n_workers; i++)
        rc = srv_worker_start(&s->workers[i]);
    if (rc != AIOTSEC_OK) {
        srv_log(s, AIOTSEC_H2S_LOG_ERROR, "cannot start: %s", aiotsec_strerror(rc));
        for (unsigned i = 0; s->workers && i < s->n_workers; i++)
            if (s->workers[i].started)
                srv_worker_ask_stop(&s->workers[i], 1);
        return rc; /* aiotsec_h2s_free joins what started */
    }
    srv_log(s, AIOTSEC_H2S_LOG_INFO, "listening on %s (%s), %u worker%s", s->address,
            s->tls ? "HTTP/2 over TLS, ALPN h2" : "h2c, prior knowledge", s->n_workers, s->n_workers == 1 ? "" : "s");
    srv_gen_start_load(s);
    event_base_dispatch(s->base);
    /* every worker is done: the loader may still run (a store that is slow to load) */
    if (srv_gen_wait_loader(s, s->cfg.drain_timeout_ms) != 0) {
        s->loader_stuck = 1;
        srv_log(s, AIOTSEC_H2S_LOG_ERROR, "the key-store loader did not finish: left behind");
    }
    aiotsec_h2s_stats st;
    aiotsec_h2s_stats_get(s, &st);
    srv_log(s, AIOTSEC_H2S_LOG_INFO,
            "stopped: %llu requests (2xx %llu, 4xx %llu, 5xx %llu, of which 429 %llu), %llu connections",
            (unsigned long long)st.requests, (unsigned long long)st.by_class[2], (unsigned long long)st.by_class[4],
            (unsigned long long)st.by_class[5], (unsigned long long)st.rejected_429,
            (unsigned long long)st.connections);
    return s->first_load_failed ? AIOTSEC_E_IO : AIOTSEC_OK;
}

int aiotsec_h2s_stats_get(const aiotsec_h2s *s, aiotsec_h2s_stats *out)
{
    if (!s || !out)
        return AIOTSEC_E_NULL_ARG;
    memset(out, 0, sizeof *out);
    for (unsigned i = 0; i < s->n_workers; i++) {
        const aiotsec_h2s_stats *w = &s->workers[i].stats;
        out->requests += w->requests;
        for (int k = 0; k < 6; k++)
            out->by_class[k] += w->by_class[k];
        out->rejected_429 += w->rejected_429;
        out->connections += w->connections;
    }
    out->refused = s->refused;
    out->reloads = s->reloads;
    return AIOTSEC_OK;
}

void aiotsec_h2s_free(aiotsec_h2s *s)
{
    if (!s)
        return;
    if (s->loader_stuck)
        return; /* the loader thread still holds s: left to the process's exit */
    for (unsigned i = 0; i < s->n_workers; i++)
        srv_worker_free(&s->workers[i]);
    free(s->workers);
    srv_listen_stop(s);
    pthread_mutex_lock(&s->lock);
    srv_gen *g = s->current;
    s->current = NULL;
    pthread_mutex_unlock(&s->lock);
    srv_gen_release(s, g);
    struct event *evs[] = {s->sig_hup, s->sig_term, s->sig_int, s->ctl_ev, s->loaded_ev, s->done_ev, s->drain_ev};
    for (size_t i = 0; i < sizeof evs / sizeof evs[0]; i++)
        if (evs[i])
            event_free(evs[i]);
    if (s->base)
        event_base_free(s->base);
    if (s->tls)
        SSL_CTX_free(s->tls);
    pthread_cond_destroy(&s->loader_cond);
    pthread_mutex_destroy(&s->lock);
    free(s->listen_copy);
    free(s->cert_copy);
    free(s->key_copy);
    free(s);
}
