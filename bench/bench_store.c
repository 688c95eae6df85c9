/* The ADM at operator scale: rows over a store of N devices in the same run as
 * the same rows over 64 devices (in cache).
 *
 *  - store_load: aiotsec_memstore_load_buffer() of N devices (8-octet Permanent
 *    Identifiers, 16-octet keys, the text in Permanent Identifier order as an
 *    operator's export is), ns per device; bytes_per_device = resident memory
 *    the store added (RSS after the load minus before, the text excluded), over N;
 *  - adm_authentication_get: aiotsec_adm_get_authentication_named() on batches of
 *    4,096 devices drawn at random from the whole store (256 batches drawn at
 *    setup and used in turn: 1,048,576 look-ups before one repeats, so at 10 M
 *    devices almost every look-up misses every cache), one RAND_AIOT_d each;
 *    1 thread, and 2 with a worker pool given to the ADM;
 *  - adm_authentication_get_filter: a filter matching 1,024 devices in the middle
 *    of the store x 64 RAND_AIOT_d, ns per derivation; 1 and 2 threads.
 * The store keeps no raw keys (AIOTSEC_MEMSTORE_NO_RAW_KEYS), as an ADM that
 * only derives would. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aiotsec/aiotsec.h"
#include "bench.h"

#define NAMED_BATCH 4096u
#define FILTER_BITS 10u /* 2^10 = 1,024 candidates */
#define RAND_DS 64u
#define ID_LEN 8u
#define DRAWS 256u /* batches of random devices drawn at setup (1,048,576 look-ups), used in turn */

typedef struct store_arg {
    aiotsec_ctx *ctx;
    aiotsec_memstore *store;
    aiotsec_batch_pool *pool;
    aiotsec_adm *adm, *adm_pool;
    aiotsec_auth_answer *ans;
    size_t devices;
    uint64_t seed;
    size_t draw;
    uint8_t (*ids)[ID_LEN]; /* DRAWS x NAMED_BATCH identifiers, drawn at random from the store */
    aiotsec_adm_named items[NAMED_BATCH];
    double untimed; /* ns spent filling batches (bench_measure_less) */
    uint8_t xres[NAMED_BATCH * 16];
    int results[NAMED_BATCH];
    uint8_t rand_n[16], rand_d[RAND_DS * 16];
    uint8_t filter[AIOTSEC_FILTER_MAX];
    size_t filter_len;
} store_arg;

/* Device i's Permanent Identifier: 0xab then i, 7 octets big-endian. */
static void id_of(size_t i, uint8_t out[ID_LEN])
{
    out[0] = 0xab;
    for (unsigned b = 0; b < 7; b++)
        out[7 - b] = (uint8_t)(i >> (8 * b));
}

static uint64_t next_rand(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static long rss_kib(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long pages = 0, resident = 0;
    if (!f)
        return -1;
    if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
        resident = -1;
    fclose(f);
    return resident < 0 ? -1 : resident * (sysconf(_SC_PAGESIZE) / 1024);
}

/* Resident memory in transparent huge pages (KiB): the store asks for them
 * (madvise), and whether the kernel had them changes the cold look-ups a lot. */
static long thp_kib(void)
{
    FILE *f = fopen("/proc/self/smaps_rollup", "r");
    char line[128];
    long kib = -1;
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "AnonHugePages: %ld kB", &kib) == 1)
            break;
    fclose(f);
    return kib;
}

static const char hexd[] = "0123456789abcdef";

/* The key file text of n devices, in Permanent Identifier order. */
static char *key_text(size_t n, size_t *len)
{
    const size_t line = 2 * ID_LEN + 1 + 32 + 1;
    char *t = malloc(n * line);
    if (!t)
        return NULL;
    uint64_t seed = 0x9e3779b97f4a7c15u;
    for (size_t i = 0; i < n; i++) {
        char *p = t + i * line;
        uint8_t id[ID_LEN], key[16];
        id_of(i, id);
        bench_fill(&seed, key, sizeof key);
        for (unsigned b = 0; b < ID_LEN; b++) {
            *p++ = hexd[id[b] >> 4];
            *p++ = hexd[id[b] & 15];
        }
        *p++ = ' ';
        for (unsigned b = 0; b < 16; b++) {
            *p++ = hexd[key[b] >> 4];
            *p++ = hexd[key[b] & 15];
        }
        *p = '\n';
    }
    *len = n * line;
    return t;
}

