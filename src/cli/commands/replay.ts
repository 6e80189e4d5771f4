/** `armrr replay ELF LOG`: reproduce a recording with no host input; optionally serve gdb. */
import { boardOptionsKey, bootFirmware, fingerprintOf, readFirmware, type BoardIdentity } from '../../emulator/boot.js';
import { parseMemorySize, parseRtcBaseOption } from '../machine-options.js';
import { MACHINES } from '../../emulator/machines/index.js';
import { BufferOutputSink } from '../../emulator/io/live-ports.js';
import { ReplayLogReader } from '../../replay/log-reader.js';
import { ReplayLogError } from '../../replay/errors.js';
import { Replayer, ReplayDivergenceError } from '../../replay/replayer.js';
import { REPLAY_VERSION } from '../../replay/log-format.js';
import { CliError, EXIT_BAD_LOG } from '../errors.js';
import { runSession } from '../session-runner.js';
import { processOutputSink } from '../machine-options.js';
import { parseCount } from '../errors.js';
import { ReplayTimeline, DEFAULT_SNAPSHOT_BUDGET_MIB, DEFAULT_SNAPSHOT_INTERVAL } from '../../snapshots/timeline.js';
import {
  firmwareIdentity,
  loadTimelineSnapshots,
  logIdentity,
  saveTimelineSnapshots,
  snapshotFilePath,
  type SnapshotFileTarget,
} from '../../snapshots/snapshot-file.js';

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
  /** The board options the log was recorded with (virt). */
  cpu?: string;
  memory?: string;
  rtcBase?: string;
}

export interface OpenedReplayLog {
  reader: ReplayLogReader;
  machine: string;
  icountShift: number;
  /** Icount where the log ends (its last event). */
  endIcount: number;
  /** Why the log ends without END (a killed recording, a cut file), or null. */
  truncated: ReplayLogReader['truncated'];
}

/** Read a log and find the machine options it was recorded with, from its fingerprint. */
export function openReplayLog(logPath: string, image: Uint8Array, board: BoardIdentity = {}): OpenedReplayLog {
  let reader: ReplayLogReader;
  try {
    reader = ReplayLogReader.fromFile(logPath);
  } catch (e) {
    if (e instanceof ReplayLogError) throw new CliError(e.message, EXIT_BAD_LOG);
    throw new CliError(`cannot read log '${logPath}': ${(e as Error).message}`, EXIT_BAD_LOG);
  }
  if (reader.version !== REPLAY_VERSION) {
    throw new CliError(
      `'${logPath}' is a replay log of version 0x${reader.version.toString(16)}; armrr replays version 0x${REPLAY_VERSION.toString(16)} ` +
        '(use `armrr dump` or `armrr diff` to inspect older logs)',
      EXIT_BAD_LOG,
    );
  }
  if (reader.fingerprint.every((b) => b === 0)) {
    throw new CliError(
      `'${logPath}' has no firmware fingerprint: it was recorded by QEMU, whose device models and event timing ` +
        "differ from armrr's, so it cannot drive an armrr replay. Record the firmware with `armrr record` instead; " +
        '`armrr dump` and `armrr diff` read QEMU logs.',
      EXIT_BAD_LOG,
    );
  }
  for (const machine of Object.keys(MACHINES)) {
    // Board options that do not fit this machine cannot be what the log was recorded with.
    try {
      boardOptionsKey(machine, board);
    } catch {
      continue;
    }
    for (let shift = 0; shift <= 10; shift++) {
      const fp = fingerprintOf(machine, shift, image, board);
      if (fp.every((b, i) => b === reader.fingerprint[i])) {
        const scan = scanLog(reader.bytes);
        return { reader, machine, icountShift: shift, endIcount: scan.endIcount, truncated: scan.truncated };
      }
    }
  }
  throw new CliError(
    `'${logPath}' was recorded with a different firmware or machine (fingerprint ${hex(reader.fingerprint)} matches ` +
      'no machine and --icount-shift for this ELF). Replay it with the exact ELF it was recorded with ' +
      '(and the --cpu/--memory/--rtc-base it was recorded with, for virt).',
    EXIT_BAD_LOG,
  );
}

/**
 * One pass over the log: where it ends, and why if it ends without END. The replay's own reader
 * only discovers a truncation when its cursor gets there, too late to warn before the replay.
 */
function scanLog(bytes: Uint8Array): { endIcount: number; truncated: ReplayLogReader['truncated'] } {
  const r = new ReplayLogReader(bytes);
  let end = 0;
  for (let e = r.next(); e !== null; e = r.next()) {
    end = e.icount + (e.event.kind === 'INSTRUCTION' ? e.event.count : 0);
  }
  return { endIcount: end, truncated: r.truncated };
}

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

