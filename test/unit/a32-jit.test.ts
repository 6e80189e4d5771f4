/**
 * The A-profile block JIT with the MMU on: blocks are found through the TLB and keyed by physical
 * page, so a store through a second virtual alias of the code's physical page must drop the
 * translated block (self-modifying code, module loading), and the results equal the interpreter's.
 */
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/emulator/clock.js';
import { ArmV7aState } from '../../src/emulator/cpu/v7a/state.js';
import { ArmV7aCpu } from '../../src/emulator/cpu/v7a/cpu.js';
import { enableShort, makeRig, section, setL1, TTB } from './mmu-rig.js';

const CODE_VA = 0x00100000;
const ALIAS_VA = 0x00200000;
const CODE_PA = 0x40100000;
const DONE = CODE_VA + 0x24;
const TOTAL = 2500;

// A loop adding 1 to r0 300 times (hot: translated); then it rewrites its own first instruction
// through the alias to `add r0, r0, #256` and runs the loop 300 times more.
const PROGRAM = [
  0xe2800001, // 0x00 add r0, r0, #1
  0xe2511001, // 0x04 subs r1, r1, #1
  0x1afffffc, // 0x08 bne 0x00
  0xe3520000, // 0x0c cmp r2, #0
  0x1a000003, // 0x10 bne 0x24
  0xe5843000, // 0x14 str r3, [r4]
  0xe3a01f4b, // 0x18 mov r1, #300
  0xe3a02001, // 0x1c mov r2, #1
  0xeafffff6, // 0x20 b 0x00
  0xeafffffe, // 0x24 b .
];

function runProgram(jit: boolean): { cpu: ArmV7aCpu; r: number[]; icount: number } {
  const { bus, mmu } = makeRig();
  setL1(bus, TTB, CODE_VA, section(CODE_PA));
  setL1(bus, TTB, ALIAS_VA, section(CODE_PA));
  PROGRAM.forEach((w, i) => bus.write32(CODE_PA + 4 * i, w | 0));
  const clock = new VirtualClock(0);
  const state = new ArmV7aState();
  const cpu = new ArmV7aCpu(state, bus, clock);
  cpu.exceptions.setBootEntry(CODE_VA);
  cpu.exceptions.resetCore();
  cpu.attachMmu(mmu);
  enableShort(mmu);
  if (jit) cpu.enableJit();
  state.r[1] = 300;
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
    // 300 × 1 before the rewrite, 300 × 256 after it: a stale block would give less.
    expect(withJit.r[0]).toBe(300 + 300 * 256);
    const interpreted = runProgram(false);
    expect(interpreted.cpu.stats.insnsInBlocks).toBe(0);
    expect(withJit.r).toEqual(interpreted.r);
    expect(withJit.icount).toBe(interpreted.icount);
  });
});
