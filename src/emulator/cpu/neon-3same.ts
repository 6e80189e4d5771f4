/**
 * Advanced SIMD "three registers of the same length" (ARM DDI 0406C A7.4.1): integer add/sub,
 * halving, saturating, rounding, compares, register shifts, max/min, absolute difference,
 * multiplies, pairwise, VQDMULH/VQRDMULH, the logical group, and the single-precision forms under
 * the "standard FPSCR value" (round to nearest, FZ and DN forced; flags still accumulate in FPSCR
 * as QEMU's standard_fp_status does).
 *
 * Element sizes are table-driven: each row names one lane operation; the shared executor walks
 * the lanes of D or Q registers through scratch vectors (neon-vectors.ts).
 */
import type { Cpu } from './cpu.js';
import type { Handler } from './t16.js';
import { FpEnv } from './fpu/env.js';
import { fpAddSub, fpCompare, fpMul, fpMulAdd, NZCV_EQUAL, NZCV_GREATER } from './fpu/arith.js';
import { FPSCR_DN, FPSCR_FZ, FPSCR_RMODE_SHIFT } from './fpu/fpscr.js';
import {
  type NeonInsn,
  VD,
  VM,
  VN,
  dIndex,
  evenForQ,
  get64,
  laneCount,
  readRegs,
  saturate,
  set64,
  writeRegs,
} from './neon-vectors.js';

/** Lane operation: n and m lanes (extended by signedness), the old destination lane, size, unsigned. */
export type LaneOp = (c: Cpu, n: number, m: number, acc: number, size: number, uns: boolean) => number;

/** Executor for element-wise operations; `sizes` is a bit mask of the allowed sizes (bit 3 = 64). */
function threeSame(op: LaneOp, sizes: number, op64: ((c: Cpu, n: bigint, m: bigint, uns: boolean) => bigint) | null = null): Handler {
  return (c, a) => {
    const d = dIndex(a.vd, a.d);
    const n = dIndex(a.vn, a.n);
    const m = dIndex(a.vm, a.m);
    const size = a.size;
    if (((sizes >>> size) & 1) === 0) return c.undefined();
    if (!evenForQ(c, a.q, d | n | m)) return;
    if (!c.fpCheck()) return;
    const words = 2 << a.q;
    readRegs(c, n, words, VN);
    readRegs(c, m, words, VM);
    readRegs(c, d, words, VD);
    const uns = a.u === 1;
    if (size === 3) {
      for (let i = 0; i < words >> 1; i++) set64(VD, i, op64!(c, get64(VN, i, uns), get64(VM, i, uns), uns));
    } else {
      const lanes = laneCount(a.q, size);
      for (let i = 0; i < lanes; i++) VD.set(size, i, op(c, VN.get(size, i, uns), VM.get(size, i, uns), VD.get(size, i, uns), size, uns));
    }
    writeRegs(c, d, words, VD);
  };
}

/** Pairwise (D registers only): the low half of the result from Vn's pairs, the high half from Vm's. */
function pairwise(op: LaneOp, sizes: number): Handler {
  return (c, a) => {
    const size = a.size;
    if (((sizes >>> size) & 1) === 0 || a.q === 1) return c.undefined();
    if (!c.fpCheck()) return;
    readRegs(c, dIndex(a.vn, a.n), 2, VN);
    readRegs(c, dIndex(a.vm, a.m), 2, VM);
    const uns = a.u === 1;
    const half = laneCount(0, size) >> 1;
    for (let i = 0; i < half; i++) {
      VD.set(size, i, op(c, VN.get(size, 2 * i, uns), VN.get(size, 2 * i + 1, uns), 0, size, uns));
      VD.set(size, half + i, op(c, VM.get(size, 2 * i, uns), VM.get(size, 2 * i + 1, uns), 0, size, uns));
    }
    writeRegs(c, dIndex(a.vd, a.d), 2, VD);
  };
}

const ALL = 0b0111;
const ALL64 = 0b1111;
const HW = 0b0110;

// ---- integer lane operations --------------------------------------------------------------------

