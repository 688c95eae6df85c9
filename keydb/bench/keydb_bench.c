/* aiotsec-keydb-bench: the key database's figures in one run, with ratios.
 *
 *   import rate and database size for --devices N (default 1,000,000; --big adds
 *   a second run at 10,000,000), next to loading the same key file into the
 *   in-memory store;
 *   getAuthentication per device (a named device, one RAND_AIOT_d) through the ADM
 *   with keys from: the in-memory store; LMDB cold (a fresh handle: every key
 *   unsealed on first use), LMDB cached (raw keys, then prepared keys); a group of
 *   256 devices; and a PKCS#11 token (SoftHSM2, --token-devices M in a temporary
 *   token of its own) where the HMAC is computed on the token.
 *
 * "Cold" means the key cache is empty; the LMDB pages themselves are in the page
 * cache (the import just wrote them). Each figure is the fastest of short runs.
 * Not a test: no pass/fail, figures only. */
#define _GNU_SOURCE
#include <dirent.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "aiotsec/aiotsec.h"
#include "aiotsec/keydb.h"

static const char *MODULES[] = {"/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so"};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, int rc)
{
    fprintf(stderr, "aiotsec-keydb-bench: %s: %s\n", what, aiotsec_keydb_strerror(rc));
    exit(1);
}

static void perm_of(size_t i, uint8_t perm[5])
{
    perm[0] = 0xa1;
    perm[1] = (uint8_t)(i >> 24);
    perm[2] = (uint8_t)(i >> 16);
    perm[3] = (uint8_t)(i >> 8);
    perm[4] = (uint8_t)i;
}

/* A key file of n devices with random keys (the text is wiped by the caller). */
static char *key_file(size_t n, size_t *len)
{
    size_t cap = n * 46 + 1, off = 0;
    char *t = malloc(cap);
    if (!t)
        die("memory", AIOTSEC_E_NO_MEMORY);
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        uint8_t perm[5], key[16];
        perm_of(i, perm);
        randombytes_buf(key, sizeof key);
        for (size_t j = 0; j < 5; j++) {
            t[off++] = hex[perm[j] >> 4];
            t[off++] = hex[perm[j] & 15];
        }
        t[off++] = ' ';
        for (size_t j = 0; j < 16; j++) {
            t[off++] = hex[key[j] >> 4];
            t[off++] = hex[key[j] & 15];
        }
        t[off++] = '\n';
    }
    *len = off;
    return t;
}

static void rmtree(const char *d)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", d);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", d);
}

/* ns per getAuthentication for named devices taken from `order`: the fastest of
 * chunks of 5,000 requests (as the project's bench: the fastest of short runs,
 * which a shared machine's other work disturbs least). */
static double auth_ns(const aiotsec_adm *adm, aiotsec_auth_answer *ans, const size_t *order, size_t count)
{
    uint8_t rn[16], rd[16], perm[5];
    randombytes_buf(rn, 16);
    randombytes_buf(rd, 16);
    aiotsec_adm_request rq;
    memset(&rq, 0, sizeof rq);
    rq.perm_id = perm;
    rq.perm_id_len = 5;
    rq.rand_n = rn;
    rq.rand_n_len = 16;
    rq.rand_d = rd;
    rq.rand_d_count = 1;
    double best = 1e30;
    for (size_t start = 0; start < count; start += 5000) {
        size_t end = start + 5000 < count ? start + 5000 : count;
        double t0 = now();
        for (size_t i = start; i < end; i++) {
            perm_of(order[i], perm);
            int rc = aiotsec_adm_get_authentication(adm, &rq, ans);
            if (rc != AIOTSEC_OK)
                die("getAuthentication", rc);
        }
        double ns = (now() - t0) * 1e9 / (double)(end - start);
        if (ns < best)
            best = ns;
    }
    return best;
}

/* ns per candidate of group requests of 256 devices (two RAND_AIOT_d): the fastest request. */
static double group_ns(const aiotsec_adm *adm, aiotsec_auth_answer *ans, size_t n_dev, size_t rounds)
{
    uint8_t rn[16], rd[32], pre[5], f[8];
    size_t fl = 0;
    randombytes_buf(rn, 16);
    randombytes_buf(rd, 32);
    aiotsec_adm_request rq;
    memset(&rq, 0, sizeof rq);
    rq.rand_n = rn;
    rq.rand_n_len = 16;
    rq.rand_d = rd;
    rq.rand_d_count = 2;
    double best = 1e30;
    for (size_t r = 0; r < rounds; r++) {
        perm_of((size_t)randombytes_uniform((uint32_t)(n_dev / 256)) * 256, pre);
        if (aiotsec_filter_make(NULL, pre, 32, f, sizeof f, &fl) != AIOTSEC_OK)
            die("filter", AIOTSEC_E_BAD_VALUE);
        rq.filter = f;
        rq.filter_len = fl;
        double t0 = now();
        int rc = aiotsec_adm_get_authentication(adm, &rq, ans);
        double ns = (now() - t0) * 1e9 / (double)aiotsec_auth_answer_entry_count(ans);
        if (rc != AIOTSEC_OK)
            die("group getAuthentication", rc);
        if (ns < best)
            best = ns;
    }
    return best;
}

