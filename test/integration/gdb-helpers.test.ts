/**
 * scripts/gdb/armrr.py in a real gdb-multiarch, against `armrr replay --gdb` serving a recording of
 * firmware/demo/timers.c (SysTick, CMSDK TIMER1 and dual timer 1 with known reloads). Every check
 * compares what a helper prints with the firmware's source constants or with the emulator's own
 * behaviour (where the next interrupt actually happens, where a seek actually lands).
 */

import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GdbMi, GdbMiError } from '../support/gdb-mi.js';
import { BUILD_DIR, FIRMWARE_DIR, ROOT } from '../support/firmware.js';

const ELF = join(BUILD_DIR, 'demo-timers.elf');
const SOURCE = readFileSync(join(FIRMWARE_DIR, 'demo', 'timers.c'), 'utf8');
const SCRIPT = join(ROOT, 'scripts', 'gdb', 'armrr.py');
const CLI = join(ROOT, 'bin', 'armrr.js');
const SHIFT = 5; // --icount-shift used for the recording: one instruction = 32 ns
const CPU_PERIOD_NS = 40; // 25 MHz

/** `#define NAME 1234u` from timers.c. */
function constant(name: string): number {
  const m = new RegExp(`#define\\s+${name}\\s+(\\d+)u`).exec(SOURCE);
  if (!m) throw new Error(`timers.c has no #define ${name}`);
  return Number(m[1]);
}

interface Timer {
  id: string;
  owner: string;
  expiryNs: number;
  expiryIcount: number;
  leftNs: number;
  reload?: number;
  periodNs?: number;
  period_ns?: number;
  interruptEnabled?: boolean;
  interrupt_enabled?: boolean;
}
interface Timers {
  clocks: { name: string; enabled: boolean; ns: number | null; icount?: number }[];
  timers: Timer[];
}
interface When {
  icount: number;
  nextEvent: { index: number; name: string; icount: number } | null;
}

let dir: string;
let replay: ChildProcess;
let gdb: GdbMi;

/** Runs an armrr helper with --json and parses the one JSON line it prints. */
async function json<T>(command: string): Promise<T> {
  const out = await gdb.console(`${command} --json`);
  const line = out.split('\n').find((l) => l.startsWith('{'));
  if (line === undefined) throw new Error(`'${command} --json' printed no JSON:\n${out}`);
  return JSON.parse(line) as T;
}

async function continueTo(location: string): Promise<void> {
  await gdb.cmd('-break-delete');
  await gdb.cmd(`-break-insert ${location}`);
  const stopped = await gdb.run('-exec-continue');
  expect(stopped['reason']).toBe('breakpoint-hit');
  await gdb.cmd('-break-delete');
}

async function consoleError(command: string): Promise<string> {
  try {
    await gdb.console(command);
  } catch (e) {
    if (e instanceof GdbMiError) return e.message;
    throw e;
  }
  throw new Error(`'${command}' did not fail`);
}

