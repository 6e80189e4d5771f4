/**
 * Single-precision arithmetic as the ARM ARM defines it (FPAdd, FPSub, FPMul, FPDiv, FPSqrt,
 * FPMulAdd, FPCompare) and QEMU 7.2 implements it: exact integer significand arithmetic in
 * doubles, one rounding per operation (roundPack), FZ/DN/NaN rules from env.ts.
 *
 * Exactness: significands are < 2^24, so products (< 2^48) and aligned sums kept below 2^53 are
 * exact in a double; anything shifted out below that is folded into a sticky bit.
 */
import { DEFAULT_NAN, FpClass, FpEnv, Unpacked, invalid, processNaN, processNaNs, signedInf, signedZero, unpack } from './env.js';
import { FPSCR_DZC, FPSCR_IOC, RoundingMode } from './fpscr.js';
import { POW2, bitLength, roundPackSingle } from './round.js';

const ua = new Unpacked();
const ub = new Unpacked();
const uc = new Unpacked();

/** The significand is placed with its top bit at bit 51, so a sum stays below 2^53. */
const ALIGN_TOP = 52;

/** sig / 2^shift with the lost bits ORed into bit 0 (shift > 0). */
function shiftRightJam(sig: number, shift: number): number {
  if (shift > 60) return 1;
  const p = POW2[shift]!;
  const q = Math.floor(sig / p);
  return q * p !== sig && q % 2 === 0 ? q + 1 : q;
}

/**
 * Exact sum of two non-zero finite values (sigX * 2^expX with sign), rounded once.
 * Significands must be < 2^49.
 */
function addFinite(env: FpEnv, signX: number, expX: number, sigX: number, signY: number, expY: number, sigY: number): number {
  let lenX = bitLength(sigX);
  let lenY = bitLength(sigY);
  // Order so that X has the higher leading bit.
  if (expY + lenY > expX + lenX) {
    let t = signX;
    signX = signY;
    signY = t;
    t = expX;
    expX = expY;
    expY = t;
    t = sigX;
    sigX = sigY;
    sigY = t;
    t = lenX;
    lenX = lenY;
    lenY = t;
  }
  const up = ALIGN_TOP - lenX;
  const big = sigX * POW2[up]!;
  const base = expX - up;
  const k = expY - base;
  const small = k >= 0 ? sigY * POW2[k]! : shiftRightJam(sigY, -k);
  let sign = signX;
  let mag: number;
  if (signX === signY) {
    mag = big + small;
  } else {
    mag = big - small;
    if (mag === 0) return signedZero(env.mode === RoundingMode.MINUS_INF ? 1 : 0);
    if (mag < 0) {
      mag = -mag;
      sign = signY;
    }
  }
  return roundPackSingle(env, sign, base, mag);
}

/** FPAdd (negateB = false) and FPSub (negateB = true; a NaN operand keeps its sign). */
export function fpAddSub(env: FpEnv, a: number, b: number, negateB: boolean): number {
  const x = unpack(env, a, ua);
  const y = unpack(env, b, ub);
  if (x.cls >= FpClass.QNAN || y.cls >= FpClass.QNAN) return processNaNs(env, a, x.cls, b, y.cls);
  const signY = negateB ? y.sign ^ 1 : y.sign;
  if (x.cls === FpClass.INF) {
    if (y.cls === FpClass.INF && signY !== x.sign) return invalid(env);
    return signedInf(x.sign);
  }
  if (y.cls === FpClass.INF) return signedInf(signY);
  if (x.cls === FpClass.ZERO) {
    if (y.cls === FpClass.ZERO) {
      if (x.sign === signY) return signedZero(x.sign);
      return signedZero(env.mode === RoundingMode.MINUS_INF ? 1 : 0);
    }
    return roundPackSingle(env, signY, y.exp, y.sig);
  }
  if (y.cls === FpClass.ZERO) return roundPackSingle(env, x.sign, x.exp, x.sig);
  return addFinite(env, x.sign, x.exp, x.sig, signY, y.exp, y.sig);
}

export function fpMul(env: FpEnv, a: number, b: number): number {
  const x = unpack(env, a, ua);
  const y = unpack(env, b, ub);
  if (x.cls >= FpClass.QNAN || y.cls >= FpClass.QNAN) return processNaNs(env, a, x.cls, b, y.cls);
  const sign = x.sign ^ y.sign;
  if (x.cls === FpClass.INF || y.cls === FpClass.INF) {
    if (x.cls === FpClass.ZERO || y.cls === FpClass.ZERO) return invalid(env);
    return signedInf(sign);
  }
  if (x.cls === FpClass.ZERO || y.cls === FpClass.ZERO) return signedZero(sign);
  return roundPackSingle(env, sign, x.exp + y.exp, x.sig * y.sig);
}

export function fpDiv(env: FpEnv, a: number, b: number): number {
  const x = unpack(env, a, ua);
  const y = unpack(env, b, ub);
  if (x.cls >= FpClass.QNAN || y.cls >= FpClass.QNAN) return processNaNs(env, a, x.cls, b, y.cls);
  const sign = x.sign ^ y.sign;
  if (x.cls === FpClass.INF) return y.cls === FpClass.INF ? invalid(env) : signedInf(sign);
  if (y.cls === FpClass.INF) return signedZero(sign);
  if (y.cls === FpClass.ZERO) {
    if (x.cls === FpClass.ZERO) return invalid(env);
    env.flags |= FPSCR_DZC;
    return signedInf(sign);
  }
  if (x.cls === FpClass.ZERO) return signedZero(sign);
  // 28+ quotient bits from 24-bit significands, then a sticky bit for the remainder.
  const num = x.sig * POW2[28]!;
  let q = Math.floor(num / y.sig);
  let rem = num - q * y.sig;
  if (rem < 0) {
    q -= 1;
    rem += y.sig;
  } else if (rem >= y.sig) {
    q += 1;
    rem -= y.sig;
  }
  return roundPackSingle(env, sign, x.exp - y.exp - 29, q * 2 + (rem !== 0 ? 1 : 0));
}

