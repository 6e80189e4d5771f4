/**
 * Real gdb-multiarch on `armrr replay --gdb` of a QEMU recording (issue 15): the log is recorded at
 * test time by qemu-system-arm with its default sleep=on (uart-ticks, typed input), so the replay
 * applies QEMU's warps; gdb steps forwards and back, reverse-continues to a breakpoint and to a
 * watchpoint, and meets "No more reverse-execution history" at the start.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectReplay, frameOf, isNoHistoryStop, readIcount, readPc, runWithOutput, type ReplaySession } from '../support/armrr-process.js';
import { elfPath, ensureFirmware } from '../support/firmware.js';
import { QEMU, requireQemu } from '../support/qemu.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

let dir: string;
let session: ReplaySession;
const elf = () => elfPath('uart-ticks', 'O2');

beforeAll(async () => {
  requireQemu();
  ensureFirmware();
  dir = mkdtempSync(join(tmpdir(), 'armrr-gdb-qemu-'));
  const log = join(dir, 'qemu.bin');
  const outFd = openSync(join(dir, 'qemu.out'), 'w');
  const child = spawn(QEMU, ['-M', 'mps2-an385', '-display', 'none', '-monitor', 'none', '-serial', 'stdio',
    '-semihosting-config', 'enable=on,target=native', '-icount', `shift=7,rr=record,rrfile=${log}`, '-kernel', elf()],
  { stdio: ['pipe', outFd, 'ignore'] });
  closeSync(outFd);
  child.stdin!.on('error', () => {});
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  await sleep(1000);
  for (const ch of 'abq') {
    child.stdin!.write(ch);
    await sleep(100);
  }
  const timer = setTimeout(() => child.kill('SIGTERM'), 5000);
  await exited;
  clearTimeout(timer);
  session = await connectReplay(elf(), log, { extraArgs: ['--icount-shift', '7'], snapshotInterval: 5000 });
});
afterAll(async () => {
  await session?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('gdb on a replay of a QEMU recording', () => {
  it('reverse-stepi at the start: no more reverse-execution history', async () => {
    const { gdb } = session;
    expect(await readIcount(gdb)).toBe(0);
    const stop = await runWithOutput(gdb, '-exec-step-instruction --reverse');
    expect(isNoHistoryStop(stop)).toBe(true);
    expect(await readIcount(gdb)).toBe(0);
  });

  it('stepi / reverse-stepi round trips inside the timer interrupt', async () => {
    const { gdb } = session;
    await gdb.cmd('-break-insert TIMER0_Handler');
    const hit = await gdb.run('-exec-continue');
    expect(frameOf(hit)['func']).toBe('TIMER0_Handler');
    await gdb.cmd('-break-delete');
    const pcs: number[] = [];
    const icounts: number[] = [];
    for (let i = 0; i < 12; i++) {
      pcs.push(await readPc(gdb));
      icounts.push(await readIcount(gdb));
      await gdb.run('-exec-step-instruction');
    }
    for (let i = 11; i >= 0; i--) {
      await gdb.run('-exec-step-instruction --reverse');
      expect(await readPc(gdb)).toBe(pcs[i]);
      expect(await readIcount(gdb)).toBe(icounts[i]);
    }
    for (let i = 0; i < 12; i++) {
      expect(await readPc(gdb)).toBe(pcs[i]);
      await gdb.run('-exec-step-instruction');
    }
  });

  it('reverse-continue to a breakpoint and to a watchpoint', async () => {
    const { gdb } = session;
    // Forward: the icounts of the next three timer interrupts.
    await gdb.cmd('-break-insert TIMER0_Handler');
    const hits: number[] = [];
    for (let i = 0; i < 3; i++) {
      const s = await gdb.run('-exec-continue');
      expect(frameOf(s)['func']).toBe('TIMER0_Handler');
      hits.push(await readIcount(gdb));
    }
    // Back: the previous hit, then the one before it.
    for (const want of [hits[1]!, hits[0]!]) {
      const s = await gdb.run('-exec-continue --reverse');
      expect(frameOf(s)['func']).toBe('TIMER0_Handler');
      expect(await readIcount(gdb)).toBe(want);
    }
    await gdb.cmd('-break-delete');
    // Forward to hits[2], then reverse to the last write of `ticks` before it (in the previous interrupt).
    await gdb.console(`monitor seek ${hits[2]}`);
    const before = Number((await gdb.cmd('-data-evaluate-expression ticks')).results['value']);
    await gdb.cmd('-break-watch ticks');
    const stop = await runWithOutput(gdb, '-exec-continue --reverse');
    expect(stop.stopped['reason']).toBe('watchpoint-trigger');
    expect(frameOf(stop.stopped)['func']).toBe('TIMER0_Handler');
    const icount = await readIcount(gdb);
    expect(icount).toBeGreaterThan(hits[1]!);
    expect(icount).toBeLessThan(hits[2]!);
    expect(Number((await gdb.cmd('-data-evaluate-expression ticks')).results['value'])).toBe(before - 1);
    await gdb.cmd('-break-delete');
  });

  it('armrr timers: the virtual clock (with QEMU\'s warps in its bias) and TIMER0 armed', async () => {
    const { gdb } = session;
    const t = await gdb.console('monitor timers --json');
    const json = JSON.parse(t.slice(t.indexOf('{'))) as Record<string, unknown>;
    expect(JSON.stringify(json)).toMatch(/timer0/);
  });
});
