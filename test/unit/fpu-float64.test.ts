/**
 * The float64 soft-float (cpu/fpu/arith64, convert64) against two independent references: the
 * host's IEEE-754 doubles for random operands in round-to-nearest without FZ (results only), and a
 * BigInt model of FPRound (float64-reference.ts) for every rounding mode, FZ and DN with the
 * cumulative flags, on random operands biased towards the edges (denormals, huge exponent gaps,
 * overflow, cancellation, NaNs), plus hand-worked edge cases.
 */
import { describe, expect, it } from 'vitest';
import { FpEnv } from '../../src/emulator/cpu/fpu/env.js';
import { R64 } from '../../src/emulator/cpu/fpu/double.js';
import { fpAddSub64, fpCompare64, fpDiv64, fpMul64, fpMulAdd64, fpSqrt64 } from '../../src/emulator/cpu/fpu/arith64.js';
import { doubleToFixed, doubleToSingle, fixedToDouble, singleToDouble } from '../../src/emulator/cpu/fpu/convert64.js';
import {
  DEFAULT_NAN,
  DZC,
  IDC,
  IOC,
  IXC,
  OFC,
  UFC,
  type Exact,
  type RefResult,
  addExact,
  divExact,
  exactOf,
  fields,
  isNaN64,
  mulExact,
  nanResult,
  roundRef,
  sqrtExact,
} from './float64-reference.js';

const FZ = 0x01000000;
const DN = 0x02000000;
const env = new FpEnv();

const hiOf = (b: bigint): number => Number(b >> 32n) | 0;
const loOf = (b: bigint): number => Number(b & 0xffffffffn) | 0;
const resultBits = (): bigint => (BigInt(R64.hi >>> 0) << 32n) | BigInt(R64.lo >>> 0);

/** Deterministic PRNG (xorshift32), so a failure names a reproducible case. */
let seed = 0x9e3779b9;
function rand32(): number {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return seed >>> 0;
}
/** Random doubles biased to the interesting places. */
function randomDouble(): bigint {
  const k = rand32() % 16;
  const sign = BigInt(rand32() & 1) << 63n;
  const frac = (BigInt(rand32()) << 20n) ^ BigInt(rand32() & 0xfffff);
  const fracOf = (v: bigint): bigint => v & ((1n << 52n) - 1n);
  let e: number;
  if (k === 0) e = 0; // denormal / zero
  else if (k === 1) e = 0x7ff; // Inf / NaN
  else if (k === 2) e = 1 + (rand32() % 4); // just above the denormals
  else if (k === 3) e = 0x7fe - (rand32() % 4); // near overflow
  else if (k < 8) e = 1023 + (rand32() % 8) - 4;
  else e = 1 + (rand32() % 0x7fe);
  let f = fracOf(frac);
  if (k === 1 && rand32() % 3 === 0) f = 0n;
  if (rand32() % 8 === 0) f &= ~((1n << BigInt(rand32() % 52)) - 1n); // short significands (exact cases)
  if (k === 0 && rand32() % 4 === 0) f = 0n;
  return sign | (BigInt(e) << 52n) | f;
}

const flagsBox = { v: 0 };
const isInf = (b: bigint): boolean => {
  const x = fields(b);
  return x.e === 0x7ff && x.f === 0n;
};
const negOf = (b: bigint): boolean => b >> 63n === 1n;
const INF = (neg: boolean): bigint => (neg ? 1n << 63n : 0n) | (0x7ffn << 52n);
const ZERO = (neg: boolean): bigint => (neg ? 1n << 63n : 0n);

/** The IDC an operand flush raised before a NaN was seen (QEMU unpacks both operands first). */
const withIdc = (r: RefResult, idc: number): RefResult => ({ bits: r.bits, flags: r.flags | idc });

/** Reference result of a finite exact, with the zero-result sign rule of FPAdd. */
function finish(x: Exact, mode: number, fz: boolean, zeroNeg: boolean): RefResult {
  if (x.mag === 0n) return { bits: ZERO(zeroNeg), flags: 0 };
  return roundRef(x, mode, fz);
}

