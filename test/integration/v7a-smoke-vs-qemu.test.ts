/**
 * The A-profile core on `virt` against qemu-system-arm -M virt -cpu cortex-a15, with bare-metal
 * programs from firmware/v7a/smoke (assembled here): smoke.S records identification registers,
 * CPSR, banked-register UNDEFs, and what UND, SVC, data abort and BKPT leave in LR/SPSR/DFSR/DFAR/
 * IFSR and exits with status 3; sysreg-probe.S reads ~130 CP15/CP14 registers (UNDEF shows as
 * 0xdeadNNNN); pmu-debug.S exercises the PMU counters and the debug registers. Each writes raw
 * words to stdout through semihosting. Output bytes, the semihosting console and the exit status
 * must be identical at icount shifts 0 and 7; pc-alignment.S takes a PC alignment prefetch abort.
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
const PROGRAMS = [
  { name: 'smoke', exit: 3, words: 43 },
  { name: 'sysreg-probe', exit: 0, words: 91 },
  { name: 'pmu-debug', exit: 0, words: 24 },
  { name: 'pc-alignment', exit: 0, words: 4 },
];
let dir = '';
const elf = (name: string): string => join(dir, `${name}.elf`);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'armrr-v7a-smoke-'));
  // No silent skip: a missing toolchain fails here with the compiler's message.
  for (const p of PROGRAMS) {
    execFileSync('arm-none-eabi-gcc', [
      '-march=armv7ve', '-marm', '-nostdlib', '-nostartfiles',
      '-T', join(SMOKE, 'link.ld'), '-o', elf(p.name), join(SMOKE, `${p.name}.S`),
    ]);
  }
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('v7-A core programs on virt: armrr vs QEMU', () => {
  for (const p of PROGRAMS) for (const shift of [0, 7]) {
    it(`${p.name}: identical record, console and exit status at shift ${shift}`, async () => {
      const [q, a] = await Promise.all([
        runQemu(elf(p.name), { machine: 'virt', icountShift: shift, timeoutMs: 30_000 }),
        runArmrrCli(elf(p.name), { machine: 'virt', icountShift: shift, timeoutMs: 30_000 }),
      ]);
      expect(q.timedOut).toBe(false);
      expect(q.exitCode).toBe(p.exit);
      expect(q.stdout.length).toBe(p.words * 4);
      expect(armrrGuestStderr(a.stderr)).toBe(guestStderr(q.stderr));
      expect(a.stdout.toString('hex')).toBe(q.stdout.toString('hex'));
      expect(a.exitCode).toBe(q.exitCode);
    });
  }
});
