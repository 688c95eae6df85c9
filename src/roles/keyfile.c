/* The key-file format: one device a line, two hex fields (Permanent Identifier,
 * K_AIOT_root), `#` comments; 0.1's three-field lines (identification
 * information first) are read with their first field ignored. The parser never
 * trusts a line: every field is length-checked before it is decoded. */
#include <stdio.h>
#include <string.h>

#include "core/internal.h"
#include "aiotsec/keystore.h"

#define LINE_MAX_CHARS 1024u

/* Hex digit value without branches or table look-ups on the digit: the key
 * field is secret. Returns the value in bits 0..3 and sets *bad when c is not
 * a hex digit (accumulated by the caller, checked once per field). */
static unsigned ct_nibble(unsigned char ch, unsigned *bad)
{
    uint32_t c = ch;
    uint32_t d = c - 0x30u;            /* '0'..'9' -> 0..9 */
    uint32_t l = (c | 0x20u) - 0x61u;  /* 'a'..'f' / 'A'..'F' -> 0..5 */
    uint32_t dm = ((d - 10u) >> 31) & ((~d) >> 31);
    uint32_t lm = ((l - 6u) >> 31) & ((~l) >> 31);
    *bad |= (dm | lm) ^ 1u;
    return (unsigned)(((d & (0u - dm)) | ((l + 10u) & (0u - lm))) & 0xfu);
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define HEX_WORDS 1
#define LANES(b) (0x0101010101010101u * (uint64_t)(b))

/* Eight hex digits at once (SWAR, little-endian), still without branches or
 * table look-ups on them: out receives four octets, and the lanes that are not
 * hex digits are or-ed into *bad (0 when all eight are). Per lane: c >= '0'
 * and c <= '9', or (c | 0x20) in 'a'..'f', tested on bit 7 after adding a
 * bias that cannot carry into the next lane (every lane is below 0x80, checked). */
static void hex8(const char *s, uint8_t out[4], uint64_t *bad)
{
    uint64_t x;
    memcpy(&x, s, 8);
    const uint64_t top = LANES(0x80);
    uint64_t ascii = x & top; /* a lane >= 0x80 is no digit, and would break the biases */
    uint64_t y = x & ~top;
    uint64_t dig = (y + LANES(0x80 - 0x30)) & ~(y + LANES(0x80 - 0x3a)) & top;
    uint64_t l = y | LANES(0x20);
    uint64_t let = (l + LANES(0x80 - 0x61)) & ~(l + LANES(0x80 - 0x67)) & top;
    *bad |= ascii | ((dig | let) ^ top);
    /* '0'..'9' -> low nibble 0..9; 'a'..'f' / 'A'..'F' -> low nibble 1..6, plus 9. */
    uint64_t nib = (y & LANES(0x0f)) + (let >> 7) * 9u;
    uint64_t hi = nib & 0x00ff00ff00ff00ffu, lo = (nib >> 8) & 0x00ff00ff00ff00ffu;
    uint64_t v = hi << 4 | lo; /* octet j in the low byte of 16-bit lane j */
    out[0] = (uint8_t)v;
    out[1] = (uint8_t)(v >> 16);
    out[2] = (uint8_t)(v >> 32);
    out[3] = (uint8_t)(v >> 48);
}
#endif

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/* Decodes one hex field of n characters into out (capacity cap octets).
 * AIOTSEC_E_PARSE for a bad digit or odd count, AIOTSEC_E_BAD_LENGTH when it
 * does not fit (the caller checks the exact allowed lengths). */
static int decode_field(const char *s, size_t n, uint8_t *out, size_t cap, size_t *len)
{
    if (n % 2)
        return AIOTSEC_E_PARSE;
    unsigned bad = 0;
    size_t m = n / 2 <= cap ? n / 2 : cap, i = 0;
#ifdef HEX_WORDS
    uint64_t badw = 0;
    for (; i + 4 <= m; i += 4)
        hex8(s + 2 * i, out + i, &badw);
    bad |= badw != 0;
#endif
    for (; i < m; i++) {
        unsigned hi = ct_nibble((unsigned char)s[2 * i], &bad);
        unsigned lo = ct_nibble((unsigned char)s[2 * i + 1], &bad);
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    for (size_t j = 2 * m; j < n; j++) /* past the capacity: validity only */
        (void)ct_nibble((unsigned char)s[j], &bad);
    if (bad) {
        aiotsec_wipe(out, cap);
        return AIOTSEC_E_PARSE;
    }
    if (n / 2 > cap) {
        aiotsec_wipe(out, cap);
        return AIOTSEC_E_BAD_LENGTH;
    }
    *len = n / 2;
    return AIOTSEC_OK;
}

/* Parses one line (without its newline) and calls fn for a device line. */
static int parse_line(const char *s, size_t n, size_t lineno, aiotsec_keyfile_fn fn, void *user)
{
    const char *field[4];
    size_t flen[4], nf = 0, i = 0;
    if (n > LINE_MAX_CHARS)
        return AIOTSEC_E_PARSE;
    while (i < n) {
        while (i < n && is_blank(s[i]))
            i++;
        if (i == n || s[i] == '#')
            break;
        if (nf == 4)
            return AIOTSEC_E_PARSE;
        field[nf] = s + i;
        while (i < n && !is_blank(s[i]) && s[i] != '#')
            i++;
        flen[nf] = (size_t)(s + i - field[nf]);
        nf++;
    }
    if (nf == 0)
        return AIOTSEC_OK; /* blank or comment line */
    if (nf != 2 && nf != 3)
        return AIOTSEC_E_PARSE;
    size_t f = nf - 2; /* the Permanent Identifier's field */
    uint8_t skip[AIOTSEC_ID_MAX], perm[AIOTSEC_ID_MAX], key[AIOTSEC_KROOT_MAX];
    size_t skip_len = 0, perm_len = 0, key_len = 0;
    int rc = AIOTSEC_OK;
    if (nf == 3) /* 0.1's identification information: still validated, then unused */
        rc = decode_field(field[0], flen[0], skip, sizeof skip, &skip_len);
    if (rc == AIOTSEC_OK)
        rc = decode_field(field[f], flen[f], perm, sizeof perm, &perm_len);
    if (rc == AIOTSEC_OK)
        rc = decode_field(field[f + 1], flen[f + 1], key, sizeof key, &key_len);
    if (rc == AIOTSEC_OK && ((nf == 3 && skip_len == 0) || perm_len == 0 || (key_len != 16 && key_len != 32)))
        rc = AIOTSEC_E_BAD_LENGTH;
    if (rc == AIOTSEC_OK)
        rc = fn(user, lineno, perm, perm_len, key, key_len);
    aiotsec_wipe(key, sizeof key);
    return rc;
}

int aiotsec_keyfile_read_buffer(const char *text, size_t len, aiotsec_keyfile_fn fn, void *user,
                                size_t *err_line)
{
    if (err_line)
        *err_line = 0;
    if ((!text && len) || !fn)
        return AIOTSEC_E_NULL_ARG;
    size_t lineno = 0, pos = 0;
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        lineno++;
        int rc = parse_line(text + pos, end - pos, lineno, fn, user);
        if (rc != AIOTSEC_OK) {
            if (err_line)
                *err_line = lineno;
            return rc;
        }
        pos = end + 1;
    }
    return AIOTSEC_OK;
}

int aiotsec_keyfile_read_file(const char *path, aiotsec_keyfile_fn fn, void *user, size_t *err_line)
{
    if (err_line)
        *err_line = 0;
    if (!path || !fn)
        return AIOTSEC_E_NULL_ARG;
    FILE *f = fopen(path, "rb");
    if (!f)
        return AIOTSEC_E_IO;
    /* Unbuffered: key text goes straight into buf (wiped below), never into a stdio buffer. */
    (void)setvbuf(f, NULL, _IONBF, 0);
    /* Streamed in chunks: a file of millions of lines is never held whole.
     * buf keeps the unfinished tail of the previous chunk at its start. */
    static const size_t CHUNK = 1u << 16;
    char buf[(1u << 16) + LINE_MAX_CHARS + 2];
    size_t have = 0, lineno = 0;
    int rc = AIOTSEC_OK, eof = 0;
    while (rc == AIOTSEC_OK && !eof) {
        size_t got = fread(buf + have, 1, CHUNK, f);
        if (got < CHUNK) {
            if (ferror(f)) {
                rc = AIOTSEC_E_IO;
                break;
            }
            eof = 1;
        }
        have += got;
        size_t pos = 0;
        for (;;) {
            const char *nl = memchr(buf + pos, '\n', have - pos);
            if (!nl && !eof) {
                /* An unfinished line longer than any valid one is an error now,
                 * so the carried tail always fits in front of the next chunk. */
                if (have - pos > LINE_MAX_CHARS) {
                    rc = AIOTSEC_E_PARSE;
                    lineno++;
                }
                break;
            }
            if (!nl && pos == have)
                break;
            size_t end = nl ? (size_t)(nl - buf) : have;
            lineno++;
            rc = parse_line(buf + pos, end - pos, lineno, fn, user);
            pos = end + 1;
            if (rc != AIOTSEC_OK || pos > have)
                break;
        }
        if (rc != AIOTSEC_OK)
            break;
        if (pos < have)
            memmove(buf, buf + pos, have - pos);
        have = pos < have ? have - pos : 0;
    }
    (void)fclose(f); /* read-only stream: nothing to flush, nothing to report */
    aiotsec_wipe(buf, sizeof buf); /* it held key text */
    if (rc != AIOTSEC_OK && err_line)
        *err_line = lineno;
    return rc;
}