export function fpSqrt(env: FpEnv, a: number): number {
  const x = unpack(env, a, ua);
  if (x.cls >= FpClass.QNAN) return processNaN(env, a, x.cls);
  if (x.cls === FpClass.ZERO) return signedZero(x.sign);
  if (x.sign !== 0) return invalid(env);
  if (x.cls === FpClass.INF) return signedInf(0);
  let sig = x.sig;
  let exp = x.exp;
  if ((exp & 1) !== 0) {
    sig *= 2;
    exp -= 1;
  }
  // S = sig * 2^28 in [2^51, 2^53): a 26-27 bit integer root plus a sticky bit.
  const s = sig * POW2[28]!;
  let r = Math.floor(Math.sqrt(s));
  if (r * r > s) r -= 1;
  let rem = s - r * r;
  if (rem >= 2 * r + 1) {
    rem -= 2 * r + 1;
    r += 1;
  }
  return roundPackSingle(env, 0, (exp - 28) / 2 - 1, r * 2 + (rem !== 0 ? 1 : 0));
}

/**
 * FPMulAdd: addend + op1 * op2 with a single rounding (VFMA family). NaN priority is addend,
 * op1, op2 for signalling then quiet NaNs; Inf * 0 with a quiet NaN addend gives the default NaN.
 */
export function fpMulAdd(env: FpEnv, addend: number, op1: number, op2: number): number {
  const x = unpack(env, op1, ua);
  const y = unpack(env, op2, ub);
  const z = unpack(env, addend, uc);
  const infZero =
    (x.cls === FpClass.INF && y.cls === FpClass.ZERO) || (x.cls === FpClass.ZERO && y.cls === FpClass.INF);
  if (x.cls >= FpClass.QNAN || y.cls >= FpClass.QNAN || z.cls >= FpClass.QNAN) {
    if (x.cls === FpClass.SNAN || y.cls === FpClass.SNAN || z.cls === FpClass.SNAN) env.flags |= FPSCR_IOC;
    if (infZero && z.cls === FpClass.QNAN) return invalid(env);
    if (env.dn) return DEFAULT_NAN;
    if (z.cls === FpClass.SNAN) return addend | 0x400000;
    if (x.cls === FpClass.SNAN) return op1 | 0x400000;
    if (y.cls === FpClass.SNAN) return op2 | 0x400000;
    if (z.cls === FpClass.QNAN) return addend;
    if (x.cls === FpClass.QNAN) return op1;
    return op2;
  }
  if (infZero) return invalid(env);
  const signP = x.sign ^ y.sign;
  if (x.cls === FpClass.INF || y.cls === FpClass.INF) {
    if (z.cls === FpClass.INF && z.sign !== signP) return invalid(env);
    return signedInf(signP);
  }
  if (z.cls === FpClass.INF) return signedInf(z.sign);
  const productZero = x.cls === FpClass.ZERO || y.cls === FpClass.ZERO;
  if (productZero) {
    if (z.cls === FpClass.ZERO) {
      if (z.sign === signP) return signedZero(signP);
      return signedZero(env.mode === RoundingMode.MINUS_INF ? 1 : 0);
    }
    return roundPackSingle(env, z.sign, z.exp, z.sig);
  }
  const expP = x.exp + y.exp;
  const sigP = x.sig * y.sig;
  if (z.cls === FpClass.ZERO) return roundPackSingle(env, signP, expP, sigP);
  return addFinite(env, signP, expP, sigP, z.sign, z.exp, z.sig);
}

/** FPSCR.NZCV for a comparison: equal, less, greater, unordered. */
export const NZCV_EQUAL = 0x6;
export const NZCV_LESS = 0x8;
export const NZCV_GREATER = 0x2;
export const NZCV_UNORDERED = 0x3;

/**
 * FPCompare: NZCV nibble. `signalOnQNaN` (VCMPE) raises IOC for any NaN, VCMP only for
 * signalling ones.
 */
export function fpCompare(env: FpEnv, a: number, b: number, signalOnQNaN: boolean): number {
  const x = unpack(env, a, ua);
  const y = unpack(env, b, ub);
  if (x.cls >= FpClass.QNAN || y.cls >= FpClass.QNAN) {
    if (signalOnQNaN || x.cls === FpClass.SNAN || y.cls === FpClass.SNAN) env.flags |= FPSCR_IOC;
    return NZCV_UNORDERED;
  }
  const vx = orderKey(x);
  const vy = orderKey(y);
  return vx === vy ? NZCV_EQUAL : vx < vy ? NZCV_LESS : NZCV_GREATER;
}

/** A double with the same ordering as the operand (exact: significands and exponents are small). */
function orderKey(u: Unpacked): number {
  if (u.cls === FpClass.ZERO) return 0;
  const mag = u.cls === FpClass.INF ? Infinity : u.sig * 2 ** u.exp;
  return u.sign !== 0 ? -mag : mag;
}
