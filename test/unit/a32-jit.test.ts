/**
 * The A-profile block JIT with the MMU on: blocks are found through the TLB and keyed by physical
 * page, so a store through a second virtual alias of the code's physical page must drop the
 * translated block (self-modifying code, module loading), and the results equal the interpreter's.
 */
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/emulator/clock.js';
import { ArmV7aState } from '../../src/emulator/cpu/v7a/state.js';
import { ArmV7aCpu } from '../../src/emulator/cpu/v7a/cpu.js';
import { defineMmuRegisters } from '../../src/emulator/memory/mmu-registers.js';
import type { Mmu } from '../../src/emulator/memory/mmu.js';
import { bootV7aCore, makeRig, section, setL1, TTB } from './mmu-rig.js';
import { bootVectoredProgram, VECTORED_DATA_VA, type SliceBoundary } from './a32-block-rig.js';

const CODE_VA = 0x00100000;
const ALIAS_VA = 0x00200000;
const CODE_PA = 0x40100000;
const DONE = CODE_VA + 0x24;
const LOOPS = 12000;
const TOTAL = 6 * LOOPS + 20;

// A loop adding 1 to r0 LOOPS times (threaded, then hot enough to be compiled); then it rewrites
// its own first instruction through the alias to `add r0, r0, #256` and runs the loop LOOPS times more.
const PROGRAM = [
  0xe2800001, // 0x00 add r0, r0, #1
  0xe2511001, // 0x04 subs r1, r1, #1
  0x1afffffc, // 0x08 bne 0x00
  0xe3520000, // 0x0c cmp r2, #0
  0x1a000003, // 0x10 bne 0x24
  0xe5843000, // 0x14 str r3, [r4]
  0xe3021ee0, // 0x18 movw r1, #12000
  0xe3a02001, // 0x1c mov r2, #1
  0xeafffff6, // 0x20 b 0x00
  0xeafffffe, // 0x24 b .
];

/** A core on the MMU rig with `program` at CODE_VA (also mapped at ALIAS_VA), booted there, MMU on. */
function bootProgram(program: readonly number[], jit: boolean): { cpu: ArmV7aCpu; state: ArmV7aState; clock: VirtualClock; mmu: Mmu } {
  const { bus, mmu } = makeRig();
  setL1(bus, TTB, CODE_VA, section(CODE_PA));
  setL1(bus, TTB, ALIAS_VA, section(CODE_PA));
  program.forEach((w, i) => bus.write32(CODE_PA + 4 * i, w | 0));
  return { ...bootV7aCore(bus, mmu, CODE_VA, jit), mmu };
}

function runProgram(jit: boolean): { cpu: ArmV7aCpu; r: number[]; icount: number } {
  const { cpu, state, clock } = bootProgram(PROGRAM, jit);
  state.r[1] = LOOPS;
  state.r[2] = 0;
  state.r[3] = 0xe2800c01; // add r0, r0, #256
  state.r[4] = ALIAS_VA;
  // Exactly TOTAL instructions in slices (a code write ends a slice early with the JIT only).
  while (clock.icount < TOTAL) {
    cpu.exitRequest = false;
    cpu.execute(Math.min(100, TOTAL - clock.icount));
  }
  return { cpu, r: Array.from(state.r), icount: clock.icount };
}

describe('A32 block JIT with the MMU on', () => {
  it('a store through another virtual alias of the code page drops the translated block', () => {
    const withJit = runProgram(true);
    // Translated before the rewrite, dropped by it, translated again after it.
    expect(withJit.cpu.translatedBlocks(), 'the loop was translated twice').toBeGreaterThanOrEqual(2);
    expect(withJit.cpu.stats.insnsInBlocks, 'instructions ran in blocks').toBeGreaterThan(200);
    expect(withJit.r[15]! >>> 0).toBe(DONE);
    // LOOPS × 1 before the rewrite, LOOPS × 256 after it: a stale block would give less.
    expect(withJit.r[0]).toBe(LOOPS + LOOPS * 256);
    const interpreted = runProgram(false);
    expect(interpreted.cpu.stats.insnsInBlocks).toBe(0);
    expect(withJit.r).toEqual(interpreted.r);
    expect(withJit.icount).toBe(interpreted.icount);
  });
});

