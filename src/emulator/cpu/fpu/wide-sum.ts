/**
 * An exact fixed-point accumulator for float64 sums and products: nine 24-bit limbs held in
 * doubles (a limb product is < 2^48, a column of three < 2^50, so every step is exact). FPAdd and
 * FPMulAdd place their operands here, then `roundSum` hands the top bits (with a sticky bit) to
 * roundPack64. Limbs may go negative while accumulating; `roundSum` propagates carries once.
 */
import type { FpEnv } from './env.js';
import { RoundingMode } from './fpscr.js';
import { POW2 } from './round.js';
import { roundPack64, setZero64 } from './double.js';

const LIMBS = 9;
const BASE = 16777216; // 2^24
const limbs = new Float64Array(LIMBS);

export function sumClear(): void {
  limbs.fill(0);
}

/** Add (or subtract) sig * 2^shift; sig < 2^53, 0 <= shift, shift + 53 <= 24 * 8. */
export function sumAddSig(sig: number, shift: number, negate: boolean): void {
  const i = Math.floor(shift / 24);
  const scale = POW2[shift - i * 24]!;
  const a1f = Math.floor(sig / BASE);
  const a0 = sig - a1f * BASE;
  const a2 = Math.floor(a1f / BASE);
  const a1 = a1f - a2 * BASE;
  addLimb(i, a0 * scale, negate);
  addLimb(i + 1, a1 * scale, negate);
  addLimb(i + 2, a2 * scale, negate);
}

/** Split v (< 2^48) into limbs i and i+1. */
function addLimb(i: number, v: number, negate: boolean): void {
  const hi = Math.floor(v / BASE);
  const lo = v - hi * BASE;
  if (negate) {
    limbs[i]! -= lo;
    limbs[i + 1]! -= hi;
  } else {
    limbs[i]! += lo;
    limbs[i + 1]! += hi;
  }
}

/** Add (or subtract) x * y * 2^(24 * limbShift); x, y < 2^53. */
export function sumAddProduct(x: number, y: number, limbShift: number, negate: boolean): void {
  let t = Math.floor(x / BASE);
  const a0 = x - t * BASE;
  const a2 = Math.floor(t / BASE);
  const a1 = t - a2 * BASE;
  t = Math.floor(y / BASE);
  const b0 = y - t * BASE;
  const b2 = Math.floor(t / BASE);
  const b1 = t - b2 * BASE;
  const s = negate ? -1 : 1;
  const i = limbShift;
  limbs[i]! += s * (a0 * b0);
  limbs[i + 1]! += s * (a0 * b1 + a1 * b0);
  limbs[i + 2]! += s * (a0 * b2 + a1 * b1 + a2 * b0);
  limbs[i + 3]! += s * (a1 * b2 + a2 * b1);
  limbs[i + 4]! += s * (a2 * b2);
}

/**
 * Round the accumulated value times 2^exp into float64 (R64). `sign` is the sign of a positive
 * total (a negative total flips it). An exact zero is +0, or -0 when rounding towards minus
 * infinity (FPAdd's rule for x + (-x)); callers handle the zero cases that keep a sign themselves.
 */
export function roundSum(env: FpEnv, sign: number, exp: number): void {
  for (let i = 0; i < LIMBS - 1; i++) {
    const c = Math.floor(limbs[i]! / BASE);
    limbs[i]! -= c * BASE;
    limbs[i + 1]! += c;
  }
  if (limbs[LIMBS - 1]! < 0) {
    // Negative total: negate every limb, then propagate again.
    sign ^= 1;
    for (let i = 0; i < LIMBS; i++) limbs[i] = -limbs[i]!;
    for (let i = 0; i < LIMBS - 1; i++) {
      const c = Math.floor(limbs[i]! / BASE);
      limbs[i]! -= c * BASE;
      limbs[i + 1]! += c;
    }
  }
  let t = LIMBS - 1;
  while (t >= 0 && limbs[t] === 0) t--;
  if (t < 0) return setZero64(env.mode === RoundingMode.MINUS_INF ? 1 : 0);
  const l1 = t >= 1 ? limbs[t - 1]! : 0;
  const l2 = t >= 2 ? limbs[t - 2]! : 0;
  const l3 = t >= 3 ? limbs[t - 3]! : 0;
  let sticky = false;
  for (let i = t - 4; i >= 0; i--) if (limbs[i] !== 0) sticky = true;
  const l3hi = Math.floor(l3 / 65536);
  if (l3 - l3hi * 65536 !== 0) sticky = true;
  const hi = limbs[t]! * BASE + l1;
  let lo = l2 * 256 + l3hi;
  if (sticky && lo % 2 === 0) lo += 1;
  roundPack64(env, sign, exp + 24 * (t - 3) + 16, hi, lo);
}
