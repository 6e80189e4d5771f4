/**
 * Fixed ACPI Description Table, revision 6.0 (ACPI 6.4 §5.2.9) as QEMU's build_fadt writes it
 * for a hardware-reduced ARM platform: no PM blocks, no FACS, HW_REDUCED_ACPI, the ARM boot
 * flags (PSCI), X_DSDT pointing at the DSDT, hypervisor vendor "QEMU".
 */
import { ACPI_TABLES_FILE, beginTable, endTable } from './acpi-table.js';
import type { BiosLinker } from './bios-linker.js';
import type { ByteWriter } from './byte-writer.js';

const FLAG_HW_REDUCED_ACPI = 1 << 20;
export const ARM_BOOT_PSCI_COMPLIANT = 1;
export const ARM_BOOT_PSCI_USE_HVC = 2;
const GAS_SIZE = 12;

export function buildFadt(w: ByteWriter, linker: BiosLinker, dsdtOffset: number, armBootArch: number): void {
  const start = beginTable(w, 'FACP', 6);
  w.u32(0).u32(0); // FIRMWARE_CTRL, DSDT (32-bit pointers unused)
  w.u8(0).u8(0).u16(0).u32(0).u8(0).u8(0).u8(0).u8(0); // INT_MODEL, PM profile, SCI_INT, SMI_CMD, ACPI_ENABLE/DISABLE, S4BIOS_REQ, PSTATE_CNT
  w.zeros(8 * 4); // PM1a/b_EVT, PM1a/b_CNT, PM2_CNT, PM_TMR, GPE0, GPE1 blocks
  w.zeros(8); // block lengths, GPE1_BASE, CST_CNT
  w.u16(0).u16(0).u16(0).u16(0); // P_LVL2/3_LAT, FLUSH_SIZE/STRIDE
  w.zeros(5); // DUTY_OFFSET/WIDTH, DAY/MON_ALRM, CENTURY
  w.u16(0).u8(0); // IAPC_BOOT_ARCH, reserved
  w.u32(FLAG_HW_REDUCED_ACPI);
  w.zeros(GAS_SIZE).u8(0); // RESET_REG, RESET_VALUE
  w.u16(armBootArch).u8(0); // ARM_BOOT_ARCH, FADT minor version 0
  w.u64(0); // X_FIRMWARE_CTRL
  const xDsdt = w.length;
  w.u64(0);
  linker.addPointer(ACPI_TABLES_FILE, xDsdt, 8, ACPI_TABLES_FILE, dsdtOffset);
  w.zeros(10 * GAS_SIZE); // X_PM1a/b_EVT, X_PM1a/b_CNT, X_PM2_CNT, X_PM_TMR, X_GPE0/1, SLEEP_CONTROL/STATUS
  w.ascii('QEMU', 8); // hypervisor vendor identity
  endTable(w, linker, start);
}