// Vectors at 0 (a data abort returns past the faulting load), then a loop of conditional
// data processing, loads (one from an unmapped address: a data abort in the middle of a block),
// a byte store and flag-setting arithmetic, run 12000 times: built threaded, then compiled.
const FAULT_PROGRAM = [
  0xea00000e, // 0x00 b 0x40
  0,
  0,
  0,
  0xe25ef004, // 0x10 data abort: subs pc, lr, #4
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0xe3a00000, // 0x40 mov r0, #0
  0xe3021ee0, // 0x44 movw r1, #12000
  0xe2800003, // 0x48 add r0, r0, #3
  0xe3100008, // 0x4c tst r0, #8
  0x12822001, // 0x50 addne r2, r2, #1
  0x07963000, // 0x54 ldreq r3, [r6, r0]
  0x15953000, // 0x58 ldrne r3, [r5] (unmapped: data abort)
  0xe0244000, // 0x5c eor r4, r4, r0
  0xe5c64001, // 0x60 strb r4, [r6, #1]
  0xe1a071e4, // 0x64 ror r7, r4, #3
  0xe0978008, // 0x68 adds r8, r7, r8
  0xe2a99000, // 0x6c adc r9, r9, #0
  0xe2511001, // 0x70 subs r1, r1, #1
  0x1afffff3, // 0x74 bne 0x48
  0xeafffffe, // 0x78 b .
];
/** The program in slices of uneven budgets (some shorter than a block): state at every slice end. */
function runFaultProgram(jit: boolean): { cpu: ArmV7aCpu; boundaries: SliceBoundary[] } {
  const { cpu, state, clock } = bootVectoredProgram(FAULT_PROGRAM, jit, (_bus, st) => {
    st.r[5] = 0x30000000;
    st.r[6] = VECTORED_DATA_VA;
  });
  const boundaries: SliceBoundary[] = [];
  for (let k = 0; clock.icount < 150000; k++) {
    cpu.exitRequest = false;
    cpu.execute(1 + ((k * 37) % 301));
    boundaries.push({ icount: clock.icount, r: Array.from(state.r), cpsr: state.getCpsr() });
  }
  return { cpu, boundaries };
}

describe('A32 threaded blocks (the lukewarm tier) and their promotion', () => {
  it('match the interpreter at every slice boundary through data aborts inside blocks', () => {
    const withJit = runFaultProgram(true);
    const jit = withJit.cpu.a32Jit!;
    expect(jit.threaded, 'threaded blocks built').toBeGreaterThan(0);
    expect(withJit.cpu.translatedBlocks(), 'hot threaded blocks were compiled').toBeGreaterThan(0);
    expect(withJit.cpu.stats.insnsInBlocks, 'instructions ran in blocks').toBeGreaterThan(100000);
    expect(withJit.cpu.stats.exitFault, 'data aborts taken').toBeGreaterThan(4000);
    const interpreted = runFaultProgram(false);
    expect(withJit.boundaries.length).toBe(interpreted.boundaries.length);
    for (let i = 0; i < interpreted.boundaries.length; i++) {
      expect(withJit.boundaries[i], `slice ${i}`).toEqual(interpreted.boundaries[i]);
    }
    // The loop ran to its end: r1 counted down, halfway through a data abort per iteration.
    expect(interpreted.boundaries.at(-1)!.r[1]).toBe(0);
  });
});

// add r0, r0, #1; subs r1, r1, #1; bne 0x00 (a block that loops back to its own start); b .
const LOOP_PROGRAM = [0xe2800001, 0xe2511001, 0x1afffffc, 0xeafffffe];

