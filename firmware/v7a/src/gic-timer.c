/*
 * GICv2 and the generic timer on virt: physical and virtual timers (TVAL and CVAL, ISTATUS/IMASK,
 * PPIs 30 and 27), counters, SGIs to self, SPIs made pending by software, priority order, the
 * running priority, preemption of a low-priority handler, PMR masking and HPPIR, group 0 as FIQ
 * (FIQEn), active state, and WFI idling until timer interrupts (virtual time, so the counter values
 * printed depend on -icount shift only).
 */
#include "gic.h"

#define MAX_LOG 64
static volatile uint32_t log_ids[MAX_LOG];
static volatile unsigned log_n;
static volatile unsigned timer_ticks, vtimer_ticks, nest_depth, max_nest;
static volatile uint32_t rpr_seen[8];

static void log_id(uint32_t v) { if (log_n < MAX_LOG) log_ids[log_n++] = v; }

static void dump_log(const char *label)
{
    put_str(label); put_kv("n", log_n);
    for (unsigned i = 0; i < log_n; i++) { put_str(" "); put_hex(log_ids[i]); }
    put_nl();
    log_n = 0;
}

static int irq_hook(int kind, struct exc_frame *f)
{
    if (kind != EXC_IRQ && kind != EXC_FIQ) return 0;
    uint32_t iar = REG32(GICC_IAR);
    uint32_t id = iar & 0x3ff;
    log_id((kind == EXC_FIQ ? 0x80000000u : 0) | iar);
    if (id == 1023) return 1;
    unsigned depth = ++nest_depth;
    if (depth > max_nest) max_nest = depth;
    if (depth < 8) rpr_seen[depth] = REG32(GICC_RPR);
    if (id == PPI_PTIMER) {
        timer_ticks++;
        if (timer_ticks < 5) cntp_tval(2000 + 500 * timer_ticks);
        else cntp_ctl(0);
    } else if (id == PPI_VTIMER) {
        vtimer_ticks++;
        cntv_ctl(3);   /* masked: the level drops */
    } else if (id == 40) {
        /* low priority: let a higher one in while we run */
        gic_set_pending(41);
        gic_set_pending(42);   /* same priority as us: must wait */
        irq_enable();
        for (volatile int i = 0; i < 50; i++) {}
        irq_disable();
        log_id(0x4000 | REG32(GICD_ISACTIVER(1)));
    }
    nest_depth--;
    REG32(GICC_EOIR) = iar;
    return 1;
}

static void ids(void)
{
    line("gicd-typer", REG32(GICD_TYPER));
    line("gicd-iidr", REG32(GICD_IIDR));
    line("gicc-iidr", REG32(GICC_IIDR));
    line("gicd-ctlr", REG32(GICD_CTLR));
    line("icfgr1", REG32(GICD_ICFGR(1)));
    line("itargetsr0", REG32(GICD_ITARGETSR(0)));
    REG8(GICD_IPRIORITYR(40)) = 0xff;
    line("priority-bits", REG8(GICD_IPRIORITYR(40)));
    REG8(GICD_IPRIORITYR(40)) = 0;
    line("cntfrq", cntfrq());
    line("cntkctl", MRC(0, 14, 1, 0));
}

static void physical_timer(void)
{
    uint64_t t0 = cntpct();
    timer_ticks = 0;
    gic_enable_irq(PPI_PTIMER, 0x80);
    cntp_tval(1000);
    cntp_ctl(1);
    irq_enable();
    unsigned wfis = 0;
    while (timer_ticks < 5) { wfi(); wfis++; }
    irq_disable();
    uint64_t t1 = cntpct();
    dump_log("ptimer-irqs");
    line("ptimer-ticks", timer_ticks);
    line("ptimer-wfis", wfis);
    line("ptimer-elapsed", (uint32_t)(t1 - t0));
    line("ptimer-ctl", cntp_ctl_get());
    /* CVAL in the past: ISTATUS at once; IMASK keeps the line low */
    cntp_cval(cntpct() - 10);
    cntp_ctl(3);
    line("ptimer-ctl-masked-fired", cntp_ctl_get());
    line("ptimer-pending", REG32(GICD_ISPENDR(0)) >> 30 & 1);
    cntp_ctl(0);
    gic_disable_irq(PPI_PTIMER);
}

static void virtual_timer(void)
{
    uint64_t v0 = cntvct(), p0 = cntpct();
    line("cntvct-cntpct", (uint32_t)(p0 - v0));
    vtimer_ticks = 0;
    gic_enable_irq(PPI_VTIMER, 0x90);
    cntv_cval(cntvct() + 3000);
    cntv_ctl(1);
    irq_enable();
    while (vtimer_ticks < 1) wfi();
    irq_disable();
    dump_log("vtimer-irqs");
    line("vtimer-ctl", cntv_ctl_get());
    line("vtimer-late", (uint32_t)(cntvct() - v0) >= 3000);
    cntv_ctl(0);
    gic_disable_irq(PPI_VTIMER);
}

