/**
 * FPv4-SP encodings (coprocessors 10 and 11 on the Cortex-M4F; ARM DDI 0403 A6.4-A6.6, A7.7).
 * Only the M4 decode table includes them; there, every other coprocessor encoding still raises
 * NOCP. Arithmetic is bit-exact through cpu/fpu/; the FPSCR cumulative flags an operation raises
 * are ORed into state.fpscr.
 *
 * Register numbers: S<n> = Vn:N, D<n> = N:Vn (only D0-D15 exist). Every handler starts with
 * ExecuteFPCheck (`c.fpCheck()`). Encodings in cp10/cp11 space that are not FPv4-SP instructions
 * (double-precision arithmetic, v8 forms, other system registers) are UNDEFINED once the FPU is
 * enabled and NOCP while it is not, as in QEMU.
 */
import type { Cpu } from './cpu.js';
import { encoding } from './decode-table.js';
import type { Encoding, Fields } from './decode-table.js';
import type { Handler } from './t16.js';
import { FpEnv } from './fpu/env.js';
import { FPSCR_NZCV, FPSCR_WRITABLE, RoundingMode } from './fpu/fpscr.js';
import { fpAddSub, fpCompare, fpDiv, fpMul, fpMulAdd, fpSqrt } from './fpu/arith.js';
import { fixedToFp, fpToFixed, halfToSingle, singleToHalf } from './fpu/convert.js';

type Row = Encoding<Handler>;
const t32 = (name: string, pattern: string, exec: Handler): Row => encoding(name, 32, pattern, exec);

/** One environment for all cores: loaded from FPSCR at the start of every arithmetic instruction. */
const env = new FpEnv();

const SIGN = 0x80000000 | 0;
const neg = (v: number): number => v ^ SIGN;

function begin(c: Cpu): FpEnv {
  return env.load(c.state.fpscr);
}
function finish(c: Cpu): void {
  c.state.fpscr |= env.flags;
}

const sd = (a: Fields): number => (a.vd << 1) | a.d;
const sn = (a: Fields): number => (a.vn << 1) | a.n;
const sm = (a: Fields): number => (a.vm << 1) | a.m;

// ---- arithmetic ------------------------------------------------------------------------------

/** VMLA/VMLS/VNMLA/VNMLS (unfused): product rounded, optionally negated, added to +-Sd. */
function mulAcc(c: Cpu, a: Fields, negProduct: boolean, negAcc: boolean): void {
  if (!c.fpCheck()) return;
  const s = c.state.s;
  const d = sd(a);
  const e = begin(c);
  const p = fpMul(e, s[sn(a)]!, s[sm(a)]!);
  const acc = s[d]!;
  s[d] = fpAddSub(e, negAcc ? neg(acc) : acc, negProduct ? neg(p) : p, false);
  finish(c);
}

/** VFMA/VFMS/VFNMA/VFNMS: Sd = (+-Sd) + (+-Sn) * Sm with one rounding (negations flip NaNs too). */
function fused(c: Cpu, a: Fields, negN: boolean, negD: boolean): void {
  if (!c.fpCheck()) return;
  const s = c.state.s;
  const d = sd(a);
  const n = s[sn(a)]!;
  const acc = s[d]!;
  s[d] = fpMulAdd(begin(c), negD ? neg(acc) : acc, negN ? neg(n) : n, s[sm(a)]!);
  finish(c);
}

const vmla: Handler = (c, a) => mulAcc(c, a, false, false);
const vmls: Handler = (c, a) => mulAcc(c, a, true, false);
const vnmls: Handler = (c, a) => mulAcc(c, a, false, true);
const vnmla: Handler = (c, a) => mulAcc(c, a, true, true);

/** Sd = op(Sn, Sm) under FPSCR: the two-operand arithmetic rows. */
const binary =
  (op: (e: FpEnv, n: number, m: number) => number): Handler =>
  (c, a) => {
    if (!c.fpCheck()) return;
    const s = c.state.s;
    s[sd(a)] = op(begin(c), s[sn(a)]!, s[sm(a)]!);
    finish(c);
  };
