/**
 * gdb on a vexpress-a9 replay: real gdb-multiarch against `armrr replay --gdb` of the timers
 * program (firmware/vexpress/src/timers.c: GIC v1, private/global/SP804 timers interrupting a WFI
 * loop). Breakpoints on the IRQ handler forward, reverse-continue back to the previous hit with the
 * same registers, a reverse watchpoint on a variable the handler writes, and `monitor timers`
 * naming the board's timers (SP804 modules, private timer, watchdog, global timer).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectReplay, frameOf, readIcount, recordFirmware, seek, type ReplaySession } from '../support/armrr-process.js';
import { ensureVexpressFirmware, vexpressElf } from '../support/vexpress-firmware.js';

const elf = vexpressElf('timers', 'arm-O0');
let dir = '';
let session: ReplaySession;

beforeAll(async () => {
  ensureVexpressFirmware([elf]);
  dir = mkdtempSync(join(tmpdir(), 'armrr-gdb-vexpress-'));
  const log = join(dir, 'timers.rrlog');
  await recordFirmware(elf, log, { machine: 'vexpress-a9', icountShift: 3 });
  session = await connectReplay(elf, log);
}, 120_000);
afterAll(async () => {
  await session?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('gdb on a vexpress-a9 replay', () => {
  it('breaks in the IRQ handler three times forward; reverse-continue returns to the previous hits exactly', async () => {
    const gdb = session.gdb;
    await seek(gdb, 0);
    await gdb.console('break irq_hook');
    const hits: { icount: number; regs: string }[] = [];
    for (let n = 0; n < 3; n++) {
      const stopped = await gdb.run('-exec-continue');
      expect(stopped['reason']).toBe('breakpoint-hit');
      expect(frameOf(stopped)['func']).toBe('irq_hook');
      hits.push({ icount: await readIcount(gdb), regs: await gdb.console('info registers') });
    }
    expect(hits[0]!.regs).toMatch(/^cpsr\s+0x[0-9a-f]+/m);
    expect(new Set(hits.map((h) => h.icount)).size).toBe(3);
    for (const back of [1, 0]) {
      const stopped = await gdb.run('-exec-continue --reverse');
      expect(stopped['reason']).toBe('breakpoint-hit');
      expect({ icount: await readIcount(gdb), regs: await gdb.console('info registers') }).toEqual(hits[back]);
    }
    await gdb.console('delete');
  });

  it('a reverse watchpoint finds the handler store to nlog; monitor timers lists the board timers', async () => {
    const gdb = session.gdb;
    await seek(gdb, 0);
    await gdb.console('break show_log');
    await gdb.run('-exec-continue');
    await gdb.console('delete');
    const at = await readIcount(gdb);
    await gdb.console('watch nlog');
    const back = await gdb.run('-exec-continue --reverse');
    expect(String(back['reason'])).toMatch(/watchpoint-trigger|watchpoint-scope|end-stepping-range/);
    expect(await readIcount(gdb)).toBeLessThan(at);
    expect(String(frameOf(back)['func'])).toMatch(/log_irq|irq_hook/);
    await gdb.console('delete');
    // Pending timers at each interrupt: every timer the program arms shows up while it runs.
    await seek(gdb, 0);
    await gdb.console('break irq_hook');
    let seen = '';
    for (let n = 0; n < 40; n++) {
      const stopped = await gdb.run('-exec-continue');
      if (stopped['reason'] !== 'breakpoint-hit') break;
      seen += await gdb.console('monitor timers');
    }
    await gdb.console('delete');
    for (const id of ['a9-private-timer', 'a9-watchdog', 'a9-global-timer', 'sp804.0 ', 'sp804.1 ', 'sp804.db ']) expect(seen).toContain(id);
  });
});
