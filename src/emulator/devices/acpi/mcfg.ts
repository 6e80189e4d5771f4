/** PCI Express memory-mapped configuration table (PCI Firmware spec 3.2 §4.1.2) as QEMU's build_mcfg: one segment. */
import { beginTable, endTable } from './acpi-table.js';
import type { BiosLinker } from './bios-linker.js';
import type { ByteWriter } from './byte-writer.js';
import { PCIE_MMCFG_SIZE_MIN } from '../../machines/virt-memory-map.js';

export function buildMcfg(w: ByteWriter, linker: BiosLinker, ecamBase: number, ecamSize: number): void {
  const start = beginTable(w, 'MCFG', 1);
  w.u64(0); // reserved
  w.u64(ecamBase).u16(0).u8(0).u8(ecamSize / PCIE_MMCFG_SIZE_MIN - 1).u32(0); // segment 0, buses 0..last
  endTable(w, linker, start);
}
