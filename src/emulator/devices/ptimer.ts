/**
 * A periodic down-counter driven by virtual time, with the arithmetic and policy flags of QEMU
 * 7.2's ptimer (hw/core/ptimer.c), so that timer values firmware reads at a given instruction
 * count match QEMU's exactly. The counter is not ticked; its value is derived from the time left
 * until the next expiry (`next - now`) divided by the period.
 *
 * All mutable state lives in a number[] owned by the device's `s` record (see PTIMER_STATE_SIZE),
 * so snapshots capture it; the expiry deadline lives in the VirtualClock. Periods are 64.32 fixed
 * point ns like QEMU's; on mps2-an385 every clock gives an integral period and the fractional path
 * (BigInt, configuration-rate only) is never taken.
 */
import { VirtualTimer } from '../clock.js';
import type { VirtualClock } from '../clock.js';

export const PTIMER_WRAP_AFTER_ONE_PERIOD = 1;
export const PTIMER_CONTINUOUS_TRIGGER = 2;
export const PTIMER_NO_IMMEDIATE_TRIGGER = 4;
export const PTIMER_NO_IMMEDIATE_RELOAD = 8;
export const PTIMER_NO_COUNTER_ROUND_DOWN = 16;
export const PTIMER_TRIGGER_ONLY_ON_DECREMENT = 32;

/** The policy set every CMSDK timer (timer, dual timer, watchdog) uses in QEMU 7.2. */
export const CMSDK_PTIMER_POLICY =
  PTIMER_WRAP_AFTER_ONE_PERIOD |
  PTIMER_TRIGGER_ONLY_ON_DECREMENT |
  PTIMER_NO_IMMEDIATE_RELOAD |
  PTIMER_NO_COUNTER_ROUND_DOWN;

// Slots of the state array.
const ENABLED = 0; // 0 stopped, 1 periodic, 2 one-shot
const LIMIT = 1;
const DELTA = 2;
const PERIOD = 3; // integral ns
const PERIOD_FRAC = 4; // fraction of a ns, in 2^-32 units
const LAST_EVENT = 5;
const NEXT_EVENT = 6;
export const PTIMER_STATE_SIZE = 7;

const DELTA_ADJUST = 1;
const DELTA_NO_ADJUST = -1;
const TWO_POW_32 = 2 ** 32;

export function ptimerInitialState(): number[] {
  return new Array<number>(PTIMER_STATE_SIZE).fill(0);
}

/** Clock period of `hz` as QEMU's Clock stores it: floor(2^32 * 1e9 / hz), split into ns and fraction. */
export function periodFromHz(hz: number, divisor = 1): { period: number; frac: number } {
  const raw = (10n ** 9n << 32n) / BigInt(hz);
  const ns = Number(raw >> 32n) * divisor;
  const fracTotal = Number(raw & 0xffffffffn) * divisor;
  return { period: ns + Math.floor(fracTotal / TWO_POW_32), frac: fracTotal % TWO_POW_32 };
}

export class Ptimer {
  readonly timer: VirtualTimer;
  // Reload requested inside a begin/commit block; always false between calls, so not saved state.
  private needReload = false;

  constructor(
    private readonly clock: VirtualClock,
    id: string,
    owner: string,
    private readonly policy: number,
    /** Returns the live state array (the device's `s` may be replaced by load/reset). */
    private readonly state: () => number[],
    private readonly onTrigger: () => void,
    describe: () => Record<string, number | string | boolean>,
  ) {
    this.timer = clock.addTimer(new VirtualTimer(id, owner, () => this.tick(), describe));
  }

  get enabled(): number {
    return this.state()[ENABLED]!;
  }
  get periodNs(): number {
    return this.state()[PERIOD]!;
  }

  /** Drop any armed expiry without touching the state (device cold reset replaces the state). */
  cancel(): void {
    this.clock.disarm(this.timer);
  }

  begin(): void {
    this.needReload = false;
  }

  commit(): void {
    // A reload may call the device back, which may ask for another reload.
    while (this.needReload && this.state()[ENABLED] !== 0) {
      this.needReload = false;
      this.state()[NEXT_EVENT] = this.clock.nowNs();
      this.reload(0);
    }
  }

  getLimit(): number {
    return this.state()[LIMIT]!;
  }

  getCount(): number {
    const a = this.state();
    const delta = a[DELTA]!;
    if (a[ENABLED] === 0 || delta === 0) return delta;
    const now = this.clock.nowNs();
    const next = a[NEXT_EVENT]!;
    const last = a[LAST_EVENT]!;
    const oneshot = a[ENABLED] === 2;
    let counter: number;
    if (now - next >= 0) {
      counter = 0; // expired but the callback has not run yet
    } else {
      const rem = next - now;
      const frac = a[PERIOD_FRAC]!;
      counter = frac === 0 ? Math.floor(rem / a[PERIOD]!) : divideByFixedPoint(rem, a[PERIOD]!, frac);
      if (this.policy & PTIMER_WRAP_AFTER_ONE_PERIOD && !oneshot && delta === a[LIMIT]) {
        // The counter sits at 0 for one extra period before wrapping.
        if (now === last) {
          if (counter === a[LIMIT]! + DELTA_ADJUST) return 0;
        } else if (counter === a[LIMIT]) {
          return 0;
        }
      }
    }
    if (this.policy & PTIMER_NO_COUNTER_ROUND_DOWN && now !== last) counter += 1;
    return counter;
  }

  setCount(count: number): void {
    const a = this.state();
    a[DELTA] = count;
    if (a[ENABLED] !== 0) this.needReload = true;
  }

