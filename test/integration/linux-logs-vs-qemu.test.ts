/**
 * armrr's and QEMU's replay logs of the same Linux boot (issue 14, "Logs"): the fast boot of
 * Debian's kernel (decompressed uImage, cryptomgr.notests, 256M, shift 7, rtc base=...,clock=vm)
 * with an initramfs whose /init powers off without reading input, so both runs end by themselves
 * at the guest's SYSTEM_OFF. QEMU 7.2 records at test time (`-icount shift=7,sleep=off,rr=record`).
 * - `armrr dump` and QEMU's scripts/replay-dump.py read armrr's log whole (and QEMU's, as a check
 *   that the script is the reference it claims to be);
 * - `armrr diff --ignore-qemu-only` finds no difference; without it, the QEMU-only events are
 *   named with their icount (the diff can fail).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { armrrCli } from '../support/armrr-run.js';
import { ensureDebianGuest, type DebianGuest } from '../support/debian-guest.js';
import { QEMU, requireQemu } from '../support/qemu.js';
import { runReplayDump } from '../support/replay-dump.js';

const execFileAsync = promisify(execFile);
const TIMEOUT = 30 * 60_000;
const APPEND = 'console=ttyAMA0 cryptomgr.notests';
const RTC = '2026-12-01T00:00:00';

let guest: DebianGuest;
let dir: string;
let qemuLog: string;
let armrrLog: string;
let qemuOut: string;
let armrrOut: string;

beforeAll(async () => {
  requireQemu();
  guest = ensureDebianGuest();
  dir = mkdtempSync(join(tmpdir(), 'armrr-linux-logs-'));
  const initrd = guest.initrdNoInput;
  qemuLog = join(dir, 'qemu.rrlog');
  armrrLog = join(dir, 'armrr.rrlog');
  const q = await execFileAsync(
    QEMU,
    [
      '-M', 'virt,dtb-randomness=off', '-cpu', 'cortex-a15', '-m', '256', '-kernel', guest.virtUImage, '-initrd', initrd,
      '-append', APPEND, '-rtc', `base=${RTC},clock=vm`, '-icount', `shift=7,sleep=off,rr=record,rrfile=${qemuLog}`,
      '-nographic', '-nic', 'none', '-serial', 'stdio', '-monitor', 'none',
    ],
    { encoding: 'latin1', maxBuffer: 64 << 20, timeout: TIMEOUT },
  );
  qemuOut = q.stdout;
  const a = await armrrCli([
    'record', guest.virtUImage, '-o', armrrLog, '--machine', 'virt', '--memory', '256M', '--initrd', initrd,
    '--append', APPEND, '--rtc-base', RTC, '--icount-shift', '7',
  ]);
  if (a.code !== 0) throw new Error(`armrr record failed (exit ${a.code}): ${a.stderr}`);
  armrrOut = a.stdout;
}, TIMEOUT);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("armrr's Linux-boot log", () => {
  it('boots as QEMU does: same console bytes, to the power-off', () => {
    expect(armrrOut).toContain('no input read');
    expect(armrrOut).toContain('reboot: Power down');
    expect(armrrOut).toBe(qemuOut);
  });

  it('armrr dump reads it whole', async () => {
    const d = await armrrCli(['dump', armrrLog]);
    expect(d.code, d.stderr).toBe(0);
    const size = statSync(armrrLog).size;
    expect(d.stdout).toContain(`Reached ${size} of ${size} bytes`);
    expect(d.stdout).toMatch(/:EVENT_SHUTDOWN_GUEST_SHUTDOWN\(16\)\n\d+:EVENT_END\(39\)\n/);
  });

  it("QEMU's replay-dump.py reads it whole, as it reads QEMU's own log of the same boot", () => {
    for (const log of [armrrLog, qemuLog]) {
      const r = runReplayDump(log);
      const size = statSync(log).size;
      expect(r.status, `${log}: ${r.stderr}\n${r.stdout.slice(-1500)}`).toBe(0);
      expect(r.stdout).not.toMatch(/not handled|Could not decode|error/);
      expect(r.stdout).toContain(`Reached ${size} of ${size} bytes`);
      expect(r.stdout).toMatch(/\d+:EVENT_END\(39\)\n/);
      expect(r.stdout).toContain('EVENT_CHAR_WRITE(22)');
    }
  });

  it('armrr diff --ignore-qemu-only: no difference from QEMU\'s log', async () => {
    const d = await armrrCli(['diff', '--ignore-qemu-only', qemuLog, armrrLog]);
    expect(d.stdout).toMatch(/^identical: \d+ vs \d+ events$/m);
    expect(d.code, d.stdout.slice(-3000)).toBe(0);
  });

  it('armrr diff without it names the first QEMU-only event and its icount', async () => {
    const d = await armrrCli(['diff', qemuLog, armrrLog]);
    expect(d.code).toBe(1);
    // configure_rtc's host clock read, before CHECKPOINT_INIT.
    expect(d.stdout).toMatch(/first at event 1 \(icount 0\)/);
    expect(d.stdout).toMatch(/> 1:CLOCK_HOST 0x[0-9a-f]+ @0/);
  });
});
