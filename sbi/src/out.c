/* The body writer: bounded writes into a caller buffer that keep counting past
 * its end, and the JSON value forms the bodies need (hex, base64, escaped
 * strings, numbers). Used for every body the library emits, so the output of a
 * secret never passes through an allocator we do not control. */
#include <string.h>

#include "sbi_internal.h"

void sbi_out_init(sbi_out *o, char *buf, size_t cap)
{
    o->buf = buf;
    o->cap = buf ? cap : 0;
    o->len = 0;
}

void sbi_put(sbi_out *o, const char *s, size_t n)
{
    if (o->len < o->cap) {
        size_t room = o->cap - o->len;
        memcpy(o->buf + o->len, s, n < room ? n : room);
    }
    /* Bodies are bounded far below SIZE_MAX; saturate rather than wrap anyway. */
    o->len = n > SIZE_MAX - o->len ? SIZE_MAX : o->len + n;
}

void sbi_puts(sbi_out *o, const char *s)
{
    sbi_put(o, s, strlen(s));
}

static void put_char(sbi_out *o, char c)
{
    sbi_put(o, &c, 1);
}

void sbi_put_hex(sbi_out *o, const uint8_t *in, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    char pair[2];
    put_char(o, '"');
    for (size_t i = 0; i < n; i++) {
        pair[0] = digits[in[i] >> 4];
        pair[1] = digits[in[i] & 15];
        sbi_put(o, pair, 2);
    }
    put_char(o, '"');
}

void sbi_b64_quad(const uint8_t *in, size_t n, size_t i, char quad[4])
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    uint32_t v = (uint32_t)in[i] << 16;
    if (i + 1 < n)
        v |= (uint32_t)in[i + 1] << 8;
    if (i + 2 < n)
        v |= in[i + 2];
    quad[0] = alphabet[v >> 18 & 63];
    quad[1] = alphabet[v >> 12 & 63];
    quad[2] = i + 1 < n ? alphabet[v >> 6 & 63] : '=';
    quad[3] = i + 2 < n ? alphabet[v & 63] : '=';
}

void sbi_put_b64(sbi_out *o, const uint8_t *in, size_t n)
{
    char quad[4];
    put_char(o, '"');
    for (size_t i = 0; i < n; i += 3) {
        sbi_b64_quad(in, n, i, quad);
        sbi_put(o, quad, 4);
    }
    put_char(o, '"');
}

/* Length of the valid UTF-8 sequence at s (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF), or 0 when it is not one. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len;
    unsigned lo = 0x80, hi = 0xBF; /* allowed range of the second octet */
    if (c >= 0xC2 && c <= 0xDF)
        len = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else
        return 0;
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    return len;
}

void sbi_put_str(sbi_out *o, const char *str, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    const unsigned char *s = (const unsigned char *)str;
    put_char(o, '"');
    for (size_t i = 0; i < n;) {
        unsigned c = s[i];
        if (c == '"' || c == '\\') {
            char esc[2] = {'\\', (char)c};
            sbi_put(o, esc, 2);
            i++;
        } else if (c < 0x20 || c == 0x7F) {
            char esc[6] = {'\\', 'u', '0', '0', digits[c >> 4], digits[c & 15]};
            sbi_put(o, esc, 6);
            i++;
        } else if (c < 0x80) {
            put_char(o, (char)c);
            i++;
        } else {
            size_t len = utf8_seq(s + i, n - i);
            if (len) {
                sbi_put(o, (const char *)s + i, len);
                i += len;
            } else { /* never let an invalid octet make the whole body invalid JSON */
                sbi_puts(o, "\\ufffd");
                i++;
            }
        }
    }
    put_char(o, '"');
}

void sbi_put_uint(sbi_out *o, unsigned long v)
{
    char tmp[24];
    size_t n = 0;
    do {
        tmp[sizeof tmp - 1 - n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v && n < sizeof tmp);
    sbi_put(o, tmp + sizeof tmp - n, n);
}

int sbi_out_end(sbi_out *o, size_t *len)
{
    *len = o->len;
    if (o->len >= o->cap) { /* no room for the body and its NUL */
        if (o->buf && o->cap)
            aiotsec_wipe(o->buf, o->cap);
        return AIOTSEC_E_BUFFER_TOO_SMALL;
    }
    o->buf[o->len] = '\0';
    return AIOTSEC_OK;
}