static void sgis(void)
{
    for (unsigned id = 0; id < 16; id += 5) gic_enable_irq(id, 0x10 * (id + 1));
    irq_disable();
    for (unsigned id = 0; id < 16; id += 5) REG32(GICD_SGIR) = (2u << 24) | id;   /* to self */
    line("sgi-pending0", REG32(GICD_ISPENDR(0)));
    line("sgi-hppir", REG32(GICC_HPPIR));
    irq_enable();
    for (volatile int i = 0; i < 20; i++) {}
    irq_disable();
    dump_log("sgi-order");
    /* target list filter 0 with CPU 0 in the list */
    REG32(GICD_SGIR) = (0u << 24) | (1u << 16) | 10;
    irq_enable();
    for (volatile int i = 0; i < 20; i++) {}
    irq_disable();
    dump_log("sgi-list");
    for (unsigned id = 0; id < 16; id += 5) gic_disable_irq(id);
}

static void priorities_and_preemption(void)
{
    /* pending SPIs with different priorities are taken highest first */
    static const uint8_t prio[] = { 0xa0, 0x40, 0xa0, 0x20, 0xc0 };
    for (unsigned i = 0; i < 5; i++) gic_enable_irq(43 + i, prio[i]);
    for (unsigned i = 0; i < 5; i++) gic_set_pending(43 + i);
    line("spi-pending1", REG32(GICD_ISPENDR(1)));
    line("spi-hppir", REG32(GICC_HPPIR));
    /* PMR masks priorities >= its value: HPPIR then reads 1023 (QEMU) */
    REG32(GICC_PMR) = 0x20;
    line("pmr-hppir", REG32(GICC_HPPIR));
    line("pmr-iar", REG32(GICC_IAR));
    REG32(GICC_PMR) = 0xff;
    irq_enable();
    for (volatile int i = 0; i < 20; i++) {}
    irq_disable();
    dump_log("spi-order");
    for (unsigned i = 0; i < 5; i++) gic_disable_irq(43 + i);
    /* preemption: 40 (0xa0) runs, makes 41 (0x40) and 42 (0xa0) pending, unmasks */
    max_nest = 0;
    gic_enable_irq(40, 0xa0);
    gic_enable_irq(41, 0x40);
    gic_enable_irq(42, 0xa0);
    gic_set_pending(40);
    irq_enable();
    for (volatile int i = 0; i < 100; i++) {}
    irq_disable();
    dump_log("preempt-order");
    line("max-nest", max_nest);
    line("rpr1", rpr_seen[1]);
    line("rpr2", rpr_seen[2]);
    line("rpr-idle", REG32(GICC_RPR));
    /* binary point: with BPR = 7 no preemption at all */
    REG32(GICC_BPR) = 7;
    max_nest = 0;
    gic_set_pending(40);
    irq_enable();
    for (volatile int i = 0; i < 100; i++) {}
    irq_disable();
    dump_log("bpr7-order");
    line("bpr7-max-nest", max_nest);
    REG32(GICC_BPR) = 0;
    for (unsigned i = 40; i < 43; i++) gic_disable_irq(i);
}

static void fiq(void)
{
    /* FIQEn: group 0 (SGI 3, SPI 50) arrives as FIQ; SPI 51 in group 1 as IRQ, acked with AckCtl */
    REG32(GICD_IGROUPR(1)) |= 1u << (51 - 32);
    REG32(GICC_CTLR) = 3 | (1u << 2) | (1u << 3);
    gic_enable_irq(3, 0x30);
    gic_enable_irq(50, 0x50);
    gic_enable_irq(51, 0x10);
    REG32(GICD_SGIR) = (2u << 24) | 3;
    gic_set_pending(50);
    gic_set_pending(51);
    line("fiq-hppir", REG32(GICC_HPPIR));
    fiq_enable();
    for (volatile int i = 0; i < 50; i++) {}
    irq_enable();
    for (volatile int i = 0; i < 50; i++) {}
    irq_disable();
    fiq_disable();
    dump_log("fiq-order");
    line("igroupr1", REG32(GICD_IGROUPR(1)));
    line("gicc-ctlr", REG32(GICC_CTLR));
    REG32(GICD_IGROUPR(1)) = 0;
    REG32(GICC_CTLR) = 3;
    gic_disable_irq(3); gic_disable_irq(50); gic_disable_irq(51);
}

static void wfi_idle(void)
{
    /* long sleeps: virtual time jumps to the timer deadline */
    timer_ticks = 0;
    gic_enable_irq(PPI_PTIMER, 0x80);
    uint64_t t0 = cntpct();
    cntp_tval(625000);     /* 10 ms at 62.5 MHz */
    cntp_ctl(1);
    irq_enable();
    unsigned wfis = 0;
    while (timer_ticks < 5) { wfi(); wfis++; }
    irq_disable();
    uint64_t t1 = cntpct();
    cntp_ctl(0);
    log_n = 0;
    line("idle-wfis", wfis);
    line("idle-elapsed-ge", (uint32_t)(t1 - t0) >= 625000u + 4 * 2000u);
    line("idle-elapsed", (uint32_t)(t1 - t0));
}

int main(void)
{
#ifdef __thumb__
    put_str("gic-timer t32\n");
#else
    put_str("gic-timer a32\n");
#endif
    exc_hook = irq_hook;
    gic_init();
    ids();
    physical_timer();
    virtual_timer();
    sgis();
    priorities_and_preemption();
    fiq();
    wfi_idle();
    return 0;
}
