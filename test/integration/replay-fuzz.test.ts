/**
 * Replay-log fuzzing (issue 12): mutated recordings of several firmware (timers and interrupts,
 * faults, UART input, semihosting console input, host clock reads) are replayed and dumped.
 *
 * Every replay must end (a loop-progress guard turns a spin inside Machine.run into a failure
 * instead of a hung test; a generous wall-clock guard only detects, it asserts no speed), nothing
 * but the typed outcomes may come out (no other error escapes, no stack trace on the CLI), and the
 * exit status must fit what the mutation made of the log (support/replay-log-mutation.ts
 * `classify`, from an independent decoder): 0 for the original's byte prefixes, 3 for damage, the
 * original's status for the original bytes. A mutation can also make a valid recording of another
 * run: another input value, a duplicated range of whole events that is a repeated input cycle (one
 * more character typed), a recording stopped earlier. So whenever a replay accepts a log that is
 * neither the original nor a prefix of it, the log is recorded again with its own inputs at its own
 * icounts (scripted ports, the real Recorder): the replay was right only if that recording
 * reproduces the log byte for byte (for a log cut short: its whole events).
 *
 * The bulk runs in-process through the functions `armrr replay` and `armrr dump` use
 * (openReplayLogBytes, Replayer, runReplayToEnd; dumpLog); only the boot differs: booting a board
 * costs ~0.1 s (page tables, RAM), so each firmware is booted once and every replay starts from a
 * snapshot of it at icount 0, the same state by invariant I2. A sample runs through bin/armrr.js,
 * boot included, for exit statuses and stderr. Reproduce with ARMRR_FUZZ_SEED=<seed>
 * (ARMRR_FUZZ_LOGS=<n> for fewer logs while debugging).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootFirmware, fingerprintOf } from '../../src/emulator/boot.js';
import { BufferOutputSink, LiveHostPort, NoSerialInput, PacedSerialInput } from '../../src/emulator/io/live-ports.js';
import type { OutputSink } from '../../src/emulator/io/input-port.js';
import type { Machine, RunHooks } from '../../src/emulator/machines/machine.js';
import { Replayer } from '../../src/replay/replayer.js';
import { SnapshotStore, type Snapshot } from '../../src/snapshots/snapshot-store.js';
import { Recorder } from '../../src/replay/recorder.js';
import { ReplayLogWriter } from '../../src/replay/log-writer.js';
import { dumpLog } from '../../src/replay/dump.js';
import {
  bootReplay,
  describeLogProblem,
  openReplayLogBytes,
  runReplayToEnd,
  type BootedReplay,
  type OpenedReplayLog,
} from '../../src/cli/commands/replay.js';
import { CliError } from '../../src/cli/errors.js';
import { runSession } from '../../src/cli/session-runner.js';
import { armrrCli } from '../support/armrr-run.js';
import { elfPath, ensureFirmware } from '../support/firmware.js';
import {
  MUTATIONS,
  allowedExits,
  classify,
  decodeArmrrLog,
  mutate,
  seededRandom,
  type DecodedLog,
  type Expectation,
} from '../support/replay-log-mutation.js';

const SEED = Number(process.env['ARMRR_FUZZ_SEED'] ?? 0x12c0ffee);
const IN_PROCESS_LOGS = Number(process.env['ARMRR_FUZZ_LOGS'] ?? 10_000);
const CLI_REPLAYS = 140;
const CLI_DUMPS = 60;
const WALL_GUARD_MS = 60_000;
/** Loop iterations at one icount before the run counts as spinning (a real boundary needs a handful). */
const SPIN_GUARD = 100_000;

interface Subject {
  name: string;
  bench: ReplayBench;
  elf: string;
  image: Uint8Array;
  log: Uint8Array;
  decoded: DecodedLog;
  output: string;
  exitCode: number;
  /** Share of the mutated logs (the cheap, event-dense recordings get more). */
  weight: number;
}

const SUBJECTS: { name: string; weight: number; uart?: string; console?: string }[] = [
  { name: 'irq-timers-O2', weight: 3 },
  { name: 'faults-O2', weight: 2 },
  { name: 'uart-echo-O2', weight: 2, uart: 'Hello, armrr! 0123 xyz\nq' },
  { name: 'semihost-input-O2', weight: 2, console: 'abc\nline two\nthree four five\n' },
  { name: 'newlib-demo-O2', weight: 1 },
];

