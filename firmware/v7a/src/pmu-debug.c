/*
 * The PMU overflow interrupt on virt (PPI 7 = INTID 23, level) and what QEMU's -kernel ELF boot
 * leaves in memory. The cycle counter (1 GHz of virtual time) is started just below its wrap and
 * the program spins without touching a PMU register, or sleeps in WFI: the interrupt must come at
 * the instruction QEMU's pmu_timer makes it come at (the loop count and PMCCNTR read in the
 * handler are printed). An INST_RETIRED counter's overflow, by contrast, is only seen at the next
 * PMU access on QEMU (its timer fires one count early). Then the device tree QEMU put at the
 * start of flash (this ELF covers the start of RAM): magic, size and a hash of its first words.
 */
#include "gic.h"

#define PPI_PMU 23

static volatile unsigned pmu_irqs;
static volatile uint32_t irq_ovs, irq_ccnt, irq_iar;

static inline uint32_t pmovsr(void) { return MRC(0, 9, 12, 3); }
static inline uint32_t pmccntr(void) { return MRC(0, 9, 13, 0); }

static int irq_hook(int kind, struct exc_frame *f)
{
    if (kind != EXC_IRQ) return 0;
    uint32_t iar = REG32(GICC_IAR);
    if ((iar & 0x3ff) == 1023) return 1;
    irq_iar = iar;
    irq_ccnt = pmccntr();
    irq_ovs = pmovsr();
    MCR(0, 9, 12, 3, irq_ovs);      /* PMOVSR: write 1 to clear, the line drops */
    pmu_irqs++;
    REG32(GICC_EOIR) = iar;
    return 1;
}

static void cycle_overflow_spin(void)
{
    pmu_irqs = 0;
    MCR(0, 9, 12, 0, 1);            /* PMCR.E */
    MCR(0, 9, 13, 0, 0xffffffffu - 3000);
    MCR(0, 9, 14, 1, 1u << 31);     /* PMINTENSET C */
    MCR(0, 9, 12, 1, 1u << 31);     /* PMCNTENSET C */
    irq_enable();
    volatile unsigned n = 0;
    while (pmu_irqs == 0 && n < 100000) n++;
    irq_disable();
    line("spin-irqs", pmu_irqs);
    line("spin-loops", n);
    line("spin-iar", irq_iar);
    line("spin-ovs", irq_ovs);
    line("spin-ccnt", irq_ccnt);
    line("spin-ovs-after", pmovsr());
    line("gic-pending-after", REG32(GICD_ISPENDR(0)) >> PPI_PMU & 1);
}

static void cycle_overflow_wfi(void)
{
    pmu_irqs = 0;
    MCR(0, 9, 13, 0, 0xffffffffu - 200000);
    irq_enable();
    unsigned wfis = 0;
    while (pmu_irqs == 0 && wfis < 10) { __asm__ volatile("wfi"); wfis++; }
    irq_disable();
    line("wfi-irqs", pmu_irqs);
    line("wfi-count", wfis);
    line("wfi-ccnt", irq_ccnt);
    MCR(0, 9, 12, 2, 1u << 31);     /* PMCNTENCLR C */
    MCR(0, 9, 14, 2, 1u << 31);     /* PMINTENCLR C */
}

static void overflow_without_interrupt_enable(void)
{
    /* Overflow with PMINTEN clear: PMOVSR set, no interrupt; setting PMINTEN then raises it. */
    pmu_irqs = 0;
    MCR(0, 9, 13, 0, 0xffffffffu - 500);
    MCR(0, 9, 12, 1, 1u << 31);
    for (volatile int i = 0; i < 400; i++) {}
    line("noint-ovs", pmovsr());
    irq_enable();
    for (volatile int i = 0; i < 20; i++) {}
    line("noint-irqs", pmu_irqs);
    MCR(0, 9, 14, 1, 1u << 31);
    for (volatile int i = 0; i < 20; i++) {}
    irq_disable();
    line("noint-irqs-after-inten", pmu_irqs);
    MCR(0, 9, 12, 2, 1u << 31);
    MCR(0, 9, 14, 2, 1u << 31);
}

static void event_overflow(void)
{
    pmu_irqs = 0;
    MCR(0, 9, 12, 5, 0);            /* PMSELR = counter 0 */
    MCR(0, 9, 13, 1, 0x08);         /* INST_RETIRED */
    MCR(0, 9, 13, 2, 0xffffffffu - 1000);
    MCR(0, 9, 14, 1, 1u);
    MCR(0, 9, 12, 1, 1u);
    irq_enable();
    volatile unsigned n = 0;
    while (pmu_irqs == 0 && n < 2000) n++;
    unsigned before_access = pmu_irqs;
    uint32_t ovs = pmovsr();        /* a PMU access: the overflow is found now */
    for (volatile int i = 0; i < 20; i++) {}
    irq_disable();
    line("event-irqs-before-access", before_access);
    line("event-loops", n);
    line("event-ovs", ovs);
    line("event-irqs", pmu_irqs);
    MCR(0, 9, 12, 2, 1u);
    MCR(0, 9, 14, 2, 1u);
    MCR(0, 9, 12, 0, 0);
}

static void boot_memory(void)
{
    /* The device tree header (big-endian): magic 0xd00dfeed, totalsize, the offsets and sizes of
       its blocks; the rest holds QEMU's random seeds. Then the memory node's reg cells. */
    for (unsigned i = 0; i < 10; i++) { put_str("dtb-header"); put_kv("i", i); put_kv("v", REG32(4 * i)); put_nl(); }
    line("ram-word0", REG32(0x40000000));
}

int main(void)
{
#ifdef __thumb__
    put_str("pmu-debug t32\n");
#else
    put_str("pmu-debug a32\n");
#endif
    exc_hook = irq_hook;
    gic_init();
    gic_enable_irq(PPI_PMU, 0x80);
    line("icfgr0-pmu", REG32(GICD_ICFGR(1)) >> 14 & 3);
    cycle_overflow_spin();
    cycle_overflow_wfi();
    overflow_without_interrupt_enable();
    event_overflow();
    boot_memory();
    return 0;
}
