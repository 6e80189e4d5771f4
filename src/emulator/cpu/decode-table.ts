/**
 * A small decodetree-like compiler: an encoding is written once as a bit-pattern string and turned
 * into mask/match plus a generated field extractor, so the interpreter, a future JIT, a disassembler
 * and the tests all read the same definition.
 *
 * Pattern syntax (whitespace separates tokens, MSB first):
 *   `0` `1`      fixed bits
 *   `.` `-`      bits that do not take part in matching
 *   `name:n`     an n-bit field; a name used several times is concatenated in textual order
 *                (so `imm:1 ... imm:3 ... imm:8` yields i:imm3:imm8)
 *
 * Fields are unsigned; handlers sign-extend where the architecture says so.
 */

/** Decoded fields of one instruction; one preallocated object per encoding (no allocation per insn). */
export type Fields = Record<string, number>;

export class DecodeTableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecodeTableError';
  }
}

export interface Encoding<H> {
  readonly name: string;
  readonly width: 16 | 32;
  /** Signed 32-bit forms so they compare directly with a signed instruction word. */
  readonly mask: number;
  readonly match: number;
  readonly fieldNames: readonly string[];
  /** Writes every field of `insn` into `out`. */
  readonly extract: (insn: number, out: Fields) => void;
  /** Scratch argument object handed to `exec` (fixed shape). */
  readonly args: Fields;
  readonly exec: H;
}

interface Piece {
  pos: number;
  len: number;
}

/** Compile one pattern string. Throws DecodeTableError on malformed patterns. */
export function encoding<H>(name: string, width: 16 | 32, pattern: string, exec: H): Encoding<H> {
  let pos: number = width;
  let mask = 0;
  let match = 0;
  const fields = new Map<string, Piece[]>();
  for (const tok of pattern.trim().split(/\s+/)) {
    const m = /^([a-zA-Z_][a-zA-Z0-9_]*):(\d+)$/.exec(tok);
    if (m) {
      const len = Number(m[2]);
      pos -= len;
      if (len < 1 || pos < 0) throw new DecodeTableError(`${name}: field ${tok} does not fit in ${width} bits`);
      const list = fields.get(m[1]!) ?? [];
      list.push({ pos, len });
      fields.set(m[1]!, list);
      continue;
    }
    for (const ch of tok) {
      pos -= 1;
      if (pos < 0) throw new DecodeTableError(`${name}: pattern longer than ${width} bits`);
      if (ch === '0' || ch === '1') {
        mask |= 1 << pos;
        if (ch === '1') match |= 1 << pos;
      } else if (ch !== '.' && ch !== '-') {
        throw new DecodeTableError(`${name}: bad pattern character '${ch}'`);
      }
    }
  }
  if (pos !== 0) throw new DecodeTableError(`${name}: pattern has ${width - pos} bits, expected ${width}`);

  const names = [...fields.keys()];
  const body = names
    .map((f) => {
      let expr = '';
      for (const p of fields.get(f)!) {
        const piece = `((i >>> ${p.pos}) & ${2 ** p.len - 1})`;
        expr = expr === '' ? piece : `((${expr} << ${p.len}) | ${piece})`;
      }
      return `o.${f} = ${expr};`;
    })
    .join('\n');
  // Generated once per encoding at load time: a straight-line extractor the JIT can inline.
  const extract = new Function('i', 'o', body) as (insn: number, out: Fields) => void;
  const args: Fields = {};
  for (const f of names) args[f] = 0;
  return { name, width, mask: mask | 0, match: match | 0, fieldNames: names, extract, args, exec };
}

/**
 * 65536-entry lookup for 16-bit encodings: index into `list` of the first encoding that matches
 * each halfword, or `fallback` when none does.
 */
export function build16Lookup<H>(list: readonly Encoding<H>[], fallback: number): Uint16Array {
  const table = new Uint16Array(65536).fill(fallback);
  const done = new Uint8Array(65536);
  list.forEach((e, idx) => {
    if (e.width !== 16) throw new DecodeTableError(`${e.name}: not a 16-bit encoding`);
    // Visit only the halfwords this encoding matches: its match with every subset of its free bits
    // (start-up time: a scan of all 65536 per encoding cost tens of ms).
    const free = ~e.mask & 0xffff;
    for (let sub = free; ; sub = (sub - 1) & free) {
      const hw = e.match | sub;
      if (!done[hw]) {
        table[hw] = idx;
        done[hw] = 1;
      }
      if (sub === 0) break;
    }
  });
  return table;
}

/** Bits of a 32-bit instruction used to pick a bucket: hw1[12:4] and hw2[15:14]. */
export function bucketKey32(insn: number): number {
  return (((insn >>> 20) & 0x1ff) << 2) | ((insn >>> 14) & 3);
}

/**
 * 32-bit encodings grouped by `bucketKey32`; inside a bucket, encodings keep table order, so the
 * first match wins (decodetree's overlap groups become "put the special case first").
 */
export function build32Buckets<H>(list: readonly Encoding<H>[]): Encoding<H>[][] {
  const buckets: Encoding<H>[][] = [];
  for (let key = 0; key < 2048; key++) buckets.push([]);
  for (const e of list) {
    if (e.width !== 32) throw new DecodeTableError(`${e.name}: not a 32-bit encoding`);
    // The keys whose bucket bits agree with the encoding's fixed ones: its fixed key bits with every
    // subset of the free ones; pushing in table order keeps first-match-wins inside each bucket.
    const fixed = bucketKey32(e.mask);
    const match = bucketKey32(e.match) & fixed;
    const free = ~fixed & 0x7ff;
    for (let sub = free; ; sub = (sub - 1) & free) {
      buckets[match | sub]!.push(e);
      if (sub === 0) break;
    }
  }
  return buckets;
}

/** First encoding in `bucket` matching `insn`, or null. */
export function match32<H>(bucket: readonly Encoding<H>[], insn: number): Encoding<H> | null {
  for (let i = 0; i < bucket.length; i++) {
    const e = bucket[i]!;
    if ((insn & e.mask) === e.match) return e;
  }
  return null;
}
