/**
 * Advanced SIMD "two registers, miscellaneous" (A7.4.5), VEXT, VTBL/VTBX and VDUP (scalar):
 * reversals, pairwise long adds, bit counts, saturating abs/neg, compares with zero, float
 * abs/neg, permutations (VSWP/VTRN/VUZP/VZIP), narrowing moves, VSHLL by the element size,
 * VCVT f16<->f32 and f32<->integer (standard FPSCR value), and VRECPE/VRSQRTE with the ARM
 * ARM's estimate tables computed exactly in integers.
 */
import type { Cpu } from './cpu.js';
import type { Handler } from './t16.js';
import { fpCompare, NZCV_EQUAL, NZCV_GREATER, NZCV_LESS } from './fpu/arith.js';
import { fixedToFp, fpToFixed, halfToSingle, singleToHalf } from './fpu/convert.js';
import { DEFAULT_NAN, FpClass, Unpacked, processNaN, unpack } from './fpu/env.js';
import { FPSCR_DZC, FPSCR_IOC, FPSCR_UFC, RoundingMode } from './fpu/fpscr.js';
import { type NeonInsn, VD, VM, VN, VT, dIndex, evenForQ, get64, laneCount, readRegs, saturate, set64, writeRegs } from './neon-vectors.js';
import { standardEnv } from './neon-3same.js';

/** Common prologue: registers, Q evenness, allowed sizes (bit mask), FP check. */
function prologue(c: Cpu, d: number, m: number, q: number, size: number, sizes: number): boolean {
  if (((sizes >>> size) & 1) === 0) {
    c.undefined();
    return false;
  }
  if (!evenForQ(c, q, d | m)) return false;
  return c.fpCheck();
}

type UnaryLane = (c: Cpu, x: number, size: number) => number;

/** Element-wise unary operation on signed (or unsigned) lanes. */
function unary(op: UnaryLane, sizes: number, uns: boolean): Handler {
  return (c, a) => {
    const d = dIndex(a.vd, a.d);
    const m = dIndex(a.vm, a.m);
    if (!prologue(c, d, m, a.q, a.size, sizes)) return;
    const words = 2 << a.q;
    readRegs(c, m, words, VM);
    const lanes = laneCount(a.q, a.size);
    for (let i = 0; i < lanes; i++) VD.set(a.size, i, op(c, VM.get(a.size, i, uns), a.size));
    writeRegs(c, d, words, VD);
  };
}

const cls: UnaryLane = (_c, x, size) => {
  const bits = 8 << size;
  const v = x < 0 ? ~x : x;
  return Math.clz32(v) - (32 - bits) - 1;
};
const clz: UnaryLane = (_c, x, size) => Math.clz32(x) - (32 - (8 << size));
const cnt: UnaryLane = (_c, x) => {
  let n = 0;
  for (let v = x; v !== 0; v &= v - 1) n++;
  return n;
};
const mvn: UnaryLane = (_c, x) => ~x;
const qabs: UnaryLane = (c, x, size) => saturate(c, Math.abs(x), size, false);
const qneg: UnaryLane = (c, x, size) => saturate(c, -x, size, false);
const iabs: UnaryLane = (_c, x) => Math.abs(x);
const ineg: UnaryLane = (_c, x) => -x;
const cgt0: UnaryLane = (_c, x) => (x > 0 ? -1 : 0);
const cge0: UnaryLane = (_c, x) => (x >= 0 ? -1 : 0);
const ceq0: UnaryLane = (_c, x) => (x === 0 ? -1 : 0);
const cle0: UnaryLane = (_c, x) => (x <= 0 ? -1 : 0);
const clt0: UnaryLane = (_c, x) => (x < 0 ? -1 : 0);

