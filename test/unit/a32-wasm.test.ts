/**
 * The WebAssembly block tier (A32WasmCompiler) against the interpreter's table handlers on the wasm
 * rig (a32-wasm-rig.ts): every data-processing row the tier inlines in every operand form, with
 * and without S, on all conditions, shifts by 0/32/>32, the PC as operand and destination;
 * branches and loops within small budgets; call-throughs (exits, stops, flags across the import)
 * and faults escaping a block.
 */
import { describe, expect, it } from 'vitest';
import { assembleA32, Rng } from './a32-harness.js';
import { CODE_VA, DATA_VA, PARK, WasmRig, generateSetup } from './a32-wasm-rig.js';
import { branchWord } from './a32-block-rig.js';

const TRIALS = 30;
const CONDITIONS = ['eq', 'ne', 'cs', 'cc', 'mi', 'pl', 'vs', 'vc', 'hi', 'ls', 'ge', 'lt', 'gt', 'le'];

/**
 * Each line its own block (the line, then `b PARK`), all in one batch: TRIALS runs each with
 * budget 2. `inline`: every line must be translated inline (no call-through).
 */
function checkLines(lines: readonly string[], seed: number, inline: boolean, trials = TRIALS): void {
  const words = assembleA32(lines);
  const code: number[] = [];
  words.forEach((w, i) => {
    code.push(w, branchWord(CODE_VA + 8 * i + 4, PARK));
  });
  const rig = new WasmRig(code);
  const starts = lines.map((_, i) => CODE_VA + 8 * i);
  const blocks = rig.compile(starts);
  if (inline) expect(rig.compiler.insnsCalledThrough, 'call-throughs').toBe(0);
  const rng = new Rng(seed);
  lines.forEach((line, i) => {
    for (let t = 0; t < trials; t++) rig.check(blocks[i]!, 2, generateSetup(rng), line);
  });
}

/** One block made of `lines` at CODE_VA (ending where discovery ends it), run with every budget in `budgets`. */
function checkBlock(lines: readonly string[], budgets: readonly number[], seed: number, setup?: (s: ReturnType<typeof generateSetup>, rng: Rng) => void): WasmRig {
  const rig = new WasmRig([...assembleA32(lines), branchWord(CODE_VA + 4 * lines.length, PARK)]);
  const [block] = rig.compile([CODE_VA]);
  const rng = new Rng(seed);
  for (const budget of budgets) {
    for (let t = 0; t < TRIALS; t++) {
      const s = generateSetup(rng);
      setup?.(s, rng);
      rig.check(block!, Math.max(budget, block!.count), s, lines.join('; '));
    }
  }
  return rig;
}

const BINARY = ['and', 'eor', 'sub', 'rsb', 'add', 'adc', 'sbc', 'rsc', 'orr', 'bic'];
const MOVES = ['mov', 'mvn'];
const TESTS = ['tst', 'teq', 'cmp', 'cmn'];
/** Operand 2 in every form: rotated and plain immediates, every immediate shift (0, 1, 31, 32 where it exists, RRX), register shifts. */
const OPERANDS = [
  '#0xff',
  '#0xff000000',
  '#0x3fc',
  '#0x80000000',
  'r3',
  'r3, lsl #1',
  'r3, lsl #31',
  'r3, lsr #1',
  'r3, lsr #32',
  'r3, asr #7',
  'r3, asr #32',
  'r3, ror #5',
  'r3, rrx',
  'r3, lsl r4',
  'r3, lsr r4',
  'r3, asr r4',
  'r3, ror r4',
];

