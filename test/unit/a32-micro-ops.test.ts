/**
 * The lukewarm tier's micro-ops (a32-micro-ops.ts, run by A32ThreadedBlock) against the
 * interpreter's table handlers, on the block rig (a32-block-rig.ts): each instruction's block runs
 * until it is a threaded block, then from many generated states — pointers into RAM (aligned or
 * not), unmapped, a device, near page ends; random NZCV, so conditions pass and fail — on a JIT
 * core and an interpreter-only core. The first groups must decode to micro-ops (not the handler),
 * so the inline fast paths and their fall-back to the handler (a TLB miss, a device, misalignment,
 * a fault) are what is compared; the last group is the corners left to the handler.
 */
import { describe, expect, it } from 'vitest';
import type { ArmV7aCpu } from '../../src/emulator/cpu/v7a/cpu.js';
import { A32_FRONT_STRIDE, A32_JIT_SLOT_MASK } from '../../src/emulator/cpu/jit/a32-block-jit.js';
import { decodedFields } from '../../src/emulator/cpu/jit/a32-block-discovery.js';
import {
  MICRO_ADD_IMM,
  MICRO_ADD_REG,
  MICRO_CMP_IMM,
  MICRO_CMP_REG,
  MICRO_DP_IMM,
  MICRO_DP_REG,
  MICRO_DP_SHIFTED,
  MICRO_HANDLER,
  MICRO_KIND_MASK,
  MICRO_LDR_IMM,
  MICRO_LOAD,
  MICRO_MOV_IMM,
  MICRO_MOV_REG,
  MICRO_STORE,
  MICRO_STR_IMM,
  MICRO_STRIDE,
  MICRO_SUB_REG,
  MICRO_TST_IMM,
  decodeMicroOp,
  specialiseMicroOp,
} from '../../src/emulator/cpu/jit/a32-micro-ops.js';
import { A32ThreadedBlock } from '../../src/emulator/cpu/jit/a32-threaded-block.js';
import { CODE_VA, checkAgainstInterpreter, lineAddress, type BlockTier } from './a32-block-rig.js';
import { assembleA32 } from './a32-harness.js';
import { bootV7aCore, makeRig } from './mmu-rig.js';

const THREADED: BlockTier = {
  name: 'threaded',
  made: (cpu: ArmV7aCpu) => cpu.a32Jit!.threaded,
  ready: (cpu: ArmV7aCpu, pc: number) => {
    const jit = cpu.a32Jit!;
    const slot = (pc >>> 2) & A32_JIT_SLOT_MASK;
    return jit.front[slot * A32_FRONT_STRIDE] === pc && jit.slots[slot] instanceof A32ThreadedBlock;
  },
};

/**
 * The micro-op kind of each line as the block builder decodes it (at its rig address): the generic
 * kind, or with `specialised` the kind the block runs (specialiseMicroOp's).
 */
function kinds(lines: readonly string[], specialised = false): number[] {
  const { bus, mmu } = makeRig();
  const { cpu } = bootV7aCore(bus, mmu, CODE_VA, false);
  const x = new Int32Array(MICRO_STRIDE);
  return assembleA32(lines).map((insn, i) => {
    const row = cpu.a32Row(insn);
    if (row === null) throw new Error(`${lines[i]}: UNDEFINED on the core`);
    const kind = decodeMicroOp(row, decodedFields(row, insn), lineAddress(i), x, 0);
    return specialised ? specialiseMicroOp(kind, lineAddress(i), x, 0) & MICRO_KIND_MASK : kind;
  });
}

/** Check that every line has a micro-op, then compare it with the interpreter. */
function checkMicroOps(lines: readonly string[], seed: number): void {
  kinds(lines).forEach((k, i) => expect(k, `${lines[i]}: a micro-op`).not.toBe(MICRO_HANDLER));
  checkAgainstInterpreter(lines, seed, THREADED);
}

