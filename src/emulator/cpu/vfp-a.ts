/**
 * VFPv4-D32 for the A-profile core (Cortex-A15), A32 and T32 from one definition per instruction:
 * the encodings differ only in bits 31:28 (cond in A32, 1110 in T32), so each instruction is
 * written once as its low 28 bits and both row lists are generated from that.
 *
 * Registers: S<n> = Vd:D, D<n> = D:Vd (d0-d31); d<n> is s[2n] (low word) : s[2n+1] (high word).
 * Arithmetic is bit-exact through cpu/fpu/ (single and double precision) under FPSCR; the
 * cumulative flags an operation raises are ORed into FPSCR.
 *
 * Short vectors (FPSCR.Len/Stride) as QEMU 7.2 (translate-vfp.c do_vfp_3op/2op, VMOV imm): on a
 * core with MVFR0.FPShVec (the Cortex-A9) VMLA...VDIV, VMOV, VABS, VNEG, VSQRT and VMOV immediate
 * iterate Len + 1 times when Vd is outside bank 0 (s0-s7 / d0-d3, d16-d19: scalar), stepping the
 * registers within their bank of 8 singles or 4 doubles (wrapping) by Stride + 1 (singles: QEMU
 * adds the raw field) or Stride/2 + 1 (doubles); Vm in bank 0 is a scalar for every element. On a
 * core without it (the A15: MVFR0 = 0x10110222) they are UNDEFINED while Len or Stride is set. The
 * fused multiply-adds are UNDEFINED with either set on both; other instructions ignore them.
 */
import type { Cpu } from './cpu.js';
import { encoding } from './decode-table.js';
import type { Encoding, Fields } from './decode-table.js';
import type { Handler } from './t16.js';
import { FpEnv } from './fpu/env.js';
import { FPSCR_NZCV, RoundingMode } from './fpu/fpscr.js';
import { fpAddSub, fpCompare, fpDiv, fpMul, fpMulAdd, fpSqrt } from './fpu/arith.js';
import { fixedToFp, fpToFixed, halfToSingle, singleToHalf } from './fpu/convert.js';
import { R64 } from './fpu/double.js';
import { fpAddSub64, fpCompare64, fpDiv64, fpMul64, fpMulAdd64, fpSqrt64 } from './fpu/arith64.js';
import { doubleToFixed, doubleToSingle, fixedToDouble, singleToDouble } from './fpu/convert64.js';

type Row = Encoding<Handler>;

/** One instruction: its name, bits 27:0 as a pattern, its handler. */
interface VfpInsn {
  readonly name: string;
  readonly low28: string;
  readonly exec: Handler;
}

const env = new FpEnv();
const SIGN = 0x80000000 | 0;

/** FPSCR as an A-profile VMSR writes it (QEMU: Len/Stride writable, no trap enables, bit 19 zero). */
export const FPSCR_WRITABLE_A = 0xfff7009f | 0;
/** FPSCR.Len and FPSCR.Stride. */
const FPSCR_VECTOR = 0x00370000;

/** FPEXC: only EN is kept by a write (QEMU 7.2). */
const FPEXC_EN = 1 << 30;

const sReg = (v: number, x: number): number => (v << 1) | x;
const dReg = (v: number, x: number): number => (x << 4) | v;

function begin(c: Cpu): FpEnv {
  return env.load(c.state.fpscr);
}
function finish(c: Cpu): void {
  c.state.fpscr |= env.flags;
}

/** Data processing without short vectors: UNDEFINED with Len/Stride set, then the FP access check. */
function dpCheck(c: Cpu): boolean {
  if ((c.state.fpscr & FPSCR_VECTOR) !== 0) {
    c.undefined();
    return false;
  }
  return c.fpCheck();
}

/** MVFR0.FPShVec: the core iterates short vectors. */
function hasShortVectors(c: Cpu): boolean {
  return ((c.profile.ids?.mvfr0 ?? 0) & 0x0f000000) !== 0;
}

/**
 * One element of a short-vector-capable instruction, its registers as indices into `s` (singles)
 * or D numbers (doubles).
 */
type Element = (c: Cpu, a: Fields, d: number, n: number, m: number) => void;

/**
 * Run `el` once, or per element of a short vector as QEMU does (see the header). `twoOperand`:
 * VMOV/VABS/VNEG/VSQRT, whose double-precision loop in QEMU 7.2 (do_vfp_2op_dp) advances Vd from
 * Vm and never advances Vm: after the first element every result is op(Vm) written to Vm + step.
 */
