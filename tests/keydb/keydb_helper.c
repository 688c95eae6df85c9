/* A second process for the key-database tests (the database is shared between
 * processes; LMDB allows one handle per process):
 *
 *   serve DIR SEED N raw|prepared|token [KEKFILE]
 *       an ADM over the database, answering one command a line on stdin:
 *         auth PERM RAND_N RAND_D   -> "<status> <XRES_AIOT hex | ->"
 *         skey PERM RAND_N RAND_D   -> "<status> <K_AIOTF hex | ->"
 *         check I V                 -> "ok" or "bad <status>": device I answers as key version V
 *         all V                     -> "<ok> <failed>" over devices 0..N-1 with key version V
 *         quit
 *       (holds a known "canary" in ordinary heap, for the core-dump test's control)
 *   import DIR KEKFILE SEED N BATCH -> imports devices 0..N-1, "committed X" after each commit
 *   readloop DIR KEKFILE SEED N MILLIS -> authenticates random devices (version 0) until
 *       MILLIS have passed; "requests R failures F"; exit 1 if any failed */
#define _GNU_SOURCE
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kd_test_util.h"

static uint64_t seed;
static size_t n_dev;
static aiotsec_ctx *ctx;
static aiotsec_adm *adm;
static aiotsec_auth_answer *ans;

