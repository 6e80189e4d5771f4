/*
 * Every ARMv7E-M DSP instruction, run through inline asm so the compiler cannot fold anything.
 * Each operation starts from a chosen APSR (written with MSR APSR_nzcvqg, so Q and GE start known)
 * and the result is printed with the APSR read back by MRS (N Z C V Q and GE[3:0]).
 *
 * Output: per operation a line of edge cases (saturation limits, lane sign changes, carries) as
 * "result/psr" (long multiplies: "lo:hi/psr"); SEL under all 16 GE patterns; GE/Q across an
 * exception (stacked in xPSR, restored on return); then per operation a hash over many
 * pseudo-random inputs and starting APSRs.
 */
#include <stdint.h>
#include "hw.h"
#include "uart.h"
#include "semihost.h"

struct result {
    uint32_t lo, hi, psr;
};
/* in[0] = Rn, in[1] = Rm, in[2] = Rd (RdLo of long forms), in[3] = Ra (RdHi of long forms). */
typedef void (*dsp_op)(const uint32_t *in, uint32_t psr, struct result *r);

/*
 * One function per operation. Templates name Rd/RdLo %[lo], Ra/RdHi %[hi], and the sources %[n]
 * and %[m]; the accumulator operands are read-write so the long forms see their inputs.
 */
#define DEFINE_OP(name, kind, tmpl)                                                        \
    static void op_##name(const uint32_t *in, uint32_t psr, struct result *r)              \
    {                                                                                      \
        uint32_t lo = in[2], hi = in[3], p;                                                \
        __asm__ volatile("msr APSR_nzcvqg, %[pin]\n\t" tmpl "\n\tmrs %[p], APSR"           \
                         : [lo] "+&r"(lo), [hi] "+&r"(hi), [p] "=&r"(p)                    \
                         : [n] "r"(in[0]), [m] "r"(in[1]), [pin] "r"(psr)                  \
                         : "cc");                                                          \
        r->lo = lo;                                                                        \
        r->hi = hi;                                                                        \
        r->psr = p;                                                                        \
    }

#define R3(mn) mn " %[lo], %[n], %[m]"
#define R4(mn) mn " %[lo], %[n], %[m], %[hi]"
#define RL(mn) mn " %[lo], %[hi], %[n], %[m]"

