/**
 * Fine snapshots (SnapshotStore.captureFine, left behind by a seek that restores a snapshot, for
 * the reverse steps that follow): invariant I2 through them.
 * - A chain of reverse steps (seek(t-1), seek(t-2), ...) gives the hash of a straight run at each
 *   position, and each step starts from a fine snapshot close below it.
 * - Random seeks inside one snapshot interval, in any order, mixing fine snapshots, restores and
 *   forward runs over pages the fine snapshots share, give the straight run's hash, and the output
 *   after each is the original run's output from there (the log position came back too).
 * - A forward run with the fine trail on (the gdb stub's `continue`) leaves fine snapshots behind
 *   it, so the reverse steps after it stops start close below it, and they are exact too.
 * Firmware with interrupts, UART input and RAM written throughout (stack, buffers, heap).
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { FINE_SNAPSHOTS_PER_INTERVAL } from '../../src/snapshots/snapshot-store.js';
import { fineSpacingFor, trailSpacingFor } from '../../src/snapshots/timeline.js';
import { PROGRAM_INPUT, elfPath, ensureFirmware } from '../support/firmware.js';
import { recordInProcess, replayRig, straightHash, timelineRig, type Recorded } from '../unit/snapshot-rig.js';

const CASES = [
  { name: 'irq-timers', opt: 'O2', input: PROGRAM_INPUT['irq-timers'], shift: 3 },
  { name: 'newlib-demo', opt: 'Os', input: PROGRAM_INPUT['newlib-demo'], shift: 5 },
  // The RTOS workload: context switches, queues, UART TX interrupts.
  { name: 'rtos', opt: 'O2', input: '', shift: 7, maxInsns: 1e6 },
];

beforeAll(() => ensureFirmware());

describe('seeks through fine snapshots are exact (I2)', () => {
  for (const c of CASES) {
    it(`${c.name}-${c.opt}`, () => {
      const rec: Recorded = recordInProcess(elfPath(c.name, c.opt), { input: c.input, shift: c.shift, maxInsns: c.maxInsns });
      const INTERVAL = Math.max(1 << 13, Math.min(100_000, Math.floor(rec.end / 6)));
      const SPACING = fineSpacingFor(INTERVAL);
      expect(rec.end).toBeGreaterThan(4 * INTERVAL);
      const rig = timelineRig(rec, INTERVAL);
      const tl = rig.timeline;
      const store = tl.store;
      tl.runForward(rec.end);
      const fullOut = { bytes: rig.out.bytes.slice(), at: rig.out.at.slice() };
      const ref = new Map<number, string>();
      const refHash = (t: number): string => {
        let h = ref.get(t);
        if (h === undefined) ref.set(t, (h = straightHash(rec, t)));
        return h;
      };
      const checkSeek = (t: number): void => {
        tl.seek(t);
        expect(rig.machine.icount).toBe(t);
        expect(rig.machine.stateHash(), `seek(${t}) in ${c.name}-${c.opt}`).toBe(refHash(t));
      };

      // Reverse steps from just below the last full interval's end: the first one restores the
      // interval's snapshot and leaves fine snapshots up to it; the next ones start from those.
      const last = store.snapshots[store.snapshots.length - 2]!;
      const top = last.icount + INTERVAL - 7;
      checkSeek(top);
      checkSeek(top - 1);
      expect(store.fineBase).toBe(last);
      expect(store.fine.length).toBeGreaterThan(Math.min(FINE_SNAPSHOTS_PER_INTERVAL, INTERVAL / SPACING) / 2);
      for (let t = top - 2; t > top - 3 * SPACING; t -= Math.ceil(SPACING / 5)) {
        checkSeek(t);
        const from = store.findFine(last, t);
        expect(from, `a fine snapshot below ${t}`).not.toBeNull();
        expect(t - from!.icount).toBeLessThanOrEqual(SPACING);
      }

      // Random seeks within a few intervals, forward and backward, then the output from there.
      const mid = store.snapshots[Math.floor(store.snapshots.length / 2)]!.icount;
      const target = fc.integer({ min: Math.max(0, mid - INTERVAL), max: Math.min(rec.end, mid + 2 * INTERVAL) });
      fc.assert(
        fc.property(fc.array(target, { minLength: 4, maxLength: 4 }), (ts) => {
          for (const t of ts) checkSeek(t);
          rig.out.clear();
          tl.runForward(rec.end);
          expect(rig.out.bytes).toEqual(fullOut.bytes.filter((_, i) => fullOut.at[i]! > ts[3]!));
          return true;
        }),
        { numRuns: 5 },
      );
    });
  }
});

describe('a forward run with the fine trail on leaves fine snapshots where it stops (I2)', () => {
  it('irq-timers-O2: first run (capturing snapshots) and a run over existing ones', () => {
    const c = CASES[0]!;
    const rec: Recorded = recordInProcess(elfPath(c.name, c.opt), { input: c.input, shift: c.shift });
    const INTERVAL = Math.max(1 << 13, Math.min(100_000, Math.floor(rec.end / 6)));
    const SPACING = trailSpacingFor(INTERVAL);
    expect(SPACING).toBeLessThan(INTERVAL / 4);
    const rig = timelineRig(rec, INTERVAL);
    const tl = rig.timeline;
    const store = tl.store;
    const reverseStepsFrom = (stop: number): void => {
      for (let t = stop - 1; t > stop - 4; t--) {
        const from = store.findFine(store.find(t)!, t);
        expect(from, `a fine snapshot below ${t}`).not.toBeNull();
        expect(t - from!.icount).toBeLessThanOrEqual(SPACING);
        tl.seek(t);
        expect(rig.machine.stateHash(), `seek(${t})`).toBe(straightHash(rec, t));
      }
    };
    // The first run captures the periodic snapshots as it goes, stopping mid-interval.
    const first = 3 * INTERVAL + Math.floor(INTERVAL / 2) + 3;
    tl.setFineTrail(true);
    tl.runForward(first);
    tl.setFineTrail(false);
    expect(rig.machine.icount).toBe(first);
    reverseStepsFrom(first);
    // From a restored snapshot over existing ones (passing them), to another mid-interval stop.
    tl.seek(INTERVAL + 11);
    const second = 2 * INTERVAL + Math.floor(INTERVAL / 3);
    tl.setFineTrail(true);
    tl.runForward(second);
    tl.setFineTrail(false);
    reverseStepsFrom(second);
  });
});

describe('reverse steps next to the present go back through chunked undo data (I2)', () => {
  // irq-timers: interrupts and their stack frames; rtos: context switches, queues, UART TX.
  for (const c of [CASES[0]!, CASES[2]!]) {
    it(`${c.name}-${c.opt}: a chain of reverse steps longer than the ring, forward steps in between, then the output`, () => {
      const rec: Recorded = recordInProcess(elfPath(c.name, c.opt), { input: c.input, shift: c.shift, maxInsns: c.maxInsns });
      const INTERVAL = Math.max(1 << 13, Math.min(100_000, Math.floor(rec.end / 6)));
      const rig = timelineRig(rec, INTERVAL);
      const tl = rig.timeline;
      tl.runForward(rec.end);
      const fullOut = { bytes: rig.out.bytes.slice(), at: rig.out.at.slice() };
      const top = tl.store.snapshots[tl.store.snapshots.length - 2]!.icount + Math.floor(INTERVAL / 2) + 5;
      // Longer than the undo data one reverse step records (1,024 positions): a refill on the way.
      const SPAN = 1100;
      // Reference: one fresh replay stepped over the span, hashed at the positions checked below.
      const checked = (t: number): boolean => t % 11 === 0 || t >= top - 3 || t <= top - SPAN + 3;
      const ref = new Map<number, string>();
      const r = replayRig(rec);
      for (let t = top - SPAN - 8; t <= top; t++) {
        r.machine.run(t, r.hooks);
        if (checked(t)) ref.set(t, r.machine.stateHash());
      }
      const checkSeek = (t: number): void => {
        tl.seek(t);
        expect(rig.machine.icount).toBe(t);
        if (checked(t)) expect(rig.machine.stateHash(), `seek(${t}) in ${c.name}-${c.opt}`).toBe(ref.get(t));
      };
      checkSeek(top);
      checkSeek(top - 1);
      // The first reverse step recorded the undo data of the positions below where it started.
      expect(tl.steps.covers(top, top - 200)).toBe(true);
      let refills = 0;
      for (let t = top - 2; t >= top - SPAN; t--) {
        if (!tl.steps.covers(t + 1, t)) refills++;
        checkSeek(t);
        // Now and then a few forward steps (runs from the undone state) and back again.
        if (t % 97 === 0) {
          checkSeek(t + 3);
          checkSeek(t + 2);
          checkSeek(t + 1);
          checkSeek(t);
        }
      }
      expect(refills).toBeGreaterThanOrEqual(1);
      // The replay log's position came back with the state: the rest of the output is the original's.
      rig.out.clear();
      tl.runForward(rec.end);
      expect(rig.out.bytes).toEqual(fullOut.bytes.filter((_, i) => fullOut.at[i]! > top - SPAN));
    });
  }

  it('irq-timers-O2: prepareStepBack (the gdb stub after a continue) leaves the ring and the state where it was', () => {
    const c = CASES[0]!;
    const rec: Recorded = recordInProcess(elfPath(c.name, c.opt), { input: c.input, shift: c.shift });
    const INTERVAL = Math.max(1 << 13, Math.min(100_000, Math.floor(rec.end / 6)));
    const rig = timelineRig(rec, INTERVAL);
    const tl = rig.timeline;
    const top = Math.floor(rec.end * 0.7);
    tl.runForward(top);
    const here = rig.machine.stateHash();
    expect(here).toBe(straightHash(rec, top));
    tl.prepareStepBack();
    expect(rig.machine.icount).toBe(top);
    expect(rig.machine.stateHash()).toBe(here);
    expect(tl.steps.covers(top, top - 1000)).toBe(true);
    // The reverse steps that follow restore no snapshot: they undo chunks of the ring.
    const store = tl.store;
    let restores = 0;
    const restore = store.restore.bind(store);
    const restoreFine = store.restoreFine.bind(store);
    store.restore = (s) => (restores++, restore(s));
    store.restoreFine = (f) => (restores++, restoreFine(f));
    for (const t of [top - 1, top - 2, top - 17, top - 500]) {
      tl.seek(t);
      expect(rig.machine.stateHash(), `seek(${t})`).toBe(straightHash(rec, t));
    }
    expect(restores).toBe(0);
  });
});
