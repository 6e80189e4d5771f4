/*
 * A32/T32 data processing: every condition code against every NZCV combination, every shifter
 * operand form with its carry out, the flag-setting arithmetic/logic ops and their immediates.
 * Each line prints a hash over a sweep of operands (result and NZCVQ/GE flags) plus a sample.
 */
#include "rt.h"

static const uint32_t V[] = {
    0, 1, 2, 0x7fffffff, 0x80000000, 0x80000001, 0xffffffff, 0xfffffffe,
    0x12345678, 0xdeadbeef, 31, 32, 33, 0x100, 0xff, 0x55aa55aa,
};
#define NV (sizeof V / sizeof V[0])
static const uint32_t FLAGS_IN[] = { 0x00000000, 0x20000000, 0xf0000000, 0x90000000, 0x60000000 };
#define NF (sizeof FLAGS_IN / sizeof FLAGS_IN[0])
#define PSR_MASK 0xf80f0000u

typedef uint32_t (*op2_fn)(uint32_t a, uint32_t b, uint32_t f, uint32_t *psr);

/* d = insn(a, b) with the flags set to f first; psr = APSR afterwards. */
#define OP2(name, insn) \
    static uint32_t name(uint32_t a, uint32_t b, uint32_t f, uint32_t *psr) { \
        uint32_t d = 0x5a5a5a5a, p; \
        __asm__ volatile("msr apsr_nzcvq, %[f]\n\t" insn "\n\tmrs %[p], apsr" \
                         : [d] "+&r"(d), [p] "=&r"(p) : [a] "r"(a), [b] "r"(b), [f] "r"(f) : "cc"); \
        *psr = p; return d; }

