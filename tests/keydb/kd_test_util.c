/* Helpers shared by the key-database tests (see kd_test_util.h). */
#define _GNU_SOURCE
#include "kd_test_util.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <sodium.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static void die(const char *what)
{
    fprintf(stderr, "kd_test_util: %s (%s)\n", what, strerror(errno));
    abort();
}

int kdt_reduced(void)
{
    const char *r = getenv("AIOTSEC_TEST_REDUCED");
    return r && *r && strcmp(r, "0") != 0;
}

void kdt_mkdtemp(char out[256], const char *tag)
{
    const char *t = getenv("TMPDIR");
    snprintf(out, 256, "%s/aiotsec-keydb-%s-XXXXXX", t && *t ? t : "/tmp", tag);
    if (!mkdtemp(out))
        die("mkdtemp");
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void kdt_rmtree(const char *dir)
{
    nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

void kdt_perm(size_t i, uint8_t perm[5])
{
    perm[0] = 0xa1;
    perm[1] = (uint8_t)(i >> 24);
    perm[2] = (uint8_t)(i >> 16);
    perm[3] = (uint8_t)(i >> 8);
    perm[4] = (uint8_t)i;
}

size_t kdt_key(uint64_t seed, size_t i, unsigned v, uint8_t key[32])
{
    uint8_t msg[8 + 8 + 4], k[crypto_generichash_KEYBYTES] = "aiotsec keydb test key material";
    memcpy(msg, &seed, 8);
    uint64_t ii = i;
    memcpy(msg + 8, &ii, 8);
    memcpy(msg + 16, &v, 4);
    crypto_generichash(key, 32, msg, sizeof msg, k, sizeof k);
    return i % 3 == 0 ? 32 : 16;
}

char *kdt_keyfile(uint64_t seed, size_t from, size_t to, size_t *len)
{
    size_t cap = (to - from) * 90 + 64, n = 0;
    char *t = malloc(cap);
    if (!t)
        die("malloc");
    n += (size_t)snprintf(t, cap, "# test devices %zu..%zu\n", from, to);
    for (size_t i = from; i < to; i++) {
        uint8_t perm[5], key[32];
        char ph[11], kh[65];
        kdt_perm(i, perm);
        size_t kl = kdt_key(seed, i, 0, key);
        kdt_hex(perm, 5, ph);
        kdt_hex(key, kl, kh);
        n += (size_t)snprintf(t + n, cap - n, "%s %s\n", ph, kh);
    }
    *len = n;
    return t;
}

void kdt_kek_file(const char *dir, const char *name, char path[512], aiotsec_keydb_kek **kek)
{
    snprintf(path, 512, "%s/%s", dir, name);
    aiotsec_keydb_kek *k = NULL;
    if (aiotsec_keydb_kek_create_file(&k, path) != AIOTSEC_OK)
        die("kek file");
    if (kek)
        *kek = k;
    else
        aiotsec_keydb_kek_free(k);
}

const char *kdt_softhsm_module(void)
{
#ifdef KDT_SOFTHSM_MODULE
    return KDT_SOFTHSM_MODULE;
#else
    fprintf(stderr, "SoftHSM2 (Debian softhsm2) was not found when the tests were configured\n");
    abort();
#endif
}

void kdt_softhsm(const char *dir)
{
    char conf[512], tokens[512];
    snprintf(conf, sizeof conf, "%s/softhsm2.conf", dir);
    snprintf(tokens, sizeof tokens, "%s/tokens", dir);
    if (mkdir(tokens, 0700) != 0)
        die("token dir");
    FILE *f = fopen(conf, "w");
    if (!f)
        die("softhsm2.conf");
    fprintf(f, "directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n"
               "slots.removable = false\n", tokens);
    fclose(f);
    setenv("SOFTHSM2_CONF", conf, 1);
    setenv("KDT_PIN", KDT_PIN, 1);
    char *argv[] = {KDT_SOFTHSM_UTIL, "--init-token", "--free", "--label", KDT_LABEL, "--pin", KDT_PIN,
                    "--so-pin", "654321", NULL};
    if (kdt_run(argv) != 0)
        die("softhsm2-util --init-token");
}

int kdt_run(char *const argv[])
{
    pid_t pid;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    int rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    return rc == 0 ? kdt_wait(pid) : -1;
}

int kdt_run_limited(char *const argv[], unsigned long long max_file)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        struct rlimit rl = {(rlim_t)max_file, (rlim_t)max_file};
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0)
            dup2(null, 1);
        signal(SIGXFSZ, SIG_DFL); /* a write past the limit ends the program */
        if (setrlimit(RLIMIT_FSIZE, &rl) == 0)
            execv(argv[0], argv);
        _exit(127);
    }
    return kdt_wait(pid);
}

int kdt_big_address_space(void)
{
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    return 1;
#else
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
    return 1;
#endif
#endif
    const char *pre = getenv("LD_PRELOAD");
    return (pre && (strstr(pre, "vgpreload") || strstr(pre, "libasan") || strstr(pre, "libtsan"))) || kdt_reduced();
#endif
}

pid_t kdt_helper_start(char *const args[], int *to, int *from)
{
    int in[2], out[2];
    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0)
        die("pipe");
    char *argv[32];
    size_t n = 0;
    argv[n++] = KDT_HELPER;
    for (size_t i = 0; args[i] && n < 31; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    pid_t pid;
    if (posix_spawn(&pid, KDT_HELPER, &fa, NULL, argv, environ) != 0)
        die("spawn helper");
    posix_spawn_file_actions_destroy(&fa);
    close(in[0]);
    close(out[1]);
    *to = in[1];
    *from = out[0];
    return pid;
}

