/**
 * The System Description Table Header every ACPI table starts with (ACPI 6.4 §5.2.6), as QEMU's
 * acpi_table_begin/acpi_table_end write it: OEM ID "BOCHS ", OEM table ID "BXPC", creator
 * "BXPC", revisions 1; the length is patched in at the end and the checksum is left to the
 * guest's table loader (an ADD_CHECKSUM command over the whole table).
 */
import type { BiosLinker } from './bios-linker.js';
import type { ByteWriter } from './byte-writer.js';

/** fw_cfg file names of QEMU's ACPI blobs (ACPI_BUILD_TABLE_FILE, ACPI_BUILD_RSDP_FILE). */
export const ACPI_TABLES_FILE = 'etc/acpi/tables';
export const ACPI_RSDP_FILE = 'etc/acpi/rsdp';

/** QEMU's ACPI_BUILD_APPNAME6 and ACPI_BUILD_APPNAME8 (virt's default oem-id / oem-table-id). */
export const ACPI_OEM_ID = 'BOCHS ';
const ACPI_OEM_TABLE_ID = 'BXPC    ';
const ACPI_CREATOR_ID = 'BXPC';

const HEADER_LENGTH_OFFSET = 4;
const HEADER_CHECKSUM_OFFSET = 9;

/** Writes a header for table `signature` at the end of `w` and returns the table's offset. */
export function beginTable(w: ByteWriter, signature: string, revision: number): number {
  const start = w.length;
  w.ascii(signature, 4).u32(0).u8(revision).u8(0);
  w.ascii(ACPI_OEM_ID, 6).ascii(ACPI_OEM_TABLE_ID, 8).u32(1).ascii(ACPI_CREATOR_ID, 4).u32(1);
  return start;
}

/** Patches the table's length and asks the loader for its checksum. */
export function endTable(w: ByteWriter, linker: BiosLinker, start: number): void {
  const length = w.length - start;
  w.patchUint(start + HEADER_LENGTH_OFFSET, length, 4);
  linker.addChecksum(ACPI_TABLES_FILE, start, length, start + HEADER_CHECKSUM_OFFSET);
}

/** A Generic Address Structure (§5.2.3.2). */
export function gas(w: ByteWriter, addressSpace: number, bitWidth: number, bitOffset: number, accessSize: number, address: number): void {
  w.u8(addressSpace).u8(bitWidth).u8(bitOffset).u8(accessSize).u64(address);
}

export const GAS_SYSTEM_MEMORY = 0;
