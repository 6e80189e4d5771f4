/*
 * VFP short vectors (FPSCR.Len/Stride): each case loads d0-d31 with known values, sets FPSCR, runs
 * one instruction, restores FPSCR to 0 and prints a hash of all 32 D registers, FPSCR as the
 * instruction left it and the UNDEFINED count. On a core with MVFR0.FPShVec (the Cortex-A9 of
 * vexpress-a9) VADD...VSQRT, VMOV and VMOV immediate iterate over the vector (registers wrap
 * within their bank; Vd or Vm in bank 0 is a scalar); on the Cortex-A15 (no FPShVec) they are
 * UNDEFINED while Len or Stride is non-zero. VCVT/VCMP ignore Len on both; VFMA UNDEFs with it.
 * Only core transfers and VLDM/VSTM touch the FP registers outside the case (both ignore Len).
 */
#include "rt.h"

static uint32_t in[64], out[64];
static volatile uint32_t unds;

static int und_hook(int kind, struct exc_frame *f)
{
    if (kind != EXC_UND) return 0;
    unds++;
    exc_skip(kind, f);
    return 1;
}

/* d0-d31 from in[], FPSCR = fi, insn, FPSCR read into fo, FPSCR = 0, d0-d31 to out[]. */
#define CASE(name, fpscr, insn) do { \
    uint32_t fo_; unds = 0; \
    __asm__ volatile(FPU "vldmia %[i], {d0-d15}\n\tvldmia %[i2], {d16-d31}\n\tvmsr fpscr, %[fi]\n\t" insn \
                     "\n\tvmrs %[fo], fpscr\n\tvmsr fpscr, %[z]\n\tvstmia %[o], {d0-d15}\n\tvstmia %[o2], {d16-d31}" \
                     : [fo] "=&r"(fo_) \
                     : [i] "r"(in), [i2] "r"(in + 32), [o] "r"(out), [o2] "r"(out + 32), [fi] "r"(fpscr), [z] "r"(0) \
                     : "memory", "d0", "d1", "d2", "d3", "d4", "d5", "d6", "d7", "d8", "d9", "d10", "d11", "d12", \
                       "d13", "d14", "d15", "d16", "d17", "d18", "d19", "d20", "d21", "d22", "d23", "d24", "d25", \
                       "d26", "d27", "d28", "d29", "d30", "d31"); \
    report(name, fo_); } while (0)

static void report(const char *name, uint32_t fpscr)
{
    uint32_t h = HASH_INIT;
    uint32_t changed = 0;
    for (int i = 0; i < 64; i++) {
        h = mix(h, out[i]);
        /* Which words changed: a bit per single (s0-s31) and per double half-pair (d16-d31). */
        if (out[i] != in[i]) changed |= 1u << (i < 32 ? i : (i - 32) / 2 + 16);
    }
    put_str(name); put_kv("hash", h); put_kv("changed", changed); put_kv("fpscr", fpscr); put_kv("und", unds); put_nl();
}

/* FPSCR.Len (vector length - 1) and Stride fields. */
#define LEN(n) ((uint32_t)(n) << 16)
#define STRIDE(n) ((uint32_t)(n) << 20)

int main(void)
{
#ifdef __thumb__
    put_str("vfp-vectors t32\n");
#else
    put_str("vfp-vectors a32\n");
#endif
    /* s0-s31: 1.0 + i/16; d16-d31: 1.0 + i/16 in double, low words i. */
    for (int i = 0; i < 32; i++) in[i] = 0x3f800000u + ((uint32_t)i << 19);
    for (int i = 0; i < 16; i++) { in[32 + 2 * i] = (uint32_t)i; in[33 + 2 * i] = 0x3ff00000u + ((uint32_t)i << 16); }
    exc_hook = und_hook;

    CASE("vadd-vv", LEN(3), "vadd.f32 s8, s16, s24");
    CASE("vadd-vs", LEN(3), "vadd.f32 s8, s16, s1");
    CASE("vadd-scalar-dest", LEN(3), "vadd.f32 s2, s16, s24");
    CASE("vsub-wrap", LEN(5), "vsub.f32 s13, s22, s30");
    CASE("vmul-stride2", LEN(3) | STRIDE(3), "vmul.f32 s8, s16, s24");
    CASE("vmul-len7-stride2", LEN(7) | STRIDE(3), "vmul.f32 s12, s14, s30");
    CASE("vmla-overlap", LEN(2), "vmla.f32 s8, s9, s10");
    CASE("vnmla", LEN(1), "vnmla.f32 s24, s16, s8");
    CASE("vdiv-stride-field1", LEN(1) | STRIDE(1), "vdiv.f32 s8, s16, s24");
    CASE("vneg-vv", LEN(3), "vneg.f32 s8, s16");
    CASE("vabs-scalar-src", LEN(3), "vabs.f32 s16, s3");
    CASE("vsqrt", LEN(2), "vsqrt.f32 s24, s16");
    CASE("vmov-reg", LEN(4), "vmov.f32 s9, s17");
    CASE("vmov-imm", LEN(3), "vmov.f32 s8, #2.5");
    CASE("vmov-imm-scalar", LEN(3), "vmov.f32 s4, #2.5");
    CASE("stride-only", STRIDE(3), "vadd.f32 s8, s16, s24");
    CASE("vadd-f64", LEN(1), "vadd.f64 d4, d8, d12");
    CASE("vmul-f64-scalar-d16", LEN(3) | STRIDE(3), "vmul.f64 d20, d24, d16");
    CASE("vsub-f64-wrap", LEN(2), "vsub.f64 d7, d29, d30");
    CASE("vmla-f64", LEN(1), "vmla.f64 d24, d28, d20");
    CASE("vmov-f64-imm", LEN(3), "vmov.f64 d8, #-1.5");
    CASE("vneg-f64", LEN(2) | STRIDE(3), "vneg.f64 d21, d25");
    CASE("vcvt-ignores-len", LEN(3), "vcvt.f64.f32 d8, s16");
    CASE("vcmp-ignores-len", LEN(3), "vcmp.f32 s8, s9");
    CASE("vfma-len", LEN(3), "vfma.f32 s8, s16, s24");
    exc_hook = 0;
    return 0;
}
