/**
 * The A32 inline translations of the compiled tier (emit-a32*.ts) against the interpreter's table
 * handlers: each instruction (assembled by arm-none-eabi-gcc) is the first of a two-instruction
 * block, run until that block is compiled, then run once more from many generated states — registers
 * that point into RAM (aligned or not), at an unmapped address or hold shift amounts and edge
 * values, a few words before the end of a page or of the mapping; random NZCV; the exclusive monitor open on the base or closed, on memory that still holds
 * the value or not — on a JIT core and an interpreter-only core. Registers, flags, mode and banked
 * state, Thumb bit, icount, the data page and the abort registers must be equal after every run:
 * flags, PC-relative operands, writeback, alignment and translation faults, Thumb interworking,
 * the monitor and conditions all show there.
 */
import { describe, expect, it } from 'vitest';
import type { VirtualClock } from '../../src/emulator/clock.js';
import type { ArmV7aState } from '../../src/emulator/cpu/v7a/state.js';
import type { ArmV7aCpu } from '../../src/emulator/cpu/v7a/cpu.js';
import type { Bus } from '../../src/emulator/memory/bus.js';
import { bootV7aCore, makeRig, section, setL1, TTB } from './mmu-rig.js';
import { assembleA32, Rng } from './a32-harness.js';

const CODE_VA = 0x00100000;
const CODE_PA = 0x40100000;
const DATA_VA = 0x00200000;
const DATA_PA = 0x40200000;
const VECTOR_PA = 0x40300000;
const UNMAPPED = 0x30000000;
/** Where the second instruction of every block branches to (`b .`). */
const PARK = CODE_VA + 0x8000;
const BRANCH_TO_PARK = (from: number): number => (0xea000000 | (((PARK - from - 8) >> 2) & 0xffffff)) | 0;
const TRIALS = 60;

interface Core {
  cpu: ArmV7aCpu;
  state: ArmV7aState;
  clock: VirtualClock;
  bus: Bus;
  base: number[];
  baseRegs: ReturnType<ArmV7aCpu['coreRegs']['save']>;
  /** Instructions the last run retired (icount advanced). */
  retired: number;
}

function makeCore(jit: boolean, words: readonly number[]): Core {
  const { bus, mmu } = makeRig();
  setL1(bus, TTB, 0, section(VECTOR_PA));
  setL1(bus, TTB, CODE_VA, section(CODE_PA));
  setL1(bus, TTB, DATA_VA, section(DATA_PA));
  // Every vector parks (`b .`): an exception shows as the mode, LR, SPSR and PC it leaves.
  for (let v = 0; v < 8; v++) bus.write32(VECTOR_PA + 4 * v, 0xeafffffe | 0);
  words.forEach((w, i) => {
    const at = CODE_VA + 8 * i;
    bus.write32(CODE_PA + 8 * i, w | 0);
    bus.write32(CODE_PA + 8 * i + 4, BRANCH_TO_PARK(at + 4));
  });
  bus.write32(CODE_PA + (PARK - CODE_VA), 0xeafffffe | 0);
  const { cpu, state, clock } = bootV7aCore(bus, mmu, CODE_VA, jit);
  return { cpu, state, clock, bus, base: state.save(), baseRegs: cpu.coreRegs.save(), retired: 0 };
}

/** Operand values: pointers into the data page (mostly aligned), unmapped addresses, shift amounts, edges. */
function operand(rng: Rng): number {
  const k = rng.int(10);
  if (k < 4) return (DATA_VA + 0x100 + 4 * rng.int(0x380) + (rng.int(6) === 0 ? rng.range(1, 3) : 0)) | 0;
  if (k === 4) {
    // Unmapped, or a few words before a 4 KiB page end (the next page mapped) or before the end of the data section (not).
    return rng.pick([(UNMAPPED + 4 * rng.int(64)) | 0, DATA_VA + 0x1000 - 4 * rng.range(1, 4), DATA_VA + 0x100000 - 4 * rng.range(1, 4)]);
  }
  if (k < 7) return rng.pick([0, 1, 2, 4, 7, 8, 16, 31, 32, 33, 40, 255, 256, 257]);
  return rng.word() | 0;
}

interface Setup {
  regs: number[];
  apsr: number;
  monitor: number;
  monitorValue: number;
  memory: Int32Array;
}

