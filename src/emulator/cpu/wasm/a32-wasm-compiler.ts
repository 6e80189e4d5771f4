/**
 * Translates A32 blocks of the A-profile core into WebAssembly: the same blocks as A32BlockCompiler
 * (a32-block-discovery.ts), one function per block, a whole batch in one module (one compile and
 * instantiate: Liftoff compiles a block in microseconds, where TurboFan takes milliseconds for the
 * JavaScript one). Each block's `run(budget)` keeps A32BlockCompiler's contract exactly (see the
 * header of a32-block-compiler.ts), so blocks of either tier go wherever the other's go.
 *
 * ABI between the generated code and this module:
 * - Memory: the bus's WebAssembly.Memory (`bus.wasm`): guest RAM from byte 0, the state area at
 *   `stateBase` (wasm-state-layout.ts). The core's registers `r` are a view of
 *   `stateBase + STATE_REGS` (checked: otherwise `compileBatch` gives nulls); generated code reads
 *   and writes them there. NZCV: locals inside a function; at STATE_FLAGS in CpuState's
 *   representation around it — `enter` copies st.NF..VF in before the call, `leave` out after
 *   a normal return; the code stores them before every import call and every return and reloads
 *   them after an import that returns to it. The imports copy them memory -> st before a handler
 *   and st -> memory after, so memory is right whenever the code returns. The exclusive monitor
 *   (st.exclusiveAddr/exclusiveVal: LDREX/STREX/CLREX inline) travels with the flags, in the
 *   STATE_MONITOR_* words (open, address, value), but the code keeps it in memory only.
 * - Block function `(budget: i32, tlb: i32) -> i32`: `tlb` is the byte address of the current JIT
 *   TLB view (`cpu.jitTlb().byteOffset`, for the memory emitters); returns the instructions
 *   retired, R[15] stored. An interworking exit to Thumb code stores 1 at STATE_EXIT_THUMB (and
 *   the dispatcher's STOP); `leave` sets CPSR.T and clears it.
 * - Imports (module "a"): `memory`; `callThrough(block, k, done) -> i32`: instruction k of batch
 *   block `block` through its table handler as A32EmitContext.callThroughA32 (icount, the
 *   interpreter's set-up, the handler), nonzero when the block must leave (R[15] is then set to the
 *   handler's next PC); `slow(block, k, done, addr) -> i32`: the slow path exactly as a32SlowPath
 *   (the handler whole, a JIT TLB refill for `addr`, R[15]), returning the count retired, which
 *   the block returns. `done` is the count retired by earlier passes of a looping block; the
 *   imports count icount from `entryIcount` (set by `enter`) plus the dispatcher's CHAIN_DONE
 *   (wasm-dispatcher.ts: 0 outside its chain). After a handler they set its STOP word (the chain
 *   ends after that block) only when A32BlockJit.runFrom would not go on to a next block either,
 *   or when what the chain was given no longer holds (stopsChain). `run` is `enter`, the function,
 *   `leave`; the dispatcher's caller does the same around a chain (`enterChain`).
 * - Faults: a handler's throw unwinds through wasm to `run`'s caller after the import recorded
 *   cpu.jitFaultPc / jitFaultRetired (counted from the block's entry, as linkBlock's catch: a
 *   chain's caller adds CHAIN_DONE as runFrom adds its count) / clock.icount (absolute); st holds
 *   the flags (the handler ran on it). Inline code never faults.
 */
import type { Bus, WasmTierMemory } from '../../memory/bus.js';
import { PAGE_SHIFT } from '../../memory/bus.js';
import type { Fields } from '../decode-table.js';
import type { Handler } from '../t16.js';
import type { A32Block } from '../jit/a32-block-compiler.js';
import type { A32ThreadedHost } from '../jit/a32-threaded-block.js';
import type { SysRegDef } from '../v7a/sysreg-registry.js';
import { MODE_USR } from '../v7a/state.js';
import { RUNNING } from '../state.js';
import type { BlockRun } from '../jit/block-function.js';
import { EXIT_AFTER, discoverA32Block, type A32BlockCode } from '../jit/a32-block-discovery.js';
import { A32BlockJit } from '../jit/a32-block-jit.js';
import { callThroughKey } from '../jit/emit-a32.js';
import { I32, WasmModuleBuilder } from './wasm-module-builder.js';
import {
  StateViewAddress,
  STATE_EXIT_THUMB,
  STATE_FLAGS,
  STATE_IMPORT_LEAVE,
  STATE_MONITOR_ADDR,
  STATE_MONITOR_OPEN,
  STATE_MONITOR_VAL,
  STATE_REGS,
  STATE_SCRATCH,
  WASM_PAGE,
} from './wasm-state-layout.js';
import { DISPATCH_CHAIN_DONE, DISPATCH_STOP, type WasmBlockFunction } from './wasm-dispatcher.js';
import { A32WasmEmitContext, type WasmInsnSite } from './a32-wasm-emit-context.js';
import { emitWasmA32 } from './emit-wasm-a32.js';

