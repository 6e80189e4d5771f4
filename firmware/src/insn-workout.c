/*
 * Instruction workout: every Thumb-2 class of ARMv7-M over edge-case operands, with results and
 * flags folded into one checksum per class. Inline asm pins the exact instructions; C code (switches,
 * 64-bit arithmetic) adds what the compiler emits at each -O level.
 */
#include <stdint.h>
#include "hw.h"
#include "uart.h"

static const uint32_t vals[] = {
    0u, 1u, 2u, 0x7fu, 0x80u, 0xffu, 0x7fffu, 0x8000u, 0xffffu, 0x12345678u, 0x7fffffffu,
    0x80000000u, 0x80000001u, 0xfffffffeu, 0xffffffffu, 0xdeadbeefu, 0x00ff00ffu, 31u, 32u, 33u,
};
#define NV (sizeof vals / sizeof vals[0])

static uint32_t h;
static void mix(uint32_t x) { h = (h ^ x) * 0x01000193u; h ^= h >> 15; }
static uint32_t apsr(void) { uint32_t v; __asm__ volatile("mrs %0, apsr" : "=r"(v)); return v; }
static void clear_q(void) { __asm__ volatile("msr apsr_nzcvq, %0" : : "r"(0u)); }
static void report(const char *name)
{
    uart_puts(name);
    uart_puts(": ");
    uart_puthex(h);
    uart_puts("\n");
}

/* Run `op` for every operand pair and mix result and NZCVQ flags. */
#define PAIRS(...)                                                \
    for (unsigned i = 0; i < NV; i++)                             \
        for (unsigned j = 0; j < NV; j++) {                       \
            uint32_t a = vals[i], b = vals[j], r = 0, f;          \
            __VA_ARGS__;                                                 \
            f = apsr();                                           \
            mix(r); mix(f);                                       \
        }

/* Set the flags from `flags` (NZCV in bits 31..28) before an instruction that reads them. */
#define SETF(flags) __asm__ volatile("msr apsr_nzcvq, %0" : : "r"(flags) : "cc")

static void t_addsub(void)
{
    h = 1;
    PAIRS(__asm__ volatile("adds %0, %1, %2" : "=r"(r) : "r"(a), "r"(b) : "cc"));
    PAIRS(__asm__ volatile("subs %0, %1, %2" : "=r"(r) : "r"(a), "r"(b) : "cc"));
    PAIRS(__asm__ volatile("rsbs %0, %1, #0" : "=r"(r) : "r"(a) : "cc"); (void)b);
    PAIRS(SETF(b << 28); __asm__ volatile("adcs %0, %1, %2" : "=r"(r) : "r"(a), "r"(b) : "cc"));
    PAIRS(SETF(b << 28); __asm__ volatile("sbcs %0, %1, %2" : "=r"(r) : "r"(a), "r"(b) : "cc"));
    PAIRS(SETF(a << 28); __asm__ volatile("adc %0, %1, #0x55" : "=r"(r) : "r"(b) : "cc"));
    PAIRS(__asm__ volatile("cmp %1, %2" : "=r"(r) : "r"(a), "r"(b) : "cc"));
    PAIRS(__asm__ volatile("cmn %1, %2" : "=r"(r) : "r"(a), "r"(b) : "cc"));
    PAIRS(__asm__ volatile("adds %0, %1, #0xff00ff00" : "=r"(r) : "r"(a) : "cc"); (void)b);
    PAIRS(__asm__ volatile("subs %0, %1, #0x3fc" : "=r"(r) : "r"(a) : "cc"); (void)b);
    PAIRS(__asm__ volatile("addw %0, %1, #4095\n\tsubw %0, %0, #1234" : "=r"(r) : "r"(a)); (void)b);
    PAIRS(__asm__ volatile("add %0, %1, %2, lsl #3" : "=r"(r) : "r"(a), "r"(b)));
    PAIRS(__asm__ volatile("subs %0, %1, %2, asr #7" : "=r"(r) : "r"(a), "r"(b) : "cc"));
    PAIRS(__asm__ volatile("rsb %0, %1, %2, ror #13" : "=r"(r) : "r"(a), "r"(b)));
    report("addsub");
}

