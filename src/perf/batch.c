/* Batches of XRES_AIOT derivations / RES_AIOT verifications over prepared keys.
 * (The caller-owned worker pool, aiotsec_batch_*_pool, is batch_pool.c; it runs
 * the same aiot_batch_take_grains loop as the per-call threads here.)
 *
 * Items are taken CHUNK at a time: the valid ones are packed (their KDF
 * strings S side by side, their prepared states in a pointer array) and handed
 * to the backend's hmac_batch_prepared in one call, so a backend can
 * interleave several SHA-256 streams. Everything lives on the stack: no
 * allocation unless the caller asks for threads. */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "core/internal.h"
#include "perf/batch_internal.h"

#define CHUNK AIOT_BATCH_CHUNK

typedef struct slice {
    const aiotsec_ctx *ctx;
    const aiotsec_batch_item *items;
    size_t n;
    uint8_t *xres;    /* derive: this slice's output, n * res_len; NULL for verify */
    int *results;
    size_t n_ok;      /* written by the slice's own thread only */
} slice;

size_t aiotsec_batch_item_structbytes(void)
{
    return sizeof(aiotsec_batch_item);
}

/* The item's status before any MAC is computed. */
static inline __attribute__((always_inline)) int check_item(const aiotsec_ctx *ctx, const aiotsec_batch_item *it, int verify)
{
    if (!it->key || !it->rand_n || !it->rand_d || (verify && !it->res))
        return AIOTSEC_E_NULL_ARG;
    if (it->key->ctx != ctx)
        return AIOTSEC_E_BAD_VALUE; /* another context's state layout: never hand it to this backend */
    const aiotsec_profile_params *p = &ctx->profile.p;
    if (it->rand_n_len != p->rand_n_len || it->rand_d_len != p->rand_d_len ||
        (verify && it->res_len != p->res_len))
        return AIOTSEC_E_BAD_LENGTH;
    return AIOTSEC_OK;
}

/* S = FC || RAND_n || L || RAND_d || L at out (s_len octets, checked by the caller's
 * profile). RANDs are AIOTSEC_RAND_LEN octets in every profile (check_item has
 * compared them with the profile's), so the copies have constant sizes the
 * compiler inlines; only the FC length varies. */
static inline __attribute__((always_inline)) void put_s(uint16_t fc, const uint8_t *rand_n, const uint8_t *rand_d, uint8_t *out)
{
    size_t o = 0;
    if (fc >= 0xFF00)
        out[o++] = 0xFF;
    out[o++] = (uint8_t)fc;
    memcpy(out + o, rand_n, AIOTSEC_RAND_LEN);
    o += AIOTSEC_RAND_LEN;
    out[o++] = 0;
    out[o++] = AIOTSEC_RAND_LEN;
    memcpy(out + o, rand_d, AIOTSEC_RAND_LEN);
    o += AIOTSEC_RAND_LEN;
    out[o++] = 0;
    out[o] = AIOTSEC_RAND_LEN;
}

/* MACs of m packed items, through the backend's batch path or one by one. `states`
 * holds compact forms when the backend has them (every key has one then: views
 * have nothing else), else whole states. */
static int macs_of(const aiotsec_ctx *ctx, const void *const *states, const uint8_t *msgs,
                   size_t s_len, size_t m, uint8_t *macs)
{
    if (aiot_has_compact(ctx))
        return aiot_map_backend(ctx->be.hmac_batch_compact(ctx->be.user, states, msgs, s_len, m, macs));
    if (ctx->be.hmac_batch_prepared)
        return aiot_map_backend(ctx->be.hmac_batch_prepared(ctx->be.user, states, msgs, s_len, m, macs));
    for (size_t j = 0; j < m; j++) {
        aiot_state st;
        int rc = aiot_hmac_copy_from(ctx, &st, states[j]);
        if (rc == AIOTSEC_OK)
            rc = aiot_hmac_update_final(ctx, &st, msgs + j * s_len, s_len, macs + 32 * j);
        if (rc != AIOTSEC_OK)
            return rc;
    }
    return AIOTSEC_OK;
}

