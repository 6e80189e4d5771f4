/**
 * Reads a QEMU-format replay log (any version from 0xe02002 to 0xe0200c) as a cursor of events.
 *
 * Bad data never throws from `next()`: the cursor stops after the last whole event and `truncated`
 * says where and why, and whether the log is merely cut short (`corrupt: false`: a killed recording
 * or a copied prefix, everything read is trustworthy) or damaged (`corrupt: true`: bytes that
 * cannot be an event, or anything after END). Only an unreadable header (or a bad `seek`) throws,
 * as `ReplayLogError`.
 *
 * Read strictly (`strict`: replay, and dump of armrr logs), a log must be as armrr writes it: events armrr never writes,
 * CHAR_WRITE other than (1, 1), ASYNC_CHAR_READ of other than one byte, a zero INSTRUCTION count,
 * anything but END after SHUTDOWN, or END anywhere else, are corruption, so damage is caught where it is.
 */
import { readFileSync } from 'node:fs';

import { ReplayLogError, type LogLocation } from './errors.js';
import type { InputEventPayload, ReplayEvent } from './events.js';
import {
  ARMRR_LAYOUT,
  ARMRR_MAX_READ_ALL,
  ARMRR_RECORDED_EVENTS,
  ARMRR_RECORDED_IDS,
  eventKey,
  ARMRR_LOG_VERSION,
  FINGERPRINT_SIZE,
  formatVersion,
  HEADER_SIZE,
  layoutCandidates,
  SUPPORTED_VERSIONS,
  type EventSlot,
  type LogLayout,
} from './log-format.js';

export interface ReplayLogEntry {
  readonly event: ReplayEvent;
  /** 0-based; replay-dump.py and `armrr dump` print it as event `index + 1`. */
  readonly index: number;
  /** Byte offset of the event's id byte. */
  readonly offset: number;
  /** Instructions executed before this event (for INSTRUCTION: before its delta). */
  readonly icount: number;
  /** The raw id byte. */
  readonly id: number;
  /** Encoded size in bytes, id included. */
  readonly size: number;
  /** Checkpoint byte of an async event in logs ≤ 0xe0200a. */
  readonly asyncCheckpoint?: number;
}

/** A cursor position: the next event starts at `offset`, is event `index`, happens at `icount`. */
export type LogPosition = LogLocation;

export type TruncationReason =
  /** The data ends inside an event (or an array length runs past the end). */
  | 'eof-mid-event'
  /** The data ends cleanly between events, but there was no END (a killed recording). */
  | 'missing-end'
  /** An id this version does not define. */
  | 'unknown-event'
  /** A known id with an impossible payload (unknown async kind, input kind, ...). */
  | 'bad-payload'
  /** Bytes after END. */
  | 'trailing-bytes';

/** Reasons that mean damage, not a log cut short: replay and dump exit 3 on them. */
const CORRUPT_REASONS: ReadonlySet<TruncationReason> = new Set<TruncationReason>(['unknown-event', 'bad-payload', 'trailing-bytes']);

export interface ReplayLogTruncation extends LogLocation {
  readonly reason: TruncationReason;
  /** Damaged data (as opposed to a log that just ends early: `eof-mid-event`, `missing-end`). */
  readonly corrupt: boolean;
  /** What is wrong, where (offset, event, icount) and what it means for the caller. */
  readonly message: string;
  /** The same as a throwable error. */
  readonly error: ReplayLogError;
}

export interface ReplayLogReaderOptions {
  /** Force a numbering instead of detecting it (see `chooseLayout`). */
  readonly layout?: LogLayout;
  /**
   * Read as armrr writes (see the file comment): true, false (the default: any valid event of the
   * version, as the format allows), or 'auto' for armrr logs only (0xe0200c with a fingerprint).
   */
  readonly strict?: boolean | 'auto';
}

class DecodeFailure {
  constructor(
    readonly reason: TruncationReason,
    readonly what: string,
  ) {}
}

/** Slot kinds whose events carry no payload (decoded once per id, then shared). */
const FIXED_KINDS: ReadonlySet<EventSlot['kind']> = new Set<EventSlot['kind']>(['INTERRUPT', 'EXCEPTION', 'ASYNC_INPUT_SYNC', 'END', 'SHUTDOWN', 'CHECKPOINT']);

