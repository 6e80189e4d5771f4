/**
 * gdb's memory reads on the replay target save and restore the whole machine only when a device
 * register is read (a read may have side effects there). Reads of addresses where nothing is —
 * gdb unwinding the kernel's stack reads address 0 and stale frames a few times per reverse-stepi —
 * answer an error without that round trip (it dropped the MMU's translations and cost
 * milliseconds at the end of the Linux boot).
 */
import { describe, expect, it, vi } from 'vitest';
import { createMachine } from '../../src/emulator/machines/index.js';
import type { BoardOptions } from '../../src/emulator/machines/index.js';
import { ReplayTimeline } from '../../src/snapshots/timeline.js';
import { ReplayGdbTarget } from '../../src/gdbstub/replay-target.js';
import * as machineState from '../../src/snapshots/machine-state.js';

vi.mock('../../src/snapshots/machine-state.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/snapshots/machine-state.js')>();
  return { ...original, restoreMachineState: vi.fn(original.restoreMachineState) };
});

const QUIET: BoardOptions = {
  icountShift: 0,
  serial: { poll: () => -1, exhausted: () => true, nextDueIcount: () => Infinity },
  host: { hostClockNs: () => 0, consoleRead: () => null, fileRead: () => null },
  output: { uartWrite: () => {}, consoleWrite: () => {} },
};

function target(): ReplayGdbTarget {
  const machine = createMachine('mps2-an385', QUIET);
  machine.reset();
  const timeline = new ReplayTimeline(machine, {}, () => null, () => {}, { interval: 10_000, budgetBytes: 64 << 20, endIcount: 1e9 });
  return new ReplayGdbTarget(timeline, { regions: [] });
}

describe('replay target memory reads (mps2-an385)', () => {
  it('restores the machine after a device read only, never after a read where nothing is mapped', () => {
    const t = target();
    const restores = vi.mocked(machineState.restoreMachineState);
    restores.mockClear();
    t.machine.bus.debugWrite(0x20000000, new Uint8Array([1, 2, 3, 4]));
    expect(Array.from(t.readMemory(0x20000000, 4)!)).toEqual([1, 2, 3, 4]);
    expect(restores).toHaveBeenCalledTimes(0);
    // Nothing at 0x70000000, nor past 0x24000000 in a read that starts in RAM below it.
    expect(t.readMemory(0x70000000, 4)).toBeNull();
    expect(t.readMemory(0x23fffffe, 4)).toBeNull();
    expect(t.readPhysical(0x70000000, 2)).toBeNull();
    expect(restores).toHaveBeenCalledTimes(0);
    // UART0's STATE register: read through the device, then the machine is put back.
    expect(t.readMemory(0x40004004, 4)).not.toBeNull();
    expect(restores).toHaveBeenCalledTimes(1);
    expect(t.readPhysical(0x40004004, 4)).not.toBeNull();
    expect(restores).toHaveBeenCalledTimes(2);
  });
});
