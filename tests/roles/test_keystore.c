#define _POSIX_C_SOURCE 200809L
/* Key-file parsing and the in-memory store: every rejection with its line
 * number and status, all-or-nothing loading, nothing lost from a valid file. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "roles_test_util.h"

static aiotsec_ctx *ctx;
static aiotsec_memstore *store;

static void setup(void)
{
    cr_assert_eq(aiotsec_ctx_new(&ctx, NULL, NULL), AIOTSEC_OK);
    cr_assert_eq(aiotsec_memstore_new(&store, ctx, 0), AIOTSEC_OK);
}

static void teardown(void)
{
    aiotsec_memstore_free(store);
    aiotsec_ctx_free(ctx);
}

TestSuite(keystore, .init = setup, .fini = teardown);

#define K16 "000102030405060708090a0b0c0d0e0f"
#define K32 K16 "101112131415161718191a1b1c1d1e1f"

static int load(const char *text, size_t *line)
{
    return aiotsec_memstore_load_buffer(store, text, strlen(text), line);
}

Test(keystore, valid_text_with_comments_blanks_crlf)
{
    const char *t = "# ident perm key\n"
                    "\n"
                    "   \t\n"
                    "01 a1 " K16 "\n"
                    "0202\tA2a2\t" K32 "   # trailing comment\r\n"
                    "  03 a3 " K16; /* no final newline */
    size_t line = 99;
    cr_assert_eq(load(t, &line), AIOTSEC_OK);
    cr_assert_eq(line, 0);
    cr_assert_eq(aiotsec_memstore_count(store), 3);
    const uint8_t *id, *perm;
    size_t il, pl;
    cr_assert_eq(aiotsec_memstore_device_at(store, 1, &id, &il, &perm, &pl), AIOTSEC_OK);
    cr_assert_eq(il, 2);
    cr_assert_eq(id[0], 2);
    cr_assert_eq(pl, 2);
    cr_assert_eq(perm[0], 0xa2);
    cr_assert_eq(aiotsec_memstore_device_at(store, 3, &id, &il, NULL, NULL), AIOTSEC_E_BAD_VALUE);
}

static void expect_error(const char *text, int status, size_t line_no)
{
    size_t before = aiotsec_memstore_count(store);
    size_t line = 0;
    int rc = load(text, &line);
    cr_assert_eq(rc, status, "got %s for:\n%s", aiotsec_status_name(rc), text);
    cr_assert_eq(line, line_no, "line %zu, expected %zu for:\n%s", line, line_no, text);
    cr_assert_eq(aiotsec_memstore_count(store), before, "a failed load must change nothing");
}

Test(keystore, malformed_lines_refused_with_line_number)
{
    expect_error("01 a1 " K16 "\n02 a2\n", AIOTSEC_E_PARSE, 2);                  /* two fields */
    expect_error("01 a1 " K16 " 00\n", AIOTSEC_E_PARSE, 1);                       /* four fields */
    expect_error("# c\n01 a1 " K16 "\n0g a2 " K16 "\n", AIOTSEC_E_PARSE, 3);      /* bad digit */
    expect_error("012 a2 " K16 "\n", AIOTSEC_E_PARSE, 1);                         /* odd length */
    expect_error("01 a2 " K16 "0\n", AIOTSEC_E_PARSE, 1);                         /* odd key */
    expect_error("01 a2 0x" K16 "\n", AIOTSEC_E_PARSE, 1);                        /* prefix */
    char longline[1200];
    memset(longline, ' ', sizeof longline);
    memcpy(longline, "01 a1 " K16, 6 + 32);
    longline[sizeof longline - 1] = 0;
    expect_error(longline, AIOTSEC_E_PARSE, 1);                                   /* > 1024 chars */
}

Test(keystore, wrong_lengths_refused_with_line_number)
{
    expect_error("01 a1 " K16 "\n02 a2 000102030405060708090a0b0c0d0e\n", AIOTSEC_E_BAD_LENGTH, 2); /* 15 */
    expect_error("01 a1 " K16 "00\n", AIOTSEC_E_BAD_LENGTH, 1);                                       /* 17 */
    expect_error("01 a1 " K32 "00\n", AIOTSEC_E_BAD_LENGTH, 1);                                       /* 33 */
    char id65[200] = {0};
    for (int i = 0; i < 65; i++)
        strcat(id65, "ab");
    char t[1024];
    snprintf(t, sizeof t, "\n\n%s a1 %s\n", id65, K16);
    expect_error(t, AIOTSEC_E_BAD_LENGTH, 3);
    snprintf(t, sizeof t, "01 %s %s\n", id65, K16);
    expect_error(t, AIOTSEC_E_BAD_LENGTH, 1);
    /* 64 octets is the maximum and is fine. */
    id65[128] = 0;
    snprintf(t, sizeof t, "%s %s %s\n", id65, id65, K32);
    size_t line;
    cr_assert_eq(load(t, &line), AIOTSEC_OK);
}

