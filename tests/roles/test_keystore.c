#define _POSIX_C_SOURCE 200809L
/* Key-file parsing and the in-memory store: every rejection with its line
 * number and status, all-or-nothing loading, nothing lost from a valid file;
 * the key-store table (look-ups, filter listings in order, T-IDs) and the ADM
 * over it, with prepared keys and with raw keys only. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "roles_test_util.h"
#include "vectors.h"

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
TestSuite(filters, .init = setup, .fini = teardown);

#define K16 "000102030405060708090a0b0c0d0e0f"
#define K32 K16 "101112131415161718191a1b1c1d1e1f"

static int load(const char *text, size_t *line)
{
    return aiotsec_memstore_load_buffer(store, text, strlen(text), line);
}

Test(keystore, valid_text_with_comments_blanks_crlf)
{
    const char *t = "# perm key\n"
                    "\n"
                    "   \t\n"
                    "a1 " K16 "\n"
                    "A2a2\t" K32 "   # trailing comment\r\n"
                    "01 a3 " K16 "\n" /* 0.1's three columns: the first is ignored */
                    "  a4 " K16;      /* no final newline */
    size_t line = 99;
    cr_assert_eq(load(t, &line), AIOTSEC_OK);
    cr_assert_eq(line, 0);
    cr_assert_eq(aiotsec_memstore_count(store), 4);
    const uint8_t *perm;
    size_t pl;
    cr_assert_eq(aiotsec_memstore_device_at(store, 1, &perm, &pl), AIOTSEC_OK);
    cr_assert_eq(pl, 2);
    cr_assert_eq(perm[0], 0xa2);
    cr_assert_eq(aiotsec_memstore_device_at(store, 2, &perm, &pl), AIOTSEC_OK);
    cr_assert_eq(pl, 1);
    cr_assert_eq(perm[0], 0xa3);
    cr_assert_eq(aiotsec_memstore_device_at(store, 4, &perm, &pl), AIOTSEC_E_BAD_VALUE);
    cr_assert_eq(aiotsec_memstore_device_at(store, 0, NULL, &pl), AIOTSEC_E_NULL_ARG);
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
    expect_error("a1 " K16 "\na2\n", AIOTSEC_E_PARSE, 2);                       /* one field */
    expect_error("01 a1 " K16 " 00\n", AIOTSEC_E_PARSE, 1);                      /* four fields */
    expect_error("# c\na1 " K16 "\n0g " K16 "\n", AIOTSEC_E_PARSE, 3);          /* bad digit */
    expect_error("a12 " K16 "\n", AIOTSEC_E_PARSE, 1);                           /* odd length */
    expect_error("a2 " K16 "0\n", AIOTSEC_E_PARSE, 1);                           /* odd key */
    expect_error("a2 0x" K16 "\n", AIOTSEC_E_PARSE, 1);                          /* prefix */
    expect_error("0g a2 " K16 "\n", AIOTSEC_E_PARSE, 1);                         /* bad ignored column */
    char longline[1200];
    memset(longline, ' ', sizeof longline);
    memcpy(longline, "a1 " K16, 3 + 32);
    longline[sizeof longline - 1] = 0;
    expect_error(longline, AIOTSEC_E_PARSE, 1);                                  /* > 1024 chars */
}

Test(keystore, wrong_lengths_refused_with_line_number)
{
    expect_error("a1 " K16 "\na2 000102030405060708090a0b0c0d0e\n", AIOTSEC_E_BAD_LENGTH, 2); /* 15 */
    expect_error("a1 " K16 "00\n", AIOTSEC_E_BAD_LENGTH, 1);                                    /* 17 */
    expect_error("a1 " K32 "00\n", AIOTSEC_E_BAD_LENGTH, 1);                                    /* 33 */
    char id65[200] = {0};
    for (int i = 0; i < 65; i++)
        strcat(id65, "ab");
    char t[1024];
    snprintf(t, sizeof t, "\n\n%s %s\n", id65, K16);
    expect_error(t, AIOTSEC_E_BAD_LENGTH, 3);
    snprintf(t, sizeof t, "%s a1 %s\n", id65, K16); /* the ignored column is length-checked too */
    expect_error(t, AIOTSEC_E_BAD_LENGTH, 1);
    /* 64 octets is the maximum and is fine. */
    id65[128] = 0;
    snprintf(t, sizeof t, "%s %s\n", id65, K32);
    size_t line;
    cr_assert_eq(load(t, &line), AIOTSEC_OK);
}

Test(keystore, duplicates_refused_with_line_number_all_or_nothing)
{
    cr_assert_eq(load("a1 " K16 "\n", NULL), AIOTSEC_OK);
    /* A duplicate Permanent Identifier within the file and against what is already loaded. */
    expect_error("a2 " K16 "\na3 " K16 "\na2 " K16 "\n", AIOTSEC_E_DUPLICATE, 3);
    expect_error("a2 " K16 "\n07 a1 " K16 "\n", AIOTSEC_E_DUPLICATE, 2);
    /* After the rollbacks the devices of the failed loads are really gone. */
    cr_assert_eq(load("a2 " K16 "\na3 " K16 "\n", NULL), AIOTSEC_OK);
    cr_assert_eq(aiotsec_memstore_count(store), 3);
    cr_assert_eq(aiotsec_memstore_add(store, (const uint8_t *)"\xa1", 1, (const uint8_t *)K32, 32),
                 AIOTSEC_E_DUPLICATE);
    /* ...and still listed in order, the rolled-back ones absent. */
    aiotsec_keystore ks;
    cr_assert_eq(aiotsec_memstore_keystore(store, &ks), AIOTSEC_OK);
    uint8_t key[32];
    size_t kl;
    cr_assert_eq(ks.by_perm_id(ks.user, (const uint8_t *)"\xa3", 1, key, &kl), AIOTSEC_OK);
}

Test(keystore, add_argument_checks)
{
    uint8_t k[32] = {0}, id[65] = {1};
    cr_assert_eq(aiotsec_memstore_add(store, id, 0, k, 16), AIOTSEC_E_BAD_LENGTH);
    cr_assert_eq(aiotsec_memstore_add(store, id, 65, k, 16), AIOTSEC_E_BAD_LENGTH);
    cr_assert_eq(aiotsec_memstore_add(store, id, 1, k, 24), AIOTSEC_E_BAD_LENGTH);
    cr_assert_eq(aiotsec_memstore_add(store, NULL, 1, k, 16), AIOTSEC_E_NULL_ARG);
    cr_assert_eq(aiotsec_memstore_add(store, id, 1, NULL, 16), AIOTSEC_E_NULL_ARG);
    cr_assert_eq(aiotsec_memstore_add(NULL, id, 1, k, 16), AIOTSEC_E_NULL_ARG);
    cr_assert_eq(aiotsec_memstore_load_file(store, "/nonexistent/keys.txt", NULL), AIOTSEC_E_IO);
    cr_assert_eq(aiotsec_memstore_load_buffer(NULL, "", 0, NULL), AIOTSEC_E_NULL_ARG);
    cr_assert_eq(aiotsec_memstore_keystore(store, NULL), AIOTSEC_E_NULL_ARG);
    cr_assert_eq(aiotsec_keystore_structbytes(), sizeof(aiotsec_keystore));
    cr_assert_eq(aiotsec_keystore_id_maxbytes(), AIOTSEC_ID_MAX);
}

