/**
 * UNPREDICTABLE register choices where armrr used to UNDEF but QEMU 7.2 executes (or the reverse),
 * found by the random-encoding differential test (test/integration/v7a-edge-differential.test.ts)
 * and read in QEMU's translate.c / *.decode: one row per case, run on a bare core. The expected
 * values follow QEMU's translation (reasoned from its source; the integration test compares them
 * with qemu-system-arm itself).
 */
import { describe, expect, it } from 'vitest';
import { CODE, RAM_BASE, V7aRig } from './v7a-rig.js';
import { MODE_ABT, MODE_UND } from '../../src/emulator/cpu/v7a/state.js';
import { SysRegFile } from '../../src/emulator/cpu/v7a/sysreg-registry.js';

const DATA = RAM_BASE + 0x8000;

interface Case {
  name: string;
  /** A32 word, or a T32 pair [hw1, hw2]. */
  insn: number | [number, number];
  setup?: (r: V7aRig) => void;
  undef: boolean;
  check?: (r: V7aRig) => void;
}

const CASES: Case[] = [
  {
    name: 'SWP with Rn = Rt (QEMU: no register checks)',
    insn: 0xe1000091, // swp r0, r1, [r0]
    setup: (r) => {
      r.state.r[0] = DATA;
      r.state.r[1] = 0x11223344;
      r.bus.write32(DATA, 0xcafef00d);
    },
    undef: false,
    check: (r) => {
      expect(r.state.r[0]! >>> 0).toBe(0xcafef00d);
      expect(r.bus.read32(DATA) >>> 0).toBe(0x11223344);
    },
  },
  {
    name: 'SWP storing PC stores PC + 8',
    insn: 0xe100e09f, // swp lr, pc, [r0]
    setup: (r) => void (r.state.r[0] = DATA),
    undef: false,
    check: (r) => expect(r.bus.read32(DATA) >>> 0).toBe(CODE + 8),
  },
  {
    name: 'LDRSH post-indexed with Rn = PC: the writeback branches (word aligned)',
    insn: 0xe0df50f3, // ldrsh r5, [pc], #3
    setup: (r) => r.a32(CODE + 8, 0x8001),
    undef: false,
    check: (r) => {
      expect(r.state.r[5]! >>> 0).toBe(0xffff8001);
      expect(r.pc).toBe((CODE + 8 + 3) & ~3);
    },
  },
  {
    name: 'LDRB pre-indexed with writeback to PC: Rt gets the byte, PC the address',
    insn: 0xe5ffd008, // ldrb sp, [pc, #8]!
    setup: (r) => r.a32(CODE + 16, 0x000000a5),
    undef: false,
    check: (r) => {
      expect(r.state.r[13]).toBe(0xa5);
      expect(r.pc).toBe(CODE + 16);
    },
  },
  {
    name: 'LDR with register offset Rm = PC reads PC + 8',
    insn: 0xe790100f, // ldr r1, [r0, pc]
    setup: (r) => {
      r.state.r[0] = DATA - (CODE + 8);
      r.bus.write32(DATA, 0x5a5a5a5a);
    },
    undef: false,
    check: (r) => expect(r.state.r[1]! >>> 0).toBe(0x5a5a5a5a),
  },
  {
    name: 'LDRD with Rt = LR loads the PC (plain branch)',
    insn: 0xe1c0e0d0, // ldrd lr, pc, [r0]
    setup: (r) => {
      r.state.r[0] = DATA;
      r.bus.write32(DATA, 0x12345678);
      r.bus.write32(DATA + 4, CODE + 0x103);
    },
    undef: false,
    check: (r) => {
      expect(r.state.r[14]! >>> 0).toBe(0x12345678);
      expect(r.pc).toBe(CODE + 0x100);
      expect(r.state.thumb).toBe(0);
    },
  },
  {
    name: 'LDRD with writeback into Rt: the writeback wins',
    insn: 0xe1e000d8, // ldrd r0, r1, [r0, #8]!
    setup: (r) => {
      r.state.r[0] = DATA;
      r.bus.write32(DATA + 8, 0x0f0f0f0f);
    },
    undef: false,
    check: (r) => expect(r.state.r[0]! >>> 0).toBe(DATA + 8),
  },
  {
    name: 'STRD with Rt = LR stores LR and PC + 8',
    insn: 0xe1c0e0f0, // strd lr, pc, [r0]
    setup: (r) => {
      r.state.r[0] = DATA;
      r.state.r[14] = 0x77;
    },
    undef: false,
    check: (r) => expect(r.bus.read32(DATA + 4) >>> 0).toBe(CODE + 8),
  },
  {
    name: 'LDM with writeback and the base in the list UNDEFs (QEMU, v7)',
    insn: 0xe8b10006, // ldm r1!, {r1, r2}
    setup: (r) => void (r.state.r[1] = DATA),
    undef: true,
  },
  {
    name: 'STM^ (user registers) with writeback executes',
    insn: 0xe8e04000, // stmia r0!, {lr}^
    setup: (r) => void (r.state.r[0] = DATA),
    undef: false,
    check: (r) => expect(r.state.r[0]! >>> 0).toBe(DATA + 4),
  },
  {
    name: 'Unallocated memory hint 1111 0100 x001 is a NOP (QEMU: PLDW)',
    insn: 0xf49d6cb1,
    undef: false,
    check: (r) => expect(r.pc).toBe(CODE + 4),
  },
  {
    name: 'VLD1 with Rn = PC reads at PC + 8 and writes back as a branch',
    insn: 0xf42f0704, // vld1.8 {d0}, [pc], r4
    setup: (r) => {
      enableFp(r);
      r.state.r[4] = 0x40;
    },
    undef: false,
    check: (r) => expect(r.pc).toBe(CODE + 8 + 0x40),
  },
  {
    name: 'VLDR.16 (cp9) executes on QEMU\'s Cortex-A15: zero-extended halfword',
    insn: 0xed900901, // vldr.16 s0, [r0, #2]
    setup: (r) => {
      enableFp(r);
      r.state.r[0] = DATA;
      r.bus.write32(DATA, 0xbeefcafe);
    },
    undef: false,
    check: (r) => expect(r.state.s[0]! >>> 0).toBe(0xbeef),
  },
  {
    name: 'T32 LDRD with Rt = PC: plain branch, stays in Thumb',
    insn: [0xe9d0, 0xf100], // ldrd pc, r1, [r0]
    setup: (r) => {
      r.state.r[0] = DATA;
      r.bus.write32(DATA, CODE + 0x201);
      r.bus.write32(DATA + 4, 0x99);
    },
    undef: false,
    check: (r) => {
      expect(r.pc).toBe(CODE + 0x200);
      expect(r.state.thumb).toBe(1);
      expect(r.state.r[1]).toBe(0x99);
    },
  },
  {
    name: 'T32 LDRD literal with writeback: PC = the address',
    insn: [0xe9ff, 0x0102], // ldrd r0, r1, [pc, #8]!
    undef: false,
    check: (r) => expect(r.pc).toBe(((CODE + 4) & ~3) + 8),
  },
  {
    name: 'LDRD post-indexed by register with Rm = Rt: the writeback uses the loaded Rm (QEMU op_addr_rr_post)',
    insn: 0xe00e00d0, // ldrd r0, r1, [lr], -r0
    setup: (r) => {
      r.state.r[14] = DATA;
      r.state.r[0] = 8;
      r.bus.write32(DATA, 0x100);
      r.bus.write32(DATA + 4, 0x99);
    },
    undef: false,
    check: (r) => {
      expect(r.state.r[14]! >>> 0).toBe(DATA - 0x100);
      expect([r.state.r[0], r.state.r[1]]).toEqual([0x100, 0x99]);
    },
  },
  {
    name: 'T32 SMMLA with Rd = PC branches to the result (QEMU store_reg), staying in Thumb',
    insn: [0xfb51, 0x3f02], // smmla pc, r1, r2, r3
    setup: (r) => {
      r.state.r[1] = 0x10000;
      r.state.r[2] = 0x10000; // the product's top word is 1
      r.state.r[3] = CODE + 0x101; // + Ra
    },
    undef: false,
    check: (r) => {
      expect(r.pc).toBe(CODE + 0x102);
      expect(r.state.thumb).toBe(1);
    },
  },
  {
    name: 'T32 STREX with SP UNDEFs (QEMU: Thumb SP checks before v8)',
    insn: [0xe840, 0xd100], // strex r1, sp, [r0]
    setup: (r) => void (r.state.r[0] = DATA),
    undef: true,
  },
];

