/*
 * Every synchronous exception with what the CPU reports: UND (A32 and T32, 16- and 32-bit: LR
 * offsets), SVC (immediate read back through LR), BKPT (prefetch abort, IFSR 0x002), prefetch
 * abort on an unassigned address (IFSR 0x008, IFAR), data aborts: unassigned read/write (DFSR
 * 0x008/0x808, DFAR), alignment with SCTLR.A and for LDREX/LDRD/LDM/STREX, an undefined CP15
 * register, FP instructions with FPEXC.EN clear, PSCI over HVC; with SPSR, mode and return address.
 */
#include "rt.h"

struct record { int kind; uint32_t lr_off, spsr, fsr, far, mode; };
static volatile struct record rec;
static volatile int count;
static volatile uint32_t recover;   /* where a prefetch abort on a bad branch target resumes */

static int record_and_skip(int kind, struct exc_frame *f)
{
    count++;
    rec.kind = kind;
    rec.spsr = f->spsr;
    rec.mode = get_cpsr() & 0x1f;
    rec.fsr = kind == EXC_PABT ? MRC(0, 5, 0, 1) : kind == EXC_DABT ? MRC(0, 5, 0, 0) : 0;
    rec.far = kind == EXC_PABT ? MRC(0, 6, 0, 2) : kind == EXC_DABT ? MRC(0, 6, 0, 0) : 0;
    if (kind == EXC_PABT && recover) {
        rec.lr_off = f->lr - rec.far;
        f->lr = recover & ~1u;
        f->spsr = (f->spsr & ~0x20u) | ((recover & 1) << 5);
        recover = 0;
        return 1;
    }
    rec.lr_off = f->lr - exc_fault_pc(kind, f);
    exc_skip(kind, f);
    return 1;
}

static void show(const char *what)
{
    put_str(what); put_kv("n", count); put_str(" "); put_str(exc_name(rec.kind));
    put_kv("lr-off", rec.lr_off); put_kv("spsr", rec.spsr); put_kv("fsr", rec.fsr); put_kv("far", rec.far); put_nl();
    count = 0;
    rec.kind = 0; rec.lr_off = rec.spsr = rec.fsr = rec.far = 0;
}

#define BAD_ADDR 0x0b000000u  /* nothing mapped there on virt */

static void und(void)
{
#ifdef __thumb__
    __asm__ volatile("udf #1" ::: "memory");
    show("udf16");
    __asm__ volatile("udf.w #0x123" ::: "memory");
    show("udf32");
    __asm__ volatile(".inst.w 0xee000a10 + (7 << 8)" ::: "memory");  /* MCR to cp7: no coprocessor */
    show("cp7");
#else
    __asm__ volatile("udf #0x12" ::: "memory");
    show("udf");
    __asm__ volatile(".inst 0xee000710" ::: "memory");  /* MCR p7: no coprocessor */
    show("cp7");
#endif
    uint32_t v = 0;
    __asm__ volatile("mrc p15, 0, %0, c15, c15, 7" : "+r"(v) :: "memory");  /* implementation defined */
    show("cp15-c15");  /* QEMU's A15 answers the implementation-defined c15 space */
    __asm__ volatile("mrc p15, 4, %0, c1, c1, 0" : "+r"(v) :: "memory");     /* HCR: no EL2 on virt */
    show("hcr");
    __asm__ volatile("mrc p15, 0, %0, c1, c1, 0" : "+r"(v) :: "memory");     /* SCR: no EL3 either */
    show("scr");
}

static void svc(void)
{
    uint32_t imm;
#ifdef __thumb__
    __asm__ volatile("svc #0x7e" ::: "memory");
#else
    __asm__ volatile("svc #0xabcdef" ::: "memory");
#endif
    imm = rec.lr_off;
    show("svc");
    (void)imm;
}

static void bkpt(void)
{
    __asm__ volatile("bkpt #0x12" ::: "memory");
    show("bkpt");
}

static void prefetch_abort(void)
{
    uint32_t r = 0;
    __asm__ volatile(
        "adr r0, 1f\n\t"
#ifdef __thumb__
        "orr r0, r0, #1\n\t"
#endif
        "str r0, [%1]\n\t"
        "mov r0, #0\n\t"
        "blx %2\n\t"
        "mov %0, #1\n\t"
        ".balign 4\n"
        "1:\tadd %0, %0, #2\n\t"
        : "+&r"(r) : "r"(&recover), "r"(BAD_ADDR) : "r0", "r1", "r2", "r3", "r12", "lr", "memory", "cc");
    show("pabt-bad-addr");
    line("pabt-resumed", r);
}

