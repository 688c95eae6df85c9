/* The keyed hash of the role indexes is SipHash-2-4: the reference values of
 * the SipHash paper (Aumasson and Bernstein, 2012, Appendix A and the
 * reference vectors): key 00..0f, messages 00..(n-1). */
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

Test(siphash, every_length_and_key_bit_matters)
{
    uint8_t key[16] = {0}, msg[64] = {0};
    uint64_t seen[65];
    for (size_t n = 0; n <= 64; n++) {
        seen[n] = aiot_siphash24(key, msg, n);
        for (size_t m = 0; m < n; m++)
            cr_assert_neq(seen[n], seen[m], "lengths %zu and %zu collide", n, m);
    }
    uint64_t base = aiot_siphash24(key, msg, 16);
    for (int b = 0; b < 128; b++) {
        key[b / 8] ^= (uint8_t)(1u << (b % 8));
        cr_assert_neq(aiot_siphash24(key, msg, 16), base, "key bit %d ignored", b);
        key[b / 8] ^= (uint8_t)(1u << (b % 8));
    }
}
