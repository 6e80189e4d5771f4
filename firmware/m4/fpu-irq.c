/*
 * FP context handling across exceptions on the Cortex-M4F: the extended frame, lazy state
 * preservation (FPCCR.LSPEN), automatic FP context creation (FPCCR.ASPEN), CONTROL.FPCA and
 * EXC_RETURN.FTYPE, with SVC, PendSV, SysTick and a CMSDK timer whose handlers use the FPU while
 * the interrupted code keeps live values in S0-S15 and FPSCR. Everything printed is raw bits, so
 * the output is exactly comparable with QEMU's.
 */
#include "hw.h"
#include "uart.h"
#include "semihost.h"

#define CPACR  REG32(0xE000ED88u)
#define FPCCR  REG32(0xE000EF34u)
#define FPCAR  REG32(0xE000EF38u)
#define FPDSCR REG32(0xE000EF3Cu)
#define MVFR0  REG32(0xE000EF40u)
#define MVFR1  REG32(0xE000EF44u)
#define FPCCR_ASPEN (1u << 31)
#define FPCCR_LSPEN (1u << 30)
#define ICSR_PENDSTSET (1u << 26)

#define EXCEPTION_SVC     11
#define EXCEPTION_PENDSV  14
#define EXCEPTION_SYSTICK 15

static inline uint32_t get_control(void) { uint32_t v; __asm__ volatile("mrs %0, control" : "=r"(v)); return v; }
static inline void set_control(uint32_t v) { __asm__ volatile("msr control, %0\n\tisb" :: "r"(v) : "memory"); }
static inline uint32_t get_fpscr(void) { uint32_t v; __asm__ volatile("vmrs %0, fpscr" : "=r"(v)); return v; }
static inline void set_fpscr(uint32_t v) { __asm__ volatile("vmsr fpscr, %0" :: "r"(v) : "memory"); }

#define FP_CLOBBERS "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", \
                    "s8", "s9", "s10", "s11", "s12", "s13", "s14", "s15"

static uint32_t fold(const uint32_t *w, int n)
{
    uint32_t h = 0x811c9dc5u;
    for (int i = 0; i < n; i++) h = (h ^ w[i]) * 0x01000193u;
    return h;
}

/* ---- what the handlers saw --------------------------------------------------------------- */

struct entry_view {
    uint32_t exc_return, control, fpccr, fpcar_offset, fpccr_after, control_after, fpscr_after, saved_fold;
};

static volatile struct entry_view svc_view, pendsv_view;
static volatile uint32_t systick_count, timer_count, nested_count;
static volatile uint32_t exc_return_seen; /* bit per EXC_RETURN low byte: E1, E9, ED, F1, F9, FD */
static volatile uint32_t handler_fold, timer_regs_ok, timer_regs_bad;
static volatile uint32_t handler_control_or;

static void note_exc_return(uint32_t lr)
{
    switch (lr & 0xff) {
    case 0xe1: exc_return_seen |= 1u << 0; break;
    case 0xe9: exc_return_seen |= 1u << 1; break;
    case 0xed: exc_return_seen |= 1u << 2; break;
    case 0xf1: exc_return_seen |= 1u << 3; break;
    case 0xf9: exc_return_seen |= 1u << 4; break;
    case 0xfd: exc_return_seen |= 1u << 5; break;
    default:   exc_return_seen |= 1u << 31; break;
    }
}

/* Handler FP work: overwrite S0-S15 and FPSCR (round towards minus infinity, default NaN). */
static void clobber_fp(uint32_t seed)
{
    static const float k[4] = { 3.0f, -7.5f, 1.0e30f, 1.0e-30f };
    uint32_t out[2];
    __asm__ volatile(
        "vmsr fpscr, %[mode]\n\t"
        "vmov s0, %[seed]\n\t"
        "vcvt.f32.u32 s0, s0\n\t"
        "vldmia %[k], {s1-s4}\n\t"
        "vmul.f32 s5, s0, s1\n\t"
        "vdiv.f32 s6, s5, s2\n\t"
        "vmul.f32 s7, s3, s3\n\t"     /* overflow */
        "vmul.f32 s8, s4, s4\n\t"     /* underflow */
        "vsub.f32 s9, s7, s7\n\t"     /* inf - inf: default NaN */
        "vadd.f32 s10, s6, s5\n\t"
        "vmov.f32 s11, s10\n\t"
        "vmov.f32 s12, s9\n\t"
        "vmov.f32 s13, s8\n\t"
        "vmov.f32 s14, s7\n\t"
        "vmov.f32 s15, s6\n\t"
        "vmov %[o0], s10\n\t"
        "vmrs %[o1], fpscr\n\t"
        : [o0] "=&r"(out[0]), [o1] "=&r"(out[1])
        : [mode] "r"(0x02800000u), [seed] "r"(seed), [k] "r"(k)
        : FP_CLOBBERS, "memory");
    handler_fold = (handler_fold ^ out[0] ^ out[1]) * 0x01000193u;
}