/* The look-ups and the ADM agree with a derivation from the raw key. */
Test(keystore, lookups_and_adm)
{
    cr_assert_eq(load("b0b1b2 " K32 "\n0d " K16 "\n", NULL), AIOTSEC_OK);
    aiotsec_keystore ks;
    cr_assert_eq(aiotsec_memstore_keystore(store, &ks), AIOTSEC_OK);
    uint8_t key[32];
    size_t kl;
    cr_assert_eq(ks.by_perm_id(ks.user, (const uint8_t *)"\xb0\xb1\xb2", 3, key, &kl), AIOTSEC_OK);
    cr_assert_eq(kl, 32);
    cr_assert_eq(ks.by_perm_id(ks.user, (const uint8_t *)"\x0d", 1, key, &kl), AIOTSEC_OK);
    cr_assert_eq(kl, 16);
    cr_assert_eq(ks.by_perm_id(ks.user, (const uint8_t *)"\x0c", 1, key, &kl), AIOTSEC_E_UNKNOWN_DEVICE);
    const aiotsec_prepared_key *pk = NULL;
    cr_assert_eq(ks.prepared_by_perm_id(ks.user, (const uint8_t *)"\x0d", 1, &pk), AIOTSEC_OK);
    cr_assert_not_null(pk);

    aiotsec_adm *adm;
    aiotsec_auth_answer *ans;
    cr_assert_eq(aiotsec_adm_new(&adm, ctx, &ks, NULL), AIOTSEC_OK);
    cr_assert_eq(aiotsec_adm_max_derivations(adm), 65536);
    cr_assert_eq(aiotsec_auth_answer_new(&ans, 16), AIOTSEC_OK);
    uint8_t rn[16], rd[32], want[16], kf[16], kf_want[16];
    memset(rd, 0x5a, sizeof rd);
    rd[16] = 0x01;
    cr_assert_eq(aiotsec_adm_get_rand(adm, rn, sizeof rn), AIOTSEC_OK);
    aiotsec_adm_request rq = {0};
    rq.perm_id = (const uint8_t *)"\x0d";
    rq.perm_id_len = 1;
    rq.rand_n = rn;
    rq.rand_n_len = 16;
    rq.rand_d = rd;
    rq.rand_d_count = 2;
    cr_assert_eq(aiotsec_adm_get_authentication(adm, &rq, ans), AIOTSEC_OK);
    cr_assert_eq(aiotsec_auth_answer_set_count(ans), 2);
    cr_assert_eq(aiotsec_auth_answer_entry_count(ans), 2);
    for (size_t j = 0; j < 2; j++) {
        const uint8_t *setrd, *x, *p;
        size_t n, xl, plen;
        cr_assert_eq(aiotsec_auth_answer_set(ans, j, &setrd, &n), AIOTSEC_OK);
        cr_assert_eq(n, 1);
        cr_assert_arr_eq(setrd, rd + 16 * j, 16);
        cr_assert_eq(aiotsec_auth_answer_entry(ans, j, 0, &x, &xl, &p, &plen), AIOTSEC_OK);
        cr_assert_null(p); /* a named device: no identifier in the entry */
        cr_assert_eq(plen, 0);
        cr_assert_eq(xl, 16);
        cr_assert_eq(aiotsec_derive_res(ctx, key, 16, rn, 16, rd + 16 * j, 16, want, 16), AIOTSEC_OK);
        cr_assert_arr_eq(x, want, 16);
    }
    cr_assert_eq(aiotsec_adm_get_session_key(adm, (const uint8_t *)"\x0d", 1, rn, 16, rd, 16, kf, 16), AIOTSEC_OK);
    cr_assert_eq(aiotsec_derive_kaiotf(ctx, key, 16, rn, 16, rd, 16, kf_want, 16), AIOTSEC_OK);
    cr_assert_arr_eq(kf, kf_want, 16);
    rq.perm_id = (const uint8_t *)"\x0e";
    cr_assert_eq(aiotsec_adm_get_authentication(adm, &rq, ans), AIOTSEC_E_UNKNOWN_DEVICE);
    cr_assert_eq(aiotsec_auth_answer_set_count(ans), 0); /* never a half answer */
    cr_assert_eq(aiotsec_adm_get_session_key(adm, (const uint8_t *)"\x0e", 1, rn, 16, rd, 16, kf, 16),
                 AIOTSEC_E_UNKNOWN_DEVICE);
    rq.perm_id = (const uint8_t *)"\x0d";
    rq.rand_n_len = 15;
    cr_assert_eq(aiotsec_adm_get_authentication(adm, &rq, ans), AIOTSEC_E_BAD_LENGTH);
    rq.rand_n_len = 16;
    rq.rand_d_count = 0;
    cr_assert_eq(aiotsec_adm_get_authentication(adm, &rq, ans), AIOTSEC_E_BAD_VALUE);
    rq.rand_d_count = 17; /* 17 derivations do not fit an answer of 16 */
    uint8_t many[17 * 16] = {0};
    rq.rand_d = many;
    cr_assert_eq(aiotsec_adm_get_authentication(adm, &rq, ans), AIOTSEC_E_BUFFER_TOO_SMALL);
    aiotsec_adm_free(adm);

    /* The same through the raw-key path only (a store without prepared keys). */
    ks.prepared_by_perm_id = NULL;
    ks.mac_by_perm_id = NULL;
    cr_assert_eq(aiotsec_adm_new(&adm, ctx, &ks, NULL), AIOTSEC_OK);
    rq.rand_d = rd;
    rq.rand_d_count = 1;
    cr_assert_eq(aiotsec_adm_get_authentication(adm, &rq, ans), AIOTSEC_OK);
    const uint8_t *x, *p;
    size_t xl, plen;
    cr_assert_eq(aiotsec_auth_answer_entry(ans, 0, 0, &x, &xl, &p, &plen), AIOTSEC_OK);
    cr_assert_eq(aiotsec_derive_res(ctx, key, 16, rn, 16, rd, 16, want, 16), AIOTSEC_OK);
    cr_assert_arr_eq(x, want, 16);
    cr_assert_eq(aiotsec_adm_get_session_key(adm, (const uint8_t *)"\x0d", 1, rn, 16, rd, 16, kf, 16), AIOTSEC_OK);
    cr_assert_arr_eq(kf, kf_want, 16);
    rq.perm_id = (const uint8_t *)"\x0e";
    cr_assert_eq(aiotsec_adm_get_authentication(adm, &rq, ans), AIOTSEC_E_UNKNOWN_DEVICE);
    aiotsec_adm_free(adm);
    ks.by_perm_id = NULL;
    cr_assert_eq(aiotsec_adm_new(&adm, ctx, &ks, NULL), AIOTSEC_E_BAD_VALUE); /* neither raw keys nor MACs */
    aiotsec_auth_answer_free(ans);
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
        if (i % 2)
            fprintf(f, "%08zx%s %032zx\n", i, i % 3 ? "ff" : "", i * 31);
        else /* 0.1's three columns, first ignored */
            fprintf(f, "%06zx %08zx%s %032zx\n", i * 7 + 1, i, i % 3 ? "ff" : "", i * 31);
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
        uint8_t key[32];
        size_t kl;
        cr_assert_eq(ks.by_perm_id(ks.user, id, i % 3 ? 5 : 4, key, &kl), AIOTSEC_OK, "device %zu", i);
        cr_assert_eq(kl, 16);
        cr_assert_eq(key[15], (uint8_t)(i * 31));
    }
    /* A bad line deep in the file: its number, and nothing kept. */
    f = fopen(path, "a");
    fprintf(f, "zz " K16 "\n");
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
            len = (size_t)snprintf(text, sizeof text, "%02x%02x %s\n%02x %02x%02x %s%s\n",
                                   r[0], r[1], K16, r[3], r[4], r[5], K16, round % 4 == 1 ? "" : "00");
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
        fprintf(f, "%08x %s\n", i, K16);
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
        memcpy(t + 2, " " K16 "\n", 1 + 32 + 1);
        aiotsec_memstore *s;
        cr_assert_eq(aiotsec_memstore_new(&s, ctx, 0), 0);
        size_t line = 0;
        int rc = aiotsec_memstore_load_buffer(s, t, 2 + 1 + 32 + 1, &line);
        int hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        cr_assert_eq(rc, hex ? AIOTSEC_OK : AIOTSEC_E_PARSE, "octet 0x%02x", c);
        if (hex) {
            const uint8_t *id;
            size_t il;
            cr_assert_eq(aiotsec_memstore_device_at(s, 0, &id, &il), 0);
            int v = c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
            cr_assert_eq(id[0], 0x10 | v, "octet 0x%02x", c);
        }
        aiotsec_memstore_free(s);
    }
}

