/**
 * A32 media and miscellaneous data instructions (ARM DDI 0406C A5.2.6, A5.2.12, A5.4): saturating
 * add/subtract (QADD...), the 36 parallel add/subtract instructions, SEL, PKHBT/PKHTB, SSAT/USAT
 * and their halfword forms, the extends with and without add, REV/REV16/REVSH/RBIT, CLZ,
 * BFC/BFI/SBFX/UBFX and USAD8/USADA8. The arithmetic is dsp.ts's and alu.ts's, shared with T32.
 *
 * UNPREDICTABLE cases, as QEMU 7.2 decodes them: "should be 1111" fields must be 1111 (else
 * UNDEFINED); Rn = 1111 turns the extend-and-add forms into the plain extends and BFI into BFC;
 * Ra = 1111 turns USADA8 into USAD8; SBFX/UBFX with lsb + width > 32 and BFC/BFI with msb < lsb
 * are UNDEFINED; Rd = PC branches (writeA32Reg).
 */
import { encoding } from './decode-table.js';
import type { Encoding } from './decode-table.js';
import type { Handler } from './t16.js';
import { byteReverse, reverseBits, shifter, signedSat, unsignedSat } from './alu.js';
import {
  SIMD_SIGNED,
  SIMD_SIGNED_HALVING,
  SIMD_SIGNED_SAT,
  SIMD_UNSIGNED,
  SIMD_UNSIGNED_HALVING,
  SIMD_UNSIGNED_SAT,
  addHalves,
  addSub16,
  addSub8,
  saturateQ,
  selectBytes,
  signedSat16,
  simd,
  sumAbsDiff8,
  unsignedSat16,
} from './dsp.js';
import { writeA32Reg } from './a32-dataproc.js';

type Row = Encoding<Handler>;
const a32 = (name: string, pattern: string, exec: Handler): Row => encoding(name, 32, pattern, exec);
const bin3 = (n: number): string => n.toString(2).padStart(3, '0');

// ---- parallel add/subtract (A5.4.1, A5.4.2): op1 in bits 22:20, op2 in bits 7:5 -------------

/** op1 for each lane kind (dsp.ts's SIMD_* values are the T32 op2 numbering). */
const PARALLEL_KINDS = [
  { prefix: 'S', op1: 0b001, kind: SIMD_SIGNED },
  { prefix: 'Q', op1: 0b010, kind: SIMD_SIGNED_SAT },
  { prefix: 'SH', op1: 0b011, kind: SIMD_SIGNED_HALVING },
  { prefix: 'U', op1: 0b101, kind: SIMD_UNSIGNED },
  { prefix: 'UQ', op1: 0b110, kind: SIMD_UNSIGNED_SAT },
  { prefix: 'UH', op1: 0b111, kind: SIMD_UNSIGNED_HALVING },
];

const PARALLEL_OPS = [
  { name: 'ADD16', op2: 0b000, bytes: false, loSub: false, hiSub: false, exchange: false },
  { name: 'ASX', op2: 0b001, bytes: false, loSub: true, hiSub: false, exchange: true },
  { name: 'SAX', op2: 0b010, bytes: false, loSub: false, hiSub: true, exchange: true },
  { name: 'SUB16', op2: 0b011, bytes: false, loSub: true, hiSub: true, exchange: false },
  { name: 'ADD8', op2: 0b100, bytes: true, loSub: false, hiSub: false, exchange: false },
  { name: 'SUB8', op2: 0b111, bytes: true, loSub: true, hiSub: true, exchange: false },
];

function parallelRows(): Row[] {
  const rows: Row[] = [];
  for (const { prefix, op1, kind } of PARALLEL_KINDS) {
    // Only the modulo forms (S*, U*) write GE; the saturating and halving forms leave it alone.
    const setsGe = (kind & 3) === 0;
    for (const op of PARALLEL_OPS) {
      const { bytes, loSub, hiSub, exchange } = op;
      const exec: Handler = bytes
        ? (c, a) => {
            const v = addSub8(kind, c.r[a.rn]!, c.r[a.rm]!, loSub);
            if (setsGe) c.state.ge = simd.ge;
            writeA32Reg(c, a.rd, v);
          }
        : (c, a) => {
            const v = addSub16(kind, c.r[a.rn]!, c.r[a.rm]!, loSub, hiSub, exchange);
            if (setsGe) c.state.ge = simd.ge;
            writeA32Reg(c, a.rd, v);
          };
      rows.push(a32(prefix + op.name, `---- 0110 0 ${bin3(op1)} rn:4 rd:4 1111 ${bin3(op.op2)} 1 rm:4`, exec));
    }
  }
  return rows;
}

