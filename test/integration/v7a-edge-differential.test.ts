/**
 * Differential test of the ARMv7-A core against qemu-system-arm 7.2 on random *encodings* with
 * r13, r14 and r15 as operands (v7a-edge-program.ts): loads/stores incl. unprivileged and
 * PC-relative writeback, LDRD/STRD pairs, exclusives, SWP, LDM/STM with any list, multiplies and
 * data processing with SP/PC, MRS/MSR, SRS/RFE, coprocessor space, NEON, T32 32-bit. QEMU's
 * `-singlestep -d cpu` trace is compared register-for-register with armrr stepping the same ELF
 * (v7a-qemu-trace.ts), so an instruction one of them UNDEFs and the other executes shows up as the
 * first differing state.
 *
 * armrr's side is the real `--machine virt --memory 128M` (v7a-qemu-trace.ts), so a register
 * offset that reaches flash, the PCIe window or an unassigned address answers as on QEMU. Eight
 * seeds per instruction set (600 encodings each, one QEMU run per seed) keep the run cheap while
 * covering more encodings; seeds 0xed6e5eed, 1, 3, 12345 and 100-108 passed at 1500 encodings.
 *
 * ARMRR_EDGE_SEED picks one other seed, ARMRR_EDGE_COUNT another number of encodings.
 */
import { describe, expect, it } from 'vitest';
import { v7aEdgeProgram } from './v7a-edge-program.js';
import { buildAndTrace, compare } from './v7a-qemu-trace.js';

describe('ARMv7-A core vs qemu-system-arm -M virt -cpu cortex-a15 (random encodings, SP/LR/PC operands)', () => {
  const seeds = process.env.ARMRR_EDGE_SEED !== undefined ? [Number(process.env.ARMRR_EDGE_SEED)] : [0xed6e5eed, 1, 3, 12345, 100, 103, 105, 108];
  const count = Number(process.env.ARMRR_EDGE_COUNT ?? 600);
  for (const [isa, seed] of seeds.flatMap((s) => (['a32', 't32'] as const).map((isa) => [isa, s] as const))) {
    it(`${isa}: ${count} random encodings match QEMU register-for-register (seed ${seed.toString(16)})`, () => {
      const program = v7aEdgeProgram(isa, seed, count);
      const built = buildAndTrace(`edge-${isa}-${seed.toString(16)}`, program.source);
      expect(built.records.length).toBeGreaterThan(count * 20);
      const { failures, failing } = compare(built);
      expect(failures, `${failing} mismatching instructions`).toEqual([]);
      // The program ran to its semihosting exit: r0/r1 hold the SYS_EXIT arguments.
      const last = built.records[built.records.length - 1]!;
      expect(last.r[0]).toBe(0x18);
      expect(last.r[1]).toBe(0x20026);
    });
  }
});