const vmul = binary(fpMul);
const vnmul = binary((e, n, m) => neg(fpMul(e, n, m)));
const vadd = binary((e, n, m) => fpAddSub(e, n, m, false));
const vsub = binary((e, n, m) => fpAddSub(e, n, m, true));
const vdiv = binary(fpDiv);

const vfma: Handler = (c, a) => fused(c, a, false, false);
const vfms: Handler = (c, a) => fused(c, a, true, false);
/** ARM's VFNMS (op=0): Sd = -Sd + Sn * Sm. */
const vfnms: Handler = (c, a) => fused(c, a, false, true);
/** ARM's VFNMA (op=1): Sd = -Sd - Sn * Sm. */
const vfnma: Handler = (c, a) => fused(c, a, true, true);

const vsqrt: Handler = (c, a) => {
  if (!c.fpCheck()) return;
  const s = c.state.s;
  s[sd(a)] = fpSqrt(begin(c), s[sm(a)]!);
  finish(c);
};

// ---- moves without arithmetic ----------------------------------------------------------------

/** VFPExpandImm for single precision: sign, NOT(b6):b6 x5, b5:b4, b3:b0, 19 zero bits. */
const vmovImm: Handler = (c, a) => {
  if (!c.fpCheck()) return;
  const imm8 = a.imm;
  c.state.s[sd(a)] = ((imm8 & 0x80) << 24) | (imm8 & 0x40 ? 0x3e000000 : 0x40000000) | ((imm8 & 0x3f) << 19);
};
const vmovReg: Handler = (c, a) => {
  if (!c.fpCheck()) return;
  const s = c.state.s;
  s[sd(a)] = s[sm(a)]!;
};
const vabs: Handler = (c, a) => {
  if (!c.fpCheck()) return;
  const s = c.state.s;
  s[sd(a)] = s[sm(a)]! & ~SIGN;
};
const vneg: Handler = (c, a) => {
  if (!c.fpCheck()) return;
  const s = c.state.s;
  s[sd(a)] = neg(s[sm(a)]!);
};

/** VMOV Rt, Sn / VMOV Sn, Rt. Rt = PC when reading sets APSR.NZCV from Sn (QEMU's choice). */
const vmovCoreSingle: Handler = (c, a) => {
  if (!c.fpCheck()) return;
  const s = c.state.s;
  if (a.l === 1) {
    const v = s[sn(a)]!;
    if (a.rt === 15) c.state.setApsr((v & FPSCR_NZCV) | (c.state.getApsr() & 0x08000000));
    else c.storeReg(a.rt, v);
  } else {
    s[sn(a)] = c.r[a.rt]!;
  }
};

/** VMOV Rt, Rt2, Sm, Sm1 / VMOV Sm, Sm1, Rt, Rt2. */
const vmovTwoSingles: Handler = (c, a) => {
  if (!c.fpCheck()) return;
  const s = c.state.s;
  const m = sm(a);
  if (a.op === 1) {
    const lo = s[m]!;
    const hi = s[(m + 1) & 31]!;
    c.storeReg(a.rt, lo);
    c.storeReg(a.rt2, hi);
  } else {
    s[m] = c.r[a.rt]!;
    s[(m + 1) & 31] = c.r[a.rt2]!;
  }
};

/** VMOV Rt, Rt2, Dm / VMOV Dm, Rt, Rt2 (D0-D15 only). */
const vmovDouble: Handler = (c, a) => {
  if (a.m === 1) return fpUndefined(c, a);
  if (!c.fpCheck()) return;
  const s = c.state.s;
  const lo = a.vm << 1;
  if (a.op === 1) {
    const vlo = s[lo]!;
    const vhi = s[lo + 1]!;
    c.storeReg(a.rt, vlo);
    c.storeReg(a.rt2, vhi);
  } else {
    s[lo] = c.r[a.rt]!;
    s[lo + 1] = c.r[a.rt2]!;
  }
};

