/** armrr as a child process: `armrr run` (the counterpart of support/qemu.ts `runQemu`) and any command line. */
import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './firmware.js';

export const ARMRR_BIN = join(ROOT, 'bin/armrr.js');

export interface ArmrrRunOptions {
  machine?: string;
  icountShift?: number;
  /** File for UART0 RX (`--input`). */
  inputFile?: string;
  timeoutMs?: number;
  /** More `armrr run` options (e.g. --rtc-base). */
  extraArgs?: string[];
  /** Working directory (semihosting host files with relative paths land there). */
  cwd?: string;
}

export interface ArmrrRunResult {
  stdout: Buffer;
  stderr: string;
  exitCode: number | null;
}

export function runArmrrCli(elf: string, opts: ArmrrRunOptions = {}): Promise<ArmrrRunResult> {
  const args = [ARMRR_BIN, 'run', elf, '--icount-shift', String(opts.icountShift ?? 0), '--no-realtime'];
  if (opts.machine !== undefined) args.push('--machine', opts.machine);
  if (opts.inputFile !== undefined) args.push('--input', opts.inputFile);
  if (opts.extraArgs !== undefined) args.push(...opts.extraArgs);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: opts.cwd });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 90_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ stdout: Buffer.concat(out), stderr: err, exitCode: code });
    });
  });
}

/** armrr's own diagnostics start with "armrr:"; the rest of stderr is the guest's. */
export const armrrGuestStderr = (s: string): string => s.replace(/^armrr: [^\n]*\n/gm, '');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Any armrr command line (stdin closed); resolves with its exit code and latin1 output. */
export function armrrCli(args: string[], opts: { cwd?: string } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [ARMRR_BIN, ...args], { maxBuffer: 64 << 20, encoding: 'latin1', cwd: opts.cwd }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1;
      resolve({ code, stdout, stderr });
    }).stdin?.end();
  });
}
