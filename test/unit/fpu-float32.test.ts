/**
 * The bit-exact single-precision library (cpu/fpu/). Expected values are worked out by hand from
 * IEEE 754 and the ARM ARM pseudocode (FPRound, FPProcessNaNs, FPMulAdd, FPToFixed...), and, for
 * random operands in round-to-nearest, from the host: a double result rounded once to single is
 * correctly rounded for +, -, *, / and sqrt (53 >= 2*24 + 2), so Math.fround is an independent
 * oracle there.
 */
import { describe, expect, it } from 'vitest';
import { FpEnv } from '../../src/emulator/cpu/fpu/env.js';
import { fpAddSub, fpCompare, fpDiv, fpMul, fpMulAdd, fpSqrt } from '../../src/emulator/cpu/fpu/arith.js';
import { fixedToFp, fpToFixed, halfToSingle, singleToHalf } from '../../src/emulator/cpu/fpu/convert.js';
import { RoundingMode } from '../../src/emulator/cpu/fpu/fpscr.js';

const RN = 0x00000000;
const RP = 0x00400000;
const RM = 0x00800000;
const RZ = 0x00c00000;
const FZ = 0x01000000;
const DN = 0x02000000;
const AHP = 0x04000000;
const IOC = 0x01;
const DZC = 0x02;
const OFC = 0x04;
const UFC = 0x08;
const IXC = 0x10;
const IDC = 0x80;

const env = new FpEnv();
/** Run `op` under an FPSCR value; returns [result bits (unsigned), flags]. */
function under(fpscr: number, op: (e: FpEnv) => number): [number, number] {
  env.load(fpscr);
  const r = op(env);
  return [r >>> 0, env.flags];
}
const f32 = new Float32Array(1);
const u32v = new Uint32Array(f32.buffer);
const toFloat = (bits: number): number => {
  u32v[0] = bits >>> 0;
  return f32[0]!;
};
const toBits = (x: number): number => {
  f32[0] = x;
  return u32v[0]!;
};

describe('FPRound: rounding modes, overflow, underflow', () => {
  it('max + max overflows to Inf (RN, RP) or the largest normal (RZ, RM) with OFC|IXC', () => {
    const add = (e: FpEnv): number => fpAddSub(e, 0x7f7fffff, 0x7f7fffff, false);
    expect(under(RN, add)).toEqual([0x7f800000, OFC | IXC]);
    expect(under(RP, add)).toEqual([0x7f800000, OFC | IXC]);
    expect(under(RZ, add)).toEqual([0x7f7fffff, OFC | IXC]);
    expect(under(RM, add)).toEqual([0x7f7fffff, OFC | IXC]);
    // Negative: RM goes to -Inf, RP stays at -max.
    const nadd = (e: FpEnv): number => fpAddSub(e, 0xff7fffff, 0xff7fffff, false);
    expect(under(RM, nadd)).toEqual([0xff800000, OFC | IXC]);
    expect(under(RP, nadd)).toEqual([0xff7fffff, OFC | IXC]);
  });

  it('1 + 2^-24 is a tie: RN to even (1.0), RP up one ulp, RZ/RM truncate', () => {
    const add = (e: FpEnv): number => fpAddSub(e, 0x3f800000, 0x33800000, false);
    expect(under(RN, add)).toEqual([0x3f800000, IXC]);
    expect(under(RP, add)).toEqual([0x3f800001, IXC]);
    expect(under(RZ, add)).toEqual([0x3f800000, IXC]);
    expect(under(RM, add)).toEqual([0x3f800000, IXC]);
    // (1 + 2^-23) + 2^-24: tie with an odd lsb rounds up to even.
    expect(under(RN, (e) => fpAddSub(e, 0x3f800001, 0x33800000, false))).toEqual([0x3f800002, IXC]);
  });

  it('min denormal * 0.5 underflows: tie to even gives +0 with UFC|IXC; RP gives the denormal', () => {
    const mul = (e: FpEnv): number => fpMul(e, 0x00000001, 0x3f000000);
    expect(under(RN, mul)).toEqual([0x00000000, UFC | IXC]);
    expect(under(RP, mul)).toEqual([0x00000001, UFC | IXC]);
    // An exact denormal result raises nothing (underflow needs inexactness when untrapped).
    expect(under(RN, (e) => fpMul(e, 0x00800000, 0x3f000000))).toEqual([0x00400000, 0]);
  });

  it('x - x is +0, or -0 when rounding towards minus infinity', () => {
    expect(under(RN, (e) => fpAddSub(e, 0x40490fdb, 0x40490fdb, true))).toEqual([0, 0]);
    expect(under(RM, (e) => fpAddSub(e, 0x40490fdb, 0x40490fdb, true))).toEqual([0x80000000, 0]);
    expect(under(RN, (e) => fpAddSub(e, 0x80000000, 0x80000000, false))).toEqual([0x80000000, 0]);
  });
});