/** VMOV Rt, Dn[x] / VMOV Dn[x], Rt (32-bit scalar: one half of a D register). */
const vmovScalar: Handler = (c, a) => {
  if (a.n === 1) return fpUndefined(c, a);
  if (!c.fpCheck()) return;
  const idx = (a.vn << 1) | a.x;
  if (a.l === 1) c.storeReg(a.rt, c.state.s[idx]!);
  else c.state.s[idx] = c.r[a.rt]!;
};

/** VMRS Rt, FPSCR (Rt = PC: APSR_nzcv) / VMSR FPSCR, Rt. Other system registers: UNDEFINED. */
const vmrsVmsr: Handler = (c, a) => {
  if (a.reg !== 1) return fpUndefined(c, a);
  if (!c.fpCheck()) return;
  const st = c.state;
  if (a.l === 1) {
    if (a.rt === 15) st.setApsr((st.fpscr & FPSCR_NZCV) | (st.getApsr() & 0x08000000));
    else c.storeReg(a.rt, st.fpscr);
  } else {
    st.fpscr = c.r[a.rt]! & FPSCR_WRITABLE;
  }
};

// ---- compare and conversions -----------------------------------------------------------------

function compare(c: Cpu, a: Fields, b: number): void {
  const st = c.state;
  const nzcv = fpCompare(begin(c), st.s[sd(a)]!, b, a.e === 1);
  st.fpscr = (st.fpscr & ~FPSCR_NZCV) | (nzcv << 28) | env.flags;
}
const vcmp: Handler = (c, a) => {
  if (!c.fpCheck()) return;
  compare(c, a, c.state.s[sm(a)]!);
};
const vcmpZero: Handler = (c, a) => {
  if (!c.fpCheck()) return;
  compare(c, a, 0);
};

/** VCVTB/VCVTT Sd, Sm (half -> single): the bottom or top half of Sm. */
const vcvtFromHalf: Handler = (c, a) => {
  if (!c.fpCheck()) return;
  const s = c.state.s;
  const v = s[sm(a)]!;
  s[sd(a)] = halfToSingle(begin(c), a.t === 1 ? v >>> 16 : v & 0xffff);
  finish(c);
};
/** VCVTB/VCVTT Sd, Sm (single -> half): the other half of Sd is kept. */
const vcvtToHalf: Handler = (c, a) => {
  if (!c.fpCheck()) return;
  const s = c.state.s;
  const h = singleToHalf(begin(c), s[sm(a)]!);
  const d = sd(a);
  s[d] = a.t === 1 ? (s[d]! & 0xffff) | (h << 16) : (s[d]! & ~0xffff) | h;
  finish(c);
};

/** VCVT.F32.S32/U32 Sd, Sm: FPSCR rounding. */
const vcvtFromInt: Handler = (c, a) => {
  if (!c.fpCheck()) return;
  const s = c.state.s;
  const e = begin(c);
  s[sd(a)] = fixedToFp(e, s[sm(a)]!, 0, 32, a.s === 0, e.mode);
  finish(c);
};
/** VCVT (rz=1, round towards zero) and VCVTR (FPSCR rounding) .S32/.U32.F32 Sd, Sm. */
const vcvtToInt: Handler = (c, a) => {
  if (!c.fpCheck()) return;
  const s = c.state.s;
  const e = begin(c);
  s[sd(a)] = fpToFixed(e, s[sm(a)]!, 0, 32, a.s === 0, a.rz === 1 ? RoundingMode.ZERO : e.mode);
  finish(c);
};
/**
 * VCVT between single and 16/32-bit fixed point in place (Sd): to fixed rounds towards zero,
 * from fixed rounds to nearest (QEMU 7.2; not the FPSCR mode).
 */
