/**
 * Every stateful component (machine.devices: all devices and semihosting) keeps its mutable state
 * in `s`, which snapshots save (devices/device.ts). Running firmware that exercises the devices
 * must not change any other own property: plain data (numbers, strings, arrays, plain objects,
 * typed arrays) is compared deeply, class instances (wiring: bus, clock, irq lines, timers) by
 * identity. And save()/load() round-trips, per component and for the whole machine.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { bootFirmware } from '../../src/emulator/boot.js';
import { NoSerialInput, PacedSerialInput } from '../../src/emulator/io/live-ports.js';
import type { HostPort, OutputSink } from '../../src/emulator/io/input-port.js';
import type { Machine } from '../../src/emulator/machines/machine.js';
import { captureMachineState, restoreMachineState } from '../../src/snapshots/machine-state.js';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { BUILD_DIR, FIRMWARE_DIR, PROGRAM_INPUT, elfPath, ensureFirmware } from '../support/firmware.js';

beforeAll(() => {
  ensureFirmware();
  // The virt device probe (firmware/v7a/probes): GIC, generic timer, PL011, PL031, PL061, flash...
  execFileSync('bash', [join(FIRMWARE_DIR, 'v7a/probes/build.sh')], { stdio: ['ignore', 'ignore', 'pipe'] });
});
const VIRT_PROBE = join(BUILD_DIR, 'v7a-probe-virt-devices-arm-O2.elf');

const host: HostPort = { hostClockNs: () => 1.7e18, consoleRead: () => null, fileRead: () => null };
const sink: OutputSink = { uartWrite: () => {}, consoleWrite: () => {} };

function boot(program: string, opt = 'O2'): Machine {
  const input = PROGRAM_INPUT[program as keyof typeof PROGRAM_INPUT] ?? '';
  const serial = input ? new PacedSerialInput(new TextEncoder().encode(input)) : new NoSerialInput();
  const image = new Uint8Array(readFileSync(elfPath(program, opt)));
  return bootFirmware(image, { machine: 'mps2-an385', icountShift: 5, serial, host, output: sink }).machine;
}

/** Deep copy of plain data; class instances and functions are kept by reference (identity). */
function shape(v: unknown, seen = new Map<object, unknown>()): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (ArrayBuffer.isView(v)) return { typed: v.constructor.name, bytes: Array.from(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)) };
  const proto = Object.getPrototypeOf(v) as unknown;
  const plain = Array.isArray(v) || proto === Object.prototype || proto === null || v instanceof Map || v instanceof Set;
  if (!plain) return { ref: v };
  if (seen.has(v)) return seen.get(v);
  if (v instanceof Map) return { map: [...v.entries()].map(([k, x]) => [shape(k, seen), shape(x, seen)]) };
  if (v instanceof Set) return { set: [...v].map((x) => shape(x, seen)) };
  const out: Record<string, unknown> | unknown[] = Array.isArray(v) ? [] : {};
  seen.set(v, out);
  for (const k of Object.keys(v)) (out as Record<string, unknown>)[k] = shape((v as Record<string, unknown>)[k], seen);
  return out;
}

function outsideState(c: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(c)) if (k !== 's') out[k] = shape((c as Record<string, unknown>)[k]);
  return out;
}

/** Compare, reporting class-instance references by identity (toEqual would walk them deeply). */
function expectSameShape(after: unknown, before: unknown, path: string): void {
  if (before !== null && typeof before === 'object' && 'ref' in (before as object) && Object.keys(before as object).length === 1) {
    expect((after as { ref?: unknown }).ref === (before as { ref: unknown }).ref, `${path} was replaced`).toBe(true);
    return;
  }
  if (before === null || typeof before !== 'object') {
    expect(after, path).toBe(before);
    return;
  }
  expect(typeof after, path).toBe('object');
  const bk = Object.keys(before as object);
  expect(Object.keys(after as object).sort(), `${path} keys`).toEqual(bk.slice().sort());
  for (const k of bk) expectSameShape((after as Record<string, unknown>)[k], (before as Record<string, unknown>)[k], `${path}.${k}`);
}

// Programs that together touch every device the firmware uses: UART RX/TX + IRQs, timers,
// dual timer, SysTick, watchdog/FPGAIO (irq-timers), faults (SCB), semihosting (newlib-demo).
const PROGRAMS = ['irq-timers', 'uart-echo', 'faults', 'newlib-demo', 'insn-workout'];

