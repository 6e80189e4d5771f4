/**
 * MMU faults of a VMSAv7 core: what went wrong during a translation (or the access after it), and
 * its encoding as a short-descriptor or LPAE (long-descriptor) DFSR/IFSR value. Status values are
 * QEMU 7.2's (target/arm/internals.h arm_fi_to_sfsc / arm_fi_to_lfsc, tlb_helper.c
 * arm_deliver_fault): a short-format status carries the domain in bits 7:4 and FS[4] in bit 10, a
 * long-format one has bit 9 (LPAE) set; a data write adds WnR (bit 11) in both formats.
 */

/** Kinds of fault (QEMU's ARMFaultType, the ones a VMSAv7 stage-1 regime can raise). */
export const enum MmuFaultType {
  None = 0,
  AccessFlag,
  Alignment,
  Domain,
  Permission,
  Translation,
  AddressSize,
  /** External abort on the access itself (the bus answered nothing there). */
  SyncExternal,
  /** External abort while reading a translation table descriptor. */
  SyncExternalOnWalk,
}

/** What a table walk found wrong: type, level and (short descriptors) domain. Reused, never allocated per fault. */
export class MmuFaultInfo {
  type: MmuFaultType = MmuFaultType.None;
  level = 0;
  domain = 0;

  set(type: MmuFaultType, level: number, domain: number): void {
    this.type = type;
    this.level = level;
    this.domain = domain;
  }
}

/**
 * Thrown (as the one object `MMU_FAULT`) by the Mmu's accesses; the core's exception model turns it
 * into a prefetch abort (`isFetch`) or a data abort, writing `fsr` to IFSR/DFSR and `far` to
 * IFAR/DFAR. `fsr` is already in the format of the current regime, with WnR for data writes.
 */
export class MmuFaultSignal {
  fsr = 0;
  /** The faulting virtual address. */
  far = 0;
  isWrite = false;
  isFetch = false;
}
export const MMU_FAULT = new MmuFaultSignal();

/** Short-descriptor FSR (bits 10, 7:0): QEMU's arm_fi_to_sfsc. */
export function shortFormatFsr(fi: MmuFaultInfo): number {
  let fs: number;
  switch (fi.type) {
    case MmuFaultType.AccessFlag:
      fs = fi.level === 1 ? 0x3 : 0x6;
      break;
    case MmuFaultType.Alignment:
      fs = 0x1;
      break;
    case MmuFaultType.Permission:
      fs = fi.level === 1 ? 0xd : 0xf;
      break;
    case MmuFaultType.Domain:
      fs = fi.level === 1 ? 0x9 : 0xb;
      break;
    case MmuFaultType.Translation:
      fs = fi.level === 1 ? 0x5 : 0x7;
      break;
    case MmuFaultType.SyncExternal:
      // ExT (bit 12) stays 0: QEMU classifies an unassigned address as a decode error.
      fs = 0x8;
      break;
    case MmuFaultType.SyncExternalOnWalk:
      fs = fi.level === 1 ? 0xc : 0xe;
      break;
    default:
      fs = 0;
  }
  return fs | (fi.domain << 4);
}

/** Long-descriptor (LPAE) FSR: status in bits 5:0 with the level, bit 9 set (QEMU's arm_fi_to_lfsc). */
export function longFormatFsr(fi: MmuFaultInfo): number {
  let fs: number;
  switch (fi.type) {
    case MmuFaultType.AddressSize:
      fs = fi.level;
      break;
    case MmuFaultType.AccessFlag:
      fs = 0x08 | fi.level;
      break;
    case MmuFaultType.Permission:
      fs = 0x0c | fi.level;
      break;
    case MmuFaultType.Translation:
      fs = 0x04 | fi.level;
      break;
    case MmuFaultType.SyncExternal:
      fs = 0x10;
      break;
    case MmuFaultType.SyncExternalOnWalk:
      fs = 0x14 | fi.level;
      break;
    case MmuFaultType.Alignment:
      fs = 0x21;
      break;
    default:
      fs = 0;
  }
  return fs | (1 << 9);
}

/** WnR: set in DFSR (both formats) for faults of data writes. */
export const FSR_WNR = 1 << 11;