const vcvtFixed: Handler = (c, a) => {
  if (!c.fpCheck()) return;
  const s = c.state.s;
  const d = sd(a);
  const size = a.sx === 1 ? 32 : 16;
  const fracBits = size - ((a.imm << 1) | a.i);
  const e = begin(c);
  s[d] =
    a.op === 1
      ? fpToFixed(e, s[d]!, fracBits, size, a.u === 1, RoundingMode.ZERO)
      : fixedToFp(e, s[d]!, fracBits, size, a.u === 1, RoundingMode.NEAREST);
  finish(c);
};

// ---- loads and stores ------------------------------------------------------------------------

/** Base address: Align(PC, 4) for PC-relative forms. */
function base(c: Cpu, rn: number): number {
  return rn === 15 ? c.r[15]! & ~3 : c.r[rn]!;
}

/** FP loads and stores are word accesses that must be word aligned (MemA), whatever CCR says. */
function loadWord(c: Cpu, addr: number): number {
  c.checkAligned(addr, 4);
  return c.load32(addr);
}
function storeWord(c: Cpu, addr: number, v: number): void {
  c.checkAligned(addr, 4, true);
  c.store32(addr, v);
}

const vldrSingle: Handler = (c, a) => {
  if (!c.fpCheck()) return;
  const addr = (base(c, a.rn) + (a.u === 1 ? a.imm << 2 : -(a.imm << 2))) | 0;
  if (a.l === 1) c.state.s[sd(a)] = loadWord(c, addr);
  else storeWord(c, addr, c.state.s[sd(a)]!);
};

const vldrDouble: Handler = (c, a) => {
  if (a.d === 1) return fpUndefined(c, a);
  if (!c.fpCheck()) return;
  const addr = (base(c, a.rn) + (a.u === 1 ? a.imm << 2 : -(a.imm << 2))) | 0;
  transferDouble(c, a.l === 1, addr, a.vd);
};

/** One 64-bit access of D<d>, as QEMU makes it: alignment checked and both words read before any write. */
function transferDouble(c: Cpu, isLoad: boolean, addr: number, d: number): void {
  const s = c.state.s;
  const lo = d << 1;
  c.checkAligned(addr, 4, !isLoad);
  if (isLoad) {
    const vlo = c.load32(addr);
    const vhi = c.load32((addr + 4) | 0);
    s[lo] = vlo;
    s[lo + 1] = vhi;
  } else {
    c.store32(addr, s[lo]!);
    c.store32((addr + 4) | 0, s[lo + 1]!);
  }
}

/**
 * VLDM/VSTM/VPUSH/VPOP. `first` is the first S register, `count` the number of words. Registers
 * are transferred in ascending order and written as they load; the base is written back last.
 */
function transferMultiple(c: Cpu, a: Fields, first: number, count: number, decrement: boolean): void {
  const s = c.state.s;
  const start = base(c, a.rn);
  let addr = decrement ? (start - (a.imm << 2)) | 0 : start;
  for (let i = 0; i < count; i++) {
    if (a.l === 1) s[first + i] = loadWord(c, addr);
    else storeWord(c, addr, s[first + i]!);
    addr = (addr + 4) | 0;
  }
  if (a.w === 1) c.storeReg(a.rn, (start + (decrement ? -(a.imm << 2) : a.imm << 2)) | 0);
}

/** Doubleword lists: each register is one 64-bit access (both words read before the write). */
function transferMultipleDouble(c: Cpu, a: Fields, firstD: number, count: number, decrement: boolean): void {
  const start = base(c, a.rn);
  let addr = decrement ? (start - (a.imm << 2)) | 0 : start;
  for (let i = 0; i < count; i++) {
    transferDouble(c, a.l === 1, addr, firstD + i);
    addr = (addr + 8) | 0;
  }
  if (a.w === 1) c.storeReg(a.rn, (start + (decrement ? -(a.imm << 2) : a.imm << 2)) | 0);
}

