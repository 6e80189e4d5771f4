/**
 * The FPv4-SP programs (firmware/m4/fpu-workout.c: every FP instruction form; fpu-vectors.c: the
 * edge-case vector set with result bits and FPSCR flags per vector under every rounding mode,
 * FZ, DN and AHP) run on qemu-system-arm -M mps2-an386 and on `armrr run --machine mps2-an386`;
 * UART output, semihosting console and exit code must be byte-identical at -O0/-O2/-Os.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { armrrGuestStderr, runArmrrCli } from '../support/armrr-run.js';
import { ensureM4Firmware, elfPath, M4_FPU_PROGRAMS, OPT_LEVELS } from '../support/firmware.js';
import { guestStderr, runQemu } from '../support/qemu.js';

const MACHINE = 'mps2-an386';

const cases = M4_FPU_PROGRAMS.flatMap((name) => OPT_LEVELS.map((opt) => ({ name, opt })));

describe('FPv4-SP programs: armrr vs QEMU (mps2-an386)', () => {
  beforeAll(() => ensureM4Firmware(M4_FPU_PROGRAMS));

  it.concurrent.each(cases)('$name-$opt', async ({ name, opt }) => {
    const elf = elfPath(name, opt);
    const [q, a] = await Promise.all([
      runQemu(elf, { icountShift: 0, machine: MACHINE, timeoutMs: 60_000 }),
      runArmrrCli(elf, { machine: MACHINE, timeoutMs: 60_000 }),
    ]);
    expect(q.timedOut, `QEMU timed out; stderr: ${q.stderr}`).toBe(false);
    const reference = q.stdout.toString('latin1');
    const title = name.replace(/^m4-/, '');
    // The reference must have run to the end on an FPU (a NOCP fault would stop it early).
    expect(reference).toMatch(new RegExp(`^${title}\\r\\n`));
    expect(reference).toMatch(new RegExp(`\\r\\n${title} done\\r\\n$`));
    expect(q.exitCode).toBe(0);

    // Line by line first, so a failure names the group (its header line) and the line.
    const expectedLines = reference.split('\r\n');
    const actual = a.stdout.toString('latin1');
    const actualLines = actual.split('\r\n');
    let group = '';
    for (let i = 0; i < expectedLines.length; i++) {
      const line = expectedLines[i]!;
      if (/^[a-z]/.test(line)) group = line;
      expect(actualLines[i], `${group} / line ${i + 1} (armrr stderr: ${a.stderr.slice(0, 300)})`).toBe(line);
    }
    expect(actual).toBe(reference);
    expect(armrrGuestStderr(a.stderr)).toBe(guestStderr(q.stderr));
    expect(a.exitCode).toBe(q.exitCode);
  });
});
