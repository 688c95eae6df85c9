/* Reset and fault handlers of the firmware images, written for ARMv6-M and
 * ARMv7-M (Cortex-M0+, Cortex-M3). Reset copies .data, zeroes .bss, paints the
 * stack region with a pattern (for fw_stack_peak), runs main and exits through
 * semihosting with its status. */
#include <string.h>

#include "fw.h"

#define PAINT 0xA5C3A5C3u

extern uint32_t __data_load[], __data_start[], __data_end[], __bss_start[], __bss_end[];
extern uint32_t __stack_limit[], __stack_top[];

int main(void);
void fw_reset(void);
void fw_fault(void);

__attribute__((noreturn)) void fw_reset(void)
{
    /* Only this frame is in use: paint from the bottom of the stack region up
     * to just below it. */
    uint32_t *sp;
    __asm__ __volatile__("mov %0, sp" : "=r"(sp));
    for (uint32_t *p = __stack_limit; p < sp - 16; p++)
        *p = PAINT;
    size_t data = (size_t)((char *)__data_end - (char *)__data_start);
    memcpy(__data_start, __data_load, data);
    memset(__bss_start, 0, (size_t)((char *)__bss_end - (char *)__bss_start));
    fw_exit(main());
}

uint32_t fw_stack_peak(void)
{
    const uint32_t *p = __stack_limit;
    while (p < __stack_top && *p == PAINT)
        p++;
    return (uint32_t)((const char *)__stack_top - (const char *)p);
}

__attribute__((noreturn)) void fw_fault(void)
{
    fw_puts("fault\n");
    fw_exit(3);
}

/* Cortex-M vector table: initial SP, reset, then the system exceptions. */
__attribute__((section(".vectors"), used)) void (*const fw_vectors[16])(void) = {
    (void (*)(void))(uintptr_t)__stack_top, fw_reset, fw_fault, fw_fault, fw_fault, fw_fault,
    fw_fault, 0, 0, 0, 0, fw_fault, fw_fault, 0, fw_fault, fw_fault,
};
