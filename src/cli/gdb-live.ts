/**
 * `armrr run --gdb`: debug a live run. Inputs are recorded into memory as the run goes
 * (src/replay/live-recording.ts), so the replay timeline and gdb target serve it with forward and
 * reverse execution; going forward past the furthest point reached runs live again.
 */
import { loadBoardAndBoot, fingerprintOf } from '../emulator/firmware-boot.js';
import { LiveHostPort } from '../emulator/io/live-ports.js';
import { LiveRecording } from '../replay/live-recording.js';
import { ReplayLogReader } from '../replay/log-reader.js';
import { ReplayTimeline, DEFAULT_SNAPSHOT_BUDGET_MIB, DEFAULT_SNAPSHOT_INTERVAL } from '../snapshots/timeline.js';
import { ReplayGdbTarget } from '../gdbstub/replay-target.js';
import { createReplayMonitor } from '../gdbstub/replay-monitor.js';
import { GdbStub } from '../gdbstub/index.js';
import { gdbMemoryRegions, listenGdb, untilSignal } from './gdb-replay.js';
import type { OpenedInput, ResolvedMachineOptions } from './machine-options.js';
import { processOutputSink } from './machine-options.js';
import { overBudgetWarning } from './commands/replay.js';

export async function serveLiveGdb(
  image: Uint8Array,
  mo: ResolvedMachineOptions,
  input: OpenedInput,
  listen: { tcp?: string; ws?: string },
  elfPath: string,
): Promise<void> {
  const live = new LiveRecording(
    { serial: input.serial, host: new LiveHostPort(input.console), output: processOutputSink() },
    fingerprintOf(mo.machine, mo.icountShift, image, mo),
  );
  const { machine } = await loadBoardAndBoot(image, {
    machine: mo.machine,
    icountShift: mo.icountShift,
    ...live.ports,
    jit: mo.jit,
    wasm: mo.wasm,
    cpu: mo.cpu,
    memoryBytes: mo.memoryBytes,
    rtcBase: mo.rtcBase,
    initrd: mo.initrd,
    append: mo.append,
    dtb: mo.dtb,
  });
  const hooks = live.attach(machine);
  const timeline = new ReplayTimeline(machine, hooks, () => live.position(), (at) => live.restore(at), {
    interval: DEFAULT_SNAPSHOT_INTERVAL,
    budgetBytes: DEFAULT_SNAPSHOT_BUDGET_MIB * 1048576,
    endIcount: mo.maxInsns,
    // A live run has no --snapshot-budget: the budget is set on the replay of a recording.
    onOverBudget: overBudgetWarning('--snapshot-budget on `armrr replay --gdb` of a recording of this run'),
  });
  const target = new ReplayGdbTarget(timeline, {
    regions: gdbMemoryRegions(machine),
    monitor: createReplayMonitor({ logPath: '(live run, recorded in memory)', openLog: () => new ReplayLogReader(live.logBytes()) }),
  });
  const servers = await listenGdb(new GdbStub(target), listen);
  for (const s of servers) {
    process.stderr.write(
      `armrr: running '${elfPath}' under gdb control (recorded in memory: reverse execution works); ` +
        `waiting for gdb on ${s.host}:${s.port}\n` +
        `armrr:   gdb-multiarch ${elfPath} -ex 'target remote ${s.host}:${s.port}'\n`,
    );
  }
  await untilSignal();
  // A run under way (a guest in an endless loop included) ends at its next slice.
  target.close();
  for (const s of servers) await s.close();
}