typedef struct row {
    char what[64];
    double ns;
} row;

static row rows[32];
static size_t n_rows;

static void add_row(const char *what, double ns)
{
    snprintf(rows[n_rows].what, sizeof rows[n_rows].what, "%s", what);
    rows[n_rows++].ns = ns;
    fprintf(stderr, "  %-44s %10.0f ns\n", what, ns);
}

static uint64_t du(const char *dir)
{
    char p[600];
    struct stat st;
    snprintf(p, sizeof p, "%s/data.mdb", dir);
    return stat(p, &st) == 0 ? (uint64_t)st.st_blocks * 512u : 0;
}

typedef struct import_fig {
    size_t n;
    double secs, mem_secs;
    uint64_t bytes;
} import_fig;

static import_fig imports[2];
static size_t n_imports;

static aiotsec_keydb *import_run(const char *base, size_t n, aiotsec_keydb_kek *kek, const aiotsec_ctx *ctx,
                                 aiotsec_memstore **mem_out)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s/db-%zu", base, n);
    aiotsec_keydb_options o;
    aiotsec_keydb_options_init(&o);
    o.kek = kek;
    o.ctx = ctx;
    o.map_size = (uint64_t)n * 400 + (256ull << 20);
    int rc = aiotsec_keydb_init(dir, &o);
    if (rc != AIOTSEC_OK)
        die("init", rc);
    aiotsec_keydb *db = NULL;
    if ((rc = aiotsec_keydb_open(&db, dir, &o)) != AIOTSEC_OK)
        die("open", rc);
    size_t len, done = 0;
    fprintf(stderr, "import of %zu devices...\n", n);
    char *text = key_file(n, &len);
    double t0 = now();
    rc = aiotsec_keydb_import_buffer(db, text, len, 100000, NULL, NULL, &done, NULL);
    double secs = now() - t0;
    if (rc != AIOTSEC_OK)
        die("import", rc);
    aiotsec_memstore *mem = NULL;
    if (aiotsec_memstore_new(&mem, ctx, n) != AIOTSEC_OK)
        die("memstore", AIOTSEC_E_NO_MEMORY);
    t0 = now();
    if ((rc = aiotsec_memstore_load_buffer(mem, text, len, NULL)) != AIOTSEC_OK)
        die("memstore load", rc);
    double mem_secs = now() - t0;
    sodium_memzero(text, len);
    free(text);
    imports[n_imports++] = (import_fig){n, secs, mem_secs, du(dir)};
    fprintf(stderr, "  %zu devices: %.1f s (%.0f devices/s), %.1f MiB on disk; in-memory load %.1f s\n", n, secs,
            (double)n / secs, (double)du(dir) / 1048576.0, mem_secs);
    *mem_out = mem;
    return db;
}

