/**
 * What an A32 → WebAssembly instruction emitter writes its code against (emit-wasm-a32.ts,
 * emit-wasm-a32-memory.ts): the function body being built, its locals, the registers and flags,
 * conditions, and the ways out of a block (exits, the call-through and slow-path imports). The
 * JavaScript tier's counterpart is A32EmitContext (emit-a32.ts); the semantics are the same.
 *
 * Function shape (one per block; ABI in a32-wasm-compiler.ts):
 *
 *   block $exit
 *     loop $top            ;; a branch back to the block's start continues here
 *       <instructions>     ;; an exit sets xn (instructions of this pass) and xpc, then br $exit
 *     end
 *   end
 *   R[15] = xpc; flags -> memory; return done + xn
 *
 * Registers live in the memory (`stateBase + STATE_REGS`, the core's `r` view); NZCV live in the
 * locals nf/zf/cf/vf in CpuState's representation (N = bit 31 of nf, Z = zf === 0, C = cf (0/1),
 * V = bit 31 of vf) and are stored to STATE_FLAGS before every import call and every return.
 */
import type { WasmCode } from './wasm-module-builder.js';
import { I64, Op } from './wasm-module-builder.js';
import { DISPATCH_STOP } from './wasm-dispatcher.js';
import type { WasmA32MemoryContext } from './emit-wasm-a32-memory.js';
import type { InsnSite } from '../jit/emit-context.js';
import {
  FLAG_CF,
  FLAG_NF,
  FLAG_VF,
  FLAG_ZF,
  STATE_EXIT_THUMB,
  STATE_IMPORT_LEAVE,
  STATE_MONITOR_ADDR,
  STATE_MONITOR_OPEN,
  STATE_JIT_TLB,
  STATE_MONITOR_VAL,
  STATE_REGS,
} from './wasm-state-layout.js';
import { JIT_TLB_VIEW_BYTES, VIEW_PRIV } from '../../memory/jit-tlb.js';
import type { SysRegDef } from '../v7a/sysreg-registry.js';

/** One instruction being translated (size 4: A32). */
export type WasmInsnSite = InsnSite;

/** Function indexes of the block module's imports (a32-wasm-compiler.ts). */
export const IMPORT_CALL_THROUGH = 0;
export const IMPORT_SLOW = 1;
export const IMPORT_SYSREG_READ = 2;

/** Parameters of every block function. */
const PARAM_BUDGET = 0;
const PARAM_TLB = 1;

export class A32WasmEmitContext implements WasmA32MemoryContext {
  /** Instructions retired by earlier passes of a looping block. */
  readonly done: number;
  readonly nf: number;
  readonly zf: number;
  readonly cf: number;
  readonly vf: number;
  /** Scratch: an instruction's result, operand 2, shifter carry-out, access address. */
  readonly res: number;
  readonly op: number;
  readonly cy: number;
  readonly addr: number;
  /**
   * The state area's address (set first thing): registers and flags are addressed from it with
   * small constant offsets, 3-4 bytes shorter per access than absolute ones (V8 compiles a
   * module's bytes in time proportional to their size).
   */
  private readonly sb: number;
  /** Exit: instructions of this pass (added to `done`) and the PC. */
  private readonly xn: number;
  private readonly xpc: number;
  /** i32 scratch locals handed out by `temp` (reused across instructions: each is set before read). */
  private readonly temps: number[] = [];
  private tempsInUse = 0;
  private wideLocal = -1;
  /** Some branch continues at the block's start inside the function (A32Block.loopsToStart). */
  loopsToStart = false;
  /** The exclusive monitor's words while wasm code runs (the compiler copies CpuState's in and out). */
  readonly monitor: { readonly open: number; readonly addr: number; readonly value: number };

