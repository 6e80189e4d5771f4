/**
 * The block JIT against the interpreter (issue: speed / block JIT), on every test firmware:
 * - a recording made with the JIT replays interpreter-only and vice versa, without divergence and
 *   with the same final state (I1 across modes; logs differ only where they hold host-clock reads);
 * - seeking a JIT replay timeline (snapshot restore + translated forward execution with budgets cut
 *   anywhere) lands on exactly the state an interpreter-only straight replay has at that icount
 *   (I2 across modes), including targets that fall inside translated blocks.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { OPT_LEVELS, PROGRAMS, PROGRAM_INPUT, elfPath, ensureFirmware } from '../support/firmware.js';
import { recordInProcess, replayRig, straightHash, timelineRig } from '../unit/snapshot-rig.js';
import { ensureV7aFirmware, v7aElf } from '../support/v7a-firmware.js';
import { ensureVexpressFirmware, vexpressElf } from '../support/vexpress-firmware.js';

const CASES: { name: string; opt: string; input: string; machine?: string; shift?: number; maxInsns?: number }[] = [
  ...PROGRAMS.flatMap((p) => OPT_LEVELS.map((o) => ({ name: p, opt: o as string, input: PROGRAM_INPUT[p] }))),
  { name: 'crc32', opt: 'O2', input: '' },
  // Cortex-M4F: FP and DSP code in translated blocks (call-through), FP state in snapshots.
  ...['m4-fpu-irq', 'm4-fpu-workout', 'm4-dsp-workout'].map((p) => ({ name: p, opt: 'O2', input: '', machine: 'mps2-an386' })),
  // RTOS-shaped code: MSR BASEPRI/CPS inside blocks, PendSV/SysTick preemption at side exits and
  // mid-block stop checks, exception returns without a boundary (shift 7: SysTick every 7812 insns).
  { name: 'rtos', opt: 'O2', input: '', maxInsns: 2_000_000 },
  { name: 'rtos-forever', opt: 'O2', input: '', shift: 7, maxInsns: 2_000_000 },
  // The busy build: tasks at idle priority preempted by the tick inside their compute loops.
  { name: 'rtos-busy-forever', opt: 'O2', input: '', shift: 5, maxInsns: 2_000_000 },
];

beforeAll(() => ensureFirmware());

let insideTotal = 0;

describe('JIT and interpreter agree', () => {
  for (const c of CASES) {
    it(`${c.name}-${c.opt}`, () => {
      const elf = elfPath(c.name, c.opt);
      const run = { input: c.input, machine: c.machine, shift: c.shift, maxInsns: c.maxInsns };
      const rec = recordInProcess(elf, { ...run, jit: true });
      const recInterp = recordInProcess(elf, { ...run, jit: false });
      for (const [log, jitOn] of [
        [rec, false],
        [recInterp, true],
      ] as const) {
        const r = replayRig(log, jitOn);
        const stop = r.machine.run(log.end, r.hooks);
        expect(r.machine.icount, `replay with jit=${jitOn}`).toBe(log.end);
        expect(stop.kind).not.toBe('halt');
        const again = replayRig(log, !jitOn);
        again.machine.run(log.end, again.hooks);
        expect(r.machine.stateHash(), `end state, replay with jit=${jitOn} vs ${!jitOn}`).toBe(again.machine.stateHash());
      }

      const rig = timelineRig(rec, Math.max(200, Math.floor(rec.end / 10)), 1 << 30, true);
      const tl = rig.timeline;
      tl.runForward(rec.end);
      const jit = rig.machine.core instanceof Object ? (rig.machine.core as { jit?: { translated: number; blockContaining(pc: number): unknown } }).jit : undefined;
      expect(jit, 'JIT enabled in the timeline rig').toBeTruthy();

      const probe = replayRig(rec, false);
      fc.assert(
        fc.property(fc.integer({ min: 0, max: rec.end }), (t) => {
          tl.seek(t);
          expect(rig.machine.icount).toBe(t);
          const want = straightHash(rec, t, false);
          expect(rig.machine.stateHash(), `seek(${t}) with the JIT vs interpreter straight run`).toBe(want);
          // Where the interpreter is at t: inside (not at the start of) a translated block?
          if (probe.machine.icount <= t) probe.machine.run(t, probe.hooks);
          const pc = probe.machine.cpu.r[15]! >>> 0;
          const b = jit!.blockContaining(pc) as { start: number } | null;
          if (b !== null && b.start >>> 0 !== pc) insideTotal++;
          return true;
        }),
        { numRuns: 5 },
      );
    });
  }

  it('seek targets landed inside translated blocks', () => {
    // About a quarter of the random targets fall strictly inside a translated block (short test
    // programs run much of their code fewer times than the translation threshold); make sure the
    // boundary case was exercised many times (typically 30-40 of the ~130 targets).
    expect(insideTotal).toBeGreaterThan(CASES.length / 2);
  });
});

/**
 * A-profile with the MMU on and timer interrupts. virt: compute (MMU and caches on, the physical
 * timer every 1250 ticks), gic-timer (both timers, SGIs, SPIs, FIQ, WFI) and mmu-lpae (long
 * descriptors, translation faults, TLB maintenance). vexpress-a9 (Security Extensions): monitor
 * (SMC into Monitor mode and its banked registers, SCR.IRQ/FIQ routing to MVBAR), timers (SP804,
 * global and private timers through GIC v1) and mmu-short (short descriptors). Cross replays and
 * seeks of a JIT timeline give the interpreter's states at every checkpoint.
 */