static void run_slice(slice *sl)
{
    const aiotsec_ctx *ctx = sl->ctx;
    const int verify = sl->xres == NULL;
    const size_t res_len = ctx->profile.p.res_len;
    const uint16_t fc = ctx->profile.p.fc_res;
    const void *states[CHUNK];
    size_t idx[CHUNK];
    uint8_t msgs[CHUNK * AIOT_S_RAND_MAX];
    uint8_t macs[CHUNK * 32];
    size_t n_ok = 0, used = 0; /* used: MAC slots written, to wipe */
    /* Every valid item has the profile's lengths, so one S length for all. */
    const size_t s_len = (fc >= 0xFF00 ? 2u : 1u) + AIOTSEC_RAND_LEN + 2u + AIOTSEC_RAND_LEN + 2u;
    const int compact = aiot_has_compact(ctx);

    for (size_t base = 0; base < sl->n; base += CHUNK) {
        size_t cn = sl->n - base < CHUNK ? sl->n - base : CHUNK;
        size_t m = 0;
        /* The next chunk's keys (the item's key is a pointer away) and RES on their way. */
        for (size_t j = base + CHUNK; j < base + 2 * CHUNK && j < sl->n; j++) {
            const aiotsec_batch_item *nx = &sl->items[j];
            if (nx->key)
                __builtin_prefetch(nx->key);
            if (verify && nx->res)
                __builtin_prefetch(nx->res);
        }
        for (size_t j = 0; j < cn; j++) {
            const aiotsec_batch_item *it = &sl->items[base + j];
            int rc = check_item(ctx, it, verify);
            if (rc == AIOTSEC_OK)
                put_s(fc, it->rand_n, it->rand_d, msgs + m * s_len);
            sl->results[base + j] = rc;
            if (!verify && rc != AIOTSEC_OK)
                memset(sl->xres + (base + j) * res_len, 0, res_len);
            if (rc == AIOTSEC_OK) {
                states[m] = compact ? (const void *)it->key->compact : (const void *)it->key->state;
                idx[m++] = base + j;
            }
        }
        if (!m)
            continue;
        used = m > used ? m : used;
        int rc = macs_of(ctx, states, msgs, s_len, m, macs);
        for (size_t j = 0; j < m; j++) {
            size_t i = idx[j];
            const uint8_t *x = macs + 32 * j + 32 - res_len; /* least significant octets */
            if (rc != AIOTSEC_OK) {
                sl->results[i] = rc;
                if (!verify)
                    memset(sl->xres + i * res_len, 0, res_len);
            } else if (verify) {
                int eq = aiot_ct_eq(x, sl->items[i].res, res_len);
                sl->results[i] = eq ? AIOTSEC_OK : AIOTSEC_E_AUTH_FAILED;
                n_ok += (size_t)eq;
            } else {
                memcpy(sl->xres + i * res_len, x, res_len);
                n_ok++;
            }
        }
    }
    aiotsec_wipe(macs, 32 * used); /* XRES material */
    sl->n_ok = n_ok;
}

int aiot_batch_derive_compact(const aiotsec_ctx *ctx, const void *const *keys, const uint8_t *const *rand_n,
                              const uint8_t *const *rand_d, size_t n, uint8_t *xres)
{
    const size_t res_len = ctx->profile.p.res_len;
    const uint16_t fc = ctx->profile.p.fc_res;
    const size_t s_len = (fc >= 0xFF00 ? 2u : 1u) + AIOTSEC_RAND_LEN + 2u + AIOTSEC_RAND_LEN + 2u;
    uint8_t msgs[CHUNK * AIOT_S_RAND_MAX];
    uint8_t macs[CHUNK * 32];
    int rc = AIOTSEC_OK;
    size_t used = 0;
    for (size_t base = 0; base < n && rc == AIOTSEC_OK; base += CHUNK) {
        size_t m = n - base < CHUNK ? n - base : CHUNK;
        for (size_t j = 0; j < m; j++)
            put_s(fc, rand_n[base + j], rand_d[base + j], msgs + j * s_len);
        used = m > used ? m : used;
        rc = aiot_map_backend(ctx->be.hmac_batch_compact(ctx->be.user, keys + base, msgs, s_len, m, macs));
        for (size_t j = 0; j < m && rc == AIOTSEC_OK; j++)
            memcpy(xres + (base + j) * res_len, macs + 32 * j + 32 - res_len, res_len); /* least significant */
    }
    aiotsec_wipe(macs, 32 * used);
    return rc;
}

size_t aiot_batch_run_range(const aiotsec_ctx *ctx, const aiotsec_batch_item *items, size_t n,
                            uint8_t *xres, int *results)
{
    slice one = {ctx, items, n, xres, results, 0};
    run_slice(&one);
    return one.n_ok;
}