static void t_logic(void)
{
    h = 2;
    PAIRS(__asm__ volatile("ands %0, %1, %2" : "=r"(r) : "r"(a), "r"(b) : "cc"));
    PAIRS(__asm__ volatile("orrs %0, %1, %2, lsr #5" : "=r"(r) : "r"(a), "r"(b) : "cc"));
    PAIRS(__asm__ volatile("eors %0, %1, %2, asr #31" : "=r"(r) : "r"(a), "r"(b) : "cc"));
    PAIRS(__asm__ volatile("bics %0, %1, %2, ror #1" : "=r"(r) : "r"(a), "r"(b) : "cc"));
    PAIRS(__asm__ volatile("orns %0, %1, %2, rrx" : "=r"(r) : "r"(a), "r"(b) : "cc"));
    PAIRS(__asm__ volatile("mvns %0, %1, lsl #1" : "=r"(r) : "r"(a) : "cc"); (void)b);
    PAIRS(__asm__ volatile("tst %1, %2, lsl #31" : "=r"(r) : "r"(a), "r"(b) : "cc"));
    PAIRS(__asm__ volatile("teq %1, %2" : "=r"(r) : "r"(a), "r"(b) : "cc"));
    PAIRS(__asm__ volatile("ands %0, %1, #0x80000000" : "=r"(r) : "r"(a) : "cc"); (void)b);
    PAIRS(__asm__ volatile("eor %0, %1, #0xab00ab00" : "=r"(r) : "r"(a)); (void)b);
    PAIRS(__asm__ volatile("orr %0, %1, #0x5a5a5a5a" : "=r"(r) : "r"(a)); (void)b);
    PAIRS(__asm__ volatile("movs %0, #0x3fc00" : "=r"(r) : : "cc"); (void)a; (void)b);
    PAIRS(__asm__ volatile("movw %0, #0xbeef\n\tmovt %0, #0xdead" : "=r"(r)); (void)a; (void)b);
    report("logic");
}

static void t_shift(void)
{
    h = 3;
    /* Register shifts use the bottom byte of the amount: 0, 1, 31, 32, 33, 255 all matter. */
    PAIRS(SETF(0x20000000u); __asm__ volatile("lsls %0, %1, %2" : "=r"(r) : "r"(a), "r"(b) : "cc"));
    PAIRS(SETF(0x20000000u); __asm__ volatile("lsrs %0, %1, %2" : "=r"(r) : "r"(a), "r"(b) : "cc"));
    PAIRS(SETF(0); __asm__ volatile("asrs %0, %1, %2" : "=r"(r) : "r"(a), "r"(b) : "cc"));
    PAIRS(SETF(0); __asm__ volatile("rors %0, %1, %2" : "=r"(r) : "r"(a), "r"(b) : "cc"));
    PAIRS(__asm__ volatile("lsls %0, %1, #1" : "=r"(r) : "r"(a) : "cc"); (void)b);
    PAIRS(__asm__ volatile("lsrs %0, %1, #32" : "=r"(r) : "r"(a) : "cc"); (void)b);
    PAIRS(__asm__ volatile("asrs %0, %1, #32" : "=r"(r) : "r"(a) : "cc"); (void)b);
    PAIRS(__asm__ volatile("rors %0, %1, #3" : "=r"(r) : "r"(a) : "cc"); (void)b);
    PAIRS(SETF(b << 28); __asm__ volatile("rrxs %0, %1" : "=r"(r) : "r"(a) : "cc"));
    PAIRS(__asm__ volatile("movs %0, %1, lsl #17" : "=r"(r) : "r"(a) : "cc"); (void)b);
    PAIRS(uint32_t lo = a, hi = b; __asm__ volatile("lsl %0, %1, %2\n\tlsr %0, %0, #2" : "=&r"(r) : "r"(lo), "r"(hi & 63u)));
    report("shift");
}

