/**
 * Double-precision operands: unpacking (FPUnpack with FZ), the ARM NaN rules for float64, and
 * FPRound into float64. A double travels as two int32 words (hi = sign, exponent, fraction[51:32];
 * lo = fraction[31:0]), the way the FP register file holds it (d<n> = s[2n+1]:s[2n]); results are
 * written to the preallocated `R64` (no allocation per operation).
 *
 * A finite operand unpacks to an integer significand `sig` in [2^52, 2^53) (exact in a double)
 * and an exponent with value = sig * 2^exp. Rounding takes a wider exact value hi * 2^32 + lo
 * (hi < 2^54, lo < 2^32 with lost bits jammed into bit 0), enough for a correctly rounded result.
 */
import { FpClass, type FpEnv } from './env.js';
import { FPSCR_IDC, FPSCR_IOC, FPSCR_IXC, FPSCR_OFC, FPSCR_UFC, RoundingMode } from './fpscr.js';
import { POW2, bitLength } from './round.js';

/** A double result as two words. */
export class Double {
  hi = 0;
  lo = 0;
}
/** Where every float64 operation leaves its result. */
export const R64 = new Double();

export const DEFAULT_NAN64_HI = 0x7ff80000;
const QUIET_BIT64 = 0x00080000;
const TWO32 = 4294967296;

export class Unpacked64 {
  cls: FpClass = FpClass.ZERO;
  sign = 0;
  exp = 0;
  sig = 0;
}

/** FPUnpack for float64: with FZ a denormal becomes a signed zero and raises IDC. */
export function unpack64(env: FpEnv, hi: number, lo: number, out: Unpacked64): Unpacked64 {
  const exp = (hi >>> 20) & 0x7ff;
  const fracHi = hi & 0xfffff;
  const fracLo = lo >>> 0;
  out.sign = hi >>> 31;
  if (exp === 0) {
    if (fracHi === 0 && fracLo === 0) {
      out.cls = FpClass.ZERO;
    } else if (env.fz) {
      env.flags |= FPSCR_IDC;
      out.cls = FpClass.ZERO;
    } else {
      const frac = fracHi * TWO32 + fracLo;
      const shift = 53 - bitLength(frac);
      out.cls = FpClass.NORMAL;
      out.sig = frac * POW2[shift]!;
      out.exp = -1074 - shift;
    }
  } else if (exp === 0x7ff) {
    out.cls =
      fracHi === 0 && fracLo === 0 ? FpClass.INF : (fracHi & QUIET_BIT64) !== 0 ? FpClass.QNAN : FpClass.SNAN;
  } else {
    out.cls = FpClass.NORMAL;
    out.sig = (fracHi + 0x100000) * TWO32 + fracLo;
    out.exp = exp - 1075;
  }
  return out;
}

export function setDefaultNaN64(): void {
  R64.hi = DEFAULT_NAN64_HI;
  R64.lo = 0;
}
export function setZero64(sign: number): void {
  R64.hi = (sign << 31) | 0;
  R64.lo = 0;
}
export function setInf64(sign: number): void {
  R64.hi = ((sign << 31) | 0x7ff00000) | 0;
  R64.lo = 0;
}
/** An invalid operation: IOC and the default NaN. */
export function invalid64(env: FpEnv): void {
  env.flags |= FPSCR_IOC;
  setDefaultNaN64();
}

/** FPProcessNaN for float64. */
export function processNaN64(env: FpEnv, hi: number, lo: number, cls: FpClass): void {
  if (cls === FpClass.SNAN) env.flags |= FPSCR_IOC;
  if (env.dn) return setDefaultNaN64();
  R64.hi = hi | QUIET_BIT64;
  R64.lo = lo;
}

/** FPProcessNaNs for float64: the first signalling NaN, else the first quiet NaN (a before b). */
export function processNaNs64(env: FpEnv, aHi: number, aLo: number, ca: FpClass, bHi: number, bLo: number, cb: FpClass): void {
  if (ca === FpClass.SNAN || cb === FpClass.SNAN) env.flags |= FPSCR_IOC;
  if (env.dn) return setDefaultNaN64();
  if (ca === FpClass.SNAN || (ca === FpClass.QNAN && cb !== FpClass.SNAN)) {
    R64.hi = aHi | QUIET_BIT64;
    R64.lo = aLo;
  } else {
    R64.hi = bHi | QUIET_BIT64;
    R64.lo = bLo;
  }
}

