/* Residue scanner: interposed free() and realloc(), and a stack scan (residue.h).
 *
 * Everything the scanner keeps is static (no malloc), so that its own storage
 * never passes through the hooks. The hooks call glibc's __libc_free and
 * __libc_realloc, as tests/perf/test_noalloc.c does for malloc; glibc routes
 * its own internal frees (fclose, setvbuf...) through the interposed symbols
 * too, so stdio buffers are scanned as well. */
#define _GNU_SOURCE /* malloc_usable_size */
#include <fcntl.h>
#include <malloc.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aiotsec/aiotsec.h"
#include "residue.h"

#ifdef RESIDUE_HAVE_VALGRIND
#include <valgrind/memcheck.h>
#define MARK_DEFINED(p, n) (void)VALGRIND_MAKE_MEM_DEFINED((p), (n))
#define UNDER_VALGRIND() (RUNNING_ON_VALGRIND != 0)
#else
#define MARK_DEFINED(p, n) ((void)(p), (void)(n))
#define UNDER_VALGRIND() 0
#endif

extern void __libc_free(void *p);
extern void *__libc_realloc(void *p, size_t n);

/* --- patterns: every window of WIN octets, indexed by a hash table -------------- */

#define WIN 8u
#define MAX_PATTERNS 65536u
#define PATTERN_BYTES (4u << 20)
#define MAX_ENTRIES (1u << 20)
#define TABLE_BITS 21u
#define TABLE_SIZE (1u << TABLE_BITS)

typedef struct pattern {
    size_t off, len, min_match;
    const char *what;
} pattern;

typedef struct entry {
    uint64_t window;
    uint32_t pat, off; /* the window is pattern pat's octets off .. off + WIN */
} entry;

static unsigned char store[PATTERN_BYTES];
static size_t store_used;
static pattern pats[MAX_PATTERNS];
static size_t n_pats;
static entry entries[MAX_ENTRIES];
static size_t n_entries;
static uint32_t table[TABLE_SIZE]; /* entry index + 1; 0 is empty */
static atomic_int armed;

/* --- findings -------------------------------------------------------------------- */

#define MAX_DETAIL 16u

typedef struct finding {
    const char *where;
    size_t pat, offset, region;
} finding;

static finding found[MAX_DETAIL];
static atomic_size_t n_found;

static uint32_t slot_of(uint64_t w)
{
    return (uint32_t)((w * 0x9E3779B97F4A7C15ull) >> (64u - TABLE_BITS));
}

void residue_reset(void)
{
    atomic_store(&armed, 0);
    memset(table, 0, sizeof table);
    n_entries = n_pats = store_used = 0;
    atomic_store(&n_found, 0);
}

void residue_add(const void *pattern_bytes, size_t len, size_t min_match, const char *what)
{
    if (min_match < WIN)
        min_match = WIN;
    if (len < min_match || n_pats == MAX_PATTERNS || store_used + len > PATTERN_BYTES ||
        n_entries + (len - min_match + 1) > MAX_ENTRIES) {
        fprintf(stderr, "residue: pattern '%s' not registered (too short, or the scanner is full)\n", what);
        abort();
    }
    atomic_store(&armed, 0);
    pattern *p = &pats[n_pats];
    p->off = store_used;
    p->len = len;
    p->min_match = min_match;
    p->what = what;
    memcpy(store + store_used, pattern_bytes, len);
    store_used += len;
    /* A residue of min_match octets starts at one of these offsets. */
    for (size_t o = 0; o + min_match <= len; o++) {
        entry *e = &entries[n_entries];
        memcpy(&e->window, store + p->off + o, WIN);
        e->pat = (uint32_t)n_pats;
        e->off = (uint32_t)o;
        uint32_t s = slot_of(e->window);
        while (table[s])
            s = (s + 1) & (TABLE_SIZE - 1);
        table[s] = (uint32_t)++n_entries;
    }
    n_pats++;
    atomic_store(&armed, 1);
}

void residue_hex(const uint8_t *in, size_t len, char *out, int upper)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * len] = 0;
}

void residue_add_key(const uint8_t *key, size_t len, const char *what)
{
    static char hex[2 * 256 + 1];
    if (len > 256)
        abort();
    residue_add(key, len, 8, what);
    residue_hex(key, len, hex, 0);
    residue_add(hex, 2 * len, 16, what);
    residue_hex(key, len, hex, 1);
    residue_add(hex, 2 * len, 16, what);
    aiotsec_wipe(hex, sizeof hex);
}

size_t residue_findings(void)
{
    return atomic_load(&n_found);
}

void residue_clear_findings(void)
{
    atomic_store(&n_found, 0);
}

/* Scans p[0..n); records each pattern residue found. Never allocates. */
static void scan(const unsigned char *p, size_t n, const char *where)
{
    if (!atomic_load(&armed) || n < WIN)
        return;
    MARK_DEFINED(p, n);
    for (size_t i = 0; i + WIN <= n; i++) {
        uint64_t w;
        memcpy(&w, p + i, WIN);
        for (uint32_t s = slot_of(w); table[s]; s = (s + 1) & (TABLE_SIZE - 1)) {
            const entry *e = &entries[table[s] - 1];
            if (e->window != w)
                continue;
            const pattern *pt = &pats[e->pat];
            if (i + pt->min_match > n || memcmp(p + i, store + pt->off + e->off, pt->min_match) != 0)
                continue;
            size_t k = atomic_fetch_add(&n_found, 1);
            if (k < MAX_DETAIL) {
                found[k].where = where;
                found[k].pat = e->pat;
                found[k].offset = i;
                found[k].region = n;
            }
            i += pt->min_match - 1; /* one report per residue */
            break;
        }
    }
}

