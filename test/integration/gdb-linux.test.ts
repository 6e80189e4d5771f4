/**
 * Reverse debugging Debian's Linux kernel and a user process with real gdb-multiarch on an armrr
 * replay of the fast boot (recorded once here, with a line typed at the prompt through a pipe).
 * Kernel symbols come from the kernel image's own kallsyms tables (`armrr load-symbols`, no -dbg
 * package); rrdemo's from its ELF.
 *
 * Expected values come from outside armrr: the kernel's code as gdb disassembles it (the store's
 * source register), its calling convention (arch_timer_set_next_event_virt's delta in r0), rrdemo's
 * source (sample(8) is the value that lands on `calibration`, CALIBRATION the one it replaces) and
 * busybox's ELF header (its entry point).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { frameOf, isNoHistoryStop, monitorJson, readIcount, replayInfo, runWithOutput, seek } from '../support/armrr-process.js';
import { ensureDebianGuest, type DebianGuest } from '../support/debian-guest.js';
import type { GdbMi, MiTuple } from '../support/gdb-mi.js';
import { connectLinuxReplay, recordFastBoot, type LinuxGdbSession } from '../support/linux-replay.js';
import { breakpointThreeHitsThenBack, gdbNum, gdbState, reverseWatchJiffies, symbolAtPc as symbolAtPcOf } from '../support/linux-gdb-checks.js';

/** rrdemo.c: CALIBRATION, and sample(i) = (i * 2654435761u) >> 7 for the stray index SAMPLES = 8. */
const CALIBRATION = 0x5eed1234;
const STRAY_SAMPLE = Number((8n * 2654435761n) & 0xffffffffn) >>> 7;
const LONG = 900_000;

/** The icount of the first system call from user space (set by the kernel tests). */
let firstUserSyscall: number | null = null;

let dir = '';
let guest: DebianGuest;
let session: LinuxGdbSession;
let gdb: GdbMi;

beforeAll(async () => {
  guest = ensureDebianGuest();
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
const symbolAtPc = (): Promise<string> => symbolAtPcOf(gdb);

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

  it('reverse-stepi/stepi round trips across a system call: the user svc into the kernel, and the exception return back to user mode', async () => {
    // Linux runs ARMv7 with high vectors (SCTLR.V): every SVC enters the kernel at 0xffff0008. A
    // break at vector_swi would miss: the Spectre-BHB vector stubs branch past its first insns.
    await gdb.console('break *0xffff0008');
    expect((await forward('-exec-continue'))['reason']).toBe('breakpoint-hit');
    await gdb.console('delete');
    expect(mode(await state())).toBe(0x13);
    await forward('-exec-step-instruction --reverse');
    const svc = /^=> (0x[0-9a-f]+)[^\n]*:\s+svc\s+0\b/m.exec(await gdb.console('x/i $pc'));
    expect(svc, 'one reverse-stepi from the vector is the user svc').not.toBeNull();
    firstUserSyscall = await readIcount(gdb);
    for (let i = 0; i < 2; i++) await forward('-exec-step-instruction --reverse');
    const into = await roundTrip(6);
    expect(into.map(mode)).toContain(0x10);
    expect(into.map(mode)).toContain(0x13);
    // Back: the instruction after the svc (Thumb or ARM), in this process only (the same code runs
    // in every busybox process), reached through the kernel's exception return.
    await seek(gdb, firstUserSyscall);
    const thumb = ((await num('$cpsr')) & 0x20) !== 0;
    await gdb.console('armrr process-filter current');
    await gdb.console(`tbreak *${Number(svc![1]) + (thumb ? 2 : 4)}`);
    expect((await forward('-exec-continue'))['reason']).toBe('breakpoint-hit');
    expect(mode(await state())).toBe(0x10);
    for (let i = 0; i < 3; i++) await forward('-exec-step-instruction --reverse');
    const back = await roundTrip(6);
    expect(back.map(mode)).toContain(0x10);
    expect(back.map(mode)).toContain(0x13);
  });

  it('a reverse watchpoint on jiffies stops at the timer code storing it; the value before and after match the store', async () => {
    await reverseWatchJiffies(gdb, LONG);
  });

  it('the timers view shows the virtual generic timer as arch_timer_set_next_event_virt programmed it', async () => {
    await gdb.console('break *arch_timer_set_next_event_virt');
    await forward('-exec-continue');
    await gdb.console('delete');
    const delta = await num('$r0');
    const ret = ((await num('$lr')) & ~1) >>> 0;
    type Timers = { genericTimers: { register: string; enabled: boolean; masked: boolean; cval: number; counter: number; fireNs: number; leftNs: number }[] };
    const atCall = await monitorJson<Timers>(gdb, 'timers');
    // Step to the return: the function reads the counter and writes CVAL and CTL on the way.
    for (let i = 0; i < 400 && (await num('$pc')) !== ret; i++) await forward('-exec-step-instruction');
    expect(await num('$pc')).toBe(ret);
    const after = await monitorJson<Timers>(gdb, 'timers');
    const info = await monitorJson<{ virtualNs: number }>(gdb, 'info replay');
    const cntv = after.genericTimers.find((t) => t.register === 'CNTV')!;
    const counterAtCall = atCall.genericTimers[0]!.counter;
    expect(cntv.enabled).toBe(true);
    expect(cntv.masked).toBe(false);
    // The driver writes CVAL = CNTVCT + delta with CNTVCT read between the call and the return.
    expect(cntv.cval).toBeGreaterThanOrEqual(counterAtCall + delta);
    expect(cntv.cval).toBeLessThanOrEqual(cntv.counter + delta);
    expect(cntv.fireNs).toBe(cntv.cval * 16); // 62.5 MHz counter
    expect(cntv.leftNs).toBe(cntv.fireNs - info.virtualNs);
    expect(await gdb.console('armrr timers')).toMatch(/CNTV \(virtual\)\s+0x1\s+enabled\s+0x[0-9a-f]{16}/);
  });
});

