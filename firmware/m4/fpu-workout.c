/*
 * Every FPv4-SP instruction form once or more: arithmetic, fused and unfused multiply-add,
 * VMOV in all its forms (immediate, register, core<->single, two cores<->two singles,
 * two cores<->doubleword, core<->scalar), VLDR/VSTR (single, double, literal),
 * VLDM/VSTM/VPUSH/VPOP (single and double lists, increment-after and decrement-before,
 * writeback), compares with VMRS APSR_nzcv feeding conditional code and IT blocks, every VCVT,
 * VMSR/VMRS, plus compiler-generated float code (loops, math at -O0/-O2/-Os). Prints raw bits.
 */
#include "hw.h"
#include "uart.h"
#include "semihost.h"

static inline uint32_t get_fpscr(void) { uint32_t v; __asm__ volatile("vmrs %0, fpscr" : "=r"(v) :: "memory"); return v; }
static inline void set_fpscr(uint32_t v) { __asm__ volatile("vmsr fpscr, %0" :: "r"(v) : "memory"); }

static uint32_t bits(float f)
{
    union { float f; uint32_t u; } x = { .f = f };
    return x.u;
}

static void kv(const char *k, uint32_t v)
{
    uart_puts(k);
    uart_puts("=");
    uart_puthex(v);
    uart_puts(" ");
}

static volatile uint32_t mem[24] __attribute__((aligned(8)));
static volatile float data[16] = { 1.0f, -2.5f, 3.25f, 0.1f, 1e-40f, -0.0f, 1e30f, 7.0f,
                                   100.0f, -3.0f, 0.5f, 2.0f, 1.0e-3f, 65504.0f, -1e-10f, 12.0f };

/* VMOV immediates, register moves, VABS/VNEG. */
static void moves(void)
{
    uint32_t r0, r1, r2, r3, r4, r5;
    __asm__ volatile(
        "vmov.f32 s0, #1.0\n\t"
        "vmov.f32 s1, #-2.5\n\t"
        "vmov.f32 s2, #0.125\n\t"
        "vmov.f32 s3, #31.0\n\t"
        "vmov.f32 s4, s3\n\t"
        "vneg.f32 s4, s4\n\t"
        "vabs.f32 s5, s1\n\t"
        "vmov %0, s0\n\tvmov %1, s1\n\tvmov %2, s2\n\tvmov %3, s3\n\tvmov %4, s4\n\tvmov %5, s5\n\t"
        : "=r"(r0), "=r"(r1), "=r"(r2), "=r"(r3), "=r"(r4), "=r"(r5)
        :
        : "s0", "s1", "s2", "s3", "s4", "s5");
    kv("imm0", r0); kv("imm1", r1); kv("imm2", r2); kv("imm3", r3); kv("neg", r4); kv("abs", r5);
    uart_puts("\n");

    /* Two cores <-> two singles, two cores <-> doubleword, core <-> scalar. */
    uint32_t a = 0x11223344u, b = 0x55667788u, c, d, e, f, g;
    /* The assembler only accepts the scalar forms for Neon FPUs: VMOV.32 d6[1], r2;
     * VMOV.32 d6[0], r3; VMOV.32 r2, d3[1] are spelled as their encodings. */
    __asm__ volatile(
        "vmov s6, s7, %4, %5\n\t"
        "vmov d5, %5, %4\n\t"
        "mov r2, %4\n\t"
        "mov r3, %5\n\t"
        ".inst.w 0xee262b10\n\t"
        ".inst.w 0xee063b10\n\t"
        "vmov %0, %1, s10, s11\n\t"
        "vmov %2, %3, d6\n\t"
        : "=&r"(c), "=&r"(d), "=&r"(e), "=&r"(f)
        : "r"(a), "r"(b)
        : "r2", "r3", "s6", "s7", "s10", "s11", "s12", "s13");
    __asm__ volatile(".inst.w 0xee332b10\n\tmov %0, r2" : "=r"(g) :: "r2");
    kv("d5lo", c); kv("d5hi", d); kv("d6lo", e); kv("d6hi", f); kv("d3hi", g);
    uart_puts("\n");
}

