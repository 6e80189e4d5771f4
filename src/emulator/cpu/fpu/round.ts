/**
 * FPRound for binary formats: rounds an exact value sig * 2^exp (sig a positive integer < 2^53
 * held in a double) to a destination format under the FPSCR rounding mode, raising IXC, UFC
 * (tininess detected before rounding, as ARM and QEMU do), OFC, and flushing tiny results to zero
 * under FZ. Callers keep enough low bits (or a sticky bit in bit 0) for the rounding to be exact.
 */
import type { FpEnv } from './env.js';
import { FPSCR_IOC, FPSCR_IXC, FPSCR_OFC, FPSCR_UFC, RoundingMode } from './fpscr.js';

export interface FloatFormat {
  readonly fracBits: number;
  readonly bias: number;
  /** All-ones biased exponent (Inf/NaN), or for the alternative half format the largest normal one. */
  readonly expMax: number;
  readonly signShift: number;
  /** ARM alternative half precision: no Inf/NaN, overflow saturates and raises IOC. */
  readonly althp: boolean;
}

export const SINGLE: FloatFormat = { fracBits: 23, bias: 127, expMax: 255, signShift: 31, althp: false };
export const HALF: FloatFormat = { fracBits: 10, bias: 15, expMax: 31, signShift: 15, althp: false };
export const HALF_AHP: FloatFormat = { fracBits: 10, bias: 15, expMax: 31, signShift: 15, althp: true };

/** 2^0 .. 2^64, exact. */
export const POW2 = new Float64Array(65);
for (let i = 0; i <= 64; i++) POW2[i] = 2 ** i;

/** Number of significant bits of a positive integer < 2^53. */
export function bitLength(v: number): number {
  if (v >= 4294967296) return 64 - Math.clz32(Math.floor(v / 4294967296));
  return 32 - Math.clz32(v);
}

/**
 * Round-to-integer step shared by FPRound and FPToFixed: the integer part of sig / 2^shift
 * (shift > 0), rounded under `mode`; `roundInexact` tells whether bits were lost.
 */
export let roundInexact = false;
export function roundShift(sig: number, shift: number, sign: number, mode: RoundingMode): number {
  if (shift <= 0) {
    roundInexact = false;
    return sig * POW2[-shift]!;
  }
  let q: number;
  let up: boolean;
  if (shift > 60) {
    // Everything is below half an ulp: only the directed modes round away from zero.
    q = 0;
    roundInexact = true;
    up = mode === RoundingMode.PLUS_INF ? sign === 0 : mode === RoundingMode.MINUS_INF ? sign !== 0 : false;
  } else {
    const p = POW2[shift]!;
    q = Math.floor(sig / p);
    const rem = sig - q * p;
    roundInexact = rem !== 0;
    if (rem === 0) return q;
    switch (mode) {
      case RoundingMode.NEAREST: {
        const half = p / 2;
        up = rem > half || (rem === half && q % 2 === 1);
        break;
      }
      case RoundingMode.PLUS_INF:
        up = sign === 0;
        break;
      case RoundingMode.MINUS_INF:
        up = sign !== 0;
        break;
      default:
        up = false;
    }
  }
  return up ? q + 1 : q;
}

/** Round sig * 2^exp (sig > 0) into `fmt`; `flush` applies FZ to tiny results. Returns the bits. */
export function roundPack(env: FpEnv, fmt: FloatFormat, sign: number, exp: number, sig: number, flush: boolean): number {
  const signBit = sign === 0 ? 0 : POW2[fmt.signShift]!;
  const e = exp + bitLength(sig) - 1;
  const emin = 1 - fmt.bias;
  const tiny = e < emin;
  if (tiny && flush) {
    env.flags |= FPSCR_UFC;
    return signBit | 0;
  }
  const lsbExp = (tiny ? emin : e) - fmt.fracBits;
  const q = roundShift(sig, lsbExp - exp, sign, env.mode);
  const inexact = roundInexact;
  const unit = POW2[fmt.fracBits]!;
  // q includes the implicit bit, so a carry out of the fraction bumps the exponent by itself.
  const mag = (tiny ? 0 : e + fmt.bias - 1) * unit + q;
  if (fmt.althp) {
    const limit = (fmt.expMax + 1) * unit;
    if (mag >= limit) {
      env.flags |= FPSCR_IOC;
      return (signBit + limit - 1) | 0;
    }
  } else {
    const infMag = fmt.expMax * unit;
    if (mag >= infMag) {
      env.flags |= FPSCR_OFC | FPSCR_IXC;
      const mode = env.mode;
      const toInf =
        mode === RoundingMode.NEAREST ||
        (mode === RoundingMode.PLUS_INF && sign === 0) ||
        (mode === RoundingMode.MINUS_INF && sign !== 0);
      return (signBit + (toInf ? infMag : infMag - 1)) | 0;
    }
  }
  if (inexact) env.flags |= tiny ? FPSCR_IXC | FPSCR_UFC : FPSCR_IXC;
  return (signBit + mag) | 0;
}

/** roundPack into single precision with FPSCR.FZ. */
export function roundPackSingle(env: FpEnv, sign: number, exp: number, sig: number): number {
  return roundPack(env, SINGLE, sign, exp, sig, env.fz);
}