function vectorised(el: Element, twoOperand = false): Handler {
  return (c, a) => {
    const fpscr = c.state.fpscr;
    if ((fpscr & FPSCR_VECTOR) !== 0 && !hasShortVectors(c)) return c.undefined();
    if (!c.fpCheck()) return;
    const double = a.sz === 1;
    let d = double ? dReg(a.vd, a.d) : sReg(a.vd, a.d);
    let n = double ? dReg(a.vn ?? 0, a.n ?? 0) : sReg(a.vn ?? 0, a.n ?? 0);
    let m = double ? dReg(a.vm ?? 0, a.m ?? 0) : sReg(a.vm ?? 0, a.m ?? 0);
    let len = (fpscr >>> 16) & 7;
    const bank = double ? 3 : 7;
    // Bank 0 holds scalars: s0-s7, or d0-d3 and d16-d19.
    const scalarBank = double ? 0xc : 0x18;
    if (len === 0 || (d & scalarBank) === 0) return el(c, a, d, n, m);
    const stride = (fpscr >>> 20) & 3;
    const step = double ? (stride >>> 1) + 1 : stride + 1;
    const stepM = (m & scalarBank) === 0 ? 0 : step;
    const qemuTwoOpDouble = twoOperand && double && stepM !== 0;
    for (;;) {
      el(c, a, d, n, m);
      if (len-- === 0) return;
      if (qemuTwoOpDouble) {
        d = ((m + step) & bank) | (m & ~bank);
        continue;
      }
      d = ((d + step) & bank) | (d & ~bank);
      n = ((n + step) & bank) | (n & ~bank);
      m = ((m + stepM) & bank) | (m & ~bank);
    }
  };
}


function setD(c: Cpu, d: number): void {
  const s = c.state.s;
  s[2 * d] = R64.lo;
  s[2 * d + 1] = R64.hi;
}

// ---- three-register arithmetic ----------------------------------------------------------------

/** Vd = op(Vn, Vm) in single (sz = 0) or double precision. */
function binary(op32: (e: FpEnv, n: number, m: number) => number, op64: (e: FpEnv, nh: number, nl: number, mh: number, ml: number) => void, negate: boolean): Handler {
  return vectorised((c, a, d, n, m) => {
    const s = c.state.s;
    const e = begin(c);
    if (a.sz === 0) {
      const r = op32(e, s[n]!, s[m]!);
      s[d] = negate ? r ^ SIGN : r;
    } else {
      op64(e, s[2 * n + 1]!, s[2 * n]!, s[2 * m + 1]!, s[2 * m]!);
      if (negate) R64.hi ^= SIGN;
      setD(c, d);
    }
    finish(c);
  });
}
const add32 = (e: FpEnv, n: number, m: number): number => fpAddSub(e, n, m, false);
const sub32 = (e: FpEnv, n: number, m: number): number => fpAddSub(e, n, m, true);
const add64 = (e: FpEnv, nh: number, nl: number, mh: number, ml: number): void => fpAddSub64(e, nh, nl, mh, ml, false);
const sub64 = (e: FpEnv, nh: number, nl: number, mh: number, ml: number): void => fpAddSub64(e, nh, nl, mh, ml, true);

/** VMLA/VMLS/VNMLA/VNMLS (unfused): product rounded, optionally negated, added to +-Vd. */
function mulAcc(negProduct: boolean, negAcc: boolean): Handler {
  return vectorised((c, a, d, n, m) => {
    const s = c.state.s;
    const e = begin(c);
    if (a.sz === 0) {
      const p = fpMul(e, s[n]!, s[m]!);
      const acc = s[d]!;
      s[d] = fpAddSub(e, negAcc ? acc ^ SIGN : acc, negProduct ? p ^ SIGN : p, false);
    } else {
      fpMul64(e, s[2 * n + 1]!, s[2 * n]!, s[2 * m + 1]!, s[2 * m]!);
      const pHi = negProduct ? R64.hi ^ SIGN : R64.hi;
      const pLo = R64.lo;
      const accHi = s[2 * d + 1]!;
      fpAddSub64(e, negAcc ? accHi ^ SIGN : accHi, s[2 * d]!, pHi, pLo, false);
      setD(c, d);
    }
    finish(c);
  });
}

