/**
 * Runs the real `armrr` CLI (bin/armrr.js over dist/) as child processes for integration tests:
 * record a firmware run into a log, and serve a replay of it to gdb (`armrr replay --gdb`).
 */
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT, elfPath, ensureFirmware } from './firmware.js';
import { GdbMi } from './gdb-mi.js';
import type { MiTuple } from './gdb-mi.js';

const execFileAsync = promisify(execFile);

export const ARMRR_BIN = join(ROOT, 'bin', 'armrr.js');

/**
 * The ELF of a `rev-*` test program (firmware/src/NAME.c), built by firmware/build.sh like every
 * program in firmware/src/ (ensureFirmware runs it once per process and skips up-to-date ELFs).
 */
export async function buildRevFirmware(name: string, opt: 'O0' | 'O2' | 'Os'): Promise<string> {
  ensureFirmware();
  const elf = elfPath(name, opt);
  if (!existsSync(elf)) throw new Error(`firmware/build.sh did not build ${elf}`);
  return elf;
}

export interface RecordOptions {
  /** Board (`--machine`; default mps2-an385). */
  machine?: string;
  icountShift?: number;
  maxInsns?: number;
  input?: string;
  /**
   * The exit status the recording must end with: 0 (the default) for a guest that exits cleanly,
   * 4 for one stopped by `maxInsns`, or the guest's own semihosting exit code. Anything else —
   * a crash (1), a usage error (2), a bad log (3) — fails the test.
   */
  expectExit?: number;
}

/**
 * `armrr record ELF -o LOG`; resolves with the guest's UART output when the recorder exits with
 * `expectExit` and wrote a log, rejects with the exit status and stderr otherwise.
 */
export async function recordFirmware(elf: string, log: string, options: RecordOptions = {}): Promise<string> {
  const args = [ARMRR_BIN, 'record', elf, '-o', log, '--icount-shift', String(options.icountShift ?? 5), '--no-realtime'];
  if (options.machine !== undefined) args.push('--machine', options.machine);
  if (options.maxInsns !== undefined) args.push('--max-insns', String(options.maxInsns));
  if (options.input !== undefined) args.push('--input', options.input);
  const expected = options.expectExit ?? 0;
  let code: number | string | undefined = 0;
  let stdout = '';
  let stderr = '';
  try {
    ({ stdout, stderr } = await execFileAsync(process.execPath, args, { maxBuffer: 64 << 20 }));
  } catch (e) {
    const err = e as { code?: number | string; signal?: string; stdout?: string; stderr?: string };
    code = err.code ?? err.signal;
    stdout = err.stdout ?? '';
    stderr = err.stderr ?? String(e);
  }
  if (code !== expected || !existsSync(log)) {
    throw new Error(`armrr record ${elf} ended with exit ${code} (expected ${expected})${existsSync(log) ? '' : ' and wrote no log'}: ${stderr}`);
  }
  return stdout;
}

export interface ReplayOptions {
  snapshotInterval?: number;
  snapshotBudgetMiB?: number;
  /** How long to wait for the "waiting for gdb" line. */
  startTimeoutMs?: number;
  /** More `armrr replay` options (a QEMU recording's --icount-shift). */
  extraArgs?: string[];
}

/** A running `armrr replay ELF LOG --gdb` child. */
export class ReplayServer {
  stderr = '';
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  private readonly exited: Promise<void>;

  private constructor(
    readonly child: ChildProcess,
    readonly port: number,
  ) {
    this.exited = new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once('exit', () => resolve());
    });
    child.once('exit', (code, signal) => (this.exitInfo = { code, signal }));
  }

  /** Starts the replay on a port the OS picks (`--gdb 127.0.0.1:0`) and reads it from stderr. */
  static start(elf: string, log: string, options: ReplayOptions = {}): Promise<ReplayServer> {
    const args = [ARMRR_BIN, 'replay', elf, log, '--gdb', '127.0.0.1:0', '--quiet'];
    if (options.snapshotInterval !== undefined) args.push('--snapshot-interval', String(options.snapshotInterval));
    if (options.snapshotBudgetMiB !== undefined) args.push('--snapshot-budget', String(options.snapshotBudgetMiB));
    if (options.extraArgs !== undefined) args.push(...options.extraArgs);
    return ReplayServer.spawnListening(args, options);
  }

  /** `armrr run ELF --gdb 127.0.0.1:0 [extra]`: a live run under gdb (recorded in memory). */
  static startLive(elf: string, extra: string[] = [], options: ReplayOptions = {}): Promise<ReplayServer> {
    return ReplayServer.spawnListening([ARMRR_BIN, 'run', elf, '--gdb', '127.0.0.1:0', ...extra], options);
  }

  /** `armrr replay ELF LOG --gdb-ws 0`: the WebSocket transport only; `port` is the WebSocket port. */
  static startWebSocket(elf: string, log: string, options: ReplayOptions = {}): Promise<ReplayServer> {
    return ReplayServer.spawnListening([ARMRR_BIN, 'replay', elf, log, '--gdb-ws', '0', '--quiet'], options);
  }

  /** `armrr run ELF --gdb-ws 0`: the WebSocket transport only; `port` is the WebSocket port. */
  static startLiveWebSocket(elf: string, options: ReplayOptions = {}): Promise<ReplayServer> {
    return ReplayServer.spawnListening([ARMRR_BIN, 'run', elf, '--gdb-ws', '0'], options);
  }

  private static spawnListening(args: string[], options: ReplayOptions): Promise<ReplayServer> {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stdout!.resume();
    child.stderr!.setEncoding('utf8');
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`armrr replay did not start listening within ${options.startTimeoutMs ?? 20000} ms; stderr:\n${stderr}`));
      }, options.startTimeoutMs ?? 20_000);
      const onData = (chunk: string): void => {
        stderr += chunk;
        const m = /waiting for gdb on [^\s]+:(\d+)/.exec(stderr);
        if (!m) return;
        clearTimeout(timer);
        child.off('exit', onExit);
        const server = new ReplayServer(child, Number(m[1]));
        server.stderr = stderr;
        child.stderr!.off('data', onData);
        child.stderr!.on('data', (more: string) => (server.stderr += more));
        resolve(server);
      };
      const onExit = (code: number | null, signal: string | null): void => {
        clearTimeout(timer);
        reject(new Error(`armrr replay exited (code ${code}, signal ${signal}) before listening; stderr:\n${stderr}`));
      };
      child.stderr!.on('data', onData);
      child.once('exit', onExit);
    });
  }

  get alive(): boolean {
    return this.exitInfo === null;
  }

  get exitDescription(): string {
    return this.exitInfo ? `exited with code ${this.exitInfo.code}, signal ${this.exitInfo.signal}` : 'running';
  }

  /** SIGTERM (the CLI closes its servers and exits), SIGKILL after 3 s. */
  async stop(): Promise<void> {
    if (!this.alive) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 3000);
    await this.exited;
    clearTimeout(timer);
  }
}