  constructor(
    /** The function body (parameters: budget, tlb). */
    readonly code: WasmCode,
    /** Byte address of the state area in the memory. */
    readonly stateBase: number,
    /** Virtual address of the block's first instruction. */
    readonly start: number,
    /** Instructions in the block (a pass back to the start needs that much budget left). */
    readonly count: number,
    /** Index of the block in its batch (the imports' first argument). */
    readonly blockIndex: number,
  ) {
    this.done = code.local();
    this.nf = code.local();
    this.zf = code.local();
    this.cf = code.local();
    this.vf = code.local();
    this.res = code.local();
    this.op = code.local();
    this.cy = code.local();
    this.addr = code.local();
    this.xn = code.local();
    this.xpc = code.local();
    this.sb = code.local();
    this.monitor = { open: stateBase + STATE_MONITOR_OPEN, addr: stateBase + STATE_MONITOR_ADDR, value: stateBase + STATE_MONITOR_VAL };
  }

  /** The local holding the budget (the block function's first parameter). */
  get budget(): number {
    return PARAM_BUDGET;
  }

  /** The local holding the byte address of the current JIT TLB view. */
  get tlb(): number {
    return PARAM_TLB;
  }

  /**
   * An i32 scratch local for the current instruction (released by `releaseTemps`, which the
   * compiler calls after every instruction).
   */
  temp(): number {
    if (this.tempsInUse === this.temps.length) this.temps.push(this.code.local());
    return this.temps[this.tempsInUse++]!;
  }

  releaseTemps(): void {
    this.tempsInUse = 0;
  }

  /** An i64 scratch local (one per function, set before read: the 64-bit multiplies). */
  wide(): number {
    if (this.wideLocal < 0) this.wideLocal = this.code.local(I64);
    return this.wideLocal;
  }

  /** Memory offset of R[n] (an i32.load/store `offset` from address 0). */
  regOffset(n: number): number {
    return STATE_REGS + 4 * n;
  }

  /** Push the architectural read of R[n]: the PC reads as the instruction + 8. */
  getReg(site: WasmInsnSite, n: number): void {
    if (n === 15) this.code.i32Const((site.pc + 8) | 0);
    else this.code.get(this.sb).mem(Op.i32Load, 2, this.regOffset(n));
  }

  /** R[n] = local `from` (n < 15: the PC is written only by exits). */
  setRegFrom(n: number, from: number): void {
    this.code.get(this.sb).get(from).mem(Op.i32Store, 2, this.regOffset(n));
  }

  /** R[n] = the value `value` pushes. */
  setReg(n: number, value: () => void): void {
    this.code.get(this.sb);
    value();
    this.code.mem(Op.i32Store, 2, this.regOffset(n));
  }

  /** NZCV locals -> memory (before an import call or a return). */
  storeFlags(): void {
    const c = this.code;
    c.get(this.sb).get(this.nf).mem(Op.i32Store, 2, FLAG_NF);
    c.get(this.sb).get(this.zf).mem(Op.i32Store, 2, FLAG_ZF);
    c.get(this.sb).get(this.cf).mem(Op.i32Store, 2, FLAG_CF);
    c.get(this.sb).get(this.vf).mem(Op.i32Store, 2, FLAG_VF);
  }

  /** The function's first code: the state area's address, the flags. */
  beginFunction(): void {
    this.code.i32Const(this.stateBase).set(this.sb);
    this.loadFlags();
  }

  /** Memory -> NZCV locals (at entry and after an import ran a handler). */
  loadFlags(): void {
    const c = this.code;
    c.get(this.sb).mem(Op.i32Load, 2, FLAG_NF).set(this.nf);
    c.get(this.sb).mem(Op.i32Load, 2, FLAG_ZF).set(this.zf);
    c.get(this.sb).mem(Op.i32Load, 2, FLAG_CF).set(this.cf);
    c.get(this.sb).mem(Op.i32Load, 2, FLAG_VF).set(this.vf);
  }

