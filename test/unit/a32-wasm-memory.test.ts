/**
 * The wasm block tier's A32 loads and stores (emit-wasm-a32-memory.ts) against the interpreter's
 * table handlers, on the block rig (a32-block-rig.ts) with a wasm-backed bus: each instruction's
 * compiled block is replaced by A32WasmCompiler's (a32-wasm-memory-rig.ts), then run from generated
 * states — pointers aligned or not, a few words before a page end (page-crossing transfers), an
 * unmapped address (a data abort), the rig's device page, the monitor open or closed — on the
 * wasm core and an interpreter-only core: registers, flags, mode, Thumb bit, icount, the data page
 * and the abort registers must be equal after every run.
 */
import { describe, expect, it } from 'vitest';
import type { ArmV7aCpu } from '../../src/emulator/cpu/v7a/cpu.js';
import { checkAgainstInterpreter as checkBlocks, lineAddress, type BlockTier } from './a32-block-rig.js';
import { installWasmRigBlock, resetWasmRigCounts, wasmRigCounts } from './a32-wasm-memory-rig.js';

const WASM: BlockTier = {
  name: 'wasm',
  wasmBus: true,
  made: (cpu: ArmV7aCpu) => cpu.translatedBlocks(),
  ready: (cpu: ArmV7aCpu, pc: number, before: number) => cpu.translatedBlocks() > before && installWasmRigBlock(cpu, pc),
};
/** Lines whose access does not depend on the generated registers (a literal, CLREX): they always hit. */
const FIXED_ADDRESS = /\[pc|clrex/;

/**
 * As the block rig's check, and every line's wasm block hit inline in some trials and (unless its
 * address is fixed) took its slow path in others (a miss, misaligned, a device or a fault).
 */
function checkAgainstInterpreter(lines: readonly string[], seed: number): void {
  resetWasmRigCounts();
  checkBlocks(lines, seed, WASM);
  lines.forEach((line, i) => {
    const { runs, slow } = wasmRigCounts(lineAddress(i));
    if (!FIXED_ADDRESS.test(line)) expect(slow, `${line}: slow path taken`).toBeGreaterThan(0);
    expect(runs - slow, `${line}: inline hits`).toBeGreaterThan(0);
  });
}

describe('A32 loads and stores in wasm match the table handlers', () => {
  it('LDR/STR/LDRB/STRB by immediate and by shifted register, every indexing mode', () => {
    checkAgainstInterpreter(
      [
        'ldr r0, [r1]',
        'ldr r0, [r1, #4]!',
        'ldr r0, [r1, #-4]',
        'ldr r1, [r1, #8]!',
        'ldr r0, [r1], #-12',
        'ldr r1, [r1], #4',
        'ldr r0, [pc, #-8]',
        'ldr r0, [r1, r2]',
        'ldr r0, [r1, -r2, lsl #2]!',
        'ldr r0, [r1], r2, lsr #1',
        'ldr r0, [r1, r2, lsr #32]',
        'ldr r0, [r1, r2, asr #3]',
        'ldr r0, [r1, r2, asr #32]',
        'ldr r0, [r1, r2, ror #4]',
        'ldr r0, [r1, r2, rrx]',
        'ldr r2, [r1, r2]!',
        'ldrb r0, [r1], #1',
        'ldrb r0, [r1, #-255]!',
        'ldrb r0, [r1, r2, lsl #1]',
        'str r0, [r1]',
        'str r0, [r1, #4]!',
        'str r1, [r1, #-4]!',
        'str r1, [r1], #4',
        'str r0, [r1], -r2',
        'str r0, [r1, r2, lsl #2]',
        'str r0, [r1, -r2, asr #31]!',
        'strb r0, [r1, #3]',
        'strb r0, [r1], r2',
        'strb r1, [r1, #1]!',
      ],
      11,
    );
  });

  it('halfword, signed and doubleword forms', () => {
    checkAgainstInterpreter(
      [
        'ldrh r0, [r1]',
        'ldrh r0, [r1, #2]!',
        'ldrh r0, [r1], #-6',
        'ldrh r0, [r1, r2]',
        'ldrh r0, [r1, -r2]!',
        'ldrsh r0, [r1, #-2]',
        'ldrsh r0, [r1], r2',
        'ldrsb r0, [r1, #7]',
        'ldrsb r0, [r1, r2]!',
        'ldrsb r1, [r1]',
        'ldrh r0, [pc, #4]',
        'strh r0, [r1]',
        'strh r0, [r1, #-2]!',
        'strh r1, [r1], #2',
        'strh r0, [r1, r2]',
        'ldrd r2, r3, [r1]',
        'ldrd r4, r5, [r1, #8]!',
        'ldrd r0, r1, [r1]',
        'ldrd r2, r3, [r1], #-8',
        'ldrd r2, r3, [r1, r0]',
        'ldrd r2, r3, [r1, -r0]!',
        'ldrd r2, r3, [pc, #-16]',
        'strd r2, r3, [r1, #-4]',
        'strd r4, r5, [r1], r2',
        'strd r0, r1, [r1, #8]!',
        'strd r2, r3, [r1, r0]',
      ],
      12,
    );
  });

  it('LDM/STM in the four modes, writeback, the base in the list, a loaded PC', () => {
    checkAgainstInterpreter(
      [
        'ldm r1, {r0, r1, r2}',
        'ldmia r1!, {r2, r3}',
        'ldmda r1, {r0, r4}',
        'ldmda r1!, {r0, r4}',
        'ldmib r1!, {r5, r6, r7}',
        'ldmdb r1, {r1, r2}',
        'ldmdb r1!, {r2-r12, r14}',
        'stmdb sp!, {r0-r3, lr}',
        'stmib r1, {r1, r2}',
        'stm r1!, {r1, r2}',
        'stmda r1, {r3, pc}',
        'stmda r1!, {r0-r14}',
        'stmia r2!, {r1, r2, r3}',
        'push {r4}',
        'pop {r4}',
        'ldmia r1!, {r0, r2, pc}',
        'pop {r4, r5, pc}',
        'pop {pc}',
        'ldmdb r1, {r2, pc}',
        'ldmia r1, {r1, pc}',
        'ldr pc, [r1], #4',
        'ldr pc, [r1, #4]',
        'ldr pc, [r1, r2, lsl #2]',
        'ldr pc, [r1, #-8]!',
      ],
      13,
    );
  });

  it('exclusives and CLREX', () => {
    checkAgainstInterpreter(
      [
        'ldrex r0, [r1]',
        'ldrexb r0, [r1]',
        'ldrexh r0, [r2]',
        'ldrex r1, [r1]',
        'strex r0, r3, [r1]',
        'strexb r0, r3, [r1]',
        'strexh r4, r3, [r2]',
        'strex r0, r1, [r1]',
        'clrex',
      ],
      14,
    );
  });

  it('under a condition (the emitter writes nothing the condition skips)', () => {
    checkAgainstInterpreter(
      [
        'ldrne r0, [r1, #4]',
        'strcs r0, [r1, r2, lsl #2]!',
        'ldrhge r0, [r1], #2',
        'ldrdlt r2, r3, [r1]',
        'stmdbeq r1!, {r2, r3}',
        'ldmne r1, {r3, pc}',
        'ldrne pc, [r1, #-8]!',
        'ldrexhi r0, [r1]',
        'strexne r0, r3, [r1]',
        'strbvs r3, [r1, #1]',
      ],
      15,
    );
  });
});