describe('QEMU CP_ANY system registers', () => {
  it('DACR answers at any opc1/CRm/opc2 of c3; c10 TLB lockdown and c7 opc1 0 writes are NOPs', () => {
    const file = new SysRegFile();
    let dacr = 0x55;
    file.define({ name: 'DACR', cp: 15, opc1: 0, crn: 3, crm: 0, opc2: 0, read: () => dacr, write: (v) => void (dacr = v) });
    expect(file.lookup(15, false, 5, 3, 12, 1)?.read?.(file)).toBe(0x55);
    expect(file.lookup(15, false, 3, 10, 4, 7)?.nop).toBe(true);
    const maint = file.lookup(15, false, 0, 7, 9, 3);
    expect(maint?.write).toBeDefined();
    expect(maint?.read).toBeUndefined();
    expect(file.lookup(15, false, 0, 11, 0, 0)).toBeUndefined();
    expect(file.lookup(14, false, 0, 3, 0, 0)).toBeUndefined();
  });
});

describe('DBGDEVID, DBGDEVID1/2 where QEMU 7.2 defines them (c7, c0: its reginfo omits crm)', () => {
  it.each([
    ['mrc p14, 0, r0, c7, c0, 2 (DBGDEVID)', 0xee170e50, 0x01110f13],
    ['mrc p14, 0, r0, c7, c0, 1 (DBGDEVID1)', 0xee170e30, 0],
    ['mrc p14, 0, r0, c7, c0, 0 (DBGDEVID2)', 0xee170e10, 0],
    ['mrc p14, 0, r0, c7, c2, 7 (the architecture\'s DBGDEVID: UNDEFINED)', 0xee170ef2, -1],
  ])('%s', (_name, insn, value) => {
    const r = new V7aRig();
    r.a32(CODE, insn);
    r.state.r[0] = 0x55;
    r.run(1);
    expect(r.state.mode === MODE_UND).toBe(value === -1);
    if (value !== -1) expect(r.state.r[0]! >>> 0).toBe(value);
  });
});

