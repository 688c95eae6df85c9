#include "vectors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef AIOTSEC_VECTORS_DIR
#error "AIOTSEC_VECTORS_DIR must name ../shared/vectors"
#endif

static void die(const char *what, const char *detail)
{
    fprintf(stderr, "vectors: %s: %s\n", what, detail);
    exit(99);
}

void tv_load(tv_file *f, const char *name)
{
    char path[1024];
    memset(f, 0, sizeof *f);
    snprintf(path, sizeof path, "%s/%s", AIOTSEC_VECTORS_DIR, name);
    FILE *fp = fopen(path, "rb");
    if (!fp)
        die("cannot open", path);
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    if (n < 0)
        die("cannot size", path);
    f->text = calloc((size_t)n + 1, 1);
    if (!f->text || fread(f->text, 1, (size_t)n, fp) != (size_t)n)
        die("cannot read", path);
    fclose(fp);

    int header_done = 0;
    char *save = NULL;
    for (char *line = strtok_r(f->text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        size_t l = strlen(line);
        if (l && line[l - 1] == '\r')
            line[l - 1] = 0;
        if (line[0] == '#' || line[0] == 0)
            continue;
        char *cols[TV_MAX_COLS];
        size_t nc = 0;
        char *p = line;
        for (;;) {
            if (nc == TV_MAX_COLS)
                die("too many columns", path);
            cols[nc++] = p;
            char *tab = strchr(p, '\t');
            if (!tab)
                break;
            *tab = 0;
            p = tab + 1;
        }
        if (!header_done) {
            f->ncols = nc;
            memcpy(f->names, cols, nc * sizeof cols[0]);
            header_done = 1;
            continue;
        }
        if (nc != f->ncols)
            die("row with wrong column count", path);
        if (f->nrows == TV_MAX_ROWS)
            die("too many rows", path);
        memcpy(f->rows[f->nrows].col, cols, nc * sizeof cols[0]);
        f->nrows++;
    }
    if (!header_done || f->nrows == 0)
        die("no rows", path);
}

void tv_free(tv_file *f)
{
    free(f->text);
    memset(f, 0, sizeof *f);
}

const char *tv_get(const tv_file *f, size_t row, const char *col)
{
    if (row >= f->nrows)
        die("row out of range", col);
    for (size_t i = 0; i < f->ncols; i++)
        if (strcmp(f->names[i], col) == 0)
            return f->rows[row].col[i];
    die("no such column", col);
    return NULL;
}

static int nib(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

size_t tv_hex(const char *hex, uint8_t *out, size_t cap)
{
    if (strcmp(hex, "-") == 0)
        return 0;
    size_t l = strlen(hex);
    if (l % 2)
        die("odd hex length", hex);
    if (l / 2 > cap)
        die("hex too long for buffer", hex);
    for (size_t i = 0; i < l / 2; i++) {
        int a = nib(hex[2 * i]), b = nib(hex[2 * i + 1]);
        if (a < 0 || b < 0)
            die("bad hex", hex);
        out[i] = (uint8_t)(a << 4 | b);
    }
    return l / 2;
}

void tv_tohex(const uint8_t *in, size_t len, char *out)
{
    static const char d[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = d[in[i] >> 4];
        out[2 * i + 1] = d[in[i] & 15];
    }
    out[2 * len] = 0;
}