/** Float compares with zero: GT/GE/LE/LT signal on any NaN, EQ only on signalling ones. */
function floatCompareZero(pass: (nzcv: number) => boolean, signal: boolean): Handler {
  return (c, a) => {
    const d = dIndex(a.vd, a.d);
    const m = dIndex(a.vm, a.m);
    if (!prologue(c, d, m, a.q, a.size, 0b0100)) return;
    const words = 2 << a.q;
    readRegs(c, m, words, VM);
    const e = standardEnv(c);
    for (let i = 0; i < words; i++) VD.i32[i] = pass(fpCompare(e, VM.i32[i]!, 0, signal)) ? -1 : 0;
    c.state.fpscr |= e.flags;
    writeRegs(c, d, words, VD);
  };
}
const fcgt0 = floatCompareZero((r) => r === NZCV_GREATER, true);
const fcge0 = floatCompareZero((r) => r === NZCV_GREATER || r === NZCV_EQUAL, true);
const fceq0 = floatCompareZero((r) => r === NZCV_EQUAL, false);
const fcle0 = floatCompareZero((r) => r === NZCV_LESS || r === NZCV_EQUAL, true);
const fclt0 = floatCompareZero((r) => r === NZCV_LESS, true);
const fabs = unary((_c, x) => x & 0x7fffffff, 0b0100, false);
const fneg = unary((_c, x) => x ^ 0x80000000, 0b0100, false);

/** VREV16/32/64: reverse `size` elements inside groups of 2^(region) bytes. */
function rev(regionBytes: number): Handler {
  return (c, a) => {
    const d = dIndex(a.vd, a.d);
    const m = dIndex(a.vm, a.m);
    const esize = 1 << a.size;
    if (esize >= regionBytes) return c.undefined();
    if (!prologue(c, d, m, a.q, a.size, 0b0111)) return;
    const words = 2 << a.q;
    readRegs(c, m, words, VM);
    const bytes = words * 4;
    for (let g = 0; g < bytes; g += regionBytes) {
      for (let e = 0; e < regionBytes; e += esize) {
        const to = g + regionBytes - esize - e;
        for (let b = 0; b < esize; b++) VD.u8[to + b] = VM.u8[g + e + b]!;
      }
    }
    writeRegs(c, d, words, VD);
  };
}

/** VPADDL/VPADAL: pairs of lanes added into lanes of twice the size (signedness from op). */
function pairLong(accumulate: boolean): Handler {
  return (c, a) => {
    const d = dIndex(a.vd, a.d);
    const m = dIndex(a.vm, a.m);
    if (!prologue(c, d, m, a.q, a.size, 0b0111)) return;
    const words = 2 << a.q;
    readRegs(c, m, words, VM);
    readRegs(c, d, words, VD);
    const uns = a.op === 1;
    const size = a.size;
    const out = laneCount(a.q, size + 1);
    for (let i = 0; i < out; i++) {
      if (size === 2) {
        let v = BigInt(VM.get(2, 2 * i, uns)) + BigInt(VM.get(2, 2 * i + 1, uns));
        if (accumulate) v += get64(VD, i, uns);
        set64(VD, i, v);
      } else {
        let v = VM.get(size, 2 * i, uns) + VM.get(size, 2 * i + 1, uns);
        if (accumulate) v += VD.get(size + 1, i, uns);
        VD.set(size + 1, i, v);
      }
    }
    writeRegs(c, d, words, VD);
  };
}

// ---- permutations -------------------------------------------------------------------------------

const vswp: Handler = (c, a) => {
  const d = dIndex(a.vd, a.d);
  const m = dIndex(a.vm, a.m);
  if (!prologue(c, d, m, a.q, a.size, 0b0001)) return;
  const words = 2 << a.q;
  readRegs(c, m, words, VM);
  readRegs(c, d, words, VD);
  writeRegs(c, m, words, VD);
  writeRegs(c, d, words, VM);
};

/**
 * VTRN/VUZP/VZIP: both results built from the lanes of Vd (first) and Vm (second), written Vm
 * first, then Vd, as QEMU does (which decides the UNPREDICTABLE Vd = Vm case). VTRN.32 goes
 * pass by pass like QEMU's, for the same reason.
 */
