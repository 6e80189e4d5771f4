/**
 * Must-be-true checks of gdb on a Linux replay, shared by the boards' tests (gdb-linux.test.ts on
 * virt, gdb-vexpress-linux.test.ts): a kernel breakpoint hit three times forward then
 * reverse-continue back to the second hit; a reverse watchpoint on jiffies. Expected values come
 * from outside armrr: the kernel's code as gdb disassembles it and the architecture.
 */
import { expect } from 'vitest';
import { firstHex, readIcount, runWithOutput, seek } from './armrr-process.js';
import type { GdbMi, MiTuple } from './gdb-mi.js';

/** Everything that must be identical when the replay comes back to a point: icount and all registers. */
export async function gdbState(gdb: GdbMi): Promise<{ icount: number; regs: string }> {
  return { icount: await readIcount(gdb), regs: await gdb.console('info registers') };
}

export async function gdbNum(gdb: GdbMi, expr: string): Promise<number> {
  return firstHex(await gdb.console(`p/x ${expr}`));
}

export function symbolAtPc(gdb: GdbMi): Promise<string> {
  return gdb.console('info symbol $pc');
}

/** From the start, `break fn` hit three times; reverse-continue lands on the second hit with identical registers and icount. */
export async function breakpointThreeHitsThenBack(gdb: GdbMi, fn: string, timeoutMs: number): Promise<void> {
  await seek(gdb, 0);
  await gdb.console(`break ${fn}`);
  const hits: { icount: number; regs: string }[] = [];
  for (let n = 0; n < 3; n++) {
    const stopped = await gdb.run('-exec-continue', timeoutMs);
    expect(stopped['reason']).toBe('breakpoint-hit');
    expect(await symbolAtPc(gdb)).toMatch(new RegExp(`^${fn} in section`));
    hits.push(await gdbState(gdb));
  }
  expect(hits[0]!.icount).toBeLessThan(hits[1]!.icount);
  expect(hits[1]!.icount).toBeLessThan(hits[2]!.icount);
  expect(hits[1]!.regs).toMatch(/^cpsr\s+0x[0-9a-f]+/m);
  const back = await gdb.run('-exec-continue --reverse', timeoutMs);
  expect(back['reason']).toBe('breakpoint-hit');
  expect(await gdbState(gdb)).toEqual(hits[1]);
}

/**
 * From where the replay stands, a reverse watchpoint on jiffies stops before the timer code's store
 * (the instruction at pc is it); the values before and after the store match it.
 */
export async function reverseWatchJiffies(gdb: GdbMi, timeoutMs: number): Promise<void> {
  await gdb.console('watch *(unsigned long *)&jiffies');
  const { stopped } = await runWithOutput(gdb, '-exec-continue --reverse', timeoutMs);
  expect(stopped['reason']).toBe('watchpoint-trigger');
  expect(await symbolAtPc(gdb)).toMatch(/^(tick_do_update_jiffies64|do_timer|tick_periodic) \+ \d+ in section/);
  const insn = await gdb.console('x/i $pc');
  const store = /\tstr\s+(r\d+|ip|lr), \[(r\d+|ip|lr)\]/.exec(insn);
  expect(store, insn).not.toBeNull();
  expect(await gdbNum(gdb, `$${store![2]}`)).toBe(await gdbNum(gdb, '&jiffies'));
  const stored = await gdbNum(gdb, `$${store![1]}`);
  const before = await gdbNum(gdb, '*(unsigned long *)&jiffies');
  expect(Number((stopped['value'] as MiTuple)['new'])).toBe(before);
  await gdb.console('delete');
  await gdb.run('-exec-step-instruction', timeoutMs);
  const after = await gdbNum(gdb, '*(unsigned long *)&jiffies');
  expect(after).toBe(stored);
  // jiffies counts ticks forward (wrapping from INITIAL_JIFFIES = -300 s): at least one tick.
  expect((after - before) >>> 0).toBeGreaterThanOrEqual(1);
  expect((after - before) >>> 0).toBeLessThan(1000);
}
