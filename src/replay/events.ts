/**
 * Replay log events, independent of the log version that carried them.
 *
 * Numeric choice: u8/u32 fields are `number`; u64/i64 fields are `bigint` (exact, and this layer is
 * not a hot path). icounts are `number`: exact up to 2^53 instructions (~100 days at 1e9 insn/s).
 * Byte arrays may be views into the log buffer they were read from; copy them before mutating.
 */

export const SHUTDOWN_CAUSES = [
  'NONE',
  'HOST_ERROR',
  'HOST_QMP_QUIT',
  'HOST_QMP_SYSTEM_RESET',
  'HOST_SIGNAL',
  'HOST_UI',
  'GUEST_SHUTDOWN',
  'GUEST_RESET',
  'GUEST_PANIC',
  'SUBSYSTEM_RESET',
  'SNAPSHOT_LOAD',
  // QEMU reserves an id for SHUTDOWN_CAUSE__MAX; it is never written but must decode.
  'MAX',
] as const;
export type ShutdownCause = (typeof SHUTDOWN_CAUSES)[number];

/** Checkpoint ids, in the same order in every log version. */
export const CHECKPOINTS = [
  'CLOCK_WARP_START',
  'CLOCK_WARP_ACCOUNT',
  'RESET_REQUESTED',
  'SUSPEND_REQUESTED',
  'CLOCK_VIRTUAL',
  'CLOCK_HOST',
  'CLOCK_VIRTUAL_RT',
  'INIT',
  'RESET',
] as const;
export type CheckpointId = (typeof CHECKPOINTS)[number];

/** Logged clocks (QEMU never logs the virtual clock: icount derives it). Same order in every version. */
export const CLOCKS = ['HOST', 'VIRTUAL_RT'] as const;
export type ClockId = (typeof CLOCKS)[number];

/** A host input event (QEMU's InputEvent) as QEMU serialises it. `down` is the raw byte. */
export type InputEventPayload =
  | { type: 'key'; key: { type: 'number'; number: bigint } | { type: 'qcode'; qcode: number }; down: number }
  | { type: 'btn'; button: number; down: number }
  | { type: 'rel' | 'abs'; axis: number; value: bigint }
  | { type: 'mtt'; mttType: number; slot: bigint; trackingId: bigint; axis: number; value: bigint };

export type ReplayEvent =
  | { kind: 'INSTRUCTION'; count: number }
  | { kind: 'INTERRUPT' }
  | { kind: 'EXCEPTION' }
  | { kind: 'ASYNC_BH'; id: bigint }
  | { kind: 'ASYNC_BH_ONESHOT'; id: bigint }
  | { kind: 'ASYNC_INPUT'; input: InputEventPayload }
  | { kind: 'ASYNC_INPUT_SYNC' }
  | { kind: 'ASYNC_CHAR_READ'; device: number; data: Uint8Array }
  | { kind: 'ASYNC_BLOCK'; id: bigint }
  | { kind: 'ASYNC_NET'; filter: number; flags: number; data: Uint8Array }
  | { kind: 'SHUTDOWN'; cause: ShutdownCause }
  | { kind: 'CHAR_WRITE'; res: number; offset: number }
  | { kind: 'CHAR_READ_ALL'; data: Uint8Array }
  | { kind: 'CHAR_READ_ALL_ERROR'; error: number }
  | { kind: 'AUDIO_OUT'; played: bigint }
  /** `samples` holds (left, right) pairs; QEMU writes `recorded` of them in practice. */
  | { kind: 'AUDIO_IN'; recorded: bigint; wpos: bigint; samples: Array<readonly [bigint, bigint]> }
  | { kind: 'RANDOM'; ret: number; data: Uint8Array }
  | { kind: 'CLOCK'; clock: ClockId; value: bigint }
  | { kind: 'CHECKPOINT'; checkpoint: CheckpointId }
  | { kind: 'END' };

export type ReplayEventKind = ReplayEvent['kind'];

/** The async kinds, in the order of QEMU ≥ 5.0 (0xe02009+). */
export const ASYNC_KINDS = [
  'ASYNC_BH',
  'ASYNC_BH_ONESHOT',
  'ASYNC_INPUT',
  'ASYNC_INPUT_SYNC',
  'ASYNC_CHAR_READ',
  'ASYNC_BLOCK',
  'ASYNC_NET',
] as const satisfies readonly ReplayEventKind[];
export type AsyncKind = (typeof ASYNC_KINDS)[number];

export function isAsyncKind(kind: ReplayEventKind): kind is AsyncKind {
  return (ASYNC_KINDS as readonly string[]).includes(kind);
}
