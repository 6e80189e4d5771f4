/**
 * A minimal wasm block around one A32 memory instruction, for checking emit-wasm-a32-memory.ts
 * against the interpreter on the block rig (a32-block-rig.ts): the rig's block is [instruction,
 * `b PARK`] (or the instruction alone when it always leaves); this builds its wasm function
 * `(budget, tlb) -> retired` with the memory emitter for the instruction and a branch for the
 * `b`, and puts its `run` where the compiled JS block's was. Registers are read and written in
 * the wasm memory (the register file is a view there on a wasm-backed bus), C and the exclusive
 * monitor are copied in and out around the call as the block tier's ABI says, and the slow path is
 * a32SlowPath's (instruction k through its handler, icount synchronised, a JIT TLB refill).
 */
import type { ArmV7aCpu } from '../../src/emulator/cpu/v7a/cpu.js';
import type { Bus } from '../../src/emulator/memory/bus.js';
import type { A32Block } from '../../src/emulator/cpu/jit/a32-block-compiler.js';
import { codeWord, decodedFields } from '../../src/emulator/cpu/jit/a32-block-compiler.js';
import { A32_JIT_SLOT_MASK } from '../../src/emulator/cpu/jit/a32-block-jit.js';
import type { BlockRun } from '../../src/emulator/cpu/jit/block-function.js';
import { I32, Op, WasmModuleBuilder, type WasmCode } from '../../src/emulator/cpu/wasm/wasm-module-builder.js';
import { emitWasmA32Memory, type WasmA32MemoryContext, type WasmMemorySite } from '../../src/emulator/cpu/wasm/emit-wasm-a32-memory.js';
import {
  FLAG_CF,
  STATE_MONITOR_ADDR,
  STATE_MONITOR_OPEN,
  STATE_MONITOR_VAL,
  STATE_REGS,
  STATE_SCRATCH,
} from '../../src/emulator/cpu/wasm/wasm-state-layout.js';

/** Where the rig's exit leaves the Thumb bit of a loaded PC (-1: the block did not load the PC): the last scratch word. */
const THUMB_WORD = STATE_SCRATCH + 60;

/**
 * The rig's emit context, shaped as A32WasmEmitContext: registers in memory, C in a local loaded at
 * entry, a slow path that calls the import and returns what it retired.
 */
class RigContext implements WasmA32MemoryContext {
  readonly tlb = 1;
  readonly addr: number;
  readonly res: number;
  readonly op: number;
  readonly cf: number;
  private readonly temps: number[];
  private tempsInUse = 0;
  readonly monitor: { readonly open: number; readonly addr: number; readonly value: number };

  constructor(
    readonly code: WasmCode,
    private readonly stateBase: number,
    private readonly slowImport: number,
  ) {
    this.addr = code.local(I32);
    this.res = code.local(I32);
    this.op = code.local(I32);
    this.cf = code.local(I32);
    this.temps = [code.local(I32), code.local(I32)];
    this.monitor = { open: stateBase + STATE_MONITOR_OPEN, addr: stateBase + STATE_MONITOR_ADDR, value: stateBase + STATE_MONITOR_VAL };
    code.loadWordAt(stateBase + FLAG_CF).set(this.cf);
  }

  temp(): number {
    return this.temps[this.tempsInUse++]!;
  }

  getReg(site: WasmMemorySite, n: number): void {
    if (n === 15) this.code.i32Const((site.pc + 8) | 0);
    else this.code.loadWordAt(this.stateBase + STATE_REGS + 4 * n);
  }

  setRegFrom(n: number, from: number): void {
    this.code.storeWordAt(this.stateBase + STATE_REGS + 4 * n, (c) => c.get(from));
  }

  setReg(n: number, value: () => void): void {
    this.code.storeWordAt(this.stateBase + STATE_REGS + 4 * n, value);
  }

  slowPath(site: WasmMemorySite): void {
    this.code.i32Const(site.j).get(this.addr).call(this.slowImport).op(Op.return);
  }

  interworkingExit(site: WasmMemorySite, t: number): void {
    const c = this.code;
    c.storeWordAt(this.stateBase + THUMB_WORD, (k) => k.get(t).i32Const(1).op(Op.i32And));
    c.storeWordAt(this.stateBase + STATE_REGS + 60, (k) => k.get(t).i32Const(-2).op(Op.i32And));
    c.i32Const(site.j + 1).op(Op.return);
  }
}

