/**
 * A rig for the WebAssembly block tier against the interpreter: A32 code (assembled by
 * arm-none-eabi-gcc) at CODE_VA on a wasm-backed bus (registers and JIT TLB in the memory, as on
 * the boards) and on a plain one; the blocks are compiled by A32WasmCompiler as one batch and run
 * directly through their `run(budget)` from generated states, and the interpreter-only core runs
 * as many instructions from the same state. Registers, flags, mode and banked state, Thumb bit,
 * icount, the data page and the abort registers must be equal; a fault escaping a block must be
 * recorded (jitFaultPc, jitFaultRetired, icount) where the interpreter takes the abort.
 */
import { expect } from 'vitest';
import type { Bus } from '../../src/emulator/memory/bus.js';
import type { A32Block } from '../../src/emulator/cpu/jit/a32-block-compiler.js';
import { A32WasmCompiler } from '../../src/emulator/cpu/wasm/a32-wasm-compiler.js';
import { DEVICE_BASE, bootV7aCore, makeRig, section, setL1, TTB } from './mmu-rig.js';
import { Rng } from './a32-harness.js';
import { firstDifference, type RigCore } from './a32-block-rig.js';

export const CODE_VA = 0x00100000;
const CODE_PA = 0x40100000;
export const DATA_VA = 0x00200000;
const DATA_PA = 0x40200000;
const VECTOR_PA = 0x40300000;
const UNMAPPED = 0x30000000;
const DEVICE_VA = 0x00300000;
/** Where blocks branch to when they are done (`b .`). */
export const PARK = CODE_VA + 0x8000;
/** ARM's mode bits of Abort mode (a data abort taken). */
const MODE_ABT = 0x17;


/** `code[i]` (words) at CODE_VA + 4 * i; every vector parks. */
function makeCore(wasm: boolean, code: readonly number[]): RigCore {
  const { bus, mmu } = makeRig({}, { wasm });
  if (wasm) expect(bus.wasm, 'the rig bus is wasm-backed').not.toBeNull();
  setL1(bus, TTB, 0, section(VECTOR_PA));
  setL1(bus, TTB, CODE_VA, section(CODE_PA));
  setL1(bus, TTB, DATA_VA, section(DATA_PA));
  setL1(bus, TTB, DEVICE_VA, section(DEVICE_BASE));
  for (let v = 0; v < 8; v++) bus.write32(VECTOR_PA + 4 * v, 0xeafffffe | 0);
  code.forEach((w, i) => bus.write32(CODE_PA + 4 * i, w | 0));
  bus.write32(CODE_PA + (PARK - CODE_VA), 0xeafffffe | 0);
  const { cpu, state, clock } = bootV7aCore(bus, mmu, CODE_VA, false);
  return { cpu, state, clock, bus, base: state.save(), baseRegs: cpu.coreRegs.save() };
}

/** A generated starting state. */
export interface Setup {
  regs: number[];
  apsr: number;
  memory: Int32Array;
  /** CPSR mode bits to run in (default: the boot mode, SVC). */
  mode?: number;
  /** TPIDRURW, TPIDRURO, TPIDRPRW (what MRC reads of the thread ID registers show). */
  threadIds?: number[];
  /** The exclusive monitor (default closed: address -1). */
  exclusiveAddr?: number;
  exclusiveVal?: number;
}

/** Operand values: pointers into the data page, unmapped addresses, shift amounts, edges. */
function operand(rng: Rng): number {
  const k = rng.int(10);
  if (k < 2) return (DATA_VA + 0x100 + 4 * rng.int(0x380)) | 0;
  if (k === 2) return rng.pick([(UNMAPPED + 4 * rng.int(64)) | 0, DEVICE_VA + 4 * rng.int(16)]);
  if (k < 6) return rng.pick([0, 1, 2, 3, 4, 7, 8, 16, 31, 32, 33, 40, 63, 64, 255, 256, 257, 0x80000000, 0x7fffffff, -1, -2]) | 0;
  return rng.word() | 0;
}

export function generateSetup(rng: Rng): Setup {
  return {
    regs: Array.from({ length: 15 }, () => operand(rng)),
    apsr: rng.next() & 0xf0000000,
    memory: Int32Array.from({ length: 1024 }, () => rng.word() | 0),
  };
}

/** Index in bus.i32 of the data page's first word (RAM, so plain host memory). */
function dataWord(bus: Bus): number {
  return bus.pageHost[DATA_PA >>> 12]! >>> 2;
}