/** Slot kinds whose events are the id byte alone, consumed by the replay without decoding (see plainHeadId). */
const PLAIN_KINDS: ReadonlySet<EventSlot['kind']> = new Set<EventSlot['kind']>(['INTERRUPT', 'EXCEPTION', 'CHECKPOINT']);

/** Decodes one event at a byte offset; throws DecodeFailure (internal) on bad data. */
/** An INSTRUCTION event: its id byte, then the count as a big-endian u32 (`payload` reads it so too). */
const INSTRUCTION_EVENT_SIZE = 1 + 4;

class EventDecoder {
  private readonly view: DataView;
  private pos = 0;
  /** By id: the event of a slot without payload, once decoded. */
  private readonly fixedEvents: (ReplayEvent | undefined)[] = [];
  /** The id of INSTRUCTION in this log's numbering (read in place by `instructionCountAt`). */
  private readonly instructionId: number | undefined;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly layout: LogLayout,
    /** Read as armrr writes (see the file comment); off for QEMU's logs. */
    private readonly strict = false,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.instructionId = layout.idOf({ kind: 'INSTRUCTION', count: 1 });
  }

  /** Offset just after the event the last decodeAt / instructionCountAt read. */
  end = 0;
  /** Checkpoint byte of that event if it is an async event of a log <= 0xe0200a, else undefined. */
  asyncCheckpoint: number | undefined = undefined;

  /**
   * The count of the INSTRUCTION event at `offset`, read in place without making an object (the
   * replay skips one per event it waits for), its end then in `end`; -1 when no whole INSTRUCTION
   * event starts there (`decodeAt` judges what does).
   */
  instructionCountAt(offset: number): number {
    const bytes = this.bytes;
    if (bytes[offset] !== this.instructionId || offset + INSTRUCTION_EVENT_SIZE > bytes.length) return -1;
    this.end = offset + INSTRUCTION_EVENT_SIZE;
    return this.view.getUint32(offset + 1);
  }

  /** The event at `offset` (its end and async checkpoint in `end` / `asyncCheckpoint`). */
  decodeAt(offset: number): ReplayEvent {
    this.pos = offset;
    this.asyncCheckpoint = undefined;
    const id = this.u8('event id');
    const slot = this.layout.slots[id];
    if (slot === undefined) {
      throw new DecodeFailure(
        'unknown-event',
        `unknown event id ${id} (0x${id.toString(16)}) for version ${formatVersion(this.layout.version)} ` +
          `(${this.layout.label}, ids 0-${this.layout.slots.length - 1})`,
      );
    }
    if (this.strict && !ARMRR_RECORDED_IDS.has(id)) {
      throw new DecodeFailure('unknown-event', `event ${slot.name} (id ${id}) is never written by armrr`);
    }
    let asyncCheckpoint: number | undefined;
    let event: ReplayEvent;
    if (slot.kind === 'ASYNC') {
      if (this.layout.asyncEncoding === 'checkpoint-and-kind') asyncCheckpoint = this.u8('async checkpoint');
      const kindNumber = this.u8('async kind');
      const kind = this.layout.asyncKinds[kindNumber];
      if (kind === undefined) throw new DecodeFailure('bad-payload', `unknown async event kind ${kindNumber}`);
      event = this.payload({ kind, name: slot.name });
    } else {
      // Events without a payload are the same object every time (replay decodes one per interrupt).
      event = this.fixedEvents[id] ?? this.payload(slot);
      if (FIXED_KINDS.has(slot.kind)) this.fixedEvents[id] = event;
    }
    if (this.strict) this.checkAsArmrrWrites(event, id, slot.kind === 'ASYNC');
    this.end = this.pos;
    this.asyncCheckpoint = asyncCheckpoint;
    return event;
  }

  private checkAsArmrrWrites(event: ReplayEvent, id: number, async: boolean): void {
    // Any other id names one event (checked against ARMRR_RECORDED_IDS already).
    if (async && !ARMRR_RECORDED_EVENTS.has(eventKey(event))) {
      throw new DecodeFailure('unknown-event', `event ${this.layout.slots[id]?.name ?? id} (id ${id}) is never written by armrr`);
    }
    if (event.kind === 'CHAR_WRITE' && (event.res !== 1 || event.offset !== 1)) {
      throw new DecodeFailure('bad-payload', `CHAR_WRITE ${event.offset} -> ${event.res}: armrr writes every UART byte as 1 -> 1`);
    }
    if (event.kind === 'INSTRUCTION' && event.count === 0) {
      throw new DecodeFailure('bad-payload', 'INSTRUCTION count 0: armrr writes instruction counts only when instructions ran');
    }
    if (event.kind === 'CHAR_READ_ALL_ERROR' && event.error !== 0) {
      throw new DecodeFailure('bad-payload', `CHAR_READ_ALL_ERROR ${event.error}: armrr writes error 0`);
    }
  }

  /** Array lengths armrr can write; checked before the bytes so a damaged length is not taken for a cut log. */
  private arrayLimits(kind: 'ASYNC_CHAR_READ' | 'CHAR_READ_ALL'): readonly [number, number] {
    if (!this.strict) return [0, Infinity];
    return kind === 'ASYNC_CHAR_READ' ? [1, 1] : [0, ARMRR_MAX_READ_ALL];
  }

  private payload(slot: Exclude<EventSlot, { kind: 'ASYNC' }>): ReplayEvent {
    switch (slot.kind) {
      case 'INSTRUCTION': return { kind: slot.kind, count: this.u32('instruction count') };
      case 'INTERRUPT':
      case 'EXCEPTION':
      case 'ASYNC_INPUT_SYNC':
      case 'END':
        return { kind: slot.kind };
      case 'ASYNC_BH':
      case 'ASYNC_BH_ONESHOT':
      case 'ASYNC_BLOCK':
        return { kind: slot.kind, id: this.u64('async id') };
      case 'ASYNC_INPUT': return { kind: slot.kind, input: this.input() };
      case 'ASYNC_CHAR_READ': {
        const device = this.u8('char device index');
        return { kind: slot.kind, device, data: this.array('char read bytes', this.arrayLimits('ASYNC_CHAR_READ')) };
      }
      case 'ASYNC_NET': {
        const filter = this.u8('net filter index');
        const flags = this.u32('net flags');
        return { kind: slot.kind, filter, flags, data: this.array('net packet') };
      }
      case 'SHUTDOWN': return { kind: slot.kind, cause: slot.cause };
      case 'CHAR_WRITE': {
        const res = this.u32('char write result');
        return { kind: slot.kind, res, offset: this.u32('char write offset') };
      }
      case 'CHAR_READ_ALL': return { kind: slot.kind, data: this.array('char read-all bytes', this.arrayLimits('CHAR_READ_ALL')) };
      case 'CHAR_READ_ALL_ERROR': return { kind: slot.kind, error: this.i32('char read-all error') };
      case 'AUDIO_OUT': return { kind: slot.kind, played: this.audioCount('audio played count') };
      case 'AUDIO_IN': return this.audioIn();
      case 'RANDOM': {
        const ret = this.u32('random result');
        return { kind: slot.kind, ret, data: this.array('random bytes') };
      }
      case 'CLOCK': return { kind: slot.kind, clock: slot.clock, value: this.i64('clock value') };
      case 'CHECKPOINT': return { kind: slot.kind, checkpoint: slot.checkpoint };
    }
  }

  private input(): InputEventPayload {
    const type = this.u32('input event kind');
    switch (type) {
      case 0: {
        const keyType = this.u32('key value kind');
        if (keyType === 0) {
          const number = this.u64('key number');
          return { type: 'key', key: { type: 'number', number }, down: this.u8('key down') };
        }
        if (keyType === 1) {
          const qcode = this.u32('key qcode');
          return { type: 'key', key: { type: 'qcode', qcode }, down: this.u8('key down') };
        }
        throw new DecodeFailure('bad-payload', `unknown key value kind ${keyType} in an input event`);
      }
      case 1: {
        const button = this.u32('button');
        return { type: 'btn', button, down: this.u8('button down') };
      }
      case 2:
      case 3: {
        const axis = this.u32('axis');
        return { type: type === 2 ? 'rel' : 'abs', axis, value: this.u64('axis value') };
      }
      case 4: {
        const mttType = this.u32('multi-touch type');
        const slot = this.u64('multi-touch slot');
        const trackingId = this.u64('multi-touch tracking id');
        const axis = this.u32('multi-touch axis');
        return { type: 'mtt', mttType, slot, trackingId, axis, value: this.u64('multi-touch value') };
      }
      default:
        throw new DecodeFailure('bad-payload', `unknown input event kind ${type}`);
    }
  }

  private audioIn(): ReplayEvent {
    const recorded = this.audioCount('audio recorded count');
    const wpos = this.audioCount('audio write position');
    // QEMU writes `recorded` (L, R) u64 pairs (modulo its buffer size, which the log does not hold).
    const left = this.bytes.length - this.pos;
    if (recorded * 16n > BigInt(left)) {
      throw new DecodeFailure('eof-mid-event', `audio-in of ${recorded} samples runs past the end (${left} bytes left)`);
    }
    const samples: Array<readonly [bigint, bigint]> = [];
    for (let i = 0n; i < recorded; i++) samples.push([this.u64('left sample'), this.u64('right sample')]);
    return { kind: 'AUDIO_IN', recorded, wpos, samples };
  }

  private audioCount(what: string): bigint {
    return this.layout.wideAudio ? this.u64(what) : BigInt(this.u32(what));
  }

  private need(n: number, what: string): number {
    const at = this.pos;
    if (at + n > this.bytes.length) {
      throw new DecodeFailure('eof-mid-event', `the log ends inside the ${what} (needs ${n} bytes at ${at}, ${this.bytes.length - at} left)`);
    }
    this.pos = at + n;
    return at;
  }

  private u8(what: string): number {
    return this.bytes[this.need(1, what)]!;
  }
  private u32(what: string): number {
    return this.view.getUint32(this.need(4, what));
  }
  private i32(what: string): number {
    return this.view.getInt32(this.need(4, what));
  }
  private u64(what: string): bigint {
    return this.view.getBigUint64(this.need(8, what));
  }
  private i64(what: string): bigint {
    return this.view.getBigInt64(this.need(8, what));
  }
  private array(what: string, [min, max]: readonly [number, number] = [0, Infinity]): Uint8Array {
    const length = this.u32(`${what} length`);
    if (length < min || length > max) {
      throw new DecodeFailure('bad-payload', `the ${what} claim ${length} bytes; armrr writes ${min === max ? min : `${min} to ${max}`}`);
    }
    const left = this.bytes.length - this.pos;
    if (length > left) {
      throw new DecodeFailure('eof-mid-event', `the ${what} claim ${length} bytes but only ${left} are left`);
    }
    const at = this.need(length, what);
    return this.bytes.subarray(at, at + length);
  }
}

