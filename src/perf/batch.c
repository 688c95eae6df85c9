/* Batches of XRES_AIOT derivations / RES_AIOT verifications over prepared keys.
 * (The caller-owned worker pool, aiotsec_batch_*_pool, is batch_pool.c; it runs
 * the same aiot_batch_take_grains loop as the per-call threads here.)
 *
 * Items are taken CHUNK at a time: the valid ones are packed (their prepared
 * keys and RANDs in pointer arrays, and their KDF strings S side by side unless
 * the built-in backend's three-stream path takes the RANDs: core/backend_ext.h) and
 * handed to the backend in one call, so it can interleave several SHA-256 streams;
 * with the built-in backend's item kernel, a chunk of valid verifications is read
 * in place instead. Everything lives on the stack: no allocation unless the caller
 * asks for threads. */
#include <pthread.h>
#include <stddef.h>
#include <stdatomic.h>
#include <string.h>

#include "core/backend_ext.h"
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

/* The built-in backend's RES_AIOT fast paths (core/backend_ext.h), when ctx can
 * take them: compact keys, and an FC of one octet (the block the kernels form). */
static const aiot_backend_ext *rand_ext(const aiotsec_ctx *ctx)
{
    if (!aiot_has_compact(ctx) || ctx->profile.p.fc_res > 0xFE)
        return NULL;
    return aiot_backend_ext_of(&ctx->be);
}

/* MACs of m packed items: the extension's kdf_rand when there is one (states are
 * then compact keys, p0/p1 the RANDs); else from the strings S at msgs, through
 * the backend's batch path or one by one. `states` holds compact forms when the
 * backend has them (every key has one then: views have nothing else), else whole
 * states. */
