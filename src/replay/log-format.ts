/**
 * Event id tables of QEMU's replay log, per REPLAY_VERSION (facts: notes/qemu-replay.md §1).
 *
 * Every version lays its ids out in the same group order; only the group sizes change:
 * INSTRUCTION, INTERRUPT, EXCEPTION, ASYNC (1 id, or one per async kind from 0xe0200c),
 * SHUTDOWN (1 id, or one per cause + __MAX), CHAR_WRITE, CHAR_READ_ALL, CHAR_READ_ALL_ERROR,
 * [AUDIO_OUT, AUDIO_IN], [RANDOM], 2 clocks, 9 checkpoints, END.
 *
 * The version id does not pin the numbering: QEMU grew the shutdown-cause list without bumping it
 * (0xe02007 spans 2.12/3.x/4.0–4.1, 0xe0200c spans 7.1 and 7.2+). Such a version has several
 * candidate layouts; the reader picks one by trial decoding (see log-reader.ts `chooseLayout`).
 * armrr always writes the 7.2+ numbering (CHAR_WRITE = 22, END = 39).
 */
import { MAX_TRANSFER as SEMIHOSTING_MAX_TRANSFER } from '../emulator/semihosting.js';
import {
  ASYNC_KINDS,
  CHECKPOINTS,
  CLOCKS,
  SHUTDOWN_CAUSES,
  type AsyncKind,
  type CheckpointId,
  type ClockId,
  type ReplayEvent,
  type ReplayEventKind,
  type ShutdownCause,
} from './events.js';

export const HEADER_SIZE = 12;
export const FINGERPRINT_SIZE = 8;
export const ARMRR_LOG_VERSION = 0xe0200c;
/** QEMU's name for the version armrr writes. */
export const REPLAY_VERSION = ARMRR_LOG_VERSION;

/** How async events are framed. */
export type AsyncEncoding =
  /** ≤ 0xe0200a: id ASYNC, u8 checkpoint, u8 async kind, payload. */
  | 'checkpoint-and-kind'
  /** 0xe0200b: id ASYNC, u8 async kind, payload. */
  | 'kind-byte'
  /** ≥ 0xe0200c: id = first async id + kind, payload. */
  | 'id-per-kind';

export type EventSlot =
  | { readonly kind: 'ASYNC'; readonly name: string }
  | { readonly kind: 'SHUTDOWN'; readonly cause: ShutdownCause; readonly name: string }
  | { readonly kind: 'CLOCK'; readonly clock: ClockId; readonly name: string }
  | { readonly kind: 'CHECKPOINT'; readonly checkpoint: CheckpointId; readonly name: string }
  | {
      readonly kind: Exclude<ReplayEventKind, 'SHUTDOWN' | 'CLOCK' | 'CHECKPOINT'>;
      readonly name: string;
    };

export interface LogLayout {
  readonly version: number;
  /** Which QEMU releases wrote this numbering, e.g. "QEMU 7.2+". */
  readonly label: string;
  readonly asyncEncoding: AsyncEncoding;
  /** Async kinds by their kind number in this version. */
  readonly asyncKinds: readonly AsyncKind[];
  /** AUDIO_OUT / AUDIO_IN counts are u64 from 0xe02008, u32 before. */
  readonly wideAudio: boolean;
  /** Indexed by raw event id. */
  readonly slots: readonly EventSlot[];
  /** Raw id for an event, or undefined when this layout cannot express it. */
  idOf(event: ReplayEvent): number | undefined;
  /** Ids that carry async events (for replay-dump.py's "more data follows" on checkpoints). */
  isAsyncId(id: number): boolean;
}

const OLD_ASYNC_KINDS: readonly AsyncKind[] = [
  'ASYNC_BH',
  'ASYNC_INPUT',
  'ASYNC_INPUT_SYNC',
  'ASYNC_CHAR_READ',
  'ASYNC_BLOCK',
  'ASYNC_NET',
];

