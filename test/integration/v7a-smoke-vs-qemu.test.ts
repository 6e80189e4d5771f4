/**
 * The A-profile core on `virt` against qemu-system-arm -M virt -cpu cortex-a15, with bare-metal
 * programs from firmware/v7a/smoke (assembled here): smoke.S records identification registers,
 * CPSR, banked-register UNDEFs, and what UND, SVC, data abort and BKPT leave in LR/SPSR/DFSR/DFAR/
 * IFSR and exits with status 3; sysreg-probe.S reads ~130 CP15/CP14 registers (UNDEF shows as
 * 0xdeadNNNN); pmu-debug.S exercises the PMU counters and the debug registers. Each writes raw
 * words to stdout through semihosting. Output bytes, the semihosting console and the exit status
 * must be identical at icount shifts 0 and 7; pc-alignment.S takes a PC alignment prefetch abort,
 * exclusive-monitor.S checks what keeps or closes the exclusive monitor.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIRMWARE_DIR } from '../support/firmware.js';
import { guestStderr, runQemu } from '../support/qemu.js';
import { armrrCli, armrrGuestStderr, runArmrrCli } from '../support/armrr-run.js';

const SMOKE = join(FIRMWARE_DIR, 'v7a/smoke');
const PROGRAMS = [
  { name: 'smoke', exit: 3, words: 43 },
  { name: 'sysreg-probe', exit: 0, words: 91 },
  { name: 'pmu-debug', exit: 0, words: 24 },
  { name: 'pc-alignment', exit: 0, words: 4 },
  { name: 'exclusive-monitor', exit: 0, words: 7 },
];
let dir = '';
const elf = (name: string): string => join(dir, `${name}.elf`);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'armrr-v7a-smoke-'));
  // No silent skip: a missing toolchain fails here with the compiler's message.
  for (const p of PROGRAMS) {
    execFileSync('arm-none-eabi-gcc', [
      '-march=armv7ve', '-marm', '-nostdlib', '-nostartfiles',
      '-T', join(SMOKE, 'link.ld'), '-o', elf(p.name), join(SMOKE, `${p.name}.S`),
    ]);
  }
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('v7-A core programs on virt: armrr vs QEMU', () => {
  for (const p of PROGRAMS) for (const shift of [0, 7]) {
    it(`${p.name}: identical record, console and exit status at shift ${shift}`, async () => {
      const [q, a] = await Promise.all([
        runQemu(elf(p.name), { machine: 'virt', icountShift: shift, timeoutMs: 30_000 }),
        runArmrrCli(elf(p.name), { machine: 'virt', icountShift: shift, timeoutMs: 30_000 }),
      ]);
      expect(q.timedOut).toBe(false);
      expect(q.exitCode).toBe(p.exit);
      expect(q.stdout.length).toBe(p.words * 4);
      expect(armrrGuestStderr(a.stderr)).toBe(guestStderr(q.stderr));
      expect(a.stdout.toString('hex')).toBe(q.stdout.toString('hex'));
      expect(a.exitCode).toBe(q.exitCode);
    });
  }
});

/** icount of every INTERRUPT and EXCEPTION event in a log, via `armrr dump --json`. */
async function syncEvents(log: string): Promise<string[]> {
  const r = await armrrCli(['dump', log, '--json']);
  expect(r.code).toBe(0);
  return r.stdout
    .split('\n')
    .filter((l) => l.startsWith('{"index"'))
    .map((l) => JSON.parse(l) as { kind: string; icount: number })
    .filter((e) => e.kind === 'INTERRUPT' || e.kind === 'EXCEPTION')
    .map((e) => `${e.kind}@${e.icount}`);
}

describe('record/replay events on virt: armrr vs QEMU', () => {
  for (const name of ['smoke', 'pc-alignment']) {
    it(`${name}: EXCEPTION events at QEMU's icounts (UND, SVC, aborts, BKPT, semihosting), and the log replays`, async () => {
      const qlog = join(dir, `${name}-qemu.rr`);
      const alog = join(dir, `${name}-armrr.rr`);
      const q = await runQemu(elf(name), { machine: 'virt', icountShift: 2, timeoutMs: 30_000 });
      expect(q.timedOut).toBe(false);
      // QEMU's recording: the same command line with rr=record (runQemu's -icount takes no rr option).
      const recorded = spawnSync('qemu-system-arm', [
        '-M', 'virt', '-cpu', 'cortex-a15', '-m', '128M', '-nic', 'none', '-display', 'none', '-monitor', 'none',
        '-serial', 'none', '-semihosting-config', 'enable=on,target=native',
        '-icount', `shift=2,sleep=off,rr=record,rrfile=${qlog}`, '-kernel', elf(name),
      ], { stdio: 'ignore', timeout: 30_000 });
      expect(recorded.status).toBe(q.exitCode);
      const rec = await armrrCli(['record', elf(name), '--machine', 'virt', '--icount-shift', '2', '-o', alog]);
      expect(rec.code).toBe(q.exitCode);
      const [qe, ae] = await Promise.all([syncEvents(qlog), syncEvents(alog)]);
      expect(qe.length).toBeGreaterThan(2);
      expect(ae).toEqual(qe);
      const rep = await armrrCli(['replay', elf(name), alog]);
      expect(rep.code).toBe(q.exitCode);
    });
  }
});