function refAdd(a: bigint, b: bigint, sub: boolean, fpscr: number): RefResult {
  const mode = (fpscr >>> 22) & 3;
  const fz = (fpscr & FZ) !== 0;
  const dn = (fpscr & DN) !== 0;
  flagsBox.v = 0;
  const x = exactOf(a, fz, flagsBox);
  const y0 = exactOf(b, fz, flagsBox);
  const idc = flagsBox.v;
  if (isNaN64(a) || isNaN64(b)) return withIdc(nanResult(a, b, dn), idc);
  const bn = sub ? !negOf(b) : negOf(b);
  if (x === null || y0 === null) {
    if (x === null && y0 === null && negOf(a) !== bn) return { bits: DEFAULT_NAN, flags: IOC | idc };
    return { bits: x === null ? INF(negOf(a)) : INF(bn), flags: idc };
  }
  const y = { ...y0, neg: bn };
  const s = addExact(x, y);
  let zeroNeg = mode === 2;
  if (x.mag === 0n && y.mag === 0n) zeroNeg = x.neg === y.neg ? x.neg : mode === 2;
  const r = finish(s, mode, fz, zeroNeg);
  return { bits: r.bits, flags: r.flags | idc };
}

function refMul(a: bigint, b: bigint, fpscr: number): RefResult {
  const mode = (fpscr >>> 22) & 3;
  const fz = (fpscr & FZ) !== 0;
  flagsBox.v = 0;
  const x = exactOf(a, fz, flagsBox);
  const y = exactOf(b, fz, flagsBox);
  const idc = flagsBox.v;
  if (isNaN64(a) || isNaN64(b)) return withIdc(nanResult(a, b, (fpscr & DN) !== 0), idc);
  const neg = negOf(a) !== negOf(b);
  if (x === null || y === null) {
    if ((x !== null && x.mag === 0n) || (y !== null && y.mag === 0n)) return { bits: DEFAULT_NAN, flags: IOC | idc };
    return { bits: INF(neg), flags: idc };
  }
  const r = finish(mulExact(x, y), mode, fz, neg);
  return { bits: r.bits, flags: r.flags | idc };
}

function refDiv(a: bigint, b: bigint, fpscr: number): RefResult {
  const mode = (fpscr >>> 22) & 3;
  const fz = (fpscr & FZ) !== 0;
  flagsBox.v = 0;
  const x = exactOf(a, fz, flagsBox);
  const y = exactOf(b, fz, flagsBox);
  const idc = flagsBox.v;
  if (isNaN64(a) || isNaN64(b)) return withIdc(nanResult(a, b, (fpscr & DN) !== 0), idc);
  const neg = negOf(a) !== negOf(b);
  if (x === null) return y === null ? { bits: DEFAULT_NAN, flags: IOC | idc } : { bits: INF(neg), flags: idc };
  if (y === null) return { bits: ZERO(neg), flags: idc };
  if (y.mag === 0n) return x.mag === 0n ? { bits: DEFAULT_NAN, flags: IOC | idc } : { bits: INF(neg), flags: DZC | idc };
  if (x.mag === 0n) return { bits: ZERO(neg), flags: idc };
  const r = roundRef(divExact(x, y), mode, fz);
  return { bits: r.bits, flags: r.flags | idc };
}

function refSqrt(a: bigint, fpscr: number): RefResult {
  const mode = (fpscr >>> 22) & 3;
  const fz = (fpscr & FZ) !== 0;
  if (isNaN64(a)) return nanResult(a, null, (fpscr & DN) !== 0);
  flagsBox.v = 0;
  const x = exactOf(a, fz, flagsBox);
  const idc = flagsBox.v;
  if (x === null) return negOf(a) ? { bits: DEFAULT_NAN, flags: IOC } : { bits: INF(false), flags: 0 };
  if (x.mag === 0n) return { bits: ZERO(negOf(a)), flags: idc };
  if (x.neg) return { bits: DEFAULT_NAN, flags: IOC | idc };
  const r = roundRef(sqrtExact(x), mode, fz);
  return { bits: r.bits, flags: r.flags | idc };
}