/** A batch's module failed to compile or instantiate: a bug in the emitters, never a guest condition. */
export class A32WasmCompileError extends Error {
  constructor(starts: readonly number[], cause: unknown) {
    const at = starts.map((s) => `0x${(s >>> 0).toString(16)}`).join(', ');
    super(`the WebAssembly module of the A32 blocks at ${at} did not compile (${String(cause)}): an emitter wrote invalid code; run with --no-wasm to avoid the tier`);
    this.name = 'A32WasmCompileError';
  }
}

/** What the imports need of a batch's block. */
interface BatchBlock {
  readonly pcs: Int32Array;
  readonly insns: Int32Array;
  readonly handlers: Handler[];
  readonly fields: Fields[];
  /** Instruction k always leaves the block after its handler (EXIT_AFTER). */
  readonly exits: Uint8Array;
  /** The call-through histogram's keys, when it is on (--jit-call-throughs). */
  readonly keys: string[] | null;
  /** Instruction k's system register when it is an MRC with a plain read (the sysregRead import). */
  readonly sysregs: Array<SysRegDef | null>;
}


/** Flags view indexes (Int32Array at STATE_FLAGS). */
const F_NF = 0;
const F_ZF = 1;
const F_CF = 2;
const F_VF = 3;
/** Scratch view indexes (Int32Array at STATE_SCRATCH). */
const S_STOP = (DISPATCH_STOP - STATE_SCRATCH) >> 2;
const S_CHAIN_DONE = (DISPATCH_CHAIN_DONE - STATE_SCRATCH) >> 2;
const S_EXIT_THUMB = (STATE_EXIT_THUMB - STATE_SCRATCH) >> 2;
const S_IMPORT_LEAVE = (STATE_IMPORT_LEAVE - STATE_SCRATCH) >> 2;
/** Monitor view indexes (Int32Array at STATE_MONITOR_OPEN). */
const M_OPEN = 0;
const M_ADDR = (STATE_MONITOR_ADDR - STATE_MONITOR_OPEN) >> 2;
const M_VAL = (STATE_MONITOR_VAL - STATE_MONITOR_OPEN) >> 2;

/** A compiled block and its wasm function (what the wasm dispatcher's table holds). */
export interface A32WasmBlock extends A32Block {
  readonly wasm: WasmBlockFunction;
}

export class A32WasmCompiler {
  /** Instructions compiled inline and through the callThrough import so far (statistics). */
  insnsInline = 0;
  insnsCalledThrough = 0;
  /** icount at the running block's entry (the imports count retired instructions from it). */
  private entryIcount = 0;
  /** The current JIT TLB view's byte address (tlbAddress). */
  private readonly tlbView = new StateViewAddress();
  /** The MMU's current fetch entries' byte address (fetchAddress). */
  private readonly fetchView = new StateViewAddress();
  /** The JIT TLB and fetch-entry addresses the running chain was given (enterChain). */
  private chainTlb = -1;
  private chainFetch = -1;
  /** The flags words and the scratch words of the state area (null: not wasm-backed). */
  private readonly flags: Int32Array | null;
  private readonly scratch: Int32Array | null;
  /** The exclusive monitor's words (open, address, value) while wasm code runs. */
  private readonly monitor: Int32Array | null;
  private readonly backing: WasmTierMemory | null;

  constructor(
    private readonly cpu: A32ThreadedHost,
    private readonly bus: Bus,
  ) {
    const backing = bus.wasm;
    const r = cpu.r;
    // Generated code addresses the registers in the memory: only a core whose `r` lives there can run it.
    const usable = backing !== null && r.buffer === backing.memory.buffer && r.byteOffset === backing.stateBase + STATE_REGS;
    this.backing = usable ? backing : null;
    this.flags = usable ? new Int32Array(backing.memory.buffer, backing.stateBase + STATE_FLAGS, 4) : null;
    this.scratch = usable ? new Int32Array(backing.memory.buffer, backing.stateBase + STATE_SCRATCH, 16) : null;
    this.monitor = usable ? new Int32Array(backing.memory.buffer, backing.stateBase + STATE_MONITOR_OPEN, 3) : null;
  }

