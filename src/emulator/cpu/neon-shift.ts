/**
 * Advanced SIMD "two registers and a shift amount" (A7.4.4) and "one register and a modified
 * immediate" (A7.4.6): VSHR/VSRA/VRSHR/VRSRA/VSRI/VSHL/VSLI/VQSHL/VQSHLU, the narrowing
 * VSHRN/VRSHRN/VQSHRN/VQRSHRN/VQSHRUN/VQRSHRUN, VSHLL/VMOVL, VCVT between single and fixed point,
 * and VMOV/VMVN/VORR/VBIC immediate for every cmode. Lanes of 64 bits (and 64-bit narrowing
 * sources) go through BigInt: they are rare, the 8-32-bit lanes stay on numbers.
 */
import type { Cpu } from './cpu.js';
import type { Handler } from './t16.js';
import { fixedToFp, fpToFixed } from './fpu/convert.js';
import { RoundingMode } from './fpu/fpscr.js';
import { type NeonInsn, VD, VM, dIndex, evenForQ, get64, laneCount, readRegs, saturate, set64, writeRegs, FPSCR_QC } from './neon-vectors.js';
import { shiftLane, standardEnv } from './neon-3same.js';

/** Element size from L:imm6 (0 = 8 ... 3 = 64 bits). */
function shiftSize(l: number, imm6: number): number {
  return l === 1 ? 3 : imm6 >= 32 ? 2 : imm6 >= 16 ? 1 : 0;
}

const enum Kind {
  SHR,
  SRA,
  RSHR,
  RSRA,
  SRI,
  SHL,
  SLI,
  QSHLU,
  QSHL,
}

function sat64(c: Cpu, v: bigint, uns: boolean): bigint {
  const maxV = uns ? (1n << 64n) - 1n : (1n << 63n) - 1n;
  const minV = uns ? 0n : -(1n << 63n);
  if (v > maxV || v < minV) c.state.fpscr |= FPSCR_QC;
  return v > maxV ? maxV : v < minV ? minV : v;
}

function laneShift64(c: Cpu, kind: Kind, x: bigint, acc: bigint, right: number, left: number, uns: boolean): bigint {
  const r = BigInt(right);
  switch (kind) {
    case Kind.SHR:
      return x >> r;
    case Kind.SRA:
      return acc + (x >> r);
    case Kind.RSHR:
      return (x + (1n << (r - 1n))) >> r;
    case Kind.RSRA:
      return acc + ((x + (1n << (r - 1n))) >> r);
    case Kind.SRI: {
      const mask = right === 64 ? 0n : ((1n << 64n) - 1n) >> r;
      return (BigInt.asUintN(64, acc) & ~mask) | (BigInt.asUintN(64, x) >> r);
    }
    case Kind.SHL:
      return x << BigInt(left);
    case Kind.SLI:
      return (BigInt.asUintN(64, acc) & ((1n << BigInt(left)) - 1n)) | (x << BigInt(left));
    case Kind.QSHLU:
      return sat64(c, x << BigInt(left), true);
    default:
      return sat64(c, x << BigInt(left), uns);
  }
}

