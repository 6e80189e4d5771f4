/**
 * WebAssembly for the A32 loads and stores of the wasm block tier: the rows emit-a32-memory.ts
 * inlines for the JS tier, each with exactly its semantics (those are proven against the table
 * handlers): LDR/STR{B,H,SB,SH} by immediate and (shifted) register, a word load to the PC,
 * LDRD/STRD, LDM/STM in the four addressing modes (a loaded PC included), LDREX/STREX{B,H,} and
 * CLREX. The same forms are call-throughs (null): unprivileged (T) forms, UNPREDICTABLE/UNDEFINED
 * register choices, writeback to the PC, the user-bank and exception-return LDM/STM, doubleword
 * exclusives.
 *
 * Memory goes through the current JIT TLB view (jit-tlb.ts), which lives in the wasm memory at the
 * byte address in the context's `tlb` local: the entry of `va` is at
 * `tlb + ((va >>> 8) & (JIT_TLB_INDEX_MASK << 2))` (the JS tier indexes int32 slots, this one
 * bytes), a hit is `(va & TAG_MASK[size]) === tag` (page and alignment bits: a misaligned access
 * never hits) and its wasm address is `va + addend` (wasm addresses are unsigned: the wrap the JS
 * tier does with `>>> 0` is free). RAM is the wasm memory from byte 0 (Bus.wasm). Anything else —
 * a miss, a device, a misaligned access, a fault, a write-checked page — leaves through the
 * block's slow path before the instruction changed anything the handler reads, and the handler
 * runs it whole (A32EmitContext.miss). LDRD/STRD and LDM/STM are checked whole (aligned, one page,
 * a TLB hit) before their first access, as the JS tier does.
 */
import type { Encoding, Fields } from '../decode-table.js';
import type { Handler } from '../t16.js';
import { SIZE_BYTE, SIZE_HALF, SIZE_SBYTE, SIZE_SHALF, SIZE_WORD } from '../memops.js';
import { JIT_TLB_INDEX_MASK, JIT_TLB_INDEX_SHIFT, JIT_TLB_WRITE } from '../../memory/jit-tlb.js';
import { Op, type WasmCode } from './wasm-module-builder.js';

/** One instruction being translated (A32WasmEmitContext's site). */
export interface WasmMemorySite {
  /** Index in the block (0-based). */
  readonly j: number;
  /** Address of the instruction. */
  readonly pc: number;
}

/** What the memory emitters need from the block compiler's emit context (A32WasmEmitContext). */
export interface WasmA32MemoryContext {
  /** The function body being written. */
  readonly code: WasmCode;
  /** Local holding the byte address of the current JIT TLB view (the block function's `tlb` parameter). */
  readonly tlb: number;
  /** Scratch locals: the access address (what `slowPath` hands the slow path), a loaded value, an operand. */
  readonly addr: number;
  readonly res: number;
  readonly op: number;
  /** Local holding the C flag (0 or 1): RRX. */
  readonly cf: number;
  /** Another i32 scratch local for the instruction being emitted. */
  temp(): number;
  /** Push register n as instruction `site` reads it (n = 15: its address + 8). */
  getReg(site: WasmMemorySite, n: number): void;
  /** Register n (0-14) = local `from`. */
  setRegFrom(n: number, from: number): void;
  /** Register n (0-14) = the value `value` pushes. */
  setReg(n: number, value: () => void): void;
  /**
   * Leave for the block's slow path: instruction `site` runs whole through its table handler,
   * which refills the JIT TLB for the address in local `addr`; the block then returns.
   */
  slowPath(site: WasmMemorySite): void;
  /** Leave after `site` with an interworking branch (LoadWritePC) to the value in local `t`. */
  interworkingExit(site: WasmMemorySite, t: number): void;
  /**
   * Byte addresses of the exclusive monitor's words while wasm code runs (the state area's
   * STATE_MONITOR_*, wasm-state-layout.ts), or null when the context keeps the monitor in
   * CpuState only: LDREX/STREX/CLREX are then call-throughs.
   */
  readonly monitor: { readonly open: number; readonly addr: number; readonly value: number } | null;
}

/** What the emitter wrote for one instruction: `leaves` when it always exits the block (a loaded PC). */
export interface WasmMemoryCode {
  leaves: boolean;
}

const STAYS: WasmMemoryCode = { leaves: false };
const LEAVES: WasmMemoryCode = { leaves: true };

