/* Semihosting for the firmware images: the console, the command line and the
 * exit status go to the host through BKPT 0xAB (M-profile), which
 * qemu-system-arm -semihosting-config enable=on serves. No newlib stdio. */
#include <string.h>

#include "fw.h"

#define SYS_OPEN 0x01
#define SYS_WRITEC 0x03
#define SYS_WRITE0 0x04
#define SYS_READ 0x06
#define SYS_GET_CMDLINE 0x15
#define SYS_EXIT 0x18
#define ADP_STOPPED_APPLICATION_EXIT 0x20026
#define ADP_STOPPED_RUNTIME_ERROR 0x20023

static int semihost(int op, const void *arg)
{
    register int r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    __asm__ __volatile__("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

void fw_puts(const char *s)
{
    semihost(SYS_WRITE0, s);
}

void fw_put_hex(const uint8_t *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < 2 * n; i++) /* one character at a time: no buffer */
        semihost(SYS_WRITEC, &digits[(p[i / 2] >> (i % 2 ? 0 : 4)) & 15]);
}

void fw_put_uint(uint32_t v)
{
    static const uint32_t pow10[] = {1000000000u, 100000000u, 10000000u, 1000000u, 100000u,
                                     10000u, 1000u, 100u, 10u, 1u};
    char buf[11];
    size_t o = 0;
    for (unsigned i = 0; i < 10; i++) {
        char d = '0';
        while (v >= pow10[i]) {
            v -= pow10[i];
            d++;
        }
        if (d != '0' || o || i == 9)
            buf[o++] = d;
    }
    buf[o] = 0;
    fw_puts(buf);
}

int fw_cmdline(char *buf, size_t cap)
{
    struct {
        char *buf;
        size_t len;
    } blk = {buf, cap};
    if (cap == 0 || semihost(SYS_GET_CMDLINE, &blk) != 0 || blk.len >= cap)
        return -1;
    buf[blk.len] = 0;
    return 0;
}

int fw_open(const char *name)
{
    struct {
        const char *name;
        int mode; /* 1: "rb" */
        size_t len;
    } blk = {name, 1, 0};
    while (name[blk.len])
        blk.len++;
    return semihost(SYS_OPEN, &blk);
}

int fw_read(int fd, void *buf, size_t len)
{
    struct {
        int fd;
        void *buf;
        size_t len;
    } blk = {fd, buf, len};
    return semihost(SYS_READ, &blk) == 0 ? 0 : -1; /* SYS_READ returns the octets it did not read */
}

void fw_exit(int code)
{
    /* ARMv7-M / ARMv6-M SYS_EXIT takes the reason itself: application exit is
     * status 0, any other reason status 1 (qemu). */
    semihost(SYS_EXIT, (const void *)(uintptr_t)(code == 0 ? ADP_STOPPED_APPLICATION_EXIT
                                                             : ADP_STOPPED_RUNTIME_ERROR));
    for (;;)
        ;
}

__attribute__((noinline)) void fw_mark(unsigned id)
{
    __asm__ __volatile__("" : : "r"(id) : "memory");
}
