/**
 * A32 multiplies and divides against an independent BigInt model of the ARM ARM pseudocode
 * (DDI 0406C A8.8), on gcc-assembled words with random and edge operands; then the named edge
 * cases: 64-bit flags, overflow into Q of SMLAD/SMLALD, SMMULR rounding, UMAAL's maximum, the
 * divide corner cases and QEMU's decode choices.
 */
import { describe, expect, it } from 'vitest';
import { A32Rig, Rng, assembleA32, decodeA32 } from './a32-harness.js';
import { CODE, V7aRig } from './v7a-rig.js';

const s32 = (v: number): bigint => BigInt(v | 0);
const u32b = (v: number): bigint => BigInt(v >>> 0);
const lo32 = (v: bigint): number => Number(BigInt.asUintN(32, v));
const hi32 = (v: bigint): number => Number(BigInt.asUintN(32, v >> 32n));
/** Signed halfword: bottom (0) or top (1). */
const h = (v: number, top: number): bigint => BigInt(top ? (v | 0) >> 16 : ((v << 16) >> 16));
const fitsS32 = (v: bigint): boolean => v >= -(1n << 31n) && v < 1n << 31n;

/** What an instruction changes: Rd (r2) or RdLo/RdHi (r4/r5), flags N/Z, Q. */
interface Effect {
  r2?: number;
  r4?: number;
  r5?: number;
  nz?: [number, number];
  q?: number;
}
type Model = (r: number[]) => Effect;

const long = (v: bigint): Effect => ({ r4: lo32(v), r5: hi32(v) });
const longS = (v: bigint): Effect => ({ ...long(v), nz: [hi32(v) >>> 31, BigInt.asUintN(64, v) === 0n ? 1 : 0] });
const acc64 = (r: number[]): bigint => (u32b(r[5]!) << 32n) | u32b(r[4]!);
/** A 32-bit result with Q set when the exact value does not fit. */
const withQ = (v: bigint): Effect => ({ r2: lo32(v), ...(fitsS32(v) ? {} : { q: 1 }) });
const dual = (r: number[], x: number): [bigint, bigint] => {
  const m = x ? ((r[1]! >>> 16) | (r[1]! << 16)) : r[1]!;
  return [h(r[0]!, 0) * h(m, 0), h(r[0]!, 1) * h(m, 1)];
};
const top = (v: bigint): number => hi32(v);

