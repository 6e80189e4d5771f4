/*
 * VFPv4-D32 in single and double precision, written as inline asm so every build runs it (the
 * soft-float ABI builds too): arithmetic, fused and chained multiply-accumulate, divide and
 * square root, compares with the flags moved to APSR, every conversion (integer, fixed point,
 * half precision, between precisions, with FPSCR rounding or towards zero), VMOV immediates;
 * over special values (signed zeros, denormals, infinities, quiet and signalling NaNs, extremes)
 * in every rounding mode with flush-to-zero and default-NaN. Each line: a hash over the results
 * and FPSCR (cumulative flags), and one sample. Then C floating point code, which the hard-float
 * builds compile to VFP instructions and the soft-float builds to library calls.
 */
#include "rt.h"

static const uint32_t SV[] = {
    0x00000000, 0x80000000, 0x3f800000, 0xbfc00000, 0x40400000, 0x40490fdb, 0x7149f2ca, 0x8e5a1b1c,
    0x00000001, 0x007fffff, 0x7f800000, 0xff800000, 0x7fc00000, 0x7f800001, 0x7f7fffff, 0x3dcccccd,
    0x4f000000, 0xcf000001, 0x4b7fffff, 0x3effffff,
};
#define NSV (sizeof SV / sizeof SV[0])
static const uint64_t DV[] = {
    0x0000000000000000ull, 0x8000000000000000ull, 0x3ff0000000000000ull, 0xbff8000000000000ull,
    0x400921fb54442d18ull, 0x7fefffffffffffffull, 0x0000000000000001ull, 0x000fffffffffffffull,
    0x7ff0000000000000ull, 0xfff0000000000000ull, 0x7ff8000000000000ull, 0x7ff0000000000001ull,
    0x3fb999999999999aull, 0x41dfffffffc00000ull, 0xc1e0000000200000ull, 0x4330000000000001ull,
    0x3e112e0be826d695ull, 0x47efffffe0000000ull,
};
#define NDV (sizeof DV / sizeof DV[0])
static const uint32_t FPSCR_IN[] = { 0x00000000, 0x00400000, 0x00800000, 0x00c00000, 0x01000000, 0x02000000, 0x03c00000 };
#define NFP (sizeof FPSCR_IN / sizeof FPSCR_IN[0])

typedef uint32_t (*sop)(uint32_t a, uint32_t b, uint32_t fi, uint32_t *fo);
typedef uint64_t (*dop)(uint64_t a, uint64_t b, uint32_t fi, uint32_t *fo);

/* s2 = insn(s0 = a, s1 = b), s2 starting as b (accumulators); fo = FPSCR after (flags in NZCV too). */
#define SOP(name, insn) static uint32_t name(uint32_t a, uint32_t b, uint32_t fi, uint32_t *fo) { \
    uint32_t d, f; \
    __asm__ volatile(FPU "vmsr fpscr, %[fi]\n\tvmov s0, %[a]\n\tvmov s1, %[b]\n\tvmov s2, %[b]\n\t" insn \
                     "\n\tvmov %[d], s2\n\tvmrs %[f], fpscr" \
                     : [d] "=&r"(d), [f] "=&r"(f) : [a] "r"(a), [b] "r"(b), [fi] "r"(fi) : "s0", "s1", "s2", "cc"); \
    *fo = f; return d; }
#define DOP(name, insn) static uint64_t name(uint64_t a, uint64_t b, uint32_t fi, uint32_t *fo) { \
    uint32_t lo, hi, f; \
    __asm__ volatile(FPU "vmsr fpscr, %[fi]\n\tvmov d16, %Q[a], %R[a]\n\tvmov d17, %Q[b], %R[b]\n\tvmov d18, %Q[b], %R[b]\n\t" insn \
                     "\n\tvmov %[lo], %[hi], d18\n\tvmrs %[f], fpscr" \
                     : [lo] "=&r"(lo), [hi] "=&r"(hi), [f] "=&r"(f) : [a] "r"(a), [b] "r"(b), [fi] "r"(fi) : "d16", "d17", "d18", "cc"); \
    *fo = f; return ((uint64_t)hi << 32) | lo; }