Test(keystore, duplicates_refused_with_line_number_all_or_nothing)
{
    cr_assert_eq(load("01 a1 " K16 "\n", NULL), AIOTSEC_OK);
    /* Duplicate identification information, then duplicate Permanent Identifier,
     * within the file and against what is already loaded. */
    expect_error("02 a2 " K16 "\n03 a3 " K16 "\n02 a4 " K16 "\n", AIOTSEC_E_DUPLICATE, 3);
    expect_error("02 a2 " K16 "\n03 a2 " K16 "\n", AIOTSEC_E_DUPLICATE, 2);
    expect_error("01 b1 " K16 "\n", AIOTSEC_E_DUPLICATE, 1);
    expect_error("0b a1 " K16 "\n", AIOTSEC_E_DUPLICATE, 1);
    /* After the rollbacks the devices of the failed loads are really gone. */
    cr_assert_eq(load("02 a2 " K16 "\n03 a3 " K16 "\n", NULL), AIOTSEC_OK);
    cr_assert_eq(aiotsec_memstore_count(store), 3);
    cr_assert_eq(aiotsec_memstore_add(store, (const uint8_t *)"\x01", 1, (const uint8_t *)"\xff", 1,
                                      (const uint8_t *)K32, 32), AIOTSEC_E_DUPLICATE);
}

Test(keystore, add_argument_checks)
{
    uint8_t k[32] = {0}, id[65] = {1};
    cr_assert_eq(aiotsec_memstore_add(store, id, 0, id, 1, k, 16), AIOTSEC_E_BAD_LENGTH);
    cr_assert_eq(aiotsec_memstore_add(store, id, 65, id, 1, k, 16), AIOTSEC_E_BAD_LENGTH);
    cr_assert_eq(aiotsec_memstore_add(store, id, 1, id, 1, k, 24), AIOTSEC_E_BAD_LENGTH);
    cr_assert_eq(aiotsec_memstore_add(store, NULL, 1, id, 1, k, 16), AIOTSEC_E_NULL_ARG);
    cr_assert_eq(aiotsec_memstore_add(NULL, id, 1, id, 1, k, 16), AIOTSEC_E_NULL_ARG);
    cr_assert_eq(aiotsec_memstore_load_file(store, "/nonexistent/keys.txt", NULL), AIOTSEC_E_IO);
}

/* The look-ups and the ADM agree with a derivation from the raw key. */
Test(keystore, lookups_and_adm)
{
    cr_assert_eq(load("0a0b b0b1b2 " K32 "\n0c 0d " K16 "\n", NULL), AIOTSEC_OK);
    aiotsec_keystore ks;
    cr_assert_eq(aiotsec_memstore_keystore(store, &ks), AIOTSEC_OK);
    uint8_t key[32], perm[64];
    size_t kl, pl;
    cr_assert_eq(ks.by_ident(ks.user, (const uint8_t *)"\x0a\x0b", 2, key, &kl, perm, &pl), AIOTSEC_OK);
    cr_assert_eq(kl, 32);
    cr_assert_eq(pl, 3);
    cr_assert_eq(ks.by_ident(ks.user, (const uint8_t *)"\x0a", 1, key, &kl, perm, &pl), AIOTSEC_E_UNKNOWN_DEVICE);
    cr_assert_eq(ks.by_perm_id(ks.user, (const uint8_t *)"\x0d", 1, key, &kl), AIOTSEC_OK);
    cr_assert_eq(kl, 16);
    cr_assert_eq(ks.by_perm_id(ks.user, (const uint8_t *)"\x0c", 1, key, &kl), AIOTSEC_E_UNKNOWN_DEVICE);

    aiotsec_adm *adm;
    cr_assert_eq(aiotsec_adm_new(&adm, ctx, &ks), AIOTSEC_OK);
    uint8_t rn[16], rd[16], xres[16], want[16], kf[32], kf_want[32];
    memset(rd, 0x5a, sizeof rd);
    cr_assert_eq(aiotsec_adm_sec_rand_get(adm, rn, sizeof rn), AIOTSEC_OK);
    cr_assert_eq(aiotsec_adm_sec_authentication_get(adm, (const uint8_t *)"\x0c", 1, rn, 16, rd, 16, xres, 16,
                                                    perm, sizeof perm, &pl), AIOTSEC_OK);
    cr_assert_eq(pl, 1);
    cr_assert_eq(perm[0], 0x0d);
    cr_assert_eq(aiotsec_derive_res(ctx, key, 16, rn, 16, rd, 16, want, 16), AIOTSEC_OK); /* key of 0c (from by_perm_id) */
    cr_assert_arr_eq(xres, want, 16);
    cr_assert_eq(aiotsec_adm_sec_session_key_get(adm, (const uint8_t *)"\x0d", 1, rn, 16, rd, 16, kf, 32), AIOTSEC_OK);
    cr_assert_eq(aiotsec_derive_kaiotf(ctx, key, 16, rn, 16, rd, 16, kf_want, 32), AIOTSEC_OK);
    cr_assert_arr_eq(kf, kf_want, 32);
    cr_assert_eq(aiotsec_adm_sec_authentication_get(adm, (const uint8_t *)"\x0e", 1, rn, 16, rd, 16, xres, 16,
                                                    NULL, 0, NULL), AIOTSEC_E_UNKNOWN_DEVICE);
    cr_assert_eq(aiotsec_adm_sec_session_key_get(adm, (const uint8_t *)"\x0e", 1, rn, 16, rd, 16, kf, 32),
                 AIOTSEC_E_UNKNOWN_DEVICE);
    cr_assert_eq(aiotsec_adm_sec_authentication_get(adm, (const uint8_t *)"\x0c", 1, rn, 15, rd, 16, xres, 16,
                                                    NULL, 0, NULL), AIOTSEC_E_BAD_LENGTH);
    aiotsec_adm_free(adm);

    /* The same through the raw-key path only (a store without prepared keys). */
    ks.prepared_by_ident = NULL;
    ks.prepared_by_perm_id = NULL;
    cr_assert_eq(aiotsec_adm_new(&adm, ctx, &ks), AIOTSEC_OK);
    uint8_t xres2[16];
    cr_assert_eq(aiotsec_adm_sec_authentication_get(adm, (const uint8_t *)"\x0c", 1, rn, 16, rd, 16, xres2, 16,
                                                    NULL, 0, NULL), AIOTSEC_OK);
    cr_assert_arr_eq(xres2, want, 16);
    aiotsec_adm_free(adm);
    ks.by_ident = NULL;
    cr_assert_eq(aiotsec_adm_new(&adm, ctx, &ks), AIOTSEC_E_BAD_VALUE);
}