/* Loads and stores of every shape. */
static void memory(void)
{
    for (int i = 0; i < 24; i++) mem[i] = 0;
    uint32_t base = (uint32_t)&data[0];
    uint32_t dst = (uint32_t)&mem[0];
    uint32_t wb1, wb2, sp0, sp1, lit;
    __asm__ volatile(
        "mov r4, %[b]\n\t"
        "vldmia r4!, {s16-s21}\n\t"          /* increment after, writeback */
        "vldr s22, [r4, #4]\n\t"
        "vldr d12, [r4, #8]\n\t"             /* s24, s25 */
        "vldmdb r4!, {d13-d14}\n\t"          /* decrement before, writeback: s26-s29 */
        "mov %[wb1], r4\n\t"
        "mov r5, %[d]\n\t"
        "vstmia r5, {s16-s29}\n\t"
        "vstr s22, [r5, #60]\n\t"
        "vstr d12, [r5, #64]\n\t"
        "add r5, r5, #88\n\t"
        "vstmdb r5!, {d8}\n\t"
        "mov %[wb2], r5\n\t"
        "mov %[sp0], sp\n\t"
        "vpush {s16-s18}\n\t"
        "vpush {d10-d11}\n\t"
        "vldr s0, [sp, #16]\n\t"
        "vpop {d10-d11}\n\t"
        "vpop {s16-s18}\n\t"
        "mov %[sp1], sp\n\t"
        "vldr s1, 1f\n\t"
        "vmov %[lit], s1\n\t"
        "b 2f\n\t"
        ".align 2\n"
        "1: .word 0x40490fdb\n"
        "2:\n\t"
        : [wb1] "=&r"(wb1), [wb2] "=&r"(wb2), [sp0] "=&r"(sp0), [sp1] "=&r"(sp1), [lit] "=&r"(lit)
        : [b] "r"(base), [d] "r"(dst)
        : "r4", "r5", "s0", "s1", "s16", "s17", "s18", "s19", "s20", "s21", "s22", "s23", "s24",
          "s25", "s26", "s27", "s28", "s29", "memory");
    kv("wb1", wb1 - base); kv("wb2", wb2 - dst); kv("spd", sp0 - sp1); kv("lit", lit);
    uart_puts("\n");
    for (int i = 0; i < 22; i++) {
        uart_puthex(mem[i]);
        uart_puts(i % 8 == 7 ? "\n" : " ");
    }
    uart_puts("\n");
}

/* Arithmetic on registers the compiler never sees as constants. */
static void arith(void)
{
    uint32_t r[12];
    __asm__ volatile(
        "vldr s0, [%[p], #0]\n\t"
        "vldr s1, [%[p], #4]\n\t"
        "vldr s2, [%[p], #8]\n\t"
        "vldr s3, [%[p], #12]\n\t"
        "vadd.f32 s4, s0, s3\n\t"
        "vsub.f32 s5, s1, s3\n\t"
        "vmul.f32 s6, s2, s3\n\t"
        "vnmul.f32 s7, s2, s3\n\t"
        "vdiv.f32 s8, s0, s3\n\t"
        "vsqrt.f32 s9, s2\n\t"
        "vmov.f32 s10, s0\n\t"
        "vmla.f32 s10, s2, s3\n\t"
        "vmov.f32 s11, s0\n\t"
        "vmls.f32 s11, s2, s3\n\t"
        "vmov.f32 s12, s0\n\t"
        "vnmla.f32 s12, s2, s3\n\t"
        "vmov.f32 s13, s0\n\t"
        "vnmls.f32 s13, s2, s3\n\t"
        "vmov.f32 s14, s3\n\t"
        "vfma.f32 s14, s3, s3\n\t"
        "vmov.f32 s15, s3\n\t"
        "vfms.f32 s15, s3, s2\n\t"
        "vstmia %[o], {s4-s15}\n\t"
        :
        : [p] "r"(&data[0]), [o] "r"(&r[0])
        : "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "s12", "s13",
          "s14", "s15", "memory");
    for (int i = 0; i < 12; i++) uart_puthex(r[i]), uart_puts(" ");
    uart_puts("\n");
    uint32_t f1, f2;
    __asm__ volatile(
        "vldr s0, [%[p], #12]\n\t"
        "vmov.f32 s1, s0\n\t"
        "vfnma.f32 s1, s0, s0\n\t"
        "vmov.f32 s2, s0\n\t"
        "vfnms.f32 s2, s0, s0\n\t"
        "vmov %0, s1\n\tvmov %1, s2\n\t"
        : "=r"(f1), "=r"(f2)
        : [p] "r"(&data[0])
        : "s0", "s1", "s2");
    kv("vfnma", f1); kv("vfnms", f2); kv("fpscr", get_fpscr());
    uart_puts("\n");
}

