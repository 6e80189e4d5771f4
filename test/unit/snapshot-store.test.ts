/**
 * Snapshot store thinning (DESIGN §4) and snapshot files (--save-snapshots):
 * - with a small budget, snapshots stay within it, their accounting matches their contents, the
 *   newest are dense and spacing grows with distance from the present; seeks stay exact;
 * - a snapshot file round-trips, loads into a fresh replay and gives exact seeks, and is refused for
 *   another firmware or another log.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAGE_SIZE } from '../../src/emulator/memory/bus.js';
import { coreStateBytes } from '../../src/snapshots/machine-state.js';
import {
  SnapshotFileError,
  decodeSnapshotFile,
  encodeSnapshotFile,
  firmwareIdentity,
  loadTimelineSnapshots,
  logIdentity,
  readSnapshotFile,
  saveTimelineSnapshots,
  type SnapshotFileIdentity,
} from '../../src/snapshots/snapshot-file.js';
import type { SnapshotStore } from '../../src/snapshots/snapshot-store.js';
import { PROGRAM_INPUT, elfPath, ensureFirmware } from '../support/firmware.js';
import { MACHINE, recordInProcess, straightHash, timelineRig, type Recorded } from './snapshot-rig.js';

let irq: Recorded;
let dir: string;
beforeAll(() => {
  ensureFirmware();
  irq = recordInProcess(elfPath('irq-timers', 'O2'), { shift: 3 });
  dir = mkdtempSync(join(tmpdir(), 'armrr-snap-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function accountedBytes(store: SnapshotStore): number {
  return store.snapshots.reduce((n, s) => n + s.delta.size * PAGE_SIZE + coreStateBytes(s.state), 0);
}

describe('thinning within a budget', () => {
  it('keeps snapshots within budget, dense near the present, sparse far from it', () => {
    const interval = 4000;
    // Measure an unthinned replay, then allow a fifth of its snapshot memory.
    const full = timelineRig(irq, interval);
    full.timeline.runForward(irq.end);
    const n = full.timeline.store.snapshots.length;
    expect(n).toBeGreaterThan(100);
    const budget = Math.floor(full.timeline.store.totalBytes / 5);

    const overBudget: number[] = [];
    const rig = timelineRig(irq, interval, budget, undefined, (bytes) => overBudget.push(bytes));
    const store = rig.timeline.store;
    // Check the budget all along the replay, not only at the end.
    for (let t = 0; t < irq.end; t += 50_000) {
      rig.timeline.runForward(Math.min(irq.end, t + 50_000));
      expect(store.totalBytes).toBeLessThanOrEqual(budget);
      expect(store.totalBytes).toBe(accountedBytes(store));
    }
    const icounts = store.snapshots.map((s) => s.icount);
    expect(icounts.length).toBeLessThan(n / 2);
    // Every snapshot taken is either kept or counted as dropped.
    expect(store.dropped).toBe(n - icounts.length);
    expect(icounts[0]).toBe(0); // the base is never dropped
    const gaps = icounts.slice(1).map((v, i) => v - icounts[i]!);
    // The most recent spacing is the interval; spacing grows going back in time.
    expect(gaps[gaps.length - 1]).toBe(interval);
    const half = Math.floor(gaps.length / 2);
    const mean = (a: number[]): number => a.reduce((x, y) => x + y, 0) / a.length;
    expect(mean(gaps.slice(0, half))).toBeGreaterThan(2 * mean(gaps.slice(half)));
    for (let i = 0; i + 1 < gaps.length; i++) expect(gaps[i]! * 4 >= gaps[i + 1]!, `gap ${i}`).toBe(true);

    // Seeks after thinning are still exact, including far back where snapshots are sparse.
    for (const t of [1, icounts[1]! + 777, Math.floor(irq.end / 3), irq.end - 5]) {
      rig.timeline.seek(t);
      expect(rig.machine.stateHash(), `seek(${t})`).toBe(straightHash(irq, t));
    }
    // A budget that was met is never reported as exceeded.
    expect(overBudget).toEqual([]);
  });

  it('a budget too small for the base and the newest snapshot is reported once, and replay and seeks go on', () => {
    const interval = 4000;
    const reports: Array<[number, number]> = [];
    const budget = 1000; // less than any snapshot's machine state
    const rig = timelineRig(irq, interval, budget, undefined, (bytes, b) => reports.push([bytes, b]));
    const store = rig.timeline.store;
    rig.timeline.runForward(irq.end);
    expect(reports.length).toBe(1);
    expect(reports[0]![1]).toBe(budget);
    expect(reports[0]![0]).toBeGreaterThan(budget);
    // Thinned down to the base and the newest snapshot, over budget, and still exact.
    expect(store.snapshots.length).toBe(2);
    expect(store.totalBytes).toBeGreaterThan(budget);
    const t = Math.floor(irq.end / 2);
    rig.timeline.seek(t);
    expect(rig.machine.stateHash()).toBe(straightHash(irq, t));
  });
});

describe('snapshot files', () => {
  function identity(rec: Recorded): SnapshotFileIdentity {
    return { ...logIdentity(rec.log, rec.log.subarray(4, 12)), firmwareSha256: firmwareIdentity(MACHINE, rec.shift, rec.image) };
  }

  it('round-trip: a fresh replay loads them and seeks exactly without re-running the log', () => {
    const a = timelineRig(irq, 20_000);
    a.timeline.runForward(irq.end);
    const path = join(dir, 'irq.snapshots');
    const size = saveTimelineSnapshots(a.timeline.store, { path, identity: identity(irq) });
    expect(size).toBeGreaterThan(PAGE_SIZE);

    const decoded = decodeSnapshotFile(encodeSnapshotFile(identity(irq), a.timeline.store.snapshots), identity(irq), 'mem');
    expect(decoded.map((s) => s.icount)).toEqual(a.timeline.store.snapshots.map((s) => s.icount));
    expect(decoded.map((s) => s.state)).toEqual(a.timeline.store.snapshots.map((s) => s.state));

    const b = timelineRig(irq, 20_000);
    const n = loadTimelineSnapshots(b.timeline.store, { path, identity: identity(irq) }, (m) => {
      throw new Error(m);
    });
    expect(n).toBe(a.timeline.store.snapshots.length);
    // Seeking near the end restores a loaded snapshot: only a few instructions are replayed.
    const t = irq.end - 3;
    b.timeline.seek(t);
    expect(b.machine.stateHash()).toBe(straightHash(irq, t));
    for (const u of [5, Math.floor(irq.end / 2) + 11, irq.end]) {
      b.timeline.seek(u);
      expect(b.machine.stateHash(), `seek(${u})`).toBe(straightHash(irq, u));
    }
  });

  it('is refused for another firmware, another log, or garbage — with what differs', () => {
    const a = timelineRig(irq, 50_000);
    a.timeline.runForward(irq.end);
    const path = join(dir, 'refuse.snapshots');
    saveTimelineSnapshots(a.timeline.store, { path, identity: identity(irq) });

    const otherFw = recordInProcess(elfPath('irq-timers', 'Os'), { shift: 3 });
    expect(() => readSnapshotFile(path, identity(otherFw))).toThrow(SnapshotFileError);
    expect(() => readSnapshotFile(path, identity(otherFw))).toThrow(/another firmware/);

    // Same firmware, another recording (different input): same fingerprint, different log bytes.
    const echo1 = recordInProcess(elfPath('uart-echo', 'O2'), { input: PROGRAM_INPUT['uart-echo'] });
    const echo2 = recordInProcess(elfPath('uart-echo', 'O2'), { input: 'something else\nq' });
    const ep = join(dir, 'echo.snapshots');
    const e = timelineRig(echo1, 500);
    e.timeline.runForward(echo1.end);
    saveTimelineSnapshots(e.timeline.store, { path: ep, identity: identity(echo1) });
    let err: unknown;
    try {
      readSnapshotFile(ep, identity(echo2));
    } catch (x) {
      err = x;
    }
    expect(err).toBeInstanceOf(SnapshotFileError);
    expect((err as SnapshotFileError).problem).toBe('log');
    expect((err as Error).message).toMatch(/another replay log .* re-recorded or edited/);

    // Loading refuses with a warning and leaves the store as it was.
    const b = timelineRig(echo2, 500);
    const warnings: string[] = [];
    expect(loadTimelineSnapshots(b.timeline.store, { path: ep, identity: identity(echo2) }, (m) => warnings.push(m))).toBe(0);
    expect(warnings.join()).toMatch(/not loading snapshots/);
    expect(b.timeline.store.snapshots.length).toBe(1);

    const junk = join(dir, 'junk.snapshots');
    writeFileSync(junk, 'hello');
    expect(() => readSnapshotFile(junk, identity(irq))).toThrow(/not an armrr snapshot file/);
    expect(readSnapshotFile(join(dir, 'absent.snapshots'), identity(irq))).toBeNull();
  });
});
