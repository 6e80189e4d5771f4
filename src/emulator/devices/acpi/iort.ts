/**
 * IO Remapping Table, revision 3 (ARM DEN 0049E.b) as QEMU's build_iort without an SMMU: an ITS
 * group node with one ITS and a root complex node mapping every requester ID to it. QEMU emits it
 * on virt even with a GICv2 (no ITS exists then; it only checks that an ITS model is built in).
 */
import { beginTable, endTable } from './acpi-table.js';
import type { BiosLinker } from './bios-linker.js';
import type { ByteWriter } from './byte-writer.js';

const NODE_ARRAY_OFFSET = 48;
const NODE_ITS_GROUP = 0;
const NODE_ROOT_COMPLEX = 2;
const ROOT_COMPLEX_SIZE = 36;
const ID_MAPPING_SIZE = 20;

export function buildIort(w: ByteWriter, linker: BiosLinker): void {
  const start = beginTable(w, 'IORT', 3);
  w.u32(2).u32(NODE_ARRAY_OFFSET).u32(0); // nodes, offset of the node array, reserved
  // ITS group: identifier 0, no ID mappings, one ITS (MADT translation ID 0)
  w.u8(NODE_ITS_GROUP).u16(24).u8(1).u32(0).u32(0).u32(0).u32(1).u32(0);
  // Root complex: identifier 1, one ID mapping right after the node's fixed part
  w.u8(NODE_ROOT_COMPLEX).u16(ROOT_COMPLEX_SIZE + ID_MAPPING_SIZE).u8(3).u32(1).u32(1).u32(ROOT_COMPLEX_SIZE);
  w.u32(1).u8(0).u16(0).u8(0x3); // fully coherent, no allocation hints, CCA = CPM = DACS = 1
  w.u32(0).u32(0).u8(64).zeros(3); // ATS attribute, PCI segment 0, 64-bit memory address limit
  // RIDs 0..0xffff map 1:1 to the ITS group (the first node)
  w.u32(0).u32(0xffff).u32(0).u32(NODE_ARRAY_OFFSET).u32(0);
  endTable(w, linker, start);
}
