/* The keyed hashes of the role indexes: SipHash-2-4 against the reference values
 * of the SipHash paper (Aumasson and Bernstein, 2012, Appendix A and the reference
 * vectors: key 00..0f, messages 00..(n-1)); SipHash-1-3 against an independent
 * implementation, CPython's (its str/bytes hash since 3.11), which with
 * PYTHONHASHSEED=0 hashes under the all-zero key: the values below are
 *   PYTHONHASHSEED=0 python3 -c 'print(hex(hash(bytes(range(n))) % 2**64))'. */
#include <criterion/criterion.h>

#include "roles/roles_internal.h"

Test(siphash, paper_vectors)
{
    uint8_t key[16], msg[64];
    for (int i = 0; i < 16; i++)
        key[i] = (uint8_t)i;
    for (int i = 0; i < 64; i++)
        msg[i] = (uint8_t)i;
    cr_assert_eq(aiot_siphash24(key, msg, 15), 0xa129ca6149be45e5ull); /* the paper's worked example */
    cr_assert_eq(aiot_siphash24(key, msg, 0), 0x726fdb47dd0e0e31ull);  /* reference vector, empty input */
}

/* No two lengths of zeros collide, and every key bit changes the hash. */
static void every_length_and_key_bit_matters(uint64_t (*hash)(const uint8_t key[16], const uint8_t *data, size_t len),
                                             const char *name)
{
    uint8_t key[16] = {0}, msg[64] = {0};
    uint64_t seen[65];
    for (size_t n = 0; n <= 64; n++) {
        seen[n] = hash(key, msg, n);
        for (size_t m = 0; m < n; m++)
            cr_assert_neq(seen[n], seen[m], "%s: lengths %zu and %zu collide", name, n, m);
    }
    uint64_t base = hash(key, msg, 16);
    for (int b = 0; b < 128; b++) {
        key[b / 8] ^= (uint8_t)(1u << (b % 8));
        cr_assert_neq(hash(key, msg, 16), base, "%s: key bit %d ignored", name, b);
        key[b / 8] ^= (uint8_t)(1u << (b % 8));
    }
}

Test(siphash, every_length_and_key_bit_matters)
{
    every_length_and_key_bit_matters(aiot_siphash24, "2-4");
    every_length_and_key_bit_matters(aiot_siphash13, "1-3");
}

Test(siphash, siphash13_matches_cpython)
{
    static const struct {
        size_t n;
        uint64_t h;
    } want[] = {{1, 0x68a914128e01e473ull},  {7, 0x2f098ab0c751325aull},  {8, 0xead411e67ebe2eeaull},
                {15, 0xf30eb725bb91c9eaull}, {16, 0x8972188433a5c5b7ull}, {33, 0x7fb71d24dfa4c9f6ull}};
    uint8_t key[16] = {0}, msg[64];
    for (int i = 0; i < 64; i++)
        msg[i] = (uint8_t)i;
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        cr_assert_eq(aiot_siphash13(key, msg, want[i].n), want[i].h, "length %zu", want[i].n);
    cr_assert_neq(aiot_siphash13(key, msg, 16), aiot_siphash24(key, msg, 16));
}
