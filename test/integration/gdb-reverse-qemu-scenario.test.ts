/**
 * QEMU's reverse-debugging test (tests/functional/reverse_debugging.py, which has no 32-bit ARM
 * variant), run with real gdb-multiarch against `armrr replay --gdb`: 10 stepi recording PC,
 * reverse-stepi back through them, stepi forward again, breakpoints on all 10 PCs, continue to the
 * end of the log, then reverse-continue must stop at the last of them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRevFirmware, connectReplay, isNoHistoryStop, runWithOutput, readIcount, readPc, recordFirmware, replayInfo, stopPc } from '../support/armrr-process.js';
import type { ReplaySession } from '../support/armrr-process.js';

const STEPS = 10;

let dir: string;
let session: ReplaySession;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'armrr-rev-qemu-'));
  const elf = await buildRevFirmware('rev-demo', 'O0');
  const log = join(dir, 'rev-demo.log');
  // QEMU's test uses shift=7.
  expect(await recordFirmware(elf, log, { icountShift: 7 })).toContain('ticks=8');
  session = await connectReplay(elf, log);
});

afterAll(async () => {
  await session?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("QEMU's reverse_debugging scenario on Cortex-M3", () => {
  const steps: number[] = [];

  it('advertises reverse execution and starts at icount 0', async () => {
    const { gdb } = session;
    expect(await readIcount(gdb)).toBe(0);
    const features = await gdb.console('show remote reverse-continue-packet');
    expect(features).toMatch(/currently enabled/);
    expect(await gdb.console('show remote reverse-step-packet')).toMatch(/currently enabled/);
  });

  it('stepi 10 times recording $pc', async () => {
    const { gdb } = session;
    for (let i = 0; i < STEPS; i++) {
      steps.push(await readPc(gdb));
      const stopped = await gdb.run('-exec-step-instruction');
      expect(stopped['reason']).toBe('end-stepping-range');
    }
    expect(await readIcount(gdb)).toBe(STEPS);
    // The first PC is the reset vector's target.
    expect(steps[0]).toBe(Number((await gdb.cmd('-data-evaluate-expression &Reset_Handler')).results['value']!.toString().match(/0x[0-9a-f]+/)![0]) & ~1);
  });

  it('reverse-stepi 10 times visits the PCs in reverse order', async () => {
    const { gdb } = session;
    for (let i = STEPS - 1; i >= 0; i--) {
      const stopped = await gdb.run('-exec-step-instruction --reverse');
      expect(stopped['reason']).toBe('end-stepping-range');
      expect(stopPc(stopped)).toBe(steps[i]);
      expect(await readPc(gdb)).toBe(steps[i]);
      expect(await readIcount(gdb)).toBe(i);
    }
  });

  it('stepi forward visits them again', async () => {
    const { gdb } = session;
    for (let i = 0; i < STEPS; i++) {
      expect(await readPc(gdb)).toBe(steps[i]);
      await gdb.run('-exec-step-instruction');
    }
    expect(await readIcount(gdb)).toBe(STEPS);
  });

  it('continue with breakpoints on the 10 PCs runs to the end of the log', async () => {
    const { gdb } = session;
    for (const pc of steps) await gdb.cmd(`-break-insert *0x${pc.toString(16)}`);
    // The stub answers `replaylog:end`; gdb says "No more reverse-execution history.".
    const stop = await runWithOutput(gdb, '-exec-continue', 60_000);
    expect(stop.text).toContain('No more reverse-execution history.');
    expect(isNoHistoryStop(stop)).toBe(true);
    const info = await replayInfo(gdb);
    expect(info.icount).toBe(info.endIcount);
    expect(info.endIcount).toBeGreaterThan(STEPS);
  });

  it('reverse-continue stops at the last of the 10 PCs', async () => {
    const { gdb } = session;
    const stopped = await gdb.run('-exec-continue --reverse', 60_000);
    expect(stopped['reason']).toBe('breakpoint-hit');
    expect(stopPc(stopped)).toBe(steps[STEPS - 1]);
    expect(await readPc(gdb)).toBe(steps[STEPS - 1]);
    // None of the 10 PCs runs again later in this program, so this is exactly step 9.
    expect(await readIcount(gdb)).toBe(STEPS - 1);
  });
});