/* Threads share one batch call through a work counter: each takes the next GRAIN
 * items until none are left. A thread that starts late (waking an idle CPU costs tens
 * of microseconds here) then simply takes fewer grains, instead of the caller waiting
 * for it at the end of a fixed half. */
size_t aiot_batch_take_grains(aiot_batch_job *jb)
{
    const size_t res_len = jb->ctx->profile.p.res_len;
    size_t n_ok = 0;
    for (;;) {
        const size_t grain = aiot_batch_job_grain(jb);
        size_t b = atomic_fetch_add_explicit(&jb->next, grain, memory_order_relaxed);
        if (b >= jb->n)
            break;
        size_t len = jb->n - b < grain ? jb->n - b : grain;
        if (jb->range) {
            n_ok += jb->range(jb, b, len);
            continue;
        }
        n_ok += aiot_batch_run_range(jb->ctx, jb->items + b, len, jb->xres ? jb->xres + b * res_len : NULL,
                                     jb->results + b);
    }
    return n_ok;
}

/* The per-call threads: the job lives on the caller's stack for the duration of the
 * call; each thread's count is its own until the join. */
typedef struct worker {
    aiot_batch_job *job;
    size_t n_ok; /* written by this worker's thread only */
} worker;

static void *work(void *arg)
{
    worker *w = arg;
    w->n_ok = aiot_batch_take_grains(w->job);
    return NULL;
}

/* Runs the batch in the caller, helped by threads - 1 threads created for this call
 * (the pool in batch_pool.c keeps them instead). A thread that cannot be started
 * leaves its share to the others. */
static size_t run_batch(const aiotsec_ctx *ctx, const aiotsec_batch_item *items, size_t n,
                        uint8_t *xres, int *results, unsigned threads)
{
    if (threads > aiot_batch_grains(n))
        threads = (unsigned)aiot_batch_grains(n); /* no thread without a grain to take */
    if (threads <= 1)
        return aiot_batch_run_range(ctx, items, n, xres, results);
    aiot_batch_job jb = {ctx, items, n, xres, results, 0, NULL, NULL, 0};
    atomic_init(&jb.next, 0);
    worker w[AIOTSEC_BATCH_MAX_THREADS];
    pthread_t tid[AIOTSEC_BATCH_MAX_THREADS];
    int started[AIOTSEC_BATCH_MAX_THREADS];
    for (unsigned t = 0; t < threads; t++)
        w[t] = (worker){&jb, 0};
    for (unsigned t = 1; t < threads; t++)
        started[t] = pthread_create(&tid[t], NULL, work, &w[t]) == 0;
    work(&w[0]);
    size_t n_ok = w[0].n_ok;
    for (unsigned t = 1; t < threads; t++) {
        if (started[t])
            pthread_join(tid[t], NULL); /* after join, its n_ok is visible here */
        n_ok += w[t].n_ok;
    }
    return n_ok;
}

int aiotsec_batch_derive_res(const aiotsec_ctx *ctx, const aiotsec_batch_item *items, size_t n,
                             uint8_t *xres, size_t xres_cap, int *results, unsigned threads)
{
    if (!ctx)
        return AIOTSEC_E_NULL_ARG;
    if (n == 0)
        return AIOTSEC_OK;
    if (!items || !xres || !results)
        return AIOTSEC_E_NULL_ARG;
    if (threads > AIOTSEC_BATCH_MAX_THREADS)
        return AIOTSEC_E_BAD_VALUE;
    size_t res_len = ctx->profile.p.res_len;
    if (res_len == 0 || xres_cap / res_len < n)
        return AIOTSEC_E_BUFFER_TOO_SMALL;
    (void)run_batch(ctx, items, n, xres, results, threads);
    return AIOTSEC_OK;
}

int aiotsec_batch_verify_res(const aiotsec_ctx *ctx, const aiotsec_batch_item *items, size_t n,
                             int *results, unsigned threads, size_t *n_ok)
{
    if (n_ok)
        *n_ok = 0;
    if (!ctx)
        return AIOTSEC_E_NULL_ARG;
    if (n == 0)
        return AIOTSEC_OK;
    if (!items || !results)
        return AIOTSEC_E_NULL_ARG;
    if (threads > AIOTSEC_BATCH_MAX_THREADS)
        return AIOTSEC_E_BAD_VALUE;
    size_t ok = run_batch(ctx, items, n, NULL, results, threads);
    if (n_ok)
        *n_ok = ok;
    return AIOTSEC_OK;
}
