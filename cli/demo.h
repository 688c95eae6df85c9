/* The `aiotsec demo` command: shared state of its files (demo_*.c). */
#ifndef AIOTSEC_CLI_DEMO_H
#define AIOTSEC_CLI_DEMO_H

#include <stddef.h>
#include <stdint.h>

#include "cli.h"

/* One device as the demo knows it: the network's key-store record, which is
 * also what it needs to simulate the tag itself. */
typedef struct demo_dev {
    uint8_t ident[AIOTSEC_ID_MAX], perm[AIOTSEC_ID_MAX], key[AIOTSEC_KROOT_MAX];
    uint8_t ident_len, perm_len, key_len;
} demo_dev;

/* Rejections observed, by status (counted by the demo, per attack step). */
typedef struct demo_rejects {
    unsigned long auth_failed, no_pending, expired, replay, mac_mismatch, aborted, disabled;
} demo_rejects;

typedef struct demo {
    aiotsec_ctx *ctx;
    aiotsec_memstore *store;
    aiotsec_adm *adm;
    aiotsec_aiotf *aiotf;             /* narrated: every Nadm call is printed */
    aiotsec_aiotf *bulk;              /* large inventories: in-process ADM client, batch path */
    aiotsec_adm_client adm_local;     /* the real ADM */
    int verbose;                      /* print every step (off for --json and large runs) */
    int progress;                     /* progress line on stderr (a terminal only) */
    demo_dev *devs;
    size_t n_devs, cap_devs;
    size_t authenticated;             /* devices authenticated by the inventory */
    size_t checks, checks_failed;     /* expected successes */
    size_t attacks, attacks_rejected; /* attacks and how many were rejected as expected */
    unsigned long commands;           /* command exchanges that completed */
    demo_rejects rej;
    uint64_t adm_auth_calls;          /* Nadm_SecAuthentication_Get calls seen */
    uint64_t clock_ms;                /* the simulated monotonic clock given to the AIOTF */
    int in_bulk;                      /* the unnarrated inventory is running */
    int step10_shown;                 /* step 10 already narrated (before step 11) */
} demo;

/* demo_roster.c: devices generated in memory or read from a key file. */
int demo_roster_generate(demo *d, size_t count);
int demo_roster_from_file(demo *d, const char *path);
int demo_build_network(demo *d);
void demo_free(demo *d);
/* The two AIOTFs' counters added up. */
void demo_stats(const demo *d, aiotsec_aiotf_stats *out);

/* demo_run.c: the procedure steps, the command sequence, the attacks. */
int demo_inventory_all(demo *d);
void demo_command_sequence(demo *d);
void demo_attacks(demo *d);

/* demo_print.c: output helpers. */
void demo_hex(const uint8_t *p, size_t n, char *out, size_t cap);
void demo_say(const demo *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void demo_step(const demo *d, const char *num, const char *who, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void demo_check(demo *d, int ok, const char *what, int rc);
void demo_attack(demo *d, const char *what, int got, int want);

#endif
