/**
 * `armrr dump`: one line per event in the layout of QEMU's scripts/replay-dump.py
 * (`HEADER: version 0x…`, `K:NAME(id) detail`, `Reached X of Y bytes`), for every version the
 * reader knows, without the script's gaps (AUDIO_OUT is u64 from 0xe02008, old ASYNC events are
 * read checkpoint-then-kind as QEMU wrote them, INPUT / INPUT_SYNC / CHAR_READ_ALL are decoded).
 * A damaged log prints every whole event and reports ok = false; what is wrong is a diagnostic
 * (`error:` for damage, `warning:` for a log cut short), which the CLI writes to stderr.
 */
import { ReplayLogError } from './errors.js';
import type { InputEventPayload, ReplayEvent } from './events.js';
import { formatVersion, layoutCandidates } from './log-format.js';
import { ReplayLogReader, type ReplayLogEntry, type ReplayLogTruncation } from './log-reader.js';

export interface DumpOptions {
  /** One JSON object per line: a header object, one per event, then a summary object. */
  readonly json?: boolean;
  /** Read the log as armrr writes it (ReplayLogReader's `strict`; the CLI uses 'auto'). */
  readonly strict?: boolean | 'auto';
}

export interface DumpOutcome {
  /** False when the log is damaged or truncated. */
  readonly ok: boolean;
  /** The log is damaged or unreadable (not just cut short): the CLI exits 3. */
  readonly corrupt: boolean;
  /** What is wrong with the log, one line each (`error: ...`, `warning: ...`): for stderr. */
  readonly diagnostics: readonly string[];
  readonly events: number;
  readonly finalIcount: number;
  /** What stopped the dump early: a damaged event stream, or a header the reader refused. */
  readonly problem: ReplayLogTruncation | ReplayLogError | null;
}

export interface DumpResult extends DumpOutcome {
  readonly lines: string[];
}

export function dumpLog(bytes: Uint8Array, options: DumpOptions = {}): DumpResult {
  const lines: string[] = [];
  const lineSource = dumpLogLines(bytes, options);
  for (;;) {
    const step = lineSource.next();
    if (step.done === true) return { ...step.value, lines };
    lines.push(step.value);
  }
}

/** Streams the dump a line at a time; the generator's return value is the outcome. */
export function* dumpLogLines(bytes: Uint8Array, options: DumpOptions = {}): Generator<string, DumpOutcome> {
  const json = options.json === true;
  let reader: ReplayLogReader;
  try {
    reader = new ReplayLogReader(bytes, options.strict === undefined ? {} : { strict: options.strict });
  } catch (err) {
    if (!(err instanceof ReplayLogError)) throw err;
    const version = bytes.length >= 4 ? new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0) : null;
    if (json) {
      yield JSON.stringify({ error: { message: err.message, version: version === null ? null : formatVersion(version) } });
    } else if (version !== null) {
      yield `HEADER: version ${formatVersion(version)}`;
    }
    return { ok: false, corrupt: true, diagnostics: [`error: ${err.message}`], events: 0, finalIcount: 0, problem: err };
  }

  const candidates = layoutCandidates(reader.version);
  const detected = candidates.length > 1 && reader.layout !== candidates[0];
  if (json) {
    yield JSON.stringify({
      header: {
        version: formatVersion(reader.version),
        fingerprint: hex(reader.fingerprint),
        numbering: reader.layout.label,
        bytes: bytes.length,
      },
    });
  } else {
    yield `HEADER: version ${formatVersion(reader.version)}`;
    if (reader.hasFingerprint) yield `FINGERPRINT: ${hex(reader.fingerprint)}`;
    if (detected) yield `NUMBERING: ${reader.layout.label} (detected from the event ids)`;
  }

  let events = 0;
  let finalIcount = 0;
  for (let entry = reader.next(); entry !== null; entry = reader.next()) {
    events++;
    finalIcount = entry.event.kind === 'INSTRUCTION' ? entry.icount + entry.event.count : entry.icount;
    yield json ? JSON.stringify(entryJson(reader, entry)) : entryLine(reader, entry);
  }

  const reached = reader.position().offset;
  const problem = reader.truncated;
  if (json) {
    yield JSON.stringify({
      summary: {
        ok: problem === null,
        events,
        icount: finalIcount,
        bytesRead: reached,
        bytes: bytes.length,
        trailingBytes: reader.trailingBytes,
        ...(problem === null
          ? {}
          : { error: { reason: problem.reason, corrupt: problem.corrupt, message: problem.message, offset: problem.offset, index: problem.index, icount: problem.icount } }),
      },
    });
  } else {
    yield `Reached ${reached} of ${bytes.length} bytes`;
  }
  const diagnostics = problem === null ? [] : [`${problem.corrupt ? 'error' : 'warning'}: ${problem.message}`];
  return { ok: problem === null, corrupt: problem?.corrupt === true, diagnostics, events, finalIcount, problem };
}

