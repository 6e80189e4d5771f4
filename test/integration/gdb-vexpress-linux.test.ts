/**
 * Issue 17, must-be-true 3: real gdb-multiarch on an armrr replay of Debian's Linux on vexpress-a9
 * (the fast boot with vexpress-v2p-ca9.dtb, recorded once here with a line typed at the prompt
 * through a pipe; the plain replay prints the recording's console and exits 0, must-be-true 2's
 * typed line). The checks are gdb-linux.test.ts's (test/support/linux-gdb-checks.ts): a kernel
 * breakpoint hit three times, reverse-continue to the previous hit with identical registers and
 * icount; a reverse watchpoint on jiffies (on this board the SP804 clockevent's tick stores it).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensureDebianGuest } from '../support/debian-guest.js';
import { connectLinuxReplay, fastBootArgs, fastBootImage, recordFastBoot, type LinuxGdbSession } from '../support/linux-replay.js';
import { armrrCli } from '../support/armrr-run.js';
import { breakpointThreeHitsThenBack, reverseWatchJiffies } from '../support/linux-gdb-checks.js';

const LONG = 900_000;

let dir = '';
let log = '';
let recorded = '';
let session: LinuxGdbSession;

beforeAll(async () => {
  const guest = ensureDebianGuest();
  dir = mkdtempSync(join(tmpdir(), 'armrr-gdb-vexpress-linux-'));
  log = join(dir, 'boot.rrlog');
  recorded = await recordFastBoot(guest, log, 'hello vexpress', LONG, 'vexpress-a9');
  expect(recorded).toContain('you typed: hello vexpress');
  session = await connectLinuxReplay(guest, log, 'vexpress-a9');
}, LONG);
afterAll(async () => {
  await session?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  await session.gdb.console('delete');
});

describe('gdb on the vexpress-a9 Linux replay: the kernel', { timeout: LONG }, () => {
  it('the recording (a line typed through a pipe, then power-off) replays with the same console bytes and exit 0', async () => {
    const guest = ensureDebianGuest();
    const r = await armrrCli(['replay', fastBootImage(guest, 'vexpress-a9'), log, ...fastBootArgs(guest, 'vexpress-a9')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(recorded);
    expect(recorded).toContain('reboot: Power down');
  });

  it('a kernel function breakpoint hit three times forward; reverse-continue lands on the second hit with identical registers and icount', async () => {
    await breakpointThreeHitsThenBack(session.gdb, 'kernel_clone', LONG);
  });

  it('a reverse watchpoint on jiffies stops at the timer code storing it; the value before and after match the store', async () => {
    await reverseWatchJiffies(session.gdb, LONG);
  });
});