OP2(op_adds, "adds %[d], %[a], %[b]")
OP2(op_adcs, "adcs %[d], %[a], %[b]")
OP2(op_subs, "subs %[d], %[a], %[b]")
OP2(op_sbcs, "sbcs %[d], %[a], %[b]")
OP2(op_rsbs, "rsbs %[d], %[a], #0")
OP2(op_ands, "ands %[d], %[a], %[b]")
OP2(op_orrs, "orrs %[d], %[a], %[b]")
OP2(op_eors, "eors %[d], %[a], %[b]")
OP2(op_bics, "bics %[d], %[a], %[b]")
OP2(op_mvns, "mvns %[d], %[b]")
OP2(op_cmp, "cmp %[a], %[b]")
OP2(op_cmn, "cmn %[a], %[b]")
OP2(op_tst, "tst %[a], %[b]")
OP2(op_teq, "teq %[a], %[b]")
OP2(op_add, "add %[d], %[a], %[b]")
OP2(op_adc, "adc %[d], %[a], %[b]")
OP2(op_sbc, "sbc %[d], %[a], %[b]")
/* shifted register operands (immediate shift) */
OP2(op_adds_lsl1, "adds %[d], %[a], %[b], lsl #1")
OP2(op_adds_lsl31, "adds %[d], %[a], %[b], lsl #31")
OP2(op_ands_lsr1, "ands %[d], %[a], %[b], lsr #1")
OP2(op_ands_lsr32, "ands %[d], %[a], %[b], lsr #32")
OP2(op_orrs_asr7, "orrs %[d], %[a], %[b], asr #7")
OP2(op_orrs_asr32, "orrs %[d], %[a], %[b], asr #32")
OP2(op_eors_ror3, "eors %[d], %[a], %[b], ror #3")
OP2(op_eors_rrx, "eors %[d], %[a], %[b], rrx")
OP2(op_subs_lsl4, "subs %[d], %[a], %[b], lsl #4")
OP2(op_sbcs_lsr5, "sbcs %[d], %[a], %[b], lsr #5")
OP2(op_rsbs_asr2, "rsbs %[d], %[a], %[b], asr #2")
OP2(op_cmp_ror16, "cmp %[a], %[b], ror #16")
OP2(op_tst_lsl8, "tst %[a], %[b], lsl #8")
OP2(op_teq_asr31, "teq %[a], %[b], asr #31")
OP2(op_bics_ror31, "bics %[d], %[a], %[b], ror #31")
OP2(op_mvns_lsr3, "mvns %[d], %[b], lsr #3")
/* shifts by immediate (MOV with shift) and by register, with carry out */
OP2(op_lsls1, "lsls %[d], %[a], #1")
OP2(op_lsls31, "lsls %[d], %[a], #31")
OP2(op_lsrs1, "lsrs %[d], %[a], #1")
OP2(op_lsrs32, "lsrs %[d], %[a], #32")
OP2(op_asrs1, "asrs %[d], %[a], #1")
OP2(op_asrs32, "asrs %[d], %[a], #32")
OP2(op_rors1, "rors %[d], %[a], #1")
OP2(op_rors31, "rors %[d], %[a], #31")
OP2(op_rrxs, "rrxs %[d], %[a]")
OP2(op_lsls_r, "lsls %[d], %[a], %[b]")
OP2(op_lsrs_r, "lsrs %[d], %[a], %[b]")
OP2(op_asrs_r, "asrs %[d], %[a], %[b]")
OP2(op_rors_r, "rors %[d], %[a], %[b]")
OP2(op_movs_r, "movs %[d], %[b]")
/* modified immediates valid in both A32 and T32; their rotation sets C in logical ops */
OP2(op_ands_i1, "ands %[d], %[a], #0xff")
OP2(op_ands_i2, "ands %[d], %[a], #0x80000000")
OP2(op_orrs_i, "orrs %[d], %[a], #0x3fc")
OP2(op_eors_i, "eors %[d], %[a], #0xff000000")
OP2(op_adds_i, "adds %[d], %[a], #0xff000000")
OP2(op_subs_i, "subs %[d], %[a], #1")
OP2(op_cmp_i, "cmp %[a], #0x80000000")
OP2(op_cmn_i, "cmn %[a], #1")
OP2(op_tst_i, "tst %[a], #0xc0000000")
OP2(op_teq_i, "teq %[a], #0x10000")
OP2(op_movs_i, "movs %[d], #0x80000000")
OP2(op_mvns_i, "mvns %[d], #0xff")
OP2(op_adcs_i, "adcs %[d], %[a], #0x3fc")
OP2(op_sbcs_i, "sbcs %[d], %[a], #0x100")
OP2(op_movw, "movw %[d], #0xbeef")
OP2(op_movt, "movt %[d], #0xdead")
OP2(op_mov_i16, "mov %[d], #0xff00")
#ifdef __thumb__
/* T32 only */
OP2(op_orns, "orns %[d], %[a], %[b]")
OP2(op_orn_i, "orn %[d], %[a], #0xff")
OP2(op_adds_n3, "adds %[d], %[a], #3")
OP2(op_addw, "addw %[d], %[a], #0xfff")
OP2(op_subw, "subw %[d], %[a], #0x801")
OP2(op_x1, "orns %[d], %[a], %[b], lsl #2")
OP2(op_x2, "movs %[d], %[a], asr #5")
OP2(op_x3, "mul %[d], %[a], %[b]")
#else
/* A32 only: RSC, register-shifted register operands */
OP2(op_orns, "rscs %[d], %[a], %[b]")
OP2(op_orn_i, "rsc %[d], %[a], #0xff")
OP2(op_adds_n3, "adds %[d], %[a], %[b], lsl %[b]")
OP2(op_addw, "ands %[d], %[a], %[b], lsr %[b]")
OP2(op_subw, "eors %[d], %[a], %[b], asr %[b]")
OP2(op_x1, "orrs %[d], %[a], %[b], ror %[b]")
OP2(op_x2, "subs %[d], %[a], %[a], lsl %[b]")
OP2(op_x3, "cmp %[a], %[b], lsr %[a]")
#endif

