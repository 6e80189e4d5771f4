/**
 * The DSP workout (firmware/m4/dsp-workout.c: every ARMv7E-M DSP instruction at its saturation
 * limits, GE/Q read back with MRS, SEL under every GE pattern, GE across an exception) runs on
 * qemu-system-arm -M mps2-an386 and on `armrr run --machine mps2-an386`; UART output, semihosting
 * console and exit code must be identical at every -O level.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureFirmware, elfPath, OPT_LEVELS, ROOT } from '../support/firmware.js';
import { guestStderr, runQemu } from '../support/qemu.js';

const ARMRR = join(ROOT, 'bin/armrr.js');
const MACHINE = 'mps2-an386';

interface ArmrrResult {
  stdout: string;
  stderr: string;
  exitCode: number | null;
}

function runArmrr(elf: string, timeoutMs = 60_000): Promise<ArmrrResult> {
  return new Promise((resolve) => {
    const args = [ARMRR, 'run', elf, '--machine', MACHINE, '--icount-shift', '0', '--no-realtime'];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ stdout: Buffer.concat(out).toString('latin1'), stderr: err, exitCode: code });
    });
  });
}

/** armrr's own diagnostics start with "armrr:"; the rest of stderr is the guest's. */
const armrrGuestStderr = (s: string): string => s.replace(/^armrr: [^\n]*\n/gm, '');

describe('DSP workout: armrr vs QEMU (mps2-an386)', () => {
  beforeAll(() => ensureFirmware());

  it.concurrent.each([...OPT_LEVELS])('dsp-workout-%s', async (opt) => {
    const elf = elfPath('m4-dsp-workout', opt);
    // support/qemu.ts builds an mps2-an385 command line; a later -M replaces the board.
    const [q, a] = await Promise.all([
      runQemu(elf, { icountShift: 0, extraArgs: ['-M', MACHINE], timeoutMs: 60_000 }),
      runArmrr(elf),
    ]);
    expect(q.timedOut, `QEMU timed out; stderr: ${q.stderr}`).toBe(false);
    const reference = q.stdout.toString('latin1');
    // The reference must have run every operation on an M4 (an M3 would fault at the first one).
    expect(reference).toMatch(/^dsp-workout\r\n/);
    expect(reference).toMatch(/\r\ndone\r\n$/);
    expect(q.exitCode).toBe(0);

    const expectedLines = reference.split('\r\n');
    const actualLines = a.stdout.split('\r\n');
    // Compare line by line first so a failure names the operation (each line starts with it).
    for (let i = 0; i < expectedLines.length; i++) {
      const op = expectedLines[i]!.split(' ')[0];
      expect(actualLines[i], `${op}: line ${i + 1} (armrr stderr: ${a.stderr.slice(0, 300)})`).toBe(expectedLines[i]);
    }
    expect(a.stdout).toBe(reference);
    expect(armrrGuestStderr(a.stderr)).toBe(guestStderr(q.stderr));
    expect(a.exitCode).toBe(q.exitCode);
  });
});
