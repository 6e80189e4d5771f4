/**
 * Invariants I2/I5 with the MMU on: the MMU probe (test/integration/mmu-qemu) recorded on virt,
 * then `timeline.seek(t)` to icounts where translations, faults, ATS and table pages are in use
 * must give the state hash of one straight run to t — a restored machine starts with an empty TLB
 * and unmarked table pages, the straight run with whatever it cached, and nothing may differ.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { recordInProcess, straightHash, timelineRig } from '../unit/snapshot-rig.js';
import { buildProbe, lpae, shortBasic } from './mmu-qemu/scenarios.js';

const work = mkdtempSync(join(tmpdir(), 'armrr-mmu-seek-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('seek with the MMU on (I2, I5)', () => {
  [shortBasic, lpae].forEach((s, i) => {
    it(`${s.name}: seeks into the probes give the straight run's state`, () => {
      const elf = buildProbe(s, i, work);
      const rec = recordInProcess(elf, { machine: 'virt' });
      // Filling the data region takes ~3 M instructions; the probes run in the last few 10 K.
      expect(rec.end).toBeGreaterThan(3_000_000);
      const rig = recordInProcessTimeline(rec);
      const tl = rig.timeline;
      tl.runForward(rec.end);
      const tail = 40_000;
      // The first target is still in the fill phase (MMU off), seeked to from the end (MMU on).
      const targets = [rec.end - 250_000, rec.end - tail, rec.end - 1, rec.end - 17_321, rec.end - 5_003, rec.end - 777];
      for (const t of targets) {
        tl.seek(t);
        expect(rig.machine.icount).toBe(t);
        expect(rig.machine.stateHash(), `seek(${t})`).toBe(straightHash(rec, t));
      }
      // Single steps across probes equal the straight run too.
      tl.seek(rec.end - 3_000);
      for (let k = 0; k < 500; k++) rig.machine.step(rig.hooks);
      expect(rig.machine.stateHash()).toBe(straightHash(rec, rec.end - 2_500));
    });
  });
});

function recordInProcessTimeline(rec: ReturnType<typeof recordInProcess>): ReturnType<typeof timelineRig> {
  // Snapshots every 5000 instructions: several fall inside the probe phase.
  return timelineRig(rec, 5_000);
}
