/**
 * Snapshots of a 4 GiB Linux guest (issue 14, must-be-true 5): the fast boot of Debian's kernel
 * recorded with `--memory 4096M`, replayed in-process with periodic snapshots under a
 * `--snapshot-budget` the snapshots would exceed without thinning. Untouched RAM costs nothing (the
 * base holds non-zero pages only, later snapshots only the pages written since the one before);
 * the store's accounted bytes never exceed the budget, thinning drops snapshots to get there, and a
 * seek back to a point among the thinned snapshots lands on the state the forward replay had there
 * (I2). Prints the figures BENCHMARKS.md quotes.
 *
 * Cheap enough for CI: the first 2e8 instructions only (`record --max-insns`). By then the kernel
 * has initialised the page structures of all 4 GiB (the pages a thinned store must still hold: 47
 * MiB with the base) and keeps rewriting the same pages, so the snapshots taken every 2e6
 * instructions add up to ~62 MiB: a 52 MiB budget is met only by dropping snapshots (merging their
 * pages into the next). A budget below what the newest snapshot needs cannot be met by thinning.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { armrrCli } from '../support/armrr-run.js';
import { ensureDebianGuest, type DebianGuest } from '../support/debian-guest.js';
import { bootReplay, openReplayLog } from '../../src/cli/commands/replay.js';
import { loadBoard } from '../../src/emulator/machines/board-registry.js';
import { BufferOutputSink } from '../../src/emulator/io/live-ports.js';
import { parseRtcBase } from '../../src/emulator/devices/pl031.js';
import { ReplayTimeline } from '../../src/snapshots/timeline.js';

const TIMEOUT = 20 * 60_000;
const MIB = 1 << 20;
const RAM = 4096 * MIB;
const INSNS = 200_000_000;
const INTERVAL = 2_000_000;
const BUDGET = 52 * MIB;
const APPEND = 'console=ttyAMA0 cryptomgr.notests';
const RTC = '2026-12-01T00:00:00';

let guest: DebianGuest;
let dir: string;
let log: string;
let recordedConsole: string;

beforeAll(async () => {
  guest = ensureDebianGuest();
  dir = mkdtempSync(join(tmpdir(), 'armrr-linux-4g-'));
  log = join(dir, 'boot-4g.rrlog');
  const r = await armrrCli([
    'record', guest.virtUImage, '-o', log, '--machine', 'virt', '--memory', '4096M', '--initrd', guest.initrdNoInput,
    '--append', APPEND, '--rtc-base', RTC, '--icount-shift', '7', '--max-insns', String(INSNS),
  ]);
  // --max-insns ends the run with exit 4 and a log that replays to that point.
  if (r.code !== 4 || !r.stderr.includes(`stopped after ${INSNS} instructions`)) {
    throw new Error(`armrr record of the first ${INSNS} instructions of the 4 GiB boot failed (exit ${r.code}): ${r.stderr}`);
  }
  recordedConsole = r.stdout;
}, TIMEOUT);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('snapshots of a 4 GiB guest', () => {
  it('cost nothing for untouched RAM, stay within the budget by dropping snapshots, and seek back exactly', { timeout: TIMEOUT }, async () => {
    const image = readFileSync(guest.virtUImage);
    const opened = openReplayLog(log, image, {
      memoryBytes: RAM,
      initrd: readFileSync(guest.initrdNoInput),
      append: APPEND,
      rtcBase: parseRtcBase(RTC),
    });
    expect(opened.endIcount).toBe(INSNS);
    const out = new BufferOutputSink();
    await loadBoard(opened.machine);
    const { machine, replayer, hooks } = bootReplay(image, opened, out);
    // virt's RAM starts at 0x40000000: the 32-bit bus holds the 3 GiB of it below 4 GiB.
    expect(machine.bus.ramSize).toBe(3 * 1024 * MIB);
    const tl = new ReplayTimeline(machine, hooks, () => replayer.position(), (at) => replayer.restore(at), {
      interval: INTERVAL,
      budgetBytes: BUDGET,
      endIcount: opened.endIcount,
    });
    const base = tl.store.totalBytes;
    // The base holds the kernel, initrd and DTB pages, not 3 GiB.
    expect(base).toBeLessThan(32 * MIB);

    const end = opened.endIcount;
    // Early in the boot: by the end its snapshot neighbourhood has been thinned out.
    const back = Math.floor(end * 0.3) + 12_345;
    let peak = tl.store.totalBytes;
    let backHash = '';
    while (machine.icount < end) {
      const at = Math.min(machine.icount < back ? back : end, machine.icount + INTERVAL);
      tl.runForward(at);
      peak = Math.max(peak, tl.store.totalBytes);
      if (machine.icount === back && backHash === '') backHash = machine.stateHash();
      if (machine.icount < at) break; // stopped early: the expectations below say how
    }
    expect(machine.icount).toBe(end);
    expect(Buffer.from(out.bytes).toString('latin1')).toBe(recordedConsole);
    expect(backHash).not.toBe('');
    const taken = tl.store.snapshots.length + tl.store.dropped;
    expect(taken).toBe(1 + Math.floor(end / INTERVAL));
    // The budget bound: snapshots were dropped for it, and what is kept never exceeded it.
    expect(tl.store.dropped).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(BUDGET);
    // Thinned, not collapsed: the store still holds snapshots between the base and the newest.
    expect(tl.store.snapshots.length).toBeGreaterThan(4);
    expect(tl.store.find(back)!.icount).toBeLessThan(back - INTERVAL);
    const endHash = machine.stateHash();

    tl.seek(back);
    expect(machine.icount).toBe(back);
    expect(machine.stateHash()).toBe(backHash);
    tl.runForward(end);
    expect(machine.stateHash()).toBe(endHash);
    expect(tl.store.totalBytes).toBeLessThanOrEqual(BUDGET);

    console.log(
      `4 GiB fast-boot replay: first ${end} instructions, snapshot every ${INTERVAL}, budget ${BUDGET / MIB} MiB: ` +
        `base ${(base / MIB).toFixed(1)} MiB, peak ${(peak / MIB).toFixed(1)} MiB, ${taken} snapshots taken, ` +
        `${tl.store.dropped} dropped, ${tl.store.snapshots.length} kept, final ${(tl.store.totalBytes / MIB).toFixed(1)} MiB; ` +
        `RAM ${RAM / MIB} MiB`,
    );
  });
});
