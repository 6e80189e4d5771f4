/**
 * The per-operation floating-point environment (the parts of FPSCR an operation reads: rounding
 * mode, FZ, DN, AHP) and the exception flags it raises, plus operand unpacking and the ARM NaN
 * rules (FPUnpack, FPProcessNaN, FPProcessNaNs) for single precision.
 *
 * A finite non-zero operand unpacks to sign, an integer significand `sig` in [2^23, 2^24) and an
 * exponent `exp` with value = sig * 2^exp (denormals are normalised), so arithmetic can work on
 * exact integers held in doubles.
 */
import { FPSCR_AHP, FPSCR_DN, FPSCR_FZ, FPSCR_IDC, FPSCR_IOC, FPSCR_RMODE_SHIFT, RoundingMode } from './fpscr.js';

export const enum FpClass {
  ZERO = 0,
  NORMAL = 1,
  INF = 2,
  QNAN = 3,
  SNAN = 4,
}

/** ARM default NaN (FPSCR.DN, invalid operations). */
export const DEFAULT_NAN = 0x7fc00000;
const QUIET_BIT = 0x00400000;

export class FpEnv {
  mode: RoundingMode = RoundingMode.NEAREST;
  /** FPSCR.FZ: flush denormal inputs (IDC) and tiny results (UFC) to zero. */
  fz = false;
  /** FPSCR.DN: every NaN result is the default NaN. */
  dn = false;
  /** FPSCR.AHP: half-precision conversions use the alternative format (no Inf/NaN). */
  ahp = false;
  /** Exception flags raised so far, in FPSCR bit positions. */
  flags = 0;

  /** Take the controls from an FPSCR value and clear the raised flags. */
  load(fpscr: number): this {
    this.mode = ((fpscr >>> FPSCR_RMODE_SHIFT) & 3) as RoundingMode;
    this.fz = (fpscr & FPSCR_FZ) !== 0;
    this.dn = (fpscr & FPSCR_DN) !== 0;
    this.ahp = (fpscr & FPSCR_AHP) !== 0;
    this.flags = 0;
    return this;
  }
}

/** An unpacked single-precision operand (scratch objects, reused by every operation). */
export class Unpacked {
  cls: FpClass = FpClass.ZERO;
  sign = 0;
  exp = 0;
  sig = 0;
}

/** FPUnpack: classify `bits`; with FZ a denormal becomes a signed zero and raises IDC. */
export function unpack(env: FpEnv, bits: number, out: Unpacked): Unpacked {
  const exp = (bits >>> 23) & 0xff;
  let frac = bits & 0x7fffff;
  out.sign = bits >>> 31;
  if (exp === 0) {
    if (frac === 0) {
      out.cls = FpClass.ZERO;
    } else if (env.fz) {
      env.flags |= FPSCR_IDC;
      out.cls = FpClass.ZERO;
    } else {
      // Normalise: shift the leading one up to bit 23.
      const shift = Math.clz32(frac) - 8;
      frac <<= shift;
      out.cls = FpClass.NORMAL;
      out.sig = frac;
      out.exp = -149 - shift;
    }
  } else if (exp === 0xff) {
    out.cls = frac === 0 ? FpClass.INF : (frac & QUIET_BIT) !== 0 ? FpClass.QNAN : FpClass.SNAN;
  } else {
    out.cls = FpClass.NORMAL;
    out.sig = frac | 0x800000;
    out.exp = exp - 150;
  }
  return out;
}

/** FPProcessNaN: a signalling NaN raises IOC and is quietened; DN replaces any NaN. */
export function processNaN(env: FpEnv, bits: number, cls: FpClass): number {
  if (cls === FpClass.SNAN) env.flags |= FPSCR_IOC;
  if (env.dn) return DEFAULT_NAN;
  return bits | QUIET_BIT;
}

/** FPProcessNaNs: the first signalling NaN, else the first quiet NaN (a before b). */
export function processNaNs(env: FpEnv, a: number, ca: FpClass, b: number, cb: FpClass): number {
  if (ca === FpClass.SNAN || cb === FpClass.SNAN) env.flags |= FPSCR_IOC;
  if (env.dn) return DEFAULT_NAN;
  if (ca === FpClass.SNAN) return a | QUIET_BIT;
  if (cb === FpClass.SNAN) return b | QUIET_BIT;
  if (ca === FpClass.QNAN) return a;
  return b;
}

/** An invalid operation: IOC and the default NaN. */
export function invalid(env: FpEnv): number {
  env.flags |= FPSCR_IOC;
  return DEFAULT_NAN;
}

export function signedZero(sign: number): number {
  return (sign << 31) | 0;
}

export function signedInf(sign: number): number {
  return ((sign << 31) | 0x7f800000) | 0;
}