// ---- saturation (A5.4.3) ---------------------------------------------------------------------

/** SSAT/USAT: Rn shifted (LSL, or ASR with #0 meaning #32, whose result equals ASR #31). */
const saturate =
  (signed: boolean): Handler =>
  (c, a) => {
    const v = c.r[a.rn]!;
    const operand = a.sh === 1 ? v >> (a.imm === 0 ? 31 : a.imm) : v << a.imm;
    const res = signed ? signedSat(operand, a.sat + 1) : unsignedSat(operand, a.sat);
    if (shifter.carry !== 0) c.state.QF = 1;
    writeA32Reg(c, a.rd, res);
  };

// ---- extends (A5.4.3): Rn = 1111 is the plain extend, as QEMU's op_xta ------------------------

const rotate = (v: number, rot: number): number => (rot === 0 ? v : (v >>> (rot * 8)) | (v << (32 - rot * 8)));
const sxtb16 = (v: number): number => (((v << 24) >> 24) & 0xffff) | (((v << 8) >> 24) << 16);

const extend =
  (fn: (v: number) => number): Handler =>
  (c, a) =>
    writeA32Reg(c, a.rd, fn(rotate(c.r[a.rm]!, a.rot)));
const extendAdd =
  (fn: (v: number) => number, halves: boolean): Handler =>
  (c, a) => {
    const x = fn(rotate(c.r[a.rm]!, a.rot));
    writeA32Reg(c, a.rd, halves ? addHalves(c.r[a.rn]!, x) : (c.r[a.rn]! + x) | 0);
  };

/** One extend and its add form: op1 (bits 22:20) and the extension. */
const EXTENDS = [
  { name: 'SXTB16', op1: 0b000, fn: sxtb16, halves: true },
  { name: 'SXTB', op1: 0b010, fn: (v: number) => (v << 24) >> 24, halves: false },
  { name: 'SXTH', op1: 0b011, fn: (v: number) => (v << 16) >> 16, halves: false },
  { name: 'UXTB16', op1: 0b100, fn: (v: number) => v & 0x00ff00ff, halves: true },
  { name: 'UXTB', op1: 0b110, fn: (v: number) => v & 0xff, halves: false },
  { name: 'UXTH', op1: 0b111, fn: (v: number) => v & 0xffff, halves: false },
];

function extendRows(): Row[] {
  const rows: Row[] = [];
  for (const e of EXTENDS) {
    const op = `---- 0110 1 ${bin3(e.op1)}`;
    rows.push(a32(e.name, `${op} 1111 rd:4 rot:2 00 0111 rm:4`, extend(e.fn)));
    const addName = `${e.name.slice(0, 3)}A${e.name.slice(3)}`;
    rows.push(a32(addName, `${op} rn:4 rd:4 rot:2 00 0111 rm:4`, extendAdd(e.fn, e.halves)));
  }
  return rows;
}

/** REV16: the bytes of each halfword swapped. */
export const reverseHalfwordBytes = (v: number): number => ((v >>> 8) & 0x00ff00ff) | ((v & 0x00ff00ff) << 8);
/** REVSH: the low halfword's bytes swapped, sign-extended. */
export const reverseSignedHalfword = (v: number): number => (((v & 0xff) << 24) >> 16) | ((v >>> 8) & 0xff);

const reg1 =
  (fn: (v: number) => number): Handler =>
  (c, a) =>
    writeA32Reg(c, a.rd, fn(c.r[a.rm]!));

/** A mask of bits msb..lsb (msb >= lsb). */
const fieldMask = (msb: number, lsb: number): number => ((-1 >>> (31 - msb + lsb)) << lsb) | 0;

