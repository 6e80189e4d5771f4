/**
 * Drives a Machine from the CLI: runs it in slices so the Node event loop stays responsive (stdin,
 * signals, gdb packets), paces virtual time against host time when asked (`--realtime`), and waits
 * on the host when the guest is idle and waiting for typed input.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Machine, RunHooks, StopReason } from '../emulator/machines/machine.js';
import type { StreamSerialInput } from '../emulator/io/live-ports.js';

export interface SessionOptions {
  /** Absolute icount at which to stop (Infinity: no limit). */
  maxIcount: number;
  /** Instructions per slice between event-loop turns. */
  sliceInsns?: number;
  /** Keep virtual time from running ahead of host time. */
  realtime?: boolean;
  /** Live input that may still deliver bytes while the guest idles. */
  liveInput?: StreamSerialInput;
  hooks?: RunHooks;
  /** Set to stop the session at the next slice boundary (SIGINT). */
  stopRequested?: () => boolean;
  /** Called between slices (e.g. to flush a log); `waiting` before the session blocks on live input. */
  onSlice?: (waiting: boolean) => void;
}

const DEFAULT_SLICE = 2_000_000;
const MIN_SLICE = 20_000;
/**
 * Wall time a slice should take at most: signals, stdin and a recording's timed flush are served
 * between slices, so a slow engine (interpreter, loaded host) gets smaller slices. Slice sizes never
 * change results (invariant I2).
 */
const SLICE_MS = 50;

export async function runSession(machine: Machine, opts: SessionOptions): Promise<StopReason> {
  const maxSlice = opts.sliceInsns ?? DEFAULT_SLICE;
  let slice = maxSlice;
  const startHostNs = process.hrtime.bigint();
  const startVirtNs = machine.clock.nowNs();
  for (;;) {
    if (opts.stopRequested?.()) return { kind: 'halt', reason: 'interrupted' };
    const target = Math.min(opts.maxIcount, machine.icount + slice);
    const sliceStart = performance.now();
    const stop = machine.run(target, opts.hooks);
    const took = performance.now() - sliceStart;
    if (took > SLICE_MS) slice = Math.max(MIN_SLICE, Math.min(maxSlice, Math.floor(slice / 2)));
    else if (took < SLICE_MS / 4) slice = Math.min(maxSlice, slice * 2);
    if (stop.kind === 'limit') {
      if (machine.icount >= opts.maxIcount) return stop;
    } else if (stop.kind === 'halt' && stop.reason === 'waiting for input' && opts.liveInput) {
      if (opts.liveInput.exhausted(0)) return { kind: 'idle' };
      opts.onSlice?.(true);
      await waitForData(opts.liveInput);
      continue;
    } else {
      return stop;
    }
    if (opts.realtime) {
      const aheadNs = machine.clock.nowNs() - startVirtNs - Number(process.hrtime.bigint() - startHostNs);
      if (aheadNs > 1e6) await sleep(Math.min(aheadNs / 1e6, 100));
    }
    opts.onSlice?.(false);
    await yieldToEventLoop();
  }
}

function waitForData(input: StreamSerialInput): Promise<void> {
  if (input.pending > 0) return Promise.resolve();
  return new Promise((resolve) => {
    input.onData = () => {
      input.onData = null;
      resolve();
    };
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
