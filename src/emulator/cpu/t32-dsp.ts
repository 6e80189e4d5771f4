/**
 * ARMv7E-M DSP extension encodings (Cortex-M4 only; ARM DDI 0403 A5.3.3, A5.3.11-A5.3.17). On
 * the M3 these encodings are UNDEFINED, so they live in their own table that only the M4 decode
 * table includes (in front of the M3 rows: first match wins).
 *
 * Rows: the 36 parallel add/subtract instructions, QADD/QSUB/QDADD/QDSUB, SEL, SSAT16/USAT16,
 * PKHBT/PKHTB, the extend-and-add forms (SXTAB... and SXTB16/UXTB16), the halfword and dual 16-bit
 * multiplies, SMMUL/SMMLA/SMMLS, USAD8/USADA8, SMLALxy/SMLALD/SMLSLD and UMAAL (which QEMU also
 * puts under the Thumb DSP feature). Where an accumulator field of 1111 selects another instruction
 * (SMULxy vs SMLAxy...), the 1111 row comes first.
 */
import type { Cpu } from './cpu.js';
import { encoding } from './decode-table.js';
import type { Encoding, Fields } from './decode-table.js';
import type { Handler } from './t16.js';
import { add64, mulU64, wide } from './alu.js';
import { storeLongResult } from './t32-dataproc.js';
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
  dual,
  dualProducts,
  half,
  mostSignificantWord,
  mostSignificantWordSubtract,
  mulWordByHalf,
  overflowQ,
  saturateQ,
  selectBytes,
  signedSat16,
  simd,
  sumAbsDiff8,
  unsignedSat16,
} from './dsp.js';

type Row = Encoding<Handler>;
const t32 = (name: string, pattern: string, exec: Handler): Row => encoding(name, 32, pattern, exec);
const bin = (n: number, width: number): string => n.toString(2).padStart(width, '0');

// ---- parallel add/subtract (A5.3.13, A5.3.14) ------------------------------------------------

const PARALLEL_KINDS = [
  { prefix: 'S', kind: SIMD_SIGNED },
  { prefix: 'Q', kind: SIMD_SIGNED_SAT },
  { prefix: 'SH', kind: SIMD_SIGNED_HALVING },
  { prefix: 'U', kind: SIMD_UNSIGNED },
  { prefix: 'UQ', kind: SIMD_UNSIGNED_SAT },
  { prefix: 'UH', kind: SIMD_UNSIGNED_HALVING },
];

/** op1 (hw1 bits 6:4) and what each lane does; `exchange` pairs each Rn half with the other Rm half. */
const PARALLEL_OPS = [
  { name: 'ADD16', op1: 0b001, bytes: false, loSub: false, hiSub: false, exchange: false },
  { name: 'ASX', op1: 0b010, bytes: false, loSub: true, hiSub: false, exchange: true },
  { name: 'SAX', op1: 0b110, bytes: false, loSub: false, hiSub: true, exchange: true },
  { name: 'SUB16', op1: 0b101, bytes: false, loSub: true, hiSub: true, exchange: false },
  { name: 'ADD8', op1: 0b000, bytes: true, loSub: false, hiSub: false, exchange: false },
  { name: 'SUB8', op1: 0b100, bytes: true, loSub: true, hiSub: true, exchange: false },
];

function parallelRows(): Row[] {
  const rows: Row[] = [];
  for (const { prefix, kind } of PARALLEL_KINDS) {
    // Only the modulo forms (S*, U*) write GE; the saturating and halving forms leave it alone.
    const setsGe = (kind & 3) === 0;
    for (const op of PARALLEL_OPS) {
      const { bytes, loSub, hiSub, exchange } = op;
      const exec: Handler = bytes
        ? (c, a) => {
            c.storeReg(a.rd, addSub8(kind, c.r[a.rn]!, c.r[a.rm]!, loSub));
            if (setsGe) c.state.ge = simd.ge;
          }
        : (c, a) => {
            c.storeReg(a.rd, addSub16(kind, c.r[a.rn]!, c.r[a.rm]!, loSub, hiSub, exchange));
            if (setsGe) c.state.ge = simd.ge;
          };
      rows.push(t32(prefix + op.name, `1111 1010 1 ${bin(op.op1, 3)} rn:4 1111 rd:4 0 ${bin(kind, 3)} rm:4`, exec));
    }
  }
  return rows;
}

