/*
 * Advanced SIMD, as inline asm so every build runs it: integer arithmetic of every element size,
 * saturating and halving forms (QC flag), shifts by immediate and register with rounding and
 * narrowing, long and wide forms, multiplies incl. doubling, bitwise and select, compares, pairwise
 * ops, counts, reversals and permutes (VTRN/VZIP/VUZP/VEXT/VTBL/VTBX/VDUP), float arithmetic with
 * the standard FPSCR, VRECPE/VRSQRTE and their steps, conversions, and VLD1-4/VST1-4 with every
 * addressing form. Each line: a hash over pseudo-random and special inputs, and the QC bit seen.
 */
#include "rt.h"

typedef void (*nop)(const uint32_t *a, const uint32_t *b, uint32_t *d);

/* q0 = insn(q1 = a, q2 = b) with q0 starting as d (accumulators); FPSCR QC kept in d[4]. */
#define NOP(name, insn) static void name(const uint32_t *a, const uint32_t *b, uint32_t *d) { \
    __asm__ volatile(FPU "vld1.32 {d2, d3}, [%0]\n\tvld1.32 {d4, d5}, [%1]\n\tvld1.32 {d0, d1}, [%2]\n\t" \
                     "vmsr fpscr, %3\n\t" insn "\n\tvst1.32 {d0, d1}, [%2]\n\tvmrs r12, fpscr\n\tstr r12, [%2, #16]" \
                     :: "r"(a), "r"(b), "r"(d), "r"(0u) : "memory", "r12", "d0", "d1", "d2", "d3", "d4", "d5", "d6", "d7"); }

