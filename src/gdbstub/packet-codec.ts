/**
 * Byte-level RSP framing: `$data#cs`, `+`/`-` acks, `}` escapes, run-length encoding and the lone
 * 0x03 interrupt. Works on Buffers because binary payloads (X, qXfer) may hold any byte.
 *
 * The decoder never throws and never writes: it turns input bytes into events, and the session
 * decides what to answer (ack, nak, retransmit).
 */

/** Largest packet payload we accept (raw, before unescaping). Advertised as PacketSize. */
export const MAX_PACKET_SIZE = 0x4000;

export type DecodedEvent =
  /** A complete packet with a valid checksum; `data` is unescaped and RLE-expanded. */
  | { type: 'packet'; data: Buffer }
  /** A complete packet whose checksum did not match (or was not hex). */
  | { type: 'bad-checksum' }
  /** A packet longer than the maximum; its bytes were discarded up to its `#cs`. */
  | { type: 'overflow' }
  /** 0x03 outside a packet: gdb asks the running target to stop. */
  | { type: 'interrupt' }
  | { type: 'ack' }
  | { type: 'nak' };

const DOLLAR = 0x24;
const HASH = 0x23;
const BRACE = 0x7d;
const STAR = 0x2a;
const PLUS = 0x2b;
const MINUS = 0x2d;
const CTRL_C = 0x03;

type State = 'idle' | 'data' | 'checksum1' | 'checksum2';

export class PacketDecoder {
  private state: State = 'idle';
  private readonly raw: Buffer;
  private rawLength = 0;
  private sum = 0;
  private overflowed = false;
  private checksumHigh = 0;

  constructor(readonly maxPacketSize = MAX_PACKET_SIZE) {
    this.raw = Buffer.alloc(maxPacketSize);
  }

  /** Feeds bytes (any split across chunks is fine) and returns the events they complete. */
  feed(chunk: Uint8Array): DecodedEvent[] {
    const events: DecodedEvent[] = [];
    for (const byte of chunk) {
      const event = this.step(byte);
      if (event) events.push(event);
    }
    return events;
  }

  private step(byte: number): DecodedEvent | undefined {
    switch (this.state) {
      case 'idle':
        if (byte === DOLLAR) this.startPacket();
        else if (byte === CTRL_C) return { type: 'interrupt' };
        else if (byte === PLUS) return { type: 'ack' };
        else if (byte === MINUS) return { type: 'nak' };
        // Anything else between packets is line noise: ignored.
        return undefined;
      case 'data':
        if (byte === HASH) {
          this.state = 'checksum1';
        } else if (byte === DOLLAR && !this.overflowed) {
          // A `$` cannot occur unescaped inside a packet: the previous one was truncated.
          this.startPacket();
        } else {
          this.sum = (this.sum + byte) & 0xff;
          if (this.rawLength < this.maxPacketSize) this.raw[this.rawLength++] = byte;
          else this.overflowed = true;
        }
        return undefined;
      case 'checksum1':
        this.checksumHigh = hexValue(byte);
        this.state = 'checksum2';
        return undefined;
      case 'checksum2': {
        this.state = 'idle';
        if (this.overflowed) return { type: 'overflow' };
        const low = hexValue(byte);
        if (this.checksumHigh < 0 || low < 0 || ((this.checksumHigh << 4) | low) !== this.sum) {
          return { type: 'bad-checksum' };
        }
        return { type: 'packet', data: unescapePayload(this.raw.subarray(0, this.rawLength)) };
      }
    }
  }

  private startPacket(): void {
    this.state = 'data';
    this.rawLength = 0;
    this.sum = 0;
    this.overflowed = false;
  }
}

/**
 * Undoes `}` escapes (byte ^ 0x20) and expands `c*N` run-length encoding (N - 29 more copies of c)
 * in one pass. Malformed sequences (a trailing `}`, `*` with no previous byte or a count outside
 * the legal range) are kept literally rather than rejected.
 */
export function unescapePayload(raw: Uint8Array): Buffer {
  // Most packets carry neither: one copy, no per-byte work (a reverse step is a few packets).
  if (raw.indexOf(BRACE) < 0 && raw.indexOf(STAR) < 0) return Buffer.from(raw);
  const out: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const byte = raw[i]!;
    if (byte === BRACE && i + 1 < raw.length) {
      out.push(raw[++i]! ^ 0x20);
    } else if (byte === STAR && out.length > 0 && i + 1 < raw.length) {
      const repeat = raw[i + 1]! - 29;
      if (repeat < 3 || repeat > 97) {
        out.push(byte);
        continue;
      }
      i++;
      const previous = out[out.length - 1]!;
      for (let k = 0; k < repeat; k++) out.push(previous);
    } else {
      out.push(byte);
    }
  }
  return Buffer.from(out);
}

/** Frames a reply: escapes `# $ } *` and appends the checksum (one buffer, sized up front). */
export function encodePacket(payload: string | Uint8Array): Buffer {
  return typeof payload === 'string' ? encodeTextPacket(payload) : encodeBytePacket(payload);
}

/**
 * Almost every reply (stop replies, `g`, `m`, OK) is text with nothing to escape: one pass over its
 * characters for the checksum, then one native copy into the framed buffer, instead of a Buffer of
 * the text first and a byte loop after (the framing was ~20 % of the stub's own CPU per `s`+`g`).
 */
function encodeTextPacket(payload: string): Buffer {
  const n = payload.length;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const c = payload.charCodeAt(i);
    if (c > 0xff || needsEscape(c)) return encodeBytePacket(Buffer.from(payload, 'latin1'));
    sum += c;
  }
  const out = Buffer.allocUnsafe(n + 4);
  out[0] = DOLLAR;
  out.write(payload, 1, n, 'latin1');
  out[n + 1] = HASH;
  out[n + 2] = HEX_DIGITS[(sum >>> 4) & 0xf]!;
  out[n + 3] = HEX_DIGITS[sum & 0xf]!;
  return out;
}

function encodeBytePacket(data: Uint8Array): Buffer {
  let escapes = 0;
  for (let i = 0; i < data.length; i++) if (needsEscape(data[i]!)) escapes++;
  const out = Buffer.allocUnsafe(data.length + escapes + 4);
  out[0] = DOLLAR;
  let at = 1;
  let sum = 0;
  for (let i = 0; i < data.length; i++) {
    const byte = data[i]!;
    if (needsEscape(byte)) {
      out[at++] = BRACE;
      out[at++] = byte ^ 0x20;
      sum += BRACE + (byte ^ 0x20);
    } else {
      out[at++] = byte;
      sum += byte;
    }
  }
  out[at++] = HASH;
  out[at++] = HEX_DIGITS[(sum >>> 4) & 0xf]!;
  out[at] = HEX_DIGITS[sum & 0xf]!;
  return out;
}

const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');

function needsEscape(byte: number): boolean {
  return byte === HASH || byte === DOLLAR || byte === BRACE || byte === STAR;
}

export function checksum(data: Uint8Array): number {
  let sum = 0;
  for (const byte of data) sum = (sum + byte) & 0xff;
  return sum;
}

function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x61 + 10;
  if (byte >= 0x41 && byte <= 0x46) return byte - 0x41 + 10;
  return -1;
}
