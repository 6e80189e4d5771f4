/**
 * Replay-log fuzzing support: a seeded mutator, an independent decoder of the log as armrr writes
 * it (written from QEMU's 0xe0200c table, notes/qemu-replay.md §1.3, not from src/replay), and
 * the classification of a mutated log against its original that says which outcomes are right.
 */

/** mulberry32: small, seeded, reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type MutationKind = 'bitflip' | 'delete' | 'duplicate' | 'insert' | 'truncate';
export const MUTATIONS: readonly MutationKind[] = ['bitflip', 'delete', 'duplicate', 'insert', 'truncate'];

export interface Mutation {
  kind: MutationKind;
  bytes: Uint8Array;
  /** What was done, to reproduce a failure by hand. */
  what: string;
}

/** One mutation of `log`; positions avoid the header 19 times in 20 (a header change is refused up front). */
export function mutate(log: Uint8Array, kind: MutationKind, rnd: () => number): Mutation {
  const int = (n: number): number => Math.floor(rnd() * n);
  const from = rnd() < 0.05 ? 0 : 12;
  const pos = (): number => from + int(log.length - from);
  switch (kind) {
    case 'bitflip': {
      const out = log.slice();
      const flips: string[] = [];
      for (let i = 1 + int(3); i > 0; i--) {
        const at = pos();
        const bit = int(8);
        out[at]! ^= 1 << bit;
        flips.push(`${at}^${1 << bit}`);
      }
      return { kind, bytes: out, what: `flip ${flips.join(',')}` };
    }
    case 'delete': {
      const at = pos();
      const n = 1 + (rnd() < 0.8 ? int(8) : int(256));
      return { kind, bytes: concat(log.subarray(0, at), log.subarray(at + n)), what: `delete ${n} at ${at}` };
    }
    case 'duplicate': {
      const at = pos();
      const n = 1 + (rnd() < 0.8 ? int(16) : int(512));
      const range = log.subarray(at, at + n);
      return { kind, bytes: concat(log.subarray(0, at + range.length), range, log.subarray(at + range.length)), what: `duplicate ${range.length} at ${at}` };
    }
    case 'insert': {
      const at = pos();
      // Half the inserted bytes are event ids of this version, so inserts often decode.
      const ins = Uint8Array.from({ length: 1 + int(8) }, () => (rnd() < 0.5 ? int(40) : int(256)));
      return { kind, bytes: concat(log.subarray(0, at), ins, log.subarray(at)), what: `insert [${[...ins].join(',')}] at ${at}` };
    }
    case 'truncate': {
      const at = int(log.length);
      return { kind, bytes: log.slice(0, at), what: `truncate to ${at}` };
    }
  }
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export interface DecodedEvent {
  id: number;
  start: number;
  end: number;
  /** Instructions executed before the event. */
  icount: number;
}

export interface DecodedLog {
  events: DecodedEvent[];
  /** ok: ends with END exactly at the end; cut: the data runs out (between or inside events); corrupt: anything else. */
  status: 'ok' | 'cut' | 'corrupt';
}

const END = 39;
const SHUTDOWN_GUEST = 16;
const SHUTDOWN_SIGNAL = 14;
/** Events whose payload is guest input: a different value is a recording of a different run. */
export const INPUT_IDS: ReadonlySet<number> = new Set([7, 23, 28]);

/**
 * Decodes the 0xe0200c events armrr writes, with armrr's rules: INSTRUCTION count > 0,
 * ASYNC_CHAR_READ of one byte, CHAR_WRITE 1 -> 1, CHAR_READ_ALL of at most 2^26 bytes,
 * CHAR_READ_ALL_ERROR 0, only END after SHUTDOWN and END only there, nothing after END.
 */
export function decodeArmrrLog(b: Uint8Array): DecodedLog {
  const events: DecodedEvent[] = [];
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let at = 12;
  let icount = 0;
  let afterShutdown = false;
  const cut = (): DecodedLog => ({ events, status: 'cut' });
  const corrupt = (): DecodedLog => ({ events, status: 'corrupt' });
  for (;;) {
    if (at === b.length) return cut();
    const id = b[at]!;
    if (afterShutdown !== (id === END)) return corrupt();
    let end = at + 1;
    switch (id) {
      case 0: {
        if (end + 4 > b.length) return cut();
        if (dv.getUint32(end) === 0) return corrupt();
        end += 4;
        break;
      }
      case 1: case 2: case 34: case 37: case 38: case SHUTDOWN_GUEST: case SHUTDOWN_SIGNAL: case END:
        break;
      case 7: {
        if (end + 5 > b.length) return cut();
        if (dv.getUint32(end + 1) !== 1) return corrupt();
        end += 6;
        break;
      }
      case 22: {
        if (end + 8 > b.length) return cut();
        if (dv.getUint32(end) !== 1 || dv.getUint32(end + 4) !== 1) return corrupt();
        end += 8;
        break;
      }
      case 23: {
        if (end + 4 > b.length) return cut();
        const n = dv.getUint32(end);
        if (n > 1 << 26) return corrupt();
        end += 4 + n;
        break;
      }
      case 24: {
        if (end + 4 > b.length) return cut();
        if (dv.getUint32(end) !== 0) return corrupt();
        end += 4;
        break;
      }
      case 28:
        end += 8;
        break;
      default:
        return corrupt();
    }
    if (end > b.length) return cut();
    events.push({ id, start: at, end, icount });
    if (id === 0) icount += dv.getUint32(at + 1);
    if (id === SHUTDOWN_GUEST || id === SHUTDOWN_SIGNAL) afterShutdown = true;
    at = end;
    if (id === END) return at === b.length ? { events, status: 'ok' } : corrupt();
  }
}

/**
 * What a replay of `mutated` may do, given the `original` log it came from:
 * - `identical`: the original bytes: the original's exit status and output;
 * - `prefix`: a byte prefix of the original (header whole), or a log whose whole events are such a
 *   prefix and whose data then runs out inside an event (a damaged last event is indistinguishable
 *   from a cut: it is a prefix of some other valid log): exit 0, output a prefix of the original's;
 * - `other-input`: the same events at the same icounts, but some input value differs (a UART byte,
 *   semihosting data, a host clock reading): a valid log of another run, which replays (exit 0) or
 *   diverges (3) depending on what the guest does with the value;
 * - `shorter-recording`: a prefix of the original's events, then SHUTDOWN_HOST_SIGNAL and END: a
 *   valid log of a recording stopped there (0, or 3 where the original had more events at that icount);
 * - `damaged`: anything else: exit 3.
 */
export type Expectation = 'identical' | 'prefix' | 'other-input' | 'shorter-recording' | 'damaged';

export function classify(original: Uint8Array, originalDecoded: DecodedLog, mutated: Uint8Array): Expectation {
  if (mutated.length < 12) return 'damaged';
  for (let i = 0; i < 12; i++) if (mutated[i] !== original[i]) return 'damaged';
  if (mutated.length <= original.length && mutated.every((v, i) => v === original[i])) {
    return mutated.length === original.length ? 'identical' : 'prefix';
  }
  const m = decodeArmrrLog(mutated);
  if (m.status === 'corrupt') return 'damaged';
  const o = originalDecoded.events;
  // A whole log ends SHUTDOWN, END (the decoder allows END only there); compare what comes before.
  const compared = m.status === 'ok' ? m.events.length - 2 : m.events.length;
  if (compared > o.length - (m.status === 'ok' ? 2 : 0)) return 'damaged';
  let sameBytes = true;
  for (let k = 0; k < compared; k++) {
    const a = m.events[k]!;
    const b = o[k]!;
    if (a.id !== b.id || a.icount !== b.icount || a.start !== b.start || a.end !== b.end) return 'damaged';
    if (!mutated.subarray(a.start, a.end).every((v, i) => v === original[b.start + i])) {
      if (!INPUT_IDS.has(a.id)) return 'damaged';
      sameBytes = false;
    }
  }
  if (m.status === 'cut') return sameBytes ? 'prefix' : 'other-input';
  const shutdown = m.events.at(-2)!;
  const originalShutdown = o.at(-2)!;
  if (compared === o.length - 2) {
    return shutdown.id === originalShutdown.id && shutdown.icount === originalShutdown.icount
      ? sameBytes ? 'identical' : 'other-input'
      : 'damaged';
  }
  return shutdown.id === SHUTDOWN_SIGNAL ? 'shorter-recording' : 'damaged';
}

/** The exit statuses each class allows. */
export function allowedExits(e: Expectation, originalExit: number): readonly number[] {
  switch (e) {
    case 'identical': return [originalExit];
    case 'prefix': return [0, originalExit];
    case 'other-input':
    case 'shorter-recording': return [0, 3, originalExit];
    case 'damaged': return [3];
  }
}