NOP(n_add8, "vadd.i8 q0, q1, q2") NOP(n_add16, "vadd.i16 q0, q1, q2") NOP(n_add32, "vadd.i32 q0, q1, q2")
NOP(n_add64, "vadd.i64 q0, q1, q2") NOP(n_sub8, "vsub.i8 q0, q1, q2") NOP(n_sub64, "vsub.i64 d0, d2, d5")
NOP(n_mul8, "vmul.i8 q0, q1, q2") NOP(n_mul16, "vmul.i16 q0, q1, q2") NOP(n_mul32, "vmul.i32 q0, q1, q2")
NOP(n_mla16, "vmla.i16 q0, q1, q2") NOP(n_mls32, "vmls.i32 q0, q1, q2") NOP(n_mulp8, "vmul.p8 q0, q1, q2")
NOP(n_mulscalar, "vmul.i16 q0, q1, d4[3]") NOP(n_mlascalar, "vmla.i32 q0, q1, d5[1]")
NOP(n_qadds8, "vqadd.s8 q0, q1, q2") NOP(n_qaddu16, "vqadd.u16 q0, q1, q2") NOP(n_qsubs32, "vqsub.s32 q0, q1, q2")
NOP(n_qsubu64, "vqsub.u64 q0, q1, q2") NOP(n_hadds8, "vhadd.s8 q0, q1, q2") NOP(n_rhaddu16, "vrhadd.u16 q0, q1, q2")
NOP(n_hsubs32, "vhsub.s32 q0, q1, q2") NOP(n_abds16, "vabd.s16 q0, q1, q2") NOP(n_abau8, "vaba.u8 q0, q1, q2")
NOP(n_abdlu8, "vabdl.u8 q0, d2, d4") NOP(n_maxs32, "vmax.s32 q0, q1, q2") NOP(n_minu8, "vmin.u8 q0, q1, q2")
NOP(n_padd16, "vpadd.i16 d0, d2, d3") NOP(n_pmaxs8, "vpmax.s8 d0, d2, d4") NOP(n_pminu16, "vpmin.u16 d1, d3, d5")
NOP(n_paddls8, "vpaddl.s8 q0, q1") NOP(n_padalu16, "vpadal.u16 q0, q1")
NOP(n_and, "vand q0, q1, q2") NOP(n_orr, "vorr q0, q1, q2") NOP(n_eor, "veor q0, q1, q2") NOP(n_bic, "vbic q0, q1, q2")
NOP(n_orn, "vorn q0, q1, q2") NOP(n_bsl, "vbsl q0, q1, q2") NOP(n_bit, "vbit q0, q1, q2") NOP(n_bif, "vbif q0, q1, q2")
NOP(n_mvn, "vmvn q0, q1") NOP(n_bicimm, "vbic.i32 q0, #0xff00") NOP(n_orrimm, "vorr.i16 q0, #0x8c")
NOP(n_movimm, "vmov.i64 q0, #0xff00ff0000ffff00\n\tvmvn.i32 d1, #0x4500") NOP(n_movimmf, "vmov.f32 q0, #-0.25")
NOP(n_ceq8, "vceq.i8 q0, q1, q2") NOP(n_cgts16, "vcgt.s16 q0, q1, q2") NOP(n_cgeu32, "vcge.u32 q0, q1, q2")
NOP(n_tst8, "vtst.8 q0, q1, q2") NOP(n_cltz, "vclt.s8 q0, q1, #0") NOP(n_ceqz, "vceq.i32 q0, q1, #0")
NOP(n_shls16, "vshl.s16 q0, q1, q2") NOP(n_shlu64, "vshl.u64 q0, q1, q2") NOP(n_rshls32, "vrshl.s32 q0, q1, q2")
NOP(n_qshlu8, "vqshl.u8 q0, q1, q2") NOP(n_qrshls16, "vqrshl.s16 q0, q1, q2")
NOP(n_shli32, "vshl.i32 q0, q1, #3") NOP(n_shrs8, "vshr.s8 q0, q1, #3") NOP(n_shru16, "vshr.u16 q0, q1, #9")
NOP(n_shru64, "vshr.u64 q0, q1, #64") NOP(n_rshrs32, "vrshr.s32 q0, q1, #5") NOP(n_srau8, "vsra.u8 q0, q1, #2")
NOP(n_rsras64, "vrsra.s64 q0, q1, #33") NOP(n_sri16, "vsri.16 q0, q1, #4") NOP(n_sli32, "vsli.32 q0, q1, #7")
NOP(n_qshls16i, "vqshl.s16 q0, q1, #6") NOP(n_qshlus8, "vqshlu.s8 q0, q1, #2")
NOP(n_shrn32, "vshrn.i32 d0, q1, #8") NOP(n_rshrn16, "vrshrn.i16 d1, q2, #3") NOP(n_qshrns32, "vqshrn.s32 d0, q1, #4")
NOP(n_qrshrun16, "vqrshrun.s16 d0, q2, #2") NOP(n_qmovns32, "vqmovn.s32 d0, q1") NOP(n_qmovun16, "vqmovun.s16 d1, q2")
NOP(n_movlu8, "vmovl.u8 q0, d3") NOP(n_movls16, "vmovl.s16 q0, d4") NOP(n_movn16, "vmovn.i16 d0, q2")
NOP(n_shlls8, "vshll.s8 q0, d2, #3") NOP(n_shllmax, "vshll.u16 q0, d5, #16")
NOP(n_addls16, "vaddl.s16 q0, d2, d4") NOP(n_addwu8, "vaddw.u8 q0, q1, d5") NOP(n_subls32, "vsubl.s32 q0, d3, d5")
NOP(n_addhn32, "vaddhn.i32 d0, q1, q2") NOP(n_raddhn16, "vraddhn.i16 d1, q1, q2")
NOP(n_mulls16, "vmull.s16 q0, d2, d4") NOP(n_mullu8, "vmull.u8 q0, d3, d5") NOP(n_mullp8, "vmull.p8 q0, d2, d4")
NOP(n_mlalu8, "vmlal.u8 q0, d2, d4") NOP(n_mlsls32, "vmlsl.s32 q0, d2, d5")
NOP(n_qdmulhs16, "vqdmulh.s16 q0, q1, q2") NOP(n_qrdmulhs32, "vqrdmulh.s32 q0, q1, q2")
NOP(n_qdmulls16, "vqdmull.s16 q0, d2, d4") NOP(n_qdmlals32, "vqdmlal.s32 q0, d3, d5") NOP(n_qdmlsl16, "vqdmlsl.s16 q0, d2, d4[1]")
NOP(n_cnt8, "vcnt.8 q0, q1") NOP(n_clz16, "vclz.i16 q0, q1") NOP(n_cls8, "vcls.s8 q0, q2")
NOP(n_abss8, "vabs.s8 q0, q1") NOP(n_negs32, "vneg.s32 q0, q1") NOP(n_qabss8, "vqabs.s8 q0, q1") NOP(n_qnegs16, "vqneg.s16 q0, q2")
NOP(n_rev16, "vrev16.8 q0, q1") NOP(n_rev32, "vrev32.16 q0, q1") NOP(n_rev64, "vrev64.32 q0, q1") NOP(n_rev64b, "vrev64.8 d0, d5")
NOP(n_trn16, "vtrn.16 q1, q2\n\tveor q0, q1, q2\n\tvadd.i32 q0, q0, q1") NOP(n_zip8, "vzip.8 q1, q2\n\tvsub.i8 q0, q1, q2")
NOP(n_uzp16, "vuzp.16 q1, q2\n\tvadd.i16 q0, q1, q2") NOP(n_zip32d, "vzip.32 d2, d4\n\tvmov d0, d2\n\tvmov d1, d4")
NOP(n_ext8, "vext.8 q0, q1, q2, #3") NOP(n_ext64, "vext.64 q0, q1, q2, #1")
NOP(n_tbl, "vmov.i8 d7, #0x1f\n\tvand d6, d4, d7\n\tvtbl.8 d0, {d1, d2, d3}, d6\n\tvtbl.8 d1, {d2}, d5")
NOP(n_tbx, "vmov.i8 d7, #0x17\n\tvand d6, d4, d7\n\tvtbx.8 d0, {d2, d3}, d6\n\tvtbx.8 d1, {d3}, d5")
NOP(n_dup16, "vdup.16 q0, d3[2]") NOP(n_dupr, "vmov r12, s9\n\tvdup.8 d0, r12\n\tvdup.32 d1, r12")
NOP(n_movscalar, "vmov.s8 r12, d2[5]\n\tvmov.16 d0[3], r12\n\tvmov.u16 r12, d4[1]\n\tvmov.32 d1[0], r12")
NOP(n_swp, "vswp d2, d5\n\tvadd.i32 q0, q1, q2")
NOP(n_addf, "vadd.f32 q0, q1, q2") NOP(n_subf, "vsub.f32 q0, q1, q2") NOP(n_mulf, "vmul.f32 q0, q1, q2")
NOP(n_mlaf, "vmla.f32 q0, q1, q2") NOP(n_mlsf, "vmls.f32 q0, q1, q2") NOP(n_fmaf, "vfma.f32 q0, q1, q2")
NOP(n_fmsf, "vfms.f32 q0, q1, q2") NOP(n_absf, "vabs.f32 q0, q1") NOP(n_negf, "vneg.f32 q0, q2")
NOP(n_abdf, "vabd.f32 q0, q1, q2") NOP(n_maxf, "vmax.f32 q0, q1, q2") NOP(n_minf, "vmin.f32 q0, q1, q2")
NOP(n_paddf, "vpadd.f32 d0, d2, d4") NOP(n_pmaxf, "vpmax.f32 d1, d3, d5") NOP(n_ceqf, "vceq.f32 q0, q1, q2")
NOP(n_cgef, "vcge.f32 q0, q1, q2") NOP(n_cgtzf, "vcgt.f32 q0, q1, #0") NOP(n_acgtf, "vacgt.f32 q0, q1, q2")
NOP(n_recpe, "vrecpe.f32 q0, q1") NOP(n_rsqrte, "vrsqrte.f32 q0, q1") NOP(n_recps, "vrecps.f32 q0, q1, q2")
NOP(n_rsqrts, "vrsqrts.f32 q0, q1, q2") NOP(n_recpeu, "vrecpe.u32 q0, q1") NOP(n_rsqrteu, "vrsqrte.u32 q0, q2")
NOP(n_cvtsf, "vcvt.s32.f32 q0, q1") NOP(n_cvtuf, "vcvt.u32.f32 q0, q2") NOP(n_cvtfs, "vcvt.f32.s32 q0, q1")
NOP(n_cvtfu, "vcvt.f32.u32 q0, q2") NOP(n_cvtsfx, "vcvt.s32.f32 q0, q1, #8") NOP(n_cvtfux, "vcvt.f32.u32 q0, q2, #20")
NOP(n_cvthf, "vcvt.f16.f32 d0, q1\n\tvcvt.f32.f16 q2, d0\n\tvadd.f32 q0, q0, q2")
NOP(n_mulfscalar, "vmul.f32 q0, q1, d5[1]") NOP(n_mlafscalar, "vmla.f32 q0, q2, d2[0]")

