/**
 * 32-bit Thumb-2 data processing (ARM DDI 0403 A5.3.1-A5.3.3, A5.3.11-A5.3.16): modified
 * immediate, plain binary immediate, shifted register, register-controlled shifts, extends,
 * miscellaneous operations, multiplies and divides. DSP-extension encodings have no row and
 * therefore decode as UNDEFINED on Cortex-M3.
 */
import { encoding } from './decode-table.js';
import type { Encoding, Fields } from './decode-table.js';
import type { Cpu } from './cpu.js';
import type { Handler } from './t16.js';
import {
  add64,
  immShiftC,
  mulS64,
  mulU64,
  reverseBits,
  byteReverse,
  shiftC,
  signedSat,
  thumbExpandImmC,
  unsignedSat,
  shifter,
  wide,
} from './alu.js';
import { T32_DP_OPS, opMov } from './dataproc.js';
import { UsageCause } from './system.js';

type Row = Encoding<Handler>;
const t32 = (name: string, pattern: string, exec: Handler): Row => encoding(name, 32, pattern, exec);

const bin4 = (n: number): string => n.toString(2).padStart(4, '0');

function modifiedImmediateRows(): Row[] {
  const rows: Row[] = [];
  for (const spec of T32_DP_OPS) {
    const op = bin4(spec.op);
    if (spec.test) {
      const exec = spec.test.exec;
      rows.push(
        t32(`${spec.test.name}_imm`, `11110 imm:1 0 ${op} 1 rn:4 0 imm:3 1111 imm:8`, (c, a) =>
          exec(c, 0, c.r[a.rn]!, thumbExpandImmC(a.imm, c.state.CF), 1),
        ),
      );
    }
    if (spec.move) {
      const exec = spec.move.exec;
      rows.push(
        t32(`${spec.move.name}_imm`, `11110 imm:1 0 ${op} s:1 1111 0 imm:3 rd:4 imm:8`, (c, a) =>
          exec(c, a.rd, 0, thumbExpandImmC(a.imm, c.state.CF), a.s),
        ),
      );
    }
    const exec = spec.exec;
    rows.push(
      t32(`${spec.name}_imm`, `11110 imm:1 0 ${op} s:1 rn:4 0 imm:3 rd:4 imm:8`, (c, a) =>
        exec(c, a.rd, c.r[a.rn]!, thumbExpandImmC(a.imm, c.state.CF), a.s),
      ),
    );
  }
  return rows;
}

function shiftedRegisterRows(): Row[] {
  const rows: Row[] = [];
  for (const spec of T32_DP_OPS) {
    const op = bin4(spec.op);
    if (spec.test) {
      const exec = spec.test.exec;
      rows.push(
        t32(`${spec.test.name}_reg`, `1110101 ${op} 1 rn:4 0 imm:3 1111 imm:2 ty:2 rm:4`, (c, a) =>
          exec(c, 0, c.r[a.rn]!, immShiftC(c.r[a.rm]!, a.ty, a.imm, c.state.CF), 1),
        ),
      );
    }
    if (spec.move) {
      const exec = spec.move.exec;
      rows.push(
        t32(`${spec.move.name}_reg`, `1110101 ${op} s:1 1111 0 imm:3 rd:4 imm:2 ty:2 rm:4`, (c, a) =>
          exec(c, a.rd, 0, immShiftC(c.r[a.rm]!, a.ty, a.imm, c.state.CF), a.s),
        ),
      );
    }
    const exec = spec.exec;
    rows.push(
      t32(`${spec.name}_reg`, `1110101 ${op} s:1 rn:4 0 imm:3 rd:4 imm:2 ty:2 rm:4`, (c, a) =>
        exec(c, a.rd, c.r[a.rn]!, immShiftC(c.r[a.rm]!, a.ty, a.imm, c.state.CF), a.s),
      ),
    );
  }
  return rows;
}

const saturate =
  (signed: boolean): Handler =>
  (c, a) => {
    // sh=1 with a zero shift is SSAT16/USAT16 (DSP extension).
    if (a.sh === 1 && a.imm === 0) return c.undefined();
    const v = c.r[a.rn]!;
    const operand = a.sh === 1 ? v >> a.imm : v << a.imm;
    c.storeReg(a.rd, signed ? signedSat(operand, a.sat + 1) : unsignedSat(operand, a.sat));
    if (shifter.carry !== 0) c.state.QF = 1;
  };