SOP(s_add, "vadd.f32 s2, s0, s1") SOP(s_sub, "vsub.f32 s2, s0, s1") SOP(s_mul, "vmul.f32 s2, s0, s1")
SOP(s_nmul, "vnmul.f32 s2, s0, s1") SOP(s_div, "vdiv.f32 s2, s0, s1") SOP(s_sqrt, "vsqrt.f32 s2, s0")
SOP(s_mla, "vmla.f32 s2, s0, s1") SOP(s_mls, "vmls.f32 s2, s0, s1") SOP(s_nmla, "vnmla.f32 s2, s0, s1")
SOP(s_nmls, "vnmls.f32 s2, s0, s1") SOP(s_fma, "vfma.f32 s2, s0, s1") SOP(s_fms, "vfms.f32 s2, s0, s1")
SOP(s_fnma, "vfnma.f32 s2, s0, s1") SOP(s_fnms, "vfnms.f32 s2, s0, s1") SOP(s_abs, "vabs.f32 s2, s0")
SOP(s_neg, "vneg.f32 s2, s0") SOP(s_mov, "vmov.f32 s2, s0")
SOP(s_cmp, "vcmp.f32 s0, s1\n\tvmrs APSR_nzcv, fpscr\n\tmrs r12, apsr\n\tvmov s2, r12")
SOP(s_cmpe, "vcmpe.f32 s0, s1\n\tvmrs APSR_nzcv, fpscr\n\tmrs r12, apsr\n\tvmov s2, r12")
SOP(s_cmpz, "vcmp.f32 s0, #0\n\tvmrs APSR_nzcv, fpscr\n\tmrs r12, apsr\n\tvmov s2, r12")
SOP(s_tosi, "vcvt.s32.f32 s2, s0") SOP(s_tosir, "vcvtr.s32.f32 s2, s0") SOP(s_toui, "vcvt.u32.f32 s2, s0")
SOP(s_touir, "vcvtr.u32.f32 s2, s0") SOP(s_sito, "vcvt.f32.s32 s2, s0") SOP(s_uito, "vcvt.f32.u32 s2, s0")
SOP(s_tofix, "vmov s2, s0\n\tvcvt.s32.f32 s2, s2, #16") SOP(s_tofixu16, "vmov s2, s0\n\tvcvt.u16.f32 s2, s2, #4")
SOP(s_fromfix, "vmov s2, s0\n\tvcvt.f32.s16 s2, s2, #8") SOP(s_fromfixu, "vmov s2, s0\n\tvcvt.f32.u32 s2, s2, #31")
SOP(s_tohalf, "vcvtb.f16.f32 s2, s0\n\tvcvtt.f16.f32 s2, s1")
SOP(s_fromhalf, "vcvtb.f32.f16 s2, s0\n\tvcvtt.f32.f16 s3, s1\n\tvadd.f32 s2, s2, s3")
SOP(s_imm, "vmov.f32 s2, #-1.5\n\tvmov.f32 s3, #0.125\n\tvadd.f32 s2, s2, s3\n\tvadd.f32 s2, s2, s0")
SOP(s_todbl_back, "vcvt.f64.f32 d16, s0\n\tvcvt.f32.f64 s2, d16")

