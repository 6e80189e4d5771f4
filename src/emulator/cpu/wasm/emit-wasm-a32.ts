/**
 * WebAssembly for the A32 data-processing and branch rows of the wasm block tier, keyed by the
 * decode-table row name (a32-dataproc.ts, a32-control.ts) as emit-a32.ts keys the JavaScript tier,
 * whose semantics these reproduce operation for operation (the flag arithmetic of emit-t32.ts /
 * alu.ts: NF/ZF/CF/VF in CpuState's representation): AND..MVN with an immediate, an
 * immediate-shifted register or a register-shifted register, with and without S, Rd = PC as an
 * interworking branch; MOVW/MOVT; the multiplies and media rows (emit-wasm-a32-media.ts); B/BL (a branch back to the start loops in the function); BX,
 * BLX (register); the barriers and hints that do nothing. Anything else returns null and runs
 * through its table handler (a call-through).
 */
import type { Encoding, Fields } from '../decode-table.js';
import type { Handler } from '../t16.js';
import { armExpandImmC } from '../alu.js';
import { LOGICAL } from '../jit/emit-t32.js';
import { a32BranchTarget } from '../jit/a32-block-discovery.js';
import { Op } from './wasm-module-builder.js';
import { emitWasmA32Media, hasWasmA32Media } from './emit-wasm-a32-media.js';
import { emitWasmA32Memory } from './emit-wasm-a32-memory.js';
import type { A32WasmEmitContext, WasmInsnSite } from './a32-wasm-emit-context.js';

const ARITHMETIC = new Set(['ADD', 'ADC', 'SUB', 'SBC', 'RSB', 'RSC', 'CMP', 'CMN']);
const TESTS = new Set(['TST', 'TEQ', 'CMP', 'CMN']);
/** Unconditional-space rows that do nothing the emulator models (barriers, preload hints). */
const NOTHING = new Set(['DSB', 'DMB', 'ISB', 'PLI_imm', 'PLD_imm', 'PLI_reg', 'PLD_reg']);

/**
 * The A32 instruction `insn` of `row` with fields `a` as inline wasm (its condition included): true
 * when it always leaves the block, false when it falls through, null when nothing was written and
 * it must go through its handler.
 */
export function emitWasmA32(ctx: A32WasmEmitContext, site: WasmInsnSite, row: Encoding<Handler>, a: Fields, insn: number): boolean | null {
  const name = row.name;
  const cond = insn >>> 28;
  const c = ctx.code;
  const us = name.lastIndexOf('_');
  const base = us > 0 ? name.slice(0, us) : name;
  const form = us > 0 ? name.slice(us + 1) : '';
  if ((form === 'imm' || form === 'reg' || form === 'rsr') && (LOGICAL.has(base) || ARITHMETIC.has(base))) {
    ctx.beginCondition(cond);
    const leaves = dataProcessing(ctx, site, base, form, a);
    ctx.endCondition(cond);
    return leaves && cond >= 14;
  }

  if (hasWasmA32Media(row, a)) {
    ctx.beginCondition(cond);
    emitWasmA32Media(ctx, site, row, a);
    ctx.endCondition(cond);
    return false;
  }

  // The memory emitter decides before it writes: the condition is opened only if it translates.
  const mark = c.mark();
  ctx.beginCondition(cond);
  const memory = emitWasmA32Memory(ctx, site, row, a);
  if (memory !== null) {
    ctx.endCondition(cond);
    return memory.leaves && cond >= 14;
  }
  c.rewind(mark);

  // HINT: NOP, YIELD, DBG and the reserved hints do nothing; WFE, WFI and SEV (2-4) go through the handler.
  if (NOTHING.has(name) || (name === 'HINT' && (a.op! < 2 || a.op! > 4))) return false;

  const next = (site.pc + 4) | 0;
  switch (name) {
    case 'MOVW':
    case 'MOVT': {
      if (a.rd === 15) return null;
      ctx.beginCondition(cond);
      if (name === 'MOVW') ctx.setReg(a.rd!, () => c.i32Const(a.imm!));
      else {
        ctx.setReg(a.rd!, () => {
          ctx.getReg(site, a.rd!);
          c.i32Const(0xffff).op(Op.i32And).i32Const(a.imm! << 16).op(Op.i32Or);
        });
      }
      ctx.endCondition(cond);
      return false;
    }
    case 'BX':
    case 'BXJ':
    case 'BLX_reg': {
      if (name === 'BLX_reg' && a.rm === 15) return null;
      const t = ctx.temp();
      ctx.beginCondition(cond);
      ctx.getReg(site, a.rm!);
      c.set(t);
      if (name === 'BLX_reg') ctx.setReg(14, () => c.i32Const(next));
      ctx.interworkingExit(site, t);
      ctx.endCondition(cond);
      return cond >= 14;
    }
    case 'B': {
      const target = a32BranchTarget(site.pc, a);
      if (cond >= 14) {
        ctx.branchTo(site, target);
        return true;
      }
      ctx.beginCondition(cond);
      ctx.branchTo(site, target);
      ctx.endCondition(cond);
      // A conditional branch back to the start closes a loop: the block ends with its exit.
      if ((target | 0) !== (ctx.start | 0)) return false;
      ctx.exitTo(site, next);
      return true;
    }
    case 'BL': {
      const target = a32BranchTarget(site.pc, a);
      ctx.beginCondition(cond);
      ctx.setReg(14, () => c.i32Const(next));
      ctx.branchTo(site, target);
      ctx.endCondition(cond);
      return cond >= 14;
    }
    default:
      return null;
  }
}

