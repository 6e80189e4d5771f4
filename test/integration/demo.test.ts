/**
 * `npm run demo` (scripts/demo.sh) end to end: it records firmware/demo/demo.c, replays it under a real
 * gdb-multiarch, reverse-continues from the corruption report to the store that caused it, and must
 * end inside TIMER0_Handler on that store. (How long it takes is not asserted: the timeout below
 * only turns a hang into a failure.)
 */

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/firmware.js';

describe('npm run demo', () => {
  it('goes back from the corrupted line to the guilty store inside the timer ISR', { timeout: 320_000 }, () => {
    const run = spawnSync('bash', [join(ROOT, 'scripts', 'demo.sh')], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
    const out = `${run.stdout}${run.stderr}`;
    expect(run.error, out).toBeUndefined();
    expect(run.status, out).toBe(0);

    // The firmware noticed the damage while recording.
    expect(out).toMatch(/ERROR: line \d+ is corrupted at offset \d+ \(checksum mismatch\)/);
    // gdb stopped at the report, then reverse-continued onto the ISR's store.
    expect(out).toMatch(/Breakpoint 1, report_corruption \(lineno=\d+, offset=\d+\)/);
    expect(out).toMatch(/\(gdb\) reverse-continue\n\nHardware watchpoint 2: -location line\[\$bad\]\n\nOld value = 0 '\\000'\nNew value = \d+ '.'\n0x[0-9a-f]+ in TIMER0_Handler \(\)/);
    // The backtrace goes from the handler through the exception frame into main's race window.
    expect(out).toMatch(/\(gdb\) bt\n#0 {2}0x[0-9a-f]+ in TIMER0_Handler \(\) at \S+demo\.c:\d+\n#1 {2}<signal handler called>\n#2 {2}0x[0-9a-f]+ in main \(\) at \S+demo\.c:\d+/);
    expect(out).toMatch(/=> 0x[0-9a-f]+ <TIMER0_Handler\+\d+>:\s+strb/);
    // The helpers ran: position and the timer that fired.
    expect(out).toMatch(/\(gdb\) armrr when\nCurrent icount: \d+\nNext event: \d+/);
    expect(out).toMatch(/CMSDK timer0\s+\d+\s+\d+\s+[\d.]+ us\s+2499\s+100\.00 us\s+yes/);
    // Forward over the store: the byte becomes '\0'.
    expect(out).toMatch(/\(gdb\) stepi\n\nHardware watchpoint 2: -location line\[\$bad\]\n\nOld value = \d+ '.'\nNew value = 0 '\\000'/);
    // The session ends on the guilty instruction: line[len] = '\0' in TIMER0_Handler.
    const frames = out.split('\n').filter((l) => l.startsWith('#0 '));
    expect(frames.at(-1)).toMatch(/^#0 {2}0x[0-9a-f]+ in TIMER0_Handler \(\) at \S+demo\.c:\d+$/);
    expect(out).toMatch(/\(gdb\) frame\n#0 .*TIMER0_Handler.*\n\d+\s+line\[len\] = '\\0';/);
    expect(out).toContain('demo ok: the byte was overwritten by TIMER0_Handler');
  });
});