static void t_mul(void)
{
    h = 4;
    PAIRS(__asm__ volatile("mul %0, %1, %2" : "=r"(r) : "r"(a), "r"(b)));
    PAIRS(__asm__ volatile("muls %0, %1, %0" : "=l"(r) : "l"(a), "0"(b) : "cc"));
    PAIRS(__asm__ volatile("mla %0, %1, %2, %1" : "=r"(r) : "r"(a), "r"(b)));
    PAIRS(__asm__ volatile("mls %0, %1, %2, %2" : "=r"(r) : "r"(a), "r"(b)));
    PAIRS(uint32_t hi; __asm__ volatile("umull %0, %1, %2, %3" : "=&r"(r), "=&r"(hi) : "r"(a), "r"(b)); mix(hi));
    PAIRS(uint32_t hi; __asm__ volatile("smull %0, %1, %2, %3" : "=&r"(r), "=&r"(hi) : "r"(a), "r"(b)); mix(hi));
    PAIRS(uint32_t hi = b; r = a; __asm__ volatile("umlal %0, %1, %2, %3" : "+&r"(r), "+&r"(hi) : "r"(a), "r"(b)); mix(hi));
    PAIRS(uint32_t hi = a; r = b; __asm__ volatile("smlal %0, %1, %2, %3" : "+&r"(r), "+&r"(hi) : "r"(a), "r"(b)); mix(hi));
    PAIRS(uint64_t p = (uint64_t)a * b + (uint64_t)(int64_t)(int32_t)a; r = (uint32_t)(p >> 32) ^ (uint32_t)p);
    report("mul");
}

static void t_div(void)
{
    h = 5;
    PAIRS(__asm__ volatile("udiv %0, %1, %2" : "=r"(r) : "r"(a), "r"(b)));
    PAIRS(__asm__ volatile("sdiv %0, %1, %2" : "=r"(r) : "r"(a), "r"(b)));
    PAIRS(r = b ? a % b : 0xffu);
    PAIRS(int32_t sa = (int32_t)a, sb = (int32_t)b; r = (sb != 0 && !(sa == INT32_MIN && sb == -1)) ? (uint32_t)(sa % sb) : 1u);
    report("div");
}

static uint8_t mem[64] __attribute__((aligned(8)));

