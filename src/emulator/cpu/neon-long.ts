/**
 * Advanced SIMD "three registers of different lengths" (A7.4.2) and "two registers and a scalar"
 * (A7.4.3): long/wide add and subtract, narrowing high halves, long absolute differences, long
 * and saturating doubling multiplies, polynomial VMULL.P8, and the by-scalar multiplies.
 * 64-bit result lanes (from 32-bit sources) use BigInt; narrower ones stay on numbers.
 */
import type { Cpu } from './cpu.js';
import type { Handler } from './t16.js';
import { type NeonInsn, VD, VM, VN, dIndex, get64, readRegs, saturate, set64, writeRegs, FPSCR_QC } from './neon-vectors.js';
import { doublingHigh, standardEnv } from './neon-3same.js';
import { fpAddSub, fpMul } from './fpu/arith.js';

const enum Long {
  ADDL,
  ADDW,
  SUBL,
  SUBW,
  ABAL,
  ABDL,
  MLAL,
  MLSL,
  MULL,
  QDMLAL,
  QDMLSL,
  QDMULL,
  PMULL,
}

function sat64(c: Cpu, v: bigint): bigint {
  const maxV = (1n << 63n) - 1n;
  const minV = -(1n << 63n);
  if (v > maxV || v < minV) c.state.fpscr |= FPSCR_QC;
  return v > maxV ? maxV : v < minV ? minV : v;
}

function longLane(c: Cpu, kind: Long, x: number, y: number, acc: number, size: number): number {
  const wide = size + 1;
  switch (kind) {
    case Long.ADDL:
    case Long.ADDW:
      return x + y;
    case Long.SUBL:
    case Long.SUBW:
      return x - y;
    case Long.ABAL:
      return acc + Math.abs(x - y);
    case Long.ABDL:
      return Math.abs(x - y);
    case Long.MLAL:
      return acc + x * y;
    case Long.MLSL:
      return acc - x * y;
    case Long.MULL:
      return x * y;
    case Long.QDMLAL:
      return saturate(c, acc + saturate(c, 2 * x * y, wide, false), wide, false);
    case Long.QDMLSL:
      return saturate(c, acc - saturate(c, 2 * x * y, wide, false), wide, false);
    case Long.QDMULL:
      return saturate(c, 2 * x * y, wide, false);
    default: {
      let r = 0;
      for (let i = 0; i < 8; i++) if ((y >>> i) & 1) r ^= (x & 0xff) << i;
      return r;
    }
  }
}

function longLane64(c: Cpu, kind: Long, x: bigint, y: bigint, acc: bigint): bigint {
  switch (kind) {
    case Long.ADDL:
    case Long.ADDW:
      return x + y;
    case Long.SUBL:
    case Long.SUBW:
      return x - y;
    case Long.ABAL:
      return acc + (x > y ? x - y : y - x);
    case Long.ABDL:
      return x > y ? x - y : y - x;
    case Long.MLAL:
      return acc + x * y;
    case Long.MLSL:
      return acc - x * y;
    case Long.MULL:
      return x * y;
    case Long.QDMLAL:
      return sat64(c, acc + sat64(c, 2n * x * y));
    case Long.QDMLSL:
      return sat64(c, acc - sat64(c, 2n * x * y));
    default:
      return sat64(c, 2n * x * y);
  }
}

const ACCUMULATES = (k: Long): boolean => k === Long.ABAL || k === Long.MLAL || k === Long.MLSL || k === Long.QDMLAL || k === Long.QDMLSL;
const SIGNED_ONLY = (k: Long): boolean => k === Long.QDMLAL || k === Long.QDMLSL || k === Long.QDMULL;

/**
 * Dd-sized operands into a Qd result. `scalar` takes Vm's lane `index` for every element.
 * ADDW/SUBW read Vn as the wide (Q) operand.
 */
