/* The database shared between processes, as an ADM uses it:
 *  - live change: another process serves (its own handle, prepared keys in its
 *    cache) while this one revokes, adds and re-keys; the next request sees each
 *    change, and a reader running meanwhile over other devices never fails;
 *  - crash: a writer killed with SIGKILL in the middle of an import leaves a
 *    database that opens, holds every record committed before the kill (whole
 *    batches only), unseals every one, and takes the next write;
 *  - KEK rotation re-seals every record while reader processes keep reading. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "kd_test_util.h"

static char dir[256], db_dir[300], kek_path[512], seed_s[32];
static aiotsec_ctx *ctx;
static aiotsec_keydb_kek *kek;
static uint64_t seed;

static void setup(void)
{
    kdt_mkdtemp(dir, "process");
    snprintf(db_dir, sizeof db_dir, "%s/db", dir);
    cr_assert_eq(aiotsec_ctx_new(&ctx, "native", NULL), AIOTSEC_OK);
    kdt_kek_file(dir, "kek", kek_path, &kek);
    randombytes_buf(&seed, sizeof seed);
    snprintf(seed_s, sizeof seed_s, "%llu", (unsigned long long)seed);
    aiotsec_keydb_options o;
    aiotsec_keydb_options_init(&o);
    o.kek = kek;
    o.map_size = KDT_MAP_SIZE;
    cr_assert_eq(aiotsec_keydb_init(db_dir, &o), AIOTSEC_OK);
}

static void teardown(void)
{
    aiotsec_keydb_kek_free(kek);
    aiotsec_ctx_free(ctx);
    kdt_rmtree(dir);
}

TestSuite(process, .init = setup, .fini = teardown, .timeout = 240);

static aiotsec_keydb *open_db(const aiotsec_keydb_kek *k)
{
    aiotsec_keydb_options o;
    aiotsec_keydb_options_init(&o);
    o.kek = k;
    o.ctx = ctx;
    aiotsec_keydb *h = NULL;
    int rc = aiotsec_keydb_open(&h, db_dir, &o);
    cr_assert_eq(rc, AIOTSEC_OK, "open: %s", aiotsec_keydb_strerror(rc));
    return h;
}

static void import(size_t n)
{
    aiotsec_keydb *h = open_db(kek);
    size_t len, done;
    char *text = kdt_keyfile(seed, 0, n, &len);
    cr_assert_eq(aiotsec_keydb_import_buffer(h, text, len, 5000, NULL, NULL, &done, NULL), AIOTSEC_OK);
    free(text);
    aiotsec_keydb_close(h);
}

static void ask(int to, int from, const char *cmd, const char *want)
{
    char line[256];
    cr_assert_eq(kdt_write_line(to, cmd), 0);
    cr_assert_eq(kdt_read_line(from, line, sizeof line), 0, "no answer to '%s'", cmd);
    cr_assert_str_eq(line, want, "'%s'", cmd);
}

static void change(aiotsec_keydb *h, char op, size_t i, unsigned v)
{
    uint8_t perm[5], key[32];
    kdt_perm(i, perm);
    size_t kl = kdt_key(seed, i, v, key);
    int rc = op == 'r' ? aiotsec_keydb_revoke(h, perm, 5)
             : op == 'a' ? aiotsec_keydb_add(h, perm, 5, key, kl)
                         : aiotsec_keydb_rekey(h, perm, 5, key, kl);
    cr_assert_eq(rc, AIOTSEC_OK, "%c %zu: %s", op, i, aiotsec_keydb_strerror(rc));
}

Test(process, live_revoke_add_rekey_while_another_process_serves)
{
    import(60);
    char *serve_args[] = {"serve", db_dir, seed_s, "40", "prepared", kek_path, NULL};
    char *loop_args[] = {"readloop", db_dir, kek_path, seed_s, "40", kdt_reduced() ? "6000" : "1500", NULL};
    int to, from, lto, lfrom;
    pid_t server = kdt_helper_start(serve_args, &to, &from);
    pid_t loop = kdt_helper_start(loop_args, &lto, &lfrom);
    char line[256];
    cr_assert_eq(kdt_read_line(from, line, sizeof line), 0);
    cr_assert_eq(strncmp(line, "ready", 5), 0, "%s", line);
    cr_assert_eq(kdt_read_line(lfrom, line, sizeof line), 0);
    cr_assert_str_eq(line, "ready");
    ask(to, from, "all 0", "40 0");
    ask(to, from, "check 45 0", "ok");
    aiotsec_keydb *h = open_db(kek);
    /* Devices 40.. change; the reader loop asks 0..39 throughout and must never fail. */
    change(h, 'r', 45, 0);
    ask(to, from, "check 45 0", "bad AIOTSEC_E_UNKNOWN_DEVICE"); /* the SBI's 404, at the next request */
    change(h, 'a', 60, 0);
    ask(to, from, "check 60 0", "ok"); /* a new device answers, no restart */
    change(h, 'k', 41, 1);
    ask(to, from, "check 41 1", "ok"); /* a re-key answers with the new key at once */
    change(h, 'a', 45, 2);
    ask(to, from, "check 45 2", "ok"); /* re-added with another key: no stale cached key */
    for (int round = 0; round < 200; round++) /* changes while the loop reads */
        change(h, 'k', 42 + (size_t)round % 3, (unsigned)round);
    ask(to, from, "all 0", "40 0");
    kdt_write_line(to, "quit");
    cr_assert_eq(kdt_wait(server), 0);
    cr_assert_eq(kdt_read_line(lfrom, line, sizeof line), 0);
    unsigned long req = 0, fails = 1;
    cr_assert_eq(sscanf(line, "requests %lu failures %lu", &req, &fails), 2, "%s", line);
    cr_assert_eq(fails, 0, "no failed request");
    cr_assert_gt(req, 100);
    cr_assert_eq(kdt_wait(loop), 0);
    close(to);
    close(from);
    close(lto);
    close(lfrom);
    aiotsec_keydb_close(h);
}

