/* Helpers shared by every CLI command: errors, hex, numbers, the context. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

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

static int nibble(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int cli_parse_hex(const char *hex, uint8_t *out, size_t cap, size_t *len)
{
    size_t n = 0;
    if (!hex)
        return -1;
    while (hex[2 * n] && hex[2 * n + 1]) {
        int hi = nibble(hex[2 * n]), lo = nibble(hex[2 * n + 1]);
        if (hi < 0 || lo < 0 || n == cap)
            return -1;
        out[n] = (uint8_t)(hi << 4 | lo);
        n++;
    }
    if (hex[2 * n]) /* odd number of digits */
        return -1;
    *len = n;
    return 0;
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