/** The event's name as replay-dump.py prints it (EVENT_CP_INIT, EVENT_ASYNC_CHAR_READ, ...). */
export function entryName(reader: ReplayLogReader, entry: ReplayLogEntry): string {
  return reader.layout.slots[entry.id]?.name ?? `EVENT_${entry.event.kind}`;
}

/** `K:NAME(id) detail`, K counted from 1 over all events as replay-dump.py counts them. */
export function entryLine(reader: ReplayLogReader, entry: ReplayLogEntry): string {
  const detail = entryDetail(reader, entry);
  const head = `${entry.index + 1}:${entryName(reader, entry)}(${entry.id})`;
  return detail === '' ? head : `${head} ${detail}`;
}

function entryDetail(reader: ReplayLogReader, entry: ReplayLogEntry): string {
  const event = entry.event;
  const payload = eventDetail(event, entry.icount);
  if (reader.layout.slots[entry.id]?.kind === 'ASYNC') {
    // Old logs frame every async kind under one id: name the kind in the detail.
    const checkpoint = entry.asyncCheckpoint === undefined ? '' : ` checkpoint:${entry.asyncCheckpoint}`;
    return `${event.kind}${checkpoint}${payload === '' ? '' : ` ${payload}`}`;
  }
  if (event.kind === 'CHECKPOINT' && event.checkpoint !== 'INIT') {
    const nextId = reader.bytes[entry.offset + entry.size];
    return nextId !== undefined && reader.layout.isAsyncId(nextId) ? 'more data follows' : 'no additional data';
  }
  return payload;
}

/** The per-event detail text (replay-dump.py's where it has one). */
export function eventDetail(event: ReplayEvent, icount: number): string {
  switch (event.kind) {
    case 'INSTRUCTION': return `+ ${event.count} -> ${icount + event.count}`;
    case 'ASYNC_INPUT': return inputDetail(event.input);
    case 'ASYNC_CHAR_READ': return `device:${event.device.toString(16)} chars:${pythonBytes(event.data)}`;
    case 'ASYNC_NET': return `net:${event.filter.toString(16)} flags:${event.flags.toString(16)} bytes:${event.data.length}`;
    case 'CHAR_WRITE': return `${event.offset} -> ${event.res}`;
    case 'CHAR_READ_ALL': return `chars:${pythonBytes(event.data)}`;
    case 'CHAR_READ_ALL_ERROR': return `error:${event.error}`;
    case 'AUDIO_OUT': return `${event.played}`;
    case 'AUDIO_IN': return `recorded:${event.recorded} wpos:${event.wpos} samples:${event.samples.length}`;
    case 'RANDOM': return `${event.data.length} bytes${event.ret !== 0 ? ' (getrandom failed)' : ''}`;
    case 'CLOCK': return `0x${BigInt.asUintN(64, event.value).toString(16)}`;
    default: return '';
  }
}

function inputDetail(input: InputEventPayload): string {
  switch (input.type) {
    case 'key':
      return input.key.type === 'number'
        ? `key number:${input.key.number} down:${input.down}`
        : `key qcode:${input.key.qcode} down:${input.down}`;
    case 'btn': return `btn button:${input.button} down:${input.down}`;
    case 'rel':
    case 'abs': return `${input.type} axis:${input.axis} value:${input.value}`;
    case 'mtt':
      return `mtt type:${input.mttType} slot:${input.slot} tracking:${input.trackingId} axis:${input.axis} value:${input.value}`;
  }
}

function entryJson(reader: ReplayLogReader, entry: ReplayLogEntry): Record<string, unknown> {
  const { kind, ...fields } = entry.event;
  const out: Record<string, unknown> = {
    index: entry.index,
    event: entry.index + 1,
    offset: entry.offset,
    icount: entry.icount,
    id: entry.id,
    name: entryName(reader, entry),
    kind,
  };
  for (const [key, value] of Object.entries(fields)) out[key] = jsonValue(value);
  if (entry.asyncCheckpoint !== undefined) out['asyncCheckpoint'] = entry.asyncCheckpoint;
  return out;
}

function jsonValue(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return hex(value);
  if (Array.isArray(value)) return value.map(jsonValue);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonValue(v)]));
  }
  return value;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Python's repr() of a bytes object, as replay-dump.py prints characters. */
export function pythonBytes(data: Uint8Array): string {
  const hasSingle = data.includes(0x27);
  const quote = hasSingle && !data.includes(0x22) ? '"' : "'";
  let body = '';
  for (const b of data) {
    if (b === 0x5c) body += '\\\\';
    else if (b === 0x09) body += '\\t';
    else if (b === 0x0a) body += '\\n';
    else if (b === 0x0d) body += '\\r';
    else if (b === quote.charCodeAt(0)) body += `\\${quote}`;
    else if (b >= 0x20 && b < 0x7f) body += String.fromCharCode(b);
    else body += `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return `b${quote}${body}${quote}`;
}

