/**
 * A32 multiplies and divides (ARM DDI 0406C A5.2.5, A5.2.7, A5.4.4): MUL/MLA/MLS, the 64-bit
 * multiplies and UMAAL, the halfword multiplies (SMLA<x><y>, SMLAW<y>, SMULW<y>, SMLAL<x><y>,
 * SMUL<x><y>), the dual 16-bit multiplies, SMMUL/SMMLA/SMMLS and SDIV/UDIV. The arithmetic is
 * dsp.ts's, shared with the Cortex-M4's T32 rows.
 *
 * UNPREDICTABLE cases, as QEMU 7.2 decodes them: fields the ARM ARM calls "should be 0000" (Ra of
 * MUL, SMULW<y>, SMUL<x><y>) must be 0000, else UNDEFINED; Ra = 1111 turns SMLAD/SMLSD into
 * SMUAD/SMUSD and SMMLA/SMMLS into SMMUL (no accumulate); RdLo = RdHi keeps RdHi (written last);
 * Rd = PC branches (writeA32Reg).
 *
 * SDIV/UDIV exist on the Cortex-A15 but not on the A9: they are in A32_MULTIPLY_ROWS and also in
 * A32_DIVIDE_ROWS, so a core without them can leave those rows out. Division by zero gives 0 (no
 * trap on A-profile), INT_MIN / -1 gives INT_MIN.
 */
import type { Cpu } from './cpu.js';
import { encoding } from './decode-table.js';
import type { Encoding, Fields } from './decode-table.js';
import type { Handler } from './t16.js';
import { add64, mulS64, mulU64, wide } from './alu.js';
import {
  dual,
  dualProducts,
  half,
  mostSignificantWord,
  mostSignificantWordSubtract,
  mulWordByHalf,
  overflowQ,
} from './dsp.js';
import { writeA32Reg } from './a32-dataproc.js';

type Row = Encoding<Handler>;
const a32 = (name: string, pattern: string, exec: Handler): Row => encoding(name, 32, pattern, exec);

/** RdLo then RdHi from `wide`, with the 64-bit N and Z when `s` is set. */
function writeLong(c: Cpu, a: Fields, s: number): void {
  if (s !== 0) {
    const st = c.state;
    st.NF = wide.hi;
    st.ZF = wide.lo | wide.hi;
  }
  writeA32Reg(c, a.rdlo, wide.lo);
  writeA32Reg(c, a.rdhi, wide.hi);
}

/** UMULL/UMLAL/SMULL/SMLAL. */
const longMultiply =
  (signed: boolean, accumulate: boolean): Handler =>
  (c, a) => {
    const r = c.r;
    const lo = r[a.rdlo]!;
    const hi = r[a.rdhi]!;
    if (signed) mulS64(r[a.rn]!, r[a.rm]!);
    else mulU64(r[a.rn]!, r[a.rm]!);
    if (accumulate) add64(lo, hi);
    writeLong(c, a, a.s);
  };

/** RdHi:RdLo += a signed value below 2^33 in magnitude (SMLAL<x><y>, SMLALD, SMLSLD). */
function accumulateLong(c: Cpu, a: Fields, v: number): void {
  wide.lo = v | 0;
  wide.hi = v < 0 ? -1 : 0;
  add64(c.r[a.rdlo]!, c.r[a.rdhi]!);
  writeLong(c, a, 0);
}

/** MUL (`acc` false) and MLA; S sets N and Z only. */
const multiply =
  (acc: boolean): Handler =>
  (c, a) => {
    let v = Math.imul(c.r[a.rn]!, c.r[a.rm]!);
    if (acc) v = (v + c.r[a.ra]!) | 0;
    if (a.s !== 0) c.state.NF = c.state.ZF = v;
    writeA32Reg(c, a.rd, v);
  };

/** SMUL<x><y> / SMLA<x><y>: `acc` adds Ra and sets Q on overflow. */
const multiplyHalves =
  (acc: boolean): Handler =>
  (c, a) => {
    const p = half(c.r[a.rn]!, a.nt) * half(c.r[a.rm]!, a.mt);
    writeA32Reg(c, a.rd, acc ? overflowQ(c.state, p + c.r[a.ra]!) : p);
  };

/** SMUAD/SMLAD (`sub` false) and SMUSD/SMLSD; `acc` adds Ra. Q on overflow of the exact sum. */
const dualMultiply =
  (sub: boolean, acc: boolean): Handler =>
  (c, a) => {
    dualProducts(c.r[a.rn]!, c.r[a.rm]!, a.x);
    let v = sub ? dual.lo - dual.hi : dual.lo + dual.hi;
    if (acc) v += c.r[a.ra]!;
    writeA32Reg(c, a.rd, overflowQ(c.state, v));
  };

/** SMLALD / SMLSLD: the two products' sum or difference added into RdHi:RdLo. */
const dualMultiplyLong =
  (sub: boolean): Handler =>
  (c, a) => {
    dualProducts(c.r[a.rn]!, c.r[a.rm]!, a.x);
    accumulateLong(c, a, sub ? dual.lo - dual.hi : dual.lo + dual.hi);
  };

const divide =
  (signed: boolean): Handler =>
  (c, a) => {
    const n = c.r[a.rn]!;
    const m = c.r[a.rm]!;
    // Truncating division; (INT_MIN / -1) | 0 wraps to INT_MIN as the architecture says.
    writeA32Reg(c, a.rd, m === 0 ? 0 : signed ? (n / m) | 0 : ((n >>> 0) / (m >>> 0)) | 0);
  };

