/*
 * Probe of QEMU virt's devices: prints what the GIC, the generic timer, PL011, PL031, PL061,
 * GICv2m, fw_cfg, virtio-mmio, the flash banks, the PCIe windows and unassigned addresses answer,
 * and takes real interrupts from them (timer, UART TX, RTC alarm, GPIO level, MSI through GICv2m).
 * Everything printed is deterministic under -icount (no host time: PL031 runs with -rtc
 * base=...,clock=vm / --rtc-base). Compared with QEMU by test/integration/virt-devices-vs-qemu.
 */
#include "rt.h"

#define GICD 0x08000000u
#define GICC 0x08010000u
#define V2M 0x08020000u
#define UART 0x09000000u
#define RTC 0x09010000u
#define FWCFG 0x09020000u
#define GPIO 0x09030000u
#define VIRTIO 0x0a000000u

static volatile uint32_t aborts, last_fsr, last_far;
static volatile uint32_t irq_count, last_irq, irq_log[16];
static volatile uint32_t rx_count, rx_hash = HASH_INIT, vtimer_fired;
static volatile uint8_t rx_buf[64];

static int hook(int kind, struct exc_frame *f)
{
    if (kind == EXC_DABT) {
        aborts++;
        last_fsr = MRC(0, 5, 0, 0);
        last_far = MRC(0, 6, 0, 0);
        exc_skip(kind, f);
        return 1;
    }
    if (kind == EXC_IRQ) {
        uint32_t iar = REG32(GICC + 0x0c);
        uint32_t id = iar & 0x3ff;
        if (irq_count < 16) irq_log[irq_count] = iar;
        irq_count++;
        last_irq = id;
        if (id == 27) { MCR(0, 14, 3, 1, 0); vtimer_fired++; } /* virtual timer: disable */
        else if (id == 30) MCR(0, 14, 2, 1, 0);  /* physical timer: disable */
        else if (id == 33) {                            /* PL011: drain RX, clear TX */
            while (!(REG32(UART + 0x18) & 0x10)) {
                uint32_t c = REG32(UART) & 0xff;
                if (rx_count < sizeof rx_buf) rx_buf[rx_count] = (uint8_t)c;
                rx_count++;
                rx_hash = mix(rx_hash, c);
            }
            REG32(UART + 0x44) = 0x7ff;
        }
        else if (id == 34) REG32(RTC + 0x1c) = 1;      /* PL031: clear */
        else if (id == 39) REG32(GPIO + 0x410) = 0;    /* PL061: mask (level source) */
        if (id < 1020) REG32(GICC + 0x10) = iar;
        return 1; /* the frame's lr is already the instruction to resume at */
    }
    return 0;
}

static uint32_t rd(uint32_t a, int size)
{
    aborts = 0;
    uint32_t v = size == 4 ? REG32(a) : size == 2 ? *(volatile uint16_t *)a : *(volatile uint8_t *)a;
    if (aborts) { put_str("  abort"); put_kv("at", a); put_kv("fsr", last_fsr); put_kv("far", last_far); put_nl(); return 0xabababab; }
    return v;
}

static void wr(uint32_t a, uint32_t v, int size)
{
    aborts = 0;
    if (size == 4) REG32(a) = v; else if (size == 2) *(volatile uint16_t *)a = (uint16_t)v; else *(volatile uint8_t *)a = (uint8_t)v;
    if (aborts) { put_str("  abort"); put_kv("at", a); put_kv("fsr", last_fsr); put_kv("far", last_far); put_nl(); }
}

static void show(const char *what, uint32_t addr, int size) { put_str(what); put_kv("v", rd(addr, size)); put_nl(); }

static void gic_on(void)
{
    REG32(GICD) = 3;
    REG32(GICC) = 3;
    REG32(GICC + 4) = 0xff;
}

static void wait_irq(uint32_t n)
{
    while (irq_count < n) __asm__ volatile("wfi");
}

