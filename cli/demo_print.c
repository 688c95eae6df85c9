/* Output of `aiotsec demo`: numbered steps as in spec section 1, checks and
 * attack verdicts. Nothing secret reaches these functions: callers pass RAND
 * values, identifiers, counts and statuses only. */
#include <stdarg.h>
#include <stdio.h>

#include "demo.h"

void demo_hex(const uint8_t *p, size_t n, char *out, size_t cap)
{
    static const char digits[] = "0123456789abcdef";
    size_t i = 0;
    for (; i < n && 2 * i + 2 < cap; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * i] = 0;
}

void demo_say(const demo *d, const char *fmt, ...)
{
    if (!d->verbose)
        return;
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
}

void demo_step(const demo *d, const char *num, const char *who, const char *fmt, ...)
{
    if (!d->verbose)
        return;
    printf("  [%-2s] %-18s ", num, who);
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
}

void demo_check(demo *d, int ok, const char *what, int rc)
{
    d->checks++;
    if (!ok) {
        d->checks_failed++;
        fprintf(stderr, "aiotsec demo: FAILED: %s (%s)\n", what, aiotsec_status_name(rc));
    }
    if (d->verbose)
        printf("        => %s: %s\n", what, ok ? "ok" : "FAILED");
}

void demo_rejected(demo *d, int status)
{
    size_t i = 0;
    while (i < d->n_rejected && d->rejected[i].status != status)
        i++;
    if (i == d->n_rejected) {
        if (i == sizeof d->rejected / sizeof d->rejected[0])
            return;
        d->rejected[d->n_rejected++].status = status;
    }
    d->rejected[i].n++;
}

void demo_attack(demo *d, const char *what, int got, int want)
{
    int ok = got == want;
    d->attacks++;
    d->attacks_rejected += ok;
    if (got < 0)
        demo_rejected(d, got);
    if (!ok)
        fprintf(stderr, "aiotsec demo: ATTACK NOT REJECTED AS EXPECTED: %s: got %s, want %s\n", what,
                aiotsec_status_name(got), aiotsec_status_name(want));
    if (d->verbose)
        printf("        => attack: %s: %s %s\n", what, aiotsec_status_name(got),
               ok ? "(rejected, as expected)" : "(UNEXPECTED)");
}
