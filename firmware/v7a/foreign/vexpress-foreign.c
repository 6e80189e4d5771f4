/* A bare-metal test for QEMU vexpress-a9 in the outside style of foreign/virt-foreign.c: newlib
   printf over semihosting (rdimon crt0), VBAR vectors (vectors.S), GIC v1 read-back, A9 private timer / global timer comparator with
   auto-increment / watchdog in timer mode, SP804 periodic, one-shot and free-running, WFI idle. */
#include <stdio.h>
#include <stdint.h>
#include "heapinfo.h"

#define R32(a) (*(volatile uint32_t *)(a))
#define R8(a) (*(volatile uint8_t *)(a))
#define PERIPH 0x1e000000u
#define GICC (PERIPH + 0x100u)
#define GT (PERIPH + 0x200u)
#define TWD (PERIPH + 0x600u)
#define WDT (PERIPH + 0x620u)
#define GICD (PERIPH + 0x1000u)
#define SP01 0x10011000u
#define SP23 0x10012000u
#define SYSREG 0x10000000u

extern char vectors[];
static volatile uint32_t n_twd, n_gt, n_wdt, n_sp0, n_sp1, n_sp2, spurious, gt_cmp_lo[4];
static uint32_t irq_stack[512] __attribute__((aligned(8)));
static uint32_t abt_stack[256] __attribute__((aligned(8)));
static uint32_t und_stack[256] __attribute__((aligned(8)));
volatile uint32_t ex_lr, ex_spsr, ex_fsr, ex_far, ex_kind;
uint32_t pabt_resume;

void exc_record(uint32_t kind, uint32_t lr, uint32_t spsr)
{
    uint32_t fsr = 0, far = 0;
    if (kind == 3) { __asm__ volatile("mrc p15,0,%0,c5,c0,1" : "=r"(fsr)); __asm__ volatile("mrc p15,0,%0,c6,c0,2" : "=r"(far)); }
    if (kind == 4) { __asm__ volatile("mrc p15,0,%0,c5,c0,0" : "=r"(fsr)); __asm__ volatile("mrc p15,0,%0,c6,c0,0" : "=r"(far)); }
    ex_kind = kind; ex_lr = lr; ex_spsr = spsr; ex_fsr = fsr; ex_far = far;
}

void irq_dispatch(void)
{
    uint32_t iar = R32(GICC + 0x0c);
    uint32_t id = iar & 0x3ff;
    if (id == 1023) { spurious++; return; }
    switch (id) {
    case 29: n_twd++; R32(TWD + 0x0c) = 1; break;
    case 30: n_wdt++; R32(WDT + 0x0c) = 1; break;
    case 27:
        if (n_gt < 4) gt_cmp_lo[n_gt] = R32(GT + 0x10);
        n_gt++; R32(GT + 0x0c) = 1;
        if (n_gt == 6) R32(GT + 0x08) &= ~6u;
        break;
    case 34:
        if (R32(SP01 + 0x14)) { n_sp0++; R32(SP01 + 0x0c) = 1; }
        if (R32(SP01 + 0x34)) { n_sp1++; R32(SP01 + 0x2c) = 1; }
        break;
    case 35: n_sp2++; R32(SP23 + 0x0c) = 1; break;
    }
    R32(GICC + 0x10) = iar;
}

static void irq_on(void) { __asm__ volatile("cpsie i" ::: "memory"); }
static void irq_off(void) { __asm__ volatile("cpsid i" ::: "memory"); }

