/* Secret keys on the command line, read in one place for every command (see
 * cli.h): --key-file PATH, --key-env NAME, "-" (standard input) and the hex
 * argument of old. Files and standard input go through read(2) into one fixed
 * buffer (never a stdio buffer, which would be freed unwiped); that buffer is
 * wiped before it is freed, on every path, and no message shows key text. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/* Room for blanks and newlines around the hex in a file or on standard input. */
#define KEY_TEXT_SLACK 256u

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/* The text of text[0..n) without surrounding blanks: text[*start .. *start + *len). */
static void trim(const char *text, size_t n, size_t *start, size_t *len)
{
    size_t a = 0;
    while (a < n && is_blank(text[a]))
        a++;
    while (n > a && is_blank(text[n - 1]))
        n--;
    *start = a;
    *len = n - a;
}

/* Reads fd to its end into buf[0..cap): 0, 1 when there is more than cap, -1 on an error. */
static int read_all(int fd, char *buf, size_t cap, size_t *n)
{
    *n = 0;
    for (;;) {
        if (*n == cap) {
            char probe = 0; /* one octet more means too long */
            ssize_t r;
            do
                r = read(fd, &probe, 1);
            while (r < 0 && errno == EINTR);
            aiotsec_wipe(&probe, 1);
            return r < 0 ? -1 : r > 0 ? 1 : 0;
        }
        ssize_t r = read(fd, buf + *n, cap - *n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            return 0;
        *n += (size_t)r;
    }
}

int cli_read_stdin(char *buf, size_t cap, size_t *start, size_t *len)
{
    size_t n = 0;
    int st = read_all(0, buf, cap, &n);
    trim(buf, n, start, len);
    return st;
}

int cli_key_given(const cli_key_src *src)
{
    return (src->hex != NULL) + (src->file != NULL) + (src->env != NULL);
}

int cli_key_from_stdin(const cli_key_src *src)
{
    return src->hex && !strcmp(src->hex, "-");
}

/* Checks the length, then decodes (constant time in the digits). */
static int decode(const char *label, const cli_key_rule *r, const char *text, size_t digits, uint8_t *out,
                  size_t cap, size_t *len)
{
    if (digits % 2)
        return cli_usage_error("%s: odd number of hex digits (%zu)", label, digits);
    size_t n = digits / 2;
    int ok = r->either ? (n == r->min || n == r->max) : (n >= r->min && n <= r->max);
    if (ok && n > cap)
        return cli_fail("%s: no room for %zu octets", label, n); /* a caller's mistake */
    if (!ok && r->min == r->max)
        return cli_usage_error("%s: %s must be %zu octets, not %zu (%zu hex digits)", label, r->name, r->min, n,
                               2 * r->min);
    if (!ok && r->either)
        return cli_usage_error("%s: %s must be %zu or %zu octets, not %zu (%zu or %zu hex digits)", label, r->name,
                               r->min, r->max, n, 2 * r->min, 2 * r->max);
    if (!ok)
        return cli_usage_error("%s: %s must be %zu..%zu octets, not %zu", label, r->name, r->min, r->max, n);
    if (cli_parse_hex_n(text, digits, out, cap, len) != 0)
        return cli_usage_error("%s: not a hex string", label);
    return CLI_OK;
}

/* The key text from a file or standard input, read into buf (capacity cap). */
static int read_text(const cli_key_src *src, const char *label, char *buf, size_t cap, size_t *start,
                     size_t *len)
{
    size_t n = 0;
    int st;
    if (src->file) {
        int fd = open(src->file, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
            return cli_usage_error("%s: cannot open: %s", label, strerror(errno));
        st = read_all(fd, buf, cap, &n);
        int err = errno;
        (void)close(fd);
        errno = err;
    } else {
        st = read_all(0, buf, cap, &n);
    }
    if (st < 0)
        return cli_usage_error("%s: cannot read: %s", label, strerror(errno));
    if (st > 0)
        return cli_usage_error("%s: longer than any key (more than %zu characters)", label, cap);
    trim(buf, n, start, len);
    return CLI_OK;
}

int cli_key_read(const cli_key_src *src, const cli_key_rule *rule, uint8_t *out, size_t cap, size_t *len)
{
    *len = 0;
    int given = cli_key_given(src);
    if (given == 0)
        return cli_usage_error("missing option %s (or --key-file PATH, --key-env NAME)", rule->opt);
    if (given > 1)
        return cli_usage_error("give only one of --key-file, --key-env and %s", rule->opt);
    char label[112];
    char *buf = NULL;
    size_t buf_cap = 0, start = 0, digits = 0;
    const char *text = NULL;
    int rc = CLI_OK;
    if (src->env) {
        snprintf(label, sizeof label, "--key-env %.80s", src->env);
        const char *v = getenv(src->env);
        if (!v) {
            rc = cli_usage_error("%s: not set", label);
        } else {
            trim(v, strlen(v), &start, &digits);
            text = v + start;
        }
    } else if (src->hex && !cli_key_from_stdin(src)) {
        snprintf(label, sizeof label, "%s", rule->opt);
        text = src->hex;
        digits = strlen(text);
    } else {
        if (src->file)
            snprintf(label, sizeof label, "--key-file %.80s", src->file);
        else if (!strncmp(rule->opt, "--", 2))
            snprintf(label, sizeof label, "%s - (standard input)", rule->opt);
        else /* the command's only way besides the two options: rule->opt names it */
            snprintf(label, sizeof label, "%s", rule->opt);
        buf_cap = 2 * rule->max + KEY_TEXT_SLACK;
        buf = malloc(buf_cap);
        if (!buf)
            rc = cli_fail("%s: out of memory", label);
        else
            rc = read_text(src, label, buf, buf_cap, &start, &digits);
        text = buf ? buf + start : NULL;
    }
    if (rc == CLI_OK)
        rc = decode(label, rule, text, digits, out, cap, len);
    if (buf) {
        aiotsec_wipe(buf, buf_cap);
        free(buf);
    }
    if (rc != CLI_OK) {
        aiotsec_wipe(out, cap);
        *len = 0;
    }
    return rc;
}