/* --- filters: the official vectors, the API's edges, listings against brute force ---- */

Test(filters, vectors_of_aiot_filter_profile0)
{
    tv_file f;
    tv_load(&f, "aiot-filter-profile0.tsv");
    cr_assert_geq(f.nrows, 10);
    for (size_t r = 0; r < f.nrows; r++) {
        uint8_t flt[64], perm[64];
        size_t fl = tv_hex(tv_get(&f, r, "filter"), flt, sizeof flt);
        size_t pl = tv_hex(tv_get(&f, r, "perm_id"), perm, sizeof perm);
        int want = atoi(tv_get(&f, r, "match")), got = -1, order = 9;
        cr_assert_eq(aiotsec_filter_check(NULL, flt, fl), AIOTSEC_OK, "row %zu", r);
        cr_assert_eq(aiotsec_filter_match(NULL, flt, fl, perm, pl, &got), AIOTSEC_OK);
        cr_assert_eq(got, want, "row %zu", r + 1);
        cr_assert_eq(aiotsec_filter_compare(NULL, flt, fl, perm, pl, &order), AIOTSEC_OK);
        cr_assert_eq(order == 0, want, "row %zu", r + 1);
        size_t bits = 0;
        cr_assert_eq(aiotsec_filter_bits(NULL, flt, fl, &bits), AIOTSEC_OK);
        cr_assert_eq(bits, flt[0]);
    }
    tv_free(&f);
}

Test(filters, malformed_filters_and_arguments)
{
    static const uint8_t ok[] = {9, 0xa1, 0x80};
    int m = 7, o = 7;
    /* length octet 0, too few or too many prefix octets, unused bits set, empty */
    static const uint8_t z[] = {0, 0xa1}, short9[] = {9, 0xa1}, long8[] = {8, 0xa1, 0x00}, dirty[] = {9, 0xa1, 0x81};
    cr_assert_eq(aiotsec_filter_check(NULL, z, 2), AIOTSEC_E_BAD_FILTER);
    cr_assert_eq(aiotsec_filter_check(NULL, short9, 2), AIOTSEC_E_BAD_FILTER);
    cr_assert_eq(aiotsec_filter_check(NULL, long8, 3), AIOTSEC_E_BAD_FILTER);
    cr_assert_eq(aiotsec_filter_check(NULL, dirty, 3), AIOTSEC_E_BAD_FILTER);
    cr_assert_eq(aiotsec_filter_check(NULL, ok, 0), AIOTSEC_E_BAD_FILTER);
    cr_assert_eq(aiotsec_filter_check(NULL, ok, 1), AIOTSEC_E_BAD_FILTER);
    cr_assert_eq(aiotsec_filter_check(NULL, NULL, 3), AIOTSEC_E_NULL_ARG);
    cr_assert_eq(aiotsec_filter_check(NULL, ok, 3), AIOTSEC_OK);
    cr_assert_eq(aiotsec_filter_match(NULL, dirty, 3, ok, 2, &m), AIOTSEC_E_BAD_FILTER);
    cr_assert_eq(m, 0);
    cr_assert_eq(aiotsec_filter_match(NULL, ok, 3, ok, 2, NULL), AIOTSEC_E_NULL_ARG);
    cr_assert_eq(aiotsec_filter_compare(NULL, ok, 3, NULL, 2, &o), AIOTSEC_E_NULL_ARG);
    /* The longest prefix, 255 bits in 32 octets. */
    uint8_t full[33], id[40], made[40];
    memset(full, 0xff, sizeof full);
    full[0] = 255;
    full[32] = 0xfe;
    memset(id, 0xff, sizeof id);
    cr_assert_eq(aiotsec_filter_check(NULL, full, 33), AIOTSEC_OK);
    cr_assert_eq(aiotsec_filter_match(NULL, full, 33, id, 32, &m), AIOTSEC_OK);
    cr_assert_eq(m, 1);
    cr_assert_eq(aiotsec_filter_match(NULL, full, 33, id, 31, &m), AIOTSEC_OK);
    cr_assert_eq(m, 0); /* shorter than the prefix: never */
    size_t len = 0;
    cr_assert_eq(aiotsec_filter_make(NULL, id, 255, made, sizeof made, &len), AIOTSEC_OK);
    cr_assert_eq(len, 33);
    cr_assert_arr_eq(made, full, 33);
    cr_assert_eq(aiotsec_filter_make(NULL, id, 256, made, sizeof made, &len), AIOTSEC_E_BAD_LENGTH);
    cr_assert_eq(aiotsec_filter_make(NULL, id, 0, made, sizeof made, &len), AIOTSEC_E_BAD_LENGTH);
    cr_assert_eq(aiotsec_filter_make(NULL, id, 9, made, 2, &len), AIOTSEC_E_BUFFER_TOO_SMALL);
    cr_assert_eq(len, 3);
    cr_assert_eq(aiotsec_filter_maxbytes(), AIOTSEC_FILTER_MAX);
}

typedef struct collected {
    uint8_t ids[4096][AIOTSEC_ID_MAX];
    size_t lens[4096];
    size_t n, pages, stop_after;
    int prepared_all;
} collected;

static int collect(void *arg, const aiotsec_ks_entry *e, size_t n)
{
    collected *c = arg;
    c->pages++;
    cr_assert_gt(n, 0);
    for (size_t i = 0; i < n; i++) {
        cr_assert_lt(c->n, 4096);
        memcpy(c->ids[c->n], e[i].perm_id, e[i].perm_id_len);
        c->lens[c->n++] = e[i].perm_id_len;
        c->prepared_all &= e[i].key != NULL;
    }
    return c->stop_after && c->pages >= c->stop_after ? AIOTSEC_E_LIMIT : 0;
}