void residue_report(const char *title)
{
    size_t n = residue_findings();
    if (!n)
        return;
    fprintf(stderr, "residue: %s: %zu residue(s) of key material\n", title, n);
    for (size_t k = 0; k < n && k < MAX_DETAIL; k++)
        fprintf(stderr, "  %s: %s (pattern #%zu, %zu octets matched) at offset %zu of a %zu-octet region\n",
                found[k].where, pats[found[k].pat].what, found[k].pat, pats[found[k].pat].min_match,
                found[k].offset, found[k].region);
}

/* --- the hooks --------------------------------------------------------------------- */

void free(void *p)
{
    if (p)
        scan(p, malloc_usable_size(p), "released block (free)");
    __libc_free(p);
}

/* Whether realloc moves the block or not is the allocator's choice: a block that
 * holds key material when it is handed to realloc may be released unwiped. */
void *realloc(void *p, size_t n)
{
    if (p)
        scan(p, malloc_usable_size(p), "block handed to realloc");
    return __libc_realloc(p, n);
}

/* --- the stack ---------------------------------------------------------------------- */

#define STACK_BYTES (256u * 1024u)

/* This frame lies right below the caller's, where the frames of the caller's
 * earlier calls were: the array covers them and is not initialised on purpose. */
__attribute__((noinline)) size_t residue_scan_stack(const char *where)
{
    unsigned char area[STACK_BYTES];
    unsigned char *p = area;
    __asm__ volatile("" : "+r"(p) : : "memory"); /* the compiler cannot know what p holds */
    size_t before = residue_findings();
    scan(p, STACK_BYTES, where);
    aiotsec_wipe(p, STACK_BYTES);
    __asm__ volatile("" : : "r"(p) : "memory");
    return residue_findings() - before;
}

__attribute__((noinline)) void residue_clear_stack(void)
{
    unsigned char area[STACK_BYTES];
    unsigned char *p = area;
    __asm__ volatile("" : "+r"(p) : : "memory");
    aiotsec_wipe(p, STACK_BYTES);
    __asm__ volatile("" : : "r"(p) : "memory");
}

/* --- helpers ------------------------------------------------------------------------ */

void residue_random(uint64_t *state, uint8_t *out, size_t len)
{
    for (size_t i = 0; i < len; i += 8) {
        uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        z ^= z >> 31;
        for (size_t k = 0; k < 8 && i + k < len; k++)
            out[i + k] = (uint8_t)(z >> (8 * k));
    }
}

int residue_write_file(const char *path, const void *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    const char *p = data;
    while (len) {
        ssize_t w = write(fd, p, len);
        if (w <= 0) {
            (void)close(fd);
            return -1;
        }
        p += w;
        len -= (size_t)w;
    }
    return close(fd);
}

/* --- positive controls --------------------------------------------------------------- */

static const uint8_t probe[16] = {0x5d, 0xe1, 0x9a, 0x07, 0xc3, 0x72, 0x4b, 0xf8,
                                  0x16, 0xad, 0x3e, 0x90, 0x6f, 0x21, 0xb4, 0xcc};

__attribute__((noinline)) static void leave_probe_on_stack(void)
{
    volatile uint8_t copy[64];
    for (size_t i = 0; i < sizeof copy; i++)
        copy[i] = i >= 8 && i < 24 ? probe[i - 8] : 0;
}

/* A block holding the probe at an odd offset; written through a volatile pointer so
 * that the stores cannot be dropped as dead before free. */
static unsigned char *probe_block(size_t n)
{
    unsigned char *b = malloc(n);
    if (!b)
        abort();
    volatile unsigned char *v = b;
    for (size_t i = 0; i < n; i++)
        v[i] = i >= 5 && i < 21 ? probe[i - 5] : 0;
    return b;
}

int residue_self_test(void)
{
    residue_reset();
    residue_add_key(probe, sizeof probe, "probe key");
    int ok = 1;

    /* Valgrind replaces free and realloc everywhere, ours included: there only the
     * stack is checked (and memcheck checks the commands' memory use). */
    int heap = !UNDER_VALGRIND();
    if (!heap)
        fprintf(stderr, "residue: under valgrind: released blocks are not scanned (valgrind owns free), "
                        "the stack is\n");
    free(probe_block(64));
    if (heap && residue_findings() == 0) {
        fprintf(stderr, "residue: self-test: a key in a freed block was not found (free not interposed?)\n");
        ok = 0;
    }
    residue_clear_findings();

    unsigned char *b = realloc(probe_block(48), 1u << 20);
    if (heap && residue_findings() == 0) {
        fprintf(stderr, "residue: self-test: a key in a block handed to realloc was not found\n");
        ok = 0;
    }
    if (b)
        aiotsec_wipe(b, 1u << 20);
    residue_clear_findings();
    free(b);
    if (residue_findings() != 0) {
        fprintf(stderr, "residue: self-test: a wiped block was reported\n");
        ok = 0;
    }

    residue_clear_stack();
    leave_probe_on_stack();
    if (residue_scan_stack("stack (self-test)") == 0) {
        fprintf(stderr, "residue: self-test: a key left on the stack was not found\n");
        ok = 0;
    }
    if (residue_scan_stack("stack (self-test, after the wipe)") != 0) {
        fprintf(stderr, "residue: self-test: the stack scan does not forget what it wiped\n");
        ok = 0;
    }
    residue_reset();
    return ok ? 0 : -1;
}