/** Records in-process as `armrr record` does, with scripted UART and semihosting console input. */
async function record(image: Uint8Array, uart?: string, consoleText?: string): Promise<{ log: Uint8Array; output: string; exitCode: number }> {
  const writer = ReplayLogWriter.inMemory(fingerprintOf('mps2-an385', 5, image));
  const pending = Buffer.from(consoleText ?? '');
  let consumed = 0;
  const consoleInput = {
    read(max: number): Uint8Array | null {
      if (consumed >= pending.length) return null;
      // Line by line, as a terminal delivers it.
      const nl = pending.indexOf(0x0a, consumed);
      const n = Math.min(max, (nl < 0 ? pending.length : nl + 1) - consumed);
      const chunk = pending.subarray(consumed, consumed + n);
      consumed += n;
      return new Uint8Array(chunk);
    },
  };
  const output = new BufferOutputSink();
  const recorder = new Recorder(writer, {
    serial: uart === undefined ? new NoSerialInput() : new PacedSerialInput(Buffer.from(uart)),
    host: new LiveHostPort(consoleInput),
    output,
  });
  const { machine } = bootFirmware(image, { machine: 'mps2-an385', icountShift: 5, ...recorder.ports });
  const hooks = recorder.attach(machine);
  const stop = await runSession(machine, { maxIcount: 50_000_000, hooks });
  if (stop.kind !== 'exit') throw new Error(`recording did not end with a guest exit: ${JSON.stringify(stop)}`);
  recorder.finish('GUEST_SHUTDOWN');
  writer.close(machine.icount);
  return { log: writer.bytes(), output: Buffer.from(output.bytes).toString('latin1'), exitCode: stop.code };
}

/**
 * One booted machine per firmware, replayed many times: ports that forward to the current log's
 * Replayer, and a snapshot at icount 0 restored before each replay.
 */
class ReplayBench {
  private replayer: Replayer | null = null;
  readonly machine: Machine;
  private readonly store: SnapshotStore;
  private readonly start: Snapshot;

  constructor(readonly image: Uint8Array) {
    const r = (): Replayer => this.replayer!;
    const { machine } = bootFirmware(image, {
      machine: 'mps2-an385',
      icountShift: 5,
      serial: {
        poll: (d, now, idle) => r().ports.serial.poll(d, now, idle),
        exhausted: (d) => r().ports.serial.exhausted(d),
        nextDueIcount: (d, now) => r().ports.serial.nextDueIcount(d, now),
      },
      host: {
        hostClockNs: () => r().ports.host.hostClockNs(),
        consoleRead: (max) => r().ports.host.consoleRead(max),
        fileRead: (h, max) => r().ports.host.fileRead(h, max),
      },
      output: {
        uartWrite: (d, b) => r().ports.output.uartWrite(d, b),
        consoleWrite: (data, stream) => r().ports.output.consoleWrite(data, stream),
      },
    });
    this.machine = machine;
    this.store = new SnapshotStore(machine, () => null, () => {}, { budgetBytes: 1 << 30 });
    this.start = this.store.capture();
  }

  /** bootReplay's result, from the snapshot instead of a new board. */
  boot(log: OpenedReplayLog, output: OutputSink): BootedReplay {
    if (log.machine !== 'mps2-an385' || log.icountShift !== 5) return bootReplay(this.image, log, output);
    this.store.restore(this.start);
    const replayer = new Replayer(log.reader, output);
    this.replayer = replayer;
    return { machine: this.machine, replayer, hooks: replayer.attach(this.machine) };
  }
}

class SpinDetected extends Error {
  override readonly name = 'SpinDetected';
}

/** Fails the run (instead of hanging the test) when the loop keeps coming back to one icount. */
function spinGuard(hooks: RunHooks): RunHooks {
  let at = -1;
  let spins = 0;
  return {
    ...hooks,
    atBoundary: (icount) => {
      if (icount !== at) {
        at = icount;
        spins = 0;
      } else if (++spins > SPIN_GUARD) {
        throw new SpinDetected(`the run loop came back to icount ${icount} ${SPIN_GUARD} times without progress`);
      }
      hooks.atBoundary?.(icount);
    },
  };
}

