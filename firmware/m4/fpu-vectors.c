/*
 * FPv4-SP edge-case vectors: denormals, signed zeros, infinities, quiet and signalling NaNs with
 * payloads, every FPSCR rounding mode, FZ and DN on and off, conversions at their limits, fused
 * against unfused multiply-add. Each vector runs with the cumulative flags cleared and prints the
 * result bits and FPSCR (NZCV and flags) as "rrrrrrrr:nff", so the output compares bit for bit.
 */
#include "hw.h"
#include "uart.h"
#include "semihost.h"

#define RN 0x00000000u
#define RP 0x00400000u
#define RM 0x00800000u
#define RZ 0x00c00000u
#define FZ 0x01000000u
#define DN 0x02000000u
#define AHP 0x04000000u

static inline uint32_t get_fpscr(void) { uint32_t v; __asm__ volatile("vmrs %0, fpscr" : "=r"(v) :: "memory"); return v; }
static inline void set_fpscr(uint32_t v) { __asm__ volatile("vmsr fpscr, %0" :: "r"(v) : "memory"); }

typedef uint32_t (*op_fn)(uint32_t a, uint32_t b, uint32_t c);

/* Three-operand forms: Sd (s13) = c on entry, Sn (s14) = a, Sm (s15) = b. */
#define OP3(name, insn) \
    static uint32_t name(uint32_t a, uint32_t b, uint32_t c) { \
        uint32_t r; \
        __asm__ volatile("vmov s14, %1\n\tvmov s15, %2\n\tvmov s13, %3\n\t" insn "\n\tvmov %0, s13" \
                         : "=r"(r) : "r"(a), "r"(b), "r"(c) : "s13", "s14", "s15", "memory"); \
        return r; \
    }

OP3(op_vadd, "vadd.f32 s13, s14, s15")
OP3(op_vsub, "vsub.f32 s13, s14, s15")
OP3(op_vmul, "vmul.f32 s13, s14, s15")
OP3(op_vnmul, "vnmul.f32 s13, s14, s15")
OP3(op_vdiv, "vdiv.f32 s13, s14, s15")
OP3(op_vmla, "vmla.f32 s13, s14, s15")
OP3(op_vmls, "vmls.f32 s13, s14, s15")
OP3(op_vnmla, "vnmla.f32 s13, s14, s15")
OP3(op_vnmls, "vnmls.f32 s13, s14, s15")
OP3(op_vfma, "vfma.f32 s13, s14, s15")
OP3(op_vfms, "vfms.f32 s13, s14, s15")
OP3(op_vfnma, "vfnma.f32 s13, s14, s15")
OP3(op_vfnms, "vfnms.f32 s13, s14, s15")
OP3(op_vsqrt, "vsqrt.f32 s13, s14")
OP3(op_vabs, "vabs.f32 s13, s14")
OP3(op_vneg, "vneg.f32 s13, s14")
OP3(op_vcmp, "vcmp.f32 s14, s15")
OP3(op_vcmpe, "vcmpe.f32 s14, s15")
OP3(op_vcmpz, "vcmp.f32 s14, #0.0")
OP3(op_vcmpez, "vcmpe.f32 s14, #0.0")
OP3(op_tos32z, "vcvt.s32.f32 s13, s14")
OP3(op_tou32z, "vcvt.u32.f32 s13, s14")
OP3(op_tos32r, "vcvtr.s32.f32 s13, s14")
OP3(op_tou32r, "vcvtr.u32.f32 s13, s14")
OP3(op_froms32, "vcvt.f32.s32 s13, s14")
OP3(op_fromu32, "vcvt.f32.u32 s13, s14")
OP3(op_tos16x1, "vmov s13, s14\n\tvcvt.s16.f32 s13, s13, #1")
OP3(op_tou16x8, "vmov s13, s14\n\tvcvt.u16.f32 s13, s13, #8")
OP3(op_tos16x16, "vmov s13, s14\n\tvcvt.s16.f32 s13, s13, #16")
OP3(op_tos32x1, "vmov s13, s14\n\tvcvt.s32.f32 s13, s13, #1")
OP3(op_tou32x16, "vmov s13, s14\n\tvcvt.u32.f32 s13, s13, #16")
OP3(op_tos32x31, "vmov s13, s14\n\tvcvt.s32.f32 s13, s13, #31")
OP3(op_tou32x32, "vmov s13, s14\n\tvcvt.u32.f32 s13, s13, #32")
OP3(op_froms16x4, "vmov s13, s14\n\tvcvt.f32.s16 s13, s13, #4")
OP3(op_fromu16x16, "vmov s13, s14\n\tvcvt.f32.u16 s13, s13, #16")
OP3(op_froms32x1, "vmov s13, s14\n\tvcvt.f32.s32 s13, s13, #1")
OP3(op_fromu32x31, "vmov s13, s14\n\tvcvt.f32.u32 s13, s13, #31")
OP3(op_froms32x32, "vmov s13, s14\n\tvcvt.f32.s32 s13, s13, #32")
OP3(op_tof16b, "vcvtb.f16.f32 s13, s14")
OP3(op_tof16t, "vcvtt.f16.f32 s13, s14")
OP3(op_fromf16b, "vcvtb.f32.f16 s13, s14")
OP3(op_fromf16t, "vcvtt.f32.f16 s13, s14")

