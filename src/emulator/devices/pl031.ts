/**
 * Arm PrimeCell PL031 real-time clock as QEMU 7.2 models it (hw/rtc/pl031.c): a 32-bit seconds
 * counter DR = tick_offset + rtc_clock / 1 s, a load register that moves tick_offset, a match
 * register whose alarm sets RIS, and IMSC gating the interrupt. CR always reads 1.
 *
 * Two clock sources, as QEMU's `-rtc`:
 * - host (default): every DR/LR/MR access reads the host wall clock through the HostPort, so a
 *   recording logs it as CLOCK_HOST and a replay answers from the log (QEMU's rtc_clock = host).
 * - `--rtc-base DATETIME` (QEMU's `-rtc base=DATETIME,clock=vm`): the clock starts at DATETIME and
 *   follows virtual time, so no host input is involved at all.
 * The match alarm always runs on the VirtualClock (QEMU's host-clock alarm would fire on wall
 * time, which no deterministic replay can follow); with `--rtc-base` this is exactly QEMU.
 */
import { Device } from './device.js';
import type { IrqLine } from './irq.js';
import { VirtualTimer, type VirtualClock } from '../clock.js';
import type { HostPort } from '../io/input-port.js';

const RTC_DR = 0x00;
const RTC_MR = 0x04;
const RTC_LR = 0x08;
const RTC_CR = 0x0c;
const RTC_IMSC = 0x10;
const RTC_RIS = 0x14;
const RTC_MIS = 0x18;
const RTC_ICR = 0x1c;

/** PeriphID0-3, PCellID0-3 at 0xfe0 (QEMU's pl031_id). */
const PL031_ID = [0x31, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1];
const NS_PER_S = 1e9;

/** Where the RTC's time comes from. */
export type RtcClockSource = { kind: 'host' } | { kind: 'virtual'; baseSeconds: number };

/** Parses `--rtc-base` (QEMU's `-rtc base=`): `YYYY-MM-DDTHH:MM:SS` or `YYYY-MM-DD`, UTC. */
export function parseRtcBase(text: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2}))?$/.exec(text);
  if (!m) throw new RangeError(`invalid --rtc-base '${text}': expected YYYY-MM-DDTHH:MM:SS or YYYY-MM-DD (UTC), as QEMU's -rtc base=`);
  const [y, mo, d, h, mi, s] = m.slice(1).map((x) => (x === undefined ? 0 : Number(x))) as [number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) {
    throw new RangeError(`invalid --rtc-base '${text}': no such date/time`);
  }
  return ms / 1000;
}

function initialState(tickOffset: number) {
  return {
    /** Seconds added to the clock source (uint32, as QEMU's tick_offset). */
    tickOffset,
    /** Host seconds of the last host-clock read (what a debugger's read shows: it may not read the host). */
    lastHostSeconds: 0,
    mr: 0,
    lr: 0,
    im: 0,
    is: 0,
  };
}

export type Pl031State = ReturnType<typeof initialState>;

export class Pl031 extends Device<Pl031State> {
  private readonly alarm: VirtualTimer;

  constructor(
    private readonly clock: VirtualClock,
    private readonly host: HostPort,
    private readonly source: RtcClockSource,
    private readonly irq: IrqLine,
    /** True during a debugger's read (Bus.debugMmioRead): no host-clock read then. */
    private readonly debugRead: () => boolean = () => false,
  ) {
    // Host source: QEMU's init takes the host date minus the host clock, i.e. offset 0.
    super('pl031', initialState(source.kind === 'virtual' ? source.baseSeconds >>> 0 : 0));
    this.alarm = clock.addTimer(
      new VirtualTimer('pl031.alarm', 'pl031', () => this.raise(), () => ({ match: this.s.mr, im: this.s.im })),
    );
  }

  override reset(): void {
    super.reset();
    this.clock.disarm(this.alarm);
    this.irq(false);
  }

  override load(state: Pl031State): void {
    super.load(state);
    this.update();
  }

  /** Seconds of the clock source (host wall clock, or virtual time). */
  private sourceSeconds(): number {
    if (this.source.kind === 'virtual') return Math.floor(this.clock.nowNs() / NS_PER_S);
    if (this.debugRead()) return this.s.lastHostSeconds;
    this.s.lastHostSeconds = Math.floor(this.host.hostClockNs() / NS_PER_S);
    return this.s.lastHostSeconds;
  }

  private count(): number {
    return (this.s.tickOffset + this.sourceSeconds()) >>> 0;
  }

  private raise(): void {
    this.s.is = 1;
    this.update();
  }

  private setAlarm(): void {
    const ticks = (this.s.mr - this.count()) >>> 0;
    if (ticks === 0) {
      this.clock.disarm(this.alarm);
      this.raise();
    } else {
      this.clock.arm(this.alarm, this.clock.nowNs() + ticks * NS_PER_S);
    }
  }

  private update(): void {
    this.irq((this.s.is & this.s.im) !== 0);
  }

  read(offset: number, size: 1 | 2 | 4): number {
    const s = this.s;
    let r: number;
    switch (offset) {
      case RTC_DR:
        r = this.count();
        break;
      case RTC_MR:
        r = s.mr;
        break;
      case RTC_IMSC:
        r = s.im;
        break;
      case RTC_RIS:
        r = s.is;
        break;
      case RTC_LR:
        r = s.lr;
        break;
      case RTC_CR:
        r = 1; // permanently enabled
        break;
      case RTC_MIS:
        r = s.is & s.im;
        break;
      default:
        r = offset >= 0xfe0 && offset < 0x1000 ? PL031_ID[(offset - 0xfe0) >> 2]! : 0;
    }
    return size === 4 ? r >>> 0 : r & (size === 2 ? 0xffff : 0xff);
  }

  write(offset: number, value: number, _size: 1 | 2 | 4): void {
    const s = this.s;
    value >>>= 0;
    switch (offset) {
      case RTC_LR:
        // Moves tick_offset; RTCLR reads back the value written (measured on QEMU 7.2).
        s.tickOffset = (s.tickOffset + value - this.count()) >>> 0;
        s.lr = value;
        this.setAlarm();
        break;
      case RTC_MR:
        s.mr = value;
        this.setAlarm();
        break;
      case RTC_IMSC:
        s.im = value & 1;
        this.update();
        break;
      case RTC_ICR:
        s.is &= ~value;
        this.update();
        break;
      default:
        break; // CR is ignored; DR/RIS/MIS are read-only
    }
  }
}
