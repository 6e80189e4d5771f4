/**
 * Double-precision arithmetic as the ARM ARM defines it (FPAdd, FPSub, FPMul, FPDiv, FPSqrt,
 * FPMulAdd, FPCompare) and QEMU 7.2 implements it, bit-exact under FPSCR (rounding mode, FZ, DN,
 * cumulative flags). Operands are (hi, lo) word pairs; results land in R64.
 *
 * Sums and products are exact in the limb accumulator (wide-sum.ts). Division and square root
 * start from the host's correctly rounded (round-to-nearest) quotient or root of the integer
 * significands, which lie in the normal range, and find on which side of it the exact value lies
 * from the exact residual (Dekker's product); that decides every rounding mode and subnormal
 * re-rounding, since the exact value is never a tie at 53 bits.
 */
import { FpClass, type FpEnv } from './env.js';
import { FPSCR_DZC, FPSCR_IOC, RoundingMode } from './fpscr.js';
import {
  R64,
  Unpacked64,
  doubleValue,
  invalid64,
  processNaN64,
  processNaNs64,
  roundPack64,
  setDefaultNaN64,
  setInf64,
  setZero64,
  unpack64,
} from './double.js';
import { sumAddProduct, sumAddSig, sumClear, roundSum } from './wide-sum.js';
import { NZCV_EQUAL, NZCV_GREATER, NZCV_LESS, NZCV_UNORDERED } from './arith.js';

const ua = new Unpacked64();
const ub = new Unpacked64();
const uc = new Unpacked64();

/** Exponent distance beyond which the smaller operand only acts as a sticky bit. */
const FAR = 110;

/** Exact x + y (both finite non-zero, given as sig * 2^exp with sign), rounded once. */
function addFinite(env: FpEnv, sx: number, ex: number, mx: number, sy: number, ey: number, my: number): void {
  if (ey > ex) {
    let t = sx;
    sx = sy;
    sy = t;
    t = ex;
    ex = ey;
    ey = t;
    t = mx;
    mx = my;
    my = t;
  }
  const d = ex - ey;
  const negate = sx !== sy;
  sumClear();
  if (d > FAR) {
    sumAddSig(mx, FAR + 2, false);
    sumAddSig(1, 0, negate);
    return roundSum(env, sx, ex - FAR - 2);
  }
  sumAddSig(mx, d, false);
  sumAddSig(my, 0, negate);
  roundSum(env, sx, ey);
}

/** FPAdd (negateB = false) and FPSub (negateB = true; a NaN operand keeps its sign). */
export function fpAddSub64(env: FpEnv, aHi: number, aLo: number, bHi: number, bLo: number, negateB: boolean): void {
  const x = unpack64(env, aHi, aLo, ua);
  const y = unpack64(env, bHi, bLo, ub);
  if (x.cls >= FpClass.QNAN || y.cls >= FpClass.QNAN) return processNaNs64(env, aHi, aLo, x.cls, bHi, bLo, y.cls);
  const signY = negateB ? y.sign ^ 1 : y.sign;
  if (x.cls === FpClass.INF) {
    if (y.cls === FpClass.INF && signY !== x.sign) return invalid64(env);
    return setInf64(x.sign);
  }
  if (y.cls === FpClass.INF) return setInf64(signY);
  if (x.cls === FpClass.ZERO) {
    if (y.cls === FpClass.ZERO) {
      return setZero64(x.sign === signY ? x.sign : env.mode === RoundingMode.MINUS_INF ? 1 : 0);
    }
    return packSig(env, signY, y.exp, y.sig);
  }
  if (y.cls === FpClass.ZERO) return packSig(env, x.sign, x.exp, x.sig);
  addFinite(env, x.sign, x.exp, x.sig, signY, y.exp, y.sig);
}

/** Round sig * 2^exp (sig < 2^53; rounding only matters for FZ and outputs of narrower work). */
function packSig(env: FpEnv, sign: number, exp: number, sig: number): void {
  const hi = Math.floor(sig / 4294967296);
  roundPack64(env, sign, exp, hi, sig - hi * 4294967296);
}