  setLimit(limit: number, reload: boolean): void {
    const a = this.state();
    a[LIMIT] = limit;
    if (reload) a[DELTA] = limit;
    if (a[ENABLED] !== 0 && reload) this.needReload = true;
  }

  /** Set the counter period from a clock frequency and divisor (QEMU's set_period_from_clock). */
  setPeriodFromHz(hz: number, divisor: number): void {
    const p = periodFromHz(hz, divisor);
    const delta = this.getCount();
    const a = this.state();
    a[DELTA] = delta;
    a[PERIOD] = p.period;
    a[PERIOD_FRAC] = p.frac;
    if (a[ENABLED] !== 0) this.needReload = true;
  }

  /** Set the counter period in whole nanoseconds (QEMU's ptimer_set_period). */
  setPeriod(ns: number): void {
    const delta = this.getCount();
    const a = this.state();
    a[DELTA] = delta;
    a[PERIOD] = ns;
    a[PERIOD_FRAC] = 0;
    if (a[ENABLED] !== 0) this.needReload = true;
  }

  /** Set the period from a frequency in Hz (QEMU's ptimer_set_freq: 10^9/freq, fraction in 2^-32). */
  setFreq(hz: number): void {
    this.setPeriodFromHz(hz, 1);
  }

  run(oneshot: boolean): void {
    const a = this.state();
    const wasDisabled = a[ENABLED] === 0;
    if (wasDisabled && a[PERIOD] === 0) return;
    a[ENABLED] = oneshot ? 2 : 1;
    if (wasDisabled) this.needReload = true;
  }

  stop(): void {
    const a = this.state();
    if (a[ENABLED] === 0) return;
    a[DELTA] = this.getCount();
    this.clock.disarm(this.timer);
    a[ENABLED] = 0;
    this.needReload = false;
  }

  private trigger(): void {
    this.onTrigger();
  }

  private reload(deltaAdjust: number): void {
    const p = this.policy;
    if (this.state()[DELTA] === 0 && !(p & PTIMER_NO_IMMEDIATE_TRIGGER)) {
      // A count write or start (deltaAdjust 0) with trigger-only-on-decrement does not fire.
      if (!(deltaAdjust === 0 && p & PTIMER_TRIGGER_ONLY_ON_DECREMENT)) this.trigger();
    }
    // The trigger may have changed the state: read it afresh.
    const a = this.state();
    let delta = a[DELTA]!;
    const period = a[PERIOD]!;
    const frac = a[PERIOD_FRAC]!;
    if (delta === 0 && !(p & PTIMER_NO_IMMEDIATE_RELOAD)) delta = a[DELTA] = a[LIMIT]!;
    if (period === 0) {
      this.clock.disarm(this.timer);
      a[ENABLED] = 0;
      return;
    }
    if (p & PTIMER_WRAP_AFTER_ONE_PERIOD && deltaAdjust !== DELTA_NO_ADJUST) delta += deltaAdjust;
    if (delta === 0 && p & PTIMER_CONTINUOUS_TRIGGER && a[ENABLED] === 1 && a[LIMIT] === 0) delta = 1;
    if (delta === 0 && p & PTIMER_NO_IMMEDIATE_TRIGGER && deltaAdjust !== DELTA_NO_ADJUST) delta = 1;
    if (delta === 0 && p & PTIMER_NO_IMMEDIATE_RELOAD && a[ENABLED] === 1 && a[LIMIT] !== 0) delta = 1;
    if (delta === 0) {
      if (a[ENABLED] === 0) return;
      this.clock.disarm(this.timer);
      a[ENABLED] = 0;
      return;
    }
    a[LAST_EVENT] = a[NEXT_EVENT]!;
    let next = a[LAST_EVENT]! + delta * period;
    if (frac !== 0) next += Number((BigInt(frac) * BigInt(delta)) >> 32n);
    a[NEXT_EVENT] = next;
    this.clock.arm(this.timer, next);
  }

  /** Expiry: reload (periodic) or stop (one-shot), then call the device. */
  private tick(): void {
    this.begin();
    const a = this.state();
    let trigger = true;
    if (a[ENABLED] === 2) {
      a[DELTA] = 0;
      a[ENABLED] = 0;
    } else {
      const adjust = a[DELTA] === 0 || a[LIMIT] === 0 ? DELTA_NO_ADJUST : DELTA_ADJUST;
      if (!(this.policy & PTIMER_NO_IMMEDIATE_TRIGGER)) trigger = adjust === DELTA_ADJUST;
      a[DELTA] = a[LIMIT]!;
      this.reload(adjust);
    }
    if (trigger) this.trigger();
    this.commit();
  }
}

/**
 * floor(rem / (period + frac/2^32)) with QEMU's scaled 64-bit division (the divisor is rounded up
 * when fraction bits are dropped). Only reached for clocks with a non-integral period.
 */
function divideByFixedPoint(remNs: number, period: number, frac: number): number {
  const mask64 = (1n << 64n) - 1n;
  let rem = BigInt(remNs);
  let div = BigInt(period);
  const clz = (v: bigint): number => (v === 0n ? 64 : 64 - v.toString(2).length);
  const shift = Math.min(clz(rem), clz(div));
  rem = (rem << BigInt(shift)) & mask64;
  div = (div << BigInt(shift)) & mask64;
  const f = BigInt(frac);
  if (shift >= 32) {
    div |= f << BigInt(shift - 32);
  } else {
    if (shift !== 0) div |= f >> BigInt(32 - shift);
    if (((f << BigInt(shift)) & 0xffffffffn) !== 0n) div += 1n;
  }
  return Number(rem / div);
}
