/**
 * Every test program × -O level × icount shift runs on qemu-system-arm and on `armrr run`; the guest's
 * stdout (UART0, semihosting SYS_WRITE on ":tt"), its semihosting console (stderr) and the exit
 * code must be identical. Timer-driven output only matches when virtual time matches QEMU's icount.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureFirmware, elfPath, OPT_LEVELS, PROGRAMS, PROGRAM_INPUT } from '../support/firmware.js';
import { armrrGuestStderr, runArmrrCli } from '../support/armrr-run.js';
import { guestStderr, requireQemu, runQemu } from '../support/qemu.js';

const SHIFTS = [0, 3, 7];


const cases = PROGRAMS.flatMap((p) => OPT_LEVELS.flatMap((o) => SHIFTS.map((s) => ({ name: p, opt: o, shift: s }))));
cases.push(...SHIFTS.map((s) => ({ name: 'crc32' as (typeof PROGRAMS)[number], opt: 'O2' as const, shift: s })));
// The RTOS-shaped benchmark (firmware/bench/rtos.c): ~16 M instructions of SysTick/PendSV context
// switches, a TIMER0 interrupt and a WFI idle task. At shift 5 and 7 its idle CPU sees QEMU's double
// warp (a timer re-armed while the CPU sleeps moves virtual time again, see VirtualClock.arm).
cases.push(...[0, 5, 7].map((s) => ({ name: 'rtos' as (typeof PROGRAMS)[number], opt: 'O2' as const, shift: s })));
// Its BUSY=1 build (the bench's FreeRTOS-like rows): no WFI, idle-priority compute tasks time-sliced
// by the tick, an idle hook called through a pointer. Shifts 3 and 7 (15 M and 4 M instructions): at
// shift 0 its compute tasks fill 1e6 instructions per tick (1.2e8 in all, too long interpreted).
cases.push(...[3, 7].map((s) => ({ name: 'rtos-busy' as (typeof PROGRAMS)[number], opt: 'O2' as const, shift: s })));

requireQemu();

describe('firmware output: armrr vs QEMU', () => {
  let inputDir = '';
  beforeAll(() => {
    ensureFirmware();
    inputDir = mkdtempSync(join(tmpdir(), 'armrr-fw-input-'));
  });

  it.concurrent.each(cases)('$name-$opt at shift $shift', async ({ name, opt, shift }) => {
    const elf = elfPath(name, opt);
    const text = (PROGRAM_INPUT as Record<string, string>)[name] ?? '';
    const input = Buffer.from(text, 'latin1');
    const inputFile = join(inputDir, `${name}-${opt}-${shift}.in`);
    writeFileSync(inputFile, input);

    const [q, a] = await Promise.all([runQemu(elf, { icountShift: shift, input, timeoutMs: 60_000 }), runArmrrCli(elf, { icountShift: shift, inputFile })]);
    expect(q.timedOut, `QEMU timed out; stderr: ${q.stderr}`).toBe(false);
    // The reference itself must be sane: every program prints something and exits by semihosting.
    expect(q.stdout.length + guestStderr(q.stderr).length).toBeGreaterThan(0);

    expect(a.stdout.toString('latin1'), `stdout differs (armrr stderr: ${a.stderr.slice(0, 400)})`).toBe(q.stdout.toString('latin1'));
    expect(armrrGuestStderr(a.stderr), 'semihosting console (stderr) differs').toBe(guestStderr(q.stderr));
    expect(a.exitCode, 'exit code differs').toBe(q.exitCode);
  });
});