const SHUTDOWN_2_12: readonly ShutdownCause[] = [
  'NONE', 'HOST_ERROR', 'HOST_QMP_QUIT', 'HOST_SIGNAL', 'HOST_UI',
  'GUEST_SHUTDOWN', 'GUEST_RESET', 'GUEST_PANIC', 'MAX',
];
const SHUTDOWN_3_0: readonly ShutdownCause[] = [...SHUTDOWN_2_12.slice(0, -1), 'SUBSYSTEM_RESET', 'MAX'];
const SHUTDOWN_4_0: readonly ShutdownCause[] = SHUTDOWN_CAUSES.filter((c) => c !== 'SNAPSHOT_LOAD');
const SHUTDOWN_7_2: readonly ShutdownCause[] = SHUTDOWN_CAUSES;

/** replay-dump.py's names; the 2.12 layout has a single QMP cause, which the script calls HOST_QMP. */
function shutdownName(cause: ShutdownCause, singleQmp: boolean): string {
  switch (cause) {
    case 'NONE': return 'EVENT_SHUTDOWN';
    case 'HOST_ERROR': return 'EVENT_SHUTDOWN_HOST_ERR';
    case 'HOST_QMP_QUIT': return singleQmp ? 'EVENT_SHUTDOWN_HOST_QMP' : 'EVENT_SHUTDOWN_HOST_QMP_QUIT';
    case 'HOST_QMP_SYSTEM_RESET': return 'EVENT_SHUTDOWN_HOST_QMP_RESET';
    case 'SUBSYSTEM_RESET': return 'EVENT_SHUTDOWN_SUBSYS_RESET';
    case 'MAX': return 'EVENT_SHUTDOWN___MAX';
    default: return `EVENT_SHUTDOWN_${cause}`;
  }
}

interface LayoutSpec {
  version: number;
  label: string;
  asyncEncoding: AsyncEncoding;
  asyncKinds: readonly AsyncKind[];
  /** null: a single SHUTDOWN id without cause (before 0xe02007). */
  shutdownCauses: readonly ShutdownCause[] | null;
  audio: boolean;
  wideAudio: boolean;
  random: boolean;
}

/** `prefix:name` for each name, made once (the recorder looks a key up per event it writes). */
function keysOf<T extends string>(prefix: string, names: readonly T[]): Record<T, string> {
  return Object.fromEntries(names.map((n) => [n, `${prefix}:${n}`])) as Record<T, string>;
}
const SHUTDOWN_KEYS = keysOf('SHUTDOWN', SHUTDOWN_CAUSES);
const CLOCK_KEYS = keysOf('CLOCK', CLOCKS);
const CHECKPOINT_KEYS = keysOf('CHECKPOINT', CHECKPOINTS);

/** One key per event id: the kind, plus the cause / clock / checkpoint where one kind spans ids. */
export function eventKey(event: ReplayEvent): string {
  switch (event.kind) {
    case 'SHUTDOWN': return SHUTDOWN_KEYS[event.cause];
    case 'CLOCK': return CLOCK_KEYS[event.clock];
    case 'CHECKPOINT': return CHECKPOINT_KEYS[event.checkpoint];
    default: return event.kind;
  }
}

