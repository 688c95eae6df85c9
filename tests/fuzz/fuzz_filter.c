/* libFuzzer: AiotFilteringInformation (spec 6.2), aiotsec_filter_check / _bits /
 * _match / _compare / _make, against a reference written here bit by bit from
 * the spec's words (no octet tricks, no shared code). Any disagreement aborts.
 * Also checked: the range property a sorted key store relies on (byte-
 * lexicographic order never puts a later identifier on an earlier side of the
 * matching range), and that a filter made from an identifier's prefix is well
 * formed and matches that identifier. (sbi area: the ADM's filter input) */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aiotsec/aiotsec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned bit_at(const uint8_t *p, size_t i)
{
    return (unsigned)(p[i / 8] >> (7 - i % 8)) & 1u;
}

/* Spec 6.2: octet 0 a prefix length 1..255 in bits, then exactly ceil(length / 8)
 * octets, the unused low-order bits of the last one 0. */
static int ref_well_formed(const uint8_t *f, size_t len)
{
    if (len < 1 || f[0] == 0)
        return 0;
    size_t bits = f[0];
    if (len != 1 + (bits + 7) / 8)
        return 0;
    for (size_t i = bits; i < 8 * (len - 1); i++)
        if (bit_at(f + 1, i))
            return 0;
    return 1;
}

/* -1 / 0 / 1: before, inside, after the identifiers the filter matches. */
static int ref_order(const uint8_t *f, const uint8_t *id, size_t id_len)
{
    size_t bits = f[0], have = 8 * id_len;
    for (size_t i = 0; i < bits && i < have; i++) {
        unsigned a = bit_at(id, i), b = bit_at(f + 1, i);
        if (a != b)
            return a < b ? -1 : 1;
    }
    return have < bits ? -1 : 0; /* a proper prefix of every match sorts first */
}

/* Byte-lexicographic order of identifiers: memcmp over the shorter, then the shorter first. */
static int lex(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
    for (size_t i = 0; i < al && i < bl; i++)
        if (a[i] != b[i])
            return a[i] < b[i] ? -1 : 1;
    return al < bl ? -1 : al > bl;
}

/* Takes n octets of input (zeros once it runs out). */
static void take(const uint8_t **d, size_t *n, uint8_t *out, size_t want)
{
    memset(out, 0, want);
    size_t k = want < *n ? want : *n;
    memcpy(out, *d, k);
    *d += k;
    *n -= k;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4)
        return 0;
    size_t flen = data[0] % 40, l1 = data[1] % 70, l2 = data[2] % 70;
    int make_well_formed = data[3] & 1;
    data += 4;
    size -= 4;
    uint8_t f[40], id1[70], id2[70];
    take(&data, &size, f, flen);
    take(&data, &size, id1, l1);
    take(&data, &size, id2, l2);
    if (make_well_formed && flen) { /* most random filters are malformed: steer half of the runs */
        size_t bits = f[0] ? f[0] : 1;
        size_t made = 0;
        uint8_t prefix[32];
        memcpy(prefix, f + 1, sizeof prefix < sizeof f - 1 ? sizeof prefix : sizeof f - 1);
        if (aiotsec_filter_make(NULL, prefix, bits, f, sizeof f, &made) != AIOTSEC_OK)
            abort();
        flen = made;
    }

    int wf = ref_well_formed(f, flen);
    if ((aiotsec_filter_check(NULL, f, flen) == AIOTSEC_OK) != wf)
        abort();
    size_t bits = 0;
    int rc = aiotsec_filter_bits(NULL, f, flen, &bits);
    if (wf ? rc != AIOTSEC_OK || bits != f[0] : rc != AIOTSEC_E_BAD_FILTER)
        abort();

    int o1 = 9, o2 = 9, m = 9;
    int rc1 = aiotsec_filter_compare(NULL, f, flen, id1, l1, &o1);
    int rc2 = aiotsec_filter_compare(NULL, f, flen, id2, l2, &o2);
    int rcm = aiotsec_filter_match(NULL, f, flen, id1, l1, &m);
    if (!wf) {
        if (rc1 != AIOTSEC_E_BAD_FILTER || rc2 != AIOTSEC_E_BAD_FILTER || rcm != AIOTSEC_E_BAD_FILTER || m != 0)
            abort();
        return 0;
    }
    if (rc1 != AIOTSEC_OK || rc2 != AIOTSEC_OK || rcm != AIOTSEC_OK)
        abort();
    if (o1 != ref_order(f, id1, l1) || o2 != ref_order(f, id2, l2))
        abort();
    if (m != (o1 == 0 && l1 >= 1 && l1 <= AIOTSEC_ID_MAX))
        abort();
    /* The range property: sorted identifiers see the orders -1..., 0..., 1... in that order. */
    int c = lex(id1, l1, id2, l2);
    if ((c < 0 && o1 > o2) || (c > 0 && o1 < o2) || (c == 0 && o1 != o2))
        abort();

    /* A filter made from id1's first bits matches id1 (when id1 is long enough and a legal identifier). */
    if (l1 >= 1) {
        size_t want_bits = (size_t)f[0] % (8 * l1 < 255 ? 8 * l1 : 255) + 1;
        uint8_t g[AIOTSEC_FILTER_MAX];
        size_t glen = 0;
        if (aiotsec_filter_make(NULL, id1, want_bits, g, sizeof g, &glen) != AIOTSEC_OK || !ref_well_formed(g, glen))
            abort();
        int mm = 0;
        if (aiotsec_filter_match(NULL, g, glen, id1, l1, &mm) != AIOTSEC_OK || mm != (l1 <= AIOTSEC_ID_MAX))
            abort();
    }
    return 0;
}
