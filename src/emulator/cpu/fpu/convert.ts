/**
 * Conversions (FPToFixed, FixedToFP, FPHalfToSingle, FPSingleToHalf) with QEMU 7.2's choices
 * where the ARM ARM leaves room: a NaN converts to integer 0 with IOC, an out-of-range value
 * saturates with IOC only (no IXC), and half-precision input denormals are never flushed while
 * single-precision inputs are (FZ), and half results are never flushed.
 */
import { DEFAULT_NAN, FpClass, FpEnv, Unpacked, processNaN, signedInf, unpack } from './env.js';
import { FPSCR_IOC, FPSCR_IXC, RoundingMode } from './fpscr.js';
import { HALF, HALF_AHP, POW2, roundInexact, roundPack, roundPackSingle, roundShift } from './round.js';

const u = new Unpacked();

/**
 * Single -> integer: value * 2^fracBits rounded under `mode`, saturated to a signed or unsigned
 * `size`-bit integer (16 or 32). Returns the integer, sign-extended (signed) or zero-extended.
 */
export function fpToFixed(env: FpEnv, a: number, fracBits: number, size: number, unsigned: boolean, mode: RoundingMode): number {
  const x = unpack(env, a, u);
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
  // Anything of 2^33 or more saturates whatever the size; keep the double arithmetic exact.
  const mag = e > 10 ? POW2[34]! : roundShift(x.sig, -e, x.sign, mode);
  const inexact = e > 10 ? false : roundInexact;
  return saturateToInt(env, x.sign, mag, inexact, min, max);
}

/**
 * The integer result of a conversion whose rounded magnitude is `mag`: saturated to [min, max]
 * with IOC, IXC when the rounding was inexact and the result not saturated (single and double
 * precision share it).
 */
export function saturateToInt(env: FpEnv, sign: number, mag: number, inexact: boolean, min: number, max: number): number {
  if (sign !== 0) {
    if (mag === 0) {
      if (inexact) env.flags |= FPSCR_IXC;
      return 0;
    }
    if (-mag < min) {
      env.flags |= FPSCR_IOC;
      return min | 0;
    }
    if (inexact) env.flags |= FPSCR_IXC;
    return -mag | 0;
  }
  if (mag > max) {
    env.flags |= FPSCR_IOC;
    return max | 0;
  }
  if (inexact) env.flags |= FPSCR_IXC;
  return mag | 0;
}

/**
 * Integer -> single: the low `size` bits of `v` (16 or 32), signed or unsigned, times 2^-fracBits,
 * rounded under `mode`.
 */
export function fixedToFp(env: FpEnv, v: number, fracBits: number, size: number, unsigned: boolean, mode: RoundingMode): number {
  let n: number;
  if (size === 16) n = unsigned ? v & 0xffff : (v << 16) >> 16;
  else n = unsigned ? v >>> 0 : v | 0;
  if (n === 0) return 0;
  const sign = n < 0 ? 1 : 0;
  const saved = env.mode;
  env.mode = mode;
  const r = roundPackSingle(env, sign, -fracBits, sign !== 0 ? -n : n);
  env.mode = saved;
  return r;
}

/** Half -> single (VCVTB/VCVTT): exact except for NaN handling; FZ does not apply to the input. */
export function halfToSingle(env: FpEnv, h: number): number {
  const sign = (h >>> 15) & 1;
  const exp = (h >>> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0x1f && !env.ahp) {
    if (frac === 0) return signedInf(sign);
    const bits = ((sign << 31) | 0x7f800000 | (frac << 13)) | 0;
    return processNaN(env, bits, (frac & 0x200) !== 0 ? FpClass.QNAN : FpClass.SNAN);
  }
  if (exp === 0 && frac === 0) return (sign << 31) | 0;
  if (exp === 0) return roundPackSingle(env, sign, -24, frac);
  return roundPackSingle(env, sign, exp - 25, frac | 0x400);
}

/** Single -> half (VCVTB/VCVTT) under the FPSCR rounding mode, IEEE or alternative format. */
export function singleToHalf(env: FpEnv, a: number): number {
  const x = unpack(env, a, u);
  const signBit = x.sign << 15;
  switch (x.cls) {
    case FpClass.QNAN:
    case FpClass.SNAN:
      if (env.ahp) {
        env.flags |= FPSCR_IOC;
        return signBit;
      }
      {
        const q = processNaN(env, a, x.cls);
        if (q === DEFAULT_NAN) return 0x7e00;
        return signBit | 0x7c00 | ((q >>> 13) & 0x3ff);
      }
    case FpClass.INF:
      if (env.ahp) {
        env.flags |= FPSCR_IOC;
        return signBit | 0x7fff;
      }
      return signBit | 0x7c00;
    case FpClass.ZERO:
      return signBit;
    default:
      return roundPack(env, env.ahp ? HALF_AHP : HALF, x.sign, x.exp, x.sig, false) & 0xffff;
  }
}
