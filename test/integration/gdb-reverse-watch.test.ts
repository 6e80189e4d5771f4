/**
 * Reverse watchpoints with real gdb-multiarch against `armrr replay --gdb`: `ticks` in rev-demo is
 * written only by SysTick_Handler. A forward run with a watchpoint gives the reference list of
 * writes (icount after each store, old and new value); walking back from a breakpoint late in the
 * run must find the same writes in reverse order, stopped on the writing `str` inside the ISR with
 * the store un-executed — with hardware watchpoints (Z2 + bc) and software ones (gdb steps back
 * with bs and compares values).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildRevFirmware,
  connectReplay,
  frameOf,
  isNoHistoryStop,
  readIcount,
  readPc,
  recordFirmware,
  runWithOutput,
  seek,
  stopPc,
} from '../support/armrr-process.js';
import type { ReplaySession } from '../support/armrr-process.js';
import type { GdbMi, MiTuple } from '../support/gdb-mi.js';

const TICKS = 8;

interface Write {
  /** icount right after the store retired. */
  icount: number;
  old: number;
  now: number;
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'armrr-rev-watch-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const valueOf = (stopped: MiTuple): { old: number; now: number } => {
  const v = stopped['value'] as MiTuple;
  return { old: Number(v['old']), now: Number(v['new']) };
};

async function printTicks(gdb: GdbMi): Promise<number> {
  return Number((await gdb.cmd('-data-evaluate-expression ticks')).results['value']);
}

/** Checks one reverse watch stop against the forward write it must be the un-execution of. */
async function expectReverseHit(gdb: GdbMi, stop: { stopped: MiTuple; text: string }, write: Write, kind: string): Promise<void> {
  const { stopped, text } = stop;
  expect(stopped['reason']).toBe('watchpoint-trigger');
  expect(valueOf(stopped)).toEqual({ old: write.now, now: write.old });
  expect(text).toContain(`${kind} `);
  expect(text).toContain(`Old value = ${write.now}\nNew value = ${write.old}\n`);
  expect(frameOf(stopped)['func']).toBe('SysTick_Handler');
  // Before the store: the memory holds the old value, and PC is the store itself.
  expect(await readIcount(gdb)).toBe(write.icount - 1);
  expect(await printTicks(gdb)).toBe(write.old);
  expect(await gdb.console('x/i $pc')).toMatch(/^=> 0x[0-9a-f]+ <SysTick_Handler\+\d+>:\s+str\s/);
  expect(stopPc(stopped)).toBe(await readPc(gdb));
  const bt = await gdb.console('bt');
  expect(bt).toMatch(/#0 .*SysTick_Handler/);
  expect(bt).toContain('<signal handler called>');
  expect(bt).toMatch(/in main \(\)/);
}

describe.each(['O0', 'O2'] as const)('reverse watchpoints on an ISR-written global (rev-demo-%s)', (opt) => {
  let session: ReplaySession;
  const writes: Write[] = [];
  let lateIcount = 0;

  beforeAll(async () => {
    const elf = await buildRevFirmware('rev-demo', opt);
    const log = join(dir, `rev-demo-${opt}.log`);
    expect(await recordFirmware(elf, log)).toContain(`ticks=${TICKS}`);
    // Dense snapshots: the reverse searches restore several of them between two ticks.
    session = await connectReplay(elf, log, { snapshotInterval: 61 });
  });
  afterAll(async () => {
    await session?.close();
  });

  it('forward: a hardware watchpoint sees every write, from SysTick_Handler', async () => {
    const { gdb } = session;
    await gdb.cmd('-break-watch ticks');
    for (let i = 0; i < TICKS; i++) {
      const stopped = await gdb.run('-exec-continue');
      expect(stopped['reason']).toBe('watchpoint-trigger');
      expect(frameOf(stopped)['func']).toBe('SysTick_Handler');
      const write = { icount: await readIcount(gdb), ...valueOf(stopped) };
      expect(write.old).toBe(i);
      expect(write.now).toBe(i + 1);
      expect(await printTicks(gdb)).toBe(i + 1);
      writes.push(write);
    }
    // Strictly increasing, and each one is a separate interrupt.
    for (let i = 1; i < TICKS; i++) expect(writes[i]!.icount).toBeGreaterThan(writes[i - 1]!.icount + 3);
    await gdb.cmd('-break-delete');
    await gdb.cmd('-break-insert ticks_done');
    const stopped = await gdb.run('-exec-continue');
    expect(stopped['reason']).toBe('breakpoint-hit');
    expect(frameOf(stopped)['func']).toBe('ticks_done');
    lateIcount = await readIcount(gdb);
    expect(lateIcount).toBeGreaterThan(writes[TICKS - 1]!.icount);
    await gdb.cmd('-break-delete');
  });

  it('hardware watch + reverse-continue walks back through every write, then reaches the start', async () => {
    const { gdb } = session;
    expect(await printTicks(gdb)).toBe(TICKS);
    await gdb.cmd('-break-watch ticks');
    for (let i = TICKS - 1; i >= 0; i--) {
      const stop = await runWithOutput(gdb, '-exec-continue --reverse');
      await expectReverseHit(gdb, stop, writes[i]!, 'Hardware watchpoint');
    }
    // Before the first increment only the startup code's bss clearing writes `ticks` (0 over 0,
    // which gdb does not report): the next reverse-continue runs into the start of the recording.
    const stop = await runWithOutput(gdb, '-exec-continue --reverse');
    expect(isNoHistoryStop(stop)).toBe(true);
    expect(await readIcount(gdb)).toBe(0);
    await gdb.cmd('-break-delete');
  });

  it('software watch (can-use-hw-watchpoints 0) + reverse-continue, near the end after monitor seek', async () => {
    const { gdb } = session;
    await seek(gdb, lateIcount);
    expect(frameOf((await gdb.cmd('-stack-info-frame')).results)['func']).toBe('ticks_done');
    await gdb.console('set can-use-hw-watchpoints 0');
    const wpt = await gdb.cmd('-break-watch ticks');
    expect(JSON.stringify(wpt.results)).toContain('"wpt"');
    for (let i = TICKS - 1; i >= TICKS - 3; i--) {
      const stop = await runWithOutput(gdb, '-exec-continue --reverse');
      await expectReverseHit(gdb, stop, writes[i]!, 'Watchpoint');
    }
    // Forward again with the same software watchpoint: gdb single-steps and finds the next write.
    const stopped = await gdb.run('-exec-continue');
    expect(stopped['reason']).toBe('watchpoint-trigger');
    expect(valueOf(stopped)).toEqual({ old: writes[TICKS - 3]!.old, now: writes[TICKS - 3]!.now });
    expect(await readIcount(gdb)).toBe(writes[TICKS - 3]!.icount);
    await gdb.cmd('-break-delete');
    await gdb.console('set can-use-hw-watchpoints 1');
  });
});
