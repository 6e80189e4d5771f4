/* QEMU virt's GICv2 (distributor 0x08000000, CPU interface 0x08010000) and generic timer access. */
#ifndef V7A_GIC_H
#define V7A_GIC_H
#include "rt.h"

#define GICD 0x08000000u
#define GICC 0x08010000u
#define GICD_CTLR       (GICD + 0x000)
#define GICD_TYPER      (GICD + 0x004)
#define GICD_IIDR       (GICD + 0x008)
#define GICD_IGROUPR(n) (GICD + 0x080 + 4 * (n))
#define GICD_ISENABLER(n) (GICD + 0x100 + 4 * (n))
#define GICD_ICENABLER(n) (GICD + 0x180 + 4 * (n))
#define GICD_ISPENDR(n) (GICD + 0x200 + 4 * (n))
#define GICD_ICPENDR(n) (GICD + 0x280 + 4 * (n))
#define GICD_ISACTIVER(n) (GICD + 0x300 + 4 * (n))
#define GICD_IPRIORITYR(id) (GICD + 0x400 + (id))
#define GICD_ITARGETSR(id) (GICD + 0x800 + (id))
#define GICD_ICFGR(n)   (GICD + 0xc00 + 4 * (n))
#define GICD_SGIR       (GICD + 0xf00)
#define GICC_CTLR       (GICC + 0x00)
#define GICC_PMR        (GICC + 0x04)
#define GICC_BPR        (GICC + 0x08)
#define GICC_IAR        (GICC + 0x0c)
#define GICC_EOIR       (GICC + 0x10)
#define GICC_RPR        (GICC + 0x14)
#define GICC_HPPIR      (GICC + 0x18)
#define GICC_IIDR       (GICC + 0xfc)
#define REG8(a) (*(volatile uint8_t *)(uintptr_t)(a))

#define PPI_VTIMER 27
#define PPI_PTIMER 30
#define SPI_UART0  33

static inline void gic_enable_irq(unsigned id, uint8_t prio)
{
    REG8(GICD_IPRIORITYR(id)) = prio;
    if (id >= 32) REG8(GICD_ITARGETSR(id)) = 1;
    REG32(GICD_ISENABLER(id / 32)) = 1u << (id % 32);
}

static inline void gic_disable_irq(unsigned id) { REG32(GICD_ICENABLER(id / 32)) = 1u << (id % 32); }
static inline void gic_set_pending(unsigned id) { REG32(GICD_ISPENDR(id / 32)) = 1u << (id % 32); }

/* Distributor and CPU interface on, everything in group 0 (IRQ while FIQEn is clear; QEMU acks
   group 1 only with AckCtl), all priorities let through. */
static inline void gic_init(void)
{
    REG32(GICD_CTLR) = 0;
    for (unsigned n = 0; n < 9; n++) {
        REG32(GICD_ICENABLER(n)) = 0xffffffffu;
        REG32(GICD_ICPENDR(n)) = 0xffffffffu;
        REG32(GICD_IGROUPR(n)) = 0;
    }
    REG32(GICD_CTLR) = 3;
    REG32(GICC_PMR) = 0xff;
    REG32(GICC_BPR) = 0;
    REG32(GICC_CTLR) = 3;
}

/* Generic timer (CP15): physical and virtual timers and counters. */
static inline uint32_t cntfrq(void) { return MRC(0, 14, 0, 0); }
static inline uint64_t cntpct(void) { ISB(); return MRRC(0, 14); }
static inline uint64_t cntvct(void) { ISB(); return MRRC(1, 14); }
static inline void cntp_tval(uint32_t v) { MCR(0, 14, 2, 0, v); ISB(); }
static inline void cntp_ctl(uint32_t v) { MCR(0, 14, 2, 1, v); ISB(); }
static inline uint32_t cntp_ctl_get(void) { return MRC(0, 14, 2, 1); }
static inline void cntp_cval(uint64_t v) { MCRR(2, 14, v); ISB(); }
static inline void cntv_tval(uint32_t v) { MCR(0, 14, 3, 0, v); ISB(); }
static inline void cntv_ctl(uint32_t v) { MCR(0, 14, 3, 1, v); ISB(); }
static inline uint32_t cntv_ctl_get(void) { return MRC(0, 14, 3, 1); }
static inline void cntv_cval(uint64_t v) { MCRR(3, 14, v); ISB(); }
static inline void wfi(void) { __asm__ volatile("dsb\n\twfi" ::: "memory"); }
#endif
