/* Hex (the `Rand`, `Xres`, `Kaiotf`, `Tid` patterns) and strict base64 (TS 29.571
 * `Bytes`, OpenAPI format "byte" = RFC 4648 section 4 with padding). Strict means
 * one text per octet string: a decoder that accepted blanks, missing padding or
 * stray low bits would let two different bodies name the same device. */
#include <string.h>

#include "sbi_internal.h"

static int hex_value(unsigned c)
{
    if (c >= '0' && c <= '9')
        return (int)(c - '0');
    if (c >= 'a' && c <= 'f')
        return (int)(c - 'a' + 10);
    if (c >= 'A' && c <= 'F')
        return (int)(c - 'A' + 10);
    return -1;
}

int sbi_hex_decode(const char *s, size_t n, uint8_t *out)
{
    for (size_t i = 0; i + 1 < n; i += 2) {
        int hi = hex_value((unsigned char)s[i]), lo = hex_value((unsigned char)s[i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        out[i / 2] = (uint8_t)(hi << 4 | lo);
    }
    return n % 2 ? -1 : 0;
}

size_t sbi_b64_len(size_t n)
{
    return (n + 2) / 3 * 4;
}

static int b64_value(unsigned c)
{
    if (c >= 'A' && c <= 'Z')
        return (int)(c - 'A');
    if (c >= 'a' && c <= 'z')
        return (int)(c - 'a' + 26);
    if (c >= '0' && c <= '9')
        return (int)(c - '0' + 52);
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

int aiotsec_sbi_base64_encode(const uint8_t *in, size_t len, char *out, size_t cap, size_t *out_len)
{
    if ((!in && len) || (!out && cap) || !out_len)
        return AIOTSEC_E_NULL_ARG;
    if (len > SIZE_MAX / 4 * 3 - 3) {
        *out_len = SIZE_MAX;
        return AIOTSEC_E_BUFFER_TOO_SMALL;
    }
    size_t need = sbi_b64_len(len);
    *out_len = need;
    if (need >= cap)
        return AIOTSEC_E_BUFFER_TOO_SMALL;
    for (size_t i = 0; i < len; i += 3)
        sbi_b64_quad(in, len, i, out + i / 3 * 4);
    out[need] = '\0';
    return AIOTSEC_OK;
}

int aiotsec_sbi_base64_decode(const char *in, size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
    if ((!in && len) || (!out && cap) || !out_len)
        return AIOTSEC_E_NULL_ARG;
    *out_len = 0;
    if (len % 4)
        return AIOTSEC_E_BAD_VALUE;
    size_t pad = 0;
    if (len && in[len - 1] == '=')
        pad = len >= 2 && in[len - 2] == '=' ? 2 : 1;
    size_t n = len / 4 * 3 - pad;
    if (n > cap)
        return AIOTSEC_E_BUFFER_TOO_SMALL;
    size_t w = 0;
    for (size_t i = 0; i < len; i += 4) {
        int last = i + 4 == len;
        size_t symbols = last ? 4 - pad : 4;
        uint32_t v = 0;
        for (size_t j = 0; j < 4; j++) {
            int d = j < symbols ? b64_value((unsigned char)in[i + j]) : 0;
            if (d < 0)
                goto bad; /* includes a '=' anywhere but the final padding */
            v = v << 6 | (uint32_t)d;
        }
        /* The bits the padding leaves over must be 0 (RFC 4648 section 3.5, "canonical"). */
        if ((pad == 1 && last && (v & 0xFFu)) || (pad == 2 && last && (v & 0xFFFFu)))
            goto bad;
        out[w++] = (uint8_t)(v >> 16);
        if (symbols >= 3)
            out[w++] = (uint8_t)(v >> 8);
        if (symbols == 4)
            out[w++] = (uint8_t)v;
    }
    *out_len = w;
    return AIOTSEC_OK;
bad:
    if (w)
        aiotsec_wipe(out, w);
    return AIOTSEC_E_BAD_VALUE;
}
