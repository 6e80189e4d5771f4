/*
 * A timer interrupt and a prefetch abort at the same instruction boundary: which does the core
 * take first? QEMU 7.2 looks the next block up right after a block that ends in a branch or a
 * fall-through (goto_tb/lookup_and_goto_ptr) and takes the fetch's prefetch abort there, before
 * its loop checks interrupts; after an exception return, a CPSR or coprocessor write (exit_tb) it
 * checks interrupts first. For each case of cases.S and each sled length d (the timer expiring
 * one instruction earlier relative to the case per step), one line: the exceptions in the order
 * taken, each with its address (IRQ: where it returns to; prefetch abort: IFAR).
 * Build with -DVEXPRESS for vexpress-a9 (TWD, GIC v1 at 0x1e000000), else for virt (virtual
 * generic timer, GICv2 at 0x08000000). Output through semihosting.
 */
#include "rt.h"
#include "mmu.h"
#ifdef VEXPRESS
#include "vexpress.h"
#define RAM_BASE 0x60000000u
#define DEVICE_MB_FIRST 0x100u
#define DEVICE_MB_END 0x200u
/* TWD at prescaler 0 counts every 10 ns: ten instructions per count at icount shift 0. */
#define TIMER_COUNT 4u
static void timer_init(void) { gic_init(); gic_enable(ID_TWD, 0x80); }
static void timer_arm(uint32_t n) { REG32(TWD + 0x00) = n; REG32(TWD + 0x08) = 5; }
static uint32_t timer_ack(void) { uint32_t iar = gic_ack(); REG32(TWD + 0x08) = 0; REG32(TWD + 0x0c) = 1; return iar; }
#else
#include "gic.h"
#define RAM_BASE 0x40000000u
#define DEVICE_MB_FIRST 0x080u
#define DEVICE_MB_END 0x0c0u
/* The generic timer's 62.5 MHz: one tick per instruction at icount shift 4. */
#define TIMER_COUNT 43u
static void timer_init(void) { gic_init(); gic_enable_irq(PPI_VTIMER, 0x80); }
static void timer_arm(uint32_t n) { cntv_tval(n); cntv_ctl(1); }
static uint32_t timer_ack(void) { uint32_t iar = REG32(GICC_IAR); cntv_ctl(0); return iar; }
static void gic_eoi(uint32_t iar) { REG32(GICC_EOIR) = iar; }
#endif

#define WINDOW 0xa0000000u
#define SWEEP 32
#define SECT(pa, attr) (((pa) & 0xfff00000u) | 2u | (3u << 10) | (attr))
#define NORMAL ((1u << 12) | (1u << 3) | (1u << 2))
#define DEVICE_XN ((1u << 2) | (1u << 4))
#define COARSE(l2) (((l2) & 0xfffffc00u) | 1u)
#define SMALL(pa) (((pa) & 0xfffff000u) | 2u | (3u << 4) | (1u << 3) | (1u << 2))

void run_case(uint32_t entry, uint32_t d);
extern char case_done[];
#define CASE(n) extern char case_##n##_page[], case_##n[];
CASE(b) CASE(fall) CASE(bx) CASE(ldrpc) CASE(tbl) CASE(tfall) CASE(rfe) CASE(msr) CASE(mcr) CASE(near)
#define DEF(n, thumb) { #n, case_##n##_page, case_##n, thumb }
static const struct { const char *name; const char *page, *entry; int thumb; } cases[] = {
    DEF(b, 0), DEF(fall, 0), DEF(bx, 0), DEF(ldrpc, 0), DEF(tbl, 1), DEF(tfall, 1),
    DEF(rfe, 0), DEF(msr, 0), DEF(mcr, 0), DEF(near, 0),
};
#define NCASES (sizeof cases / sizeof cases[0])

volatile uint32_t irq_count;
static volatile uint32_t n_events;
static volatile char ev_kind[4];
static volatile uint32_t ev_addr[4];

static void record(char kind, uint32_t addr)
{
    uint32_t n = n_events;
    if (n < 4) { ev_kind[n] = kind; ev_addr[n] = addr; n_events = n + 1; }
}

static int hook(int kind, struct exc_frame *f)
{
    if (kind == EXC_IRQ) {
        gic_eoi(timer_ack());
        record('I', f->lr);
        irq_count = irq_count + 1;
        return 1;
    }
    if (kind == EXC_PABT) {
        record('P', MRC(0, 6, 0, 2));
        /* Resume at case_done in A32, in the interrupted mode, interrupts as they were. */
        f->lr = (uint32_t)case_done;
        f->spsr &= ~(0x20u | 0x0600fc00u);
        return 1;
    }
    return 0;
}

static void map(void)
{
    uint32_t *l1 = (uint32_t *)__free_start;
    uint32_t *l2 = (uint32_t *)(__free_start + 0x4000);
    for (int i = 0; i < 4096; i++) l1[i] = 0;
    for (int i = 0; i < 256; i++) l2[i] = 0;
    for (uint32_t mb = 0; mb < 128; mb++) l1[(RAM_BASE >> 20) + mb] = SECT(RAM_BASE + (mb << 20), NORMAL);
    for (uint32_t mb = DEVICE_MB_FIRST; mb < DEVICE_MB_END; mb++) l1[mb] = SECT(mb << 20, DEVICE_XN);
    l1[WINDOW >> 20] = COARSE((uint32_t)l2);
    /* case k at window page 2k; page 2k + 1 stays unmapped (translation fault) */
    for (uint32_t k = 0; k < NCASES; k++) l2[2 * k] = SMALL((uint32_t)cases[k].page);
    MCR(0, 2, 0, 2, 0);
    MCR(0, 2, 0, 0, (uint32_t)l1 | 0x4a);
    MCR(0, 3, 0, 0, 0x55555555u);
    tlbiall();
    sctlr_set(sctlr_get() | SCTLR_M);
}

int main(void)
{
    exc_hook = hook;
    map();
    timer_init();
    for (uint32_t k = 0; k < NCASES; k++) {
        uint32_t entry = WINDOW + 0x2000u * k + (uint32_t)(cases[k].entry - cases[k].page) + (uint32_t)cases[k].thumb;
        for (uint32_t d = 0; d < SWEEP; d++) {
            n_events = 0;
            irq_count = 0;
            irq_enable();
            timer_arm(TIMER_COUNT);
            run_case(entry, d);
            irq_disable();
            put_str(cases[k].name);
            put_kv("d", d);
            for (uint32_t i = 0; i < n_events; i++) {
                char k2[2] = { ev_kind[i], 0 };
                put_str(" ");
                put_str(k2);
                put_hex(ev_addr[i]);
            }
            put_nl();
        }
    }
    return 0;
}
