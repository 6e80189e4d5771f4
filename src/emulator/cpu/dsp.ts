/**
 * ARMv7E-M DSP arithmetic (ARM DDI 0403 A7.7: the SIMD add/subtract families, saturation, halving,
 * the GE flags and the dual 16-bit multiplies). Functions work on 32-bit words held as JS numbers;
 * intermediate sums are exact doubles, so saturation and overflow tests compare whole values.
 *
 * A parallel add/subtract also produces GE[3:0]; it is left in `simd.ge` (like `shifter.carry` in
 * alu.ts) so nothing is allocated per instruction.
 */
import type { CpuState } from './state.js';
import { mulS64, wide } from './alu.js';

/**
 * Lane arithmetic of the parallel add/subtract instructions, as encoded in op2 (bits 6:4):
 * S, Q, SH, U, UQ, UH. Bit 2 = unsigned; bits 1:0 = modulo (sets GE) / saturating / halving.
 */
export const SIMD_SIGNED = 0;
export const SIMD_SIGNED_SAT = 1;
export const SIMD_SIGNED_HALVING = 2;
export const SIMD_UNSIGNED = 4;
export const SIMD_UNSIGNED_SAT = 5;
export const SIMD_UNSIGNED_HALVING = 6;

/** GE[3:0] of the last `addSub16`/`addSub8` call (meaningful for the modulo kinds only). */
export const simd = { ge: 0 };

/** GE condition of the last `lane` call. */
let laneGe = false;

/**
 * One lane of width `bits` (8 or 16): x op y with the lane kind's rule. `x`, `y` are the raw
 * (unsigned) lane bits; returns the lane's result bits and leaves its GE condition in `laneGe`.
 */
function lane(kind: number, x: number, y: number, sub: boolean, bits: number): number {
  const mask = (1 << bits) - 1;
  const unsigned = (kind & 4) !== 0;
  if (!unsigned) {
    const up = 32 - bits;
    x = (x << up) >> up;
    y = (y << up) >> up;
  }
  const r = sub ? x - y : x + y;
  switch (kind & 3) {
    case 0:
      // Signed: result >= 0. Unsigned add: carry out of the lane. Unsigned subtract: no borrow.
      laneGe = unsigned && !sub ? r > mask : r >= 0;
      return r & mask;
    case 1: {
      if (unsigned) return r < 0 ? 0 : r > mask ? mask : r;
      const lim = 1 << (bits - 1);
      return (r < -lim ? -lim : r >= lim ? lim - 1 : r) & mask;
    }
    default:
      // Halving: bits [bits:1] of the exact (bits+1)-bit result.
      return (r >> 1) & mask;
  }
}

/**
 * The 16-bit forms: ADD16, SUB16, ASX (`exchange`, low lane subtracts, high lane adds) and SAX
 * (`exchange`, low adds, high subtracts). With `exchange` each lane of Rn meets the other lane of Rm.
 */
export function addSub16(kind: number, n: number, m: number, loSub: boolean, hiSub: boolean, exchange: boolean): number {
  const mLo = exchange ? m >>> 16 : m & 0xffff;
  const mHi = exchange ? m & 0xffff : m >>> 16;
  const lo = lane(kind, n & 0xffff, mLo, loSub, 16);
  let ge = laneGe ? 0x3 : 0;
  const hi = lane(kind, n >>> 16, mHi, hiSub, 16);
  if (laneGe) ge |= 0xc;
  simd.ge = ge;
  return (hi << 16) | lo;
}

/** The 8-bit forms: ADD8 and SUB8, four independent byte lanes. */
export function addSub8(kind: number, n: number, m: number, sub: boolean): number {
  let res = 0;
  let ge = 0;
  for (let i = 0; i < 32; i += 8) {
    res |= lane(kind, (n >>> i) & 0xff, (m >>> i) & 0xff, sub, 8) << i;
    if (laneGe) ge |= 1 << (i >>> 3);
  }
  simd.ge = ge;
  return res;
}

/** SEL: each byte from Rn where its GE bit is set, else from Rm. */
export function selectBytes(ge: number, n: number, m: number): number {
  const mask = (ge & 1 ? 0xff : 0) | (ge & 2 ? 0xff00 : 0) | (ge & 4 ? 0xff0000 : 0) | (ge & 8 ? 0xff000000 : 0);
  return (n & mask) | (m & ~mask);
}

