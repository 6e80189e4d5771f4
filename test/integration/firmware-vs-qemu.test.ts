/**
 * Every test program × -O level × icount shift runs on qemu-system-arm and on `armrr run`; the guest's
 * stdout (UART0, semihosting SYS_WRITE on ":tt"), its semihosting console (stderr) and the exit
 * code must be identical. Timer-driven output only matches when virtual time matches QEMU's icount.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureFirmware, elfPath, OPT_LEVELS, PROGRAMS, PROGRAM_INPUT, ROOT } from '../support/firmware.js';
import { guestStderr, qemuAvailable, runQemu } from '../support/qemu.js';

const SHIFTS = [0, 3, 7];
const ARMRR = join(ROOT, 'bin/armrr.js');

interface ArmrrResult {
  stdout: Buffer;
  stderr: string;
  exitCode: number | null;
}

function runArmrr(elf: string, shift: number, inputFile: string, timeoutMs = 90_000): Promise<ArmrrResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [ARMRR, 'run', elf, '--icount-shift', String(shift), '--input', inputFile], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ stdout: Buffer.concat(out), stderr: err, exitCode: code });
    });
  });
}

/** armrr's own diagnostics start with "armrr:"; the rest of stderr is the guest's. */
const armrrGuestStderr = (s: string): string => s.replace(/^armrr: [^\n]*\n/gm, '');

const cases = PROGRAMS.flatMap((p) => OPT_LEVELS.flatMap((o) => SHIFTS.map((s) => ({ name: p, opt: o, shift: s }))));
cases.push(...SHIFTS.map((s) => ({ name: 'crc32' as (typeof PROGRAMS)[number], opt: 'O2' as const, shift: s })));

describe.runIf(qemuAvailable())('firmware output: armrr vs QEMU', () => {
  let inputDir = '';
  beforeAll(() => {
    ensureFirmware();
    inputDir = mkdtempSync(join(tmpdir(), 'armrr-fw-input-'));
  });

  it.concurrent.each(cases)('$name-$opt at shift $shift', async ({ name, opt, shift }) => {
    const elf = elfPath(name, opt);
    const text = (PROGRAM_INPUT as Record<string, string>)[name] ?? '';
    const input = Buffer.from(text, 'latin1');
    const inputFile = join(inputDir, `${name}-${opt}-${shift}.in`);
    writeFileSync(inputFile, input);

    const [q, a] = await Promise.all([runQemu(elf, { icountShift: shift, input, timeoutMs: 60_000 }), runArmrr(elf, shift, inputFile)]);
    expect(q.timedOut, `QEMU timed out; stderr: ${q.stderr}`).toBe(false);
    // The reference itself must be sane: every program prints something and exits by semihosting.
    expect(q.stdout.length + guestStderr(q.stderr).length).toBeGreaterThan(0);

    expect(a.stdout.toString('latin1'), `stdout differs (armrr stderr: ${a.stderr.slice(0, 400)})`).toBe(q.stdout.toString('latin1'));
    expect(armrrGuestStderr(a.stderr), 'semihosting console (stderr) differs').toBe(guestStderr(q.stderr));
    expect(a.exitCode, 'exit code differs').toBe(q.exitCode);
  });
});
