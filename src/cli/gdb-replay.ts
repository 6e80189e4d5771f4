/** `armrr replay --gdb`: serve the replay to gdb with reverse execution. */
import type { Machine, RunHooks } from '../emulator/machines/machine.js';
import type { Replayer } from '../replay/replayer.js';
import { ReplayLogReader } from '../replay/log-reader.js';
import { ReplayTimeline } from '../snapshots/timeline.js';
import { ReplayGdbTarget } from '../gdbstub/replay-target.js';
import { createReplayMonitor } from '../gdbstub/replay-monitor.js';
import { GdbStub, listenTcp, listenWebSocket, GdbListenError } from '../gdbstub/index.js';
import type { GdbServer } from '../gdbstub/index.js';
import { parseListenAddress } from '../gdbstub/transports/address.js';
import { CliError, parseCount } from './errors.js';
import { overBudgetWarning, snapshotOptions, type ReplayCliOptions } from './commands/replay.js';
import { loadTimelineSnapshots, saveTimelineSnapshots, type SnapshotFileTarget } from '../snapshots/snapshot-file.js';

export interface ReplayGdbArgs {
  machine: Machine;
  replayer: Replayer;
  hooks: RunHooks;
  endIcount: number;
  elfPath: string;
  logPath: string;
  /** The log as read at start (the monitor lists its events; no second read of the file). */
  logBytes: Uint8Array;
  opts: ReplayCliOptions;
  /** --save-snapshots: load LOG.snapshots at the start, save when the last gdb connection ends. */
  snapshotFile?: SnapshotFileTarget;
}

/**
 * Every range gdb may read: RAM (with aliases), bit-band aliases, peripherals, the PPB. On an
 * A-profile core gdb's addresses are virtual (any of them may be mapped), so the map is the whole
 * 4 GiB and unmapped addresses answer an error from the stub.
 */
export function gdbMemoryRegions(machine: Machine): { start: number; length: number; name: string }[] {
  if (machine.core.profile.arch === 'v7a') return [{ start: 0, length: 2 ** 32, name: 'virtual address space' }];
  const ram = machine.bus.regions.flatMap((r) => [r.base, ...(r.aliases ?? [])].map((start) => ({ start, length: r.size, name: r.name })));
  return [
    ...ram,
    { start: 0x22000000, length: 0x02000000, name: 'bit-band alias (SRAM)' },
    { start: 0x40000000, length: 0x00100000, name: 'peripherals' },
    { start: 0x42000000, length: 0x02000000, name: 'bit-band alias (peripherals)' },
    { start: 0xe0000000, length: 0x00100000, name: 'private peripheral bus (SCS)' },
  ];
}

export function buildReplayTarget(a: Omit<ReplayGdbArgs, 'opts' | 'elfPath' | 'snapshotFile'>, interval: number, budgetMiB: number): ReplayGdbTarget {
  const timeline = new ReplayTimeline(
    a.machine,
    a.hooks,
    () => a.replayer.position(),
    (at) => a.replayer.restore(at),
    { interval, budgetBytes: budgetMiB * 1048576, endIcount: a.endIcount, onOverBudget: overBudgetWarning() },
  );
  return new ReplayGdbTarget(timeline, {
    regions: gdbMemoryRegions(a.machine),
    monitor: createReplayMonitor({ logPath: a.logPath, openLog: () => new ReplayLogReader(a.logBytes) }),
  });
}

/** Listen on `--gdb [HOST:]PORT` and/or `--gdb-ws PORT` (both 127.0.0.1 by default), one stub for all. */
export async function listenGdb(stub: GdbStub, listen: { tcp?: string; ws?: string }): Promise<GdbServer[]> {
  const servers: GdbServer[] = [];
  try {
    // Address parse errors are GdbListenError too, reported as usage errors.
    if (listen.tcp !== undefined) servers.push(await listenTcp(stub, parseListenAddress(listen.tcp)));
    if (listen.ws !== undefined) servers.push(await listenWebSocket(stub, { port: parseCount('--gdb-ws', listen.ws) }));
  } catch (e) {
    for (const s of servers) await s.close();
    if (e instanceof GdbListenError) throw new CliError(e.message);
    throw e;
  }
  return servers;
}

/** Resolves on the first SIGINT or SIGTERM (the stub serves gdb until then). */
export function untilSignal(): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

export async function serveReplayGdb(a: ReplayGdbArgs): Promise<void> {
  const { interval, budgetMiB } = snapshotOptions(a.opts);
  const target = buildReplayTarget(a, interval, budgetMiB);
  const file = a.snapshotFile;
  const store = target.timeline.store;
  const save = (): void => {
    if (file === undefined) return;
    try {
      const bytes = saveTimelineSnapshots(store, file);
      process.stderr.write(`armrr: saved ${store.snapshots.length} snapshots (${(bytes / 1048576).toFixed(1)} MiB) to '${file.path}'\n`);
    } catch (e) {
      process.stderr.write(`armrr: warning: cannot save snapshots to '${file.path}': ${(e as Error).message}\n`);
    }
  };
  if (file !== undefined) {
    const n = loadTimelineSnapshots(store, file, (m) => process.stderr.write(`armrr: warning: ${m}\n`));
    if (n > 0) process.stderr.write(`armrr: loaded ${n} snapshots from '${file.path}'\n`);
  }
  const stub = new GdbStub(target);
  if (file !== undefined) {
    // Save when a gdb session ends (the last connection closes or detaches), not only at exit:
    // the user may leave the stub running and start gdb again later.
    const detach = stub.detachSession.bind(stub);
    stub.detachSession = (session) => {
      detach(session);
      if (stub.sessions.size === 0) save();
    };
  }
  const servers = await listenGdb(stub, { tcp: a.opts.gdb, ws: a.opts.gdbWs });
  for (const s of servers) {
    process.stderr.write(
      `armrr: replaying '${a.logPath}' (${a.endIcount} instructions); waiting for gdb on ${s.host}:${s.port}\n` +
        `armrr:   gdb-multiarch ${a.elfPath} -ex 'target remote ${s.host}:${s.port}'\n`,
    );
  }
  await untilSignal();
  // A run under way (whatever the guest or the log does) ends at its next slice.
  target.close();
  for (const s of servers) await s.close();
  save();
}
