/* `aiotsec bench` / aiotsec-bench: runs every row and both baselines in one
 * process and prints a table, or with --json one JSON object. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aiotsec/aiotsec.h"
#include "bench.h"
#include "cli.h"
#include "cmd_args.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: aiotsec bench [--json] [--quick] [--backend NAME] [--batch N] [--devices N]\n"
            "  Times RES/XRES/K_AIOTF derivation, batch verification (1 thread; 2 threads on a\n"
            "  worker pool, and 2 threads created per call) and NAS\n"
            "  on every backend, getAuthentication (a named device; a filter of 1,000\n"
            "  candidates x 64 RAND_AIOT_d, per derivation) and the AIOTF's candidate matching,\n"
            "  beside direct libsodium/OpenSSL HMAC calls and the SHA-256\n"
            "  ceiling of this CPU. --quick: shorter runs; --batch: items per batch call.\n"
            "  The ADM over a store (load, batches of 4,096 named devices, a filter) runs on\n"
            "  64 devices (in cache) and, with --devices N, on N devices in the same run.\n");
}

static void cpu_name(char *out, size_t cap)
{
    snprintf(out, cap, "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return;
    char line[256];
    while (fgets(line, sizeof line, f)) {
        if (!strncmp(line, "model name", 10)) {
            char *v = strchr(line, ':');
            if (v) {
                v++;
                while (*v == ' ' || *v == '\t')
                    v++;
                v[strcspn(v, "\n")] = 0;
                snprintf(out, cap, "%s", v);
            }
            break;
        }
    }
    fclose(f);
}

/* SHA-256 compressions per operation, for the fraction of the ceiling (0: not an HMAC row). */
static double compressions(const char *op)
{
    if (!strcmp(op, "res_derive") || !strcmp(op, "xres_verify") || !strcmp(op, "kaiotf_derive"))
        return 4; /* key block inner + outer, then S inner + outer */
    if (!strcmp(op, "xres_verify_prepared") || !strcmp(op, "xres_verify_batch_prepared") ||
        !strcmp(op, "xres_verify_batch_spawn") || !strncmp(op, "adm_authentication_get", 22))
        return 2; /* prepared keys: S inner + outer */
    return 0;
}

static void json_str(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            printf("\\%c", *s);
        else if ((unsigned char)*s < 0x20)
            printf("\\u%04x", (unsigned char)*s);
        else
            putchar(*s);
    }
    putchar('"');
}

static double ratio(double num, double den)
{
    return num > 0 && den > 0 ? num / den : 0.0;
}

/* ns per HMAC at the ceiling: the best kernel when there is one, else two compressions
 * on two interleaved streams. */
static double ceiling_hmac(const bench_baselines *b)
{
    return b->hmac_kernel_ns > 0 ? b->hmac_kernel_ns : 2 * b->sha256_block_2way_ns;
}

/* The store checks: the N-device rows against the in-cache ones of the same run. */
static void print_store_checks(const bench_rows *rows, size_t devices)
{
    const char *be = "native";
    double named64 = bench_find_dev(rows, "adm_authentication_get", be, 1, BENCH_IN_CACHE_DEVICES);
    double named64_2 = bench_find_dev(rows, "adm_authentication_get", be, 2, BENCH_IN_CACHE_DEVICES);
    double named = bench_find_dev(rows, "adm_authentication_get", be, 1, devices);
    double named2 = bench_find_dev(rows, "adm_authentication_get", be, 2, devices);
    double filt = bench_find_dev(rows, "adm_authentication_get_filter", be, 1, devices);
    double filt2 = bench_find_dev(rows, "adm_authentication_get_filter", be, 2, devices);
    printf(", \"store_devices\": %zu, \"named_vs_in_cache\": %.3f, \"filter_vs_in_cache\": %.3f, "
           "\"named_two_thread_scaling\": %.3f, \"named_in_cache_two_thread_scaling\": %.3f, "
           "\"filter_two_thread_scaling\": %.3f",
           devices, ratio(named, named64), ratio(filt, named64), ratio(named, named2), ratio(named64, named64_2),
           ratio(filt, filt2));
}

