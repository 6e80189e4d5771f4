/**
 * Double-precision conversions (FPConvert single <-> double, FPToFixed and FixedToFP for float64)
 * with QEMU 7.2's choices, as for single precision (convert.ts): a NaN converts to integer 0 with
 * IOC, an out-of-range value saturates with IOC only, FZ flushes denormal inputs (IDC).
 */
import { DEFAULT_NAN, FpClass, type FpEnv, Unpacked, processNaN, unpack } from './env.js';
import { FPSCR_IOC, RoundingMode } from './fpscr.js';
import { POW2, SINGLE, roundInexact, roundPack, roundShift } from './round.js';
import { saturateToInt } from './convert.js';
import { R64, Unpacked64, processNaN64, roundPack64, setDefaultNaN64, setInf64, setZero64, unpack64 } from './double.js';

const u = new Unpacked();
const u64 = new Unpacked64();

/** Single -> double (VCVT.F64.F32): exact for numbers. */
export function singleToDouble(env: FpEnv, a: number): void {
  const x = unpack(env, a, u);
  switch (x.cls) {
    case FpClass.QNAN:
    case FpClass.SNAN: {
      const q = processNaN(env, a, x.cls);
      if (env.dn) return setDefaultNaN64();
      R64.hi = (q & 0x80000000) | 0x7ff00000 | ((q & 0x7fffff) >>> 3);
      R64.lo = (q & 7) << 29;
      return;
    }
    case FpClass.INF:
      return setInf64(x.sign);
    case FpClass.ZERO:
      return setZero64(x.sign);
    default:
      roundPack64(env, x.sign, x.exp, 0, x.sig);
  }
}

/** Double -> single (VCVT.F32.F64) under the FPSCR rounding mode. */
export function doubleToSingle(env: FpEnv, hi: number, lo: number): number {
  const x = unpack64(env, hi, lo, u64);
  switch (x.cls) {
    case FpClass.QNAN:
    case FpClass.SNAN:
      processNaN64(env, hi, lo, x.cls);
      if (env.dn) return DEFAULT_NAN;
      return (R64.hi & 0x80000000) | 0x7fc00000 | ((R64.hi & 0xfffff) << 3) | (R64.lo >>> 29);
    case FpClass.INF:
      return ((x.sign << 31) | 0x7f800000) | 0;
    case FpClass.ZERO:
      return (x.sign << 31) | 0;
    default:
      return roundPack(env, SINGLE, x.sign, x.exp, x.sig, env.fz);
  }
}

/**
 * Double -> integer: value * 2^fracBits rounded under `mode`, saturated to a signed or unsigned
 * `size`-bit integer (16 or 32). Returns the integer, sign-extended (signed) or zero-extended.
 */
export function doubleToFixed(
  env: FpEnv,
  hi: number,
  lo: number,
  fracBits: number,
  size: number,
  unsigned: boolean,
  mode: RoundingMode,
): number {
  const x = unpack64(env, hi, lo, u64);
  const max = unsigned ? POW2[size]! - 1 : POW2[size - 1]! - 1;
  const min = unsigned ? 0 : -POW2[size - 1]!;
  switch (x.cls) {
    case FpClass.QNAN:
    case FpClass.SNAN:
      env.flags |= FPSCR_IOC;
      return 0;
    case FpClass.ZERO:
      return 0;
    case FpClass.INF:
      env.flags |= FPSCR_IOC;
      return x.sign !== 0 ? min | 0 : max | 0;
    default:
      break;
  }
  const e = x.exp + fracBits;
  // sig >= 2^52: from e = -19 on the value is at least 2^33 and saturates whatever the size.
  const big = e >= -19;
  const mag = big ? POW2[34]! : roundShift(x.sig, -e, x.sign, mode);
  const inexact = big ? false : roundInexact;
  return saturateToInt(env, x.sign, mag, inexact, min, max);
}

/** Integer -> double: the low `size` bits of `v` (16 or 32) times 2^-fracBits; always exact. */
export function fixedToDouble(env: FpEnv, v: number, fracBits: number, size: number, unsigned: boolean): void {
  let n: number;
  if (size === 16) n = unsigned ? v & 0xffff : (v << 16) >> 16;
  else n = unsigned ? v >>> 0 : v | 0;
  if (n === 0) return setZero64(0);
  const sign = n < 0 ? 1 : 0;
  roundPack64(env, sign, -fracBits, 0, sign !== 0 ? -n : n);
}