const CASES: [string, Model][] = [
  ['mul r2, r0, r1', (r) => ({ r2: lo32(s32(r[0]!) * s32(r[1]!)) })],
  ['muls r2, r0, r1', (r) => { const v = lo32(s32(r[0]!) * s32(r[1]!)); return { r2: v, nz: [v >>> 31, v === 0 ? 1 : 0] }; }],
  ['mla r2, r0, r1, r3', (r) => ({ r2: lo32(s32(r[0]!) * s32(r[1]!) + s32(r[3]!)) })],
  ['mlas r2, r0, r1, r3', (r) => { const v = lo32(s32(r[0]!) * s32(r[1]!) + s32(r[3]!)); return { r2: v, nz: [v >>> 31, v === 0 ? 1 : 0] }; }],
  ['mls r2, r0, r1, r3', (r) => ({ r2: lo32(s32(r[3]!) - s32(r[0]!) * s32(r[1]!)) })],
  ['umull r4, r5, r0, r1', (r) => long(u32b(r[0]!) * u32b(r[1]!))],
  ['umulls r4, r5, r0, r1', (r) => longS(u32b(r[0]!) * u32b(r[1]!))],
  ['umlal r4, r5, r0, r1', (r) => long(u32b(r[0]!) * u32b(r[1]!) + acc64(r))],
  ['umlals r4, r5, r0, r1', (r) => longS(u32b(r[0]!) * u32b(r[1]!) + acc64(r))],
  ['smull r4, r5, r0, r1', (r) => long(s32(r[0]!) * s32(r[1]!))],
  ['smulls r4, r5, r0, r1', (r) => longS(s32(r[0]!) * s32(r[1]!))],
  ['smlal r4, r5, r0, r1', (r) => long(s32(r[0]!) * s32(r[1]!) + acc64(r))],
  ['smlals r4, r5, r0, r1', (r) => longS(s32(r[0]!) * s32(r[1]!) + acc64(r))],
  ['umaal r4, r5, r0, r1', (r) => long(u32b(r[0]!) * u32b(r[1]!) + u32b(r[4]!) + u32b(r[5]!))],
  ...(['bb', 'bt', 'tb', 'tt'] as const).flatMap((xy): [string, Model][] => {
    const nt = xy[0] === 't' ? 1 : 0;
    const mt = xy[1] === 't' ? 1 : 0;
    return [
      [`smul${xy} r2, r0, r1`, (r) => ({ r2: lo32(h(r[0]!, nt) * h(r[1]!, mt)) })],
      [`smla${xy} r2, r0, r1, r3`, (r) => withQ(h(r[0]!, nt) * h(r[1]!, mt) + s32(r[3]!))],
      [`smlal${xy} r4, r5, r0, r1`, (r) => long(h(r[0]!, nt) * h(r[1]!, mt) + acc64(r))],
    ];
  }),
  ...(['b', 't'] as const).flatMap((y): [string, Model][] => {
    const mt = y === 't' ? 1 : 0;
    return [
      [`smulw${y} r2, r0, r1`, (r) => ({ r2: lo32((s32(r[0]!) * h(r[1]!, mt)) >> 16n) })],
      [`smlaw${y} r2, r0, r1, r3`, (r) => withQ(((s32(r[0]!) * h(r[1]!, mt)) >> 16n) + s32(r[3]!))],
    ];
  }),
  ...([0, 1] as const).flatMap((x): [string, Model][] => {
    const sx = x ? 'x' : '';
    return [
      [`smuad${sx} r2, r0, r1`, (r) => { const [a, b] = dual(r, x); return withQ(a + b); }],
      [`smlad${sx} r2, r0, r1, r3`, (r) => { const [a, b] = dual(r, x); return withQ(a + b + s32(r[3]!)); }],
      [`smusd${sx} r2, r0, r1`, (r) => { const [a, b] = dual(r, x); return withQ(a - b); }],
      [`smlsd${sx} r2, r0, r1, r3`, (r) => { const [a, b] = dual(r, x); return withQ(a - b + s32(r[3]!)); }],
      [`smlald${sx} r4, r5, r0, r1`, (r) => { const [a, b] = dual(r, x); return long(a + b + acc64(r)); }],
      [`smlsld${sx} r4, r5, r0, r1`, (r) => { const [a, b] = dual(r, x); return long(a - b + acc64(r)); }],
    ];
  }),
  ...([0, 1] as const).flatMap((round): [string, Model][] => {
    const sr = round ? 'r' : '';
    const rnd = round ? 0x80000000n : 0n;
    return [
      [`smmul${sr} r2, r0, r1`, (r) => ({ r2: top(s32(r[0]!) * s32(r[1]!) + rnd) })],
      [`smmla${sr} r2, r0, r1, r3`, (r) => ({ r2: top((s32(r[3]!) << 32n) + s32(r[0]!) * s32(r[1]!) + rnd) })],
      [`smmls${sr} r2, r0, r1, r3`, (r) => ({ r2: top((s32(r[3]!) << 32n) - s32(r[0]!) * s32(r[1]!) + rnd) })],
    ];
  }),
  ['sdiv r2, r0, r1', (r) => {
    if ((r[1]! | 0) === 0) return { r2: 0 };
    const q = s32(r[0]!) / s32(r[1]!); // BigInt division truncates toward zero
    return { r2: lo32(q) };
  }],
  ['udiv r2, r0, r1', (r) => ({ r2: r[1]! >>> 0 === 0 ? 0 : lo32(u32b(r[0]!) / u32b(r[1]!)) })],
];

