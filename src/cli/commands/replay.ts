/** `armrr replay ELF LOG`: reproduce a recording with no host input; optionally serve gdb. */
import { readFileSync } from 'node:fs';
import { boardOptionsKey, bootFirmware, fingerprintOf, linuxFingerprintDifferences, readFirmware, type BoardIdentity } from '../../emulator/firmware-boot.js';
import { linuxBootOptions, parseMemorySize, parseRtcBaseOption } from '../machine-options.js';
import { ElfError, parseElf } from '../../emulator/loader/elf.js';
import { identifyKernelImage, KernelImageError } from '../../emulator/boot/kernel-image.js';
import type { OutputSink } from '../../emulator/io/input-port.js';
import type { Machine, RunHooks, StopReason } from '../../emulator/machines/machine.js';
import { MACHINE_NAMES, loadBoard } from '../../emulator/machines/board-registry.js';
import { BufferOutputSink } from '../../emulator/io/live-ports.js';
import { ReplayLogReader } from '../../replay/log-reader.js';
import { ReplayLogError } from '../../replay/errors.js';
import { Replayer, ReplayDivergenceError } from '../../replay/replayer.js';
import { REPLAY_VERSION } from '../../replay/log-format.js';
import { QemuWarpInterpreter } from '../../replay/qemu-log-events.js';
import { CliError, EXIT_BAD_LOG, EXIT_EMULATION, EXIT_USAGE } from '../errors.js';
import { runSession } from '../session-runner.js';
import { processOutputSink } from '../machine-options.js';
import { parseCount } from '../errors.js';
import { DEFAULT_SNAPSHOT_BUDGET_MIB, DEFAULT_SNAPSHOT_INTERVAL } from '../../snapshots/snapshot-defaults.js';
import type { ReplayTimeline } from '../../snapshots/timeline.js';
import type { SnapshotFileTarget } from '../../snapshots/snapshot-file.js';

export interface ReplayCliOptions {
  gdb?: string;
  gdbWs?: string;
  snapshotInterval?: string;
  snapshotBudget?: string;
  saveSnapshots?: boolean;
  quiet?: boolean;
  stateHash?: boolean;
  /** false with --no-jit. */
  jit?: boolean;
  /** false with --no-wasm. */
  wasm?: boolean;
  /** The board options the log was recorded with (virt). */
  cpu?: string;
  memory?: string;
  rtcBase?: string;
  initrd?: string;
  append?: string;
  dtb?: string;
  /** The board and shift of a QEMU recording (QEMU's logs do not record them). */
  machine?: string;
  icountShift?: string;
}

/** The QEMU options a QEMU recording is replayed with (its log holds no fingerprint). */
export interface QemuRecordingOptions {
  machine?: string;
  icountShift?: number;
}

/** Boards whose QEMU recordings armrr replays (their device models match QEMU's event for event). */
const QEMU_LOG_MACHINES = ['mps2-an385', 'mps2-an386'];
/** QEMU 5.1+ (0xe0200a..0xe0200c): virtual timers and warps checkpointed as QEMU 7.2 does. */
const QEMU_LOG_VERSIONS = [0xe0200a, 0xe0200b, 0xe0200c];

export interface OpenedReplayLog {
  reader: ReplayLogReader;
  machine: string;
  icountShift: number;
  /** The board options the fingerprint matched (virt's --cpu/--memory/--rtc-base). */
  board: BoardIdentity;
  /**
   * Where the replay stops: the log's last icount, or, when the log is cut short or damaged before
   * its SHUTDOWN, the icount before the first incomplete one (the events of that icount may be
   * partly lost, so the machine must not execute its instructions).
   */
  endIcount: number;
  /** The log holds every event up to its end (END read, or at least SHUTDOWN): checked at the end. */
  complete: boolean;
  /** Why the log ends without END (cut short), or where it is damaged (`corrupt`), or null. */
  truncated: ReplayLogReader['truncated'];
  /** A QEMU recording: whether QEMU ran with `-icount sleep=on` (warps logged). null for armrr's logs. */
  qemu: { sleep: boolean } | null;
}

/**
 * Refuse firmware that is not a loadable ARM ELF (nor, for virt, a Linux kernel image) before
 * anything is compared with the log.
 */
