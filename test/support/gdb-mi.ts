/**
 * Drives a real `gdb-multiarch --interpreter=mi3` child process for integration tests, through
 * gdb-js 1.3.0 (the MI transport, command/result matching and MI parser), with what our tests need
 * on top: one ordered log of every record (so a command's console output and the *stopped record
 * that ends an execution command are found in order), mi-async all-stop mode (so -exec-interrupt
 * and other commands go through while the target runs: gdb-js's own `interrupt()` either signals
 * gdb or needs non-stop mode, which the stub does not offer), and a timeout on every wait whose
 * error shows the end of the transcript.
 *
 * gdb-js on Node 20 needs two things: its regenerator-compiled code wants the regenerator runtime
 * as a global (imported first, below), and it calls `stdin.write(cmd, { binary: true })`, an
 * options object Node 20 rejects, so it gets a process whose `stdin.write` passes only the string.
 */

import 'regenerator-runtime/runtime.js';
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import gdbJs from 'gdb-js';

export type MiValue = string | MiTuple | MiValue[];
export interface MiTuple {
  [name: string]: MiValue;
}

export type MiRecord =
  | { kind: 'result'; token: number | null; class: string; results: MiTuple }
  | { kind: 'exec' | 'status' | 'notify'; token: number | null; class: string; results: MiTuple }
  | { kind: 'console' | 'target' | 'log'; text: string }
  | { kind: 'prompt' }
  | { kind: 'other'; line: string };

export interface MiResult {
  class: string;
  results: MiTuple;
}

export interface GdbMiOptions {
  elf?: string;
  gdbPath?: string;
  /** Default per-call timeout. */
  timeoutMs?: number;
}

/** gdb answered ^error, timed out, or exited; `transcript` holds the last lines exchanged. */
export class GdbMiError extends Error {
  override readonly name = 'GdbMiError';

  constructor(
    message: string,
    readonly transcript: readonly string[],
  ) {
    super(`${message}\n--- last gdb transcript lines ---\n${transcript.join('\n')}`);
  }
}

/** The part of gdb-js's GDB class these tests use (gdb-js ships no type declarations). */
interface GdbJs {
  execMI(command: string): Promise<MiTuple>;
  on(event: 'exec' | 'notify' | 'status', listener: (record: { state: string; data: MiTuple }) => void): void;
  readonly consoleStream: { each(f: (text: string) => void): void };
  readonly targetStream: { each(f: (text: string) => void): void };
  readonly logStream: { each(f: (text: string) => void): void };
}
const { GDB } = gdbJs as unknown as { GDB: new (process: unknown) => GdbJs };

interface Waiter {
  match: (record: MiRecord, seq: number) => boolean;
  resolve: (seq: number) => void;
  reject: (error: Error) => void;
}

const TRANSCRIPT_TAIL = 40;