describe('A32 micro-ops of the lukewarm tier match the table handlers', () => {
  it('data processing: every opcode with an immediate, a shifted register and a register-shifted register', () => {
    checkMicroOps(
      [
        'and r0, r1, #0xff',
        'ands r0, r1, #0xf0000000',
        'eors r3, r4, #1',
        'sub r0, r1, #4',
        'subs r0, r1, #1',
        'rsbs r0, r1, #0',
        'add r0, pc, #8',
        'adds r0, r1, #0x80000000',
        'adcs r0, r1, #1',
        'sbcs r0, r1, #3',
        'rscs r0, r1, #0',
        'tst r1, #0x80000000',
        'teq r1, #3',
        'cmp r1, #255',
        'cmn r1, #1',
        'orrs r0, r1, #0x3f0',
        'movs r0, #0',
        'mov r0, #0x40000000',
        'bics r0, r1, #0xff000000',
        'mvns r0, #1',
        'addne r0, r1, #1',
        'cmpeq r1, #0',
        'add r0, r1, r2',
        'adds r0, r1, r2, lsl #3',
        'subs r0, r1, r2, lsr #32',
        'asrs r0, r1, #31',
        'movs r0, r1, rrx',
        'ands r0, r1, r2, ror #7',
        'mov r0, r1',
        'mvn r0, r1, lsl #1',
        'cmp r1, r2',
        'tst r1, r2, lsl #31',
        'teq r1, r2, lsr #1',
        'cmn r1, r2, asr #4',
        'rsc r0, r1, r2',
        'sbcs r0, r1, r2',
        'adcs r0, r1, r2, lsl #1',
        'eors r0, r1, r2',
        'orr r0, r1, pc',
        'add r0, pc, r1',
        'bicsne r0, r1, r2, asr #1',
        'lsls r0, r1, #1',
        'lsls r0, r1, r2',
        'adds r0, r1, r3, lsr r2',
        'movs r0, r1, ror r2',
        'cmp r1, r3, asr r2',
        'rsbs r0, r1, r3, lsl r2',
        'tst r1, r3, ror r2',
        'movw r0, #0x1234',
        'movt r0, #0xabcd',
        'movwne r3, #1',
        'movtcs r3, #0x8000',
      ],
      11,
    );
  });

  it('single loads and stores: immediate and register offsets, pre/post-indexed, writeback, halfword and signed', () => {
    checkMicroOps(
      [
        'ldr r0, [r1]',
        'ldr r0, [r1, #4]',
        'ldr r0, [r1, #-4]!',
        'ldr r0, [r1], #4',
        'ldrb r0, [r1, #3]',
        'ldrb r0, [r1], #-1',
        'str r0, [r1, #8]',
        'str r0, [r1, #-4]!',
        'strb r0, [r1], #1',
        'str r1, [r1, #4]!',
        'ldr r1, [r1, #4]!',
        'ldr r1, [r1], #4',
        'ldr r0, [pc, #-8]',
        'ldr r0, [r1, r2]',
        'ldr r0, [r1, -r2, lsl #2]',
        'ldr r0, [r1, r2, lsl #2]!',
        'ldrb r0, [r1, r2, lsr #1]',
        'str r0, [r1, r2, asr #2]',
        'strb r0, [r1], -r2',
        'ldr r0, [r1], r2, ror #4',
        'ldr r0, [r1, r2, rrx]',
        'str pc, [r1]',
        'ldrh r0, [r1, #2]',
        'ldrh r0, [r1], #2',
        'strh r0, [r1, #-2]!',
        'ldrsh r0, [r1, #6]',
        'ldrsb r0, [r1, #-1]',
        'ldrh r0, [r1, r2]',
        'strh r0, [r1, -r2]',
        'ldrsb r0, [r1, r2]!',
        'ldrsh r0, [r1], r2',
        'ldrne r0, [r1]',
        'strhi r0, [r1, #4]',
        'ldrhlt r0, [pc, #-4]',
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
      ],
      12,
    );
  });

  it('load/store multiple, branches and the instructions that do nothing here', () => {
    checkMicroOps(
      [
        'ldm r1, {r0, r2, r3}',
        'ldmia r1!, {r2, r3}',
        'ldmda r1, {r0, r4}',
        'ldmib r1!, {r5, r6, r7}',
        'ldmdb r1, {r2-r12, lr}',
        'ldm r1, {r1, r2}',
        'ldm r1, {r0}',
        'push {r4-r11, lr}',
        'pop {r4-r6}',
        'stmdb sp!, {r0-r3, lr}',
        'stmib r1, {r1, r2}',
        'stm r1!, {r1, r2}',
        'stmda r1, {r3, pc}',
        'stmne r1, {r0}',
        'ldmeq r1!, {r0, r3}',
        'pop {r4, pc}',
        'ldmia r1!, {r0, r2, pc}',
        'ldmdb r1, {r2, pc}',
        'ldmne r1, {r3, pc}',
        'ldmia r1, {r1, pc}',
        'bx lr',
        'bxne r1',
        'blx r1',
        'blxcc r3',
        'blx lr',
        'b .+64',
        'bl .+32',
        'bne .+24',
        'blgt .+40',
        'b .-8',
        'nop',
        'yield',
        'dmb',
        'dsb',
        'isb',
        'pld [r1]',
      ],
      13,
    );
  });

  it('multiplies, extends, bit fields, reversals, coprocessor reads and exclusives', () => {
    checkMicroOps(
      [
        'mul r0, r1, r2',
        'muls r0, r1, r2',
        'mla r0, r1, r2, r3',
        'mlas r3, r1, r2, r3',
        'mulne r0, r0, r1',
        'umull r0, r1, r2, r3',
        'umulls r0, r1, r2, r3',
        'smull r4, r5, r2, r3',
        'smulls r1, r0, r1, r2',
        'umlal r0, r1, r2, r3',
        'smlals r0, r1, r2, r3',
        'umull r0, r0, r2, r3',
        'uxtb r0, r1',
        'uxtb r0, r1, ror #8',
        'uxth r0, r1, ror #16',
        'sxtb r0, r1, ror #24',
        'sxth r0, r1',
        'uxtab r0, r2, r1',
        'uxtah r0, r2, r1, ror #8',
        'sxtab r0, r2, r1, ror #16',
        'sxtah r0, r0, r1, ror #24',
        'ubfx r0, r1, #0, #1',
        'ubfx r0, r1, #3, #7',
        'ubfx r0, r1, #0, #32',
        'sbfx r0, r1, #4, #12',
        'sbfx r0, r1, #31, #1',
        'bfi r0, r1, #4, #8',
        'bfi r0, r1, #0, #32',
        'bfc r0, #3, #5',
        'bfcne r0, #31, #1',
        'clz r0, r1',
        'rev r0, r1',
        'rev16 r0, r1',
        'revsh r0, r1',
        'rbit r0, r1',
        'mrc p15, 0, r0, c13, c0, 2',
        'mrc p15, 0, r3, c13, c0, 3',
        'mrc p15, 0, r0, c13, c0, 4',
        'mrc p15, 0, r0, c1, c0, 0',
        'mrc p15, 0, r1, c0, c0, 5',
        'mrc p15, 0, r0, c13, c0, 1',
        'mrcne p15, 0, r0, c13, c0, 4',
        'ldrex r0, [r1]',
        'ldrexb r0, [r1]',
        'ldrexh r3, [r2]',
        'ldrex r1, [r1]',
        'strex r0, r3, [r1]',
        'strexb r0, r3, [r1]',
        'strexh r4, r3, [r2]',
        'strexeq r0, r1, [r2]',
      ],
      15,
    );
  });

  it('the specialised forms (word loads/stores, MOV, ADD/SUB, CMP, TST, shifted operations without S), each condition, and the PC operands left generic', () => {
    const cases: [string, number][] = [
      ['ldr r0, [r1, #4]', MICRO_LDR_IMM],
      ['ldr r2, [r2, #-8]', MICRO_LDR_IMM],
      ['ldrne r3, [sp, #12]', MICRO_LDR_IMM],
      ['ldr r0, [r1]', MICRO_LDR_IMM],
      ['str r0, [r1, #4]', MICRO_STR_IMM],
      ['str r1, [r1, #-4]', MICRO_STR_IMM],
      ['streq lr, [sp]', MICRO_STR_IMM],
      ['mov r0, r1', MICRO_MOV_REG],
      ['movlt sp, r3', MICRO_MOV_REG],
      ['mov r0, #0x40000000', MICRO_MOV_IMM],
      ['mvn r0, #1', MICRO_MOV_IMM],
      ['mvnhi r5, #0xff000000', MICRO_MOV_IMM],
      ['add r0, pc, #8', MICRO_MOV_IMM],
      ['sub r0, pc, #0x80000000', MICRO_MOV_IMM],
      ['add r0, r1, #4', MICRO_ADD_IMM],
      ['sub r0, r0, #0x80000000', MICRO_ADD_IMM],
      ['subcc r0, r1, #255', MICRO_ADD_IMM],
      ['addgt sp, sp, #16', MICRO_ADD_IMM],
      ['add r0, r1, r2', MICRO_ADD_REG],
      ['addvs r1, r1, r1', MICRO_ADD_REG],
      ['sub r0, r1, r2', MICRO_SUB_REG],
      ['subpl r1, r1, r1', MICRO_SUB_REG],
      ['cmp r1, r2', MICRO_CMP_REG],
      ['cmpge r1, r1', MICRO_CMP_REG],
      ['cmp r1, #255', MICRO_CMP_IMM],
      ['cmp r1, #0', MICRO_CMP_IMM],
      ['cmple r1, #0x80000000', MICRO_CMP_IMM],
      ['tst r1, #3', MICRO_TST_IMM],
      ['tst r1, #0x80000000', MICRO_TST_IMM],
      ['tstmi r1, #0xff000000', MICRO_TST_IMM],
      ['tstls r1, #0x3f0', MICRO_TST_IMM],
      // What stays generic: a PC operand, S, a shift, writeback, another size.
      ['ldr r0, [pc, #4]', MICRO_LOAD],
      ['ldr r0, [r1, #4]!', MICRO_LOAD],
      ['ldr r0, [r1], #4', MICRO_LOAD],
      ['ldrb r0, [r1, #4]', MICRO_LOAD],
      ['ldr r0, [r1, r2]', MICRO_LOAD],
      ['str pc, [r1]', MICRO_STORE],
      ['str r0, [r1, #-4]!', MICRO_STORE],
      ['mov r0, pc', MICRO_DP_REG],
      ['movs r0, r1', MICRO_DP_REG],
      ['mov r0, r1, lsl #1', MICRO_DP_SHIFTED],
      ['eor r0, r1, r2, ror #7', MICRO_DP_SHIFTED],
      ['orr r0, r0, r1, lsr #1', MICRO_DP_SHIFTED],
      ['bic r0, r1, r2, asr #32', MICRO_DP_SHIFTED],
      ['rsb r0, r1, r2, asr #3', MICRO_DP_SHIFTED],
      ['mvn r0, r1, lsl #31', MICRO_DP_SHIFTED],
      ['and r0, r1, r2, lsr #31', MICRO_DP_SHIFTED],
      ['sub r0, r1, r1, lsl #3', MICRO_DP_SHIFTED],
      ['eor r0, r1, r2', MICRO_DP_SHIFTED],
      ['eorne r0, r1, r2, lsl #4', MICRO_DP_SHIFTED],
      ['addeq r0, r1, r2, asr #31', MICRO_DP_SHIFTED],
      ['adc r0, r1, r2, lsl #2', MICRO_DP_REG],
      ['mov r0, r1, lsr #32', MICRO_DP_REG],
      ['mov r0, r1, rrx', MICRO_DP_REG],
      ['eor r0, pc, r1, lsl #2', MICRO_DP_REG],
      ['add r0, r1, pc', MICRO_DP_REG],
      ['add r0, r1, r2, lsl #2', MICRO_DP_SHIFTED],
      ['adds r0, r1, r2', MICRO_DP_REG],
      ['cmp pc, r1', MICRO_DP_REG],
      ['cmp r1, r2, asr #1', MICRO_DP_REG],
      ['adds r0, r1, #1', MICRO_DP_IMM],
      ['movs r0, #0', MICRO_DP_IMM],
      ['cmp pc, #0', MICRO_DP_IMM],
      ['tst pc, #4', MICRO_DP_IMM],
      ['and r0, r1, #0xff', MICRO_DP_IMM],
    ];
    const lines = cases.map(([line]) => line);
    kinds(lines, true).forEach((k, i) => expect(k, `${lines[i]}: its form`).toBe(cases[i]![1]));
    checkAgainstInterpreter(lines, 16, THREADED);
  });

  it('the corners left to the table handler', () => {
    const lines = [
      'mov pc, lr',
      'add pc, pc, r2, lsl #2',
      'adds pc, r1, r2',
      'ldr pc, [r1]',
      'ldrt r0, [r1]',
      'ldrd r2, r3, [r1], r2',
      'ldm r1, {r0, r1}^',
      'stm r1, {r0, r1}^',
      'ldm r1, {r0, pc}^',
      'mls r0, r1, r2, r3',
      'mcr p15, 0, r0, c13, c0, 2',
      'mrc p15, 0, apsr_nzcv, c1, c0, 0',
      'ldrexd r0, r1, [r2]',
      '.inst 0xe1810f90', // strex r0, r0, [r1]
      '.inst 0xe1811f90', // strex r1, r0, [r1]
      '.inst 0xe00f0291', // mul pc, r1, r2
    ];
    kinds(lines).forEach((k, i) => expect(k, `${lines[i]}: the handler`).toBe(MICRO_HANDLER));
    checkAgainstInterpreter(lines, 14, THREADED);
  });
});