function refFma(c: bigint, a: bigint, b: bigint, fpscr: number): RefResult {
  const mode = (fpscr >>> 22) & 3;
  const fz = (fpscr & FZ) !== 0;
  const dn = (fpscr & DN) !== 0;
  flagsBox.v = 0;
  const x = exactOf(a, fz, flagsBox);
  const y = exactOf(b, fz, flagsBox);
  const z = exactOf(c, fz, flagsBox);
  const idc = flagsBox.v;
  const infZero = (isInf(a) && y !== null && y.mag === 0n) || (isInf(b) && x !== null && x.mag === 0n);
  if (isNaN64(a) || isNaN64(b) || isNaN64(c)) {
    const snan = [a, b, c].some((v) => isNaN64(v) && ((v >> 51n) & 1n) === 0n);
    let flags = (snan ? IOC : 0) | idc;
    if (infZero && isNaN64(c) && ((c >> 51n) & 1n) === 1n) return { bits: DEFAULT_NAN, flags: flags | IOC };
    if (dn) return { bits: DEFAULT_NAN, flags };
    const order = [c, a, b];
    const s = order.find((v) => isNaN64(v) && ((v >> 51n) & 1n) === 0n) ?? order.find((v) => isNaN64(v))!;
    flags |= 0;
    return { bits: s | (1n << 51n), flags };
  }
  if (infZero) return { bits: DEFAULT_NAN, flags: IOC | idc };
  const pNeg = negOf(a) !== negOf(b);
  if (x === null || y === null) {
    if (z === null && negOf(c) !== pNeg) return { bits: DEFAULT_NAN, flags: IOC | idc };
    return { bits: INF(pNeg), flags: idc };
  }
  if (z === null) return { bits: INF(negOf(c)), flags: idc };
  const p = mulExact(x, y);
  const s = addExact(p, z);
  let zeroNeg = mode === 2;
  if (p.mag === 0n && z.mag === 0n) zeroNeg = p.neg === z.neg ? p.neg : mode === 2;
  const r = finish(s, mode, fz, zeroNeg);
  return { bits: r.bits, flags: r.flags | idc };
}

function run(fpscr: number, op: () => void): RefResult {
  env.load(fpscr);
  op();
  return { bits: resultBits(), flags: env.flags };
}
const hex = (b: bigint): string => b.toString(16).padStart(16, '0');
const MODES = [0, 0x00400000, 0x00800000, 0x00c00000];

function fuzz(count: number, check: (a: bigint, b: bigint, c: bigint, fpscr: number) => string | null): void {
  const failures: string[] = [];
  for (let i = 0; i < count && failures.length < 5; i++) {
    const fpscr = MODES[rand32() % 4]! | (rand32() % 4 === 0 ? FZ : 0) | (rand32() % 8 === 0 ? DN : 0);
    const msg = check(randomDouble(), randomDouble(), randomDouble(), fpscr);
    if (msg !== null) failures.push(msg);
  }
  expect(failures).toEqual([]);
}
function same(name: string, got: RefResult, want: RefResult, ...ops: bigint[]): string | null {
  if (got.bits === want.bits && got.flags === want.flags) return null;
  return `${name}(${ops.map(hex).join(', ')}): got ${hex(got.bits)}/${got.flags.toString(16)}, want ${hex(want.bits)}/${want.flags.toString(16)}`;
}

describe('float64 against the host (round to nearest, no FZ)', () => {
  const f = new Float64Array(1);
  const b = new BigUint64Array(f.buffer);
  const bitsOf = (x: number): bigint => {
    f[0] = x;
    return b[0]!;
  };
  it('add, sub, mul, div, sqrt on 20000 random pairs', () => {
    const failures: string[] = [];
    for (let i = 0; i < 20000 && failures.length < 5; i++) {
      const x = randomDouble();
      const y = randomDouble();
      b[0] = x;
      const vx = f[0]!;
      b[0] = y;
      const vy = f[0]!;
      if (Number.isNaN(vx) || Number.isNaN(vy)) continue;
      const cases: [string, () => void, number][] = [
        ['add', () => fpAddSub64(env, hiOf(x), loOf(x), hiOf(y), loOf(y), false), vx + vy],
        ['sub', () => fpAddSub64(env, hiOf(x), loOf(x), hiOf(y), loOf(y), true), vx - vy],
        ['mul', () => fpMul64(env, hiOf(x), loOf(x), hiOf(y), loOf(y)), vx * vy],
        ['div', () => fpDiv64(env, hiOf(x), loOf(x), hiOf(y), loOf(y)), vx / vy],
        ['sqrt', () => fpSqrt64(env, hiOf(x), loOf(x)), Math.sqrt(vx)],
      ];
      for (const [name, op, want] of cases) {
        const got = run(0, op).bits;
        if (Number.isNaN(want)) {
          if (got !== DEFAULT_NAN) failures.push(`${name}(${hex(x)}, ${hex(y)}) = ${hex(got)}, want default NaN`);
        } else if (got !== bitsOf(want)) failures.push(`${name}(${hex(x)}, ${hex(y)}) = ${hex(got)}, want ${hex(bitsOf(want))}`);
      }
    }
    expect(failures).toEqual([]);
  });
});

