/* Device and network derive RES_AIOT / XRES_AIOT from the same inputs; the network
 * checks it in constant time. */
#include <aiotsec/aiotsec.h>
#include <stdio.h>

int main(void)
{
    aiotsec_ctx *ctx = NULL;
    int rc = aiotsec_ctx_new(&ctx, NULL /* default backend */, NULL /* profile 0 */);
    if (rc != AIOTSEC_OK) {
        fprintf(stderr, "context: %s\n", aiotsec_strerror(rc));
        return 1;
    }
    uint8_t k_root[16] = {0x01, 0x02, 0x03}; /* K_AIOT_root, provisioned in tag and ADM */
    uint8_t rand_n[AIOTSEC_RAND_RES_MAX], rand_d[AIOTSEC_RAND_RES_MAX], res[AIOTSEC_RAND_RES_MAX];
    size_t n_len = aiotsec_derive_rand_n_bytes(ctx), d_len = aiotsec_derive_rand_d_bytes(ctx);

    rc = aiotsec_gen_rand_n(ctx, rand_n, sizeof rand_n);              /* ADM: Nadm_SecRAND_Get */
    if (rc == AIOTSEC_OK)
        rc = aiotsec_gen_rand_d(ctx, rand_d, sizeof rand_d);          /* device: RAND_AIOT_d */
    if (rc == AIOTSEC_OK)                                             /* device: RES_AIOT (A.2) */
        rc = aiotsec_derive_res(ctx, k_root, sizeof k_root, rand_n, n_len, rand_d, d_len,
                                res, sizeof res);
    if (rc == AIOTSEC_OK)                                             /* network: XRES_AIOT == RES_AIOT? */
        rc = aiotsec_verify_res(ctx, k_root, sizeof k_root, rand_n, n_len, rand_d, d_len,
                                res, aiotsec_derive_res_bytes(ctx));
    printf("%s\n", rc == AIOTSEC_OK ? "authenticated" : aiotsec_strerror(rc));
    aiotsec_wipe(k_root, sizeof k_root);
    aiotsec_ctx_free(ctx);
    return rc == AIOTSEC_OK ? 0 : 1;
}