export const A32_DIVIDE_ROWS: readonly Row[] = [
  a32('SDIV', '---- 0111 0001 rd:4 1111 rm:4 0001 rn:4', divide(true)),
  a32('UDIV', '---- 0111 0011 rd:4 1111 rm:4 0001 rn:4', divide(false)),
];

export const A32_MULTIPLY_ROWS: readonly Row[] = [
  // Multiply and multiply accumulate (A5.2.5)
  a32('MUL', '---- 0000 000 s:1 rd:4 0000 rm:4 1001 rn:4', multiply(false)),
  a32('MLA', '---- 0000 001 s:1 rd:4 ra:4 rm:4 1001 rn:4', multiply(true)),
  a32('UMAAL', '---- 0000 0100 rdhi:4 rdlo:4 rm:4 1001 rn:4', (c, a) => {
    const r = c.r;
    const lo = r[a.rdlo]!;
    const hi = r[a.rdhi]!;
    mulU64(r[a.rn]!, r[a.rm]!);
    add64(lo, 0);
    add64(hi, 0);
    writeLong(c, a, 0);
  }),
  a32('MLS', '---- 0000 0110 rd:4 ra:4 rm:4 1001 rn:4', (c, a) => {
    writeA32Reg(c, a.rd, (c.r[a.ra]! - Math.imul(c.r[a.rn]!, c.r[a.rm]!)) | 0);
  }),
  a32('UMULL', '---- 0000 100 s:1 rdhi:4 rdlo:4 rm:4 1001 rn:4', longMultiply(false, false)),
  a32('UMLAL', '---- 0000 101 s:1 rdhi:4 rdlo:4 rm:4 1001 rn:4', longMultiply(false, true)),
  a32('SMULL', '---- 0000 110 s:1 rdhi:4 rdlo:4 rm:4 1001 rn:4', longMultiply(true, false)),
  a32('SMLAL', '---- 0000 111 s:1 rdhi:4 rdlo:4 rm:4 1001 rn:4', longMultiply(true, true)),

  // Halfword multiply and multiply accumulate (A5.2.7); bit 6 selects Rm's half, bit 5 Rn's
  a32('SMLAxy', '---- 0001 0000 rd:4 ra:4 rm:4 1 mt:1 nt:1 0 rn:4', multiplyHalves(true)),
  a32('SMLAWy', '---- 0001 0010 rd:4 ra:4 rm:4 1 mt:1 0 0 rn:4', (c, a) => {
    writeA32Reg(c, a.rd, overflowQ(c.state, mulWordByHalf(c.r[a.rn]!, c.r[a.rm]!, a.mt) + c.r[a.ra]!));
  }),
  a32('SMULWy', '---- 0001 0010 rd:4 0000 rm:4 1 mt:1 1 0 rn:4', (c, a) => {
    writeA32Reg(c, a.rd, mulWordByHalf(c.r[a.rn]!, c.r[a.rm]!, a.mt));
  }),
  a32('SMLALxy', '---- 0001 0100 rdhi:4 rdlo:4 rm:4 1 mt:1 nt:1 0 rn:4', (c, a) => {
    accumulateLong(c, a, half(c.r[a.rn]!, a.nt) * half(c.r[a.rm]!, a.mt));
  }),
  a32('SMULxy', '---- 0001 0110 rd:4 0000 rm:4 1 mt:1 nt:1 0 rn:4', multiplyHalves(false)),

  // Signed multiplies in the media space (A5.4.4); Ra = 1111 rows first
  a32('SMUAD', '---- 0111 0000 rd:4 1111 rm:4 00 x:1 1 rn:4', dualMultiply(false, false)),
  a32('SMLAD', '---- 0111 0000 rd:4 ra:4 rm:4 00 x:1 1 rn:4', dualMultiply(false, true)),
  a32('SMUSD', '---- 0111 0000 rd:4 1111 rm:4 01 x:1 1 rn:4', dualMultiply(true, false)),
  a32('SMLSD', '---- 0111 0000 rd:4 ra:4 rm:4 01 x:1 1 rn:4', dualMultiply(true, true)),
  ...A32_DIVIDE_ROWS,
  a32('SMLALD', '---- 0111 0100 rdhi:4 rdlo:4 rm:4 00 x:1 1 rn:4', dualMultiplyLong(false)),
  a32('SMLSLD', '---- 0111 0100 rdhi:4 rdlo:4 rm:4 01 x:1 1 rn:4', dualMultiplyLong(true)),
  a32('SMMUL', '---- 0111 0101 rd:4 1111 rm:4 00 r:1 1 rn:4', (c, a) => {
    writeA32Reg(c, a.rd, mostSignificantWord(c.r[a.rn]!, c.r[a.rm]!, 0, a.r));
  }),
  a32('SMMLA', '---- 0111 0101 rd:4 ra:4 rm:4 00 r:1 1 rn:4', (c, a) => {
    writeA32Reg(c, a.rd, mostSignificantWord(c.r[a.rn]!, c.r[a.rm]!, c.r[a.ra]!, a.r));
  }),
  // Ra = 1111 is UNPREDICTABLE for SMMLS; QEMU then leaves out the accumulate (an SMMUL).
  a32('SMMLS_ra15', '---- 0111 0101 rd:4 1111 rm:4 11 r:1 1 rn:4', (c, a) => {
    writeA32Reg(c, a.rd, mostSignificantWord(c.r[a.rn]!, c.r[a.rm]!, 0, a.r));
  }),
  a32('SMMLS', '---- 0111 0101 rd:4 ra:4 rm:4 11 r:1 1 rn:4', (c, a) => {
    writeA32Reg(c, a.rd, mostSignificantWordSubtract(c.r[a.rn]!, c.r[a.rm]!, c.r[a.ra]!, a.r));
  }),
];
