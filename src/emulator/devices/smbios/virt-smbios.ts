/**
 * The SMBIOS blobs QEMU 7.2's virt puts in fw_cfg (hw/arm/virt.c virt_build_smbios,
 * hw/smbios/smbios.c smbios_get_tables with no -smbios options): etc/smbios/smbios-tables and
 * the 64-bit (SMBIOS 3.0) entry point etc/smbios/smbios-anchor. Structures (DMTF DSP0134 3.0):
 * system (1), chassis (3), one processor (4), the memory array (16) with one 16 GiB-at-most
 * memory device (17) per DIMM-sized chunk of RAM, boot information (32) and the end (127);
 * manufacturer "QEMU", product "QEMU Virtual Machine" (TCG), version the machine type, no UUID.
 * Types 0 and 2 are optional and left out, type 19 needs a memory map virt does not pass.
 */
import { ByteWriter } from '../acpi/byte-writer.js';

export interface SmbiosBlobs {
  tables: Uint8Array;
  anchor: Uint8Array;
}

export interface VirtSmbiosOptions {
  ramBytes: number;
  /** The machine type QEMU resolves `-M virt` to. */
  machineType: string;
}

const MANUFACTURER = 'QEMU';
const PRODUCT = 'QEMU Virtual Machine';
/** hw/smbios/smbios.c's DEFAULT_CPU_SPEED (MHz). */
const CPU_SPEED_MHZ = 2000;
const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;
const DIMM_MAX = 16 * GiB;
/** Largest size in type 17's 16-bit MB field; above it the extended field holds the size. */
const T17_MAX_STD_MB = 0x7fff;
const T16_MAX_STD_KB = 0x80000000;
const HANDLE_T16 = 0x1000;
const HANDLE_T17 = 0x1100;
const NOT_PROVIDED = 0xfffe;
const UNKNOWN_16 = 0xffff;

/** One structure: its formatted area (type, length and handle filled in), then its string set. */
class Structure {
  readonly w = new ByteWriter();
  private readonly strings: string[] = [];

  constructor(type: number, handle: number) {
    this.w.u8(type).u8(0).u16(handle);
  }

  /** A string field: its 1-based index in the set, 0 for none. */
  str(s: string | undefined): this {
    if (s === undefined) {
      this.w.u8(0);
      return this;
    }
    this.strings.push(s);
    this.w.u8(this.strings.length);
    return this;
  }

  finish(out: ByteWriter): void {
    const formatted = this.w.bytes();
    formatted[1] = formatted.length;
    out.raw(formatted);
    if (this.strings.length === 0) out.u16(0);
    else {
      for (const s of this.strings) out.ascii(s).u8(0);
      out.u8(0);
    }
  }
}

export function buildVirtSmbios(o: VirtSmbiosOptions): SmbiosBlobs {
  const out = new ByteWriter();
  const add = (s: Structure): void => s.finish(out);

  // Type 1, system information: wake-up by power switch, UUID zero (no -uuid).
  const t1 = new Structure(1, 0x100).str(MANUFACTURER).str(PRODUCT).str(o.machineType).str(undefined);
  t1.w.zeros(16).u8(0x06);
  add(t1.str(undefined).str(undefined));

  // Type 3, chassis: "other", states safe, security unknown.
  const t3 = new Structure(3, 0x300).str(MANUFACTURER);
  t3.w.u8(0x01);
  t3.str(o.machineType).str(undefined).str(undefined);
  t3.w.u8(0x03).u8(0x03).u8(0x03).u8(0x02).u32(0).u8(0).u8(0).u8(0).u8(0);
  add(t3.str(undefined));

  // Type 4, processor (SMBIOS 3.0 length): one socket, one core, one thread; ID 0 on ARM.
  const t4 = new Structure(4, 0x400).str('CPU 0');
  t4.w.u8(0x03).u8(0x01); // central processor, family "other"
  t4.str(MANUFACTURER);
  t4.w.zeros(8);
  t4.str(o.machineType);
  t4.w.u8(0).u16(0).u16(CPU_SPEED_MHZ).u16(CPU_SPEED_MHZ).u8(0x41).u8(0x01); // voltage, clock, speeds, populated+enabled, upgrade "other"
  t4.w.u16(UNKNOWN_16).u16(UNKNOWN_16).u16(UNKNOWN_16); // no cache structures
  t4.str(undefined).str(undefined).str(undefined);
  t4.w.u8(1).u8(1).u8(1).u16(0x02).u16(0x01).u16(1).u16(1).u16(1); // cores, enabled, threads, characteristics unknown, family 2, counts 2
  add(t4);

  // Type 16, physical memory array: "other" location, system memory, multi-bit ECC.
  const dimms = Math.ceil(o.ramBytes / DIMM_MAX);
  const sizeKb = Math.ceil(o.ramBytes / KiB);
  const t16 = new Structure(16, HANDLE_T16);
  t16.w.u8(0x01).u8(0x03).u8(0x06);
  if (sizeKb < T16_MAX_STD_KB) t16.w.u32(sizeKb).u16(NOT_PROVIDED).u16(dimms).u64(0);
  else t16.w.u32(T16_MAX_STD_KB).u16(NOT_PROVIDED).u16(dimms).u64(o.ramBytes);
  add(t16);

  // Type 17, one memory device per 16 GiB (the last one holds the rest): DIMM, RAM, "other".
  for (let i = 0; i < dimms; i++) {
    const size = i < dimms - 1 ? DIMM_MAX : ((o.ramBytes - 1) % DIMM_MAX) + 1;
    const sizeMb = Math.ceil(size / MiB);
    const t17 = new Structure(17, HANDLE_T17 + i);
    t17.w.u16(HANDLE_T16).u16(NOT_PROVIDED).u16(UNKNOWN_16).u16(UNKNOWN_16);
    t17.w.u16(sizeMb < T17_MAX_STD_MB ? sizeMb : T17_MAX_STD_MB).u8(0x09).u8(0);
    t17.str(`DIMM ${i}`).str(undefined);
    t17.w.u8(0x07).u16(0x02).u16(0); // type RAM, detail "other", speed unknown
    t17.str(MANUFACTURER).str(undefined).str(undefined).str(undefined);
    t17.w.u8(0).u32(sizeMb < T17_MAX_STD_MB ? 0 : sizeMb).u16(0).u16(0).u16(0).u16(0);
    add(t17);
  }

  // Type 32, system boot information: no errors.
  const t32 = new Structure(32, 0x2000);
  t32.w.zeros(6).u8(0);
  add(t32);
  add(new Structure(127, 0x7f00));

  const tables = out.bytes();
  // SMBIOS 3.0 entry point: checksum and table address are the firmware's to fill in.
  const anchor = new ByteWriter().ascii('_SM3_').u8(0).u8(0x18).u8(3).u8(0).u8(0).u8(1).u8(0).u32(tables.length).u64(0).bytes();
  return { tables, anchor };
}
