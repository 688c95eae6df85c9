/* Residue test of the library's key stores (issue 14): no K_AIOT_root octets
 * (nor their hex text) in any block the library releases, nor on the stack
 * after the call returns.
 *
 * (a) aiotsec_memstore, on every backend, with and without
 *     AIOTSEC_MEMSTORE_NO_RAW_KEYS: a key-file text of LOAD devices loaded from a
 *     buffer, the same file loaded from disk into a second store, then ADD
 *     devices added one by one (the per-device arrays grow and are replaced
 *     many times), then the stores freed;
 * (b) aiotsec_keyfile_read_file on that file (larger than its 64 KiB chunk, so
 *     lines straddle chunks).
 * Devices mix 16- and 32-octet keys. Exit 0 clean, 1 on any residue (each one
 * reported on stderr), 2 when the scanner's own self-test fails.
 *
 * usage: residue_lib DIR   (DIR: a scratch directory for the key file) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aiotsec/aiotsec.h"
#include "residue.h"

enum { LOAD = 3000, ADD = 3000, DEVICES = LOAD + ADD, PERM_LEN = 8 };

static uint8_t perm[DEVICES][PERM_LEN];
static uint8_t key[DEVICES][32];
static size_t key_len[DEVICES];
/* The key file text: static, never freed, so only the library's blocks are scanned. */
static char text[LOAD * (2 * PERM_LEN + 1 + 64 + 1) + 64];
static size_t text_len;
static char path[4096];
static int failures;

static void make_devices(void)
{
    uint64_t st = 0x1d4f0a5be2c39768ull;
    for (size_t i = 0; i < DEVICES; i++) {
        residue_random(&st, perm[i], PERM_LEN);
        perm[i][0] = 0xa1; /* one group */
        key_len[i] = i % 3 ? 16 : 32;
        residue_random(&st, key[i], key_len[i]);
    }
    for (size_t i = 0; i < LOAD; i++) {
        residue_hex(perm[i], PERM_LEN, text + text_len, 0);
        text_len += 2 * PERM_LEN;
        text[text_len++] = i % 2 ? '\t' : ' ';
        residue_hex(key[i], key_len[i], text + text_len, i % 5 == 0); /* some upper case */
        text_len += 2 * key_len[i];
        text[text_len++] = '\n';
    }
}

static void register_keys(void)
{
    residue_reset();
    for (size_t i = 0; i < DEVICES; i++)
        residue_add_key(key[i], key_len[i], "K_AIOT_root of a device");
}

/* The findings of one step (released blocks and the stack scan made right
 * after its call): reported, counted, forgotten. */
static void check(const char *step)
{
    if (residue_findings()) {
        residue_report(step);
        failures++;
    } else {
        printf("ok   %s\n", step);
    }
    residue_clear_findings();
}

static int must(int rc, const char *what)
{
    if (rc != AIOTSEC_OK) {
        fprintf(stderr, "residue: %s: %s\n", what, aiotsec_strerror(rc));
        exit(1);
    }
    return rc;
}

static void memstore_scenario(const char *backend, unsigned flags)
{
    char step[160];
    aiotsec_ctx *ctx = NULL;
    must(aiotsec_ctx_new(&ctx, backend, NULL), "context");
    aiotsec_memstore *a = NULL, *b = NULL;
    size_t line = 0;

    residue_clear_stack();
    must(aiotsec_memstore_new_with_flags(&a, ctx, 0, flags), "memstore_new");
    must(aiotsec_memstore_load_buffer(a, text, text_len, &line), "load_buffer");
    (void)residue_scan_stack("stack after the call");
    snprintf(step, sizeof step, "%s flags %u: load_buffer of %d devices", backend, flags, LOAD);
    check(step);

    must(aiotsec_memstore_new_with_flags(&b, ctx, 0, flags), "memstore_new");
    residue_clear_stack();
    must(aiotsec_memstore_load_file(b, path, &line), "load_file");
    (void)residue_scan_stack("stack after the call");
    snprintf(step, sizeof step, "%s flags %u: load_file of %d devices", backend, flags, LOAD);
    check(step);

    residue_clear_stack();
    for (size_t i = LOAD; i < DEVICES; i++)
        must(aiotsec_memstore_add(a, perm[i], PERM_LEN, key[i], key_len[i]), "memstore_add");
    (void)residue_scan_stack("stack after the calls");
    snprintf(step, sizeof step, "%s flags %u: memstore_add of %d devices one by one", backend, flags, ADD);
    check(step);

    if (aiotsec_memstore_count(a) != DEVICES || aiotsec_memstore_count(b) != LOAD) {
        fprintf(stderr, "residue: the stores hold %zu and %zu devices\n", aiotsec_memstore_count(a),
                aiotsec_memstore_count(b));
        exit(1);
    }
    residue_clear_stack();
    aiotsec_memstore_free(a);
    aiotsec_memstore_free(b);
    aiotsec_ctx_free(ctx);
    (void)residue_scan_stack("stack after the calls");
    snprintf(step, sizeof step, "%s flags %u: memstore_free", backend, flags);
    check(step);
}

typedef struct seen {
    size_t lines, bad;
} seen;

/* Compares in place: the callback keeps no copy of the key. */
static int on_line(void *user, size_t line, const uint8_t *p, size_t plen, const uint8_t *k, size_t klen)
{
    seen *s = user;
    size_t i = line - 1;
    if (i >= LOAD || plen != PERM_LEN || klen != key_len[i] || memcmp(p, perm[i], plen) ||
        memcmp(k, key[i], klen))
        s->bad++;
    s->lines++;
    return 0;
}

static void keyfile_scenario(void)
{
    seen s = {0, 0};
    size_t line = 0;
    residue_clear_stack();
    must(aiotsec_keyfile_read_file(path, on_line, &s, &line), "keyfile_read_file");
    (void)residue_scan_stack("stack after the call");
    check("aiotsec_keyfile_read_file of the key file");
    if (s.lines != LOAD || s.bad) {
        fprintf(stderr, "residue: the key file gave %zu lines, %zu wrong\n", s.lines, s.bad);
        exit(1);
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: residue_lib DIR\n");
        return 2;
    }
    if (residue_self_test() != 0)
        return 2;
    make_devices();
    snprintf(path, sizeof path, "%s/residue-lib-%ld.keys", argv[1], (long)getpid());
    if (residue_write_file(path, text, text_len) != 0) {
        fprintf(stderr, "residue: cannot write %s\n", path);
        return 2;
    }
    register_keys();
    keyfile_scenario();
    for (size_t b = 0; b < aiotsec_backend_count(); b++) {
        memstore_scenario(aiotsec_backend_name_at(b), 0);
        memstore_scenario(aiotsec_backend_name_at(b), AIOTSEC_MEMSTORE_NO_RAW_KEYS);
    }
    residue_reset();
    (void)unlink(path);
    if (failures)
        fprintf(stderr, "residue: %d step(s) left key material behind\n", failures);
    return failures ? 1 : 0;
}
