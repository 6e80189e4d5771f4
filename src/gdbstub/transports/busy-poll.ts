/**
 * Keeps the event loop polling for a short while after a reply while the client answers back to
 * back (gdb's packets after a stop, reverse-stepi loops, the raw RSP bench): instead of sleeping in
 * epoll until the next packet, the loop turns with zero timeouts, so the next packet is read as it
 * lands and the client's write wakes no sleeping thread. On an idle host that wake-up (an idle
 * core's exit from sleep, per packet) is most of a round trip's wall time. A client that
 * took longer than the window last time (a person typing) gets no polling: the CPU spent is at most
 * one window per reply of a back-to-back exchange. On a host whose cores are all busy (load average
 * at or above the core count) there is no idle core to wake and polling would only take CPU from
 * others: no polling then.
 */
import { availableParallelism, loadavg } from 'node:os';

export interface BusyPollClock {
  now(): number;
  /** Runs `callback` after the event loop's next poll (setImmediate). */
  later(callback: () => void): void;
  /** True when the host has a core to spare (asked at most once a second). */
  idleCore(): boolean;
}

const HOST_CLOCK: BusyPollClock = {
  now: () => performance.now(),
  later: (callback) => setImmediate(callback),
  idleCore: () => loadavg()[0]! < availableParallelism(),
};

/** How often the host's load is looked at again. */
const LOAD_CHECK_MS = 1000;

export class ReplyBusyPoll {
  private until = 0;
  private polling = false;
  private lastReply = -Infinity;
  private backToBack = false;
  private idle = true;
  private idleCheckedAt = -Infinity;

  /** `windowMs` 0 turns polling off. */
  constructor(
    readonly windowMs: number,
    private readonly clock: BusyPollClock = HOST_CLOCK,
  ) {}

  /** True while the loop is kept polling. */
  get isPolling(): boolean {
    return this.polling;
  }

  /** Bytes arrived from the client: was it back within the window of the last reply? */
  input(): void {
    this.backToBack = this.clock.now() - this.lastReply <= this.windowMs;
  }

  /** A reply went out: poll until the window after it ends, if the client answers back to back. */
  replied(): void {
    const now = this.clock.now();
    this.lastReply = now;
    if (!this.backToBack || this.windowMs <= 0) return;
    if (now - this.idleCheckedAt >= LOAD_CHECK_MS) {
      this.idleCheckedAt = now;
      this.idle = this.clock.idleCore();
    }
    if (!this.idle) return;
    this.until = now + this.windowMs;
    if (!this.polling) {
      this.polling = true;
      this.clock.later(this.poll);
    }
  }

  private readonly poll = (): void => {
    if (this.clock.now() < this.until) this.clock.later(this.poll);
    else this.polling = false;
  };
}