function permute(kind: 'trn' | 'uzp' | 'zip'): Handler {
  return (c, a) => {
    const d = dIndex(a.vd, a.d);
    const m = dIndex(a.vm, a.m);
    const size = a.size;
    // D-register VUZP/VZIP.32 are UNDEFINED (they would be VTRN.32).
    const sizes = kind !== 'trn' && a.q === 0 ? 0b0011 : 0b0111;
    if (!prologue(c, d, m, a.q, size, sizes)) return;
    const words = 2 << a.q;
    if (kind === 'trn' && size === 2) {
      const s = c.state.s;
      for (let pass = 0; pass < words; pass += 2) {
        const x = s[2 * m + pass]!;
        const y = s[2 * d + pass + 1]!;
        s[2 * m + pass] = y;
        s[2 * d + pass + 1] = x;
      }
      return;
    }
    readRegs(c, d, words, VD);
    readRegs(c, m, words, VM);
    const n = laneCount(a.q, size);
    for (let i = 0; i < n; i++) {
      // Concatenation x = Vd lanes then Vm lanes (2n lanes).
      let outD: number;
      let outM: number;
      if (kind === 'trn') {
        outD = (i & 1) === 0 ? VD.get(size, i, true) : VM.get(size, i - 1, true);
        outM = (i & 1) === 0 ? VD.get(size, i + 1, true) : VM.get(size, i, true);
      } else if (kind === 'uzp') {
        outD = lane2(2 * i, n, size);
        outM = lane2(2 * i + 1, n, size);
      } else {
        outD = (i & 1) === 0 ? VD.get(size, i >> 1, true) : VM.get(size, i >> 1, true);
        const j = (n >> 1) + (i >> 1);
        outM = (i & 1) === 0 ? VD.get(size, j, true) : VM.get(size, j, true);
      }
      VN.set(size, i, outD);
      VT.set(size, i, outM);
    }
    writeRegs(c, m, words, VT);
    writeRegs(c, d, words, VN);
  };
}
/** Lane k of the concatenation Vd:Vm (n lanes each). */
function lane2(k: number, n: number, size: number): number {
  return k < n ? VD.get(size, k, true) : VM.get(size, k - n, true);
}

// ---- narrowing and widening ---------------------------------------------------------------------

/** VMOVN (op 0), VQMOVUN (1: signed -> unsigned), VQMOVN.S (2), VQMOVN.U (3): Qm -> Dd. */
const vmovn: Handler = (c, a) => {
  const m = dIndex(a.vm, a.m);
  if (a.size === 3 || (m & 1) !== 0) return c.undefined();
  if (!c.fpCheck()) return;
  readRegs(c, m, 4, VM);
  const size = a.size;
  const srcUns = a.op === 3;
  const lanes = 8 >> size;
  for (let i = 0; i < lanes; i++) {
    let v: number;
    if (size === 2) {
      const x = get64(VM, i, srcUns);
      if (a.op === 0) v = Number(BigInt.asIntN(32, x));
      else {
        const uns = a.op !== 2;
        const maxV = uns ? 0xffffffffn : 0x7fffffffn;
        const minV = uns ? 0n : -0x80000000n;
        if (x > maxV || x < minV) c.state.fpscr |= 1 << 27;
        v = Number(BigInt.asIntN(32, x > maxV ? maxV : x < minV ? minV : x));
      }
    } else {
      const x = VM.get(size + 1, i, srcUns);
      v = a.op === 0 ? x : saturate(c, x, size, a.op !== 2);
    }
    VD.set(size, i, v);
  }
  writeRegs(c, dIndex(a.vd, a.d), 2, VD);
};

/** VSHLL by the element size (Dm -> Qd). */
const vshllMax: Handler = (c, a) => {
  const d = dIndex(a.vd, a.d);
  if (a.size === 3 || (d & 1) !== 0) return c.undefined();
  if (!c.fpCheck()) return;
  readRegs(c, dIndex(a.vm, a.m), 2, VM);
  const size = a.size;
  const lanes = 8 >> size;
  for (let i = 0; i < lanes; i++) {
    if (size === 2) set64(VD, i, BigInt(VM.get(2, i, true)) << 32n);
    else VD.set(size + 1, i, VM.get(size, i, true) * 2 ** (8 << size));
  }
  writeRegs(c, d, 4, VD);
};

/** VCVT.F16.F32 Dd, Qm (op 0) / VCVT.F32.F16 Qd, Dm (op 1), standard FPSCR with FPSCR.AHP. */
const vcvtHalf: Handler = (c, a) => {
  const d = dIndex(a.vd, a.d);
  const m = dIndex(a.vm, a.m);
  if (a.size !== 1 || (a.op === 0 ? m & 1 : d & 1) !== 0) return c.undefined();
  if (!c.fpCheck()) return;
  const e = standardEnv(c);
  if (a.op === 0) {
    readRegs(c, m, 4, VM);
    for (let i = 0; i < 4; i++) VD.u16[i] = singleToHalf(e, VM.i32[i]!);
    writeRegs(c, d, 2, VD);
  } else {
    readRegs(c, m, 2, VM);
    for (let i = 0; i < 4; i++) VD.i32[i] = halfToSingle(e, VM.u16[i]!);
    writeRegs(c, d, 4, VD);
  }
  c.state.fpscr |= e.flags;
};

