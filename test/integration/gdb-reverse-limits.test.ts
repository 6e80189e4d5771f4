/**
 * The edges of the recording with real gdb-multiarch against `armrr replay --gdb`: reverse
 * execution at icount 0 reports "No more reverse-execution history." (stub: replaylog:begin),
 * forward execution at the end of the log reports the end (replaylog:end), and Ctrl-C
 * (-exec-interrupt) stops a reverse-continue over more than 10^8 instructions within a second.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { elfPath, ensureFirmware } from '../support/firmware.js';
import {
  buildRevFirmware,
  connectReplay,
  frameOf,
  isNoHistoryStop,
  readIcount,
  readPc,
  recordFirmware,
  replayInfo,
  runWithOutput,
} from '../support/armrr-process.js';
import type { ReplaySession } from '../support/armrr-process.js';
import { RspClient } from '../support/rsp-client.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'armrr-rev-limits-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the beginning and the end of the recording (rev-demo-O0)', () => {
  let session: ReplaySession;
  let resetPc: number;

  beforeAll(async () => {
    const elf = await buildRevFirmware('rev-demo', 'O0');
    const log = join(dir, 'rev-demo.log');
    await recordFirmware(elf, log);
    session = await connectReplay(elf, log, { snapshotInterval: 200 });
  });
  afterAll(async () => {
    await session?.close();
  });

  it('reverse-stepi at icount 0 reports no more history and does not move', async () => {
    const { gdb } = session;
    expect(await readIcount(gdb)).toBe(0);
    resetPc = await readPc(gdb);
    const stop = await runWithOutput(gdb, '-exec-step-instruction --reverse');
    expect(isNoHistoryStop(stop)).toBe(true);
    expect(frameOf(stop.stopped)['func']).toBe('Reset_Handler');
    expect(await readIcount(gdb)).toBe(0);
    expect(await readPc(gdb)).toBe(resetPc);
  });

  it('reverse-continue at icount 0 reports no more history, even with breakpoints set', async () => {
    const { gdb } = session;
    await gdb.cmd('-break-insert g');
    await gdb.cmd('-break-insert main');
    const stop = await runWithOutput(gdb, '-exec-continue --reverse');
    expect(isNoHistoryStop(stop)).toBe(true);
    expect(await readIcount(gdb)).toBe(0);
    expect(await readPc(gdb)).toBe(resetPc);
  });

  it('reverse-continue from a few steps in, with no breakpoint behind, runs back to icount 0', async () => {
    const { gdb } = session;
    for (let i = 0; i < 5; i++) await gdb.run('-exec-step-instruction');
    expect(await readIcount(gdb)).toBe(5);
    const stop = await runWithOutput(gdb, '-exec-continue --reverse');
    expect(isNoHistoryStop(stop)).toBe(true);
    expect(await readIcount(gdb)).toBe(0);
    expect(await readPc(gdb)).toBe(resetPc);
    await gdb.cmd('-break-delete');
  });

  it('continue runs to the end of the log and says so; stepi and continue there stay at the end', async () => {
    const { gdb } = session;
    const { endIcount } = await replayInfo(gdb);
    const stop = await runWithOutput(gdb, '-exec-continue');
    expect(isNoHistoryStop(stop)).toBe(true);
    expect(await readIcount(gdb)).toBe(endIcount);
    const endPc = await readPc(gdb);
    // The log ends with the semihosting exit call: the PC is inside semihost_call.
    expect(frameOf(stop.stopped)['func']).toBe('semihost_call');
    for (const command of ['-exec-step-instruction', '-exec-continue']) {
      const again = await runWithOutput(gdb, command);
      expect(isNoHistoryStop(again)).toBe(true);
      expect(await readIcount(gdb)).toBe(endIcount);
      expect(await readPc(gdb)).toBe(endPc);
    }
    // ... and reverse execution from the end works.
    const back = await gdb.run('-exec-step-instruction --reverse');
    expect(back['reason']).toBe('end-stepping-range');
    expect(await readIcount(gdb)).toBe(endIcount - 1);
  });
});

// The reverse search over the whole recording (about one forward replay with the block JIT: ~1.5 s on
// an idle machine) is interrupted as soon as it is seen under way, so it is still going then. The stub
// reads the interrupt between replay slices.
describe('Ctrl-C during a long reverse-continue (crc32-long-O2, 1.5e9 instructions)', () => {
  const MAX_INSNS = 1_500_000_000;
  let session: ReplaySession;

  beforeAll(async () => {
    ensureFirmware();
    const elf = elfPath('crc32-long', 'O2');
    const log = join(dir, 'crc32-long.log');
    await recordFirmware(elf, log, { maxInsns: MAX_INSNS, expectExit: 4 });
    session = await connectReplay(elf, log);
  }, 120_000);
  afterAll(async () => {
    await session?.close();
  });

  it('-exec-interrupt stops the reverse search where it had got to', async () => {
    const { gdb } = session;
    const { endIcount } = await replayInfo(gdb);
    expect(endIcount).toBe(MAX_INSNS);
    // Go to the end of the log: a forward replay of the whole recording, which takes snapshots.
    const end = await runWithOutput(gdb, '-exec-continue', 60_000);
    expect(isNoHistoryStop(end)).toBe(true);
    expect(await readIcount(gdb)).toBe(endIcount);
    // Default_Handler only runs on an unexpected exception: this breakpoint is never hit.
    await gdb.cmd('-break-insert Default_Handler');

    const running = runWithOutput(gdb, '-exec-continue --reverse', 60_000);
    // Interrupt once a second connection sees the search under way (the machine has left the end
    // of the log), not after a fixed time: the whole search is about a forward replay of 1.5e9
    // instructions, so it is then still far from done however fast the host or the JIT is.
    const watcher = await RspClient.tcp(session.server.port);
    try {
      for (let polls = 0; ; polls++) {
        const { icount } = JSON.parse((await watcher.monitor('icount --json')).text) as { icount: number };
        if (icount < endIcount) break;
        if (polls > 3000) throw new Error('the reverse search did not start within a minute');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    } finally {
      watcher.close();
    }
    await gdb.cmd('-exec-interrupt');
    const stop = await running;
    expect(stop.stopped['reason']).toBe('signal-received');
    expect(stop.stopped['signal-name']).toBe('SIGINT');
    const stoppedAt = await readIcount(gdb);
    // The search made progress backwards and stopped short of the start.
    expect(stoppedAt).toBeLessThan(endIcount);
    expect(stoppedAt).toBeGreaterThan(0);
    expect(frameOf(stop.stopped)['func']).toMatch(/^(crc32_update|main)$/);

    // Resuming the reverse search from there finds no breakpoint and reaches icount 0.
    const rest = await runWithOutput(gdb, '-exec-continue --reverse', 60_000);
    expect(isNoHistoryStop(rest)).toBe(true);
    expect(await readIcount(gdb)).toBe(0);
  });
});
