/**
 * `armrr diff A B`: aligns two replay logs by their event sequences and prints, side by side,
 * the runs where they differ.
 *
 * INSTRUCTION events are folded into the icount at which the next event happens, so logs that
 * split their instruction counts differently still align. Events compare by canonical kind,
 * payload and icount, which makes logs of different versions (0xe02005 vs 0xe0200c, QEMU vs
 * armrr) comparable. Clock values are host time and differ in every pair of recordings, so they
 * are ignored unless `compareClockValues` is set.
 *
 * Alignment: common prefix and suffix are matched directly; the middle uses Myers' O((N+M)·D)
 * diff, bounded to `maxEditDistance` edits (beyond that the rest shows as one differing run).
 */
import { ASYNC_KINDS, CHECKPOINTS, CLOCKS, SHUTDOWN_CAUSES, type ReplayEvent } from './events.js';
import { eventDetail } from './dump.js';
import { formatVersion } from './log-format.js';
import { ReplayLogReader, type ReplayLogEntry } from './log-reader.js';

export interface DiffOptions {
  /** Identical events shown around each differing run (default 3). */
  readonly context?: number;
  /** Compare CLOCK values too (default false: they are host time). */
  readonly compareClockValues?: boolean;
  /** Give up aligning after this many insertions + deletions (default 2000). */
  readonly maxEditDistance?: number;
  /**
   * Events left out of the comparison, by canonical name (CHECKPOINT_CLOCK_WARP_START) or kind
   * (CHECKPOINT, CLOCK): e.g. the warp checkpoints QEMU writes and armrr never does. See
   * DIFF_EVENT_NAMES for the valid names.
   */
  readonly ignore?: readonly string[];
  /**
   * Leave out what QEMU logs for its own host-side mechanics, never for the guest (QEMU_ONLY_EVENTS
   * and the two positional cases in `isQemuOnly`), and compare the SHUTDOWN that ends a run at the
   * icount its log ends at (`keyFinalShutdownAtEnd`), so an armrr log and a QEMU log of the same run
   * compare equal.
   */
  readonly ignoreQemuOnly?: boolean;
}

/** Events only QEMU writes: idle warps (armrr's sleep=off never warps) and the VIRTUAL_RT reads they take. */
export const QEMU_ONLY_EVENTS: readonly string[] = ['CHECKPOINT_CLOCK_WARP_START', 'CHECKPOINT_CLOCK_WARP_ACCOUNT', 'CLOCK_VIRTUAL_RT'];

/**
 * QEMU-only by position: the host clock read by configure_rtc (softmmu/rtc.c) while QEMU parses its
 * options, before CHECKPOINT_INIT; and the SHUTDOWN_HOST_SIGNAL replay_finish appends at exit
 * after the shutdown that ended the run.
 */
function isQemuOnly(name: string, seenInit: boolean, seenShutdown: boolean): boolean {
  if (QEMU_ONLY_EVENTS.includes(name)) return true;
  if (name === 'CLOCK_HOST' && !seenInit) return true;
  return name === 'SHUTDOWN_HOST_SIGNAL' && seenShutdown;
}

/** Every name `ignore` accepts: event kinds and canonical names. */
export const DIFF_EVENT_NAMES: readonly string[] = [
  'INTERRUPT',
  'EXCEPTION',
  ...ASYNC_KINDS,
  'SHUTDOWN',
  ...SHUTDOWN_CAUSES.map((c) => `SHUTDOWN_${c}`),
  'CHAR_WRITE',
  'CHAR_READ_ALL',
  'CHAR_READ_ALL_ERROR',
  'AUDIO_OUT',
  'AUDIO_IN',
  'RANDOM',
  'CLOCK',
  ...CLOCKS.map((c) => `CLOCK_${c}`),
  'CHECKPOINT',
  ...CHECKPOINTS.map((c) => `CHECKPOINT_${c}`),
  'END',
];

export interface DiffResult {
  /** The side-by-side listing and notes; the summary line is separate (print it last). */
  readonly lines: string[];
  readonly identical: boolean;
  readonly summary: string;
  /** 0-based reader indices (printed as event index + 1) and the icount where the logs part. */
  readonly firstDifference?: { readonly indexA: number; readonly indexB: number; readonly icount: number };
  /** Number of differing runs. */
  readonly runs: number;
}

interface Item {
  readonly entry: ReplayLogEntry;
  readonly key: string;
  readonly label: string;
}