static int lex_less(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
    int c = memcmp(a, b, al < bl ? al : bl);
    return c < 0 || (c == 0 && al < bl);
}

/* Random stores of short, prefix-sharing identifiers; random filters. The listing
 * is exactly what aiotsec_filter_match accepts over the whole store, in order. */
Test(filters, listing_equals_brute_force_in_order)
{
    static collected c;
    uint64_t seed = 77;
    for (int round = 0; round < 40; round++) {
        aiotsec_memstore *s;
        cr_assert_eq(aiotsec_memstore_new(&s, ctx, 0), 0);
        size_t n = 50 + (size_t)round * 37;
        static uint8_t ids[2000][6];
        static size_t lens[2000];
        char *text = malloc(n * 80), *w = text;
        for (size_t i = 0; i < n; i++) {
            uint8_t r[8];
            test_rand(&seed, r, sizeof r);
            lens[i] = 1 + r[0] % 6;
            ids[i][0] = (uint8_t)(0xa0 | (r[1] & 3)); /* few first octets: deep shared prefixes */
            for (size_t k = 1; k < lens[i]; k++)
                ids[i][k] = r[k + 1] & (k % 2 ? 0x0f : 0xff);
            for (size_t k = 0; k < lens[i]; k++)
                w += sprintf(w, "%02x", ids[i][k]);
            w += sprintf(w, " %032zx\n", i);
        }
        size_t line = 0;
        int rc = aiotsec_memstore_load_buffer(s, text, (size_t)(w - text), &line);
        free(text);
        if (rc == AIOTSEC_E_DUPLICATE) { /* a random collision: try the next round */
            aiotsec_memstore_free(s);
            continue;
        }
        cr_assert_eq(rc, AIOTSEC_OK, "%s line %zu", aiotsec_status_name(rc), line);
        /* Devices added one by one afterwards keep the order too. */
        for (int extra = 0; extra < 5; extra++) {
            uint8_t id[3] = {0xa1, (uint8_t)(extra * 50), 0x77}, k[16] = {1};
            if (aiotsec_memstore_add(s, id, 3, k, 16) == AIOTSEC_OK) {
                memcpy(ids[n], id, 3);
                lens[n++] = 3;
            }
        }
        aiotsec_keystore ks;
        cr_assert_eq(aiotsec_memstore_keystore(s, &ks), 0);
        for (int q = 0; q < 25; q++) {
            uint8_t r[8], f[AIOTSEC_FILTER_MAX];
            test_rand(&seed, r, sizeof r);
            size_t bits = 1 + r[0] % 30, fl = 0;
            const uint8_t *base = ids[r[1] % n];
            uint8_t prefix[8] = {0};
            memcpy(prefix, base, lens[r[1] % n]);
            if (q % 5 == 0)
                prefix[0] ^= r[2]; /* sometimes a prefix nobody has */
            cr_assert_eq(aiotsec_filter_make(NULL, prefix, bits, f, sizeof f, &fl), 0);
            memset(&c, 0, sizeof c);
            c.prepared_all = 1;
            cr_assert_eq(ks.list_matching(ks.user, f, fl, collect, &c), AIOTSEC_OK);
            size_t want = 0;
            for (size_t i = 0; i < n; i++) {
                int m = 0;
                cr_assert_eq(aiotsec_filter_match(NULL, f, fl, ids[i], lens[i], &m), 0);
                want += (size_t)m;
            }
            cr_assert_eq(c.n, want, "round %d query %d: listed %zu, %zu match", round, q, c.n, want);
            cr_assert(c.prepared_all);
            for (size_t i = 0; i < c.n; i++) {
                int m = 0;
                cr_assert_eq(aiotsec_filter_match(NULL, f, fl, c.ids[i], c.lens[i], &m), 0);
                cr_assert(m);
                if (i)
                    cr_assert(lex_less(c.ids[i - 1], c.lens[i - 1], c.ids[i], c.lens[i]), "order at %zu", i);
            }
        }
        /* A page function's status stops the listing and comes back. */
        static const uint8_t all[] = {1, 0x80};
        memset(&c, 0, sizeof c);
        c.stop_after = 1;
        cr_assert_eq(ks.list_matching(ks.user, all, 2, collect, &c), AIOTSEC_E_LIMIT);
        cr_assert_eq(c.pages, 1);
        static const uint8_t bad[] = {9, 0xa1};
        cr_assert_eq(ks.list_matching(ks.user, bad, 2, collect, &c), AIOTSEC_E_BAD_FILTER);
        aiotsec_memstore_free(s);
    }
}

/* --- getAuthentication with a filter, getTid ---------------------------------------- */

static void adm_for(aiotsec_adm **adm, aiotsec_keystore *ks, uint32_t limit, aiotsec_batch_pool *pool)
{
    aiotsec_adm_config cfg;
    cr_assert_eq(aiotsec_adm_config_init(&cfg, ctx), 0);
    cr_assert_eq(cfg.max_derivations, 65536);
    cr_assert_eq(cfg.struct_size, aiotsec_adm_config_structbytes());
    if (limit)
        cfg.max_derivations = limit;
    cfg.pool = pool;
    cr_assert_eq(aiotsec_adm_new(adm, ctx, ks, &cfg), 0);
}

