/**
 * Reverse-continue to a breakpoint on an interrupt handler's first instruction when the interrupt
 * wakes the core from WFI (rev-demo's SysTick phase). At such a boundary two states share one
 * icount — before the idle skip to the timer, and after it with the exception entered — and a
 * breakpoint on the handler is hit at the second. reverse-continue once landed on the first (PC
 * in the WFI loop, reported as a breakpoint), and gdb then ran on back to the start of the log.
 *
 * Forward: three hits with their icounts and registers; reverse: each earlier hit again, with the
 * same icount and registers, then "no more history" at the start.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRevFirmware, connectReplay, frameOf, isNoHistoryStop, readIcount, recordFirmware, runWithOutput } from '../support/armrr-process.js';
import type { ReplaySession } from '../support/armrr-process.js';

let dir: string;
let session: ReplaySession | null = null;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'armrr-rev-idle-'));
  const elf = await buildRevFirmware('rev-demo', 'O2');
  const log = join(dir, 'rev-demo.log');
  expect(await recordFirmware(elf, log)).toContain('ticks=');
  session = await connectReplay(elf, log);
});
afterAll(async () => {
  await session?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('reverse-continue to a handler entered from WFI', () => {
  it('lands on each earlier hit with the registers the forward run showed', async () => {
    const gdb = session!.gdb;
    await gdb.cmd('-break-insert SysTick_Handler');
    const hits: { icount: number; regs: string }[] = [];
    for (let i = 0; i < 3; i++) {
      const stopped = await gdb.run('-exec-continue');
      expect(stopped['reason']).toBe('breakpoint-hit');
      expect(frameOf(stopped)['func']).toBe('SysTick_Handler');
      hits.push({ icount: await readIcount(gdb), regs: await gdb.console('info registers') });
    }
    expect(hits[1]!.icount).toBeGreaterThan(hits[0]!.icount);
    expect(hits[2]!.icount).toBeGreaterThan(hits[1]!.icount);

    for (const expected of [hits[1]!, hits[0]!]) {
      const back = await gdb.run('-exec-continue --reverse');
      expect(back['reason']).toBe('breakpoint-hit');
      expect(frameOf(back)['func']).toBe('SysTick_Handler');
      expect(await readIcount(gdb)).toBe(expected.icount);
      expect(await gdb.console('info registers')).toBe(expected.regs);
    }
    // The first SysTick is the first hit: nothing earlier.
    const rest = await runWithOutput(gdb, '-exec-continue --reverse');
    expect(isNoHistoryStop(rest)).toBe(true);
    expect(await readIcount(gdb)).toBe(0);
  });
});
