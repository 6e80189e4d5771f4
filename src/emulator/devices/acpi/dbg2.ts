/**
 * Debug Port Table 2 (Microsoft's DBG2 spec) as QEMU's build_dbg2: one debug device, the PL011
 * serial port, with its register window and ACPI namespace path "COM0".
 */
import { beginTable, endTable, gas, GAS_SYSTEM_MEMORY } from './acpi-table.js';
import type { BiosLinker } from './bios-linker.js';
import type { ByteWriter } from './byte-writer.js';

const PORT_SERIAL = 0x8000;
const SUBTYPE_PL011 = 3;

export function buildDbg2(w: ByteWriter, linker: BiosLinker, uartBase: number, uartSize: number, namespace: string): void {
  const start = beginTable(w, 'DBG2', 0);
  const name = namespace.length + 1; // NUL-terminated
  const barOffset = 22;
  const sizeOffset = barOffset + 12;
  const nameOffset = sizeOffset + 4;
  w.u32(44).u32(1); // offset of the device information (right after these two fields), count
  w.u8(0).u16(nameOffset + name).u8(1).u16(name).u16(nameOffset).u16(0).u16(0); // revision, length, 1 address, name, no OEM data
  w.u16(PORT_SERIAL).u16(SUBTYPE_PL011).u16(0).u16(barOffset).u16(sizeOffset);
  gas(w, GAS_SYSTEM_MEMORY, 8, 0, 1, uartBase);
  w.u32(uartSize).ascii(namespace, name);
  endTable(w, linker, start);
}
