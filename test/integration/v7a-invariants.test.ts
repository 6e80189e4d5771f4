/**
 * Determinism invariants on virt (DESIGN §2) with the MMU on and timer interrupts: compute (MMU with
 * caches on, the physical timer interrupting every 1250 ticks), gic-timer (both timers, SGIs, SPIs,
 * FIQs, WFI idling) and mmu-lpae (long descriptors, translation faults, TLB maintenance).
 * - I1: two replays of one log reach identical states;
 * - I2: seek (snapshot restore + replay) to random icounts, and single steps, give the hash of one
 *   straight run;
 * - I5: the MMU's translation cache is invisible: a restored snapshot starts cold (the TLB is dropped)
 *   and reaches the hash of a warm straight run; the JIT on and off agree as well.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { recordInProcess, replayRig, straightHash, timelineRig, type Recorded } from '../unit/snapshot-rig.js';
import { ensureV7aFirmware, v7aElf } from '../support/v7a-firmware.js';

const CASES = [
  { name: 'compute', variant: 'arm-O2', shift: 3 },
  { name: 'gic-timer', variant: 'arm-O2', shift: 0 },
  { name: 'mmu-lpae', variant: 'arm-O0', shift: 7 },
];

beforeAll(() => ensureV7aFirmware(CASES.map((c) => v7aElf(c.name, c.variant))));

function record(c: (typeof CASES)[number]): Recorded {
  const rec = recordInProcess(v7aElf(c.name, c.variant), { machine: 'virt', shift: c.shift });
  expect(rec.end).toBeGreaterThan(10_000);
  return rec;
}

describe('virt: I1 and I2 (seek and step give one state)', () => {
  for (const c of CASES) {
    it(`${c.name}-${c.variant} at shift ${c.shift}`, () => {
      const rec = record(c);
      // I1: two independent replays, compared at the end and at a random point.
      const a = replayRig(rec);
      const b = replayRig(rec);
      a.machine.run(rec.end, a.hooks);
      b.machine.run(rec.end, b.hooks);
      expect(a.machine.stateHash()).toBe(b.machine.stateHash());

      const interval = Math.max(500, Math.floor(rec.end / 10));
      const rig = timelineRig(rec, interval);
      const tl = rig.timeline;
      tl.runForward(rec.end);
      expect(tl.store.snapshots.length).toBeGreaterThan(5);
      const ref = new Map<number, string>();
      const refHash = (t: number): string => {
        let h = ref.get(t);
        if (h === undefined) ref.set(t, (h = straightHash(rec, t)));
        return h;
      };
      fc.assert(
        fc.property(fc.array(fc.integer({ min: 0, max: rec.end }), { minLength: 3, maxLength: 3 }), (ts) => {
          tl.seek(rec.end);
          for (const t of ts) {
            tl.seek(t);
            expect(rig.machine.icount).toBe(t);
            expect(rig.machine.stateHash(), `seek(${t})`).toBe(refHash(t));
          }
          return true;
        }),
        { numRuns: 3 },
      );
      // Exactly onto a snapshot and one instruction either side (the TLB cold right after the restore).
      const snaps = tl.store.snapshots.map((s) => s.icount);
      const s = snaps[Math.floor(snaps.length / 2)]!;
      for (const t of [s - 1, s, s + 1]) {
        tl.seek(t);
        expect(rig.machine.stateHash(), `seek(${t}) around a snapshot`).toBe(refHash(t));
      }
      // Single steps up to a random point give the straight run's state.
      fc.assert(
        fc.property(fc.integer({ min: 0, max: Math.min(rec.end, 30_000) }), (n) => {
          const stepped = replayRig(rec);
          while (stepped.machine.icount < n) {
            const stop = stepped.machine.step(stepped.hooks);
            if (stop.kind !== 'limit') break;
          }
          expect(stepped.machine.icount).toBe(n);
          expect(stepped.machine.stateHash()).toBe(refHash(n));
          return true;
        }),
        { numRuns: 2 },
      );
    });
  }
});

describe('virt: I5 and engines (JIT on and off give one state)', () => {
  for (const c of CASES) {
    it(`${c.name}-${c.variant} at shift ${c.shift}`, () => {
      const rec = record(c);
      fc.assert(
        fc.property(fc.integer({ min: 0, max: rec.end }), (t) => {
          expect(straightHash(rec, t, true), `icount ${t}`).toBe(straightHash(rec, t, false));
          return true;
        }),
        { numRuns: 3 },
      );
      // A timeline with the JIT off seeking backwards (cold TLB after each restore) agrees with a
      // straight JIT-on run.
      const rig = timelineRig(rec, Math.max(500, Math.floor(rec.end / 8)), undefined, false);
      rig.timeline.runForward(rec.end);
      const t = Math.floor(rec.end * 0.37);
      rig.timeline.seek(t);
      expect(rig.machine.stateHash()).toBe(straightHash(rec, t, true));
    });
  }
});
