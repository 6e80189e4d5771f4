/**
 * A rig for A32 blocks against the interpreter: each instruction (assembled by arm-none-eabi-gcc) is
 * the first of a two-instruction block, run until the tier under test runs that block, then run
 * once more from many generated states — registers that point into RAM (aligned or not), at an
 * unmapped address, a device, a read-only alias of the data page or hold shift amounts and edge
 * values, a few words before the end of a page or of the mapping; random NZCV and thread ID
 * registers; the exclusive monitor open on the base or closed, on memory that still holds the
 * value or not; SCTLR.A set in some trials (unaligned accesses fault) — on a JIT core and an interpreter-only core. Registers, flags, mode and banked
 * state, Thumb bit, icount, the data page and the abort registers must be equal after every run:
 * flags, PC-relative operands, writeback, alignment and translation faults, Thumb interworking,
 * the monitor and conditions all show there.
 */
import { expect } from 'vitest';
import type { VirtualClock } from '../../src/emulator/clock.js';
import type { ArmV7aState } from '../../src/emulator/cpu/v7a/state.js';
import type { ArmV7aCpu } from '../../src/emulator/cpu/v7a/cpu.js';
import type { Bus } from '../../src/emulator/memory/bus.js';
import { DEVICE_BASE, bootV7aCore, makeRig, rigBusOptions, section, setL1, TTB, type RigJit } from './mmu-rig.js';
import { assembleA32, Rng } from './a32-harness.js';

export const CODE_VA = 0x00100000;
const CODE_PA = 0x40100000;
/**
 * Where the block of line `i` starts: past the front-cache slots of the vectors at VA 0 (the
 * slot is VA bits 15:2), so an exception taken in a trial does not evict the block under test.
 */
export const lineAddress = (i: number): number => CODE_VA + 0x100 + 8 * i;
const DATA_VA = 0x00200000;
const DATA_PA = 0x40200000;
const VECTOR_PA = 0x40300000;
const UNMAPPED = 0x30000000;
/** The data page again, read-only at PL1 (a read hits the JIT TLB, a write must not). */
const READ_ONLY_VA = 0x00400000;
/** The rig's scratch device (reads return 0x5a000000 | offset, writes are logged). */
const DEVICE_VA = 0x00300000;
/** Where the second instruction of every block branches to (`b .`). */
const PARK = CODE_VA + 0x8000;
/** The B instruction at `from` to `to`. */
export function branchWord(from: number, to: number): number {
  return (0xea000000 | (((to - from - 8) >> 2) & 0xffffff)) | 0;
}
const BRANCH_TO_PARK = (from: number): number => branchWord(from, PARK);
const TRIALS = 60;
/** SCTLR.A (alignment checking). */
const SCTLR_A = 1 << 1;

/** A rig core: the core, its state at the start of every trial. */
export interface RigCore {
  cpu: ArmV7aCpu;
  state: ArmV7aState;
  clock: VirtualClock;
  bus: Bus;
  base: number[];
  baseRegs: ReturnType<ArmV7aCpu['coreRegs']['save']>;
}

interface Core extends RigCore {
  /** Instructions the last run retired (icount advanced). */
  retired: number;
}

/**
 * Every vector parks (`b .`): an exception shows as the mode, LR, SPSR and PC it leaves. Only a
 * changed word is written (a write to a code page drops the blocks there).
 */
function parkVectors(bus: Bus): void {
  for (let v = 0; v < 8; v++) if (bus.read32(VECTOR_PA + 4 * v) !== (0xeafffffe | 0)) bus.write32(VECTOR_PA + 4 * v, 0xeafffffe | 0);
}

function makeCore(jit: boolean, words: readonly number[], wasmBus = false): Core {
  const { bus, mmu } = makeRig({}, { wasm: wasmBus });
  setL1(bus, TTB, 0, section(VECTOR_PA));
  setL1(bus, TTB, CODE_VA, section(CODE_PA));
  setL1(bus, TTB, DATA_VA, section(DATA_PA));
  setL1(bus, TTB, DEVICE_VA, section(DEVICE_BASE));
  setL1(bus, TTB, READ_ONLY_VA, section(DATA_PA, { apx: 1, ap: 1 }));
  parkVectors(bus);
  words.forEach((w, i) => {
    const at = lineAddress(i);
    bus.write32(CODE_PA + (at - CODE_VA), w | 0);
    bus.write32(CODE_PA + (at - CODE_VA) + 4, BRANCH_TO_PARK(at + 4));
  });
  bus.write32(CODE_PA + (PARK - CODE_VA), 0xeafffffe | 0);
  const { cpu, state, clock } = bootV7aCore(bus, mmu, CODE_VA, jit);
  return { cpu, state, clock, bus, base: state.save(), baseRegs: cpu.coreRegs.save(), retired: 0 };
}