// ---- extend and add (A5.3.12): Rn = 1111 is the plain extend, as in QEMU's op_xta -----------

const rotate = (v: number, rot: number): number => (rot === 0 ? v : (v >>> (rot * 8)) | (v << (32 - rot * 8)));

/** `extend` maps the rotated Rm to the extended value; `halves` adds per halfword (the *16 forms). */
const extendAdd =
  (extend: (v: number) => number, halves: boolean): Handler =>
  (c, a) => {
    const x = extend(rotate(c.r[a.rm]!, a.rot));
    if (a.rn === 15) c.storeReg(a.rd, x);
    else c.storeReg(a.rd, halves ? addHalves(c.r[a.rn]!, x) : (c.r[a.rn]! + x) | 0);
  };

const sxtb16 = (v: number): number => (((v << 24) >> 24) & 0xffff) | (((v << 8) >> 24) << 16);

// ---- multiplies (A5.3.16, A5.3.17) ------------------------------------------------------------

/** SMULxy / SMLAxy: `acc` adds Ra and sets Q on overflow. */
const mulHalves =
  (acc: boolean): Handler =>
  (c, a) => {
    const p = half(c.r[a.rn]!, a.nt) * half(c.r[a.rm]!, a.mt);
    c.storeReg(a.rd, acc ? overflowQ(c.state, p + c.r[a.ra]!) : p);
  };

/** SMUAD/SMLAD (`sub` false) and SMUSD/SMLSD; `acc` adds Ra. Q on overflow of the exact sum. */
const dualMultiply =
  (sub: boolean, acc: boolean): Handler =>
  (c, a) => {
    dualProducts(c.r[a.rn]!, c.r[a.rm]!, a.x);
    let v = sub ? dual.lo - dual.hi : dual.lo + dual.hi;
    if (acc) v += c.r[a.ra]!;
    c.storeReg(a.rd, overflowQ(c.state, v));
  };

/** RdHi:RdLo += a signed value below 2^32 in magnitude (sign-extended to 64 bits). */
function accumulateLong(c: Cpu, a: Fields, v: number): void {
  const r = c.r;
  wide.lo = v | 0;
  wide.hi = v < 0 ? -1 : 0;
  add64(r[a.rdlo]!, r[a.rdhi]!);
  storeLongResult(c, a);
}

/** SMLALD / SMLSLD: the two products' sum or difference added into RdHi:RdLo. */
const dualMultiplyLong =
  (sub: boolean): Handler =>
  (c, a) => {
    dualProducts(c.r[a.rn]!, c.r[a.rm]!, a.x);
    accumulateLong(c, a, sub ? dual.lo - dual.hi : dual.lo + dual.hi);
  };

/** SMMUL/SMMLA: the top word of Rn*Rm (+ Ra << 32), rounded when `r` is set. */
const mostSignificantMultiply =
  (acc: boolean): Handler =>
  (c, a) => {
    c.storeReg(a.rd, mostSignificantWord(c.r[a.rn]!, c.r[a.rm]!, acc ? c.r[a.ra]! : 0, a.r));
  };

/** SMMLS: the top word of (Ra << 32) - Rn*Rm, rounded when `r` is set. */
const smmls: Handler = (c, a) => {
  c.storeReg(a.rd, mostSignificantWordSubtract(c.r[a.rn]!, c.r[a.rm]!, c.r[a.ra]!, a.r));
};