static int run_named(store_arg *a, const aiotsec_adm *adm, size_t iters)
{
    for (size_t it = 0; it < iters; it++) {
        /* The next draw: the identifiers were made at setup, and the caller's filling of the batch (a
         * pointer per item) is not timed, so the time is the ADM's alone, from a batch fresh in the
         * caller's cache as an SBI server's would be. */
        double t0 = bench_now_ns();
        uint8_t(*ids)[ID_LEN] = a->ids + (a->draw++ % DRAWS) * NAMED_BATCH;
        for (size_t j = 0; j < NAMED_BATCH; j++)
            a->items[j].perm_id = ids[j];
        a->untimed += bench_now_ns() - t0;
        size_t ok = 0;
        if (aiotsec_adm_get_authentication_named(adm, a->items, NAMED_BATCH, a->xres, sizeof a->xres, a->results,
                                                 &ok) != AIOTSEC_OK ||
            ok != NAMED_BATCH)
            return -1;
    }
    return 0;
}

static int run_named1(void *p, size_t iters)
{
    store_arg *a = p;
    return run_named(a, a->adm, iters);
}

static int run_named2(void *p, size_t iters)
{
    store_arg *a = p;
    return run_named(a, a->adm_pool, iters);
}

static int run_filter(store_arg *a, const aiotsec_adm *adm, size_t iters)
{
    aiotsec_adm_request rq;
    memset(&rq, 0, sizeof rq);
    rq.filter = a->filter;
    rq.filter_len = a->filter_len;
    rq.rand_n = a->rand_n;
    rq.rand_n_len = 16;
    rq.rand_d = a->rand_d;
    rq.rand_d_count = RAND_DS;
    size_t want = (a->devices < (1u << FILTER_BITS) ? a->devices : (1u << FILTER_BITS)) * RAND_DS;
    for (size_t i = 0; i < iters; i++)
        if (aiotsec_adm_get_authentication(adm, &rq, a->ans) != AIOTSEC_OK ||
            aiotsec_auth_answer_entry_count(a->ans) != want)
            return -1;
    return 0;
}

static int run_filter1(void *p, size_t iters)
{
    store_arg *a = p;
    return run_filter(a, a->adm, iters);
}

static int run_filter2(void *p, size_t iters)
{
    store_arg *a = p;
    return run_filter(a, a->adm_pool, iters);
}

static void free_arg(store_arg *a)
{
    free(a->ids);
    aiotsec_auth_answer_free(a->ans);
    aiotsec_adm_free(a->adm);
    aiotsec_adm_free(a->adm_pool);
    aiotsec_batch_pool_free(a->pool);
    aiotsec_memstore_free(a->store);
    aiotsec_ctx_free(a->ctx);
    free(a);
}

