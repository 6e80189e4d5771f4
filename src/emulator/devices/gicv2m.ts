/**
 * The GICv2m MSI frame of `virt` (hw/intc/arm_gicv2m.c at 0x08020000): 64 SPIs from SPI 48
 * (interrupt IDs 80-143). MSI_TYPER reports base ID and count; a 32-bit write of an ID in range to
 * MSI_SETSPI_NS pulses that SPI into the GIC. Accesses other than 32 bits read 0 / are ignored,
 * as QEMU (it logs them as guest errors). Values measured on QEMU 7.2 match the source.
 */
import { Device } from './device.js';
import type { IrqLine } from './irq.js';

export const GICV2M_SIZE = 0x1000;
/** virt's first MSI SPI (QEMU's "base-spi" 48 = interrupt ID 80) and count. */
export const GICV2M_BASE_SPI = 48;
export const GICV2M_NUM_SPIS = 64;

const MSI_TYPER = 0x008;
const MSI_SETSPI_NS = 0x040;
const MSI_IIDR = 0xfcc;
/** GICv2m's IIDR as QEMU returns it. */
const GICV2M_IIDR = 0x05100000;

export class GicV2m extends Device<Record<string, never>> {
  constructor(
    /** The GIC's inputs for SPIs GICV2M_BASE_SPI .. + GICV2M_NUM_SPIS - 1, in order. */
    private readonly spis: readonly IrqLine[],
  ) {
    super('gicv2m', {});
    if (spis.length !== GICV2M_NUM_SPIS) throw new RangeError(`GICv2m needs ${GICV2M_NUM_SPIS} SPI lines, got ${spis.length}`);
  }

  read(offset: number, size: 1 | 2 | 4): number {
    if (size !== 4) return 0;
    switch (offset) {
      case MSI_TYPER:
        return (((GICV2M_BASE_SPI + 32) << 16) | GICV2M_NUM_SPIS) >>> 0;
      case MSI_IIDR:
        return GICV2M_IIDR;
      default:
        return 0;
    }
  }

  write(offset: number, value: number, size: 1 | 2 | 4): void {
    if (size !== 4 || offset !== MSI_SETSPI_NS) return;
    const spi = (value & 0x3ff) - (GICV2M_BASE_SPI + 32);
    if (spi < 0 || spi >= GICV2M_NUM_SPIS) return;
    // An MSI is an edge: raise and lower the line (QEMU's qemu_irq_pulse).
    this.spis[spi]!(true);
    this.spis[spi]!(false);
  }
}