static void print_json(const char *cpu, const bench_baselines *b, const bench_rows *rows, size_t devices)
{
    double batch1 = bench_find(rows, "xres_verify_batch_prepared", "native", 1);
    double batch2 = bench_find(rows, "xres_verify_batch_prepared", "native", 2); /* the pool */
    double spawn2 = bench_find(rows, "xres_verify_batch_spawn", "native", 2);
    double res = bench_find(rows, "res_derive", "native", 1);
    printf("{\"machine\": {\"cpu\": ");
    json_str(cpu);
    printf(", \"sha_ni\": %s},\n \"rows\": [", b->sha_ni ? "true" : "false");
    for (size_t i = 0; i < rows->n; i++) {
        const bench_row *r = &rows->row[i];
        printf("%s\n  {\"op\": ", i ? "," : "");
        json_str(r->op);
        printf(", \"backend\": ");
        json_str(r->backend);
        printf(", \"threads\": %d, \"ns_per_op\": %.2f, \"ops_per_s\": %.1f", r->threads, r->ns_per_op,
               1e9 / r->ns_per_op);
        if (r->devices)
            printf(", \"devices\": %zu", r->devices);
        if (!strcmp(r->op, "store_load"))
            printf(", \"bytes_per_device\": %.1f, \"huge_pages_kib\": %ld", r->bytes_per_device, r->huge_kib);
        putchar('}');
    }
    printf("],\n \"baselines\": {\"libsodium_hmac_ns\": %.2f, \"openssl_hmac_ns\": %.2f, "
           "\"sha256_block_1way_ns\": %.2f, \"sha256_block_2way_ns\": %.2f, \"hmac_kernel_ns\": %.2f, "
           "\"hmac_kernel\": ",
           b->libsodium_hmac_ns, b->openssl_hmac_ns, b->sha256_block_1way_ns, b->sha256_block_2way_ns,
           b->hmac_kernel_ns);
    json_str(b->hmac_kernel);
    printf("},\n");
    printf(" \"checks\": {\"batch_verify_vs_libsodium\": %.3f, \"batch_verify_of_ceiling\": %.3f, "
           "\"res_native_vs_libsodium\": %.3f, \"two_thread_scaling\": %.3f, "
           "\"two_thread_scaling_spawn\": %.3f",
           ratio(b->libsodium_hmac_ns, batch1), ratio(ceiling_hmac(b), batch1),
           ratio(b->libsodium_hmac_ns, res), ratio(batch1, batch2), ratio(batch1, spawn2));
    print_store_checks(rows, devices ? devices : BENCH_IN_CACHE_DEVICES);
    printf("}}\n");
}

static void print_table(const char *cpu, const bench_baselines *b, const bench_rows *rows,
                        const bench_opts *o)
{
    printf("aiotsec bench: %s, SHA-NI %s; batch %zu items; fastest of %d runs of ~%.1f ms\n\n", cpu,
           b->sha_ni ? "yes" : "no", o->batch, o->reps, o->target_ms);
    printf("%-29s %-16s %3s %9s %10s %14s %8s %8s %8s\n", "op", "backend", "thr", "devices", "ns/op",
           "ops/s/core", "x sodium", "x ossl", "ceiling");
    for (size_t i = 0; i < rows->n; i++) {
        const bench_row *r = &rows->row[i];
        double c = compressions(r->op);
        char ceil[16] = "-";
        if (c > 0)
            snprintf(ceil, sizeof ceil, "%.0f%%", 100.0 * c / 2 * ceiling_hmac(b) / (r->ns_per_op * r->threads));
        char dev[24] = "-";
        if (r->devices)
            snprintf(dev, sizeof dev, "%zu", r->devices);
        printf("%-29s %-16s %3d %9s %10.1f %14.0f %8.2f %8.2f %8s", r->op, r->backend, r->threads, dev,
               r->ns_per_op, 1e9 / r->ns_per_op / r->threads, ratio(b->libsodium_hmac_ns, r->ns_per_op),
               ratio(b->openssl_hmac_ns, r->ns_per_op), ceil);
        if (!strcmp(r->op, "store_load"))
            printf("  %.1f B/device, %ld KiB in huge pages", r->bytes_per_device, r->huge_kib);
        putchar('\n');
    }
    printf("\nbaselines: libsodium crypto_auth_hmacsha256 %.1f ns, OpenSSL HMAC() %.1f ns (37 octets)\n",
           b->libsodium_hmac_ns, b->openssl_hmac_ns);
    printf("ceiling:   SHA-256 block %.1f ns on 1 stream, %.1f ns per block on 2 interleaved streams;\n"
           "           HMAC of the 37-octet S %.1f ns with the best kernel here, %s\n",
           b->sha256_block_1way_ns, b->sha256_block_2way_ns, b->hmac_kernel_ns, b->hmac_kernel);
    printf("ceiling = HMACs per op x the kernel's ns per HMAC / (ns per op x threads), i.e. per core;\n"
           "x sodium / x ossl = baseline ns / ns per op; ops/s/core divides by the thread count\n"
           "(the JSON's ops_per_s is the total). Batch rows, same batch and timing for all:\n"
           "  xres_verify_batch_prepared thr 2 = aiotsec_batch_pool_verify_res() on a 2-thread\n"
           "  pool made once outside the timed loop (the caller + 1 worker, kept awake by\n"
           "  back-to-back calls); xres_verify_batch_spawn thr 2 = aiotsec_batch_verify_res()\n"
           "  with threads = 2, which creates and joins its thread in every call.\n"
           "ADM rows: adm_authentication_get_one = one named device, one RAND_AIOT_d per call\n"
           "  (4,096 devices); adm_authentication_get = batches of 4,096 named devices drawn at\n"
           "  random from the store (64 devices: in cache; --devices N: the operator's case),\n"
           "  ns per device; adm_authentication_get_filter = 1,000 (4,096 devices) or 1,024\n"
           "  candidates x 64 RAND_AIOT_d per call, ns per derivation (thr 2: the ADM given a\n"
           "  2-thread pool); store_load = ns per device to load the store, with its resident\n"
           "  memory per device;\n"
           "  aiotf_match_candidates = the AIOTF comparing 64 RES_AIOT with those candidate\n"
           "  sets in constant time, ns per comparison.\n");
}