/** LDREX/STREX access size by the rows' `op` field (8: the doubleword forms). */
const EXCLUSIVE_SIZES = [4, 8, 1, 2];

/** By access size: the address bits a JIT TLB tag is compared with (page and alignment), as emit-a32.ts. */
const TAG_MASK: Record<number, number> = { 1: ~4095, 2: ~4095 | 1, 4: ~4095 | 3 };
/** `(va >>> ENTRY_SHIFT) & ENTRY_MASK`: byte offset of va's JIT TLB entry in its view. */
const ENTRY_SHIFT = JIT_TLB_INDEX_SHIFT - 2;
const ENTRY_MASK = JIT_TLB_INDEX_MASK << 2;
/** Byte offsets in an entry: read tag, read addend, write tag, write addend. */
const READ_TAG = 0;
const WRITE_TAG = JIT_TLB_WRITE * 4;

/**
 * The locals of one instruction: the access address `addr`, a loaded value `res`, the operand `op`
 * (or a loaded base), the writeback value or LDM/STM base `wb`, the JIT TLB entry then the wasm
 * address `host`.
 */
interface Locals {
  readonly addr: number;
  readonly res: number;
  readonly op: number;
  readonly wb: number;
  readonly host: number;
}

function localsOf(ctx: WasmA32MemoryContext): Locals {
  return { addr: ctx.addr, res: ctx.res, op: ctx.op, wb: ctx.temp(), host: ctx.temp() };
}

/** An instruction's offset: immediate `imm`, or register `rm` (>= 0) shifted by `ty`/`n` (emit-t32's immShift). */
interface Offset {
  readonly imm: number;
  readonly rm: number;
  readonly ty: number;
  readonly n: number;
}

const immediate = (imm: number): Offset => ({ imm, rm: -1, ty: 0, n: 0 });
const register = (rm: number, ty = 0, n = 0): Offset => ({ imm: 0, rm, ty, n });

/**
 * The A32 memory instruction of `row` with fields `a` as wasm in `ctx.code` (its condition is the
 * caller's), or null — having written nothing — when it must go through its handler.
 */
export function emitWasmA32Memory(ctx: WasmA32MemoryContext, site: WasmMemorySite, row: Encoding<Handler>, a: Fields): WasmMemoryCode | null {
  switch (row.name) {
    case 'LDST_imm':
      if (a.b === 0 && a.l === 1 && a.rt === 15) return loadPc(ctx, site, a, immediate(a.imm!));
      return single(ctx, site, a, a.b === 1 ? SIZE_BYTE : SIZE_WORD, immediate(a.imm!));
    case 'LDST_reg': {
      if (a.rm === 15) return null;
      const off = register(a.rm!, a.type!, a.imm5!);
      if (a.b === 0 && a.l === 1 && a.rt === 15) return loadPc(ctx, site, a, off);
      return single(ctx, site, a, a.b === 1 ? SIZE_BYTE : SIZE_WORD, off);
    }
    case 'LDST_extra_imm_h':
      return single(ctx, site, a, SIZE_HALF, imm8(a));
    case 'LDST_extra_reg_h':
      return a.rm === 15 ? null : single(ctx, site, a, SIZE_HALF, register(a.rm!));
    case 'LDST_extra_imm_sd':
      if (a.l === 1) return single(ctx, site, a, a.sh === 0 ? SIZE_SBYTE : SIZE_SHALF, imm8(a));
      return dual(ctx, site, a, imm8(a), a.sh === 0);
    case 'LDST_extra_reg_sd':
      if (a.rm === 15) return null;
      if (a.l === 1) return single(ctx, site, a, a.sh === 0 ? SIZE_SBYTE : SIZE_SHALF, register(a.rm!));
      // Post-indexed LDRD with Rm = Rt or Rt2: the handler writes back with the loaded Rm (as QEMU).
      if (a.sh === 0 && a.p === 0 && (a.rm === a.rt || a.rm === a.rt! + 1)) return null;
      return dual(ctx, site, a, register(a.rm!), a.sh === 0);
    case 'LDM_STM':
      return multiple(ctx, site, a);
    case 'LDREX':
      return loadExclusive(ctx, site, a);
    case 'STREX':
      return storeExclusive(ctx, site, a);
    case 'CLREX':
      if (ctx.monitor === null) return null;
      ctx.code.storeWordAt(ctx.monitor.open, (c) => c.i32Const(0));
      return STAYS;
    default:
      return null;
  }
}

