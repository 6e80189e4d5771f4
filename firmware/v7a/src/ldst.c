/*
 * A32/T32 loads and stores: every addressing mode (offset, pre/post-indexed, immediate, register,
 * scaled register, negative), all sizes and sign extensions, LDRD/STRD, LDRT/STRT, literal loads,
 * LDM/STM in every mode with writeback, PUSH/POP, exclusives of every size with CLREX,
 * SWP/SWPB (A32), interworking BX/BLX and loads to PC between ARM and Thumb code, IT blocks,
 * TBB/TBH and CBZ (T32), SETEND BE data accesses, unaligned accesses (allowed with SCTLR.A = 0).
 */
#include "rt.h"

static uint32_t mem[64] __attribute__((aligned(8)));

static void fill(void)
{
    for (unsigned i = 0; i < 64; i++) mem[i] = 0x01010101u * (i + 1) ^ 0x80c0a050u;
}

static uint32_t mem_hash(void)
{
    uint32_t h = HASH_INIT;
    for (unsigned i = 0; i < 64; i++) h = mix(h, mem[i]);
    return h;
}

static void report(const char *name, uint32_t r0, uint32_t r1, uint32_t r2, uint32_t base_delta)
{
    put_str(name); put_kv("a", r0); put_kv("b", r1); put_kv("c", r2); put_kv("wb", base_delta);
    put_kv("mem", mem_hash()); put_nl();
}

