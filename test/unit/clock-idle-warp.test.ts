/**
 * VirtualClock.arm's idle warp, QEMU 7.2's timerlist_rearm -> icount_start_warp_timer with
 * sleep=off: a timer armed ahead of every other armed timer while all CPUs are idle moves virtual
 * time to it at once (bias += deadline - now); otherwise time stays put.
 */
import { describe, expect, it } from 'vitest';
import { VirtualClock, VirtualTimer } from '../../src/emulator/clock.js';

function rig(idle: boolean) {
  const clock = new VirtualClock(7);
  clock.icount = 1000; // now = 128,000 ns
  const a = clock.addTimer(new VirtualTimer('a', 'test', () => {}));
  const b = clock.addTimer(new VirtualTimer('b', 'test', () => {}));
  clock.isCpuIdle = () => idle;
  return { clock, a, b };
}

describe('VirtualClock idle warp on re-arm', () => {
  it('warps to a timer armed ahead of every other one while the CPU is idle', () => {
    const { clock, a, b } = rig(true);
    clock.arm(b, 500_000);
    // b was the only timer: it is the earliest, so time moved to it.
    expect(clock.nowNs()).toBe(500_000);
    clock.arm(a, 700_000); // behind b: no warp
    expect(clock.nowNs()).toBe(500_000);
    expect(clock.insnsUntilDeadline()).toBe(0);
  });

  it('does not warp when the new deadline only ties the earliest one (QEMU queues it after)', () => {
    const { clock, a, b } = rig(true);
    clock.isCpuIdle = () => false;
    clock.arm(b, 300_000);
    clock.isCpuIdle = () => true;
    clock.arm(a, 300_000);
    expect(clock.nowNs()).toBe(128_000);
    clock.arm(a, 299_999); // strictly earlier: warps
    expect(clock.nowNs()).toBe(299_999);
  });

  it('re-arming a timer compares it with the other timers, not with its own old deadline', () => {
    const { clock, a, b } = rig(false);
    clock.arm(a, 200_000);
    clock.arm(b, 400_000);
    clock.isCpuIdle = () => true;
    clock.arm(a, 350_000); // later than its old deadline, still ahead of b
    expect(clock.nowNs()).toBe(350_000);
  });

  it('never warps while the CPU is running or would wake, nor backwards', () => {
    const { clock, a, b } = rig(false);
    clock.arm(a, 900_000);
    expect(clock.nowNs()).toBe(128_000);
    clock.isCpuIdle = () => true;
    clock.arm(b, 100_000); // already due: nothing to skip
    expect(clock.nowNs()).toBe(128_000);
  });
});