/** The extra loads/stores' split 8-bit immediate. */
const imm8 = (a: Fields): Offset => immediate((a.imm4h! << 4) | a.imm4l!);

/** Local `op` = the register offset `off` (its register shifted as emit-t32's immShift without carry). */
function registerOffset(ctx: WasmA32MemoryContext, site: WasmMemorySite, off: Offset): void {
  const c = ctx.code;
  const { rm, ty, n } = off;
  if (ty === 3 && n === 0) {
    // RRX: (C << 31) | (v >>> 1).
    c.get(ctx.cf).i32Const(31).op(Op.i32Shl);
    ctx.getReg(site, rm);
    c.i32Const(1).op(Op.i32ShrU).op(Op.i32Or);
  } else if (ty === 1 && n === 0) {
    c.i32Const(0); // LSR #32
  } else {
    ctx.getReg(site, rm);
    if (n !== 0 || ty === 2) c.i32Const(n === 0 ? 31 : n).op(ty === 0 ? Op.i32Shl : ty === 1 ? Op.i32ShrU : ty === 2 ? Op.i32ShrS : Op.i32Rotr);
  }
  c.set(ctx.op);
}

/** Push the base: R[rn], or the word-aligned PC + 8 (a literal). */
function pushBase(ctx: WasmA32MemoryContext, site: WasmMemorySite, rn: number): void {
  if (rn === 15) ctx.code.i32Const(((site.pc + 8) & ~3) | 0);
  else ctx.getReg(site, rn);
}

/**
 * The operand (a register offset in `op`), local `wb` = base ± offset (what writeback writes) and
 * local `addr` = the access address: `wb` when pre-indexed, the base when post-indexed — all
 * before the access, which changes no register.
 */
function addressing(ctx: WasmA32MemoryContext, site: WasmMemorySite, a: Fields, off: Offset, l: Locals): void {
  const c = ctx.code;
  if (off.rm >= 0) registerOffset(ctx, site, off);
  pushBase(ctx, site, a.rn!);
  if (off.rm >= 0) c.get(ctx.op);
  else c.i32Const(off.imm);
  c.op(a.u === 1 ? Op.i32Add : Op.i32Sub);
  if (a.p === 1) {
    c.tee(l.wb).set(l.addr);
  } else {
    c.set(l.wb);
    pushBase(ctx, site, a.rn!);
    c.set(l.addr);
  }
}

/**
 * The JIT TLB test of local `addr` for an access of `span` bytes: the tag at `tagAt` (READ_TAG or
 * WRITE_TAG) of its entry must equal `addr` masked with `mask`, and a transfer of more than a
 * word must end on the page; otherwise the slow path. Then local `host` = the wasm address.
 */
function tlbHit(ctx: WasmA32MemoryContext, site: WasmMemorySite, l: Locals, tagAt: number, mask: number, span: number): void {
  const c = ctx.code;
  c.get(ctx.tlb).get(l.addr).i32Const(ENTRY_SHIFT).op(Op.i32ShrU).i32Const(ENTRY_MASK).op(Op.i32And).op(Op.i32Add).tee(l.host);
  c.mem(Op.i32Load, 2, tagAt).get(l.addr).i32Const(mask).op(Op.i32And).op(Op.i32Ne);
  if (span > 4) c.get(l.addr).i32Const(4095).op(Op.i32And).i32Const(4096 - span).op(Op.i32GtU).op(Op.i32Or);
  c.if();
  ctx.slowPath(site);
  c.end();
  c.get(l.addr).get(l.host).mem(Op.i32Load, 2, tagAt + 4).op(Op.i32Add).set(l.host);
}

/** Push the `size`-byte value (as Cpu.loadSized: 4, 2, -2, 1, -1) at local `addr` (a TLB hit, or the slow path). */
function pushLoad(ctx: WasmA32MemoryContext, site: WasmMemorySite, l: Locals, size: number): void {
  const abs = Math.abs(size);
  tlbHit(ctx, site, l, READ_TAG, TAG_MASK[abs]!, abs);
  const c = ctx.code.get(l.host);
  switch (size) {
    case 4:
      c.mem(Op.i32Load, 2);
      break;
    case 2:
      c.mem(Op.i32Load16U, 1);
      break;
    case -2:
      c.mem(Op.i32Load16S, 1);
      break;
    case 1:
      c.mem(Op.i32Load8U, 0);
      break;
    default:
      c.mem(Op.i32Load8S, 0);
  }
}

