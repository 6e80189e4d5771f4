/**
 * The shared QEMU 7.2 fixture firmware (SysTick + TIMER0 interrupts, CRC, UART output) must print
 * the same on armrr as on qemu-system-arm -M mps2-an385 at the same icount shift.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createMachine } from '../../src/emulator/machines/index.js';
import { loadFirmware } from '../../src/emulator/loader/elf.js';

const FW_TINY = new URL('../fixtures/qemu-7.2-mps2/fw_tiny.elf', import.meta.url).pathname;

function runQemu(elf: string, shift: number): string {
  const r = spawnSync('qemu-system-arm', [
    '-M', 'mps2-an385', '-display', 'none', '-serial', 'stdio', '-monitor', 'none', '-semihosting',
    '-icount', `shift=${shift}`, '-kernel', elf,
  ], { encoding: 'latin1', timeout: 30_000 });
  expect(r.status).toBe(0);
  return r.stdout;
}

function runArmrr(elf: string, shift: number): { out: string; stop: unknown; icount: number } {
  let out = '';
  const m = createMachine('mps2-an385', {
    icountShift: shift,
    serial: { poll: () => -1, exhausted: () => true, nextDueIcount: () => Infinity },
    host: { hostClockNs: () => 0, consoleRead: () => null, fileRead: () => null },
    output: { uartWrite: (d, b) => { if (d === 0) out += String.fromCharCode(b); }, consoleWrite: () => {} },
  });
  loadFirmware(m, new Uint8Array(readFileSync(elf)));
  const stop = m.run(1e8);
  return { out, stop, icount: m.icount };
}

describe('fixture firmware against qemu-system-arm', () => {
  for (const shift of [0, 7]) {
    it(`fw_tiny prints the same at shift ${shift}`, () => {
      const ours = runArmrr(FW_TINY, shift);
      expect(ours.stop).toMatchObject({ kind: 'exit' });
      if (shift === 0) expect(ours.icount).toBe(98_735); // fixtures README: QEMU retires 98,735 instructions
      expect(ours.out).toBe(runQemu(FW_TINY, shift));
    });
  }
});