/* One load/store form: a, b, c outputs, base register p (written back by some forms), idx input. */
#define LS(name, body) \
    static void name(void) { fill(); \
        uint32_t a = 0, b = 0, c = 0, *p = &mem[16]; uint32_t idx = 3, val = 0xcafe8481u; \
        __asm__ volatile(body : [a] "+&r"(a), [b] "+&r"(b), [c] "+&r"(c), [p] "+&r"(p) \
                         : [i] "r"(idx), [v] "r"(val) : "memory", "cc", "r4", "r5"); \
        report(#name, a, b, c, (uint32_t)((uint8_t *)p - (uint8_t *)&mem[16])); }

LS(ldr_imm, "ldr %[a], [%[p], #4]\n\tldr %[b], [%[p], #-8]\n\tldr %[c], [%[p]]")
LS(ldr_pre, "ldr %[a], [%[p], #12]!\n\tldr %[b], [%[p], #-4]!")
LS(ldr_post, "ldr %[a], [%[p]], #8\n\tldr %[b], [%[p]], #-4")
#ifdef __thumb__
LS(ldr_reg, "ldr %[a], [%[p], %[i]]\n\tldr %[b], [%[p], %[i], lsl #2]\n\tldr %[c], [%[p], %[i], lsl #3]")
LS(ldr_reg_wb, "ldr %[a], [%[p], %[i], lsl #1]\n\tstr %[a], [%[p], %[i]]")
#else
LS(ldr_reg, "ldr %[a], [%[p], %[i]]\n\tldr %[b], [%[p], %[i], lsl #2]\n\tldr %[c], [%[p], -%[i], lsl #2]")
LS(ldr_reg_wb, "ldr %[a], [%[p], %[i], lsl #2]!\n\tldr %[b], [%[p]], %[i]")
#endif
LS(ldrb_forms, "ldrb %[a], [%[p], #3]\n\tldrb %[b], [%[p], %[i]]\n\tldrb %[c], [%[p], #-1]!")
LS(ldrh_forms, "ldrh %[a], [%[p], #2]\n\tldrh %[b], [%[p], %[i]]\n\tldrh %[c], [%[p]], #6")
LS(ldrs_forms, "ldrsb %[a], [%[p], #3]\n\tldrsh %[b], [%[p], #-2]\n\tldrsb %[c], [%[p], #1]!")
LS(ldrd_forms, "ldrd r4, r5, [%[p], #8]\n\tmov %[a], r4\n\tmov %[b], r5\n\tldrd r4, r5, [%[p], #-16]!\n\tadd %[c], r4, r5\n\tldrd r4, r5, [%[p]], #4\n\teor %[c], %[c], r5")
LS(str_forms, "str %[v], [%[p], #4]\n\tstr %[v], [%[p], #-4]!\n\tstr %[v], [%[p]], #12\n\tstrb %[v], [%[p], #1]\n\tstrh %[v], [%[p], #6]")
#ifdef __thumb__
LS(str_reg, "str %[v], [%[p], %[i], lsl #2]\n\tstrb %[v], [%[p], %[i]]\n\tstrh %[v], [%[p], #-2]")
#else
LS(str_reg, "str %[v], [%[p], %[i], lsl #2]\n\tstrb %[v], [%[p], %[i]]!\n\tstrh %[v], [%[p], #-2]")
#endif
LS(strd_forms, "mov r4, %[v]\n\tmvn r5, %[v]\n\tstrd r4, r5, [%[p], #8]\n\tstrd r4, r5, [%[p]], #-24\n\tstrd r4, r5, [%[p], #-8]!")
LS(unaligned, "ldr %[a], [%[p], #1]\n\tldrh %[b], [%[p], #3]\n\tstr %[v], [%[p], #5]\n\tldr %[c], [%[p], #6]\n\tstrh %[v], [%[p], #11]")
#ifdef __thumb__
LS(ldrt_strt, "ldrt %[a], [%[p], #4]\n\tstrt %[v], [%[p], #8]\n\tldrbt %[b], [%[p], #1]\n\tstrbt %[v], [%[p], #3]\n\tldrht %[c], [%[p], #2]\n\tldrsbt r4, [%[p], #5]\n\tadd %[c], %[c], r4")
#else
LS(ldrt_strt, "ldrt %[a], [%[p]], #4\n\tstrt %[v], [%[p]], #4\n\tldrbt %[b], [%[p]], #1\n\tstrbt %[v], [%[p]], #1\n\tldrht %[c], [%[p]], #2\n\tldrt r4, [%[p]], -%[i]\n\tadd %[c], %[c], r4")
#endif
#ifdef __thumb__
LS(isa_ls1, "ldr %[a], [%[p], #252]\n\tldr %[b], [%[p], #-255]\n\tldrsh.w %[c], [%[p], #4094]")
LS(isa_ls2, "ldr %[a], 1f\n\tb 2f\n\t.balign 4\n1:\t.word 0x600dc0de\n2:\tldrh %[b], [%[p], %[i], lsl #1]\n\tldrsb %[c], [%[p], %[i], lsl #3]")
#else
LS(isa_ls1, "ldr %[a], [%[p], -%[i], ror #30]\n\tldrsh %[b], [%[p]], -%[i]\n\tldrb %[c], [%[p], %[i], asr #1]!")
LS(isa_ls2, "ldr %[a], 1f\n\tb 2f\n\t.balign 4\n1:\t.word 0x600dc0de\n2:\tldrh %[b], [%[p], -%[i]]!\n\tldrsb %[c], [%[p]], #-3")
#endif

#define LM(name, body) \
    static void name(void) { fill(); \
        uint32_t *p = &mem[24]; uint32_t out[6]; \
        register uint32_t r0 __asm__("r0") = 0x10; register uint32_t r1 __asm__("r1") = 0x11; \
        register uint32_t r2 __asm__("r2") = 0x12; register uint32_t r3 __asm__("r3") = 0x13; \
        register uint32_t r12 __asm__("r12") = 0x1c; \
        __asm__ volatile(body : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3), "+r"(r12), [p] "+&r"(p) :: "memory"); \
        out[0] = r0; out[1] = r1; out[2] = r2; out[3] = r3; out[4] = r12; \
        uint32_t h = HASH_INIT; for (int i = 0; i < 5; i++) h = mix(h, out[i]); \
        report(#name, h, out[0], out[3], (uint32_t)((uint8_t *)p - (uint8_t *)&mem[24])); }

LM(stmia, "stmia %[p]!, {r0-r3, r12}")
LM(stmdb, "stmdb %[p]!, {r0, r2, r12}")
LM(ldmia, "ldmia %[p]!, {r0-r3}")
LM(ldmdb, "ldmdb %[p]!, {r1, r3, r12}")
LM(ldm_nowb, "ldm %[p], {r0, r1, r12}\n\tstmdb %[p], {r0-r3}")
#ifdef __thumb__
LM(isa_lm, "push {r0-r3}\n\tpop {r2, r3, r12}\n\tpop {r0}\n\tldmia %[p]!, {r0-r2, r12}")
LM(isa_lm2, "stm %[p]!, {r0, r1}\n\tldmdb %[p], {r2-r3}")
#else
LM(isa_lm, "stmib %[p]!, {r0-r3}\n\tldmda %[p]!, {r0, r1, r12}")
LM(isa_lm2, "stmda %[p], {r0, r1}\n\tldmib %[p]!, {r2-r3}\n\tpush {r0-r3}\n\tpop {r2, r3, r12}\n\tpop {r0}")
#endif

/* Exclusives: success, failure after CLREX, after an intervening exclusive to another address. */
static void exclusives(void)
{
    fill();
    uint32_t h = HASH_INIT, v, st;
    volatile uint8_t *b8 = (volatile uint8_t *)&mem[40];
    volatile uint16_t *b16 = (volatile uint16_t *)&mem[41];
    uint64_t d;
    __asm__ volatile("ldrex %0, [%2]\n\tadd %0, %0, #1\n\tstrex %1, %0, [%2]" : "=&r"(v), "=&r"(st) : "r"(&mem[42]) : "memory");
    h = mix(mix(h, v), st);
    __asm__ volatile("ldrex %0, [%2]\n\tclrex\n\tstrex %1, %0, [%2]" : "=&r"(v), "=&r"(st) : "r"(&mem[43]) : "memory");
    h = mix(mix(h, v), st);
    __asm__ volatile("ldrexb %0, [%2]\n\tadd %0, %0, #0x7f\n\tstrexb %1, %0, [%2]" : "=&r"(v), "=&r"(st) : "r"(b8) : "memory");
    h = mix(mix(h, v), st);
    __asm__ volatile("ldrexh %0, [%2]\n\tsub %0, %0, #3\n\tstrexh %1, %0, [%2]" : "=&r"(v), "=&r"(st) : "r"(b16) : "memory");
    h = mix(mix(h, v), st);
    {
        register uint32_t lo __asm__("r2"), hi __asm__("r3");
        __asm__ volatile("ldrexd %0, %1, [%3]\n\tadds %0, %0, #1\n\tadc %1, %1, #0\n\tstrexd %2, %0, %1, [%3]"
                         : "=&r"(lo), "=&r"(hi), "=&r"(st) : "r"(&mem[44]) : "memory", "cc");
        d = ((uint64_t)hi << 32) | lo;
        h = mix(mix(mix(h, (uint32_t)d), (uint32_t)(d >> 32)), st);
    }
    /* a second STREX without LDREX fails */
    __asm__ volatile("strex %0, %1, [%2]" : "=&r"(st) : "r"(0x77u), "r"(&mem[42]) : "memory");
    h = mix(h, st);
    line("exclusives", h);
    line("exclusives-mem", mem_hash());
}

#ifndef __thumb__
static void swp(void)
{
    fill();
    /* SWP r0, r1, [r2] and SWPB r3, r1, [r4] as words: gas warns that SWP is deprecated */
    register uint32_t r0 __asm__("r0"), r3 __asm__("r3");
    register uint32_t r1 __asm__("r1") = 0x12345678u;
    register uint32_t *r2 __asm__("r2") = &mem[50];
    register uint8_t *r4 __asm__("r4") = (uint8_t *)&mem[51] + 1;
    __asm__ volatile(".inst 0xe1020091\n\t.inst 0xe1443091" : "=&r"(r0), "=&r"(r3) : "r"(r1), "r"(r2), "r"(r4) : "memory");
    uint32_t old = r0, oldb = r3;
    put_str("swp"); put_kv("old", old); put_kv("oldb", oldb); put_kv("mem", mem_hash()); put_nl();
}
#endif

/* Interworking: functions of the other instruction set called through BX, BLX, LDR PC, POP PC, MOV PC. */
__attribute__((target("thumb"), noinline)) uint32_t in_thumb(uint32_t x) { return x * 3 + 0x1000; }
__attribute__((target("arm"), noinline)) uint32_t in_arm(uint32_t x) { return (x ^ 0xa5) + 0x2000; }

static void interworking(void)
{
    uint32_t h = HASH_INIT, r;
    uint32_t (*volatile ft)(uint32_t) = in_thumb;
    uint32_t (*volatile fa)(uint32_t) = in_arm;
    h = mix(h, ft(5));
    h = mix(h, fa(5));
    /* BLX register, then BX LR returns to the caller's state */
    {
        register uint32_t r0 __asm__("r0") = 7;
        __asm__ volatile("blx %1" : "+r"(r0) : "r"(ft) : "r1", "r2", "r3", "r12", "lr", "memory", "cc");
        h = mix(h, r0);
        r0 = 9;
        __asm__ volatile("blx %1" : "+r"(r0) : "r"(fa) : "r1", "r2", "r3", "r12", "lr", "memory", "cc");
        h = mix(h, r0);
    }
    /* LDR PC from memory (interworking load), returning with BX LR */
    {
        static uint32_t target;
        target = (uint32_t)ft;
        register uint32_t r0 __asm__("r0") = 11;
        __asm__ volatile("adr lr, 1f\n\t"
#ifdef __thumb__
                         "orr lr, lr, #1\n\t"
#endif
                         "ldr pc, [%1]\n\t.balign 4\n1:" : "+r"(r0) : "r"(&target) : "r1", "r2", "r3", "r12", "lr", "memory", "cc");
        h = mix(h, r0);
        target = (uint32_t)fa;
        r0 = 13;
        __asm__ volatile("adr lr, 1f\n\t"
#ifdef __thumb__
                         "orr lr, lr, #1\n\t"
#endif
                         "ldr pc, [%1]\n\t.balign 4\n1:" : "+r"(r0) : "r"(&target) : "r1", "r2", "r3", "r12", "lr", "memory", "cc");
        h = mix(h, r0);
    }
    /* Thumb code running a computed-state BX to ARM and back, reading the T bit on each side */
    r = 0;
    __asm__ volatile(
        "adr %0, 1f\n\t"
        "bx %0\n\t"
        ".balign 4\n\t"
        ".arm\n"
        "1:\tmrs %0, cpsr\n\t"
        "and %0, %0, #0x20\n\t"
        "add %0, %0, #0x100\n\t"
        "adr r12, 2f + 1\n\t"
        "bx r12\n\t"
        ".thumb\n"
        "2:\tmrs r12, cpsr\n\t"
        "and r12, r12, #0x20\n\t"
        "orr %0, %0, r12, lsl #12\n\t"
#ifndef __thumb__
        "adr r12, 3f\n\t"
        "bx r12\n\t"
        ".balign 4\n\t"
        ".arm\n"
        "3:\n\t"
#endif
        : "=&r"(r) :: "r12", "cc");
    h = mix(h, r);
#ifndef __thumb__
    /* A32: an ALU write to PC interworks (ARMv7), so MOV PC, Rm with bit 0 set enters Thumb */
    {
        register uint32_t r0 __asm__("r0") = 21;
        __asm__ volatile("adr lr, 1f\n\tmov pc, %1\n1:" : "+r"(r0) : "r"(ft) : "r1", "r2", "r3", "r12", "lr", "memory", "cc");
        h = mix(h, r0);
    }
#endif
    line("interworking", h);
}

/* T32 control: IT blocks of every shape, CBZ/CBNZ, TBB/TBH. A32: conditional branches and BL. */
static uint32_t branchy(uint32_t x)
{
    uint32_t r = 0;
#ifdef __thumb__
    __asm__ volatile(
        "cmp %[x], #5\n\t"
        "itete gt\n\t"
        "addgt %[r], %[r], #1\n\t"
        "addle %[r], %[r], #2\n\t"
        "addgt %[r], %[r], #4\n\t"
        "addle %[r], %[r], #8\n\t"
        "cmp %[x], #3\n\t"
        "ittt ne\n\t"
        "lslne %[r], %[r], #1\n\t"
        "addne %[r], %[r], #1\n\t"
        "cmpne %[x], #10\n\t"
        "it hi\n\t"
        "addhi %[r], %[r], #0x40\n\t"
        "cbz %[x], 1f\n\t"
        "add %[r], %[r], #0x100\n"
        "1:\tcbnz %[r], 2f\n\t"
        "add %[r], %[r], #0x200\n"
        "2:\tand r12, %[x], #3\n\t"
        "tbb [pc, r12]\n"
        "3:\t.byte (4f-3b)/2, (5f-3b)/2, (6f-3b)/2, (7f-3b)/2\n"
        "4:\tadd %[r], %[r], #0x1000\n"
        "5:\tadd %[r], %[r], #0x2000\n"
        "6:\tadd %[r], %[r], #0x4000\n"
        "7:\tlsr r12, %[x], #2\n\t"
        "and r12, r12, #1\n\t"
        "tbh [pc, r12, lsl #1]\n"
        "8:\t.hword (9f-8b)/2, (10f-8b)/2\n"
        "9:\tadd %[r], %[r], #0x10000\n"
        "10:\n\t"
        : [r] "+&r"(r) : [x] "r"(x) : "r12", "cc");
#else
    __asm__ volatile(
        "cmp %[x], #5\n\t"
        "addgt %[r], %[r], #1\n\t"
        "addle %[r], %[r], #2\n\t"
        "bgt 1f\n\t"
        "add %[r], %[r], #8\n"
        "1:\tcmp %[x], #3\n\t"
        "lslne %[r], %[r], #1\n\t"
        "addne %[r], %[r], #1\n\t"
        "cmpne %[x], #10\n\t"
        "addhi %[r], %[r], #0x40\n\t"
        "and r12, %[x], #3\n\t"
        "add pc, pc, r12, lsl #2\n\t"
        "nop\n\t"
        "add %[r], %[r], #0x1000\n\t"
        "add %[r], %[r], #0x2000\n\t"
        "add %[r], %[r], #0x4000\n\t"
        "add %[r], %[r], #0x8000\n\t"
        "tst %[x], #4\n\t"
        "blne 2f\n\t"
        "b 3f\n"
        "2:\tadd %[r], %[r], #0x10000\n\t"
        "bx lr\n"
        "3:\n\t"
        : [r] "+&r"(r) : [x] "r"(x) : "r12", "lr", "cc");
#endif
    return r;
}

static void control(void)
{
    uint32_t h = HASH_INIT;
    for (uint32_t x = 0; x < 16; x++) h = mix(h, branchy(x));
    line("control", h);
    line("control-7", branchy(7));
}

/* SETEND BE: data accesses byte-reversed, instruction fetches not; back to LE. */
static void setend(void)
{
    fill();
    uint32_t a, b, c, e;
    __asm__ volatile(
        "setend be\n\t"
        "ldr %0, [%4]\n\t"
        "ldrh %1, [%4, #6]\n\t"
        "str %5, [%4, #8]\n\t"
        "strh %5, [%4, #12]\n\t"
        "mrs %3, cpsr\n\t"
        "ldr %2, [%4, #4]\n\t"
        "setend le\n\t"
        : "=&r"(a), "=&r"(b), "=&r"(c), "=&r"(e) : "r"(&mem[60]), "r"(0x11223344u) : "memory");
    put_str("setend"); put_kv("a", a); put_kv("b", b); put_kv("c", c); put_kv("e-bit", e & 0x200);
    put_kv("m8", mem[62]); put_kv("m12", mem[63]); put_nl();
}

int main(void)
{
#ifdef __thumb__
    put_str("ldst t32\n");
#else
    put_str("ldst a32\n");
#endif
    ldr_imm(); ldr_pre(); ldr_post(); ldr_reg(); ldr_reg_wb(); ldrb_forms(); ldrh_forms();
    ldrs_forms(); ldrd_forms(); str_forms(); str_reg(); strd_forms(); unaligned(); ldrt_strt();
    isa_ls1(); isa_ls2();
    stmia(); stmdb(); ldmia(); ldmdb(); ldm_nowb(); isa_lm(); isa_lm2();
    exclusives();
#ifndef __thumb__
    swp();
#endif
    interworking();
    control();
    setend();
    return 0;
}
