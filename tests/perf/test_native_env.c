/* AIOTSEC_NATIVE_PATH picks the path of plain "native" at first use (ctest runs
 * this binary with the variable unset, "portable", "shani", "avx2" and a bad value). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "native/native.h"

Test(native_env, variable_selects_the_path)
{
    const char *env = getenv("AIOTSEC_NATIVE_PATH");
    int shani = aiot_sha256_shani_usable(), avx2 = aiot_sha256_avx2_usable();
    const char *want = shani ? "shani" : avx2 ? "avx2" : "portable";
    if (env && !strcmp(env, "portable"))
        want = "portable";
    if (env && !strcmp(env, "avx2") && avx2)
        want = "avx2";
    if (env && !strcmp(env, "shani") && shani)
        want = "shani";
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
    aiotsec_ctx_free(a);
    aiotsec_ctx_free(b);
}