describe('gdb on the Linux replay: one user process (rrdemo)', { timeout: LONG }, () => {
  /** Where `armrr process` left rrdemo (its first instruction) and its ASID, for the next tests. */
  let rrdemo: { icount: number; asid: number } | null = null;

  async function atRrdemoStart(): Promise<{ icount: number; asid: number }> {
    if (rrdemo !== null) {
      await seek(gdb, rrdemo.icount);
      await gdb.console(`armrr process-filter asid=${rrdemo.asid}`);
      return rrdemo;
    }
    // rrdemo is exec'd after /init's first system call (the kernel tests found it): start there.
    await seek(gdb, firstUserSyscall ?? 0);
    const text = await gdb.consoleUntil('armrr process /bin/rrdemo', /runs in ASID \d+|armrr process: /, LONG);
    const m = /runs in ASID (\d+)/.exec(text);
    expect(m, text).not.toBeNull();
    rrdemo = { icount: await readIcount(gdb), asid: Number(m![1]) };
    return rrdemo;
  }

  it('armrr process stops at rrdemo’s first instruction and filters on its ASID; reverse-continue from a watch finds the corrupting store', async () => {
    const { asid } = await atRrdemoStart();
    expect(await symbolAtPc()).toMatch(/^_start in section \.text of .*rrdemo/);
    await gdb.console('break checksum');
    const atChecksum = await forward('-exec-continue');
    expect(frameOf(atChecksum)['func']).toBe('checksum');
    expect(await num('table.calibration')).toBe(STRAY_SAMPLE);
    await gdb.console('watch table.calibration');
    const { stopped } = await runWithOutput(gdb, '-exec-continue --reverse', LONG);
    expect(stopped['reason']).toBe('watchpoint-trigger');
    expect(frameOf(stopped)['func']).toBe('fill_samples');
    // gdb shows the value before the store as `new` when going backwards.
    expect(Number((stopped['value'] as MiTuple)['old'])).toBe(STRAY_SAMPLE);
    expect(Number((stopped['value'] as MiTuple)['new'])).toBe(CALIBRATION);
    expect(await num('i')).toBe(8);
    expect(await num('table.calibration')).toBe(CALIBRATION);
    expect((await monitorJson<{ asid: number }>(gdb, 'process-filter')).asid).toBe(asid);
    // The store is the instruction at pc: one stepi and the stray sample is there.
    await gdb.console('delete');
    await forward('-exec-step-instruction');
    expect(await num('table.calibration')).toBe(STRAY_SAMPLE);
  });

  it('a breakpoint at a user address stops only in the filtered process, then at the end of the replay; from there reverse-stepi/stepi and reverse-continue work', async () => {
    // busybox's entry point runs in every busybox process exec'd (poweroff after rrdemo). Its page
    // is not mapped yet when a new process first gets there (demand paging).
    const busybox = readFileSync(guest.busybox);
    const entry = busybox.readUInt32LE(0x18) & ~1;
    const start = await atRrdemoStart();
    await gdb.console('break checksum');
    await gdb.console(`break *0x${entry.toString(16)}`);
    const inRrdemo = await forward('-exec-continue');
    expect(frameOf(inRrdemo)['func']).toBe('checksum');
    // Filtered on rrdemo: no other process stops it, up to the power-off that ends the replay.
    const filtered = await runWithOutput(gdb, '-exec-continue', LONG);
    expect(isNoHistoryStop(filtered), JSON.stringify(filtered)).toBe(true);
    const { endIcount } = await replayInfo(gdb);
    expect(await readIcount(gdb)).toBe(endIcount);
    // The end is a stop like any other: reverse-stepi and stepi round trip there.
    await gdb.console('delete');
    const end = await state();
    await forward('-exec-step-instruction --reverse');
    const before = await state();
    expect(before.icount).toBe(endIcount - 1);
    await forward('-exec-step-instruction --reverse');
    await forward('-exec-step-instruction');
    expect(await state()).toEqual(before);
    await runWithOutput(gdb, '-exec-step-instruction', LONG);
    expect(await state()).toEqual(end);
    expect(isNoHistoryStop(await runWithOutput(gdb, '-exec-continue', LONG))).toBe(true);
    expect(await state()).toEqual(end);
    // Unfiltered, reverse-continue from the end stops at the entry breakpoint in another process.
    await gdb.console('armrr process-filter off');
    await gdb.console(`break *0x${entry.toString(16)}`);
    const unfiltered = await forward('-exec-continue --reverse');
    expect(unfiltered['reason']).toBe('breakpoint-hit');
    expect(await num('$pc')).toBe(entry);
    expect(await readIcount(gdb)).toBeGreaterThan(start.icount);
    const other = await monitorJson<{ asid: number }>(gdb, 'process-filter');
    expect(other.asid).not.toBe(start.asid);
  });
});