/** Store register rt's `size` bytes (4, 2 or 1) at local `addr` (a TLB hit, or the slow path). */
function storeRegister(ctx: WasmA32MemoryContext, site: WasmMemorySite, l: Locals, rt: number, size: number): void {
  tlbHit(ctx, site, l, WRITE_TAG, TAG_MASK[size]!, size);
  ctx.code.get(l.host);
  ctx.getReg(site, rt);
  ctx.code.mem(size === 4 ? Op.i32Store : size === 2 ? Op.i32Store16 : Op.i32Store8, size === 4 ? 2 : size === 2 ? 1 : 0);
}

/**
 * LDR/STR{B,H,SB,SH} as memops.loadStore (emit-a32-memory's `single`): the access first, then
 * writeback, then Rt (a loaded Rt = Rn wins). The unprivileged forms, PC as Rt and writeback to
 * the PC are call-throughs.
 */
function single(ctx: WasmA32MemoryContext, site: WasmMemorySite, a: Fields, size: number, off: Offset): WasmMemoryCode | null {
  const wback = a.p === 0 || a.w === 1;
  if ((a.p === 0 && a.w === 1) || a.rt === 15 || (wback && a.rn === 15)) return null;
  const l = localsOf(ctx);
  addressing(ctx, site, a, off, l);
  if (a.l === 1) {
    pushLoad(ctx, site, l, size);
    ctx.code.set(l.res);
  } else {
    storeRegister(ctx, site, l, a.rt!, size);
  }
  if (wback) ctx.setRegFrom(a.rn!, l.wb);
  if (a.l === 1) ctx.setRegFrom(a.rt!, l.res);
  return STAYS;
}

/** LDR PC (a word): load, writeback, then LoadWritePC (interworking) and leave the block. */
function loadPc(ctx: WasmA32MemoryContext, site: WasmMemorySite, a: Fields, off: Offset): WasmMemoryCode | null {
  const wback = a.p === 0 || a.w === 1;
  if ((a.p === 0 && a.w === 1) || (wback && a.rn === 15)) return null;
  const l = localsOf(ctx);
  addressing(ctx, site, a, off, l);
  pushLoad(ctx, site, l, SIZE_WORD);
  ctx.code.set(l.res);
  if (wback) ctx.setRegFrom(a.rn!, l.wb);
  ctx.interworkingExit(site, l.res);
  return LEAVES;
}

/**
 * LDRD/STRD as emit-a32-memory's `dual`: an odd Rt, Rt = 14 and a PC base with writeback are
 * call-throughs; both words are checked at once (aligned, one page, a TLB hit: an unaligned
 * address is the slow path, where the handler's alignment fault is, whatever SCTLR.A says);
 * writeback comes last.
 */
function dual(ctx: WasmA32MemoryContext, site: WasmMemorySite, a: Fields, off: Offset, isLoad: boolean): WasmMemoryCode | null {
  const wback = a.p === 0 || a.w === 1;
  if ((a.rt! & 1) !== 0 || a.rt === 14 || (a.p === 0 && a.w === 1) || (wback && a.rn === 15)) return null;
  const c = ctx.code;
  const rt = a.rt!;
  const l = localsOf(ctx);
  addressing(ctx, site, a, off, l);
  tlbHit(ctx, site, l, isLoad ? READ_TAG : WRITE_TAG, TAG_MASK[4]!, 8);
  for (let i = 0; i < 2; i++) {
    if (isLoad) {
      ctx.setReg(rt + i, () => c.get(l.host).mem(Op.i32Load, 2, 4 * i));
    } else {
      c.get(l.host);
      ctx.getReg(site, rt + i);
      c.mem(Op.i32Store, 2, 4 * i);
    }
  }
  if (wback) ctx.setRegFrom(a.rn!, l.wb);
  return STAYS;
}

/**
 * LDM/STM without S, as emit-a32-memory's `multiple`: the whole transfer is checked at once
 * (aligned, one page, a TLB hit), loaded registers are written as they arrive, a loaded base after
 * the writeback, a loaded PC last (LoadWritePC, then the block leaves). LDM with writeback and the
 * base in the list, an empty list, a PC base and the S forms are call-throughs.
 */