beforeAll(async () => {
  execFileSync('bash', [join(FIRMWARE_DIR, 'demo', 'build.sh')], { stdio: ['ignore', 'ignore', 'inherit'] });
  dir = mkdtempSync(join(tmpdir(), 'armrr-helpers-'));
  const log = join(dir, 'timers.log');
  execFileSync('node', [CLI, 'record', ELF, '-o', log, '--icount-shift', String(SHIFT), '--no-realtime'], { stdio: 'ignore' });

  replay = spawn('node', [CLI, 'replay', ELF, log, '--gdb', '127.0.0.1:0', '--quiet'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const port = await new Promise<number>((resolve, reject) => {
    let err = '';
    replay.stderr!.setEncoding('utf8');
    replay.stderr!.on('data', (chunk: string) => {
      err += chunk;
      const m = /waiting for gdb on [\d.]+:(\d+)/.exec(err);
      if (m) resolve(Number(m[1]));
    });
    replay.once('exit', (code) => reject(new Error(`armrr replay exited (${code}): ${err}`)));
  });

  gdb = await GdbMi.start({ elf: ELF });
  await gdb.console(`source ${SCRIPT}`);
  // Before connecting, every helper must say what is wrong instead of failing obscurely.
  expect(await consoleError('armrr timers')).toContain('not connected to an armrr replay stub');
  await gdb.cmd(`-target-select remote 127.0.0.1:${port}`);
});

afterAll(async () => {
  await gdb?.close();
  replay?.kill('SIGTERM');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('armrr gdb helpers (scripts/gdb/armrr.py)', () => {
  it('starts at icount 0 and describes the replay', async () => {
    const when = await json<When>('armrr when');
    expect(when.icount).toBe(0);
    expect(await gdb.console('armrr when')).toMatch(/^Current icount: 0\nNext event: 1 \(/);
    const info = await gdb.console('armrr info');
    expect(info).toContain('timers.log');
    expect(info).toMatch(/icount:\s+0 of \d+/);
    expect(await gdb.console('print $_icount()')).toMatch(/= 0\n/);
  });

  it('shows SysTick, TIMER1 and dual timer 1 with the reloads the firmware wrote', async () => {
    await continueTo('phase_all_running');
    const { clocks, timers } = await json<Timers>('armrr timers');
    const virtual = clocks.find((c) => c.name === 'virtual')!;
    const when = await json<When>('armrr when');
    expect(virtual.enabled).toBe(true);
    expect(virtual.icount).toBe(when.icount);

    const systick = timers.find((t) => t.id === 'systick')!;
    expect(systick.reload).toBe(constant('SYSTICK_RELOAD'));
    expect(systick.period_ns).toBe((constant('SYSTICK_RELOAD') + 1) * CPU_PERIOD_NS);
    expect(systick.interrupt_enabled).toBe(true);
    expect(timers.find((t) => t.id === 'timer1')?.reload).toBe(constant('TIMER1_RELOAD'));
    expect(timers.find((t) => t.id === 'timer1')?.interruptEnabled).toBe(true);
    expect(timers.find((t) => t.id === 'dualtimer.1')?.reload).toBe(constant('DUAL1_RELOAD'));
    for (const t of timers) {
      expect(t.leftNs).toBe(t.expiryNs - virtual.ns!);
      expect(t.expiryIcount).toBe(when.icount + Math.ceil(t.leftNs / 2 ** SHIFT));
    }

    // The readable table: one row per timer, owner names, reload, full period, irq enabled.
    const text = await gdb.console('armrr timers');
    expect(text).toMatch(/clock QEMU_CLOCK_VIRTUAL\s+enabled\s+\d+ ns/);
    expect(text).toMatch(/clock QEMU_CLOCK_HOST\s+disabled/);
    const row = (owner: string): string => text.split('\n').find((l) => l.trim().startsWith(owner)) ?? '';
    expect(row('SysTick')).toMatch(new RegExp(`SysTick\\s+${systick.expiryNs}\\s+${systick.expiryIcount}\\s+.*\\s${constant('SYSTICK_RELOAD')}\\s+200\\.00 us\\s+yes`));
    const timer1Period = (((constant('TIMER1_RELOAD') + 1) * CPU_PERIOD_NS) / 1000).toFixed(2);
    expect(row('CMSDK timer1')).toMatch(new RegExp(`\\s${constant('TIMER1_RELOAD')}\\s+${timer1Period} us\\s+yes`));
    expect(row('dual timer 1')).toMatch(new RegExp(`\\s${constant('DUAL1_RELOAD')}\\s+.*yes\\s+periodic`));
  });

  it('predicts where SysTick fires next: the handler runs at that time, and re-arms one period later', async () => {
    const before = (await json<Timers>('armrr timers')).timers.find((t) => t.id === 'systick')!;
    await continueTo('*SysTick_Handler');
    const when = await json<When>('armrr when');
    const after = await json<Timers>('armrr timers');
    const now = after.clocks.find((c) => c.name === 'virtual')!.ns!;
    // The interrupt is taken at the first instruction boundary at or after the deadline.
    expect(now).toBeGreaterThanOrEqual(before.expiryNs);
    expect(now - before.expiryNs).toBeLessThan(2 ** SHIFT);
    expect(when.icount).toBe(before.expiryIcount);
    const next = after.timers.find((t) => t.id === 'systick')!;
    expect(next.expiryNs).toBe(before.expiryNs + before.period_ns!);
  });

  it('shows CMSDK timer periods as reload + 1 ticks, as the hardware counts them', async () => {
    const before = (await json<Timers>('armrr timers')).timers.find((t) => t.id === 'timer1')!;
    await continueTo('*TIMER1_Handler');
    const now = (await json<Timers>('armrr timers')).clocks.find((c) => c.name === 'virtual')!.ns!;
    expect(now - before.expiryNs).toBeGreaterThanOrEqual(0);
    expect(now - before.expiryNs).toBeLessThan(2 ** SHIFT);
    const next = (await json<Timers>('armrr timers')).timers.find((t) => t.id === 'timer1')!;
    expect(next.expiryNs - before.expiryNs).toBe((constant('TIMER1_RELOAD') + 1) * before.periodNs!);
  });

  it('drops SysTick from the list once the firmware disables it, then the other timers', async () => {
    await continueTo('phase_systick_off');
    let ids = (await json<Timers>('armrr timers')).timers.map((t) => t.id);
    expect(ids).not.toContain('systick');
    expect(ids).toContain('timer1');
    expect(await gdb.console('armrr timers')).not.toContain('SysTick');

    await continueTo('phase_all_off');
    ids = (await json<Timers>('armrr timers')).timers.map((t) => t.id);
    expect(ids).not.toContain('timer1');
    expect(ids).not.toContain('dualtimer.1');
  });

  it('goto lands on exactly the requested icount and refreshes gdb', async () => {
    const target = 1234;
    // The truth for the pc at `target`: step there from target-1.
    await gdb.console(`armrr goto ${target - 1}`);
    await gdb.run('-exec-step-instruction');
    expect((await json<When>('armrr when')).icount).toBe(target);
    const pcAtTarget = await gdb.console('print/x $pc');

    await gdb.console('armrr goto 5000');
    expect((await json<When>('armrr when')).icount).toBe(5000);
    const shown = await gdb.console(`armrr goto ${target}`);
    expect(shown).toMatch(new RegExp(`^icount ${target}\\n#0 `)); // the fresh frame is printed
    expect((await json<When>('armrr when')).icount).toBe(target);
    expect(await gdb.console('print $_icount()')).toMatch(new RegExp(`= ${target}\\n`));
    expect((await gdb.console('print/x $pc')).replace(/^\$\d+/, '')).toBe(pcAtTarget.replace(/^\$\d+/, ''));

    expect(await json<{ icount: number }>('armrr goto +10')).toEqual({ icount: target + 10 });
    await gdb.console('armrr goto -34');
    expect((await json<When>('armrr when')).icount).toBe(target - 24);
    expect(await consoleError('armrr goto 999999999')).toMatch(/outside the recording/);
    expect(await consoleError('armrr goto somewhere')).toMatch(/usage: armrr goto/);
  });

  it('events marks the current event, the one `when` and `info` call next', async () => {
    const when = await json<When>('armrr when');
    const { events } = await json<{ events: { index: number; current: boolean }[] }>('armrr events 7');
    expect(events).toHaveLength(7);
    expect(events.filter((e) => e.current).map((e) => e.index)).toEqual([when.nextEvent!.index]);
    const info = await json<{ event: { index: number } }>('armrr info');
    expect(info.event.index).toBe(when.nextEvent!.index);

    const text = await gdb.console('armrr events 7');
    const marked = text.split('\n').filter((l) => l.startsWith('=>'));
    expect(marked).toHaveLength(1);
    expect(marked[0]).toMatch(new RegExp(`^=>\\s+${when.nextEvent!.index}\\s+${when.nextEvent!.icount}\\s+@\\d+\\s+${when.nextEvent!.name}`));
  });

  it('lists snapshots', async () => {
    expect(await gdb.console('armrr snapshots')).toMatch(/\d+ snapshots, [\d.]+ MiB\n$/);
  });
});
