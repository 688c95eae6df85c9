/* A program outside the aiotsec tree, built against an installed libaiotsec
 * (find_package or pkg-config): derives the first row of aiot-profile0.tsv on
 * every built-in backend and checks it. Public API only.
 *
 *   consumer PATH/aiot-profile0.tsv
 *
 * Exit 0 when every value matches, 1 on a mismatch or a library error, 2 on
 * a bad argument or an unreadable vector file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <aiotsec/aiotsec.h>

#define MAX_COLS 16
#define LINE_MAX_LEN 4096

typedef struct row {
    char header[LINE_MAX_LEN], values[LINE_MAX_LEN];
    char *names[MAX_COLS], *fields[MAX_COLS];
    size_t n;
} row;

/* Splits a tab-separated line in place; returns the number of fields. */
static size_t split(char *line, char **out)
{
    size_t n = 0;
    line[strcspn(line, "\r\n")] = 0;
    for (char *p = line; n < MAX_COLS; p++) {
        out[n++] = p;
        p = strchr(p, '\t');
        if (!p)
            break;
        *p = 0;
    }
    return n;
}

/* The column names (first line after the '#' comments) and the first data row. */
static int read_first_row(const char *path, row *r)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    int got = 0;
    char line[LINE_MAX_LEN];
    while (got < 2 && fgets(line, sizeof line, f)) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        memcpy(got == 0 ? r->header : r->values, line, sizeof line);
        got++;
    }
    fclose(f);
    if (got < 2)
        return -1;
    r->n = split(r->header, r->names);
    return split(r->values, r->fields) == r->n ? 0 : -1;
}

/* Decodes the hex of column `name`; returns the length or 0 (missing or bad). */
static size_t column(const row *r, const char *name, uint8_t *out, size_t cap)
{
    for (size_t i = 0; i < r->n; i++) {
        if (strcmp(r->names[i], name) != 0)
            continue;
        size_t len = strlen(r->fields[i]) / 2;
        if (len > cap || strlen(r->fields[i]) % 2)
            return 0;
        for (size_t j = 0; j < len; j++) {
            unsigned v;
            if (sscanf(r->fields[i] + 2 * j, "%2x", &v) != 1)
                return 0;
            out[j] = (uint8_t)v;
        }
        return len;
    }
    return 0;
}

static int check(const char *backend, const char *what, const uint8_t *got, size_t got_len,
                 const uint8_t *want, size_t want_len)
{
    if (got_len == want_len && aiotsec_ct_equal(got, want, want_len) == 1)
        return 0;
    fprintf(stderr, "consumer: %s: %s does not match the vector\n", backend, what);
    return 1;
}

static int run_backend(const char *backend, const row *r)
{
    uint8_t k_root[32], rand_n[32], rand_d[32], res_want[32], kaiotf_want[32];
    uint8_t hs_want[32], nia2_want[32], nea2_want[32];
    size_t k_len = column(r, "k_root", k_root, sizeof k_root);
    size_t n_len = column(r, "rand_n", rand_n, sizeof rand_n);
    size_t d_len = column(r, "rand_d", rand_d, sizeof rand_d);
    size_t res_len = column(r, "res", res_want, sizeof res_want);
    size_t kf_len = column(r, "k_aiotf", kaiotf_want, sizeof kaiotf_want);
    size_t hs_len = column(r, "k_int_hs", hs_want, sizeof hs_want);
    size_t nia2_len = column(r, "k_int_nia2", nia2_want, sizeof nia2_want);
    size_t nea2_len = column(r, "k_enc_nea2", nea2_want, sizeof nea2_want);
    if (!k_len || !n_len || !d_len || !res_len || !kf_len || !hs_len || !nia2_len || !nea2_len) {
        fprintf(stderr, "consumer: a column of the vector file is missing or not hex\n");
        return 2;
    }

    aiotsec_ctx *ctx = NULL;
    int st = aiotsec_ctx_new(&ctx, backend, NULL);
    if (st != AIOTSEC_OK) {
        fprintf(stderr, "consumer: %s: %s\n", backend, aiotsec_status_name(st));
        return 1;
    }
    uint8_t res[32], kaiotf[32], key[32];
    size_t key_len = 0;
    int bad = 0;
    st = aiotsec_derive_res(ctx, k_root, k_len, rand_n, n_len, rand_d, d_len, res, sizeof res);
    bad |= st != AIOTSEC_OK || check(backend, "RES_AIOT", res, aiotsec_derive_res_bytes(ctx), res_want, res_len);
    bad |= aiotsec_verify_res(ctx, k_root, k_len, rand_n, n_len, rand_d, d_len, res_want,
                              res_len) != AIOTSEC_OK;
    st = aiotsec_derive_kaiotf(ctx, k_root, k_len, rand_n, n_len, rand_d, d_len, kaiotf,
                               sizeof kaiotf);
    bad |= st != AIOTSEC_OK || check(backend, "K_AIOTF", kaiotf, aiotsec_derive_kaiotf_bytes(), kaiotf_want, kf_len);
    st = aiotsec_derive_alg_key(ctx, kaiotf_want, kf_len, AIOTSEC_ALG_INT, 8, key, sizeof key, &key_len);
    bad |= st != AIOTSEC_OK || check(backend, "AIA-HS key", key, key_len, hs_want, hs_len);
    st = aiotsec_derive_alg_key(ctx, kaiotf_want, kf_len, AIOTSEC_ALG_INT, 2, key, sizeof key, &key_len);
    bad |= st != AIOTSEC_OK || check(backend, "128-NIA2 key", key, key_len, nia2_want, nia2_len);
    st = aiotsec_derive_alg_key(ctx, kaiotf_want, kf_len, AIOTSEC_ALG_ENC, 2, key, sizeof key, &key_len);
    bad |= st != AIOTSEC_OK || check(backend, "128-NEA2 key", key, key_len, nea2_want, nea2_len);
    aiotsec_ctx_free(ctx);
    aiotsec_wipe(k_root, sizeof k_root);
    aiotsec_wipe(kaiotf, sizeof kaiotf);
    aiotsec_wipe(key, sizeof key);
    if (bad)
        fprintf(stderr, "consumer: %s: FAILED\n", backend);
    return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: consumer PATH/aiot-profile0.tsv\n");
        return 2;
    }
    static row r;
    if (read_first_row(argv[1], &r) != 0) {
        fprintf(stderr, "consumer: cannot read a header and a row from %s\n", argv[1]);
        return 2;
    }
    /* The header the program was compiled with must match the library it runs with. */
    if (aiotsec_version_number() != AIOTSEC_VERSION_NUMBER) {
        fprintf(stderr, "consumer: header %s, library %s\n", AIOTSEC_VERSION_STRING,
                aiotsec_version_string());
        return 1;
    }
    size_t n = aiotsec_backend_count();
    int rc = 0;
    for (size_t i = 0; i < n && rc != 2; i++) {
        int b = run_backend(aiotsec_backend_name_at(i), &r);
        rc = b > rc ? b : rc;
    }
    if (rc == 0)
        printf("consumer: libaiotsec %s, first row of aiot-profile0.tsv ok on %zu backends\n",
               aiotsec_version_string(), n);
    return rc;
}
