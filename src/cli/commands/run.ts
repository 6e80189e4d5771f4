/** `armrr run ELF`: execute firmware with live inputs. */
import { loadBoardAndBoot, readFirmware } from '../../emulator/firmware-boot.js';
import { LiveHostPort } from '../../emulator/io/live-ports.js';
import { runSession } from '../session-runner.js';
import { Cpu } from '../../emulator/cpu/cpu.js';
import { resolveMachineOptions, openSerialInput, processOutputSink, describeStop, type MachineCliOptions } from '../machine-options.js';

export interface RunCliOptions extends MachineCliOptions {
  gdb?: string;
  gdbWs?: string;
  stateHash?: boolean;
  jitStats?: boolean;
  jitCallThroughs?: boolean;
}

export async function runCommand(elfPath: string, opts: RunCliOptions): Promise<void> {
  const mo = resolveMachineOptions(opts);
  const image = readFirmware(elfPath);
  const input = openSerialInput(opts.input, mo.inputGapInsns, mo.icountShift, mo.console);
  if (opts.gdb !== undefined || opts.gdbWs !== undefined) {
    const { serveLiveGdb } = await import('../gdb-live.js');
    try {
      await serveLiveGdb(image, mo, input, { tcp: opts.gdb, ws: opts.gdbWs }, elfPath);
    } finally {
      input.close();
    }
    return;
  }
  const { machine } = await loadBoardAndBoot(image, {
    machine: mo.machine,
    icountShift: mo.icountShift,
    serial: input.serial,
    host: new LiveHostPort(input.console),
    output: processOutputSink(),
    jit: mo.jit,
    wasm: mo.wasm,
    cpu: mo.cpu,
    memoryBytes: mo.memoryBytes,
    rtcBase: mo.rtcBase,
    initrd: mo.initrd,
    append: mo.append,
    dtb: mo.dtb,
  });
  if (opts.jitCallThroughs && machine.core instanceof Cpu) machine.core.stats.callThroughs = new Map();
  let interrupted = false;
  const onSigint = (): void => {
    interrupted = true;
  };
  process.on('SIGINT', onSigint);
  try {
    const stop = await runSession(machine, {
      maxIcount: mo.maxInsns,
      realtime: mo.realtime,
      liveInput: input.live,
      stopRequested: () => interrupted || input.quitRequested,
    });
    if (opts.stateHash) process.stderr.write(`armrr: state hash ${machine.stateHash()} at icount ${machine.icount}\n`);
    if (opts.jitStats && machine.core instanceof Cpu) {
      const core = machine.core;
      process.stderr.write(`armrr: execution stats\n${core.stats.format(core.translatedBlocks())}\n`);
    }
    if (opts.jitCallThroughs && machine.core instanceof Cpu) process.stderr.write(`armrr: ${machine.core.stats.formatCallThroughs()}\n`);
    // Ctrl-A X (--console mux) quits with status 0, as QEMU's mux does.
    const quit = input.quitRequested && !interrupted && stop.kind !== 'exit';
    process.exitCode = quit ? 0 : describeStop(stop, machine.icount, mo.maxInsns);
  } finally {
    process.off('SIGINT', onSigint);
    input.close();
  }
}
