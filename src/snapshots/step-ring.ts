/**
 * Undo data for the positions just behind a reverse step's start, for the reverse steps that
 * follow (gdb's reverse-stepi, `bs`): the positions are cut into short chunks, and the entry of a
 * chunk holds the machine state at its first position (after that position's boundary work, as a
 * run that stops there leaves it) and, for every RAM page the chunk's instructions wrote, its
 * contents at that first position. Going back from p to t writes back the pages of the chunks
 * from p's down to t's, newest first, loads the state of t's chunk and runs forward the few
 * instructions from there to t: no snapshot restore and no long replay.
 *
 * The entries are facts of the recording (replay is deterministic, I1), so they stay valid however
 * the machine reached p: forward runs, restores and other seeks do not invalidate them. A forward
 * run inside a chunk writes only pages of that chunk's list (the same instructions run), so the
 * write-back stays exact after one.
 */
import type { LogLocation } from '../replay/errors.js';
import type { CoreMachineState } from './machine-state.js';

export interface StepChunk {
  /** First position of the chunk. */
  readonly icount: number;
  /** Instructions the chunk covers: positions icount .. icount + count. */
  count: number;
  readonly state: CoreMachineState;
  readonly log: LogLocation | null;
  /** Host pages the chunk's instructions wrote, and their contents at `icount` (same order). */
  readonly pages: number[];
  readonly contents: Uint8Array[];
}

export class StepRing {
  /** Consecutive chunks: each starts where the previous one ends. */
  private chunks: StepChunk[] = [];

  /** Lowest position the ring can go back to (Infinity when empty). */
  get lo(): number {
    return this.chunks[0]?.icount ?? Infinity;
  }

  /** Highest position the ring can go back from (-Infinity when empty). */
  get hi(): number {
    const last = this.chunks[this.chunks.length - 1];
    return last === undefined ? -Infinity : last.icount + last.count;
  }

  /** True when the chunks reach from position `from` back to `to` (to < from). */
  covers(from: number, to: number): boolean {
    return to < from && to >= this.lo && from <= this.hi;
  }

  /** Index of the chunk holding position `icount` (lo <= icount < hi). */
  indexOf(icount: number): number {
    const c = this.chunks;
    let lo = 0;
    let hi = c.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (c[mid]!.icount <= icount) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  chunk(i: number): StepChunk {
    return this.chunks[i]!;
  }

  /** Starts a new run of chunks (the old ones are dropped). */
  clear(): void {
    this.chunks = [];
  }

  /** Appends a chunk that starts where the ring ends (or the first one). */
  push(chunk: StepChunk): void {
    if (this.chunks.length > 0 && chunk.icount !== this.hi) throw new Error('internal: step chunks must be consecutive');
    this.chunks.push(chunk);
  }
}