// ---- gdb sessions against a replay -----------------------------------------------------------

export interface ReplaySession {
  gdb: GdbMi;
  server: ReplayServer;
  close(): Promise<void>;
}

/** Replays LOG with --gdb and connects a fresh gdb-multiarch to it. */
export async function connectReplay(elf: string, log: string, options: ReplayOptions = {}): Promise<ReplaySession> {
  const server = await ReplayServer.start(elf, log, options);
  let gdb: GdbMi | null = null;
  try {
    gdb = await GdbMi.start({ elf, timeoutMs: 30_000 });
    await gdb.cmd(`-target-select remote 127.0.0.1:${server.port}`);
  } catch (e) {
    await gdb?.close();
    await server.stop();
    throw e;
  }
  const g = gdb;
  return {
    gdb: g,
    server,
    close: async () => {
      await g.close();
      await server.stop();
    },
  };
}

/** The first 0x… number in a gdb value such as `(void (*)()) 0x258 <Reset_Handler>`. */
export function firstHex(text: string): number {
  const m = /0x[0-9a-f]+/i.exec(text);
  if (!m) throw new Error(`no hex number in '${text}'`);
  return Number(m[0]);
}

export async function readPc(gdb: GdbMi): Promise<number> {
  const r = await gdb.cmd('-data-evaluate-expression $pc');
  return firstHex(String(r.results['value']));
}

/**
 * The JSON line of a `monitor … --json` answer. Only that line is parsed: a monitor command that
 * runs longer than gdb's remote timeout (2 s) makes gdb print "Ignoring packet error, continuing..."
 * on the same stream before the answer arrives.
 */
export async function monitorJson<T>(gdb: GdbMi, command: string, timeoutMs?: number): Promise<T> {
  const text = await gdb.console(`monitor ${command} --json`, timeoutMs);
  const line = text.split('\n').find((l) => l.startsWith('{'));
  if (line === undefined) throw new Error(`monitor ${command} --json printed no JSON: ${JSON.stringify(text)}`);
  return JSON.parse(line) as T;
}

/** `monitor icount --json` */
export async function readIcount(gdb: GdbMi): Promise<number> {
  return (await monitorJson<{ icount: number }>(gdb, 'icount')).icount;
}

/** `monitor info replay --json` */
export function replayInfo(gdb: GdbMi): Promise<{ icount: number; endIcount: number }> {
  return monitorJson(gdb, 'info replay');
}

/** Moves to ICOUNT out of band, then makes gdb forget its cached registers and frames. */
export async function seek(gdb: GdbMi, icount: number): Promise<void> {
  const now = (await monitorJson<{ icount: number }>(gdb, `seek ${icount}`, 60_000)).icount;
  if (now !== icount) throw new Error(`monitor seek ${icount} ended at ${now}`);
  await gdb.console('maintenance flush register-cache');
}

export const frameOf = (stopped: MiTuple): MiTuple => stopped['frame'] as MiTuple;
export const stopPc = (stopped: MiTuple): number => Number(frameOf(stopped)['addr']);

/** What gdb printed (console/target streams) while an execution command ran, and its *stopped record. */
export async function runWithOutput(gdb: GdbMi, command: string, timeoutMs?: number): Promise<{ stopped: MiTuple; text: string }> {
  const start = gdb.records.length;
  const stopped = await gdb.run(command, timeoutMs);
  let end = gdb.records.length;
  for (let i = start; i < gdb.records.length; i++) {
    const r = gdb.records[i]!;
    if (r.kind === 'exec' && r.class === 'stopped' && r.results === stopped) {
      end = i;
      break;
    }
  }
  const text = gdb.records
    .slice(start, end)
    .map((r) => (r.kind === 'console' || r.kind === 'target' ? r.text : ''))
    .join('');
  return { stopped, text };
}

/**
 * True when gdb reported the end of the replay history in either direction. gdb 13.1 prints
 * "No more reverse-execution history." on the console but leaves `reason` out of MI's *stopped
 * (gdb bug 29260, fixed in later gdb, which says reason="no-history").
 */
export function isNoHistoryStop(stop: { stopped: MiTuple; text: string }): boolean {
  const reason = stop.stopped['reason'];
  return (reason === undefined || reason === 'no-history') && stop.text.includes('No more reverse-execution history.');
}
