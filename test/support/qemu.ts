/**
 * Runs firmware on qemu-system-arm (mps2-an385 unless told otherwise) as the reference for armrr's output.
 *
 * UART0 is a stdio chardev (stdout); the semihosting console (SYS_WRITEC/WRITE0) goes to stderr and
 * SYS_WRITE on ":tt" to the host's stdout/stderr fds, as QEMU does by default and armrr mirrors.
 * Input bytes are written to stdin one at a time with a gap so none arrive back to back (see
 * /work/shared/fixtures/README.md on QEMU 7.2 dropping such bytes under -nographic).
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const QEMU = process.env.ARMRR_QEMU ?? 'qemu-system-arm';

export interface QemuRunOptions {
  icountShift?: number;
  /** Bytes for UART0 RX. */
  input?: Uint8Array;
  /** Milliseconds between input bytes (default 20). */
  inputGapMs?: number;
  /** Milliseconds before the first input byte (default 100, lets QEMU start). */
  inputDelayMs?: number;
  timeoutMs?: number;
  /** Extra QEMU arguments (e.g. tracing). */
  extraArgs?: string[];
  /** QEMU -M board (default mps2-an385). */
  machine?: string;
  /** -cpu and -m (virt: cortex-a15 and 128M unless told). */
  cpu?: string;
  memory?: string;
  /** Working directory (semihosting host files with relative paths land there). */
  cwd?: string;
}

export interface QemuRunResult {
  stdout: Buffer;
  stderr: string;
  exitCode: number | null;
  timedOut: boolean;
}

export function qemuAvailable(): boolean {
  return spawnSync(QEMU, ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * Tests that compare with QEMU need it: a missing qemu-system-arm fails them loudly (a skipped
 * comparison would pass CI while proving nothing). `bash scripts/setup.sh` installs it.
 */
export function requireQemu(): void {
  if (!qemuAvailable()) {
    throw new Error(`${QEMU} is not installed or does not run; install it with 'bash scripts/setup.sh' (Debian package qemu-system-arm)`);
  }
}

export function qemuArgs(elf: string, opts: Pick<QemuRunOptions, 'icountShift' | 'extraArgs' | 'machine' | 'cpu' | 'memory'> = {}): string[] {
  const machine = opts.machine ?? 'mps2-an385';
  // Debian's QEMU needs -nic none on virt (its default NIC wants a ROM that is not installed).
  const board = machine === 'virt' ? ['-cpu', opts.cpu ?? 'cortex-a15', '-m', opts.memory ?? '128M', '-nic', 'none'] : [];
  return [
    '-M', machine,
    ...board,
    '-display', 'none',
    '-monitor', 'none',
    '-chardev', 'stdio,id=con0',
    '-serial', 'chardev:con0',
    '-semihosting-config', 'enable=on,target=native',
    '-icount', `shift=${opts.icountShift ?? 0},sleep=off`,
    ...(opts.extraArgs ?? []),
    '-kernel', elf,
  ];
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Guest-written stderr: QEMU's own diagnostics ("qemu-system-arm: ...") removed. */
export function guestStderr(stderr: string): string {
  // QEMU's warnings can land in the middle of a guest line (different buffering), so cut them anywhere.
  return stderr.replace(/qemu-system-arm: [^\n]*\n/g, '');
}

export async function runQemu(elf: string, opts: QemuRunOptions = {}): Promise<QemuRunResult> {
  // QEMU's stdout goes to a regular file, not a pipe: its stdio chardev is non-blocking, and a UART
  // byte whose write would block is retried from the main loop later, which never comes when the
  // guest exits right after printing (seen under CI load: the last byte of the output lost).
  const outDir = mkdtempSync(join(tmpdir(), 'armrr-qemu-out-'));
  const outPath = join(outDir, 'stdout');
  const outFd = openSync(outPath, 'w');
  const child = spawn(QEMU, qemuArgs(elf, opts), { stdio: ['pipe', outFd, 'pipe'], cwd: opts.cwd });
  closeSync(outFd);
  let err = '';
  let timedOut = false;
  child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  child.stdin!.on('error', () => {}); // QEMU may exit before all input is written
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, opts.timeoutMs ?? 60_000);
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));

  const input = opts.input ?? new Uint8Array(0);
  let done = false;
  void exited.then(() => (done = true));
  if (input.length > 0) {
    await sleep(opts.inputDelayMs ?? 100);
    for (const byte of input) {
      if (done) break;
      child.stdin!.write(Buffer.from([byte]));
      await sleep(opts.inputGapMs ?? 20);
    }
  }
  // stdin stays open until exit: EOF on a stdio chardev is harmless, but keep QEMU's view simple.
  const exitCode = await exited;
  clearTimeout(timer);
  const stdout = readFileSync(outPath);
  rmSync(outDir, { recursive: true, force: true });
  return { stdout, stderr: err, exitCode: timedOut ? null : exitCode, timedOut };
}
