/*
 * PL011 on virt (SPI 1 = ID 33) driven by interrupts: identification registers, TX interrupts
 * (QEMU raises TXRIS on every write to UARTDR), a TX ring drained by the handler, RX interrupts
 * (RXIM) collecting typed input, which is echoed upper-cased until 'q'.
 * Input timing never shows in the output: only the bytes do (RX status bits are masked where input
 * may already have arrived, and the FIFO is never switched, which would flush received bytes).
 */
#include "gic.h"

#define UART 0x09000000u
#define UARTDR   (UART + 0x00)
#define UARTRSR  (UART + 0x04)
#define UARTFR   (UART + 0x18)
#define UARTIBRD (UART + 0x24)
#define UARTFBRD (UART + 0x28)
#define UARTLCR  (UART + 0x2c)
#define UARTCR   (UART + 0x30)
#define UARTIFLS (UART + 0x34)
#define UARTIMSC (UART + 0x38)
#define UARTRIS  (UART + 0x3c)
#define UARTMIS  (UART + 0x40)
#define UARTICR  (UART + 0x44)
#define RXIM (1u << 4)
#define TXIM (1u << 5)
#define RTIM (1u << 6)

static volatile char txq[512];
static volatile unsigned tx_head, tx_tail, tx_irqs, rx_irqs;
static volatile char rxq[256];
static volatile unsigned rx_head, rx_tail;
static volatile int tx_busy;

static void tx_kick(void)
{
    if (tx_tail != tx_head) {
        REG32(UARTDR) = (uint8_t)txq[tx_tail % sizeof txq];
        tx_tail++;
        tx_busy = 1;
    } else {
        tx_busy = 0;
        REG32(UARTICR) = TXIM;
    }
}

static int uart_hook(int kind, struct exc_frame *f)
{
    if (kind != EXC_IRQ) return 0;
    uint32_t iar = REG32(GICC_IAR);
    if ((iar & 0x3ff) == SPI_UART0) {
        uint32_t mis = REG32(UARTMIS);
        if (mis & (RXIM | RTIM)) {
            rx_irqs++;
            while (!(REG32(UARTFR) & (1u << 4))) { rxq[rx_head % sizeof rxq] = (char)REG32(UARTDR); rx_head++; }
        }
        if (mis & TXIM) {
            tx_irqs++;
            REG32(UARTICR) = TXIM;
            tx_kick();
        }
    }
    if ((iar & 0x3ff) != 1023) REG32(GICC_EOIR) = iar;
    return 1;
}

/* A byte that arrived before RX interrupts were on (RXRIS cleared since) never interrupts again:
   the PL011 holds it and takes no more until it is read, so the wait loop polls too. */
static void rx_wait(void)
{
    irq_disable();
    while (!(REG32(UARTFR) & (1u << 4))) { rxq[rx_head % sizeof rxq] = (char)REG32(UARTDR); rx_head++; }
    /* WFI with IRQs masked still wakes on a pending one: no lost wake-up between check and sleep */
    if (rx_tail == rx_head) wfi();
    irq_enable();
}

static void uart_send(const char *s)
{
    irq_disable();
    while (*s) { txq[tx_head % sizeof txq] = *s++; tx_head++; }
    if (!tx_busy) tx_kick();
    irq_enable();
}

static void uart_hex(uint32_t v)
{
    char t[10];
    for (int i = 0; i < 8; i++) t[i] = "0123456789abcdef"[(v >> (28 - 4 * i)) & 15];
    t[8] = 0;
    uart_send(t);
}

static void drain(void)
{
    while (tx_busy || tx_tail != tx_head) wfi();
}

int main(void)
{
#ifdef __thumb__
    put_str("uart-irq t32\n");
#else
    put_str("uart-irq a32\n");
#endif
    exc_hook = uart_hook;
    gic_init();
    /* identification and reset values (before we touch anything) */
    uint32_t h = HASH_INIT;
    for (uint32_t off = 0xfe0; off < 0x1000; off += 4) h = mix(h, REG32(UART + off));
    line("pl011-id-hash", h);
    line("pl011-periphid0", REG32(UART + 0xfe0));
    line("pl011-cellid0", REG32(UART + 0xff0));
    line("fr", REG32(UARTFR) & ~0x50u);       /* without RXFE/RXFF: input may be in already */
    line("cr", REG32(UARTCR));
    line("lcr", REG32(UARTLCR));
    line("ifls", REG32(UARTIFLS));
    line("ris", REG32(UARTRIS) & ~0x50u);     /* without RXRIS/RTRIS */
    line("imsc", REG32(UARTIMSC));
    /* polled line first */
    REG32(UARTIBRD) = 1; REG32(UARTFBRD) = 2;
    line("ibrd", REG32(UARTIBRD));
    REG32(UARTCR) = 0x301;
    const char *p = "polled hello\n";
    while (*p) { while (REG32(UARTFR) & (1u << 5)) {} REG32(UARTDR) = (uint8_t)*p++; }
    line("ris-after-tx", REG32(UARTRIS) & TXIM);
    /* interrupt driven from here on; 8-bit words, FIFO off as at reset (switching it flushes RX) */
    REG32(UARTLCR) = 0x60;
    REG32(UARTICR) = 0x7ff;
    REG32(UARTIMSC) = TXIM | RXIM | RTIM;
    line("imsc-set", REG32(UARTIMSC));
    gic_enable_irq(SPI_UART0, 0x80);
    irq_enable();
    uart_send("interrupt-driven TX: ");
    uart_hex(0xc0ffee42);
    uart_send("\n");
    drain();
    line("tx-irqs", tx_irqs);
    /* now echo typed input until 'q' */
    uart_send("type:\n");
    unsigned seen = 0, done = 0;
    uint32_t ih = HASH_INIT;
    while (!done) {
        while (rx_tail == rx_head) rx_wait();
        irq_disable();
        char c = rxq[rx_tail % sizeof rxq];
        rx_tail++;
        irq_enable();
        seen++;
        ih = mix(ih, (uint8_t)c);
        if (c == 'q') done = 1;
        char out[2] = { c >= 'a' && c <= 'z' ? (char)(c - 32) : c, 0 };
        uart_send(out);
    }
    uart_send("\n");
    drain();
    irq_disable();
    line("rx-bytes", seen);
    line("rx-hash", ih);
    line("rx-irqs-nonzero", rx_irqs != 0);
    line("fr-end", REG32(UARTFR) & ~0x58u);
    return 0;
}