struct named_op { const char *name; op2_fn fn; };
static const struct named_op OPS[] = {
    {"adds", op_adds}, {"adcs", op_adcs}, {"subs", op_subs}, {"sbcs", op_sbcs}, {"rsbs", op_rsbs},
    {"ands", op_ands}, {"orrs", op_orrs}, {"eors", op_eors}, {"bics", op_bics}, {"mvns", op_mvns},
    {"cmp", op_cmp}, {"cmn", op_cmn}, {"tst", op_tst}, {"teq", op_teq}, {"add", op_add},
    {"adc", op_adc}, {"sbc", op_sbc},
    {"adds-lsl1", op_adds_lsl1}, {"adds-lsl31", op_adds_lsl31}, {"ands-lsr1", op_ands_lsr1},
    {"ands-lsr32", op_ands_lsr32}, {"orrs-asr7", op_orrs_asr7}, {"orrs-asr32", op_orrs_asr32},
    {"eors-ror3", op_eors_ror3}, {"eors-rrx", op_eors_rrx}, {"subs-lsl4", op_subs_lsl4},
    {"sbcs-lsr5", op_sbcs_lsr5}, {"rsbs-asr2", op_rsbs_asr2}, {"cmp-ror16", op_cmp_ror16},
    {"tst-lsl8", op_tst_lsl8}, {"teq-asr31", op_teq_asr31}, {"bics-ror31", op_bics_ror31},
    {"mvns-lsr3", op_mvns_lsr3},
    {"lsls1", op_lsls1}, {"lsls31", op_lsls31}, {"lsrs1", op_lsrs1}, {"lsrs32", op_lsrs32},
    {"asrs1", op_asrs1}, {"asrs32", op_asrs32}, {"rors1", op_rors1}, {"rors31", op_rors31},
    {"rrxs", op_rrxs}, {"lsls-r", op_lsls_r}, {"lsrs-r", op_lsrs_r}, {"asrs-r", op_asrs_r},
    {"rors-r", op_rors_r}, {"movs-r", op_movs_r},
    {"ands-i1", op_ands_i1}, {"ands-i2", op_ands_i2}, {"orrs-i", op_orrs_i}, {"eors-i", op_eors_i},
    {"adds-i", op_adds_i}, {"subs-i", op_subs_i}, {"cmp-i", op_cmp_i}, {"cmn-i", op_cmn_i},
    {"tst-i", op_tst_i}, {"teq-i", op_teq_i}, {"movs-i", op_movs_i}, {"mvns-i", op_mvns_i},
    {"adcs-i", op_adcs_i}, {"sbcs-i", op_sbcs_i}, {"movw", op_movw}, {"movt", op_movt},
    {"mov-i16", op_mov_i16},
    {"isa1", op_orns}, {"isa2", op_orn_i}, {"isa3", op_adds_n3}, {"isa4", op_addw},
    {"isa5", op_subw}, {"isa6", op_x1}, {"isa7", op_x2}, {"isa8", op_x3},
};

/* Shift amounts by register: the bottom byte counts (0, 1, 31, 32, 33, 255, 256 -> 0). */
static const uint32_t SHIFT_B[] = { 0, 1, 4, 31, 32, 33, 255, 256, 0x80000001 };

static void sweep_ops(void)
{
    for (unsigned k = 0; k < sizeof OPS / sizeof OPS[0]; k++) {
        uint32_t h = HASH_INIT, sample = 0, sample_psr = 0;
        for (unsigned i = 0; i < NV; i++)
            for (unsigned j = 0; j < NV; j++)
                for (unsigned f = 0; f < NF; f++) {
                    uint32_t psr, b = (k >= 42 && k <= 46) ? SHIFT_B[j % 9] : V[j];
                    uint32_t d = OPS[k].fn(V[i], b, FLAGS_IN[f], &psr);
                    h = mix(mix(h, d), psr & PSR_MASK);
                    if (i == 9 && j == 3 && f == 1) { sample = d; sample_psr = psr & PSR_MASK; }
                }
        put_str(OPS[k].name);
        put_kv("hash", h);
        put_kv("d", sample);
        put_kv("psr", sample_psr);
        put_nl();
    }
}