static void data_aborts(void)
{
    volatile uint32_t *bad = (volatile uint32_t *)BAD_ADDR;
    uint32_t v = 0x1234;
    v = bad[1];
    show("dabt-read");
    bad[3] = v;
    show("dabt-write");
    v = *(volatile uint8_t *)(BAD_ADDR + 0x101);
    show("dabt-read8");
    *(volatile uint16_t *)(BAD_ADDR + 0x206) = 1;
    show("dabt-write16");

    static uint32_t buf[8] __attribute__((aligned(8))) = { 1, 2, 3, 4, 5, 6, 7, 8 };
    uint8_t *u = (uint8_t *)buf + 1;
    uint32_t a, b, st;
    __asm__ volatile("ldrex %0, [%1]" : "=r"(a) : "r"(u) : "memory");
    show("ldrex-unaligned");
    __asm__ volatile("ldrd r2, r3, [%0]" :: "r"(u + 1) : "r2", "r3", "memory");
    show("ldrd-unaligned");
    __asm__ volatile("ldm %0, {r2, r3}" :: "r"(u + 2) : "r2", "r3", "memory");
    show("ldm-unaligned");
    __asm__ volatile("stm %0, {r2, r3}" :: "r"(u + 2) : "r2", "r3", "memory");
    show("stm-unaligned");
    /* STREX with the monitor open at an unaligned address: QEMU returns 1 without a fault */
    st = 7;
    __asm__ volatile("ldrex %0, [%2]\n\tstrex %1, %0, [%3]" : "=&r"(a), "+&r"(st) : "r"(buf), "r"(u) : "memory");
    show("strex-unaligned");
    line("strex-status", st);

    /* SCTLR.A: every unaligned access faults */
    uint32_t sctlr = MRC(0, 1, 0, 0);
    MCR(0, 1, 0, 0, sctlr | 2);
    ISB();
    a = *(volatile uint32_t *)(u + 2);
    show("align-ldr");
    *(volatile uint16_t *)(u) = 5;
    show("align-strh");
    b = *(volatile uint16_t *)(u + 1);
    show("align-ldrh-ok");
    MCR(0, 1, 0, 0, sctlr);
    ISB();
    line("align-vals", a + b);
}

/* FPEXC.EN = 0: a VFP data instruction is UNDEFINED; VMRS FPEXC is still allowed at PL1. */
static void fp_disabled(void)
{
    uint32_t fpexc, v = 0;
    __asm__ volatile(FPU "vmrs %0, fpexc" : "=r"(fpexc));
    __asm__ volatile(FPU "vmsr fpexc, %0" :: "r"(0u));
    __asm__ volatile(FPU "vmov s0, %0\n\tvadd.f32 s1, s0, s0\n\tvmov %0, s1" : "+r"(v) :: "s0", "s1");
    show("fp-disabled");
    __asm__ volatile(FPU "vmrs %0, fpexc" : "=r"(v));
    line("fpexc-off", v);
    __asm__ volatile(FPU "vmsr fpexc, %0" :: "r"(fpexc));
    /* CPACR without cp10/cp11: even FPEXC is out of reach */
    uint32_t cpacr = MRC(0, 1, 0, 2);
    MCR(0, 1, 0, 2, 0);
    ISB();
    __asm__ volatile(FPU "vmrs %0, fpexc" : "+r"(v));
    show("fp-cpacr-off");
    line("cpacr-off", MRC(0, 1, 0, 2));
    MCR(0, 1, 0, 2, cpacr);
    ISB();
    line("cpacr-on", MRC(0, 1, 0, 2));
}

/* QEMU's virt answers PSCI over HVC (conduit hvc): version, features, an unknown function. */
static uint32_t psci(uint32_t fn, uint32_t a1)
{
    register uint32_t r0 __asm__("r0") = fn;
    register uint32_t r1 __asm__("r1") = a1;
    __asm__ volatile(".arch_extension virt\n\thvc #0" : "+r"(r0), "+r"(r1) :: "r2", "r3", "memory");
    return r0;
}

int main(void)
{
#ifdef __thumb__
    put_str("exceptions t32\n");
#else
    put_str("exceptions a32\n");
#endif
    exc_hook = record_and_skip;
    und();
    svc();
    bkpt();
    prefetch_abort();
    data_aborts();
    fp_disabled();
    line("psci-version", psci(0x84000000u, 0));
    line("psci-features-cpu-on", psci(0x84000006u - 6 + 0x0a, 0x84000003u));
    line("psci-unknown", psci(0x8400ff00u, 0));
    show("after-psci");
    exc_hook = 0;
    line("cpsr", get_cpsr());
    return 0;
}
