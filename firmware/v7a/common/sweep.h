/* Operand sweeps for instruction workouts: run one asm template over a value table, hash results. */
#ifndef V7A_SWEEP_H
#define V7A_SWEEP_H
#include "rt.h"

#define PSR_MASK 0xf80f0000u  /* NZCVQ and GE */
typedef uint32_t (*op3_fn)(uint32_t a, uint32_t b, uint32_t c, uint32_t f, uint32_t *psr);

/* d = insn(a, b, c) with NZCVQ/GE set to f first; psr = APSR afterwards; d starts as c (accumulators). */
#define OP3(name, insn) \
    static uint32_t name(uint32_t a, uint32_t b, uint32_t c, uint32_t f, uint32_t *psr) { \
        uint32_t d = c, p; \
        __asm__ volatile("msr apsr_nzcvqg, %[f]\n\t" insn "\n\tmrs %[p], apsr" \
                         : [d] "+&r"(d), [p] "=&r"(p) : [a] "r"(a), [b] "r"(b), [c] "r"(c), [f] "r"(f) : "cc"); \
        *psr = p; return d; }

/* Two results: lo/hi pair (long multiplies): d = lo, *hi = hi. */
#define OP64(name, insn) \
    static uint32_t name(uint32_t a, uint32_t b, uint32_t c, uint32_t f, uint32_t *psr) { \
        uint32_t lo = c, hi = ~c, p; \
        __asm__ volatile("msr apsr_nzcvqg, %[f]\n\t" insn "\n\tmrs %[p], apsr" \
                         : [lo] "+&r"(lo), [hi] "+&r"(hi), [p] "=&r"(p) : [a] "r"(a), [b] "r"(b), [f] "r"(f) : "cc"); \
        *psr = p ^ hi; return lo; }

struct named_op3 { const char *name; op3_fn fn; };

static const uint32_t SWEEP_V[] = {
    0, 1, 2, 0x7fffffff, 0x80000000, 0x80000001, 0xffffffff, 0xfffffffe,
    0x12345678, 0xdeadbeef, 0x00007fff, 0x00008000, 0xffff8000, 0x7fff8001, 0x80ff017f, 0x55aa55aa,
};
#define SWEEP_NV (sizeof SWEEP_V / sizeof SWEEP_V[0])
static const uint32_t SWEEP_F[] = { 0x00000000, 0x20000000, 0xf80f0000, 0x980a0000 };
#define SWEEP_NF (sizeof SWEEP_F / sizeof SWEEP_F[0])

/* One line per op: a hash over a × b (× a few c and flag values) and one sample result. */
static inline void sweep3(const struct named_op3 *ops, unsigned n)
{
    for (unsigned k = 0; k < n; k++) {
        uint32_t h = HASH_INIT, sample = 0, sample_psr = 0;
        for (unsigned i = 0; i < SWEEP_NV; i++)
            for (unsigned j = 0; j < SWEEP_NV; j++)
                for (unsigned f = 0; f < SWEEP_NF; f++) {
                    uint32_t psr, c = SWEEP_V[(i + j + f) % SWEEP_NV];
                    uint32_t d = ops[k].fn(SWEEP_V[i], SWEEP_V[j], c, SWEEP_F[f], &psr);
                    h = mix(mix(h, d), psr & PSR_MASK);
                    if (i == 9 && j == 8 && f == 1) { sample = d; sample_psr = psr & PSR_MASK; }
                }
        put_str(ops[k].name); put_kv("hash", h); put_kv("d", sample); put_kv("psr", sample_psr); put_nl();
    }
}
#endif