static void gic_probe(void)
{
    static const uint16_t dist[] = { 0x000, 0x004, 0x008, 0x080, 0x100, 0x104, 0x200, 0x300, 0x400, 0x41c, 0x800, 0x820, 0xc00, 0xc04, 0xc08,
                                     0xf10, 0xf20, 0xfd0, 0xfe0, 0xfe4, 0xfe8, 0xfec, 0xff0, 0xff4, 0xff8, 0xffc, 0x124, 0x0c, 0x7fc };
    for (unsigned i = 0; i < sizeof dist / sizeof dist[0]; i++) { put_str("gicd"); put_kv("off", dist[i]); put_kv("v", rd(GICD + dist[i], 4)); put_nl(); }
    static const uint16_t cpu[] = { 0x00, 0x04, 0x08, 0x0c, 0x14, 0x18, 0x1c, 0x20, 0xd0, 0xe0, 0xfc, 0x1000 };
    for (unsigned i = 0; i < sizeof cpu / sizeof cpu[0]; i++) { put_str("gicc"); put_kv("off", cpu[i]); put_kv("v", rd(GICC + cpu[i], 4)); put_nl(); }
    show("gicd byte 0x402", GICD + 0x402, 1);
    show("gicd half 0x104", GICD + 0x104, 2);
    rd(GICD + 0x1000, 4);
    rd(GICC + 0x2000, 4);

    /* Software-pended SPIs: priorities, preemption, running priority, EOI order. */
    gic_on();
    REG32(GICD + 0x420) = 0x40302010;
    REG32(GICD + 0x104) = 0xf;
    REG32(GICD + 0x204) = 0x2;
    show("hppir", GICC + 0x18, 4);
    show("iar", GICC + 0x0c, 4);
    show("rpr", GICC + 0x14, 4);
    REG32(GICD + 0x204) = 0x2;
    show("hppir pending+active", GICC + 0x18, 4);
    REG32(GICD + 0x204) = 0x8;
    show("hppir lower", GICC + 0x18, 4);
    show("iar lower", GICC + 0x0c, 4);
    REG32(GICD + 0x204) = 0x1;
    show("iar higher", GICC + 0x0c, 4);
    show("apr0", GICC + 0xd0, 4);
    REG32(GICC + 0x10) = 32;
    show("rpr after eoi 32", GICC + 0x14, 4);
    REG32(GICC + 0x10) = 33;
    show("iar next", GICC + 0x0c, 4);
    REG32(GICC + 0x10) = 33;
    REG32(GICC + 4) = 0x30;
    show("hppir pmr-masked", GICC + 0x18, 4);
    REG32(GICC + 4) = 0xff;
    show("iar 35", GICC + 0x0c, 4);
    REG32(GICC + 0x10) = 35;
    REG32(GICD + 0x84) = 0x4;
    REG32(GICD + 0x204) = 0x4;
    show("iar group1", GICC + 0x0c, 4);
    REG32(GICC) = 7;
    show("iar group1 ackctl", GICC + 0x0c, 4);
    show("nsapr0", GICC + 0xe0, 4);
    REG32(GICC + 0x10) = 34;
    REG32(GICD + 0x84) = 0;
    REG32(GICC) = 3 | (1 << 9);
    REG32(GICD + 0x204) = 0x1;
    show("iar eoimode", GICC + 0x0c, 4);
    REG32(GICC + 0x10) = 32;
    show("active after eoi", GICD + 0x304, 4);
    REG32(GICC + 0x1000) = 32;
    show("active after dir", GICD + 0x304, 4);
    REG32(GICC) = 3;
    /* SGIs */
    REG32(GICD + 0xf00) = (1u << 16) | 3;
    show("sgi pending", GICD + 0x200, 4);
    show("sgi sources", GICD + 0xf20, 4);
    show("iar sgi", GICC + 0x0c, 4);
    REG32(GICC + 0x10) = 3;
    REG32(GICD + 0xf00) = (1u << 24) | 4;
    show("sgi others", GICD + 0x200, 4);
    REG32(GICD + 0xf00) = (2u << 24) | 5;
    show("iar sgi self", GICC + 0x0c, 4);
    REG32(GICC + 0x10) = 5;
    REG32(GICD) = 0;
    REG32(GICC) = 0;
}

