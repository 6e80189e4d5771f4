/**
 * Determinism invariants on vexpress-a9 (DESIGN §2) with its own devices interrupting: timers (GIC
 * v1, private timer and watchdog, global timer, three SP804s, UART TX interrupts, WFI idling) and
 * monitor (SMC, Monitor mode, interrupts routed to it). Recorded in-process as `armrr record` does:
 * - I1: two replays of one log reach identical states;
 * - I2: seek (snapshot restore + replay) to random icounts and single steps give the state hash of
 *   one straight run — so every device's state (and its armed timers) is in the snapshots;
 * and every vexpress device keeps its mutable state in `s` (what snapshots save) while it runs.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { recordInProcess, replayRig, straightHash, timelineRig } from '../unit/snapshot-rig.js';
import { ensureVexpressFirmware, vexpressElf } from '../support/vexpress-firmware.js';
import { bootFirmware } from '../../src/emulator/boot.js';
import { NoSerialInput } from '../../src/emulator/io/live-ports.js';
import { captureMachineState, restoreMachineState } from '../../src/snapshots/machine-state.js';

const CASES = [
  { name: 'timers', variant: 'arm-O2', shift: 7 },
  { name: 'monitor', variant: 'thumb-O2', shift: 0 },
];

describe('vexpress-a9: I1 and I2 (seek and step give one state)', () => {
  for (const c of CASES) {
    it(`${c.name}-${c.variant} at shift ${c.shift}`, () => {
      const elf = vexpressElf(c.name, c.variant);
      ensureVexpressFirmware([elf]);
      const rec = recordInProcess(elf, { machine: 'vexpress-a9', shift: c.shift });
      expect(rec.end).toBeGreaterThan(10_000);
      const a = replayRig(rec);
      const b = replayRig(rec);
      a.machine.run(rec.end, a.hooks);
      b.machine.run(rec.end, b.hooks);
      expect(a.machine.stateHash()).toBe(b.machine.stateHash());

      const rig = timelineRig(rec, Math.max(500, Math.floor(rec.end / 10)));
      const tl = rig.timeline;
      tl.runForward(rec.end);
      expect(tl.store.snapshots.length).toBeGreaterThan(5);
      const ref = new Map<number, string>();
      const refHash = (t: number): string => {
        let h = ref.get(t);
        if (h === undefined) ref.set(t, (h = straightHash(rec, t)));
        return h;
      };
      fc.assert(
        fc.property(fc.array(fc.integer({ min: 0, max: rec.end }), { minLength: 3, maxLength: 3 }), (ts) => {
          tl.seek(rec.end);
          for (const t of ts) {
            tl.seek(t);
            expect(rig.machine.icount).toBe(t);
            expect(rig.machine.stateHash(), `seek(${t})`).toBe(refHash(t));
          }
          return true;
        }),
        { numRuns: 3 },
      );
      fc.assert(
        fc.property(fc.integer({ min: 0, max: Math.min(rec.end, 20_000) }), (n) => {
          const stepped = replayRig(rec);
          while (stepped.machine.icount < n) {
            if (stepped.machine.step(stepped.hooks).kind !== 'limit') break;
          }
          expect(stepped.machine.icount).toBe(n);
          expect(stepped.machine.stateHash()).toBe(refHash(n));
          return true;
        }),
        { numRuns: 2 },
      );
    });
  }
});

describe('vexpress-a9: device state lives only in `s`', () => {
  const host = { hostClockNs: () => 1.7e18, consoleRead: () => null, fileRead: () => null };
  const sink = { uartWrite: () => {}, consoleWrite: () => {} };
  const boot = (name: string) =>
    bootFirmware(new Uint8Array(readFileSync(vexpressElf(name, 'arm-O2'))), {
      machine: 'vexpress-a9',
      icountShift: 7,
      serial: new NoSerialInput(),
      host,
      output: sink,
    }).machine;
  const PERIPHERALS = ['gic', 'a9-scu', 'a9-global-timer', 'a9-private-timer', 'a9-watchdog', 'l2c-310', 'vexpress-sysregs', 'pl011.0', 'sp804.0', 'sp804.1', 'sp804.db', 'cp15-security'];
  /** Own properties other than `s`: objects (wiring) by identity, arrays element by element. */
  const outside = (d: object): Array<[string, unknown]> =>
    Object.entries(d)
      .filter(([k]) => k !== 's')
      .map(([k, v]) => [k, Array.isArray(v) ? v.slice() : v]);
  const same = (a: unknown, b: unknown): boolean =>
    Array.isArray(a) && Array.isArray(b) ? a.length === b.length && a.every((x, i) => Object.is(x, b[i])) : Object.is(a, b);

  for (const name of ['timers', 'ids', 'monitor']) {
    it(`${name}: no vexpress device changes anything but \`s\`; save/load round-trips and continues identically`, () => {
      ensureVexpressFirmware([vexpressElf(name, 'arm-O2')]);
      const m = boot(name);
      const devices = m.devices.filter((d) => PERIPHERALS.includes(d.name));
      expect(devices.map((d) => d.name).sort()).toEqual(PERIPHERALS.slice().sort());
      const before = devices.map((d) => outside(d));
      m.run(60_000);
      devices.forEach((d, i) => {
        const after = outside(d);
        expect(after.length, d.name).toBe(before[i]!.length);
        after.forEach(([k, v], j) => expect(same(v, before[i]![j]![1]), `${d.name}.${k} changed outside \`s\``).toBe(true));
      });
      const c = boot(name);
      restoreMachineState(c, captureMachineState(m));
      c.bus.u8.set(m.bus.u8);
      expect(c.stateHash()).toBe(m.stateHash());
      m.run(200_000);
      c.run(200_000);
      expect(c.stateHash()).toBe(m.stateHash());
    });
  }
});
