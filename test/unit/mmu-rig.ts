/**
 * A bus with RAM (and one MMIO device) plus helpers that build VMSAv7 translation tables in it, for
 * the MMU unit tests. Descriptor encodings follow the ARM ARM (B3.5 short descriptors, B3.6 LPAE).
 */
import { Bus, type BusOptions, type MmioHandler } from '../../src/emulator/memory/bus.js';
import { MMU_FAULT, Mmu, type MmuOptions } from '../../src/emulator/memory/mmu.js';
import { VirtualClock } from '../../src/emulator/clock.js';
import { ArmV7aState } from '../../src/emulator/cpu/v7a/state.js';
import { ArmV7aCpu } from '../../src/emulator/cpu/v7a/cpu.js';
import { wasmRegisters } from '../../src/emulator/cpu/wasm/wasm-state-layout.js';
import type { A32JitOptions } from '../../src/emulator/cpu/jit/a32-block-jit.js';
import { wasmBatchCompiler } from '../../src/emulator/cpu/wasm/a32-wasm-tier.js';

/**
 * The rig's A32 JIT: threaded blocks are compiled after the 8000 runs the tests' loops were written
 * for (the boards promote later: A32_JIT_PROMOTE_RUNS).
 */
export const RIG_A32_JIT: A32JitOptions = { promoteAfterRuns: 8000 };
/**
 * The rig's A32 JIT with the WebAssembly tier (on a wasm-backed bus): threaded blocks go to it
 * after 40 runs, in batches of 4, a partial batch after 300 instructions (every slice end of the
 * tests' loops then compiles what waits, so blocks are wasm for most of a run).
 */
export const RIG_WASM_JIT: A32JitOptions = { batchCompiler: wasmBatchCompiler, batchAfterRuns: 40, batch: { batchSize: 4, maxWaitInsns: 300 } };
/** How a rig core runs A32 code: interpreter only (false), the rig's JS tiers (true), or these JIT options. */
export type RigJit = boolean | A32JitOptions;

/** The rig bus for `jit`: wasm-backed when it has the WebAssembly tier (whose blocks address that memory). */
export function rigBusOptions(jit: RigJit): BusOptions {
  return { wasm: typeof jit === 'object' && jit.batchCompiler != null };
}

export const RAM_BASE = 0x40000000;
export const RAM_SIZE = 16 << 20;
/** Level-1 table (short descriptors: 16 KiB) at the start of RAM. */
export const TTB = RAM_BASE;
export const DEVICE_BASE = 0x09000000;

/** An MMIO register file: reads return the offset, writes are logged. */
export class ScratchDevice implements MmioHandler {
  readonly name = 'scratch';
  readonly writes: [number, number, number][] = [];
  read(offset: number): number {
    return 0x5a000000 | offset;
  }
  write(offset: number, value: number, size: 1 | 2 | 4): void {
    this.writes.push([offset, value, size]);
  }
}

/** `busOptions.wasm`: RAM in a WebAssembly.Memory with the wasm tier's state area (registers, JIT TLB) after it. */
export function makeRig(options: MmuOptions = {}, busOptions: BusOptions = {}): { bus: Bus; mmu: Mmu; dev: ScratchDevice } {
  const bus = new Bus([{ name: 'ram', base: RAM_BASE, size: RAM_SIZE }], busOptions);
  const dev = new ScratchDevice();
  bus.mapMmio(DEVICE_BASE, 0x1000, dev);
  const mmu = new Mmu(bus, options);
  return { bus, mmu, dev };
}

/**
 * An ARMv7-A core on the rig's bus, reset to start at virtual `entry` with the MMU on (short
 * descriptors from TTB, mapped by the caller) and, when `jit`, the A32 block JIT.
 */
export function bootV7aCore(bus: Bus, mmu: Mmu, entry: number, jit: RigJit): { cpu: ArmV7aCpu; state: ArmV7aState; clock: VirtualClock } {
  const clock = new VirtualClock(0);
  // On a wasm-backed bus the register file lives in the state area, as on the boards.
  const state = new ArmV7aState({ registers: wasmRegisters(bus) });
  const cpu = new ArmV7aCpu(state, bus, clock);
  cpu.exceptions.setBootEntry(entry);
  cpu.exceptions.resetCore();
  cpu.attachMmu(mmu);
  enableShort(mmu);
  if (jit !== false) cpu.enableJit(jit === true ? RIG_A32_JIT : jit);
  return { cpu, state, clock };
}

/** Write a physical word (little-endian) straight into RAM. */
export function poke(bus: Bus, pa: number, v: number): void {
  bus.write32(pa, v | 0);
}
export function peek(bus: Bus, pa: number): number {
  return bus.read32(pa) >>> 0;
}

// ---- Short descriptors ---------------------------------------------------------------------------

export interface ShortAttrs {
  /** AP[1:0] */
  ap?: number;
  /** AP[2] (APX) */
  apx?: number;
  domain?: number;
  xn?: boolean;
  pxn?: boolean;
  ng?: boolean;
  tex?: number;
  c?: number;
  b?: number;
  s?: number;
}

/** Level-1 section descriptor (1 MiB). Default AP=011 (full access), domain 0. */
export function section(pa: number, a: ShortAttrs = {}): number {
  return (
    ((pa & 0xfff00000) |
      ((a.apx ?? 0) << 15) |
      ((a.ap ?? 3) << 10) |
      ((a.tex ?? 0) << 12) |
      ((a.domain ?? 0) << 5) |
      ((a.xn ? 1 : 0) << 4) |
      ((a.c ?? 0) << 3) |
      ((a.b ?? 0) << 2) |
      ((a.s ?? 0) << 16) |
      ((a.ng ? 1 : 0) << 17) |
      (a.pxn ? 3 : 2)) >>>
    0
  );
}

