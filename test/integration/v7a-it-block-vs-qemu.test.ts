/**
 * T32 instructions inside an IT block where the architecture says UNPREDICTABLE (or "must be last
 * in the block") and QEMU 7.2 makes a choice a program can see: qemu-system-arm -M virt's
 * `-singlestep -d cpu` trace compared register-for-register (CPSR with its IT bits included) with
 * armrr stepping the same ELF (v7a-qemu-trace.ts).
 *
 * QEMU 7.2's thumb_tr_translate_insn runs every instruction in a block conditionally, except BKPT
 * (thumb_insn_is_unconditional); of the A-profile instructions only B<cond> checks the block
 * (trans_B_cond_thumb UNDEFs). trans_IT has no check: an IT inside a block starts a new block and
 * a condition 1111 means always. The IT instruction is written as `.short` so the assembler
 * accepts the UNPREDICTABLE forms and the instructions that follow it unconditionally.
 */
import { describe, expect, it } from 'vitest';
import { buildAndTrace, compare } from './v7a-qemu-trace.js';

/** IT encodings: 0xbf00 | firstcond << 4 | mask. */
const IT_EQ = '.short 0xbf08';
const IT_NE = '.short 0xbf18';
const ITT_EQ = '.short 0xbf04';

interface Case {
  name: string;
  /** T32 lines; Z is set (cmp r0, r0) before each case, every trap resumes at the case's end. */
  body: string[];
}

const CASES: Case[] = [
  { name: 'CPS (16-bit) skipped by a failing condition, run by a passing one', body: [IT_NE, 'cpsie a', IT_EQ, 'cpsie a', 'cpsid a'] },
  { name: 'CPS (32-bit, mode change) inside an IT block runs conditionally', body: [IT_NE, 'cps #0x1f', IT_EQ, 'cps #0x1f', 'cps #0x13'] },
  { name: 'CPS imod + mode inside an IT block', body: [IT_EQ, 'cpsid i, #0x1f', 'cps #0x13'] },
  { name: 'IT inside an IT block starts a new block', body: [ITT_EQ, IT_NE, 'movs r1, #1', 'movs r2, #2', 'movs r3, #3'] },
  { name: 'IT with first condition 1111: always', body: ['.short 0xbff8', 'movs r1, #4', '.short 0xbff4', 'movs r1, #5', 'movs r2, #6'] },
  { name: 'IT AL with an else slot (condition 1111): both run', body: ['.short 0xbfec', 'movs r1, #7', 'movs r2, #8'] },
  { name: 'BKPT ignores a failing IT condition (prefetch abort)', body: [IT_NE, 'bkpt #1'] },
  { name: 'CBZ inside an IT block runs conditionally', body: ['movs r2, #0', 'cmp r0, r0', IT_NE, 'cbz r2, 1f', IT_EQ, 'cbz r2, 1f', 'movs r3, #9', '1:'] },
  { name: 'B<cond> (16-bit) inside an IT block UNDEFs', body: [IT_EQ, 'beq.n 1f', 'nop', '1:'] },
  { name: 'B<cond> (32-bit) inside an IT block UNDEFs', body: [IT_EQ, 'beq.w 1f', 'nop', '1:'] },
  { name: 'B (unconditional) not last in an IT block branches', body: [ITT_EQ, 'b.w 1f', 'movs r1, #10', '1:', 'movs r2, #11'] },
  {
    name: 'BLX (immediate) not last in an IT block goes to A32',
    body: ['ldr r1, =it_arm_return', 'mov lr, pc', ITT_EQ, 'blx it_arm_target', 'movs r1, #12'],
  },
  {
    name: 'SUBS PC, LR not last in an IT block returns (SPSR restores the IT bits)',
    body: ['mrs r1, cpsr', 'msr spsr_fsxc, r1', 'ldr lr, =2f+1', ITT_EQ, 'subs pc, lr, #0', 'movs r1, #13', '2:', 'movs r2, #14'],
  },
  {
    name: 'RFE not last in an IT block returns',
    body: ['ldr r1, =3f+1', 'mrs r2, cpsr', 'push {r1, r2}', ITT_EQ, 'rfeia sp!', 'movs r1, #15', '3:', 'movs r2, #16'],
  },
  { name: 'HVC inside an IT block (PSCI_VERSION on virt)', body: ['ldr r0, =0x84000000', 'cmp r0, r0', IT_EQ, 'hvc #0', 'movs r3, #17'] },
  { name: 'HVC skipped by a failing IT condition', body: ['ldr r0, =0x84000000', 'cmp r0, r0', IT_NE, 'hvc #0', 'movs r3, #18'] },
  { name: 'SETEND inside an IT block runs conditionally', body: [IT_EQ, 'setend be', 'setend le', IT_NE, 'setend be'] },
];

function program(): string {
  const lines = [
    '.syntax unified', '.cpu cortex-a15', '.arch_extension virt', '.arm', '.text', '.global _start', '_start:',
    '  ldr r0, =vectors', '  mcr p15, 0, r0, c12, c0, 0',
    '  ldr sp, =it_stack_top',
    '  ldr r0, =main+1', '  bx r0',
    '.balign 32',
    'vectors:',
    ...Array.from({ length: 8 }, () => '  b handler'),
    // Every trap resumes at the current case's end, in SVC mode and Thumb state.
    'handler:', '  cps #0x13', '  ldr r12, =it_resume', '  ldr r12, [r12]', '  bx r12',
    // BLX's A32 target: back to Thumb at the address in r1.
    'it_arm_target:', '  orr r1, r1, #1', '  bx r1',
    '.ltorg',
    '.thumb', '.thumb_func', 'main:',
  ];
  CASES.forEach((c, k) => {
    lines.push(`@ ${c.name}`, `  ldr r0, =case${k}_end+1`, '  ldr r1, =it_resume', '  str r0, [r1]');
    lines.push('  ldr sp, =it_stack_top', '  movs r1, #0', '  movs r2, #0', '  movs r3, #0', '  cmp r0, r0');
    lines.push(...c.body.map((l) => (l.endsWith(':') ? l : `  ${l}`)));
    // BLX's A32 target comes back here.
    if (c.body.some((l) => l.includes('it_arm_target'))) lines.push('it_arm_return:');
    lines.push(`case${k}_end:`, '  b.w 1f', '.ltorg', '1:');
  });
  lines.push('  movs r0, #0x18', '  ldr r1, =0x20026', '  svc 0xab', '.ltorg');
  lines.push('.data', '.balign 8', 'it_resume: .word 0', 'it_stack: .space 256', 'it_stack_top:');
  return lines.join('\n') + '\n';
}

describe('T32 inside IT blocks vs qemu-system-arm -M virt -cpu cortex-a15 (QEMU 7.2 choices)', () => {
  // One program for all cases (one QEMU run); a mismatch names its instruction and case label.
  it(`${CASES.length} cases (CPS, nested IT, IT 1111, BKPT, CBZ, B<cond>, B/BLX/SUBS PC/RFE not last, HVC, SETEND) match QEMU`, () => {
    const built = buildAndTrace('it-block', program());
    const { failures, failing } = compare(built);
    expect(failures, `${failing} mismatching instructions`).toEqual([]);
    const last = built.records[built.records.length - 1]!;
    expect(last.r[0]).toBe(0x18);
    // Every case ran: the trace passes every case's end label at least once (not skipped by a trap).
    expect(built.records.length).toBeGreaterThan(CASES.length * 8);
  });
});