const hadd: LaneOp = (_c, n, m) => Math.floor((n + m) / 2);
const rhadd: LaneOp = (_c, n, m) => Math.floor((n + m + 1) / 2);
const hsub: LaneOp = (_c, n, m) => Math.floor((n - m) / 2);
const qadd: LaneOp = (c, n, m, _a, size, uns) => saturate(c, n + m, size, uns);
const qsub: LaneOp = (c, n, m, _a, size, uns) => saturate(c, n - m, size, uns);
const cgt: LaneOp = (_c, n, m) => (n > m ? -1 : 0);
const cge: LaneOp = (_c, n, m) => (n >= m ? -1 : 0);
const max: LaneOp = (_c, n, m) => (n >= m ? n : m);
const min: LaneOp = (_c, n, m) => (n >= m ? m : n);
const abd: LaneOp = (_c, n, m) => Math.abs(n - m);
const aba: LaneOp = (_c, n, m, acc) => acc + Math.abs(n - m);
const add: LaneOp = (_c, n, m) => n + m;
const sub: LaneOp = (_c, n, m) => n - m;
const tst: LaneOp = (_c, n, m) => ((n & m) !== 0 ? -1 : 0);
const ceq: LaneOp = (_c, n, m) => (n === m ? -1 : 0);
const mla: LaneOp = (_c, n, m, acc) => (acc + Math.imul(n, m)) | 0;
const mls: LaneOp = (_c, n, m, acc) => (acc - Math.imul(n, m)) | 0;
const mul: LaneOp = (_c, n, m) => Math.imul(n, m);
/** Polynomial multiply over GF(2), 8-bit lanes (low 8 bits of the product). */
const pmul: LaneOp = (_c, n, m) => {
  let r = 0;
  for (let i = 0; i < 8; i++) if ((m >>> i) & 1) r ^= n << i;
  return r;
};

/**
 * Register shift: the value is the Vm lane, the shift the signed bottom byte of the Vn lane
 * (VSHL Dd, Dm, Dn). Right shifts (negative) may round; left shifts may saturate (QC).
 */
export function shiftLane(c: Cpu, value: number, shift: number, size: number, uns: boolean, round: boolean, sat: boolean): number {
  const bits = 8 << size;
  if (shift >= 0) {
    if (sat) {
      if (value === 0) return 0;
      return saturate(c, shift >= bits + 1 ? (value > 0 ? Infinity : -Infinity) : value * 2 ** shift, size, uns);
    }
    return shift >= bits ? 0 : value * 2 ** shift;
  }
  const s = -shift;
  if (round) return s > bits + 1 ? 0 : Math.floor((value + 2 ** (s - 1)) / 2 ** s);
  if (s >= bits) return value < 0 ? -1 : 0;
  return Math.floor(value / 2 ** s);
}
const shiftOf = (n: number): number => (n << 24) >> 24;
const vshl: LaneOp = (c, n, m, _a, size, uns) => shiftLane(c, m, shiftOf(n), size, uns, false, false);
const vqshl: LaneOp = (c, n, m, _a, size, uns) => shiftLane(c, m, shiftOf(n), size, uns, false, true);
const vrshl: LaneOp = (c, n, m, _a, size, uns) => shiftLane(c, m, shiftOf(n), size, uns, true, false);
const vqrshl: LaneOp = (c, n, m, _a, size, uns) => shiftLane(c, m, shiftOf(n), size, uns, true, true);

/**
 * floor((2 * n * m + round) / 2^bits) exactly for 16/32-bit signed lanes (the 64-bit product is
 * split so every step stays below 2^53), saturated (only -2^(bits-1) squared overflows).
 */
export function doublingHigh(c: Cpu, n: number, m: number, size: number, round: boolean): number {
  if (size === 1) return saturate(c, Math.floor((2 * n * m + (round ? 0x8000 : 0)) / 65536), 1, false);
  const nh = n >> 16;
  const nl = n & 0xffff;
  const A = nh * m;
  const B = nl * m * 2 + (round ? 0x80000000 : 0);
  const Ah = Math.floor(A / 32768);
  const Al = A - Ah * 32768;
  return saturate(c, Ah + Math.floor((Al * 131072 + B) / 4294967296), 2, false);
}
const qdmulh: LaneOp = (c, n, m, _a, size) => doublingHigh(c, n, m, size, false);
const qrdmulh: LaneOp = (c, n, m, _a, size) => doublingHigh(c, n, m, size, true);

