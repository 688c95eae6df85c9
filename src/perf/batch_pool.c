/* The caller-owned worker pool of the batch API (aiotsec_batch_pool_*).
 *
 * Why: a thread created per call starts tens of microseconds late on a machine
 * whose other CPU is idle, which is a large part of a batch of a few thousand
 * items. The pool keeps threads - 1 workers alive; after a batch they poll for
 * the next one for SPIN_NS, then sleep on a condition variable.
 *
 * Protocol (all on atomics of the pool, seq_cst where two threads must not both
 * miss each other):
 *  - `state` = generation << 1 | open. The caller (holding `call`, so one batch
 *    at a time) writes the job, then publishes state = (gen + 1) << 1 | 1, works
 *    through the grains itself, and closes with state = gen << 1.
 *  - A worker that sees a new generation increments `inflight`, THEN reads
 *    `state`: only if the batch is still open does it touch the job. The caller,
 *    after closing, waits until `inflight` is 0. Store-then-load on both sides
 *    (seq_cst) means either the worker sees the close and leaves without touching
 *    anything, or the caller sees it in flight and waits for it. So the caller
 *    never waits for a worker that has not joined (a sleeping worker costs the
 *    batch nothing), and no worker touches a batch after its call returned.
 *  - Sleep: a worker increments `sleepers`, then re-reads `state` (under `lock`);
 *    the caller stores `state`, then reads `sleepers` and broadcasts (under
 *    `lock`) when it is not 0. Same store-then-load pairing: no lost wake-up.
 * Nothing is allocated after aiotsec_batch_pool_new. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/internal.h"
#include "perf/batch_internal.h"

/* How long an idle worker keeps polling before it sleeps: longer than the gap
 * between back-to-back batches (so they find it awake), short enough that an
 * idle pool stops costing CPU almost at once. After SPIN_YIELD_NS of pure
 * polling the worker also yields its CPU between polls, for threads that want it. */
#define SPIN_NS 100000ull
#define SPIN_YIELD_NS 20000ull

#define CACHE_LINE 64

struct aiotsec_batch_pool {
    aiot_batch_job job; /* the current batch: written by the caller while closed */
    /* Polled by idle workers: its own line, apart from the job's counter. */
    _Alignas(CACHE_LINE) atomic_uint state; /* generation << 1 | open */
    atomic_uint sleepers;                   /* workers blocked (or about to block) on wake */
    atomic_int stop;                        /* aiotsec_batch_pool_free: workers exit */
    _Alignas(CACHE_LINE) atomic_uint inflight; /* workers inside the current batch */
    atomic_size_t n_ok;                        /* workers' matches/successes of the batch */
    _Alignas(CACHE_LINE) pthread_mutex_t call; /* one batch at a time */
    pthread_mutex_t lock;                      /* with wake: sleeping workers */
    pthread_cond_t wake;
    unsigned threads; /* workers + the caller */
    unsigned started; /* workers running */
    pthread_t tid[AIOTSEC_BATCH_MAX_THREADS];
};

static unsigned long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
}

/* Tells the CPU this is a spin loop (saves power, frees the sibling hyperthread). */
static void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __asm__ __volatile__("pause" ::: "memory");
#elif defined(__aarch64__)
    __asm__ __volatile__("yield" ::: "memory");
#endif
}

/* Waits until the generation differs from `seen` (returns the new state) or the
 * pool stops (*stop = 1): polling for SPIN_NS, then asleep on the condition. */
static unsigned wait_for_batch(aiotsec_batch_pool *p, unsigned seen, int *stop)
{
    unsigned long long start = 0;
    for (unsigned i = 0;; i++) {
        unsigned s = atomic_load_explicit(&p->state, memory_order_acquire);
        if ((s >> 1) != seen)
            return s;
        if (atomic_load_explicit(&p->stop, memory_order_acquire)) {
            *stop = 1;
            return s;
        }
        cpu_relax();
        if ((i & 63u) == 63u) { /* a clock read every 64 polls: ~ every few microseconds */
            unsigned long long t = now_ns();
            if (!start)
                start = t;
            else if (t - start >= SPIN_NS)
                break;
            else if (t - start >= SPIN_YIELD_NS)
                sched_yield();
        }
    }
    pthread_mutex_lock(&p->lock);
    atomic_fetch_add(&p->sleepers, 1u);
    unsigned s;
    while (((s = atomic_load(&p->state)) >> 1) == seen && !atomic_load(&p->stop))
        pthread_cond_wait(&p->wake, &p->lock);
    atomic_fetch_sub(&p->sleepers, 1u);
    *stop = (s >> 1) == seen; /* woken by the stop, not by a batch */
    pthread_mutex_unlock(&p->lock);
    return s;
}

