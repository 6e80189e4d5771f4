/**
 * WebAssembly for the A32 multiplies, divides and media rows the JavaScript tier inlines
 * (emit-a32-media.ts, and emit-t32.ts for the forms shared with T32), each exactly as that code and
 * its table handler: MUL/MLA/MLS, UMULL/SMULL/UMLAL/SMLAL (in i64: the same result modulo 2^64 as
 * alu.ts's 16-bit pieces), SDIV/UDIV (x / 0 = 0, INT_MIN / -1 = INT_MIN where wasm would trap), the
 * extends with and without add, SBFX/UBFX/BFC/BFI, CLZ, REV/REV16/REVSH. Rd = PC and the
 * UNDEFINED field choices return null (a call-through).
 */
import type { Encoding, Fields } from '../decode-table.js';
import type { Handler } from '../t16.js';
import { Op } from './wasm-module-builder.js';
import type { A32WasmEmitContext, WasmInsnSite } from './a32-wasm-emit-context.js';

const EXTENDS = new Set(['SXTB', 'SXTH', 'UXTB', 'UXTH', 'SXTAB', 'SXTAH', 'UXTAB', 'UXTAH']);
const LONG_MULTIPLIES = new Set(['UMULL', 'SMULL', 'UMLAL', 'SMLAL']);

/**
 * Whether `row` with fields `a` has an inline translation here (decided before anything is
 * written, so the caller can wrap it in its condition).
 */
export function hasWasmA32Media(row: Encoding<Handler>, a: Fields): boolean {
  const name = row.name;
  if (LONG_MULTIPLIES.has(name)) return a.rdlo !== 15 && a.rdhi !== 15;
  if (a.rd === 15) return false;
  switch (name) {
    case 'SBFX':
    case 'UBFX':
      return a.lsb! + a.wm1! <= 31;
    case 'BFC':
    case 'BFI':
      return a.msb! >= a.lsb!;
    case 'MUL':
    case 'MLA':
    case 'MLS':
    case 'SDIV':
    case 'UDIV':
    case 'CLZ':
    case 'REV':
    case 'REV16':
    case 'REVSH':
      return true;
    default:
      return EXTENDS.has(name);
  }
}

/** The instruction's code (unconditional: the caller wraps it); only where hasWasmA32Media. */
export function emitWasmA32Media(ctx: A32WasmEmitContext, site: WasmInsnSite, row: Encoding<Handler>, a: Fields): void {
  const c = ctx.code;
  const name = row.name;
  const reg = (n: number): void => ctx.getReg(site, n);
  if (LONG_MULTIPLIES.has(name)) {
    longMultiply(ctx, site, a, name[0] === 'S', name.endsWith('LAL'));
    return;
  }
  if (EXTENDS.has(name)) {
    // ROR by rot * 8, then the extend; the add forms add Rn.
    const add = name.length === 5;
    ctx.setReg(a.rd!, () => {
      if (add) reg(a.rn!);
      reg(a.rm!);
      if (a.rot! !== 0) c.i32Const(a.rot! * 8).op(Op.i32Rotr);
      const kind = add ? name.slice(0, 3) + name[4] : name;
      if (kind === 'SXTB') c.i32Const(24).op(Op.i32Shl).i32Const(24).op(Op.i32ShrS);
      else if (kind === 'SXTH') c.i32Const(16).op(Op.i32Shl).i32Const(16).op(Op.i32ShrS);
      else c.i32Const(kind === 'UXTB' ? 0xff : 0xffff).op(Op.i32And);
      if (add) c.op(Op.i32Add);
    });
    return;
  }
  switch (name) {
    case 'SBFX':
    case 'UBFX': {
      const up = 31 - a.lsb! - a.wm1!;
      ctx.setReg(a.rd!, () => {
        reg(a.rn!);
        c.i32Const(up).op(Op.i32Shl).i32Const(up + a.lsb!).op(name === 'SBFX' ? Op.i32ShrS : Op.i32ShrU);
      });
      return;
    }
    case 'BFC':
    case 'BFI': {
      const mask = ((-1 >>> (31 - a.msb! + a.lsb!)) << a.lsb!) | 0;
      ctx.setReg(a.rd!, () => {
        reg(a.rd!);
        c.i32Const(~mask).op(Op.i32And);
        if (name === 'BFI') {
          reg(a.rn!);
          c.i32Const(a.lsb!).op(Op.i32Shl).i32Const(mask).op(Op.i32And).op(Op.i32Or);
        }
      });
      return;
    }
    case 'MUL':
    case 'MLA':
    case 'MLS': {
      if (name === 'MLS') reg(a.ra!);
      reg(a.rn!);
      reg(a.rm!);
      c.op(Op.i32Mul);
      if (name === 'MLA') {
        reg(a.ra!);
        c.op(Op.i32Add);
      } else if (name === 'MLS') c.op(Op.i32Sub);
      c.set(ctx.res);
      if (a.s === 1) c.get(ctx.res).set(ctx.nf).get(ctx.res).set(ctx.zf);
      ctx.setRegFrom(a.rd!, ctx.res);
      return;
    }
    case 'SDIV':
    case 'UDIV': {
      const n = ctx.temp();
      const d = ctx.temp();
      reg(a.rn!);
      c.set(n);
      reg(a.rm!);
      c.set(d);
      // d === 0 gives 0; SDIV INT_MIN / -1 wraps to INT_MIN (wasm's i32.div_s would trap on both).
      c.get(d).op(Op.i32Eqz).if();
      c.i32Const(0).set(ctx.res);
      c.else();
      if (name === 'SDIV') {
        c.get(n).i32Const(-0x80000000).op(Op.i32Eq).get(d).i32Const(-1).op(Op.i32Eq).op(Op.i32And).if();
        c.get(n).set(ctx.res);
        c.else();
        c.get(n).get(d).op(Op.i32DivS).set(ctx.res);
        c.end();
      } else {
        c.get(n).get(d).op(Op.i32DivU).set(ctx.res);
      }
      c.end();
      ctx.setRegFrom(a.rd!, ctx.res);
      return;
    }
    case 'CLZ':
      ctx.setReg(a.rd!, () => {
        reg(a.rm!);
        c.op(Op.i32Clz);
      });
      return;
    default:
      byteReverse(ctx, site, name, a);
  }
}