/** Operand values: pointers into the data page (mostly aligned), unmapped addresses, shift amounts, edges. */
function operand(rng: Rng): number {
  const k = rng.int(10);
  if (k < 4) return (DATA_VA + 0x100 + 4 * rng.int(0x380) + (rng.int(6) === 0 ? rng.range(1, 3) : 0)) | 0;
  if (k === 4) {
    // Unmapped, a few words before a 4 KiB page end (the next page mapped) or before the end of the data section (not), a device, read-only.
    return rng.pick([
      (UNMAPPED + 4 * rng.int(64)) | 0,
      DATA_VA + 0x1000 - 4 * rng.range(1, 4),
      DATA_VA + 0x100000 - 4 * rng.range(1, 4),
      DEVICE_VA + 4 * rng.int(16),
      READ_ONLY_VA + 0x100 + 4 * rng.int(0x380),
    ]);
  }
  if (k < 7) return rng.pick([0, 1, 2, 4, 7, 8, 16, 31, 32, 33, 40, 255, 256, 257]);
  return rng.word() | 0;
}

interface Setup {
  regs: number[];
  /** TPIDRURW, TPIDRURO, TPIDRPRW (what MRC reads of the thread ID registers show). */
  threadIds: number[];
  apsr: number;
  monitor: number;
  monitorValue: number;
  memory: Int32Array;
  /** SCTLR.A: unaligned word and halfword accesses fault (else they are allowed). */
  alignCheck: boolean;
}

function setup(rng: Rng, safe: boolean): Setup {
  const regs = Array.from({ length: 15 }, () => (safe ? DATA_VA + 0x800 : operand(rng)));
  if (safe) regs[2] = 4;
  const memory = Int32Array.from({ length: 1024 }, () => rng.word() | 0);
  const open = rng.bool();
  const monitor = open ? regs[rng.pick([1, 1, 1, 2])]! >>> 0 : -1;
  const inPage = open && monitor >= DATA_VA && monitor < DATA_VA + 0x1000 ? memory[(monitor - DATA_VA) >>> 2]! : 0;
  const threadIds = [rng.word() | 0, rng.word() | 0, rng.word() | 0];
  const monitorValue = rng.bool() ? inPage : rng.word() | 0;
  return { regs, threadIds, apsr: rng.next() & 0xf0000000, monitor, monitorValue, memory, alignCheck: !safe && rng.int(4) === 0 };
}

/** Run the block at `pc` once (budget 2: its two instructions, or the one and what follows). */
function runFrom(core: Core, pc: number, s: Setup): void {
  const { cpu, state, bus } = core;
  state.load(core.base);
  cpu.coreRegs.load(core.baseRegs);
  [cpu.coreRegs.s.tpidrurw, cpu.coreRegs.s.tpidruro, cpu.coreRegs.s.tpidrprw] = s.threadIds;
  // The core reads SCTLR.A at every `execute` (the MMU's copy of SCTLR, set by the rig, stays as it is).
  if (s.alignCheck) cpu.coreRegs.s.sctlr |= SCTLR_A;
  for (let i = 0; i < 15; i++) state.r[i] = s.regs[i]!;
  state.r[15] = pc;
  state.setApsr(s.apsr);
  state.exclusiveAddr = s.monitor;
  state.exclusiveVal = s.monitorValue;
  for (let i = 0; i < 1024; i++) bus.write32(DATA_PA + 4 * i, s.memory[i]!);
  // Small operands address the vector page: a store there must not outlive its run.
  parkVectors(bus);
  const icount = core.clock.icount;
  // A write to a code page ends a JIT slice early: go on to the end of the budget as the machine loop would.
  for (let left = 2, calls = 0; left > 0; calls++) {
    // A fault retires nothing, but a core that never goes on is a hung test.
    if (calls === 100) throw new Error(`no progress at ${(state.r[15]! >>> 0).toString(16)} (sleep ${state.sleep})`);
    cpu.exitRequest = false;
    left -= cpu.execute(left);
  }
  core.retired = core.clock.icount - icount;
}

function observe(core: Core): Record<string, unknown> {
  const data: number[] = [];
  for (let i = 0; i < 1024; i++) data.push(core.bus.read32(DATA_PA + 4 * i));
  const s = core.cpu.coreRegs.s;
  return { state: core.state.save(), retired: core.retired, data, dfsr: s.dfsr, dfar: s.dfar, ifsr: s.ifsr, ifar: s.ifar };
}

/** Where two observations first differ (state word index, data word index or field), for the failure message. */
export function firstDifference(got: Record<string, unknown>, want: Record<string, unknown>): string {
  for (const key of Object.keys(want)) {
    const g = got[key];
    const w = want[key];
    if (Array.isArray(w)) {
      const ga = g as number[];
      const i = w.findIndex((v, k) => v !== ga[k]);
      if (i >= 0) return `${key}[${i}] is ${ga[i]}, interpreter ${w[i]}`;
    } else if (g !== w) return `${key} is ${String(g)}, interpreter ${String(w)}`;
  }
  return 'none';
}

