/* The firmware harness shared by the self-test and tag images: startup (stack
 * painting), semihosting console, command line and exit, instruction markers.
 * Board-independent; the linker script of the board gives the memory map. */
#ifndef AIOT_FW_H
#define AIOT_FW_H

#include <stddef.h>
#include <stdint.h>

/* Semihosting (Arm "Semihosting for AArch32 and AArch64", operations SYS_WRITE0,
 * SYS_GET_CMDLINE, SYS_EXIT), as qemu-system-arm -semihosting-config enable=on serves it. */
void fw_puts(const char *s);                 /* a string, as is */
void fw_put_hex(const uint8_t *p, size_t n); /* lower-case hex, no separator */
void fw_put_uint(uint32_t v);                /* decimal (no division: Cortex-M0+ has none) */
int fw_cmdline(char *buf, size_t cap);       /* 0 and a NUL-terminated line, or -1 */
int fw_open(const char *name);               /* a host file for reading (binary): handle, or -1 */
int fw_read(int fd, void *buf, size_t len);  /* exactly len octets: 0, or -1 */
__attribute__((noreturn)) void fw_exit(int code);

/* An empty function the instruction counter (scripts/fw_insns.py) finds in the
 * execution trace: the instructions between two calls are what ran in between. */
void fw_mark(unsigned id);

/* Octets of stack used since reset: the painted stack region scanned from its bottom. */
uint32_t fw_stack_peak(void);

#endif