DOP(d_add, "vadd.f64 d18, d16, d17") DOP(d_sub, "vsub.f64 d18, d16, d17") DOP(d_mul, "vmul.f64 d18, d16, d17")
DOP(d_nmul, "vnmul.f64 d18, d16, d17") DOP(d_div, "vdiv.f64 d18, d16, d17") DOP(d_sqrt, "vsqrt.f64 d18, d16")
DOP(d_mla, "vmla.f64 d18, d16, d17") DOP(d_mls, "vmls.f64 d18, d16, d17") DOP(d_nmla, "vnmla.f64 d18, d16, d17")
DOP(d_nmls, "vnmls.f64 d18, d16, d17") DOP(d_fma, "vfma.f64 d18, d16, d17") DOP(d_fms, "vfms.f64 d18, d16, d17")
DOP(d_fnma, "vfnma.f64 d18, d16, d17") DOP(d_fnms, "vfnms.f64 d18, d16, d17") DOP(d_abs, "vabs.f64 d18, d16")
DOP(d_neg, "vneg.f64 d18, d16")
DOP(d_cmp, "vcmp.f64 d16, d17\n\tvmrs APSR_nzcv, fpscr\n\tmrs r12, apsr\n\tvmov d18, r12, r12")
DOP(d_cmpe, "vcmpe.f64 d16, d17\n\tvmrs APSR_nzcv, fpscr\n\tmrs r12, apsr\n\tvmov d18, r12, r12")
DOP(d_cmpz, "vcmpe.f64 d16, #0\n\tvmrs APSR_nzcv, fpscr\n\tmrs r12, apsr\n\tvmov d18, r12, r12")
DOP(d_tosi, "vcvt.s32.f64 s0, d16\n\tvmov.f64 d18, d17\n\tvmov r12, s0\n\tvmov d18, r12, r12")
DOP(d_tosir, "vcvtr.s32.f64 s0, d16\n\tvmov r12, s0\n\tvmov d18, r12, r12")
DOP(d_toui, "vcvt.u32.f64 s0, d16\n\tvmov r12, s0\n\tvmov d18, r12, r12")
DOP(d_sito, "vmov s0, %Q[a]\n\tvcvt.f64.s32 d18, s0") DOP(d_uito, "vmov s0, %R[a]\n\tvcvt.f64.u32 d18, s0")
DOP(d_tof32, "vcvt.f32.f64 s0, d16\n\tvmov r12, s0\n\tvmov d18, r12, r12")
DOP(d_fromf32, "vmov s0, %R[a]\n\tvcvt.f64.f32 d18, s0")
DOP(d_tofix, "vmov.f64 d18, d16\n\tvcvt.s32.f64 d18, d18, #20") DOP(d_fromfix, "vmov.f64 d18, d16\n\tvcvt.f64.u32 d18, d18, #3")
DOP(d_imm, "vmov.f64 d18, #2.5\n\tvmul.f64 d18, d18, d16")
DOP(d_regs, "vmov d31, %Q[a], %R[b]\n\tvmov d0, %Q[b], %R[a]\n\tvadd.f64 d18, d31, d0\n\tvmov s1, s0")

struct named_sop { const char *name; sop fn; };
struct named_dop { const char *name; dop fn; };
static const struct named_sop SOPS[] = {
    {"vadd.f32", s_add}, {"vsub.f32", s_sub}, {"vmul.f32", s_mul}, {"vnmul.f32", s_nmul},
    {"vdiv.f32", s_div}, {"vsqrt.f32", s_sqrt}, {"vmla.f32", s_mla}, {"vmls.f32", s_mls},
    {"vnmla.f32", s_nmla}, {"vnmls.f32", s_nmls}, {"vfma.f32", s_fma}, {"vfms.f32", s_fms},
    {"vfnma.f32", s_fnma}, {"vfnms.f32", s_fnms}, {"vabs.f32", s_abs}, {"vneg.f32", s_neg},
    {"vmov.f32", s_mov}, {"vcmp.f32", s_cmp}, {"vcmpe.f32", s_cmpe}, {"vcmp.f32-0", s_cmpz},
    {"vcvt.s32.f32", s_tosi}, {"vcvtr.s32.f32", s_tosir}, {"vcvt.u32.f32", s_toui},
    {"vcvtr.u32.f32", s_touir}, {"vcvt.f32.s32", s_sito}, {"vcvt.f32.u32", s_uito},
    {"vcvt.s32.f32-fix16", s_tofix}, {"vcvt.u16.f32-fix4", s_tofixu16}, {"vcvt.f32.s16-fix8", s_fromfix},
    {"vcvt.f32.u32-fix31", s_fromfixu}, {"vcvt.f16.f32", s_tohalf}, {"vcvt.f32.f16", s_fromhalf},
    {"vmov.f32-imm", s_imm}, {"f32-f64-f32", s_todbl_back},
};
static const struct named_dop DOPS[] = {
    {"vadd.f64", d_add}, {"vsub.f64", d_sub}, {"vmul.f64", d_mul}, {"vnmul.f64", d_nmul},
    {"vdiv.f64", d_div}, {"vsqrt.f64", d_sqrt}, {"vmla.f64", d_mla}, {"vmls.f64", d_mls},
    {"vnmla.f64", d_nmla}, {"vnmls.f64", d_nmls}, {"vfma.f64", d_fma}, {"vfms.f64", d_fms},
    {"vfnma.f64", d_fnma}, {"vfnms.f64", d_fnms}, {"vabs.f64", d_abs}, {"vneg.f64", d_neg},
    {"vcmp.f64", d_cmp}, {"vcmpe.f64", d_cmpe}, {"vcmpe.f64-0", d_cmpz}, {"vcvt.s32.f64", d_tosi},
    {"vcvtr.s32.f64", d_tosir}, {"vcvt.u32.f64", d_toui}, {"vcvt.f64.s32", d_sito},
    {"vcvt.f64.u32", d_uito}, {"vcvt.f32.f64", d_tof32}, {"vcvt.f64.f32", d_fromf32},
    {"vcvt.s32.f64-fix20", d_tofix}, {"vcvt.f64.u32-fix3", d_fromfix}, {"vmov.f64-imm", d_imm},
    {"d31-d0", d_regs},
};