function setup(rng: Rng, safe: boolean): Setup {
  const regs = Array.from({ length: 15 }, () => (safe ? DATA_VA + 0x800 : operand(rng)));
  if (safe) regs[2] = 4;
  const memory = Int32Array.from({ length: 1024 }, () => rng.word() | 0);
  const open = rng.bool();
  const monitor = open ? regs[rng.pick([1, 1, 1, 2])]! >>> 0 : -1;
  const inPage = open && monitor >= DATA_VA && monitor < DATA_VA + 0x1000 ? memory[(monitor - DATA_VA) >>> 2]! : 0;
  return { regs, apsr: rng.next() & 0xf0000000, monitor, monitorValue: rng.bool() ? inPage : rng.word() | 0, memory };
}

/** Run the block at `pc` once (budget 2: its two instructions, or the one and what follows). */
function runFrom(core: Core, pc: number, s: Setup): void {
  const { cpu, state, bus } = core;
  state.load(core.base);
  cpu.coreRegs.load(core.baseRegs);
  for (let i = 0; i < 15; i++) state.r[i] = s.regs[i]!;
  state.r[15] = pc;
  state.setApsr(s.apsr);
  state.exclusiveAddr = s.monitor;
  state.exclusiveVal = s.monitorValue;
  for (let i = 0; i < 1024; i++) bus.write32(DATA_PA + 4 * i, s.memory[i]!);
  const icount = core.clock.icount;
  // A write to a code page ends a JIT slice early: go on to the end of the budget as the machine loop would.
  for (let left = 2; left > 0; ) {
    cpu.exitRequest = false;
    left -= cpu.execute(left);
  }
  core.retired = core.clock.icount - icount;
}

function observe(core: Core): Record<string, unknown> {
  const data: number[] = [];
  for (let i = 0; i < 1024; i++) data.push(core.bus.read32(DATA_PA + 4 * i));
  const s = core.cpu.coreRegs.s;
  return { state: core.state.save(), retired: core.retired, data, dfsr: s.dfsr, dfar: s.dfar, ifsr: s.ifsr, ifar: s.ifar };
}

/** Where two observations first differ (state word index, data word index or field), for the failure message. */
function firstDifference(got: Record<string, unknown>, want: Record<string, unknown>): string {
  for (const key of Object.keys(want)) {
    const g = got[key];
    const w = want[key];
    if (Array.isArray(w)) {
      const ga = g as number[];
      const i = w.findIndex((v, k) => v !== ga[k]);
      if (i >= 0) return `${key}[${i}] is ${ga[i]}, interpreter ${w[i]}`;
    } else if (g !== w) return `${key} is ${String(g)}, interpreter ${String(w)}`;
  }
  return 'none';
}

/**
 * Compile each instruction's block on a JIT core (runs from a safe state until the JIT has compiled
 * it) and compare TRIALS generated runs with the interpreter's.
 */
function checkAgainstInterpreter(lines: readonly string[], seed: number): void {
  const words = assembleA32(lines);
  const jit = makeCore(true, words);
  const ref = makeCore(false, words);
  const rng = new Rng(seed);
  lines.forEach((line, i) => {
    const pc = CODE_VA + 8 * i;
    const before = jit.cpu.translatedBlocks();
    const warm = setup(rng, true);
    for (let n = 0; n < 20000 && jit.cpu.translatedBlocks() === before; n++) runFrom(jit, pc, warm);
    expect(jit.cpu.translatedBlocks(), `${line}: compiled`).toBeGreaterThan(before);
    const inBlocks = jit.cpu.stats.insnsInBlocks;
    for (let t = 0; t < TRIALS; t++) {
      const s = setup(rng, t === 0);
      runFrom(jit, pc, s);
      runFrom(ref, pc, s);
      const got = observe(jit);
      const want = observe(ref);
      const where = `${line} (trial ${t}, r0-r14 ${s.regs.map((r) => (r >>> 0).toString(16)).join(' ')}): ${firstDifference(got, want)}`;
      expect(got, where).toEqual(want);
    }
    expect(jit.cpu.stats.insnsInBlocks, `${line}: ran compiled`).toBeGreaterThan(inBlocks);
  });
}