interface ReplayOutcome {
  code: number;
  output: string;
  messages: string[];
}

/** What `armrr replay` does with the log, in-process (openReplayLog → bootReplay → runReplayToEnd). */
async function replayInProcess(subject: Subject, bytes: Uint8Array): Promise<ReplayOutcome> {
  const messages: string[] = [];
  let log;
  try {
    log = openReplayLogBytes(bytes, 'mutated.rrlog', subject.image);
  } catch (e) {
    if (e instanceof CliError) return { code: e.exitCode, output: '', messages: [e.message] };
    throw e;
  }
  const problem = describeLogProblem(log);
  if (problem !== null) messages.push(problem);
  const out = new BufferOutputSink();
  const booted = subject.bench.boot(log, out);
  const started = performance.now();
  const code = await runReplayToEnd(booted, log, {
    hooks: spinGuard(booted.hooks),
    say: (line) => messages.push(line),
    stopRequested: () => (performance.now() - started > WALL_GUARD_MS ? 'SIGALRM' : null),
  });
  return { code, output: Buffer.from(out.bytes).toString('latin1'), messages };
}

/**
 * Records `subject` again with the inputs `log` holds, at the icounts it holds them, and says
 * whether that reproduces the log (a log cut short: its whole events), i.e. whether `log` is a
 * valid recording of some run.
 */
async function rerecordReproduces(subject: Subject, log: Uint8Array): Promise<boolean> {
  const decoded = decodeArmrrLog(log);
  if (decoded.status === 'corrupt' || log.length < 12) return false;
  const dv = new DataView(log.buffer, log.byteOffset, log.byteLength);
  const uart: { icount: number; device: number; byte: number }[] = [];
  const host: ({ clock: number } | { data: Uint8Array | null })[] = [];
  for (const e of decoded.events) {
    if (e.id === 7) uart.push({ icount: e.icount, device: log[e.start + 1]!, byte: log[e.start + 6]! });
    else if (e.id === 28) host.push({ clock: Number(dv.getBigInt64(e.start + 1)) });
    else if (e.id === 23) host.push({ data: log.slice(e.start + 5, e.end) });
    else if (e.id === 24) host.push({ data: null });
  }
  let ui = 0;
  let hi = 0;
  const writer = ReplayLogWriter.inMemory(log.slice(4, 12));
  let machineRef: Machine | null = null;
  const recorder = new Recorder(writer, {
    serial: {
      poll(device) {
        const e = uart[ui];
        if (e === undefined || e.device !== device || e.icount !== machineRef!.icount) return -1;
        ui++;
        return e.byte;
      },
      exhausted: () => ui >= uart.length,
      nextDueIcount: (device) => (uart[ui]?.device === device ? uart[ui]!.icount : Infinity),
    },
    host: {
      hostClockNs: () => {
        const h = host[hi++];
        return h !== undefined && 'clock' in h ? h.clock : 0;
      },
      consoleRead: () => {
        const h = host[hi++];
        return h !== undefined && 'data' in h ? h.data : null;
      },
      fileRead: () => null,
    },
    output: new BufferOutputSink(),
  });
  const { machine } = bootFirmware(subject.image, { machine: 'mps2-an385', icountShift: 5, ...recorder.ports });
  machineRef = machine;
  const hooks = recorder.attach(machine);
  const last = decoded.events.at(-1);
  const stoppedAt = decoded.status === 'ok' && decoded.events.at(-2)?.id === 14 ? decoded.events.at(-2)!.icount : null;
  const whole = decoded.status === 'ok' ? log.length : (last?.end ?? 12);
  try {
    const stop = await runSession(machine, { maxIcount: stoppedAt ?? 50_000_000, hooks });
    recorder.finish(stop.kind === 'exit' ? 'GUEST_SHUTDOWN' : 'HOST_SIGNAL');
    writer.close(machine.icount);
  } catch {
    return false; // the recorder refused what the scripted inputs made of the run
  }
  const again = writer.bytes();
  if (decoded.status === 'ok' ? again.length !== log.length : again.length < whole) return false;
  // Host clock readings reach the guest as doubles (HostPort.hostClockNs): a logged value a double
  // cannot hold is what its nearest double records.
  const clockAt = new Set(decoded.events.filter((e) => e.id === 28).map((e) => e.start + 1));
  const againDv = new DataView(again.buffer, again.byteOffset, again.byteLength);
  for (let i = 0; i < whole; i++) {
    if (clockAt.has(i)) {
      if (Number(againDv.getBigInt64(i)) !== Number(dv.getBigInt64(i))) return false;
      i += 7;
    } else if (again[i] !== log[i]) {
      return false;
    }
  }
  return true;
}