struct op_desc {
    const char *name;
    op_fn fn;
};

/* Single-precision operands: zeros, denormals, normals with inexact quotients and products,
 * limits, infinities, quiet and signalling NaNs with payloads of both signs. */
static const uint32_t V[] = {
    0x00000000u, 0x80000000u, 0x00000001u, 0x807fffffu, 0x00800000u, 0x00400001u,
    0x3f800000u, 0xbf800000u, 0x3fc00000u, 0x40490fdbu, 0xbeaaaaabu, 0x3f7fffffu,
    0x4b800001u, 0x33800000u, 0x1f800001u, 0x5f7fffffu, 0x7f7fffffu, 0xff7fffffu,
    0x7f800000u, 0xff800000u, 0x7fc00000u, 0xffc12345u, 0x7f800001u, 0xffa00042u,
};
#define NV (sizeof V / sizeof V[0])

/* Multiply-add operands: products near overflow/underflow and exact cancellation. */
static const uint32_t M[] = {
    0x00000000u, 0x80000000u, 0x00000003u, 0x3eaaaaabu, 0xc0490fdbu, 0x3f800001u,
    0x7f000000u, 0x20000001u, 0x7f800000u, 0x7fc00001u, 0xff800011u,
};
#define NM (sizeof M / sizeof M[0])

/* Float -> integer operands around every limit. */
static const uint32_t CVT[] = {
    0x00000000u, 0x80000000u, 0x00000001u, 0x3effffffu, 0x3f000000u, 0xbf000000u,
    0x3fc00000u, 0xbfc00000u, 0x40200000u, 0xc0200000u, 0x46ffff00u, 0x46fffe00u,
    0xc7000080u, 0xc7000000u, 0x477fff80u, 0x477fff00u, 0x47800000u, 0x4effffffu,
    0x4f000000u, 0xcf000000u, 0xcf000001u, 0x4f7fffffu, 0x4f800000u, 0x3a800001u,
    0x7f800000u, 0xff800000u, 0x7fc00000u, 0xff800001u,
};
#define NCVT (sizeof CVT / sizeof CVT[0])

/* Integer operands for integer/fixed -> float. */
static const uint32_t INTS[] = {
    0x00000000u, 0x00000001u, 0xffffffffu, 0x7fffffffu, 0x80000000u, 0x80000001u,
    0x00ffffffu, 0x01000001u, 0x01000003u, 0x7fffff80u, 0x7fffffc0u, 0xfffffffeu,
    0x12345678u, 0x00008000u, 0xffff8000u, 0x00007fffu, 0x0000ffffu, 0x89abcdefu,
};
#define NINTS (sizeof INTS / sizeof INTS[0])