  /** True when this core's blocks can be compiled to WebAssembly (a wasm-backed bus and registers in it). */
  get available(): boolean {
    return this.backing !== null;
  }

  /**
   * Translate the blocks at virtual `start` on physical page `ppage`, all in one module: one
   * element per start, null where its first instruction cannot be translated or the bus is not
   * wasm-backed. Throws A32WasmCompileError when the module is invalid (a bug).
   */
  compileBatch(starts: ReadonlyArray<{ start: number; ppage: number }>): Array<A32WasmBlock | null> {
    const backing = this.backing;
    if (backing === null) return starts.map(() => null);
    const found = starts.map((s) => discoverA32Block(this.cpu, this.bus, s.start, s.ppage));
    const m = new WasmModuleBuilder();
    const blockType = m.type([I32, I32], [I32]);
    m.importFunction('a', 'callThrough', m.type([I32, I32, I32], [I32]));
    m.importFunction('a', 'slow', m.type([I32, I32, I32, I32], [I32]));
    m.importFunction('a', 'sysregRead', m.type([I32, I32, I32], [I32]));
    m.importMemory('a', 'memory', backing.memory.buffer.byteLength / WASM_PAGE);
    const batch: BatchBlock[] = [];
    const loops: boolean[] = [];
    for (const code of found) {
      if (code === null) continue;
      const index = batch.length;
      const info = this.batchBlock(code);
      batch.push(info);
      // ~50 bytes per instruction (data processing); a bigger body grows once.
      const fn = m.code(blockType, 128 + 64 * code.pcs.length);
      const ctx = new A32WasmEmitContext(fn, backing.stateBase, code.start, code.pcs.length, index);
      const calls = emitBlock(ctx, code, info.sysregs);
      this.insnsCalledThrough += calls;
      this.insnsInline += code.pcs.length - calls;
      loops.push(ctx.loopsToStart);
      m.exportFunction(`b${index}`, m.addFunction(blockType, fn));
    }
    if (batch.length === 0) return starts.map(() => null);
    const exports = this.instantiate(m.build(), batch, found);
    let index = 0;
    return found.map((code) => {
      if (code === null) return null;
      const i = index++;
      const wasm = exports[`b${i}`] as WasmBlockFunction;
      const run = this.runOf(wasm);
      return {
        wasm,
        start: code.start,
        end: code.end,
        ppage: code.ppage,
        count: code.pcs.length,
        hostPage: code.host >>> PAGE_SHIFT,
        run,
        loopsToStart: loops[i]!,
        bpGeneration: -1,
        bpInside: false,
      };
    });
  }

  private batchBlock(code: A32BlockCode): BatchBlock {
    const exits = Uint8Array.from(code.rows, (row) => (EXIT_AFTER.has(row.name) ? 1 : 0));
    const keys = this.cpu.stats.callThroughs !== null ? code.rows.map((row, k) => callThroughKey(row, code.fields[k]!)) : null;
    const sysregs = code.rows.map((row, k) => this.plainSysregRead(row.name, code.fields[k]!));
    return { pcs: Int32Array.from(code.pcs), insns: Int32Array.from(code.insns), handlers: code.rows.map((row) => row.exec), fields: code.fields, exits, keys, sysregs };
  }

  /**
   * The register an MRC (Rt not the PC) reads when its read is plain — defined, not a NOP, PL0
   * access not a function — as the micro-op tier resolves it (a32-threaded-block.ts); else null.
   */
  private plainSysregRead(name: string, a: Fields): SysRegDef | null {
    if (name !== 'MCR_MRC' || a.l !== 1 || a.rt === 15) return null;
    const def = this.cpu.sysregs.lookup(a.cp!, false, a.opc1!, a.crn!, a.crm!, a.opc2!);
    if (def === undefined || def.read === undefined || def.nop === true || typeof def.pl0Read === 'function') return null;
    return def;
  }