static void singles(void)
{
    for (unsigned k = 0; k < sizeof SOPS / sizeof SOPS[0]; k++) {
        uint32_t h = HASH_INIT, sample = 0, sample_f = 0, flags_or = 0;
        for (unsigned i = 0; i < NSV; i++)
            for (unsigned j = 0; j < NSV; j++)
                for (unsigned m = 0; m < NFP; m++) {
                    uint32_t fo, d = SOPS[k].fn(SV[i], SV[j], FPSCR_IN[m], &fo);
                    h = mix(mix(h, d), fo);
                    flags_or |= fo & 0x9f;
                    if (i == 5 && j == 15 && m == 1) { sample = d; sample_f = fo; }
                }
        put_str(SOPS[k].name); put_kv("hash", h); put_kv("d", sample); put_kv("fpscr", sample_f); put_kv("flags", flags_or); put_nl();
    }
}

static void doubles(void)
{
    for (unsigned k = 0; k < sizeof DOPS / sizeof DOPS[0]; k++) {
        uint32_t h = HASH_INIT, flags_or = 0;
        uint64_t sample = 0;
        for (unsigned i = 0; i < NDV; i++)
            for (unsigned j = 0; j < NDV; j++)
                for (unsigned m = 0; m < NFP; m++) {
                    uint32_t fo;
                    uint64_t d = DOPS[k].fn(DV[i], DV[j], FPSCR_IN[m], &fo);
                    h = mix(mix(mix(h, (uint32_t)d), (uint32_t)(d >> 32)), fo);
                    flags_or |= fo & 0x9f;
                    if (i == 4 && j == 12 && m == 3) sample = d;
                }
        put_str(DOPS[k].name); put_kv("hash", h); put_kv("d-hi", (uint32_t)(sample >> 32)); put_kv("d-lo", (uint32_t)sample);
        put_kv("flags", flags_or); put_nl();
    }
}