const A_PROFILE_CASES = [
  { machine: 'virt', name: 'compute', variant: 'arm-O2', shift: 3, elf: v7aElf('compute', 'arm-O2') },
  { machine: 'virt', name: 'gic-timer', variant: 'arm-O2', shift: 0, elf: v7aElf('gic-timer', 'arm-O2') },
  { machine: 'virt', name: 'mmu-lpae', variant: 'arm-O0', shift: 7, elf: v7aElf('mmu-lpae', 'arm-O0') },
  { machine: 'vexpress-a9', name: 'monitor', variant: 'arm-O2', shift: 0, elf: vexpressElf('monitor', 'arm-O2') },
  { machine: 'vexpress-a9', name: 'timers', variant: 'arm-O2', shift: 3, elf: vexpressElf('timers', 'arm-O2') },
  { machine: 'vexpress-a9', name: 'mmu-short', variant: 'arm-O2', shift: 7, elf: vexpressElf('mmu-short', 'arm-O2') },
];

describe('A32 JIT and interpreter agree on virt and vexpress-a9 (MMU on, timer interrupts)', () => {
  beforeAll(() => {
    ensureV7aFirmware(A_PROFILE_CASES.filter((c) => c.machine === 'virt').map((c) => c.elf));
    ensureVexpressFirmware(A_PROFILE_CASES.filter((c) => c.machine !== 'virt').map((c) => c.elf));
  });
  for (const c of A_PROFILE_CASES) {
    it(`${c.machine}: ${c.name}-${c.variant} at shift ${c.shift}`, () => {
      const elf = c.elf;
      const run = { machine: c.machine, shift: c.shift };
      const rec = recordInProcess(elf, { ...run, jit: true });
      const recInterp = recordInProcess(elf, { ...run, jit: false });
      expect(rec.end).toBe(recInterp.end);
      for (const [log, jitOn] of [
        [rec, false],
        [recInterp, true],
      ] as const) {
        const r = replayRig(log, jitOn);
        r.machine.run(log.end, r.hooks);
        expect(r.machine.icount, `replay with jit=${jitOn}`).toBe(log.end);
        const again = replayRig(log, !jitOn);
        again.machine.run(log.end, again.hooks);
        expect(r.machine.stateHash(), `end state, replay with jit=${jitOn} vs ${!jitOn}`).toBe(again.machine.stateHash());
      }
      const rig = timelineRig(rec, Math.max(500, Math.floor(rec.end / 10)), 1 << 30, true);
      rig.timeline.runForward(rec.end);
      const core = rig.machine.core as unknown as { a32Jit: { translated: number; threaded: number }; stats: { insnsInBlocks: number } };
      // gic-timer is short (~24 K instructions, mostly idle loops): its blocks stay threaded.
      expect(core.a32Jit.threaded + core.a32Jit.translated, 'A32 blocks built (threaded or compiled)').toBeGreaterThan(0);
      expect(core.stats.insnsInBlocks, 'instructions run in blocks').toBeGreaterThan(Math.min(rec.end / 4, 1000));
      // Every snapshot checkpoint and random targets: the JIT timeline's seek = interpreter straight run.
      const targets = rig.timeline.store.snapshots.map((x) => x.icount);
      fc.assert(
        fc.property(fc.integer({ min: 0, max: rec.end }), (t) => {
          targets.push(t);
          return true;
        }),
        { numRuns: 4 },
      );
      for (const t of targets) {
        rig.timeline.seek(t);
        expect(rig.machine.icount).toBe(t);
        expect(rig.machine.stateHash(), `seek(${t}) with the JIT vs interpreter straight run`).toBe(straightHash(rec, t, false));
      }
    });
  }
});
