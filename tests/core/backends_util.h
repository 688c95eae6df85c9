/* Test helper: every backend this build and this CPU can run, by name. */
#ifndef AIOTSEC_TEST_BACKENDS_UTIL_H
#define AIOTSEC_TEST_BACKENDS_UTIL_H

#include <stddef.h>

#include "aiotsec/aiotsec.h"

#define MAX_BACKENDS 16

/* Fills ctx[] with a context per runnable built-in backend; returns the count.
 * A "native-*" path the CPU lacks (AIOTSEC_E_UNSUPPORTED) is left out, and
 * anything else failing fails the test. */
size_t make_all_contexts(aiotsec_ctx *ctx[MAX_BACKENDS]);
void free_all_contexts(aiotsec_ctx *ctx[MAX_BACKENDS], size_t n);

#endif