/* FPSCR itself: writable bits (QEMU keeps Len/Stride), FPSID/MVFR/FPEXC. */
static void system_regs(void)
{
    uint32_t v, fpsid, mvfr0, mvfr1, fpexc;
    __asm__ volatile(FPU "vmsr fpscr, %1\n\tvmrs %0, fpscr" : "=r"(v) : "r"(0xffffffffu));
    line("fpscr-all-ones", v);
    __asm__ volatile(FPU "vmsr fpscr, %0" :: "r"(0u));
    __asm__ volatile(FPU "vmrs %0, fpsid\n\tvmrs %1, mvfr0\n\tvmrs %2, mvfr1\n\tvmrs %3, fpexc"
                     : "=r"(fpsid), "=r"(mvfr0), "=r"(mvfr1), "=r"(fpexc));
    line("fpsid", fpsid); line("mvfr0", mvfr0); line("mvfr1", mvfr1); line("fpexc", fpexc);
    /* every D register holds its own value (d0-d31) */
    uint32_t h = HASH_INIT, out[64];
    __asm__ volatile(FPU
        "vmov.i32 q0, #0x11\n\tvmov.i32 q1, #0x22\n\tvmov.i32 q2, #0x33\n\tvmov.i32 q3, #0x44\n\t"
        "vmov.i32 q4, #0x55\n\tvmov.i32 q5, #0x66\n\tvmov.i32 q6, #0x77\n\tvmov.i32 q7, #0x88\n\t"
        "vmov.i32 q8, #0x99\n\tvmov.i32 q9, #0xaa\n\tvmov.i32 q10, #0xbb\n\tvmov.i32 q11, #0xcc\n\t"
        "vmov.i32 q12, #0xdd\n\tvmov.i32 q13, #0xee\n\tvmov.i32 q14, #0xff\n\tvmov.i32 q15, #0x12\n\t"
        "vmov s5, %1\n\tvmov d30, %1, %1\n\t"
        "vstmia %0, {d0-d15}\n\tadd r12, %0, #128\n\tvstmia r12, {d16-d31}\n\t"
        :: "r"(out), "r"(0xabcdef01u) : "memory", "r12", "d0", "d1", "d2", "d3", "d4", "d5", "d6", "d7", "d8", "d9", "d10", "d11", "d12",
          "d13", "d14", "d15", "d16", "d17", "d18", "d19", "d20", "d21", "d22", "d23", "d24", "d25", "d26", "d27", "d28",
          "d29", "d30", "d31");
    for (int i = 0; i < 64; i++) h = mix(h, out[i]);
    line("d0-d31", h);
    /* VLDM/VSTM/VPUSH/VPOP and VLDR/VSTR */
    static uint32_t mem[16] __attribute__((aligned(8))) = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
    uint32_t *p = mem, a, b;
    __asm__ volatile(FPU
        "vldmia %0!, {s4-s7}\n\t"
        "vldr d8, [%0, #8]\n\t"
        "vpush {d2-d3}\n\t"
        "vpop {d20-d21}\n\t"
        "vldmdb %0!, {d22}\n\t"
        "vstr s9, [%0, #-4]\n\t"
        "vstmia %0, {d20-d22}\n\t"
        "vmov %1, s17\n\t"
        "vmov %2, r12, d22\n\t"
        : "+r"(p), "=&r"(a), "=&r"(b) :: "memory", "r12", "d2", "d3", "d8", "d20", "d21", "d22");
    h = HASH_INIT;
    for (int i = 0; i < 16; i++) h = mix(h, mem[i]);
    put_str("vldm-vstm"); put_kv("mem", h); put_kv("p-off", (uint32_t)(p - mem)); put_kv("a", a); put_kv("b", b); put_nl();
}

/* Compiled floating point: VFP instructions in the hard-float builds, library calls otherwise. */
static volatile double dseed = 1.25;
static volatile float fseed = 0.75f;

static void compiled(void)
{
    double x = dseed, acc = 0;
    float y = fseed, facc = 0;
    for (int i = 1; i <= 200; i++) {
        acc += x / i - (double)(i & 3) * 0.0625;
        x = x * 1.0009765625 + 1e-3;
        facc = facc * 0.99f + y * (float)i;
        y = -y * 1.001f;
    }
    union { double d; uint64_t u; } ud = { acc };
    union { float f; uint32_t u; } uf = { facc };
    put_str("compiled"); put_kv("acc-hi", (uint32_t)(ud.u >> 32)); put_kv("acc-lo", (uint32_t)ud.u); put_kv("facc", uf.u);
    put_kv("int", (uint32_t)(int32_t)(acc * 1000.0)); put_kv("uint", (uint32_t)(facc > 0 ? facc : -facc)); put_nl();
}

int main(void)
{
#ifdef __thumb__
    put_str("vfp t32\n");
#else
    put_str("vfp a32\n");
#endif
    system_regs();
    singles();
    doubles();
    compiled();
    return 0;
}