/* Compares: VMRS APSR_nzcv, then conditional branches and IT blocks on the result. */
static uint32_t classify(float a, float b)
{
    uint32_t r;
    __asm__ volatile(
        "vcmp.f32 %1, %2\n\t"
        "vmrs APSR_nzcv, fpscr\n\t"
        "mov %0, #0\n\t"
        "it eq\n\t"
        "orreq %0, %0, #1\n\t"
        "it mi\n\t"
        "orrmi %0, %0, #2\n\t"
        "it gt\n\t"
        "orrgt %0, %0, #4\n\t"
        "it vs\n\t"
        "orrvs %0, %0, #8\n\t"
        "vcmpe.f32 %1, #0\n\t"
        "vmrs APSR_nzcv, fpscr\n\t"
        "ite ge\n\t"
        "orrge %0, %0, #16\n\t"
        "orrlt %0, %0, #32\n\t"
        : "=&r"(r)
        : "t"(a), "t"(b)
        : "cc");
    return r;
}

static void compares(void)
{
    const float nan = __builtin_nanf("");
    float xs[] = { 1.0f, -1.0f, 0.0f, -0.0f, nan, __builtin_inff() };
    for (unsigned i = 0; i < 6; i++) {
        for (unsigned j = 0; j < 6; j++) {
            set_fpscr(0);
            uint32_t c = classify(xs[i], xs[j]);
            uart_puthex((c << 8) | (get_fpscr() >> 24));
            uart_puts(" ");
        }
        uart_puts("\n");
    }
    /* An FP condition inside an IT block of FP instructions. */
    float acc = 0.0f;
    for (int i = 0; i < 16; i++) {
        float v = data[i];
        if (v > acc) acc = v;
        else if (v < -1.0f) acc -= v;
    }
    kv("acc", bits(acc));
    uart_puts("\n");
}

/* Every VCVT form, with VCVTR under a non-default rounding mode. */
static void conversions(void)
{
    uint32_t out[14];
    set_fpscr(0x00800000u); /* RM */
    __asm__ volatile(
        "vldr s0, [%[p], #4]\n\t"     /* -2.5 */
        "vcvt.s32.f32 s1, s0\n\t"
        "vcvtr.s32.f32 s2, s0\n\t"
        "vcvt.u32.f32 s3, s0\n\t"
        "vldr s4, [%[p], #8]\n\t"     /* 3.25 */
        "vcvtr.u32.f32 s5, s4\n\t"
        "vcvt.f32.s32 s6, s2\n\t"
        "vcvt.f32.u32 s7, s5\n\t"
        "vmov.f32 s8, s4\n\t"
        "vcvt.s16.f32 s8, s8, #4\n\t"
        "vmov.f32 s9, s4\n\t"
        "vcvt.u32.f32 s9, s9, #20\n\t"
        "vmov.f32 s10, s9\n\t"
        "vcvt.f32.u32 s10, s10, #20\n\t"
        "vmov.f32 s11, s8\n\t"
        "vcvt.f32.s16 s11, s11, #4\n\t"
        "vcvtb.f16.f32 s12, s4\n\t"
        "vcvtt.f16.f32 s12, s0\n\t"
        "vcvtt.f32.f16 s13, s12\n\t"
        "vcvtb.f32.f16 s14, s12\n\t"
        "vstmia %[o], {s1-s3}\n\t"
        "vstr s5, [%[o], #12]\n\t"
        "vstr s6, [%[o], #16]\n\t"
        "vstr s7, [%[o], #20]\n\t"
        "add r3, %[o], #24\n\t"
        "vstmia r3, {s8-s14}\n\t"
        :
        : [p] "r"(&data[0]), [o] "r"(&out[0])
        : "r3", "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "s12",
          "s13", "s14", "memory");
    for (int i = 0; i < 13; i++) uart_puthex(out[i]), uart_puts(" ");
    kv("fpscr", get_fpscr());
    set_fpscr(0);
    uart_puts("\n");
}

/* Compiler-generated float code: a polynomial, a Newton square root, float <-> int. */
static float poly(float x)
{
    float r = 0.0f;
    for (int i = 7; i >= 0; i--) r = r * x + data[i] * 0.25f;
    return r;
}

static void compiled(void)
{
    float s = 0.0f;
    for (int i = 0; i < 16; i++) s += poly(data[i] * 0.01f);
    kv("poly", bits(s));
    float x = data[8], g = x;
    for (int i = 0; i < 8; i++) g = 0.5f * (g + x / g);
    kv("newton", bits(g));
    int32_t n = (int32_t)(data[6] * 1e-25f);
    uint32_t u = (uint32_t)(data[13] * 3.0f);
    kv("toint", (uint32_t)n); kv("touint", u); kv("back", bits((float)n / (float)u));
    kv("fpscr", get_fpscr());
    uart_puts("\n");
}

int main(void)
{
    uart_init();
    uart_puts("fpu-workout\n");
    set_fpscr(0);
    moves();
    memory();
    arith();
    compares();
    conversions();
    compiled();
    uart_puts("fpu-workout done\n");
    return 0;
}