describe('device state lives only in `s`', () => {
  it('machine.devices lists every device and semihosting', () => {
    const names = boot('irq-timers').devices.map((d) => d.name);
    expect(names).toContain('semihosting');
    expect(names.length).toBeGreaterThan(8);
    expect(new Set(names).size).toBe(names.length);
  });

  for (const program of PROGRAMS) {
    it(`${program}: no component changes anything but \`s\` while running`, () => {
      const m = boot(program);
      const before = m.devices.map((d) => outsideState(d));
      const sBefore = m.devices.map((d) => JSON.stringify(d.save()));
      const stop = m.run(3e6);
      expect(stop.kind).toBe('exit');
      const changedS = m.devices.filter((d, i) => JSON.stringify(d.save()) !== sBefore[i]).map((d) => d.name);
      expect(changedS.length).toBeGreaterThan(0); // the run really exercised devices
      m.devices.forEach((d, i) => expectSameShape(outsideState(d), before[i], `${program}: ${d.name}`));
    });
  }

  it('save/load round-trips per component and for the whole machine', () => {
    for (const program of PROGRAMS) {
      const a = boot(program);
      a.run(20_000);
      const b = boot(program);
      a.devices.forEach((d, i) => {
        const saved = d.save();
        b.devices[i]!.load(saved);
        expect(b.devices[i]!.save(), d.name).toEqual(saved);
        // save() is a copy: mutating it must not reach the component.
        let mutated = false;
        for (const v of Object.values(saved)) {
          if (Array.isArray(v) && v.length > 0) {
            v[0] = -12345.5;
            mutated = true;
          }
        }
        if (mutated) expect(d.save(), `${d.name} save() aliases its state`).not.toEqual(saved);
      });
      // Whole machine: state + RAM restored into a fresh machine gives the same hash, and both
      // machines continue identically.
      const c = boot(program);
      restoreMachineState(c, captureMachineState(a));
      c.bus.u8.set(a.bus.u8);
      expect(c.stateHash()).toBe(a.stateHash());
      // (Live file input is outside the machine, so only input-free programs can continue in c.)
      if (PROGRAM_INPUT[program as keyof typeof PROGRAM_INPUT]) continue;
      a.run(40_000);
      c.run(40_000);
      expect(c.stateHash()).toBe(a.stateHash());
    }
  });
});

describe('virt: device state lives only in `s`', () => {
  const bootVirt = (): Machine =>
    bootFirmware(new Uint8Array(readFileSync(VIRT_PROBE)), {
      machine: 'virt',
      icountShift: 3,
      serial: new PacedSerialInput(new TextEncoder().encode('abc')),
      host,
      output: sink,
      rtcBase: 1_796_083_200,
    }).machine;

  // The board's peripherals (the core's components hold caches such as the MMU's TLB outside `s` by
  // design, under invariant I5, which the seek/invariant tests check).
  const PERIPHERALS = ['gic', 'generic-timer', 'pl011.0', 'pl031', 'pl061', 'fw-cfg', 'flash0', 'flash1'];

  it('the probe exercises every virt device without changing anything but `s`', () => {
    const m = bootVirt();
    const devices = m.devices.filter((d) => PERIPHERALS.includes(d.name));
    expect(devices.map((d) => d.name).sort()).toEqual(PERIPHERALS.slice().sort());
    const before = devices.map((d) => outsideState(d));
    const sBefore = devices.map((d) => JSON.stringify(d.save()));
    expect(m.run(5e6).kind).toBe('exit');
    const changed = devices.filter((d, i) => JSON.stringify(d.save()) !== sBefore[i]).map((d) => d.name);
    expect(changed).toEqual(expect.arrayContaining(['gic', 'generic-timer', 'pl011.0', 'pl031', 'pl061', 'fw-cfg', 'flash1']));
    devices.forEach((d, i) => expectSameShape(outsideState(d), before[i], `virt: ${d.name}`));
  });

  it('save/load round-trips every component; a restored machine continues identically', () => {
    for (const at of [30_000, 60_000, 120_000]) {
      const a = bootVirt();
      a.run(at);
      const b = bootVirt();
      a.devices.forEach((d, i) => {
        const saved = d.save();
        b.devices[i]!.load(saved);
        expect(b.devices[i]!.save(), d.name).toEqual(saved);
      });
      const c = bootVirt();
      c.run(at); // same input consumed, so both can continue
      restoreMachineState(c, captureMachineState(a));
      c.bus.u8.set(a.bus.u8);
      expect(c.stateHash()).toBe(a.stateHash());
      a.run(at + 50_000);
      c.run(at + 50_000);
      expect(c.stateHash()).toBe(a.stateHash());
    }
  });
});