  private instantiate(bytes: Uint8Array, batch: BatchBlock[], found: Array<A32BlockCode | null>): WebAssembly.Exports {
    const imports = {
      a: {
        memory: this.backing!.memory,
        callThrough: (b: number, k: number, done: number): number => this.callThrough(batch[b]!, k, done),
        slow: (b: number, k: number, done: number, addr: number): number => this.slow(batch[b]!, k, done, addr),
        sysregRead: (b: number, k: number, done: number): number => this.sysregRead(batch[b]!, k, done),
      },
    };
    try {
      return new WebAssembly.Instance(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>), imports).exports;
    } catch (e) {
      if (e instanceof WebAssembly.CompileError || e instanceof WebAssembly.LinkError) {
        throw new A32WasmCompileError(
          found.filter((c) => c !== null).map((c) => c.start),
          e,
        );
      }
      throw e;
    }
  }

  /** The block's run(budget): `enter`, the function, icount, `leave`. */
  private runOf(fn: WasmBlockFunction): BlockRun {
    const cpu = this.cpu;
    const clock = cpu.clock;
    return (budget: number): number => {
      const ic = clock.icount;
      this.enter(ic);
      const n = fn(budget, this.tlbAddress());
      clock.icount = ic + n;
      this.leave();
      return n;
    };
  }

  /** The byte address of the current JIT TLB view (the blocks' `tlb` argument). */
  tlbAddress(): number {
    return this.tlbView.of(this.cpu.jitTlb());
  }

  /** The byte address of the MMU's current fetch entries (the dispatcher's `fetch` argument). */
  fetchAddress(): number {
    return this.fetchView.of(this.cpu.fetchEntries());
  }

  /**
   * `enter` before the dispatcher's chain runs with these `tlb` and `fetch` addresses: the imports
   * stop the chain once either is no longer the current one (a mode change, an MMU switch).
   */
  enterChain(icount: number, tlb: number, fetch: number): void {
    this.chainTlb = tlb;
    this.chainFetch = fetch;
    this.enter(icount);
  }

  /**
   * After a handler: whether the dispatcher's chain must end after this block. It goes on exactly
   * when A32BlockJit.runFrom would chain on after the block (no exit request — a takeable
   * interrupt, a deadline, dropped code, a watchpoint —, running, A32 little-endian) and the JIT
   * TLB and fetch entries it was given are still the current ones (no mode or translation change).
   * The JS tiers' blocks call handlers without ending their chain either; ending it after every
   * import cost a return to JS per ~60 blocks (4.2 M on the zImage boot).
   */
  private stopsChain(): boolean {
    const cpu = this.cpu;
    const st = cpu.state;
    return (
      cpu.exitRequest ||
      st.sleep !== RUNNING ||
      !A32BlockJit.runsIn(st) ||
      this.tlbAddress() !== this.chainTlb ||
      this.fetchAddress() !== this.chainFetch
    );
  }

  /**
   * Before wasm blocks run (one through its `run`, or a chain of them from the wasm dispatcher):
   * the imports count icount from `icount` (plus the dispatcher's CHAIN_DONE), the flags go into
   * the memory.
   */
  enter(icount: number): void {
    this.entryIcount = icount;
    this.flagsIn();
  }

  /**
   * After they returned normally: the flags back into st, and CPSR.T set when the last block left
   * through an interworking branch to Thumb code (such an exit also stops the dispatcher's chain).
   */
  leave(): void {
    this.flagsOut();
    const S = this.scratch!;
    if (S[S_EXIT_THUMB] !== 0) {
      S[S_EXIT_THUMB] = 0;
      this.cpu.state.thumb = 1;
    }
  }

  /** Memory -> st flags and exclusive monitor (before a handler runs, after wasm returned). */
  private flagsOut(): void {
    const F = this.flags!;
    const M = this.monitor!;
    const st = this.cpu.state;
    st.NF = F[F_NF]!;
    st.ZF = F[F_ZF]!;
    st.CF = F[F_CF]!;
    st.VF = F[F_VF]!;
    // exclusiveAddr is -1 (closed) or an unsigned address: the open word tells them apart.
    st.exclusiveAddr = M[M_OPEN] === 0 ? -1 : M[M_ADDR]! >>> 0;
    st.exclusiveVal = M[M_VAL]!;
  }

  /** st -> memory flags and exclusive monitor (after a handler ran, before wasm runs). */
  private flagsIn(): void {
    const F = this.flags!;
    const M = this.monitor!;
    const st = this.cpu.state;
    F[F_NF] = st.NF;
    F[F_ZF] = st.ZF;
    F[F_CF] = st.CF;
    F[F_VF] = st.VF;
    M[M_OPEN] = st.exclusiveAddr === -1 ? 0 : 1;
    M[M_ADDR] = st.exclusiveAddr;
    M[M_VAL] = st.exclusiveVal;
  }

  /**
   * Instruction k of `b` through its handler with the interpreter's set-up (the `callThrough`
   * import); a fault is recorded as linkBlock's catch records it, then escapes.
   */
  private runHandler(b: BatchBlock, k: number, done: number): void {
    const cpu = this.cpu;
    const retired = done + k + 1;
    const S = this.scratch!;
    const ic = this.entryIcount + S[S_CHAIN_DONE]!;
    this.flagsOut();
    cpu.clock.icount = ic + retired;
    const pc = b.pcs[k]!;
    try {
      cpu.beginA32(pc, b.insns[k]!);
      b.handlers[k]!(cpu, b.fields[k]!);
    } catch (e) {
      cpu.jitFaultPc = pc;
      cpu.jitFaultRetired = retired;
      cpu.clock.icount = ic + retired;
      throw e;
    }
    if (this.stopsChain()) S[S_STOP] = 1;
  }

  private callThrough(b: BatchBlock, k: number, done: number): number {
    const cpu = this.cpu;
    if (b.keys !== null) cpu.stats.countCallThrough(b.keys[k]!);
    this.runHandler(b, k, done);
    this.flagsIn();
    const st = cpu.state;
    if (b.exits[k] !== 0 || cpu.nextPc !== ((b.pcs[k]! + 4) | 0) || cpu.exitRequest || st.sleep !== 0 || st.thumb !== 0) {
      cpu.r[15] = cpu.nextPc;
      return 1;
    }
    return 0;
  }

  /**
   * The sysregRead import, as MICRO_SYSREG_READ: a PL0 read the register forbids runs the handler
   * (it UNDEFs) as callThrough and tells the block to leave; otherwise icount counts the
   * instruction (a counter read sees it, as under the interpreter) and the value is returned.
   */
  private sysregRead(b: BatchBlock, k: number, done: number): number {
    const cpu = this.cpu;
    const def = b.sysregs[k]!;
    if (cpu.state.mode === MODE_USR && def.pl0Read !== true) {
      if (this.callThrough(b, k, done) !== 0) this.scratch![S_IMPORT_LEAVE] = 1;
      return cpu.r[b.fields[k]!.rt!]!;
    }
    cpu.clock.icount = this.entryIcount + this.scratch![S_CHAIN_DONE]! + done + k + 1;
    return def.read!(cpu.sysregs) | 0;
  }

  private slow(b: BatchBlock, k: number, done: number, addr: number): number {
    const cpu = this.cpu;
    this.runHandler(b, k, done);
    cpu.jitRefill(addr);
    cpu.r[15] = cpu.nextPc;
    this.flagsIn();
    return done + k + 1;
  }
}

