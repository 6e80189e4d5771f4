/**
 * hw/arm/virt.c's base_memmap / extended_memmap and a15irqmap (SPI numbers), as QEMU 7.2 lays
 * them out for a 32-bit virt with one Cortex-A15: what the device tree and the ACPI tables
 * describe. The high regions start at 256 GiB (RAM below the 255 GiB legacy limit): the 64 MiB
 * GICv3 redistributor slot, then ECAM aligned to 256 MiB, then the 512 GiB MMIO window aligned
 * to its size.
 */
export const VIRT_MEMMAP = {
  flash: { base: 0x00000000, size: 0x08000000 },
  gicDist: { base: 0x08000000, size: 0x00010000 },
  gicCpu: { base: 0x08010000, size: 0x00010000 },
  gicV2m: { base: 0x08020000, size: 0x00001000 },
  gicHyp: { base: 0x08030000, size: 0x00010000 },
  gicVcpu: { base: 0x08040000, size: 0x00010000 },
  uart: { base: 0x09000000, size: 0x00001000, irq: 1 },
  rtc: { base: 0x09010000, size: 0x00001000, irq: 2 },
  fwCfg: { base: 0x09020000, size: 0x00000018 },
  gpio: { base: 0x09030000, size: 0x00001000, irq: 7 },
  mmio: { base: 0x0a000000, size: 0x00000200, irq: 16 },
  platformBus: { base: 0x0c000000, size: 0x02000000, irq: 112 },
  pcieMmio: { base: 0x10000000, size: 0x2eff0000 },
  pciePio: { base: 0x3eff0000, size: 0x00010000 },
  pcieIrq: 3,
  highPcieEcam: { base: 0x40_10000000, size: 0x10000000 },
  highPcieMmio: { base: 0x80_00000000, size: 0x80_00000000 },
  ram: { base: 0x40000000 },
} as const;

/** QEMU's NUM_VIRTIO_TRANSPORTS. */
export const VIRT_VIRTIO_TRANSPORTS = 32;
/** Interrupt ID of SPI 0 (QEMU's ARM_SPI_BASE). */
export const ARM_SPI_BASE = 32;
/** Interrupt ID of PPI 0. */
export const ARM_PPI_BASE = 16;
/** hw/arm/virt.h's timer PPIs (ARCH_TIMER_*_IRQ) and VIRTUAL_PMU_IRQ, as interrupt IDs. */
export const VIRT_TIMER_S_EL1_PPI = ARM_PPI_BASE + 13;
export const VIRT_TIMER_PHYS_PPI = ARM_PPI_BASE + 14;
export const VIRT_TIMER_VIRT_PPI = ARM_PPI_BASE + 11;
export const VIRT_TIMER_HYP_PPI = ARM_PPI_BASE + 10;
export const VIRT_PMU_PPI = ARM_PPI_BASE + 7;
/** One PCIe bus's ECAM space (PCIE_MMCFG_SIZE_MIN). */
export const PCIE_MMCFG_SIZE_MIN = 0x100000;
