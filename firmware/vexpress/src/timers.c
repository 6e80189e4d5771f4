/*
 * vexpress-a9 interrupts and timers: the GIC v1 delivering the A9 MPCore private timer (PPI 29),
 * its watchdog-as-timer (PPI 30), the global timer with comparator and auto-increment (PPI 27),
 * the three SP804 dual timers (SPI 2, 3, 48) in periodic, one-shot and free-running modes with the
 * three prescalers, and PL011 TX interrupts; the CPU idles in WFI between interrupts. Counter values
 * read inside the handlers and the system registers' 24 MHz counter show exact timing.
 */
#include "vexpress.h"

#define MAX_LOG 64
static volatile uint32_t log_id[MAX_LOG], log_val[MAX_LOG];
static volatile unsigned nlog;
static volatile unsigned count[96];
static volatile uint32_t stop_after_ids;

static void log_irq(uint32_t id, uint32_t v)
{
    if (nlog < MAX_LOG) {
        log_id[nlog] = id;
        log_val[nlog] = v;
    }
    nlog++;
}

static int irq_hook(int kind, struct exc_frame *f)
{
    if (kind != EXC_IRQ) return 0;
    for (;;) {
        uint32_t iar = gic_ack();
        uint32_t id = iar & 0x3ff;
        if (id >= 1020) break;
        count[id]++;
        uint32_t v = 0;
        switch (id) {
        case ID_TWD:
            v = REG32(TWD + 4);
            REG32(TWD + 12) = 1;
            if (count[id] >= 3) REG32(TWD + 8) = 0;
            break;
        case ID_WDT:
            v = REG32(WDT + 4);
            REG32(WDT + 12) = 1;
            if (count[id] >= 2) REG32(WDT + 8) = 0;
            break;
        case ID_GTIMER:
            v = REG32(GTIMER + 0x00) ^ REG32(GTIMER + 0x10);
            REG32(GTIMER + 0x0c) = 1;
            if (count[id] >= 4) REG32(GTIMER + 0x08) = REG32(GTIMER + 0x08) & ~6u;
            break;
        case ID_TIMER01:
        case ID_TIMER23:
        case ID_TIMERDB: {
            uint32_t base = id == ID_TIMER01 ? TIMER01 : id == ID_TIMER23 ? TIMER23 : TIMER_DB;
            v = (REG32(base + 0x14) << 16) | (REG32(base + 0x34) << 8) | (REG32(base + 0x04) & 0xff);
            if (REG32(base + 0x14)) REG32(base + 0x0c) = 1;
            if (REG32(base + 0x34)) REG32(base + 0x2c) = 1;
            if (count[id] >= 3) {
                REG32(base + 0x08) = 0;
                REG32(base + 0x28) = 0;
            }
            break;
        }
        case ID_UART0:
            v = REG32(UART(0) + 0x40);  /* MIS */
            REG32(UART(0) + 0x44) = 0x7ff;
            if (count[id] >= 5) REG32(UART(0) + 0x38) = 0;
            break;
        default:
            break;
        }
        log_irq(iar, v);
        gic_eoi(iar);
    }
    (void)f;
    return 1;
}

static void show_log(const char *label)
{
    put_str(label);
    put_kv("n", nlog);
    put_nl();
    for (unsigned i = 0; i < nlog && i < MAX_LOG; i++) {
        put_str(" irq");
        put_kv("iar", log_id[i]);
        put_kv("v", log_val[i]);
        put_nl();
    }
    nlog = 0;
}

static void wait_irqs(unsigned id, unsigned n)
{
    unsigned guard = 0;
    while (count[id] < n && guard++ < 100000) wfi();
}

static uint32_t counter24(void) { return REG32(SYSREGS + 0x5c); }

static void sp804_run(uint32_t base, unsigned module, uint32_t load, uint32_t ctrl)
{
    uint32_t m = base + 0x20 * module;
    REG32(m + 0x08) = 0;
    REG32(m + 0x00) = load;
    REG32(m + 0x08) = ctrl;
}