/** VCVT between single and 32-bit integers: op 0 F32.S32, 1 F32.U32, 2 S32.F32, 3 U32.F32 (towards zero). */
const vcvtInt: Handler = (c, a) => {
  const d = dIndex(a.vd, a.d);
  const m = dIndex(a.vm, a.m);
  if (!prologue(c, d, m, a.q, a.size, 0b0100)) return;
  const words = 2 << a.q;
  readRegs(c, m, words, VM);
  const e = standardEnv(c);
  const uns = (a.op & 1) === 1;
  for (let i = 0; i < words; i++) {
    VD.i32[i] =
      a.op < 2
        ? fixedToFp(e, VM.i32[i]!, 0, 32, uns, RoundingMode.NEAREST)
        : fpToFixed(e, VM.i32[i]!, 0, 32, uns, RoundingMode.ZERO);
  }
  c.state.fpscr |= e.flags;
  writeRegs(c, d, words, VD);
};

// ---- reciprocal estimates -----------------------------------------------------------------------

/** recip_estimate on the 9-bit q in [256, 512): s/256 with s in [256, 511]. */
function recipEstimate(q: number): number {
  const b = Math.floor(524288 / (2 * q + 1));
  return (b + 1) >> 1;
}
/** recip_sqrt_estimate: the largest s with (2s - 1)^2 * k <= limit (k = 2q + 1). */
function rsqrtEstimate(k: number, limit: number): number {
  let s = Math.floor(Math.sqrt(limit / k) / 2 + 0.5) + 1;
  while ((2 * s - 1) * (2 * s - 1) * k > limit) s--;
  return s;
}

const u = new Unpacked();

function recipFloat(c: Cpu, x: number): number {
  const e = standardEnv(c);
  const v = unpack(e, x, u);
  let r: number;
  const sign = x & 0x80000000;
  if (v.cls >= FpClass.QNAN) r = processNaN(e, x, v.cls);
  else if (v.cls === FpClass.INF) r = sign;
  else if (v.cls === FpClass.ZERO) {
    e.flags |= FPSCR_DZC;
    r = sign | 0x7f800000;
  } else {
    const exp = (x >>> 23) & 0xff;
    if (exp >= 253) {
      e.flags |= FPSCR_UFC;
      r = sign;
    } else {
      const s = recipEstimate(256 + ((x >>> 15) & 0xff));
      r = sign | ((253 - exp) << 23) | ((s & 0xff) << 15);
    }
  }
  c.state.fpscr |= e.flags;
  return r | 0;
}

function rsqrtFloat(c: Cpu, x: number): number {
  const e = standardEnv(c);
  const v = unpack(e, x, u);
  let r: number;
  if (v.cls >= FpClass.QNAN) r = processNaN(e, x, v.cls);
  else if (v.cls === FpClass.ZERO) {
    e.flags |= FPSCR_DZC;
    r = (x & 0x80000000) | 0x7f800000;
  } else if (v.sign !== 0) {
    e.flags |= FPSCR_IOC;
    r = DEFAULT_NAN;
  } else if (v.cls === FpClass.INF) r = 0;
  else {
    const exp = (x >>> 23) & 0xff;
    const top = (x >>> 16) & 0x7f;
    const s = (exp & 1) === 0 ? rsqrtEstimate(2 * (128 + top) + 1, 2 ** 27) : rsqrtEstimate(2 * (128 + top) + 1, 2 ** 28);
    r = (Math.floor((380 - exp) / 2) << 23) | ((s & 0xff) << 15);
  }
  c.state.fpscr |= e.flags;
  return r | 0;
}

