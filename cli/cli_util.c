/* Helpers shared by every CLI command: errors, hex, numbers, the context. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

__attribute__((format(printf, 1, 0))) static void vreport(const char *fmt, va_list ap)
{
    fputs("aiotsec: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

int cli_usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(fmt, ap);
    va_end(ap);
    return CLI_USAGE;
}

int cli_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(fmt, ap);
    va_end(ap);
    return CLI_FAIL;
}

/* All ones when lo <= c <= hi, else 0 (c, lo, hi below 256): c - lo and hi - c
 * wrap around, setting bit 8 and above, exactly when c is outside. */
static unsigned in_range(unsigned c, unsigned lo, unsigned hi)
{
    return (((c - lo) | (hi - c)) >> 8 & 1u) - 1u;
}

/* The value of hex digit c, computed with masks only: no branch and no table
 * index depends on c. A character that is not a digit sets *bad to 1. */
static unsigned nibble(unsigned char ch, unsigned *bad)
{
    unsigned c = ch;
    unsigned dig = in_range(c, '0', '9'), low = in_range(c, 'a', 'f'), up = in_range(c, 'A', 'F');
    unsigned v = (dig & (c - '0')) | (low & (c - 'a' + 10u)) | (up & (c - 'A' + 10u));
    *bad |= ~(dig | low | up) & 1u;
    return v & 15u;
}

int cli_parse_hex_n(const char *hex, size_t digits, uint8_t *out, size_t cap, size_t *len)
{
    /* The length is public: these checks may branch. */
    if (!hex || digits % 2 || digits / 2 > cap)
        return -1;
    unsigned bad = 0;
    for (size_t i = 0; i < digits / 2; i++) {
        unsigned hi = nibble((unsigned char)hex[2 * i], &bad);
        unsigned lo = nibble((unsigned char)hex[2 * i + 1], &bad);
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    /* One check at the end; a refused key leaves nothing behind. */
    if (bad) {
        aiotsec_wipe(out, digits / 2);
        return -1;
    }
    *len = digits / 2;
    return 0;
}

int cli_parse_hex(const char *hex, uint8_t *out, size_t cap, size_t *len)
{
    if (!hex)
        return -1;
    /* A NUL is never a digit: stopping at it reveals only the length. */
    return cli_parse_hex_n(hex, strlen(hex), out, cap, len);
}

void cli_to_hex(const uint8_t *in, size_t len, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * len] = 0;
}

void cli_print_hex(const uint8_t *in, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        putchar(digits[in[i] >> 4]);
        putchar(digits[in[i] & 15]);
    }
    putchar('\n');
}

int cli_parse_uint(const char *s, unsigned long max, unsigned long *out)
{
    char *end;
    int base = 10;
    if (!s)
        return -1;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16; /* "0x.." is hex; everything else decimal ("010" is ten, never octal) */
        s += 2;
    }
    /* strtoul would skip blanks and accept a sign: insist on a digit first. */
    if (!((*s >= '0' && *s <= '9') || (base == 16 && ((*s >= 'a' && *s <= 'f') || (*s >= 'A' && *s <= 'F')))))
        return -1;
    errno = 0;
    unsigned long v = strtoul(s, &end, base);
    if (errno || *end || v > max)
        return -1;
    *out = v;
    return 0;
}

aiotsec_ctx *cli_make_ctx(const char *backend)
{
    aiotsec_ctx *ctx = NULL;
    int rc = aiotsec_ctx_new(&ctx, backend, NULL);
    if (rc != AIOTSEC_OK) {
        cli_usage_error("backend '%s': %s", backend ? backend : "(default)", aiotsec_strerror(rc));
        return NULL;
    }
    return ctx;
}