/* kind: 0 = result in Rd, 1 = 64-bit result in RdHi:RdLo */
#define DSP_OPS(X)                                                  \
    X(sadd16, 0, R3("sadd16")) X(qadd16, 0, R3("qadd16"))           \
    X(shadd16, 0, R3("shadd16")) X(uadd16, 0, R3("uadd16"))         \
    X(uqadd16, 0, R3("uqadd16")) X(uhadd16, 0, R3("uhadd16"))       \
    X(sasx, 0, R3("sasx")) X(qasx, 0, R3("qasx"))                   \
    X(shasx, 0, R3("shasx")) X(uasx, 0, R3("uasx"))                 \
    X(uqasx, 0, R3("uqasx")) X(uhasx, 0, R3("uhasx"))               \
    X(ssax, 0, R3("ssax")) X(qsax, 0, R3("qsax"))                   \
    X(shsax, 0, R3("shsax")) X(usax, 0, R3("usax"))                 \
    X(uqsax, 0, R3("uqsax")) X(uhsax, 0, R3("uhsax"))               \
    X(ssub16, 0, R3("ssub16")) X(qsub16, 0, R3("qsub16"))           \
    X(shsub16, 0, R3("shsub16")) X(usub16, 0, R3("usub16"))         \
    X(uqsub16, 0, R3("uqsub16")) X(uhsub16, 0, R3("uhsub16"))       \
    X(sadd8, 0, R3("sadd8")) X(qadd8, 0, R3("qadd8"))               \
    X(shadd8, 0, R3("shadd8")) X(uadd8, 0, R3("uadd8"))             \
    X(uqadd8, 0, R3("uqadd8")) X(uhadd8, 0, R3("uhadd8"))           \
    X(ssub8, 0, R3("ssub8")) X(qsub8, 0, R3("qsub8"))               \
    X(shsub8, 0, R3("shsub8")) X(usub8, 0, R3("usub8"))             \
    X(uqsub8, 0, R3("uqsub8")) X(uhsub8, 0, R3("uhsub8"))           \
    X(sel, 0, R3("sel"))                                            \
    X(qadd, 0, R3("qadd")) X(qsub, 0, R3("qsub"))                   \
    X(qdadd, 0, R3("qdadd")) X(qdsub, 0, R3("qdsub"))               \
    X(ssat16_1, 0, "ssat16 %[lo], #1, %[n]")                        \
    X(ssat16_8, 0, "ssat16 %[lo], #8, %[n]")                        \
    X(ssat16_16, 0, "ssat16 %[lo], #16, %[n]")                      \
    X(usat16_0, 0, "usat16 %[lo], #0, %[n]")                        \
    X(usat16_8, 0, "usat16 %[lo], #8, %[n]")                        \
    X(usat16_15, 0, "usat16 %[lo], #15, %[n]")                      \
    X(ssat_8_asr, 0, "ssat %[lo], #8, %[n], asr #3")                \
    X(usat_16_lsl, 0, "usat %[lo], #16, %[n], lsl #4")              \
    X(smulbb, 0, R3("smulbb")) X(smulbt, 0, R3("smulbt"))           \
    X(smultb, 0, R3("smultb")) X(smultt, 0, R3("smultt"))           \
    X(smlabb, 0, R4("smlabb")) X(smlabt, 0, R4("smlabt"))           \
    X(smlatb, 0, R4("smlatb")) X(smlatt, 0, R4("smlatt"))           \
    X(smulwb, 0, R3("smulwb")) X(smulwt, 0, R3("smulwt"))           \
    X(smlawb, 0, R4("smlawb")) X(smlawt, 0, R4("smlawt"))           \
    X(smuad, 0, R3("smuad")) X(smuadx, 0, R3("smuadx"))             \
    X(smusd, 0, R3("smusd")) X(smusdx, 0, R3("smusdx"))             \
    X(smlad, 0, R4("smlad")) X(smladx, 0, R4("smladx"))             \
    X(smlsd, 0, R4("smlsd")) X(smlsdx, 0, R4("smlsdx"))             \
    X(smmul, 0, R3("smmul")) X(smmulr, 0, R3("smmulr"))             \
    X(smmla, 0, R4("smmla")) X(smmlar, 0, R4("smmlar"))             \
    X(smmls, 0, R4("smmls")) X(smmlsr, 0, R4("smmlsr"))             \
    X(usad8, 0, R3("usad8")) X(usada8, 0, R4("usada8"))             \
    X(smlalbb, 1, RL("smlalbb")) X(smlalbt, 1, RL("smlalbt"))       \
    X(smlaltb, 1, RL("smlaltb")) X(smlaltt, 1, RL("smlaltt"))       \
    X(smlald, 1, RL("smlald")) X(smlaldx, 1, RL("smlaldx"))         \
    X(smlsld, 1, RL("smlsld")) X(smlsldx, 1, RL("smlsldx"))         \
    X(umaal, 1, RL("umaal"))                                        \
    X(smull, 1, RL("smull")) X(smlal, 1, RL("smlal"))               \
    X(pkhbt_0, 0, "pkhbt %[lo], %[n], %[m]")                        \
    X(pkhbt_1, 0, "pkhbt %[lo], %[n], %[m], lsl #1")                \
    X(pkhbt_16, 0, "pkhbt %[lo], %[n], %[m], lsl #16")              \
    X(pkhbt_31, 0, "pkhbt %[lo], %[n], %[m], lsl #31")              \
    X(pkhtb_1, 0, "pkhtb %[lo], %[n], %[m], asr #1")                \
    X(pkhtb_15, 0, "pkhtb %[lo], %[n], %[m], asr #15")              \
    X(pkhtb_16, 0, "pkhtb %[lo], %[n], %[m], asr #16")              \
    X(pkhtb_32, 0, "pkhtb %[lo], %[n], %[m], asr #32")              \
    X(sxtab_0, 0, "sxtab %[lo], %[n], %[m]")                        \
    X(sxtab_8, 0, "sxtab %[lo], %[n], %[m], ror #8")                \
    X(sxtah_16, 0, "sxtah %[lo], %[n], %[m], ror #16")              \
    X(sxtah_24, 0, "sxtah %[lo], %[n], %[m], ror #24")              \
    X(uxtab_16, 0, "uxtab %[lo], %[n], %[m], ror #16")              \
    X(uxtab_24, 0, "uxtab %[lo], %[n], %[m], ror #24")              \
    X(uxtah_0, 0, "uxtah %[lo], %[n], %[m]")                        \
    X(uxtah_8, 0, "uxtah %[lo], %[n], %[m], ror #8")                \
    X(sxtab16_0, 0, "sxtab16 %[lo], %[n], %[m]")                    \
    X(sxtab16_8, 0, "sxtab16 %[lo], %[n], %[m], ror #8")            \
    X(uxtab16_16, 0, "uxtab16 %[lo], %[n], %[m], ror #16")          \
    X(uxtab16_24, 0, "uxtab16 %[lo], %[n], %[m], ror #24")          \
    X(sxtb16_0, 0, "sxtb16 %[lo], %[m]")                            \
    X(sxtb16_24, 0, "sxtb16 %[lo], %[m], ror #24")                  \
    X(uxtb16_8, 0, "uxtb16 %[lo], %[m], ror #8")                    \
    X(uxtb16_16, 0, "uxtb16 %[lo], %[m], ror #16")                  \
    X(sxtb_8, 0, "sxtb.w %[lo], %[m], ror #8")                      \
    X(sxth_16, 0, "sxth.w %[lo], %[m], ror #16")                    \
    X(uxtb_24, 0, "uxtb.w %[lo], %[m], ror #24")                    \
    X(uxth_8, 0, "uxth.w %[lo], %[m], ror #8")                      \
    X(it_qadd_mi, 0, "it mi\n\tqaddmi %[lo], %[n], %[m]")           \
    X(it_sadd8_ne, 0, "it ne\n\tsadd8ne %[lo], %[n], %[m]")         \
    X(it_smlad_ge, 0, "it ge\n\tsmladge %[lo], %[n], %[m], %[hi]")

