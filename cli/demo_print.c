/* Output of `aiotsec demo`: numbered steps as in spec section 1, checks and
 * attack verdicts. Nothing secret reaches these functions: callers pass RAND
 * values, identifiers, sizes and statuses only. */
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
    printf("  [%-3s] %-18s ", num, who);
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

void demo_attack(demo *d, const char *what, int got, int want)
{
    d->attacks++;
    int ok = got == want;
    if (ok)
        d->attacks_rejected++;
    else
        fprintf(stderr, "aiotsec demo: ATTACK NOT REJECTED AS EXPECTED: %s: got %s, want %s\n", what,
                aiotsec_status_name(got), aiotsec_status_name(want));
    switch (got) {
    case AIOTSEC_E_AUTH_FAILED: d->rej.auth_failed++; break;
    case AIOTSEC_E_NO_PENDING: d->rej.no_pending++; break;
    case AIOTSEC_E_EXPIRED: d->rej.expired++; break;
    case AIOTSEC_E_REPLAY: d->rej.replay++; break;
    case AIOTSEC_E_MAC_MISMATCH: d->rej.mac_mismatch++; break;
    case AIOTSEC_E_ABORTED: d->rej.aborted++; break;
    case AIOTSEC_E_DEVICE_DISABLED: d->rej.disabled++; break;
    default: break;
    }
    if (d->verbose)
        printf("        => %s: %s %s\n", what, aiotsec_status_name(got), ok ? "(rejected, as expected)" : "(UNEXPECTED)");
}