Test(process, writer_killed_mid_import_leaves_committed_batches_whole)
{
    size_t n = kdt_reduced() ? 6000 : 30000, batch = 500;
    for (int round = 0; round < 3; round++) {
        char sub[320], n_s[16], b_s[16];
        snprintf(sub, sizeof sub, "%s/crash%d", dir, round);
        aiotsec_keydb_options o;
        aiotsec_keydb_options_init(&o);
        o.kek = kek;
        o.map_size = KDT_MAP_SIZE;
        cr_assert_eq(aiotsec_keydb_init(sub, &o), AIOTSEC_OK);
        snprintf(n_s, sizeof n_s, "%zu", n);
        snprintf(b_s, sizeof b_s, "%zu", batch);
        char *args[] = {"import", sub, kek_path, seed_s, n_s, b_s, NULL};
        int to, from;
        pid_t pid = kdt_helper_start(args, &to, &from);
        size_t kill_after = batch * (2 + randombytes_uniform((uint32_t)(n / batch / 2))), seen = 0;
        char line[128];
        while (seen < kill_after && kdt_read_line(from, line, sizeof line) == 0)
            cr_assert_eq(sscanf(line, "committed %zu", &seen), 1, "%s", line);
        /* In the middle of the next batch: let it write a little first. */
        struct timespec ts = {0, (long)randombytes_uniform(3000) * 1000};
        nanosleep(&ts, NULL);
        kill(pid, SIGKILL);
        cr_assert_eq(kdt_wait(pid), 128 + SIGKILL, "the writer was killed, not finished");
        close(to);
        close(from);
        cr_assert_geq(seen, kill_after);
        /* It opens, holds at least what was reported, whole batches only, every record whole. */
        o.ctx = ctx;
        aiotsec_keydb *h = NULL;
        cr_assert_eq(aiotsec_keydb_open(&h, sub, &o), AIOTSEC_OK);
        size_t count = 0, checked = 0, bad = 1;
        cr_assert_eq(aiotsec_keydb_count(h, &count), AIOTSEC_OK);
        cr_assert_geq(count, seen);
        cr_assert_lt(count, n, "killed before the end");
        cr_assert_eq(count % batch, 0, "%zu records: a torn batch", count);
        cr_assert_eq(aiotsec_keydb_verify(h, NULL, NULL, &checked, &bad), AIOTSEC_OK);
        cr_assert_eq(checked, count);
        cr_assert_eq(bad, 0, "no torn record");
        aiotsec_keystore ks;
        cr_assert_eq(aiotsec_keydb_keystore(h, &ks), AIOTSEC_OK);
        for (size_t i = 0; i < count; i++) { /* devices 0..count-1, each its own key */
            uint8_t perm[5], key[32], want[32];
            size_t kl = 0;
            kdt_perm(i, perm);
            cr_assert_eq(ks.by_perm_id(ks.user, perm, 5, key, &kl), AIOTSEC_OK, "device %zu lost", i);
            cr_assert_eq(kl, kdt_key(seed, i, 0, want));
            cr_assert_arr_eq(key, want, kl);
        }
        uint8_t perm[5], key[32];
        kdt_perm(n + 1, perm);
        size_t kl = kdt_key(seed, n + 1, 0, key);
        cr_assert_eq(aiotsec_keydb_add(h, perm, 5, key, kl), AIOTSEC_OK, "the next write goes through");
        aiotsec_keydb_close(h);
        KDT_INFO("round %d: killed after %zu reported, %zu committed", round, seen, count);
    }
}