struct named_nop { const char *name; nop fn; };
#define E(x) { #x, x }
static const struct named_nop NOPS[] = {
    E(n_add8), E(n_add16), E(n_add32), E(n_add64), E(n_sub8), E(n_sub64), E(n_mul8), E(n_mul16), E(n_mul32),
    E(n_mla16), E(n_mls32), E(n_mulp8), E(n_mulscalar), E(n_mlascalar), E(n_qadds8), E(n_qaddu16), E(n_qsubs32),
    E(n_qsubu64), E(n_hadds8), E(n_rhaddu16), E(n_hsubs32), E(n_abds16), E(n_abau8), E(n_abdlu8), E(n_maxs32),
    E(n_minu8), E(n_padd16), E(n_pmaxs8), E(n_pminu16), E(n_paddls8), E(n_padalu16), E(n_and), E(n_orr), E(n_eor),
    E(n_bic), E(n_orn), E(n_bsl), E(n_bit), E(n_bif), E(n_mvn), E(n_bicimm), E(n_orrimm), E(n_movimm), E(n_movimmf),
    E(n_ceq8), E(n_cgts16), E(n_cgeu32), E(n_tst8), E(n_cltz), E(n_ceqz), E(n_shls16), E(n_shlu64), E(n_rshls32),
    E(n_qshlu8), E(n_qrshls16), E(n_shli32), E(n_shrs8), E(n_shru16), E(n_shru64), E(n_rshrs32), E(n_srau8),
    E(n_rsras64), E(n_sri16), E(n_sli32), E(n_qshls16i), E(n_qshlus8), E(n_shrn32), E(n_rshrn16), E(n_qshrns32),
    E(n_qrshrun16), E(n_qmovns32), E(n_qmovun16), E(n_movlu8), E(n_movls16), E(n_movn16), E(n_shlls8), E(n_shllmax),
    E(n_addls16), E(n_addwu8), E(n_subls32), E(n_addhn32), E(n_raddhn16), E(n_mulls16), E(n_mullu8), E(n_mullp8),
    E(n_mlalu8), E(n_mlsls32), E(n_qdmulhs16), E(n_qrdmulhs32), E(n_qdmulls16), E(n_qdmlals32), E(n_qdmlsl16),
    E(n_cnt8), E(n_clz16), E(n_cls8), E(n_abss8), E(n_negs32), E(n_qabss8), E(n_qnegs16), E(n_rev16), E(n_rev32),
    E(n_rev64), E(n_rev64b), E(n_trn16), E(n_zip8), E(n_uzp16), E(n_zip32d), E(n_ext8), E(n_ext64), E(n_tbl), E(n_tbx),
    E(n_dup16), E(n_dupr), E(n_movscalar), E(n_swp), E(n_addf), E(n_subf), E(n_mulf), E(n_mlaf), E(n_mlsf), E(n_fmaf),
    E(n_fmsf), E(n_absf), E(n_negf), E(n_abdf), E(n_maxf), E(n_minf), E(n_paddf), E(n_pmaxf), E(n_ceqf), E(n_cgef),
    E(n_cgtzf), E(n_acgtf), E(n_recpe), E(n_rsqrte), E(n_recps), E(n_rsqrts), E(n_recpeu), E(n_rsqrteu), E(n_cvtsf),
    E(n_cvtuf), E(n_cvtfs), E(n_cvtfu), E(n_cvtsfx), E(n_cvtfux), E(n_cvthf), E(n_mulfscalar), E(n_mlafscalar),
};