function enableFp(r: V7aRig): void {
  r.cpu.coreRegs.s.cpacr = 0x00f00000;
  r.state.fpexc = 0x40000000;
}

describe('register lists past d31 (QEMU 7.2 translate-neon.c / translate-vfp.c)', () => {
  const bytes = Array.from({ length: 24 }, (_, i) => (0x11 * (i + 1)) & 0xff);
  it('VLD3.8/VST3.8 {d28,d30,d32}: d32 is hidden storage that keeps its value (trans_VLDST_multiple has no bound)', () => {
    const r = new V7aRig();
    enableFp(r);
    // vld3.8 {d28,d30,d32}, [r0]; vst3.8 {d28,d30,d32}, [r1]
    r.a32(CODE, 0xf460c50f, 0xf441c50f);
    bytes.forEach((b, i) => r.bus.write8(DATA + i, b));
    r.state.r[0] = DATA;
    r.state.r[1] = DATA + 0x100;
    r.run(1);
    // Every third byte went to d32, which no register view shows: d0-d31 is all `s` has.
    expect(r.state.s.length).toBe(64);
    expect(r.state.dStorage[64]! & 0xff).toBe(bytes[2]);
    const saved = r.state.save();
    r.state.dStorage.fill(0, 64);
    r.state.load(saved); // snapshots carry d32-d63
    r.run(1);
    expect(r.state.mode).not.toBe(MODE_UND);
    expect(Array.from({ length: 24 }, (_, i) => r.bus.read8(DATA + 0x100 + i))).toEqual(bytes);
  });
  it('VLD1.8 to all lanes {d31[],d32[]}: d32 written too (trans_VLD_all_lanes has no bound)', () => {
    const r = new V7aRig();
    enableFp(r);
    // vld1.8 {d31[],d32[]}, [r0] (T = 1); vst1.8 {d31,d32}, [r1]
    r.a32(CODE, 0xf4e0fc2f, 0xf441fa0f);
    r.bus.write8(DATA, 0x5a);
    r.state.r[0] = DATA;
    r.state.r[1] = DATA + 0x100;
    r.run(2);
    expect(r.state.mode).not.toBe(MODE_UND);
    expect(r.bus.read32(DATA + 0x10c) >>> 0).toBe(0x5a5a5a5a);
  });
  it.each([
    ['VLD2.8 single lane {d31[0],d32[0]} (trans_VLDST_single UNDEFs)', 0xf4e0f10f],
    ['VTBL.8 d0, {d30-d33}, d1 (trans_VTBL UNDEFs)', 0xf3be0b81],
    ['VLDMIA r0, {d30-d32} (trans_VLDM_VSTM_dp UNDEFs)', 0xecd0eb06],
    ['VLDMIA r0, {d0-d16}: 17 registers (UNDEFs)', 0xec900b22],
  ])('%s', (_name, insn) => {
    const r = new V7aRig();
    enableFp(r);
    r.a32(CODE, insn);
    r.state.r[0] = DATA;
    r.run(1);
    expect(r.state.mode).toBe(MODE_UND);
  });
});

describe('VLD1 :256 alignment (QEMU 7.2 pow2_align enforces only 16 bytes)', () => {
  it.each([
    [16, false],
    [8, true],
  ])('vld1.32 {d16-d19}, [r0 :256] at 32n + %i: abort %s', (offset, aborts) => {
    const r = new V7aRig();
    enableFp(r);
    r.a32(CODE, 0xf46002bf);
    r.state.r[0] = DATA + offset;
    r.run(1);
    expect(r.state.mode === MODE_ABT).toBe(aborts);
  });
});

describe('UNPREDICTABLE encodings: UNDEF or execute as QEMU 7.2 does', () => {
  it.each(CASES)('$name', (c) => {
    const r = new V7aRig();
    if (Array.isArray(c.insn)) {
      r.t16(CODE, c.insn[0], c.insn[1]);
      r.state.thumb = 1;
    } else r.a32(CODE, c.insn);
    c.setup?.(r);
    r.run(1);
    expect(r.state.mode === MODE_UND, c.undef ? 'UNDEFINED' : 'executed').toBe(c.undef);
    if (!c.undef) c.check?.(r);
  });
});