/** VFMA/VFMS/VFNMA/VFNMS: Vd = (+-Vd) + (+-Vn) * Vm with one rounding (negations flip NaNs too). */
function fused(negN: boolean, negD: boolean): Handler {
  return (c, a) => {
    if (!dpCheck(c)) return;
    const s = c.state.s;
    const e = begin(c);
    if (a.sz === 0) {
      const d = sReg(a.vd, a.d);
      const n = s[sReg(a.vn, a.n)]!;
      const acc = s[d]!;
      s[d] = fpMulAdd(e, negD ? acc ^ SIGN : acc, negN ? n ^ SIGN : n, s[sReg(a.vm, a.m)]!);
    } else {
      const d = dReg(a.vd, a.d);
      const n = dReg(a.vn, a.n);
      const m = dReg(a.vm, a.m);
      const accHi = s[2 * d + 1]!;
      const nHi = s[2 * n + 1]!;
      fpMulAdd64(e, negD ? accHi ^ SIGN : accHi, s[2 * d]!, negN ? nHi ^ SIGN : nHi, s[2 * n]!, s[2 * m + 1]!, s[2 * m]!);
      setD(c, d);
    }
    finish(c);
  };
}

// ---- two-register operations -----------------------------------------------------------------

/** Moves that only touch the sign: VMOV (mask 0, flip 0), VABS (clear), VNEG (flip). */
function signOp(clear: boolean, flip: boolean): Handler {
  return vectorised((c, a, d, _n, m) => {
    const s = c.state.s;
    if (a.sz === 0) {
      let v = s[m]!;
      if (clear) v &= ~SIGN;
      if (flip) v ^= SIGN;
      s[d] = v;
    } else {
      let hi = s[2 * m + 1]!;
      const lo = s[2 * m]!;
      if (clear) hi &= ~SIGN;
      if (flip) hi ^= SIGN;
      s[2 * d] = lo;
      s[2 * d + 1] = hi;
    }
  }, true);
}

const vsqrt: Handler = vectorised((c, a, d, _n, m) => {
  const s = c.state.s;
  const e = begin(c);
  if (a.sz === 0) s[d] = fpSqrt(e, s[m]!);
  else {
    fpSqrt64(e, s[2 * m + 1]!, s[2 * m]!);
    setD(c, d);
  }
  finish(c);
}, true);

/** VFPExpandImm: single (sign, NOT(b6), b6 x5, b5:b0, zeros) or double (b6 x8). */
const vmovImm: Handler = vectorised((c, a, d) => {
  const imm8 = a.imm;
  const s = c.state.s;
  if (a.sz === 0) {
    s[d] = ((imm8 & 0x80) << 24) | (imm8 & 0x40 ? 0x3e000000 : 0x40000000) | ((imm8 & 0x3f) << 19);
  } else {
    s[2 * d] = 0;
    s[2 * d + 1] = ((imm8 & 0x80) << 24) | (imm8 & 0x40 ? 0x3fc00000 : 0x40000000) | ((imm8 & 0x3f) << 16);
  }
});

// ---- compare and conversions -----------------------------------------------------------------

function compare(c: Cpu, a: Fields, zero: boolean): void {
  const st = c.state;
  const s = st.s;
  const e = begin(c);
  let nzcv: number;
  if (a.sz === 0) {
    nzcv = fpCompare(e, s[sReg(a.vd, a.d)]!, zero ? 0 : s[sReg(a.vm, a.m)]!, a.e === 1);
  } else {
    const d = dReg(a.vd, a.d);
    const m = dReg(a.vm, a.m);
    nzcv = zero
      ? fpCompare64(e, s[2 * d + 1]!, s[2 * d]!, 0, 0, a.e === 1)
      : fpCompare64(e, s[2 * d + 1]!, s[2 * d]!, s[2 * m + 1]!, s[2 * m]!, a.e === 1);
  }
  st.fpscr = (st.fpscr & ~FPSCR_NZCV) | (nzcv << 28) | env.flags;
}
const vcmp: Handler = (c, a) => {
  if (!c.fpCheck()) return;
  compare(c, a, false);
};
const vcmpZero: Handler = (c, a) => {
  if (!c.fpCheck()) return;
  compare(c, a, true);
};

