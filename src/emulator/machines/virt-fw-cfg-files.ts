/**
 * The files QEMU 7.2's virt puts in fw_cfg with armrr's options (`-M virt -cpu cortex-a15 -m
 * SIZE`, no -fw_cfg, -boot or devices): the empty bios-geometry, bootorder and etc/tpm/log,
 * etc/boot-fail-wait (-1: no reboot timeout), and the generated ACPI tables, RSDP, table loader
 * and SMBIOS tables and anchor. Only SMBIOS depends on the RAM size (types 16/17).
 */
import type { FwCfgFile } from '../devices/fw-cfg.js';
import { buildVirtAcpi, type AcpiBlobs } from '../devices/acpi/virt-acpi.js';
import { buildVirtSmbios } from '../devices/smbios/virt-smbios.js';

/** The machine type QEMU 7.2 resolves `-M virt` to (SMBIOS's version strings). */
export const VIRT_QEMU_MACHINE_TYPE = 'virt-7.2';

/** Built once per process: the ACPI blobs do not depend on the options, and FwCfg only reads them. */
let acpiBlobs: AcpiBlobs | undefined;

export function virtFwCfgFiles(ramBytes: number): FwCfgFile[] {
  const acpi = (acpiBlobs ??= buildVirtAcpi());
  const smbios = buildVirtSmbios({ ramBytes, machineType: VIRT_QEMU_MACHINE_TYPE });
  return [
    { name: 'bios-geometry', data: new Uint8Array(0) },
    { name: 'bootorder', data: new Uint8Array(0) },
    { name: 'etc/acpi/rsdp', data: acpi.rsdp },
    { name: 'etc/acpi/tables', data: acpi.tables },
    { name: 'etc/boot-fail-wait', data: Uint8Array.of(0xff, 0xff, 0xff, 0xff) },
    { name: 'etc/smbios/smbios-anchor', data: smbios.anchor },
    { name: 'etc/smbios/smbios-tables', data: smbios.tables },
    { name: 'etc/table-loader', data: acpi.tableLoader },
    { name: 'etc/tpm/log', data: new Uint8Array(0) },
  ];
}
