/*
 * Processor modes and banked registers: MSR CPSR_c and CPS into every mode, r13/r14 of each mode,
 * r8-r12 of FIQ, SPSR per mode, MRS/MSR (banked) from SVC, user-bank STM/LDM (^), SRS/RFE,
 * exception returns (MOVS PC, LR / SUBS PC, LR / LDM ^), user mode (CPSR writes it may not make)
 * and the SVC that brings it back.
 */
#include "rt.h"

static const uint8_t MODES[] = { 0x11, 0x12, 0x17, 0x1b, 0x13 };  /* FIQ IRQ ABT UND SVC */
static uint32_t saved[8][2];

/* Sets sp/lr/spsr of a mode (via MSR CPSR_c), remembering its real sp/lr. Runs in SYS mode. */
static void bank_write(unsigned k, uint32_t tag)
{
    register uint32_t r0 __asm__("r0") = 0xc0u | MODES[k];
    register uint32_t *r1 __asm__("r1") = saved[k];
    register uint32_t r2 __asm__("r2") = tag;
    __asm__ volatile(
        "mrs r3, cpsr\n\t"
        "msr cpsr_c, r0\n\t"
        "str sp, [r1]\n\t"
        "str lr, [r1, #4]\n\t"
        "mov sp, r2\n\t"
        "add lr, r2, #4\n\t"
        "eor r0, r2, #0xf0000000\n\t"
        "bic r0, r0, #0x0000ff00\n\t"
        "msr spsr_fsxc, r0\n\t"
        "msr cpsr_c, r3\n\t"
        : "+r"(r0) : "r"(r1), "r"(r2) : "r3", "memory");
}

/* Reads them back and restores the real sp/lr. */
static void bank_read(unsigned k, uint32_t out[3])
{
    register uint32_t r0 __asm__("r0") = 0xc0u | MODES[k];
    register uint32_t *r1 __asm__("r1") = saved[k];
    register uint32_t *r2 __asm__("r2") = out;
    __asm__ volatile(
        "mrs r3, cpsr\n\t"
        "msr cpsr_c, r0\n\t"
        "str sp, [r2]\n\t"
        "str lr, [r2, #4]\n\t"
        "mrs r0, spsr\n\t"
        "str r0, [r2, #8]\n\t"
        "ldr sp, [r1]\n\t"
        "ldr lr, [r1, #4]\n\t"
        "msr cpsr_c, r3\n\t"
        : "+r"(r0) : "r"(r1), "r"(r2) : "r3", "memory");
}

__attribute__((naked, noinline)) static void fiq_bank_probe(uint32_t *sys, uint32_t *fiq)
{
    __asm__ volatile(
        "push {r4-r11}\n\t"
        "mov r8, #0x88\n\tmov r9, #0x99\n\tmov r10, #0xaa\n\tmov r11, #0xbb\n\tmov r12, #0xcc\n\t"
        "cps #0x11\n\t"
        "mov r8, #0x18\n\tmov r9, #0x19\n\tmov r10, #0x1a\n\tmov r11, #0x1b\n\tmov r12, #0x1c\n\t"
        "cps #0x1f\n\t"
        "stm r0, {r8-r12}\n\t"
        "cps #0x11\n\t"
        "stm r1, {r8-r12}\n\t"
        "cps #0x1f\n\t"
        "pop {r4-r11}\n\t"
        "bx lr\n\t");
}

static void banks(void)
{
    uint32_t out[3];
    for (unsigned k = 0; k < sizeof MODES; k++) bank_write(k, 0x10000000u * (k + 1) + 0x1230 + k);
    /* FIQ's own r8-r12, set with CPS this time */
    uint32_t fiq[5], sys[5];
    fiq_bank_probe(sys, fiq);
    for (unsigned k = 0; k < sizeof MODES; k++) {
        bank_read(k, out);
        put_str("bank mode="); put_hex(MODES[k]); put_kv("sp", out[0]); put_kv("lr", out[1]); put_kv("spsr", out[2]); put_nl();
    }
    uint32_t h = HASH_INIT;
    for (int i = 0; i < 5; i++) h = mix(mix(h, fiq[i]), sys[i]);
    line("fiq-r8-r12", h);
    line("cpsr-sys", get_cpsr() & 0x1ff);
}

/* MRS/MSR (banked), ARMv7VE: another mode's registers without changing mode. */
static volatile uint32_t und_count, und_lr_off;
static int count_und(int kind, struct exc_frame *f)
{
    if (kind != EXC_UND) return 0;
    und_count++;
    und_lr_off = f->lr - exc_fault_pc(kind, f);
    exc_skip(kind, f);
    return 1;
}