static uint32_t rng = 0x2545f491;
static uint32_t next(void) { rng ^= rng << 13; rng ^= rng >> 17; rng ^= rng << 5; return rng; }

static const uint32_t SPECIAL[] = {
    0x00000000, 0x80000000, 0x7fffffff, 0xffffffff, 0x7f800000, 0xff800000, 0x7fc00000, 0x7f800001,
    0x00000001, 0x00800000, 0x3f800000, 0xbf800000, 0x4f000000, 0x80808080, 0x7f7f7f7f, 0x01010101,
    0x8000ffff, 0x7fff0001, 0x3e800000, 0x5f000000,
};

static void vectors(void)
{
    uint32_t a[4] __attribute__((aligned(16))), b[4] __attribute__((aligned(16))), d[5] __attribute__((aligned(16)));
    for (unsigned k = 0; k < sizeof NOPS / sizeof NOPS[0]; k++) {
        uint32_t h = HASH_INIT, qc = 0;
        rng = 0x2545f491 + k;
        for (unsigned t = 0; t < 24; t++) {
            for (int i = 0; i < 4; i++) {
                a[i] = t < 10 ? SPECIAL[(t * 2 + i) % 20] : next();
                b[i] = t < 10 ? SPECIAL[(t * 7 + 3 * i + 5) % 20] : (t & 1) ? next() >> (t & 15) : next();
                d[i] = next();
            }
            NOPS[k].fn(a, b, d);
            for (int i = 0; i < 4; i++) h = mix(h, d[i]);
            h = mix(h, d[4]);
            qc |= d[4] & 0x0800009f;
        }
        put_str(NOPS[k].name + 2); put_kv("hash", h); put_kv("d0", d[0]); put_kv("fpscr-or", qc); put_nl();
    }
}