async function checkOutcome(subject: Subject, expectation: Expectation, mutated: Uint8Array, outcome: ReplayOutcome): Promise<string | null> {
  if (outcome.code !== 3 && (expectation === 'damaged' || expectation === 'other-input' || expectation === 'shorter-recording')) {
    // Accepted: right only if the log is a valid recording of another run.
    if (!(await rerecordReproduces(subject, mutated))) return `exit ${outcome.code}, but recording with the log's inputs does not reproduce it (${expectation})`;
    return null;
  }
  const allowed = allowedExits(expectation, subject.exitCode);
  if (!allowed.includes(outcome.code)) return `exit ${outcome.code}, expected ${allowed.join(' or ')} (${expectation})`;
  if (expectation === 'identical' && outcome.output !== subject.output) return 'output differs from the recording';
  if ((expectation === 'prefix' || expectation === 'shorter-recording') && !subject.output.startsWith(outcome.output)) {
    return 'output is not a prefix of the recording';
  }
  if (outcome.code === 3 && outcome.messages.length === 0) return 'exit 3 without a message';
  return null;
}

let dir: string;
const subjects: Subject[] = [];
const mutants: { subject: Subject; what: string; bytes: Uint8Array; expectation: Expectation }[] = [];

beforeAll(async () => {
  ensureFirmware();
  dir = mkdtempSync(join(tmpdir(), 'armrr-fuzz-'));
  for (const s of SUBJECTS) {
    const elf = elfPath(s.name.replace(/-O.$/, ''), s.name.slice(-2));
    const image = new Uint8Array(readFileSync(elf));
    const rec = await record(image, s.uart, s.console);
    const decoded = decodeArmrrLog(rec.log);
    if (decoded.status !== 'ok') throw new Error(`the recording of ${s.name} does not decode (${decoded.status})`);
    subjects.push({ name: s.name, elf, image, bench: new ReplayBench(image), ...rec, decoded, weight: s.weight });
  }
  const rnd = seededRandom(SEED);
  const total = subjects.reduce((n, s) => n + s.weight, 0);
  for (let i = 0; i < IN_PROCESS_LOGS; i++) {
    let pick = rnd() * total;
    const subject = subjects.find((s) => (pick -= s.weight) < 0) ?? subjects[0]!;
    const m = mutate(subject.log, MUTATIONS[Math.floor(rnd() * MUTATIONS.length)]!, rnd);
    mutants.push({ subject, what: `${m.kind}: ${m.what}`, bytes: m.bytes, expectation: classify(subject.log, subject.decoded, m.bytes) });
  }
}, 300_000);
afterAll(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe(`replay-log fuzzing (seed ${SEED})`, () => {
  it('the recordings hold what the fuzzing is meant to exercise', () => {
    const ids = (name: string): Set<number> => new Set(subjects.find((s) => s.name === name)!.decoded.events.map((e) => e.id));
    expect(ids('uart-echo-O2').has(7)).toBe(true); // ASYNC_CHAR_READ
    expect(ids('semihost-input-O2').has(23)).toBe(true); // CHAR_READ_ALL
    expect(ids('semihost-input-O2').has(28)).toBe(true); // CLOCK_HOST
    expect(ids('irq-timers-O2').has(1)).toBe(true); // INTERRUPT
    expect(ids('faults-O2').has(2)).toBe(true); // EXCEPTION
    // Every class occurs, so no branch of the oracle is vacuous.
    const classes = new Set(mutants.map((m) => m.expectation));
    for (const c of ['prefix', 'damaged', 'other-input'] as const) expect(classes.has(c) || IN_PROCESS_LOGS < 5000).toBe(true);
  });

  it(`${IN_PROCESS_LOGS} mutated logs replay in-process: no hang, only typed outcomes, the right exit status`, async () => {
    const failures: string[] = [];
    const tally = new Map<string, number>();
    for (const m of mutants) {
      let problem: string | null;
      try {
        const outcome = await replayInProcess(m.subject, m.bytes);
        problem = await checkOutcome(m.subject, m.expectation, m.bytes, outcome);
        if (problem !== null) problem += `; messages: ${outcome.messages.join(' | ')}`;
        const key = `${m.expectation}:${outcome.code === 3 ? 3 : 'accepted'}`;
        tally.set(key, (tally.get(key) ?? 0) + 1);
      } catch (e) {
        problem = `threw ${(e as Error).name}: ${(e as Error).message}`;
      }
      if (problem !== null) failures.push(`${m.subject.name} ${m.what}: ${problem}`);
    }
    expect(failures.slice(0, 20)).toEqual([]);
    // Most mutations must be caught as damage: the log is checked, not just decoded.
    console.log(`replay outcomes by class (seed ${SEED}): ${JSON.stringify(Object.fromEntries(tally))}`);
    expect(tally.get('damaged:3') ?? 0).toBeGreaterThan(IN_PROCESS_LOGS / 2);
  }, 600_000);

  it(`${IN_PROCESS_LOGS} mutated logs dump in-process: exit 3 exactly for damage, diagnostics apart from the dump`, () => {
    const failures: string[] = [];
    for (const m of mutants) {
      let problem: string | null = null;
      try {
        const out = dumpLog(m.bytes, { strict: 'auto' });
        // With the version intact and a fingerprint, dump reads by armrr's rules: damage (exit 3)
        // exactly where the independent decoder finds it; a log cut short is a warning (exit 0).
        // Another version or no fingerprint is read by that version's rules: only consistency.
        const armrrHeader =
          m.bytes.length >= 12 && m.bytes.subarray(0, 4).every((v, i) => v === m.subject.log[i]) && m.bytes.subarray(4, 12).some((v) => v !== 0);
        if (m.bytes.length < 12 && !out.corrupt) problem = 'a log shorter than its header is not refused';
        if (armrrHeader) {
          const expectCorrupt = decodeArmrrLog(m.bytes).status === 'corrupt';
          if (out.corrupt !== expectCorrupt) problem = `corrupt=${out.corrupt}, expected ${expectCorrupt}: ${out.diagnostics.join(' | ')}`;
        }
        if (out.lines.some((l) => /^(error|warning): /.test(l))) problem = 'a diagnostic among the dump lines';
        if (out.ok !== (out.diagnostics.length === 0)) problem = 'ok and diagnostics disagree';
      } catch (e) {
        problem = `threw ${(e as Error).name}: ${(e as Error).message}`;
      }
      if (problem !== null) failures.push(`${m.subject.name} ${m.what}: ${problem}`);
    }
    expect(failures.slice(0, 20)).toEqual([]);
  }, 600_000);

  it(`${CLI_REPLAYS} replays and ${CLI_DUMPS} dumps through bin/armrr.js: exit statuses, messages on stderr, no stack trace`, async () => {
    const rnd = seededRandom(SEED ^ 0x5a5a5a5a);
    const sample = Array.from({ length: CLI_REPLAYS + CLI_DUMPS }, () => mutants[Math.floor(rnd() * mutants.length)]!);
    const failures: string[] = [];
    const run = async (k: number): Promise<void> => {
      const m = sample[k]!;
      const file = join(dir, `m${k}.rrlog`);
      writeFileSync(file, m.bytes);
      const replay = k < CLI_REPLAYS;
      const r = await armrrCli(replay ? ['replay', m.subject.elf, file] : ['dump', file]);
      const where = `${replay ? 'replay' : 'dump'} ${m.subject.name} ${m.what}`;
      if (/^\s+at .+:\d+:\d+\)?$/m.test(r.stderr) || r.stderr.includes('internal error')) failures.push(`${where}: stack trace: ${r.stderr}`);
      if (replay) {
        const allowed = allowedExits(m.expectation, m.subject.exitCode);
        if (r.code !== 3 && m.expectation !== 'identical' && m.expectation !== 'prefix') {
          if (!(await rerecordReproduces(m.subject, m.bytes))) failures.push(`${where}: exit ${r.code} for a log no run records`);
        } else if (!allowed.includes(r.code)) {
          failures.push(`${where}: exit ${r.code}, expected ${allowed.join(' or ')}: ${r.stderr}`);
        }
        if (r.code === 3 && !/^armrr: /m.test(r.stderr)) failures.push(`${where}: exit 3 without a message on stderr`);
      } else {
        if (r.code !== 0 && r.code !== 3) failures.push(`${where}: exit ${r.code}`);
        if (/^(armrr: )?(error|warning): /m.test(r.stdout)) failures.push(`${where}: a diagnostic on stdout`);
        if (r.code === 3 && !/^armrr: error: /m.test(r.stderr)) failures.push(`${where}: exit 3 without an error on stderr: ${r.stderr}`);
      }
    };
    // Two at a time: the machine's two cores.
    let next = 0;
    await Promise.all([0, 1].map(async () => {
      while (next < sample.length) await run(next++);
    }));
    expect(failures.slice(0, 20)).toEqual([]);
  }, 900_000);
});

