/* Every example of ../shared/vectors/aiot-nas-profile0.tsv on every backend
 * that can run it: decode, re-encode, protect (from the given COUNT), then
 * unprotect and verify-decode as the receiver. A backend without AES must
 * refuse the NIA2/NEA2 examples with AIOTSEC_E_UNSUPPORTED. */
#include <criterion/criterion.h>
#include <string.h>

#include "aiotsec/aiotsec.h"
#include "aiotsec/testing.h"
#include "backends_util.h"
#include "vectors.h"

static int needs_aes(unsigned ia, unsigned ea)
{
    return ia == AIOTSEC_NIA2 || ea == AIOTSEC_NEA2;
}

Test(nas_vectors, plain_decode_encode)
{
    tv_file f;
    tv_load(&f, "aiot-nas-profile0.tsv");
    cr_assert_geq(f.nrows, 6);
    for (size_t r = 0; r < f.nrows; r++) {
        uint8_t plain[2048], again[2048];
        size_t pl = tv_hex(tv_get(&f, r, "plain"), plain, sizeof plain), al = 0;
        aiotsec_nas_msg m;
        cr_assert_eq(aiotsec_nas_decode(NULL, plain, pl, &m), AIOTSEC_OK, "%s", tv_get(&f, r, "name"));
        cr_assert_eq(aiotsec_nas_encode(NULL, &m, again, sizeof again, &al), AIOTSEC_OK);
        cr_assert_eq(al, pl);
        cr_assert_arr_eq(again, plain, pl, "%s re-encodes", tv_get(&f, r, "name"));
    }
    tv_free(&f);
}

Test(nas_vectors, protect_unprotect_every_backend)
{
    tv_file f;
    tv_load(&f, "aiot-nas-profile0.tsv");
    aiotsec_ctx *ctx[MAX_BACKENDS];
    size_t n = make_all_contexts(ctx), checked = 0, refused = 0, aes_checked = 0;
    for (size_t b = 0; b < n; b++) {
        int aes = (aiotsec_ctx_caps(ctx[b]) & AIOTSEC_CAP_AES128) != 0;
        for (size_t r = 0; r < f.nrows; r++) {
            const char *name = tv_get(&f, r, "name");
            if (!strcmp(tv_get(&f, r, "protected"), "-"))
                continue;
            uint8_t k[AIOTSEC_KAIOTF_LEN], plain[2048], prot[2100], out[2100], back[2048];
            cr_assert_eq(tv_hex(tv_get(&f, r, "k_aiotf"), k, sizeof k), aiotsec_derive_kaiotf_bytes());
            size_t pl = tv_hex(tv_get(&f, r, "plain"), plain, sizeof plain);
            size_t prl = tv_hex(tv_get(&f, r, "protected"), prot, sizeof prot);
            uint32_t count = (uint32_t)strtoul(tv_get(&f, r, "count"), NULL, 10);
            unsigned dir = (unsigned)strtoul(tv_get(&f, r, "direction"), NULL, 10);
            unsigned ia = (unsigned)strtoul(tv_get(&f, r, "int_alg"), NULL, 10);
            unsigned ea = (unsigned)strtoul(tv_get(&f, r, "enc_alg"), NULL, 10);
            int sender = dir == 1 ? AIOTSEC_NAS_ROLE_NETWORK : AIOTSEC_NAS_ROLE_DEVICE;
            int receiver = dir == 1 ? AIOTSEC_NAS_ROLE_DEVICE : AIOTSEC_NAS_ROLE_NETWORK;
            aiotsec_nas_sec *tx = NULL, *rx = NULL;
            int rc = aiotsec_nas_sec_new(&tx, ctx[b], k, sizeof k, ia, ea, sender);
            if (needs_aes(ia, ea) && !aes) {
                cr_assert_eq(rc, AIOTSEC_E_UNSUPPORTED, "%s on %s", name, aiotsec_ctx_backend_name(ctx[b]));
                refused++;
                continue;
            }
            cr_assert_eq(rc, AIOTSEC_OK);
            cr_assert_eq(aiotsec_nas_sec_new(&rx, ctx[b], k, sizeof k, ia, ea, receiver), AIOTSEC_OK);
            cr_assert_eq(aiotsec_nas_sec_set_tx_count(tx, count), AIOTSEC_OK);
            size_t ol = 0;
            cr_assert_eq(aiotsec_nas_protect(tx, plain, pl, out, sizeof out, &ol), AIOTSEC_OK);
            cr_assert_eq(ol, prl);
            cr_assert_arr_eq(out, prot, prl, "%s protect on %s", name, aiotsec_ctx_backend_name(ctx[b]));
            uint32_t next;
            cr_assert_eq(aiotsec_nas_sec_tx_count(tx, &next), AIOTSEC_OK);
            cr_assert_eq(next, count + 1);
            if (count > 0)
                cr_assert_eq(aiotsec_nas_sec_set_rx_last_count(rx, count - 1), AIOTSEC_OK);
            aiotsec_nas_msg m;
            cr_assert_eq(aiotsec_nas_verify_decode(rx, prot, prl, back, sizeof back, &m), AIOTSEC_OK,
                         "%s verify on %s", name, aiotsec_ctx_backend_name(ctx[b]));
            cr_assert_arr_eq(back, plain, pl);
            uint32_t last;
            cr_assert_eq(aiotsec_nas_sec_rx_last_count(rx, &last), AIOTSEC_OK);
            cr_assert_eq(last, count);
            /* The same message again is a replay. */
            size_t bl;
            cr_assert_eq(aiotsec_nas_unprotect(rx, prot, prl, back, sizeof back, &bl), AIOTSEC_E_REPLAY);
            aiotsec_nas_sec_free(tx);
            aiotsec_nas_sec_free(rx);
            checked++;
            aes_checked += needs_aes(ia, ea);
        }
    }
    cr_assert_gt(checked, 0);
    cr_assert_gt(refused, 0); /* sodium refuses the AES examples */
#ifdef AIOTSEC_EXPECT_OPENSSL
    cr_assert_geq(aes_checked, 2); /* the NIA2/NEA2 examples ran on OpenSSL */
#endif
    free_all_contexts(ctx, n);
    tv_free(&f);
}