/**
 * FPRound into float64 of the exact value (hi * 2^32 + lo) * 2^exp (> 0): hi < 2^54 and lo < 2^32
 * are integers, with any bits below lo's bit 0 jammed into it. Raises IXC, UFC (tininess before
 * rounding), OFC, and flushes tiny results to zero under FZ, as FPRound does.
 */
export function roundPack64(env: FpEnv, sign: number, exp: number, hi: number, lo: number): void {
  if (hi === 0) {
    hi = lo;
    lo = 0;
    exp -= 32;
  }
  const len = bitLength(hi);
  const e = exp + 31 + len;
  const tiny = e < -1022;
  if (tiny && env.fz) {
    env.flags |= FPSCR_UFC;
    return setZero64(sign);
  }
  // Bits of the integer hi:lo below the destination's least significant bit.
  const shift = (tiny ? -1022 : e) - 52 - exp;
  let q: number;
  // Remainder against half an ulp: 0 none, 1 below half, 2 exactly half, 3 above half.
  let rem: number;
  if (shift <= 0) {
    q = (hi * TWO32 + lo) * POW2[-shift]!;
    rem = 0;
  } else if (shift < 32) {
    const p = POW2[shift]!;
    const low = Math.floor(lo / p);
    q = hi * POW2[32 - shift]! + low;
    const r = lo - low * p;
    const half = p / 2;
    rem = r === 0 ? 0 : r < half ? 1 : r === half ? 2 : 3;
  } else {
    const s2 = shift - 32;
    if (s2 > 64) {
      q = 0;
      rem = 1;
    } else {
      const p = POW2[s2]!;
      q = Math.floor(hi / p);
      const rHi = hi - q * p;
      if (s2 === 0) {
        rem = lo === 0 ? 0 : lo < 0x80000000 ? 1 : lo === 0x80000000 ? 2 : 3;
      } else {
        const halfHi = p / 2;
        rem = rHi > halfHi ? 3 : rHi === halfHi ? (lo !== 0 ? 3 : 2) : rHi !== 0 || lo !== 0 ? 1 : 0;
      }
    }
  }
  if (rem !== 0) {
    let up: boolean;
    switch (env.mode) {
      case RoundingMode.NEAREST:
        up = rem === 3 || (rem === 2 && q % 2 === 1);
        break;
      case RoundingMode.PLUS_INF:
        up = sign === 0;
        break;
      case RoundingMode.MINUS_INF:
        up = sign !== 0;
        break;
      default:
        up = false;
    }
    if (up) q += 1;
  }
  // q includes the implicit bit, so a carry out of the fraction bumps the exponent by itself.
  const qHi = Math.floor(q / TWO32);
  const hiWord = (tiny ? 0 : e + 1022) * 0x100000 + qHi;
  if (hiWord >= 0x7ff00000) {
    env.flags |= FPSCR_OFC | FPSCR_IXC;
    const mode = env.mode;
    const toInf =
      mode === RoundingMode.NEAREST ||
      (mode === RoundingMode.PLUS_INF && sign === 0) ||
      (mode === RoundingMode.MINUS_INF && sign !== 0);
    if (toInf) return setInf64(sign);
    R64.hi = ((sign << 31) | 0x7fefffff) | 0;
    R64.lo = -1;
    return;
  }
  if (rem !== 0) env.flags |= tiny ? FPSCR_IXC | FPSCR_UFC : FPSCR_IXC;
  R64.hi = ((sign << 31) | hiWord) | 0;
  R64.lo = (q - qHi * TWO32) | 0;
}

/** The JS number a float64 operand denotes (exact); NaNs are not expected here. */
const f64 = new Float64Array(1);
const w32 = new Int32Array(f64.buffer);
export function doubleValue(hi: number, lo: number): number {
  w32[0] = lo;
  w32[1] = hi;
  return f64[0]!;
}