/** REV, REV16, REVSH of R[rm] into R[rd] (emit-a32-media's expressions). */
function byteReverse(ctx: A32WasmEmitContext, site: WasmInsnSite, name: string, a: Fields): void {
  const c = ctx.code;
  const v = ctx.temp();
  ctx.getReg(site, a.rm!);
  c.set(v);
  ctx.setReg(a.rd!, () => {
    if (name === 'REV') {
      c.get(v).i32Const(24).op(Op.i32ShrU);
      c.get(v).i32Const(8).op(Op.i32ShrU).i32Const(0xff00).op(Op.i32And).op(Op.i32Or);
      c.get(v).i32Const(0xff00).op(Op.i32And).i32Const(8).op(Op.i32Shl).op(Op.i32Or);
      c.get(v).i32Const(24).op(Op.i32Shl).op(Op.i32Or);
    } else if (name === 'REV16') {
      c.get(v).i32Const(8).op(Op.i32ShrU).i32Const(0x00ff00ff).op(Op.i32And);
      c.get(v).i32Const(0x00ff00ff).op(Op.i32And).i32Const(8).op(Op.i32Shl).op(Op.i32Or);
    } else {
      // REVSH
      c.get(v).i32Const(24).op(Op.i32Shl).i32Const(16).op(Op.i32ShrS);
      c.get(v).i32Const(8).op(Op.i32ShrU).i32Const(0xff).op(Op.i32And).op(Op.i32Or);
    }
  });
}

/**
 * UMULL/SMULL/UMLAL/SMLAL as the handler: the accumulator read before anything is written, RdLo
 * written before RdHi (RdLo = RdHi keeps RdHi), S sets N from RdHi and Z from both halves.
 */
function longMultiply(ctx: A32WasmEmitContext, site: WasmInsnSite, a: Fields, signed: boolean, accumulate: boolean): void {
  const c = ctx.code;
  const p = ctx.wide();
  const extend = signed ? Op.i64ExtendI32S : Op.i64ExtendI32U;
  ctx.getReg(site, a.rn!);
  c.op(extend);
  ctx.getReg(site, a.rm!);
  c.op(extend).op(Op.i64Mul);
  if (accumulate) {
    ctx.getReg(site, a.rdlo!);
    c.op(Op.i64ExtendI32U);
    ctx.getReg(site, a.rdhi!);
    c.op(Op.i64ExtendI32U).i64Const(32).op(Op.i64Shl).op(Op.i64Or).op(Op.i64Add);
  }
  c.set(p);
  const lo = ctx.res;
  const hi = ctx.temp();
  c.get(p).op(Op.i32WrapI64).set(lo);
  c.get(p).i64Const(32).op(Op.i64ShrU).op(Op.i32WrapI64).set(hi);
  if (a.s === 1) {
    c.get(hi).set(ctx.nf);
    c.get(lo).get(hi).op(Op.i32Or).set(ctx.zf);
  }
  ctx.setRegFrom(a.rdlo!, lo);
  ctx.setRegFrom(a.rdhi!, hi);
}