  /** Push ConditionPassed(cond) (cond < 14) as 0/1, as conditionExpr (emit-context.ts). */
  condition(cond: number): void {
    const c = this.code;
    switch (cond >>> 1) {
      case 0: // EQ: Z
        c.get(this.zf).op(Op.i32Eqz);
        break;
      case 1: // CS: C
        c.get(this.cf);
        break;
      case 2: // MI: N
        c.get(this.nf).i32Const(31).op(Op.i32ShrU);
        break;
      case 3: // VS: V
        c.get(this.vf).i32Const(31).op(Op.i32ShrU);
        break;
      case 4: // HI: C and not Z
        c.get(this.cf).get(this.zf).i32Const(0).op(Op.i32Ne).op(Op.i32And);
        break;
      case 5: // GE: N == V
        c.get(this.nf).get(this.vf).op(Op.i32Xor).i32Const(-1).op(Op.i32GtS);
        break;
      default: // GT: not Z and N == V
        c.get(this.zf).i32Const(0).op(Op.i32Ne);
        c.get(this.nf).get(this.vf).op(Op.i32Xor).i32Const(-1).op(Op.i32GtS);
        c.op(Op.i32And);
    }
    if ((cond & 1) !== 0) c.op(Op.i32Eqz);
  }

  /** Open `if (ConditionPassed(cond))` for a conditional instruction (none for cond >= 14); close with `endCondition`. */
  beginCondition(cond: number): void {
    if (cond >= 14) return;
    this.condition(cond);
    this.code.if();
  }

  endCondition(cond: number): void {
    if (cond < 14) this.code.end();
  }

  /** Label index of `br` to the function's exit block / its loop, from the current nesting. */
  private get exitLabel(): number {
    return this.code.openBlocks - 1;
  }

  private get topLabel(): number {
    return this.code.openBlocks - 2;
  }

  /** Open the function's exit block and loop (before the first instruction). */
  beginBody(): void {
    this.code.block().loop();
  }

  /**
   * Close them and write the one epilogue every exit goes through: R[15] = xpc, flags to memory,
   * return done + xn.
   */
  endBody(): void {
    const c = this.code;
    c.end().end();
    this.setRegFromPc();
    this.storeFlags();
    c.get(this.done).get(this.xn).op(Op.i32Add);
  }

  private setRegFromPc(): void {
    this.code.get(this.sb).get(this.xpc).mem(Op.i32Store, 2, this.regOffset(15));
  }

  /** Leave after `site` (it retired) with PC = the value `pushPc` pushes. */
  exitAfter(site: WasmInsnSite, pushPc: () => void): void {
    const c = this.code;
    c.i32Const(site.j + 1).set(this.xn);
    pushPc();
    c.set(this.xpc).br(this.exitLabel);
  }

  /** Leave after `site` for the constant address `pc`. */
  exitTo(site: WasmInsnSite, pc: number): void {
    this.exitAfter(site, () => this.code.i32Const(pc | 0));
  }

  /**
   * An interworking write of local `t` to the PC after `site` (BXWritePC / ALUWritePC /
   * LoadWritePC): bit 0 selects Thumb — the run wrapper sets CPSR.T from STATE_EXIT_THUMB, as
   * blocks run only in A32 state and st.thumb is 0 until then — and the block leaves for t & ~1.
   */
  interworkingExit(site: WasmInsnSite, t: number): void {
    const c = this.code;
    c.get(t).i32Const(1).op(Op.i32And).if();
    c.i32Const(0).i32Const(1).mem(Op.i32Store, 2, this.stateBase + STATE_EXIT_THUMB);
    // The wasm dispatcher's chain must not run the next block as A32 code.
    c.i32Const(0).i32Const(1).mem(Op.i32Store, 2, this.stateBase + DISPATCH_STOP);
    c.end();
    this.exitAfter(site, () => c.get(t).i32Const(-2).op(Op.i32And));
  }

  /**
   * Branch after `site` to `target`: back to the block's start stays in the function while the
   * budget allows another whole pass (branchTo in emit-a32.ts), anything else leaves.
   */
  branchTo(site: WasmInsnSite, target: number): void {
    if ((target | 0) !== (this.start | 0)) {
      this.exitTo(site, target);
      return;
    }
    this.loopsToStart = true;
    const c = this.code;
    c.get(this.done).i32Const(site.j + 1).op(Op.i32Add).set(this.done);
    c.get(this.budget).get(this.done).op(Op.i32Sub).i32Const(this.count).op(Op.i32GeS).brIf(this.topLabel);
    c.i32Const(0).set(this.xn);
    c.i32Const(target | 0).set(this.xpc).br(this.exitLabel);
  }