static int macs_of(const aiotsec_ctx *ctx, const aiot_backend_ext *ext, const void *const *states,
                   const uint8_t *const *p0, const uint8_t *const *p1, const uint8_t *msgs, size_t s_len, size_t m,
                   uint8_t *macs)
{
    if (ext)
        return aiot_map_backend(
            ext->kdf_rand(ctx->be.user, states, (uint8_t)ctx->profile.p.fc_res, p0, p1, m, macs, 32));
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

/* A chunk's verdict bits (bit j: packed item j matched, declassified) as statuses,
 * item j's at results[idx[j]] (results[j] without idx); returns the matches. */
static size_t put_verdicts(uint64_t bits, const size_t *idx, size_t m, int *results)
{
    for (size_t j = 0; j < m; j++)
        results[idx ? idx[j] : j] = (bits >> j) & 1u ? AIOTSEC_OK : AIOTSEC_E_AUTH_FAILED;
    return (size_t)__builtin_popcountll(bits);
}

/* A chunk of cn verifications, every item valid, through the extension's item
 * kernel: it reads the items in place and compares each RES itself, so this loop
 * only turns its differences into verdicts. */
static size_t verify_chunk_items(const aiotsec_ctx *ctx, const aiot_backend_ext *ext,
                                 const aiotsec_batch_item *items, size_t cn, int *results, uint64_t diffs[CHUNK])
{
    ext->verify_items(ctx->be.user, items, cn, offsetof(struct aiotsec_prepared_key, compact),
                      (uint8_t)ctx->profile.p.fc_res, diffs);
    uint64_t bits = 0;
    for (size_t j = 0; j < cn; j++)
        bits |= aiot_ct_zero_bit(diffs[j]) << j;
    return put_verdicts(aiot_ct_verdicts(bits), NULL, cn, results);
}

/* 1 (still secret) when RES_AIOT is the least significant res_len octets of a MAC;
 * the profile-0 length spelled out, so that the compare is two words with no loop. */
static inline __attribute__((always_inline)) uint64_t res_bit(const uint8_t *mac, const uint8_t *res, size_t res_len)
{
    if (res_len == 16)
        return aiot_ct_eq_bit(mac + 32 - 16, res, 16);
    return aiot_ct_eq_bit(mac + 32 - res_len, res, res_len);
}

_Static_assert(CHUNK <= 64, "a chunk's verdicts are one 64-bit word");

static void run_slice(slice *sl)
{
    const aiotsec_ctx *ctx = sl->ctx;
    const int verify = sl->xres == NULL;
    const size_t res_len = ctx->profile.p.res_len;
    const uint16_t fc = ctx->profile.p.fc_res;
    const void *states[CHUNK];
    const uint8_t *p0[CHUNK], *p1[CHUNK];
    size_t idx[CHUNK];
    uint8_t msgs[CHUNK * AIOT_S_RAND_MAX];
    uint8_t macs[CHUNK * 32];
    uint64_t diffs[CHUNK]; /* the item kernel's MAC-and-RES differences */
    size_t n_ok = 0, used = 0, diffs_used = 0; /* slots written, to wipe */
    /* Every valid item has the profile's lengths, so one S length for all. */
    const size_t s_len = (fc >= 0xFF00 ? 2u : 1u) + AIOTSEC_RAND_LEN + 2u + AIOTSEC_RAND_LEN + 2u;
    const int compact = aiot_has_compact(ctx);
    const aiot_backend_ext *ext = rand_ext(ctx);
    const int lay_out = ext == NULL;                                          /* the backend needs S in memory */
    const int item_kernel = verify && ext && ext->verify_items && res_len == 16; /* its compare takes 16 */

    for (size_t base = 0; base < sl->n; base += CHUNK) {
        size_t cn = sl->n - base < CHUNK ? sl->n - base : CHUNK;
        size_t m = 0;
        if (item_kernel) {
            int all_ok = 1;
            for (size_t j = 0; j < cn; j++)
                all_ok &= check_item(ctx, &sl->items[base + j], 1) == AIOTSEC_OK;
            if (all_ok) {
                n_ok += verify_chunk_items(ctx, ext, sl->items + base, cn, sl->results + base, diffs);
                diffs_used = cn > diffs_used ? cn : diffs_used;
                continue;
            }
            /* A chunk with an invalid item takes the general path below. */
        }
        for (size_t j = 0; j < cn; j++) {
            const aiotsec_batch_item *it = &sl->items[base + j];
            int rc = check_item(ctx, it, verify);
            sl->results[base + j] = rc;
            if (rc != AIOTSEC_OK) {
                if (!verify)
                    memset(sl->xres + (base + j) * res_len, 0, res_len);
                continue;
            }
            if (lay_out)
                put_s(fc, it->rand_n, it->rand_d, msgs + m * s_len);
            states[m] = compact ? (const void *)it->key->compact : (const void *)it->key->state;
            p0[m] = it->rand_n;
            p1[m] = it->rand_d;
            idx[m++] = base + j;
        }
        if (!m)
            continue;
        used = m > used ? m : used;
        int rc = macs_of(ctx, ext, states, p0, p1, msgs, s_len, m, macs);
        if (rc != AIOTSEC_OK) {
            for (size_t j = 0; j < m; j++) {
                sl->results[idx[j]] = rc;
                if (!verify)
                    memset(sl->xres + idx[j] * res_len, 0, res_len);
            }
        } else if (verify) {
            /* The chunk's verdicts leave in one word, then become statuses. */
            uint64_t bits = 0;
            for (size_t j = 0; j < m; j++)
                bits |= res_bit(macs + 32 * j, sl->items[idx[j]].res, res_len) << j;
            n_ok += put_verdicts(aiot_ct_verdicts(bits), idx, m, sl->results);
        } else {
            for (size_t j = 0; j < m; j++) /* least significant octets */
                memcpy(sl->xres + idx[j] * res_len, macs + 32 * j + 32 - res_len, res_len);
            n_ok += m;
        }
    }
    aiotsec_wipe(macs, 32 * used); /* XRES material */
    aiotsec_wipe(diffs, sizeof diffs[0] * diffs_used);
    sl->n_ok = n_ok;
}

int aiot_batch_derive_compact(const aiotsec_ctx *ctx, const void *const *keys, const uint8_t *const *rand_n,
                              const uint8_t *const *rand_d, size_t n, uint8_t *xres)
{
    const size_t res_len = ctx->profile.p.res_len;
    const aiot_backend_ext *ext = rand_ext(ctx);
    if (ext) /* XRES_AIOT written in place: no S, no MAC buffer */
        return aiot_map_backend(
            ext->kdf_rand(ctx->be.user, keys, (uint8_t)ctx->profile.p.fc_res, rand_n, rand_d, n, xres, res_len));
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
        rc = macs_of(ctx, NULL, keys + base, NULL, NULL, msgs, s_len, m, macs);
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
 * for it at the end of a fixed half. The caller takes grains from the front and the
 * other threads from the back, so from one call to the next each thread mostly
 * writes the same results and XRES lines (they stay in its own cache). */
void aiot_batch_job_reset(aiot_batch_job *jb)
{
    atomic_store_explicit(&jb->next, 0, memory_order_relaxed);
    atomic_store_explicit(&jb->span, jb->n <= UINT32_MAX ? (uint64_t)jb->n : 0u, memory_order_relaxed);
}

/* The next grain (its first item in *first), or 0 when none is left. */
static size_t take_grain(aiot_batch_job *jb, int from_back, size_t *first)
{
    const size_t grain = aiot_batch_job_grain(jb);
    if (jb->n > UINT32_MAX) {
        size_t b = atomic_fetch_add_explicit(&jb->next, grain, memory_order_relaxed);
        *first = b;
        return b >= jb->n ? 0 : jb->n - b < grain ? jb->n - b : grain;
    }
    uint64_t sp = atomic_load_explicit(&jb->span, memory_order_relaxed), nsp;
    size_t len;
    do {
        size_t f = (size_t)(sp >> 32), e = (size_t)(uint32_t)sp;
        if (f >= e)
            return 0;
        len = e - f < grain ? e - f : grain;
        *first = from_back ? e - len : f;
        nsp = from_back ? ((uint64_t)f << 32 | (uint64_t)(e - len)) : ((uint64_t)(f + len) << 32 | (uint64_t)e);
    } while (!atomic_compare_exchange_weak_explicit(&jb->span, &sp, nsp, memory_order_relaxed,
                                                    memory_order_relaxed));
    return len;
}

size_t aiot_batch_take_grains(aiot_batch_job *jb, int from_back)
{
    const size_t res_len = jb->ctx->profile.p.res_len;
    size_t n_ok = 0, b, len;
    while ((len = take_grain(jb, from_back, &b)) != 0) {
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
    int from_back; /* the caller takes from the front, the threads from the back */
    size_t n_ok;   /* written by this worker's thread only */
} worker;

static void *work(void *arg)
{
    worker *w = arg;
    w->n_ok = aiot_batch_take_grains(w->job, w->from_back);
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
    aiot_batch_job jb = {ctx, items, n, xres, results, 0, 0, NULL, NULL, 0};
    aiot_batch_job_reset(&jb);
    worker w[AIOTSEC_BATCH_MAX_THREADS];
    pthread_t tid[AIOTSEC_BATCH_MAX_THREADS];
    int started[AIOTSEC_BATCH_MAX_THREADS];
    for (unsigned t = 0; t < threads; t++)
        w[t] = (worker){&jb, t != 0, 0};
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
