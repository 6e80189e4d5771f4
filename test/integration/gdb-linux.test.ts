/**
 * Reverse debugging Debian's Linux kernel with real gdb-multiarch on an armrr
 * replay of the fast boot (recorded once here, with a line typed at the prompt through a pipe).
 * Kernel symbols come from the kernel image's own kallsyms tables (`armrr load-symbols`, no -dbg
 * package); rrdemo's from its ELF.
 *
 * Expected values come from outside armrr: the kernel's code as gdb disassembles it (the store's
 * source register, __switch_to's ldm) and the architecture (CPSR modes, THREAD_SIZE stacks).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensureDebianGuest } from '../support/debian-guest.js';
import type { GdbMi, MiTuple } from '../support/gdb-mi.js';
import { connectLinuxReplay, recordFastBoot, type LinuxGdbSession } from '../support/linux-replay.js';
import { breakpointThreeHitsThenBack, gdbNum, gdbState, reverseWatchJiffies } from '../support/linux-gdb-checks.js';

const LONG = 900_000;

let dir = '';
let session: LinuxGdbSession;
let gdb: GdbMi;

beforeAll(async () => {
  const guest = ensureDebianGuest();
  dir = mkdtempSync(join(tmpdir(), 'armrr-gdb-linux-'));
  const log = join(dir, 'boot.rrlog');
  const console = await recordFastBoot(guest, log, 'hello');
  expect(console).toContain('you typed: hello');
  session = await connectLinuxReplay(guest, log);
  gdb = session.gdb;
}, LONG);
afterAll(async () => {
  await session?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  await gdb.console('delete');
  await gdb.console('armrr process-filter off');
});

const state = (): ReturnType<typeof gdbState> => gdbState(gdb);
const num = (expr: string): Promise<number> => gdbNum(gdb, expr);

const forward = (cmd: string): Promise<MiTuple> => gdb.run(cmd, LONG);

describe('gdb on the Linux replay: the kernel', { timeout: LONG }, () => {
  it('loads kernel symbols from the image: functions, exported data, info symbol, x/i', async () => {
    expect(await gdb.console('info address kernel_clone')).toMatch(/Symbol "kernel_clone" is at 0xc0[0-9a-f]+/);
    expect(await gdb.console('info address jiffies')).toMatch(/Symbol "jiffies" is at 0xc[0-9a-f]+/);
    // jiffies is jiffies_64's low word (the linker script aliases them).
    expect(await num('&jiffies')).toBe(await num('&jiffies_64'));
    expect(await gdb.console('info symbol kernel_clone+8')).toMatch(/^kernel_clone \+ 8 in section \.text/);
  });

  it('a kernel function breakpoint hit three times forward; reverse-continue lands on the second hit with identical registers and icount', async () => {
    await breakpointThreeHitsThenBack(gdb, 'kernel_clone', LONG);
  });

  /** n stepi forward recording each state, then n reverse-stepi that must retrace them exactly. */
  async function roundTrip(n: number): Promise<{ icount: number; regs: string }[]> {
    const states = [await state()];
    for (let i = 0; i < n; i++) {
      await forward('-exec-step-instruction');
      states.push(await state());
    }
    for (let i = n - 1; i >= 0; i--) {
      await forward('-exec-step-instruction --reverse');
      expect(await state(), `reverse-stepi back to step ${i}`).toEqual(states[i]);
    }
    return states;
  }

  const mode = (s: { regs: string }): number => Number(/^cpsr\s+(0x[0-9a-f]+)/m.exec(s.regs)![1]) & 0x1f;
  const reg = (s: { regs: string }, name: string): number => Number(new RegExp(`^${name}\\s+(0x[0-9a-f]+)`, 'm').exec(s.regs)![1]);

  it('reverse-stepi/stepi round trips across an interrupt entry (IRQ taken in SVC mode)', async () => {
    await gdb.console('break __irq_svc');
    const stopped = await forward('-exec-continue');
    expect(stopped['reason']).toBe('breakpoint-hit');
    await gdb.console('delete');
    // Back over the vector stub into the interrupted kernel code, then forward again.
    for (let i = 0; i < 6; i++) await forward('-exec-step-instruction --reverse');
    const states = await roundTrip(12);
    const modes = new Set(states.map(mode));
    expect(modes.has(0x12), 'IRQ mode (the vector stub)').toBe(true);
    expect(modes.has(0x13), 'SVC mode (interrupted code and __irq_svc)').toBe(true);
  });

  it('reverse-stepi/stepi round trips across a context switch (the ldm in __switch_to that loads the next task)', async () => {
    // __switch_to loads the next task's saved registers (`ldm r4, {r4 - sl, fp, ip, lr}`, then
    // `mov sp, ip` and `bx lr`, or `ldm r4, {..., sp, pc}` in other configurations).
    const listing = await gdb.console('x/48i __switch_to');
    const ldm = /^\s*(0x[0-9a-f]+) <__switch_to\+\d+>:\s+ldm(?:ia)?\s+r4, \{/m.exec(listing);
    expect(ldm, listing).not.toBeNull();
    await gdb.console(`break *${ldm![1]}`);
    await forward('-exec-continue');
    await gdb.console('delete');
    for (let i = 0; i < 4; i++) await forward('-exec-step-instruction --reverse');
    const states = await roundTrip(10);
    // THREAD_SIZE is 8 KiB: the stack pointer moved to another task's kernel stack.
    const stacks = new Set(states.map((s) => reg(s, 'sp') >>> 13));
    expect(stacks.size).toBeGreaterThan(1);
  });

  it('a reverse watchpoint on jiffies stops at the timer code storing it; the value before and after match the store', async () => {
    await reverseWatchJiffies(gdb, LONG);
  });
});