describe('float64 against the BigInt FPRound model (all modes, FZ, DN, flags)', () => {
  it('FPAdd / FPSub', () =>
    fuzz(30000, (a, b, _c, s) => {
      const sub = (a & 1n) === 1n;
      return same(sub ? 'sub' : 'add', run(s, () => fpAddSub64(env, hiOf(a), loOf(a), hiOf(b), loOf(b), sub)), refAdd(a, b, sub, s), a, b);
    }));
  it('FPMul', () =>
    fuzz(30000, (a, b, _c, s) => same('mul', run(s, () => fpMul64(env, hiOf(a), loOf(a), hiOf(b), loOf(b))), refMul(a, b, s), a, b)));
  it('FPDiv', () =>
    fuzz(20000, (a, b, _c, s) => same('div', run(s, () => fpDiv64(env, hiOf(a), loOf(a), hiOf(b), loOf(b))), refDiv(a, b, s), a, b)));
  it('FPSqrt', () =>
    fuzz(20000, (a, _b, _c, s) => same('sqrt', run(s, () => fpSqrt64(env, hiOf(a), loOf(a))), refSqrt(a, s), a)));
  it('FPMulAdd (fused)', () =>
    fuzz(30000, (a, b, c, s) =>
      same('fma', run(s, () => fpMulAdd64(env, hiOf(c), loOf(c), hiOf(a), loOf(a), hiOf(b), loOf(b))), refFma(c, a, b, s), c, a, b),
    ));
});