export const T32_DSP_ROWS: readonly Row[] = [
  ...parallelRows(),

  // Saturating add/subtract and SEL (miscellaneous operations, A5.3.15)
  t32('QADD', '1111 1010 1000 rn:4 1111 rd:4 1000 rm:4', (c, a) => {
    c.storeReg(a.rd, saturateQ(c.state, c.r[a.rm]! + c.r[a.rn]!));
  }),
  t32('QDADD', '1111 1010 1000 rn:4 1111 rd:4 1001 rm:4', (c, a) => {
    c.storeReg(a.rd, saturateQ(c.state, c.r[a.rm]! + saturateQ(c.state, 2 * c.r[a.rn]!)));
  }),
  t32('QSUB', '1111 1010 1000 rn:4 1111 rd:4 1010 rm:4', (c, a) => {
    c.storeReg(a.rd, saturateQ(c.state, c.r[a.rm]! - c.r[a.rn]!));
  }),
  t32('QDSUB', '1111 1010 1000 rn:4 1111 rd:4 1011 rm:4', (c, a) => {
    c.storeReg(a.rd, saturateQ(c.state, c.r[a.rm]! - saturateQ(c.state, 2 * c.r[a.rn]!)));
  }),
  t32('SEL', '1111 1010 1010 rn:4 1111 rd:4 1000 rm:4', (c, a) => {
    c.storeReg(a.rd, selectBytes(c.state.ge, c.r[a.rn]!, c.r[a.rm]!));
  }),

  // Halfword saturation (the shift-free encodings of SSAT/USAT with sh=1)
  t32('SSAT16', '11110 0 11 00 1 0 rn:4 0 000 rd:4 00 0 sat:5', (c, a) => {
    c.storeReg(a.rd, signedSat16(c.state, c.r[a.rn]!, a.sat + 1));
  }),
  t32('USAT16', '11110 0 11 10 1 0 rn:4 0 000 rd:4 00 0 sat:5', (c, a) => {
    c.storeReg(a.rd, unsignedSat16(c.state, c.r[a.rn]!, a.sat));
  }),

  // Pack halfword (shifted-register data processing, op 0110)
  t32('PKHBT', '1110101 0110 0 rn:4 0 imm:3 rd:4 imm:2 0 0 rm:4', (c, a) => {
    c.storeReg(a.rd, (c.r[a.rn]! & 0xffff) | ((c.r[a.rm]! << a.imm) & 0xffff0000));
  }),
  t32('PKHTB', '1110101 0110 0 rn:4 0 imm:3 rd:4 imm:2 1 0 rm:4', (c, a) => {
    // ASR #0 encodes ASR #32, whose low halfword equals that of ASR #31.
    c.storeReg(a.rd, (c.r[a.rn]! & 0xffff0000) | ((c.r[a.rm]! >> (a.imm === 0 ? 31 : a.imm)) & 0xffff));
  }),

  // Extend and add (Rn = 1111: SXTB16/UXTB16 here; SXTB/SXTH/UXTB/UXTH are also M3 rows)
  t32('SXTAH', '1111 1010 0000 rn:4 1111 rd:4 10 rot:2 rm:4', extendAdd((v) => (v << 16) >> 16, false)),
  t32('UXTAH', '1111 1010 0001 rn:4 1111 rd:4 10 rot:2 rm:4', extendAdd((v) => v & 0xffff, false)),
  t32('SXTAB16', '1111 1010 0010 rn:4 1111 rd:4 10 rot:2 rm:4', extendAdd(sxtb16, true)),
  t32('UXTAB16', '1111 1010 0011 rn:4 1111 rd:4 10 rot:2 rm:4', extendAdd((v) => v & 0x00ff00ff, true)),
  t32('SXTAB', '1111 1010 0100 rn:4 1111 rd:4 10 rot:2 rm:4', extendAdd((v) => (v << 24) >> 24, false)),
  t32('UXTAB', '1111 1010 0101 rn:4 1111 rd:4 10 rot:2 rm:4', extendAdd((v) => v & 0xff, false)),

  // Multiply, multiply accumulate (op1 001-111 of A5.3.16)
  t32('SMULxy', '1111 1011 0001 rn:4 1111 rd:4 00 nt:1 mt:1 rm:4', mulHalves(false)),
  t32('SMLAxy', '1111 1011 0001 rn:4 ra:4 rd:4 00 nt:1 mt:1 rm:4', mulHalves(true)),
  t32('SMUAD', '1111 1011 0010 rn:4 1111 rd:4 000 x:1 rm:4', dualMultiply(false, false)),
  t32('SMLAD', '1111 1011 0010 rn:4 ra:4 rd:4 000 x:1 rm:4', dualMultiply(false, true)),
  t32('SMULWy', '1111 1011 0011 rn:4 1111 rd:4 000 mt:1 rm:4', (c, a) => {
    c.storeReg(a.rd, mulWordByHalf(c.r[a.rn]!, c.r[a.rm]!, a.mt));
  }),
  t32('SMLAWy', '1111 1011 0011 rn:4 ra:4 rd:4 000 mt:1 rm:4', (c, a) => {
    c.storeReg(a.rd, overflowQ(c.state, mulWordByHalf(c.r[a.rn]!, c.r[a.rm]!, a.mt) + c.r[a.ra]!));
  }),
  t32('SMUSD', '1111 1011 0100 rn:4 1111 rd:4 000 x:1 rm:4', dualMultiply(true, false)),
  t32('SMLSD', '1111 1011 0100 rn:4 ra:4 rd:4 000 x:1 rm:4', dualMultiply(true, true)),
  t32('SMMUL', '1111 1011 0101 rn:4 1111 rd:4 000 r:1 rm:4', mostSignificantMultiply(false)),
  t32('SMMLA', '1111 1011 0101 rn:4 ra:4 rd:4 000 r:1 rm:4', mostSignificantMultiply(true)),
  // Ra = 1111 is UNPREDICTABLE for SMMLS; QEMU then leaves out the accumulate (an SMMUL).
  t32('SMMLS_ra15', '1111 1011 0110 rn:4 1111 rd:4 000 r:1 rm:4', mostSignificantMultiply(false)),
  t32('SMMLS', '1111 1011 0110 rn:4 ra:4 rd:4 000 r:1 rm:4', smmls),
  t32('USAD8', '1111 1011 0111 rn:4 1111 rd:4 0000 rm:4', (c, a) => {
    c.storeReg(a.rd, sumAbsDiff8(c.r[a.rn]!, c.r[a.rm]!));
  }),
  t32('USADA8', '1111 1011 0111 rn:4 ra:4 rd:4 0000 rm:4', (c, a) => {
    c.storeReg(a.rd, (sumAbsDiff8(c.r[a.rn]!, c.r[a.rm]!) + c.r[a.ra]!) | 0);
  }),

  // Long multiply accumulate (A5.3.17)
  t32('SMLALxy', '1111 1011 1100 rn:4 rdlo:4 rdhi:4 10 nt:1 mt:1 rm:4', (c, a) => {
    accumulateLong(c, a, half(c.r[a.rn]!, a.nt) * half(c.r[a.rm]!, a.mt));
  }),
  t32('SMLALD', '1111 1011 1100 rn:4 rdlo:4 rdhi:4 110 x:1 rm:4', dualMultiplyLong(false)),
  t32('SMLSLD', '1111 1011 1101 rn:4 rdlo:4 rdhi:4 110 x:1 rm:4', dualMultiplyLong(true)),
  t32('UMAAL', '1111 1011 1110 rn:4 rdlo:4 rdhi:4 0110 rm:4', (c, a) => {
    const r = c.r;
    const lo = r[a.rdlo]!;
    const hi = r[a.rdhi]!;
    mulU64(r[a.rn]!, r[a.rm]!);
    add64(lo, 0);
    add64(hi, 0);
    storeLongResult(c, a);
  }),
];