interface LogSide {
  readonly reader: ReplayLogReader;
  readonly items: Item[];
  /** All events, INSTRUCTION included (the count replay-dump.py prints). */
  readonly eventCount: number;
  readonly finalIcount: number;
}

type Op = { readonly type: 'equal'; readonly a: number; readonly b: number } | { readonly type: 'del'; readonly a: number } | { readonly type: 'ins'; readonly b: number };

const LABEL_WIDTH_CAP = 60;

/** Throws ReplayLogError when either header is unreadable; damaged event streams are compared up to the damage. */
export function diffLogs(a: Uint8Array, b: Uint8Array, options: DiffOptions = {}): DiffResult {
  const context = Math.max(0, options.context ?? 3);
  const compareClocks = options.compareClockValues === true;
  const ignore = new Set(options.ignore ?? []);
  const qemuOnly = options.ignoreQemuOnly === true;
  const sideA = readSide(new ReplayLogReader(a), compareClocks, ignore, qemuOnly);
  const sideB = readSide(new ReplayLogReader(b), compareClocks, ignore, qemuOnly);
  const { ops, gaveUp } = align(
    sideA.items.map((i) => i.key),
    sideB.items.map((i) => i.key),
    options.maxEditDistance ?? 2000,
  );

  const rows: Array<{ left: string; right: string; marked: boolean } | { skipped: number }> = [];
  let runs = 0;
  let firstDifference: DiffResult['firstDifference'];
  let k = 0;
  while (k < ops.length) {
    const op = ops[k]!;
    if (op.type === 'equal') {
      let end = k;
      while (end < ops.length && ops[end]!.type === 'equal') end++;
      const equal = ops.slice(k, end) as Array<Extract<Op, { type: 'equal' }>>;
      const showHead = k === 0 ? 0 : context;
      const showTail = end === ops.length ? 0 : context;
      const row = (o: Extract<Op, { type: 'equal' }>) => ({ left: sideA.items[o.a]!.label, right: sideB.items[o.b]!.label, marked: false });
      if (equal.length <= showHead + showTail) {
        rows.push(...equal.map(row));
      } else {
        rows.push(...equal.slice(0, showHead).map(row));
        rows.push({ skipped: equal.length - showHead - showTail });
        rows.push(...equal.slice(equal.length - showTail).map(row));
      }
      k = end;
      continue;
    }
    let end = k;
    while (end < ops.length && ops[end]!.type !== 'equal') end++;
    const dels = ops.slice(k, end).flatMap((o) => (o.type === 'del' ? [o.a] : []));
    const inss = ops.slice(k, end).flatMap((o) => (o.type === 'ins' ? [o.b] : []));
    runs++;
    if (firstDifference === undefined) firstDifference = locate(sideA, sideB, ops, k, dels, inss);
    for (let r = 0; r < Math.max(dels.length, inss.length); r++) {
      const da = dels[r];
      const ib = inss[r];
      rows.push({
        left: da === undefined ? '' : sideA.items[da]!.label,
        right: ib === undefined ? '' : sideB.items[ib]!.label,
        marked: true,
      });
    }
    k = end;
  }

  const headerLeft = `HEADER: version ${formatVersion(sideA.reader.version)}`;
  const headerRight = `HEADER: version ${formatVersion(sideB.reader.version)}`;
  const shown = rows.flatMap((r) => ('left' in r ? [r.left.length] : []));
  const width = Math.min(LABEL_WIDTH_CAP, Math.max(headerLeft.length, ...shown));
  const lines = [`  ${headerLeft.padEnd(width)} | ${headerRight}`];
  if (sideA.reader.hasFingerprint || sideB.reader.hasFingerprint) {
    const fp = (s: LogSide) => `FINGERPRINT: ${Buffer.from(s.reader.fingerprint).toString('hex')}`;
    lines.push(`  ${fp(sideA).padEnd(width)} | ${fp(sideB)}`);
  }
  for (const r of rows) {
    if ('skipped' in r) lines.push(`  ... ${r.skipped} identical event${r.skipped === 1 ? '' : 's'} ...`);
    else lines.push(`${r.marked ? '>' : ' '} ${r.left.padEnd(width)} | ${r.right}`.trimEnd());
  }
  for (const [name, side] of [['A', sideA], ['B', sideB]] as const) {
    if (side.reader.truncated !== null) lines.push(`note: log ${name} is damaged or truncated: ${side.reader.truncated.message}`);
  }
  if (gaveUp) {
    lines.push(`note: more than ${options.maxEditDistance ?? 2000} events differ; the rest of the logs is shown as one differing run`);
  }
  if (sideA.finalIcount !== sideB.finalIcount) {
    lines.push(`note: the logs end at icount ${sideA.finalIcount} vs ${sideB.finalIcount}`);
  }

  const counts =
    sideA.eventCount === sideB.eventCount ? `${sideA.eventCount} events` : `${sideA.eventCount} vs ${sideB.eventCount} events`;
  let summary: string;
  if (runs === 0) {
    summary = `identical: ${counts}`;
  } else {
    const fd = firstDifference!;
    const where = fd.indexA < sideA.eventCount ? `event ${fd.indexA + 1}` : `event ${fd.indexB + 1} of B`;
    summary = `${runs} run${runs === 1 ? ' differs' : 's differ'}; first at ${where} (icount ${fd.icount}); ${sideA.eventCount} vs ${sideB.eventCount} events`;
  }
  const result = { lines, identical: runs === 0, summary, runs };
  return firstDifference === undefined ? result : { ...result, firstDifference };
}