static void t_loadstore(void)
{
    h = 6;
    for (unsigned i = 0; i < sizeof mem; i++) mem[i] = (uint8_t)(i * 37u + 11u);
    uint8_t *p = mem;
    for (unsigned off = 0; off < 8; off++) {
        uint32_t r0, r1, r2, r3, r4, r5;
        __asm__ volatile(
            "ldr %0, [%6, %7]\n\t"       /* unaligned word */
            "ldrh %1, [%6, %7]\n\t"      /* unaligned half */
            "ldrsh %2, [%6, #3]\n\t"
            "ldrsb %3, [%6, %7]\n\t"
            "ldrb %4, [%6, #63]\n\t"
            "ldr %5, [%6, %7, lsl #2]\n\t"
            : "=&r"(r0), "=&r"(r1), "=&r"(r2), "=&r"(r3), "=&r"(r4), "=&r"(r5)
            : "r"(p), "r"(off)
            : "memory");
        mix(r0); mix(r1); mix(r2); mix(r3); mix(r4); mix(r5);
        uint32_t v = 0xa1b2c3d4u ^ off;
        __asm__ volatile("str %1, [%0, %2]" : : "r"(p + 32), "r"(v), "r"(off) : "memory");
        __asm__ volatile("strh %1, [%0, #1]" : : "r"(p + 40 + off), "r"(v >> 3) : "memory");
        __asm__ volatile("strb %1, [%0, %2, lsl #1]" : : "r"(p + 16), "r"(v >> 7), "r"(off) : "memory");
    }
    /* pre/post-indexed with writeback, negative offsets */
    uint8_t *q = mem + 8;
    uint32_t a, b, c, d;
    __asm__ volatile(
        "ldr %0, [%4, #4]!\n\t"
        "ldr %1, [%4], #-3\n\t"
        "ldrb %2, [%4, #-1]!\n\t"
        "ldrh %3, [%4], #6\n\t"
        : "=&r"(a), "=&r"(b), "=&r"(c), "=&r"(d), "+r"(q) : : "memory");
    mix(a); mix(b); mix(c); mix(d); mix((uint32_t)(q - mem));
    __asm__ volatile(
        "str %1, [%0, #-4]!\n\t"
        "strb %1, [%0], #2\n\t"
        "strh %1, [%0, #2]!\n\t"
        : "+r"(q) : "r"(0x87654321u) : "memory");
    mix((uint32_t)(q - mem));
    /* ldrd/strd, literal pool, PC-relative */
    uint32_t lo, hi;
    __asm__ volatile("ldrd %0, %1, [%2, #8]" : "=&r"(lo), "=&r"(hi) : "r"(mem) : "memory");
    mix(lo); mix(hi);
    __asm__ volatile("strd %0, %1, [%2, #-8]" : : "r"(hi), "r"(lo), "r"(mem + 24) : "memory");
    __asm__ volatile("ldr %0, =0x13579bdf\n\tb 1f\n\t.ltorg\n1:" : "=r"(a));
    mix(a);
    __asm__ volatile("adr %0, 1f\n\t.align 2\n1:\n\tsub %0, %0, %0" : "=r"(a));
    mix(a);
    /* unprivileged forms behave like normal loads in privileged thread mode */
    __asm__ volatile("ldrt %0, [%1, #4]\n\tstrbt %0, [%1, #5]" : "=&r"(a) : "r"(mem) : "memory");
    mix(a);
    for (unsigned i = 0; i < sizeof mem; i += 4) mix(*(uint32_t *)(mem + i));
    report("loadstore");
}

static void t_multiple(void)
{
    h = 7;
    uint32_t buf[12] = { 0 };
    uint32_t *p = buf, *end;
    uint32_t a = 0x11111111u, b = 0x22222222u, c = 0x33333333u;
    __asm__ volatile(
        "mov r4, %3\n\tmov r5, %4\n\tmov r6, %5\n\t"
        "stmia %0!, {r4-r6}\n\t"
        "stmdb %1, {r4, r6}\n\t"
        "push {r4-r6}\n\t"
        "pop {r6}\n\t"
        "pop {r4, r5}\n\t"
        "add r4, r4, r6\n\t"
        "str r4, [%0]\n\t"
        : "+r"(p), "=r"(end) : "1"(buf + 8), "r"(a), "r"(b), "r"(c) : "r4", "r5", "r6", "memory");
    for (int i = 0; i < 12; i++) mix(buf[i]);
    mix((uint32_t)(p - buf));
    uint32_t x, y, z;
    uint32_t *q = buf + 6;
    __asm__ volatile("ldmdb %3!, {r4, r5, r6}\n\tmov %0, r4\n\tmov %1, r5\n\tmov %2, r6" : "=&r"(x), "=&r"(y), "=&r"(z), "+r"(q) : : "r4", "r5", "r6", "memory");
    mix(x); mix(y); mix(z); mix((uint32_t)(q - buf));
    __asm__ volatile("ldmia %3, {r4, r5, r6}\n\tmov %0, r4\n\tmov %1, r5\n\tmov %2, r6" : "=&r"(x), "=&r"(y), "=&r"(z) : "r"(buf + 1) : "r4", "r5", "r6", "memory");
    mix(x); mix(y); mix(z);
    report("ldm-stm");
}