/** VCVTB/VCVTT Sd, Sm (half -> single); the double forms are ARMv8. */
const vcvtFromHalf: Handler = (c, a) => {
  if (a.sz === 1) return c.undefined();
  if (!c.fpCheck()) return;
  const s = c.state.s;
  const v = s[sReg(a.vm, a.m)]!;
  s[sReg(a.vd, a.d)] = halfToSingle(begin(c), a.t === 1 ? v >>> 16 : v & 0xffff);
  finish(c);
};
/** VCVTB/VCVTT Sd, Sm (single -> half): the other half of Sd is kept. */
const vcvtToHalf: Handler = (c, a) => {
  if (a.sz === 1) return c.undefined();
  if (!c.fpCheck()) return;
  const s = c.state.s;
  const h = singleToHalf(begin(c), s[sReg(a.vm, a.m)]!);
  const d = sReg(a.vd, a.d);
  s[d] = a.t === 1 ? (s[d]! & 0xffff) | (h << 16) : (s[d]! & ~0xffff) | h;
  finish(c);
};

/** VCVT.F64.F32 Dd, Sm (sz = 0) / VCVT.F32.F64 Sd, Dm (sz = 1). */
const vcvtPrecision: Handler = (c, a) => {
  if (!c.fpCheck()) return;
  const s = c.state.s;
  const e = begin(c);
  if (a.sz === 0) {
    singleToDouble(e, s[sReg(a.vm, a.m)]!);
    setD(c, dReg(a.vd, a.d));
  } else {
    const m = dReg(a.vm, a.m);
    s[sReg(a.vd, a.d)] = doubleToSingle(e, s[2 * m + 1]!, s[2 * m]!);
  }
  finish(c);
};

/** VCVT.F32/F64.S32/U32 Vd, Sm: FPSCR rounding (exact into double). */
const vcvtFromInt: Handler = (c, a) => {
  if (!c.fpCheck()) return;
  const s = c.state.s;
  const e = begin(c);
  const v = s[sReg(a.vm, a.m)]!;
  if (a.sz === 0) s[sReg(a.vd, a.d)] = fixedToFp(e, v, 0, 32, a.s === 0, e.mode);
  else {
    fixedToDouble(e, v, 0, 32, a.s === 0);
    setD(c, dReg(a.vd, a.d));
  }
  finish(c);
};

/** VCVT (rz = 1) and VCVTR (FPSCR rounding) .S32/.U32.F32/F64 Sd, Vm. */
const vcvtToInt: Handler = (c, a) => {
  if (!c.fpCheck()) return;
  const s = c.state.s;
  const e = begin(c);
  const mode = a.rz === 1 ? RoundingMode.ZERO : e.mode;
  const unsigned = a.s === 0;
  if (a.sz === 0) s[sReg(a.vd, a.d)] = fpToFixed(e, s[sReg(a.vm, a.m)]!, 0, 32, unsigned, mode);
  else {
    const m = dReg(a.vm, a.m);
    s[sReg(a.vd, a.d)] = doubleToFixed(e, s[2 * m + 1]!, s[2 * m]!, 0, 32, unsigned, mode);
  }
  finish(c);
};

/**
 * VCVT between floating point and 16/32-bit fixed point in place: to fixed rounds towards zero,
 * from fixed rounds to nearest (QEMU 7.2). The result is sign- or zero-extended to the register
 * (a word for single, the whole doubleword for double precision), as QEMU's helpers return it.
 */
const vcvtFixed: Handler = (c, a) => {
  if (!c.fpCheck()) return;
  const s = c.state.s;
  const size = a.sx === 1 ? 32 : 16;
  // imm > size (UNPREDICTABLE) gives a negative count: QEMU scales the other way, and so do we.
  const fracBits = size - ((a.imm << 1) | a.i);
  const e = begin(c);
  const unsigned = a.u === 1;
  if (a.sz === 0) {
    const d = sReg(a.vd, a.d);
    s[d] =
      a.op === 1
        ? fpToFixed(e, s[d]!, fracBits, size, unsigned, RoundingMode.ZERO)
        : fixedToFp(e, s[d]!, fracBits, size, unsigned, RoundingMode.NEAREST);
  } else {
    const d = dReg(a.vd, a.d);
    if (a.op === 1) {
      const r = doubleToFixed(e, s[2 * d + 1]!, s[2 * d]!, fracBits, size, unsigned, RoundingMode.ZERO);
      s[2 * d] = r;
      s[2 * d + 1] = unsigned || r >= 0 ? 0 : -1;
    } else {
      fixedToDouble(e, s[2 * d]!, fracBits, size, unsigned);
      setD(c, d);
    }
  }
  finish(c);
};

// ---- transfers between core and FP registers --------------------------------------------------

