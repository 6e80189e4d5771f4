/*
 * A-profile throughput workload (bench/run.js): the MMU on with short descriptors (1 MiB sections
 * for code and devices, a coarse table of 4 KiB pages over the data buffers, so both walk kinds
 * fill the TLB), then ROUNDS rounds of a compute + memory mix: a table-driven CRC-32 over a
 * buffer, memcpy between pages, and a chain of non-inlined calls, with the physical generic timer
 * interrupting every ~1 ms of virtual time. Prints the checksums and exits through semihosting;
 * the output is the same on QEMU and armrr at the same -icount shift (the tick count depends on it).
 */
#include "mmu.h"
#include "gic.h"

#ifndef ROUNDS
#define ROUNDS 250u
#endif
#define BUF_BYTES  (64u * 1024u)
#define NORMAL     ((1u << 12) | (1u << 3) | (1u << 2))
#define DEVICE     (1u << 2)
#define SECT(pa, attr) (((pa) & 0xfff00000u) | 2u | (3u << 10) | (attr))
#define SECT_XN    (1u << 4)
#define COARSE(l2) (((l2) & 0xfffffc00u) | 1u)
#define SMALL(pa)  (((pa) & 0xfffff000u) | 2u | (3u << 4) | (1u << 3) | (1u << 2))
/* The data buffers, seen through 4 KiB pages at this virtual address (physical pages shuffled). */
#define BUF_VA     0x90000000u

static volatile uint32_t ticks;
static uint32_t crc_table[256];
static uint32_t tick_interval;

static int timer_irq(int kind, struct exc_frame *f)
{
    if (kind != EXC_IRQ) return 0;
    uint32_t iar = REG32(GICC_IAR);
    if ((iar & 0x3ff) == PPI_PTIMER) {
        ticks++;
        cntp_tval(tick_interval);
    }
    REG32(GICC_EOIR) = iar;
    return 1;
}

static void mmu_on(void)
{
    uint32_t base = (uint32_t)__free_start;
    uint32_t *l1 = (uint32_t *)base;
    uint32_t *l2 = (uint32_t *)(base + 0x4000);
    uint32_t data_pa = base + 0x100000;
    for (int i = 0; i < 4096; i++) l1[i] = 0;
    for (uint32_t mb = 0; mb < 128; mb++) l1[(0x40000000u >> 20) + mb] = SECT(0x40000000u + (mb << 20), NORMAL);
    for (uint32_t mb = 0x080; mb < 0x0c0; mb++) l1[mb] = SECT(mb << 20, DEVICE | SECT_XN);
    /* 2 x 64 KiB of buffers: 32 small pages, virtual page i -> physical page (i * 7) % 32 */
    for (int i = 0; i < 256; i++) l2[i] = 0;
    for (uint32_t i = 0; i < 32; i++) l2[i] = SMALL(data_pa + ((i * 7u) % 32u) * 4096u);
    l1[BUF_VA >> 20] = COARSE((uint32_t)l2);
    MCR(0, 2, 0, 2, 0);                   /* TTBCR: N = 0, short descriptors */
    MCR(0, 2, 0, 0, (uint32_t)l1 | 0x4a); /* TTBR0 */
    MCR(0, 3, 0, 0, 0x55555555u);         /* DACR: clients */
    MCR(0, 13, 0, 1, 0);
    tlbiall();
    sctlr_set(sctlr_get() | SCTLR_M);
}

static void crc_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
        crc_table[i] = c;
    }
}

static uint32_t __attribute__((noinline)) crc32(const uint8_t *p, uint32_t n, uint32_t crc)
{
    crc = ~crc;
    while (n--) crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return ~crc;
}

static void __attribute__((noinline)) copy_words(uint32_t *dst, const uint32_t *src, uint32_t words)
{
    for (uint32_t i = 0; i < words; i += 4) {
        uint32_t a = src[i], b = src[i + 1], c = src[i + 2], d = src[i + 3];
        dst[i] = a; dst[i + 1] = b; dst[i + 2] = c; dst[i + 3] = d;
    }
}

static uint32_t __attribute__((noinline)) step(uint32_t x, uint32_t y) { return (x << 5) ^ (x >> 27) ^ y; }
static uint32_t __attribute__((noinline)) call_chain(uint32_t x, int depth)
{
    if (depth == 0) return x;
    return step(call_chain(x + (uint32_t)depth, depth - 1), (uint32_t)depth);
}

int main(void)
{
    mmu_on();
    crc_init();
    uint8_t *a = (uint8_t *)BUF_VA;
    uint8_t *b = (uint8_t *)(BUF_VA + BUF_BYTES);
    uint32_t x = 12345;
    for (uint32_t i = 0; i < BUF_BYTES; i++) a[i] = (uint8_t)((x = x * 1103515245u + 12345u) >> 24);

    tick_interval = cntfrq() / 1000u;   /* ~1 ms of virtual time */
    exc_hook = timer_irq;
    gic_init();
    gic_enable_irq(PPI_PTIMER, 0x80);
    cntp_tval(tick_interval);
    cntp_ctl(1);
    irq_enable();

    uint32_t crc = 0, calls = 0;
    for (uint32_t round = 0; round < ROUNDS; round++) {
        crc = crc32(a, BUF_BYTES, crc);
        copy_words((uint32_t *)b, (const uint32_t *)a, BUF_BYTES / 4);
        for (int k = 0; k < 2000; k++) calls = call_chain(calls ^ (uint32_t)k, 8);
        a[round % BUF_BYTES] ^= (uint8_t)crc;
        crc = crc32(b, 4096, crc);
    }
    irq_disable();
    cntp_ctl(0);
    line("crc", crc);
    line("calls", calls);
    line("ticks", ticks);
    semihost_exit(0);
    return 0;
}
