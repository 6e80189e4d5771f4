/**
 * Drives a real `gdb-multiarch --interpreter=mi3` child process for integration tests.
 *
 * Every command carries a numeric token, so its result record is found even when gdb interleaves
 * async records (=thread-group-added, *running, =breakpoint-modified…) in any order. Every wait has
 * a timeout whose error shows the end of the transcript.
 */

import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';

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

interface Waiter {
  match: (record: MiRecord, seq: number) => boolean;
  resolve: (seq: number) => void;
  reject: (error: Error) => void;
}

const TRANSCRIPT_TAIL = 40;

export class GdbMi {
  readonly transcript: string[] = [];
  readonly records: MiRecord[] = [];
  private nextToken = 1;
  private pending = '';
  private waiters: Waiter[] = [];
  private exited: Error | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly timeoutMs: number,
  ) {
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => this.onStdout(chunk));
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => this.transcript.push(`stderr: ${chunk.trimEnd()}`));
    child.on('error', (error) => this.fail(new GdbMiError(`gdb failed to start: ${error.message}`, this.tail())));
    child.on('exit', (code, signal) => this.fail(new GdbMiError(`gdb exited (code ${code}, signal ${signal})`, this.tail())));
  }

  static async start(options: GdbMiOptions = {}): Promise<GdbMi> {
    const args = ['--interpreter=mi3', '-nx', '-q', ...(options.elf ? [options.elf] : [])];
    const child = spawn(options.gdbPath ?? 'gdb-multiarch', args, { stdio: 'pipe' });
    const gdb = new GdbMi(child, options.timeoutMs ?? 15_000);
    await gdb.waitFor((record) => record.kind === 'prompt', 0, 'the first (gdb) prompt');
    await gdb.cmd('-gdb-set pagination off');
    await gdb.cmd('-gdb-set confirm off');
    // Lets -exec-interrupt and other commands through while the target runs.
    await gdb.cmd('-gdb-set mi-async on');
    return gdb;
  }

  /** Runs an MI command and returns its result record; ^error throws a GdbMiError. */
  cmd(command: string, timeoutMs = this.timeoutMs): Promise<MiResult> {
    return this.serialize(async () => {
      const { result } = await this.send(command, timeoutMs);
      return result;
    });
  }

  /**
   * Runs an execution command (-exec-continue, -exec-step-instruction…) and resolves with its
   * *stopped record. Other commands (e.g. -exec-interrupt) may be sent while it is pending.
   */
  async run(command: string, timeoutMs = this.timeoutMs): Promise<MiTuple> {
    const seq = await this.serialize(async () => (await this.send(command, timeoutMs)).seq);
    const stopSeq = await this.waitFor(
      (record) => record.kind === 'exec' && record.class === 'stopped',
      seq + 1,
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
      const { seq } = await this.send(`-interpreter-exec console "${quoted}"`, timeoutMs);
      return this.records
        .slice(start, seq)
        .map((record) => (record.kind === 'console' || record.kind === 'target' ? record.text : ''))
        .join('');
    });
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

  private async send(command: string, timeoutMs: number): Promise<{ result: MiResult; seq: number }> {
    const token = this.nextToken++;
    const start = this.records.length;
    this.transcript.push(`-> ${token}${command}`);
    this.child.stdin.write(`${token}${command}\n`);
    const seq = await this.waitFor(
      (record) => record.kind === 'result' && record.token === token,
      start,
      command,
      timeoutMs,
    );
    const record = this.records[seq] as Extract<MiRecord, { kind: 'result' }>;
    if (record.class === 'error') {
      const msg = typeof record.results['msg'] === 'string' ? record.results['msg'] : JSON.stringify(record.results);
      throw new GdbMiError(`${command} failed: ${msg}`, this.tail());
    }
    return { result: { class: record.class, results: record.results }, seq };
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

  private onStdout(chunk: string): void {
    this.pending += chunk;
    let newline: number;
    while ((newline = this.pending.indexOf('\n')) >= 0) {
      const line = this.pending.slice(0, newline).replace(/\r$/, '');
      this.pending = this.pending.slice(newline + 1);
      if (line === '') continue;
      this.transcript.push(line);
      const record = parseMiLine(line);
      const seq = this.records.push(record) - 1;
      for (const waiter of [...this.waiters]) {
        if (waiter.match(record, seq)) {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          waiter.resolve(seq);
        }
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

/** Parses one line of MI output. Lines that are not MI (a program's own output) become `other`. */
export function parseMiLine(line: string): MiRecord {
  if (/^\(gdb\)\s*$/.test(line)) return { kind: 'prompt' };
  const streamKinds = { '~': 'console', '@': 'target', '&': 'log' } as const;
  const streamKind = streamKinds[line[0] as keyof typeof streamKinds];
  if (streamKind && line[1] === '"') {
    const parser = new MiParser(line, 1);
    try {
      return { kind: streamKind, text: parser.cString() };
    } catch {
      return { kind: 'other', line };
    }
  }
  const match = /^(\d*)([\^*+=])([a-zA-Z-]+)/.exec(line);
  if (!match) return { kind: 'other', line };
  const token = match[1] ? Number(match[1]) : null;
  const kinds = { '^': 'result', '*': 'exec', '+': 'status', '=': 'notify' } as const;
  const kind = kinds[match[2] as keyof typeof kinds];
  const parser = new MiParser(line, match[0].length);
  try {
    const results = parser.restResults();
    return { kind, token, class: match[3]!, results };
  } catch {
    return { kind: 'other', line };
  }
}

/** Recursive-descent parser for MI results: name=value, values are c-strings, {tuples} and [lists]. */
class MiParser {
  constructor(
    private readonly text: string,
    private pos: number,
  ) {}

  /** `(,result)*` up to the end of the line. */
  restResults(): MiTuple {
    const tuple: MiTuple = {};
    while (this.pos < this.text.length) {
      this.expect(',');
      const [name, value] = this.result();
      tuple[name] = value;
    }
    return tuple;
  }

  private result(): [string, MiValue] {
    const match = /^[a-zA-Z_][a-zA-Z0-9_-]*/.exec(this.text.slice(this.pos));
    if (!match) throw new Error(`MI: name expected at ${this.pos}`);
    this.pos += match[0].length;
    this.expect('=');
    return [match[0], this.value()];
  }

  private value(): MiValue {
    const c = this.text[this.pos];
    if (c === '"') return this.cString();
    if (c === '{') {
      this.pos++;
      const tuple: MiTuple = {};
      while (this.text[this.pos] !== '}') {
        if (Object.keys(tuple).length > 0) this.expect(',');
        const [name, value] = this.result();
        tuple[name] = value;
      }
      this.pos++;
      return tuple;
    }
    if (c === '[') {
      this.pos++;
      const list: MiValue[] = [];
      while (this.text[this.pos] !== ']') {
        if (list.length > 0) this.expect(',');
        // A list holds either values or name=value results; the names carry nothing extra.
        const next = this.text[this.pos];
        list.push(next === '"' || next === '{' || next === '[' ? this.value() : this.result()[1]);
      }
      this.pos++;
      return list;
    }
    throw new Error(`MI: value expected at ${this.pos}`);
  }

  cString(): string {
    this.expect('"');
    let out = '';
    while (this.pos < this.text.length) {
      const c = this.text[this.pos++]!;
      if (c === '"') return out;
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = this.text[this.pos++]!;
      const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\', a: '\x07', e: '\x1b' };
      if (e in simple) out += simple[e];
      else if (/[0-7]/.test(e)) {
        const octal = /^[0-7]{1,3}/.exec(this.text.slice(this.pos - 1))![0];
        this.pos += octal.length - 1;
        out += String.fromCharCode(parseInt(octal, 8));
      } else out += e;
    }
    throw new Error('MI: unterminated string');
  }

  private expect(c: string): void {
    if (this.text[this.pos] !== c) throw new Error(`MI: "${c}" expected at ${this.pos}`);
    this.pos++;
  }
}