static void t_exclusive(void)
{
    h = 8;
    static volatile uint32_t word = 5;
    static volatile uint16_t half = 9;
    static volatile uint8_t byte = 3;
    uint32_t v, fail;
    for (int i = 0; i < 4; i++) {
        __asm__ volatile("ldrex %0, [%2]\n\tadd %0, %0, #1\n\tstrex %1, %0, [%2]" : "=&r"(v), "=&r"(fail) : "r"(&word) : "memory");
        mix(v); mix(fail);
        __asm__ volatile("ldrex %0, [%2]\n\tclrex\n\tstrex %1, %0, [%2]" : "=&r"(v), "=&r"(fail) : "r"(&word) : "memory");
        mix(v); mix(fail);
        __asm__ volatile("strex %1, %0, [%2]" : "=&r"(fail) : "r"(7u), "r"(&word) : "memory"); /* no monitor */
        mix(fail);
        __asm__ volatile("ldrexh %0, [%2]\n\tadd %0, %0, #3\n\tstrexh %1, %0, [%2]" : "=&r"(v), "=&r"(fail) : "r"(&half) : "memory");
        mix(v); mix(fail);
        __asm__ volatile("ldrexb %0, [%2]\n\tadd %0, %0, #200\n\tstrexb %1, %0, [%2]" : "=&r"(v), "=&r"(fail) : "r"(&byte) : "memory");
        mix(v); mix(fail);
        __asm__ volatile("ldrex %0, [%2, #0]\n\tstrex %1, %0, [%2, #0]" : "=&r"(v), "=&r"(fail) : "r"(&word) : "memory");
        mix(fail);
    }
    mix(word); mix(half); mix(byte);
    report("exclusive");
}

static void t_it(void)
{
    h = 9;
    PAIRS(__asm__ volatile(
              "cmp %1, %2\n\t"
              "ite hi\n\t"
              "movhi %0, #1\n\t"
              "movls %0, #2\n\t"
              "itttt ge\n\t"
              "addge %0, %0, #4\n\t"
              "lslge %0, %0, #1\n\t"
              "addge %0, %0, %1\n\t"
              "subge %0, %0, %2\n\t"
              "itet vs\n\t"
              "eorvs %0, %0, #0x100\n\t"
              "eorvc %0, %0, #0x200\n\t"
              "eorvs %0, %0, #0x400\n\t"
              "cmp %0, #3\n\t"
              "it eq\n\t"
              "addseq %0, %0, %0\n\t"
              : "=&r"(r) : "r"(a), "r"(b) : "cc"));
    /* 16-bit ALU ops inside IT do not set flags; outside they do. */
    PAIRS(__asm__ volatile(
              "mov %0, %1\n\t"
              "cmp %1, %2\n\t"
              "itte lt\n\t"
              "addlt %0, %0, %2\n\t"
              "sublt %0, %0, #1\n\t"
              "rsbge %0, %0, #0\n\t"
              : "=&l"(r) : "l"(a), "l"(b) : "cc"));
    report("it");
}

__attribute__((noinline)) static uint32_t tbb_dispatch(uint32_t k)
{
    uint32_t r;
    __asm__ volatile(
        "mov %0, #0\n\t"
        "cmp %1, #4\n\t"
        "bhs 9f\n\t"
        "tbb [pc, %1]\n\t"
        "0:\n\t"
        ".byte (1f-0b)/2, (2f-0b)/2, (3f-0b)/2, (4f-0b)/2\n\t"
        "1: add %0, %0, #10\n\t"
        "2: add %0, %0, #20\n\t"
        "3: add %0, %0, #30\n\t"
        "4: add %0, %0, #40\n\t"
        "9:\n\t"
        : "=&r"(r) : "r"(k) : "cc");
    return r;
}

__attribute__((noinline)) static uint32_t tbh_dispatch(uint32_t k)
{
    uint32_t r;
    __asm__ volatile(
        "mov %0, #0\n\t"
        "cmp %1, #3\n\t"
        "bhs 9f\n\t"
        "tbh [pc, %1, lsl #1]\n\t"
        "0:\n\t"
        ".short (1f-0b)/2, (2f-0b)/2, (3f-0b)/2\n\t"
        "1: add %0, %0, #100\n\t"
        "b 9f\n\t"
        "2: add %0, %0, #200\n\t"
        "b 9f\n\t"
        "3: add %0, %0, #300\n\t"
        "9:\n\t"
        : "=&r"(r) : "r"(k) : "cc");
    return r;
}