/** VMOV Rt, Sn / VMOV Sn, Rt. Rt = PC when reading sets APSR.NZCV from Sn (QEMU). */
const vmovCoreSingle: Handler = (c, a) => {
  if (!c.fpCheck()) return;
  const st = c.state;
  const n = sReg(a.vn, a.n);
  if (a.l === 1) {
    const v = st.s[n]!;
    if (a.rt === 15) st.setApsr((v & FPSCR_NZCV) | (st.getApsr() & 0x0fffffff));
    else c.r[a.rt] = v;
  } else {
    st.s[n] = c.r[a.rt]!;
  }
};

/** VMOV Rt, Rt2, Sm, Sm1 / VMOV Sm, Sm1, Rt, Rt2 (Sm = S31 pairs with d16's low word, as in QEMU). */
const vmovTwoSingles: Handler = (c, a) => {
  const m = sReg(a.vm, a.m);
  if (!c.fpCheck()) return;
  const s = c.state.s;
  if (a.op === 1) {
    const lo = s[m]!;
    const hi = s[m + 1]!;
    c.storeReg(a.rt, lo);
    c.storeReg(a.rt2, hi);
  } else {
    s[m] = c.r[a.rt]!;
    s[m + 1] = c.r[a.rt2]!;
  }
};

/** VMOV Rt, Rt2, Dm / VMOV Dm, Rt, Rt2. */
const vmovDouble: Handler = (c, a) => {
  if (!c.fpCheck()) return;
  const s = c.state.s;
  const m = dReg(a.vm, a.m);
  if (a.op === 1) {
    const lo = s[2 * m]!;
    const hi = s[2 * m + 1]!;
    c.storeReg(a.rt, lo);
    c.storeReg(a.rt2, hi);
  } else {
    s[2 * m] = c.r[a.rt]!;
    s[2 * m + 1] = c.r[a.rt2]!;
  }
};

/**
 * VMOV Dn[x], Rt and VMOV Rt, Dn[x] for 8, 16 and 32-bit lanes (opc1:opc2 picks size and index;
 * 0x10 and unsigned 32-bit reads are UNDEFINED).
 */
const vmovScalar: Handler = (c, a) => {
  const opc = (a.op1 << 2) | a.op2;
  let size: number;
  let index: number;
  if ((opc & 8) !== 0) {
    size = 0;
    index = opc & 7;
  } else if ((opc & 1) !== 0) {
    size = 1;
    index = (opc >>> 1) & 3;
  } else if ((opc & 2) === 0) {
    size = 2;
    index = opc >>> 2;
  } else return c.undefined();
  if (a.l === 0 ? a.u === 1 : size === 2 && a.u === 1) return c.undefined();
  if (!c.fpCheck()) return;
  const s = c.state.s;
  const bitPos = (index << (3 + size)) & 63;
  const word = 2 * dReg(a.vn, a.n) + (bitPos >>> 5);
  const shift = bitPos & 31;
  if (size === 2) {
    if (a.l === 1) c.storeReg(a.rt, s[word]!);
    else s[word] = c.r[a.rt]!;
    return;
  }
  const width = 8 << size;
  const mask = ((1 << width) - 1) << shift;
  if (a.l === 1) {
    const raw = (s[word]! >>> shift) & ((1 << width) - 1);
    c.storeReg(a.rt, a.u === 1 ? raw : (raw << (32 - width)) >> (32 - width));
  } else {
    s[word] = (s[word]! & ~mask) | ((c.r[a.rt]! << shift) & mask);
  }
};

/** VDUP Qd/Dd, Rt: b:e = 10 bytes, 01 halfwords, 00 words; Q with odd Vd or b:e = 11 UNDEFINED. */
const vdupCore: Handler = (c, a) => {
  if (a.b === 1 && a.e === 1) return c.undefined();
  const d = dReg(a.vd, a.d);
  if (a.q === 1 && (d & 1) !== 0) return c.undefined();
  if (!c.fpCheck()) return;
  let v = c.r[a.rt]!;
  if (a.b === 1) v = (v & 0xff) * 0x01010101;
  else if (a.e === 1) v = (v & 0xffff) * 0x00010001;
  v |= 0;
  const s = c.state.s;
  const words = a.q === 1 ? 4 : 2;
  for (let i = 0; i < words; i++) s[2 * d + i] = v;
};

/**
 * VMRS Rt, <reg> / VMSR <reg>, Rt (QEMU 7.2): FPSCR at any privilege; FPSID, MVFR0/1 and FPEXC
 * only at PL1 and readable (FPEXC also writable, EN only) with FPEXC.EN clear; writes to the ID
 * registers are ignored. Other registers are UNDEFINED. Rt = PC with FPSCR sets APSR.NZCV.
 */