describe('FZ and DN', () => {
  it('FZ flushes denormal inputs (IDC) and tiny results (UFC, no IXC)', () => {
    expect(under(FZ, (e) => fpAddSub(e, 0x007fffff, 0x00000000, false))).toEqual([0, IDC]);
    expect(under(FZ, (e) => fpMul(e, 0x00800000, 0x3f000000))).toEqual([0, UFC]);
    expect(under(FZ, (e) => fpMul(e, 0x80800000, 0x3f000000))).toEqual([0x80000000, UFC]);
    // Without FZ the same product is an exact denormal.
    expect(under(RN, (e) => fpMul(e, 0x80800000, 0x3f000000))).toEqual([0x80400000, 0]);
  });

  it('NaN propagation: first signalling NaN quietened (IOC), else the first quiet NaN; DN gives 0x7fc00000', () => {
    expect(under(RN, (e) => fpAddSub(e, 0xffc12345, 0x7f800001, false))).toEqual([0x7fc00001, IOC]);
    expect(under(RN, (e) => fpAddSub(e, 0xffc12345, 0x7fc00002, false))).toEqual([0xffc12345, 0]);
    expect(under(RN, (e) => fpAddSub(e, 0x3f800000, 0xffa00042, true))).toEqual([0xffe00042, IOC]);
    expect(under(DN, (e) => fpMul(e, 0x3f800000, 0xffa00042))).toEqual([0x7fc00000, IOC]);
    expect(under(DN, (e) => fpMul(e, 0x3f800000, 0xffc00042))).toEqual([0x7fc00000, 0]);
  });

  it('invalid operations and division by zero', () => {
    expect(under(RN, (e) => fpAddSub(e, 0x7f800000, 0xff800000, false))).toEqual([0x7fc00000, IOC]);
    expect(under(RN, (e) => fpMul(e, 0x7f800000, 0x80000000))).toEqual([0x7fc00000, IOC]);
    expect(under(RN, (e) => fpDiv(e, 0x00000000, 0x80000000))).toEqual([0x7fc00000, IOC]);
    expect(under(RN, (e) => fpDiv(e, 0xbf800000, 0x00000000))).toEqual([0xff800000, DZC]);
    expect(under(RN, (e) => fpSqrt(e, 0xbf800000))).toEqual([0x7fc00000, IOC]);
    expect(under(RN, (e) => fpSqrt(e, 0x80000000))).toEqual([0x80000000, 0]);
  });
});

