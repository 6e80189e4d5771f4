/**
 * The A32 encodings where the ARM ARM says UNPREDICTABLE (or where QEMU departs from it) and
 * armrr follows QEMU 7.2, checked against qemu-system-arm itself: each case runs under QEMU's
 * per-instruction trace and in lock-step on ArmV7aCpu (v7a-qemu-trace.ts). An UNDEFINED case
 * enters the UND vector of a small table (VBAR) whose handler returns with MOVS PC, LR, so the
 * trace shows QEMU's choice and the lock-step shows armrr makes the same one.
 */
import { describe, expect, it } from 'vitest';
import { assembleA32 } from '../unit/a32-harness.js';
import { buildAndTrace, compare } from './v7a-qemu-trace.js';

const hex = (v: number): string => `0x${(v >>> 0).toString(16)}`;

/** Base words from gcc, then the field changes that make them the cases below. */
const [tst, mov, mul, sdiv, rev, ubfx, bfi, smmul, cmpRsr, usada8, sxtab] = assembleA32([
  'tst r0, r1',
  'mov r2, r1',
  'mul r2, r0, r1',
  'sdiv r2, r0, r1',
  'rev r2, r1',
  'ubfx r2, r1, #4, #8',
  'bfi r2, r1, #4, #8',
  'smmul r2, r0, r1',
  'cmp r0, r1, lsl r3',
  'usada8 r2, r0, r1, r3',
  'sxtab r2, r0, r1',
]);

/** Cases QEMU decodes as UNDEFINED (should-be fields, UNPREDICTABLE bit fields). */
const UNDEFINED: [string, number][] = [
  ['TST with Rd = 0101', tst! | (5 << 12)],
  ['CMP (register-shifted) with Rd = 0001', cmpRsr! | (1 << 12)],
  ['MOV with Rn = 0011', mov! | (3 << 16)],
  ['MUL with Ra = 0001', mul! | (1 << 12)],
  ['SDIV with Ra = 0000', sdiv! & ~(0xf << 12)],
  ['REV with bits 19:16 = 1110', rev! & ~(1 << 16)],
  ['UBFX with lsb 4 + width 32 > 32', ubfx! | (31 << 16)],
  ['BFI with msb 3 < lsb 4', (bfi! & ~(31 << 16)) | (3 << 16)],
];

/** Cases QEMU executes, with the decode it chooses. */
const EXECUTED: [string, number][] = [
  ['SMMLS with Ra = 1111 is SMMUL (no accumulate)', (smmul! & ~0xc0) | 0xc0],
  ['USADA8 with Ra = 1111 is USAD8', usada8! | (0xf << 12)],
  ['SXTAB with Rn = 1111 is SXTB', sxtab! | (0xf << 16)],
];

function program(): string {
  const lines = [
    '.syntax unified', '.cpu cortex-a15', '.arm', '.text', '.global _start', '_start:',
    '  ldr r0, =vectors', '  mcr p15, 0, r0, c12, c0, 0', '  isb',
    '  ldr r0, =0x40200000', '  mov sp, r0',
    '  ldr r0, =0x80017ffe', '  ldr r1, =0xc0de8001', '  ldr r2, =0x22222222', '  ldr r3, =0x00000003',
  ];
  for (const [name, word] of [...UNDEFINED, ...EXECUTED]) lines.push(`  .word ${hex(word)} @ ${name}`);
  lines.push(
    // MUL with Rd = PC: QEMU branches to the product with bits 1:0 cleared (no interworking).
    '  adr r0, 1f', '  add r0, r0, #3', '  mov r1, #1', `  .word ${hex((mul! & ~(0xf << 16)) | (15 << 16))} @ mul pc, r0, r1`,
    '  mov r5, #0x55 @ skipped',
    '1:',
    // ADDS PC: flags from the sum and a branch, no exception return (only SUBS/MOVS PC return).
    '  ldr r4, =0x7fffffff', '  adr r0, 2f', '  msr APSR_nzcvq, r4', '  mov r6, #0x10', '  msr spsr_fsxc, r6',
    '  adds pc, r0, #0',
    '  mov r5, #0x66 @ skipped',
    '2:',
    '  mrs r7, apsr',
    '  movs r0, #0x18', '  ldr r1, =0x20026', '  svc 0x123456',
    '.ltorg',
    '.align 5',
    'vectors:',
    '  b .', '  b und_handler', '  b .', '  b .', '  b .', '  b .', '  b .', '  b .',
    'und_handler:',
    '  movs pc, lr',
  );
  return lines.join('\n') + '\n';
}

describe('A32 decode choices vs qemu-system-arm -M virt -cpu cortex-a15', () => {
  it('UNDEFINED where QEMU raises UND, QEMU\'s decode elsewhere, Rd = PC and ADDS PC as QEMU: lock-step equal', () => {
    const built = buildAndTrace('a32-qemu-choices', program());
    // QEMU's own choice: every UNDEFINED case enters UND mode for two instructions (B, MOVS PC).
    const undSteps = built.records.filter((r) => (r.cpsr & 0x1f) === 0x1b).length;
    expect(undSteps).toBe(2 * UNDEFINED.length);
    // ...ADDS PC stayed in SVC (no exception return from SPSR = User) and wrote the flags.
    const last = built.records[built.records.length - 1]!;
    expect(last.cpsr & 0x1f).toBe(0x13);
    expect(last.r[5]).toBe(0);
    expect(last.r[7]! >>> 28).toBe(0);
    const { failures, failing } = compare(built);
    expect(failures, `${failing} mismatching instructions`).toEqual([]);
  });
});
