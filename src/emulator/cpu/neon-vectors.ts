/**
 * Advanced SIMD operand access: preallocated scratch vectors (32 bytes, typed views of every lane
 * size on one buffer; the host is little-endian like the guest's lane order), copying D/Q registers
 * in and out of the FP file (d<n> = s[2n] low : s[2n+1] high), lane reads by size and signedness,
 * saturation with FPSCR.QC, and the one-definition A32/T32 row builder.
 */
import type { Cpu } from './cpu.js';
import { encoding } from './decode-table.js';
import type { Encoding } from './decode-table.js';
import type { Handler } from './t16.js';

export class Vec {
  readonly i32 = new Int32Array(8);
  readonly u32 = new Uint32Array(this.i32.buffer);
  readonly i16 = new Int16Array(this.i32.buffer);
  readonly u16 = new Uint16Array(this.i32.buffer);
  readonly i8 = new Int8Array(this.i32.buffer);
  readonly u8 = new Uint8Array(this.i32.buffer);

  /** Lane i of `size` (0 = 8 ... 2 = 32 bits), sign- or zero-extended. */
  get(size: number, i: number, unsigned: boolean): number {
    switch (size) {
      case 0:
        return unsigned ? this.u8[i]! : this.i8[i]!;
      case 1:
        return unsigned ? this.u16[i]! : this.i16[i]!;
      default:
        return unsigned ? this.u32[i]! : this.i32[i]!;
    }
  }
  /** Write lane i (the value is truncated to the lane). */
  set(size: number, i: number, v: number): void {
    switch (size) {
      case 0:
        this.u8[i] = v;
        break;
      case 1:
        this.u16[i] = v;
        break;
      default:
        this.i32[i] = v;
    }
  }
  clear(): void {
    this.i32.fill(0);
  }
}

/** Scratch operands and result (one instruction at a time). */
export const VN = new Vec();
export const VM = new Vec();
export const VD = new Vec();
export const VT = new Vec();

/** D register number D:Vd from its two fields. */
export const dIndex = (v: number, x: number): number => (x << 4) | v;

/** Copy `words` 32-bit words of the FP file from d<reg> into `v` (from word 0, or `at`). */
export function readRegs(c: Cpu, reg: number, words: number, v: Vec, at = 0): void {
  const s = c.state.s;
  const base = 2 * reg;
  for (let i = 0; i < words; i++) v.i32[at + i] = s[(base + i) & 63]!;
}
export function writeRegs(c: Cpu, reg: number, words: number, v: Vec, at = 0): void {
  const s = c.state.s;
  const base = 2 * reg;
  for (let i = 0; i < words; i++) s[(base + i) & 63] = v.i32[at + i]!;
}

/** FPSCR.QC: cumulative saturation. */
export const FPSCR_QC = 1 << 27;

/** Saturate to a signed (or unsigned) lane of `size`; sets QC when it clips. */
export function saturate(c: Cpu, v: number, size: number, unsigned: boolean): number {
  const bits = 8 << size;
  let min: number;
  let max: number;
  if (unsigned) {
    min = 0;
    max = 2 ** bits - 1;
  } else {
    max = 2 ** (bits - 1) - 1;
    min = -max - 1;
  }
  if (v > max) {
    c.state.fpscr |= FPSCR_QC;
    return max;
  }
  if (v < min) {
    c.state.fpscr |= FPSCR_QC;
    return min;
  }
  return v;
}

type Row = Encoding<Handler>;

/** One Advanced SIMD instruction, written once. */
export interface NeonInsn {
  readonly name: string;
  /** Data processing: bits 23:0, with the U bit given separately; loads/stores: bits 23:0. */
  readonly low24: string;
  /** Data processing only: U as `u:1`, `0` or `1` (A32 bit 24, T32 bit 28). */
  readonly u?: string;
  readonly exec: Handler;
}

/** A32 `1111 001U` / T32 `111U 1111` (data processing); A32 `1111 0100` / T32 `1111 1001` (loads/stores). */
export function neonRows(list: readonly NeonInsn[], isa: 'a32' | 't32'): Row[] {
  return list.map((i) => {
    let top: string;
    if (i.u === undefined) top = isa === 'a32' ? '1111 0100' : '1111 1001';
    else top = isa === 'a32' ? `1111 001 ${i.u}` : `111 ${i.u} 1111`;
    return encoding(i.name, 32, `${top} ${i.low24}`, i.exec);
  });
}

/**
 * Q forms need even register numbers: `regs` is the OR of the D register numbers involved.
 * Returns false (UNDEF raised) when one is odd.
 */
export function evenForQ(c: Cpu, q: number, regs: number): boolean {
  if (q === 1 && (regs & 1) !== 0) {
    c.undefined();
    return false;
  }
  return true;
}

/** Lanes of `size` in D (q = 0) or Q (q = 1). */
export const laneCount = (q: number, size: number): number => (8 << q) >> size;

/** A 64-bit lane (lanes 0..3 of a 32-byte vector) as a BigInt (rare 64-bit element operations). */
export function get64(v: Vec, i: number, unsigned: boolean): bigint {
  const lo = BigInt(v.u32[2 * i]!);
  const hi = unsigned ? BigInt(v.u32[2 * i + 1]!) : BigInt(v.i32[2 * i + 1]!);
  return (hi << 32n) | lo;
}
export function set64(v: Vec, i: number, x: bigint): void {
  v.u32[2 * i] = Number(BigInt.asUintN(32, x));
  v.u32[2 * i + 1] = Number(BigInt.asUintN(32, x >> 32n));
}