export function fpMul64(env: FpEnv, aHi: number, aLo: number, bHi: number, bLo: number): void {
  const x = unpack64(env, aHi, aLo, ua);
  const y = unpack64(env, bHi, bLo, ub);
  if (x.cls >= FpClass.QNAN || y.cls >= FpClass.QNAN) return processNaNs64(env, aHi, aLo, x.cls, bHi, bLo, y.cls);
  const sign = x.sign ^ y.sign;
  if (x.cls === FpClass.INF || y.cls === FpClass.INF) {
    if (x.cls === FpClass.ZERO || y.cls === FpClass.ZERO) return invalid64(env);
    return setInf64(sign);
  }
  if (x.cls === FpClass.ZERO || y.cls === FpClass.ZERO) return setZero64(sign);
  sumClear();
  sumAddProduct(x.sig, y.sig, 0, false);
  roundSum(env, sign, x.exp + y.exp);
}

/**
 * FPMulAdd: addend + op1 * op2 with a single rounding (VFMA family). NaN priority is addend,
 * op1, op2 for signalling then quiet NaNs; Inf * 0 with a quiet NaN addend gives the default NaN.
 */
export function fpMulAdd64(
  env: FpEnv,
  cHi: number,
  cLo: number,
  aHi: number,
  aLo: number,
  bHi: number,
  bLo: number,
): void {
  const x = unpack64(env, aHi, aLo, ua);
  const y = unpack64(env, bHi, bLo, ub);
  const z = unpack64(env, cHi, cLo, uc);
  const infZero =
    (x.cls === FpClass.INF && y.cls === FpClass.ZERO) || (x.cls === FpClass.ZERO && y.cls === FpClass.INF);
  if (x.cls >= FpClass.QNAN || y.cls >= FpClass.QNAN || z.cls >= FpClass.QNAN) {
    if (x.cls === FpClass.SNAN || y.cls === FpClass.SNAN || z.cls === FpClass.SNAN) env.flags |= FPSCR_IOC;
    if (infZero && z.cls === FpClass.QNAN) return invalid64(env);
    if (env.dn) return setDefaultNaN64();
    if (z.cls === FpClass.SNAN) return quiet(cHi, cLo);
    if (x.cls === FpClass.SNAN) return quiet(aHi, aLo);
    if (y.cls === FpClass.SNAN) return quiet(bHi, bLo);
    if (z.cls === FpClass.QNAN) return quiet(cHi, cLo);
    if (x.cls === FpClass.QNAN) return quiet(aHi, aLo);
    return quiet(bHi, bLo);
  }
  if (infZero) return invalid64(env);
  const signP = x.sign ^ y.sign;
  if (x.cls === FpClass.INF || y.cls === FpClass.INF) {
    if (z.cls === FpClass.INF && z.sign !== signP) return invalid64(env);
    return setInf64(signP);
  }
  if (z.cls === FpClass.INF) return setInf64(z.sign);
  if (x.cls === FpClass.ZERO || y.cls === FpClass.ZERO) {
    if (z.cls === FpClass.ZERO) {
      return setZero64(z.sign === signP ? signP : env.mode === RoundingMode.MINUS_INF ? 1 : 0);
    }
    return packSig(env, z.sign, z.exp, z.sig);
  }
  const expP = x.exp + y.exp;
  sumClear();
  if (z.cls === FpClass.ZERO) {
    sumAddProduct(x.sig, y.sig, 0, false);
    return roundSum(env, signP, expP);
  }
  const negate = z.sign !== signP;
  const d = z.exp - expP;
  if (d > FAR) {
    // The product (< 2^106) lies wholly below the addend's last bit: only its stickiness counts.
    sumAddSig(z.sig, FAR + 2, false);
    sumAddSig(1, 0, negate);
    return roundSum(env, z.sign, z.exp - FAR - 2);
  }
  if (d >= 0) {
    sumAddProduct(x.sig, y.sig, 0, false);
    sumAddSig(z.sig, d, negate);
    return roundSum(env, signP, expP);
  }
  if (d >= -60) {
    sumAddProduct(x.sig, y.sig, 3, false);
    sumAddSig(z.sig, 72 + d, negate);
    return roundSum(env, signP, expP - 72);
  }
  // The addend lies wholly below the product's last bit.
  sumAddProduct(x.sig, y.sig, 1, false);
  sumAddSig(1, 0, negate);
  roundSum(env, signP, expP - 24);
}

function quiet(hi: number, lo: number): void {
  R64.hi = hi | 0x00080000;
  R64.lo = lo;
}

/** Dekker's exact error of p = a * b (no overflow or underflow here: operands are < 2^55). */
const SPLITTER = 134217729;
function productError(a: number, b: number, p: number): number {
  let t = SPLITTER * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLITTER * b;
  const bh = t - (t - b);
  const bl = b - bh;
  return ah * bh - p + ah * bl + al * bh + al * bl;
}