static void timer_probe(void)
{
    put_str("cntfrq"); put_kv("v", MRC(0, 14, 0, 0)); put_nl();
    gic_on();
    REG32(GICD + 0x100) = (1u << 27) | (1u << 30);
    irq_enable();
    /* Virtual timer by TVAL, idle in WFI until it fires. */
    uint64_t t0 = MRRC(1, 14);
    MCR(0, 14, 3, 0, 5000);
    MCR(0, 14, 3, 1, 1);
    wait_irq(1);
    uint64_t t1 = MRRC(1, 14);
    put_str("vtimer"); put_kv("irq", last_irq); put_kv("elapsed>=5000", (uint32_t)(t1 - t0) >= 5000); put_kv("ctl", MRC(0, 14, 3, 1)); put_nl();
    /* Exact counter values: both sides count the same instructions on the same virtual clock. */
    put_str("counter"); put_kv("t0", (uint32_t)t0); put_kv("t1", (uint32_t)t1); put_kv("pct", (uint32_t)MRRC(0, 14));
    MCR(0, 14, 2, 0, 0x10000);
    put_kv("tval", MRC(0, 14, 2, 0)); put_kv("cval", (uint32_t)MRRC(2, 14)); put_nl();
    /* Physical timer by CVAL in the past: fires at once. */
    uint64_t now = MRRC(0, 14);
    MCRR(2, 14, now - 10);
    MCR(0, 14, 2, 1, 1);
    wait_irq(2);
    put_str("ptimer"); put_kv("irq", last_irq); put_kv("cval-lo", (uint32_t)MRRC(2, 14) == (uint32_t)(now - 10)); put_nl();
    /* IMASK keeps ISTATUS but not the interrupt. */
    MCRR(3, 14, 0);
    MCR(0, 14, 3, 1, 3);
    put_str("masked"); put_kv("ctl", MRC(0, 14, 3, 1)); put_kv("pending", REG32(GICD + 0x200)); put_kv("irqs", irq_count); put_nl();
    MCR(0, 14, 3, 1, 0);
    /* Several periodic ticks of the virtual timer. */
    for (int i = 0; i < 5; i++) {
        MCR(0, 14, 3, 0, 1000 + 100 * i);
        MCR(0, 14, 3, 1, 1);
        wait_irq(3 + i);
    }
    put_str("ticks"); put_kv("irqs", irq_count); put_nl();
    MCR(0, 14, 1, 0, 0x303);
    put_str("cntkctl"); put_kv("v", MRC(0, 14, 1, 0)); put_nl();
    MCR(0, 14, 1, 0, 0);
    irq_disable();
}

static void uart_probe(void)
{
    static const uint16_t regs[] = { 0x04, 0x18, 0x20, 0x24, 0x28, 0x2c, 0x30, 0x34, 0x38, 0x3c, 0x40, 0x48, 0xfe0, 0xfe4, 0xfe8, 0xfec, 0xff0, 0xffc, 0x80 };
    for (unsigned i = 0; i < sizeof regs / sizeof regs[0]; i++) { put_str("uart"); put_kv("off", regs[i]); put_kv("v", rd(UART + regs[i], 4)); put_nl(); }
    gic_on();
    REG32(GICD + 0x104) = 1u << 1;
    REG32(UART + 0x38) = 1u << 5; /* TXIM */
    irq_enable();
    uint32_t before = irq_count;
    static const char msg[] = "pl011 says hi\n";
    for (const char *p = msg; *p; p++) { uint32_t n = irq_count + 1; REG32(UART) = (uint8_t)*p; wait_irq(n); }
    irq_disable();
    put_str("uart tx irqs"); put_kv("n", irq_count - before); put_kv("ris", REG32(UART + 0x3c)); put_nl();
    REG32(UART + 0x38) = 0;
    REG32(UART + 0x2c) = 0x70;
    put_str("uart lcr_h"); put_kv("v", REG32(UART + 0x2c)); put_kv("fr", REG32(UART + 0x18)); put_nl();
}