/* Every condition against all 16 NZCV values: bit n of the result says whether cond n passed. */
#define COND(c) \
    static uint32_t cond_##c(uint32_t nzcv) { uint32_t d = 0; \
        __asm__ volatile("msr apsr_nzcvq, %[f]\n\t" \
                         "it " #c "\n\t" \
                         "mov" #c " %[d], #1" : [d] "+r"(d) : [f] "r"(nzcv) : "cc"); return d; }
COND(eq) COND(ne) COND(cs) COND(cc) COND(mi) COND(pl) COND(vs) COND(vc)
COND(hi) COND(ls) COND(ge) COND(lt) COND(gt) COND(le)
static uint32_t cond_al(uint32_t nzcv) { uint32_t d = 0;
    __asm__ volatile("msr apsr_nzcvq, %[f]\n\tmov %[d], #1" : [d] "+r"(d) : [f] "r"(nzcv) : "cc"); return d; }
static uint32_t (*const CONDS[15])(uint32_t) = {
    cond_eq, cond_ne, cond_cs, cond_cc, cond_mi, cond_pl, cond_vs, cond_vc,
    cond_hi, cond_ls, cond_ge, cond_lt, cond_gt, cond_le, cond_al,
};

static void conditions(void)
{
    for (unsigned nzcv = 0; nzcv < 16; nzcv++) {
        uint32_t bits = 0;
        for (unsigned c = 0; c < 15; c++) bits |= CONDS[c](nzcv << 28) << c;
        put_str("cond nzcv="); put_hex(nzcv); put_kv("pass", bits); put_nl();
    }
}

/* Conditional execution of more than MOV: arithmetic, flag setting, loads/stores, branches. */
static void conditional_mix(void)
{
    uint32_t h = HASH_INIT;
    volatile uint32_t mem[4] = { 11, 22, 33, 44 };
    for (unsigned i = 0; i < NV; i++) {
        uint32_t a = V[i], b = 0x100, c = 0, p;
        __asm__ volatile(
            "cmp %[a], #0x80\n\t"
            "ite hi\n\t"
            "addhi %[b], %[b], %[a]\n\t"
            "subls %[b], %[b], %[a]\n\t"
            "itt eq\n\t"
            "ldreq %[c], [%[m], #4]\n\t"
            "streq %[a], [%[m], #8]\n\t"
            "it ne\n\t"
            "addsne %[c], %[c], %[a]\n\t"
            "itte lt\n\t"
            "eorlt %[c], %[c], #0xff\n\t"
            "lsllt %[b], %[b], #2\n\t"
            "rsbge %[b], %[b], #0\n\t"
            "bmi 1f\n\t"
            "add %[c], %[c], #0x1000\n"
            "1:\n\t"
            "mrs %[p], apsr\n\t"
            : [b] "+&r"(b), [c] "+&r"(c), [p] "=&r"(p)
            : [a] "r"(a), [m] "r"(mem) : "cc", "memory");
        h = mix(mix(mix(h, b), c), p & PSR_MASK);
    }
    line("cond-mix", h);
    line("cond-mix-mem", mem[2]);
}

/* Q flag: sticky, set by QADD and SSAT, cleared only by MSR. */
static void q_flag(void)
{
    uint32_t p1, p2, p3, d;
    __asm__ volatile(
        "msr apsr_nzcvq, %[z]\n\t"
        "qadd %[d], %[m], %[m]\n\t"
        "mrs %[p1], apsr\n\t"
        "add %[d], %[d], #1\n\t"
        "mrs %[p2], apsr\n\t"
        "msr apsr_nzcvq, %[z]\n\t"
        "ssat %[d], #8, %[m]\n\t"
        "mrs %[p3], apsr\n\t"
        : [d] "=&r"(d), [p1] "=&r"(p1), [p2] "=&r"(p2), [p3] "=&r"(p3)
        : [m] "r"(0x7ffffff0), [z] "r"(0) : "cc");
    put_str("qflag"); put_kv("p1", p1 & PSR_MASK); put_kv("p2", p2 & PSR_MASK); put_kv("p3", p3 & PSR_MASK);
    put_kv("d", d); put_nl();
}

int main(void)
{
    put_str(
#ifdef __thumb__
        "alu t32\n"
#else
        "alu a32\n"
#endif
    );
    conditions();
    sweep_ops();
    conditional_mix();
    q_flag();
    return 0;
}
