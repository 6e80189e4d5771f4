/**
 * A timer interrupt due at the instruction boundary where the next fetch takes a prefetch abort:
 * QEMU 7.2 takes the abort first after a branch or a fall-through into another page (its
 * lookup_and_goto_ptr looks the next block up before cpu_exec checks interrupts and the icount
 * budget), the interrupt first after an exception return or a CPSR or coprocessor write (exit_tb).
 * firmware/v7a/irq-order sweeps the timer's deadline over every boundary around ten such cases
 * (A32 and T32 branches, fall-throughs, BX, LDR PC; RFE, MSR, MCR and an in-page branch as
 * controls) and prints, per deadline, the exceptions in the order taken with their addresses.
 * On virt (generic timer, one tick per instruction at shift 4) and vexpress-a9 (TWD, shift 0):
 * the console, and the order and icounts of the INTERRUPT, EXCEPTION and CHECKPOINT_CLOCK_VIRTUAL
 * events of both recordings, must equal QEMU's; armrr's recording replays. This is the guard for
 * the vexpress workload boot whose busybox `bl` into an unloaded page met a timer deadline (the
 * initramfs of that CI run is not in the repository).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIRMWARE_DIR } from '../support/firmware.js';
import { QEMU, guestStderr, qemuArgs, requireQemu } from '../support/qemu.js';
import { armrrCli, armrrGuestStderr } from '../support/armrr-run.js';
import { QEMU_VEXPRESS_ARGS } from '../support/vexpress-firmware.js';

const V7A = join(FIRMWARE_DIR, 'v7a');
const BOARDS = [
  { machine: 'virt', cpu: 'cortex-a15', ld: join(V7A, 'common/link.ld'), defs: [], shift: 4, qemuExtra: [], armrrExtra: [] },
  {
    machine: 'vexpress-a9', cpu: 'cortex-a9', ld: join(FIRMWARE_DIR, 'vexpress/link.ld'),
    defs: ['-DVEXPRESS', `-I${join(FIRMWARE_DIR, 'vexpress')}`], shift: 0, qemuExtra: QEMU_VEXPRESS_ARGS, armrrExtra: ['--memory', '128M'],
  },
] as const;
/** Ten cases of 32 deadlines each (fetch-abort-order.c). */
const LINES = 320;

let dir = '';
const elf = (machine: string): string => join(dir, `fetch-abort-order-${machine}.elf`);

beforeAll(() => {
  requireQemu();
  dir = mkdtempSync(join(tmpdir(), 'armrr-irq-order-'));
  // No silent skip: a missing toolchain fails here with the compiler's message.
  for (const b of BOARDS) {
    execFileSync('arm-none-eabi-gcc', [
      `-mcpu=${b.cpu}`, '-marm', '-mfloat-abi=soft', '-O2', '-std=gnu11', '-ffreestanding', '-fno-common', '-masm-syntax-unified',
      `-I${join(V7A, 'common')}`, ...b.defs, '-nostdlib', '-nostartfiles', '-T', b.ld, '-o', elf(b.machine),
      join(V7A, 'common/start.S'), join(V7A, 'common/rt.c'), join(V7A, 'irq-order/fetch-abort-order.c'), join(V7A, 'irq-order/cases.S'),
      '-lc', '-lgcc',
    ]);
  }
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** QEMU with `-icount …,rr=record` (a second -icount merges into the first): exit code and stderr. */
function qemuRecord(args: string[], log: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(QEMU, [...args, '-icount', `rr=record,rrfile=${log}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString('latin1')));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

/** kind@icount of every INTERRUPT, EXCEPTION and CHECKPOINT_CLOCK_VIRTUAL event, in log order. */
async function orderEvents(log: string): Promise<string[]> {
  const r = await armrrCli(['dump', log, '--json']);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout
    .split('\n')
    .filter((l) => l.startsWith('{"index"'))
    .map((l) => JSON.parse(l) as { kind: string; checkpoint?: string; icount: number })
    .filter((e) => e.kind === 'INTERRUPT' || e.kind === 'EXCEPTION' || e.checkpoint === 'CLOCK_VIRTUAL')
    .map((e) => `${e.checkpoint ?? e.kind}@${e.icount}`);
}

describe('an interrupt and a prefetch abort at one boundary: armrr vs QEMU', () => {
  for (const b of BOARDS) {
    it(`${b.machine}, shift ${b.shift}: the same order at every deadline, in the console and in the recording`, async () => {
      const qlog = join(dir, `${b.machine}-qemu.rr`);
      const alog = join(dir, `${b.machine}-armrr.rr`);
      const [q, a] = await Promise.all([
        qemuRecord(qemuArgs(elf(b.machine), { machine: b.machine, icountShift: b.shift, extraArgs: [...b.qemuExtra] }), qlog),
        armrrCli(['record', elf(b.machine), '--machine', b.machine, '--icount-shift', String(b.shift), ...b.armrrExtra, '-o', alog]),
      ]);
      expect(q.code).toBe(0);
      const expected = guestStderr(q.stderr);
      const lines = expected.split('\n').filter((l) => l !== '');
      expect(lines.length).toBe(LINES);
      // The sweep crosses the boundary in every case that faults: QEMU shows both orders there.
      for (const c of ['b', 'fall', 'bx', 'ldrpc', 'tbl', 'tfall', 'rfe', 'msr', 'mcr']) {
        const own = lines.filter((l) => l.startsWith(`${c} `));
        expect(own.some((l) => / P\w+ I\w+$/.test(l)), `${c}: abort first somewhere`).toBe(true);
        expect(own.some((l) => / I\w+ P\w+$/.test(l)), `${c}: interrupt first somewhere`).toBe(true);
      }
      expect(armrrGuestStderr(a.stderr)).toBe(expected);
      expect(a.code).toBe(0);
      const [qe, ae] = await Promise.all([orderEvents(qlog), orderEvents(alog)]);
      expect(qe.length).toBeGreaterThan(3 * LINES);
      expect(ae).toEqual(qe);
      const rep = await armrrCli(['replay', elf(b.machine), alog, '--machine', b.machine, '--icount-shift', String(b.shift), ...b.armrrExtra]);
      expect(rep.code, rep.stderr).toBe(0);
    });
  }
});