describe('A32 multiplies and divides vs the ARM ARM pseudocode', () => {
  const words = assembleA32(CASES.map(([text]) => text));

  it('every case decodes to its own row', () => {
    const names = CASES.map(([text], i) => [text.split(' ')[0], decodeA32(words[i]!)?.name ?? 'UNDEFINED']);
    expect(names.filter(([, n]) => n === 'UNDEFINED')).toEqual([]);
  });

  it('matches the model with random and edge operands, flags, Q', () => {
    const rng = new Rng(0x3a1d);
    const rig = new A32Rig();
    const failures: string[] = [];
    CASES.forEach(([text, model], i) => {
      for (let k = 0; k < 300; k++) {
        const regs = Array.from({ length: 15 }, () => rng.word());
        const apsr = (rng.next() & 0xf0000000) >>> 0; // Q clear: a set Q must come from the instruction
        const eff = model(regs.map((v) => v >>> 0));
        const want = regs.map((v) => v >>> 0);
        if (eff.r2 !== undefined) want[2] = eff.r2 >>> 0;
        if (eff.r4 !== undefined) want[4] = eff.r4 >>> 0;
        if (eff.r5 !== undefined) want[5] = eff.r5 >>> 0;
        const n = eff.nz ? eff.nz[0] : apsr >>> 31;
        const z = eff.nz ? eff.nz[1] : (apsr >>> 30) & 1;
        const got = rig.run(words[i]!, regs, apsr);
        const exp = { r: want, n, z, c: (apsr >>> 29) & 1, v: (apsr >>> 28) & 1, q: eff.q ?? 0 };
        const act = { r: got.r.slice(0, 15), n: got.n, z: got.z, c: got.c, v: got.v, q: got.q };
        if (JSON.stringify(exp) !== JSON.stringify(act) && failures.length < 10) {
          failures.push(`${text} regs=${regs.slice(0, 6).map((v) => (v >>> 0).toString(16))}: want ${JSON.stringify(exp)} got ${JSON.stringify(act)}`);
        }
      }
    });
    expect(failures).toEqual([]);
  });
});

