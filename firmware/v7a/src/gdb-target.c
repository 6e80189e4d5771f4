/*
 * Target for the gdb tests on virt (test/integration/gdb-v7a.test.ts): the MMU on with RAM and
 * devices mapped flat plus a window at VA 0x80000000 onto a RAM buffer elsewhere (a non-identity
 * mapping, so gdb's virtual addresses differ from the physical ones `monitor phys` reads), generic
 * timer interrupts ticking while the main loop stores to a variable through that window, an SVC,
 * and a known value in d0. The window is moved to a second buffer half-way, so a watchpoint at the
 * virtual address has to follow the translation.
 */
#include "gic.h"
#include "mmu.h"

#define WINDOW_VA  0x80000000u
#define NORMAL     ((1u << 12) | (1u << 3) | (1u << 2))
#define DEVICE     (1u << 2)
#define SECT(pa, attr) (((pa) & 0xfff00000u) | 2u | (3u << 10) | (attr))

#define ROUNDS 8

static uint32_t *l1;
volatile uint32_t window_pa, window2_pa;
/* The variable gdb watches, seen through the window. */
#define shared (*(volatile uint32_t *)(WINDOW_VA + 0x10))
volatile unsigned ticks, svcs;
volatile uint32_t last_round;

static int hook(int kind, struct exc_frame *f)
{
    if (kind == EXC_SVC) {
        svcs++;
        return 1;
    }
    if (kind != EXC_IRQ) return 0;
    uint32_t iar = REG32(GICC_IAR);
    if ((iar & 0x3ff) == PPI_PTIMER) {
        ticks++;
        cntp_tval(150);
    }
    REG32(GICC_EOIR) = iar;
    return 1;
}

static void map_window(uint32_t pa)
{
    l1[WINDOW_VA >> 20] = SECT(pa, NORMAL);
    tlbiall();
}

/* One round of work: gdb breaks here and watches `shared`. */
__attribute__((noinline)) void round_step(uint32_t i)
{
    last_round = i;
    shared = i * 3 + 1;
    __asm__ volatile("svc #0x42" ::: "memory");
}

static void put_d0(void)
{
    uint32_t lo = 0x54442d18u, hi = 0x400921fbu;   /* pi as a double */
    __asm__ volatile(FPU "vmov d0, %0, %1\n\tvmov.i32 q1, #0x11\n\tvmov s9, %0" :: "r"(lo), "r"(hi) : "d0", "d2", "d3", "d4");
}

int main(void)
{
    l1 = (uint32_t *)(((uint32_t)__free_start + 0x3fff) & ~0x3fffu);
    window_pa = ((uint32_t)l1 + 0x100000) & ~0xfffffu;
    window2_pa = window_pa + 0x100000;
    for (int i = 0; i < 4096; i++) l1[i] = 0;
    for (uint32_t mb = 0; mb < 128; mb++) l1[(0x40000000u >> 20) + mb] = SECT(0x40000000u + (mb << 20), NORMAL);
    for (uint32_t mb = 0x080; mb < 0x0c0; mb++) l1[mb] = SECT(mb << 20, DEVICE | (1u << 4));
    REG32(window_pa + 0x10) = 0;
    REG32(window2_pa + 0x10) = 0;
    MCR(0, 2, 0, 2, 0);
    MCR(0, 2, 0, 0, (uint32_t)l1 | 0x4a);
    MCR(0, 3, 0, 0, 0x55555555u);
    map_window(window_pa);
    sctlr_set(sctlr_get() | SCTLR_M);

    exc_hook = hook;
    gic_init();
    gic_enable_irq(PPI_PTIMER, 0x80);
    cntp_tval(200);
    cntp_ctl(1);
    irq_enable();
    put_d0();
    for (uint32_t i = 0; i < ROUNDS; i++) {
        if (i == ROUNDS / 2) map_window(window2_pa);
        round_step(i);
        for (volatile int spin = 0; spin < 200; spin++) {}
    }
    irq_disable();
    cntp_ctl(0);
    line("shared", shared);
    line("first-window", REG32(window_pa + 0x10));
    line("ticks", ticks);
    line("svcs", svcs);
    return 0;
}