/**
 * Rd = Rn OP operand 2 (flags with S, tests flags only), as emit-a32's dataProcessing: operand 2
 * into `op` (shifter carry-out into `cy` for the flag-setting logical ops), the result into `res`.
 * Rd = PC (ALUWritePC: an interworking branch; S also sets the flags) leaves: returns true.
 */
function dataProcessing(ctx: A32WasmEmitContext, site: WasmInsnSite, base: string, form: string, a: Fields): boolean {
  const c = ctx.code;
  const s = a.s ?? 1; // test forms have no S field: they always set flags
  const test = TESTS.has(base);
  const move = base === 'MOV' || base === 'MVN';
  const logical = LOGICAL.has(base);
  const needCarry = logical && s === 1;
  /** The shifter carry-out: the local `cy`, a constant, or null (C unchanged). */
  let carry: number | null = ctx.cy;
  let carryConst = -1;
  if (form === 'imm') {
    const value = armExpandImmC(a.imm!, 0);
    c.i32Const(value | 0).set(ctx.op);
    // A rotated immediate sets C to its bit 31; an unrotated one leaves C alone.
    if ((a.imm! & 0xf00) !== 0) carryConst = value >>> 31;
    else carry = null;
  } else if (form === 'reg') {
    immShift(ctx, site, a.rm!, a.ty!, a.sh!, needCarry);
  } else {
    registerShift(ctx, site, a.rm!, a.rs!, a.ty!, needCarry);
  }
  const pushA = (): void => ctx.getReg(site, a.rn!);
  const rd = a.rd ?? 0;

  if (logical) {
    if (!move) pushA();
    c.get(ctx.op);
    switch (base) {
      case 'AND':
      case 'TST':
        c.op(Op.i32And);
        break;
      case 'BIC':
        c.i32Const(-1).op(Op.i32Xor).op(Op.i32And);
        break;
      case 'ORR':
        c.op(Op.i32Or);
        break;
      case 'EOR':
      case 'TEQ':
        c.op(Op.i32Xor);
        break;
      case 'MVN':
        c.i32Const(-1).op(Op.i32Xor);
        break;
      default: // MOV
    }
    c.set(ctx.res);
    if (s === 1) {
      c.get(ctx.res).set(ctx.nf).get(ctx.res).set(ctx.zf);
      if (needCarry && carryConst >= 0) c.i32Const(carryConst).set(ctx.cf);
      else if (needCarry && carry !== null) c.get(carry).set(ctx.cf);
    }
  } else if (s === 0) {
    arithmeticPlain(ctx, base, pushA);
    c.set(ctx.res);
  } else {
    addWithFlags(ctx, base, pushA);
  }
  if (test) return false;
  if (rd === 15) {
    ctx.interworkingExit(site, ctx.res);
    return true;
  }
  ctx.setRegFrom(rd, ctx.res);
  return false;
}

