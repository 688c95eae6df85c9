/* Timing: calibrate, repeat, keep the fastest run (the least disturbed by the
 * other processes on a shared machine). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bench.h"

double bench_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

void bench_fill(uint64_t *seed, uint8_t *out, size_t len)
{
    uint64_t x = *seed ? *seed : 0x9e3779b97f4a7c15ull;
    for (size_t i = 0; i < len; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out[i] = (uint8_t)(x >> 32);
    }
    *seed = x;
}

double bench_measure_less(bench_fn fn, void *arg, double *untimed, double ops_per_iter, double target_ms,
                          int reps)
{
    double none = 0;
    if (!untimed)
        untimed = &none;
    size_t iters = 1;
    double t;
    /* Calibrate: double the count until one run takes a tenth of the target. */
    for (;;) {
        *untimed = 0;
        double t0 = bench_now_ns();
        if (fn(arg, iters) != 0)
            return -1;
        t = bench_now_ns() - t0 - *untimed;
        if (t >= target_ms * 1e5 || iters >= ((size_t)1 << 40))
            break;
        iters *= 2;
    }
    double scale = t > 0 ? target_ms * 1e6 / t : 10.0;
    if (scale > 1.0)
        iters = (size_t)((double)iters * scale) + 1;
    double best = -1;
    for (int r = 0; r < reps; r++) {
        *untimed = 0;
        double t0 = bench_now_ns();
        if (fn(arg, iters) != 0)
            return -1;
        double ns = (bench_now_ns() - t0 - *untimed) / ((double)iters * ops_per_iter);
        if (best < 0 || ns < best)
            best = ns;
    }
    return best;
}

double bench_measure(bench_fn fn, void *arg, double ops_per_iter, double target_ms, int reps)
{
    return bench_measure_less(fn, arg, NULL, ops_per_iter, target_ms, reps);
}

void bench_add_row_ex(bench_rows *rows, const char *op, const char *backend, int threads, double ns,
                      size_t devices, double bytes)
{
    if (rows->n >= BENCH_MAX_ROWS || ns <= 0)
        return;
    bench_row *r = &rows->row[rows->n++];
    snprintf(r->op, sizeof r->op, "%s", op);
    snprintf(r->backend, sizeof r->backend, "%s", backend);
    r->threads = threads;
    r->ns_per_op = ns;
    r->devices = devices;
    r->bytes_per_device = bytes;
    r->huge_kib = -1;
}

void bench_add_row(bench_rows *rows, const char *op, const char *backend, int threads, double ns)
{
    bench_add_row_ex(rows, op, backend, threads, ns, 0, 0);
}

double bench_find_dev(const bench_rows *rows, const char *op, const char *backend, int threads, size_t devices)
{
    for (size_t i = 0; i < rows->n; i++)
        if (!strcmp(rows->row[i].op, op) && !strcmp(rows->row[i].backend, backend) &&
            rows->row[i].threads == threads && rows->row[i].devices == devices)
            return rows->row[i].ns_per_op;
    return -1;
}

double bench_find(const bench_rows *rows, const char *op, const char *backend, int threads)
{
    return bench_find_dev(rows, op, backend, threads, 0);
}