Test(process, rotation_while_reader_processes_read)
{
    size_t n = kdt_reduced() ? 3000 : 20000;
    import(n);
    char n_s[16];
    snprintf(n_s, sizeof n_s, "%zu", n);
    const char *millis = kdt_reduced() ? "20000" : "4000";
    char *args[] = {"readloop", db_dir, kek_path, seed_s, n_s, (char *)millis, NULL};
    int to[2], from[2];
    pid_t pid[2];
    char line[256];
    for (int r = 0; r < 2; r++)
        pid[r] = kdt_helper_start(args, &to[r], &from[r]);
    for (int r = 0; r < 2; r++) {
        cr_assert_eq(kdt_read_line(from[r], line, sizeof line), 0);
        cr_assert_str_eq(line, "ready");
    }
    aiotsec_keydb *h = open_db(kek);
    char next_path[512];
    aiotsec_keydb_kek *next = NULL;
    kdt_kek_file(dir, "next", next_path, &next);
    size_t resealed = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    cr_assert_eq(aiotsec_keydb_rotate(h, next, 200, NULL, NULL, &resealed), AIOTSEC_OK);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    cr_assert_eq(resealed, n);
    aiotsec_keydb_close(h);
    for (int r = 0; r < 2; r++) {
        cr_assert_eq(kdt_read_line(from[r], line, sizeof line), 0);
        unsigned long req = 0, fails = 1;
        cr_assert_eq(sscanf(line, "requests %lu failures %lu", &req, &fails), 2, "%s", line);
        cr_assert_eq(fails, 0, "reader %d failed %lu of %lu requests during the rotation", r, fails, req);
        cr_assert_gt(req, 100);
        cr_assert_eq(kdt_wait(pid[r]), 0);
        close(to[r]);
        close(from[r]);
    }
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    KDT_INFO("rotation of %zu records: %.2f s, readers running throughout", n, secs);
    /* The new KEK opens it and every record unseals. */
    h = open_db(next);
    size_t checked = 0, bad = 1;
    cr_assert_eq(aiotsec_keydb_verify(h, NULL, NULL, &checked, &bad), AIOTSEC_OK);
    cr_assert_eq(checked, n);
    cr_assert_eq(bad, 0);
    aiotsec_keydb_close(h);
    aiotsec_keydb_kek_free(next);
}