/** Same-width shifts: right shifts take 1..esize, left shifts 0..esize-1. */
function shiftImm(kind: Kind): Handler {
  return (c, a) => {
    const d = dIndex(a.vd, a.d);
    const m = dIndex(a.vm, a.m);
    if (!evenForQ(c, a.q, d | m)) return;
    if (kind === Kind.QSHLU && a.u === 0) return c.undefined();
    if (!c.fpCheck()) return;
    const size = shiftSize(a.l, a.imm6);
    const esize = 8 << size;
    const li = (a.l << 6) | a.imm6;
    const right = 2 * esize - li;
    const left = li - esize;
    const words = 2 << a.q;
    readRegs(c, m, words, VM);
    readRegs(c, d, words, VD);
    // VQSHLU reads signed lanes; VSRI/VSLI work on raw bits.
    const uns = kind === Kind.QSHLU ? false : kind === Kind.SRI || kind === Kind.SLI ? true : a.u === 1;
    if (size === 3) {
      for (let i = 0; i < words >> 1; i++) {
        set64(VD, i, laneShift64(c, kind, get64(VM, i, uns), get64(VD, i, uns), right, left, uns));
      }
    } else {
      const lanes = laneCount(a.q, size);
      const ones = 2 ** esize - 1;
      for (let i = 0; i < lanes; i++) {
        const x = VM.get(size, i, uns);
        const acc = VD.get(size, i, uns);
        let r: number;
        switch (kind) {
          case Kind.SHR:
            r = shiftLane(c, x, -right, size, uns, false, false);
            break;
          case Kind.SRA:
            r = acc + shiftLane(c, x, -right, size, uns, false, false);
            break;
          case Kind.RSHR:
            r = shiftLane(c, x, -right, size, uns, true, false);
            break;
          case Kind.RSRA:
            r = acc + shiftLane(c, x, -right, size, uns, true, false);
            break;
          case Kind.SRI: {
            const keep = right === esize ? ones : ones - Math.floor(ones / 2 ** right);
            if (esize === 32) r = right === 32 ? acc : ((acc & keep) | (x >>> right)) >>> 0;
            else r = (acc & keep) + Math.floor(x / 2 ** right);
            break;
          }
          case Kind.SHL:
            r = x * 2 ** left;
            break;
          case Kind.SLI: {
            const low = 2 ** left - 1;
            r = (acc % (low + 1)) + ((x * 2 ** left) % (ones + 1));
            break;
          }
          case Kind.QSHLU:
            r = saturate(c, x * 2 ** left, size, true);
            break;
          default:
            r = saturate(c, x * 2 ** left, size, uns);
        }
        VD.set(size, i, r);
      }
    }
    writeRegs(c, d, words, VD);
  };
}

/**
 * Narrowing right shifts (Qm -> Dd): `size` is the result's; rounding, and saturation to the
 * source's signedness or (VQSHRUN/VQRSHRUN) unsigned.
 */
function narrow(round: boolean, sat: 'none' | 'same' | 'unsigned'): Handler {
  return (c, a) => {
    const m = dIndex(a.vm, a.m);
    if ((m & 1) !== 0 || a.l === 1) return c.undefined();
    if (!c.fpCheck()) return;
    const size = shiftSize(0, a.imm6);
    const esize = 8 << size;
    const right = esize - (a.imm6 - esize);
    readRegs(c, m, 4, VM);
    const srcSigned = sat === 'unsigned' ? true : a.u === 0 || sat === 'none';
    const uns = sat === 'unsigned' ? true : a.u === 1;
    const lanes = 8 >> size;
    for (let i = 0; i < lanes; i++) {
      let v: number;
      if (size === 2) {
        let x = get64(VM, i, !srcSigned);
        const r = BigInt(right);
        x = round ? (x + (1n << (r - 1n))) >> r : x >> r;
        if (sat !== 'none') {
          const maxV = uns ? 0xffffffffn : 0x7fffffffn;
          const minV = uns ? 0n : -0x80000000n;
          if (x > maxV || x < minV) c.state.fpscr |= FPSCR_QC;
          x = x > maxV ? maxV : x < minV ? minV : x;
        }
        v = Number(BigInt.asIntN(32, x));
      } else {
        const x = VM.get(size + 1, i, !srcSigned);
        v = shiftLane(c, x, -right, size + 1, !srcSigned, round, false);
        if (sat !== 'none') v = saturate(c, v, size, uns);
      }
      VD.set(size, i, v);
    }
    writeRegs(c, dIndex(a.vd, a.d), 2, VD);
  };
}

