/**
 * Snapshots of a 4 GiB Linux guest (issue 14, must-be-true 5): the fast boot of Debian's kernel
 * recorded with `--memory 4096M`, replayed in-process with periodic snapshots under a small
 * `--snapshot-budget`. Untouched RAM costs nothing (the base holds non-zero pages only, later
 * snapshots only the pages written since the one before), the store's accounted bytes never exceed
 * the budget, and a seek back into the boot lands on the state the forward replay had there (I2).
 * Prints the figures BENCHMARKS.md quotes.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { armrrCli } from '../support/armrr-run.js';
import { ensureDebianGuest, type DebianGuest } from '../support/debian-guest.js';
import { bootReplay, openReplayLog } from '../../src/cli/commands/replay.js';
import { BufferOutputSink } from '../../src/emulator/io/live-ports.js';
import { parseRtcBase } from '../../src/emulator/devices/pl031.js';
import { ReplayTimeline } from '../../src/snapshots/timeline.js';

const TIMEOUT = 40 * 60_000;
const MIB = 1 << 20;
const RAM = 4096 * MIB;
const BUDGET = 96 * MIB;
const INTERVAL = 5_000_000;
const APPEND = 'console=ttyAMA0 cryptomgr.notests';
const RTC = '2026-12-01T00:00:00';

let guest: DebianGuest;
let dir: string;
let initrd: string;
let log: string;

beforeAll(async () => {
  guest = ensureDebianGuest();
  dir = mkdtempSync(join(tmpdir(), 'armrr-linux-4g-'));
  initrd = guest.initrdNoInput;
  log = join(dir, 'boot-4g.rrlog');
  const r = await armrrCli([
    'record', guest.virtUImage, '-o', log, '--machine', 'virt', '--memory', '4096M', '--initrd', initrd,
    '--append', APPEND, '--rtc-base', RTC, '--icount-shift', '7',
  ]);
  if (r.code !== 0) throw new Error(`armrr record of the 4 GiB boot failed (exit ${r.code}): ${r.stderr}`);
  expect(r.stdout).toContain('reboot: Power down');
}, TIMEOUT);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('snapshots of a 4 GiB guest', () => {
  it('cost nothing for untouched RAM, stay within the budget, and seek back exactly', { timeout: TIMEOUT }, () => {
    const image = readFileSync(guest.virtUImage);
    const opened = openReplayLog(log, image, {
      memoryBytes: RAM,
      initrd: readFileSync(initrd),
      append: APPEND,
      rtcBase: parseRtcBase(RTC),
    });
    const out = new BufferOutputSink();
    const { machine, replayer, hooks } = bootReplay(image, opened, out);
    // virt's RAM starts at 0x40000000: the 32-bit bus holds the 3 GiB of it below 4 GiB.
    expect(machine.bus.ramSize).toBe(3 * 1024 * MIB);
    const tl = new ReplayTimeline(machine, hooks, () => replayer.position(), (at) => replayer.restore(at), {
      interval: INTERVAL,
      budgetBytes: BUDGET,
      endIcount: opened.endIcount,
    });
    const base = tl.store.totalBytes;
    // The base holds the kernel, initrd and DTB pages, not 4 GiB.
    expect(base).toBeLessThan(64 * MIB);

    const end = opened.endIcount;
    const mid = Math.floor(end * 0.6);
    let peak = tl.store.totalBytes;
    let midHash = '';
    while (machine.icount < end) {
      const at = Math.min(machine.icount < mid ? mid : end, machine.icount + INTERVAL);
      tl.runForward(at);
      peak = Math.max(peak, tl.store.totalBytes);
      if (machine.icount === mid && midHash === '') midHash = machine.stateHash();
      if (machine.icount < at) break; // stopped early: the expectations below say how
    }
    expect(machine.icount).toBe(end);
    expect(new TextDecoder().decode(out.bytes)).toContain('reboot: Power down');
    expect(midHash).not.toBe('');
    expect(peak).toBeLessThanOrEqual(BUDGET);
    expect(tl.store.snapshots.length).toBeGreaterThan(4);
    const endHash = machine.stateHash();

    tl.seek(mid);
    expect(machine.icount).toBe(mid);
    expect(machine.stateHash()).toBe(midHash);
    tl.runForward(end);
    expect(machine.stateHash()).toBe(endHash);
    expect(tl.store.totalBytes).toBeLessThanOrEqual(BUDGET);

    console.log(
      `4 GiB fast-boot replay: ${end} instructions, snapshot every ${INTERVAL}, budget ${BUDGET / MIB} MiB: ` +
        `base ${(base / MIB).toFixed(1)} MiB, peak ${(peak / MIB).toFixed(1)} MiB, ${tl.store.snapshots.length} snapshots kept, ` +
        `final ${(tl.store.totalBytes / MIB).toFixed(1)} MiB; RAM ${RAM / MIB} MiB`,
    );
  });
});
