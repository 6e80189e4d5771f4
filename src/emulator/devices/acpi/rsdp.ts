/**
 * Root System Description Pointer, revision 2 (ACPI 6.4 §5.2.5) as QEMU's build_rsdp: its own
 * fw_cfg file, allocated in the FSEG zone, pointing at the XSDT; both checksums (the ACPI 1.0
 * part and the extended one) are left to the loader.
 */
import { ACPI_OEM_ID, ACPI_RSDP_FILE, ACPI_TABLES_FILE } from './acpi-table.js';
import type { BiosLinker } from './bios-linker.js';
import { ByteWriter } from './byte-writer.js';

export function buildRsdp(linker: BiosLinker, xsdtOffset: number): Uint8Array {
  const w = new ByteWriter();
  linker.allocate(ACPI_RSDP_FILE, w, 16, true);
  w.ascii('RSD PTR ').u8(0).ascii(ACPI_OEM_ID, 6).u8(2).u32(0); // checksum, OEM ID, revision, RsdtAddress (none)
  linker.addChecksum(ACPI_RSDP_FILE, 0, 20, 8);
  w.u32(36).u64(0).u8(0).zeros(3); // length, XsdtAddress, extended checksum, reserved
  linker.addPointer(ACPI_RSDP_FILE, 24, 8, ACPI_TABLES_FILE, xsdtOffset);
  linker.addChecksum(ACPI_RSDP_FILE, 0, 36, 32);
  return w.bytes();
}