export function checkFirmwareElf(elfPath: string, image: Uint8Array): void {
  const isElf = image.length >= 4 && image[0] === 0x7f && image[1] === 0x45 && image[2] === 0x4c && image[3] === 0x46;
  try {
    if (isElf) parseElf(image);
    else identifyKernelImage(image);
  } catch (e) {
    // A file that is neither: say what the ELF loader says (the usual case: a wrong path).
    if (e instanceof KernelImageError) {
      try {
        parseElf(image);
      } catch (elfError) {
        if (elfError instanceof ElfError) throw new CliError(`'${elfPath}' is not firmware armrr can load: ${elfError.message}; nor a Linux kernel image: ${e.message}`, EXIT_EMULATION);
      }
    }
    if (e instanceof ElfError) throw new CliError(`'${elfPath}' is not firmware armrr can load: ${e.message}`, EXIT_EMULATION);
    throw e;
  }
}

/** Read a log and find the machine options it was recorded with, from its fingerprint. */
export function openReplayLog(logPath: string, image: Uint8Array, board: BoardIdentity = {}, qemuOptions: QemuRecordingOptions = {}): OpenedReplayLog {
  let data: Uint8Array;
  try {
    data = readFileSync(logPath);
  } catch (e) {
    throw new CliError(`cannot read log '${logPath}': ${(e as Error).message}`, EXIT_BAD_LOG);
  }
  return openReplayLogBytes(data, logPath, image, board, qemuOptions);
}

/** `openReplayLog` on bytes already read (`logPath` only names the log in messages). */
export function openReplayLogBytes(
  bytes: Uint8Array,
  logPath: string,
  image: Uint8Array,
  board: BoardIdentity = {},
  qemuOptions: QemuRecordingOptions = {},
): OpenedReplayLog {
  let reader: ReplayLogReader;
  try {
    reader = new ReplayLogReader(bytes, { strict: 'auto' });
  } catch (e) {
    if (e instanceof ReplayLogError) throw new CliError(e.message, EXIT_BAD_LOG);
    throw e;
  }
  if (reader.fingerprint.every((b) => b === 0)) return openQemuRecording(reader, logPath, qemuOptions);
  if (reader.strict !== true) reader = new ReplayLogReader(bytes, { strict: true });
  if (reader.version !== REPLAY_VERSION) {
    throw new CliError(
      `'${logPath}' is a replay log of version 0x${reader.version.toString(16)}; armrr replays version 0x${REPLAY_VERSION.toString(16)} ` +
        '(use `armrr dump` or `armrr diff` to inspect older logs)',
      EXIT_BAD_LOG,
    );
  }
  for (const machine of MACHINE_NAMES) {
    // Board options that do not fit this machine cannot be what the log was recorded with.
    try {
      boardOptionsKey(machine, board);
    } catch {
      continue;
    }
    for (let shift = 0; shift <= 10; shift++) {
      const fp = fingerprintOf(machine, shift, image, board);
      if (fp.every((b, i) => b === reader.fingerprint[i])) {
        const scan = scanLog(reader.bytes, true);
        return { reader, machine, icountShift: shift, board, ...scan, qemu: null };
      }
    }
  }
  const differs = linuxFingerprintDifferences(reader.fingerprint, image, board);
  if (differs !== undefined && differs.length > 0) {
    throw new CliError(
      `'${logPath}' was recorded with a different Linux boot configuration: ${differs.join(', ')} ${differs.length > 1 ? 'differ' : 'differs'} ` +
        `from the recording's (fingerprint ${hex(reader.fingerprint)}). Replay it with the kernel, --initrd, --append, --dtb and --memory it was recorded with.`,
      EXIT_BAD_LOG,
    );
  }
  throw new CliError(
    `'${logPath}' was recorded with a different firmware or machine configuration (fingerprint ${hex(reader.fingerprint)} matches ` +
      'no machine and --icount-shift for this ELF or kernel). Replay it with the exact ELF or kernel it was recorded with ' +
      '(and the --cpu/--memory/--rtc-base/--initrd/--append/--dtb it was recorded with, for virt).',
    EXIT_BAD_LOG,
  );
}

/**
 * One pass over the log: where the replay must stop, and why if the log ends without END. The
 * replay's own reader only discovers a problem when its cursor gets there, too late to warn first.
 */