function multipleSingle(c: Cpu, a: Fields, decrement: boolean): void {
  const first = sd(a);
  const n = a.imm;
  if (n === 0 || first + n > 32 || (a.rn === 15 && a.w === 1)) return fpUndefined(c, a);
  if (!c.fpCheck()) return;
  transferMultiple(c, a, first, n, decrement);
}
function multipleDouble(c: Cpu, a: Fields, decrement: boolean): void {
  const first = (a.d << 4) | a.vd;
  const n = a.imm >>> 1;
  if (n === 0 || n > 16 || first + n > 16 || (a.rn === 15 && a.w === 1)) return fpUndefined(c, a);
  if (!c.fpCheck()) return;
  transferMultipleDouble(c, a, first, n, decrement);
}
const vldmSingleIA: Handler = (c, a) => multipleSingle(c, a, false);
const vldmSingleDB: Handler = (c, a) => multipleSingle(c, a, true);
const vldmDoubleIA: Handler = (c, a) => multipleDouble(c, a, false);
const vldmDoubleDB: Handler = (c, a) => multipleDouble(c, a, true);

/** cp10/cp11 encodings that are not FPv4-SP instructions: NOCP while the FPU is off, else UNDEFINED. */
function fpUndefined(c: Cpu, _a: Fields): void {
  c.fpUndefined();
}
const fpUndefinedHandler: Handler = fpUndefined;

// The 1.11 "other data-processing" group shares this prefix: 1110 1110 1 D 11 opc2 Vd 1010.
const OTHER = '1110 1110 1 d:1 11';