// ---- 64-bit lanes (rare: BigInt) ------------------------------------------------------------------

const sat64 = (c: Cpu, v: bigint, uns: boolean): bigint => {
  const maxV = uns ? (1n << 64n) - 1n : (1n << 63n) - 1n;
  const minV = uns ? 0n : -(1n << 63n);
  if (v > maxV) {
    c.state.fpscr |= 1 << 27;
    return maxV;
  }
  if (v < minV) {
    c.state.fpscr |= 1 << 27;
    return minV;
  }
  return v;
};
const add64 = (_c: Cpu, n: bigint, m: bigint): bigint => n + m;
const sub64 = (_c: Cpu, n: bigint, m: bigint): bigint => n - m;
const qadd64 = (c: Cpu, n: bigint, m: bigint, uns: boolean): bigint => sat64(c, n + m, uns);
const qsub64 = (c: Cpu, n: bigint, m: bigint, uns: boolean): bigint => sat64(c, n - m, uns);
function shift64(round: boolean, sat: boolean) {
  return (c: Cpu, n: bigint, m: bigint, uns: boolean): bigint => {
    const sh = Number(BigInt.asIntN(8, n));
    if (sh >= 0) {
      const r = m << BigInt(sh);
      return sat ? sat64(c, r, uns) : r;
    }
    const s = BigInt(-sh);
    return round ? (m + (1n << (s - 1n))) >> s : m >> s;
  };
}

// ---- logical ------------------------------------------------------------------------------------

/** VAND/VBIC/VORR/VORN (U = 0) and VEOR/VBSL/VBIT/VBIF (U = 1) by the size field, word-wise. */
const logical: Handler = (c, a) => {
  const d = dIndex(a.vd, a.d);
  const n = dIndex(a.vn, a.n);
  const m = dIndex(a.vm, a.m);
  if (!evenForQ(c, a.q, d | n | m)) return;
  if (!c.fpCheck()) return;
  const words = 2 << a.q;
  readRegs(c, n, words, VN);
  readRegs(c, m, words, VM);
  readRegs(c, d, words, VD);
  const op = (a.u << 2) | a.size;
  for (let i = 0; i < words; i++) {
    const x = VN.i32[i]!;
    const y = VM.i32[i]!;
    const z = VD.i32[i]!;
    let r: number;
    switch (op) {
      case 0:
        r = x & y;
        break;
      case 1:
        r = x & ~y;
        break;
      case 2:
        r = x | y;
        break;
      case 3:
        r = x | ~y;
        break;
      case 4:
        r = x ^ y;
        break;
      case 5:
        r = (z & x) | (~z & y);
        break;
      case 6:
        r = (y & x) | (~y & z);
        break;
      default:
        r = (~y & x) | (y & z);
    }
    VD.i32[i] = r;
  }
  writeRegs(c, d, words, VD);
};

// ---- single-precision forms under the standard FPSCR value ---------------------------------------

const env = new FpEnv();
/** FZ and DN set, round to nearest; AHP from FPSCR (QEMU's standard_fp_status). */
export function standardEnv(c: Cpu): FpEnv {
  env.load((c.state.fpscr & ~(3 << FPSCR_RMODE_SHIFT)) | FPSCR_FZ | FPSCR_DN);
  return env;
}

type FloatOp = (e: FpEnv, n: number, m: number, acc: number) => number;