/* QEMU's virt has no EL2 (virtualization=off), so these UNDEF there: each one is counted. */
static void banked_mrs_msr(void)
{
    uint32_t a = 0, b = 0, c = 0, d = 0, e = 0;
    exc_hook = count_und;
    __asm__ volatile(
        ".arch_extension virt\n\t"
        "cps #0x13\n\t"
        "mrs %0, sp_irq\n\t"
        "mrs %1, spsr_abt\n\t"
        "msr r9_fiq, %5\n\t"
        "mrs %2, r9_fiq\n\t"
        "msr spsr_und, %5\n\t"
        "mrs %3, spsr_und\n\t"
        "mrs %4, lr_usr\n\t"
        "cps #0x1f\n\t"
        : "+&r"(a), "+&r"(b), "+&r"(c), "+&r"(d), "+&r"(e) : "r"(0x600001d3u) : "memory");
    exc_hook = 0;
    put_str("banked-mrs"); put_kv("sp_irq", a); put_kv("spsr_abt", b); put_kv("r9_fiq", c); put_kv("spsr_und", d);
    put_kv("lr_usr-nz", e != 0); put_kv("und", und_count); put_kv("lr-off", und_lr_off); put_nl();
}

/* STM/LDM with ^ in SVC mode move the User registers; A32 only, so an ARM function in every build. */
__attribute__((target("arm"), noinline)) static void user_bank(uint32_t *buf)
{
    __asm__ volatile(
        "cps #0x13\n\t"
        "mov r3, sp\n\t"
        "stmia %0, {r13, r14}^\n\t"
        "ldr r2, =0x5ab0c0d0\n\t"
        "str r2, [%0, #8]\n\t"
        "add r2, r2, #4\n\t"
        "str r2, [%0, #12]\n\t"
        "add r2, %0, #8\n\t"
        "ldmia r2, {r13, r14}^\n\t"
        "nop\n\t"
        "cps #0x1f\n\t"
        "str sp, [%0, #16]\n\t"
        "str lr, [%0, #20]\n\t"
        "ldr sp, [%0]\n\t"
        "ldr lr, [%0, #4]\n\t"
        "cps #0x13\n\t"
        "str sp, [%0, #24]\n\t"
        "str r3, [%0, #28]\n\t"
        "cps #0x1f\n\t"
        :: "r"(buf) : "r2", "r3", "memory");
}

static void user_bank_test(void)
{
    uint32_t buf[8];
    user_bank(buf);
    put_str("user-bank"); put_kv("sp", buf[4]); put_kv("lr", buf[5]); put_kv("svc-sp-same", buf[6] == buf[7]); put_nl();
}

/* RFE to a label with new flags, then SRS storing LR/SPSR of SVC onto the SYS stack. */
static void srs_rfe(void)
{
    uint32_t cpsr_after, w[2];
    __asm__ volatile(
        "adr r0, 1f\n\t"
#ifdef __thumb__
        "orr r0, r0, #1\n\t"
        "ldr r1, =0x9000003f\n\t"
#else
        "ldr r1, =0x9000001f\n\t"
#endif
        "push {r0, r1}\n\t"
        "rfeia sp!\n\t"
        ".balign 4\n"
        "1:\tmrs %0, cpsr\n\t"
        "cps #0x13\n\t"
        "ldr lr, =0x13572468\n\t"
        "msr spsr_fsxc, %3\n\t"
        "srsdb sp!, #0x1f\n\t"
        "cps #0x1f\n\t"
        "pop {r0, r1}\n\t"
        "str r0, [%1]\n\t"
        "str r1, [%2]\n\t"
        : "=&r"(cpsr_after) : "r"(&w[0]), "r"(&w[1]), "r"(0x400001d0u) : "r0", "r1", "lr", "memory", "cc");
    put_str("srs-rfe"); put_kv("cpsr", cpsr_after); put_kv("lr", w[0]); put_kv("spsr", w[1]); put_nl();
}