/* A file, streamed in chunks, loses no line: lines straddle chunk boundaries. */
Test(keystore, file_load_loses_nothing)
{
    char path[] = "/tmp/aiotsec-ks-XXXXXX";
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    FILE *f = fdopen(fd, "w");
    const size_t n = 5000;
    for (size_t i = 0; i < n; i++) {
        if (i % 97 == 0)
            fprintf(f, "# comment %zu\n\n", i);
        fprintf(f, "%08zx%s %06zx %032zx\n", i, i % 3 ? "ff" : "", i * 7 + 1, i * 31);
    }
    fclose(f);
    size_t line = 7;
    int rc = aiotsec_memstore_load_file(store, path, &line);
    cr_assert_eq(rc, AIOTSEC_OK, "%s at line %zu", aiotsec_status_name(rc), line);
    cr_assert_eq(aiotsec_memstore_count(store), n);
    aiotsec_keystore ks;
    cr_assert_eq(aiotsec_memstore_keystore(store, &ks), AIOTSEC_OK);
    for (size_t i = 0; i < n; i++) {
        uint8_t id[5] = {(uint8_t)(i >> 24), (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i, 0xff};
        uint8_t key[32], perm[64];
        size_t kl, pl;
        cr_assert_eq(ks.by_ident(ks.user, id, i % 3 ? 5 : 4, key, &kl, perm, &pl), AIOTSEC_OK, "device %zu", i);
        size_t p = i * 7 + 1;
        cr_assert_eq(pl, 3);
        cr_assert_eq(perm[0], (uint8_t)(p >> 16));
        cr_assert_eq(perm[2], (uint8_t)p);
        cr_assert_eq(kl, 16);
        cr_assert_eq(key[15], (uint8_t)(i * 31));
    }
    /* A bad line deep in the file: its number, and nothing kept. */
    f = fopen(path, "a");
    fprintf(f, "zz 01 " K16 "\n");
    fclose(f);
    aiotsec_memstore *s2;
    cr_assert_eq(aiotsec_memstore_new(&s2, ctx, 0), AIOTSEC_OK);
    cr_assert_eq(aiotsec_memstore_load_file(s2, path, &line), AIOTSEC_E_PARSE);
    cr_assert_eq(line, n + 2 * ((n + 96) / 97) + 1);
    cr_assert_eq(aiotsec_memstore_count(s2), 0);
    aiotsec_memstore_free(s2);
    unlink(path);
}

/* Random text built from the characters that matter to the parser: the buffer
 * and the streamed file reader agree on every input (status and line), a
 * failure always names a line that exists and changes nothing. */
Test(keystore, random_text_buffer_and_file_agree)
{
    static const char alphabet[] = "0123456789abcdefABCDEF0123456789   \t\t#\n\n\n\r g";
    uint64_t seed = 2026;
    char text[600];
    char path[] = "/tmp/aiotsec-ks-rand-XXXXXX";
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    close(fd);
    for (int round = 0; round < 3000; round++) {
        uint8_t r[600];
        test_rand(&seed, r, sizeof r);
        size_t len = (r[0] + 2u * r[1]) % 590u;
        size_t lines = 1;
        for (size_t i = 0; i < len; i++) {
            text[i] = alphabet[r[i + 2 < sizeof r ? i + 2 : 0] % (sizeof alphabet - 1)];
            lines += text[i] == '\n';
        }
        /* Every other round, make it mostly valid so the success path is exercised. */
        if (round % 2) {
            len = (size_t)snprintf(text, sizeof text, "%02x%02x %02x %s\n%02x %02x%02x %s%s\n",
                                   r[0], r[1], r[2], K16, r[3], r[4], r[5], K16, round % 4 == 1 ? "" : "00");
            lines = 3;
        }
        size_t before = aiotsec_memstore_count(store), line_b = 0, line_f = 0;
        int rb = aiotsec_memstore_load_buffer(store, text, len, &line_b);
        cr_assert(rb == AIOTSEC_OK || rb == AIOTSEC_E_PARSE || rb == AIOTSEC_E_BAD_LENGTH ||
                  rb == AIOTSEC_E_DUPLICATE, "round %d: %s", round, aiotsec_status_name(rb));
        if (rb != AIOTSEC_OK) {
            cr_assert(line_b >= 1 && line_b <= lines, "round %d: line %zu of %zu", round, line_b, lines);
            cr_assert_eq(aiotsec_memstore_count(store), before);
        }
        /* The same text through the file reader, into a fresh store. */
        FILE *f = fopen(path, "wb");
        fwrite(text, 1, len, f);
        fclose(f);
        aiotsec_memstore *s2;
        cr_assert_eq(aiotsec_memstore_new(&s2, ctx, 0), 0);
        int rf = aiotsec_memstore_load_file(s2, path, &line_f);
        aiotsec_memstore *s3;
        cr_assert_eq(aiotsec_memstore_new(&s3, ctx, 0), 0);
        size_t line_3 = 0;
        int r3 = aiotsec_memstore_load_buffer(s3, text, len, &line_3);
        cr_assert_eq(rf, r3, "round %d", round);
        cr_assert_eq(line_f, line_3, "round %d", round);
        cr_assert_eq(aiotsec_memstore_count(s2), aiotsec_memstore_count(s3));
        aiotsec_memstore_free(s2);
        aiotsec_memstore_free(s3);
    }
    unlink(path);
}

/* An over-long line deep in a file (after the first 64 KiB chunk) is refused
 * with its own line number; so is one that straddles a chunk boundary. */
Test(keystore, long_line_in_a_large_file)
{
    char path[] = "/tmp/aiotsec-ks-long-XXXXXX";
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    FILE *f = fdopen(fd, "w");
    for (int i = 0; i < 2000; i++)
        fprintf(f, "%08x %08x %s\n", i, i, K16);
    for (int i = 0; i < 3000; i++)
        fputc(i % 2 ? 'a' : ' ', f);
    fputc('\n', f);
    fclose(f);
    size_t line = 0;
    cr_assert_eq(aiotsec_memstore_load_file(store, path, &line), AIOTSEC_E_PARSE);
    cr_assert_eq(line, 2001);
    cr_assert_eq(aiotsec_memstore_count(store), 0);
    unlink(path);
}

/* Every octet value as the second digit of a field: accepted exactly when it
 * is a hex digit, with the right value (the digit decoder is branch-free). */
Test(keystore, every_octet_as_a_hex_digit)
{
    for (int c = 0; c < 256; c++) {
        if (c == '\n' || c == ' ' || c == '\t' || c == '\r' || c == '#')
            continue;
        char t[64] = "1";
        t[1] = (char)c;
        memcpy(t + 2, " a1 " K16 "\n", 4 + 32 + 1);
        aiotsec_memstore *s;
        cr_assert_eq(aiotsec_memstore_new(&s, ctx, 0), 0);
        size_t line = 0;
        int rc = aiotsec_memstore_load_buffer(s, t, 2 + 4 + 32 + 1, &line);
        int hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        cr_assert_eq(rc, hex ? AIOTSEC_OK : AIOTSEC_E_PARSE, "octet 0x%02x", c);
        if (hex) {
            const uint8_t *id;
            size_t il;
            cr_assert_eq(aiotsec_memstore_device_at(s, 0, &id, &il, NULL, NULL), 0);
            int v = c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
            cr_assert_eq(id[0], 0x10 | v, "octet 0x%02x", c);
        }
        aiotsec_memstore_free(s);
    }
}
