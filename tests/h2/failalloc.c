/* LD_PRELOAD for the live tests: malloc and realloc of exactly AIOTSEC_FAILALLOC_SIZE
 * octets fail (NULL, ENOMEM), everything else goes to the C library. Lets a test
 * reach the server's out-of-memory answers without exhausting the machine's memory. */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>

void *__libc_malloc(size_t n);
void *__libc_realloc(void *p, size_t n);

static size_t fail_size(void)
{
    static size_t size = (size_t)-1;
    static int known;
    if (!known) {
        const char *v = getenv("AIOTSEC_FAILALLOC_SIZE");
        size = v ? (size_t)strtoull(v, NULL, 10) : 0;
        known = 1;
    }
    return size;
}

void *malloc(size_t n)
{
    if (n && n == fail_size()) {
        errno = ENOMEM;
        return NULL;
    }
    return __libc_malloc(n);
}

void *realloc(void *p, size_t n)
{
    if (n && n == fail_size()) {
        errno = ENOMEM;
        return NULL;
    }
    return __libc_realloc(p, n);
}
