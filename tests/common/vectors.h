/* Reader for the tab-separated vector files in ../shared/vectors (tests only).
 * The files are read, never retyped: every test that checks an official value
 * loads it through here. */
#ifndef AIOTSEC_TEST_VECTORS_H
#define AIOTSEC_TEST_VECTORS_H

#include <stddef.h>
#include <stdint.h>

#define TV_MAX_COLS 16
#define TV_MAX_ROWS 64

typedef struct tv_row {
    char *col[TV_MAX_COLS]; /* NUL-terminated fields, in header order */
} tv_row;

typedef struct tv_file {
    size_t ncols, nrows;
    char *names[TV_MAX_COLS];
    tv_row rows[TV_MAX_ROWS];
    char *text; /* owns every string above */
} tv_file;

/* Loads AIOTSEC_VECTORS_DIR/<name>; aborts the test process with a message on failure
 * (a missing vector file is a broken test setup, not a skipped check). */
void tv_load(tv_file *f, const char *name);
void tv_free(tv_file *f);
/* Field of a row by column name; aborts if the column does not exist. */
const char *tv_get(const tv_file *f, size_t row, const char *col);
/* Decodes hex into out (capacity cap); returns the length; aborts on bad hex or overflow.
 * "" and "-" decode to length 0. */
size_t tv_hex(const char *hex, uint8_t *out, size_t cap);
/* Lower-case hex of len octets into out (capacity >= 2*len+1). */
void tv_tohex(const uint8_t *in, size_t len, char *out);

#endif