function scanLog(bytes: Uint8Array, strict: boolean): Pick<OpenedReplayLog, 'endIcount' | 'complete' | 'truncated'> & { warpAccounts: boolean } {
  const r = new ReplayLogReader(bytes, { strict });
  let last: string | null = null;
  let warpAccounts = false;
  for (;;) {
    // INSTRUCTION events without an object each (a long RTOS log holds millions).
    const before = r.nextIndex;
    r.skipInstructions();
    if (r.nextIndex !== before) last = 'INSTRUCTION';
    const e = r.next();
    if (e === null) break;
    last = e.event.kind;
    if (e.event.kind === 'CHECKPOINT' && e.event.checkpoint === 'CLOCK_WARP_ACCOUNT') warpAccounts = true;
  }
  const reached = r.position().icount;
  // Everything of the last icount is known once SHUTDOWN was read (only END may follow it).
  const complete = r.truncated === null || last === 'SHUTDOWN' || last === 'END';
  return { endIcount: complete ? reached : Math.max(0, reached - 1), complete, truncated: r.truncated, warpAccounts };
}

/**
 * A log without a fingerprint was recorded by QEMU (`-icount shift=N,rr=record`): it names neither
 * the board nor the shift, so the user gives QEMU's options. A wrong ELF or option shows up as a
 * divergence at the first event that disagrees.
 */
function openQemuRecording(reader: ReplayLogReader, logPath: string, opts: QemuRecordingOptions): OpenedReplayLog {
  const machine = opts.machine ?? 'mps2-an385';
  if (!QEMU_LOG_MACHINES.includes(machine)) {
    throw new CliError(
      `'${logPath}' was recorded by QEMU; armrr replays QEMU recordings of ${QEMU_LOG_MACHINES.join(' and ')} only ` +
        `(its models of ${machine} do not match QEMU's event for event). Record with \`armrr record --machine ${machine}\` instead.`,
      EXIT_USAGE,
    );
  }
  if (opts.icountShift === undefined) {
    throw new CliError(
      `'${logPath}' was recorded by QEMU, whose logs do not record the icount shift: give the shift QEMU ran with, ` +
        "as --icount-shift N for QEMU's -icount shift=N (and --machine for its -M, mps2-an385 by default)",
      EXIT_USAGE,
    );
  }
  if (!QEMU_LOG_VERSIONS.includes(reader.version)) {
    throw new CliError(
      `'${logPath}' is a QEMU replay log of version 0x${reader.version.toString(16)} (before QEMU 5.1): its virtual-timer ` +
        'checkpoints do not follow the rules armrr replays (QEMU 5.1 to 7.2+, versions 0xe0200a-0xe0200c); ' +
        '`armrr dump` and `armrr diff` still read it.',
      EXIT_BAD_LOG,
    );
  }
  const { warpAccounts, ...scan } = scanLog(reader.bytes, false);
  // Only sleep=on writes CHECKPOINT_CLOCK_WARP_ACCOUNT (QEMU does it on every turn of its CPU loop).
  return { reader, machine, icountShift: opts.icountShift, board: {}, ...scan, qemu: { sleep: warpAccounts } };
}

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

/** Say before the replay what is wrong with the log and how far it will go. */
export function describeLogProblem(log: OpenedReplayLog): string | null {
  const t = log.truncated;
  if (t === null) return null;
  return t.corrupt
    ? `armrr: ${t.message}\narmrr: replaying up to the damage (icount ${log.endIcount}), then exiting with status ${EXIT_BAD_LOG}\n`
    : `armrr: warning: ${t.message}\narmrr: replaying up to the last whole event (icount ${log.endIcount})\n`;
}

export interface BootedReplay {
  machine: Machine;
  replayer: Replayer;
  hooks: RunHooks;
}

/** The log's board must be loaded (`loadBoard(log.machine)`, or every board through emulator/boot.js). */
export function bootReplay(image: Uint8Array, log: OpenedReplayLog, output: OutputSink, jit?: boolean, wasm?: boolean): BootedReplay {
  const replayer = new Replayer(log.reader, output, log.qemu === null ? null : new QemuWarpInterpreter(log.qemu.sleep));
  const { machine } = bootFirmware(image, {
    machine: log.machine,
    icountShift: log.icountShift,
    ...replayer.ports,
    jit: jit === false ? false : undefined,
    wasm: wasm === false ? false : undefined,
    ...log.board,
  });
  return { machine, replayer, hooks: replayer.attach(machine) };
}

