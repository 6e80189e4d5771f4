/*
 * vexpress-a9 Security Extensions: the Cortex-A9 starts in Secure SVC (SCR = 0); SMC from SVC and
 * System mode (A32 and T32) enters Monitor mode at MVBAR + 8 with A/I/F masked and LR_mon = the next
 * instruction; Monitor mode has its own banked r13/r14/SPSR; CPS/MSR reach it from Secure PL1;
 * SCR.IRQ and SCR.FIQ route interrupts to the Monitor vectors (MVBAR + 0x18/0x1c); SMC from User
 * mode is UNDEFINED; taking an exception from Monitor mode clears SCR.NS.
 */
#include "vexpress.h"

volatile uint32_t mon_log[16];
volatile uint32_t mon_calls, mon_irqs, mon_fiqs;

/* Monitor vectors: reset, und, SMC, pabt, dabt, -, IRQ, FIQ (always A32). */
__asm__(
    ".pushsection .text.monitor, \"ax\"\n"
    ".arm\n"
    ".balign 32\n"
    ".global mon_vectors\n"
    "mon_vectors:\n"
    "  b .\n  b .\n  b mon_smc\n  b .\n  b .\n  b .\n  b mon_irq\n  b mon_fiq\n"
    "mon_smc:\n"
    "  push {r1-r3}\n"
    "  ldr r1, =mon_log\n"
    "  mrs r2, cpsr\n  str r2, [r1, #0]\n"
    "  mrs r2, spsr\n  str r2, [r1, #4]\n"
    "  str lr, [r1, #8]\n"
    "  mrc p15, 0, r2, c1, c1, 0\n  str r2, [r1, #12]\n"
    "  mov r2, sp\n  str r2, [r1, #16]\n"
    "  ldr r2, =mon_calls\n  ldr r3, [r2]\n  add r3, r3, #1\n  str r3, [r2]\n"
    "  add r0, r0, #0x100\n"
    "  pop {r1-r3}\n"
    "  movs pc, lr\n"
    "mon_irq:\n"
    "  sub lr, lr, #4\n"
    "  push {r0-r3, lr}\n"
    "  ldr r1, =0x1e000100\n"
    "  ldr r0, [r1, #0x0c]\n"
    "  str r0, [r1, #0x10]\n"
    "  ldr r1, =mon_log\n  str r0, [r1, #20]\n"
    "  mrs r2, spsr\n  str r2, [r1, #24]\n"
    "  mrs r2, cpsr\n  str r2, [r1, #28]\n"
    "  ldr r2, =mon_irqs\n  ldr r3, [r2]\n  add r3, r3, #1\n  str r3, [r2]\n"
    "  pop {r0-r3, lr}\n"
    "  movs pc, lr\n"
    "mon_fiq:\n"
    "  sub lr, lr, #4\n"
    "  push {r0-r3, lr}\n"
    "  ldr r1, =0x1e000100\n"
    "  ldr r0, [r1, #0x0c]\n"
    "  str r0, [r1, #0x10]\n"
    "  ldr r1, =mon_log\n  str r0, [r1, #32]\n"
    "  mrs r2, spsr\n  str r2, [r1, #36]\n"
    "  ldr r2, =mon_fiqs\n  ldr r3, [r2]\n  add r3, r3, #1\n  str r3, [r2]\n"
    "  pop {r0-r3, lr}\n"
    "  movs pc, lr\n"
    ".ltorg\n"
    ".popsection\n");
extern uint32_t mon_vectors[];

static uint8_t mon_stack[1024] __attribute__((aligned(8)));
static volatile int und_count;

static int hook(int kind, struct exc_frame *f)
{
    if (kind != EXC_UND) return 0;
    und_count++;
    put_str("und");
    put_kv("spsr-mode", f->spsr & 0x1f);
    put_nl();
    exc_skip(kind, f);
    return 1;
}

static uint32_t smc_call(uint32_t v)
{
    register uint32_t r0 __asm__("r0") = v;
    __asm__ volatile(".arch_extension sec\n\tsmc #0" : "+r"(r0) :: "memory", "lr");
    return r0;
}

static void show_smc(const char *label, uint32_t ret)
{
    put_str(label);
    put_kv("ret", ret);
    put_kv("cpsr", mon_log[0]);
    put_kv("spsr", mon_log[1] & ~0xf8000000u);
    put_kv("lr-ok", mon_log[2] != 0);
    put_kv("scr", mon_log[3]);
    put_kv("sp", mon_log[4] - (uint32_t)(uintptr_t)mon_stack);
    put_nl();
}

static void to_user_and_smc(void)
{
    /* User mode: SMC is UNDEFINED there; come back with an SVC. */
    __asm__ volatile(
        "cps #0x10\n\t"
        ".arch_extension sec\n\t"
        "smc #0\n\t"
        "svc #1\n\t" ::: "memory", "lr");
}

static int svc_back(int kind, struct exc_frame *f)
{
    if (kind == EXC_SVC) {
        /* Return to System mode instead of User. */
        f->spsr = (f->spsr & ~0x1fu) | 0x1f;
        return 1;
    }
    return hook(kind, f);
}