function recipUnsigned(x: number): number {
  if (x >>> 31 === 0) return -1;
  return (recipEstimate(x >>> 23) << 23) | 0;
}
function rsqrtUnsigned(x: number): number {
  if (x >>> 30 === 0) return -1;
  const s = x >>> 31 === 1 ? rsqrtEstimate(2 * (x >>> 24) + 1, 2 ** 27) : rsqrtEstimate(2 * (x >>> 23) + 1, 2 ** 28);
  return (s << 23) | 0;
}

/** VRECPE/VRSQRTE, .U32 (f = 0) or .F32 (f = 1). */
function estimate(sqrt: boolean): Handler {
  return (c, a) => {
    const d = dIndex(a.vd, a.d);
    const m = dIndex(a.vm, a.m);
    if (!prologue(c, d, m, a.q, a.size, 0b0100)) return;
    const words = 2 << a.q;
    readRegs(c, m, words, VM);
    for (let i = 0; i < words; i++) {
      const x = VM.i32[i]!;
      VD.i32[i] = a.f === 1 ? (sqrt ? rsqrtFloat(c, x) : recipFloat(c, x)) : sqrt ? rsqrtUnsigned(x) : recipUnsigned(x);
    }
    writeRegs(c, d, words, VD);
  };
}

// ---- VEXT, VTBL/VTBX, VDUP (scalar) ---------------------------------------------------------------

const vext: Handler = (c, a) => {
  const d = dIndex(a.vd, a.d);
  const n = dIndex(a.vn, a.n);
  const m = dIndex(a.vm, a.m);
  if (a.q === 0 && a.imm4 >= 8) return c.undefined();
  if (!evenForQ(c, a.q, d | n | m)) return;
  if (!c.fpCheck()) return;
  const words = 2 << a.q;
  const bytes = words * 4;
  readRegs(c, n, words, VN);
  readRegs(c, m, words, VM);
  for (let i = 0; i < bytes; i++) {
    const k = a.imm4 + i;
    VD.u8[i] = k < bytes ? VN.u8[k]! : VM.u8[k - bytes]!;
  }
  writeRegs(c, d, words, VD);
};

const vtbl: Handler = (c, a) => {
  const n = dIndex(a.vn, a.n);
  const len = a.len + 1;
  if (n + len > 32) return c.undefined();
  if (!c.fpCheck()) return;
  const d = dIndex(a.vd, a.d);
  readRegs(c, n, 2 * len, VT);
  readRegs(c, dIndex(a.vm, a.m), 2, VM);
  readRegs(c, d, 2, VD);
  for (let i = 0; i < 8; i++) {
    const idx = VM.u8[i]!;
    if (idx < 8 * len) VD.u8[i] = VT.u8[idx]!;
    else if (a.op === 0) VD.u8[i] = 0;
  }
  writeRegs(c, d, 2, VD);
};

const vdupScalar: Handler = (c, a) => {
  const d = dIndex(a.vd, a.d);
  const imm4 = a.imm4;
  let size: number;
  if ((imm4 & 1) !== 0) size = 0;
  else if ((imm4 & 2) !== 0) size = 1;
  else if ((imm4 & 4) !== 0) size = 2;
  else return c.undefined();
  if (!evenForQ(c, a.q, d)) return;
  if (!c.fpCheck()) return;
  readRegs(c, dIndex(a.vm, a.m), 2, VM);
  const v = VM.get(size, imm4 >>> (size + 1), true);
  const words = 2 << a.q;
  const lanes = laneCount(a.q, size);
  for (let i = 0; i < lanes; i++) VD.set(size, i, v);
  writeRegs(c, d, words, VD);
};

const M2 = (aBits: string, b: string): string => `1 d:1 11 size:2 ${aBits} vd:4 0 ${b} m:1 0 vm:4`;

