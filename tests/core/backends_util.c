#include "backends_util.h"

#include <criterion/criterion.h>

size_t make_all_contexts(aiotsec_ctx *ctx[MAX_BACKENDS])
{
    size_t n = 0, total = aiotsec_backend_count();
    cr_assert(total >= 1 && total <= MAX_BACKENDS);
    for (size_t i = 0; i < total; i++) {
        const char *name = aiotsec_backend_name_at(i);
        cr_assert_not_null(name);
        int rc = aiotsec_ctx_new(&ctx[n], name, NULL);
        if (rc == AIOTSEC_E_UNSUPPORTED)
            continue; /* a CPU-specific path this machine cannot run */
        cr_assert_eq(rc, AIOTSEC_OK, "backend %s: %s", name, aiotsec_strerror(rc));
        n++;
    }
    return n;
}

void free_all_contexts(aiotsec_ctx *ctx[MAX_BACKENDS], size_t n)
{
    for (size_t i = 0; i < n; i++)
        aiotsec_ctx_free(ctx[i]);
}
