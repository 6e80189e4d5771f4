/**
 * ARMv7-M ALU pseudocode (ARM DDI 0403 A2.2-A2.3): shifts with carry-out, add-with-carry,
 * ThumbExpandImm, saturation and bit reversal. Flags use the QEMU cached form of CpuState.
 *
 * Functions that produce a second result (a carry-out) leave it in `shifter.carry` instead of
 * returning a tuple, so nothing is allocated per instruction.
 */
import type { CpuState } from './state.js';

export const SHIFT_LSL = 0;
export const SHIFT_LSR = 1;
export const SHIFT_ASR = 2;
export const SHIFT_ROR = 3;
/** Pseudo type produced by DecodeImmShift for ROR #0. */
export const SHIFT_RRX = 4;

/** Carry-out of the last shift/expand call (0 or 1). */
export const shifter = { carry: 0 };

/** Shift_C(value, type, amount, carry_in) for register-specified amounts (0..255). */
export function shiftC(value: number, type: number, amount: number, carryIn: number): number {
  if (amount === 0) {
    shifter.carry = carryIn;
    return value | 0;
  }
  switch (type) {
    case SHIFT_LSL:
      if (amount < 32) {
        shifter.carry = (value >>> (32 - amount)) & 1;
        return value << amount;
      }
      shifter.carry = amount === 32 ? value & 1 : 0;
      return 0;
    case SHIFT_LSR:
      if (amount < 32) {
        shifter.carry = (value >>> (amount - 1)) & 1;
        return (value >>> amount) | 0;
      }
      shifter.carry = amount === 32 ? value >>> 31 : 0;
      return 0;
    case SHIFT_ASR:
      if (amount < 32) {
        shifter.carry = (value >> (amount - 1)) & 1;
        return value >> amount;
      }
      shifter.carry = value >>> 31;
      return value >> 31;
    case SHIFT_ROR: {
      const n = amount & 31;
      const res = n === 0 ? value | 0 : (value >>> n) | (value << (32 - n));
      shifter.carry = res >>> 31;
      return res;
    }
    default: {
      // RRX
      shifter.carry = value & 1;
      return (carryIn << 31) | (value >>> 1);
    }
  }
}

/** DecodeImmShift(type, imm5) followed by Shift_C: the "shifted register" operand. */
export function immShiftC(value: number, type: number, imm5: number, carryIn: number): number {
  if (imm5 === 0) {
    if (type === SHIFT_LSL) {
      shifter.carry = carryIn;
      return value | 0;
    }
    if (type === SHIFT_ROR) return shiftC(value, SHIFT_RRX, 1, carryIn);
    return shiftC(value, type, 32, carryIn);
  }
  return shiftC(value, type, imm5, carryIn);
}

/** ThumbExpandImm_C(imm12, carry_in). Returns null-free; UNPREDICTABLE zero forms just yield 0. */
export function thumbExpandImmC(imm12: number, carryIn: number): number {
  if ((imm12 & 0xc00) === 0) {
    const b = imm12 & 0xff;
    shifter.carry = carryIn;
    switch ((imm12 >>> 8) & 3) {
      case 0:
        return b;
      case 1:
        return (b << 16) | b;
      case 2:
        return (b << 24) | (b << 8);
      default:
        return (b << 24) | (b << 16) | (b << 8) | b;
    }
  }
  const unrot = 0x80 | (imm12 & 0x7f);
  const rot = imm12 >>> 7;
  const res = (unrot >>> rot) | (unrot << (32 - rot));
  shifter.carry = res >>> 31;
  return res;
}

/**
 * ARMExpandImm_C(imm12, carry_in): imm8 rotated right by twice the 4-bit rotation. A zero
 * rotation keeps the carry (QEMU's op_s_rri_rot writes C only when rot != 0).
 */
export function armExpandImmC(imm12: number, carryIn: number): number {
  const rot = (imm12 >>> 7) & 0x1e;
  const b = imm12 & 0xff;
  if (rot === 0) {
    shifter.carry = carryIn;
    return b;
  }
  const res = (b >>> rot) | (b << (32 - rot));
  shifter.carry = res >>> 31;
  return res;
}

/** AddWithCarry(a, b, carry) and set NZCV. */
export function addWithCarryFlags(st: CpuState, a: number, b: number, carry: number): number {
  const res = (a + b + carry) | 0;
  st.CF = (a >>> 0) + (b >>> 0) + carry > 0xffffffff ? 1 : 0;
  st.VF = (a ^ res) & ~(a ^ b);
  st.NF = res;
  st.ZF = res;
  return res;
}