Test(keystore, filter_candidates_limits_and_order)
{
    /* 300 devices "a1 00 xx yy" (yy < 0x80), 10 devices "b7 ...". */
    char *text = malloc(400 * 60), *w = text;
    for (int i = 0; i < 300; i++)
        w += sprintf(w, "a100%02x%02x %032x\n", i / 100, i % 100, i);
    for (int i = 0; i < 10; i++)
        w += sprintf(w, "b7%02x %064x\n", i, i);
    cr_assert_eq(aiotsec_memstore_load_buffer(store, text, (size_t)(w - text), NULL), 0);
    free(text);
    aiotsec_keystore ks;
    cr_assert_eq(aiotsec_memstore_keystore(store, &ks), 0);
    aiotsec_adm *adm;
    aiotsec_auth_answer *ans;
    cr_assert_eq(aiotsec_auth_answer_new(&ans, 4096), 0);
    adm_for(&adm, &ks, 0, NULL);
    uint8_t rn[16] = {1}, rd[64 * 16];
    uint64_t seed = 5;
    test_rand(&seed, rd, sizeof rd);
    static const uint8_t f16[] = {16, 0xa1, 0x00}; /* the 300 */
    aiotsec_adm_request rq = {0};
    rq.filter = f16;
    rq.filter_len = sizeof f16;
    rq.rand_n = rn;
    rq.rand_n_len = 16;
    rq.rand_d = rd;
    rq.rand_d_count = 13; /* 3,900 derivations */
    cr_assert_eq(aiotsec_adm_get_authentication(adm, &rq, ans), AIOTSEC_OK);
    cr_assert_eq(aiotsec_auth_answer_set_count(ans), 13);
    cr_assert_eq(aiotsec_auth_answer_entry_count(ans), 3900);
    for (size_t j = 0; j < 13; j += 6) {
        const uint8_t *setrd;
        size_t cnt;
        cr_assert_eq(aiotsec_auth_answer_set(ans, j, &setrd, &cnt), 0);
        cr_assert_eq(cnt, 300);
        cr_assert_arr_eq(setrd, rd + 16 * j, 16);
        for (size_t i = 0; i < 300; i += 29) {
            const uint8_t *x, *p;
            size_t xl, pl;
            cr_assert_eq(aiotsec_auth_answer_entry(ans, j, i, &x, &xl, &p, &pl), 0);
            uint8_t want_id[4] = {0xa1, 0x00, (uint8_t)(i / 100), (uint8_t)(i % 100)}, key[16] = {0}, xres[16];
            cr_assert_eq(pl, 4);
            cr_assert_arr_eq(p, want_id, 4, "candidates come in Permanent Identifier order");
            key[14] = (uint8_t)(i >> 8);
            key[15] = (uint8_t)i;
            cr_assert_eq(aiotsec_derive_res(ctx, key, 16, rn, 16, rd + 16 * j, 16, xres, 16), 0);
            cr_assert_arr_eq(x, xres, 16, "set %zu entry %zu", j, i);
        }
    }
    /* The same answer on a worker pool. */
    aiotsec_batch_pool *pool;
    cr_assert_eq(aiotsec_batch_pool_new(&pool, 2), 0);
    aiotsec_adm *adm2;
    aiotsec_auth_answer *ans2;
    cr_assert_eq(aiotsec_auth_answer_new(&ans2, 4096), 0);
    adm_for(&adm2, &ks, 0, pool);
    cr_assert_eq(aiotsec_adm_get_authentication(adm2, &rq, ans2), AIOTSEC_OK);
    for (size_t j = 0; j < 13; j++)
        for (size_t i = 0; i < 300; i++) {
            const uint8_t *x1, *x2, *p1, *p2;
            size_t l1, l2, pl1, pl2;
            cr_assert_eq(aiotsec_auth_answer_entry(ans, j, i, &x1, &l1, &p1, &pl1), 0);
            cr_assert_eq(aiotsec_auth_answer_entry(ans2, j, i, &x2, &l2, &p2, &pl2), 0);
            cr_assert_arr_eq(x1, x2, 16);
            cr_assert_arr_eq(p1, p2, pl1);
        }
    aiotsec_adm_free(adm2);
    aiotsec_auth_answer_free(ans2);
    aiotsec_batch_pool_free(pool);
    /* Over the answer's capacity: 300 x 14 = 4,200 > 4,096. */
    rq.rand_d_count = 14;
    cr_assert_eq(aiotsec_adm_get_authentication(adm, &rq, ans), AIOTSEC_E_BUFFER_TOO_SMALL);
    aiotsec_adm_free(adm);
    /* Over the limit: refused before any derivation, whatever the capacity. */
    adm_for(&adm, &ks, 599, NULL);
    rq.rand_d_count = 2; /* 600 > 599 */
    cr_assert_eq(aiotsec_adm_get_authentication(adm, &rq, ans), AIOTSEC_E_TOO_MANY_DERIVATIONS);
    cr_assert_eq(aiotsec_auth_answer_set_count(ans), 0);
    rq.rand_d_count = 10000; /* a huge list costs one page of counting */
    static uint8_t big[10000 * 16];
    rq.rand_d = big;
    cr_assert_eq(aiotsec_adm_get_authentication(adm, &rq, ans), AIOTSEC_E_TOO_MANY_DERIVATIONS);
    rq.rand_d = rd;
    rq.rand_d_count = 1;
    cr_assert_eq(aiotsec_adm_get_authentication(adm, &rq, ans), AIOTSEC_OK);
    /* No candidate: its own status (an SBI 404), even over the limit. */
    static const uint8_t nobody[] = {8, 0xc0};
    rq.filter = nobody;
    rq.filter_len = 2;
    cr_assert_eq(aiotsec_adm_get_authentication(adm, &rq, ans), AIOTSEC_E_NO_CANDIDATE);
    rq.rand_d = big;
    rq.rand_d_count = 10000;
    cr_assert_eq(aiotsec_adm_get_authentication(adm, &rq, ans), AIOTSEC_E_NO_CANDIDATE);
    rq.rand_d = rd;
    rq.rand_d_count = 1;
    /* Malformed requests. */
    static const uint8_t broken[] = {17, 0xa1, 0x00};
    rq.filter = broken;
    rq.filter_len = 3;
    cr_assert_eq(aiotsec_adm_get_authentication(adm, &rq, ans), AIOTSEC_E_BAD_FILTER);
    rq.filter = f16;
    rq.perm_id = (const uint8_t *)"\xa1";
    rq.perm_id_len = 1;
    cr_assert_eq(aiotsec_adm_get_authentication(adm, &rq, ans), AIOTSEC_E_BAD_VALUE); /* both */
    rq.filter = NULL;
    rq.perm_id = NULL;
    cr_assert_eq(aiotsec_adm_get_authentication(adm, &rq, ans), AIOTSEC_E_BAD_VALUE); /* neither */
    cr_assert_eq(aiotsec_adm_get_authentication(adm, NULL, ans), AIOTSEC_E_NULL_ARG);
    aiotsec_adm_free(adm);
    /* A store that cannot list refuses filters. */
    ks.list_matching = NULL;
    adm_for(&adm, &ks, 0, NULL);
    rq.filter = f16;
    rq.filter_len = 3;
    cr_assert_eq(aiotsec_adm_get_authentication(adm, &rq, ans), AIOTSEC_E_UNSUPPORTED);
    aiotsec_adm_free(adm);
    aiotsec_auth_answer_free(ans);
}

/* A store that lists raw keys only (no prepared key in its entries): the same answer. */
static aiotsec_keystore inner_ks;

static int strip_keys_page(void *arg, const aiotsec_ks_entry *e, size_t n)
{
    void **a = arg;
    aiotsec_ks_page_fn page = (aiotsec_ks_page_fn)(uintptr_t)a[0];
    aiotsec_ks_entry copy[64];
    for (size_t done = 0; done < n;) {
        size_t c = n - done < 64 ? n - done : 64;
        for (size_t i = 0; i < c; i++) {
            copy[i] = e[done + i];
            copy[i].key = NULL;
        }
        int rc = page(a[1], copy, c);
        if (rc)
            return rc;
        done += c;
    }
    return 0;
}

static int raw_list(void *user, const uint8_t *f, size_t fl, aiotsec_ks_page_fn page, void *arg)
{
    (void)user;
    void *a[2] = {(void *)(uintptr_t)page, arg};
    return inner_ks.list_matching(inner_ks.user, f, fl, strip_keys_page, a);
}

/* A store whose keys never leave it: it computes the HMAC itself (an HSM would). */
static int hsm_mac(void *user, const uint8_t *perm_id, size_t perm_id_len, const uint8_t *msg, size_t msg_len,
                   uint8_t mac[32])
{
    (void)user;
    uint8_t key[32];
    size_t kl = 0;
    int rc = inner_ks.by_perm_id(inner_ks.user, perm_id, perm_id_len, key, &kl);
    if (rc == AIOTSEC_OK)
        rc = aiotsec_hmac_sha256(ctx, key, kl, msg, msg_len, mac, 32);
    aiotsec_wipe(key, sizeof key);
    return rc;
}

