/**
 * The DSP workout (firmware/m4/dsp-workout.c: every ARMv7E-M DSP instruction at its saturation
 * limits, GE/Q read back with MRS, SEL under every GE pattern, GE across an exception) runs on
 * qemu-system-arm -M mps2-an386 and on `armrr run --machine mps2-an386`; UART output, semihosting
 * console and exit code must be identical at every -O level.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { armrrGuestStderr, runArmrrCli } from '../support/armrr-run.js';
import { ensureFirmware, elfPath, OPT_LEVELS } from '../support/firmware.js';
import { guestStderr, runQemu } from '../support/qemu.js';

const MACHINE = 'mps2-an386';

describe('DSP workout: armrr vs QEMU (mps2-an386)', () => {
  beforeAll(() => ensureFirmware());

  it.concurrent.each([...OPT_LEVELS])('dsp-workout-%s', async (opt) => {
    const elf = elfPath('m4-dsp-workout', opt);
    const [q, a] = await Promise.all([
      runQemu(elf, { icountShift: 0, machine: MACHINE, timeoutMs: 60_000 }),
      runArmrrCli(elf, { machine: MACHINE, timeoutMs: 60_000 }),
    ]);
    expect(q.timedOut, `QEMU timed out; stderr: ${q.stderr}`).toBe(false);
    const reference = q.stdout.toString('latin1');
    // The reference must have run every operation on an M4 (an M3 would fault at the first one).
    expect(reference).toMatch(/^dsp-workout\r\n/);
    expect(reference).toMatch(/\r\ndone\r\n$/);
    expect(q.exitCode).toBe(0);

    const expectedLines = reference.split('\r\n');
    const actual = a.stdout.toString('latin1');
    const actualLines = actual.split('\r\n');
    // Compare line by line first so a failure names the operation (each line starts with it).
    for (let i = 0; i < expectedLines.length; i++) {
      const op = expectedLines[i]!.split(' ')[0];
      expect(actualLines[i], `${op}: line ${i + 1} (armrr stderr: ${a.stderr.slice(0, 300)})`).toBe(expectedLines[i]);
    }
    expect(actual).toBe(reference);
    expect(armrrGuestStderr(a.stderr)).toBe(guestStderr(q.stderr));
    expect(a.exitCode).toBe(q.exitCode);
  });
});
