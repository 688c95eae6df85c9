/* libFuzzer: the CLI's hex reader (cli_parse_hex), used for every key, RAND and
 * message given on the command line. Oracle: a second decoder written here: the
 * input is accepted exactly when it has an even number of hex digits (either case)
 * that fit the capacity, and then the octets are the same; the output buffer is
 * exactly `cap` octets (heap), so ASan catches any write past it. (hardening area) */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int digit(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t cap = data[0] % 48; /* 0..47 octets, the CLI's largest input is 32 */
    data++;
    size--;
    char *hex = malloc(size + 1);
    uint8_t *out = malloc(cap ? cap : 1);
    if (!hex || !out) {
        free(hex);
        free(out);
        return 0;
    }
    memcpy(hex, data, size);
    hex[size] = 0;
    size_t slen = strlen(hex); /* the CLI sees a C string: up to the first NUL */
    int ok = slen % 2 == 0 && slen / 2 <= cap;
    for (size_t i = 0; ok && i < slen; i++)
        ok = digit((unsigned char)hex[i]) >= 0;
    size_t len = 0;
    int rc = cli_parse_hex(hex, out, cap, &len);
    if ((rc == 0) != ok)
        abort();
    if (rc == 0) {
        if (len != slen / 2)
            abort();
        for (size_t i = 0; i < len; i++)
            if (out[i] != (uint8_t)(digit((unsigned char)hex[2 * i]) << 4 | digit((unsigned char)hex[2 * i + 1])))
                abort();
    }
    free(hex);
    free(out);
    return 0;
}