export async function replayCommand(elfPath: string, logPath: string, opts: ReplayCliOptions): Promise<void> {
  const image = readFirmware(elfPath);
  const board: BoardIdentity = {
    cpu: opts.cpu,
    memoryBytes: opts.memory === undefined ? undefined : parseMemorySize(opts.memory),
    rtcBase: parseRtcBaseOption(opts.rtcBase),
  };
  const log = openReplayLog(logPath, image, board);
  if (log.truncated) {
    process.stderr.write(
      `armrr: warning: ${log.truncated.message}\narmrr: replaying up to the last whole event (icount ${log.endIcount})\n`,
    );
  }
  const snapshotFile: SnapshotFileTarget | undefined = opts.saveSnapshots
    ? {
        path: snapshotFilePath(logPath),
        identity: { ...logIdentity(log.reader.bytes, log.reader.fingerprint), firmwareSha256: firmwareIdentity(log.machine, log.icountShift, image) },
      }
    : undefined;
  const replayer = new Replayer(log.reader, opts.quiet ? new BufferOutputSink() : processOutputSink());
  const { machine } = bootFirmware(image, {
    machine: log.machine,
    icountShift: log.icountShift,
    ...replayer.ports,
    jit: opts.jit === false ? false : undefined,
    ...board,
  });
  const hooks = replayer.attach(machine);
  if (opts.gdb !== undefined || opts.gdbWs !== undefined) {
    const { serveReplayGdb } = await import('../gdb-replay.js');
    await serveReplayGdb({ machine, replayer, hooks, endIcount: log.endIcount, elfPath, logPath, logBytes: log.reader.bytes, opts, snapshotFile });
    return;
  }
  // --save-snapshots on a plain replay: take the periodic snapshots a gdb session would, so the
  // next `replay --gdb` of this log starts with them.
  let timeline: ReplayTimeline | null = null;
  if (snapshotFile !== undefined) {
    const so = snapshotOptions(opts);
    timeline = new ReplayTimeline(machine, hooks, () => replayer.position(), (at) => replayer.restore(at), {
      interval: so.interval,
      budgetBytes: so.budgetMiB * 1048576,
      endIcount: log.endIcount,
    });
    const n = loadTimelineSnapshots(timeline.store, snapshotFile, (m) => process.stderr.write(`armrr: warning: ${m}\n`));
    if (n > 0) process.stderr.write(`armrr: loaded ${n} snapshots from '${snapshotFile.path}'\n`);
  }
  let interrupted = false;
  const onSigint = (): void => {
    interrupted = true;
  };
  process.on('SIGINT', onSigint);
  try {
    const runHooks = timeline === null ? hooks : timeline.hooks();
    const stop = await runSession(machine, { maxIcount: log.endIcount, hooks: runHooks, stopRequested: () => interrupted });
    if (stop.kind === 'exit') replayer.onGuestExit();
    if (timeline !== null && snapshotFile !== undefined) {
      const bytes = saveTimelineSnapshots(timeline.store, snapshotFile);
      process.stderr.write(
        `armrr: saved ${timeline.store.snapshots.length} snapshots (${(bytes / 1048576).toFixed(1)} MiB) to '${snapshotFile.path}'\n`,
      );
    }
    if (opts.stateHash) process.stderr.write(`armrr: state hash ${machine.stateHash()} at icount ${machine.icount}\n`);
    if (stop.kind === 'exit') process.exitCode = stop.code;
    else if (stop.kind === 'limit') process.exitCode = 0;
    else {
      process.stderr.write(`armrr: replay stopped (${stop.kind}) at icount ${machine.icount} before the log's end (${log.endIcount})\n`);
      process.exitCode = EXIT_BAD_LOG;
    }
  } catch (e) {
    if (e instanceof ReplayDivergenceError) throw new CliError(e.message, EXIT_BAD_LOG);
    throw e;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

/** --snapshot-interval / --snapshot-budget, with the defaults chosen by benchmark (BENCHMARKS.md). */
export function snapshotOptions(opts: ReplayCliOptions): { interval: number; budgetMiB: number } {
  const interval = opts.snapshotInterval ? parseCount('--snapshot-interval', opts.snapshotInterval) : DEFAULT_SNAPSHOT_INTERVAL;
  const budgetMiB = opts.snapshotBudget ? parseCount('--snapshot-budget', opts.snapshotBudget) : DEFAULT_SNAPSHOT_BUDGET_MIB;
  if (interval < 1) throw new CliError('--snapshot-interval must be at least 1');
  return { interval, budgetMiB };
}
