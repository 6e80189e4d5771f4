/**
 * QemuWarpInterpreter against the rules of QEMU 7.2's softmmu/icount.c and util/qemu-timer.c
 * (values chosen here; the end-to-end check against real QEMU is qemu-recording-replay.test.ts).
 */
import { describe, expect, it } from 'vitest';
import type { ReplayEvent } from '../../src/replay/events.js';
import { QemuWarpInterpreter, QemuWarpMismatch, type WarpClock } from '../../src/replay/qemu-log-events.js';

const cp = (checkpoint: Extract<ReplayEvent, { kind: 'CHECKPOINT' }>['checkpoint']): ReplayEvent => ({ kind: 'CHECKPOINT', checkpoint });
const vrt = (ns: number): ReplayEvent => ({ kind: 'CLOCK', clock: 'VIRTUAL_RT', value: BigInt(ns) });

/** A clock at virtual time `now` with one timer due at `next` (Infinity: none). */
function clockAt(now: number, next: number): WarpClock & { fired: number } {
  return {
    bias: 0,
    fired: 0,
    nowNs() { return now + this.bias; },
    nextDeadlineNs: () => next,
    runOneDue() { this.fired++; return true; },
  };
}

describe('QemuWarpInterpreter (sleep=on)', () => {
  it('precise icount starts with a warp start of 0: the first account adds the run time since start-up', () => {
    const w = new QemuWarpInterpreter(true);
    const c = clockAt(0, Infinity);
    w.apply(cp('CLOCK_WARP_ACCOUNT'), c);
    w.apply(vrt(337_011), c);
    expect(c.bias).toBe(337_011);
    // Later accounts without a start read nothing and add nothing.
    w.apply(cp('CLOCK_WARP_ACCOUNT'), c);
    w.apply(vrt(999_999), c);
    expect(c.bias).toBe(337_011);
  });

  it('an idle period: start at the first read with a future deadline, add the run time at the account', () => {
    const w = new QemuWarpInterpreter(true);
    const c = clockAt(5_000, 1_000_000);
    w.apply(cp('CLOCK_WARP_ACCOUNT'), c); // consume the initial 0 start
    w.apply(vrt(100), c);
    const before = c.bias;
    w.apply(cp('CLOCK_WARP_START'), c);
    w.apply(vrt(2_000_000), c);
    w.apply(cp('CLOCK_WARP_START'), c); // a later start keeps the earlier one
    w.apply(vrt(2_100_000), c);
    w.apply(vrt(2_500_000), c); // a read without a checkpoint (QEMU's main loop) changes nothing
    w.apply(cp('CLOCK_WARP_ACCOUNT'), c);
    w.apply(vrt(2_900_000), c);
    expect(c.bias - before).toBe(900_000);
  });

  it('the warp timer: CHECKPOINT_CLOCK_VIRTUAL_RT, its list read, then the warp read once the timer is due', () => {
    const w = new QemuWarpInterpreter(true);
    const c = clockAt(0, 1_000);
    w.apply(cp('CLOCK_WARP_ACCOUNT'), c);
    w.apply(vrt(10), c);
    const before = c.bias;
    w.apply(cp('CLOCK_WARP_START'), c);
    w.apply(vrt(50_000), c); // deadline 1000 - now: the warp timer fires at VIRTUAL_RT >= 50_000 + deadline
    const deadline = 1_000 - c.nowNs();
    w.apply(cp('CLOCK_VIRTUAL_RT'), c);
    w.apply(vrt(50_000 + deadline - 1), c); // not due yet
    w.apply(vrt(50_000 + deadline + 5), c); // so this is not the warp
    expect(c.bias).toBe(before);
    w.apply(cp('CLOCK_VIRTUAL_RT'), c);
    w.apply(vrt(50_000 + deadline + 7), c); // due: the callback reads again
    w.apply(vrt(50_000 + deadline + 9), c);
    expect(c.bias - before).toBe(deadline + 9);
  });

  it('no warp start without a future deadline; a warp from a start armrr did not see is a mismatch', () => {
    const w = new QemuWarpInterpreter(true);
    const c = clockAt(0, Infinity);
    w.apply(cp('CLOCK_WARP_ACCOUNT'), c);
    w.apply(vrt(1), c);
    w.apply(cp('CLOCK_WARP_START'), c);
    w.apply(vrt(100), c);
    w.apply(cp('CLOCK_WARP_ACCOUNT'), c);
    expect(() => w.apply(vrt(200), c)).not.toThrow(); // no start: the read is not a warp
    const w2 = new QemuWarpInterpreter(true);
    w2.state.warpStart = -1;
    w2.state.expect = 'warp';
    expect(() => w2.apply(vrt(5), c)).toThrow(QemuWarpMismatch);
  });

  it('CHECKPOINT_CLOCK_VIRTUAL fires one timer; a guest reset request is refused', () => {
    const w = new QemuWarpInterpreter(true);
    const c = clockAt(0, 0);
    w.apply(cp('CLOCK_VIRTUAL'), c);
    w.apply(cp('CLOCK_VIRTUAL'), c);
    expect(c.fired).toBe(2);
    expect(() => w.apply(cp('RESET_REQUESTED'), c)).toThrow(QemuWarpMismatch);
  });
});

describe('QemuWarpInterpreter (sleep=off)', () => {
  it('warp events change nothing: the machine jumps to the deadline itself', () => {
    const w = new QemuWarpInterpreter(false);
    const c = clockAt(0, 1_000);
    for (const e of [cp('CLOCK_WARP_START'), vrt(10), cp('CLOCK_WARP_ACCOUNT'), vrt(20), cp('CLOCK_VIRTUAL_RT'), vrt(30), vrt(40)]) w.apply(e, c);
    expect(c.bias).toBe(0);
  });
});