/** Push Rn OP op without flags (emit-t32 arithmetic's `plain`). */
function arithmeticPlain(ctx: A32WasmEmitContext, base: string, pushA: () => void): void {
  const c = ctx.code;
  switch (base) {
    case 'ADD':
      pushA();
      c.get(ctx.op).op(Op.i32Add);
      return;
    case 'ADC':
      pushA();
      c.get(ctx.op).op(Op.i32Add).get(ctx.cf).op(Op.i32Add);
      return;
    case 'SUB':
      pushA();
      c.get(ctx.op).op(Op.i32Sub);
      return;
    case 'SBC':
      pushA();
      c.get(ctx.op).i32Const(-1).op(Op.i32Xor).op(Op.i32Add).get(ctx.cf).op(Op.i32Add);
      return;
    case 'RSB':
      c.get(ctx.op);
      pushA();
      c.op(Op.i32Sub);
      return;
    default: // RSC
      c.get(ctx.op);
      pushA();
      c.i32Const(-1).op(Op.i32Xor).op(Op.i32Add).get(ctx.cf).op(Op.i32Add);
  }
}

/**
 * AddWithCarry(x, y, carry-in) with NZCV (emit-context addWithFlags, alu.ts addWithCarryFlags):
 * res = x + y + c; C from an unsigned compare of res with x (res < x without carry-in, res <= x
 * with it); V = bit 31 of (x ^ res) & ~(x ^ y); N and Z from res.
 */
function addWithFlags(ctx: A32WasmEmitContext, base: string, pushA: () => void): void {
  const c = ctx.code;
  const x = ctx.temp();
  const y = ctx.temp();
  const notOp = (): void => void c.get(ctx.op).i32Const(-1).op(Op.i32Xor);
  /** Carry-in: 0, 1, or -1 for the C flag. */
  let cin: number;
  switch (base) {
    case 'ADD':
    case 'CMN':
      pushA();
      c.set(x).get(ctx.op).set(y);
      cin = 0;
      break;
    case 'ADC':
      pushA();
      c.set(x).get(ctx.op).set(y);
      cin = -1;
      break;
    case 'SUB':
    case 'CMP':
      pushA();
      c.set(x);
      notOp();
      c.set(y);
      cin = 1;
      break;
    case 'SBC':
      pushA();
      c.set(x);
      notOp();
      c.set(y);
      cin = -1;
      break;
    case 'RSB':
      c.get(ctx.op).set(x);
      pushA();
      c.i32Const(-1).op(Op.i32Xor).set(y);
      cin = 1;
      break;
    default: // RSC
      c.get(ctx.op).set(x);
      pushA();
      c.i32Const(-1).op(Op.i32Xor).set(y);
      cin = -1;
  }
  c.get(x).get(y).op(Op.i32Add);
  if (cin === 1) c.i32Const(1).op(Op.i32Add);
  else if (cin === -1) c.get(ctx.cf).op(Op.i32Add);
  c.set(ctx.res);
  if (cin === 0) c.get(ctx.res).get(x).op(Op.i32LtU);
  else if (cin === 1) c.get(ctx.res).get(x).op(Op.i32LeU);
  else c.get(ctx.res).get(x).op(Op.i32LeU).get(ctx.res).get(x).op(Op.i32LtU).get(ctx.cf).op(Op.select);
  c.set(ctx.cf);
  c.get(x).get(ctx.res).op(Op.i32Xor).get(x).get(y).op(Op.i32Xor).i32Const(-1).op(Op.i32Xor).op(Op.i32And).set(ctx.vf);
  c.get(ctx.res).set(ctx.nf).get(ctx.res).set(ctx.zf);
}

/**
 * DecodeImmShift + Shift_C of R[rm] by a constant into `op` (and `cy` when `carry`), as emit-t32's
 * immShift / alu.ts immShiftC.
 */
function immShift(ctx: A32WasmEmitContext, site: WasmInsnSite, rm: number, ty: number, imm5: number, carry: boolean): void {
  const c = ctx.code;
  const v = ctx.temp();
  ctx.getReg(site, rm);
  c.set(v);
  const cy = (push: () => void): void => {
    if (!carry) return;
    push();
    c.set(ctx.cy);
  };
  if (ty === 0) {
    c.get(v);
    if (imm5 !== 0) c.i32Const(imm5).op(Op.i32Shl);
    c.set(ctx.op);
    if (imm5 === 0) cy(() => c.get(ctx.cf));
    else cy(() => c.get(v).i32Const(32 - imm5).op(Op.i32ShrU).i32Const(1).op(Op.i32And));
  } else if (ty === 1) {
    if (imm5 === 0) c.i32Const(0).set(ctx.op);
    else c.get(v).i32Const(imm5).op(Op.i32ShrU).set(ctx.op);
    if (imm5 === 0) cy(() => c.get(v).i32Const(31).op(Op.i32ShrU));
    else cy(() => c.get(v).i32Const(imm5 - 1).op(Op.i32ShrU).i32Const(1).op(Op.i32And));
  } else if (ty === 2) {
    c.get(v).i32Const(imm5 === 0 ? 31 : imm5).op(Op.i32ShrS).set(ctx.op);
    if (imm5 === 0) cy(() => c.get(v).i32Const(31).op(Op.i32ShrU));
    else cy(() => c.get(v).i32Const(imm5 - 1).op(Op.i32ShrS).i32Const(1).op(Op.i32And));
  } else if (imm5 === 0) {
    // RRX
    c.get(ctx.cf).i32Const(31).op(Op.i32Shl).get(v).i32Const(1).op(Op.i32ShrU).op(Op.i32Or).set(ctx.op);
    cy(() => c.get(v).i32Const(1).op(Op.i32And));
  } else {
    c.get(v).i32Const(imm5).op(Op.i32Rotr).set(ctx.op);
    cy(() => c.get(ctx.op).i32Const(31).op(Op.i32ShrU));
  }
}