  /**
   * Instruction `site` through its table handler (the callThrough import, exactly as
   * A32EmitContext.callThroughA32): flags to memory before, back after; the block returns when
   * the import says it must leave (it has set R[15]) — always when `alwaysExits`.
   */
  callThrough(site: WasmInsnSite, alwaysExits: boolean): void {
    const c = this.code;
    this.storeFlags();
    c.i32Const(this.blockIndex).i32Const(site.j).get(this.done).call(IMPORT_CALL_THROUGH);
    if (alwaysExits) {
      c.op(Op.drop);
      this.returnRetired(site);
      return;
    }
    c.if();
    this.returnRetired(site);
    c.end();
    this.loadFlags();
  }

  /**
   * MRC of a system register with a plain read into R[rt] (rt < 15): a load from the state area
   * when its owner keeps it there (SysRegDef.stateWord: the thread ID registers), else through
   * the sysregRead import (the definition resolved at compile time, as the micro-op tier's
   * MICRO_SYSREG_READ): the value,
   * or — where the handler must run (a PL0 read it forbids: UNDEFINED) — the import ran it as
   * callThrough does and set STATE_IMPORT_LEAVE, and the block returns.
   */
  sysregRead(site: WasmInsnSite, rt: number, def: SysRegDef): void {
    const c = this.code;
    const word = def.stateWord;
    if (word !== undefined) {
      // Kept in the state area by its owner: a load. A register PL0 may not read is loaded only
      // when the block runs with the PL1 JIT TLB view (the MMU's view follows the mode: PL1, MMU
      // on); otherwise the import decides (the handler UNDEFs at PL0).
      if (def.pl0Read === true) {
        this.setReg(rt, () => void c.get(this.sb).mem(Op.i32Load, 2, word));
        return;
      }
      c.get(this.tlb).i32Const((this.stateBase + STATE_JIT_TLB + VIEW_PRIV * JIT_TLB_VIEW_BYTES) | 0).op(Op.i32Eq);
      c.if();
      this.setReg(rt, () => void c.get(this.sb).mem(Op.i32Load, 2, word));
      c.else();
      this.sysregReadImport(site, rt);
      c.end();
      return;
    }
    this.sysregReadImport(site, rt);
  }

  private sysregReadImport(site: WasmInsnSite, rt: number): void {
    const c = this.code;
    const leave = this.stateBase + STATE_IMPORT_LEAVE;
    // The handler's path may enter an exception, which reads the flags.
    this.storeFlags();
    c.i32Const(this.blockIndex).i32Const(site.j).get(this.done).call(IMPORT_SYSREG_READ).set(this.res);
    c.loadWordAt(leave).if();
    c.i32Const(0).i32Const(0).mem(Op.i32Store, 2, leave);
    this.returnRetired(site);
    c.end();
    this.setRegFrom(rt, this.res);
  }

  /**
   * Leave for the slow path: instruction `site` runs whole through its table handler with the
   * interpreter's set-up (the slow import, exactly as a32SlowPath: icount synchronised, a fault
   * recorded, a JIT TLB refill for the address in local `addr`, R[15] = the handler's next PC) and
   * the block returns the count it retired. Nothing the handler reads may have changed before this.
   */
  slowPath(site: WasmInsnSite): void {
    const c = this.code;
    this.storeFlags();
    c.i32Const(this.blockIndex).i32Const(site.j).get(this.done).get(this.addr).call(IMPORT_SLOW);
    c.op(Op.return);
  }

  /** Return done + j + 1 directly (R[15] and the flags in memory already set by an import). */
  private returnRetired(site: WasmInsnSite): void {
    this.code.get(this.done).i32Const(site.j + 1).op(Op.i32Add).op(Op.return);
  }
}
