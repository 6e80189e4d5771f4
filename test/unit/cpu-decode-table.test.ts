import { describe, expect, it } from 'vitest';
import {
  DecodeTableError,
  bucketKey32,
  encoding,
  match32,
} from '../../src/emulator/cpu/decode-table.js';
import type { Fields } from '../../src/emulator/cpu/decode-table.js';
import { F16, T16_FAST, T16_LOOKUP, T16_TABLE, t16RegShiftType } from '../../src/emulator/cpu/t16.js';
import { SHIFT_ASR, SHIFT_LSL, SHIFT_LSR, SHIFT_ROR } from '../../src/emulator/cpu/alu.js';
import { T32_BUCKETS, T32_TABLE } from '../../src/emulator/cpu/t32.js';

describe('pattern compiler', () => {
  it('builds mask/match and extracts (concatenated) fields', () => {
    // MOVW-like: imm = i:imm4... here written in textual order i, imm3, imm8 as for ThumbExpandImm
    const e = encoding('X', 32, '11110 imm:1 0 0010 s:1 1111 0 imm:3 rd:4 imm:8', null);
    expect(e.mask >>> 0).toBe(0xfbef8000);
    expect(e.match >>> 0).toBe(0xf04f0000);
    const out: Fields = {};
    // mov.w r3, #0x00ab00ab  ->  f04f 13ab  (i=0, imm3=001, imm8=ab)
    e.extract(0xf04f13ab | 0, out);
    expect(out).toEqual({ imm: 0x1ab, s: 0, rd: 3 });
    expect(e.fieldNames).toEqual(['imm', 's', 'rd']);
  });

  it('rejects malformed patterns', () => {
    expect(() => encoding('short', 16, '0101 rd:3', null)).toThrow(DecodeTableError);
    expect(() => encoding('long', 16, '0101 rd:16', null)).toThrow(DecodeTableError);
    expect(() => encoding('bad', 16, '0101 0101 0101 010x', null)).toThrow(/bad pattern character/);
  });
});

describe('instruction tables', () => {
  it('every T16 row decodes at least one halfword (no row is fully shadowed)', () => {
    const hits = new Uint32Array(T16_TABLE.length);
    for (let hw = 0; hw < 0xe800; hw++) hits[T16_LOOKUP[hw]!]!++;
    const dead = T16_TABLE.filter((_, i) => hits[i] === 0).map((e) => e.name);
    expect(dead).toEqual([]);
  });

  it('the one fast shift-by-register case takes each row\'s shift type from the halfword', () => {
    const want: Record<string, number> = { LSL_reg: SHIFT_LSL, LSR_reg: SHIFT_LSR, ASR_reg: SHIFT_ASR, ROR_reg: SHIFT_ROR };
    const seen = new Set<string>();
    for (let hw = 0; hw < 0xe800; hw++) {
      const name = T16_TABLE[T16_LOOKUP[hw]!]!.name;
      if (T16_FAST[hw] === F16.SHIFT_REG) {
        expect(want[name], `0x${hw.toString(16)} (${name})`).toBeDefined();
        expect(t16RegShiftType(hw), `0x${hw.toString(16)} (${name})`).toBe(want[name]);
        seen.add(name);
      } else {
        expect(name in want, `0x${hw.toString(16)} (${name}) not on the fast path`).toBe(false);
      }
    }
    expect([...seen].sort()).toEqual(Object.keys(want).sort());
  });

  it('every T32 row is reachable through the buckets', () => {
    let seed = 12345;
    const rand = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) | 0;
      return seed;
    };
    const dead: string[] = [];
    for (const row of T32_TABLE) {
      let reached = false;
      for (let k = 0; k < 500 && !reached; k++) {
        const insn = (rand() & ~row.mask) | row.match;
        if (match32(T32_BUCKETS[bucketKey32(insn)]!, insn) === row) reached = true;
      }
      if (!reached) dead.push(row.name);
    }
    expect(dead).toEqual([]);
  });

  it('bucketed decode agrees with a linear scan of the table', () => {
    let seed = 99;
    for (let k = 0; k < 20000; k++) {
      seed = (Math.imul(seed, 1664525) + 1013904223) | 0;
      const insn = seed | 0xe8000000;
      const linear = T32_TABLE.find((e) => (insn & e.mask) === e.match) ?? null;
      expect(match32(T32_BUCKETS[bucketKey32(insn)]!, insn)).toBe(linear);
    }
  });
});