/** Level-1 supersection descriptor (16 MiB) for a 40-bit physical address. */
export function supersection(pa40: number, a: ShortAttrs = {}): number {
  const hi = Math.floor(pa40 / 0x1_0000_0000);
  const lo = pa40 % 0x1_0000_0000;
  return (
    ((lo & 0xff000000) |
      ((hi & 0xf) << 20) |
      (((hi >>> 4) & 0xf) << 5) |
      (1 << 18) |
      ((a.apx ?? 0) << 15) |
      ((a.ap ?? 3) << 10) |
      ((a.xn ? 1 : 0) << 4) |
      (a.pxn ? 3 : 2)) >>>
    0
  );
}

/** Level-1 page-table descriptor pointing at a 1 KiB level-2 table. */
export function pageTable(l2pa: number, domain = 0, pxn = false): number {
  return ((l2pa & 0xfffffc00) | (domain << 5) | ((pxn ? 1 : 0) << 2) | 1) >>> 0;
}

/** Level-2 small page (4 KiB). */
export function smallPage(pa: number, a: ShortAttrs = {}): number {
  return (
    ((pa & 0xfffff000) |
      ((a.ng ? 1 : 0) << 11) |
      ((a.s ?? 0) << 10) |
      ((a.apx ?? 0) << 9) |
      ((a.tex ?? 0) << 6) |
      ((a.ap ?? 3) << 4) |
      ((a.c ?? 0) << 3) |
      ((a.b ?? 0) << 2) |
      2 |
      (a.xn ? 1 : 0)) >>>
    0
  );
}

/** Level-2 large page (64 KiB); must be written to 16 consecutive entries. */
export function largePage(pa: number, a: ShortAttrs = {}): number {
  return (
    ((pa & 0xffff0000) |
      ((a.xn ? 1 : 0) << 15) |
      ((a.tex ?? 0) << 12) |
      ((a.apx ?? 0) << 9) |
      ((a.ap ?? 3) << 4) |
      ((a.c ?? 0) << 3) |
      ((a.b ?? 0) << 2) |
      1) >>>
    0
  );
}

/** Level-1 entry for `va` in the table at `ttb`. */
export function setL1(bus: Bus, ttb: number, va: number, desc: number): void {
  poke(bus, ttb + (va >>> 20) * 4, desc);
}

/** Level-2 entry for `va` in the level-2 table at `l2`. */
export function setL2(bus: Bus, l2: number, va: number, desc: number): void {
  poke(bus, l2 + ((va >>> 12) & 0xff) * 4, desc);
}

/** Turn the MMU on with short descriptors, TTBR0 = TTB, every domain Client. */
export function enableShort(mmu: Mmu, sctlrExtra = 0): void {
  mmu.ttbr0Lo = TTB;
  mmu.dacr = 0x55555555;
  mmu.translationChanged();
  mmu.setSctlr(1 | sctlrExtra);
}

// ---- LPAE ---------------------------------------------------------------------------------------

export interface LpaeAttrs {
  /** AP[2:1] */
  ap?: number;
  af?: boolean;
  xn?: boolean;
  pxn?: boolean;
  ng?: boolean;
  attrIndx?: number;
  sh?: number;
}

/** Write a 64-bit descriptor (low word first in memory). */
export function poke64(bus: Bus, pa: number, lo: number, hi: number): void {
  poke(bus, pa, lo);
  poke(bus, pa + 4, hi);
}

/** Block (levels 1-2) or page (level 3) descriptor as [lo, hi] for a 40-bit output address. */
export function lpaeLeaf(pa40: number, level: number, a: LpaeAttrs = {}): [number, number] {
  const hi = Math.floor(pa40 / 0x1_0000_0000) & 0xff;
  const lo = pa40 % 0x1_0000_0000;
  const type = level === 3 ? 3 : 1;
  const l =
    ((lo & 0xfffff000) |
      ((a.ng ? 1 : 0) << 11) |
      ((a.af ?? true ? 1 : 0) << 10) |
      ((a.sh ?? 0) << 8) |
      ((a.ap ?? 1) << 6) |
      ((a.attrIndx ?? 0) << 2) |
      type) >>>
    0;
  const h = (hi | ((a.xn ? 1 : 0) << 22) | ((a.pxn ? 1 : 0) << 21)) >>> 0;
  return [l, h];
}

export interface LpaeTableAttrs {
  pxnTable?: boolean;
  xnTable?: boolean;
  /** APTable[1:0] */
  apTable?: number;
}

/** Table descriptor pointing at the next-level table. */
export function lpaeTable(next40: number, a: LpaeTableAttrs = {}): [number, number] {
  const hi = Math.floor(next40 / 0x1_0000_0000) & 0xff;
  const lo = (next40 % 0x1_0000_0000) & 0xfffff000;
  const h =
    (hi | ((a.pxnTable ? 1 : 0) << 27) | ((a.xnTable ? 1 : 0) << 28) | ((a.apTable ?? 0) << 29)) >>> 0;
  return [(lo | 3) >>> 0, h];
}

/** Catch the MMU_FAULT an action throws and return a copy of it; fail when nothing is thrown. */
export function faultOf(action: () => unknown): { fsr: number; far: number; isWrite: boolean; isFetch: boolean } {
  try {
    action();
  } catch (e) {
    if (e !== MMU_FAULT) throw e;
    return { fsr: MMU_FAULT.fsr, far: MMU_FAULT.far >>> 0, isWrite: MMU_FAULT.isWrite, isFetch: MMU_FAULT.isFetch };
  }
  throw new Error('expected an MMU fault, but the access succeeded');
}
