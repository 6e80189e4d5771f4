/**
 * Serial Port Console Redirection table, revision 2 (Microsoft's SPCR spec) as QEMU's build_spcr
 * for virt's PL011: memory-mapped, GIC interrupt, 9600 baud 8N1, RTS/CTS, VT100, not on PCI.
 */
import { beginTable, endTable, gas, GAS_SYSTEM_MEMORY } from './acpi-table.js';
import type { BiosLinker } from './bios-linker.js';
import type { ByteWriter } from './byte-writer.js';

const INTERFACE_PL011 = 3;
const INTERRUPT_ARM_GIC = 1 << 3;
const BAUD_9600 = 3;
const FLOW_RTS_CTS = 1 << 1;

export function buildSpcr(w: ByteWriter, linker: BiosLinker, uartBase: number, uartGsi: number): void {
  const start = beginTable(w, 'SPCR', 2);
  w.u8(INTERFACE_PL011).zeros(3);
  gas(w, GAS_SYSTEM_MEMORY, 8, 0, 1, uartBase);
  w.u8(INTERRUPT_ARM_GIC).u8(0).u32(uartGsi);
  w.u8(BAUD_9600).u8(0).u8(1).u8(FLOW_RTS_CTS).u8(0).u8(0); // parity none, 1 stop bit, VT100, language
  w.u16(0xffff).u16(0xffff).u8(0).u8(0).u8(0).u32(0).u8(0).u32(0); // not a PCI device
  endTable(w, linker, start);
}
