/* ARM semihosting on A-profile: SVC 0x123456 in A32, SVC 0xAB in T32 (QEMU intercepts both at PL1). */
#ifndef V7A_SEMIHOST_H
#define V7A_SEMIHOST_H
#include <stdint.h>

#define SYS_WRITEC        0x03
#define SYS_WRITE0        0x04
#define SYS_EXIT          0x18
#define SYS_EXIT_EXTENDED 0x20
#define ADP_Stopped_ApplicationExit 0x20026u

static inline uint32_t semihost_call(uint32_t op, const void *arg)
{
    register uint32_t r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
#ifdef __thumb__
    __asm__ volatile("svc 0xab" : "+r"(r0) : "r"(r1) : "memory");
#else
    __asm__ volatile("svc 0x123456" : "+r"(r0) : "r"(r1) : "memory");
#endif
    return r0;
}

void semihost_exit(int code) __attribute__((noreturn));
/* SYS_EXIT with ADP_Stopped_ApplicationExit (exit code 0 on QEMU): the other exit path. */
void semihost_exit_plain(void) __attribute__((noreturn));
#endif