Test(keystore, raw_key_stores_give_the_same_candidate_sets)
{
    char text[4000], *w = text;
    for (int i = 0; i < 40; i++)
        w += sprintf(w, "c3%02x %032x\n", i, i * 3);
    cr_assert_eq(aiotsec_memstore_load_buffer(store, text, (size_t)(w - text), NULL), 0);
    cr_assert_eq(aiotsec_memstore_keystore(store, &inner_ks), 0);
    aiotsec_keystore raw = inner_ks;
    raw.prepared_by_perm_id = NULL;
    raw.list_matching = raw_list;
    aiotsec_adm *a1, *a2;
    aiotsec_auth_answer *n1, *n2;
    adm_for(&a1, &inner_ks, 0, NULL);
    adm_for(&a2, &raw, 0, NULL);
    cr_assert_eq(aiotsec_auth_answer_new(&n1, 1000), 0);
    cr_assert_eq(aiotsec_auth_answer_new(&n2, 1000), 0);
    static const uint8_t f[] = {8, 0xc3};
    uint8_t rn[16] = {9}, rd[3 * 16] = {7, 7, 7};
    rd[16] = 1;
    rd[32] = 2;
    aiotsec_adm_request rq = {0};
    rq.filter = f;
    rq.filter_len = 2;
    rq.rand_n = rn;
    rq.rand_n_len = 16;
    rq.rand_d = rd;
    rq.rand_d_count = 3;
    cr_assert_eq(aiotsec_adm_get_authentication(a1, &rq, n1), 0);
    cr_assert_eq(aiotsec_adm_get_authentication(a2, &rq, n2), 0);
    cr_assert_eq(aiotsec_auth_answer_entry_count(n1), 120);
    cr_assert_eq(aiotsec_auth_answer_entry_count(n2), 120);
    for (size_t j = 0; j < 3; j++)
        for (size_t i = 0; i < 40; i++) {
            const uint8_t *x1, *x2, *p1, *p2;
            size_t l1, l2, pl1, pl2;
            cr_assert_eq(aiotsec_auth_answer_entry(n1, j, i, &x1, &l1, &p1, &pl1), 0);
            cr_assert_eq(aiotsec_auth_answer_entry(n2, j, i, &x2, &l2, &p2, &pl2), 0);
            cr_assert_arr_eq(x1, x2, 16);
            cr_assert_eq(pl1, pl2);
            cr_assert_arr_eq(p1, p2, pl1);
        }
    /* The store that keeps its keys: the same candidate sets and the same K_AIOTF. */
    aiotsec_keystore hsm = raw;
    hsm.by_perm_id = NULL;
    hsm.mac_by_perm_id = hsm_mac;
    aiotsec_adm *a3;
    adm_for(&a3, &hsm, 0, NULL);
    cr_assert_eq(aiotsec_adm_get_authentication(a3, &rq, n2), 0);
    for (size_t j = 0; j < 3; j++)
        for (size_t i = 0; i < 40; i++) {
            const uint8_t *x1, *x2, *p1, *p2;
            size_t l1, l2, pl1, pl2;
            cr_assert_eq(aiotsec_auth_answer_entry(n1, j, i, &x1, &l1, &p1, &pl1), 0);
            cr_assert_eq(aiotsec_auth_answer_entry(n2, j, i, &x2, &l2, &p2, &pl2), 0);
            cr_assert_arr_eq(x1, x2, 16);
        }
    uint8_t k1[16], k3[16];
    cr_assert_eq(aiotsec_adm_get_session_key(a1, (const uint8_t *)"\xc3\x05", 2, rn, 16, rd, 16, k1, 16), 0);
    cr_assert_eq(aiotsec_adm_get_session_key(a3, (const uint8_t *)"\xc3\x05", 2, rn, 16, rd, 16, k3, 16), 0);
    cr_assert_arr_eq(k1, k3, 16);
    cr_assert_eq(aiotsec_adm_get_session_key(a3, (const uint8_t *)"\xc4", 1, rn, 16, rd, 16, k3, 16),
                 AIOTSEC_E_UNKNOWN_DEVICE);
    rq.filter = NULL;
    rq.perm_id = (const uint8_t *)"\xc3\x07";
    rq.perm_id_len = 2;
    cr_assert_eq(aiotsec_adm_get_authentication(a3, &rq, n2), 0);
    cr_assert_eq(aiotsec_adm_get_authentication(a2, &rq, n1), 0);
    const uint8_t *x1, *x2, *p1, *p2;
    size_t l1, l2, pl1, pl2;
    cr_assert_eq(aiotsec_auth_answer_entry(n1, 2, 0, &x1, &l1, &p1, &pl1), 0);
    cr_assert_eq(aiotsec_auth_answer_entry(n2, 2, 0, &x2, &l2, &p2, &pl2), 0);
    cr_assert_arr_eq(x1, x2, 16);
    rq.perm_id = (const uint8_t *)"\xc4";
    rq.perm_id_len = 1;
    cr_assert_eq(aiotsec_adm_get_authentication(a3, &rq, n2), AIOTSEC_E_UNKNOWN_DEVICE);
    hsm.mac_by_perm_id = NULL;
    aiotsec_adm *none = NULL;
    cr_assert_eq(aiotsec_adm_new(&none, ctx, &hsm, NULL), AIOTSEC_E_BAD_VALUE); /* neither way to a key */
    aiotsec_adm_free(a3);
    aiotsec_adm_free(a1);
    aiotsec_adm_free(a2);
    aiotsec_auth_answer_free(n1);
    aiotsec_auth_answer_free(n2);
}

Test(keystore, get_tid_stored_with_previous_and_resync)
{
    cr_assert_eq(load("a1 " K16 "\na2 " K16 "\n", NULL), 0);
    aiotsec_keystore ks;
    cr_assert_eq(aiotsec_memstore_keystore(store, &ks), 0);
    aiotsec_adm *adm;
    adm_for(&adm, &ks, 0, NULL);
    aiotsec_tid_info t1, t2, t3, t4;
    cr_assert_eq(aiotsec_tid_info_structbytes(), sizeof t1);
    cr_assert_eq(aiotsec_adm_get_tid(adm, (const uint8_t *)"\xa1", 1, 1, &t1), 0); /* resync without one: a new T-ID */
    cr_assert_eq(t1.tid_type, AIOTSEC_TID_STORED);
    cr_assert_eq(t1.has_previous, 0);
    cr_assert_eq(aiotsec_adm_get_tid(adm, (const uint8_t *)"\xa1", 1, 0, &t2), 0);
    cr_assert_eq(t2.has_previous, 1);
    cr_assert_arr_eq(t2.tid_previous, t1.tid, 16);
    cr_assert(memcmp(t2.tid, t1.tid, 16) != 0);
    cr_assert_eq(aiotsec_adm_get_tid(adm, (const uint8_t *)"\xa1", 1, 1, &t3), 0);
    cr_assert_arr_eq(t3.tid, t2.tid, 16); /* resync: the current one again, with the previous */
    cr_assert_arr_eq(t3.tid_previous, t1.tid, 16);
    cr_assert_eq(aiotsec_adm_get_tid(adm, (const uint8_t *)"\xa2", 1, 0, &t4), 0);
    cr_assert_eq(t4.has_previous, 0);
    cr_assert_eq(aiotsec_adm_get_tid(adm, (const uint8_t *)"\xa3", 1, 0, &t4), AIOTSEC_E_UNKNOWN_DEVICE);
    cr_assert_eq(aiotsec_adm_get_tid(adm, (const uint8_t *)"\xa3", 0, 0, &t4), AIOTSEC_E_BAD_LENGTH);
    aiotsec_adm_free(adm);
    ks.tid_update = NULL;
    adm_for(&adm, &ks, 0, NULL);
    cr_assert_eq(aiotsec_adm_get_tid(adm, (const uint8_t *)"\xa1", 1, 0, &t4), AIOTSEC_E_UNSUPPORTED);
    aiotsec_adm_free(adm);
    /* T-IDs survive devices added later (the T-ID array grows with the store). */
    uint8_t k[16] = {0};
    for (int i = 0; i < 200; i++) {
        uint8_t id[2] = {0xd0, (uint8_t)i};
        cr_assert_eq(aiotsec_memstore_add(store, id, 2, k, 16), 0);
    }
    cr_assert_eq(aiotsec_memstore_keystore(store, &ks), 0);
    adm_for(&adm, &ks, 0, NULL);
    cr_assert_eq(aiotsec_adm_get_tid(adm, (const uint8_t *)"\xa1", 1, 1, &t4), 0);
    cr_assert_arr_eq(t4.tid, t2.tid, 16);
    cr_assert_eq(aiotsec_adm_get_tid(adm, (const uint8_t *)"\xd0\xc7", 2, 0, &t4), 0);
    aiotsec_adm_free(adm);
}

