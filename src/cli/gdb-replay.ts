/** `armrr replay --gdb`: serve the replay to gdb with reverse execution. */
import type { Machine, RunHooks } from '../emulator/machines/machine.js';
import type { Replayer } from '../replay/replayer.js';
import { ReplayLogReader } from '../replay/log-reader.js';
import { ReplayTimeline, DEFAULT_SNAPSHOT_BUDGET_MIB, DEFAULT_SNAPSHOT_INTERVAL } from '../snapshots/timeline.js';
import { ReplayGdbTarget } from '../gdbstub/replay-target.js';
import { createReplayMonitor } from '../gdbstub/replay-monitor.js';
import { GdbStub, listenTcp, listenWebSocket, GdbListenError } from '../gdbstub/index.js';
import type { GdbServer } from '../gdbstub/index.js';
import { parseListenAddress } from '../gdbstub/transports/address.js';
import { CliError, parseCount } from './errors.js';
import type { ReplayCliOptions } from './commands/replay.js';

export interface ReplayGdbArgs {
  machine: Machine;
  replayer: Replayer;
  hooks: RunHooks;
  endIcount: number;
  elfPath: string;
  logPath: string;
  opts: ReplayCliOptions;
}

export function buildReplayTarget(a: Omit<ReplayGdbArgs, 'opts' | 'elfPath'>, interval: number, budgetMiB: number): ReplayGdbTarget {
  const timeline = new ReplayTimeline(
    a.machine,
    a.hooks,
    () => a.replayer.position(),
    (at) => a.replayer.restore(at),
    { interval, budgetBytes: budgetMiB * 1048576, endIcount: a.endIcount },
  );
  const regions = a.machine.bus.regions.flatMap((r) => [r.base, ...(r.aliases ?? [])].map((start) => ({ start, length: r.size, name: r.name })));
  return new ReplayGdbTarget(timeline, {
    regions: [
      ...regions,
      { start: 0x22000000, length: 0x02000000, name: 'bit-band alias (SRAM)' },
      { start: 0x40000000, length: 0x00100000, name: 'peripherals' },
      { start: 0x42000000, length: 0x02000000, name: 'bit-band alias (peripherals)' },
      { start: 0xe0000000, length: 0x00100000, name: 'private peripheral bus (SCS)' },
    ],
    monitor: createReplayMonitor({ logPath: a.logPath, openLog: () => ReplayLogReader.fromFile(a.logPath) }),
  });
}

export async function serveReplayGdb(a: ReplayGdbArgs): Promise<void> {
  const interval = a.opts.snapshotInterval ? parseCount('--snapshot-interval', a.opts.snapshotInterval) : DEFAULT_SNAPSHOT_INTERVAL;
  const budget = a.opts.snapshotBudget ? parseCount('--snapshot-budget', a.opts.snapshotBudget) : DEFAULT_SNAPSHOT_BUDGET_MIB;
  if (interval < 1) throw new CliError('--snapshot-interval must be at least 1');
  const target = buildReplayTarget(a, interval, budget);
  const stub = new GdbStub(target);
  const servers: GdbServer[] = [];
  try {
    // (parse errors are GdbListenError too, reported below as usage errors)
    if (a.opts.gdb !== undefined) servers.push(await listenTcp(stub, parseListenAddress(a.opts.gdb)));
    if (a.opts.gdbWs !== undefined) servers.push(await listenWebSocket(stub, { port: parseCount('--gdb-ws', a.opts.gdbWs) }));
  } catch (e) {
    for (const s of servers) await s.close();
    if (e instanceof GdbListenError) throw new CliError(e.message);
    throw e;
  }
  for (const s of servers) {
    process.stderr.write(
      `armrr: replaying '${a.logPath}' (${a.endIcount} instructions); waiting for gdb on ${s.host}:${s.port}\n` +
        `armrr:   gdb-multiarch ${a.elfPath} -ex 'target remote ${s.host}:${s.port}'\n`,
    );
  }
  await new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  for (const s of servers) await s.close();
}
