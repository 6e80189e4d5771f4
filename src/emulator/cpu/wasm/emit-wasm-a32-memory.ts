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
import type { InsnSite } from '../jit/emit-context.js';
import { SIZE_BYTE, SIZE_HALF, SIZE_SBYTE, SIZE_SHALF, SIZE_WORD } from '../memops.js';
import { JIT_TLB_INDEX_MASK, JIT_TLB_INDEX_SHIFT, JIT_TLB_WRITE } from '../../memory/jit-tlb.js';
import { Op, type WasmCode } from './wasm-module-builder.js';

/** What the memory emitters need from the block compiler's emit context. */
export interface WasmA32MemoryContext {
  /** The function body being written. */
  readonly code: WasmCode;
  /** Local holding the byte address of the current JIT TLB view (the block function's `tlb` parameter). */
  readonly tlb: number;
  /** Push register n as instruction `site` reads it (n = 15: its address + 8). */
  pushReg(site: InsnSite, n: number): void;
  /** Pop the top of the stack into register n (0-14). */
  popReg(n: number): void;
  /** Push the C flag (0 or 1): RRX. */
  pushCarry(): void;
  /** Scratch i32 local i (0-4) of the function, free for the instruction being emitted. */
  scratch(i: number): number;
  /**
   * Leave the straight line for the block's slow path, which runs instruction `site` whole through
   * its table handler and refills the JIT TLB for the address in local `addr`.
   */
  miss(site: InsnSite, addr: number): void;
  /** Leave after `site` with an interworking branch (LoadWritePC) to the value in local `target`. */
  exitInterworking(site: InsnSite, target: number): void;
  /**
   * Where the exclusive monitor is while wasm code runs (the state area's STATE_MONITOR_* words,
   * wasm-state-layout.ts), or null when the context keeps it in CpuState only (exclusives are then
   * call-throughs).
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

/** The scratch locals by role: address, loaded value, operand (or loaded base), writeback/base, entry then host address. */
const A = 0;
const RES = 1;
const OP = 2;
const WB = 3;
const HOST = 4;

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
export function emitWasmA32Memory(ctx: WasmA32MemoryContext, site: InsnSite, row: Encoding<Handler>, a: Fields): WasmMemoryCode | null {
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

/** Local OP = the register offset `off` (its register shifted as emit-t32's immShift without carry). */
function registerOffset(ctx: WasmA32MemoryContext, site: InsnSite, off: Offset): void {
  const c = ctx.code;
  const { rm, ty, n } = off;
  if (ty === 3 && n === 0) {
    // RRX: (C << 31) | (v >>> 1).
    ctx.pushCarry();
    c.i32Const(31).op(Op.i32Shl);
    ctx.pushReg(site, rm);
    c.i32Const(1).op(Op.i32ShrU).op(Op.i32Or);
  } else if (ty === 1 && n === 0) {
    c.i32Const(0); // LSR #32
  } else {
    ctx.pushReg(site, rm);
    if (n !== 0 || ty === 2) c.i32Const(n === 0 ? 31 : n).op(ty === 0 ? Op.i32Shl : ty === 1 ? Op.i32ShrU : ty === 2 ? Op.i32ShrS : Op.i32Rotr);
  }
  c.set(ctx.scratch(OP));
}

/** Push the base: R[rn], or the word-aligned PC + 8 (a literal). */
function pushBase(ctx: WasmA32MemoryContext, site: InsnSite, rn: number): void {
  if (rn === 15) ctx.code.i32Const(((site.pc + 8) & ~3) | 0);
  else ctx.pushReg(site, rn);
}

/** Push base ± offset (memops.loadStore's offset address). */
function pushOffsetAddress(ctx: WasmA32MemoryContext, site: InsnSite, a: Fields, off: Offset): void {
  const c = ctx.code;
  pushBase(ctx, site, a.rn!);
  if (off.rm >= 0) c.get(ctx.scratch(OP));
  else c.i32Const(off.imm);
  c.op(a.u === 1 ? Op.i32Add : Op.i32Sub);
}

/**
 * The operand (a register offset in OP), local WB = the offset address (what writeback writes) and
 * local A = the access address: WB when pre-indexed, the base when post-indexed — all before the
 * access, which changes no register.
 */
function addressing(ctx: WasmA32MemoryContext, site: InsnSite, a: Fields, off: Offset): void {
  const c = ctx.code;
  if (off.rm >= 0) registerOffset(ctx, site, off);
  pushOffsetAddress(ctx, site, a, off);
  if (a.p === 1) {
    c.tee(ctx.scratch(WB)).set(ctx.scratch(A));
  } else {
    c.set(ctx.scratch(WB));
    pushBase(ctx, site, a.rn!);
    c.set(ctx.scratch(A));
  }
}

/**
 * Local HOST = the byte address of local A's JIT TLB entry; the slow path unless its tag at
 * `tagAt` (READ_TAG or WRITE_TAG) equals A masked with `mask`. Leaves nothing on the stack.
 */
function tlbCheck(ctx: WasmA32MemoryContext, site: InsnSite, tagAt: number, mask: number, span: number): void {
  const c = ctx.code;
  const addr = ctx.scratch(A);
  const entry = ctx.scratch(HOST);
  c.get(ctx.tlb).get(addr).i32Const(ENTRY_SHIFT).op(Op.i32ShrU).i32Const(ENTRY_MASK).op(Op.i32And).op(Op.i32Add).tee(entry);
  c.mem(Op.i32Load, 2, tagAt).get(addr).i32Const(mask).op(Op.i32And).op(Op.i32Ne);
  // A transfer of more than a word must also end on the page (a page-crossing one is the slow path).
  if (span > 4) c.get(addr).i32Const(4095).op(Op.i32And).i32Const(4096 - span).op(Op.i32GtU).op(Op.i32Or);
  c.if();
  ctx.miss(site, addr);
  c.end();
}

/** Local HOST = the wasm address of local A, after tlbCheck left HOST at its entry. */
function setHostAddress(ctx: WasmA32MemoryContext, tagAt: number): void {
  const c = ctx.code;
  const host = ctx.scratch(HOST);
  c.get(ctx.scratch(A)).get(host).mem(Op.i32Load, 2, tagAt + 4).op(Op.i32Add).set(host);
}

/** Push the `size`-byte value (as Cpu.loadSized: 4, 2, -2, 1, -1) at the address in local A (a TLB hit, or the slow path). */
function pushLoad(ctx: WasmA32MemoryContext, site: InsnSite, size: number): void {
  const abs = Math.abs(size);
  tlbCheck(ctx, site, READ_TAG, TAG_MASK[abs]!, abs);
  setHostAddress(ctx, READ_TAG);
  ctx.code.get(ctx.scratch(HOST));
  switch (size) {
    case 4:
      ctx.code.mem(Op.i32Load, 2);
      break;
    case 2:
      ctx.code.mem(Op.i32Load16U, 1);
      break;
    case -2:
      ctx.code.mem(Op.i32Load16S, 1);
      break;
    case 1:
      ctx.code.mem(Op.i32Load8U, 0);
      break;
    default:
      ctx.code.mem(Op.i32Load8S, 0);
  }
}

/** Store register rt's `size` bytes (4, 2 or 1) at the address in local A (a TLB hit, or the slow path). */
function storeRegister(ctx: WasmA32MemoryContext, site: InsnSite, rt: number, size: number): void {
  tlbCheck(ctx, site, WRITE_TAG, TAG_MASK[size]!, size);
  setHostAddress(ctx, WRITE_TAG);
  ctx.code.get(ctx.scratch(HOST));
  ctx.pushReg(site, rt);
  ctx.code.mem(size === 4 ? Op.i32Store : size === 2 ? Op.i32Store16 : Op.i32Store8, size === 4 ? 2 : size === 2 ? 1 : 0);
}

/** Store local `local` into register rn. */
function setRegFrom(ctx: WasmA32MemoryContext, rn: number, local: number): void {
  ctx.code.get(ctx.scratch(local));
  ctx.popReg(rn);
}

/**
 * LDR/STR{B,H,SB,SH} as memops.loadStore (emit-a32-memory's `single`): the access first, then
 * writeback, then Rt (a loaded Rt = Rn wins). The unprivileged forms, PC as Rt and writeback to
 * the PC are call-throughs.
 */
function single(ctx: WasmA32MemoryContext, site: InsnSite, a: Fields, size: number, off: Offset): WasmMemoryCode | null {
  const wback = a.p === 0 || a.w === 1;
  if ((a.p === 0 && a.w === 1) || a.rt === 15 || (wback && a.rn === 15)) return null;
  const c = ctx.code;
  addressing(ctx, site, a, off);
  if (a.l === 1) {
    pushLoad(ctx, site, size);
    c.set(ctx.scratch(RES));
  } else {
    storeRegister(ctx, site, a.rt!, size);
  }
  if (wback) setRegFrom(ctx, a.rn!, WB);
  if (a.l === 1) setRegFrom(ctx, a.rt!, RES);
  return STAYS;
}

/** LDR PC (a word): load, writeback, then LoadWritePC (interworking) and leave the block. */
function loadPc(ctx: WasmA32MemoryContext, site: InsnSite, a: Fields, off: Offset): WasmMemoryCode | null {
  const wback = a.p === 0 || a.w === 1;
  if ((a.p === 0 && a.w === 1) || (wback && a.rn === 15)) return null;
  addressing(ctx, site, a, off);
  pushLoad(ctx, site, SIZE_WORD);
  ctx.code.set(ctx.scratch(RES));
  if (wback) setRegFrom(ctx, a.rn!, WB);
  ctx.exitInterworking(site, ctx.scratch(RES));
  return LEAVES;
}

/**
 * Local HOST = the wasm address of `span` bytes at local A when A is word-aligned, they lie on its
 * page and the JIT TLB lets the load (or store) through; otherwise the slow path, before anything
 * changed (emit-a32's wordsHit).
 */
function wordsHit(ctx: WasmA32MemoryContext, site: InsnSite, isLoad: boolean, span: number): void {
  const tagAt = isLoad ? READ_TAG : WRITE_TAG;
  tlbCheck(ctx, site, tagAt, TAG_MASK[4]!, span);
  setHostAddress(ctx, tagAt);
}

/**
 * LDRD/STRD as emit-a32-memory's `dual`: an odd Rt, Rt = 14 and a PC base with writeback are
 * call-throughs; both words are checked at once (an unaligned address is the slow path, where the
 * handler's alignment fault is, whatever SCTLR.A says); writeback comes last.
 */
function dual(ctx: WasmA32MemoryContext, site: InsnSite, a: Fields, off: Offset, isLoad: boolean): WasmMemoryCode | null {
  const wback = a.p === 0 || a.w === 1;
  if ((a.rt! & 1) !== 0 || a.rt === 14 || (a.p === 0 && a.w === 1) || (wback && a.rn === 15)) return null;
  const c = ctx.code;
  const rt = a.rt!;
  addressing(ctx, site, a, off);
  wordsHit(ctx, site, isLoad, 8);
  const host = ctx.scratch(HOST);
  for (let i = 0; i < 2; i++) {
    c.get(host);
    if (isLoad) {
      c.mem(Op.i32Load, 2, 4 * i);
      ctx.popReg(rt + i);
    } else {
      ctx.pushReg(site, rt + i);
      c.mem(Op.i32Store, 2, 4 * i);
    }
  }
  if (wback) setRegFrom(ctx, a.rn!, WB);
  return STAYS;
}

/**
 * LDM/STM without S, as emit-a32-memory's `multiple`: the whole transfer is checked at once
 * (aligned, one page, a TLB hit), loaded registers are written as they arrive, a loaded base after
 * the writeback, a loaded PC last (LoadWritePC, then the block leaves). LDM with writeback and the
 * base in the list, an empty list, a PC base and the S forms are call-throughs.
 */
function multiple(ctx: WasmA32MemoryContext, site: InsnSite, a: Fields): WasmMemoryCode | null {
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
  const base = ctx.scratch(WB);
  ctx.pushReg(site, rn);
  c.tee(base).i32Const(startOff).op(Op.i32Add).set(ctx.scratch(A));
  wordsHit(ctx, site, isLoad, 4 * n);
  const host = ctx.scratch(HOST);
  for (let r = 0, i = 0; r < 16; r++) {
    if ((list & (1 << r)) === 0) continue;
    c.get(host);
    if (isLoad) {
      c.mem(Op.i32Load, 2, 4 * i);
      // A loaded base and PC wait in locals.
      if (r === rn) c.set(ctx.scratch(OP));
      else if (r === 15) c.set(ctx.scratch(RES));
      else ctx.popReg(r);
    } else {
      ctx.pushReg(site, r);
      c.mem(Op.i32Store, 2, 4 * i);
    }
    i++;
  }
  if (a.w === 1) {
    c.get(base).i32Const(wbOff).op(Op.i32Add);
    ctx.popReg(rn);
  }
  if (isLoad && (list & (1 << rn)) !== 0) setRegFrom(ctx, rn, OP);
  if (loadsPc) ctx.exitInterworking(site, ctx.scratch(RES));
  return loadsPc ? LEAVES : STAYS;
}

/** LDREX{B,H,} as loadExclusive: aligned access (a misaligned one misses), then the monitor opens on the address and the value. */
function loadExclusive(ctx: WasmA32MemoryContext, site: InsnSite, a: Fields): WasmMemoryCode | null {
  const size = EXCLUSIVE_SIZES[a.op!]!;
  const m = ctx.monitor;
  if (m === null || size === 8 || a.rn === 15 || a.rt === 15) return null;
  const c = ctx.code;
  ctx.pushReg(site, a.rn!);
  c.set(ctx.scratch(A));
  pushLoad(ctx, site, size);
  c.set(ctx.scratch(RES));
  c.storeWordAt(m.addr, (k) => k.get(ctx.scratch(A)));
  c.storeWordAt(m.value, (k) => k.get(ctx.scratch(RES)));
  c.storeWordAt(m.open, (k) => k.i32Const(1));
  setRegFrom(ctx, a.rt!, RES);
  return STAYS;
}

/**
 * STREX{B,H,} as storeExclusive: the store happens only when the monitor holds the address and
 * memory still holds the value LDREX read (QEMU's cmpxchg); the monitor always closes.
 */
function storeExclusive(ctx: WasmA32MemoryContext, site: InsnSite, a: Fields): WasmMemoryCode | null {
  const size = EXCLUSIVE_SIZES[a.op!]!;
  const { rd, rn, rt } = a;
  const m = ctx.monitor;
  if (m === null || size === 8 || rd === 15 || rn === 15 || rt === 15 || rd === rn || rd === rt) return null;
  const c = ctx.code;
  const res = ctx.scratch(RES);
  ctx.pushReg(site, rn!);
  c.set(ctx.scratch(A));
  c.i32Const(1).set(res);
  c.loadWordAt(m.open).loadWordAt(m.addr).get(ctx.scratch(A)).op(Op.i32Eq).op(Op.i32And);
  c.if();
  pushLoad(ctx, site, size);
  c.loadWordAt(m.value).op(Op.i32Eq);
  c.if();
  storeRegister(ctx, site, rt!, size);
  c.i32Const(0).set(res);
  c.end();
  c.end();
  c.storeWordAt(m.open, (k) => k.i32Const(0));
  setRegFrom(ctx, rd!, RES);
  return STAYS;
}