function multiple(ctx: WasmA32MemoryContext, site: WasmMemorySite, a: Fields): WasmMemoryCode | null {
  const list = a.list!;
  const isLoad = a.l === 1;
  const rn = a.rn!;
  if (list === 0 || rn === 15 || a.s === 1 || (isLoad && a.w === 1 && (list & (1 << rn)) !== 0)) return null;
  const c = ctx.code;
  let n = 0;
  for (let i = 0; i < 16; i++) if ((list & (1 << i)) !== 0) n++;
  const lowOff = a.u === 1 ? 0 : -4 * n;
  const startOff = a.p === a.u ? lowOff + 4 : lowOff;
  const wbOff = a.u === 1 ? 4 * n : -4 * n;
  const loadsPc = isLoad && (list & 0x8000) !== 0;
  const l = localsOf(ctx);
  ctx.getReg(site, rn);
  c.tee(l.wb).i32Const(startOff).op(Op.i32Add).set(l.addr);
  tlbHit(ctx, site, l, isLoad ? READ_TAG : WRITE_TAG, TAG_MASK[4]!, 4 * n);
  for (let r = 0, i = 0; r < 16; r++) {
    if ((list & (1 << r)) === 0) continue;
    const offset = 4 * i++;
    if (!isLoad) {
      c.get(l.host);
      ctx.getReg(site, r);
      c.mem(Op.i32Store, 2, offset);
    } else if (r === rn || r === 15) {
      // A loaded base and PC wait in locals.
      c.get(l.host).mem(Op.i32Load, 2, offset).set(r === rn ? ctx.op : l.res);
    } else {
      ctx.setReg(r, () => c.get(l.host).mem(Op.i32Load, 2, offset));
    }
  }
  if (a.w === 1) ctx.setReg(rn, () => c.get(l.wb).i32Const(wbOff).op(Op.i32Add));
  if (isLoad && (list & (1 << rn)) !== 0) ctx.setRegFrom(rn, ctx.op);
  if (loadsPc) ctx.interworkingExit(site, l.res);
  return loadsPc ? LEAVES : STAYS;
}

/** LDREX{B,H,} as loadExclusive: aligned access (a misaligned one misses), then the monitor opens on the address and the value. */
function loadExclusive(ctx: WasmA32MemoryContext, site: WasmMemorySite, a: Fields): WasmMemoryCode | null {
  const size = EXCLUSIVE_SIZES[a.op!]!;
  const m = ctx.monitor;
  if (m === null || size === 8 || a.rn === 15 || a.rt === 15) return null;
  const c = ctx.code;
  const l = localsOf(ctx);
  ctx.getReg(site, a.rn!);
  c.set(l.addr);
  pushLoad(ctx, site, l, size);
  c.set(l.res);
  c.storeWordAt(m.addr, (k) => k.get(l.addr));
  c.storeWordAt(m.value, (k) => k.get(l.res));
  c.storeWordAt(m.open, (k) => k.i32Const(1));
  ctx.setRegFrom(a.rt!, l.res);
  return STAYS;
}

/**
 * STREX{B,H,} as storeExclusive: the store happens only when the monitor holds the address and
 * memory still holds the value LDREX read (QEMU's cmpxchg); the monitor always closes.
 */
function storeExclusive(ctx: WasmA32MemoryContext, site: WasmMemorySite, a: Fields): WasmMemoryCode | null {
  const size = EXCLUSIVE_SIZES[a.op!]!;
  const { rd, rn, rt } = a;
  const m = ctx.monitor;
  if (m === null || size === 8 || rd === 15 || rn === 15 || rt === 15 || rd === rn || rd === rt) return null;
  const c = ctx.code;
  const l = localsOf(ctx);
  ctx.getReg(site, rn!);
  c.set(l.addr);
  c.i32Const(1).set(l.res);
  c.loadWordAt(m.open).loadWordAt(m.addr).get(l.addr).op(Op.i32Eq).op(Op.i32And);
  c.if();
  pushLoad(ctx, site, l, size);
  c.loadWordAt(m.value).op(Op.i32Eq);
  c.if();
  storeRegister(ctx, site, l, rt!, size);
  c.i32Const(0).set(l.res);
  c.end();
  c.end();
  c.storeWordAt(m.open, (k) => k.i32Const(0));
  ctx.setRegFrom(rd!, l.res);
  return STAYS;
}
