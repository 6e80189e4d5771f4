/**
 * JavaScript for the A32 multiplies and divides (a32-multiply.ts) and media instructions (a32-media.ts) the
 * Linux boot runs most: MUL/MLA/MLS, the 64-bit multiplies, the extends with and without add,
 * SBFX/UBFX/BFC/BFI, CLZ and the byte reversals, each exactly as its table handler (the 64-bit
 * arithmetic is alu.ts's mulU64/mulS64/add64, spelled out). The forms shared with T32 use the T32
 * emitters (same fields, same semantics). Rd = PC (UNPREDICTABLE: a branch in QEMU) and the
 * UNDEFINED field choices return null (a call-through).
 */
import type { Encoding, Fields } from '../decode-table.js';
import type { Handler } from '../t16.js';
import type { InsnSite } from './emit-context.js';
import type { A32EmitContext } from './emit-a32.js';
import { emitT32 } from './emit-t32.js';

/** Rows whose T32 emitter fits A32 as is (same field names and semantics). */
const AS_T32 = new Set(['SBFX', 'UBFX', 'SXTH', 'UXTH', 'SXTB', 'UXTB', 'CLZ', 'MLS']);

/** A translator asked for a handler call where the translation is meant to be whole (a bug in the emitters). */
export class A32EmitterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'A32EmitterError';
  }
}

/** The AS_T32 rows translate whole (emitT32 asks for the handler only for rows not listed there). */
function wholeOnly(name: string): never {
  throw new A32EmitterError(`${name}: the T32 emitter asked for a call-through; give the row its own A32 translation or leave it out of AS_T32`);
}

/** The extend of the add forms (Rn = 1111 is the plain row, decoded first). */
const EXTEND_ADD: Record<string, (v: string) => string> = {
  SXTAB: (v) => `((${v} << 24) >> 24)`,
  SXTAH: (v) => `((${v} << 16) >> 16)`,
  UXTAB: (v) => `(${v} & 0xff)`,
  UXTAH: (v) => `(${v} & 0xffff)`,
};

/** The instruction as inline code (unconditional: the caller adds the condition), or null. */
export function emitA32Media(ctx: A32EmitContext, site: InsnSite, row: Encoding<Handler>, a: Fields): string | null {
  const name = row.name;
  const reg = (n: number): string => ctx.reg(site, n);
  if (AS_T32.has(name)) return emitT32(ctx, site, row, a, () => wholeOnly(name))?.code ?? null;
  const extendAdd = EXTEND_ADD[name];
  if (extendAdd !== undefined) {
    if (a.rd === 15) return null;
    const n = a.rot! * 8;
    const m = reg(a.rm!);
    const v = n === 0 ? m : `((${m} >>> ${n}) | (${m} << ${32 - n}))`;
    return `R[${a.rd}] = (${reg(a.rn!)} + ${extendAdd(v)}) | 0;`;
  }
  switch (name) {
    case 'MUL':
    case 'MLA': {
      if (a.rd === 15) return null;
      const product = `Math.imul(${reg(a.rn!)}, ${reg(a.rm!)})`;
      const v = name === 'MUL' ? product : `(${product} + ${reg(a.ra!)}) | 0`;
      return a.s === 1 ? `res = ${v}; st.NF = res; st.ZF = res; R[${a.rd}] = res;` : `R[${a.rd}] = ${v};`;
    }
    case 'UMULL':
    case 'SMULL':
    case 'UMLAL':
    case 'SMLAL':
      return longMultiply(a, name[0] === 'S', name.endsWith('LAL'), reg);
    case 'SDIV':
    case 'UDIV': {
      if (a.rd === 15) return null;
      // As the handler: truncating, x / 0 = 0, INT_MIN / -1 wraps to INT_MIN.
      const n = reg(a.rn!);
      const m = reg(a.rm!);
      const q = name === 'SDIV' ? `(${n} / d) | 0` : `((${n} >>> 0) / (d >>> 0)) | 0`;
      return `{ const d = ${m}; R[${a.rd}] = d === 0 ? 0 : ${q}; }`;
    }
    case 'BFC':
    case 'BFI': {
      if (a.msb! < a.lsb! || a.rd === 15) return null;
      const mask = ((-1 >>> (31 - a.msb! + a.lsb!)) << a.lsb!) | 0;
      const keep = `R[${a.rd}] & ${~mask}`;
      return name === 'BFC' ? `R[${a.rd}] = ${keep};` : `R[${a.rd}] = (${keep}) | ((${reg(a.rn!)} << ${a.lsb}) & ${mask});`;
    }
    case 'REV':
      return a.rd === 15 ? null : `{ const v = ${reg(a.rm!)}; R[${a.rd}] = ((v >>> 24) & 0xff) | ((v >>> 8) & 0xff00) | ((v & 0xff00) << 8) | (v << 24); }`;
    case 'REV16':
      return a.rd === 15 ? null : `{ const v = ${reg(a.rm!)}; R[${a.rd}] = ((v >>> 8) & 0x00ff00ff) | ((v & 0x00ff00ff) << 8); }`;
    case 'REVSH':
      return a.rd === 15 ? null : `{ const v = ${reg(a.rm!)}; R[${a.rd}] = (((v & 0xff) << 24) >> 16) | ((v >>> 8) & 0xff); }`;
    default:
      return null;
  }
}

/**
 * UMULL/SMULL/UMLAL/SMLAL as the handler: the accumulator is read before anything is written,
 * RdLo is written before RdHi (RdLo = RdHi keeps RdHi), S sets N from RdHi and Z from both.
 */
function longMultiply(a: Fields, signed: boolean, accumulate: boolean, reg: (n: number) => string): string | null {
  const { rdlo, rdhi } = a;
  if (rdlo === 15 || rdhi === 15) return null;
  const parts = [
    `const x = ${reg(a.rn!)}, y = ${reg(a.rm!)};`,
    accumulate ? `const lo0 = R[${rdlo}], hi0 = R[${rdhi}];` : '',
    'const x0 = x & 0xffff, x1 = x >>> 16, y0 = y & 0xffff, y1 = y >>> 16;',
    'const p00 = x0 * y0, p01 = x0 * y1, p10 = x1 * y0;',
    'const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);',
    'let lo = (mid << 16) | (p00 & 0xffff);',
    'let hi = (x1 * y1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16)) | 0;',
    signed ? 'if (x < 0) hi = (hi - y) | 0; if (y < 0) hi = (hi - x) | 0;' : '',
    accumulate ? 'const sum = (lo >>> 0) + (lo0 >>> 0); hi = (hi + hi0 + (sum > 0xffffffff ? 1 : 0)) | 0; lo = sum | 0;' : '',
    a.s === 1 ? 'st.NF = hi; st.ZF = lo | hi;' : '',
    `R[${rdlo}] = lo; R[${rdhi}] = hi;`,
  ];
  return `{ ${parts.filter((p) => p !== '').join(' ')} }`;
}