/**
 * Round a value known as q (a 53-bit integer, the nearest to the exact value) times 2^exp and the
 * side the exact value lies on (side < 0 below q, 0 exact, > 0 above). Below q it is encoded as
 * q - 1/4 + epsilon, which rounds like the exact value in every mode and at every precision, also
 * when q is a power of two (the exact value is then within a quarter ulp of q).
 */
function roundNear(env: FpEnv, sign: number, exp: number, q: number, side: number): void {
  const qh = Math.floor(q / 4294967296);
  const ql = q - qh * 4294967296;
  if (side === 0) return roundPack64(env, sign, exp, qh, ql);
  if (side > 0) return roundPack64(env, sign, exp - 32, q, 1);
  return roundPack64(env, sign, exp - 32, q - 1, 0xc0000001);
}

export function fpDiv64(env: FpEnv, aHi: number, aLo: number, bHi: number, bLo: number): void {
  const x = unpack64(env, aHi, aLo, ua);
  const y = unpack64(env, bHi, bLo, ub);
  if (x.cls >= FpClass.QNAN || y.cls >= FpClass.QNAN) return processNaNs64(env, aHi, aLo, x.cls, bHi, bLo, y.cls);
  const sign = x.sign ^ y.sign;
  if (x.cls === FpClass.INF) return y.cls === FpClass.INF ? invalid64(env) : setInf64(sign);
  if (y.cls === FpClass.INF) return setZero64(sign);
  if (y.cls === FpClass.ZERO) {
    if (x.cls === FpClass.ZERO) return invalid64(env);
    env.flags |= FPSCR_DZC;
    return setInf64(sign);
  }
  if (x.cls === FpClass.ZERO) return setZero64(sign);
  // sigX / sigY lies in (1/2, 2): the host quotient is normal and correctly rounded.
  const q = x.sig / y.sig;
  const p = q * y.sig;
  const err = productError(q, y.sig, p);
  const diff = x.sig - p; // exact (Sterbenz)
  const side = diff > err ? 1 : diff < err ? -1 : 0;
  const scale = q >= 1 ? 52 : 53;
  roundNear(env, sign, x.exp - y.exp - scale, q * 2 ** scale, side);
}

export function fpSqrt64(env: FpEnv, aHi: number, aLo: number): void {
  const x = unpack64(env, aHi, aLo, ua);
  if (x.cls >= FpClass.QNAN) return processNaN64(env, aHi, aLo, x.cls);
  if (x.cls === FpClass.ZERO) return setZero64(x.sign);
  if (x.sign !== 0) return invalid64(env);
  if (x.cls === FpClass.INF) return setInf64(0);
  let sig = x.sig;
  let exp = x.exp;
  if ((exp & 1) !== 0) {
    sig *= 2;
    exp -= 1;
  }
  // sig in [2^52, 2^54): the root is in [2^26, 2^27].
  const r = Math.sqrt(sig);
  const p = r * r;
  const err = productError(r, r, p);
  const diff = sig - p;
  const side = diff > err ? 1 : diff < err ? -1 : 0;
  const scale = r >= 134217728 ? 25 : 26;
  roundNear(env, 0, exp / 2 - scale, r * 2 ** scale, side);
}

/**
 * FPCompare for float64: the NZCV nibble. `signalOnQNaN` (VCMPE) raises IOC for any NaN, VCMP
 * only for signalling ones. Denormals flushed by FZ compare as zero.
 */
export function fpCompare64(env: FpEnv, aHi: number, aLo: number, bHi: number, bLo: number, signalOnQNaN: boolean): number {
  const x = unpack64(env, aHi, aLo, ua);
  const y = unpack64(env, bHi, bLo, ub);
  if (x.cls >= FpClass.QNAN || y.cls >= FpClass.QNAN) {
    if (signalOnQNaN || x.cls === FpClass.SNAN || y.cls === FpClass.SNAN) env.flags |= FPSCR_IOC;
    return NZCV_UNORDERED;
  }
  const vx = x.cls === FpClass.ZERO ? 0 : doubleValue(aHi, aLo);
  const vy = y.cls === FpClass.ZERO ? 0 : doubleValue(bHi, bLo);
  return vx === vy ? NZCV_EQUAL : vx < vy ? NZCV_LESS : NZCV_GREATER;
}
