/**
 * Block JIT corner cases, each run on two identical boards — one translating, one interpreter-only
 * — driven through the same sequence of `run` targets; after every step both must have the same
 * icount, stop reason and state hash. The guest code is hand-encoded Thumb in RAM.
 */
import { describe, expect, it } from 'vitest';
import { createMachine } from '../../src/emulator/machines/index.js';
import type { Machine, StopReason } from '../../src/emulator/machines/machine.js';
import type { Cpu } from '../../src/emulator/cpu/cpu.js';
import type { BoardOptions } from '../../src/emulator/machines/index.js';
import { JIT_HOT_THRESHOLD } from '../../src/emulator/cpu/jit/block-jit.js';

const QUIET: BoardOptions = {
  icountShift: 0,
  serial: { poll: () => -1, exhausted: () => true, nextDueIcount: () => Infinity },
  host: { hostClockNs: () => 0, consoleRead: () => null, fileRead: () => null },
  output: { uartWrite: () => {}, consoleWrite: () => {} },
};

const CODE = 0x1000;
/** Instructions that make a loop of up to 10 instructions hot (translated) and run it translated. */
const WARM = JIT_HOT_THRESHOLD * 12;
const FAULT_HANDLER = 0x2000;

function halfwords(...hws: number[]): Uint8Array {
  const out = new Uint8Array(hws.length * 2);
  hws.forEach((h, i) => {
    out[2 * i] = h & 0xff;
    out[2 * i + 1] = h >>> 8;
  });
  return out;
}

function word(v: number): Uint8Array {
  return new Uint8Array([v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24]);
}

/** A board with a vector table (SP, reset at CODE, every fault to a `b .` at FAULT_HANDLER) and `code`. */
function board(code: Uint8Array, jit: boolean, regs: Record<number, number> = {}): Machine {
  const m = createMachine('mps2-an385', { ...QUIET, jit });
  m.bus.debugWrite(0, word(0x20010000));
  m.bus.debugWrite(4, word(CODE | 1));
  for (let v = 2; v < 16; v++) m.bus.debugWrite(v * 4, word(FAULT_HANDLER | 1));
  m.bus.debugWrite(FAULT_HANDLER, halfwords(0xe7fe));
  m.bus.debugWrite(CODE, code);
  m.reset();
  for (const [r, v] of Object.entries(regs)) m.cpu.r[Number(r)] = v;
  return m;
}

function twins(code: Uint8Array, regs: Record<number, number> = {}): [Machine, Machine] {
  return [board(code, true, regs), board(code, false, regs)];
}

function same(a: Machine, b: Machine, sa: StopReason, sb: StopReason, what: string): void {
  expect(sa, what).toEqual(sb);
  expect(a.icount, what).toBe(b.icount);
  expect(a.stateHash(), what).toBe(b.stateHash());
}

/**
 * Run both boards through `steps` targets `maxStep` apart at most (1..maxStep instructions: every
 * phase of a loop): registers, ITSTATE, icount and stop reason after each step, whole state hashes
 * every `hashEvery` steps. Returns the last target.
 */
function stepAlike(a: Machine, b: Machine, steps: number, maxStep: number, hashEvery: number): number {
  let t = 0;
  for (let i = 0; i < steps; i++) {
    t += 1 + ((i * 7919) % maxStep);
    const sa = a.run(t);
    const sb = b.run(t);
    if (i % hashEvery === 0) same(a, b, sa, sb, `run(${t})`);
    else expect([...a.cpu.save(), a.icount, sa, a.core.state.itstate], `run(${t})`).toEqual([...b.cpu.save(), b.icount, sb, b.core.state.itstate]);
  }
  return t;
}

const jitOf = (m: Machine): NonNullable<Cpu['jit']> => (m.core as Cpu).jit!;