DSP_OPS(DEFINE_OP)

/*
 * Encodings the assembler will not write (UNPREDICTABLE or should-be-zero fields) but QEMU
 * executes: fixed registers r0 = Rn, r1 = Rm, r2 = Rd/RdLo, r3 = Ra/RdHi.
 */
#define DEFINE_RAW_OP(name, kind, word)                                                    \
    static void op_##name(const uint32_t *in, uint32_t psr, struct result *r)              \
    {                                                                                      \
        register uint32_t rn __asm__("r0") = in[0];                                        \
        register uint32_t rm __asm__("r1") = in[1];                                        \
        register uint32_t lo __asm__("r2") = in[2];                                        \
        register uint32_t hi __asm__("r3") = in[3];                                        \
        uint32_t p;                                                                        \
        __asm__ volatile("msr APSR_nzcvqg, %[pin]\n\t.inst.w " #word "\n\tmrs %[p], APSR" \
                         : "+r"(lo), "+r"(hi), [p] "=&r"(p)                                \
                         : "r"(rn), "r"(rm), [pin] "r"(psr)                                \
                         : "cc");                                                          \
        r->lo = lo;                                                                        \
        r->hi = hi;                                                                        \
        r->psr = p;                                                                        \
    }

#define RAW_OPS(X)                                                                         \
    X(smmls_ra15, 0, 0xfb60f201) X(smmlsr_ra15, 0, 0xfb60f211)                             \
    X(ssat16_21, 0, 0xf3200214) X(ssat16_32, 0, 0xf320021f)                                \
    X(usat16_20, 0, 0xf3a00214) X(usat16_31, 0, 0xf3a0021f)

RAW_OPS(DEFINE_RAW_OP)

struct op {
    const char *name;
    dsp_op fn;
    int longResult;
};
#define TABLE_ENTRY(name, kind, tmpl) {#name, op_##name, kind},
static const struct op ops[] = {DSP_OPS(TABLE_ENTRY) RAW_OPS(TABLE_ENTRY)};

/* Edge inputs: {Rn, Rm, Rd/RdLo, Ra/RdHi}. */
static const uint32_t edges[][4] = {
    {0x7fff8000u, 0x00018000u, 0x7fffffffu, 0x00000001u},
    {0x80007fffu, 0x7fff8000u, 0x80000000u, 0xffffffffu},
    {0x7f80ff01u, 0x0180017fu, 0x00000001u, 0x7fffffffu},
    {0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu},
    {0x80008000u, 0x80008000u, 0xffffffffu, 0x80000000u},
    {0x12345678u, 0x9abcdef0u, 0x40000000u, 0x00000000u},
    {0x00000000u, 0x80000000u, 0x7ffffffeu, 0x7fffffffu},
    {0x7fff7fffu, 0x7fff7fffu, 0x00000001u, 0x0fffffffu},
    {0x80808080u, 0x7f7f7f7fu, 0x80000001u, 0xc0000000u},
    {0x0000ffffu, 0xffff0000u, 0x00008000u, 0x00000000u},
};
#define N_EDGES (sizeof edges / sizeof edges[0])

/* Starting APSRs: all clear, everything set (Q and GE must stay), and mixed GE patterns. */
static const uint32_t start_psr[] = {0x00000000u, 0xf80f0000u, 0x40050000u, 0x880a0000u};

static uint32_t rng_state = 0x2545f491u;
static uint32_t rng(void)
{
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return rng_state = x;
}