/* Single -> half operands: half limits in both formats, half denormals, ties. */
static const uint32_t TOH[] = {
    0x00000000u, 0x80000000u, 0x00000001u, 0x3f800000u, 0x477fe000u, 0x477fefffu,
    0x477ff000u, 0x47800000u, 0x47ffe000u, 0x47fff000u, 0x48000000u, 0x33800000u,
    0x33000000u, 0x33000001u, 0xb3400000u, 0x38800000u, 0x387fc000u, 0x387fe000u,
    0x3f801000u, 0x3f803000u, 0x7f800000u, 0xff800000u, 0x7fc00000u, 0xff812345u,
    0x7fbfffffu, 0x00400000u,
};
#define NTOH (sizeof TOH / sizeof TOH[0])

/* Half operands (in both halves of the source register). */
static const uint32_t HALVES[] = {
    0x0000u, 0x8000u, 0x0001u, 0x83ffu, 0x0400u, 0x3c00u, 0x7bffu, 0x7c00u,
    0xfc00u, 0x7e00u, 0x7c01u, 0xfd55u, 0x7fffu, 0x3555u,
};
#define NHALVES (sizeof HALVES / sizeof HALVES[0])

static const uint32_t MODES[] = { RN, RP, RM, RZ };
static const uint32_t SPECIAL_CONFIGS[] = { RN | FZ, RN | DN, RM | FZ | DN };

static void put_hex_n(uint32_t v, int digits)
{
    static const char hx[] = "0123456789abcdef";
    for (int i = (digits - 1) * 4; i >= 0; i -= 4) uart_putc(hx[(v >> i) & 15u]);
}

/* One vector: clear the flags, run, print result and FPSCR (NZCV, flags). */
static void run(op_fn fn, uint32_t cfg, uint32_t a, uint32_t b, uint32_t c)
{
    set_fpscr(cfg);
    uint32_t r = fn(a, b, c);
    uint32_t f = get_fpscr();
    put_hex_n(r, 8);
    uart_putc(':');
    put_hex_n(f >> 28, 1);
    put_hex_n(f & 0x9fu, 2);
    uart_putc(' ');
}

static void header(const char *name, uint32_t cfg)
{
    uart_puts(name);
    uart_puts(" ");
    uart_puthex(cfg);
    uart_puts("\n");
}

/* Binary op over V x V. */
static void binary(const char *name, op_fn fn, uint32_t cfg)
{
    header(name, cfg);
    for (unsigned i = 0; i < NV; i++) {
        for (unsigned j = 0; j < NV; j++) run(fn, cfg, V[i], V[j], 0x3f800000u);
        uart_puts("\n");
    }
}

/* Unary op over a list. */
static void unary(const char *name, op_fn fn, uint32_t cfg, const uint32_t *vals, unsigned n)
{
    header(name, cfg);
    for (unsigned i = 0; i < n; i++) run(fn, cfg, vals[i], 0, 0xabcd1234u);
    uart_puts("\n");
}

/* Multiply-add: a, b from M; the accumulator from M plus -round(a*b) (exact cancellation). */
static void muladd(const char *name, op_fn fn, uint32_t cfg)
{
    header(name, cfg);
    for (unsigned i = 0; i < NM; i++) {
        for (unsigned j = 0; j < NM; j++) {
            for (unsigned k = 0; k < NM; k++) run(fn, cfg, M[i], M[j], M[k]);
            set_fpscr(RN);
            uint32_t p = op_vnmul(M[i], M[j], 0);
            run(fn, cfg, M[i], M[j], p);
            uart_puts("\n");
        }
    }
}

static const struct op_desc BINARY[] = {
    { "vadd", op_vadd }, { "vsub", op_vsub }, { "vmul", op_vmul }, { "vnmul", op_vnmul },
    { "vdiv", op_vdiv }, { "vcmp", op_vcmp }, { "vcmpe", op_vcmpe },
};
static const struct op_desc MULADD[] = {
    { "vfma", op_vfma }, { "vfms", op_vfms }, { "vfnma", op_vfnma }, { "vfnms", op_vfnms },
    { "vmla", op_vmla }, { "vmls", op_vmls }, { "vnmla", op_vnmla }, { "vnmls", op_vnmls },
};
static const struct op_desc UNARY_V[] = {
    { "vsqrt", op_vsqrt }, { "vabs", op_vabs }, { "vneg", op_vneg },
    { "vcmpz", op_vcmpz }, { "vcmpez", op_vcmpez },
};
static const struct op_desc TO_INT[] = {
    { "tos32z", op_tos32z }, { "tou32z", op_tou32z }, { "tos32r", op_tos32r }, { "tou32r", op_tou32r },
    { "tos16x1", op_tos16x1 }, { "tou16x8", op_tou16x8 }, { "tos16x16", op_tos16x16 },
    { "tos32x1", op_tos32x1 }, { "tou32x16", op_tou32x16 }, { "tos32x31", op_tos32x31 },
    { "tou32x32", op_tou32x32 },
};
static const struct op_desc FROM_INT[] = {
    { "froms32", op_froms32 }, { "fromu32", op_fromu32 }, { "froms16x4", op_froms16x4 },
    { "fromu16x16", op_fromu16x16 }, { "froms32x1", op_froms32x1 }, { "fromu32x31", op_fromu32x31 },
    { "froms32x32", op_froms32x32 },
};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