/* Element and structure loads/stores with every addressing form. */
static uint8_t src[256] __attribute__((aligned(32)));
static uint8_t dst[256] __attribute__((aligned(32)));

#define LDST(name, body) static void name(void) { \
    for (int i = 0; i < 256; i++) { src[i] = (uint8_t)(i * 7 + 3); dst[i] = 0; } \
    const uint8_t *s = src; uint8_t *t = dst; uint32_t step = 24; \
    __asm__ volatile(FPU "vmov.i32 q0, #0\n\tvmov.i32 q1, #0\n\tvmov.i32 q2, #0\n\tvmov.i32 q3, #0\n\t" body : "+r"(s), "+r"(t) : "r"(step) : "memory", "d0", "d1", "d2", "d3", "d4", "d5", "d6", "d7"); \
    uint32_t h = HASH_INIT; for (int i = 0; i < 256; i++) h = mix(h, dst[i]); \
    put_str(#name); put_kv("dst", h); put_kv("s-off", (uint32_t)(s - src)); put_kv("t-off", (uint32_t)(t - dst)); put_nl(); }

LDST(vld1_multi, "vld1.8 {d0-d3}, [%0:128]!\n\tvst1.16 {d0-d3}, [%1]!\n\tvld1.32 {d4}, [%0], %2\n\tvst1.64 {d4}, [%1:64]")
LDST(vld1_lane, "vld1.8 {d0[3]}, [%0], %2\n\tvld1.16 {d0[1]}, [%0:16]!\n\tvld1.32 {d1[1]}, [%0], %2\n\tvst1.32 {d0, d1}, [%1]!\n\tvst1.16 {d1[3]}, [%1]!\n\tvst1.8 {d0[7]}, [%1], %2")
LDST(vld1_dup, "vld1.8 {d0[]}, [%0], %2\n\tvld1.16 {d1[], d2[]}, [%0], %2\n\tvld1.32 {d3[]}, [%0:32]\n\tvst1.8 {d0-d3}, [%1]!")
LDST(vld2, "vld2.8 {d0, d1}, [%0]!\n\tvld2.16 {d2, d4}, [%0], %2\n\tvst2.32 {d0, d1}, [%1]!\n\tvst2.8 {d2, d4}, [%1:128]!\n\tvld2.16 {d5[1], d6[1]}, [%0]\n\tvst2.16 {d5, d6}, [%1]")
LDST(vld3, "vld3.8 {d0, d1, d2}, [%0]!\n\tvld3.16 {d3, d5, d7}, [%0]!\n\tvst3.32 {d0, d1, d2}, [%1]!\n\tvst3.16 {d3, d5, d7}, [%1], %2\n\tvld3.32 {d0[], d1[], d2[]}, [%0]\n\tvst3.8 {d0[2], d1[2], d2[2]}, [%1]")
LDST(vld4, "vld4.8 {d0, d1, d2, d3}, [%0:256]!\n\tvld4.32 {d4, d5, d6, d7}, [%0]\n\tvst4.16 {d0, d1, d2, d3}, [%1]!\n\tvst4.32 {d4, d5, d6, d7}, [%1], %2\n\tvld4.16 {d0[2], d1[2], d2[2], d3[2]}, [%0:64]!\n\tvst4.16 {d0, d1, d2, d3}, [%1]")

/* An alignment qualifier the address does not meet: Alignment fault (DFSR 0x001) whatever SCTLR.A says. */
static volatile uint32_t fault_dfsr, fault_dfar_off, faults;
static int align_hook(int kind, struct exc_frame *f)
{
    if (kind != EXC_DABT) return 0;
    faults++;
    fault_dfsr = MRC(0, 5, 0, 0);
    fault_dfar_off = MRC(0, 6, 0, 0) - (uint32_t)src;
    exc_skip(kind, f);
    return 1;
}

static void alignment(void)
{
    exc_hook = align_hook;
    __asm__ volatile(FPU "vld1.32 {d0}, [%0:64]" :: "r"(src + 4) : "d0", "memory");
    __asm__ volatile(FPU "vst1.16 {d0[1]}, [%0:16]" :: "r"(src + 1) : "memory");
    __asm__ volatile(FPU "vld1.8 {d0}, [%0]" :: "r"(src + 3) : "d0", "memory");   /* no qualifier: fine */
    __asm__ volatile(FPU "vldr d0, [%0]" :: "r"(src + 2) : "d0", "memory");        /* VLDR needs word alignment */
    exc_hook = 0;
    put_str("neon-align"); put_kv("faults", faults); put_kv("dfsr", fault_dfsr); put_kv("dfar-off", fault_dfar_off); put_nl();
}

int main(void)
{
#ifdef __thumb__
    put_str("neon t32\n");
#else
    put_str("neon a32\n");
#endif
    vectors();
    vld1_multi(); vld1_lane(); vld1_dup(); vld2(); vld3(); vld4();
    alignment();
    return 0;
}
