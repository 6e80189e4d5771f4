/* QEMU's fw_cfg on virt (0x09020000) as the probes drive it: the big-endian selector, byte reads
   of the data register, and one DMA transfer through a descriptor (big-endian fields). */
#ifndef FW_CFG_ACCESS_H
#define FW_CFG_ACCESS_H
#include "rt.h"

#define FWCFG 0x09020000u
#define DMA_ERROR 1u
#define DMA_READ 2u
#define DMA_SKIP 4u
#define DMA_SELECT 8u
#define DMA_WRITE 16u

static inline uint32_t bswap(uint32_t v) { return __builtin_bswap32(v); }
static inline void select_key(uint16_t key) { *(volatile uint16_t *)(FWCFG + 8) = (uint16_t)((key >> 8) | (key << 8)); }
static inline uint32_t data8(void) { return *(volatile uint8_t *)FWCFG; }
static inline uint32_t be32(void) { uint32_t v = 0; for (int i = 0; i < 4; i++) v = (v << 8) | data8(); return v; }

struct dma_access { uint32_t control, length, addr_hi, addr_lo; } __attribute__((aligned(16)));

/* Runs one transfer described by *d; returns the control word QEMU wrote back. */
static inline uint32_t dma_run(volatile struct dma_access *d, uint32_t control, uint32_t length, uint32_t target)
{
    d->control = bswap(control);
    d->length = bswap(length);
    d->addr_hi = 0;
    d->addr_lo = bswap(target);
    DSB();
    REG32(FWCFG + 16) = 0;
    REG32(FWCFG + 20) = bswap((uint32_t)(uintptr_t)d);
    DSB();
    return bswap(d->control);
}
#endif