int main(void)
{
    uart_init();
    uart_puts("fpu-vectors\n");

    for (unsigned m = 0; m < COUNT(MODES); m++)
        for (unsigned o = 0; o < COUNT(BINARY); o++) binary(BINARY[o].name, BINARY[o].fn, MODES[m]);
    for (unsigned m = 0; m < COUNT(SPECIAL_CONFIGS); m++)
        for (unsigned o = 0; o < 5; o++) binary(BINARY[o].name, BINARY[o].fn, SPECIAL_CONFIGS[m]);

    for (unsigned o = 0; o < COUNT(MULADD); o++) muladd(MULADD[o].name, MULADD[o].fn, RN);
    muladd("vfma", op_vfma, RZ);
    muladd("vfma", op_vfma, RM | FZ);
    muladd("vfnms", op_vfnms, RP | DN);
    muladd("vmla", op_vmla, RP | FZ | DN);

    for (unsigned m = 0; m < COUNT(MODES); m++) {
        for (unsigned o = 0; o < COUNT(UNARY_V); o++) unary(UNARY_V[o].name, UNARY_V[o].fn, MODES[m], V, NV);
        for (unsigned o = 0; o < COUNT(TO_INT); o++) unary(TO_INT[o].name, TO_INT[o].fn, MODES[m], CVT, NCVT);
        for (unsigned o = 0; o < COUNT(FROM_INT); o++) unary(FROM_INT[o].name, FROM_INT[o].fn, MODES[m], INTS, NINTS);
        unary("tof16b", op_tof16b, MODES[m], TOH, NTOH);
        unary("tof16t", op_tof16t, MODES[m] | AHP, TOH, NTOH);
        unary("tof16b", op_tof16b, MODES[m] | AHP | FZ, TOH, NTOH);
    }
    for (unsigned m = 0; m < COUNT(SPECIAL_CONFIGS); m++) {
        for (unsigned o = 0; o < COUNT(UNARY_V); o++) unary(UNARY_V[o].name, UNARY_V[o].fn, SPECIAL_CONFIGS[m], V, NV);
        for (unsigned o = 0; o < COUNT(TO_INT); o++) unary(TO_INT[o].name, TO_INT[o].fn, SPECIAL_CONFIGS[m], CVT, NCVT);
        unary("tof16t", op_tof16t, SPECIAL_CONFIGS[m], TOH, NTOH);
    }

    /* Half -> single from the bottom and the top half, IEEE and alternative format, DN, FZ. */
    static const uint32_t HCFG[] = { RN, RN | AHP, RN | DN, RZ | FZ };
    for (unsigned m = 0; m < COUNT(HCFG); m++) {
        header("fromf16", HCFG[m]);
        for (unsigned i = 0; i < NHALVES; i++) {
            run(op_fromf16b, HCFG[m], 0x5a5a0000u | HALVES[i], 0, 0);
            run(op_fromf16t, HCFG[m], (HALVES[i] << 16) | 0xa5a5u, 0, 0);
        }
        uart_puts("\n");
    }

    /* The FPSCR writable-bit mask: write all ones, read back. */
    set_fpscr(0xffffffffu);
    uart_puts("fpscr-mask ");
    uart_puthex(get_fpscr());
    set_fpscr(0);
    uart_puts("\nfpu-vectors done\n");
    return 0;
}