export class GdbMi {
  readonly transcript: string[] = [];
  readonly records: MiRecord[] = [];
  private waiters: Waiter[] = [];
  private exited: Error | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly gdb: GdbJs;

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly timeoutMs: number,
  ) {
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => this.transcript.push(`stderr: ${chunk.trimEnd()}`));
    child.on('error', (error) => this.fail(new GdbMiError(`gdb failed to start: ${error.message}`, this.tail())));
    child.on('exit', (code, signal) => this.fail(new GdbMiError(`gdb exited (code ${code}, signal ${signal})`, this.tail())));
    const transcript = this.transcript;
    this.gdb = new GDB({
      stdin: {
        write: (text: string) => {
          transcript.push(`-> ${text.trimEnd()}`);
          return child.stdin.write(text);
        },
      },
      stdout: child.stdout,
      stderr: child.stderr,
      kill: (signal?: NodeJS.Signals) => child.kill(signal),
    });
    // Every record gdb-js parses reaches these listeners in gdb's output order.
    for (const kind of ['exec', 'notify', 'status'] as const) {
      this.gdb.on(kind, ({ state, data }) => this.add({ kind, token: null, class: state, results: data ?? {} }));
    }
    this.gdb.consoleStream.each((text) => this.add({ kind: 'console', text }));
    this.gdb.targetStream.each((text) => this.add({ kind: 'target', text }));
    this.gdb.logStream.each((text) => this.add({ kind: 'log', text }));
  }

  static async start(options: GdbMiOptions = {}): Promise<GdbMi> {
    const args = ['--interpreter=mi3', '-nx', '-q', ...(options.elf ? [options.elf] : [])];
    const child = spawn(options.gdbPath ?? 'gdb-multiarch', args, { stdio: 'pipe' });
    const gdb = new GdbMi(child, options.timeoutMs ?? 15_000);
    await gdb.cmd('-gdb-set pagination off');
    await gdb.cmd('-gdb-set confirm off');
    // Lets -exec-interrupt and other commands through while the target runs (all-stop mode).
    await gdb.cmd('-gdb-set mi-async on');
    return gdb;
  }

  /** Runs an MI command and returns its result record; ^error throws a GdbMiError. */
  cmd(command: string, timeoutMs = this.timeoutMs): Promise<MiResult> {
    return this.serialize(async () => ({ class: 'done', results: await this.send(command, timeoutMs) }));
  }

  /**
   * Runs an execution command (-exec-continue, -exec-step-instruction…) and resolves with its
   * *stopped record. Other commands (e.g. -exec-interrupt) may be sent while it is pending.
   */
  async run(command: string, timeoutMs = this.timeoutMs): Promise<MiTuple> {
    const from = await this.serialize(async () => {
      const start = this.records.length;
      await this.send(command, timeoutMs);
      return start;
    });
    const stopSeq = await this.waitFor(
      (record) => record.kind === 'exec' && record.class === 'stopped',
      from,
      `*stopped after ${command}`,
      timeoutMs,
    );
    return (this.records[stopSeq] as { results: MiTuple }).results;
  }

  /** Runs a CLI command and returns what it printed (console and target streams). */
  console(cliCommand: string, timeoutMs = this.timeoutMs): Promise<string> {
    return this.serialize(async () => {
      const start = this.records.length;
      const quoted = cliCommand.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
      await this.send(`-interpreter-exec console "${quoted}"`, timeoutMs);
      return this.records
        .slice(start)
        .map((record) => (record.kind === 'console' || record.kind === 'target' ? record.text : ''))
        .join('');
    });
  }

  /**
   * A CLI command that resumes the target from inside it (a Python command running `continue`,
   * e.g. `armrr process`): MI answers `^running` for it at once, so this waits until what it
   * printed (console, target and log streams) matches `done`, and returns that.
   */
  async consoleUntil(cliCommand: string, done: RegExp, timeoutMs = this.timeoutMs): Promise<string> {
    const from = this.records.length;
    const text = (): string =>
      this.records
        .slice(from)
        .map((record) => (record.kind === 'console' || record.kind === 'target' || record.kind === 'log' ? record.text : ''))
        .join('');
    await this.console(cliCommand, timeoutMs);
    await this.waitFor(() => done.test(text()), from, `output matching ${done} after ${cliCommand}`, timeoutMs);
    return text();
  }

  /** Asks gdb to exit, and kills it if it does not. */
  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.stdin.write('-gdb-exit\n');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  }

  private serialize<T>(job: () => Promise<T>): Promise<T> {
    const result = this.queue.then(job, job);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** One command through gdb-js; its result, or a GdbMiError for ^error, a timeout or a dead gdb. */
  private async send(command: string, timeoutMs: number): Promise<MiTuple> {
    if (this.exited) throw this.exited;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new GdbMiError(`timed out after ${timeoutMs} ms waiting for ${command}`, this.tail())), timeoutMs);
    });
    const died = new Promise<never>((_, reject) => this.waiters.push({ match: () => false, resolve: () => undefined, reject }));
    try {
      const data = await Promise.race([this.gdb.execMI(command), timeout, died]);
      return data ?? {};
    } catch (e) {
      if (e instanceof GdbMiError) throw e;
      // gdb-js rejects ^error with "Error while executing "CMD". MSG".
      const msg = e instanceof Error ? e.message.replace(/^Error while executing ".*?"\. /s, '') : String(e);
      this.transcript.push(`<- ^error: ${msg}`);
      throw new GdbMiError(`${command} failed: ${msg}`, this.tail());
    } finally {
      clearTimeout(timer);
    }
  }

  /** Resolves with the index of the first record at or after `from` that matches. */
  private waitFor(
    match: (record: MiRecord) => boolean,
    from: number,
    what: string,
    timeoutMs = this.timeoutMs,
  ): Promise<number> {
    for (let seq = from; seq < this.records.length; seq++) {
      if (match(this.records[seq]!)) return Promise.resolve(seq);
    }
    if (this.exited) return Promise.reject(this.exited);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        match: (record, seq) => seq >= from && match(record),
        resolve: (seq) => {
          clearTimeout(timer);
          resolve(seq);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new GdbMiError(`timed out after ${timeoutMs} ms waiting for ${what}`, this.tail()));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  private add(record: MiRecord): void {
    this.transcript.push(record.kind === 'console' || record.kind === 'target' || record.kind === 'log' ? `${record.kind}: ${JSON.stringify(record.text)}` : `${record.kind} ${'class' in record ? record.class : ''} ${JSON.stringify('results' in record ? record.results : '')}`);
    const seq = this.records.push(record) - 1;
    for (const waiter of [...this.waiters]) {
      if (waiter.match(record, seq)) {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        waiter.resolve(seq);
      }
    }
  }

  private fail(error: Error): void {
    this.exited ??= error;
    for (const waiter of this.waiters.splice(0)) waiter.reject(error);
  }

  private tail(): string[] {
    return this.transcript.slice(-TRANSCRIPT_TAIL);
  }
}
