/**
 * Where QEMU 7.2 contradicts the device documentation, armrr follows the documentation and the
 * difference is named here (issue: "keep the difference out of the compared output").
 *
 * QEMU 7.2, -icount sleep=off: while the core sleeps in WFI with two CMSDK timers armed, QEMU
 * skips idle time to the later timer's deadlines and merges the earlier timer's expiries in
 * between into one interrupt. The CMSDK APB timer raises its interrupt once per period, and WFI
 * wakes on each one, so armrr counts every period. firmware/src/irq-timers.c busy-waits in its
 * multi-timer section for this reason.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it, beforeAll } from 'vitest';
import { ensureFirmware, elfPath, ROOT } from '../support/firmware.js';
import { runQemu } from '../support/qemu.js';

const WFI_ELF = elfPath('qemu-wfi-quirk', 'O2');
const TICK_NS = 40; // 25 MHz timer clock
const T1_FIRST = 7000; // ticks to the first TIMER1 interrupt (VALUE written)
const T1_PERIOD = 7001; // then RELOAD + 1 ticks per period
const DUAL_FIRST = 11000;
const DUAL_PERIOD = 11001;
const DUAL_COUNT = 40; // the program stops after this many dual-timer interrupts

/** TIMER1 interrupts before the last dual-timer interrupt, from the timer periods alone. */
function expectedTimer1Interrupts(): number {
  const endNs = (DUAL_FIRST + (DUAL_COUNT - 1) * DUAL_PERIOD) * TICK_NS;
  return Math.floor((endNs - T1_FIRST * TICK_NS) / (T1_PERIOD * TICK_NS)) + 1;
}

function armrr(shift: number): string {
  return execFileSync(process.execPath, [`${ROOT}/bin/armrr.js`, 'run', WFI_ELF, '--icount-shift', String(shift)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

describe('QEMU 7.2 quirk: CMSDK timer interrupts lost while the core sleeps in WFI', () => {
  beforeAll(() => ensureFirmware());

  it('armrr delivers one TIMER1 interrupt per period (device documentation)', () => {
    // Shift 0: one instruction per ns, so the few instructions between the two timer enables
    // cannot move a deadline across another.
    expect(armrr(0).trim()).toBe(`t1=${expectedTimer1Interrupts()} dual=${DUAL_COUNT}`);
  });

  it('QEMU 7.2 merges TIMER1 expiries into the dual timer periods (the named difference)', async () => {
    const q = await runQemu(WFI_ELF, { icountShift: 0 });
    const out = q.stdout.toString().trim();
    const m = /^t1=(\d+) dual=(\d+)$/.exec(out);
    expect(m, `QEMU printed: ${out}`).not.toBeNull();
    expect(Number(m![2])).toBe(DUAL_COUNT);
    // If this starts failing, QEMU no longer loses these interrupts: drop the busy-wait workaround
    // in irq-timers.c and this test.
    expect(Number(m![1])).toBeLessThan(expectedTimer1Interrupts());
  });
});

describe('QEMU 7.2 quirk: a trapped UDIV loses the preceding MOV to its destination', () => {
  beforeAll(() => ensureFirmware());
  // firmware/src/faults.c does not print the destination of a trapped divide for this reason.
  for (const opt of ['O0', 'O2']) {
    it(`-${opt}: armrr keeps the architectural value; QEMU without -singlestep shows a stale one`, async () => {
      const elf = elfPath('qemu-udiv-quirk', opt);
      const mine = execFileSync(process.execPath, [`${ROOT}/bin/armrr.js`, 'run', elf, '--icount-shift', '0'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      expect(mine.trim()).toBe('r0 after trapped udiv: 77');
      const q = (await runQemu(elf, { icountShift: 0 })).stdout.toString().trim();
      expect(q).toMatch(/^r0 after trapped udiv: \d+$/);
      expect(q).not.toBe('r0 after trapped udiv: 77');
    });
  }
});
