/* ARM semihosting calls (bkpt 0xab on M-profile). */
#ifndef ARMRR_SEMIHOST_H
#define ARMRR_SEMIHOST_H
#include <stdint.h>

#define SYS_WRITE0        0x04
#define SYS_EXIT          0x18
#define SYS_EXIT_EXTENDED 0x20
#define ADP_Stopped_ApplicationExit 0x20026u

static inline uint32_t semihost_call(uint32_t op, const void *arg)
{
    register uint32_t r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

static inline void semihost_write0(const char *s) { semihost_call(SYS_WRITE0, s); }

/* SYS_EXIT_EXTENDED carries the exit code on AArch32 (plain SYS_EXIT only knows 0 / non-zero). */
void semihost_exit(int code) __attribute__((noreturn));
#endif