/** VSHLL/VMOVL (Dm -> Qd): widen each lane (signedness from U), then shift left 0..esize-1. */
const vshll: Handler = (c, a) => {
  const d = dIndex(a.vd, a.d);
  if ((d & 1) !== 0 || a.l === 1) return c.undefined();
  if (!c.fpCheck()) return;
  const size = shiftSize(0, a.imm6);
  const esize = 8 << size;
  const left = a.imm6 - esize;
  readRegs(c, dIndex(a.vm, a.m), 2, VM);
  const uns = a.u === 1;
  const lanes = 8 >> size;
  if (size === 2) {
    for (let i = 0; i < 2; i++) set64(VD, i, BigInt(VM.get(2, i, uns)) << BigInt(left));
  } else {
    for (let i = lanes - 1; i >= 0; i--) VD.set(size + 1, i, VM.get(size, i, uns) * 2 ** left);
  }
  writeRegs(c, d, 4, VD);
};

/** VCVT between single and 32-bit fixed point (op = 1: to fixed, round to zero; 0: from fixed, nearest). */
const vcvtFixedNeon: Handler = (c, a) => {
  const d = dIndex(a.vd, a.d);
  const m = dIndex(a.vm, a.m);
  if (a.l === 1 || (a.imm6 & 0x20) === 0) return c.undefined();
  if (!evenForQ(c, a.q, d | m)) return;
  if (!c.fpCheck()) return;
  const frac = 64 - a.imm6;
  const words = 2 << a.q;
  readRegs(c, m, words, VM);
  const e = standardEnv(c);
  const uns = a.u === 1;
  for (let i = 0; i < words; i++) {
    VD.i32[i] =
      a.op === 1
        ? fpToFixed(e, VM.i32[i]!, frac, 32, uns, RoundingMode.ZERO)
        : fixedToFp(e, VM.i32[i]!, frac, 32, uns, RoundingMode.NEAREST);
  }
  c.state.fpscr |= e.flags;
  writeRegs(c, d, words, VD);
};

// ---- modified immediate -----------------------------------------------------------------------

/** AdvSIMDExpandImm as two words (lo, hi) into `EXPANDED`; false for the reserved cmode/op. */
const EXPANDED = new Int32Array(2);
function expandImm(op: number, cmode: number, imm8: number): boolean {
  let w: number;
  switch (cmode >>> 1) {
    case 0:
      w = imm8;
      break;
    case 1:
      w = imm8 << 8;
      break;
    case 2:
      w = imm8 << 16;
      break;
    case 3:
      w = imm8 << 24;
      break;
    case 4:
      w = imm8 * 0x10001;
      break;
    case 5:
      w = (imm8 << 8) * 0x10001;
      break;
    case 6:
      w = (cmode & 1) === 0 ? (imm8 << 8) | 0xff : (imm8 << 16) | 0xffff;
      break;
    default:
      if ((cmode & 1) === 0) {
        if (op === 0) w = imm8 * 0x01010101;
        else {
          let lo = 0;
          let hi = 0;
          for (let i = 0; i < 4; i++) {
            if ((imm8 >>> i) & 1) lo |= 0xff << (8 * i);
            if ((imm8 >>> (i + 4)) & 1) hi |= 0xff << (8 * i);
          }
          EXPANDED[0] = lo;
          EXPANDED[1] = hi;
          return true;
        }
      } else {
        if (op === 1) return false;
        w = ((imm8 & 0x80) << 24) | (imm8 & 0x40 ? 0x3e000000 : 0x40000000) | ((imm8 & 0x3f) << 19);
      }
  }
  EXPANDED[0] = w | 0;
  EXPANDED[1] = w | 0;
  return true;
}