/** A tier of the A32 block JIT as the rig drives it. */
export interface BlockTier {
  /** How the failure messages name it ("compiled", "threaded"). */
  readonly name: string;
  /** True once the block at `pc` runs in this tier on `cpu` (`before`: this value before the warm-up). */
  ready(cpu: ArmV7aCpu, pc: number, before: number): boolean;
  /** A counter the warm-up watches (blocks made in this tier). */
  made(cpu: ArmV7aCpu): number;
  /** The JIT core's RAM and registers live in a WebAssembly.Memory (Bus.wasm). */
  readonly wasmBus?: boolean;
}

/**
 * Run each instruction's block on a JIT core from a safe state until `tier` runs it, then compare
 * TRIALS generated runs with the interpreter's.
 */
export function checkAgainstInterpreter(lines: readonly string[], seed: number, tier: BlockTier): void {
  const words = assembleA32(lines);
  const jit = makeCore(true, words, tier.wasmBus === true);
  const ref = makeCore(false, words);
  const rng = new Rng(seed);
  lines.forEach((line, i) => {
    const pc = lineAddress(i);
    const before = tier.made(jit.cpu);
    const warm = setup(rng, true);
    for (let n = 0; n < 20000 && !tier.ready(jit.cpu, pc, before); n++) runFrom(jit, pc, warm);
    expect(tier.ready(jit.cpu, pc, before), `${line}: ${tier.name}`).toBe(true);
    const inBlocks = jit.cpu.stats.insnsInBlocks;
    for (let t = 0; t < TRIALS; t++) {
      const s = setup(rng, t === 0);
      runFrom(jit, pc, s);
      runFrom(ref, pc, s);
      const got = observe(jit);
      const want = observe(ref);
      const where = `${line} (trial ${t}, r0-r14 ${s.regs.map((r) => (r >>> 0).toString(16)).join(' ')}): ${firstDifference(got, want)}`;
      expect(got, where).toEqual(want);
    }
    expect(tier.ready(jit.cpu, pc, before), `${line}: still ${tier.name}`).toBe(true);
    expect(jit.cpu.stats.insnsInBlocks, `${line}: ran in blocks`).toBeGreaterThan(inBlocks);
  });
}

// ---- whole programs in slices --------------------------------------------------------------------

/** Where bootVectoredProgram puts its program (VA 0, vectors included) and its data section. */
export const VECTORED_CODE_PA = 0x40100000;
export const VECTORED_DATA_VA = 0x00100000;
export const VECTORED_DATA_PA = 0x40200000;

/**
 * A core running `code` from VA 0 (PA VECTORED_CODE_PA, so its first words are the vectors) with
 * the MMU on and VECTORED_DATA_VA mapped; `setup` maps more and sets registers before it runs.
 */
export function bootVectoredProgram(
  code: readonly number[],
  jit: RigJit,
  setup: (bus: Bus, state: ArmV7aState) => void = () => {},
): { cpu: ArmV7aCpu; state: ArmV7aState; clock: VirtualClock; bus: Bus } {
  const { bus, mmu } = makeRig({}, rigBusOptions(jit));
  if (rigBusOptions(jit).wasm === true && bus.wasm === null) throw new Error('no wasm-backed bus for the WebAssembly tier');
  setL1(bus, TTB, 0, section(VECTORED_CODE_PA));
  setL1(bus, TTB, VECTORED_DATA_VA, section(VECTORED_DATA_PA));
  code.forEach((w, i) => bus.write32(VECTORED_CODE_PA + 4 * i, w | 0));
  const core = bootV7aCore(bus, mmu, 0, jit);
  setup(bus, core.state);
  return { ...core, bus };
}

/** The core's registers and CPSR where a slice ended. */
export interface SliceBoundary {
  icount: number;
  r: number[];
  cpsr: number;
}

/**
 * bootVectoredProgram's program in slices of uneven budgets until icount reaches `total`: the state
 * at every slice end. Slices end at fixed icounts (a stop request, e.g. a write to code, may end an
 * `execute` call early with the JIT only: it is called again up to the same end).
 */
export function runSliced(
  code: readonly number[],
  total: number,
  jit: RigJit,
  setup?: (bus: Bus, state: ArmV7aState) => void,
): { cpu: ArmV7aCpu; boundaries: SliceBoundary[] } {
  const { cpu, state, clock } = bootVectoredProgram(code, jit, setup);
  const boundaries: SliceBoundary[] = [];
  let calls = 0;
  for (let k = 0, end = 0; end < total; k++) {
    end = Math.min(total, end + 1 + ((k * 41) % 613));
    while (clock.icount < end) {
      if (++calls > 200_000) throw new Error(`no progress: icount ${clock.icount}, pc ${(state.r[15]! >>> 0).toString(16)}`);
      cpu.exitRequest = false;
      cpu.execute(end - clock.icount);
    }
    boundaries.push({ icount: clock.icount, r: Array.from(state.r), cpsr: state.getCpsr() });
  }
  return { cpu, boundaries };
}