/** Element-wise single precision; size bit 0 set (half precision, v8.2) is UNDEFINED. */
function floatSame(op: FloatOp): Handler {
  return (c, a) => {
    const d = dIndex(a.vd, a.d);
    const n = dIndex(a.vn, a.n);
    const m = dIndex(a.vm, a.m);
    if ((a.sz & 1) !== 0) return c.undefined();
    if (!evenForQ(c, a.q, d | n | m)) return;
    if (!c.fpCheck()) return;
    const words = 2 << a.q;
    readRegs(c, n, words, VN);
    readRegs(c, m, words, VM);
    readRegs(c, d, words, VD);
    const e = standardEnv(c);
    for (let i = 0; i < words; i++) VD.i32[i] = op(e, VN.i32[i]!, VM.i32[i]!, VD.i32[i]!);
    c.state.fpscr |= e.flags;
    writeRegs(c, d, words, VD);
  };
}
function floatPairwise(op: FloatOp): Handler {
  return (c, a) => {
    if ((a.sz & 1) !== 0 || a.q === 1) return c.undefined();
    if (!c.fpCheck()) return;
    readRegs(c, dIndex(a.vn, a.n), 2, VN);
    readRegs(c, dIndex(a.vm, a.m), 2, VM);
    const e = standardEnv(c);
    const n0 = VN.i32[0]!;
    const n1 = VN.i32[1]!;
    const m0 = VM.i32[0]!;
    const m1 = VM.i32[1]!;
    VD.i32[0] = op(e, n0, n1, 0);
    VD.i32[1] = op(e, m0, m1, 0);
    c.state.fpscr |= e.flags;
    writeRegs(c, dIndex(a.vd, a.d), 2, VD);
  };
}

const SIGN = 0x80000000 | 0;
export const fAdd: FloatOp = (e, n, m) => fpAddSub(e, n, m, false);
const fSub: FloatOp = (e, n, m) => fpAddSub(e, n, m, true);
const fMul: FloatOp = (e, n, m) => fpMul(e, n, m);
const fMla: FloatOp = (e, n, m, acc) => fpAddSub(e, acc, fpMul(e, n, m), false);
const fMls: FloatOp = (e, n, m, acc) => fpAddSub(e, acc, fpMul(e, n, m), true);
const fFma: FloatOp = (e, n, m, acc) => fpMulAdd(e, acc, n, m);
const fFms: FloatOp = (e, n, m, acc) => fpMulAdd(e, acc, n ^ SIGN, m);
const fAbd: FloatOp = (e, n, m) => fpAddSub(e, n, m, true) & ~SIGN;
const fCeq: FloatOp = (e, n, m) => (fpCompare(e, n, m, false) === NZCV_EQUAL ? -1 : 0);
const fCge: FloatOp = (e, n, m) => {
  const r = fpCompare(e, n, m, true);
  return r === NZCV_EQUAL || r === NZCV_GREATER ? -1 : 0;
};
const fCgt: FloatOp = (e, n, m) => (fpCompare(e, n, m, true) === NZCV_GREATER ? -1 : 0);
const fAcge: FloatOp = (e, n, m) => fCge(e, n & ~SIGN, m & ~SIGN, 0);
const fAcgt: FloatOp = (e, n, m) => fCgt(e, n & ~SIGN, m & ~SIGN, 0);

/** FPMax/FPMin (not the v8 maxNum): a NaN operand gives the (default) NaN; +0 beats -0 for max. */
export function floatMaxMin(e: FpEnv, n: number, m: number, isMax: boolean): number {
  const r = fpCompare(e, n, m, false);
  if (r === 3) return fpAddSub(e, n, m, false); // NaN processing (IOC for signalling, default NaN)
  if (r === NZCV_EQUAL) {
    // Equal values differ only for zeros: max prefers +0, min prefers -0. FZ may have flushed them.
    const nz = (n & 0x7f800000) === 0;
    const mz = (m & 0x7f800000) === 0;
    if (nz && mz) return isMax ? (n & m & SIGN) | 0 : (n | m) & SIGN;
    return n;
  }
  const nGreater = r === NZCV_GREATER;
  const pick = nGreater === isMax ? n : m;
  // A flushed denormal result is returned as a signed zero, as softfloat's canonical form does.
  return (pick & 0x7f800000) === 0 ? pick & SIGN : pick;
}
const fMax: FloatOp = (e, n, m) => floatMaxMin(e, n, m, true);
const fMin: FloatOp = (e, n, m) => floatMaxMin(e, n, m, false);

