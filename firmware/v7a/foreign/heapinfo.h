/* SYS_HEAPINFO (0x16) called directly, as startup code does: heap base/limit, stack base/limit. */
#ifndef FOREIGN_HEAPINFO_H
#define FOREIGN_HEAPINFO_H
#include <stdint.h>

static inline void semihosting_heapinfo(uint32_t block[4])
{
    uint32_t *arg = block;
    register uint32_t r0 __asm__("r0") = 0x16;
    register uint32_t **r1 __asm__("r1") = &arg;
#ifdef __thumb__
    __asm__ volatile("svc 0xab" : "+r"(r0) : "r"(r1) : "memory");
#else
    __asm__ volatile("svc 0x123456" : "+r"(r0) : "r"(r1) : "memory");
#endif
}
#endif
