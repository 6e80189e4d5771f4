/*
 * A compute loop (CRC-32 and a small sieve) with the MMU on (short-descriptor sections, caches
 * enabled) and the physical timer interrupting every ~20 µs of virtual time: the long-running
 * program for lock-step and the determinism invariants. ITERS sets the length: about 1.8e5
 * instructions per iteration (build.sh builds a long variant too).
 */
#include "gic.h"
#include "mmu.h"

#ifndef ITERS
#define ITERS 4u
#endif

static volatile uint32_t ticks;
static uint8_t data[4096];
static uint8_t sieve[2048];

static int tick_hook(int kind, struct exc_frame *f)
{
    if (kind != EXC_IRQ) return 0;
    uint32_t iar = REG32(GICC_IAR);
    if ((iar & 0x3ff) == PPI_PTIMER) {
        ticks++;
        cntp_tval(1250);
    }
    if ((iar & 0x3ff) != 1023) REG32(GICC_EOIR) = iar;
    return 1;
}

static uint32_t crc32(const uint8_t *p, unsigned n, uint32_t crc)
{
    crc = ~crc;
    while (n--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
    }
    return ~crc;
}

static uint32_t primes(void)
{
    uint32_t count = 0;
    for (unsigned i = 0; i < sizeof sieve; i++) sieve[i] = 1;
    for (unsigned i = 2; i < sizeof sieve; i++) {
        if (!sieve[i]) continue;
        count++;
        for (unsigned j = i * i; j < sizeof sieve; j += i) sieve[j] = 0;
    }
    return count;
}

static void mmu_on(void)
{
    uint32_t *l1 = (uint32_t *)__free_start;
    for (int i = 0; i < 4096; i++) l1[i] = 0;
    for (uint32_t mb = 0x400; mb < 0x480; mb++) l1[mb] = (mb << 20) | (1u << 12) | (3u << 10) | (1u << 3) | (1u << 2) | 2u;
    for (uint32_t mb = 0x080; mb < 0x0c0; mb++) l1[mb] = (mb << 20) | (3u << 10) | (1u << 4) | (1u << 2) | 2u;
    MCR(0, 2, 0, 2, 0);
    MCR(0, 2, 0, 0, (uint32_t)l1 | 0x4a);
    MCR(0, 3, 0, 0, 0x55555555u);
    tlbiall();
    sctlr_set(sctlr_get() | SCTLR_M | (1u << 2) | (1u << 12) | (1u << 11));  /* M, C, I, Z */
}

int main(void)
{
#ifdef __thumb__
    put_str("compute t32\n");
#else
    put_str("compute a32\n");
#endif
    exc_hook = tick_hook;
    mmu_on();
    line("sctlr", sctlr_get());
    gic_init();
    gic_enable_irq(PPI_PTIMER, 0x80);
    cntp_tval(1250);
    cntp_ctl(1);
    irq_enable();
    for (unsigned i = 0; i < sizeof data; i++) data[i] = (uint8_t)(i * 131 + 7);
    uint32_t crc = 0, p = 0;
    for (unsigned it = 0; it < ITERS; it++) {
        crc = crc32(data, sizeof data, crc);
        data[it % sizeof data] ^= (uint8_t)crc;
        p += primes();
    }
    irq_disable();
    cntp_ctl(0);
    line("crc", crc);
    line("primes", p);
    line("ticks", ticks);
    /* the other exit path: plain SYS_EXIT with ADP_Stopped_ApplicationExit (exit code 0) */
    semihost_exit_plain();
}