interface ScanResult {
  /** Ends with SHUTDOWN then END exactly at the end of the data, as every QEMU log does. */
  readonly cleanFinish: boolean;
  /** Decodes without error up to the end of the data (END or not). */
  readonly wholeEvents: boolean;
  readonly decodedTo: number;
}

function scan(bytes: Uint8Array, layout: LogLayout): ScanResult {
  const decoder = new EventDecoder(bytes, layout);
  let offset = HEADER_SIZE;
  let previous: ReplayEvent['kind'] | null = null;
  try {
    while (offset < bytes.length) {
      const event = decoder.decodeAt(offset);
      offset = decoder.end;
      if (event.kind === 'END') {
        const atEof = offset === bytes.length;
        return { cleanFinish: atEof && previous === 'SHUTDOWN', wholeEvents: atEof, decodedTo: offset };
      }
      previous = event.kind;
    }
    return { cleanFinish: false, wholeEvents: true, decodedTo: offset };
  } catch (failure) {
    if (!(failure instanceof DecodeFailure)) throw failure;
    return { cleanFinish: false, wholeEvents: false, decodedTo: offset };
  }
}

/**
 * Picks the numbering of a version whose ids drifted between QEMU releases (0xe02007, 0xe0200c).
 * An armrr log (non-zero fingerprint) of 0xe0200c is 7.2+ by construction. Otherwise each
 * candidate decodes the whole log and is ranked: ends SHUTDOWN, END exactly at the end of the data
 * (QEMU writes its header only at a clean exit, so its logs always end so), then decodes into whole
 * events up to the end, then decodes furthest. Ties keep the listed order (newest numbering first
 * for 0xe0200c, the 2.12 one that replay-dump.py assumes for 0xe02007).
 */
