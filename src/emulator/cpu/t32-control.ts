/**
 * 32-bit Thumb-2 branches and miscellaneous control (ARM DDI 0403 A5.3.4): B (T3/T4), BL,
 * MSR/MRS, hints, barriers, CLREX and the permanently undefined UDF.W. BLX (immediate), CPS.W,
 * BXJ, SUBS PC,LR, SMC and HVC have no row: they are UNDEFINED on ARMv7-M.
 */
import type { Cpu } from './cpu.js';
import { encoding } from './decode-table.js';
import type { Encoding, Fields } from './decode-table.js';
import type { Handler } from './t16.js';

type Row = Encoding<Handler>;
const t32 = (name: string, pattern: string, exec: Handler): Row => encoding(name, 32, pattern, exec);

/** Offset of the T4 branch/BL encodings: S:I1:I2:imm10:imm11:'0', I = NOT(J XOR S). */
export function branch24(a: Fields): number {
  const i1 = (a.j1 ^ a.s ^ 1) & 1;
  const i2 = (a.j2 ^ a.s ^ 1) & 1;
  const imm = (a.s << 24) | (i1 << 23) | (i2 << 22) | (a.imm10 << 12) | (a.imm11 << 1);
  return (imm << 7) >> 7;
}

const hint = (c: Cpu, a: Fields): void => {
  switch (a.op) {
    case 2:
      c.sys.wfe();
      break;
    case 3:
      c.sys.wfi();
      break;
    case 4:
      c.sys.sev();
      break;
    default:
      break; // NOP, YIELD, DBG and reserved hints
  }
};

const nothing: Handler = () => {};

export const T32_CONTROL_ROWS: readonly Row[] = [
  t32('MSR', '1111 0011 1000 rn:4 1000 mask:2 00 sysm:8', (c, a) => {
    // Stops the core itself when the write can change what happens next (ArmV7mSystem.writeSpecial).
    c.sys.writeSpecial(a.sysm, a.mask, c.r[a.rn]!);
  }),
  t32('HINT', '1111 0011 1010 1111 1000 0000 op:8', hint),
  t32('CLREX', '1111 0011 1011 1111 1000 1111 0010 1111', (c) => {
    c.state.exclusiveAddr = -1;
  }),
  t32('DSB', '1111 0011 1011 1111 1000 1111 0100 ----', nothing),
  t32('DMB', '1111 0011 1011 1111 1000 1111 0101 ----', nothing),
  t32('ISB', '1111 0011 1011 1111 1000 1111 0110 ----', nothing),
  t32('MRS', '1111 0011 1110 1111 1000 rd:4 sysm:8', (c, a) => {
    c.setReg(a.rd, c.sys.readSpecial(a.sysm));
  }),
  t32('UDF', '1111 0111 1111 ---- 1010 ---- ---- ----', (c) => c.undefined()),
  t32('B_cond', '11110 s:1 cond:4 imm6:6 10 j1:1 0 j2:1 imm11:11', (c, a) => {
    // cond 111x is the miscellaneous-control space: whatever no row above claimed is unallocated.
    if (a.cond >= 14 || c.inIt) return c.undefined();
    if (!c.conditionPassed(a.cond)) return;
    const imm = (a.s << 20) | (a.j2 << 19) | (a.j1 << 18) | (a.imm6 << 12) | (a.imm11 << 1);
    c.branchTo(c.r[15]! + ((imm << 11) >> 11));
  }),
  t32('B', '11110 s:1 imm10:10 10 j1:1 1 j2:1 imm11:11', (c, a) => c.branchDirect(c.r[15]! + branch24(a))),
  t32('BL', '11110 s:1 imm10:10 11 j1:1 1 j2:1 imm11:11', (c, a) => {
    c.link();
    c.branchDirect(c.r[15]! + branch24(a));
  }),
];