Test(keystore, adm_configuration_is_checked)
{
    aiotsec_keystore ks;
    cr_assert_eq(aiotsec_memstore_keystore(store, &ks), 0);
    aiotsec_adm_config cfg;
    aiotsec_adm *adm = NULL;
    cr_assert_eq(aiotsec_adm_config_init(&cfg, ctx), 0);
    cfg.max_derivations = 0;
    cr_assert_eq(aiotsec_adm_new(&adm, ctx, &ks, &cfg), AIOTSEC_E_BAD_VALUE);
    cfg.max_derivations = (1u << 24) + 1;
    cr_assert_eq(aiotsec_adm_new(&adm, ctx, &ks, &cfg), AIOTSEC_E_BAD_VALUE);
    cfg.max_derivations = 10;
    cfg.struct_size = 3;
    cr_assert_eq(aiotsec_adm_new(&adm, ctx, &ks, &cfg), AIOTSEC_E_BAD_VALUE);
    cr_assert_null(adm);
    cr_assert_eq(aiotsec_adm_config_init(NULL, ctx), AIOTSEC_E_NULL_ARG);
    cr_assert_eq(aiotsec_adm_max_derivations(NULL), 0);
    aiotsec_auth_answer *a = NULL;
    cr_assert_eq(aiotsec_auth_answer_new(&a, 0), AIOTSEC_E_BAD_VALUE);
    cr_assert_eq(aiotsec_auth_answer_new(&a, (1u << 24) + 1), AIOTSEC_E_BAD_VALUE);
    cr_assert_eq(aiotsec_auth_answer_new(NULL, 5), AIOTSEC_E_NULL_ARG);
    cr_assert_eq(aiotsec_auth_answer_new(&a, 2), 0);
    uint8_t rd[16] = {0}, x[16] = {0};
    cr_assert_eq(aiotsec_auth_answer_add_entry(a, x, 16, NULL, 0), AIOTSEC_E_BAD_STATE);
    cr_assert_eq(aiotsec_auth_answer_add_set(a, rd, 15), AIOTSEC_E_BAD_LENGTH);
    cr_assert_eq(aiotsec_auth_answer_add_set(a, rd, 16), 0);
    cr_assert_eq(aiotsec_auth_answer_add_entry(a, x, 3, NULL, 0), AIOTSEC_E_BAD_LENGTH);
    cr_assert_eq(aiotsec_auth_answer_add_entry(a, x, 17, NULL, 0), AIOTSEC_E_BAD_LENGTH);
    cr_assert_eq(aiotsec_auth_answer_add_entry(a, x, 16, x, 0), AIOTSEC_E_BAD_LENGTH);
    cr_assert_eq(aiotsec_auth_answer_add_entry(a, x, 16, x, 65), AIOTSEC_E_BAD_LENGTH);
    cr_assert_eq(aiotsec_auth_answer_add_entry(a, x, 16, x, 4), 0);
    cr_assert_eq(aiotsec_auth_answer_add_entry(a, x, 4, NULL, 0), 0);
    cr_assert_eq(aiotsec_auth_answer_add_entry(a, x, 4, NULL, 0), AIOTSEC_E_LIMIT);
    cr_assert_eq(aiotsec_auth_answer_add_set(a, rd, 16), 0);
    cr_assert_eq(aiotsec_auth_answer_add_set(a, rd, 16), AIOTSEC_E_LIMIT);
    const uint8_t *v;
    size_t n;
    cr_assert_eq(aiotsec_auth_answer_set(a, 2, &v, &n), AIOTSEC_E_BAD_VALUE);
    cr_assert_eq(aiotsec_auth_answer_set(a, 0, &v, &n), 0);
    cr_assert_eq(n, 2);
    cr_assert_eq(aiotsec_auth_answer_capacity(a), 2);
    aiotsec_auth_answer_reset(a);
    cr_assert_eq(aiotsec_auth_answer_set_count(a), 0);
    aiotsec_auth_answer_free(a);
    cr_assert_str_eq(aiotsec_adm_op_name(AIOTSEC_ADM_GET_AUTHENTICATION), "getAuthentication");
    cr_assert_null(aiotsec_adm_op_name(9));
    cr_assert_eq(aiotsec_adm_request_structbytes(), sizeof(aiotsec_adm_request));
}

/* --- stores that change under a listing ------------------------------------------- */

/* A store whose prepared keys live for one page call only (a bounded cache that
 * evicts them): each page gets keys made for it, freed (and wiped) when the page
 * call returns. An ADM that kept a key past its page would derive from a wiped key. */
static int fresh_keys_page(void *arg, const aiotsec_ks_entry *e, size_t n)
{
    void **a = arg;
    aiotsec_ks_page_fn page = (aiotsec_ks_page_fn)(uintptr_t)a[0];
    aiotsec_ks_entry copy[16];
    aiotsec_prepared_key *keys[16];
    for (size_t done = 0; done < n;) {
        size_t c = n - done < 16 ? n - done : 16;
        int rc = 0;
        for (size_t i = 0; i < c; i++) {
            uint8_t k[32];
            size_t kl = 0;
            copy[i] = e[done + i];
            cr_assert_eq(inner_ks.by_perm_id(inner_ks.user, copy[i].perm_id, copy[i].perm_id_len, k, &kl), 0);
            cr_assert_eq(aiotsec_prepared_key_new(&keys[i], ctx, k, kl), 0);
            aiotsec_wipe(k, sizeof k);
            copy[i].key = keys[i];
        }
        rc = page(a[1], copy, c);
        for (size_t i = 0; i < c; i++)
            aiotsec_prepared_key_free(keys[i]);
        if (rc)
            return rc;
        done += c;
    }
    return 0;
}

static int fresh_keys_list(void *user, const uint8_t *f, size_t fl, aiotsec_ks_page_fn page, void *arg)
{
    (void)user;
    void *a[2] = {(void *)(uintptr_t)page, arg};
    return inner_ks.list_matching(inner_ks.user, f, fl, fresh_keys_page, a);
}