const vmrsVmsr: Handler = (c, a) => {
  const reg = a.reg;
  const st = c.state;
  if (reg !== 1) {
    if (reg !== 0 && reg !== 6 && reg !== 7 && reg !== 8) return c.undefined();
    if (!c.sys.isPrivileged()) return c.undefined();
    // These accesses ignore FPEXC.EN: only the coprocessor access rights (CPACR/NSACR) apply.
    if (!c.sys.fpAccessible()) return c.undefined();
    if (a.l === 1) {
      const v = reg === 8 ? st.fpexc : fpIdRegister(c, reg);
      if (v === -1) return c.undefined();
      if (a.rt === 15) st.setApsr((v & FPSCR_NZCV) | (st.getApsr() & 0x0fffffff));
      else c.r[a.rt] = v;
    } else if (reg === 8) {
      st.fpexc = c.r[a.rt]! & FPEXC_EN;
    }
    return;
  }
  if (!c.fpCheck()) return;
  if (a.l === 1) {
    if (a.rt === 15) st.setApsr((st.fpscr & FPSCR_NZCV) | (st.getApsr() & 0x0fffffff));
    else c.r[a.rt] = st.fpscr;
  } else {
    st.fpscr = c.r[a.rt]! & FPSCR_WRITABLE_A;
  }
};

/** FPSID (0), MVFR1 (6), MVFR0 (7) of the core's profile; -1 (UNDEFINED) on a core without them. */
function fpIdRegister(c: Cpu, reg: number): number {
  const ids = c.profile.ids;
  if (ids === undefined) return -1;
  return reg === 0 ? ids.fpsid : reg === 7 ? ids.mvfr0 : ids.mvfr1;
}

// ---- loads and stores ------------------------------------------------------------------------

/** Base address: Align(PC, 4) for the literal forms. */
function base(c: Cpu, rn: number): number {
  return rn === 15 ? c.r[15]! & ~3 : c.r[rn]!;
}

/**
 * One 64-bit access of D<d>: word aligned (QEMU's MO_ALIGN_4), both words read before any write;
 * big-endian data puts the lower word in the high half (one doubleword access, as QEMU makes it).
 */
export function transferDouble(c: Cpu, isLoad: boolean, addr: number, d: number): void {
  const s = c.state.s;
  const first = c.dataBigEndian() ? 2 * d + 1 : 2 * d;
  const second = first ^ 1;
  c.checkAligned(addr, 4, !isLoad);
  if (isLoad) {
    const w0 = c.load32(addr);
    const w1 = c.load32((addr + 4) | 0);
    s[first] = w0;
    s[second] = w1;
  } else {
    c.store32(addr, s[first]!);
    c.store32((addr + 4) | 0, s[second]!);
  }
}

const vldr: Handler = (c, a) => {
  if (!c.fpCheck()) return;
  const addr = (base(c, a.rn) + (a.u === 1 ? a.imm << 2 : -(a.imm << 2))) | 0;
  if (a.sz === 1) return transferDouble(c, a.l === 1, addr, dReg(a.vd, a.d));
  c.checkAligned(addr, 4, a.l === 0);
  const n = sReg(a.vd, a.d);
  if (a.l === 1) c.state.s[n] = c.load32(addr);
  else c.store32(addr, c.state.s[n]!);
};

/**
 * VLDR/VSTR.16 (cp9, an FP16 v8.2 encoding): QEMU 7.2 gates it on VFPv2 only, so a Cortex-A15
 * executes it: halfword-aligned, the offset is imm8 × 2, a load zero-extends into Sd.
 */
const vldrHalf: Handler = (c, a) => {
  if (!c.fpCheck()) return;
  const addr = (base(c, a.rn) + (a.u === 1 ? a.imm << 1 : -(a.imm << 1))) | 0;
  c.checkAligned(addr, 2, a.l === 0);
  const n = sReg(a.vd, a.d);
  if (a.l === 1) c.state.s[n] = c.load16(addr) & 0xffff;
  else c.store16(addr, c.state.s[n]! & 0xffff);
};

/**
 * VLDM/VSTM/VPUSH/VPOP, increment after or decrement before. Registers go in ascending order;
 * the base is written back last. Doubleword lists with an odd word count (FLDMX/FSTMX) move
 * imm/2 registers and write back imm words, as QEMU does.
 */
