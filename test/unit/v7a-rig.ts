/** A bare ArmV7aCpu on RAM at 0x40000000 for unit tests: write A32/T32 words, run, inspect. */
import { Bus } from '../../src/emulator/memory/bus.js';
import { VirtualClock } from '../../src/emulator/clock.js';
import { ArmV7aState } from '../../src/emulator/cpu/v7a/state.js';
import { ArmV7aCpu } from '../../src/emulator/cpu/v7a/cpu.js';
import { RUNNING } from '../../src/emulator/cpu/state.js';

export const RAM_BASE = 0x40000000;
export const CODE = 0x40001000;

export class V7aRig {
  readonly bus = new Bus([{ name: 'ram', base: RAM_BASE, size: 0x100000 }]);
  readonly clock = new VirtualClock(0);
  readonly state = new ArmV7aState();
  readonly cpu = new ArmV7aCpu(this.state, this.bus, this.clock);
  events: string[] = [];

  constructor(entry = CODE) {
    this.cpu.exceptions.setBootEntry(entry);
    this.cpu.exceptions.resetCore();
    this.cpu.exceptions.onExceptionEvent = (k) => this.events.push(k);
  }

  /** Write A32 words (or T32 halfwords with `thumb`) at `addr`. */
  a32(addr: number, ...words: number[]): this {
    words.forEach((w, i) => this.bus.write32(addr + 4 * i, w | 0));
    return this;
  }
  t16(addr: number, ...halves: number[]): this {
    halves.forEach((h, i) => this.bus.write16(addr + 2 * i, h));
    return this;
  }

  /** Run `n` instructions (or until the core sleeps), taking pending interrupts at boundaries. */
  run(n: number): this {
    for (let i = 0; i < n; i++) {
      if (this.state.sleep !== RUNNING) break;
      this.cpu.exceptions.takePendingException();
      this.cpu.exitRequest = false;
      this.cpu.execute(1);
    }
    return this;
  }

  get pc(): number {
    return this.state.r[15]! >>> 0;
  }
  cpsr(): number {
    return this.state.getCpsr() >>> 0;
  }
}