function readSide(reader: ReplayLogReader, compareClocks: boolean, ignore: ReadonlySet<string>, qemuOnly: boolean): LogSide {
  const items: Item[] = [];
  let eventCount = 0;
  let finalIcount = 0;
  let seenInit = false;
  let seenShutdown = false;
  for (let entry = reader.next(); entry !== null; entry = reader.next()) {
    eventCount++;
    if (entry.event.kind === 'INSTRUCTION') {
      finalIcount = entry.icount + entry.event.count;
      continue;
    }
    finalIcount = entry.icount;
    const name = canonicalName(entry.event);
    const skipQemuOnly = qemuOnly && isQemuOnly(name, seenInit, seenShutdown);
    if (name === 'CHECKPOINT_INIT') seenInit = true;
    if (entry.event.kind === 'SHUTDOWN') seenShutdown = true;
    if (skipQemuOnly) continue;
    if (ignore.size !== 0 && (ignore.has(entry.event.kind) || ignore.has(name))) continue;
    items.push({
      entry,
      key: `${eventKey(entry.event, compareClocks)}@${entry.icount}`,
      label: `${entry.index + 1}:${canonicalName(entry.event)}${labelDetail(entry.event)} @${entry.icount}`,
    });
  }
  if (qemuOnly) keyFinalShutdownAtEnd(items, finalIcount);
  return { reader, items, eventCount, finalIcount };
}

/**
 * QEMU writes a guest's SHUTDOWN without first saving the instructions run since the previous event
 * (replay_shutdown_request puts the bare event), so it carries that event's icount; the count
 * follows it, saved by replay_finish before END. armrr's SHUTDOWN carries the instruction it
 * happened at, which is where both logs end. A SHUTDOWN followed only by END therefore compares
 * at the icount its log ends at.
 */
function keyFinalShutdownAtEnd(items: Item[], finalIcount: number): void {
  let last = items.length - 1;
  while (last >= 0 && items[last]!.entry.event.kind === 'END') last--;
  const item = items[last];
  if (item === undefined || item.entry.event.kind !== 'SHUTDOWN') return;
  items[last] = { ...item, key: `${eventKey(item.entry.event, false)}@${finalIcount}` };
}

/** Version-independent names: CHECKPOINT_CLOCK_VIRTUAL, SHUTDOWN_HOST_SIGNAL, CLOCK_HOST, ... */
export function canonicalName(event: ReplayEvent): string {
  switch (event.kind) {
    case 'CHECKPOINT': return `CHECKPOINT_${event.checkpoint}`;
    case 'SHUTDOWN': return `SHUTDOWN_${event.cause}`;
    case 'CLOCK': return `CLOCK_${event.clock}`;
    default: return event.kind;
  }
}

function labelDetail(event: ReplayEvent): string {
  const detail = eventDetail(event, 0);
  return detail === '' ? '' : ` ${detail}`;
}

function eventKey(event: ReplayEvent, compareClocks: boolean): string {
  if (event.kind === 'CLOCK' && !compareClocks) return `CLOCK_${event.clock}`;
  return JSON.stringify(event, (_key, value: unknown) => {
    if (typeof value === 'bigint') return `${value}n`;
    if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
    return value;
  });
}

