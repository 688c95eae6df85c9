/* AIOTSEC_NATIVE_PATH picks the path of plain "native" at first use (ctest runs
 * this binary with the variable unset, "portable", "shani", "shani-vl", "avx2" and a
 * bad value). A path the CPU lacks leaves the best one this CPU has. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "native/native.h"

Test(native_env, variable_selects_the_path)
{
    const char *env = getenv("AIOTSEC_NATIVE_PATH");
    int shani = aiot_sha256_shani_usable(), avx2 = aiot_sha256_avx2_usable();
    int vl = aiot_sha256_shani_vl_usable();
    cr_assert(!vl || shani, "the three-stream path is SHA-NI plus AVX-512VL");
    const char *want = vl ? "shani-vl" : shani ? "shani" : avx2 ? "avx2" : "portable";
    if (env && !strcmp(env, "portable"))
        want = "portable";
    if (env && !strcmp(env, "avx2") && avx2)
        want = "avx2";
    if (env && !strcmp(env, "shani") && shani)
        want = "shani";
    if (env && !strcmp(env, "shani-vl") && vl)
        want = "shani-vl";
    cr_assert_str_eq(aiot_native_active_path(), want, "AIOTSEC_NATIVE_PATH=%s", env ? env : "(unset)");
    /* Whatever the path, the answers are those of libsodium's backend. */
    aiotsec_ctx *a = NULL, *b = NULL;
    cr_assert_eq(aiotsec_ctx_new(&a, "native", NULL), AIOTSEC_OK);
    cr_assert_eq(aiotsec_ctx_new(&b, "sodium", NULL), AIOTSEC_OK);
    uint8_t key[32] = {7}, msg[100] = {9}, ma[32], mb[32];
    for (size_t len = 0; len <= sizeof msg; len++) {
        cr_assert_eq(aiotsec_hmac_sha256(a, key, sizeof key, msg, len, ma, sizeof ma), AIOTSEC_OK);
        cr_assert_eq(aiotsec_hmac_sha256(b, key, sizeof key, msg, len, mb, sizeof mb), AIOTSEC_OK);
        cr_assert_eq(memcmp(ma, mb, 32), 0);
    }
    /* The batch paths of plain "native" (the resolved path's kernels) agree too. */
    const aiotsec_backend *nat = NULL, *port = NULL;
    cr_assert_eq(aiot_native_find("native", &nat), AIOTSEC_OK);
    cr_assert_eq(aiot_native_find("native-portable", &port), AIOTSEC_OK);
    enum { N = 11 };
    aiot_state st[N];
    const void *pp[N];
    uint8_t compact[N][64], macs[N * 32], want_macs[N * 32], msgs[N * 60];
    for (size_t i = 0; i < sizeof msgs; i++)
        msgs[i] = (uint8_t)(i * 31 + 5);
    const void *cp[N];
    for (size_t i = 0; i < N; i++) {
        key[0] = (uint8_t)i;
        cr_assert_eq(nat->hmac_init(nat->user, st[i].b, key, sizeof key), AIOTSEC_OK);
        cr_assert_eq(nat->hmac_compact(nat->user, compact[i], st[i].b), AIOTSEC_OK);
        pp[i] = st[i].b;
        cp[i] = compact[i];
    }
    for (size_t len = 0; len <= 60; len += 6) {
        cr_assert_eq(port->hmac_batch_prepared(port->user, pp, msgs, len, N, want_macs), AIOTSEC_OK);
        cr_assert_eq(nat->hmac_batch_prepared(nat->user, pp, msgs, len, N, macs), AIOTSEC_OK);
        cr_assert_eq(memcmp(macs, want_macs, sizeof macs), 0, "len %zu", len);
        cr_assert_eq(nat->hmac_batch_compact(nat->user, cp, msgs, len, N, macs), AIOTSEC_OK);
        cr_assert_eq(memcmp(macs, want_macs, sizeof macs), 0, "compact len %zu", len);
    }
    aiotsec_ctx_free(a);
    aiotsec_ctx_free(b);
}
