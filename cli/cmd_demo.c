/* aiotsec demo: the authentication procedure of spec section 1 end to end,
 * ADM, AIOTF and tags in one process, then the attacks. Exit 0 only when every
 * expected success succeeded and every attack was rejected with its status. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "demo.h"

#define DEFAULT_DEVICES 5
#define MAX_COUNT 10000000ul

static void help(void)
{
    printf("usage: aiotsec demo [--devices FILE | --count N] [--json] [--backend NAME]\n\n"
           "Runs the AIoT authentication procedure (spec section 1) in one process: an ADM\n"
           "with an in-memory key store, an AIOTF, and simulated tags. Inventories every\n"
           "device, runs READ, WRITE, READ-back and DISABLE on device 1, then the attacks\n"
           "(wrong key, replayed and tampered COMMAND REQUEST, paging during a procedure,\n"
           "unsolicited and late reports, commands to a disabled tag).\n\n"
           "  --devices FILE  key file: one device a line, identification information,\n"
           "                  Permanent Identifier, K_AIOT_root (hex), '#' comments\n"
           "  --count N       N devices made in memory (default %d; at least 2)\n"
           "  --json          only a machine-readable summary on stdout\n"
           "  --backend NAME  sodium, openssl or native\n\n"
           "Never prints K_AIOT_root, RES_AIOT, XRES_AIOT or K_AIOTF. Exit 0 when every\n"
           "expected success succeeded and every attack was rejected, 1 otherwise.\n",
           DEFAULT_DEVICES);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void print_json(const demo *d, double secs, int ok)
{
    aiotsec_aiotf_stats st;
    demo_stats(d, &st);
    printf("{\n"
           "  \"backend\": \"%s\",\n"
           "  \"devices\": %zu,\n"
           "  \"authenticated\": %zu,\n"
           "  \"rejected\": {\"auth_failed\": %lu, \"no_pending\": %lu, \"expired\": %lu, \"replay\": %lu, "
           "\"mac_mismatch\": %lu, \"aborted\": %lu, \"device_disabled\": %lu},\n"
           "  \"commands\": %lu,\n"
           "  \"attacks\": %zu,\n"
           "  \"attacks_rejected\": %zu,\n"
           "  \"checks\": %zu,\n"
           "  \"checks_failed\": %zu,\n"
           "  \"adm_calls\": %llu,\n"
           "  \"aiotf\": {\"started\": %llu, \"authenticated\": %llu, \"auth_failed\": %llu, "
           "\"unsolicited\": %llu, \"late\": %llu},\n"
           "  \"time_s\": %.3f,\n"
           "  \"ok\": %s\n"
           "}\n",
           aiotsec_ctx_backend_name(d->ctx), d->n_devs, d->authenticated, d->rej.auth_failed,
           d->rej.no_pending, d->rej.expired, d->rej.replay, d->rej.mac_mismatch, d->rej.aborted,
           d->rej.disabled, d->commands, d->attacks, d->attacks_rejected, d->checks, d->checks_failed,
           (unsigned long long)st.adm_calls, (unsigned long long)st.started,
           (unsigned long long)st.authenticated, (unsigned long long)st.auth_failed,
           (unsigned long long)st.unsolicited, (unsigned long long)st.late, secs, ok ? "true" : "false");
}

static void print_summary(const demo *d, double secs, int ok)
{
    printf("\n== Summary (backend %s)\n", aiotsec_ctx_backend_name(d->ctx));
    printf("  devices:               %zu\n", d->n_devs);
    printf("  authenticated:         %zu\n", d->authenticated);
    printf("  commands completed:    %lu\n", d->commands);
    printf("  attacks rejected:      %zu of %zu\n", d->attacks_rejected, d->attacks);
    printf("  rejected by reason:    auth_failed %lu, no_pending %lu, expired %lu, replay %lu, "
           "mac_mismatch %lu, aborted %lu, device_disabled %lu\n",
           d->rej.auth_failed, d->rej.no_pending, d->rej.expired, d->rej.replay, d->rej.mac_mismatch,
           d->rej.aborted, d->rej.disabled);
    printf("  checks passed:         %zu of %zu\n", d->checks - d->checks_failed, d->checks);
    printf("  time:                  %.1f ms\n", secs * 1e3);
    printf("  result:                %s\n", ok ? "OK" : "FAILED");
}

int cli_cmd_demo(int argc, char **argv)
{
    const char *file = NULL, *backend = NULL;
    unsigned long count = 0;
    int json = 0, have_count = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            help();
            return CLI_OK;
        } else if (!strcmp(argv[i], "--json")) {
            json = 1;
        } else if (!strcmp(argv[i], "--devices") && i + 1 < argc) {
            file = argv[++i];
        } else if (!strcmp(argv[i], "--count") && i + 1 < argc) {
            if (cli_parse_uint(argv[++i], MAX_COUNT, &count) != 0 || count < 2)
                return cli_usage_error("--count: a number from 2 to %lu", MAX_COUNT);
            have_count = 1;
        } else if (!strcmp(argv[i], "--backend") && i + 1 < argc) {
            backend = argv[++i];
        } else {
            return cli_usage_error("demo: unknown or incomplete option '%s' (try aiotsec demo --help)", argv[i]);
        }
    }
    if (file && have_count)
        return cli_usage_error("demo: --devices and --count exclude each other");
    if (!have_count)
        count = DEFAULT_DEVICES;

    demo d;
    memset(&d, 0, sizeof d);
    d.ctx = cli_make_ctx(backend);
    if (!d.ctx)
        return CLI_USAGE;
    double t0 = now_s();
    int rc = file ? demo_roster_from_file(&d, file) : demo_roster_generate(&d, count);
    if (rc == AIOTSEC_OK && d.n_devs < 2) {
        demo_free(&d);
        return cli_usage_error("demo: the key file must hold at least 2 devices");
    }
    if (rc != AIOTSEC_OK) {
        demo_free(&d);
        return file ? CLI_USAGE : cli_fail("demo: making devices: %s", aiotsec_strerror(rc));
    }
    /* Step by step for a handful of devices; large runs narrate only the
     * command sequence and the attacks. */
    d.verbose = !json && d.n_devs <= 16;
    d.progress = isatty(2) && d.n_devs > 16;
    rc = demo_build_network(&d);
    if (rc != AIOTSEC_OK) {
        demo_free(&d);
        return cli_fail("demo: %s", aiotsec_strerror(rc));
    }
    if (!json) {
        printf("aiotsec demo: %zu devices, backend %s. Shown: RAND values, identifiers, outcomes.\n"
               "Never shown: K_AIOT_root, RES_AIOT, XRES_AIOT, K_AIOTF.\n", d.n_devs,
               aiotsec_ctx_backend_name(d.ctx));
        if (!d.verbose)
            printf("\n== Inventory of all %zu devices in batches of up to 4096 (steps not shown)\n", d.n_devs);
    }
    rc = demo_inventory_all(&d);
    if (!json && !d.verbose)
        printf("== Inventory: %zu of %zu devices authenticated\n", d.authenticated, d.n_devs);
    d.verbose = !json;
    if (rc == AIOTSEC_OK) {
        demo_command_sequence(&d);
        demo_attacks(&d);
    }
    double secs = now_s() - t0;
    int ok = rc == AIOTSEC_OK && d.checks_failed == 0 && d.authenticated == d.n_devs &&
             d.attacks > 0 && d.attacks_rejected == d.attacks;
    if (json)
        print_json(&d, secs, ok);
    else
        print_summary(&d, secs, ok);
    demo_free(&d);
    return ok ? CLI_OK : CLI_FAIL;
}