describe('fused multiply-add', () => {
  it('one rounding: (1+2^-23)^2 - round((1+2^-23)^2) is exactly 2^-46', () => {
    // (1 + 2^-23)^2 = 1 + 2^-22 + 2^-46 rounds to 1 + 2^-22 (0x3f800002).
    expect(under(RN, (e) => fpMulAdd(e, 0xbf800002, 0x3f800001, 0x3f800001))).toEqual([0x28800000, 0]);
    // Unfused the residual is lost: the product rounds first.
    const p = under(RN, (e) => fpMul(e, 0x3f800001, 0x3f800001))[0];
    expect(p).toBe(0x3f800002);
    expect(under(RN, (e) => fpAddSub(e, 0xbf800002, p, false))).toEqual([0, 0]);
  });

  it('Inf * 0 + qNaN is the default NaN with IOC; NaN priority is addend, op1, op2', () => {
    expect(under(RN, (e) => fpMulAdd(e, 0x7fc00123, 0x7f800000, 0x00000000))).toEqual([0x7fc00000, IOC]);
    expect(under(RN, (e) => fpMulAdd(e, 0x7fc00123, 0x7f800001, 0x3f800000))).toEqual([0x7fc00001, IOC]);
    expect(under(RN, (e) => fpMulAdd(e, 0x7fc00123, 0x7fc00456, 0x3f800000))).toEqual([0x7fc00123, 0]);
    expect(under(RN, (e) => fpMulAdd(e, 0x3f800000, 0xffc00456, 0x7fc00789))).toEqual([0xffc00456, 0]);
  });
});

describe('compare', () => {
  it('NZCV for less, equal (+0 == -0), greater, unordered; VCMPE signals on quiet NaNs', () => {
    expect(under(RN, (e) => fpCompare(e, 0xbf800000, 0x3f800000, false))).toEqual([0x8, 0]);
    expect(under(RN, (e) => fpCompare(e, 0x80000000, 0x00000000, false))).toEqual([0x6, 0]);
    expect(under(RN, (e) => fpCompare(e, 0x7f800000, 0x7f7fffff, false))).toEqual([0x2, 0]);
    expect(under(RN, (e) => fpCompare(e, 0x7fc00000, 0x3f800000, false))).toEqual([0x3, 0]);
    expect(under(RN, (e) => fpCompare(e, 0x7fc00000, 0x3f800000, true))).toEqual([0x3, IOC]);
    expect(under(RN, (e) => fpCompare(e, 0x7f800001, 0x3f800000, false))).toEqual([0x3, IOC]);
    expect(under(FZ, (e) => fpCompare(e, 0x00000001, 0x80000000, false))).toEqual([0x6, IDC]);
  });
});