export function chooseLayout(bytes: Uint8Array, version: number, fingerprint: Uint8Array): LogLayout {
  const candidates = layoutCandidates(version);
  if (candidates.length === 1) return candidates[0]!;
  if (version === ARMRR_LOG_VERSION && fingerprint.some((b) => b !== 0)) return ARMRR_LAYOUT;
  let best = candidates[0]!;
  let bestScore = -1;
  for (const layout of candidates) {
    const result = scan(bytes, layout);
    // Nothing outranks a clean finish, and ties keep the earlier candidate.
    if (result.cleanFinish) return layout;
    const rank = result.cleanFinish ? 2 : result.wholeEvents ? 1 : 0;
    const score = rank * (bytes.length + 1) + result.decodedTo;
    if (score > bestScore) {
      best = layout;
      bestScore = score;
    }
  }
  return best;
}

/** The reader's own cursor, moved in place (replay reads an event per interrupt: no allocation per move). */
interface MutablePosition {
  offset: number;
  index: number;
  icount: number;
}

export class ReplayLogReader {
  readonly version: number;
  /** The 8 reserved header bytes: zero in QEMU's logs, the firmware fingerprint in armrr's. */
  readonly fingerprint: Uint8Array;
  readonly layout: LogLayout;
  /** Set once the cursor has stopped at bad or missing data; null while all is well. */
  truncated: ReplayLogTruncation | null = null;
  /** Bytes after END (QEMU ignores them); 0 until END is read. */
  trailingBytes = 0;