function multiple(decrement: boolean): Handler {
  return (c, a) => {
    const imm = a.imm;
    let first: number;
    let count: number;
    if (a.sz === 0) {
      first = sReg(a.vd, a.d);
      count = imm;
      if (count === 0 || first + count > 32) return c.undefined();
    } else {
      first = dReg(a.vd, a.d);
      count = imm >>> 1;
      if (count === 0 || count > 16 || first + count > 32) return c.undefined();
    }
    if (a.rn === 15 && a.w === 1) return c.undefined();
    if (!c.fpCheck()) return;
    const s = c.state.s;
    const start = base(c, a.rn);
    let addr = decrement ? (start - (imm << 2)) | 0 : start;
    const isLoad = a.l === 1;
    for (let i = 0; i < count; i++) {
      if (a.sz === 1) {
        transferDouble(c, isLoad, addr, first + i);
        addr = (addr + 8) | 0;
      } else {
        c.checkAligned(addr, 4, !isLoad);
        if (isLoad) s[first + i] = c.load32(addr);
        else c.store32(addr, s[first + i]!);
        addr = (addr + 4) | 0;
      }
    }
    if (a.w === 1) c.storeReg(a.rn, (start + (decrement ? -(imm << 2) : imm << 2)) | 0);
  };
}

/** cp10/cp11 encodings that are no VFPv4 instruction (v8 forms, other opc2 values). */
const vfpUndefined: Handler = (c) => c.undefined();

const DP3 = '1110 0 d:1';
const OTHER = '1110 1 d:1 11';