int main(void)
{
    exc_hook = irq_hook;
    gic_init();
    for (unsigned id = 27; id <= 30; id++) gic_enable(id, 0x80);
    gic_enable(ID_TIMER01, 0x40);
    gic_enable(ID_TIMER23, 0x48);
    gic_enable(ID_TIMERDB, 0x50);
    gic_enable(ID_UART0, 0x60);
    irq_enable();

    uint32_t t0 = counter24();
    /* Private timer: periodic, auto-reload, prescaler 0 then 4. */
    REG32(TWD + 0) = 5000;
    REG32(TWD + 8) = 7;
    line("twd-count0", REG32(TWD + 4));
    wait_irqs(ID_TWD, 3);
    show_log("twd-periodic");
    line("twd-ctrl", REG32(TWD + 8));
    line("twd-load", REG32(TWD + 0));
    count[ID_TWD] = 0;
    REG32(TWD + 0) = 700;
    REG32(TWD + 8) = (4u << 8) | 5;  /* one-shot, prescaler 4, IRQ */
    line("twd-oneshot-count", REG32(TWD + 4));
    wait_irqs(ID_TWD, 1);
    line("twd-after", REG32(TWD + 4));
    REG32(TWD + 8) = 0;
    show_log("twd-oneshot");
    /* Counter written while running (periodic, load 0 + prescaler: QEMU's special cases). */
    REG32(TWD + 0) = 0;
    REG32(TWD + 8) = (2u << 8) | 3;
    REG32(TWD + 4) = 900;
    line("twd-cnt-w", REG32(TWD + 4));
    REG32(TWD + 8) = 0;
    line("twd-status", REG32(TWD + 12));
    REG32(TWD + 12) = 1;

    /* Watchdog block (a second private timer in QEMU). */
    REG32(WDT + 0) = 3000;
    REG32(WDT + 8) = (1u << 8) | 7;
    wait_irqs(ID_WDT, 2);
    show_log("wdt");

    /* Global timer: comparator with auto-increment. */
    line("gt-ctrl0", REG32(GTIMER + 0x08));
    uint32_t gt_lo = REG32(GTIMER + 0x00), gt_hi = REG32(GTIMER + 0x04);
    line("gt-running-before-enable", gt_lo != 0 || gt_hi != 0);
    REG32(GTIMER + 0x00) = 0x100;
    REG32(GTIMER + 0x04) = 0;
    REG32(GTIMER + 0x08) = (1u << 8) | 1;  /* enable, prescaler 1 */
    uint32_t now = REG32(GTIMER + 0x00);
    REG32(GTIMER + 0x10) = now + 3000;
    REG32(GTIMER + 0x14) = REG32(GTIMER + 0x04);
    REG32(GTIMER + 0x18) = 2500;
    REG32(GTIMER + 0x08) = (1u << 8) | 0xf;
    wait_irqs(ID_GTIMER, 4);
    show_log("gtimer");
    line("gt-cmp-lo", REG32(GTIMER + 0x10) - now);
    line("gt-inc", REG32(GTIMER + 0x18));
    line("gt-status", REG32(GTIMER + 0x0c));
    REG32(GTIMER + 0x08) = 0;
    line("gt-stopped-delta", REG32(GTIMER + 0x00) - REG32(GTIMER + 0x00));

    /* SP804s: periodic 32-bit /1, one-shot 16-bit /16, periodic /256, free-running. */
    sp804_run(TIMER01, 0, 2000, 0x80 | 0x40 | 0x20 | 0x02);
    sp804_run(TIMER01, 1, 30, 0x80 | 0x20 | 0x01 | 0x04);
    line("sp0-value", REG32(TIMER01 + 0x04));
    line("sp0-ctrl", REG32(TIMER01 + 0x08));
    wait_irqs(ID_TIMER01, 3);
    show_log("sp804-0");
    line("sp0-ris", REG32(TIMER01 + 0x10) | (REG32(TIMER01 + 0x30) << 4));
    sp804_run(TIMER23, 0, 3, 0x80 | 0x40 | 0x20 | 0x08 | 0x02);
    sp804_run(TIMER23, 1, 0, 0x80 | 0x02);  /* free-running 32-bit, no interrupt */
    wait_irqs(ID_TIMER23, 3);
    show_log("sp804-1");
    line("sp1-free", REG32(TIMER23 + 0x24));
    REG32(TIMER23 + 0x28) = 0;
    sp804_run(TIMER_DB, 0, 1000, 0x80 | 0x40 | 0x20);  /* 16-bit periodic */
    REG32(TIMER_DB + 0x18) = 1500;                     /* BGLoad: next period */
    wait_irqs(ID_TIMERDB, 3);
    show_log("sp804-db");
    line("db-bgload", REG32(TIMER_DB + 0x18));
    /* Masked interrupt: RIS set, MIS clear, no IRQ. */
    sp804_run(TIMER01, 0, 50, 0x80 | 0x01 | 0x02);
    for (volatile int i = 0; i < 30000; i++) {}
    line("sp0-ris-masked", REG32(TIMER01 + 0x10));
    line("sp0-mis-masked", REG32(TIMER01 + 0x14));
    REG32(TIMER01 + 0x0c) = 1;
    line("sp0-ris-cleared", REG32(TIMER01 + 0x10));

    /* UART0 TX interrupts: one per character written (QEMU's PL011). */
    REG32(UART(0) + 0x38) = 0x20;
    uart_puts("tx irq test\n");
    wait_irqs(ID_UART0, 5);
    show_log("uart-tx");

    /* Priority masking: PMR below the priority holds an SPI pending. */
    REG32(GICC + 0x04) = 0x40;
    sp804_run(TIMER01, 0, 100, 0x80 | 0x20 | 0x01);
    for (volatile int i = 0; i < 40000; i++) {}
    line("hppir-masked", REG32(GICC + 0x18));
    line("ispendr1", REG32(GICD + 0x204));
    REG32(GICC + 0x04) = 0xff;
    line("after-unmask", count[ID_TIMER01]);
    show_log("unmask");
    /* Software-generated interrupt. */
    gic_enable(5, 0x10);
    REG32(GICD + 0xf00) = (2u << 24) | 5;
    line("sgi", count[5]);
    show_log("sgi");

    uint32_t t1 = counter24();
    line("elapsed24", t1 - t0);
    line("100hz", REG32(SYSREGS + 0x24));
    /* A long idle: WFI until the private timer fires after ~2 ms of virtual time. */
    count[ID_TWD] = 0;
    REG32(TWD + 0) = 200000;
    REG32(TWD + 8) = 5;
    uint32_t before = counter24();
    wait_irqs(ID_TWD, 1);
    line("idle24", counter24() - before);
    show_log("idle");
    return 0;
}