/** VMOV/VMVN/VORR/VBIC immediate, chosen by cmode and op. */
const modImm: Handler = (c, a) => {
  const d = dIndex(a.vd, a.d);
  if (!evenForQ(c, a.q, d)) return;
  const imm8 = (a.u << 7) | (a.imm3 << 4) | a.imm4;
  const cmode = a.cmode;
  const op = a.op;
  if (!expandImm(op, cmode, imm8)) return c.undefined();
  if (!c.fpCheck()) return;
  const words = 2 << a.q;
  // 0xx1 and 10x1 are the ORR/BIC forms; everything else moves.
  const logic = (cmode & 1) === 1 && cmode < 12;
  const invert = op === 1 && !(cmode === 14);
  readRegs(c, d, words, VD);
  for (let i = 0; i < words; i++) {
    const v = EXPANDED[i & 1]!;
    if (!logic) VD.i32[i] = invert ? ~v : v;
    else VD.i32[i] = op === 1 ? VD.i32[i]! & ~v : VD.i32[i]! | v;
  }
  writeRegs(c, d, words, VD);
};

const S2 = (opc: string, b: string): string => `1 d:1 imm6:6 vd:4 ${opc} l:1 q:1 m:1 ${b} vm:4`;

/** Modified immediate first: it is the L:imm6 = 0000xxx corner of the shift space. */
export const NEON_SHIFT_IMM: readonly NeonInsn[] = [
  { name: 'VMOV_VMVN_VORR_VBIC_imm', u: 'u:1', low24: '1 d:1 000 imm3:3 vd:4 cmode:4 0 q:1 op:1 1 imm4:4', exec: modImm },
  { name: 'VSHR', u: 'u:1', low24: S2('0000', '1'), exec: shiftImm(Kind.SHR) },
  { name: 'VSRA', u: 'u:1', low24: S2('0001', '1'), exec: shiftImm(Kind.SRA) },
  { name: 'VRSHR', u: 'u:1', low24: S2('0010', '1'), exec: shiftImm(Kind.RSHR) },
  { name: 'VRSRA', u: 'u:1', low24: S2('0011', '1'), exec: shiftImm(Kind.RSRA) },
  { name: 'VSRI', u: '1', low24: S2('0100', '1'), exec: shiftImm(Kind.SRI) },
  { name: 'VSHL_imm', u: '0', low24: S2('0101', '1'), exec: shiftImm(Kind.SHL) },
  { name: 'VSLI', u: '1', low24: S2('0101', '1'), exec: shiftImm(Kind.SLI) },
  { name: 'VQSHLU', u: 'u:1', low24: S2('0110', '1'), exec: shiftImm(Kind.QSHLU) },
  { name: 'VQSHL_imm', u: 'u:1', low24: S2('0111', '1'), exec: shiftImm(Kind.QSHL) },
  { name: 'VSHRN', u: '0', low24: '1 d:1 imm6:6 vd:4 1000 l:1 0 m:1 1 vm:4', exec: narrow(false, 'none') },
  { name: 'VRSHRN', u: '0', low24: '1 d:1 imm6:6 vd:4 1000 l:1 1 m:1 1 vm:4', exec: narrow(true, 'none') },
  { name: 'VQSHRUN', u: '1', low24: '1 d:1 imm6:6 vd:4 1000 l:1 0 m:1 1 vm:4', exec: narrow(false, 'unsigned') },
  { name: 'VQRSHRUN', u: '1', low24: '1 d:1 imm6:6 vd:4 1000 l:1 1 m:1 1 vm:4', exec: narrow(true, 'unsigned') },
  { name: 'VQSHRN', u: 'u:1', low24: '1 d:1 imm6:6 vd:4 1001 l:1 0 m:1 1 vm:4', exec: narrow(false, 'same') },
  { name: 'VQRSHRN', u: 'u:1', low24: '1 d:1 imm6:6 vd:4 1001 l:1 1 m:1 1 vm:4', exec: narrow(true, 'same') },
  { name: 'VSHLL_VMOVL', u: 'u:1', low24: '1 d:1 imm6:6 vd:4 1010 l:1 0 m:1 1 vm:4', exec: vshll },
  { name: 'VCVT_fixed_f32', u: 'u:1', low24: '1 d:1 imm6:6 vd:4 111 op:1 l:1 q:1 m:1 1 vm:4', exec: vcvtFixedNeon },
];