/* A store where a device is added between the ADM's two listings (the count and
 * the derivation): a count listing that comes "before the addition" does not see
 * the last device. */
static int grow_calls;
static int grow_always;

static int hide_last_page(void *arg, const aiotsec_ks_entry *e, size_t n)
{
    void **a = arg;
    aiotsec_ks_page_fn page = (aiotsec_ks_page_fn)(uintptr_t)a[0];
    size_t *left = a[2];
    size_t give = n < *left ? n : *left;
    *left -= give;
    return give ? page(a[1], e, give) : 0;
}

static int growing_list(void *user, const uint8_t *f, size_t fl, aiotsec_ks_page_fn page, void *arg)
{
    (void)user;
    int call = grow_calls++;
    /* Count passes are the even calls: the first count (or, always growing, every
     * count) sees one device fewer than the derivation after it. */
    size_t left = (call % 2 == 0 && (call == 0 || grow_always)) ? 39 : 40;
    void *a[3] = {(void *)(uintptr_t)page, arg, &left};
    return inner_ks.list_matching(inner_ks.user, f, fl, hide_last_page, a);
}

/* A store that fails with BAD_STATE for its own reasons: not retried. */
static int failing_list(void *user, const uint8_t *f, size_t fl, aiotsec_ks_page_fn page, void *arg)
{
    (void)user;
    (void)f;
    (void)fl;
    (void)page;
    (void)arg;
    grow_calls++;
    return AIOTSEC_E_BAD_STATE;
}

Test(keystore, listing_keys_valid_during_the_page_only_and_a_growing_store)
{
    char text[4000], *w = text;
    for (int i = 0; i < 40; i++)
        w += sprintf(w, "c3%02x %032x\n", i, i * 5 + 1);
    cr_assert_eq(aiotsec_memstore_load_buffer(store, text, (size_t)(w - text), NULL), 0);
    cr_assert_eq(aiotsec_memstore_keystore(store, &inner_ks), 0);
    static const uint8_t f[] = {8, 0xc3};
    uint8_t rn[16] = {4}, rd[2 * 16] = {3};
    rd[16] = 8;
    aiotsec_adm_request rq = {0};
    rq.filter = f;
    rq.filter_len = 2;
    rq.rand_n = rn;
    rq.rand_n_len = 16;
    rq.rand_d = rd;
    rq.rand_d_count = 2;
    aiotsec_auth_answer *want, *got;
    cr_assert_eq(aiotsec_auth_answer_new(&want, 1000), 0);
    cr_assert_eq(aiotsec_auth_answer_new(&got, 1000), 0);
    aiotsec_adm *plain;
    adm_for(&plain, &inner_ks, 0, NULL);
    cr_assert_eq(aiotsec_adm_get_authentication(plain, &rq, want), 0);
    cr_assert_eq(aiotsec_auth_answer_entry_count(want), 80);

    aiotsec_keystore fresh = inner_ks;
    fresh.list_matching = fresh_keys_list;
    aiotsec_keystore grow = inner_ks;
    grow.list_matching = growing_list;
    aiotsec_keystore *stores[2] = {&fresh, &grow};
    for (int s = 0; s < 2; s++) {
        grow_calls = 0;
        grow_always = 0;
        aiotsec_adm *adm;
        adm_for(&adm, stores[s], 0, NULL);
        cr_assert_eq(aiotsec_adm_get_authentication(adm, &rq, got), 0, "store %d", s);
        cr_assert_eq(aiotsec_auth_answer_entry_count(got), 80, "store %d", s);
        for (size_t j = 0; j < 2; j++)
            for (size_t i = 0; i < 40; i++) {
                const uint8_t *x1, *x2, *p1, *p2;
                size_t l1, l2, pl1, pl2;
                cr_assert_eq(aiotsec_auth_answer_entry(want, j, i, &x1, &l1, &p1, &pl1), 0);
                cr_assert_eq(aiotsec_auth_answer_entry(got, j, i, &x2, &l2, &p2, &pl2), 0);
                cr_assert_arr_eq(x1, x2, 16, "store %d set %zu candidate %zu", s, j, i);
                cr_assert_arr_eq(p1, p2, pl1);
            }
        if (s == 1) {
            /* Counted 39, then 40 listed: answered afresh, four listings in all. */
            cr_assert_eq(grow_calls, 4);
            /* A store that keeps growing: a bounded number of attempts, then the status. */
            grow_calls = 0;
            grow_always = 1;
            cr_assert_eq(aiotsec_adm_get_authentication(adm, &rq, got), AIOTSEC_E_BAD_STATE);
            cr_assert_eq(grow_calls, 6);
            cr_assert_eq(aiotsec_auth_answer_set_count(got), 0, "never a half answer");
        }
        if (s == 0) {
            aiotsec_keystore failing = inner_ks;
            failing.list_matching = failing_list;
            aiotsec_adm *fa;
            adm_for(&fa, &failing, 0, NULL);
            grow_calls = 0;
            cr_assert_eq(aiotsec_adm_get_authentication(fa, &rq, got), AIOTSEC_E_BAD_STATE);
            cr_assert_eq(grow_calls, 1, "a store's own BAD_STATE is not retried");
            aiotsec_adm_free(fa);
        }
        aiotsec_adm_free(adm);
    }
    aiotsec_adm_free(plain);
    aiotsec_auth_answer_free(want);
    aiotsec_auth_answer_free(got);
}

/* The key field is decoded eight digits at a time: every octet value at every
 * position of a 32-digit key is refused or decoded exactly as a digit. */
Test(keystore, every_octet_at_every_key_position)
{
    for (int pos = 0; pos < 32; pos++) {
        for (int c = 0; c < 256; c++) {
            if (c == '\n' || c == ' ' || c == '\t' || c == '\r' || c == '#')
                continue;
            char t[64];
            memcpy(t, "a1 " K16 "\n", 3 + 32 + 1);
            t[3 + pos] = (char)c;
            aiotsec_memstore *s;
            aiotsec_keystore ks;
            cr_assert_eq(aiotsec_memstore_new(&s, ctx, 0), 0);
            size_t line = 0;
            int rc = aiotsec_memstore_load_buffer(s, t, 3 + 32 + 1, &line);
            int hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
            cr_assert_eq(rc, hex ? AIOTSEC_OK : AIOTSEC_E_PARSE, "octet 0x%02x at %d", c, pos);
            if (hex) {
                uint8_t key[32], want[16];
                size_t kl;
                for (int i = 0; i < 16; i++)
                    want[i] = (uint8_t)i; /* K16 = 00 01 02 ... 0f */
                int v = c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
                want[pos / 2] = (uint8_t)(pos % 2 ? (want[pos / 2] & 0xf0) | v : (want[pos / 2] & 0x0f) | v << 4);
                cr_assert_eq(aiotsec_memstore_keystore(s, &ks), 0);
                cr_assert_eq(ks.by_perm_id(ks.user, (const uint8_t *)"\xa1", 1, key, &kl), AIOTSEC_OK);
                cr_assert_eq(kl, 16);
                cr_assert_arr_eq(key, want, 16, "octet 0x%02x at %d", c, pos);
            }
            aiotsec_memstore_free(s);
        }
    }
}