/* Exception-return forms from SVC mode back to SYS: MOVS/SUBS PC, LR and LDM {..., PC}^ */
static void exception_returns(void)
{
    uint32_t c1, c2, c3 = 0;
    __asm__ volatile(
        "cps #0x13\n\t"
        "adr lr, 1f\n\t"
#ifdef __thumb__
        "orr lr, lr, #1\n\t"
        "ldr r0, =0x200001bf\n\t"
        "msr spsr_fsxc, r0\n\t"
        "subs pc, lr, #0\n\t"
#else
        "ldr r0, =0x2000019f\n\t"
        "msr spsr_fsxc, r0\n\t"
        "movs pc, lr\n\t"
#endif
        ".balign 4\n"
        "1:\tmrs %0, cpsr\n\t"
        "cps #0x13\n\t"
        "adr lr, 2f + 8\n\t"
#ifdef __thumb__
        "orr lr, lr, #1\n\t"
        "ldr r0, =0x8000007f\n\t"
#else
        "ldr r0, =0x8000005f\n\t"
#endif
        "msr spsr_fsxc, r0\n\t"
        "subs pc, lr, #8\n\t"
        ".balign 4\n"
        "2:\tmrs %1, cpsr\n\t"
        : "=&r"(c1), "=&r"(c2) :: "r0", "lr", "memory", "cc");
#ifndef __thumb__
    __asm__ volatile(
        "cps #0x13\n\t"
        "adr r0, 1f\n\t"
        "ldr r1, =0x4000015f\n\t"
        "msr spsr_fsxc, r1\n\t"
        "push {r0}\n\t"
        "ldmfd sp!, {pc}^\n\t"
        "1:\tmrs %0, cpsr\n\t"
        : "=&r"(c3) :: "r0", "r1", "memory", "cc");
#endif
    put_str("exc-return"); put_kv("c1", c1); put_kv("c2", c2); put_kv("c3", c3); put_nl();
}

/* User mode: CPSR control bits cannot be written there; SVC brings us back to SYS. */
static volatile uint32_t svc_spsr, svc_imm;
static int svc_back_to_sys(int kind, struct exc_frame *f)
{
    if (kind != EXC_SVC) return 0;
    svc_spsr = f->spsr;
    svc_imm = (f->spsr & 0x20) ? *(volatile uint16_t *)(f->lr - 2) & 0xff : *(volatile uint32_t *)(f->lr - 4) & 0xffffff;
    f->spsr = (f->spsr & ~0x1fu) | 0x1f;
    return 1;
}

static void user_mode(void)
{
    uint32_t in_user, after_msr, after_cps, back;
    exc_hook = svc_back_to_sys;
    __asm__ volatile(
        "mov r2, sp\n\t"
        "cps #0x10\n\t"
        "mov sp, r2\n\t"
        "mrs %0, cpsr\n\t"
        "mov r0, #0x1f\n\t"
        "msr cpsr_fsxc, r0\n\t"
        "mrs %1, cpsr\n\t"
        "cpsid if\n\t"
        "cps #0x13\n\t"
        "mrs %2, cpsr\n\t"
        "svc #0x42\n\t"
        "mrs %3, cpsr\n\t"
        : "=&r"(in_user), "=&r"(after_msr), "=&r"(after_cps), "=&r"(back) :: "r0", "r2", "memory", "cc");
    exc_hook = 0;
    put_str("user"); put_kv("cpsr", in_user & 0xff); put_kv("msr", after_msr & 0xf80001ff);
    put_kv("cps", after_cps & 0xff); put_kv("back", back & 0x1ff); put_kv("spsr", svc_spsr & 0x1ff);
    put_kv("imm", svc_imm); put_nl();
}

/* CPS forms: mask/unmask A, I, F with and without a mode change. */
static void cps_forms(void)
{
    uint32_t a, b, c, d;
    __asm__ volatile(
        "cpsie a\n\t"
        "mrs %0, cpsr\n\t"
        "cpsid a, #0x1b\n\t"
        "mrs %1, cpsr\n\t"
        "cpsie f, #0x1f\n\t"
        "mrs %2, cpsr\n\t"
        "cpsid f\n\t"
        "msr cpsr_c, %4\n\t"
        "mrs %3, cpsr\n\t"
        : "=&r"(a), "=&r"(b), "=&r"(c), "=&r"(d) : "r"(0xdfu) : "memory");
    put_str("cps"); put_kv("a", a & 0x1df); put_kv("b", b & 0x1df); put_kv("c", c & 0x1df); put_kv("d", d & 0x1df); put_nl();
}

int main(void)
{
#ifdef __thumb__
    put_str("modes t32\n");
#else
    put_str("modes a32\n");
#endif
    banks();
    banked_mrs_msr();
    user_bank_test();
    srs_rfe();
    exception_returns();
    user_mode();
    cps_forms();
    return 0;
}
