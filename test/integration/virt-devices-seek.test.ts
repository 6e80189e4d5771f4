/**
 * Seeking in a recording of the virt device probe (firmware/v7a/probes/virt-devices.c: GIC, generic
 * timer and PL011/PL031/PL061/GICv2m interrupts, WFI idle skips, UART input, PL031 host-clock reads
 * from the log) lands on exactly the state a straight run reaches (I2), from later and earlier
 * positions and onto snapshots, and the output after a seek is the original run's (I1).
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUILD_DIR, FIRMWARE_DIR } from '../support/firmware.js';
import { recordInProcess, straightHash, timelineRig } from '../unit/snapshot-rig.js';

const PROBE = join(BUILD_DIR, 'v7a-probe-virt-devices-thumb-O2.elf');

beforeAll(() => {
  execFileSync('bash', [join(FIRMWARE_DIR, 'v7a/probes/build.sh')], { stdio: ['ignore', 'ignore', 'pipe'] });
});

/** Deterministic pseudo-random numbers (a failure must be reproducible). */
function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

describe('virt devices under seek (I1, I2)', () => {
  it('seek(t) gives the straight run state; output after it is the original output', () => {
    const rec = recordInProcess(PROBE, { machine: 'virt', shift: 3, input: 'seek me\n' });
    expect(rec.end).toBeGreaterThan(100_000);
    const rig = timelineRig(rec, Math.floor(rec.end / 16));
    const tl = rig.timeline;
    tl.runForward(rec.end);
    const full = { bytes: rig.out.bytes.slice(), at: rig.out.at.slice() };
    const text = new TextDecoder().decode(Uint8Array.from(full.bytes));
    expect(text).toContain('rx n=00000008'); // the input reached the PL011 in the replay
    expect(text).toContain('msi irq=00000050');
    expect(tl.store.snapshots.length).toBeGreaterThan(8);

    const rnd = lcg(0x5eed);
    const targets = [0, rec.end, ...Array.from({ length: 10 }, () => Math.floor(rnd() * rec.end))];
    const snaps = tl.store.snapshots.map((s) => s.icount);
    const mid = snaps[Math.floor(snaps.length / 2)]!;
    targets.push(mid - 1, mid, mid + 1);
    for (const t of targets) {
      tl.seek(rec.end);
      tl.seek(t);
      expect(rig.machine.icount).toBe(t);
      expect(rig.machine.stateHash(), `seek(${t})`).toBe(straightHash(rec, t));
    }
    const last = targets[targets.length - 1]!;
    rig.out.clear();
    tl.runForward(rec.end);
    expect(rig.out.bytes).toEqual(full.bytes.filter((_, i) => full.at[i]! > last));
  });
});