function longOp(kind: Long, scalar: boolean): Handler {
  return (c, a) => {
    const size = a.size;
    const d = dIndex(a.vd, a.d);
    const wideN = kind === Long.ADDW || kind === Long.SUBW;
    const n = dIndex(a.vn, a.n);
    if (size === 3 || (d & 1) !== 0 || (wideN && (n & 1) !== 0)) return c.undefined();
    if (SIGNED_ONLY(kind) && (a.u === 1 || size === 0)) return c.undefined();
    if (kind === Long.PMULL && (a.u === 1 || size !== 0)) return c.undefined();
    if (scalar && size === 0) return c.undefined();
    if (!c.fpCheck()) return;
    const uns = a.u === 1;
    readRegs(c, n, wideN ? 4 : 2, VN);
    let mReg: number;
    let index = -1;
    if (scalar) {
      mReg = size === 1 ? a.vm & 7 : a.vm;
      index = size === 1 ? (a.m << 1) | (a.vm >>> 3) : a.m;
    } else mReg = dIndex(a.vm, a.m);
    readRegs(c, mReg, 2, VM);
    readRegs(c, d, 4, VD);
    const lanes = 8 >> size;
    const acc = ACCUMULATES(kind);
    for (let i = 0; i < lanes; i++) {
      const mi = index >= 0 ? index : i;
      if (size === 2) {
        const x = wideN ? get64(VN, i, uns) : BigInt(VN.get(2, i, uns));
        const y = BigInt(VM.get(2, mi, uns));
        set64(VD, i, longLane64(c, kind, x, y, acc ? get64(VD, i, uns) : 0n));
      } else {
        const x = wideN ? VN.get(size + 1, i, uns) : VN.get(size, i, uns);
        const y = VM.get(size, mi, uns);
        VD.set(size + 1, i, longLane(c, kind, x, y, acc ? VD.get(size + 1, i, uns) : 0, size));
      }
    }
    writeRegs(c, d, 4, VD);
  };
}

/** VADDHN/VRADDHN/VSUBHN/VRSUBHN: Qn +- Qm, the high half of each lane (rounded) into Dd. */
function narrowHigh(subtract: boolean): Handler {
  return (c, a) => {
    const size = a.size;
    const n = dIndex(a.vn, a.n);
    const m = dIndex(a.vm, a.m);
    if (size === 3 || ((n | m) & 1) !== 0) return c.undefined();
    if (!c.fpCheck()) return;
    const round = a.u === 1;
    readRegs(c, n, 4, VN);
    readRegs(c, m, 4, VM);
    const lanes = 8 >> size;
    const esize = 8 << size;
    for (let i = 0; i < lanes; i++) {
      if (size === 2) {
        let v = subtract ? get64(VN, i, true) - get64(VM, i, true) : get64(VN, i, true) + get64(VM, i, true);
        if (round) v += 1n << 31n;
        VD.i32[i] = Number(BigInt.asIntN(32, v >> 32n));
      } else {
        const x = VN.get(size + 1, i, true);
        const y = VM.get(size + 1, i, true);
        let v = subtract ? x - y : x + y;
        if (round) v += 2 ** (esize - 1);
        VD.set(size, i, Math.floor(v / 2 ** esize));
      }
    }
    writeRegs(c, dIndex(a.vd, a.d), 2, VD);
  };
}

// ---- by scalar, same length ---------------------------------------------------------------------

const enum ByScalar {
  MLA,
  MLS,
  MUL,
  QDMULH,
  QRDMULH,
}

/** VMLA/VMLS/VMUL (integer or float), VQDMULH/VQRDMULH by a scalar; U is Q here. */
function byScalar(kind: ByScalar, float: boolean): Handler {
  return (c, a) => {
    const size = a.size;
    const q = a.u;
    const d = dIndex(a.vd, a.d);
    const n = dIndex(a.vn, a.n);
    if (size === 0 || size === 3 || (float && size !== 2)) return c.undefined();
    if (q === 1 && ((d | n) & 1) !== 0) return c.undefined();
    if (!c.fpCheck()) return;
    const mReg = size === 1 ? a.vm & 7 : a.vm;
    const index = size === 1 ? (a.m << 1) | (a.vm >>> 3) : a.m;
    const words = 2 << q;
    readRegs(c, n, words, VN);
    readRegs(c, mReg, 2, VM);
    readRegs(c, d, words, VD);
    const lanes = (8 << q) >> size;
    if (float) {
      const e = standardEnv(c);
      const y = VM.i32[index]!;
      for (let i = 0; i < lanes; i++) {
        const p = fpMul(e, VN.i32[i]!, y);
        VD.i32[i] = kind === ByScalar.MUL ? p : fpAddSub(e, VD.i32[i]!, p, kind === ByScalar.MLS);
      }
      c.state.fpscr |= e.flags;
    } else {
      const y = VM.get(size, index, false);
      for (let i = 0; i < lanes; i++) {
        const x = VN.get(size, i, false);
        let r: number;
        switch (kind) {
          case ByScalar.MLA:
            r = VD.get(size, i, false) + Math.imul(x, y);
            break;
          case ByScalar.MLS:
            r = VD.get(size, i, false) - Math.imul(x, y);
            break;
          case ByScalar.MUL:
            r = Math.imul(x, y);
            break;
          case ByScalar.QDMULH:
            r = doublingHigh(c, x, y, size, false);
            break;
          default:
            r = doublingHigh(c, x, y, size, true);
        }
        VD.set(size, i, r | 0);
      }
    }
    writeRegs(c, d, words, VD);
  };
}

