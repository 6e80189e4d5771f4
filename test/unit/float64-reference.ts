/**
 * An independent float64 reference for the tests, in BigInt (never used by the emulator): exact
 * rational results rounded by a direct reading of the ARM ARM's FPRound (tininess before rounding,
 * FZ flushes inputs with IDC and tiny results with UFC, OFC/IXC on overflow).
 */
export const IOC = 0x01;
export const DZC = 0x02;
export const OFC = 0x04;
export const UFC = 0x08;
export const IXC = 0x10;
export const IDC = 0x80;

export interface RefResult {
  bits: bigint;
  flags: number;
}

export interface Exact {
  /** value = (-1)^neg * mag * 2^exp, plus an infinitesimal when sticky (mag must then be non-zero). */
  neg: boolean;
  mag: bigint;
  exp: number;
  sticky: boolean;
}

const MASK52 = (1n << 52n) - 1n;

export function fields(b: bigint): { neg: boolean; e: number; f: bigint } {
  return { neg: (b >> 63n) === 1n, e: Number((b >> 52n) & 0x7ffn), f: b & MASK52 };
}
export const isNaN64 = (b: bigint): boolean => {
  const x = fields(b);
  return x.e === 0x7ff && x.f !== 0n;
};

/** Operand value as an exact (finite only), after FZ. Returns null for Inf/NaN. */
export function exactOf(b: bigint, fz: boolean, flags: { v: number }): Exact | null {
  const x = fields(b);
  if (x.e === 0x7ff) return null;
  if (x.e === 0) {
    if (x.f !== 0n && fz) {
      flags.v |= IDC;
      return { neg: x.neg, mag: 0n, exp: 0, sticky: false };
    }
    return { neg: x.neg, mag: x.f, exp: -1074, sticky: false };
  }
  return { neg: x.neg, mag: x.f | (1n << 52n), exp: x.e - 1075, sticky: false };
}

const bitLen = (v: bigint): number => v.toString(2).length;

/** FPRound of a non-zero exact value; mode 0 RN, 1 RP, 2 RM, 3 RZ. */
export function roundRef(x: Exact, mode: number, fz: boolean): RefResult {
  const sign = x.neg ? 1n << 63n : 0n;
  // Scale so the 53 significant bits plus 3 more are integral.
  let mag = x.mag;
  let exp = x.exp;
  const lead = exp + bitLen(mag) - 1; // exponent of the leading bit (sticky does not move it)
  const tiny = lead < -1022;
  if (tiny && fz) return { bits: sign, flags: UFC };
  const lsb = (tiny ? -1022 : lead) - 52;
  let q: bigint;
  let rem: bigint;
  let half: bigint;
  if (exp >= lsb) {
    q = mag << BigInt(exp - lsb);
    rem = 0n;
    half = 1n;
  } else {
    const sh = BigInt(lsb - exp);
    q = mag >> sh;
    rem = mag - (q << sh);
    half = 1n << (sh - 1n);
  }
  // compare rem(+sticky) with half
  let cmp: number; // 0 exact, 1 below, 2 half, 3 above
  if (rem === 0n && !x.sticky) cmp = 0;
  else if (rem < half) cmp = 1;
  else if (rem === half) cmp = x.sticky ? 3 : 2;
  else cmp = 3;
  if (exp >= lsb && x.sticky) cmp = 1;
  let up = false;
  if (cmp !== 0) {
    if (mode === 0) up = cmp === 3 || (cmp === 2 && (q & 1n) === 1n);
    else if (mode === 1) up = !x.neg;
    else if (mode === 2) up = x.neg;
  }
  if (up) q += 1n;
  let flags = 0;
  // biased exponent from q
  let bexp: bigint;
  if (q === 0n) bexp = 0n;
  else {
    const l = bitLen(q);
    // q has 53 bits normally (or 54 after carry), fewer when tiny
    bexp = BigInt(lsb + 52 + (l - 53) + 1023);
    if (l < 53) bexp = 0n;
  }
  if (bexp >= 2047n) {
    flags |= OFC | IXC;
    const toInf = mode === 0 || (mode === 1 && !x.neg) || (mode === 2 && x.neg);
    return { bits: sign | (toInf ? 0x7ffn << 52n : (0x7fen << 52n) | MASK52), flags };
  }
  if (cmp !== 0) flags |= tiny ? IXC | UFC : IXC;
  const frac = q & MASK52;
  void exp;
  void mag;
  exp = 0;
  mag = 0n;
  return { bits: sign | (bexp << 52n) | frac, flags };
}

export const DEFAULT_NAN = 0x7ff8000000000000n;
export function isSNaN(b: bigint): boolean {
  return isNaN64(b) && ((b >> 51n) & 1n) === 0n;
}
export function nanResult(a: bigint, b: bigint | null, dn: boolean): RefResult {
  const flags = isSNaN(a) || (b !== null && isSNaN(b)) ? IOC : 0;
  if (dn) return { bits: DEFAULT_NAN, flags };
  const pick = isSNaN(a) ? a : b !== null && isSNaN(b) ? b : isNaN64(a) ? a : b!;
  return { bits: pick | (1n << 51n), flags };
}

/** Exact sum of two exacts (not sticky). */
export function addExact(x: Exact, y: Exact): Exact {
  const e = Math.min(x.exp, y.exp);
  const vx = (x.neg ? -x.mag : x.mag) << BigInt(x.exp - e);
  const vy = (y.neg ? -y.mag : y.mag) << BigInt(y.exp - e);
  const s = vx + vy;
  return { neg: s < 0n, mag: s < 0n ? -s : s, exp: e, sticky: false };
}
export function mulExact(x: Exact, y: Exact): Exact {
  return { neg: x.neg !== y.neg, mag: x.mag * y.mag, exp: x.exp + y.exp, sticky: false };
}
export function divExact(x: Exact, y: Exact): Exact {
  const k = 200n;
  const n = x.mag << k;
  const q = n / y.mag;
  return { neg: x.neg !== y.neg, mag: q, exp: x.exp - y.exp - Number(k), sticky: q * y.mag !== n };
}
export function sqrtExact(x: Exact): Exact {
  let m = x.mag;
  let e = x.exp;
  if ((e & 1) !== 0) {
    m <<= 1n;
    e -= 1;
  }
  m <<= 240n;
  e -= 240;
  // integer square root by Newton
  let r = 1n << BigInt(Math.ceil(bitLen(m) / 2));
  for (;;) {
    const nr = (r + m / r) >> 1n;
    if (nr >= r) break;
    r = nr;
  }
  while (r * r > m) r -= 1n;
  return { neg: false, mag: r, exp: e / 2, sticky: r * r !== m };
}
