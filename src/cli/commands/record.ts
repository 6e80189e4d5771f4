/** `armrr record ELF -o LOG`: run with live inputs and log them (DESIGN §3). */
import { loadBoardAndBoot, fingerprintOf, readFirmware } from '../../emulator/firmware-boot.js';
import { LiveHostPort } from '../../emulator/io/live-ports.js';
import { Recorder } from '../../replay/recorder.js';
import { ReplayLogWriter } from '../../replay/log-writer.js';
import { CliError } from '../errors.js';
import { runSession } from '../session-runner.js';
import { describeStop, openSerialInput, processOutputSink, resolveMachineOptions, type MachineCliOptions } from '../machine-options.js';

export interface RecordCliOptions extends MachineCliOptions {
  output: string;
  stateHash?: boolean;
}

export async function recordCommand(elfPath: string, opts: RecordCliOptions): Promise<void> {
  const mo = resolveMachineOptions(opts);
  const image = readFirmware(elfPath);
  const input = openSerialInput(opts.input, mo.inputGapInsns, mo.icountShift, mo.console);
  let writer: ReplayLogWriter;
  try {
    writer = ReplayLogWriter.open(opts.output, fingerprintOf(mo.machine, mo.icountShift, image, mo));
  } catch (e) {
    input.close();
    throw new CliError(`cannot write log '${opts.output}': ${(e as Error).message}`);
  }
  const recorder = new Recorder(writer, {
    serial: input.serial,
    host: new LiveHostPort(input.console),
    output: processOutputSink(),
  });
  let machineRef: { icount: number } | null = null;
  let signalled: NodeJS.Signals | null = null;
  const onSignal = (sig: NodeJS.Signals): void => {
    signalled = sig;
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, onSignal);
  try {
    const { machine } = await loadBoardAndBoot(image, {
      machine: mo.machine,
      icountShift: mo.icountShift,
      ...recorder.ports,
      jit: mo.jit,
      wasm: mo.wasm,
      cpu: mo.cpu,
      memoryBytes: mo.memoryBytes,
      rtcBase: mo.rtcBase,
      initrd: mo.initrd,
      append: mo.append,
      dtb: mo.dtb,
    });
    machineRef = machine;
    const hooks = recorder.attach(machine);
    const stop = await runSession(machine, {
      maxIcount: mo.maxInsns,
      realtime: mo.realtime,
      liveInput: input.live,
      hooks,
      stopRequested: () => signalled !== null || input.quitRequested,
      // Host-time flushing: a killed recorder loses at most ~FLUSH_INTERVAL_MS + one slice, and
      // nothing while it waits for input.
      onSlice: (waiting) => (waiting ? writer.flush() : writer.flushIfDue(performance.now())),
    });
    // Ctrl-A X (--console mux) ends the run as QEMU's mux does: qmp_quit, exit status 0.
    const quit = input.quitRequested && signalled === null;
    recorder.finish(stop.kind === 'exit' ? 'GUEST_SHUTDOWN' : quit ? 'HOST_QMP_QUIT' : 'HOST_SIGNAL');
    writer.close(machine.icount);
    if (opts.stateHash) process.stderr.write(`armrr: state hash ${machine.stateHash()} at icount ${machine.icount}\n`);
    process.exitCode = quit && stop.kind !== 'exit' ? 0 : describeStop(stop, machine.icount, mo.maxInsns);
  } catch (e) {
    // Keep what was recorded: a log that ends without END replays as a truncated log.
    try {
      writer.close(machineRef?.icount ?? 0);
    } catch {
      /* the original error matters more */
    }
    throw e;
  } finally {
    for (const s of signals) process.off(s, onSignal);
    input.close();
  }
}