int main(void)
{
    printf("vexpress-foreign start\n");
    __asm__ volatile("mcr p15,0,%0,c12,c0,0; isb" :: "r"(vectors));
    __asm__ volatile("mrs r3, cpsr\n cps #0x12\n mov sp, %0\n cps #0x17\n mov sp, %1\n cps #0x1b\n mov sp, %2\n msr cpsr_c, r3"
                     :: "r"(irq_stack + 512), "r"(abt_stack + 256), "r"(und_stack + 256) : "r3", "memory");

    printf("GICD CTLR=%08lx TYPER=%08lx IIDR=%08lx\n", R32(GICD), R32(GICD + 4), R32(GICD + 8));
    for (int n = 0; n < 4; n++) printf("ICFGR%d=%08lx ", n, R32(GICD + 0xc00 + 4 * n));
    printf("\n");
    for (int n = 0; n < 9; n++) printf("ITARGETSR%d=%08lx ", n, R32(GICD + 0x800 + 4 * n));
    printf("\n");
    R32(GICD + 0x420) = 0xffffffffu; printf("IPRIORITYR8=%08lx\n", R32(GICD + 0x420));
    R32(GICD + 0x820) = 0xffffffffu; printf("ITARGETSR8=%08lx\n", R32(GICD + 0x820));
    R32(GICD + 0xc08) = 0xffffffffu; printf("ICFGR2=%08lx\n", R32(GICD + 0xc08));
    R32(GICD + 0xc08) = 0;
    printf("ISENABLER0=%08lx IGROUPR0=%08lx\n", R32(GICD + 0x100), R32(GICD + 0x80));
    R32(GICC + 4) = 0xff; printf("PMR=%08lx\n", R32(GICC + 4));
    R32(GICC + 8) = 0; printf("BPR0=%08lx\n", R32(GICC + 8));
    R32(GICC + 8) = 7; printf("BPR7=%08lx\n", R32(GICC + 8));
    printf("GICC CTLR=%08lx IIDR=%08lx RPR=%08lx HPPIR=%08lx IAR=%08lx\n", R32(GICC), R32(GICC + 0xfc), R32(GICC + 0x14), R32(GICC + 0x18), R32(GICC + 0x0c));
    for (unsigned off = 0xfd0; off < 0x1000; off += 4) printf("%02lx ", R32(GICD + off));
    printf("\n");
    printf("SCU CTRL=%08lx CFG=%08lx\n", R32(PERIPH), R32(PERIPH + 4));
    printf("TWD LOAD=%08lx CTL=%08lx WDT CTL=%08lx GT CTL=%08lx\n", R32(TWD), R32(TWD + 8), R32(WDT + 8), R32(GT + 8));
    printf("SP804 CTL=%08lx VAL=%08lx LOAD=%08lx RIS=%08lx\n", R32(SP01 + 8), R32(SP01 + 4), R32(SP01), R32(SP01 + 0x10));
    for (unsigned off = 0xfe0; off < 0x1000; off += 4) printf("%02lx ", R32(SP01 + off));
    printf("\n");
    printf("SYS_ID=%08lx SYS_PROCID0=%08lx\n", R32(SYSREG), R32(SYSREG + 0x84));

    R32(GICD) = 1; R32(GICC) = 1; R32(GICC + 4) = 0xf0;
    R8(GICD + 0x400 + 27) = 0x80; R8(GICD + 0x400 + 29) = 0x80; R8(GICD + 0x400 + 30) = 0x80;
    R8(GICD + 0x400 + 34) = 0x80; R8(GICD + 0x400 + 35) = 0x80;
    R8(GICD + 0x800 + 34) = 1; R8(GICD + 0x800 + 35) = 1;
    R32(GICD + 0x100) = (1u << 27) | (1u << 29) | (1u << 30);
    R32(GICD + 0x104) = (1u << 2) | (1u << 3);

    /* private timer: auto-reload, prescaler 1, 10 ticks */
    R32(TWD) = 20000; R32(TWD + 8) = (1u << 8) | 7;
    irq_on();
    while (n_twd < 10) __asm__ volatile("wfi");
    irq_off();
    R32(TWD + 8) = 0;
    printf("twd ticks=%lu counter=%08lx isr=%08lx\n", n_twd, R32(TWD + 4), R32(TWD + 0xc));

    /* watchdog in timer mode: one-shot (no auto-reload) then periodic */
    R32(WDT) = 30000; R32(WDT + 8) = 5;
    irq_on();
    while (n_wdt < 1) __asm__ volatile("wfi");
    irq_off();
    printf("wdt one-shot ticks=%lu counter=%08lx ctl=%08lx\n", n_wdt, R32(WDT + 4), R32(WDT + 8));
    R32(WDT) = 15000; R32(WDT + 8) = 7;
    irq_on();
    while (n_wdt < 5) __asm__ volatile("wfi");
    irq_off();
    R32(WDT + 8) = 0;
    printf("wdt ticks=%lu ctl=%08lx\n", n_wdt, R32(WDT + 8));

    /* global timer: comparator with auto-increment */
    uint32_t lo = R32(GT), hi = R32(GT + 4);
    R32(GT + 0x10) = lo + 50000; R32(GT + 0x14) = hi; R32(GT + 0x18) = 40000;
    R32(GT + 8) = 0xf;
    irq_on();
    while (n_gt < 6) __asm__ volatile("wfi");
    irq_off();
    printf("gt irqs=%lu inc=%08lx ctl=%08lx cmp-steps=%ld %ld %ld\n", n_gt, R32(GT + 0x18), R32(GT + 8),
           (long)(gt_cmp_lo[1] - gt_cmp_lo[0]), (long)(gt_cmp_lo[2] - gt_cmp_lo[1]), (long)(gt_cmp_lo[3] - gt_cmp_lo[2]));

    /* SP804: timer 0 periodic, timer 1 one-shot, timer 2 free-running 16-bit wrap */
    R32(SP01) = 500; R32(SP01 + 8) = 0xe2;
    R32(SP01 + 0x20) = 2000; R32(SP01 + 0x28) = 0xa3;
    R32(SP23) = 0xffff; R32(SP23 + 8) = 0xa0;  /* free-running 16-bit with IE */
    irq_on();
    while (n_sp0 < 8 || n_sp1 < 1) __asm__ volatile("wfi");
    irq_off();
    printf("sp804 t0=%lu t1=%lu t2=%lu t1val=%08lx t1ctl=%08lx t0ris=%08lx\n", n_sp0, n_sp1, n_sp2, R32(SP01 + 0x24), R32(SP01 + 0x28), R32(SP01 + 0x10));
    R32(SP01 + 0x18) = 100;
    printf("bgload: load=%08lx\n", R32(SP01));
    R32(SP01 + 8) = 0; R32(SP01 + 0x28) = 0; R32(SP23 + 8) = 0;
    printf("spurious=%lu\n", spurious);

    uint32_t heap[4];
    semihosting_heapinfo(heap);
    printf("heapinfo %08lx %08lx %08lx %08lx\n", heap[0], heap[1], heap[2], heap[3]);
    /* data abort on an unmapped-by-board address: vexpress ignores bus errors */
    ex_kind = 0;
    uint32_t v = R32(0x10080000u);
    printf("unassigned read %08lx kind=%lu\n", v, ex_kind);
    printf("done\n");
    return 9;
}
