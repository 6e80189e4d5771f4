/**
 * The ACPI blobs QEMU 7.2's virt puts in fw_cfg (hw/arm/virt-acpi-build.c virt_acpi_build):
 * etc/acpi/tables (DSDT, FADT, MADT, PPTT, GTDT, MCFG, SPCR, DBG2, IORT, XSDT, in that order,
 * padded to 128 KiB), etc/acpi/rsdp and the loader script etc/table-loader that links them. For
 * one Cortex-A15 with a GICv2, no NUMA, NVDIMM, TPM, RAS or IOMMU: nothing here depends on the
 * RAM size.
 */
import { ACPI_TABLES_FILE, beginTable, endTable } from './acpi-table.js';
import { BiosLinker } from './bios-linker.js';
import { ByteWriter } from './byte-writer.js';
import { virtDsdtAml } from './virt-dsdt.js';
import { ARM_BOOT_PSCI_COMPLIANT, ARM_BOOT_PSCI_USE_HVC, buildFadt } from './fadt.js';
import { buildVirtMadt } from './virt-madt.js';
import { buildPptt } from './pptt.js';
import { buildGtdt } from './gtdt.js';
import { buildMcfg } from './mcfg.js';
import { buildSpcr } from './spcr.js';
import { buildDbg2 } from './dbg2.js';
import { buildIort } from './iort.js';
import { buildXsdt } from './xsdt.js';
import { buildRsdp } from './rsdp.js';
import {
  ARM_SPI_BASE,
  VIRT_MEMMAP as MAP,
  VIRT_PMU_PPI,
  VIRT_TIMER_HYP_PPI,
  VIRT_TIMER_PHYS_PPI,
  VIRT_TIMER_S_EL1_PPI,
  VIRT_TIMER_VIRT_PPI,
} from '../../machines/virt-memory-map.js';

/** QEMU's ACPI_BUILD_TABLE_SIZE: the tables file is padded to this (migration-stable size). */
const TABLES_FILE_SIZE = 0x20000;

export interface AcpiBlobs {
  tables: Uint8Array;
  rsdp: Uint8Array;
  tableLoader: Uint8Array;
}

export function buildVirtAcpi(): AcpiBlobs {
  const linker = new BiosLinker();
  const w = new ByteWriter();
  linker.allocate(ACPI_TABLES_FILE, w, 64, false);

  const dsdt = beginTable(w, 'DSDT', 2);
  w.raw(virtDsdtAml(1));
  endTable(w, linker, dsdt);

  const offsets: number[] = [];
  const next = (): void => void offsets.push(w.length);
  next();
  // QEMU's default PSCI conduit on virt without EL2/EL3 firmware is HVC.
  buildFadt(w, linker, dsdt, ARM_BOOT_PSCI_COMPLIANT | ARM_BOOT_PSCI_USE_HVC);
  next();
  buildVirtMadt(w, linker, [{ mpidrAffinity: 0, pmuInterrupt: VIRT_PMU_PPI }]);
  next();
  buildPptt(w, linker, [{ socket: 0, cluster: 0 }]);
  next();
  buildGtdt(w, linker, {
    secureEl1: VIRT_TIMER_S_EL1_PPI,
    nonSecureEl1: VIRT_TIMER_PHYS_PPI,
    virtual: VIRT_TIMER_VIRT_PPI,
    nonSecureEl2: VIRT_TIMER_HYP_PPI,
  });
  next();
  buildMcfg(w, linker, MAP.highPcieEcam.base, MAP.highPcieEcam.size);
  next();
  buildSpcr(w, linker, MAP.uart.base, MAP.uart.irq + ARM_SPI_BASE);
  next();
  buildDbg2(w, linker, MAP.uart.base, MAP.uart.size, 'COM0');
  next();
  buildIort(w, linker);

  const xsdt = w.length;
  buildXsdt(w, linker, offsets);
  const rsdp = buildRsdp(linker, xsdt);
  if (w.length > TABLES_FILE_SIZE) throw new Error(`ACPI tables (${w.length} bytes) exceed fw_cfg's ${TABLES_FILE_SIZE}-byte file`);
  return { tables: w.bytes(TABLES_FILE_SIZE), rsdp, tableLoader: linker.script() };
}
