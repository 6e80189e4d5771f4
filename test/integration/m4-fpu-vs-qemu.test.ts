/**
 * The FPv4-SP programs (firmware/m4/fpu-workout.c: every FP instruction form; fpu-vectors.c: the
 * edge-case vector set with result bits and FPSCR flags per vector under every rounding mode,
 * FZ, DN and AHP) run on qemu-system-arm -M mps2-an386 and on `armrr run --machine mps2-an386`;
 * UART output, semihosting console and exit code must be byte-identical at -O0/-O2/-Os.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureM4Firmware, elfPath, M4_FPU_PROGRAMS, OPT_LEVELS, ROOT } from '../support/firmware.js';
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

const cases = M4_FPU_PROGRAMS.flatMap((name) => OPT_LEVELS.map((opt) => ({ name, opt })));

describe('FPv4-SP programs: armrr vs QEMU (mps2-an386)', () => {
  beforeAll(() => ensureM4Firmware(M4_FPU_PROGRAMS));

  it.concurrent.each(cases)('$name-$opt', async ({ name, opt }) => {
    const elf = elfPath(name, opt);
    // support/qemu.ts builds an mps2-an385 command line; a later -M replaces the board.
    const [q, a] = await Promise.all([
      runQemu(elf, { icountShift: 0, extraArgs: ['-M', MACHINE], timeoutMs: 60_000 }),
      runArmrr(elf),
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
    const actualLines = a.stdout.split('\r\n');
    let group = '';
    for (let i = 0; i < expectedLines.length; i++) {
      const line = expectedLines[i]!;
      if (/^[a-z]/.test(line)) group = line;
      expect(actualLines[i], `${group} / line ${i + 1} (armrr stderr: ${a.stderr.slice(0, 300)})`).toBe(line);
    }
    expect(a.stdout).toBe(reference);
    expect(armrrGuestStderr(a.stderr)).toBe(guestStderr(q.stderr));
    expect(a.exitCode).toBe(q.exitCode);
  });
});