static void token_bench(const char *base, const aiotsec_ctx *ctx, size_t m, double mem_ns)
{
    const char *module = NULL;
    for (size_t i = 0; i < 2 && !module; i++)
        if (access(MODULES[i], R_OK) == 0)
            module = MODULES[i];
    if (!module) {
        fprintf(stderr, "token: SoftHSM2 not installed: no token figure\n");
        return;
    }
    char tdir[600], conf[700], cmd[1400], dir[600];
    snprintf(tdir, sizeof tdir, "%s/softhsm", base);
    snprintf(conf, sizeof conf, "%s/softhsm2.conf", tdir);
    snprintf(cmd, sizeof cmd, "mkdir -p '%s/tokens'", tdir);
    if (system(cmd) != 0)
        die("token dir", AIOTSEC_E_IO);
    FILE *f = fopen(conf, "w");
    if (!f)
        die("softhsm2.conf", AIOTSEC_E_IO);
    fprintf(f, "directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n", tdir);
    fclose(f);
    setenv("SOFTHSM2_CONF", conf, 1);
    setenv("AIOTSEC_BENCH_PIN", "112233", 1);
    if (system("softhsm2-util --init-token --free --label bench --pin 112233 --so-pin 445566 >/dev/null") != 0)
        die("softhsm2-util", AIOTSEC_KEYDB_E_TOKEN);
    aiotsec_keydb_token *tok = NULL;
    int rc = aiotsec_keydb_token_open(&tok, module, "bench", "AIOTSEC_BENCH_PIN");
    if (rc != AIOTSEC_OK)
        die("token", rc);
    snprintf(dir, sizeof dir, "%s/tokendb", base);
    aiotsec_keydb_options o;
    aiotsec_keydb_options_init(&o);
    o.token = tok;
    o.ctx = ctx;
    if ((rc = aiotsec_keydb_init(dir, &o)) != AIOTSEC_OK)
        die("token init", rc);
    aiotsec_keydb *db = NULL;
    if ((rc = aiotsec_keydb_open(&db, dir, &o)) != AIOTSEC_OK)
        die("token open", rc);
    size_t len, done;
    char *text = key_file(m, &len);
    double t0 = now();
    if ((rc = aiotsec_keydb_import_buffer(db, text, len, 1000, NULL, NULL, &done, NULL)) != AIOTSEC_OK)
        die("token import", rc);
    double secs = now() - t0;
    sodium_memzero(text, len);
    free(text);
    fprintf(stderr, "  token import: %zu devices in %.1f s (%.0f devices/s)\n", m, secs, (double)m / secs);
    aiotsec_keystore ks;
    aiotsec_adm *adm;
    aiotsec_auth_answer *ans;
    if (aiotsec_keydb_keystore(db, &ks) != AIOTSEC_OK || aiotsec_adm_new(&adm, ctx, &ks, NULL) != AIOTSEC_OK ||
        aiotsec_auth_answer_new(&ans, 1024) != AIOTSEC_OK)
        die("token ADM", AIOTSEC_E_NO_MEMORY);
    size_t *order = malloc(m * sizeof *order);
    for (size_t i = 0; i < m; i++)
        order[i] = randombytes_uniform((uint32_t)m);
    add_row("pkcs11 token (SoftHSM2), first use", auth_ns(adm, ans, order, m));
    add_row("pkcs11 token (SoftHSM2), handle known", auth_ns(adm, ans, order, m));
    (void)mem_ns;
    free(order);
    aiotsec_auth_answer_free(ans);
    aiotsec_adm_free(adm);
    aiotsec_keydb_close(db);
    aiotsec_keydb_token_close(tok);
}

