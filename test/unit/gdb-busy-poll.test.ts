/**
 * The TCP transport's busy polling after replies (src/gdbstub/transports/busy-poll.ts), on a fake
 * clock: it polls only for a client that came back within the window last time, for at most the
 * window after each reply, and never with a window of 0.
 */
import { describe, expect, it } from 'vitest';
import { ReplyBusyPoll } from '../../src/gdbstub/transports/busy-poll.js';

class FakeLoop {
  t = 0;
  queued: (() => void)[] = [];
  turns = 0;
  idle = true;
  loadChecks = 0;
  readonly clock = {
    now: () => this.t,
    later: (callback: () => void) => void this.queued.push(callback),
    idleCore: () => (this.loadChecks++, this.idle),
  };
  /** Runs the queued polls for `ms`, one loop turn every 0.01 ms. */
  advance(ms: number): void {
    const end = this.t + ms;
    while (this.t < end) {
      this.t = Math.min(end, this.t + 0.01);
      const now = this.queued.splice(0);
      this.turns += now.length;
      for (const callback of now) callback();
    }
  }
}

describe('ReplyBusyPoll', () => {
  it('polls after replies to a back-to-back client, for the window only', () => {
    const loop = new FakeLoop();
    const poll = new ReplyBusyPoll(0.25, loop.clock);
    // The first packet of a connection: nothing to go by yet, no polling.
    poll.input();
    poll.replied();
    expect(poll.isPolling).toBe(false);
    loop.advance(0.05);
    // Back within 0.05 ms: the next reply polls for 0.25 ms, then stops.
    poll.input();
    poll.replied();
    expect(poll.isPolling).toBe(true);
    loop.advance(0.2);
    expect(poll.isPolling).toBe(true);
    loop.advance(0.1);
    expect(poll.isPolling).toBe(false);
    const turns = loop.turns;
    expect(turns).toBeGreaterThanOrEqual(24);
    expect(turns).toBeLessThanOrEqual(27);
    // A client that took longer than the window (a person typing) gets no polling.
    loop.advance(5);
    poll.input();
    poll.replied();
    expect(poll.isPolling).toBe(false);
    loop.advance(1);
    expect(loop.turns).toBe(turns);
  });

  it('a reply while polling extends the window instead of starting a second poll', () => {
    const loop = new FakeLoop();
    const poll = new ReplyBusyPoll(0.25, loop.clock);
    poll.input();
    poll.replied();
    poll.input();
    poll.replied();
    loop.advance(0.2);
    poll.input();
    poll.replied();
    expect(loop.queued.length).toBe(1);
    loop.advance(0.2);
    expect(poll.isPolling).toBe(true);
    loop.advance(0.1);
    expect(poll.isPolling).toBe(false);
  });

  it('does not poll while the host has no idle core, and looks at the load once a second', () => {
    const loop = new FakeLoop();
    loop.idle = false;
    const poll = new ReplyBusyPoll(0.25, loop.clock);
    for (let i = 0; i < 10; i++) {
      poll.input();
      poll.replied();
      loop.advance(0.05);
    }
    expect(poll.isPolling).toBe(false);
    expect(loop.turns).toBe(0);
    expect(loop.loadChecks).toBe(1);
    loop.idle = true;
    loop.advance(1000);
    poll.input();
    poll.replied();
    poll.input();
    poll.replied();
    expect(poll.isPolling).toBe(true);
    expect(loop.loadChecks).toBe(2);
  });

  it('a window of 0 never polls', () => {
    const loop = new FakeLoop();
    const poll = new ReplyBusyPoll(0, loop.clock);
    for (let i = 0; i < 3; i++) {
      poll.input();
      poll.replied();
    }
    expect(poll.isPolling).toBe(false);
    expect(loop.queued.length).toBe(0);
  });
});
