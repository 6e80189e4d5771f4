/**
 * Generic Timer Description Table (ACPI 6.4 §5.2.24) as QEMU's build_gtdt: no memory-mapped
 * counter, the four timers' GSIVs (PPI IDs) as level-triggered active-high, the non-secure EL1
 * timer always on, no platform timers.
 */
import { beginTable, endTable } from './acpi-table.js';
import type { BiosLinker } from './bios-linker.js';
import type { ByteWriter } from './byte-writer.js';

const ALWAYS_ON = 1 << 2;

export interface GtdtTimers {
  secureEl1: number;
  nonSecureEl1: number;
  virtual: number;
  nonSecureEl2: number;
}

export function buildGtdt(w: ByteWriter, linker: BiosLinker, t: GtdtTimers): void {
  const start = beginTable(w, 'GTDT', 2);
  w.u32(0xffffffff).u32(0xffffffff).u32(0); // CntControlBase: none, reserved
  w.u32(t.secureEl1).u32(0).u32(t.nonSecureEl1).u32(ALWAYS_ON).u32(t.virtual).u32(0).u32(t.nonSecureEl2).u32(0);
  w.u32(0xffffffff).u32(0xffffffff).u32(0).u32(0); // CntReadBase: none, platform timer count and offset
  endTable(w, linker, start);
}