int main(int argc, char **argv)
{
    size_t n = 1000000, token_devices = 500;
    int big = 0;
    const char *where = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--devices") && i + 1 < argc)
            n = strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--token-devices") && i + 1 < argc)
            token_devices = strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--big"))
            big = 1;
        else if (!strcmp(argv[i], "--dir") && i + 1 < argc)
            where = argv[++i];
        else {
            fprintf(stderr, "usage: aiotsec-keydb-bench [--devices N] [--big] [--token-devices M] [--dir D]\n");
            return 2;
        }
    }
    if (n < 65536) {
        fprintf(stderr, "--devices: at least 65536\n");
        return 2;
    }
    if (sodium_init() < 0)
        return 1;
    char base[512];
    snprintf(base, sizeof base, "%s/aiotsec-keydb-bench-XXXXXX", where);
    if (!mkdtemp(base))
        die(base, AIOTSEC_E_IO);
    aiotsec_ctx *ctx = NULL;
    if (aiotsec_ctx_new(&ctx, "native", NULL) != AIOTSEC_OK)
        die("context", AIOTSEC_E_BACKEND_FAILURE);
    char kek_path[600];
    snprintf(kek_path, sizeof kek_path, "%s/kek", base);
    aiotsec_keydb_kek *kek = NULL;
    int rc = aiotsec_keydb_kek_create_file(&kek, kek_path);
    if (rc != AIOTSEC_OK)
        die("KEK", rc);

    aiotsec_memstore *mem = NULL;
    aiotsec_keydb *db = import_run(base, n, kek, ctx, &mem);
    char dir[600];
    snprintf(dir, sizeof dir, "%s/db-%zu", base, n);
    aiotsec_keydb_close(db);

    /* getAuthentication: the in-memory store, then LMDB through fresh handles. */
    aiotsec_keystore ks;
    aiotsec_adm *adm;
    aiotsec_auth_answer *ans;
    if (aiotsec_auth_answer_new(&ans, 1024) != AIOTSEC_OK)
        die("answer", AIOTSEC_E_NO_MEMORY);
    size_t sample = 200000, hot = 10000;
    size_t *cold = malloc(sample * sizeof *cold), *warm = malloc(sample * sizeof *warm);
    for (size_t i = 0; i < sample; i++) {
        cold[i] = (size_t)randombytes_uniform((uint32_t)n); /* mostly distinct devices */
        warm[i] = (size_t)randombytes_uniform((uint32_t)hot) * (n / hot); /* 10,000 devices, cache-resident */
    }
    fprintf(stderr, "getAuthentication, one named device, one RAND_AIOT_d (mean ns per request):\n");
    aiotsec_memstore_keystore(mem, &ks);
    aiotsec_adm_new(&adm, ctx, &ks, NULL);
    auth_ns(adm, ans, warm, sample); /* warm-up: page faults, branch predictors */
    double mem_ns = auth_ns(adm, ans, warm, sample);
    add_row("in-memory store (prepared keys)", mem_ns);
    double mem_group = group_ns(adm, ans, n, 200);
    aiotsec_adm_free(adm);
    aiotsec_memstore_free(mem);

    double group_raw = 0, group_prep = 0;
    for (int prepared = 0; prepared < 2; prepared++) {
        aiotsec_keydb_options o;
        aiotsec_keydb_options_init(&o);
        o.kek = kek;
        o.ctx = ctx;
        o.prepared_keys = prepared;
        o.cache_entries = 16384;
        if ((rc = aiotsec_keydb_open(&db, dir, &o)) != AIOTSEC_OK)
            die("open", rc);
        aiotsec_keydb_keystore(db, &ks);
        aiotsec_adm_new(&adm, ctx, &ks, NULL);
        if (!prepared)
            add_row("lmdb sealed, cold (unseal on first use)", auth_ns(adm, ans, cold, sample));
        auth_ns(adm, ans, warm, sample); /* fill the cache with the warm set, and warm up */
        add_row(prepared ? "lmdb sealed, cached, prepared keys" : "lmdb sealed, cached, raw keys",
                auth_ns(adm, ans, warm, sample));
        double g = group_ns(adm, ans, n, 200);
        if (prepared)
            group_prep = g;
        else
            group_raw = g;
        aiotsec_keydb_stats st;
        aiotsec_keydb_stats_get(db, &st);
        fprintf(stderr, "    (cache: %zu entries, locked %d, hits %llu, misses %llu, evictions %llu)\n",
                st.cache_capacity, st.cache_locked, (unsigned long long)st.hits, (unsigned long long)st.misses,
                (unsigned long long)st.evictions);
        aiotsec_adm_free(adm);
        aiotsec_keydb_close(db);
    }
    fprintf(stderr, "group of 256 devices, two RAND_AIOT_d (mean ns per candidate):\n");
    add_row("group: in-memory store", mem_group);
    add_row("group: lmdb sealed, raw keys", group_raw);
    add_row("group: lmdb sealed, prepared keys", group_prep);
    token_bench(base, ctx, token_devices, mem_ns);
    free(cold);
    free(warm);

    if (big) {
        rmtree(dir); /* room on disk for the big one */
        db = import_run(base, 10 * n, kek, ctx, &mem);
        aiotsec_memstore_free(mem);
        aiotsec_keydb_close(db);
    }

    printf("\n== aiotsec keydb bench (native backend, %zu devices%s)\n\n", n, big ? ", and 10x" : "");
    printf("| import | devices | seconds | devices/s | data.mdb on disk | octets/device | in-memory load s | x in-memory |\n");
    printf("|---|---|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < n_imports; i++)
        printf("| lmdb sealed | %zu | %.1f | %.0f | %.1f MiB | %.0f | %.1f | %.1f |\n", imports[i].n, imports[i].secs,
               (double)imports[i].n / imports[i].secs, (double)imports[i].bytes / 1048576.0,
               (double)imports[i].bytes / (double)imports[i].n, imports[i].mem_secs,
               imports[i].secs / imports[i].mem_secs);
    if (n_imports == 2)
        printf("\n10x devices: import time x%.1f, size x%.1f\n", imports[1].secs / imports[0].secs,
               (double)imports[1].bytes / (double)imports[0].bytes);
    printf("\n| getAuthentication | ns | x in-memory |\n|---|---|---|\n");
    for (size_t i = 0; i < n_rows; i++) {
        double ref = !strncmp(rows[i].what, "group:", 6) ? mem_group : mem_ns;
        printf("| %s | %.0f | %.2f |\n", rows[i].what, rows[i].ns, rows[i].ns / ref);
    }
    aiotsec_auth_answer_free(ans);
    aiotsec_keydb_kek_free(kek);
    aiotsec_ctx_free(ctx);
    rmtree(base);
    return 0;
}
