/* Key-store generations. The application's load callback runs on a loader
 * thread (a large key file takes a while; the main thread keeps accepting and
 * the workers answer 503 until the first generation exists). When it is done
 * the main thread publishes the new generation and wakes the workers; each
 * moves to it between two requests (srv_gen_adopt) and releases the one it
 * leaves. A generation is freed by whoever drops its last reference: requests
 * in flight finish on the generation they started with, none is dropped. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "srv_internal.h"

static void *loader_main(void *arg)
{
    struct aiotsec_h2s *s = arg;
    const aiotsec_adm *adm = NULL;
    void *owner = NULL;
    size_t devices = 0;
    int rc = s->cfg.load(s->cfg.store_arg, &adm, &owner, &devices);
    srv_gen *g = NULL;
    if (rc == AIOTSEC_OK && !(g = calloc(1, sizeof *g))) {
        s->cfg.unload(s->cfg.store_arg, owner);
        rc = AIOTSEC_E_NO_MEMORY;
    }
    if (g) {
        g->adm = adm;
        g->owner = owner;
        g->devices = devices;
    }
    pthread_mutex_lock(&s->lock);
    s->load_rc = rc;
    s->loaded = g;
    s->loader_finished = 1;
    pthread_cond_broadcast(&s->loader_cond);
    pthread_mutex_unlock(&s->lock);
    event_active(s->loaded_ev, EV_READ, 0);
    return NULL;
}

void srv_gen_start_load(struct aiotsec_h2s *s)
{
    pthread_mutex_lock(&s->lock);
    if (s->loader_running) {
        s->reload_again = 1; /* a SIGHUP during a load: one more load after it */
        pthread_mutex_unlock(&s->lock);
        return;
    }
    s->loader_running = 1;
    s->loader_finished = 0;
    pthread_mutex_unlock(&s->lock);
    if (pthread_create(&s->loader, NULL, loader_main, s) != 0) {
        pthread_mutex_lock(&s->lock);
        s->loader_running = 0;
        s->load_rc = AIOTSEC_E_NO_MEMORY;
        pthread_mutex_unlock(&s->lock);
        srv_log(s, AIOTSEC_H2S_LOG_ERROR, "cannot start the key-store loader thread");
        if (!s->current)
            s->first_load_failed = 1;
    }
}

void srv_gen_release(struct aiotsec_h2s *s, srv_gen *g)
{
    if (!g)
        return;
    pthread_mutex_lock(&s->lock);
    int last = --g->refs == 0;
    pthread_mutex_unlock(&s->lock);
    if (last) {
        s->cfg.unload(s->cfg.store_arg, g->owner);
        free(g);
    }
}

void srv_gen_loaded(struct aiotsec_h2s *s)
{
    pthread_mutex_lock(&s->lock);
    if (!s->loader_running || !s->loader_finished) {
        pthread_mutex_unlock(&s->lock);
        return;
    }
    int rc = s->load_rc, again = s->reload_again;
    srv_gen *g = s->loaded, *old = NULL;
    s->loaded = NULL;
    s->loader_running = 0;
    s->reload_again = 0;
    pthread_mutex_unlock(&s->lock);
    pthread_join(s->loader, NULL);
    int first = s->current == NULL;
    if (rc == AIOTSEC_E_UNSUPPORTED && !first) {
        srv_log(s, AIOTSEC_H2S_LOG_INFO, "reload: the key store follows its changes itself, nothing to reload");
    } else if (rc != AIOTSEC_OK) {
        srv_log(s, AIOTSEC_H2S_LOG_ERROR, "key store not loaded: %s%s", aiotsec_strerror(rc),
                first ? "" : " (the previous key store stays in service)");
        if (first)
            s->first_load_failed = 1;
    } else {
        pthread_mutex_lock(&s->lock);
        g->number = ++s->gen_counter;
        g->refs = 1; /* the server's "current" reference */
        old = s->current;
        s->current = g;
        pthread_mutex_unlock(&s->lock);
        atomic_store(&s->gen_published, g->number);
        if (first)
            atomic_store(&s->state, SRV_RUNNING);
        else
            s->reloads++;
        srv_log(s, AIOTSEC_H2S_LOG_INFO, "%s: %zu devices (key-store generation %llu)", first ? "ready" : "reloaded",
                g->devices, (unsigned long long)g->number);
        for (unsigned i = 0; i < s->n_workers; i++)
            srv_worker_wake(&s->workers[i]);
        srv_gen_release(s, old);
    }
    if (again && atomic_load(&s->state) != SRV_STOPPING)
        srv_gen_start_load(s);
}

void srv_gen_adopt(srv_worker *w)
{
    struct aiotsec_h2s *s = w->s;
    uint64_t want = atomic_load(&s->gen_published);
    if (want == 0 || (w->gen && w->gen->number == want))
        return;
    pthread_mutex_lock(&s->lock);
    srv_gen *g = s->current;
    g->refs++;
    pthread_mutex_unlock(&s->lock);
    srv_answerer *a = NULL;
    int rc = srv_answerer_new(&a, g->adm, s->cfg.max_body);
    if (rc != AIOTSEC_OK) {
        /* keep serving with what we have; the next wake-up tries again */
        srv_log(s, AIOTSEC_H2S_LOG_ERROR, "worker %u: cannot move to key-store generation %llu: %s", w->index,
                (unsigned long long)g->number, aiotsec_strerror(rc));
        srv_gen_release(s, g);
        return;
    }
    srv_answerer_free(w->ans);
    w->ans = a;
    srv_gen *old = w->gen;
    w->gen = g;
    srv_gen_release(s, old);
}

int srv_gen_wait_loader(struct aiotsec_h2s *s, uint32_t ms)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += ms / 1000u;
    until.tv_nsec += (long)(ms % 1000u) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&s->lock);
    int rc = 0;
    while (s->loader_running && !s->loader_finished && rc != ETIMEDOUT)
        rc = pthread_cond_timedwait(&s->loader_cond, &s->lock, &until);
    int running = s->loader_running, finished = s->loader_finished;
    srv_gen *g = s->loaded;
    s->loaded = NULL;
    if (running && finished)
        s->loader_running = 0;
    pthread_mutex_unlock(&s->lock);
    if (running && !finished)
        return -1;
    if (running) {
        pthread_join(s->loader, NULL);
        if (g) {
            s->cfg.unload(s->cfg.store_arg, g->owner); /* loaded after the stop: never served */
            free(g);
        }
    }
    return 0;
}