function locate(sideA: LogSide, sideB: LogSide, ops: readonly Op[], at: number, dels: number[], inss: number[]) {
  // For a pure insertion (or deletion), the other side's position is where its next event would be.
  const nextIndex = (side: LogSide, item: number | undefined, wantA: boolean): number => {
    if (item !== undefined) return side.items[item]!.entry.index;
    for (let k = at; k < ops.length; k++) {
      const o = ops[k]!;
      if (o.type === 'equal') return side.items[wantA ? o.a : o.b]!.entry.index;
    }
    return side.eventCount;
  };
  const indexA = nextIndex(sideA, dels[0], true);
  const indexB = nextIndex(sideB, inss[0], false);
  const icounts = [dels[0], inss[0]].flatMap((i, s) => (i === undefined ? [] : [(s === 0 ? sideA : sideB).items[i]!.entry.icount]));
  return { indexA, indexB, icount: Math.min(...icounts) };
}

/** Myers' greedy diff with common prefix/suffix anchoring, bounded to maxD edits. */
export function align(a: readonly string[], b: readonly string[], maxD: number): { ops: Op[]; gaveUp: boolean } {
  let prefix = 0;
  while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++;
  let suffix = 0;
  while (suffix < a.length - prefix && suffix < b.length - prefix && a[a.length - 1 - suffix] === b[b.length - 1 - suffix]) suffix++;

  const ops: Op[] = [];
  for (let i = 0; i < prefix; i++) ops.push({ type: 'equal', a: i, b: i });
  const middle = myers(a, b, prefix, a.length - suffix, prefix, b.length - suffix, maxD);
  // A loop, not push(...spread): a long log's middle has more ops than a call can take arguments.
  for (const op of middle ?? giveUp(prefix, a.length - suffix, prefix, b.length - suffix)) ops.push(op);
  for (let s = suffix; s > 0; s--) ops.push({ type: 'equal', a: a.length - s, b: b.length - s });
  return { ops, gaveUp: middle === null };
}

function giveUp(a0: number, a1: number, b0: number, b1: number): Op[] {
  const ops: Op[] = [];
  for (let i = a0; i < a1; i++) ops.push({ type: 'del', a: i });
  for (let j = b0; j < b1; j++) ops.push({ type: 'ins', b: j });
  return ops;
}

function myers(a: readonly string[], b: readonly string[], a0: number, a1: number, b0: number, b1: number, maxD: number): Op[] | null {
  const n = a1 - a0;
  const m = b1 - b0;
  if (n === 0 || m === 0) return giveUp(a0, a1, b0, b1);
  const limit = Math.min(maxD, n + m);
  // trace[d] holds V after step d for diagonals -d..d (index k + d): O(D²) memory.
  const trace: Int32Array[] = [];
  let prev = new Int32Array(0);
  for (let d = 0; d <= limit; d++) {
    const v = new Int32Array(2 * d + 1);
    // Furthest x on diagonal k after d - 1 edits; the search starts at x = 0.
    const get = (k: number): number => (d === 0 ? 0 : k >= 1 - d && k <= d - 1 ? prev[k + d - 1]! : -1);
    for (let k = -d; k <= d; k += 2) {
      let x: number;
      if (k === -d || (k !== d && get(k - 1) < get(k + 1))) x = get(k + 1);
      else x = get(k - 1) + 1;
      let y = x - k;
      while (x < n && y < m && a[a0 + x] === b[b0 + y]) {
        x++;
        y++;
      }
      v[k + d] = x;
      if (x >= n && y >= m) {
        trace.push(v);
        return backtrack(trace, n, m, a0, b0);
      }
    }
    trace.push(v);
    prev = v;
  }
  return null;
}

function backtrack(trace: Int32Array[], n: number, m: number, a0: number, b0: number): Op[] {
  const ops: Op[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d >= 0; d--) {
    const k = x - y;
    if (d === 0) {
      while (x > 0 && y > 0) ops.push({ type: 'equal', a: a0 + --x, b: b0 + --y });
      break;
    }
    const prev = trace[d - 1]!;
    const at = (kk: number): number => (kk >= -(d - 1) && kk <= d - 1 ? prev[kk + d - 1]! : -1);
    const down = k === -d || (k !== d && at(k - 1) < at(k + 1));
    const prevK = down ? k + 1 : k - 1;
    const prevX = at(prevK);
    const prevY = prevX - prevK;
    while (x > prevX + (down ? 0 : 1) && y > prevY + (down ? 1 : 0)) ops.push({ type: 'equal', a: a0 + --x, b: b0 + --y });
    if (down) ops.push({ type: 'ins', b: b0 + --y });
    else ops.push({ type: 'del', a: a0 + --x });
  }
  return ops.reverse();
}