/** The wasm `run` of the rig block `b` (instruction, then maybe `b PARK`) on `cpu`. */
export function wasmRigBlock(cpu: ArmV7aCpu, bus: Bus, b: A32Block): BlockRun {
  const wasm = bus.wasm;
  if (wasm === null) throw new Error('the wasm rig needs a wasm-backed bus');
  const host = bus.pageHost[b.ppage]!;
  const insn = codeWord(bus.i32, host, b.start);
  const row = cpu.a32Row(insn);
  if (row === null || insn >>> 28 < 14) throw new Error(`the wasm rig takes unconditional instructions (${(insn >>> 0).toString(16)})`);
  const fields = decodedFields(row, insn);

  const m = new WasmModuleBuilder();
  const slowType = m.type([I32, I32], [I32]);
  const slow = m.importFunction('rig', 'slow', slowType);
  const pages = wasm.memory.buffer.byteLength / 65536;
  m.importMemory('rig', 'memory', pages, pages);
  const runType = m.type([I32, I32], [I32]);
  const c = m.code(runType);
  const ctx = new RigContext(c, wasm.stateBase, slow);
  const site: WasmMemorySite = { j: 0, pc: b.start };
  const emitted = emitWasmA32Memory(ctx, site, row, fields);
  if (emitted === null) throw new Error(`${row.name} is a call-through in the wasm tier`);
  if (!emitted.leaves) {
    // The block's second instruction: `b PARK`.
    const next = codeWord(bus.i32, host, (b.start + 4) | 0);
    const target = (b.start + 4 + 8 + ((next << 8) >> 6)) | 0;
    c.storeWordAt(wasm.stateBase + STATE_REGS + 60, (k) => k.i32Const(target));
    c.i32Const(2).op(Op.return);
  }
  c.op(Op.unreachable);
  m.exportFunction('run', m.addFunction(runType, c));

  const st = cpu.state;
  const clock = cpu.clock;
  const mem = new Int32Array(wasm.memory.buffer);
  const at = (offset: number): number => (wasm.stateBase + offset) >>> 2;
  const monitorIn = (): void => {
    mem[at(STATE_MONITOR_OPEN)] = st.exclusiveAddr === -1 ? 0 : 1;
    mem[at(STATE_MONITOR_ADDR)] = st.exclusiveAddr | 0;
    mem[at(STATE_MONITOR_VAL)] = st.exclusiveVal;
  };
  const monitorOut = (): void => {
    st.exclusiveAddr = mem[at(STATE_MONITOR_OPEN)] === 0 ? -1 : mem[at(STATE_MONITOR_ADDR)]! >>> 0;
    st.exclusiveVal = mem[at(STATE_MONITOR_VAL)]!;
  };
  let ic = 0;
  const counts = countsOf(b.start);
  const slowPath = (k: number, addr: number): number => {
    counts.slow++;
    const retired = k + 1;
    clock.icount = ic + retired;
    monitorOut();
    cpu.beginA32(b.start, insn);
    try {
      row.exec(cpu, fields);
    } catch (e) {
      cpu.jitFaultPc = b.start;
      cpu.jitFaultRetired = retired;
      throw e;
    }
    cpu.jitRefill(addr);
    cpu.r[15] = cpu.nextPc;
    monitorIn();
    return retired;
  };
  const instance = new WebAssembly.Instance(new WebAssembly.Module(m.build()), { rig: { slow: slowPath, memory: wasm.memory } });
  const fn = instance.exports.run as (budget: number, tlb: number) => number;
  return (budget: number): number => {
    counts.runs++;
    ic = clock.icount;
    mem[at(FLAG_CF)] = st.CF;
    mem[at(THUMB_WORD)] = -1;
    monitorIn();
    const n = fn(budget, cpu.jitTlb().byteOffset);
    monitorOut();
    const thumb = mem[at(THUMB_WORD)]!;
    if (thumb !== -1) st.thumb = thumb;
    clock.icount = ic + n;
    return n;
  };
}

/** Replace the compiled JS block at `pc` with its wasm rig block; false while there is none. */
export function installWasmRigBlock(cpu: ArmV7aCpu, bus: Bus, pc: number): boolean {
  const jit = cpu.a32Jit!;
  const slot = (pc >>> 2) & A32_JIT_SLOT_MASK;
  const b = jit.slots[slot]!;
  if (b.start !== pc || jit.threads[slot] !== null || b.count === Infinity) return false;
  if (!WASM_RUNS.has(b.run)) {
    const run = wasmRigBlock(cpu, bus, b);
    WASM_RUNS.add(run);
    (b as { run: BlockRun }).run = run;
    jit.runs[slot] = run;
  }
  return true;
}

const WASM_RUNS = new WeakSet<BlockRun>();

/** Runs of the wasm block at a start and how many of them took the slow path (the rest hit inline). */
export interface WasmRigCounts {
  runs: number;
  slow: number;
}
const COUNTS = new Map<number, WasmRigCounts>();

function countsOf(pc: number): WasmRigCounts {
  let c = COUNTS.get(pc);
  if (c === undefined) COUNTS.set(pc, (c = { runs: 0, slow: 0 }));
  return c;
}

/** The counts of the wasm blocks at `pc` since the last reset. */
export function wasmRigCounts(pc: number): WasmRigCounts {
  return { ...countsOf(pc) };
}

export function resetWasmRigCounts(): void {
  COUNTS.clear();
}