const D3 = (opc: string): string => `1 d:1 size:2 vn:4 vd:4 ${opc} n:1 0 m:1 0 vm:4`;
const SC = (opc: string): string => `1 d:1 size:2 vn:4 vd:4 ${opc} n:1 1 m:1 0 vm:4`;

/** Size 11 in these spaces is VEXT / two-register-misc / VTBL / VDUP: those rows come first. */
export const NEON_LONG: readonly NeonInsn[] = [
  { name: 'VADDL', u: 'u:1', low24: D3('0000'), exec: longOp(Long.ADDL, false) },
  { name: 'VADDW', u: 'u:1', low24: D3('0001'), exec: longOp(Long.ADDW, false) },
  { name: 'VSUBL', u: 'u:1', low24: D3('0010'), exec: longOp(Long.SUBL, false) },
  { name: 'VSUBW', u: 'u:1', low24: D3('0011'), exec: longOp(Long.SUBW, false) },
  { name: 'VADDHN', u: 'u:1', low24: D3('0100'), exec: narrowHigh(false) },
  { name: 'VABAL', u: 'u:1', low24: D3('0101'), exec: longOp(Long.ABAL, false) },
  { name: 'VSUBHN', u: 'u:1', low24: D3('0110'), exec: narrowHigh(true) },
  { name: 'VABDL', u: 'u:1', low24: D3('0111'), exec: longOp(Long.ABDL, false) },
  { name: 'VMLAL', u: 'u:1', low24: D3('1000'), exec: longOp(Long.MLAL, false) },
  { name: 'VQDMLAL', u: 'u:1', low24: D3('1001'), exec: longOp(Long.QDMLAL, false) },
  { name: 'VMLSL', u: 'u:1', low24: D3('1010'), exec: longOp(Long.MLSL, false) },
  { name: 'VQDMLSL', u: 'u:1', low24: D3('1011'), exec: longOp(Long.QDMLSL, false) },
  { name: 'VMULL', u: 'u:1', low24: D3('1100'), exec: longOp(Long.MULL, false) },
  { name: 'VQDMULL', u: 'u:1', low24: D3('1101'), exec: longOp(Long.QDMULL, false) },
  { name: 'VMULL_p8', u: 'u:1', low24: D3('1110'), exec: longOp(Long.PMULL, false) },
  { name: 'VMLA_scalar', u: 'u:1', low24: SC('0000'), exec: byScalar(ByScalar.MLA, false) },
  { name: 'VMLA_scalar_f32', u: 'u:1', low24: SC('0001'), exec: byScalar(ByScalar.MLA, true) },
  { name: 'VMLAL_scalar', u: 'u:1', low24: SC('0010'), exec: longOp(Long.MLAL, true) },
  { name: 'VQDMLAL_scalar', u: 'u:1', low24: SC('0011'), exec: longOp(Long.QDMLAL, true) },
  { name: 'VMLS_scalar', u: 'u:1', low24: SC('0100'), exec: byScalar(ByScalar.MLS, false) },
  { name: 'VMLS_scalar_f32', u: 'u:1', low24: SC('0101'), exec: byScalar(ByScalar.MLS, true) },
  { name: 'VMLSL_scalar', u: 'u:1', low24: SC('0110'), exec: longOp(Long.MLSL, true) },
  { name: 'VQDMLSL_scalar', u: 'u:1', low24: SC('0111'), exec: longOp(Long.QDMLSL, true) },
  { name: 'VMUL_scalar', u: 'u:1', low24: SC('1000'), exec: byScalar(ByScalar.MUL, false) },
  { name: 'VMUL_scalar_f32', u: 'u:1', low24: SC('1001'), exec: byScalar(ByScalar.MUL, true) },
  { name: 'VMULL_scalar', u: 'u:1', low24: SC('1010'), exec: longOp(Long.MULL, true) },
  { name: 'VQDMULL_scalar', u: 'u:1', low24: SC('1011'), exec: longOp(Long.QDMULL, true) },
  { name: 'VQDMULH_scalar', u: 'u:1', low24: SC('1100'), exec: byScalar(ByScalar.QDMULH, false) },
  { name: 'VQRDMULH_scalar', u: 'u:1', low24: SC('1101'), exec: byScalar(ByScalar.QRDMULH, false) },
];