/** VRECPS: 2 - n*m (unfused); Inf * 0 gives exactly 2.0. */
const fRecps: FloatOp = (e, n, m) => {
  if (infTimesZero(e, n, m)) return 0x40000000;
  return fpAddSub(e, 0x40000000, fpMul(e, n, m), true);
};
/** VRSQRTS: (3 - n*m) / 2; Inf * 0 gives exactly 1.5. */
const fRsqrts: FloatOp = (e, n, m) => {
  if (infTimesZero(e, n, m)) return 0x3fc00000;
  const t = fpAddSub(e, 0x40400000, fpMul(e, n, m), true);
  return halve(e, t);
};
function infTimesZero(e: FpEnv, n: number, m: number): boolean {
  const isInf = (v: number): boolean => (v & 0x7fffffff) === 0x7f800000;
  const zeroOrDenormal = (v: number): boolean => (v & 0x7f800000) === 0;
  if ((isInf(n) && zeroOrDenormal(m)) || (isInf(m) && zeroOrDenormal(n))) {
    if ((n & 0x7fffffff) !== 0 && (m & 0x7fffffff) !== 0) e.flags |= 0x80; // IDC: a denormal was flushed
    return true;
  }
  return false;
}
/** x / 2 under the environment (division by two, as QEMU's float32_div(x, 2.0)). */
function halve(e: FpEnv, x: number): number {
  return fpMul(e, x, 0x3f000000);
}

// ---- the rows -------------------------------------------------------------------------------------

const R3 = (opc: string, b: string): string => `0 d:1 size:2 vn:4 vd:4 ${opc} n:1 q:1 m:1 ${b} vm:4`;
/** Float rows where size bit 1 picks the operation. */
const F3op = (op: string, opc: string, b: string): string => `0 d:1 ${op} sz:1 vn:4 vd:4 ${opc} n:1 q:1 m:1 ${b} vm:4`;