export interface ReplayRunOptions {
  /** Hooks to run with instead of the replayer's own (a timeline wrapping them). */
  hooks?: RunHooks;
  /** Polled between run slices: a signal name stops the replay (exit 128 + its number). */
  stopRequested?: () => NodeJS.Signals | null;
  /** Diagnostics, one line each (the CLI writes them to stderr with an `armrr: ` prefix). */
  say: (line: string) => void;
}

const SIGNAL_EXIT: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

/**
 * Runs a booted replay to the log's end and returns the exit status: the guest's exit code, 0 at
 * the end of the log, 3 on a divergence or a damaged log, 128 + n when stopped by signal n.
 * Only typed errors of the emulator escape (the CLI reports them as bad firmware).
 */
export async function runReplayToEnd(booted: BootedReplay, log: OpenedReplayLog, opts: ReplayRunOptions): Promise<number> {
  const { machine, replayer } = booted;
  let signal: NodeJS.Signals | null = null;
  try {
    const stop = await runSession(machine, {
      maxIcount: log.endIcount,
      hooks: opts.hooks ?? booted.hooks,
      stopRequested: () => (signal = opts.stopRequested?.() ?? null) !== null,
    });
    if (signal !== null) {
      opts.say(`replay stopped by ${signal} at icount ${machine.icount} of ${log.endIcount}`);
      return SIGNAL_EXIT[signal] ?? 128;
    }
    if (stop.kind === 'exit') replayer.onGuestExit();
    else if (stop.kind === 'limit' && log.complete) replayer.onLogEnd();
    else if (stop.kind !== 'limit') {
      opts.say(
        `replay stopped (${describeStopKind(stop)}) at icount ${machine.icount} before the log's end (${log.endIcount}); ` +
          `the log expects ${replayer.describeNext()}`,
      );
      return EXIT_BAD_LOG;
    }
    if (log.truncated?.corrupt === true) {
      opts.say(`${log.truncated.message}`);
      return EXIT_BAD_LOG;
    }
    return stop.kind === 'exit' ? stop.code : 0;
  } catch (e) {
    if (e instanceof ReplayDivergenceError || e instanceof ReplayLogError) {
      opts.say(e.message);
      return EXIT_BAD_LOG;
    }
    throw e;
  }
}

function describeStopKind(stop: StopReason): string {
  switch (stop.kind) {
    case 'halt': return stop.reason;
    case 'lockup': return `guest locked up at pc 0x${stop.pc.toString(16)}`;
    case 'idle': return 'guest idle with nothing left to wake it';
    default: return stop.kind;
  }
}