static void *pool_worker(void *arg)
{
    aiotsec_batch_pool *p = arg;
    unsigned seen = atomic_load(&p->state) >> 1;
    for (;;) {
        int stop = 0;
        (void)wait_for_batch(p, seen, &stop);
        if (stop)
            break;
        atomic_fetch_add(&p->inflight, 1u);
        unsigned s = atomic_load(&p->state); /* after the increment: see the protocol above */
        seen = s >> 1;
        if (s & 1u) {
            size_t ok = aiot_batch_take_grains(&p->job, 1);
            atomic_fetch_add_explicit(&p->n_ok, ok, memory_order_relaxed);
        }
        atomic_fetch_sub(&p->inflight, 1u); /* releases this worker's results to the caller */
    }
    return NULL;
}

/* Stops and joins the started workers, destroys the synchronisation objects. */
static void pool_destroy(aiotsec_batch_pool *p)
{
    pthread_mutex_lock(&p->lock);
    atomic_store(&p->stop, 1);
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->lock);
    for (unsigned t = 0; t < p->started; t++)
        pthread_join(p->tid[t], NULL);
    pthread_cond_destroy(&p->wake);
    pthread_mutex_destroy(&p->lock);
    pthread_mutex_destroy(&p->call);
    free(p);
}

int aiotsec_batch_pool_new(aiotsec_batch_pool **out, unsigned threads)
{
    if (!out)
        return AIOTSEC_E_NULL_ARG;
    *out = NULL;
    if (threads == 0 || threads > AIOTSEC_BATCH_MAX_THREADS)
        return AIOTSEC_E_BAD_VALUE;
    /* sizeof is a multiple of the cache line (the _Alignas members), as aligned_alloc wants. */
    aiotsec_batch_pool *p = aligned_alloc(CACHE_LINE, sizeof *p);
    if (!p)
        return AIOTSEC_E_NO_MEMORY;
    memset(p, 0, sizeof *p);
    atomic_init(&p->job.next, 0);
    atomic_init(&p->job.span, 0);
    atomic_init(&p->state, 0u);
    atomic_init(&p->sleepers, 0u);
    atomic_init(&p->stop, 0);
    atomic_init(&p->inflight, 0u);
    atomic_init(&p->n_ok, 0);
    p->threads = threads;
    if (pthread_mutex_init(&p->call, NULL) != 0) {
        free(p);
        return AIOTSEC_E_NO_MEMORY;
    }
    if (pthread_mutex_init(&p->lock, NULL) != 0) {
        pthread_mutex_destroy(&p->call);
        free(p);
        return AIOTSEC_E_NO_MEMORY;
    }
    if (pthread_cond_init(&p->wake, NULL) != 0) {
        pthread_mutex_destroy(&p->lock);
        pthread_mutex_destroy(&p->call);
        free(p);
        return AIOTSEC_E_NO_MEMORY;
    }
    /* Workers are created with every signal blocked: the application's signal
     * handlers keep running in the application's own threads. */
    sigset_t all, old;
    sigfillset(&all);
    int masked = pthread_sigmask(SIG_BLOCK, &all, &old) == 0;
    int rc = AIOTSEC_OK;
    for (unsigned t = 1; t < threads; t++) {
        if (pthread_create(&p->tid[p->started], NULL, pool_worker, p) != 0) {
            rc = AIOTSEC_E_NO_MEMORY; /* no thread (memory or the process's limit) */
            break;
        }
        p->started++;
    }
    if (masked)
        pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != AIOTSEC_OK) {
        pool_destroy(p);
        return rc;
    }
    *out = p;
    return AIOTSEC_OK;
}

