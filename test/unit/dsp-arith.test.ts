/**
 * The SIMD lane arithmetic of cpu/dsp.ts against the ARMv7-M ARM pseudocode written out lane by
 * lane (SInt/UInt, result<n-1:0>, sum<n:1> for halving, SignedSatQ/UnsignedSatQ, GE rules): every
 * byte pair in every byte lane, and sampled halfword pairs in both halfword lanes.
 */
import { describe, expect, it } from 'vitest';
import {
  SIMD_SIGNED,
  SIMD_SIGNED_HALVING,
  SIMD_SIGNED_SAT,
  SIMD_UNSIGNED,
  SIMD_UNSIGNED_HALVING,
  SIMD_UNSIGNED_SAT,
  addSub16,
  addSub8,
  selectBytes,
  simd,
} from '../../src/emulator/cpu/dsp.js';

const KINDS = [SIMD_SIGNED, SIMD_SIGNED_SAT, SIMD_SIGNED_HALVING, SIMD_UNSIGNED, SIMD_UNSIGNED_SAT, SIMD_UNSIGNED_HALVING];

/** Pseudocode of one lane: returns [result bits, GE bit] for the lane width `n`. */
function spec(kind: number, x: number, y: number, sub: boolean, n: number): [number, boolean] {
  const unsigned = kind >= 4;
  const sx = unsigned ? x : x >= 2 ** (n - 1) ? x - 2 ** n : x;
  const sy = unsigned ? y : y >= 2 ** (n - 1) ? y - 2 ** n : y;
  const sum = sub ? sx - sy : sx + sy;
  const mod = (v: number): number => ((v % 2 ** n) + 2 ** n) % 2 ** n;
  switch (kind) {
    case SIMD_SIGNED:
      return [mod(sum), sum >= 0];
    case SIMD_UNSIGNED:
      return [mod(sum), sub ? sum >= 0 : sum >= 2 ** n];
    case SIMD_SIGNED_SAT:
      return [mod(Math.min(2 ** (n - 1) - 1, Math.max(-(2 ** (n - 1)), sum))), false];
    case SIMD_UNSIGNED_SAT:
      return [Math.min(2 ** n - 1, Math.max(0, sum)), false];
    default:
      return [mod(Math.floor(sum / 2)), false];
  }
}

describe('SIMD lanes against the pseudocode', () => {
  it('8-bit: every byte pair in every lane, add and subtract, all six kinds', () => {
    for (const kind of KINDS) {
      for (const sub of [false, true]) {
        for (let x = 0; x < 256; x++) {
          for (let y = 0; y < 256; y++) {
            const lanePos = (x ^ y) & 3; // spread pairs over the four lanes
            const filler = 0x5a; // other lanes: 0x5a op 0x5a
            let n = 0;
            let m = 0;
            for (let l = 0; l < 4; l++) {
              n |= (l === lanePos ? x : filler) << (8 * l);
              m |= (l === lanePos ? y : filler) << (8 * l);
            }
            const res = addSub8(kind, n, m, sub);
            const [want, ge] = spec(kind, x, y, sub, 8);
            const [fillWant, fillGe] = spec(kind, filler, filler, sub, 8);
            for (let l = 0; l < 4; l++) {
              const got = (res >>> (8 * l)) & 0xff;
              const expected = l === lanePos ? want : fillWant;
              if (got !== expected) expect({ kind, sub, x, y, lane: l, got }).toEqual({ kind, sub, x, y, lane: l, got: expected });
              if ((kind & 3) === 0) {
                const gotGe = ((simd.ge >>> l) & 1) === 1;
                const expectedGe = l === lanePos ? ge : fillGe;
                if (gotGe !== expectedGe) expect({ kind, sub, x, y, lane: l, gotGe }).toEqual({ kind, sub, x, y, lane: l, gotGe: expectedGe });
              }
            }
          }
        }
      }
    }
  });

  it('16-bit: ADD16, SUB16, ASX and SAX over halfword limits and a sampled grid', () => {
    const values: number[] = [0, 1, 2, 0x7ffe, 0x7fff, 0x8000, 0x8001, 0xfffe, 0xffff, 0x1234, 0xedcb];
    for (let v = 0; v < 0x10000; v += 0x0fed) values.push(v);
    const forms = [
      { loSub: false, hiSub: false, exchange: false },
      { loSub: true, hiSub: true, exchange: false },
      { loSub: true, hiSub: false, exchange: true },
      { loSub: false, hiSub: true, exchange: true },
    ];
    for (const kind of KINDS) {
      for (const f of forms) {
        for (const a of values) {
          for (const b of values) {
            // Rn = a:b, Rm = b:a (hi:lo), so each lane sees different pairs.
            const n = ((a << 16) | b) >>> 0;
            const m = ((b << 16) | a) >>> 0;
            const res = addSub16(kind, n | 0, m | 0, f.loSub, f.hiSub, f.exchange) >>> 0;
            const mLo = f.exchange ? b : a;
            const mHi = f.exchange ? a : b;
            const [lo, geLo] = spec(kind, b, mLo, f.loSub, 16);
            const [hi, geHi] = spec(kind, a, mHi, f.hiSub, 16);
            if (res !== ((hi << 16) | lo) >>> 0) expect({ kind, f, a, b, res }).toEqual({ kind, f, a, b, res: ((hi << 16) | lo) >>> 0 });
            if ((kind & 3) === 0) {
              const ge = (geLo ? 3 : 0) | (geHi ? 12 : 0);
              if (simd.ge !== ge) expect({ kind, f, a, b, ge: simd.ge }).toEqual({ kind, f, a, b, ge });
            }
          }
        }
      }
    }
  });

  it('SEL takes byte i from Rn exactly when GE[i] is set', () => {
    for (let ge = 0; ge < 16; ge++) {
      const got = selectBytes(ge, 0x11223344, 0xaabbccdd | 0) >>> 0;
      let want = 0;
      for (let i = 0; i < 4; i++) want += ((ge >> i) & 1 ? [0x44, 0x33, 0x22, 0x11][i]! : [0xdd, 0xcc, 0xbb, 0xaa][i]!) * 2 ** (8 * i);
      expect(got).toBe(want);
    }
  });
});