/** SignedSat(v, 32) of an exact value; sets Q when it saturated (QADD, QSUB, QDADD, QDSUB). */
export function saturateQ(st: CpuState, v: number): number {
  if (v > 0x7fffffff) {
    st.QF = 1;
    return 0x7fffffff;
  }
  if (v < -0x80000000) {
    st.QF = 1;
    return -0x80000000;
  }
  return v;
}

/** The low 32 bits of an exact value; sets Q when it does not fit (SMLAxy, SMLAWy, SMLAD, SMUAD...). */
export function overflowQ(st: CpuState, v: number): number {
  if (v > 0x7fffffff || v < -0x80000000) st.QF = 1;
  return v | 0;
}

/**
 * SSAT16: both signed halfwords saturated to `bits` bits (1..32; QEMU decodes a 5-bit saturate
 * field, so 17..32 never saturate a halfword); sets Q when either saturated.
 */
export function signedSat16(st: CpuState, v: number, bits: number): number {
  const max = 2 ** (bits - 1) - 1;
  const min = -max - 1;
  let lo = (v << 16) >> 16;
  let hi = v >> 16;
  if (lo > max || lo < min) {
    lo = lo > max ? max : min;
    st.QF = 1;
  }
  if (hi > max || hi < min) {
    hi = hi > max ? max : min;
    st.QF = 1;
  }
  return (hi << 16) | (lo & 0xffff);
}

/** USAT16: both signed halfwords saturated to the unsigned range of `bits` bits (0..31); sets Q. */
export function unsignedSat16(st: CpuState, v: number, bits: number): number {
  const max = 2 ** bits - 1;
  let lo = (v << 16) >> 16;
  let hi = v >> 16;
  if (lo > max || lo < 0) {
    lo = lo > max ? max : 0;
    st.QF = 1;
  }
  if (hi > max || hi < 0) {
    hi = hi > max ? max : 0;
    st.QF = 1;
  }
  return (hi << 16) | (lo & 0xffff);
}

/** Signed bottom (`top` 0) or top (`top` 1) halfword. */
export function half(v: number, top: number): number {
  return top === 0 ? (v << 16) >> 16 : v >> 16;
}

/** Rm with its halfwords swapped (the X forms of the dual multiplies). */
export function swapHalves(v: number): number {
  return (v >>> 16) | (v << 16);
}

/** Sum of absolute differences of the four unsigned byte pairs (USAD8). */
export function sumAbsDiff8(n: number, m: number): number {
  let sum = 0;
  for (let i = 0; i < 32; i += 8) {
    const d = ((n >>> i) & 0xff) - ((m >>> i) & 0xff);
    sum += d < 0 ? -d : d;
  }
  return sum;
}

/** Add each halfword of `b` to the same halfword of `a`, no carry between them (SXTAB16/UXTAB16). */
export function addHalves(a: number, b: number): number {
  return (((a >>> 16) + (b >>> 16)) << 16) | (((a & 0xffff) + (b & 0xffff)) & 0xffff);
}

/** Rn x signed halfword of Rm, bits 47:16 of the 48-bit product (SMULWy/SMLAWy; exact in a double). */
export function mulWordByHalf(n: number, m: number, top: number): number {
  return Math.floor((n * half(m, top)) / 65536);
}

/** The two 16x16 products of the last `dualProducts` call (SMUAD, SMLSD, SMLALD...). */
export const dual = { lo: 0, hi: 0 };

/** Bottom x bottom and top x top products of Rn and Rm, Rm halfword-swapped when `swap` (X forms). */
export function dualProducts(n: number, m: number, swap: number): void {
  if (swap !== 0) m = swapHalves(m);
  dual.lo = half(n, 0) * half(m, 0);
  dual.hi = half(n, 1) * half(m, 1);
}

/** SMMUL/SMMLA: the top word of Rn*Rm (+ `acc` << 32), +1 when rounding and bit 31 of the low word is set. */
export function mostSignificantWord(n: number, m: number, acc: number, round: number): number {
  mulS64(n, m);
  let hi = wide.hi + acc;
  if (round !== 0) hi += wide.lo >>> 31;
  return hi | 0;
}

/** SMMLS: the top word of (Ra << 32) - Rn*Rm, rounded when `round` is set. */
export function mostSignificantWordSubtract(n: number, m: number, ra: number, round: number): number {
  mulS64(n, m);
  const lo = -wide.lo;
  let hi = ra - wide.hi - (wide.lo !== 0 ? 1 : 0);
  if (round !== 0) hi += lo >>> 31;
  return hi | 0;
}
