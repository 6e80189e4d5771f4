/**
 * The A32 inline translations of the compiled tier (emit-a32*.ts) against the interpreter's table
 * handlers, on the block rig (a32-block-rig.ts): each instruction's block runs until it is
 * compiled, then from many generated states on a JIT core and an interpreter-only core.
 */
import { describe, it } from 'vitest';
import type { ArmV7aCpu } from '../../src/emulator/cpu/v7a/cpu.js';
import { checkAgainstInterpreter as checkBlocks, type BlockTier } from './a32-block-rig.js';

const COMPILED: BlockTier = {
  name: 'compiled',
  made: (cpu: ArmV7aCpu) => cpu.translatedBlocks(),
  ready: (cpu: ArmV7aCpu, _pc: number, before: number) => cpu.translatedBlocks() > before,
};
const checkAgainstInterpreter = (lines: readonly string[], seed: number): void => checkBlocks(lines, seed, COMPILED);

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