/* Loads the store (timed once: a load of millions is long enough) and sets up the ADMs. */
static int setup(store_arg *a, const char *backend, size_t devices, double *load_ns, double *bytes, long *huge)
{
    a->devices = devices;
    a->seed = 0x2545f4914f6cdd1du;
    size_t len = 0;
    char *text = key_text(devices, &len);
    if (!text || aiotsec_ctx_new(&a->ctx, backend, NULL) != AIOTSEC_OK)
        goto fail;
    long before = rss_kib();
    double t0 = bench_now_ns();
    size_t line = 0;
    if (aiotsec_memstore_new_with_flags(&a->store, a->ctx, 0, AIOTSEC_MEMSTORE_NO_RAW_KEYS) != AIOTSEC_OK ||
        aiotsec_memstore_load_buffer(a->store, text, len, &line) != AIOTSEC_OK ||
        aiotsec_memstore_count(a->store) != devices)
        goto fail;
    *load_ns = (bench_now_ns() - t0) / (double)devices;
    long after = rss_kib();
    *bytes = before >= 0 && after >= before ? (double)(after - before) * 1024.0 / (double)devices : 0;
    *huge = thp_kib();
    free(text);
    text = NULL;

    /* The filter: the 1,024 devices from the middle of the store on (a multiple of 1,024). */
    uint8_t mid[ID_LEN];
    id_of(devices / 2 & ~(size_t)((1u << FILTER_BITS) - 1), mid);
    aiotsec_keystore ks;
    aiotsec_adm_config cfg;
    bench_fill(&a->seed, a->rand_n, sizeof a->rand_n);
    bench_fill(&a->seed, a->rand_d, sizeof a->rand_d);
    a->ids = malloc((size_t)DRAWS * NAMED_BATCH * ID_LEN);
    if (!a->ids)
        goto fail;
    for (size_t j = 0; j < (size_t)DRAWS * NAMED_BATCH; j++)
        id_of((size_t)(next_rand(&a->seed) % devices), a->ids[j]);
    for (size_t j = 0; j < NAMED_BATCH; j++)
        a->items[j] = (aiotsec_adm_named){a->ids[j], ID_LEN, a->rand_n, 16, a->rand_d + 16 * (j % RAND_DS), 16};
    if (aiotsec_filter_make(NULL, mid, 8 * ID_LEN - FILTER_BITS, a->filter, sizeof a->filter, &a->filter_len) !=
            AIOTSEC_OK ||
        aiotsec_memstore_keystore(a->store, &ks) != AIOTSEC_OK ||
        aiotsec_batch_pool_new(&a->pool, 2) != AIOTSEC_OK ||
        aiotsec_auth_answer_new(&a->ans, (1u << FILTER_BITS) * RAND_DS) != AIOTSEC_OK ||
        aiotsec_adm_new(&a->adm, a->ctx, &ks, NULL) != AIOTSEC_OK ||
        aiotsec_adm_config_init(&cfg, a->ctx) != AIOTSEC_OK)
        goto fail;
    cfg.pool = a->pool;
    if (aiotsec_adm_new(&a->adm_pool, a->ctx, &ks, &cfg) != AIOTSEC_OK)
        goto fail;
    return 0;
fail:
    free(text);
    return -1;
}

int bench_run_store(bench_rows *rows, const char *backend, size_t devices, const bench_opts *o)
{
    store_arg *a = calloc(1, sizeof *a);
    if (!a)
        return -1;
    double load_ns = 0, bytes = 0;
    long huge = -1;
    if (setup(a, backend, devices, &load_ns, &bytes, &huge) != 0) {
        free_arg(a);
        return -1;
    }
    /* Longer runs than the other rows: a call is ~0.5 ms (4,096 look-ups), and the
     * pool's worker must be caught awake and busy, not starting up. */
    double t = o->target_ms * 10;
    int reps = o->reps < 40 ? o->reps : 40; /* the fastest of many: 2-thread runs vary with the host */
    bench_add_row_ex(rows, "store_load", backend, 1, load_ns, devices, bytes);
    rows->row[rows->n - 1].huge_kib = huge;
    bench_add_row_ex(rows, "adm_authentication_get", backend, 1,
                     bench_measure_less(run_named1, a, &a->untimed, NAMED_BATCH, t, reps), devices, 0);
    bench_add_row_ex(rows, "adm_authentication_get", backend, 2,
                     bench_measure_less(run_named2, a, &a->untimed, NAMED_BATCH, t, reps), devices, 0);
    double per_call = (double)(devices < (1u << FILTER_BITS) ? devices : (1u << FILTER_BITS)) * RAND_DS;
    bench_add_row_ex(rows, "adm_authentication_get_filter", backend, 1,
                     bench_measure(run_filter1, a, per_call, t, reps), devices, 0);
    bench_add_row_ex(rows, "adm_authentication_get_filter", backend, 2,
                     bench_measure(run_filter2, a, per_call, t, reps), devices, 0);
    free_arg(a);
    return 0;
}