describe('every replay ends: an event the machine never produces is a divergence, not a spin', () => {
  const subject = (): Subject => subjects.find((s) => s.name === 'irq-timers-O2')!;
  const insertAt = (log: Uint8Array, at: number, bytes: number[]): Uint8Array =>
    Uint8Array.from([...log.subarray(0, at), ...bytes, ...log.subarray(at)]);
  // After the header (12 bytes), CHECKPOINT_INIT and CHECKPOINT_RESET: icount 0, event 3.
  const AFTER_START = 14;
  const WHERE = /\(byte offset 14, event 3, icount 0\)/;

  it.each([
    ['an INTERRUPT nothing raises', [1], /expects INTERRUPT at icount 0 .*, but the machine takes no interrupt here/],
    ['a CHECKPOINT_CLOCK_VIRTUAL with no timer due', [34], /expects CHECKPOINT_CLOCK_VIRTUAL at icount 0 .*, but the machine has no virtual timer due here/],
    ['a byte for a UART that does not exist', [7, 5, 0, 0, 0, 1, 0x41], /expects ASYNC_CHAR_READ\(device 5, 1 bytes\) at icount 0 .*, but the machine cannot take the byte: UART5/],
    ['a second CHECKPOINT_INIT', [37], /expects CHECKPOINT_INIT at icount 0 .*, but the machine never produces this checkpoint after the start/],
  ])('%s', async (_what, bytes, message) => {
    const outcome = await replayInProcess(subject(), insertAt(subject().log, AFTER_START, bytes));
    expect(outcome.code).toBe(3);
    expect(outcome.messages.join('\n')).toMatch(message);
    expect(outcome.messages.join('\n')).toMatch(WHERE);
  });

  it('bit flips in INSTRUCTION counts (the issue\'s d[497] ^= 4): a divergence naming icount, event and offset', async () => {
    const s = subject();
    const counts = s.decoded.events.filter((e) => e.id === 0).slice(0, 80);
    expect(counts.length).toBe(80);
    for (const e of counts) {
      for (const bit of [0, 2, 7]) {
        const log = s.log.slice();
        log[e.start + 4]! ^= 1 << bit;
        const outcome = await replayInProcess(s, log);
        expect(outcome.code, `flip bit ${bit} of the count at ${e.start}`).toBe(3);
        expect(outcome.messages.join('\n')).toMatch(
          /replay diverged at icount \d+: the log expects .* \(byte offset \d+, event \d+, icount \d+\), but the machine |INSTRUCTION count 0: .* \(byte offset \d+, event \d+, icount \d+\)/,
        );
      }
    }
  });

  it('a SHUTDOWN in the middle is damage where the next event starts', async () => {
    const outcome = await replayInProcess(subject(), insertAt(subject().log, AFTER_START, [14]));
    expect(outcome.code).toBe(3);
    expect(outcome.messages.join('\n')).toMatch(/an event after SHUTDOWN.*\(byte offset 15, event 4, icount 0\)/);
  });
});
