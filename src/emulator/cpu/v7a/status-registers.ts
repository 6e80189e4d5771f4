/**
 * MRS/MSR semantics shared by the A32 and T32 encodings of an A-profile core: the CPSR/SPSR forms
 * and the banked-register forms (Virtualization Extensions encodings, present on the A15), with
 * QEMU 7.2's choices for the UNPREDICTABLE cases (UNDEFINED).
 */
import type { ArmV7aCpu } from './cpu.js';
import { MODE_ABT, MODE_FIQ, MODE_IRQ, MODE_SVC, MODE_UND, MODE_USR, bankOf } from './state.js';

/** Bits MSR may write at all (QEMU's aarch32_cpsr_valid_mask on this core: no J): NZCVQ, IT, IL, GE, E, A, I, F, T, M. */
const CPSR_VALID = 0xfe1fffff;
/** The execution-state bits MSR CPSR never writes (T, IT, J, IL). */
const CPSR_EXEC = 0x0710fc20;
/** Bits a PL0 MSR CPSR may write: flags and GE. */
const CPSR_USER = 0xf80f0000;

/** MSR field mask (c x s f) as a bit mask. */
export function fieldMask(mask: number): number {
  return ((mask & 1 ? 0xff : 0) | (mask & 2 ? 0xff00 : 0) | (mask & 4 ? 0xff0000 : 0) | (mask & 8 ? 0xff000000 : 0)) >>> 0;
}

/** MRS Rd, CPSR (without the execution-state bits, as QEMU) or SPSR (UNDEFINED at PL0). */
export function mrs(c: ArmV7aCpu, rd: number, spsr: boolean): void {
  const st = c.state;
  if (spsr) {
    if (st.mode === MODE_USR) return c.undefined();
    c.r[rd] = st.getSpsr() | 0;
  } else {
    c.r[rd] = (st.getCpsr() & ~CPSR_EXEC) | 0;
  }
}

/** MSR CPSR_<fields> / SPSR_<fields>. */
export function msr(c: ArmV7aCpu, spsr: boolean, mask: number, value: number): void {
  const st = c.state;
  let bits = fieldMask(mask) & CPSR_VALID;
  if (spsr) {
    if (st.mode === MODE_USR) return c.undefined();
    st.setSpsr(((st.getSpsr() & ~bits) | (value & bits)) | 0);
    c.markExitToLoop(); // QEMU's gen_set_psr ends the block with exit_tb for SPSR too
    return;
  }
  bits &= ~CPSR_EXEC;
  if (st.mode === MODE_USR) bits &= CPSR_USER;
  c.writeCpsrByInstruction(value, bits);
}

/** Target of a banked access: mode << 8 | register (8..14, or 16 = SPSR); -1 = none. */
function bankedTarget(r: number, sysm: number): number {
  if (r === 1) {
    switch (sysm) {
      case 0x0e:
        return (MODE_FIQ << 8) | 16;
      case 0x10:
        return (MODE_IRQ << 8) | 16;
      case 0x12:
        return (MODE_SVC << 8) | 16;
      case 0x14:
        return (MODE_ABT << 8) | 16;
      case 0x16:
        return (MODE_UND << 8) | 16;
      default:
        return -1; // SPSR_mon, SPSR_hyp: no Security/Virtualization Extensions on virt
    }
  }
  if (sysm <= 6) return (MODE_USR << 8) | (8 + sysm);
  if (sysm >= 8 && sysm <= 14) return (MODE_FIQ << 8) | sysm;
  const modes = [MODE_IRQ, MODE_SVC, MODE_ABT, MODE_UND];
  if (sysm >= 0x10 && sysm <= 0x17) return (modes[(sysm - 0x10) >>> 1]! << 8) | (sysm & 1 ? 13 : 14);
  return -1;
}

/** Decode and check a banked access; -1 means it was UNDEFINED (the exception is taken). */
function checkedTarget(c: ArmV7aCpu, r: number, sysm: number): number {
  const st = c.state;
  // The banked forms come with the Virtualization Extensions (or v8): QEMU UNDEFs them without EL2.
  if (!c.hasVirtualizationExtensions) return -1;
  const t = bankedTarget(r, sysm);
  if (st.mode === MODE_USR || t < 0) return -1;
  const mode = t >>> 8;
  const reg = t & 0xff;
  // Naming the current mode's own registers is UNPREDICTABLE: QEMU UNDEFs.
  if (reg < 13 ? (mode === MODE_FIQ) === (st.mode === MODE_FIQ) : bankOf(mode) === bankOf(st.mode)) return -1;
  return t;
}

/** MRS Rd, <banked register>. */
export function mrsBanked(c: ArmV7aCpu, rd: number, r: number, sysm: number): void {
  const t = checkedTarget(c, r, sysm);
  if (t < 0) return c.undefined();
  const st = c.state;
  const mode = t >>> 8;
  const reg = t & 0xff;
  c.r[rd] = reg === 16 ? st.spsr[bankOf(mode)]! : st.getBanked(mode, reg);
}

/** MSR <banked register>, Rn. */
export function msrBanked(c: ArmV7aCpu, rn: number, r: number, sysm: number): void {
  const t = checkedTarget(c, r, sysm);
  if (t < 0) return c.undefined();
  const st = c.state;
  const mode = t >>> 8;
  const reg = t & 0xff;
  const v = c.r[rn]!;
  if (reg === 16) st.spsr[bankOf(mode)] = v;
  else st.setBanked(mode, reg, v);
}