describe('conversions', () => {
  it('float -> s32/u32 saturates with IOC only; NaN -> 0; rounding by mode', () => {
    const s32 = (bits: number, mode: RoundingMode) => (e: FpEnv) => fpToFixed(e, bits, 0, 32, false, mode);
    const u32c = (bits: number, mode: RoundingMode) => (e: FpEnv) => fpToFixed(e, bits, 0, 32, true, mode);
    expect(under(RN, s32(0x4f000000, RoundingMode.ZERO))).toEqual([0x7fffffff, IOC]);
    expect(under(RN, s32(0xcf000000, RoundingMode.ZERO))).toEqual([0x80000000, 0]);
    expect(under(RN, s32(0xcf000001, RoundingMode.ZERO))).toEqual([0x80000000, IOC]);
    expect(under(RN, s32(0x7fc00000, RoundingMode.ZERO))).toEqual([0, IOC]);
    expect(under(RN, s32(0xc0200000, RoundingMode.NEAREST))).toEqual([0xfffffffe, IXC]); // -2.5 -> -2
    expect(under(RN, s32(0xc0200000, RoundingMode.MINUS_INF))).toEqual([0xfffffffd, IXC]);
    expect(under(RN, u32c(0xbf000000, RoundingMode.ZERO))).toEqual([0, IXC]); // -0.5 -> 0
    expect(under(RN, u32c(0xbf000000, RoundingMode.MINUS_INF))).toEqual([0, IOC]); // -> -1: invalid
    expect(under(RN, u32c(0x4f7fffff, RoundingMode.ZERO))).toEqual([0xffffff00, 0]);
  });

  it('fixed point: 16-bit results are sign- or zero-extended, saturating at 16 bits', () => {
    expect(under(RN, (e) => fpToFixed(e, 0xc0200000, 4, 16, false, RoundingMode.ZERO))).toEqual([0xffffffd8, 0]);
    expect(under(RN, (e) => fpToFixed(e, 0x47000000, 0, 16, false, RoundingMode.ZERO))).toEqual([0x7fff, IOC]);
    expect(under(RN, (e) => fixedToFp(e, 0x0001ffd8, 4, 16, false, RoundingMode.NEAREST))).toEqual([0xc0200000, 0]);
    expect(under(RN, (e) => fixedToFp(e, 0xffffffff, 0, 32, true, RoundingMode.NEAREST))).toEqual([0x4f800000, IXC]);
    expect(under(RN, (e) => fixedToFp(e, 0xffffffff, 0, 32, true, RoundingMode.ZERO))).toEqual([0x4f7fffff, IXC]);
  });

  it('half precision: overflow, AHP saturation, NaNs, denormals', () => {
    expect(under(RN, (e) => singleToHalf(e, 0x477ff000))).toEqual([0x7c00, OFC | IXC]); // 65520
    // RZ truncates 65520 to 65504: the rounded value fits, so only IXC.
    expect(under(RZ, (e) => singleToHalf(e, 0x477ff000))).toEqual([0x7bff, IXC]);
    expect(under(RZ, (e) => singleToHalf(e, 0x47800000))).toEqual([0x7bff, OFC | IXC]);
    expect(under(AHP, (e) => singleToHalf(e, 0x477ff000))).toEqual([0x7c00, IXC]); // a normal in AHP
    expect(under(AHP, (e) => singleToHalf(e, 0x48000000))).toEqual([0x7fff, IOC]); // 131072
    expect(under(AHP, (e) => singleToHalf(e, 0xff800000))).toEqual([0xffff, IOC]);
    expect(under(AHP, (e) => singleToHalf(e, 0xffc00000))).toEqual([0x8000, IOC]);
    expect(under(RN, (e) => singleToHalf(e, 0xff812345))).toEqual([0xfe09, IOC]);
    expect(under(RN, (e) => singleToHalf(e, 0x33000000))).toEqual([0x0000, UFC | IXC]); // 2^-25: tie to 0
    expect(under(RN, (e) => halfToSingle(e, 0x7c01))).toEqual([0x7fc02000, IOC]);
    expect(under(AHP, (e) => halfToSingle(e, 0x7fff))).toEqual([0x47ffe000, 0]);
    expect(under(FZ, (e) => halfToSingle(e, 0x0001))).toEqual([0x33800000, 0]); // not flushed
  });
});

describe('random operands in round-to-nearest agree with a once-rounded double', () => {
  // A small deterministic generator: finite operands of every magnitude.
  let seed = 0x12345678;
  const next = (): number => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return seed >>> 0;
  };
  const finite = (): number => {
    for (;;) {
      const v = next();
      if (((v >>> 23) & 0xff) !== 0xff) return v;
    }
  };
  it('add, sub, mul, div, sqrt on 20000 random pairs', () => {
    for (let i = 0; i < 20000; i++) {
      const a = finite();
      // Nearby exponents half the time, so cancellation and ties get exercised.
      const b = i % 2 === 0 ? finite() : (a ^ (next() & 0x807fffff)) >>> 0;
      const x = toFloat(a);
      const y = toFloat(b);
      const check = (got: number, want: number, what: string): void => {
        if (Number.isNaN(want)) expect(got >>> 0, what).toBe(0x7fc00000);
        else expect((got >>> 0).toString(16), what).toBe(toBits(Math.fround(want)).toString(16));
      };
      env.load(RN);
      check(fpAddSub(env, a, b, false), x + y, `add ${a.toString(16)} ${b.toString(16)}`);
      check(fpAddSub(env, a, b, true), x - y, `sub ${a.toString(16)} ${b.toString(16)}`);
      check(fpMul(env, a, b), x * y, `mul ${a.toString(16)} ${b.toString(16)}`);
      check(fpDiv(env, a, b), x / y, `div ${a.toString(16)} ${b.toString(16)}`);
      check(fpSqrt(env, a), Math.sqrt(x), `sqrt ${a.toString(16)}`);
    }
  });
});
