/* QEMU vexpress-a9: the board's device addresses and interrupt IDs (hw/arm/vexpress.c, a9mpcore.c). */
#ifndef VEXPRESS_H
#define VEXPRESS_H
#include "rt.h"

#define SYSREGS   0x10000000u
#define PL041     0x10004000u
#define PL181     0x10005000u
#define KMI0      0x10006000u
#define KMI1      0x10007000u
#define UART(n)   (0x10009000u + 0x1000u * (n))
#define TIMER01   0x10011000u
#define TIMER23   0x10012000u
#define VIRTIO0   0x10013000u
#define I2C       0x10016000u
#define RTC       0x10017000u
#define CLCD_MB   0x1001f000u
#define CLCD_DB   0x10020000u
#define TIMER_DB  0x100e4000u
#define PERIPH    0x1e000000u
#define SCU       (PERIPH + 0x0000u)
#define GICC      (PERIPH + 0x0100u)
#define GTIMER    (PERIPH + 0x0200u)
#define TWD       (PERIPH + 0x0600u)
#define WDT       (PERIPH + 0x0620u)
#define GICD      (PERIPH + 0x1000u)
#define L2C       0x1e00a000u
#define SRAM      0x48000000u

/* Interrupt IDs (SPI n = ID 32 + n). */
#define ID_GTIMER 27
#define ID_TWD    29
#define ID_WDT    30
#define ID_TIMER01 (32 + 2)
#define ID_TIMER23 (32 + 3)
#define ID_RTC    (32 + 4)
#define ID_UART0  (32 + 5)
#define ID_TIMERDB (32 + 48)

#define REG8(a)  (*(volatile uint8_t *)(uintptr_t)(a))
#define REG16(a) (*(volatile uint16_t *)(uintptr_t)(a))

/* GIC v1 with the Security Extensions, accessed Secure: everything in group 0 (IRQ with FIQEn 0). */
static inline void gic_init(void)
{
    REG32(GICD + 0x000) = 0;
    for (unsigned n = 0; n < 3; n++) REG32(GICD + 0x180 + 4 * n) = 0xffffffffu;
    for (unsigned n = 0; n < 3; n++) REG32(GICD + 0x280 + 4 * n) = 0xffffffffu;
    for (unsigned n = 0; n < 3; n++) REG32(GICD + 0x080 + 4 * n) = 0;
    REG32(GICC + 0x04) = 0xff;
    REG32(GICD + 0x000) = 1;
    REG32(GICC + 0x00) = 1;
}
static inline void gic_enable(unsigned id, uint8_t prio)
{
    REG8(GICD + 0x400 + id) = prio;
    REG32(GICD + 0x100 + 4 * (id / 32)) = 1u << (id % 32);
}
static inline void gic_disable(unsigned id) { REG32(GICD + 0x180 + 4 * (id / 32)) = 1u << (id % 32); }
static inline uint32_t gic_ack(void) { return REG32(GICC + 0x0c); }
static inline void gic_eoi(uint32_t iar) { REG32(GICC + 0x10) = iar; }
static inline void wfi(void) { __asm__ volatile("dsb\n\twfi" ::: "memory"); }

/* UART0 console output (PL011 data register). */
static inline void uart_putc(char c) { REG32(UART(0)) = (uint8_t)c; }
static inline void uart_puts(const char *s) { while (*s) uart_putc(*s++); }
#endif