  /** Read as armrr writes it (an armrr log: version 0xe0200c with a fingerprint). */
  readonly strict: boolean;
  private readonly decoder: EventDecoder;
  private readonly cursor: MutablePosition = { offset: HEADER_SIZE, index: 0, icount: 0 };
  /** Offset right after a SHUTDOWN (strict: only END may start there), or -1. */
  private endExpectedAt = -1;
  private ended = false;
  /** The event at the cursor once decoded (null: not yet), and the offset after it. */
  private ahead: ReplayLogEntry | null = null;
  private aheadEnd = 0;

  constructor(
    readonly bytes: Uint8Array,
    options: ReplayLogReaderOptions = {},
  ) {
    if (bytes.length < HEADER_SIZE) {
      throw new ReplayLogError(
        `Replay log is ${bytes.length} bytes, shorter than its ${HEADER_SIZE}-byte header (u32 version + 8 reserved bytes)`,
        { offset: bytes.length, index: 0, icount: 0 },
        'this is not a replay log, or it was cut before its header was written',
      );
    }
    this.version = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0);
    this.fingerprint = bytes.slice(4, 4 + FINGERPRINT_SIZE);
    if (this.version === 0) {
      throw new ReplayLogError(
        'Replay log version is 0',
        { offset: 0, index: 0, icount: 0 },
        'QEMU writes the version only when a recording exits cleanly, so this recording was killed; record again',
      );
    }
    if (options.layout === undefined && layoutCandidates(this.version).length === 0) {
      throw new ReplayLogError(
        `Unsupported replay log version ${formatVersion(this.version)}`,
        { offset: 0, index: 0, icount: 0 },
        `armrr reads versions ${SUPPORTED_VERSIONS.map(formatVersion).join(', ')}; is this a QEMU/armrr replay log?`,
      );
    }
    this.layout = options.layout ?? chooseLayout(bytes, this.version, this.fingerprint);
    const strict = options.strict ?? false;
    this.strict = strict === 'auto' ? this.layout === ARMRR_LAYOUT && this.hasFingerprint : strict;
    this.decoder = new EventDecoder(bytes, this.layout, this.strict);
    this.endId = this.layout.idOf({ kind: 'END' });
    this.layout.slots.forEach((slot, id) => {
      if (PLAIN_KINDS.has(slot.kind) && (!this.strict || ARMRR_RECORDED_IDS.has(id))) this.plainIds[id] = 1;
    });
  }

  /** 1 at the ids of payload-free events `plainHeadId` answers without decoding. */
  private readonly plainIds = new Uint8Array(256);

  /** The id of END in this log's numbering. */
  private readonly endId: number | undefined;

  static fromFile(path: string, options: ReplayLogReaderOptions = {}): ReplayLogReader {
    let data: Buffer;
    try {
      data = readFileSync(path);
    } catch (err) {
      throw new ReplayLogError(`Cannot read replay log ${path}: ${(err as Error).message}`);
    }
    return new ReplayLogReader(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), options);
  }

  /** True when the header's reserved bytes are not all zero (an armrr log). */
  get hasFingerprint(): boolean {
    return this.fingerprint.some((b) => b !== 0);
  }

  /** True after END, or after the cursor stopped at bad data. */
  get done(): boolean {
    return this.ended || this.truncated !== null;
  }

  position(): LogPosition {
    return { ...this.cursor };
  }

  /** The index of the event at the cursor (`position().index` without a copy). */
  get nextIndex(): number {
    return this.cursor.index;
  }

  /** Moves to a position previously returned by `position()` (or an entry's offset/index/icount). */
  seek(position: LogPosition): void {
    const { offset, index, icount } = position;
    const valid = (n: number): boolean => Number.isSafeInteger(n) && n >= 0;
    if (!valid(offset) || !valid(index) || !valid(icount) || offset < HEADER_SIZE || offset > this.bytes.length) {
      throw new ReplayLogError(
        `Cannot seek the replay log to offset ${offset} (event ${index + 1}, icount ${icount}): offsets run ` +
          `from ${HEADER_SIZE} to ${this.bytes.length}. Was the position saved from a different log?`,
      );
    }
    const c = this.cursor;
    c.offset = offset;
    c.index = index;
    c.icount = icount;
    this.ended = false;
    this.truncated = null;
    this.trailingBytes = 0;
    this.ahead = null;
    this.endExpectedAt = -1;
  }

  peek(): ReplayLogEntry | null {
    if (this.ahead === null && !this.done) this.ahead = this.decodeNext();
    return this.ahead;
  }

  next(): ReplayLogEntry | null {
    const entry = this.peek();
    if (entry === null) return null;
    this.ahead = null;
    const c = this.cursor;
    c.offset = this.aheadEnd;
    c.index = entry.index + 1;
    if (entry.event.kind === 'INSTRUCTION') c.icount = entry.icount + entry.event.count;
    if (entry.event.kind === 'END') {
      this.ended = true;
      this.trailingBytes = this.bytes.length - c.offset;
      if (this.trailingBytes > 0) {
        this.stop(c, 'trailing-bytes', `The replay log has ${this.trailingBytes} bytes after its END event`,
          'nothing may follow END, so the log is damaged (or two logs were joined); every event up to END is intact');
      }
    }
    return entry;
  }

  /**
   * Moves past the INSTRUCTION events at the cursor without making objects of them (the replay's
   * hot path: one per event it waits for). Stops before any other event, and before anything the
   * general path must judge (a cut or zero count, an event where only END may stand), which
   * `peek`/`next` then report as usual.
   */
  skipInstructions(): void {
    const first = this.ahead;
    if (first !== null) {
      if (first.event.kind !== 'INSTRUCTION') return;
      this.next();
    }
    if (this.done) return;
    const decoder = this.decoder;
    const c = this.cursor;
    while (c.offset !== this.endExpectedAt) {
      const count = decoder.instructionCountAt(c.offset);
      if (count < 0 || (count === 0 && this.strict)) return;
      c.offset = decoder.end;
      c.index++;
      c.icount += count;
    }
  }

  /**
   * The replay's hot path (one call per boundary, interrupt, exception return and timer checkpoint):
   * skips INSTRUCTION events like `skipInstructions`, then returns the id byte of the next event when
   * it is a payload-free INTERRUPT, EXCEPTION or CHECKPOINT, without making an entry of it; else -1
   * (then `peek` decodes and judges it). That event is at `nextIcount` and `nextOffset`; `skipPlain`
   * consumes it.
   */
  plainHeadId(): number {
    this.skipInstructions();
    const ahead = this.ahead;
    if (ahead !== null) return this.plainIds[ahead.id] === 1 ? ahead.id : -1;
    if (this.done) return -1;
    const offset = this.cursor.offset;
    // Strict: only END may follow SHUTDOWN (decodeNext reports anything else there).
    if (offset >= this.bytes.length || offset === this.endExpectedAt) return -1;
    const id = this.bytes[offset]!;
    return this.plainIds[id] === 1 ? id : -1;
  }

  /** Consumes the event `plainHeadId` has just named (one id byte, no payload). */
  skipPlain(): void {
    const c = this.cursor;
    this.ahead = null;
    c.offset++;
    c.index++;
  }

  /** The icount of the event at the cursor (`position().icount` without a copy). */
  get nextIcount(): number {
    return this.cursor.icount;
  }

  /** The byte offset of the event at the cursor. */
  get nextOffset(): number {
    return this.cursor.offset;
  }

  /** The id of `event` in this log's numbering, or -1. */
  idOf(event: ReplayEvent): number {
    return this.layout.idOf(event) ?? -1;
  }

  /** The next event other than INSTRUCTION, whose icount already counts the skipped deltas. */
  nextEvent(): ReplayLogEntry | null {
    for (;;) {
      const entry = this.next();
      if (entry === null || entry.event.kind !== 'INSTRUCTION') return entry;
    }
  }

  /** Like `nextEvent()` but leaves the cursor just before that event (INSTRUCTIONs are consumed). */
  peekEvent(): ReplayLogEntry | null {
    for (;;) {
      const entry = this.peek();
      if (entry === null || entry.event.kind !== 'INSTRUCTION') return entry;
      this.next();
    }
  }

  /**
   * Looks past the next event without moving: the first event after it that is neither an
   * INSTRUCTION nor of a `passed` kind, as its icount and offset (the end of the data or bad data
   * counts as such an event). Null when there is no next event.
   */
  peekPast(passed: ReadonlySet<ReplayEvent['kind']>): { icount: number; offset: number } | null {
    const head = this.peek();
    if (head === null) return null;
    let offset = this.aheadEnd;
    let icount = head.event.kind === 'INSTRUCTION' ? head.icount + head.event.count : head.icount;
    const bytes = this.bytes;
    try {
      while (offset < bytes.length) {
        const count = this.decoder.instructionCountAt(offset);
        if (count >= 0) {
          icount += count;
          offset = this.decoder.end;
          continue;
        }
        // A payload-free event of a passed kind: no need to decode it (one per interrupt).
        const id = bytes[offset]!;
        if (this.plainIds[id] === 1 && passed.has(this.layout.slots[id]!.kind as ReplayEvent['kind'])) {
          offset++;
          continue;
        }
        const event = this.decoder.decodeAt(offset);
        if (event.kind === 'INSTRUCTION') icount += event.count;
        else if (!passed.has(event.kind)) break;
        offset = this.decoder.end;
      }
    } catch (failure) {
      if (!(failure instanceof DecodeFailure)) throw failure;
    }
    return { icount, offset };
  }

  *[Symbol.iterator](): Iterator<ReplayLogEntry> {
    for (let entry = this.next(); entry !== null; entry = this.next()) yield entry;
  }

  /** The entry at the cursor (its end in `aheadEnd`), or null after stopping at bad or missing data. */
  private decodeNext(): ReplayLogEntry | null {
    const at = this.cursor;
    if (at.offset >= this.bytes.length) {
      this.stop(at, 'missing-end', 'The replay log ends without an END event',
        'the recording was cut short (killed?); every event before this point is intact');
      return null;
    }
    try {
      if (this.strict && (at.offset === this.endExpectedAt) !== (this.bytes[at.offset] === this.endId)) {
        throw new DecodeFailure(
          'bad-payload',
          at.offset === this.endExpectedAt ? 'an event after SHUTDOWN: armrr ends a recording with SHUTDOWN, then END' : 'END without SHUTDOWN before it',
        );
      }
      const event = this.decoder.decodeAt(at.offset);
      const end = this.decoder.end;
      const asyncCheckpoint = this.decoder.asyncCheckpoint;
      if (this.strict && event.kind === 'SHUTDOWN') this.endExpectedAt = end;
      const id = this.bytes[at.offset]!;
      const size = end - at.offset;
      this.aheadEnd = end;
      return asyncCheckpoint === undefined
        ? { event, index: at.index, offset: at.offset, icount: at.icount, id, size }
        : { event, index: at.index, offset: at.offset, icount: at.icount, id, size, asyncCheckpoint };
    } catch (failure) {
      if (!(failure instanceof DecodeFailure)) throw failure;
      const hint =
        failure.reason === 'eof-mid-event'
          ? 'the log was cut inside this event (or a length is corrupt); every event before it is intact'
          : this.strict
            ? 'the log is damaged from here on; every event before it is intact'
            : 'the log is corrupt from here on (or was recorded by a QEMU with another numbering); every event before it is intact';
      this.stop(at, failure.reason, `Replay log event cannot be decoded: ${failure.what}`, hint);
      return null;
    }
  }

  private stop(at: LogPosition, reason: TruncationReason, what: string, hint: string): void {
    const error = new ReplayLogError(what, { ...at }, hint);
    this.truncated = { ...at, reason, corrupt: CORRUPT_REASONS.has(reason), message: error.message, error };
  }
}