static int fail(const char *what, int rc)
{
    fprintf(stderr, "keydb_helper: %s: %s\n", what, aiotsec_keydb_strerror(rc));
    return 2;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Authenticates device i with fresh RANDs and compares with key version v. */
static int check_device(size_t i, unsigned v)
{
    uint8_t perm[5], rn[16], rd[16], key[32], want[16];
    kdt_perm(i, perm);
    randombytes_buf(rn, sizeof rn);
    randombytes_buf(rd, sizeof rd);
    aiotsec_adm_request rq;
    memset(&rq, 0, sizeof rq);
    rq.perm_id = perm;
    rq.perm_id_len = 5;
    rq.rand_n = rn;
    rq.rand_n_len = 16;
    rq.rand_d = rd;
    rq.rand_d_count = 1;
    int rc = aiotsec_adm_get_authentication(adm, &rq, ans);
    if (rc != AIOTSEC_OK)
        return rc;
    const uint8_t *x, *p;
    size_t xl, pl;
    rc = aiotsec_auth_answer_entry(ans, 0, 0, &x, &xl, &p, &pl);
    size_t kl = kdt_key(seed, i, v, key);
    if (rc == AIOTSEC_OK)
        rc = aiotsec_derive_res(ctx, key, kl, rn, 16, rd, 16, want, sizeof want);
    sodium_memzero(key, sizeof key);
    if (rc == AIOTSEC_OK && (xl != 16 || memcmp(x, want, 16) != 0))
        rc = AIOTSEC_E_AUTH_FAILED;
    return rc;
}

static int open_db(aiotsec_keydb **db, const char *dir, const char *mode, const char *kek_file,
                   aiotsec_keydb_token **tok)
{
    aiotsec_keydb_options o;
    aiotsec_keydb_options_init(&o);
    o.ctx = ctx;
    aiotsec_keydb_kek *kek = NULL;
    int rc = AIOTSEC_OK;
    if (!strcmp(mode, "token")) {
        rc = aiotsec_keydb_token_open(tok, kdt_softhsm_module(), KDT_LABEL, "KDT_PIN");
        o.token = *tok;
    } else {
        rc = aiotsec_keydb_kek_from_file(&kek, kek_file);
        o.kek = kek;
        o.prepared_keys = !strcmp(mode, "prepared");
    }
    if (rc == AIOTSEC_OK)
        rc = aiotsec_keydb_open(db, dir, &o);
    aiotsec_keydb_kek_free(kek);
    return rc;
}

static void reply_hex(int rc, const uint8_t *v, size_t len)
{
    char hex[65] = "-";
    if (rc == AIOTSEC_OK)
        kdt_hex(v, len, hex);
    printf("%s %s\n", aiotsec_keydb_status_name(rc), hex);
}

static int serve(const char *dir, const char *mode, const char *kek_file)
{
    /* The control for the core-dump test: a known value in ordinary heap must be found. */
    uint8_t *canary = malloc(32);
    uint8_t msg[16] = "aiotsec-canary";
    memcpy(msg + 14, &seed, 2);
    crypto_generichash(canary, 32, msg, sizeof msg, NULL, 0);
    aiotsec_keydb *db = NULL;
    aiotsec_keydb_token *tok = NULL;
    aiotsec_keystore ks;
    int rc = open_db(&db, dir, mode, kek_file, &tok);
    if (rc == AIOTSEC_OK)
        rc = aiotsec_keydb_keystore(db, &ks);
    if (rc == AIOTSEC_OK)
        rc = aiotsec_adm_new(&adm, ctx, &ks, NULL);
    if (rc == AIOTSEC_OK)
        rc = aiotsec_auth_answer_new(&ans, 4096);
    if (rc != AIOTSEC_OK)
        return fail("serve", rc);
    printf("ready %d\n", (int)getpid());
    fflush(stdout);
    char line[512];
    while (fgets(line, sizeof line, stdin)) {
        char cmd[16], a[160], b[80], c[80];
        int n = sscanf(line, "%15s %159s %79s %79s", cmd, a, b, c);
        uint8_t perm[64], rn[16], rd[16], out[16];
        if (n == 4 && (!strcmp(cmd, "auth") || !strcmp(cmd, "skey"))) {
            size_t pl = kdt_unhex(a, perm, sizeof perm);
            kdt_unhex(b, rn, 16);
            kdt_unhex(c, rd, 16);
            if (!strcmp(cmd, "skey")) {
                rc = aiotsec_adm_get_session_key(adm, perm, pl, rn, 16, rd, 16, out, sizeof out);
                reply_hex(rc, out, 16);
            } else {
                aiotsec_adm_request rq;
                memset(&rq, 0, sizeof rq);
                rq.perm_id = perm;
                rq.perm_id_len = pl;
                rq.rand_n = rn;
                rq.rand_n_len = 16;
                rq.rand_d = rd;
                rq.rand_d_count = 1;
                rc = aiotsec_adm_get_authentication(adm, &rq, ans);
                const uint8_t *x = NULL, *p;
                size_t xl = 0, ppl;
                if (rc == AIOTSEC_OK)
                    rc = aiotsec_auth_answer_entry(ans, 0, 0, &x, &xl, &p, &ppl);
                reply_hex(rc, x, xl);
            }
        } else if (n == 3 && !strcmp(cmd, "check")) {
            rc = check_device(strtoul(a, NULL, 10), (unsigned)strtoul(b, NULL, 10));
            if (rc == AIOTSEC_OK)
                printf("ok\n");
            else
                printf("bad %s\n", aiotsec_keydb_status_name(rc));
        } else if (n == 2 && !strcmp(cmd, "all")) {
            size_t ok = 0, bad = 0;
            for (size_t i = 0; i < n_dev; i++) {
                if (check_device(i, (unsigned)strtoul(a, NULL, 10)) == AIOTSEC_OK)
                    ok++;
                else
                    bad++;
            }
            printf("%zu %zu\n", ok, bad);
        } else if (n >= 1 && !strcmp(cmd, "quit")) {
            break;
        } else {
            printf("? %s", line);
        }
        fflush(stdout);
        canary[0] ^= 0; /* keeps the canary alive and in place */
    }
    aiotsec_auth_answer_free(ans);
    aiotsec_adm_free(adm);
    aiotsec_keydb_close(db);
    aiotsec_keydb_token_close(tok);
    free(canary);
    return 0;
}

static void on_commit(void *arg, size_t committed)
{
    (void)arg;
    printf("committed %zu\n", committed);
    fflush(stdout);
}

static int import(const char *dir, const char *kek_file, size_t batch)
{
    aiotsec_keydb *db = NULL;
    int rc = open_db(&db, dir, "raw", kek_file, NULL);
    if (rc != AIOTSEC_OK)
        return fail("import open", rc);
    size_t len = 0, done = 0, line = 0;
    char *text = kdt_keyfile(seed, 0, n_dev, &len);
    rc = aiotsec_keydb_import_buffer(db, text, len, batch, on_commit, NULL, &done, &line);
    sodium_memzero(text, len);
    free(text);
    aiotsec_keydb_close(db);
    return rc == AIOTSEC_OK ? 0 : fail("import", rc);
}

static int readloop(const char *dir, const char *kek_file, double millis)
{
    aiotsec_keydb *db = NULL;
    aiotsec_keystore ks;
    int rc = open_db(&db, dir, "prepared", kek_file, NULL);
    if (rc == AIOTSEC_OK)
        rc = aiotsec_keydb_keystore(db, &ks);
    if (rc == AIOTSEC_OK)
        rc = aiotsec_adm_new(&adm, ctx, &ks, NULL);
    if (rc == AIOTSEC_OK)
        rc = aiotsec_auth_answer_new(&ans, 16);
    if (rc != AIOTSEC_OK)
        return fail("readloop", rc);
    printf("ready\n");
    fflush(stdout);
    size_t requests = 0, failures = 0;
    double end = now_ms() + millis;
    while (now_ms() < end) {
        rc = check_device(randombytes_uniform((uint32_t)n_dev), 0);
        requests++;
        if (rc != AIOTSEC_OK) {
            failures++;
            fprintf(stderr, "keydb_helper: readloop: %s\n", aiotsec_keydb_status_name(rc));
        }
    }
    printf("requests %zu failures %zu\n", requests, failures);
    aiotsec_auth_answer_free(ans);
    aiotsec_adm_free(adm);
    aiotsec_keydb_close(db);
    return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (sodium_init() < 0 || aiotsec_ctx_new(&ctx, "native", NULL) != AIOTSEC_OK)
        return 2;
    int rc = 2;
    if (argc == 6 && !strcmp(argv[1], "serve")) {
        seed = strtoull(argv[3], NULL, 10);
        n_dev = strtoul(argv[4], NULL, 10);
        rc = serve(argv[2], argv[5], NULL);
    } else if (argc == 7 && !strcmp(argv[1], "serve")) {
        seed = strtoull(argv[3], NULL, 10);
        n_dev = strtoul(argv[4], NULL, 10);
        rc = serve(argv[2], argv[5], argv[6]);
    } else if (argc == 7 && !strcmp(argv[1], "import")) {
        seed = strtoull(argv[4], NULL, 10);
        n_dev = strtoul(argv[5], NULL, 10);
        rc = import(argv[2], argv[3], strtoul(argv[6], NULL, 10));
    } else if (argc == 7 && !strcmp(argv[1], "readloop")) {
        seed = strtoull(argv[4], NULL, 10);
        n_dev = strtoul(argv[5], NULL, 10);
        rc = readloop(argv[2], argv[3], strtod(argv[6], NULL));
    } else {
        fprintf(stderr, "usage: see keydb_helper.c\n");
    }
    aiotsec_ctx_free(ctx);
    return rc;
}