/* Options through the CLI's one parser (cli/cmd_args.c): "--name VALUE" or
 * "--name=VALUE", as every aiotsec command. Returns 0 to run, else the exit
 * status (0 after --help). */
static int parse(int argc, char **argv, bench_opts *o, int *json)
{
    const char *backend = NULL, *batch = NULL, *devices = NULL;
    cmd_opt opts[] = {{"--json", NULL, 1, 0},        {"--quick", NULL, 1, 0},
                      {"--backend", &backend, 1, 0}, {"--batch", &batch, 1, 0},
                      {"--devices", &devices, 1, 0}};
    int rc = cmd_parse_opts(argc - 1, argv + 1, opts, sizeof opts / sizeof opts[0]);
    if (rc == CMD_HELP) {
        usage(stdout);
        return -1;
    }
    if (rc != CLI_OK) {
        usage(stderr);
        return rc;
    }
    *json = opts[0].count != 0;
    if (opts[1].count) {
        o->target_ms = 1;
        o->reps = 5;
    }
    o->only = backend;
    unsigned long v = 0;
    if (batch) {
        if (cli_parse_uint(batch, 1ul << 20, &v) != CLI_OK || v < 2)
            return cli_usage_error("bench: --batch wants 2..1048576");
        o->batch = (size_t)v;
    }
    if (devices) {
        if (cli_parse_uint(devices, 100000000ul, &v) != CLI_OK || v < 1)
            return cli_usage_error("bench: --devices wants 1..100000000");
        o->devices = (size_t)v;
    }
    return 0;
}

/* One line on stderr as each phase starts, so that a run of minutes shows where it
 * is; the results go to stdout (the table or the JSON) at the end. */
static void progress(const char *phase, const char *backend)
{
    fprintf(stderr, "aiotsec bench: %s%s%s\n", phase, backend ? " on " : "", backend ? backend : "");
    fflush(stderr);
}