describe('A32 multiplies: edge cases', () => {
  const rig = new A32Rig();
  const [smlad, smladx, smuad, smlald, smmulr, smmlsr, umaal, umulls, sdiv, udiv, mulRa, smmlsRa15, sdivRa] = assembleA32([
    'smlad r2, r0, r1, r3',
    'smladx r2, r0, r1, r3',
    'smuad r2, r0, r1',
    'smlald r4, r5, r0, r1',
    'smmulr r2, r0, r1',
    'smmlsr r2, r0, r1, r3',
    'umaal r4, r5, r0, r1',
    'umulls r4, r5, r0, r1',
    'sdiv r2, r0, r1',
    'udiv r2, r0, r1',
    'mul r2, r0, r1',
    'smmul r2, r0, r1',
    'sdiv r2, r0, r1',
  ]);
  it('SMLAD: (-32768*-32768)*2 overflows alone but + -1 fits: Q from the exact sum', () => {
    const r = rig.run(smlad!, [0x80008000, 0x80008000, 0, 0xffffffff]);
    expect(r.r[2]).toBe(0x7fffffff);
    expect(r.q).toBe(0);
    const o = rig.run(smlad!, [0x80008000, 0x80008000, 0, 1]);
    expect(o.r[2]).toBe(0x80000001);
    expect(o.q).toBe(1);
    expect(rig.run(smuad!, [0x80008000, 0x80008000]).q).toBe(1);
  });
  it('SMLADX swaps Rm halves; Q is sticky (never cleared)', () => {
    const r = rig.run(smladx!, [0x00020003, 0x00050007, 0, 10], 0x08000000);
    expect(r.r[2]).toBe(3 * 5 + 2 * 7 + 10);
    expect(r.q).toBe(1);
  });
  it('SMLALD accumulates 2^31 from two maximal products into 64 bits without wrapping', () => {
    const r = rig.run(smlald!, [0x80008000, 0x80008000, 0, 0, 0xffffffff, 0x7fffffff]);
    expect([r.r[4], r.r[5]]).toEqual([0x7fffffff, 0x80000000]);
  });
  it('SMMULR rounds by adding 2^31 before taking the top word', () => {
    // 0x10000 * 0x8000 = 2^31: low word 0x80000000 rounds the top word up to 1.
    expect(rig.run(smmulr!, [0x10000, 0x8000]).r[2]).toBe(1);
    expect(rig.run(smmulr!, [0x10000, 0x7fff]).r[2]).toBe(0);
    // (0 << 32) - 1*1 = -1: top word 0xffffffff, low 0xffffffff rounds to 0.
    expect(rig.run(smmlsr!, [1, 1, 0, 0]).r[2]).toBe(0);
  });
  it('UMAAL at its maximum: 0xffffffff^2 + 2 * 0xffffffff = 2^64 - 1, no overflow', () => {
    const r = rig.run(umaal!, [0xffffffff, 0xffffffff, 0, 0, 0xffffffff, 0xffffffff]);
    expect([r.r[4], r.r[5]]).toEqual([0xffffffff, 0xffffffff]);
  });
  it('UMULLS sets N from bit 63 and Z from all 64 bits; C and V stay', () => {
    expect(rig.run(umulls!, [0x10000, 0x10000], 0x30000000)).toMatchObject({ z: 0, n: 0, c: 1, v: 1 });
    expect(rig.run(umulls!, [0, 5])).toMatchObject({ z: 1, n: 0 });
    expect(rig.run(umulls!, [0xffffffff, 0xffffffff])).toMatchObject({ n: 1, z: 0 });
  });
  it('SDIV: INT_MIN / -1 = INT_MIN, x / 0 = 0 (no trap on A-profile), rounding toward zero', () => {
    expect(rig.run(sdiv!, [0x80000000, 0xffffffff]).r[2]).toBe(0x80000000);
    expect(rig.run(sdiv!, [1234, 0]).r[2]).toBe(0);
    expect(rig.run(sdiv!, [-7 >>> 0, 2]).r[2]).toBe(-3 >>> 0);
    expect(rig.run(udiv!, [0xffffffff, 0]).r[2]).toBe(0);
    expect(rig.run(udiv!, [0xffffffff, 2]).r[2]).toBe(0x7fffffff);
  });
  it('should-be-zero / should-be-one fields decode as QEMU does: UNDEFINED, or SMMUL for SMMLS Ra=1111', () => {
    expect(rig.run(mulRa! | (1 << 12), [3, 4]).event).toBe('undef');
    expect(rig.run(sdivRa! & ~(1 << 12), [8, 2]).event).toBe('undef');
    // SMMLS with Ra = 1111: the SMMUL encoding with bits 7:6 = 11
    const smmlsNoAcc = (smmlsRa15! & ~0xc0) | 0xc0;
    expect(decodeA32(smmlsNoAcc)?.name).toBe('SMMLS_ra15');
    expect(rig.run(smmlsNoAcc, [0x40000000, 8]).r[2]).toBe(2);
  });
  it('Rd = PC (UNPREDICTABLE) branches to the result with bits 1:0 cleared, as QEMU store_reg', () => {
    const mulPc = (mulRa! & ~(0xf << 16)) | (15 << 16);
    const r = rig.run(mulPc, [0x1003, 1]);
    expect(r).toMatchObject({ event: 'branch', target: 0x1000 });
    expect(r.r[15]).toBe(0x1000);
  });
});

describe('T32 SDIV/UDIV on the A-profile core (the shared Thumb rows)', () => {
  it('divide by zero gives 0 without a trap (A-profile has no DIV_0_TRP); INT_MIN / -1 = INT_MIN', () => {
    // sdiv r2, r0, r1 = fb90 f2f1; udiv r3, r0, r1 = fbb0 f3f1 (ARM DDI 0406C A8.8.165 / A8.8.248)
    const rig = new V7aRig(CODE + 1);
    rig.t16(CODE, 0xfb90, 0xf2f1, 0xfbb0, 0xf3f1);
    rig.state.r[0] = 1234;
    rig.state.r[1] = 0;
    rig.run(2);
    expect([rig.state.r[2], rig.state.r[3], rig.pc]).toEqual([0, 0, CODE + 8]);
    expect((rig.cpsr() >>> 5) & 1).toBe(1); // ran as T32
    expect(rig.events).toEqual([]);
    const rig2 = new V7aRig(CODE + 1);
    rig2.t16(CODE, 0xfb90, 0xf2f1);
    rig2.state.r[0] = 0x80000000 | 0;
    rig2.state.r[1] = -1;
    rig2.run(1);
    expect(rig2.state.r[2]! >>> 0).toBe(0x80000000);
  });
});
