/**
 * A host file call's integer result (a handle, a count, 0 or -errno) as a recording logs it: a
 * CHAR_READ_ALL event of 4 bytes, the result as a big-endian i32. QEMU's replay has no event for
 * these (its semihosting redoes host calls on replay); CHAR_READ_ALL keeps armrr's logs readable by
 * QEMU's replay-dump and `armrr diff`, and lets `replay` answer without the host files.
 */
import type { ReplayEvent } from './events.js';

/** The result a recorder logs when the live port has no such service (ENOSYS, as Semihosting assumes). */
export const HOST_CALL_UNSUPPORTED = -38;

export function hostCallResultEvent(result: number): ReplayEvent {
  const data = new Uint8Array(4);
  new DataView(data.buffer).setInt32(0, result | 0);
  return { kind: 'CHAR_READ_ALL', data };
}

/** The result a logged event holds, or null when it is not a host call result. */
export function hostCallResultOf(event: ReplayEvent): number | null {
  if (event.kind !== 'CHAR_READ_ALL' || event.data.length !== 4) return null;
  return new DataView(event.data.buffer, event.data.byteOffset, 4).getInt32(0);
}
