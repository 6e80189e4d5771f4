/**
 * Everything that determines a machine's future except RAM: core registers, the clock and its
 * timer deadlines, every device's declared state, and machine-level flags. RAM is handled by the
 * copy-on-write PageTracker. Device state comes from `Device.save()`, which by construction covers
 * all mutable device state (see devices/device.ts).
 */
import type { Machine } from '../emulator/machines/machine.js';
import type { DeviceState } from '../emulator/devices/device.js';

export interface CoreMachineState {
  cpu: number[];
  clock: number[];
  devices: DeviceState[];
  exitCode: number | null;
}

export function captureMachineState(m: Machine): CoreMachineState {
  return {
    cpu: m.cpu.save(),
    clock: m.clock.saveState(),
    devices: m.devices.map((d) => d.save()),
    exitCode: m.exitCode,
  };
}

export function restoreMachineState(m: Machine, s: CoreMachineState): void {
  if (s.devices.length !== m.devices.length) throw new Error('snapshot does not match this machine (device count)');
  m.cpu.load(s.cpu);
  m.clock.loadState(s.clock);
  for (let i = 0; i < m.devices.length; i++) m.devices[i]!.load(s.devices[i]!);
  m.exitCode = s.exitCode;
  m.pendingStop = null;
  m.core.exitRequest = false;
  m.core.hitBreakpoint = false;
}

/** Rough bytes a CoreMachineState occupies (for the snapshot budget). */
export function coreStateBytes(s: CoreMachineState): number {
  return 8 * (s.cpu.length + s.clock.length) + 64 * s.devices.length + 256;
}