export const NEON_MISC: readonly NeonInsn[] = [
  { name: 'VREV64', u: '1', low24: M2('00', '0000 q:1'), exec: rev(8) },
  { name: 'VREV32', u: '1', low24: M2('00', '0001 q:1'), exec: rev(4) },
  { name: 'VREV16', u: '1', low24: M2('00', '0010 q:1'), exec: rev(2) },
  { name: 'VPADDL', u: '1', low24: M2('00', '010 op:1 q:1'), exec: pairLong(false) },
  { name: 'VCLS', u: '1', low24: M2('00', '1000 q:1'), exec: unary(cls, 0b0111, false) },
  { name: 'VCLZ', u: '1', low24: M2('00', '1001 q:1'), exec: unary(clz, 0b0111, true) },
  { name: 'VCNT', u: '1', low24: M2('00', '1010 q:1'), exec: unary(cnt, 0b0001, true) },
  { name: 'VMVN', u: '1', low24: M2('00', '1011 q:1'), exec: unary(mvn, 0b0001, true) },
  { name: 'VPADAL', u: '1', low24: M2('00', '110 op:1 q:1'), exec: pairLong(true) },
  { name: 'VQABS', u: '1', low24: M2('00', '1110 q:1'), exec: unary(qabs, 0b0111, false) },
  { name: 'VQNEG', u: '1', low24: M2('00', '1111 q:1'), exec: unary(qneg, 0b0111, false) },
  { name: 'VCGT_zero', u: '1', low24: M2('01', '0000 q:1'), exec: unary(cgt0, 0b0111, false) },
  { name: 'VCGE_zero', u: '1', low24: M2('01', '0001 q:1'), exec: unary(cge0, 0b0111, false) },
  { name: 'VCEQ_zero', u: '1', low24: M2('01', '0010 q:1'), exec: unary(ceq0, 0b0111, false) },
  { name: 'VCLE_zero', u: '1', low24: M2('01', '0011 q:1'), exec: unary(cle0, 0b0111, false) },
  { name: 'VCLT_zero', u: '1', low24: M2('01', '0100 q:1'), exec: unary(clt0, 0b0111, false) },
  { name: 'VABS', u: '1', low24: M2('01', '0110 q:1'), exec: unary(iabs, 0b0111, false) },
  { name: 'VNEG', u: '1', low24: M2('01', '0111 q:1'), exec: unary(ineg, 0b0111, false) },
  { name: 'VCGT_zero_f32', u: '1', low24: M2('01', '1000 q:1'), exec: fcgt0 },
  { name: 'VCGE_zero_f32', u: '1', low24: M2('01', '1001 q:1'), exec: fcge0 },
  { name: 'VCEQ_zero_f32', u: '1', low24: M2('01', '1010 q:1'), exec: fceq0 },
  { name: 'VCLE_zero_f32', u: '1', low24: M2('01', '1011 q:1'), exec: fcle0 },
  { name: 'VCLT_zero_f32', u: '1', low24: M2('01', '1100 q:1'), exec: fclt0 },
  { name: 'VABS_f32', u: '1', low24: M2('01', '1110 q:1'), exec: fabs },
  { name: 'VNEG_f32', u: '1', low24: M2('01', '1111 q:1'), exec: fneg },
  { name: 'VSWP', u: '1', low24: M2('10', '0000 q:1'), exec: vswp },
  { name: 'VTRN', u: '1', low24: M2('10', '0001 q:1'), exec: permute('trn') },
  { name: 'VUZP', u: '1', low24: M2('10', '0010 q:1'), exec: permute('uzp') },
  { name: 'VZIP', u: '1', low24: M2('10', '0011 q:1'), exec: permute('zip') },
  { name: 'VMOVN_VQMOVN', u: '1', low24: M2('10', '010 op:2'), exec: vmovn },
  { name: 'VSHLL_max', u: '1', low24: M2('10', '01100'), exec: vshllMax },
  { name: 'VCVT_f16_f32', u: '1', low24: M2('10', '11 op:1 00'), exec: vcvtHalf },
  { name: 'VRECPE', u: '1', low24: M2('11', '10 f:1 0 q:1'), exec: estimate(false) },
  { name: 'VRSQRTE', u: '1', low24: M2('11', '10 f:1 1 q:1'), exec: estimate(true) },
  { name: 'VCVT_f32_int', u: '1', low24: M2('11', '11 op:2 q:1'), exec: vcvtInt },
  { name: 'VEXT', u: '0', low24: '1 d:1 11 vn:4 vd:4 imm4:4 n:1 q:1 m:1 0 vm:4', exec: vext },
  { name: 'VTBL_VTBX', u: '1', low24: '1 d:1 11 vn:4 vd:4 10 len:2 n:1 op:1 m:1 0 vm:4', exec: vtbl },
  { name: 'VDUP_scalar', u: '1', low24: '1 d:1 11 imm4:4 vd:4 11000 q:1 m:1 0 vm:4', exec: vdupScalar },
];
