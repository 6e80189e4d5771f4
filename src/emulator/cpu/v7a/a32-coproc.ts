/**
 * Coprocessor register transfers of the A-profile core (MCR, MRC, MCRR, MRRC) to CP14/CP15,
 * looked up in the core's SysRegFile; shared by the A32 rows here and the T32 rows in thumb-a.ts.
 * cp10/cp11 belong to the VFP rows (tried first); any other coprocessor, CDP, LDC/STC and the
 * *2 forms are UNDEFINED (no row matches).
 */
import type { Cpu } from '../cpu.js';
import { encoding, type Encoding, type Fields } from '../decode-table.js';
import type { Handler } from '../t16.js';
import type { ArmV7aCpu } from './cpu.js';

type Row = Encoding<Handler>;
const a32 = (name: string, pattern: string, exec: Handler): Row => encoding(name, 32, pattern, exec);

/** MCR/MRC: 32-bit transfer. MRC to Rt = 15 sets N, Z, C, V from bits 31:28 (APSR_nzcv). */
export const coprocessor32: Handler = (c: Cpu, a: Fields): void => {
  const cpu = c as ArmV7aCpu;
  if (a.cp !== 14 && a.cp !== 15) return cpu.undefined();
  const isRead = a.l === 1;
  const def = cpu.sysregFor(a.cp, false, a.opc1, a.crn, a.crm, a.opc2, isRead);
  if (def === null) return cpu.undefined();
  if (def.nop === true) return; // QEMU's ARM_CP_NOP: Rt and the flags stay as they are
  const files = cpu.sysregs;
  if (isRead) {
    const v = def.read!(files);
    if (a.rt === 15) cpu.state.setApsr((v & 0xf0000000) | (cpu.state.QF << 27));
    else cpu.r[a.rt] = v | 0;
  } else {
    def.write!(cpu.r[a.rt]!, 0, files);
    cpu.markExitToLoop(); // QEMU ends its block after every AArch32 coprocessor write (gen_lookup_tb)
    // A register write may unmask or raise an interrupt (timers, PMU): re-evaluate at the boundary.
    if (def.writeKeepsSlice !== true) cpu.exitRequest = true;
  }
};

/** MCRR/MRRC: 64-bit transfer, Rt = low word, Rt2 = high word. */
export const coprocessor64: Handler = (c: Cpu, a: Fields): void => {
  const cpu = c as ArmV7aCpu;
  if (a.cp !== 14 && a.cp !== 15) return cpu.undefined();
  const isRead = a.l === 1;
  // UNPREDICTABLE register choices: QEMU UNDEFs PC and (for reads) Rt = Rt2.
  if (a.rt === 15 || a.rt2 === 15 || (isRead && a.rt === a.rt2)) return cpu.undefined();
  const def = cpu.sysregFor(a.cp, true, a.opc1, 0, a.crm, 0, isRead);
  if (def === null) return cpu.undefined();
  if (def.nop === true) return;
  const files = cpu.sysregs;
  if (isRead) {
    const lo = def.read!(files);
    cpu.r[a.rt] = lo | 0;
    cpu.r[a.rt2] = files.hi | 0;
  } else {
    def.write!(cpu.r[a.rt]!, cpu.r[a.rt2]!, files);
    cpu.markExitToLoop();
    if (def.writeKeepsSlice !== true) cpu.exitRequest = true;
  }
};

export const A32_COPROC_ROWS: readonly Row[] = [
  a32('MCR_MRC', '---- 1110 opc1:3 l:1 crn:4 rt:4 cp:4 opc2:3 1 crm:4', coprocessor32),
  a32('MCRR_MRRC', '---- 1100 010 l:1 rt2:4 rt:4 cp:4 opc1:4 crm:4', coprocessor64),
];
