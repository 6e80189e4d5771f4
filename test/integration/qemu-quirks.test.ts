/**
 * Where QEMU 7.2 contradicts the device documentation, armrr follows the documentation and the
 * difference is named here (issue: "keep the difference out of the compared output").
 *
 * Once named here too, now matched: while the core sleeps in WFI with two CMSDK timers armed, QEMU
 * 7.2 (-icount sleep=off) runs fewer TIMER1 handlers than TIMER1 has periods. That is its run loop,
 * not the timer: a timer re-armed ahead of every other one while the core sleeps warps virtual time
 * to it at once (timerlist_rearm -> icount_start_warp_timer), and a ptimer re-arms before it raises
 * its interrupt, so expiries pass before the core wakes. armrr does the same (VirtualClock.arm), so
 * this program prints what QEMU prints at every shift.
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

/** TIMER1 periods before the last dual-timer interrupt, from the timer periods alone. */
function timer1Periods(): number {
  const endNs = (DUAL_FIRST + (DUAL_COUNT - 1) * DUAL_PERIOD) * TICK_NS;
  return Math.floor((endNs - T1_FIRST * TICK_NS) / (T1_PERIOD * TICK_NS)) + 1;
}

function armrr(shift: number): string {
  return execFileSync(process.execPath, [`${ROOT}/bin/armrr.js`, 'run', WFI_ELF, '--icount-shift', String(shift)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

describe('QEMU 7.2 idle warp on timer re-arm: TIMER1 expiries pass while the core sleeps in WFI', () => {
  beforeAll(() => ensureFirmware());

  it.each([0, 3, 7])('armrr prints what QEMU prints at shift %i, fewer TIMER1 interrupts than periods', async (shift) => {
    const q = (await runQemu(WFI_ELF, { icountShift: shift })).stdout.toString().trim();
    const m = /^t1=(\d+) dual=(\d+)$/.exec(q);
    expect(m, `QEMU printed: ${q}`).not.toBeNull();
    expect(Number(m![2])).toBe(DUAL_COUNT);
    // The reference still shows the warp (if QEMU ever counted every period, this test names nothing).
    expect(Number(m![1])).toBeLessThan(timer1Periods());
    expect(armrr(shift).trim()).toBe(q);
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