describe('WebAssembly blocks match the table handlers', () => {
  it('data processing: every opcode, operand form, with and without S', () => {
    const lines: string[] = [];
    for (const op of OPERANDS) {
      for (const b of BINARY) lines.push(`${b} r0, r1, ${op}`, `${b}s r0, r1, ${op}`);
      for (const m of MOVES) lines.push(`${m} r0, ${op}`, `${m}s r2, ${op}`);
      for (const t of TESTS) lines.push(`${t} r1, ${op}`);
    }
    // 476 lines: fewer trials each (their operands still cover the shift amounts and edges).
    checkLines(lines, 1, true, 20);
  });

  it('conditions, the PC as operand and as destination, MOVW/MOVT, hints and barriers', () => {
    const lines: string[] = [];
    for (const c of CONDITIONS) lines.push(`add${c} r0, r1, r2`, `movs${c} r5, r6, lsl r2`, `cmp${c} r1, #4`);
    lines.push(
      'add r0, pc, #4',
      'sub r0, pc, r1',
      'add r0, r1, pc, lsl #2',
      'mov r0, pc',
      'adcs r0, pc, r1',
      'mov pc, lr',
      'movne pc, r1',
      'add pc, pc, r2, lsl #2',
      'add pc, r1, #8',
      'adds pc, r1, r2',
      'ands pc, r1, r3, lsl r2',
      'eors pc, r1, #1',
      'mvnmi pc, r1',
      'movw r0, #0x1234',
      'movt r0, #0xfedc',
      'movwne r3, #0xffff',
      'movtcs r3, #0x8000',
      'bx r1',
      'bxne lr',
      'bx pc',
      'blx r1',
      'blxcc r3',
      'nop',
      'yield',
      'dbg #5',
      'dmb ish',
      'dsb sy',
      'isb',
      'pld [r1]',
    );
    checkLines(lines, 2, false);
  });

  it('multiplies, divides, extends, bit fields, CLZ and byte reversals', () => {
    checkLines(
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
        'umull r2, r2, r3, r4',
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
        'sdiv r0, r7, r5',
      ],
      6,
      true,
    );
    // SDIV's corners (INT_MIN / -1 wraps, x / 0 is 0: wasm's div_s would trap on both).
    checkBlock(['sdiv r0, r1, r2', 'udiv r3, r1, r2'], [2], 7, (s, rng) => {
      s.regs[1] = rng.pick([-0x80000000, 7, -7]);
      s.regs[2] = rng.pick([-1, 0, 2]);
    });
  });

  it('branches: B/BL forward and to the start, conditional side exits, loops within the budget', () => {
    // A countdown loop back to the start (conditional): the block ends with the loop's exit.
    checkBlock(['subs r0, r0, #1', 'add r1, r1, r0', 'bne .-8'], [1, 3, 4, 7, 30, 200], 3, (s, rng) => {
      s.regs[0] = rng.int(40);
    });
    // Unconditional back to the start with a side exit inside.
    checkBlock(['add r1, r1, #3', 'cmp r1, #100', 'bhi .+16', 'eor r2, r2, r1, ror #3', 'b .-16'], [5, 6, 11, 50], 4, (s, rng) => {
      s.regs[1] = rng.int(120);
    });
    // BL back to the start (LR each pass) and conditional BL elsewhere.
    checkBlock(['add r0, r0, #1', 'cmp r0, #9', 'blgt .+0x100', 'bl .-12'], [4, 9, 40], 5, (s, rng) => {
      s.regs[0] = rng.int(12);
    });
    // Every condition as a side exit.
    for (const [i, c] of CONDITIONS.entries()) checkBlock([`b${c} .+0x40`, 'add r0, r0, #1', `bl${c} .+0x80`, 'b .+0x20'], [4], 10 + i);
  });

  it('MRC of system registers with a plain read, at PL1 and at PL0 (a forbidden read UNDEFs through the handler)', () => {
    const lines = [
      'mrc p15, 0, r0, c13, c0, 3',
      'mrc p15, 0, r1, c13, c0, 4',
      'mrc p15, 0, r2, c13, c0, 2',
      'mrc p15, 0, r3, c0, c0, 1',
      'mrceq p15, 0, r4, c13, c0, 3',
      'mrc p15, 0, r5, c1, c0, 0',
      'add r6, r0, r1',
    ];
    for (const [i, mode] of [0x13, 0x10].entries()) {
      const rig = checkBlock(lines, [7], 40 + i, (s, rng) => {
        s.mode = mode;
        s.threadIds = [rng.word() | 0, rng.word() | 0, rng.word() | 0];
      });
      expect(rig.compiler.insnsCalledThrough, 'MRC reads are not call-throughs').toBe(0);
    }
  });

  it('call-throughs: flags across the import, instructions that leave or stop the core, the memory rows', () => {
    checkBlock(['adds r0, r1, r2', 'mrs r3, apsr', 'qadd r4, r0, r3', 'msr apsr_nzcvq, r5', 'adc r6, r1, r2', 'movs r7, r6, rrx'], [6], 20);
    checkBlock(['cmp r1, r2', 'svcne #0', 'add r0, r0, #1'], [3], 21);
    checkBlock(['add r0, r1, r2', 'wfi', 'add r0, r0, #1'], [3], 22);
    // An MCR that ends the slice (TLBIALL sets exitRequest): the block leaves after it.
    checkBlock(['add r0, r1, r2', 'mcr p15, 0, r3, c8, c7, 0', 'add r4, r0, #1'], [3], 25);
    checkBlock(['subs r0, r1, r2', 'ldr r3, [r4]', 'str r0, [r5, #4]', 'addcs r6, r3, r0', 'ldm r6, {r7, r8}'], [5], 23, (s, rng) => {
      // Mostly mapped data addresses (faults where not): r4 r5 r6.
      for (const i of [4, 5, 6]) if (rng.int(4) !== 0) s.regs[i] = (DATA_VA + 0x100 + 4 * rng.int(0x300)) | 0;
    });
  });

  it('memory rows through emit-wasm-a32-memory: JIT TLB misses then hits, faults, declined forms under a condition', () => {
    const rig = checkBlock(
      [
        'ldr r0, [r1, #4]',
        'strne r0, [r2, #-8]!',
        'ldrbcs r3, [r1, r4]',
        'push {r0, r3, r5}',
        'ldrexne r6, [r1]',
        'strexeq r7, r0, [r2]',
        'ldrt r8, [r1]',
        'pop {r9, r10, r11}',
        'ldrh r12, [r2, #2]',
      ],
      [9],
      24,
      (s, rng) => {
        for (const i of [1, 2, 13]) if (rng.int(6) !== 0) s.regs[i] = (DATA_VA + 0x100 + 4 * rng.int(0x300)) | 0;
        s.regs[4] = rng.int(8);
      },
    );
    expect(rig.faults).toBeGreaterThan(0);
    expect(rig.normal).toBeGreaterThan(TRIALS / 2);
  });

  it('exclusives with the monitor in the state area: open or closed, on the address or not, memory changed or not', () => {
    const rig = checkBlock(
      ['ldrex r0, [r1]', 'add r0, r0, #1', 'strex r2, r0, [r1]', 'strexb r3, r4, [r5]', 'ldrexh r6, [r5]', 'strexhne r7, r6, [r5]', 'clrex', 'strexh r7, r6, [r5]', 'strex r8, r0, [r1]'],
      [8],
      26,
      (s, rng) => {
        for (const i of [1, 5]) if (rng.int(5) !== 0) s.regs[i] = (DATA_VA + 0x100 + 4 * rng.int(0x300)) | 0;
        const open = rng.int(3);
        s.exclusiveAddr = open === 0 ? -1 : open === 1 ? s.regs[1]! >>> 0 : s.regs[5]! >>> 0;
        const word = ((s.exclusiveAddr - DATA_VA) >>> 2) & 1023;
        s.exclusiveVal = rng.bool() ? s.memory[word]! : rng.word() | 0;
      },
    );
    expect(rig.compiler.insnsCalledThrough, 'exclusives inline').toBe(0);
  });

  it('a fault part-way leaves the flags, registers and icount of the instructions before it', () => {
    const rig = checkBlock(['adds r0, r1, r2', 'rsbs r3, r0, #7', 'ldr r5, [r4]', 'add r6, r5, #1'], [4], 30, (s, rng) => {
      s.regs[4] = rng.bool() ? 0x30000000 : (DATA_VA + 4 * rng.int(0x300)) | 0;
    });
    expect(rig.faults).toBeGreaterThan(10);
    expect(rig.normal).toBeGreaterThan(10);
  });

  it('compiles a batch with starts off RAM as nulls in place', () => {
    const rig = new WasmRig(assembleA32(['add r0, r0, #1', 'b .-4']));
    const blocks = rig.compiler.compileBatch([
      { start: CODE_VA, ppage: 0x30000 },
      { start: CODE_VA, ppage: 0x40100 },
    ]);
    expect(blocks[0]).toBeNull();
    expect(blocks[1]!.count).toBe(2);
    expect(blocks[1]!.loopsToStart).toBe(true);
  });
});
