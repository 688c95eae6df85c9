/* aiotsec bench: shared declarations of the benchmark harness (bench/ and `aiotsec bench`). */
#ifndef AIOTSEC_BENCH_H
#define AIOTSEC_BENCH_H

#include <stddef.h>
#include <stdint.h>

/* Runs the benchmark; argv[0] is the command name. Returns 0, or 2 on bad usage. */
int bench_main(int argc, char **argv);

/* A measured body: performs `iters` calls of the operation; returns 0 on success. */
typedef int (*bench_fn)(void *arg, size_t iters);

/* Measures fn: calibrates the iteration count to about `target_ms` per run, then
 * keeps the fastest of `reps` runs. ops_per_iter scales to nanoseconds per operation
 * (e.g. items per batch call). Returns ns per operation, or -1 if fn failed. */
double bench_measure(bench_fn fn, void *arg, double ops_per_iter, double target_ms, int reps);
/* The same, less the harness's own work inside fn: fn adds the nanoseconds it spent
 * preparing its calls (not in the operation) to *untimed, which is reset before
 * each run and subtracted from it. */
double bench_measure_less(bench_fn fn, void *arg, double *untimed, double ops_per_iter, double target_ms,
                          int reps);

/* Monotonic clock in nanoseconds. */
double bench_now_ns(void);

/* Deterministic filler (xorshift) for keys and RAND values: the bench needs no CSPRNG. */
void bench_fill(uint64_t *seed, uint8_t *out, size_t len);

/* The machine's ceiling and the direct-library baselines (bench_baselines.c). */
typedef struct bench_baselines {
    double libsodium_hmac_ns;    /* crypto_auth_hmacsha256 on 37 octets, 32-octet key */
    double openssl_hmac_ns;      /* HMAC(EVP_sha256()) on the same input */
    double sha256_block_1way_ns; /* one compression, one stream (latency bound) */
    double sha256_block_2way_ns; /* per compression, two interleaved streams */
    double hmac_kernel_ns;       /* per HMAC of the 37-octet S, the best kernel, in cache (-1: none) */
    const char *hmac_kernel;     /* which kernel */
    int sha_ni;                  /* CPUID: SHA extensions present */
} bench_baselines;

int bench_run_baselines(bench_baselines *out, double target_ms, int reps);

/* One result row. */
typedef struct bench_row {
    char op[40];
    char backend[24];
    int threads;
    double ns_per_op;
    size_t devices;          /* devices in the store (0: not a store row) */
    double bytes_per_device; /* resident memory per device (0: not measured) */
    long huge_kib;           /* store_load: the process's memory in transparent huge pages, KiB (-1: unknown) */
} bench_row;

#define BENCH_MAX_ROWS 128

typedef struct bench_rows {
    bench_row row[BENCH_MAX_ROWS];
    size_t n;
} bench_rows;

void bench_add_row(bench_rows *rows, const char *op, const char *backend, int threads, double ns);
/* The same for a row over a store of `devices` devices (bytes: per device, or 0). */
void bench_add_row_ex(bench_rows *rows, const char *op, const char *backend, int threads, double ns,
                      size_t devices, double bytes);
/* ns of the row (op, backend, threads, devices), or -1. */
double bench_find_dev(const bench_rows *rows, const char *op, const char *backend, int threads, size_t devices);
/* ns of the row (op, backend, threads), or -1. */
double bench_find(const bench_rows *rows, const char *op, const char *backend, int threads);

/* Benchmark settings. */
typedef struct bench_opts {
    double target_ms;      /* per measurement run */
    int reps;              /* runs per measurement; the fastest counts */
    size_t batch;          /* items per batch call */
    const char *only;      /* a single backend, or NULL for all */
    size_t devices;        /* --devices N: the store rows at N devices too (0: in cache only) */
} bench_opts;

/* Library rows for one backend (bench_ops.c) and NAS rows (bench_nas.c). */
int bench_run_ops(bench_rows *rows, const char *backend, const bench_opts *o);
int bench_run_nas(bench_rows *rows, const char *backend, const bench_opts *o);
/* ADM and AIOTF rows for one backend (bench_adm.c): named and filtered getAuthentication,
 * candidate matching. */
int bench_run_adm(bench_rows *rows, const char *backend, const bench_opts *o);
/* The ADM over a store of `devices` devices (bench_store.c): load, named batches, filter. */
int bench_run_store(bench_rows *rows, const char *backend, size_t devices, const bench_opts *o);
/* Devices of the in-cache store rows. */
#define BENCH_IN_CACHE_DEVICES 64u

#endif