/** icount at each of 5 breakpoint stops at the loop's start, after the loop has been compiled. */
function breakpointStops(jit: boolean): number[] {
  const { cpu, state, clock } = bootProgram(LOOP_PROGRAM, jit);
  state.r[1] = 1_000_000;
  while (clock.icount < 60_000) {
    cpu.exitRequest = false;
    cpu.execute(100);
  }
  cpu.breakpoints.add(CODE_VA);
  const stops: number[] = [];
  for (let i = 0; i < 5; i++) {
    cpu.exitRequest = false;
    cpu.hitBreakpoint = false;
    cpu.execute(1_000_000);
    expect(cpu.hitBreakpoint, `stop ${i} is the breakpoint`).toBe(true);
    stops.push(clock.icount);
    cpu.skipBreakpointOnce = true;
  }
  if (jit) expect(cpu.stats.insnsInBlocks, 'the loop ran compiled before the breakpoint').toBeGreaterThan(50_000);
  return stops;
}

describe('A32 block JIT and breakpoints', () => {
  it('a breakpoint at the start of a block that loops back to it stops at every pass, as the interpreter does', () => {
    const interpreted = breakpointStops(false);
    expect(interpreted).toEqual([60_000, 60_003, 60_006, 60_009, 60_012]);
    expect(breakpointStops(true)).toEqual(interpreted);
  });
});

// A loop whose two straight lines start on pages the TLB has just forgotten: TLBIALL (which does
// not end the block), a branch to the next page, a line there, a branch back. Each leader misses
// in the TLB; the interpreter's fetch fills it, then the block there must run (not the rest of
// the line interpreted).
const TLBIALL = 0xee080f17; // mcr p15, 0, r0, c8, c7, 0
const REFILL_LOOPS = 20000;
const REFILL_PROGRAM: number[] = new Array<number>(0x1018 / 4).fill(0);
REFILL_PROGRAM[0] = TLBIALL;
REFILL_PROGRAM[1] = 0xea0003fd; // 0x0004 b 0x1000
REFILL_PROGRAM[0x400] = 0xe2800001; // 0x1000 add r0, r0, #1
REFILL_PROGRAM[0x401] = 0xe0822000; // 0x1004 add r2, r2, r0
REFILL_PROGRAM[0x402] = 0xe0233002; // 0x1008 eor r3, r3, r2
REFILL_PROGRAM[0x403] = 0xe2511001; // 0x100c subs r1, r1, #1
REFILL_PROGRAM[0x404] = 0x1afffbfa; // 0x1010 bne 0x0000
REFILL_PROGRAM[0x405] = 0xeafffffe; // 0x1014 b .

function runRefillProgram(jit: boolean): { cpu: ArmV7aCpu; boundaries: SliceBoundary[] } {
  const { cpu, state, clock, mmu } = bootProgram(REFILL_PROGRAM, jit);
  defineMmuRegisters(cpu.sysregs, mmu); // TLBIALL
  state.r[1] = REFILL_LOOPS;
  const boundaries: SliceBoundary[] = [];
  for (let k = 0; clock.icount < 7 * REFILL_LOOPS + 10; k++) {
    if (k > 10_000) throw new Error(`no progress: icount ${clock.icount}, pc ${(state.r[15]! >>> 0).toString(16)}, cpsr ${state.getCpsr().toString(16)}`);
    cpu.exitRequest = false;
    cpu.execute(1 + ((k * 53) % 307));
    boundaries.push({ icount: clock.icount, r: Array.from(state.r), cpsr: state.getCpsr() });
  }
  return { cpu, boundaries };
}

describe('A32 block JIT after a TLB miss at a block start', () => {
  it('runs the block once the fetch has refilled the TLB, with the interpreter state at every slice end', () => {
    const withJit = runRefillProgram(true);
    const interpreted = runRefillProgram(false);
    expect(withJit.boundaries.length).toBe(interpreted.boundaries.length);
    for (let i = 0; i < interpreted.boundaries.length; i++) {
      expect(withJit.boundaries[i], `slice ${i}`).toEqual(interpreted.boundaries[i]);
    }
    expect(interpreted.boundaries.at(-1)!.r[1]).toBe(0);
    // Both leaders miss in the TLB on every pass: interpreting their lines would leave at most
    // 2 of each 7 instructions to blocks.
    const stats = withJit.cpu.stats;
    expect(stats.insnsInBlocks / stats.retired, 'share of instructions run in blocks').toBeGreaterThan(0.9);
  });
});