int bench_main(int argc, char **argv)
{
    bench_opts o = {.target_ms = 0.5, .reps = 200, .batch = 4096, .only = NULL, .devices = 0};
    int json = 0;
    int rc = parse(argc, argv, &o, &json);
    if (rc != 0)
        return rc < 0 ? 0 : rc;
    if (o.only) {
        const aiotsec_backend *be;
        if (aiotsec_backend_find(o.only, &be) != AIOTSEC_OK) {
            fprintf(stderr, "aiotsec: bench: backend '%s' is not available\n", o.only);
            return 2;
        }
    }

    char cpu[128];
    cpu_name(cpu, sizeof cpu);
    bench_baselines b;
    progress("baselines (libsodium, OpenSSL, SHA-256 and HMAC kernel ceilings)", NULL);
    if (bench_run_baselines(&b, o.target_ms, o.reps) != 0) {
        fprintf(stderr, "aiotsec: bench: baselines failed\n");
        return 1;
    }
    /* Measured again at the end: the faster of the two counts (a busy machine
     * only ever slows a measurement down). */
    static bench_rows rows; /* ~10 KiB: not on the stack */
    rows.n = 0;
    int failed = 0;
    for (size_t i = 0; i < aiotsec_backend_count(); i++) {
        const char *name = aiotsec_backend_name_at(i);
        if (!name || (o.only && strcmp(o.only, name)))
            continue;
        progress("derivations and batches", name);
        if (bench_run_ops(&rows, name, &o) != 0) {
            fprintf(stderr, "aiotsec: bench: backend %s failed\n", name);
            failed = 1;
        }
    }
    /* The ADM rows on the backends an ADM would pick by name (not the forced native paths). */
    for (size_t i = 0; i < aiotsec_backend_count(); i++) {
        const char *name = aiotsec_backend_name_at(i);
        if (!name || (o.only && strcmp(o.only, name)) || !strncmp(name, "native-", 7))
            continue;
        progress("ADM and AIOTF rows", name);
        if (bench_run_adm(&rows, name, &o) != 0) {
            fprintf(stderr, "aiotsec: bench: ADM rows on backend %s failed\n", name);
            failed = 1;
        }
    }
    /* The store rows on native (the backend with compact keys), in cache, then at N devices. */
    const char *store_be = o.only ? o.only : "native";
    const aiotsec_backend *sbe;
    if (aiotsec_backend_find(store_be, &sbe) == AIOTSEC_OK) {
        progress(o.devices ? "key store rows (64 devices, then --devices)" : "key store rows (64 devices)", store_be);
        if (bench_run_store(&rows, store_be, BENCH_IN_CACHE_DEVICES, &o) != 0 ||
            (o.devices && bench_run_store(&rows, store_be, o.devices, &o) != 0)) {
            fprintf(stderr, "aiotsec: bench: store rows on backend %s failed\n", store_be);
            failed = 1;
        }
    }
    progress("NAS rows", NULL);
    failed |= bench_run_nas(&rows, NULL, &o) != 0;
    for (size_t i = 0; i < aiotsec_backend_count(); i++) {
        const char *name = aiotsec_backend_name_at(i);
        if (!name || (o.only && strcmp(o.only, name)))
            continue;
        if (bench_run_nas(&rows, name, &o) != 0) {
            fprintf(stderr, "aiotsec: bench: NAS on backend %s failed\n", name);
            failed = 1;
        }
    }
    bench_baselines b2;
    progress("baselines again (the faster of the two counts)", NULL);
    if (bench_run_baselines(&b2, o.target_ms, o.reps) == 0) {
        if (b2.libsodium_hmac_ns > 0 && b2.libsodium_hmac_ns < b.libsodium_hmac_ns)
            b.libsodium_hmac_ns = b2.libsodium_hmac_ns;
        if (b2.openssl_hmac_ns > 0 && b2.openssl_hmac_ns < b.openssl_hmac_ns)
            b.openssl_hmac_ns = b2.openssl_hmac_ns;
        if (b2.sha256_block_1way_ns > 0 && b2.sha256_block_1way_ns < b.sha256_block_1way_ns)
            b.sha256_block_1way_ns = b2.sha256_block_1way_ns;
        if (b2.sha256_block_2way_ns > 0 && b2.sha256_block_2way_ns < b.sha256_block_2way_ns)
            b.sha256_block_2way_ns = b2.sha256_block_2way_ns;
        if (b2.hmac_kernel_ns > 0 && b2.hmac_kernel_ns < b.hmac_kernel_ns) {
            b.hmac_kernel_ns = b2.hmac_kernel_ns;
            b.hmac_kernel = b2.hmac_kernel; /* the kernel that measured it */
        }
    }
    if (json)
        print_json(cpu, &b, &rows, o.devices);
    else
        print_table(cpu, &b, &rows, &o);
    return failed ? 1 : 0;
}