export const NEON_3SAME: readonly NeonInsn[] = [
  { name: 'VHADD', u: 'u:1', low24: R3('0000', '0'), exec: threeSame(hadd, ALL) },
  { name: 'VQADD', u: 'u:1', low24: R3('0000', '1'), exec: threeSame(qadd, ALL64, qadd64) },
  { name: 'VRHADD', u: 'u:1', low24: R3('0001', '0'), exec: threeSame(rhadd, ALL) },
  { name: 'VLOGICAL', u: 'u:1', low24: R3('0001', '1'), exec: logical },
  { name: 'VHSUB', u: 'u:1', low24: R3('0010', '0'), exec: threeSame(hsub, ALL) },
  { name: 'VQSUB', u: 'u:1', low24: R3('0010', '1'), exec: threeSame(qsub, ALL64, qsub64) },
  { name: 'VCGT', u: 'u:1', low24: R3('0011', '0'), exec: threeSame(cgt, ALL) },
  { name: 'VCGE', u: 'u:1', low24: R3('0011', '1'), exec: threeSame(cge, ALL) },
  { name: 'VSHL_reg', u: 'u:1', low24: R3('0100', '0'), exec: threeSame(vshl, ALL64, shift64(false, false)) },
  { name: 'VQSHL_reg', u: 'u:1', low24: R3('0100', '1'), exec: threeSame(vqshl, ALL64, shift64(false, true)) },
  { name: 'VRSHL', u: 'u:1', low24: R3('0101', '0'), exec: threeSame(vrshl, ALL64, shift64(true, false)) },
  { name: 'VQRSHL', u: 'u:1', low24: R3('0101', '1'), exec: threeSame(vqrshl, ALL64, shift64(true, true)) },
  { name: 'VMAX', u: 'u:1', low24: R3('0110', '0'), exec: threeSame(max, ALL) },
  { name: 'VMIN', u: 'u:1', low24: R3('0110', '1'), exec: threeSame(min, ALL) },
  { name: 'VABD', u: 'u:1', low24: R3('0111', '0'), exec: threeSame(abd, ALL) },
  { name: 'VABA', u: 'u:1', low24: R3('0111', '1'), exec: threeSame(aba, ALL) },
  { name: 'VADD', u: '0', low24: R3('1000', '0'), exec: threeSame(add, ALL64, add64) },
  { name: 'VSUB', u: '1', low24: R3('1000', '0'), exec: threeSame(sub, ALL64, sub64) },
  { name: 'VTST', u: '0', low24: R3('1000', '1'), exec: threeSame(tst, ALL) },
  { name: 'VCEQ', u: '1', low24: R3('1000', '1'), exec: threeSame(ceq, ALL) },
  { name: 'VMLA', u: '0', low24: R3('1001', '0'), exec: threeSame(mla, ALL) },
  { name: 'VMLS', u: '1', low24: R3('1001', '0'), exec: threeSame(mls, ALL) },
  { name: 'VMUL', u: '0', low24: R3('1001', '1'), exec: threeSame(mul, ALL) },
  { name: 'VMUL_p8', u: '1', low24: R3('1001', '1'), exec: threeSame(pmul, 0b0001) },
  { name: 'VPMAX', u: 'u:1', low24: R3('1010', '0'), exec: pairwise(max, ALL) },
  { name: 'VPMIN', u: 'u:1', low24: R3('1010', '1'), exec: pairwise(min, ALL) },
  { name: 'VQDMULH', u: '0', low24: R3('1011', '0'), exec: threeSame(qdmulh, HW) },
  { name: 'VQRDMULH', u: '1', low24: R3('1011', '0'), exec: threeSame(qrdmulh, HW) },
  { name: 'VPADD', u: '0', low24: R3('1011', '1'), exec: pairwise(add, ALL) },
  // Single precision (size<1> selects the operation; size<0> = 1 is half precision: UNDEFINED).
  { name: 'VFMA_f32', u: '0', low24: F3op('0', '1100', '1'), exec: floatSame(fFma) },
  { name: 'VFMS_f32', u: '0', low24: F3op('1', '1100', '1'), exec: floatSame(fFms) },
  { name: 'VADD_f32', u: '0', low24: F3op('0', '1101', '0'), exec: floatSame(fAdd) },
  { name: 'VSUB_f32', u: '0', low24: F3op('1', '1101', '0'), exec: floatSame(fSub) },
  { name: 'VPADD_f32', u: '1', low24: F3op('0', '1101', '0'), exec: floatPairwise(fAdd) },
  { name: 'VABD_f32', u: '1', low24: F3op('1', '1101', '0'), exec: floatSame(fAbd) },
  { name: 'VMLA_f32', u: '0', low24: F3op('0', '1101', '1'), exec: floatSame(fMla) },
  { name: 'VMLS_f32', u: '0', low24: F3op('1', '1101', '1'), exec: floatSame(fMls) },
  { name: 'VMUL_f32', u: '1', low24: F3op('0', '1101', '1'), exec: floatSame(fMul) },
  { name: 'VCEQ_f32', u: '0', low24: F3op('0', '1110', '0'), exec: floatSame(fCeq) },
  { name: 'VCGE_f32', u: '1', low24: F3op('0', '1110', '0'), exec: floatSame(fCge) },
  { name: 'VCGT_f32', u: '1', low24: F3op('1', '1110', '0'), exec: floatSame(fCgt) },
  { name: 'VACGE_f32', u: '1', low24: F3op('0', '1110', '1'), exec: floatSame(fAcge) },
  { name: 'VACGT_f32', u: '1', low24: F3op('1', '1110', '1'), exec: floatSame(fAcgt) },
  { name: 'VMAX_f32', u: '0', low24: F3op('0', '1111', '0'), exec: floatSame(fMax) },
  { name: 'VMIN_f32', u: '0', low24: F3op('1', '1111', '0'), exec: floatSame(fMin) },
  { name: 'VPMAX_f32', u: '1', low24: F3op('0', '1111', '0'), exec: floatPairwise(fMax) },
  { name: 'VPMIN_f32', u: '1', low24: F3op('1', '1111', '0'), exec: floatPairwise(fMin) },
  { name: 'VRECPS', u: '0', low24: F3op('0', '1111', '1'), exec: floatSame(fRecps) },
  { name: 'VRSQRTS', u: '0', low24: F3op('1', '1111', '1'), exec: floatSame(fRsqrts) },
];
