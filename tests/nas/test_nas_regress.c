/* Regression inputs: every file under tests/fuzz/regress/ (anything the fuzzers
 * ever found, plus hand-made edge cases) goes through every decoder and through
 * unprotect; none may crash, and none may be accepted where the fuzz target's
 * oracle says it must not be. Runs under the sanitizer build too. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <string.h>

#include "aiotsec/aiotsec.h"

static size_t run_one(const char *path)
{
    static uint8_t buf[8192], work[8192];
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s", path);
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    /* Exact-size copy so an over-read is caught by ASan in the sanitizer build. */
    uint8_t *in = malloc(n ? n : 1);
    memcpy(in, buf, n);
    aiotsec_nas_msg m;
    aiotsec_nas_protected_hdr h;
    int rc = aiotsec_nas_decode(NULL, in, n, &m);
    if (rc == AIOTSEC_OK) {
        uint8_t again[4096];
        size_t al;
        /* Anything accepted re-encodes and decodes to the same fields. */
        cr_assert_eq(aiotsec_nas_encode(NULL, &m, again, sizeof again, &al), AIOTSEC_OK, "%s", path);
        aiotsec_nas_msg m2;
        cr_assert_eq(aiotsec_nas_decode(NULL, again, al, &m2), AIOTSEC_OK);
        cr_assert_eq(m2.type, m.type);
    }
    if (aiotsec_nas_parse_protected(NULL, in, n, &h) == AIOTSEC_OK)
        cr_assert(h.payload_len >= 1 && h.payload + h.payload_len == in + n);
    aiotsec_ctx *ctx;
    cr_assert_eq(aiotsec_ctx_new(&ctx, "sodium", NULL), AIOTSEC_OK);
    uint8_t k[AIOTSEC_KAIOTF_LEN] = {0};
    aiotsec_nas_sec *s;
    cr_assert_eq(aiotsec_nas_sec_new(&s, ctx, k, sizeof k, 8, 0, AIOTSEC_NAS_ROLE_DEVICE), AIOTSEC_OK);
    /* A random input with a valid MAC under a fixed key is not expected. */
    cr_assert_neq(aiotsec_nas_verify_decode(s, in, n, work, sizeof work, &m), AIOTSEC_OK, "%s", path);
    aiotsec_nas_sec_free(s);
    aiotsec_ctx_free(ctx);
    free(in);
    return 1;
}

Test(nas_regress, fuzz_regressions)
{
    DIR *d = opendir(AIOTSEC_FUZZ_REGRESS_DIR);
    cr_assert_not_null(d, "missing %s", AIOTSEC_FUZZ_REGRESS_DIR);
    size_t count = 0;
    struct dirent *e;
    char path[4096];
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", AIOTSEC_FUZZ_REGRESS_DIR, e->d_name);
        count += run_one(path);
    }
    closedir(d);
    cr_assert_gt(count, 0, "no regression inputs");
}