static void rtc_probe(void)
{
    /* Started at --rtc-base / -rtc base= on virtual time: DR is deterministic. */
    put_str("rtc"); put_kv("dr", REG32(RTC)); put_kv("cr", REG32(RTC + 0xc)); put_kv("lr", REG32(RTC + 8)); put_kv("id0", REG32(RTC + 0xfe0)); put_nl();
    REG32(RTC + 8) = 0x12345678;
    put_str("rtc after lr"); put_kv("dr", REG32(RTC)); put_kv("lr", REG32(RTC + 8)); put_nl();
    gic_on();
    REG32(GICD + 0x104) = 1u << 2;
    REG32(RTC + 0x10) = 1;
    REG32(RTC + 4) = REG32(RTC) + 2;
    uint32_t before = irq_count;
    irq_enable();
    wait_irq(before + 1);
    irq_disable();
    put_str("rtc alarm"); put_kv("irq", last_irq); put_kv("dr", REG32(RTC)); put_kv("ris", REG32(RTC + 0x14)); put_kv("mis", REG32(RTC + 0x18)); put_nl();
}

static void gpio_probe(void)
{
    static const uint16_t regs[] = { 0x3fc, 0x400, 0x404, 0x408, 0x40c, 0x410, 0x414, 0x418, 0x420, 0x500, 0xfe0, 0xfe4, 0xfe8, 0xfec };
    for (unsigned i = 0; i < sizeof regs / sizeof regs[0]; i++) { put_str("gpio"); put_kv("off", regs[i]); put_kv("v", rd(GPIO + regs[i], 4)); put_nl(); }
    REG32(GPIO + 0x400) = 0x0f;
    REG32(GPIO + 0x3fc) = 0xff;
    show("gpio data", GPIO + 0x3fc, 4);
    show("gpio data masked", GPIO + (0x3 << 2), 4);
    gic_on();
    REG32(GICD + 0x104) = 1u << 7;
    REG32(GPIO + 0x404) = 0x80; /* line 7 level-sensitive, low level (pulled down): active */
    REG32(GPIO + 0x410) = 0x80;
    uint32_t n = irq_count + 1;
    irq_enable();
    wait_irq(n);
    irq_disable();
    put_str("gpio irq"); put_kv("irq", last_irq); put_kv("ris", REG32(GPIO + 0x414)); put_nl();
}

static void v2m_probe(void)
{
    show("v2m typer", V2M + 8, 4);
    show("v2m iidr", V2M + 0xfcc, 4);
    show("v2m typer half", V2M + 8, 2);
    gic_on();
    REG32(GICD + 0xc14) = 0x2;           /* ID 80 edge-triggered */
    REG32(GICD + 0x108) = 1u << 16;      /* enable ID 80 */
    uint32_t n = irq_count + 1;
    irq_enable();
    REG32(V2M + 0x40) = 80;
    wait_irq(n);
    irq_disable();
    put_str("msi"); put_kv("irq", last_irq); put_nl();
    rd(V2M + 0x1000, 4);
}

static void fwcfg_probe(void)
{
    *(volatile uint16_t *)(FWCFG + 8) = 0x0000;
    put_str("fwcfg sig"); put_kv("v", REG32(FWCFG)); put_nl();
    *(volatile uint16_t *)(FWCFG + 8) = 0x0100;
    put_str("fwcfg id"); put_kv("v", REG32(FWCFG)); put_nl();
    *(volatile uint16_t *)(FWCFG + 8) = 0x1900;
    uint32_t n = 0;
    for (int i = 0; i < 4; i++) n = (n << 8) | *(volatile uint8_t *)FWCFG;
    put_str("fwcfg files"); put_kv("n", n); put_nl();
    for (uint32_t e = 0; e < n && e < 16; e++) {
        uint32_t size = 0, sel = 0;
        for (int i = 0; i < 4; i++) size = (size << 8) | *(volatile uint8_t *)FWCFG;
        for (int i = 0; i < 4; i++) sel = (sel << 8) | *(volatile uint8_t *)FWCFG;
        char name[57];
        for (int i = 0; i < 56; i++) name[i] = (char)*(volatile uint8_t *)FWCFG;
        name[56] = 0;
        put_str("  "); put_str(name); put_kv("size", size); put_kv("sel", sel >> 16); put_nl();
    }
    show("fwcfg dma hi", FWCFG + 16, 4);
    show("fwcfg dma lo", FWCFG + 20, 4);
    rd(FWCFG + 4, 4);
    rd(FWCFG + 8, 2);
    wr(FWCFG + 8, 0, 4);
    rd(FWCFG + 0x18, 4);
}