const extendRot =
  (fn: (v: number) => number): Handler =>
  (c, a) => {
    const v = c.r[a.rm]!;
    const n = a.rot * 8;
    c.storeReg(a.rd, fn(n === 0 ? v : (v >>> n) | (v << (32 - n))));
  };

const reg1 =
  (fn: (v: number) => number): Handler =>
  (c, a) => {
    c.storeReg(a.rd, fn(c.r[a.rm]!));
  };

const longMultiply =
  (signed: boolean, accumulate: boolean): Handler =>
  (c, a) => {
    const r = c.r;
    const lo = r[a.rdlo]!;
    const hi = r[a.rdhi]!;
    if (signed) mulS64(r[a.rn]!, r[a.rm]!);
    else mulU64(r[a.rn]!, r[a.rm]!);
    if (accumulate) add64(lo, hi);
    storeLongResult(c, a);
  };

/** RdLo then RdHi = the 64-bit result in `wide` (store_reg: a PC destination branches). */
export function storeLongResult(c: Cpu, a: Fields): void {
  c.storeReg(a.rdlo, wide.lo);
  c.storeReg(a.rdhi, wide.hi);
}

const divide =
  (signed: boolean): Handler =>
  (c, a) => {
    const n = c.r[a.rn]!;
    const m = c.r[a.rm]!;
    if (m === 0) {
      if (c.divZeroTrap) c.runtimeFault(UsageCause.DIVBYZERO);
      c.storeReg(a.rd, 0);
      return;
    }
    c.storeReg(a.rd, signed ? (n / m) | 0 : (n >>> 0) / (m >>> 0) | 0);
  };

