/**
 * virt's Multiple APIC Description Table (ACPI 6.4 §5.2.12) with a GICv2, as QEMU's build_madt:
 * the distributor, one GIC CPU interface structure per CPU (CPU interface, GICV and GICH
 * addresses, the PMU's PPI, MPIDR) and the GICv2m MSI frame.
 */
import { beginTable, endTable } from './acpi-table.js';
import type { BiosLinker } from './bios-linker.js';
import type { ByteWriter } from './byte-writer.js';
import { VIRT_MEMMAP as MAP, ARM_SPI_BASE } from '../../machines/virt-memory-map.js';
import { GICV2M_BASE_SPI, GICV2M_NUM_SPIS } from '../gicv2m.js';

const GIC_VERSION_2 = 2;
const GICC_ENABLED = 1;

export interface MadtCpu {
  mpidrAffinity: number;
  /** Interrupt ID of the PMU overflow PPI (0: no PMU). */
  pmuInterrupt: number;
}

export function buildVirtMadt(w: ByteWriter, linker: BiosLinker, cpus: readonly MadtCpu[]): void {
  const start = beginTable(w, 'APIC', 4);
  w.u32(0).u32(0); // local interrupt controller address, flags
  // GIC Distributor
  w.u8(0xc).u8(24).u16(0).u32(0).u64(MAP.gicDist.base).u32(0).u8(GIC_VERSION_2).zeros(3);
  cpus.forEach((cpu, i) => {
    // GIC CPU Interface (GICC)
    w.u8(0xb).u8(80).u16(0).u32(i).u32(i).u32(GICC_ENABLED).u32(0).u32(cpu.pmuInterrupt);
    w.u64(0).u64(MAP.gicCpu.base).u64(MAP.gicVcpu.base).u64(MAP.gicHyp.base);
    w.u32(0); // VGIC maintenance interrupt: no Virtualization Extensions
    w.u64(0).u64(cpu.mpidrAffinity).u8(0).zeros(3); // GICR base, MPIDR, efficiency class
  });
  // GIC MSI Frame
  w.u8(0xd).u8(24).u16(0).u32(0).u64(MAP.gicV2m.base).u32(1).u16(GICV2M_NUM_SPIS).u16(GICV2M_BASE_SPI + ARM_SPI_BASE);
  endTable(w, linker, start);
}
