/* ADM example: a key store loaded from text, and the three Nadm_Sec operations.
 * Build: cc adm_example.c $(pkg-config --cflags --libs aiotsec) */
#include <stdio.h>
#include <string.h>

#include <aiotsec/aiotsec.h>

int main(void)
{
    /* identification information, Permanent Identifier, K_AIOT_root (hex) */
    static const char keys[] =
        "# ident      perm-id            K_AIOT_root\n"
        "0102030405   494d45492d3030303031  000102030405060708090a0b0c0d0e0f\n"
        "0102030406   494d45492d3030303032  "
        "101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f\n";
    aiotsec_ctx *ctx = NULL;
    aiotsec_memstore *store = NULL;
    aiotsec_adm *adm = NULL;
    aiotsec_keystore ks;
    size_t line = 0;
    int rc = aiotsec_ctx_new(&ctx, NULL, NULL);
    if (rc == 0)
        rc = aiotsec_memstore_new(&store, ctx, 2);
    if (rc == 0)
        rc = aiotsec_memstore_load_buffer(store, keys, strlen(keys), &line);
    if (rc == 0)
        rc = aiotsec_memstore_keystore(store, &ks); /* or fill an aiotsec_keystore with your own look-ups */
    if (rc == 0)
        rc = aiotsec_adm_new(&adm, ctx, &ks);
    if (rc != 0) {
        fprintf(stderr, "setup: %s (line %zu)\n", aiotsec_strerror(rc), line);
        return 1;
    }

    /* Nadm_SecRAND_Get */
    uint8_t rand_n[32], rand_d[32] = {0}, xres[32], perm[AIOTSEC_ID_MAX], kaiotf[32];
    size_t perm_len = 0;
    rc = aiotsec_adm_sec_rand_get(adm, rand_n, sizeof rand_n);
    /* ... the device answers with RES_AIOT and RAND_AIOT_d; here a fixed RAND_AIOT_d ... */
    memset(rand_d, 0x42, aiotsec_rand_d_len(ctx));
    /* Nadm_SecAuthentication_Get: XRES_AIOT (compare it in constant time, never log it)
     * and the Permanent Identifier the request did not carry. */
    const uint8_t ident[] = {0x01, 0x02, 0x03, 0x04, 0x05};
    if (rc == 0)
        rc = aiotsec_adm_sec_authentication_get(adm, ident, sizeof ident, rand_n, aiotsec_rand_n_len(ctx),
                                                rand_d, aiotsec_rand_d_len(ctx), xres, sizeof xres,
                                                perm, sizeof perm, &perm_len);
    /* Nadm_SecSessionKey_Get: K_AIOTF for a command procedure. */
    if (rc == 0)
        rc = aiotsec_adm_sec_session_key_get(adm, perm, perm_len, rand_n, aiotsec_rand_n_len(ctx), rand_d,
                                             aiotsec_rand_d_len(ctx), kaiotf, sizeof kaiotf);
    printf("ADM: %zu devices, permanent identifier %.*s, session key %s\n",
           aiotsec_memstore_count(store), (int)perm_len, (const char *)perm, rc == 0 ? "derived" : "failed");
    /* An unknown device is an error of its own. */
    const uint8_t stranger[] = {0x09};
    int rc2 = aiotsec_adm_sec_authentication_get(adm, stranger, 1, rand_n, aiotsec_rand_n_len(ctx), rand_d,
                                                 aiotsec_rand_d_len(ctx), xres, sizeof xres, NULL, 0, NULL);
    printf("unknown device: %s\n", aiotsec_status_name(rc2));
    aiotsec_wipe(xres, sizeof xres);
    aiotsec_wipe(kaiotf, sizeof kaiotf);
    aiotsec_adm_free(adm);
    aiotsec_memstore_free(store);
    aiotsec_ctx_free(ctx);
    return rc == 0 && rc2 == AIOTSEC_E_UNKNOWN_DEVICE ? 0 : 1;
}
