/* Shared by the ctgrind-style programs (ct_check.c, ct_roles.c): the secret/public
 * markers, the one legitimate declassification (the verdict of aiotsec_ct_equal, via
 * the link-time wrapper in ct_common.c) and a CHECK that counts and reports.
 * Define CT_NAME (the program's name, a string) before including. */
#ifndef AIOTSEC_CT_COMMON_H
#define AIOTSEC_CT_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <valgrind/memcheck.h>

#define SECRET(p, n) VALGRIND_MAKE_MEM_UNDEFINED((p), (n))
#define PUBLIC(p, n) VALGRIND_MAKE_MEM_DEFINED((p), (n))

extern int ct_fail;      /* set by a failed CHECK */
extern size_t ct_checks; /* CHECKs run */

#define CHECK(cond, ...)                                                    \
    do {                                                                    \
        ct_checks++;                                                        \
        if (!(cond)) {                                                      \
            ct_fail = 1;                                                    \
            fprintf(stderr, "%s: FAIL %s:%d: ", CT_NAME, __FILE__, __LINE__); \
            fprintf(stderr, __VA_ARGS__);                                   \
            fputc('\n', stderr);                                            \
        }                                                                   \
    } while (0)

#endif