int main(void)
{
    exc_hook = hook;
    line("cpsr-mode", get_cpsr() & 0x1f);
    line("scr", MRC(0, 1, 1, 0));
    MCR(0, 12, 0, 1, (uint32_t)(uintptr_t)mon_vectors);
    line("mvbar-ok", MRC(0, 12, 0, 1) == (uint32_t)(uintptr_t)mon_vectors);
    /* Monitor stack and banked registers through CPS from System mode. */
    uint32_t sp_mon, lr_mon, spsr_mon, sp_sys_before, sp_sys_after;
    __asm__ volatile(
        "mov %3, sp\n\t"
        "cps #0x16\n\t"
        "mov sp, %5\n\t"
        "ldr lr, =0x12345678\n\t"
        "msr spsr_fsxc, %6\n\t"
        "cps #0x1f\n\t"
        "mov %4, sp\n\t"
        "cps #0x16\n\t"
        "mov %0, sp\n\t"
        "mov %1, lr\n\t"
        "mrs %2, spsr\n\t"
        "cps #0x1f\n\t"
        : "=&r"(sp_mon), "=&r"(lr_mon), "=&r"(spsr_mon), "=&r"(sp_sys_before), "=&r"(sp_sys_after)
        : "r"(mon_stack + sizeof mon_stack), "r"(0x600001d3u) : "lr", "memory");
    line("sp-mon", sp_mon - (uint32_t)(uintptr_t)mon_stack);
    line("lr-mon", lr_mon);
    line("spsr-mon", spsr_mon);
    line("sp-sys-kept", sp_sys_before == sp_sys_after);

    /* SMC from System mode and from SVC mode. */
    show_smc("smc-sys", smc_call(1));
    uint32_t r;
    __asm__ volatile("cps #0x13" ::: "memory");
    r = smc_call(2);
    __asm__ volatile("cps #0x1f" ::: "memory");
    show_smc("smc-svc", r);
    line("calls", mon_calls);
    /* Enough SMCs that the caller's and the monitor's code get hot (the block JIT translates them). */
    uint32_t acc = 0;
    for (uint32_t i = 0; i < 600; i++) acc += smc_call(i);
    line("smc-loop", acc);
    line("calls-after-loop", mon_calls);
    /* The monitor's registers survived: banked LR changed by the SMC, SP back at the top. */
    __asm__ volatile("cps #0x16\n\tmov %0, sp\n\tmov %1, lr\n\tcps #0x1f" : "=&r"(sp_mon), "=&r"(lr_mon) :: "memory");
    line("sp-mon-after", sp_mon - (uint32_t)(uintptr_t)mon_stack);
    line("lr-mon-is-return", lr_mon != 0x12345678u);

    /* SMC from User mode: UNDEFINED. */
    exc_hook = svc_back;
    to_user_and_smc();
    exc_hook = hook;
    line("und-count", und_count);
    line("mode-back", get_cpsr() & 0x1f);

    /* IRQ routed to Monitor mode by SCR.IRQ. */
    gic_init();
    gic_enable(3, 0x20);
    MCR(0, 1, 1, 0, 2);  /* SCR.IRQ */
    irq_enable();
    REG32(GICD + 0xf00) = (2u << 24) | 3;
    for (volatile int i = 0; i < 10; i++) {}
    irq_disable();
    line("mon-irqs", mon_irqs);
    line("mon-irq-iar", mon_log[5]);
    line("mon-irq-spsr", mon_log[6] & 0x1ff);
    line("mon-irq-cpsr", mon_log[7] & 0x1ff);

    /* FIQ routed to Monitor mode: group 0 signalled as FIQ (GICC_CTLR.FIQEn). */
    MCR(0, 1, 1, 0, 4);  /* SCR.FIQ */
    REG32(GICC + 0x00) = 1 | (1u << 3);
    line("gicc-ctlr", REG32(GICC + 0x00));
    fiq_enable();
    REG32(GICD + 0xf00) = (2u << 24) | 3;
    for (volatile int i = 0; i < 10; i++) {}
    fiq_disable();
    line("mon-fiqs", mon_fiqs);
    line("mon-fiq-iar", mon_log[8]);
    line("mon-fiq-spsr", mon_log[9] & 0x1ff);
    MCR(0, 1, 1, 0, 0);

    /* SCR.NS set from Monitor mode and an exception taken from there (SMC-less: an UNDEF). */
    uint32_t scr_ns, scr_after;
    __asm__ volatile(
        "cps #0x16\n\t"
        "mov r0, #1\n\t"
        "mcr p15, 0, r0, c1, c1, 0\n\t"
        "mrc p15, 0, %0, c1, c1, 0\n\t"
        "mov r0, #0\n\t"
        "mcr p15, 0, r0, c1, c1, 0\n\t"
        "mrc p15, 0, %1, c1, c1, 0\n\t"
        "cps #0x1f\n\t"
        : "=&r"(scr_ns), "=&r"(scr_after) :: "r0", "memory");
    line("scr-ns-in-mon", scr_ns);
    line("scr-after", scr_after);
    line("und-total", und_count);
    return 0;
}
