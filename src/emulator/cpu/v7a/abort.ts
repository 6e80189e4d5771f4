/**
 * The synchronous aborts of an A-profile core as a preallocated signal (rare path; nothing is
 * allocated per access). The MMU throws its own fault object with the same fields (`MMU_FAULT`);
 * with the MMU off the core raises these itself: external aborts from the bus and alignment faults.
 */

/** A data or prefetch abort: FSR already in the current regime's format, FAR = faulting address. */
export class AbortSignal {
  fsr = 0;
  far = 0;
  isWrite = false;
  isFetch = false;
}
export const CORE_ABORT = new AbortSignal();

/** Short-descriptor FSR values (ARM DDI 0406C B3.13.3) and the LPAE ones (B3.13.4). */
export const FSR_ALIGNMENT = 0x001;
export const FSR_DEBUG = 0x002;
export const FSR_SYNC_EXTERNAL = 0x008;
export const FSR_WNR = 0x800;
export const FSR_LPAE = 0x200;
export const LPAE_ALIGNMENT = 0x21;
export const LPAE_DEBUG = 0x22;
export const LPAE_SYNC_EXTERNAL = 0x10;

/** Throw an abort (never returns). */
export function raiseAbort(fsr: number, far: number, isWrite: boolean, isFetch: boolean): never {
  CORE_ABORT.fsr = fsr;
  CORE_ABORT.far = far >>> 0;
  CORE_ABORT.isWrite = isWrite;
  CORE_ABORT.isFetch = isFetch;
  throw CORE_ABORT;
}