export const T32_VFP_ROWS: readonly Row[] = [
  // Three-register data processing (A6.4, opc1 = 0x00 .. 1x10).
  t32('VMLA_f32', '1110 1110 0 d:1 00 vn:4 vd:4 1010 n:1 0 m:1 0 vm:4', vmla),
  t32('VMLS_f32', '1110 1110 0 d:1 00 vn:4 vd:4 1010 n:1 1 m:1 0 vm:4', vmls),
  t32('VNMLS_f32', '1110 1110 0 d:1 01 vn:4 vd:4 1010 n:1 0 m:1 0 vm:4', vnmls),
  t32('VNMLA_f32', '1110 1110 0 d:1 01 vn:4 vd:4 1010 n:1 1 m:1 0 vm:4', vnmla),
  t32('VMUL_f32', '1110 1110 0 d:1 10 vn:4 vd:4 1010 n:1 0 m:1 0 vm:4', vmul),
  t32('VNMUL_f32', '1110 1110 0 d:1 10 vn:4 vd:4 1010 n:1 1 m:1 0 vm:4', vnmul),
  t32('VADD_f32', '1110 1110 0 d:1 11 vn:4 vd:4 1010 n:1 0 m:1 0 vm:4', vadd),
  t32('VSUB_f32', '1110 1110 0 d:1 11 vn:4 vd:4 1010 n:1 1 m:1 0 vm:4', vsub),
  t32('VDIV_f32', '1110 1110 1 d:1 00 vn:4 vd:4 1010 n:1 0 m:1 0 vm:4', vdiv),
  t32('VFNMS_f32', '1110 1110 1 d:1 01 vn:4 vd:4 1010 n:1 0 m:1 0 vm:4', vfnms),
  t32('VFNMA_f32', '1110 1110 1 d:1 01 vn:4 vd:4 1010 n:1 1 m:1 0 vm:4', vfnma),
  t32('VFMA_f32', '1110 1110 1 d:1 10 vn:4 vd:4 1010 n:1 0 m:1 0 vm:4', vfma),
  t32('VFMS_f32', '1110 1110 1 d:1 10 vn:4 vd:4 1010 n:1 1 m:1 0 vm:4', vfms),
  // Other data processing (opc1 = 1x11).
  t32('VMOV_imm_f32', `${OTHER} imm:4 vd:4 1010 0000 imm:4`, vmovImm),
  t32('VMOV_reg_f32', `${OTHER} 0000 vd:4 1010 01 m:1 0 vm:4`, vmovReg),
  t32('VABS_f32', `${OTHER} 0000 vd:4 1010 11 m:1 0 vm:4`, vabs),
  t32('VNEG_f32', `${OTHER} 0001 vd:4 1010 01 m:1 0 vm:4`, vneg),
  t32('VSQRT_f32', `${OTHER} 0001 vd:4 1010 11 m:1 0 vm:4`, vsqrt),
  t32('VCVTBT_f32_f16', `${OTHER} 0010 vd:4 1010 t:1 1 m:1 0 vm:4`, vcvtFromHalf),
  t32('VCVTBT_f16_f32', `${OTHER} 0011 vd:4 1010 t:1 1 m:1 0 vm:4`, vcvtToHalf),
  t32('VCMP_f32', `${OTHER} 0100 vd:4 1010 e:1 1 m:1 0 vm:4`, vcmp),
  t32('VCMP_f32_zero', `${OTHER} 0101 vd:4 1010 e:1 1 0 0 0000`, vcmpZero),
  t32('VCVT_f32_int', `${OTHER} 1000 vd:4 1010 s:1 1 m:1 0 vm:4`, vcvtFromInt),
  t32('VCVT_fixed_f32', `${OTHER} 1 op:1 1 u:1 vd:4 1010 sx:1 1 i:1 0 imm:4`, vcvtFixed),
  t32('VCVT_int_f32', `${OTHER} 110 s:1 vd:4 1010 rz:1 1 m:1 0 vm:4`, vcvtToInt),
  // Transfers between core and FP registers (A6.6, A6.7).
  t32('VMOV_core_single', '1110 1110 000 l:1 vn:4 rt:4 1010 n:1 001 0000', vmovCoreSingle),
  t32('VMRS_VMSR', '1110 1110 111 l:1 reg:4 rt:4 1010 0001 0000', vmrsVmsr),
  t32('VMOV_core_scalar', '1110 1110 00 x:1 l:1 vn:4 rt:4 1011 n:1 001 0000', vmovScalar),
  t32('VMOV_two_singles', '1110 1100 010 op:1 rt2:4 rt:4 1010 00 m:1 1 vm:4', vmovTwoSingles),
  t32('VMOV_doubleword', '1110 1100 010 op:1 rt2:4 rt:4 1011 00 m:1 1 vm:4', vmovDouble),
  // Loads and stores (A6.5).
  t32('VLDR_VSTR_f32', '1110 1101 u:1 d:1 0 l:1 rn:4 vd:4 1010 imm:8', vldrSingle),
  t32('VLDR_VSTR_f64', '1110 1101 u:1 d:1 0 l:1 rn:4 vd:4 1011 imm:8', vldrDouble),
  t32('VLDM_VSTM_IA_f32', '1110 1100 1 d:1 w:1 l:1 rn:4 vd:4 1010 imm:8', vldmSingleIA),
  t32('VLDM_VSTM_IA_f64', '1110 1100 1 d:1 w:1 l:1 rn:4 vd:4 1011 imm:8', vldmDoubleIA),
  t32('VLDM_VSTM_DB_f32', '1110 1101 0 d:1 w:1 l:1 rn:4 vd:4 1010 imm:8', vldmSingleDB),
  t32('VLDM_VSTM_DB_f64', '1110 1101 0 d:1 w:1 l:1 rn:4 vd:4 1011 imm:8', vldmDoubleDB),
  // Everything else in cp10/cp11 space.
  t32('VFP_other_cdp_mcr', '111 - 1110 ---- ---- ---- 101 - ---- ----', fpUndefinedHandler),
  t32('VFP_other_ldc_mcrr', '111 - 110 - ---- ---- ---- 101 - ---- ----', fpUndefinedHandler),
];
