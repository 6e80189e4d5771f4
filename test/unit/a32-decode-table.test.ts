/**
 * The A32 data-processing, multiply and media rows as one table: each row decodes some word (no
 * row is shadowed by an earlier one), and the condition field is left to the A32 loop.
 */
import { describe, expect, it } from 'vitest';
import { A32_ROWS, Rng, decodeA32 } from './a32-harness.js';

describe('A32 data-processing/multiply/media rows', () => {
  it('leave bits 31:28 (cond) out of every pattern', () => {
    expect(A32_ROWS.filter((e) => (e.mask & 0xf0000000) !== 0).map((e) => e.name)).toEqual([]);
  });

  it('every row is reached first by some word it matches', () => {
    const rng = new Rng(7);
    const dead: string[] = [];
    for (const row of A32_ROWS) {
      let reached = false;
      for (let k = 0; k < 2000 && !reached; k++) {
        const insn = (rng.next() & ~row.mask) | row.match;
        if (decodeA32(insn) === row) reached = true;
      }
      if (!reached) dead.push(row.name);
    }
    expect(dead).toEqual([]);
  });

  it('row names are unique', () => {
    const names = A32_ROWS.map((e) => e.name);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
  });
});