export const A32_MEDIA_ROWS: readonly Row[] = [
  // Saturating addition and subtraction (A5.2.6): Q from either saturation
  a32('QADD', '---- 0001 0000 rn:4 rd:4 0000 0101 rm:4', (c, a) => {
    writeA32Reg(c, a.rd, saturateQ(c.state, c.r[a.rm]! + c.r[a.rn]!));
  }),
  a32('QSUB', '---- 0001 0010 rn:4 rd:4 0000 0101 rm:4', (c, a) => {
    writeA32Reg(c, a.rd, saturateQ(c.state, c.r[a.rm]! - c.r[a.rn]!));
  }),
  a32('QDADD', '---- 0001 0100 rn:4 rd:4 0000 0101 rm:4', (c, a) => {
    writeA32Reg(c, a.rd, saturateQ(c.state, c.r[a.rm]! + saturateQ(c.state, 2 * c.r[a.rn]!)));
  }),
  a32('QDSUB', '---- 0001 0110 rn:4 rd:4 0000 0101 rm:4', (c, a) => {
    writeA32Reg(c, a.rd, saturateQ(c.state, c.r[a.rm]! - saturateQ(c.state, 2 * c.r[a.rn]!)));
  }),
  a32('CLZ', '---- 0001 0110 1111 rd:4 1111 0001 rm:4', reg1(Math.clz32)),

  ...parallelRows(),

  // Packing, unpacking, saturation and reversal (A5.4.3)
  a32('PKHBT', '---- 0110 1000 rn:4 rd:4 imm:5 0 01 rm:4', (c, a) => {
    writeA32Reg(c, a.rd, (c.r[a.rn]! & 0xffff) | ((c.r[a.rm]! << a.imm) & 0xffff0000));
  }),
  a32('PKHTB', '---- 0110 1000 rn:4 rd:4 imm:5 1 01 rm:4', (c, a) => {
    // ASR #0 encodes ASR #32, whose low halfword equals that of ASR #31.
    writeA32Reg(c, a.rd, (c.r[a.rn]! & 0xffff0000) | ((c.r[a.rm]! >> (a.imm === 0 ? 31 : a.imm)) & 0xffff));
  }),
  a32('SEL', '---- 0110 1000 rn:4 rd:4 1111 1011 rm:4', (c, a) => {
    writeA32Reg(c, a.rd, selectBytes(c.state.ge, c.r[a.rn]!, c.r[a.rm]!));
  }),
  a32('SSAT16', '---- 0110 1010 sat:4 rd:4 1111 0011 rn:4', (c, a) => {
    writeA32Reg(c, a.rd, signedSat16(c.state, c.r[a.rn]!, a.sat + 1));
  }),
  a32('USAT16', '---- 0110 1110 sat:4 rd:4 1111 0011 rn:4', (c, a) => {
    writeA32Reg(c, a.rd, unsignedSat16(c.state, c.r[a.rn]!, a.sat));
  }),
  a32('SSAT', '---- 0110 101 sat:5 rd:4 imm:5 sh:1 01 rn:4', saturate(true)),
  a32('USAT', '---- 0110 111 sat:5 rd:4 imm:5 sh:1 01 rn:4', saturate(false)),
  ...extendRows(),
  a32('REV', '---- 0110 1011 1111 rd:4 1111 0011 rm:4', reg1(byteReverse)),
  a32('REV16', '---- 0110 1011 1111 rd:4 1111 1011 rm:4', reg1(reverseHalfwordBytes)),
  a32('RBIT', '---- 0110 1111 1111 rd:4 1111 0011 rm:4', reg1(reverseBits)),
  a32('REVSH', '---- 0110 1111 1111 rd:4 1111 1011 rm:4', reg1(reverseSignedHalfword)),

  // USAD8/USADA8, bit-field operations (A5.4)
  a32('USAD8', '---- 0111 1000 rd:4 1111 rm:4 0001 rn:4', (c, a) => {
    writeA32Reg(c, a.rd, sumAbsDiff8(c.r[a.rn]!, c.r[a.rm]!));
  }),
  a32('USADA8', '---- 0111 1000 rd:4 ra:4 rm:4 0001 rn:4', (c, a) => {
    writeA32Reg(c, a.rd, (sumAbsDiff8(c.r[a.rn]!, c.r[a.rm]!) + c.r[a.ra]!) | 0);
  }),
  a32('SBFX', '---- 0111 101 wm1:5 rd:4 lsb:5 101 rn:4', (c, a) => {
    if (a.lsb + a.wm1 > 31) return c.undefined();
    const up = 31 - a.lsb - a.wm1;
    writeA32Reg(c, a.rd, (c.r[a.rn]! << up) >> (up + a.lsb));
  }),
  a32('UBFX', '---- 0111 111 wm1:5 rd:4 lsb:5 101 rn:4', (c, a) => {
    if (a.lsb + a.wm1 > 31) return c.undefined();
    const up = 31 - a.lsb - a.wm1;
    writeA32Reg(c, a.rd, (c.r[a.rn]! << up) >>> (up + a.lsb));
  }),
  a32('BFC', '---- 0111 110 msb:5 rd:4 lsb:5 001 1111', (c, a) => {
    if (a.msb < a.lsb) return c.undefined();
    writeA32Reg(c, a.rd, c.r[a.rd]! & ~fieldMask(a.msb, a.lsb));
  }),
  a32('BFI', '---- 0111 110 msb:5 rd:4 lsb:5 001 rn:4', (c, a) => {
    if (a.msb < a.lsb) return c.undefined();
    const mask = fieldMask(a.msb, a.lsb);
    writeA32Reg(c, a.rd, (c.r[a.rd]! & ~mask) | ((c.r[a.rn]! << a.lsb) & mask));
  }),
];