int kdt_read_line(int fd, char *buf, size_t cap)
{
    size_t n = 0;
    for (;;) {
        char c;
        ssize_t r = read(fd, &c, 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        if (c == '\n')
            break;
        if (n + 1 < cap)
            buf[n++] = c;
    }
    buf[n] = 0;
    return 0;
}

int kdt_write_line(int fd, const char *line)
{
    size_t len = strlen(line);
    char buf[1024];
    if (len + 1 > sizeof buf)
        return -1;
    memcpy(buf, line, len);
    buf[len] = '\n';
    return write(fd, buf, len + 1) == (ssize_t)(len + 1) ? 0 : -1;
}

int kdt_wait(pid_t pid)
{
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

uint8_t *kdt_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 20, n = 0;
    uint8_t *b = malloc(cap);
    for (;;) {
        if (n == cap) {
            cap *= 2;
            b = realloc(b, cap);
        }
        if (!b)
            die("realloc");
        size_t r = fread(b + n, 1, cap - n, f);
        if (r == 0)
            break;
        n += r;
    }
    fclose(f);
    *len = n;
    return b;
}

size_t kdt_count(const uint8_t *hay, size_t hay_len, const uint8_t *needle, size_t n)
{
    size_t c = 0;
    const uint8_t *p = hay, *end = hay + hay_len;
    while (p < end) {
        const uint8_t *q = memmem(p, (size_t)(end - p), needle, n);
        if (!q)
            break;
        c++;
        p = q + 1;
    }
    return c;
}

void kdt_midstates(const uint8_t *key, size_t len, uint8_t inner[32], uint8_t outer[32])
{
    uint8_t pad[64];
    crypto_hash_sha256_state st;
    for (int which = 0; which < 2; which++) {
        memset(pad, which ? 0x5c : 0x36, sizeof pad);
        for (size_t i = 0; i < len; i++)
            pad[i] ^= key[i];
        crypto_hash_sha256_init(&st);
        crypto_hash_sha256_update(&st, pad, sizeof pad);
        memcpy(which ? outer : inner, st.state, 32); /* one block absorbed: the midstate */
    }
}

void kdt_hex(const uint8_t *in, size_t len, char *out)
{
    sodium_bin2hex(out, 2 * len + 1, in, len);
}

size_t kdt_unhex(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = 0;
    if (sodium_hex2bin(out, cap, hex, strlen(hex), NULL, &n, NULL) != 0)
        return (size_t)-1;
    return n;
}

typedef struct mapping {
    unsigned long start, end;
    int dumped;
} mapping;

/* Reads /proc/PID/smaps into an array of mappings with their dump decision. */
static mapping *dumpable_maps(pid_t pid, size_t *n)
{
    char path[64], line[512];
    snprintf(path, sizeof path, "/proc/%d/smaps", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    size_t cap = 256;
    mapping *m = malloc(cap * sizeof *m);
    *n = 0;
    int cur_ok = 0;
    while (m && fgets(line, sizeof line, f)) {
        unsigned long a, b;
        char perms[8] = "", file[300] = "";
        if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %299[^\n]", &a, &b, perms, file) >= 3 && strchr(line, '-') &&
            strlen(perms) == 4) {
            if (*n == cap) {
                mapping *g = realloc(m, (cap *= 2) * sizeof *m);
                if (!g)
                    break;
                m = g;
            }
            const char *name = file;
            while (*name == ' ')
                name++;
            int anon = !*name || *name == '[';
            cur_ok = perms[0] == 'r' && (anon || (perms[1] == 'w' && perms[3] == 'p')) &&
                     strcmp(name, "[vvar]") != 0 && strcmp(name, "[vsyscall]") != 0;
            m[*n] = (mapping){a, b, cur_ok};
            (*n)++;
        } else if (!strncmp(line, "VmFlags:", 8) && *n && strstr(line, " dd")) {
            m[*n - 1].dumped = 0; /* MADV_DONTDUMP: left out of every core dump */
        }
    }
    fclose(f);
    return m;
}

size_t kdt_dump_size(pid_t pid)
{
    size_t n = 0, total = 0;
    mapping *m = dumpable_maps(pid, &n);
    for (size_t i = 0; m && i < n; i++)
        if (m[i].dumped)
            total += m[i].end - m[i].start;
    free(m);
    return m ? total : (size_t)-1;
}

int kdt_scan_dumpable(pid_t pid, size_t max_map, kdt_scan_fn fn, void *arg, size_t *scanned, size_t *skipped)
{
    size_t n = 0;
    *scanned = *skipped = 0;
    mapping *m = dumpable_maps(pid, &n);
    if (!m)
        return -1;
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/mem", (int)pid);
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        free(m);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        size_t len = m[i].end - m[i].start;
        if (!m[i].dumped)
            continue;
        if (len > max_map) {
            *skipped += len;
            continue;
        }
        uint8_t *buf = malloc(len);
        if (!buf)
            die("malloc");
        ssize_t got = pread(fd, buf, len, (off_t)m[i].start);
        if (got > 0) {
            fn(arg, buf, (size_t)got);
            *scanned += (size_t)got;
        }
        free(buf);
    }
    close(fd);
    free(m);
    return 0;
}