/* Random operands biased toward lane limits so saturation and carries happen often. */
static uint32_t operand(void)
{
    static const uint32_t lanes[] = {0x00000000u, 0x7fff7fffu, 0x80008000u, 0xffffffffu,
                                     0x7f7f7f7fu, 0x80808080u, 0x00010001u, 0x01010101u};
    uint32_t r = rng();
    switch (r & 3u) {
    case 0: return lanes[(r >> 2) & 7u];
    case 1: return lanes[(r >> 2) & 7u] ^ (rng() & 0x01010101u);
    default: return rng();
    }
}

static uint32_t mix(uint32_t h, uint32_t v)
{
    h ^= v;
    h *= 0x01000193u;
    return h ^ (h >> 15);
}

/* Edge cases of one operation: " result/psr" (long forms " lo:hi/psr") per input row. */
static void run_edges(const struct op *op)
{
    struct result r;
    uart_puts(op->name);
    for (unsigned i = 0; i < N_EDGES; i++) {
        op->fn(edges[i], start_psr[i & 3u], &r);
        uart_puts(" ");
        uart_puthex(r.lo);
        if (op->longResult) {
            uart_puts(":");
            uart_puthex(r.hi);
        }
        uart_puts("/");
        uart_puthex(r.psr);
    }
    uart_puts("\n");
}

/* A hash over pseudo-random operands and starting APSRs (random Q and GE). */
static void run_random(const struct op *op)
{
    struct result r;
    uint32_t h = 0x811c9dc5u;
    for (unsigned i = 0; i < 200; i++) {
        uint32_t in[4] = {operand(), operand(), operand(), operand()};
        uint32_t psr = rng() & 0xf80f0000u;
        op->fn(in, psr, &r);
        h = mix(mix(mix(h, r.lo), r.hi), r.psr);
    }
    uart_puts(op->name);
    uart_puts(" hash ");
    uart_puthex(h);
    uart_puts("\n");
}

/* SEL under every GE pattern, GE set by MSR and by a GE-writing instruction. */
static void sel_patterns(void)
{
    uart_puts("sel-ge");
    for (uint32_t ge = 0; ge < 16; ge++) {
        uint32_t in[4] = {0x11223344u, 0xaabbccddu, 0, 0};
        struct result r;
        op_sel(in, ge << 16, &r);
        uart_puts(" ");
        uart_puthex(r.lo);
    }
    uart_puts("\n");
    uint32_t d, p;
    __asm__ volatile("usub8 %[d], %[a], %[b]\n\tsel %[d], %[a], %[b]\n\tmrs %[p], APSR"
                     : [d] "=&r"(d), [p] "=&r"(p)
                     : [a] "r"(0x00090105u), [b] "r"(0x01090203u)
                     : "cc");
    uart_puts("usub8+sel ");
    uart_puthex(d);
    uart_puts(" ge ");
    uart_puthex(p & 0x000f0000u); /* NZCV come from compiler-generated code before */
    uart_puts("\n");
}

/* GE and Q are part of the stacked xPSR: an SVC handler changes them, the return restores them. */
static volatile uint32_t handler_saw;
void SVC_Handler(void)
{
    uint32_t p, d;
    __asm__ volatile("mrs %[p], APSR\n\t"
                     "usub8 %[d], %[a], %[a]\n\t" /* GE = 1111 */
                     "qadd %[d], %[b], %[b]"      /* Q = 1 */
                     : [p] "=&r"(p), [d] "=&r"(d)
                     : [a] "r"(0x12345678u), [b] "r"(0x7fffffffu)
                     : "cc");
    handler_saw = p;
}

static void ge_across_exception(void)
{
    uint32_t p;
    __asm__ volatile("msr APSR_nzcvqg, %[in]\n\tsvc #0\n\tmrs %[p], APSR"
                     : [p] "=r"(p)
                     : [in] "r"(0x000a0000u)
                     : "cc", "memory");
    uart_puts("svc ge: handler saw ");
    uart_puthex(handler_saw);
    uart_puts(", after return ");
    uart_puthex(p);
    uart_puts("\n");
}

int main(void)
{
    uart_init();
    uart_puts("dsp-workout\n");
    /* Edge cases of everything first, so a short lock-step run already covers every encoding. */
    for (unsigned i = 0; i < sizeof ops / sizeof ops[0]; i++) run_edges(&ops[i]);
    sel_patterns();
    ge_across_exception();
    for (unsigned i = 0; i < sizeof ops / sizeof ops[0]; i++) run_random(&ops[i]);
    uart_puts("done\n");
    return 0;
}