describe('A32 inline translations match the table handlers', () => {
  it('data processing with a register-shifted register and with the PC as destination', () => {
    checkAgainstInterpreter(
      [
        'lsl r0, r1, r2',
        'lsls r0, r1, r2',
        'lsrs r3, r4, r2',
        'asrs r0, r0, r2',
        'rors r0, r1, r2',
        'mov r5, r6, ror r2',
        'add r0, r1, r3, lsl r2',
        'adds r0, r1, r3, lsr r2',
        'subs r0, r1, r3, asr r2',
        'rsbs r0, r1, r3, ror r2',
        'adcs r0, r1, r3, lsl r2',
        'bics r4, r5, r6, asr r2',
        'ands r0, r1, r3, ror r2',
        'eors r0, r1, r3, lsr r2',
        'orrne r0, r1, r3, lsl r2',
        'cmp r1, r3, lsl r2',
        'tst r1, r3, lsr r2',
        'teq r1, r3, asr r2',
        'mvns r0, r1, lsl r2',
        'mov pc, lr',
        'movne pc, r1',
        'add pc, pc, r2, lsl #2',
        'add pc, r1, #8',
        'adds pc, r1, r2',
        'ands pc, r1, r3, lsl r2',
        'bx r1',
        'bxne lr',
        'blx r1',
        'blxcc r3',
        'mrc p15, 0, r0, c13, c0, 3',
        'mrc p15, 0, r4, c13, c0, 2',
        'mrceq p15, 0, r1, c13, c0, 3',
      ],
      1,
    );
  });

  it('multiplies, extends, bit fields, CLZ and byte reversals', () => {
    checkAgainstInterpreter(
      [
        'mul r0, r1, r2',
        'muls r0, r1, r3',
        'mulne r4, r4, r3',
        'mla r0, r1, r2, r3',
        'mlas r0, r1, r2, r3',
        'mls r0, r1, r2, r3',
        'umull r0, r1, r2, r3',
        'umulls r0, r1, r2, r3',
        'smull r0, r1, r2, r3',
        'smulls r4, r5, r2, r3',
        'umlal r0, r1, r2, r3',
        'umlals r0, r1, r2, r3',
        'smlal r0, r1, r2, r3',
        'smlalsgt r0, r1, r0, r1',
        'uxtb r0, r1',
        'uxtb r0, r1, ror #8',
        'uxth r0, r1, ror #16',
        'sxtb r0, r1, ror #24',
        'sxth r0, r1',
        'uxtab r0, r1, r2, ror #8',
        'uxtah r0, r1, r2',
        'sxtab r0, r1, r2, ror #16',
        'sxtah r0, r1, r2, ror #24',
        'ubfx r0, r1, #3, #7',
        'ubfx r0, r1, #0, #32',
        'sbfx r0, r1, #31, #1',
        'sbfx r0, r1, #4, #12',
        'bfc r0, #4, #8',
        'bfc r0, #0, #32',
        'bfi r0, r1, #0, #32',
        'bfi r0, r1, #31, #1',
        'bfi r0, r1, #8, #4',
        'clz r0, r1',
        'rev r0, r1',
        'rev16 r0, r1',
        'revsh r0, r1',
        'clzeq r0, r1',
        'sdiv r0, r1, r2',
        'udiv r0, r1, r2',
        'sdivne r3, r3, r1',
        'nop',
        'yield',
        'dbg #5',
      ],
      2,
    );
  });

  it('loads and stores: LDRD/STRD, LDM/STM and loads to the PC, exclusives', () => {
    checkAgainstInterpreter(
      [
        'ldrd r2, r3, [r1]',
        'ldrd r4, r5, [r1, #8]!',
        'ldrd r0, r1, [r1]',
        'ldrd r2, r3, [r1], #-8',
        'ldrd r2, r3, [r1, r0]',
        'ldrd r2, r3, [r1, -r0]!',
        'ldrdne r2, r3, [pc, #-16]',
        'strd r2, r3, [r1, #-4]',
        'strd r4, r5, [r1], r2',
        'strd r0, r1, [r1, #8]!',
        'ldrsb r0, [r1, r2]',
        'ldrsh r0, [r1, -r2]!',
        'ldrh r0, [r1, r2]',
        'ldr r0, [r1, #4]!',
        'ldrb r0, [r1], #1',
        'str r0, [r1, r2, lsl #2]',
        'ldr pc, [r1], #4',
        'ldr pc, [r1, #4]',
        'ldr pc, [r1, r2, lsl #2]',
        'ldrne pc, [r1, #-8]!',
        'pop {pc}',
        'ldm r1, {r0, r1, r2}',
        'ldmia r1!, {r2, r3}',
        'ldmda r1, {r0, r4}',
        'ldmib r1!, {r5, r6, r7}',
        'stmdb sp!, {r0-r3, lr}',
        'stmib r1, {r1, r2}',
        'stm r1!, {r1, r2}',
        'stmda r1, {r3, pc}',
        'ldmia r1!, {r0, r2, pc}',
        'pop {r4, r5, pc}',
        'ldmdb r1, {r2, pc}',
        'ldmne r1, {r3, pc}',
        'ldmia r1, {r1, pc}',
        'ldrex r0, [r1]',
        'ldrexb r0, [r1]',
        'ldrexh r0, [r2]',
        'strex r0, r3, [r1]',
        'strexb r0, r3, [r1]',
        'strexh r4, r3, [r2]',
        'strexne r0, r3, [r1]',
        'clrex',
      ],
      3,
    );
  });
});
