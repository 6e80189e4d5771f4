/**
 * A slice that ends right after a branch whose target page faults: QEMU 7.2 looks the next block up
 * inside the branch's block (lookup_and_goto_ptr) and takes the prefetch abort there, before its
 * loop checks interrupts and the icount budget; after an exception return (exit_tb) the abort
 * waits for the next block lookup in cpu_exec. ArmV7aCpu.execute takes the first kind as part of
 * the branch's step, for the interpreter and both block tiers alike: the state at every slice end
 * must be the same with and without the JIT, and show which kind left where.
 */
import { describe, expect, it } from 'vitest';
import { MODE_ABT } from '../../src/emulator/cpu/v7a/state.js';
import { assembleA32 } from './a32-harness.js';
import { bootVectoredProgram, runSliced } from './a32-block-rig.js';

const UNMAPPED = 0x30000000;
const PABT_VECTOR = 0x0c;
/** The `bxeq r5` of PROGRAM. */
const BX_PC = 0x30;
const LOOPS = 12000;

// Every 4th pass branches to an unmapped page (BX: QEMU's goto_ptr); every 8th, offset 2, an SVC
// whose handler returns to it (MOVS PC: exit_tb). The abort handler resumes the loop.
const PROGRAM = assembleA32([
  'b start',
  'b .',
  'b svc_handler',
  'b pabt_handler',
  'b .',
  'b .',
  'b .',
  'b .',
  'start: mov r0, #0',
  `movw r1, #${LOOPS}`,
  'loop: add r0, r0, #1',
  'tst r0, #3',
  'bxeq r5',
  'and r3, r0, #7',
  'cmp r3, #2',
  'svceq #0',
  'resume: subs r1, r1, #1',
  'bne loop',
  'b .',
  'pabt_handler: add r2, r2, #1',
  'mov lr, #0x40',
  'movs pc, lr',
  'svc_handler: add r4, r4, #1',
  'movs pc, r5',
]);
const TOTAL = 9 * LOOPS;

describe('a fetch fault after a branch at the end of a slice', () => {
  it('is taken in the branch step (BX), not after an exception return (MOVS PC), by every tier alike', () => {
    const setup = (_bus: unknown, st: { r: Int32Array | number[] }): void => {
      st.r[5] = UNMAPPED;
    };
    const withJit = runSliced(PROGRAM, TOTAL, true, setup);
    const interpreted = runSliced(PROGRAM, TOTAL, false, setup);
    expect(withJit.cpu.translatedBlocks(), 'hot blocks were compiled').toBeGreaterThan(0);
    expect(withJit.cpu.stats.insnsInBlocks, 'instructions ran in blocks').toBeGreaterThan(TOTAL / 2);
    expect(interpreted.cpu.stats.insnsInBlocks).toBe(0);
    expect(withJit.boundaries.length).toBe(interpreted.boundaries.length);
    for (let i = 0; i < interpreted.boundaries.length; i++) {
      expect(withJit.boundaries[i], `slice ${i}`).toEqual(interpreted.boundaries[i]);
    }
    const b = interpreted.boundaries;
    // Slices that ended after the BX: already in the abort handler's first instruction.
    const afterBx = b.filter((s) => s.r[15] === PABT_VECTOR && (s.cpsr & 0x1f) === MODE_ABT);
    expect(afterBx.length, 'slice ends right after the faulting BX').toBeGreaterThan(3);
    // Slices that ended at the unmapped PC: only ever after the SVC handler's exception return.
    const atUnmapped = b.filter((s) => s.r[15] === UNMAPPED);
    expect(atUnmapped.length, 'slice ends right after the MOVS PC').toBeGreaterThan(3);
    for (const s of atUnmapped) expect(s.r[0]! % 8, `r0 at icount ${s.icount}`).toBe(2);
    expect(b.at(-1)!.r[2], 'aborts taken').toBeGreaterThan(LOOPS / 4);
  });

  it('is taken again by the same step after a restore to just before the branch (no stale exit mark)', () => {
    const { cpu, state, clock } = bootVectoredProgram(PROGRAM, false, (_bus, st) => {
      st.r[5] = UNMAPPED;
    });
    let before: { regs: ReturnType<typeof state.save>; sys: ReturnType<typeof cpu.coreRegs.save>; clock: number[] } | null = null;
    for (let i = 0; i < 200 && before === null; i++) {
      const faulting = state.r[15] === BX_PC && (state.r[0]! & 3) === 0;
      const saved = { regs: state.save(), sys: cpu.coreRegs.save(), clock: clock.saveState() };
      cpu.exitRequest = false;
      cpu.execute(1);
      if (faulting) before = saved;
    }
    expect(before, 'stepped the faulting BX').not.toBeNull();
    expect(state.r[15]).toBe(PABT_VECTOR);
    const after = { icount: clock.icount, cpsr: state.getCpsr() };
    // The abort entry marked this icount as an exit to the loop; the restored step must not see it.
    state.load(before!.regs);
    cpu.coreRegs.load(before!.sys);
    clock.loadState(before!.clock);
    cpu.exitRequest = false;
    cpu.execute(1);
    expect({ pc: state.r[15], icount: clock.icount, cpsr: state.getCpsr() }).toEqual({ pc: PABT_VECTOR, ...after });
    expect(state.getCpsr() & 0x1f).toBe(MODE_ABT);
  });
});
