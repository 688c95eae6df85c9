/* AiotFilteringInformation (spec 6.2): validation, matching, and the ordering a
 * sorted key store uses to find a filter's range. Bit strings are compared most
 * significant bit first, which is the order memcmp gives whole octets. */
#include <string.h>

#include "core/internal.h"
#include "aiotsec/filter.h"
#include "aiotsec/keystore.h"

static const aiotsec_profile_params *params_of(const aiotsec_profile *profile)
{
    return profile ? &profile->p : &aiot_profile0.p;
}

/* The prefix length in bits of a well-formed filter, or 0 when it is malformed. */
static size_t prefix_bits_of(const aiotsec_profile *profile, const uint8_t *f, size_t len)
{
    if (params_of(profile)->filter_encoding != AIOTSEC_FILTER_PREFIX_BITS || len < 2)
        return 0;
    size_t bits = f[0];
    if (bits == 0 || len != 1 + (bits + 7) / 8)
        return 0;
    /* The unused low-order bits of the last octet must be 0: one encoding per filter. */
    unsigned unused = (unsigned)(8 * (len - 1) - bits);
    if (f[len - 1] & ((1u << unused) - 1u))
        return 0;
    return bits;
}

int aiotsec_filter_check(const aiotsec_profile *profile, const uint8_t *filter, size_t filter_len)
{
    if (!filter)
        return AIOTSEC_E_NULL_ARG;
    return prefix_bits_of(profile, filter, filter_len) ? AIOTSEC_OK : AIOTSEC_E_BAD_FILTER;
}

int aiotsec_filter_bits(const aiotsec_profile *profile, const uint8_t *filter, size_t filter_len,
                        size_t *bits)
{
    if (!filter || !bits)
        return AIOTSEC_E_NULL_ARG;
    *bits = prefix_bits_of(profile, filter, filter_len);
    return *bits ? AIOTSEC_OK : AIOTSEC_E_BAD_FILTER;
}

/* Compares the first n bits of a and b (both at least ceil(n / 8) octets): <0, 0, >0. */
static int cmp_bits(const uint8_t *a, const uint8_t *b, size_t n)
{
    size_t whole = n / 8;
    int c = whole ? memcmp(a, b, whole) : 0; /* a may be NULL when n is 0 */
    if (c || n % 8 == 0)
        return c;
    unsigned mask = 0xFFu << (8 - n % 8) & 0xFFu;
    return (int)(a[whole] & mask) - (int)(b[whole] & mask);
}

int aiotsec_filter_compare(const aiotsec_profile *profile, const uint8_t *filter, size_t filter_len,
                           const uint8_t *perm_id, size_t perm_id_len, int *order)
{
    if (!filter || !order || (!perm_id && perm_id_len))
        return AIOTSEC_E_NULL_ARG;
    *order = 0;
    size_t bits = prefix_bits_of(profile, filter, filter_len);
    if (!bits)
        return AIOTSEC_E_BAD_FILTER;
    size_t have = 8 * perm_id_len;
    int c = cmp_bits(perm_id, filter + 1, have < bits ? have : bits);
    /* An identifier shorter than the prefix never matches; when it equals the
     * start of the prefix it is a proper prefix of every match, so it sorts first. */
    if (c == 0 && have < bits)
        c = -1;
    *order = c < 0 ? -1 : c > 0;
    return AIOTSEC_OK;
}

int aiotsec_filter_match(const aiotsec_profile *profile, const uint8_t *filter, size_t filter_len,
                         const uint8_t *perm_id, size_t perm_id_len, int *match)
{
    if (!match)
        return AIOTSEC_E_NULL_ARG;
    *match = 0;
    int order = 1;
    int rc = aiotsec_filter_compare(profile, filter, filter_len, perm_id, perm_id_len, &order);
    if (rc == AIOTSEC_OK)
        *match = order == 0 && perm_id_len >= 1 && perm_id_len <= AIOTSEC_ID_MAX;
    return rc;
}

int aiotsec_filter_make(const aiotsec_profile *profile, const uint8_t *prefix, size_t prefix_bits,
                        uint8_t *out, size_t cap, size_t *out_len)
{
    (void)profile; /* one encoding so far (aiot_profile_check refuses any other) */
    if (!prefix || !out || !out_len)
        return AIOTSEC_E_NULL_ARG;
    if (prefix_bits == 0 || prefix_bits > AIOTSEC_FILTER_BITS_MAX)
        return AIOTSEC_E_BAD_LENGTH;
    size_t octets = (prefix_bits + 7) / 8;
    *out_len = 1 + octets;
    if (cap < *out_len)
        return AIOTSEC_E_BUFFER_TOO_SMALL;
    out[0] = (uint8_t)prefix_bits;
    memcpy(out + 1, prefix, octets);
    if (prefix_bits % 8)
        out[octets] &= (uint8_t)(0xFFu << (8 - prefix_bits % 8));
    return AIOTSEC_OK;
}

size_t aiotsec_filter_maxbytes(void)
{
    return AIOTSEC_FILTER_MAX;
}