/* A dense switch: GCC emits TBB/TBH for it at -O2/-Os. */
__attribute__((noinline)) static uint32_t cswitch(uint32_t k)
{
    switch (k) {
    case 0: return 17u;
    case 1: return 0x1234u;
    case 2: return k * 99u;
    case 3: return 5u;
    case 4: return 0xfffu;
    case 5: return k << 20;
    case 6: return 3u;
    case 7: return 0x80000000u;
    case 9: return 1u;
    case 10: return 77u;
    default: return k ^ 0x55u;
    }
}

static void t_branch(void)
{
    h = 10;
    for (uint32_t k = 0; k < 12; k++) { mix(tbb_dispatch(k)); mix(tbh_dispatch(k)); mix(cswitch(k)); }
    for (unsigned i = 0; i < NV; i++) {
        uint32_t a = vals[i], r = 0;
        __asm__ volatile("cbz %1, 1f\n\tmov %0, #1\n\t1: cbnz %1, 2f\n\tadd %0, %0, #2\n\t2:" : "+l"(r) : "l"(a));
        mix(r);
    }
    report("branch");
}

static void t_bits(void)
{
    h = 11;
    PAIRS(r = a; __asm__ volatile("bfi %0, %1, #5, #11" : "+r"(r) : "r"(b)));
    PAIRS(r = a; __asm__ volatile("bfc %0, #28, #4" : "+r"(r)); (void)b);
    PAIRS(__asm__ volatile("ubfx %0, %1, #3, #17" : "=r"(r) : "r"(a)); (void)b);
    PAIRS(__asm__ volatile("sbfx %0, %1, #7, #9" : "=r"(r) : "r"(a)); (void)b);
    PAIRS(__asm__ volatile("clz %0, %1" : "=r"(r) : "r"(a ^ b)));
    PAIRS(__asm__ volatile("rbit %0, %1" : "=r"(r) : "r"(a + b)));
    PAIRS(__asm__ volatile("rev %0, %1" : "=r"(r) : "r"(a - b)));
    PAIRS(__asm__ volatile("rev16 %0, %1" : "=r"(r) : "r"(a | b)));
    PAIRS(__asm__ volatile("revsh %0, %1" : "=r"(r) : "r"(a)); (void)b);
    PAIRS(__asm__ volatile("sxtb %0, %1, ror #8" : "=r"(r) : "r"(a)); (void)b);
    PAIRS(__asm__ volatile("uxth %0, %1, ror #16" : "=r"(r) : "r"(a)); (void)b);
    PAIRS(__asm__ volatile("sxth %0, %1" : "=r"(r) : "r"(b)); (void)a);
    PAIRS(__asm__ volatile("uxtb %0, %1, ror #24" : "=r"(r) : "r"(b)); (void)a);
    report("bits");
}

static void t_sat(void)
{
    h = 12;
    PAIRS(clear_q(); __asm__ volatile("ssat %0, #8, %1" : "=r"(r) : "r"(a) : "cc"); (void)b);
    PAIRS(clear_q(); __asm__ volatile("usat %0, #8, %1" : "=r"(r) : "r"(a) : "cc"); (void)b);
    PAIRS(clear_q(); __asm__ volatile("ssat %0, #16, %1, lsl #4" : "=r"(r) : "r"(a) : "cc"); (void)b);
    PAIRS(clear_q(); __asm__ volatile("usat %0, #31, %1, asr #1" : "=r"(r) : "r"(a) : "cc"); (void)b);
    PAIRS(clear_q(); __asm__ volatile("ssat %0, #1, %1" : "=r"(r) : "r"(b) : "cc"); (void)a);
    PAIRS(clear_q(); __asm__ volatile("usat %0, #0, %1" : "=r"(r) : "r"(b) : "cc"); (void)a);
    clear_q();
    report("sat");
}

