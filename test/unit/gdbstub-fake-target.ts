/**
 * An in-memory GdbTarget for stub tests: registers, sparse RAM regions and a pretend CPU whose
 * "execution" only moves pc by the Thumb instruction size. Not an emulator and not gdb.
 */

import type {
  BreakpointType,
  GdbTarget,
  MemoryRegion,
  ResumeAction,
  StopReason,
  WatchpointType,
} from '../../src/gdbstub/target.js';

export interface FakeTargetOptions {
  regions?: MemoryRegion[];
  /** Steps a `continue` takes when nothing stops it; Infinity = until interrupted. */
  continueSteps?: number;
  reversible?: boolean;
}

export class FakeTarget implements GdbTarget {
  readonly registers = new Map<number, number>();
  readonly regions: { start: number; bytes: Uint8Array; name?: string }[];
  readonly breakpoints = new Set<number>();
  readonly watchpoints: { type: WatchpointType; addr: number; length: number }[] = [];
  readonly calls: string[] = [];
  interrupted = false;
  readOnly: string | null = null;
  private readonly continueSteps: number;
  reverseStep?: () => Promise<StopReason>;
  reverseContinue?: () => Promise<StopReason>;

  constructor(options: FakeTargetOptions = {}) {
    for (const regnum of [...Array(16).keys(), 25, 26, 27]) this.registers.set(regnum, 0);
    // gdb warns "unable to determine sp alias" unless sp equals msp or psp.
    this.registers.set(13, 0x20001000);
    this.registers.set(26, 0x20001000);
    this.registers.set(15, 0x100);
    this.registers.set(25, 0x01000000);
    this.regions = (options.regions ?? [
      { start: 0, length: 0x1000, name: 'flash' },
      { start: 0x20000000, length: 0x1000, name: 'ram' },
    ]).map((region) => ({ start: region.start, bytes: new Uint8Array(region.length), ...(region.name ? { name: region.name } : {}) }));
    this.continueSteps = options.continueSteps ?? 100;
    if (options.reversible) {
      this.reverseStep = async () => {
        this.calls.push('reverseStep');
        this.pc -= 2;
        return { kind: 'done-step' };
      };
      this.reverseContinue = async () => {
        this.calls.push('reverseContinue');
        return { kind: 'replaylog', pos: 'begin' };
      };
    }
  }

  get pc(): number {
    return this.registers.get(15)!;
  }
  set pc(value: number) {
    this.registers.set(15, value >>> 0);
  }

  readRegister(regnum: number): number | null {
    return this.registers.get(regnum) ?? null;
  }

  writeRegister(regnum: number, value: number): boolean {
    if (!this.registers.has(regnum)) return false;
    this.registers.set(regnum, value >>> 0);
    return true;
  }

  private locate(addr: number, length: number): { bytes: Uint8Array; offset: number } | null {
    for (const region of this.regions) {
      if (addr >= region.start && addr + length <= region.start + region.bytes.length) {
        return { bytes: region.bytes, offset: addr - region.start };
      }
    }
    return null;
  }

  readMemory(addr: number, length: number): Uint8Array | null {
    const place = this.locate(addr, length);
    return place ? place.bytes.slice(place.offset, place.offset + length) : null;
  }

  writeMemory(addr: number, data: Uint8Array): true | string {
    if (this.readOnly) return this.readOnly;
    const place = this.locate(addr, data.length);
    if (!place) return `no memory at 0x${addr.toString(16)}`;
    place.bytes.set(data, place.offset);
    return true;
  }

  /** Size of the Thumb instruction at pc: 4 for 32-bit encodings (first halfword 0b111xx, xx != 00). */
  instructionSize(): number {
    const bytes = this.readMemory(this.pc, 2);
    if (!bytes) return 2;
    const halfword = bytes[0]! | (bytes[1]! << 8);
    return halfword >>> 11 >= 0b11101 ? 4 : 2;
  }

  /** One pretend instruction. Subclasses give it meaning; a watch stop may come back instead. */
  protected execute(): StopReason | null {
    this.pc += this.instructionSize();
    return null;
  }

  async resume(action: ResumeAction): Promise<StopReason> {
    this.calls.push(action);
    this.interrupted = false;
    if (action === 'step') return this.execute() ?? { kind: 'done-step' };
    for (let n = 0; n < this.continueSteps; n++) {
      // Yield like a real target executing in slices, so 0x03 can arrive.
      if (n % 64 === 0) await new Promise((resolve) => setImmediate(resolve));
      if (this.interrupted) return { kind: 'signal', signal: 2 };
      const stop = this.execute();
      if (stop) return stop;
      if (this.breakpoints.has(this.pc)) return { kind: 'swbreak' };
    }
    if (this.continueSteps === Infinity) return { kind: 'signal', signal: 2 };
    return { kind: 'exited', code: 0 };
  }

  interrupt(): void {
    this.calls.push('interrupt');
    this.interrupted = true;
  }

  addBreakpoint(type: BreakpointType, addr: number, kind: number): boolean {
    this.calls.push(`addBreakpoint ${type} ${addr.toString(16)} ${kind}`);
    this.breakpoints.add(addr);
    return true;
  }

  removeBreakpoint(type: BreakpointType, addr: number, kind: number): boolean {
    this.calls.push(`removeBreakpoint ${type} ${addr.toString(16)} ${kind}`);
    this.breakpoints.delete(addr);
    return true;
  }

  addWatchpoint(type: WatchpointType, addr: number, length: number): boolean {
    this.calls.push(`addWatchpoint ${type} ${addr.toString(16)} ${length}`);
    this.watchpoints.push({ type, addr, length });
    return true;
  }

  removeWatchpoint(type: WatchpointType, addr: number, length: number): boolean {
    this.calls.push(`removeWatchpoint ${type} ${addr.toString(16)} ${length}`);
    const index = this.watchpoints.findIndex((w) => w.type === type && w.addr === addr && w.length === length);
    if (index >= 0) this.watchpoints.splice(index, 1);
    return true;
  }

  memoryRegions(): readonly MemoryRegion[] {
    return this.regions.map((region) => ({ start: region.start, length: region.bytes.length }));
  }

  monitor(command: string, out: (text: string) => void): void {
    this.calls.push(`monitor ${command}`);
    if (command === 'fail') throw new Error('monitor failed on purpose');
    out(`echo: ${command}\n`);
  }

  kill(): void {
    this.calls.push('kill');
  }

  detach(): void {
    this.calls.push('detach');
  }
}