/** Set N and Z from a result (logical operations; C comes from the shifter). */
export function setNZ(st: CpuState, res: number): void {
  st.NF = res;
  st.ZF = res;
}

/** Signed saturation to `bits` (1..32) bits; sets `shifter.carry` to 1 when it saturated. */
export function signedSat(value: number, bits: number): number {
  const max = 2 ** (bits - 1) - 1;
  const min = -(2 ** (bits - 1));
  if (value > max) {
    shifter.carry = 1;
    return max | 0;
  }
  if (value < min) {
    shifter.carry = 1;
    return min | 0;
  }
  shifter.carry = 0;
  return value | 0;
}

/** Unsigned saturation to `bits` (0..31) bits; sets `shifter.carry` to 1 when it saturated. */
export function unsignedSat(value: number, bits: number): number {
  const max = 2 ** bits - 1;
  if (value > max) {
    shifter.carry = 1;
    return max | 0;
  }
  if (value < 0) {
    shifter.carry = 1;
    return 0;
  }
  shifter.carry = 0;
  return value | 0;
}

export function reverseBits(v: number): number {
  v = ((v >>> 1) & 0x55555555) | ((v & 0x55555555) << 1);
  v = ((v >>> 2) & 0x33333333) | ((v & 0x33333333) << 2);
  v = ((v >>> 4) & 0x0f0f0f0f) | ((v & 0x0f0f0f0f) << 4);
  v = ((v >>> 8) & 0x00ff00ff) | ((v & 0x00ff00ff) << 8);
  return (v >>> 16) | (v << 16);
}

export function byteReverse(v: number): number {
  return ((v >>> 24) & 0xff) | ((v >>> 8) & 0xff00) | ((v & 0xff00) << 8) | (v << 24);
}

/** ITSTATE after one instruction of an IT block (ITAdvance): 0 once the block ends. */
export function itAdvance(it: number): number {
  return (it & 7) === 0 ? 0 : (it & 0xe0) | ((it << 1) & 0x1f);
}

/**
 * A 16-bit Thumb instruction that runs whatever its IT condition: BKPT, on M and A profiles
 * (QEMU's thumb_insn_is_unconditional; its HLT and SG cases are v8-only).
 */
export function t16IgnoresItCondition(hw: number): boolean {
  return hw >>> 8 === 0xbe;
}

/** ConditionPassed for a 4-bit condition against the flags in `st`. */
export function conditionPassed(st: CpuState, cond: number): boolean {
  let r: boolean;
  switch (cond >>> 1) {
    case 0:
      r = st.ZF === 0;
      break;
    case 1:
      r = st.CF !== 0;
      break;
    case 2:
      r = st.NF < 0;
      break;
    case 3:
      r = st.VF < 0;
      break;
    case 4:
      r = st.CF !== 0 && st.ZF !== 0;
      break;
    case 5:
      r = (st.NF ^ st.VF) >= 0;
      break;
    case 6:
      r = st.ZF !== 0 && (st.NF ^ st.VF) >= 0;
      break;
    default:
      return true;
  }
  return (cond & 1) === 0 ? r : !r;
}

/** The 64-bit result of the last `mulU64`/`mulS64`/`add64` call, as two signed 32-bit halves. */
export const wide = { lo: 0, hi: 0 };

/** Unsigned 32x32 -> 64 multiply without BigInt (16-bit partial products stay exact in doubles). */
export function mulU64(a: number, b: number): void {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  wide.lo = (mid << 16) | (p00 & 0xffff);
  wide.hi = (a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16)) | 0;
}

/** Signed 32x32 -> 64 multiply: the unsigned product corrected in the high word. */
export function mulS64(a: number, b: number): void {
  mulU64(a, b);
  let hi = wide.hi;
  if (a < 0) hi = (hi - b) | 0;
  if (b < 0) hi = (hi - a) | 0;
  wide.hi = hi;
}

/** wide += (hi:lo). */
export function add64(lo: number, hi: number): void {
  const sumLo = (wide.lo >>> 0) + (lo >>> 0);
  wide.hi = (wide.hi + hi + (sumLo > 0xffffffff ? 1 : 0)) | 0;
  wide.lo = sumLo | 0;
}