function buildLayout(spec: LayoutSpec): LogLayout {
  const slots: EventSlot[] = [
    { kind: 'INSTRUCTION', name: 'EVENT_INSTRUCTION' },
    { kind: 'INTERRUPT', name: 'EVENT_INTERRUPT' },
    { kind: 'EXCEPTION', name: 'EVENT_EXCEPTION' },
  ];
  const firstAsync = slots.length;
  if (spec.asyncEncoding === 'id-per-kind') {
    for (const kind of spec.asyncKinds) slots.push({ kind, name: `EVENT_${kind}` });
  } else {
    slots.push({ kind: 'ASYNC', name: 'EVENT_ASYNC' });
  }
  const asyncEnd = slots.length;
  if (spec.shutdownCauses === null) {
    slots.push({ kind: 'SHUTDOWN', cause: 'NONE', name: 'EVENT_SHUTDOWN' });
  } else {
    const singleQmp = !spec.shutdownCauses.includes('HOST_QMP_SYSTEM_RESET');
    for (const cause of spec.shutdownCauses) {
      slots.push({ kind: 'SHUTDOWN', cause, name: shutdownName(cause, singleQmp) });
    }
  }
  slots.push(
    { kind: 'CHAR_WRITE', name: 'EVENT_CHAR_WRITE' },
    { kind: 'CHAR_READ_ALL', name: 'EVENT_CHAR_READ_ALL' },
    { kind: 'CHAR_READ_ALL_ERROR', name: 'EVENT_CHAR_READ_ALL_ERROR' },
  );
  if (spec.audio) {
    slots.push({ kind: 'AUDIO_OUT', name: 'EVENT_AUDIO_OUT' }, { kind: 'AUDIO_IN', name: 'EVENT_AUDIO_IN' });
  }
  if (spec.random) slots.push({ kind: 'RANDOM', name: 'EVENT_RANDOM' });
  for (const clock of CLOCKS) slots.push({ kind: 'CLOCK', clock, name: `EVENT_CLOCK_${clock}` });
  for (const checkpoint of CHECKPOINTS) {
    slots.push({ kind: 'CHECKPOINT', checkpoint, name: `EVENT_CP_${checkpoint}` });
  }
  slots.push({ kind: 'END', name: 'EVENT_END' });

  const idByKey = new Map<string, number>();
  slots.forEach((slot, id) => {
    if (slot.kind === 'ASYNC') return;
    const key =
      slot.kind === 'SHUTDOWN' ? SHUTDOWN_KEYS[slot.cause]
      : slot.kind === 'CLOCK' ? CLOCK_KEYS[slot.clock]
      : slot.kind === 'CHECKPOINT' ? CHECKPOINT_KEYS[slot.checkpoint]
      : slot.kind;
    if (!idByKey.has(key)) idByKey.set(key, id);
  });

  return {
    version: spec.version,
    label: spec.label,
    asyncEncoding: spec.asyncEncoding,
    asyncKinds: spec.asyncKinds,
    wideAudio: spec.wideAudio,
    slots,
    idOf(event) {
      if (spec.asyncEncoding !== 'id-per-kind' && event.kind.startsWith('ASYNC_')) return undefined;
      return idByKey.get(eventKey(event));
    },
    isAsyncId: (id) => id >= firstAsync && id < asyncEnd,
  };
}

const V5 = { asyncEncoding: 'checkpoint-and-kind', asyncKinds: OLD_ASYNC_KINDS, shutdownCauses: null,
  audio: false, wideAudio: false, random: false } as const;
const V6 = { ...V5, audio: true } as const;
const V8 = { ...V6, shutdownCauses: SHUTDOWN_4_0, wideAudio: true } as const;
const V9 = { ...V8, asyncKinds: ASYNC_KINDS, random: true } as const;

