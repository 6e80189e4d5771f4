/**
 * `armrr replay` of QEMU's own recordings (issue 15): each log is recorded at test time by real
 * qemu-system-arm (`-icount shift=N[,sleep=off],rr=record`, UART0 on a stdio chardev fed from a pipe
 * with delays, ended by SIGTERM or the guest's exit), then replayed by armrr, which must print
 * exactly what QEMU printed while recording. Also: wrong firmware/shift → divergence (exit 3),
 * missing --icount-shift and unsupported machines → usage errors.
 *
 * The sleep=on recordings type into uart-ticks, which echoes each byte with the 1 ms tick count and
 * TIMER0's value: while it sleeps QEMU advances virtual time by logged host time, so the replay
 * prints the same numbers only if it applies every warp exactly.
 *
 * QEMU 7.2 only logs UART input with sleep=on: its async events are flushed by the warp accounting
 * (softmmu/icount.c icount_account_warp_timer), which sleep=off skips; so the sleep=off recordings
 * show QEMU ignoring the typed bytes, and the replay must show the same.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { armrrCli } from '../support/armrr-run.js';
import { elfPath, ensureFirmware } from '../support/firmware.js';
import { QEMU, requireQemu } from '../support/qemu.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

interface QemuRecording {
  log: string;
  stdout: Buffer;
}

/** Records `elf` with QEMU; types `input` one byte per `gapMs` after `delayMs`, then SIGTERMs QEMU after `stopAfterMs` unless it exited. */
async function qemuRecord(
  elf: string,
  name: string,
  icount: string,
  opts: { input?: string; delayMs?: number; gapMs?: number; stopAfterMs: number },
): Promise<QemuRecording> {
  const log = join(dir, `${name}.bin`);
  const outPath = join(dir, `${name}.out`);
  const outFd = openSync(outPath, 'w');
  const args = ['-M', 'mps2-an385', '-display', 'none', '-monitor', 'none', '-serial', 'stdio',
    '-semihosting-config', 'enable=on,target=native', '-icount', `${icount},rr=record,rrfile=${log}`, '-kernel', elf];
  const child = spawn(QEMU, args, { stdio: ['pipe', outFd, 'ignore'] });
  closeSync(outFd);
  child.stdin!.on('error', () => {});
  let done = false;
  const exited = new Promise<void>((resolve) => child.on('close', () => { done = true; resolve(); }));
  const started = Date.now();
  await sleep(opts.delayMs ?? 1000);
  for (const ch of opts.input ?? '') {
    if (done) break;
    child.stdin!.write(ch);
    await sleep(opts.gapMs ?? 100);
  }
  const left = opts.stopAfterMs - (Date.now() - started);
  if (left > 0) await Promise.race([exited, sleep(left)]);
  if (!done) child.kill('SIGTERM');
  await exited;
  return { log, stdout: readFileSync(outPath) };
}

let dir: string;
beforeAll(() => {
  requireQemu();
  ensureFirmware();
  dir = mkdtempSync(join(tmpdir(), 'armrr-qemu-rec-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ticks = () => elfPath('uart-ticks', 'O2');

describe('replaying QEMU recordings', () => {
  for (const shift of [0, 7]) {
    it(`sleep=off, shift ${shift}: uart-ticks cut by SIGTERM prints what QEMU printed and stops at the log's end`, async () => {
      const rec = await qemuRecord(ticks(), `off${shift}`, `shift=${shift},sleep=off`, { input: 'abq', stopAfterMs: 2500 });
      expect(rec.stdout.toString()).toMatch(/^uart-ticks ready/);
      const r = await armrrCli(['replay', ticks(), rec.log, '--icount-shift', String(shift)]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(Buffer.from(r.stdout, 'latin1').equals(rec.stdout)).toBe(true);
    });
  }

  for (const shift of [0, 7]) {
    it(`sleep=on (QEMU's default), shift ${shift}: typed bytes and the idle warps replay exactly (each byte's tick count and timer value)`, async () => {
      const rec = await qemuRecord(ticks(), `on${shift}`, `shift=${shift}`, { input: 'hi, x!q', stopAfterMs: 6000 });
      // QEMU took the input (the firmware exits on 'q'): the recording shows virtual time at each byte.
      expect(rec.stdout.toString()).toMatch(/^uart-ticks ready\r?\nh t=\d+ v=\d+\r?\n[\s\S]*bye t=\d+/);
      const r = await armrrCli(['replay', ticks(), rec.log, '--icount-shift', String(shift)]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(Buffer.from(r.stdout, 'latin1').equals(rec.stdout)).toBe(true);
    });
  }

  it('an RTOS-shaped firmware (rtos-forever) recorded a few seconds and cut by SIGTERM: QEMU\'s output, then the log\'s end', async () => {
    const rtos = elfPath('rtos-forever', 'O2');
    const rec = await qemuRecord(rtos, 'rtos', 'shift=0,sleep=off', { stopAfterMs: 3000 });
    expect(rec.stdout.length).toBeGreaterThan(0);
    const r = await armrrCli(['replay', rtos, rec.log, '--icount-shift', '0']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(Buffer.from(r.stdout, 'latin1').equals(rec.stdout)).toBe(true);
  });

  it('sleep=on (QEMU stored recording, shift 7): the replay reproduces the warps and prints what QEMU printed', async () => {
    const fx = new URL('../fixtures/qemu-7.2-mps2/', import.meta.url).pathname;
    const r = await armrrCli(['replay', join(fx, 'echo.elf'), join(fx, 'echo-shift7.bin'), '--icount-shift', '7']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(readFileSync(join(fx, 'echo-shift7.uart.out'), 'latin1'));
  });

  it('a QEMU log against the wrong ELF or shift ends with a divergence (exit 3), never a hang', async () => {
    const rec = await qemuRecord(ticks(), 'wrong', 'shift=0,sleep=off', { stopAfterMs: 1500 });
    const wrongElf = await armrrCli(['replay', elfPath('uart-echo', 'O2'), rec.log, '--icount-shift', '0']);
    expect(wrongElf.code).toBe(3);
    expect(wrongElf.stderr).toMatch(/replay diverged at icount \d+: the log expects .* This is a QEMU recording: .*ELF is not the one QEMU ran/s);
    // An idle guest's events do not depend on the shift under sleep=off; a busy one's do.
    const fx = new URL('../fixtures/qemu-7.2-mps2/', import.meta.url).pathname;
    const wrongShift = await armrrCli(['replay', join(fx, 'fw_tiny.elf'), join(fx, 'fw_tiny-shift0.bin'), '--icount-shift', '7']);
    expect(wrongShift.code).toBe(3);
    expect(wrongShift.stderr).toMatch(/replay diverged at icount \d+/);
  });

  it('usage errors: no --icount-shift, a machine armrr does not replay QEMU logs of', async () => {
    const fx = new URL('../fixtures/qemu-7.2-mps2/', import.meta.url).pathname;
    const noShift = await armrrCli(['replay', join(fx, 'echo.elf'), join(fx, 'echo-shift7.bin')]);
    expect(noShift.code).toBe(2);
    expect(noShift.stderr).toMatch(/recorded by QEMU.*--icount-shift N/s);
    const virt = await armrrCli(['replay', join(fx, 'echo.elf'), join(fx, 'echo-shift7.bin'), '--icount-shift', '7', '--machine', 'virt']);
    expect(virt.code).toBe(2);
    expect(virt.stderr).toMatch(/mps2-an385 and mps2-an386 only/);
  });
});
