/** `armrr run --gdb`: forward-only debugging of a live run (not built yet). */
import type { Machine } from '../emulator/machines/machine.js';
import { CliError } from './errors.js';

export async function serveLiveGdb(_machine: Machine, _spec: string, elfPath: string): Promise<void> {
  // Live debugging needs watchpoints that stop before the access without snapshots to rewind to;
  // until that exists, point users at the replay stub, which has forward and reverse execution.
  throw new CliError(
    'run --gdb is not available yet. Record the run and debug the replay instead (forward and reverse):\n' +
      `  armrr record ${elfPath} -o run.rrlog && armrr replay ${elfPath} run.rrlog --gdb 1234`,
  );
}
