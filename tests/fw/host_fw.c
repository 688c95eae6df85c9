/* The firmware harness (fw/fw.h) on the host, so that fw/selftest.c runs natively
 * against the device-only library built for the host (the same sources as the
 * tag's): console to stdout, the command line from argv, files through stdio. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fw.h"

int fw_selftest_main(void);

static char cmdline[512];

void fw_puts(const char *s)
{
    fputs(s, stdout);
}

void fw_put_hex(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        printf("%02x", p[i]);
}

void fw_put_uint(uint32_t v)
{
    printf("%u", (unsigned)v);
}

int fw_cmdline(char *buf, size_t cap)
{
    if (!cmdline[0] || strlen(cmdline) >= cap)
        return -1;
    strcpy(buf, cmdline);
    return 0;
}

int fw_open(const char *name)
{
    (void)name;
    return -1;
}

int fw_read(int fd, void *buf, size_t len)
{
    (void)fd;
    (void)buf;
    (void)len;
    return -1;
}

void fw_exit(int code)
{
    fflush(stdout);
    exit(code);
}

void fw_mark(unsigned id)
{
    (void)id;
}

uint32_t fw_stack_peak(void)
{
    return 0;
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strlen(cmdline) + strlen(argv[i]) + 2 > sizeof cmdline)
            return 2;
        if (i > 1)
            strcat(cmdline, " ");
        strcat(cmdline, argv[i]);
    }
    fw_exit(fw_selftest_main());
}