describe('float64 edge cases worked by hand', () => {
  const D = (hi: number, lo = 0): bigint => (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
  it('1 + 2^-53 is a tie (RN: 1.0), 1 + 2^-53 + 2^-105 rounds up; flags IXC', () => {
    expect(run(0, () => fpAddSub64(env, 0x3ff00000, 0, 0x3ca00000, 0, false))).toEqual({ bits: D(0x3ff00000), flags: IXC });
    expect(run(0x00400000, () => fpAddSub64(env, 0x3ff00000, 0, 0x3ca00000, 0, false))).toEqual({ bits: D(0x3ff00000, 1), flags: IXC });
  });
  it('max * 2 overflows: Inf in RN, max in RZ, OFC|IXC', () => {
    expect(run(0, () => fpMul64(env, 0x7fefffff, -1, 0x40000000, 0))).toEqual({ bits: D(0x7ff00000), flags: OFC | IXC });
    expect(run(0x00c00000, () => fpMul64(env, 0x7fefffff, -1, 0x40000000, 0))).toEqual({ bits: D(0x7fefffff, -1), flags: OFC | IXC });
  });
  it('smallest normal / 2 is an exact denormal (no UFC); under FZ it flushes with UFC', () => {
    expect(run(0, () => fpDiv64(env, 0x00100000, 0, 0x40000000, 0))).toEqual({ bits: D(0x00080000), flags: 0 });
    expect(run(FZ, () => fpDiv64(env, 0x00100000, 0, 0x40000000, 0))).toEqual({ bits: D(0), flags: UFC });
  });
  it('denormal input under FZ raises IDC and counts as zero', () => {
    expect(run(FZ, () => fpAddSub64(env, 0x00000000, 1, 0x3ff00000, 0, false))).toEqual({ bits: D(0x3ff00000), flags: IDC });
  });
  it('x - x is +0, or -0 when rounding to minus infinity', () => {
    expect(run(0, () => fpAddSub64(env, 0x3ff00000, 0, 0x3ff00000, 0, true)).bits).toBe(0n);
    expect(run(0x00800000, () => fpAddSub64(env, 0x3ff00000, 0, 0x3ff00000, 0, true)).bits).toBe(1n << 63n);
  });
  it('NaN propagation: first SNaN quietened with IOC, DN gives the default NaN', () => {
    expect(run(0, () => fpAddSub64(env, 0x7ff80000, 5, 0x7ff00000, 7, false))).toEqual({ bits: D(0x7ff80000, 7), flags: IOC });
    expect(run(DN, () => fpAddSub64(env, 0x7ff80000, 5, 0x3ff00000, 0, false))).toEqual({ bits: DEFAULT_NAN, flags: 0 });
  });
  it('VCMP/VCMPE: unordered, equal zeros, IOC on quiet NaN only for VCMPE', () => {
    env.load(0);
    expect(fpCompare64(env, 0x7ff80000, 0, 0, 0, false)).toBe(3);
    expect(env.flags).toBe(0);
    expect(fpCompare64(env, 0x7ff80000, 0, 0, 0, true)).toBe(3);
    expect(env.flags).toBe(IOC);
    env.load(0);
    expect(fpCompare64(env, 0x80000000 | 0, 0, 0, 0, false)).toBe(6);
    expect(fpCompare64(env, 0xbff00000 | 0, 0, 0x3ff00000, 0, false)).toBe(8);
    expect(fpCompare64(env, 0x3ff00000, 1, 0x3ff00000, 0, false)).toBe(2);
  });
});

describe('float64 conversions', () => {
  it('single <-> double: exact widening, rounding narrowing, NaN payloads', () => {
    env.load(0);
    singleToDouble(env, 0x3fc00000); // 1.5
    expect(resultBits()).toBe(0x3ff8000000000000n);
    singleToDouble(env, 0x00000001); // smallest single denormal = 2^-149
    expect(resultBits()).toBe(BigInt(1023 - 149) << 52n);
    singleToDouble(env, 0x7f800001);
    expect(resultBits()).toBe(0x7ff8000020000000n);
    expect(env.flags).toBe(IOC);
    env.load(0);
    // 1 + 2^-24 + 2^-52 narrows above the tie: rounds up in RN.
    expect(doubleToSingle(env, 0x3ff00000, 0x10000001) >>> 0).toBe(0x3f800001);
    expect(env.flags).toBe(IXC);
    env.load(0);
    expect(doubleToSingle(env, 0x36a00000, 0) >>> 0).toBe(0x00000001); // 2^-149 exact denormal
    expect(env.flags).toBe(0);
    env.load(FZ);
    expect(doubleToSingle(env, 0x36a00000, 0) >>> 0).toBe(0);
    expect(env.flags).toBe(UFC);
  });
  it('double -> int: round to zero or FPSCR mode, saturation with IOC, NaN -> 0', () => {
    env.load(0);
    expect(doubleToFixed(env, 0xc0040000 | 0, 0, 0, 32, false, 3)).toBe(-2); // -2.5 RZ
    expect(env.flags).toBe(IXC);
    env.load(0);
    expect(doubleToFixed(env, 0xc0040000 | 0, 0, 0, 32, false, 0)).toBe(-2); // -2.5 RN ties to even
    expect(doubleToFixed(env, 0xc00c0000 | 0, 0, 0, 32, false, 0)).toBe(-4); // -3.5 RN
    env.load(0);
    expect(doubleToFixed(env, 0x41f00000, 0, 0, 32, false, 3)).toBe(0x7fffffff); // 2^32
    expect(env.flags).toBe(IOC);
    env.load(0);
    expect(doubleToFixed(env, 0x41f00000, 0, 0, 32, true, 3) >>> 0).toBe(0xffffffff);
    expect(doubleToFixed(env, 0xbff00000 | 0, 0, 0, 32, true, 3)).toBe(0); // -1 -> unsigned saturates at 0
    expect(env.flags).toBe(IOC);
    env.load(0);
    expect(doubleToFixed(env, 0x7ff80000, 0, 0, 32, false, 3)).toBe(0);
    expect(env.flags).toBe(IOC);
    env.load(0);
    expect(doubleToFixed(env, 0x3ff80000, 0, 16, 32, false, 3)).toBe(0x18000); // 1.5 in Q16
  });
  it('int/fixed -> double is exact', () => {
    env.load(0);
    fixedToDouble(env, -1, 0, 32, false);
    expect(resultBits()).toBe(0xbff0000000000000n);
    fixedToDouble(env, -1, 0, 32, true);
    expect(resultBits()).toBe(0x41efffffffe00000n);
    fixedToDouble(env, 0x8000, 16, 16, false); // -32768 / 2^16 = -0.5
    expect(resultBits()).toBe(0xbfe0000000000000n);
    expect(env.flags).toBe(0);
  });
});