export const VFP_INSNS: readonly VfpInsn[] = [
  // Three-register data processing.
  { name: 'VMLA', low28: `${DP3} 00 vn:4 vd:4 101 sz:1 n:1 0 m:1 0 vm:4`, exec: mulAcc(false, false) },
  { name: 'VMLS', low28: `${DP3} 00 vn:4 vd:4 101 sz:1 n:1 1 m:1 0 vm:4`, exec: mulAcc(true, false) },
  { name: 'VNMLS', low28: `${DP3} 01 vn:4 vd:4 101 sz:1 n:1 0 m:1 0 vm:4`, exec: mulAcc(false, true) },
  { name: 'VNMLA', low28: `${DP3} 01 vn:4 vd:4 101 sz:1 n:1 1 m:1 0 vm:4`, exec: mulAcc(true, true) },
  { name: 'VMUL', low28: `${DP3} 10 vn:4 vd:4 101 sz:1 n:1 0 m:1 0 vm:4`, exec: binary(fpMul, fpMul64, false) },
  { name: 'VNMUL', low28: `${DP3} 10 vn:4 vd:4 101 sz:1 n:1 1 m:1 0 vm:4`, exec: binary(fpMul, fpMul64, true) },
  { name: 'VADD', low28: `${DP3} 11 vn:4 vd:4 101 sz:1 n:1 0 m:1 0 vm:4`, exec: binary(add32, add64, false) },
  { name: 'VSUB', low28: `${DP3} 11 vn:4 vd:4 101 sz:1 n:1 1 m:1 0 vm:4`, exec: binary(sub32, sub64, false) },
  { name: 'VDIV', low28: '1110 1 d:1 00 vn:4 vd:4 101 sz:1 n:1 0 m:1 0 vm:4', exec: binary(fpDiv, fpDiv64, false) },
  // ARM's VFNMS (op = 0): Vd = -Vd + Vn * Vm; VFNMA (op = 1): Vd = -Vd - Vn * Vm.
  { name: 'VFNMS', low28: '1110 1 d:1 01 vn:4 vd:4 101 sz:1 n:1 0 m:1 0 vm:4', exec: fused(false, true) },
  { name: 'VFNMA', low28: '1110 1 d:1 01 vn:4 vd:4 101 sz:1 n:1 1 m:1 0 vm:4', exec: fused(true, true) },
  { name: 'VFMA', low28: '1110 1 d:1 10 vn:4 vd:4 101 sz:1 n:1 0 m:1 0 vm:4', exec: fused(false, false) },
  { name: 'VFMS', low28: '1110 1 d:1 10 vn:4 vd:4 101 sz:1 n:1 1 m:1 0 vm:4', exec: fused(true, false) },
  // Other data processing.
  { name: 'VMOV_imm', low28: `${OTHER} imm:4 vd:4 101 sz:1 0000 imm:4`, exec: vmovImm },
  { name: 'VMOV_reg', low28: `${OTHER} 0000 vd:4 101 sz:1 01 m:1 0 vm:4`, exec: signOp(false, false) },
  { name: 'VABS', low28: `${OTHER} 0000 vd:4 101 sz:1 11 m:1 0 vm:4`, exec: signOp(true, false) },
  { name: 'VNEG', low28: `${OTHER} 0001 vd:4 101 sz:1 01 m:1 0 vm:4`, exec: signOp(false, true) },
  { name: 'VSQRT', low28: `${OTHER} 0001 vd:4 101 sz:1 11 m:1 0 vm:4`, exec: vsqrt },
  { name: 'VCVTBT_from_f16', low28: `${OTHER} 0010 vd:4 101 sz:1 t:1 1 m:1 0 vm:4`, exec: vcvtFromHalf },
  { name: 'VCVTBT_to_f16', low28: `${OTHER} 0011 vd:4 101 sz:1 t:1 1 m:1 0 vm:4`, exec: vcvtToHalf },
  { name: 'VCMP', low28: `${OTHER} 0100 vd:4 101 sz:1 e:1 1 m:1 0 vm:4`, exec: vcmp },
  { name: 'VCMP_zero', low28: `${OTHER} 0101 vd:4 101 sz:1 e:1 1 0 0 0000`, exec: vcmpZero },
  { name: 'VCVT_f64_f32', low28: `${OTHER} 0111 vd:4 101 sz:1 11 m:1 0 vm:4`, exec: vcvtPrecision },
  { name: 'VCVT_from_int', low28: `${OTHER} 1000 vd:4 101 sz:1 s:1 1 m:1 0 vm:4`, exec: vcvtFromInt },
  { name: 'VCVT_fixed', low28: `${OTHER} 1 op:1 1 u:1 vd:4 101 sz:1 sx:1 1 i:1 0 imm:4`, exec: vcvtFixed },
  { name: 'VCVT_to_int', low28: `${OTHER} 110 s:1 vd:4 101 sz:1 rz:1 1 m:1 0 vm:4`, exec: vcvtToInt },
  // Transfers between core and extension registers.
  { name: 'VMOV_core_single', low28: '1110 000 l:1 vn:4 rt:4 1010 n:1 00 1 0000', exec: vmovCoreSingle },
  { name: 'VMRS_VMSR', low28: '1110 111 l:1 reg:4 rt:4 1010 0001 0000', exec: vmrsVmsr },
  { name: 'VDUP_core', low28: '1110 1 b:1 q:1 0 vd:4 rt:4 1011 d:1 0 e:1 1 0000', exec: vdupCore },
  { name: 'VMOV_core_scalar', low28: '1110 u:1 op1:2 l:1 vn:4 rt:4 1011 n:1 op2:2 1 0000', exec: vmovScalar },
  { name: 'VMOV_two_singles', low28: '1100 010 op:1 rt2:4 rt:4 1010 00 m:1 1 vm:4', exec: vmovTwoSingles },
  { name: 'VMOV_doubleword', low28: '1100 010 op:1 rt2:4 rt:4 1011 00 m:1 1 vm:4', exec: vmovDouble },
  // Loads and stores.
  { name: 'VLDR_VSTR', low28: '1101 u:1 d:1 0 l:1 rn:4 vd:4 101 sz:1 imm:8', exec: vldr },
  { name: 'VLDR_VSTR_f16', low28: '1101 u:1 d:1 0 l:1 rn:4 vd:4 1001 imm:8', exec: vldrHalf },
  { name: 'VLDM_VSTM_IA', low28: '1100 1 d:1 w:1 l:1 rn:4 vd:4 101 sz:1 imm:8', exec: multiple(false) },
  // W = 0 here is VLDR (the row above).
  { name: 'VLDM_VSTM_DB', low28: '1101 0 d:1 w:1 l:1 rn:4 vd:4 101 sz:1 imm:8', exec: multiple(true) },
  // Everything else in cp10/cp11 space.
  { name: 'VFP_other_cdp_mcr', low28: '1110 ---- ---- ---- 101- ---- ----', exec: vfpUndefined },
  { name: 'VFP_other_ldc_mcrr', low28: '110- ---- ---- ---- 101- ---- ----', exec: vfpUndefined },
];

/** A32 rows (cond in bits 31:28, checked by the A32 loop before the handler runs). */
export const A32_VFP_ROWS: readonly Row[] = VFP_INSNS.map((i) => encoding(i.name, 32, `---- ${i.low28}`, i.exec));
/** T32 rows for the A-profile Thumb table (bits 31:28 = 1110). */
export const T32_VFP_A_ROWS: readonly Row[] = VFP_INSNS.map((i) => encoding(i.name, 32, `1110 ${i.low28}`, i.exec));
