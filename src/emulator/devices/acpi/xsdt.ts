/** Extended System Description Table (ACPI 6.4 §5.2.8): 64-bit pointers to the other tables, patched by the loader. */
import { ACPI_TABLES_FILE, beginTable, endTable } from './acpi-table.js';
import type { BiosLinker } from './bios-linker.js';
import type { ByteWriter } from './byte-writer.js';

export function buildXsdt(w: ByteWriter, linker: BiosLinker, tableOffsets: readonly number[]): void {
  const start = beginTable(w, 'XSDT', 1);
  for (const t of tableOffsets) {
    const entry = w.length;
    w.u64(0);
    linker.addPointer(ACPI_TABLES_FILE, entry, 8, ACPI_TABLES_FILE, t);
  }
  endTable(w, linker, start);
}