void aiotsec_batch_pool_free(aiotsec_batch_pool *pool)
{
    if (!pool)
        return;
    /* A batch still running in another thread would be a caller bug; waiting for
     * it here at least never frees the pool under it. */
    pthread_mutex_lock(&pool->call);
    pthread_mutex_unlock(&pool->call);
    pool_destroy(pool);
}

/* One job through the pool: the caller works too; returns the successes/matches. */
size_t aiot_batch_pool_run(aiotsec_batch_pool *p, aiot_batch_job *jb)
{
    pthread_mutex_lock(&p->call);
    size_t ok;
    aiot_batch_job_reset(jb);
    if (p->started == 0 || jb->n <= aiot_batch_job_grain(jb)) {
        ok = aiot_batch_take_grains(jb, 0); /* nothing to share */
    } else {
        p->job.ctx = jb->ctx;
        p->job.items = jb->items;
        p->job.n = jb->n;
        p->job.xres = jb->xres;
        p->job.results = jb->results;
        p->job.range = jb->range;
        p->job.arg = jb->arg;
        p->job.grain = jb->grain;
        aiot_batch_job_reset(&p->job);
        atomic_store_explicit(&p->n_ok, 0, memory_order_relaxed);
        unsigned gen = (atomic_load_explicit(&p->state, memory_order_relaxed) >> 1) + 1u;
        atomic_store(&p->state, gen << 1 | 1u); /* publishes the job written above */
        if (atomic_load(&p->sleepers)) {
            pthread_mutex_lock(&p->lock);
            pthread_cond_broadcast(&p->wake);
            pthread_mutex_unlock(&p->lock);
        }
        ok = aiot_batch_take_grains(&p->job, 0);
        atomic_store(&p->state, gen << 1); /* closed: late workers leave it alone */
        /* Workers still in flight finish at most one grain each. */
        for (unsigned i = 1; atomic_load(&p->inflight) != 0; i++) {
            cpu_relax();
            if ((i & 1023u) == 0)
                sched_yield(); /* a preempted worker: let it run */
        }
        ok += atomic_load_explicit(&p->n_ok, memory_order_relaxed);
    }
    pthread_mutex_unlock(&p->call);
    return ok;
}

static size_t pool_run(aiotsec_batch_pool *p, const aiotsec_ctx *ctx, const aiotsec_batch_item *items,
                       size_t n, uint8_t *xres, int *results)
{
    aiot_batch_job jb = {ctx, items, n, xres, results, 0, 0, NULL, NULL, 0};
    return aiot_batch_pool_run(p, &jb);
}

int aiotsec_batch_pool_derive_res(const aiotsec_ctx *ctx, aiotsec_batch_pool *pool,
                                  const aiotsec_batch_item *items, size_t n, uint8_t *xres, size_t xres_cap,
                                  int *results)
{
    if (!ctx || !pool)
        return AIOTSEC_E_NULL_ARG;
    if (n == 0)
        return AIOTSEC_OK;
    if (!items || !xres || !results)
        return AIOTSEC_E_NULL_ARG;
    size_t res_len = ctx->profile.p.res_len;
    if (res_len == 0 || xres_cap / res_len < n)
        return AIOTSEC_E_BUFFER_TOO_SMALL;
    (void)pool_run(pool, ctx, items, n, xres, results);
    return AIOTSEC_OK;
}

int aiotsec_batch_pool_verify_res(const aiotsec_ctx *ctx, aiotsec_batch_pool *pool,
                                  const aiotsec_batch_item *items, size_t n, int *results, size_t *n_ok)
{
    if (n_ok)
        *n_ok = 0;
    if (!ctx || !pool)
        return AIOTSEC_E_NULL_ARG;
    if (n == 0)
        return AIOTSEC_OK;
    if (!items || !results)
        return AIOTSEC_E_NULL_ARG;
    size_t ok = pool_run(pool, ctx, items, n, NULL, results);
    if (n_ok)
        *n_ok = ok;
    return AIOTSEC_OK;
}