/**
 * Shift_C of R[rm] by the bottom byte of R[rs] into `op` (and `cy` when `carry`), as emit-a32's
 * registerShift / alu.ts shiftC: a zero amount passes the value and C; LSL/LSR by 32 or more give
 * 0 (carry: bit 0 / bit 31 at exactly 32, else 0), ASR by 32 or more the sign, ROR by n & 31.
 */
function registerShift(ctx: A32WasmEmitContext, site: WasmInsnSite, rm: number, rs: number, ty: number, carry: boolean): void {
  const c = ctx.code;
  const v = ctx.temp();
  const n = ctx.temp();
  ctx.getReg(site, rm);
  c.set(v);
  ctx.getReg(site, rs);
  c.i32Const(0xff).op(Op.i32And).set(n);
  const below32 = (): void => void c.get(n).i32Const(32).op(Op.i32LtU);
  if (!carry) {
    // Wasm shifts take the amount mod 32: the >= 32 cases are selected explicitly (n = 0 needs no case).
    switch (ty) {
      case 0:
        c.get(v).get(n).op(Op.i32Shl).i32Const(0);
        below32();
        c.op(Op.select);
        break;
      case 1:
        c.get(v).get(n).op(Op.i32ShrU).i32Const(0);
        below32();
        c.op(Op.select);
        break;
      case 2:
        c.get(v).get(n).i32Const(31);
        below32();
        c.op(Op.select).op(Op.i32ShrS);
        break;
      default:
        c.get(v).get(n).op(Op.i32Rotr);
    }
    c.set(ctx.op);
    return;
  }
  c.get(n).op(Op.i32Eqz).if();
  c.get(v).set(ctx.op).get(ctx.cf).set(ctx.cy);
  c.else();
  switch (ty) {
    case 0:
      below32();
      c.if();
      c.get(v).get(n).op(Op.i32Shl).set(ctx.op);
      c.get(v).i32Const(32).get(n).op(Op.i32Sub).op(Op.i32ShrU).i32Const(1).op(Op.i32And).set(ctx.cy);
      c.else();
      c.i32Const(0).set(ctx.op);
      c.get(v).i32Const(1).op(Op.i32And).i32Const(0).get(n).i32Const(32).op(Op.i32Eq).op(Op.select).set(ctx.cy);
      c.end();
      break;
    case 1:
      below32();
      c.if();
      c.get(v).get(n).op(Op.i32ShrU).set(ctx.op);
      c.get(v).get(n).i32Const(1).op(Op.i32Sub).op(Op.i32ShrU).i32Const(1).op(Op.i32And).set(ctx.cy);
      c.else();
      c.i32Const(0).set(ctx.op);
      c.get(v).i32Const(31).op(Op.i32ShrU).i32Const(0).get(n).i32Const(32).op(Op.i32Eq).op(Op.select).set(ctx.cy);
      c.end();
      break;
    case 2:
      below32();
      c.if();
      c.get(v).get(n).op(Op.i32ShrS).set(ctx.op);
      c.get(v).get(n).i32Const(1).op(Op.i32Sub).op(Op.i32ShrS).i32Const(1).op(Op.i32And).set(ctx.cy);
      c.else();
      c.get(v).i32Const(31).op(Op.i32ShrS).set(ctx.op);
      c.get(v).i32Const(31).op(Op.i32ShrU).set(ctx.cy);
      c.end();
      break;
    default:
      c.get(v).get(n).op(Op.i32Rotr).set(ctx.op);
      c.get(ctx.op).i32Const(31).op(Op.i32ShrU).set(ctx.cy);
  }
  c.end();
}