static void virtio_probe(void)
{
    for (uint32_t t = 0; t < 32; t++) {
        uint32_t b = VIRTIO + t * 0x200, h = HASH_INIT;
        for (uint32_t o = 0; o < 0x200; o += 4) h = mix(h, REG32(b + o));
        if (t == 0 || t == 31) { put_str("virtio"); put_kv("slot", t); put_kv("hash", h); put_kv("magic", REG32(b)); put_kv("ver", REG32(b + 4)); put_kv("dev", REG32(b + 8)); put_kv("vendor", REG32(b + 0xc)); put_nl(); }
    }
    show("virtio half", VIRTIO, 2);
    show("virtio byte+1", VIRTIO + 1, 1);
    rd(VIRTIO + 0x4000, 4);
}

static void flash_probe(void)
{
    const uint32_t b = 0x04000000;
    show("flash1", b, 4);
    REG32(b) = 0x00980098;
    uint32_t h = HASH_INIT;
    for (uint32_t o = 0; o < 0x60; o++) h = mix(h, REG32(b + o * 4));
    put_str("cfi"); put_kv("hash", h); put_kv("qry", REG32(b + 0x40)); put_nl();
    REG32(b) = 0x00900090;
    put_str("flash id"); put_kv("m", REG32(b)); put_kv("d", REG32(b + 4)); put_nl();
    REG32(b) = 0x00ff00ff;
    REG32(b + 0x100) = 0x00400040;
    REG32(b + 0x100) = 0xcafef00d;
    show("flash status", b + 0x100, 4);
    REG32(b) = 0x00ff00ff;
    show("flash programmed", b + 0x100, 4);
    REG32(b + 0x40000) = 0x00200020;
    REG32(b + 0x40000) = 0x00d000d0;
    REG32(b) = 0x00ff00ff;
    show("flash erased", b + 0x40000, 4);
    show("flash not erased", b + 0x100, 4);
}

static void map_probe(void)
{
    static const uint32_t addrs[] = { 0x08030000, 0x08040000, 0x09001000, 0x09040000, 0x09050000, 0x0a004000, 0x0b000000, 0x0c000000, 0x0e000000,
                                      0x10000000, 0x2ffffffc, 0x3eff0000, 0x3f000000, 0x3ffffffc };
    for (unsigned i = 0; i < sizeof addrs / sizeof addrs[0]; i++) { put_str("map"); put_kv("a", addrs[i]); put_kv("v", rd(addrs[i], 4)); put_nl(); }
    wr(0x0c000000, 1, 4);
    wr(0x10000000, 1, 4);
    show("pcie byte", 0x10000003, 1);
}

/* UART input (armrr --input / QEMU stdin): collected until 2 ms of virtual time pass without a byte. */
static void rx_probe(void)
{
    gic_on();
    REG32(GICD + 0x104) = 1u << 1;
    REG32(GICD + 0x100) = 1u << 27;
    REG32(UART + 0x38) = 1u << 4; /* RXIM */
    irq_enable();
    for (;;) {
        uint32_t seen = rx_count, fired = vtimer_fired;
        MCR(0, 14, 3, 0, 125000);
        MCR(0, 14, 3, 1, 1);
        while (rx_count == seen && vtimer_fired == fired) __asm__ volatile("wfi");
        MCR(0, 14, 3, 1, 0);
        if (rx_count == seen) break;
    }
    irq_disable();
    REG32(UART + 0x38) = 0;
    put_str("rx"); put_kv("n", rx_count); put_kv("hash", rx_hash); put_str(" text=");
    for (uint32_t i = 0; i < rx_count && i < sizeof rx_buf; i++) {
        char c = (char)rx_buf[i];
        char t[2] = { c >= 0x20 && c < 0x7f ? c : '.', 0 };
        put_str(t);
    }
    put_nl();
}

int main(void)
{
    exc_hook = hook;
    gic_probe();
    timer_probe();
    uart_probe();
    rtc_probe();
    gpio_probe();
    v2m_probe();
    fwcfg_probe();
    virtio_probe();
    flash_probe();
    map_probe();
    rx_probe();
    put_str("irqs"); put_kv("n", irq_count);
    for (uint32_t i = 0; i < 16 && i < irq_count; i++) put_kv("", irq_log[i]);
    put_nl();
    return 0;
}