describe('block JIT against the interpreter', () => {
  it('a load that faults in the middle of a translated loop: precise PC, icount and registers', () => {
    // loop: ldr r2,[r1]; adds r0,r0,#1; adds r1,#4; b loop  — r1 walks through the bit-band
    // alias (device reads on the slow path) into the hole at 0x24000000 (BusFault -> HardFault).
    const code = halfwords(0x680a, 0x1c40, 0x3104, 0xe7fb);
    const [a, b] = twins(code, { 1: 0x23ffff00 });
    for (let t = 5; t < 600; t += 37) same(a, b, a.run(t), b.run(t), `run(${t})`);
    expect(jitOf(a).translated).toBeGreaterThan(0);
    expect(a.cpu.r[15]! >>> 0).toBe(FAULT_HANDLER);
    expect(a.cpu.ipsr).toBe(3);
  });

  it('budget tails smaller than a block run interpreted, and any budget gives the same state', () => {
    // A 6-instruction loop body: movs r3,#1; adds r0,r0,r3; lsls r2,r0,#3; eors r2,r0; adds r1,#1; b loop
    const code = halfwords(0x2301, 0x18c0, 0x00c2, 0x4042, 0x3101, 0xe7f9);
    const [a, b] = twins(code);
    let t = 0;
    for (let i = 0; i < 300; i++) {
      t += 1 + ((i * 7919) % 13); // steps of 1..13 instructions: every phase of the loop
      const sa = a.run(t);
      const sb = b.run(t);
      // Full state hashes (24 MiB of RAM each) every 25 steps; registers and flags every step.
      if (i % 25 === 0) same(a, b, sa, sb, `run(${t})`);
      else expect([...a.cpu.save(), a.icount], `run(${t})`).toEqual([...b.cpu.save(), b.icount]);
    }
    expect(jitOf(a).translated).toBeGreaterThan(0);
  });

  it('a breakpoint inside a translated block stops there, as the interpreter does', () => {
    const code = halfwords(0x2301, 0x18c0, 0x00c2, 0x4042, 0x3101, 0xe7f9);
    const [a, b] = twins(code);
    same(a, b, a.run(WARM), b.run(WARM), 'warm up');
    expect(jitOf(a).blockContaining(CODE + 6)).not.toBeNull();
    for (const m of [a, b]) m.core.breakpoints.add(CODE + 6);
    for (let i = 0; i < 5; i++) {
      const sa = a.run(1e6);
      const sb = b.run(1e6);
      same(a, b, sa, sb, `hit ${i}`);
      expect(sa).toEqual({ kind: 'breakpoint', pc: CODE + 6 });
      for (const m of [a, b]) m.core.skipBreakpointOnce = true;
    }
  });

  it('a breakpoint at the start of a block that loops back to it stops at every pass, as the interpreter does', () => {
    const code = halfwords(0x2301, 0x18c0, 0x00c2, 0x4042, 0x3101, 0xe7f9);
    const [a, b] = twins(code);
    same(a, b, a.run(WARM), b.run(WARM), 'warm up');
    for (const m of [a, b]) m.core.breakpoints.add(CODE);
    for (let i = 0; i < 5; i++) {
      const sa = a.run(1e6);
      const sb = b.run(1e6);
      same(a, b, sa, sb, `hit ${i}`);
      expect(sa).toEqual({ kind: 'breakpoint', pc: CODE });
      for (const m of [a, b]) m.core.skipBreakpointOnce = true;
    }
  });

  it('a write into translated code invalidates it (the next pass runs the new instruction)', () => {
    // loop: adds r0,#1; nop; b loop. After it is hot, patch `adds r0,#1` to `adds r0,#2`.
    const code = halfwords(0x3001, 0xbf00, 0xe7fc);
    const [a, b] = twins(code);
    same(a, b, a.run(WARM), b.run(WARM), 'warm up');
    expect(jitOf(a).blockContaining(CODE)).not.toBeNull();
    for (const m of [a, b]) m.bus.write16(CODE, 0x3002);
    expect(jitOf(a).blockContaining(CODE)).toBeNull();
    const before = a.cpu.r[0]!;
    same(a, b, a.run(WARM + 300), b.run(WARM + 300), 'after the patch');
    expect(a.cpu.r[0]! - before).toBe(200);
  });

  it('a block ending in a branch whose target is the next instruction goes on there, not at the block start', () => {
    // loop: adds r2,#1; push {r0}; pop {pc} (r0 = the next instruction: a branch that lands where
    // execution would have gone anyway); adds r3,#1; cmp r3,#250; bne loop; b .
    const code = halfwords(0x3201, 0xb401, 0xbd00, 0x3301, 0x2bfa, 0xd1f9, 0xe7fe);
    const [a, b] = twins(code, { 0: (CODE + 6) | 1 });
    same(a, b, a.run(1600), b.run(1600), '250 passes');
    expect(jitOf(a).blockContaining(CODE)).not.toBeNull();
    expect(a.cpu.r[2]).toBe(250);
    expect(a.cpu.r[3]).toBe(250);
  });
  it('branches to instructions inside the block (an inner loop to its middle, a forward skip) stay in it, exact at every budget and at a fault', () => {
    // outer: movs r2,#5
    // inner: adds r0,#1; lsrs r3,r0,#1; bcc skip; adds r1,#1
    // skip:  subs r2,#1; bne inner; ldr r4,[r5]; adds r5,#4; b outer
    // r5 walks through the bit-band alias into the hole at 0x24000000 (BusFault -> HardFault) in
    // the first pair; in the second it stays in RAM and the loops run on.
    const code = halfwords(0x2205, 0x3001, 0x0843, 0xd300, 0x3101, 0x3a01, 0xd1f9, 0x682c, 0x3504, 0xe7f5);
    const [a, b] = twins(code, { 5: 0x23ffff00 });
    stepAlike(a, b, 200, 23, 40);
    same(a, b, a.run(6000), b.run(6000), 'past the fault');
    expect(a.cpu.r[15]! >>> 0).toBe(FAULT_HANDLER);
    expect(a.cpu.ipsr).toBe(3);

    const [c, d] = twins(code, { 5: 0x20000000 });
    same(c, d, c.run(WARM), d.run(WARM), 'warm up');
    const stats = (c.core as Cpu).stats;
    const runs = stats.blockRuns;
    const inBlocks = stats.insnsInBlocks;
    same(c, d, c.run(100_300), d.run(100_300), 'long run');
    // One block entry runs many passes of both loops (it used to leave at every taken bcc/bne).
    expect((stats.insnsInBlocks - inBlocks) / (stats.blockRuns - runs)).toBeGreaterThan(1000);
  });
  it('translated BL/BLX/BX/PUSH/POP/LDM/STM/UDIV/MRS/MSR/barriers: fast paths and their handler fallbacks agree at every budget', () => {
    // (arm-none-eabi-as, -Ttext=0x1000)
    //       movs r7,#0
    // loop: bl fn; ldr r6,=fn2; blx r6; ldmia r1!,{r2,r3}; stmia r5!,{r2,r3}; udiv r2,r2,r7 (by zero);
    //       udiv r3,r5,r1; mrs r0,BASEPRI; movs r4,#0x40; msr BASEPRI,r4; isb; dsb; msr BASEPRI,r0; b loop
    // fn:   push {r4,lr}; adds r4,#1; pop {r4,pc}
    // fn2:  adds r3,#1; bx lr
    // r5 walks across a RAM page edge (the two-word STM there takes the handler); in the first pair
    // r1 walks through the bit-band alias (device reads: the handler) into the hole at 0x24000000
    // (BusFault -> HardFault), in the second it stays in RAM.
    const code = halfwords(
      0x2700, 0xf000, 0xf814, 0x4e0c, 0x47b0, 0xc90c, 0xc50c, 0xfbb2, 0xf2f7, 0xfbb5, 0xf3f1, 0xf3ef, 0x8011, 0x2440,
      0xf384, 0x8811, 0xf3bf, 0x8f6f, 0xf3bf, 0x8f4f, 0xf380, 0x8811, 0xe7e9, 0xb510, 0x3401, 0xbd10, 0x3301, 0x4770,
      0x1035, 0x0000,
    );
    const [a, b] = twins(code, { 1: 0x23ffff00, 5: 0x20000f84 });
    stepAlike(a, b, 120, 29, 30);
    same(a, b, a.run(4000), b.run(4000), 'past the fault');
    expect(a.cpu.r[15]! >>> 0).toBe(FAULT_HANDLER);
    expect(a.cpu.ipsr).toBe(3);

    const [c, d] = twins(code, { 1: 0x20000100, 5: 0x20000f84 });
    same(c, d, c.run(WARM), d.run(WARM), 'warm up');
    const stats = (c.core as Cpu).stats;
    const retired = stats.retired;
    const inBlocks = stats.insnsInBlocks;
    same(c, d, c.run(20_300), d.run(20_300), 'long run');
    // The loop runs in translated blocks, not instruction by instruction.
    expect((stats.insnsInBlocks - inBlocks) / (stats.retired - retired)).toBeGreaterThan(0.95);
    expect(c.cpu.r[5]! >>> 0).toBeGreaterThan(0x20001000);
  });
  it('every write to SP clears SP[1:0] (M-profile, as QEMU store_reg), translated and interpreted alike', () => {
    // (arm-none-eabi-as, -mcpu=cortex-m3)
    // loop: mov sp,r0; add sp,r1; add.w sp,sp,#2; addw sp,sp,#3; ldr.w r2,[sp],#1; mov r3,sp;
    //       ldr.w sp,[r4]; mov r5,sp; sub sp,#4; mov r7,sp; adds r6,#1; b loop
    const code = halfwords(
      0x4685, 0x448d, 0xf10d, 0x0d02, 0xf20d, 0x0d03, 0xf85d, 0x2b01, 0x466b, 0xf8d4, 0xd000, 0x466d, 0xb081, 0x466f,
      0x3601, 0xe7ef,
    );
    const regs = { 0: 0x20008003, 1: 6, 4: 0x20000100 };
    const [a, b] = twins(code, regs);
    for (const m of [a, b]) m.bus.debugWrite(0x20000100, word(0x20009002));
    same(a, b, a.run(7), b.run(7), 'first pass, to the first ldr.w sp');
    same(a, b, a.run(30_000), b.run(30_000), 'many passes');
    for (const m of [a, b]) {
      // 0x20008003 -> 0x20008000; +6, +2, +3 and the post-index +1 each leave 0x20008004.
      expect(m.cpu.r[3]! >>> 0).toBe(0x20008004);
      expect(m.cpu.r[5]! >>> 0).toBe(0x20009000);
      expect(m.cpu.r[7]! >>> 0).toBe(0x20008ffc);
      expect(m.cpu.r[6]!).toBeGreaterThan(500);
    }
    expect((a.core as Cpu).stats.insnsInBlocks).toBeGreaterThan(25_000);
  });

  it('IT blocks run translated: conditional instructions, 16-bit forms without flags, a register shift through its handler, exact at every budget', () => {
    // (arm-none-eabi-as -mcpu=cortex-m3)
    //       movs r0,#0; movs r4,#0
    // loop: adds r0,#1; lsls r1,r0,#30; ite eq; moveq r2,#5; addne r2,#1; cmp r0,#0
    //       itttt ne; ldrne r3,[r5]; addne r3,r3,r0; strne r3,[r5]; subsne.w r4,r2,r0,lsl #30
    //       itet mi; submi r4,#1; addpl r4,#2; lslmi r6,r0; adds r5,#4; b loop
    const code = halfwords(
      0x2000, 0x2400, 0x3001, 0x0781, 0xbf0c, 0x2205, 0x3201, 0x2800, 0xbf1f, 0x682b, 0x181b, 0x602b, 0xebb2, 0x7480,
      0xbf4a, 0x3c01, 0x3402, 0x4086, 0x3504, 0xe7ed,
    );
    const [a, b] = twins(code, { 5: 0x20000000, 6: 0x12345 });
    const t = stepAlike(a, b, 400, 23, 50);
    const stats = (a.core as Cpu).stats;
    const [retired, inBlocks] = [stats.retired, stats.insnsInBlocks];
    same(a, b, a.run(t + 50_000), b.run(t + 50_000), 'long run');
    // The IT blocks run in the translated loop (they used to end blocks and run interpreted).
    expect((stats.insnsInBlocks - inBlocks) / (stats.retired - retired)).toBeGreaterThan(0.95);
  });

  it('a fault inside a translated IT block stacks its ITSTATE, as the interpreter does', () => {
    // The loop above with r5 walking through the bit-band alias (device reads) into the hole at
    // 0x24000000: `ldrne r3,[r5]`, the first instruction of an ITTTT block, takes the BusFault.
    const code = halfwords(
      0x2000, 0x2400, 0x3001, 0x0781, 0xbf0c, 0x2205, 0x3201, 0x2800, 0xbf1f, 0x682b, 0x181b, 0x602b, 0xebb2, 0x7480,
      0xbf4a, 0x3c01, 0x3402, 0x4086, 0x3504, 0xe7ed,
    );
    const [a, b] = twins(code, { 5: 0x23fff000, 6: 0x12345 });
    same(a, b, a.run(3 * WARM), b.run(3 * WARM), 'warm up (17-instruction loop)');
    expect(jitOf(a).blockContaining(CODE + 0x12)).not.toBeNull();
    same(a, b, a.run(100_000), b.run(100_000), 'past the fault');
    expect(a.cpu.r[15]! >>> 0).toBe(FAULT_HANDLER);
    expect(a.cpu.ipsr).toBe(3);
    // The stacked xPSR (frame word 7) holds the IT bits of the faulting instruction.
    const xpsr = a.bus.read32((a.cpu.r[13]! + 28) >>> 0);
    expect(xpsr & 0x0600fc00).not.toBe(0);
  });

  it('an interrupt raised inside a translated IT block is taken there and the rest of the IT block runs after it', () => {
    //       str r1,[r7]   (NVIC_ISER0: enable IRQ 0)
    // loop: adds r0,#1; lsls r3,r0,#28; ittt eq; streq r1,[r2] (NVIC_ISPR0: pend IRQ 0); addeq r4,#1;
    //       addeq r6,#3; b loop
    // irq:  adds r5,#1; bx lr
    const code = halfwords(0x6039, 0x3001, 0x0703, 0xbf02, 0x6011, 0x3401, 0x3603, 0xe7f8, 0x3501, 0x4770);
    const regs = { 1: 1, 2: 0xe000e200 | 0, 7: 0xe000e100 | 0 };
    const [a, b] = twins(code, regs);
    for (const m of [a, b]) m.bus.debugWrite(16 * 4, word((CODE + 0x10) | 1));
    const t = stepAlike(a, b, 300, 19, 50);
    same(a, b, a.run(t + 20_000), b.run(t + 20_000), 'long run');
    expect(jitOf(a).blockContaining(CODE + 8)).not.toBeNull();
    // Every pend was taken once, and both instructions after it in the IT block ran each time.
    expect(a.cpu.r[5]!).toBeGreaterThan(100);
    expect(a.cpu.r[4]! - a.cpu.r[5]!).toBeLessThanOrEqual(1);
    expect(a.cpu.r[6]!).toBe(3 * a.cpu.r[4]!);
  });

  it('superblocks: BL into a short leaf and its return stay in the block, a modified LR leaves it, a branch over a return joins the code after it', () => {
    //       movs r0,#0
    // loop: adds r0,#1; bl leaf; adds r1,r1,r0; bl leaf2; b loop
    // leaf: adds r2,#1; cmp r2,#7; bne 1f; movs r2,#0; bx lr
    // 1:    adds r3,#1; bx lr
    // leaf2: mov r5,lr; adds r4,#1; mov lr,r6 (r6 = after); bx lr
    // after: mov lr,r5; bx lr
    const code = halfwords(
      0x2000, 0x3001, 0xf000, 0xf804, 0x1809, 0xf000, 0xf808, 0xe7f8, 0x3201, 0x2a07, 0xd101, 0x2200, 0x4770, 0x3301,
      0x4770, 0x4675, 0x3401, 0x46b6, 0x4770, 0x46ae, 0x4770,
    );
    const regs = { 6: (CODE + 0x26) | 1 };
    const [a, b] = twins(code, regs);
    let t = stepAlike(a, b, 400, 29, 50);
    same(a, b, a.run(t + 30_000), b.run(t + 30_000), 'long run');
    // The loop's block holds the leaf (followed call) and its code after `bne` (joined).
    const loop = jitOf(a).blockContaining(CODE + 2);
    expect(loop).not.toBeNull();
    expect(loop!.ranges!.length).toBeGreaterThan(0);
    expect(jitOf(a).blockContaining(CODE + 0x1a)).not.toBeNull();
    t = a.icount;

    // A breakpoint in the followed leaf stops there (the block holding it interprets).
    for (const m of [a, b]) m.core.breakpoints.add(CODE + 0x12);
    for (let i = 0; i < 3; i++) {
      const sa = a.run(t + 10_000);
      const sb = b.run(t + 10_000);
      same(a, b, sa, sb, `breakpoint hit ${i}`);
      expect(sa).toEqual({ kind: 'breakpoint', pc: CODE + 0x12 });
      for (const m of [a, b]) m.core.skipBreakpointOnce = true;
    }
    for (const m of [a, b]) m.core.breakpoints.clear();

    // A write into the leaf drops every block holding a copy of it.
    for (const m of [a, b]) m.bus.write16(CODE + 0x10, 0x3202); // adds r2,#2
    expect(jitOf(a).blockContaining(CODE + 0x10)).toBeNull();
    same(a, b, a.run(a.icount + 20_000), b.run(b.icount + 20_000), 'after the patch');
    expect(jitOf(a).blockContaining(CODE + 2)).not.toBeNull();
  });
});
