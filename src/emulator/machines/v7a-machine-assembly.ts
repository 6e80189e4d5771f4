/**
 * The common end of the A-profile boards (virt.ts, vexpress.ts): the guest's power-off and reboot
 * requests, wired into devices before the Machine exists, and the Machine built around the board's
 * core, devices and input polling. Each board keeps its own device order (snapshots and state hashes
 * walk it).
 */
import type { Bus } from '../memory/bus.js';
import type { VirtualClock } from '../clock.js';
import type { StatefulComponent } from '../devices/device.js';
import type { ArmV7aCpu } from '../cpu/v7a/cpu.js';
import { Machine } from './machine.js';

/** Power-off and reset requests of an A-profile board (semihosting exit, PSCI, SYS_CFG). */
export class V7aBoardControl {
  /** Set by assembleV7aMachine; requests before that only stop the core. */
  machine: Machine | null = null;
  private resetRequested = false;

  constructor(private readonly cpu: ArmV7aCpu) {}

  /** Stop at the next boundary with exit status `code` (QEMU exits with it). */
  readonly exit = (code: number): void => {
    if (this.machine) this.machine.exitCode = code;
    this.cpu.exitRequest = true;
  };

  /** A system reset at the next boundary (the machine loop polls inputs there). */
  readonly reset = (): void => {
    this.resetRequested = true;
    this.cpu.exitRequest = true;
  };

  /** Performs a requested reset; called at every input poll. */
  resetIfRequested(): void {
    if (this.resetRequested && this.machine) {
      this.resetRequested = false;
      this.machine.reset();
    }
  }
}

/** What a board's peripheral set offers the machine loop. */
export interface V7aBoardInputs {
  pollInputs(idle?: boolean): boolean;
  nextInputIcount(): number;
  inputsExhausted(): boolean;
}

/** Builds the Machine of an A-profile board; `devices` in the board's fixed order. */
export function assembleV7aMachine(
  name: string,
  icountShift: number,
  parts: { bus: Bus; clock: VirtualClock; cpu: ArmV7aCpu; control: V7aBoardControl; devices: StatefulComponent[]; inputs: V7aBoardInputs },
): Machine {
  const { cpu, control, inputs } = parts;
  const machine = new Machine(
    name,
    { icountShift },
    parts.bus,
    parts.clock,
    cpu,
    cpu.exceptions,
    parts.devices,
    (idle = false): boolean => {
      control.resetIfRequested();
      return inputs.pollInputs(idle);
    },
    () => inputs.nextInputIcount(),
    () => inputs.inputsExhausted(),
  );
  control.machine = machine;
  return machine;
}
