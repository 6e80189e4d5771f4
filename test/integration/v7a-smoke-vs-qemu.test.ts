/**
 * The A-profile core on `virt` against qemu-system-arm -M virt -cpu cortex-a15: a bare-metal
 * program (firmware/v7a/smoke, assembled here) that records identification registers, CPSR,
 * banked-register UNDEFs, and what UND, SVC, data abort and BKPT leave in LR/SPSR/DFSR/DFAR/IFSR,
 * writes the record to stdout through semihosting and exits with status 3. Output bytes, the
 * semihosting console and the exit status must be identical at icount shifts 0 and 7.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIRMWARE_DIR } from '../support/firmware.js';
import { guestStderr, runQemu } from '../support/qemu.js';
import { armrrGuestStderr, runArmrrCli } from '../support/armrr-run.js';

const SMOKE = join(FIRMWARE_DIR, 'v7a/smoke');
let dir = '';
let elf = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'armrr-v7a-smoke-'));
  elf = join(dir, 'smoke.elf');
  // No silent skip: a missing toolchain fails here with the compiler's message.
  execFileSync('arm-none-eabi-gcc', [
    '-march=armv7ve', '-marm', '-nostdlib', '-nostartfiles',
    '-T', join(SMOKE, 'link.ld'), '-o', elf, join(SMOKE, 'smoke.S'),
  ]);
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('v7-A smoke program on virt: armrr vs QEMU', () => {
  for (const shift of [0, 7]) {
    it(`identical record, console and exit status at shift ${shift}`, async () => {
      const [q, a] = await Promise.all([
        runQemu(elf, { machine: 'virt', icountShift: shift, timeoutMs: 30_000 }),
        runArmrrCli(elf, { machine: 'virt', icountShift: shift, timeoutMs: 30_000 }),
      ]);
      expect(q.timedOut).toBe(false);
      expect(q.exitCode).toBe(3);
      expect(q.stdout.length).toBe(43 * 4);
      expect(armrrGuestStderr(a.stderr)).toBe(guestStderr(q.stderr));
      expect(a.stdout.toString('hex')).toBe(q.stdout.toString('hex'));
      expect(a.exitCode).toBe(q.exitCode);
    });
  }
});