export async function replayCommand(elfPath: string, logPath: string, opts: ReplayCliOptions): Promise<void> {
  const image = readFirmware(elfPath);
  checkFirmwareElf(elfPath, image);
  const board: BoardIdentity = {
    cpu: opts.cpu,
    memoryBytes: opts.memory === undefined ? undefined : parseMemorySize(opts.memory),
    rtcBase: parseRtcBaseOption(opts.rtcBase),
    ...linuxBootOptions(opts),
  };
  const log = openReplayLog(logPath, image, board, {
    machine: opts.machine,
    icountShift: opts.icountShift === undefined ? undefined : parseShift(opts.icountShift),
  });
  const problem = describeLogProblem(log);
  if (problem !== null) process.stderr.write(problem);
  // The snapshot modules load only when snapshots are wanted (start-up time of a plain replay).
  const files = opts.saveSnapshots ? await import('../../snapshots/snapshot-file.js') : undefined;
  const snapshotFile: SnapshotFileTarget | undefined = files
    ? {
        path: files.snapshotFilePath(logPath),
        identity: { ...files.logIdentity(log.reader.bytes, log.reader.fingerprint), firmwareSha256: files.firmwareIdentity(log.machine, log.icountShift, image) },
      }
    : undefined;
  await loadBoard(log.machine);
  const booted = bootReplay(image, log, opts.quiet ? new BufferOutputSink() : processOutputSink(), opts.jit, opts.wasm);
  const { machine, replayer, hooks } = booted;
  if (opts.gdb !== undefined || opts.gdbWs !== undefined) {
    const { serveReplayGdb } = await import('../gdb-replay.js');
    await serveReplayGdb({ machine, replayer, hooks, endIcount: log.endIcount, elfPath, logPath, logBytes: log.reader.bytes, opts, snapshotFile });
    return;
  }
  // --save-snapshots on a plain replay: take the periodic snapshots a gdb session would, so the
  // next `replay --gdb` of this log starts with them.
  let timeline: ReplayTimeline | null = null;
  if (files !== undefined && snapshotFile !== undefined) {
    const so = snapshotOptions(opts);
    const { ReplayTimeline } = await import('../../snapshots/timeline.js');
    timeline = new ReplayTimeline(machine, hooks, () => replayer.position(), (at) => replayer.restore(at), {
      interval: so.interval,
      budgetBytes: so.budgetMiB * 1048576,
      endIcount: log.endIcount,
      onOverBudget: overBudgetWarning(),
    });
    const n = files.loadTimelineSnapshots(timeline.store, snapshotFile, (m) => process.stderr.write(`armrr: warning: ${m}\n`));
    if (n > 0) process.stderr.write(`armrr: loaded ${n} snapshots from '${snapshotFile.path}'\n`);
  }
  // Plain replay ends on SIGINT/SIGTERM/SIGHUP at the next run slice, with a message.
  let signalled: NodeJS.Signals | null = null;
  const onSignal = (sig: NodeJS.Signals): void => {
    signalled = sig;
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const sig of signals) process.on(sig, onSignal);
  try {
    const code = await runReplayToEnd(booted, log, {
      hooks: timeline === null ? hooks : timeline.hooks(),
      stopRequested: () => signalled,
      say: (line) => process.stderr.write(`armrr: ${line}\n`),
    });
    if (timeline !== null && files !== undefined && snapshotFile !== undefined && signalled === null) {
      const bytes = files.saveTimelineSnapshots(timeline.store, snapshotFile);
      process.stderr.write(
        `armrr: saved ${timeline.store.snapshots.length} snapshots (${(bytes / 1048576).toFixed(1)} MiB) to '${snapshotFile.path}'\n`,
      );
    }
    if (opts.stateHash) process.stderr.write(`armrr: state hash ${machine.stateHash()} at icount ${machine.icount}\n`);
    process.exitCode = code;
  } finally {
    for (const sig of signals) process.off(sig, onSignal);
  }
}

/**
 * The warning for a snapshot budget that cannot hold even the base snapshot and the newest one
 * (SnapshotStoreOptions.onOverBudget), said once on stderr; `option` names how to set the budget.
 */
export function overBudgetWarning(option = '--snapshot-budget'): (bytes: number, budgetBytes: number) => void {
  return (bytes, budgetBytes) => {
    const mib = (b: number): number => Math.ceil(b / 1048576);
    process.stderr.write(
      `armrr: warning: snapshots need ${mib(bytes)} MiB, over the ${mib(budgetBytes)} MiB snapshot budget: the base snapshot and the ` +
        'newest one (every page written since the start) cannot be dropped, so the budget is exceeded and no older snapshots are kept. ' +
        `Set ${option} well above ${mib(bytes)} MiB (the need grows with the memory the guest writes).\n`,
    );
  };
}

/** --snapshot-interval / --snapshot-budget, with the defaults chosen by benchmark (BENCHMARKS.md). */
export function snapshotOptions(opts: ReplayCliOptions): { interval: number; budgetMiB: number } {
  const interval = opts.snapshotInterval ? parseCount('--snapshot-interval', opts.snapshotInterval) : DEFAULT_SNAPSHOT_INTERVAL;
  const budgetMiB = opts.snapshotBudget ? parseCount('--snapshot-budget', opts.snapshotBudget) : DEFAULT_SNAPSHOT_BUDGET_MIB;
  if (interval < 1) throw new CliError('--snapshot-interval must be at least 1');
  return { interval, budgetMiB };
}

function parseShift(text: string): number {
  const n = parseCount('--icount-shift', text);
  if (n > 10) throw new CliError(`--icount-shift must be 0..10 (QEMU's -icount shift=N), got ${text}`);
  return n;
}