/** The function body of one block (its ABI in the module header); returns its call-throughs. */
function emitBlock(ctx: A32WasmEmitContext, code: A32BlockCode, sysregs: ReadonlyArray<SysRegDef | null>): number {
  let callThroughs = 0;
  const last = code.pcs.length - 1;
  ctx.beginFunction();
  ctx.beginBody();
  for (let j = 0; j <= last; j++) {
    const row = code.rows[j]!;
    const insn = code.insns[j]!;
    const cond = insn >>> 28;
    const site: WasmInsnSite = { j, pc: code.pcs[j]!, size: 4 };
    let leaves: boolean | null = null;
    if (sysregs[j] !== null) {
      ctx.beginCondition(cond);
      ctx.sysregRead(site, code.fields[j]!.rt!, sysregs[j]!);
      ctx.endCondition(cond);
      leaves = false;
    } else {
      leaves = emitWasmA32(ctx, site, row, code.fields[j]!, insn);
    }
    if (leaves === null) {
      const exits = EXIT_AFTER.has(row.name);
      ctx.beginCondition(cond);
      ctx.callThrough(site, exits);
      ctx.endCondition(cond);
      leaves = exits && cond >= 14;
      callThroughs++;
    }
    // The block ends here whatever the instruction did (discovery decides): it must not run off.
    if (j === last && code.terminated && !leaves) ctx.exitTo(site, (site.pc + 4) | 0);
    ctx.releaseTemps();
  }
  if (!code.terminated) ctx.exitTo({ j: last, pc: code.pcs[last]!, size: 4 }, code.end);
  ctx.endBody();
  return callThroughs;
}