function load(core: RigCore, pc: number, s: Setup): void {
  const { cpu, state, bus } = core;
  state.load(core.base);
  cpu.coreRegs.load(core.baseRegs);
  if (s.threadIds !== undefined) [cpu.coreRegs.s.tpidrurw, cpu.coreRegs.s.tpidruro, cpu.coreRegs.s.tpidrprw] = s.threadIds;
  if (s.mode !== undefined) state.setMode(s.mode);
  // As `execute` does before any block runs: the MMU's view (the blocks' `tlb`) follows the mode.
  cpu.syncModeDependents();
  state.exclusiveAddr = s.exclusiveAddr ?? -1;
  state.exclusiveVal = s.exclusiveVal ?? 0;
  for (let i = 0; i < 15; i++) state.r[i] = s.regs[i]!;
  state.r[15] = pc;
  state.setApsr(s.apsr);
  bus.i32.set(s.memory, dataWord(bus));
  cpu.exitRequest = false;
  // Both cores count from 0 in every trial (the interpreter takes the aborts the block only reports).
  core.clock.icount = 0;
}

/** Interpret exactly `n` instructions (a stop request ends `execute` early: go on). */
function interpret(core: RigCore, n: number): void {
  for (let left = n, calls = 0; left > 0; calls++) {
    if (calls === 100) throw new Error(`interpreter made no progress at ${(core.state.r[15]! >>> 0).toString(16)}`);
    core.cpu.exitRequest = false;
    left -= core.cpu.execute(left);
  }
}

function observe(core: RigCore): Record<string, unknown> {
  const at = dataWord(core.bus);
  const data = Array.from(core.bus.i32.subarray(at, at + 1024));
  const s = core.cpu.coreRegs.s;
  return { state: core.state.save(), exclusiveVal: core.state.exclusiveVal, icount: core.clock.icount, data, dfsr: s.dfsr, dfar: s.dfar };
}


/** Both cores on the same code, and the wasm core's compiler. */
export class WasmRig {
  readonly wasm: RigCore;
  readonly ref: RigCore;
  readonly compiler: A32WasmCompiler;
  /** Runs that ended in a fault / retired normally (so a test can show it exercised both). */
  faults = 0;
  normal = 0;

  constructor(code: readonly number[]) {
    this.wasm = makeCore(true, code);
    this.ref = makeCore(false, code);
    this.compiler = new A32WasmCompiler(this.wasm.cpu, this.wasm.bus);
    expect(this.compiler.available).toBe(true);
  }

  /** Compile the blocks at `starts` (virtual addresses in the code section) as one batch. */
  compile(starts: readonly number[]): A32Block[] {
    const blocks = this.compiler.compileBatch(starts.map((start) => ({ start, ppage: (CODE_PA + (start - CODE_VA)) >>> 12 })));
    return blocks.map((b, i) => {
      expect(b, `block at ${(starts[i]! >>> 0).toString(16)} compiled`).not.toBeNull();
      return b!;
    });
  }

  /**
   * Run `block` with `budget` from state `s` on the wasm core and the same instructions on the
   * interpreter; `what` names the case in failure messages.
   */
  check(block: A32Block, budget: number, s: Setup, what: string): void {
    const { wasm, ref } = this;
    load(wasm, block.start, s);
    load(ref, block.start, s);
    const ic = 0;
    let n = 0;
    let fault: unknown = null;
    try {
      n = block.run(budget);
    } catch (e) {
      fault = e;
    }
    const where = `${what} (budget ${budget}, r0-r14 ${s.regs.map((r) => (r >>> 0).toString(16)).join(' ')}, apsr ${(s.apsr >>> 28).toString(2)})`;
    if (fault === null) {
      this.normal++;
      expect(n, `${where}: retired`).toBeGreaterThanOrEqual(1);
      expect(n, `${where}: retired`).toBeLessThanOrEqual(budget);
      expect(wasm.clock.icount - ic, `${where}: icount`).toBe(n);
      if (wasm.cpu.exitRequest) {
        // An instruction asked the core to stop: the block must end where the interpreter's slice ends.
        expect(ref.cpu.execute(budget), `${where}: retired when the core was asked to stop`).toBe(n);
        interpret(ref, 1);
      } else {
        interpret(ref, n + 1);
      }
      // One instruction more on both: an execute slice ends with the fetch of the next PC
      // (a prefetch abort is taken there), which the block alone does not do.
      interpret(wasm, 1);
    } else {
      this.faults++;
      // The instruction at jitFaultPc faulted: the interpreter runs the ones before it and then
      // takes an abort there.
      const retired = wasm.cpu.jitFaultRetired;
      expect(retired, `${where}: fault retired`).toBeGreaterThanOrEqual(1);
      expect(wasm.clock.icount - ic, `${where}: icount at the fault`).toBe(retired);
      interpret(ref, retired - 1);
      expect(ref.state.r[15], `${where}: fault pc`).toBe(wasm.cpu.jitFaultPc);
      wasm.state.r[15] = wasm.cpu.jitFaultPc;
      wasm.clock.icount--;
    }
    const got = observe(wasm);
    const want = observe(ref);
    expect(got, `${where}: ${firstDifference(got, want)}`).toEqual(want);
    if (fault !== null) {
      interpret(ref, 1);
      expect(ref.state.mode, `${where}: the interpreter aborts there too`).toBe(MODE_ABT);
    }
  }
}