export const T32_DATAPROC_ROWS: readonly Row[] = [
  ...modifiedImmediateRows(),

  // Plain binary immediate
  t32('ADR_add', '11110 imm:1 10 0000 1111 0 imm:3 rd:4 imm:8', (c, a) => {
    c.storeReg(a.rd, ((c.r[15]! & ~3) + a.imm) | 0);
  }),
  t32('ADDW', '11110 imm:1 10 0000 rn:4 0 imm:3 rd:4 imm:8', (c, a) => {
    c.storeReg(a.rd, (c.r[a.rn]! + a.imm) | 0);
  }),
  t32('MOVW', '11110 i:1 10 0100 imm4:4 0 imm3:3 rd:4 imm8:8', (c, a) => {
    c.storeReg(a.rd, (a.imm4 << 12) | (a.i << 11) | (a.imm3 << 8) | a.imm8);
  }),
  t32('ADR_sub', '11110 imm:1 10 1010 1111 0 imm:3 rd:4 imm:8', (c, a) => {
    c.storeReg(a.rd, ((c.r[15]! & ~3) - a.imm) | 0);
  }),
  t32('SUBW', '11110 imm:1 10 1010 rn:4 0 imm:3 rd:4 imm:8', (c, a) => {
    c.storeReg(a.rd, (c.r[a.rn]! - a.imm) | 0);
  }),
  t32('MOVT', '11110 i:1 10 1100 imm4:4 0 imm3:3 rd:4 imm8:8', (c, a) => {
    const imm16 = (a.imm4 << 12) | (a.i << 11) | (a.imm3 << 8) | a.imm8;
    c.storeReg(a.rd, (c.r[a.rd]! & 0xffff) | (imm16 << 16));
  }),
  t32('SSAT', '11110 0 11 00 sh:1 0 rn:4 0 imm:3 rd:4 imm:2 0 sat:5', saturate(true)),
  t32('USAT', '11110 0 11 10 sh:1 0 rn:4 0 imm:3 rd:4 imm:2 0 sat:5', saturate(false)),
  t32('SBFX', '11110 0 11 0100 rn:4 0 lsb:3 rd:4 lsb:2 0 wm1:5', (c, a) => {
    if (a.lsb + a.wm1 > 31) return c.undefined();
    const up = 31 - a.lsb - a.wm1;
    c.storeReg(a.rd, (c.r[a.rn]! << up) >> (up + a.lsb));
  }),
  t32('UBFX', '11110 0 11 1100 rn:4 0 lsb:3 rd:4 lsb:2 0 wm1:5', (c, a) => {
    if (a.lsb + a.wm1 > 31) return c.undefined();
    const up = 31 - a.lsb - a.wm1;
    c.storeReg(a.rd, (c.r[a.rn]! << up) >>> (up + a.lsb));
  }),
  t32('BFC', '11110 0 11 0110 1111 0 lsb:3 rd:4 lsb:2 0 msb:5', (c, a) => {
    if (a.msb < a.lsb) return c.undefined();
    const mask = ((-1 >>> (31 - a.msb + a.lsb)) << a.lsb) | 0;
    c.storeReg(a.rd, c.r[a.rd]! & ~mask);
  }),
  t32('BFI', '11110 0 11 0110 rn:4 0 lsb:3 rd:4 lsb:2 0 msb:5', (c, a) => {
    if (a.msb < a.lsb) return c.undefined();
    const mask = ((-1 >>> (31 - a.msb + a.lsb)) << a.lsb) | 0;
    c.storeReg(a.rd, (c.r[a.rd]! & ~mask) | ((c.r[a.rn]! << a.lsb) & mask));
  }),

  ...shiftedRegisterRows(),

  // Data processing (register)
  t32('SHIFT_reg', '1111 1010 0 ty:2 s:1 rn:4 1111 rd:4 0000 rm:4', (c, a) =>
    opMov(c, a.rd, 0, shiftC(c.r[a.rn]!, a.ty, c.r[a.rm]! & 0xff, c.state.CF), a.s),
  ),
  t32('SXTH', '1111 1010 0000 1111 1111 rd:4 10 rot:2 rm:4', extendRot((v) => (v << 16) >> 16)),
  t32('UXTH', '1111 1010 0001 1111 1111 rd:4 10 rot:2 rm:4', extendRot((v) => v & 0xffff)),
  t32('SXTB', '1111 1010 0100 1111 1111 rd:4 10 rot:2 rm:4', extendRot((v) => (v << 24) >> 24)),
  t32('UXTB', '1111 1010 0101 1111 1111 rd:4 10 rot:2 rm:4', extendRot((v) => v & 0xff)),
  t32('REV', '1111 1010 1001 ---- 1111 rd:4 1000 rm:4', reg1(byteReverse)),
  t32('REV16', '1111 1010 1001 ---- 1111 rd:4 1001 rm:4', reg1((v) => ((v >>> 8) & 0x00ff00ff) | ((v & 0x00ff00ff) << 8))),
  t32('RBIT', '1111 1010 1001 ---- 1111 rd:4 1010 rm:4', reg1(reverseBits)),
  t32('REVSH', '1111 1010 1001 ---- 1111 rd:4 1011 rm:4', reg1((v) => (((v & 0xff) << 24) >> 16) | ((v >>> 8) & 0xff))),
  t32('CLZ', '1111 1010 1011 ---- 1111 rd:4 1000 rm:4', reg1(Math.clz32)),

  // Multiply, multiply accumulate, long multiply, divide
  t32('MUL', '1111 1011 0000 rn:4 1111 rd:4 0000 rm:4', (c, a) => {
    c.storeReg(a.rd, Math.imul(c.r[a.rn]!, c.r[a.rm]!));
  }),
  t32('MLA', '1111 1011 0000 rn:4 ra:4 rd:4 0000 rm:4', (c, a) => {
    c.storeReg(a.rd, (Math.imul(c.r[a.rn]!, c.r[a.rm]!) + c.r[a.ra]!) | 0);
  }),
  t32('MLS', '1111 1011 0000 rn:4 ra:4 rd:4 0001 rm:4', (c, a) => {
    c.storeReg(a.rd, (c.r[a.ra]! - Math.imul(c.r[a.rn]!, c.r[a.rm]!)) | 0);
  }),
  t32('SMULL', '1111 1011 1000 rn:4 rdlo:4 rdhi:4 0000 rm:4', longMultiply(true, false)),
  t32('SDIV', '1111 1011 1001 rn:4 1111 rd:4 1111 rm:4', divide(true)),
  t32('UMULL', '1111 1011 1010 rn:4 rdlo:4 rdhi:4 0000 rm:4', longMultiply(false, false)),
  t32('UDIV', '1111 1011 1011 rn:4 1111 rd:4 1111 rm:4', divide(false)),
  t32('SMLAL', '1111 1011 1100 rn:4 rdlo:4 rdhi:4 0000 rm:4', longMultiply(true, true)),
  t32('UMLAL', '1111 1011 1110 rn:4 rdlo:4 rdhi:4 0000 rm:4', longMultiply(false, true)),
];