/** Candidate layouts per version, most likely first. */
const LAYOUTS: ReadonlyMap<number, readonly LogLayout[]> = new Map([
  [0xe02002, [buildLayout({ ...V5, version: 0xe02002, label: 'QEMU 2.5' })]],
  [0xe02003, [buildLayout({ ...V5, version: 0xe02003, label: 'QEMU 2.6 development' })]],
  [0xe02004, [buildLayout({ ...V5, version: 0xe02004, label: 'QEMU 2.6–2.8' })]],
  [0xe02005, [buildLayout({ ...V5, version: 0xe02005, label: 'QEMU 2.9 development' })]],
  [0xe02006, [buildLayout({ ...V6, version: 0xe02006, label: 'QEMU 2.9–2.11' })]],
  [0xe02007, [
    buildLayout({ ...V6, version: 0xe02007, label: 'QEMU 2.12', shutdownCauses: SHUTDOWN_2_12 }),
    buildLayout({ ...V6, version: 0xe02007, label: 'QEMU 3.0–3.1', shutdownCauses: SHUTDOWN_3_0 }),
    buildLayout({ ...V6, version: 0xe02007, label: 'QEMU 4.0–4.1', shutdownCauses: SHUTDOWN_4_0 }),
  ]],
  [0xe02008, [buildLayout({ ...V8, version: 0xe02008, label: 'QEMU 4.2' })]],
  [0xe02009, [buildLayout({ ...V9, version: 0xe02009, label: 'QEMU 5.0' })]],
  [0xe0200a, [buildLayout({ ...V9, version: 0xe0200a, label: 'QEMU 5.1–7.0' })]],
  [0xe0200b, [buildLayout({ ...V9, version: 0xe0200b, label: 'QEMU 7.1 development', asyncEncoding: 'kind-byte' })]],
  [0xe0200c, [
    buildLayout({ ...V9, version: 0xe0200c, label: 'QEMU 7.2+', asyncEncoding: 'id-per-kind', shutdownCauses: SHUTDOWN_7_2 }),
    buildLayout({ ...V9, version: 0xe0200c, label: 'QEMU 7.1', asyncEncoding: 'id-per-kind' }),
  ]],
]);

export function layoutCandidates(version: number): readonly LogLayout[] {
  return LAYOUTS.get(version) ?? [];
}

export const SUPPORTED_VERSIONS: readonly number[] = [...LAYOUTS.keys()];

/** The numbering armrr writes: 0xe0200c as QEMU ≥ 7.2 numbers it. */
export const ARMRR_LAYOUT: LogLayout = layoutCandidates(ARMRR_LOG_VERSION)[0]!;

export function formatVersion(version: number): string {
  return `0x${version.toString(16)}`;
}

/**
 * The events armrr's recorder writes (src/replay/recorder.ts, record's SHUTDOWN causes), by
 * `eventKey`. An armrr log (one with a fingerprint) holding any other event is corrupt: a recorder
 * that starts writing a new kind must add it here.
 */
export const ARMRR_RECORDED_EVENTS: ReadonlySet<string> = new Set([
  'INSTRUCTION',
  'INTERRUPT',
  'EXCEPTION',
  'ASYNC_CHAR_READ',
  'SHUTDOWN:GUEST_SHUTDOWN',
  'SHUTDOWN:HOST_SIGNAL',
  // Ctrl-A X of --console mux, as QEMU's mux logs its qmp_quit.
  'SHUTDOWN:HOST_QMP_QUIT',
  'CHAR_WRITE',
  'CHAR_READ_ALL',
  'CHAR_READ_ALL_ERROR',
  'CLOCK:HOST',
  'CHECKPOINT:CLOCK_VIRTUAL',
  'CHECKPOINT:INIT',
  'CHECKPOINT:RESET',
  'END',
]);

/** The ids of ARMRR_RECORDED_EVENTS in armrr's numbering (a strict reader refuses other ids at once). */
export const ARMRR_RECORDED_IDS: ReadonlySet<number> = new Set(
  ARMRR_LAYOUT.slots.flatMap((slot, id) => {
    const key =
      slot.kind === 'SHUTDOWN' ? `SHUTDOWN:${slot.cause}`
      : slot.kind === 'CLOCK' ? `CLOCK:${slot.clock}`
      : slot.kind === 'CHECKPOINT' ? `CHECKPOINT:${slot.checkpoint}`
      : slot.kind;
    return ARMRR_RECORDED_EVENTS.has(key) ? [id] : [];
  }),
);

/** Largest semihosting read armrr serves, so the longest CHAR_READ_ALL it can log. */
export const ARMRR_MAX_READ_ALL = SEMIHOSTING_MAX_TRANSFER;
