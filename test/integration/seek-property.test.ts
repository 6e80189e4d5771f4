/**
 * Invariant I2 (DESIGN §2) as property tests, for every firmware program:
 * - `timeline.seek(t)` — from a later position, an earlier one, after other seeks, and onto the
 *   exact icount of a snapshot — gives the state hash of one straight `machine.run(t)`;
 * - output produced after a seek equals the original run's output from that point;
 * - running to N and single-stepping (`machine.step()`) to N give the same hash.
 * Small snapshot intervals make seeks cross several snapshots. 12 random targets per program,
 * 17 programs: > 200 targets in total, with bounded fast-check runs (a failure prints its seed).
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { OPT_LEVELS, PROGRAMS, PROGRAM_INPUT, elfPath, ensureFirmware } from '../support/firmware.js';
import { recordInProcess, replayRig, straightHash, timelineRig, type Recorded } from '../unit/snapshot-rig.js';

// rev-demo (under 2000 instructions) is too short for random seeks; the gdb reverse tests cover it.
const CASES = [
  ...PROGRAMS.filter((p) => p !== 'rev-demo').flatMap((p) => OPT_LEVELS.map((o) => ({ elf: `${p}-${o}`, input: PROGRAM_INPUT[p] }))),
  { elf: 'crc32-O2', input: '' },
];

beforeAll(() => ensureFirmware());

/** Intervals small enough that every program has ~10-40 snapshots. */
function intervalFor(end: number): number {
  return Math.max(200, Math.min(100_000, Math.floor(end / 12)));
}

describe('seek is exact (I2)', () => {
  for (const c of CASES) {
    it(c.elf, () => {
      const [name, opt] = splitName(c.elf);
      const rec: Recorded = recordInProcess(elfPath(name, opt), { input: c.input });
      expect(rec.end).toBeGreaterThan(2000);
      const interval = intervalFor(rec.end);
      const rig = timelineRig(rec, interval);
      const tl = rig.timeline;
      // Replay the whole log once (snapshots along the way), keeping the output as reference.
      tl.runForward(rec.end);
      const fullOut = { bytes: rig.out.bytes.slice(), at: rig.out.at.slice() };
      expect(tl.store.snapshots.length).toBeGreaterThan(5);

      const target = fc.integer({ min: 0, max: rec.end });
      const ref = new Map<number, string>();
      const refHash = (t: number): string => {
        let h = ref.get(t);
        if (h === undefined) ref.set(t, (h = straightHash(rec, t)));
        return h;
      };
      const checkSeek = (t: number): void => {
        tl.seek(t);
        expect(rig.machine.icount).toBe(t);
        expect(rig.machine.stateHash(), `seek(${t}) in ${c.elf}`).toBe(refHash(t));
      };

      // From a later position (the end), from an earlier one (0), and chains of seeks in any order.
      fc.assert(
        fc.property(fc.array(target, { minLength: 3, maxLength: 3 }), (ts) => {
          tl.seek(rec.end);
          checkSeek(ts[0]!);
          tl.seek(0);
          checkSeek(ts[1]!);
          checkSeek(ts[2]!);
          // Output after the seek is the original run's output from that point.
          rig.out.clear();
          tl.runForward(rec.end);
          expect(rig.out.bytes).toEqual(fullOut.bytes.filter((_, i) => fullOut.at[i]! > ts[2]!));
          return true;
        }),
        { numRuns: 4 }, // 12 random targets per program, 204 in all
      );
      // Exactly onto snapshots (restore without replaying forward), and one instruction either side.
      const snaps = tl.store.snapshots.map((s) => s.icount);
      for (const s of [snaps[1]!, snaps[Math.floor(snaps.length / 2)]!, snaps[snaps.length - 1]!]) {
        for (const t of [s, s - 1, s + 1]) if (t >= 0 && t <= rec.end) checkSeek(t);
      }
    });
  }
});

describe('run and single-step agree (I2)', () => {
  for (const c of CASES) {
    it(c.elf, () => {
      const [name, opt] = splitName(c.elf);
      const rec = recordInProcess(elfPath(name, opt), { input: c.input });
      fc.assert(
        fc.property(fc.integer({ min: 0, max: Math.min(rec.end, 40_000) }), (n) => {
          const stepped = replayRig(rec);
          while (stepped.machine.icount < n) {
            const stop = stepped.machine.step(stepped.hooks);
            if (stop.kind !== 'limit') break;
          }
          expect(stepped.machine.icount).toBe(n);
          expect(stepped.machine.stateHash()).toBe(straightHash(rec, n));
          return true;
        }),
        { numRuns: 2 },
      );
    });
  }
});

function splitName(elf: string): [string, string] {
  const i = elf.lastIndexOf('-');
  return [elf.slice(0, i), elf.slice(i + 1)];
}