/*
 * Naked entries hand the C part the frame pointer, EXC_RETURN, FPCCR and CONTROL as they were
 * before any FP instruction of the handler ran.
 */
#define FP_ENTRY(name, body)                                  \
    __attribute__((naked)) void name(void)                    \
    {                                                         \
        __asm__ volatile(                                     \
            "tst lr, #4\n\t"                                  \
            "ite eq\n\t"                                      \
            "mrseq r0, msp\n\t"                               \
            "mrsne r0, psp\n\t"                               \
            "mov r1, lr\n\t"                                  \
            "movw r2, #0xEF34\n\t"                            \
            "movt r2, #0xE000\n\t"                            \
            "ldr r2, [r2]\n\t"                                \
            "mrs r3, control\n\t"                             \
            "b " #body "\n\t");                               \
    }

static void capture(volatile struct entry_view *v, uint32_t *frame, uint32_t lr, uint32_t fpccr, uint32_t control)
{
    uint32_t fpscr, saved[17];
    v->exc_return = lr;
    v->control = control;
    v->fpccr = fpccr;
    v->fpcar_offset = FPCAR - (uint32_t)frame;
    /* The handler's first FP instruction: preserves the interrupted state if that is pending. */
    __asm__ volatile("vmrs %0, fpscr" : "=r"(fpscr));
    v->fpscr_after = fpscr;
    v->fpccr_after = FPCCR;
    v->control_after = get_control();
    if (!(lr & 0x10)) {
        for (int i = 0; i < 17; i++) saved[i] = frame[8 + i];
        v->saved_fold = fold(saved, 17);
    } else {
        v->saved_fold = 0;
    }
    clobber_fp(lr);
}

void svc_body(uint32_t *frame, uint32_t lr, uint32_t fpccr, uint32_t control)
{
    capture(&svc_view, frame, lr, fpccr, control);
}
void pendsv_body(uint32_t *frame, uint32_t lr, uint32_t fpccr, uint32_t control)
{
    /* With LSPEN=0 entry has already cleared S0-S15: report S0 before anything overwrites it. */
    uint32_t s0;
    __asm__ volatile("vmov %0, s0" : "=r"(s0));
    capture(&pendsv_view, frame, lr, fpccr, control);
    pendsv_view.saved_fold ^= s0;
}
FP_ENTRY(SVC_Handler, svc_body)
FP_ENTRY(PendSV_Handler, pendsv_body)

void SysTick_Handler(void)
{
    uint32_t lr;
    __asm__ volatile("mov %0, lr" : "=r"(lr));
    note_exc_return(lr);
    handler_control_or |= get_control();
    systick_count++;
    clobber_fp(systick_count);
}

void TIMER0_Handler(void)
{
    static const uint32_t mine[16] = {
        0x3f800000, 0x40000000, 0x40400000, 0x40800000, 0x40a00000, 0x40c00000, 0x40e00000, 0x41000000,
        0xbf800000, 0xc0000000, 0x7f800000, 0xff800000, 0x00000001, 0x80000001, 0x7fc00001, 0x00000000,
    };
    uint32_t lr, back[16];
    __asm__ volatile("mov %0, lr" : "=r"(lr));
    note_exc_return(lr);
    TIMER_INTCLR(0) = 1;
    timer_count++;
    /* Live FP values in S0-S15 while a higher-priority handler that uses the FPU nests. */
    __asm__ volatile(
        "vldmia %[mine], {s0-s15}\n\t"
        "str %[pend], [%[icsr]]\n\t"
        "dsb\n\t"
        "isb\n\t"
        "vadd.f32 s0, s0, s1\n\t"
        "vstmia %[back], {s0-s15}\n\t"
        :
        : [mine] "r"(mine), [back] "r"(back), [pend] "r"(ICSR_PENDSTSET), [icsr] "r"(&SCB_ICSR)
        : FP_CLOBBERS, "memory");
    nested_count++;
    int ok = back[0] == 0x40400000u;
    for (int i = 1; i < 16; i++) ok &= back[i] == mine[i];
    if (ok) timer_regs_ok++;
    else timer_regs_bad++;
}

/* ---- the interrupted code ------------------------------------------------------------------ */

/* A long FP computation that keeps its whole state in S0-S15 and FPSCR's flags. */
static uint32_t fp_spin(uint32_t iters, uint32_t *fpscr_out)
{
    static const uint32_t init[16] = {
        0x3f800000, 0x3f800347, 0x00000000, 0x3f7ffffe, 0x40490fdb, 0x3eaaaaab, 0x00800000, 0x3f000000,
        0x4b000000, 0x3f800000, 0x7f7fffff, 0x3f8ccccd, 0x00000001, 0x3f000001, 0x80000000, 0xc2c80000,
    };
    uint32_t out[16];
    uint32_t n = iters, fpscr;
    __asm__ volatile(
        "vmsr fpscr, %[mode]\n\t"
        "vldmia %[init], {s0-s15}\n"
        "1:\n\t"
        "vadd.f32 s2, s2, s0\n\t"     /* counter */
        "vmul.f32 s0, s0, s1\n\t"     /* slowly growing */
        "vmul.f32 s6, s6, s3\n\t"     /* shrinking into denormals */
        "vmla.f32 s4, s5, s7\n\t"
        "vadd.f32 s8, s8, s9\n\t"     /* 2^23 + n: inexact */
        "vmul.f32 s10, s10, s11\n\t"  /* overflow to infinity */
        "vmul.f32 s12, s12, s13\n\t"  /* smallest denormal stays put */
        "vsub.f32 s14, s14, s14\n\t"
        "vmls.f32 s15, s0, s7\n\t"
        "subs %[n], %[n], #1\n\t"
        "bne 1b\n\t"
        "vstmia %[out], {s0-s15}\n\t"
        "vmrs %[fpscr], fpscr\n\t"
        : [n] "+r"(n), [fpscr] "=r"(fpscr)
        : [init] "r"(init), [out] "r"(out), [mode] "r"(0x00000000u)
        : FP_CLOBBERS, "memory", "cc");
    *fpscr_out = fpscr;
    return fold(out, 16);
}

/* SVC / PendSV raised while S0-S15 hold live values; reports whether they survived. */
static uint32_t trap_with_live_fp(int pendsv, uint32_t *fpscr_out)
{
    static const uint32_t in[16] = {
        0x11111111, 0x22222222, 0x33333333, 0x44444444, 0x55555555, 0x66666666, 0x77777777, 0x08888888,
        0x19999999, 0x2aaaaaaa, 0x3bbbbbbb, 0x4ccccccc, 0x5ddddddd, 0x6eeeeeee, 0x7fffffff, 0x80000001,
    };
    uint32_t out[16], fpscr;
    if (pendsv) {
        __asm__ volatile(
            "vmsr fpscr, %[mode]\n\t"
            "vldmia %[in], {s0-s15}\n\t"
            "str %[pend], [%[icsr]]\n\t"
            "dsb\n\t"
            "isb\n\t"
            "vstmia %[out], {s0-s15}\n\t"
            "vmrs %[fpscr], fpscr\n\t"
            : [fpscr] "=r"(fpscr)
            : [in] "r"(in), [out] "r"(out), [mode] "r"(0xa0400013u), [pend] "r"(ICSR_PENDSVSET), [icsr] "r"(&SCB_ICSR)
            : FP_CLOBBERS, "memory");
    } else {
        __asm__ volatile(
            "vmsr fpscr, %[mode]\n\t"
            "vldmia %[in], {s0-s15}\n\t"
            "svc #1\n\t"
            "vstmia %[out], {s0-s15}\n\t"
            "vmrs %[fpscr], fpscr\n\t"
            : [fpscr] "=r"(fpscr)
            : [in] "r"(in), [out] "r"(out), [mode] "r"(0x50c00088u)
            : FP_CLOBBERS, "memory");
    }
    *fpscr_out = fpscr;
    int same = 1;
    for (int i = 0; i < 16; i++) same &= out[i] == in[i];
    return same;
}

static void print_view(const char *name, volatile struct entry_view *v)
{
    uart_puts(name);
    uart_puts(": excret=");
    uart_puthex(v->exc_return);
    uart_puts(" control=");
    uart_puthex(v->control);
    uart_puts(" fpccr=");
    uart_puthex(v->fpccr);
    uart_puts(" fpcar-frame=");
    uart_puthex(v->fpcar_offset);
    uart_puts("\n  after first FP insn: fpccr=");
    uart_puthex(v->fpccr_after);
    uart_puts(" control=");
    uart_puthex(v->control_after);
    uart_puts(" fpscr=");
    uart_puthex(v->fpscr_after);
    uart_puts(" frame=");
    uart_puthex(v->saved_fold);
    uart_puts("\n");
}

static void run_traps(const char *label)
{
    uint32_t fpscr;
    uart_puts(label);
    uart_puts("\n");
    int same = trap_with_live_fp(0, &fpscr);
    print_view(" svc", &svc_view);
    uart_puts("  thread regs kept=");
    uart_putdec(same);
    uart_puts(" fpscr=");
    uart_puthex(fpscr);
    uart_puts(" control=");
    uart_puthex(get_control());
    uart_puts("\n");
    same = trap_with_live_fp(1, &fpscr);
    print_view(" pendsv", &pendsv_view);
    uart_puts("  thread regs kept=");
    uart_putdec(same);
    uart_puts(" fpscr=");
    uart_puthex(fpscr);
    uart_puts("\n");
}

/* fp_spin with SysTick and TIMER0 (which nests SysTick) firing throughout; then without. */
static void run_interrupted(const char *label, uint32_t iters)
{
    uint32_t fpscr_irq, fpscr_quiet;
    systick_count = timer_count = nested_count = 0;
    exc_return_seen = 0;
    handler_fold = 0;
    timer_regs_ok = timer_regs_bad = 0;
    handler_control_or = 0;

    SYST_RVR = 200;
    SYST_CVR = 0;
    TIMER_RELOAD(0) = 1000;
    TIMER_VALUE(0) = 1000;
    TIMER_CTRL(0) = 9; /* enable, interrupt enable */
    SYST_CSR = 7;
    uint32_t with_irqs = fp_spin(iters, &fpscr_irq);
    SYST_CSR = 0;
    TIMER_CTRL(0) = 0;
    TIMER_INTCLR(0) = 1;
    NVIC_ICPR0 = 1u << TIMER0_IRQn;
    SCB_ICSR = 1u << 25; /* PENDSTCLR */

    __asm__ volatile("cpsid i" ::: "memory");
    uint32_t quiet = fp_spin(iters, &fpscr_quiet);
    __asm__ volatile("cpsie i" ::: "memory");

    uart_puts(label);
    uart_puts(": result=");
    uart_puthex(with_irqs);
    uart_puts(" fpscr=");
    uart_puthex(fpscr_irq);
    uart_puts(with_irqs == quiet && fpscr_irq == fpscr_quiet ? " same-as-quiet" : " DIFFERS-FROM-QUIET");
    uart_puts("\n  systick=");
    uart_putdec(systick_count);
    uart_puts(" timer=");
    uart_putdec(timer_count);
    uart_puts(" nested=");
    uart_putdec(nested_count);
    uart_puts(" timer-regs ok=");
    uart_putdec(timer_regs_ok);
    uart_puts(" bad=");
    uart_putdec(timer_regs_bad);
    uart_puts(" excret-seen=");
    uart_puthex(exc_return_seen);
    uart_puts(" handler-control=");
    uart_puthex(handler_control_or);
    uart_puts(" handler-fold=");
    uart_puthex(handler_fold);
    uart_puts("\n");
}

int main(void)
{
    uart_init();
    uart_puts("fpu-irq\n");
    uart_kv("cpacr", CPACR);
    uart_kv("fpccr", FPCCR);
    uart_kv("mvfr0", MVFR0);
    uart_kv("mvfr1", MVFR1);
    uart_kv("control", get_control());

    SCB_SHPR(EXCEPTION_SVC) = 0x80;
    SCB_SHPR(EXCEPTION_PENDSV) = 0xc0;
    SCB_SHPR(EXCEPTION_SYSTICK) = 0x40;
    NVIC_IPR(TIMER0_IRQn) = 0x80;
    nvic_enable(TIMER0_IRQn);

    /* A fresh FP context takes FPSCR from FPDSCR. */
    FPDSCR = 0x03c00000;
    set_control(get_control() & ~4u);
    uart_kv("control-cleared", get_control());
    uart_kv("fpscr-new-context", get_fpscr());
    uart_kv("control-after-fp", get_control());
    set_fpscr(0);
    FPDSCR = 0x00400000;

    run_traps("lazy (ASPEN=1 LSPEN=1)");
    run_interrupted("irq lazy", 20000);

    FPCCR = FPCCR_ASPEN;
    uart_kv("fpccr-lspen0", FPCCR);
    run_traps("eager (ASPEN=1 LSPEN=0)");
    run_interrupted("irq eager", 20000);

    /* No automatic FP context: thread code claims one itself through CONTROL.FPCA. */
    FPCCR = 0;
    set_control(get_control() | 4u);
    uart_kv("fpccr-aspen0", FPCCR);
    uart_kv("control-fpca-set", get_control());
    run_traps("manual (ASPEN=0 LSPEN=0)");
    set_control(get_control() | 4u);
    run_interrupted("irq manual", 20000);

    FPCCR = FPCCR_ASPEN | FPCCR_LSPEN;
    uart_kv("fpccr-end", FPCCR);
    uart_kv("fpcar-end", FPCAR);
    uart_kv("cfsr", SCB_CFSR);
    uart_puts("done\n");
    return 0;
}
