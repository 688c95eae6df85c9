/* Helpers shared by the key-database tests: temporary directories, deterministic
 * devices and keys (so another process can recompute what a key should be), a
 * SoftHSM2 token of its own per run, child processes, and byte searches. */
#ifndef KD_TEST_UTIL_H
#define KD_TEST_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "aiotsec/aiotsec.h"
#include "aiotsec/keydb.h"

#define KDT_PIN "123456"
#define KDT_LABEL "aiotsec-test"
/* Map size of the test databases: small, so valgrind (which cannot map 64 GiB) runs them too. */
#define KDT_MAP_SIZE (256ull << 20)

/* A figure for the log (Criterion's own info level is not shown by default). */
#define KDT_INFO(...) (fprintf(stderr, "[INFO] " __VA_ARGS__), fputc('\n', stderr))

/* Reduced sizes under valgrind (the valgrind suite sets AIOTSEC_TEST_REDUCED=1). */
int kdt_reduced(void);

/* A new directory under $TMPDIR (or /tmp), and its removal with everything in it. */
void kdt_mkdtemp(char out[256], const char *tag);
void kdt_rmtree(const char *dir);

/* Device i: Permanent Identifier a1 || i (4 octets, big-endian). */
void kdt_perm(size_t i, uint8_t perm[5]);
/* Its K_AIOT_root in version v: 16 octets unless i % 3 == 0 (32), a keyed hash of (seed, i, v). */
size_t kdt_key(uint64_t seed, size_t i, unsigned v, uint8_t key[32]);
/* The key-file text of devices [from, to) (malloc'd, NUL-terminated). */
char *kdt_keyfile(uint64_t seed, size_t from, size_t to, size_t *len);

/* A fresh KEK file in dir (path receives its name); the KEK itself in *kek when kek is not NULL. */
void kdt_kek_file(const char *dir, const char *name, char path[512], aiotsec_keydb_kek **kek);

/* A SoftHSM2 token labelled KDT_LABEL, PIN KDT_PIN, in dir/tokens: writes dir/softhsm2.conf,
 * points SOFTHSM2_CONF at it, runs softhsm2-util, sets KDT_PIN in the environment. Aborts on failure. */
void kdt_softhsm(const char *dir);
/* The SoftHSM2 module's path (from the build), or aborts with why it is missing. */
const char *kdt_softhsm_module(void);

/* Runs argv (argv[0] a path), waits; returns the exit status, or -1. */
int kdt_run(char *const argv[]);
/* The same with no file it writes allowed past max_file octets (RLIMIT_FSIZE). */
int kdt_run_limited(char *const argv[], unsigned long long max_file);
/* Whether this build or run cannot take a core dump of a reasonable size (a
 * sanitizer build, or under valgrind): their reservations reach tens of GiB. */
int kdt_big_address_space(void);
/* Starts the key-database helper program with argv[1..]; *to / *from are its stdin / stdout. */
pid_t kdt_helper_start(char *const args[], int *to, int *from);
/* One line from fd into buf (without the newline); 0 or -1 at end of input. */
int kdt_read_line(int fd, char *buf, size_t cap);
int kdt_write_line(int fd, const char *line);
/* Waits for a child; its exit status, or 128 + signal. */
int kdt_wait(pid_t pid);

/* The mappings a core dump of pid holds (the kernel's and gdb's default
 * coredump_filter 0x33): readable, not marked "dd" (MADV_DONTDUMP), anonymous
 * or private and written. kdt_dump_size() adds up their sizes;
 * kdt_scan_dumpable() reads each through /proc/PID/mem (mappings over max_map
 * octets are skipped and counted in *skipped) and calls fn on its contents. */
size_t kdt_dump_size(pid_t pid);
typedef void (*kdt_scan_fn)(void *arg, const uint8_t *mem, size_t len);
int kdt_scan_dumpable(pid_t pid, size_t max_map, kdt_scan_fn fn, void *arg, size_t *scanned, size_t *skipped);

/* Whole file into memory (malloc'd). */
uint8_t *kdt_read_file(const char *path, size_t *len);
/* Occurrences of needle in hay. */
size_t kdt_count(const uint8_t *hay, size_t hay_len, const uint8_t *needle, size_t n);
/* HMAC-SHA-256 midstates of a key, as SHA-256 keeps them (8 host-order 32-bit words each). */
void kdt_midstates(const uint8_t *key, size_t len, uint8_t inner[32], uint8_t outer[32]);

void kdt_hex(const uint8_t *in, size_t len, char *out);
size_t kdt_unhex(const char *hex, uint8_t *out, size_t cap);

#endif