static void t_sysreg(void)
{
    h = 13;
    uint32_t v;
    __asm__ volatile("mrs %0, primask" : "=r"(v)); mix(v);
    __asm__ volatile("cpsid i\n\tmrs %0, primask\n\tcpsie i" : "=r"(v)); mix(v);
    __asm__ volatile("msr basepri, %1\n\tmrs %0, basepri" : "=r"(v) : "r"(0x60u)); mix(v);
    __asm__ volatile("msr basepri_max, %1\n\tmrs %0, basepri" : "=r"(v) : "r"(0x80u)); mix(v); /* ignored: lower priority */
    __asm__ volatile("msr basepri_max, %1\n\tmrs %0, basepri" : "=r"(v) : "r"(0x20u)); mix(v);
    __asm__ volatile("msr basepri, %1\n\tmrs %0, basepri" : "=r"(v) : "r"(0u)); mix(v);
    __asm__ volatile("cpsid f\n\tmrs %0, faultmask\n\tcpsie f" : "=r"(v)); mix(v);
    __asm__ volatile("mrs %0, control" : "=r"(v)); mix(v);
    __asm__ volatile("mrs %0, ipsr" : "=r"(v)); mix(v);
    __asm__ volatile("mrs %0, xpsr" : "=r"(v)); mix(v & 0xf80001ffu);
    __asm__ volatile("msr apsr_nzcvq, %1\n\tmrs %0, apsr" : "=r"(v) : "r"(0xf8000000u)); mix(v);
    __asm__ volatile("msr apsr_nzcvq, %1\n\tmrs %0, apsr" : "=r"(v) : "r"(0x50000000u)); mix(v);
    clear_q();
    /* Run a little on the process stack, then switch back. */
    static uint32_t pstack[32] __attribute__((aligned(8)));
    uint32_t sp_in_psp, ctl, msp;
    __asm__ volatile(
        "msr psp, %3\n\t"
        "mrs %2, msp\n\t"
        "mov r0, #2\n\t"
        "msr control, r0\n\t"
        "isb\n\t"
        "mrs %1, control\n\t"
        "push {r0}\n\t"
        "mov %0, sp\n\t"
        "pop {r0}\n\t"
        "mov r0, #0\n\t"
        "msr control, r0\n\t"
        "isb\n\t"
        : "=&r"(sp_in_psp), "=&r"(ctl), "=&r"(msp) : "r"(pstack + 32) : "r0", "memory");
    mix(sp_in_psp - (uint32_t)pstack); mix(ctl);
    uint32_t psp;
    __asm__ volatile("mrs %0, psp" : "=r"(psp)); mix(psp - (uint32_t)pstack);
    (void)msp;
    report("sysreg");
}

/* Some plain C the compiler is free to schedule: 64-bit math, loops, function pointers. */
static uint32_t f_a(uint32_t x) { return x * 3u + 1u; }
static uint32_t f_b(uint32_t x) { return x >> 1; }
static void t_c(void)
{
    h = 14;
    uint32_t (*const fns[2])(uint32_t) = { f_a, f_b };
    uint64_t acc = 0x0123456789abcdefULL;
    for (unsigned i = 0; i < NV; i++) {
        uint32_t x = vals[i] | 1u;
        for (int k = 0; k < 20; k++) x = fns[x & 1u](x);
        acc = (acc << 7) ^ (acc >> 11) ^ x;
        acc += (uint64_t)x * 0x9e3779b97f4a7c15ULL;
        int64_t s = (int64_t)acc >> 13;
        mix((uint32_t)acc); mix((uint32_t)(acc >> 32)); mix((uint32_t)s);
        mix((uint32_t)(acc / (vals[i] | 3u)));
    }
    report("c-mix");
}

int main(void)
{
    uart_init();
    uart_puts("insn-workout\n");
    t_addsub();
    t_logic();
    t_shift();
    t_mul();
    t_div();
    t_loadstore();
    t_multiple();
    t_exclusive();
    t_it();
    t_branch();
    t_bits();
    t_sat();
    t_sysreg();
    t_c();
    uart_puts("insn-workout done\n");
    return 0;
}
