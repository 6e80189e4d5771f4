/**
 * The Performance Monitors as QEMU 7.2 implements them for a Cortex-A15 (target/arm/helper.c):
 * PMCR (N = 6 counters, reset from the profile: 0x410f3000 on the A15, 0x41093000 on the A9), the cycle counter PMCCNTR counting virtual nanoseconds
 * (QEMU's cycles at ARM_CPU_FREQ = 1 GHz, so icount-exact), six event counters of which SW_INCR
 * (0x00), INST_RETIRED (0x08, the instruction count) and CPU_CYCLES (0x11) count, enable/overflow/
 * interrupt-enable sets, PMSELR/PMXEVTYPER/PMXEVCNTR and PMUSERENR (PL0 access). PMCEID0/1 do not
 * exist on this v7 core (UNDEFINED, as measured).
 *
 * Counters follow QEMU's delta scheme: while enabled a counter's value is (source count − delta),
 * re-derived around every access ("op start/finish"), so nothing ticks per instruction. Overflow
 * is detected at those points and by QEMU's pmu_timer: every op finish arms it (earlier only,
 * timer_mod_anticipate) at the virtual time the cycle counter wraps, or an INST_RETIRED/CPU_CYCLES
 * counter reaches 0xffffffff (QEMU's "-(count + 1)": that timer fires one count early, finds no
 * overflow and is not re-armed, so such an overflow shows at the next PMU access). The `irq` line
 * (virt: PPI 7, INTID 23) follows QEMU's pmu_update_irq: E && (PMINTEN & PMOVSR), updated when
 * an overflow is found and on PMOVS/PMINTEN writes. Exception entry and return count as accesses
 * (QEMU's EL-change hooks); PMOVSR reads do not.
 */
import type { StatefulComponent } from '../../devices/device.js';
import type { IrqLine } from '../../devices/irq.js';
import { VirtualTimer, type VirtualClock } from '../../clock.js';
import type { SysRegDef, SysRegFile } from './sysreg-registry.js';

const COUNTERS = 6;
const PMCR_E = 1 << 0;
const PMCR_P = 1 << 1;
const PMCR_C = 1 << 2;
const PMCR_D = 1 << 3;
const PMCR_LC = 1 << 6;
/** PMCR bits that are stored (QEMU: E, D, X, DP, LC, LP; measured 0xf9); P and C are actions. */
const PMCR_WRITABLE = 0xf9;
const CYCLE_BIT = 31;
const COUNTER_MASK = ((1 << COUNTERS) - 1) | (1 << CYCLE_BIT);
const EVTYPER_MASK = 0xfe00ffff;
const PMCCFILTR_MASK = 0xfc000000;
const EVENT_SW_INCR = 0x00;
const EVENT_INST_RETIRED = 0x08;
const EVENT_CPU_CYCLES = 0x11;
const TWO32 = 2 ** 32;

export interface PmuState extends Record<string, number | number[]> {
  pmcr: number;
  cntEn: number;
  intEn: number;
  ovs: number;
  selr: number;
  userEn: number;
  ccntFilter: number;
  /** Cycle counter (up to 64 bits, as a non-negative number) and its delta while running. */
  ccnt: number;
  ccntDelta: number;
  evType: number[];
  evCnt: number[];
  evDelta: number[];
}

function initialState(pmcrReset: number): PmuState {
  return {
    pmcr: pmcrReset,
    cntEn: 0,
    intEn: 0,
    ovs: 0,
    selr: 0,
    userEn: 0,
    ccntFilter: 0,
    ccnt: 0,
    ccntDelta: 0,
    evType: new Array<number>(COUNTERS).fill(0),
    evCnt: new Array<number>(COUNTERS).fill(0),
    evDelta: new Array<number>(COUNTERS).fill(0),
  };
}

const u32 = (v: number): number => v >>> 0;

export class Pmu implements StatefulComponent<PmuState> {
  readonly name = 'pmu';
  s: PmuState;
  /** The PMU overflow interrupt (a PPI on virt), when the board wires it. */
  irq: IrqLine | null = null;
  private readonly timer: VirtualTimer;

  constructor(
    private readonly clock: VirtualClock,
    /** PMCR after reset: IDCODE and N as the core's QEMU model (reset_pmcr_el0). */
    private readonly pmcrReset: number,
  ) {
    this.s = initialState(pmcrReset);
    // QEMU's arm_pmu_timer_cb: bring the counters up to date (raising overflows), re-arm.
    this.timer = clock.addTimer(
      new VirtualTimer('pmu', 'pmu', () => {
        this.opStart();
        this.opFinish();
      }),
    );
  }

  reset(): void {
    this.s = initialState(this.pmcrReset);
    this.clock.disarm(this.timer);
    this.irq?.(false);
  }

  /** The deadline is restored with the clock; the line level follows from the state. */
  private updateIrq(): void {
    this.irq?.((this.s.pmcr & PMCR_E) !== 0 && (this.s.intEn & this.s.ovs) !== 0);
  }

  /** timer_mod_anticipate_ns: only ever moves the deadline earlier. */
  private anticipate(inNs: number): void {
    if (!(inNs > 0) || inNs >= 2 ** 63) return;
    const at = this.clock.nowNs() + inNs;
    const cur = this.timer.deadlineNs;
    if (cur >= 0 && cur <= at) return;
    this.clock.arm(this.timer, at);
  }
  save(): PmuState {
    const s = this.s;
    return { ...s, evType: s.evType.slice(), evCnt: s.evCnt.slice(), evDelta: s.evDelta.slice() };
  }
  load(st: PmuState): void {
    this.s = { ...st, evType: st.evType.slice(), evCnt: st.evCnt.slice(), evDelta: st.evDelta.slice() };
    this.updateIrq();
  }

  // ---- counting (QEMU's pmu_op_start / pmu_op_finish) ----------------------------------------

  private cycles(): number {
    return this.clock.nowNs();
  }
  private ccntEnabled(): boolean {
    return (this.s.pmcr & PMCR_E) !== 0 && (this.s.cntEn & (1 << CYCLE_BIT)) !== 0;
  }
  private counterEnabled(i: number): boolean {
    return (this.s.pmcr & PMCR_E) !== 0 && (this.s.cntEn & (1 << i)) !== 0;
  }
  private eventCount(i: number): number {
    switch (this.s.evType[i]! & 0xffff) {
      case EVENT_INST_RETIRED:
        return this.clock.icount;
      case EVENT_CPU_CYCLES:
        return this.cycles();
      default:
        return 0; // SW_INCR counts through PMSWINC; unsupported events count nothing
    }
  }

  private opStart(): void {
    const s = this.s;
    const now = this.cycles();
    if (this.ccntEnabled()) {
      const eff = (s.pmcr & PMCR_D) !== 0 ? Math.floor(now / 64) : now;
      const next = eff - s.ccntDelta;
      const mask = (s.pmcr & PMCR_LC) !== 0 ? 2 ** 63 : 2 ** 31;
      // Overflow: the top bit was set before and is clear now (the counter wrapped).
      if (Math.floor(s.ccnt / mask) % 2 === 1 && Math.floor(next / mask) % 2 === 0) {
        s.ovs |= 1 << CYCLE_BIT;
        this.updateIrq();
      }
      s.ccnt = (s.pmcr & PMCR_LC) !== 0 ? next : next % TWO32;
    }
    s.ccntDelta = now;
    for (let i = 0; i < COUNTERS; i++) {
      const count = this.eventCount(i);
      if (this.counterEnabled(i)) {
        const next = u32(count - s.evDelta[i]!);
        if ((s.evCnt[i]! & 0x80000000) !== 0 && (next & 0x80000000) === 0) {
          s.ovs |= 1 << i;
          this.updateIrq();
        }
        s.evCnt[i] = next;
      }
      s.evDelta[i] = count;
    }
  }

  private opFinish(): void {
    const s = this.s;
    if (this.ccntEnabled()) {
      // Cycles until the counter wraps (1 GHz: one cycle per ns); with LC a 64-bit wrap.
      this.anticipate((s.pmcr & PMCR_LC) !== 0 ? 2 ** 64 - s.ccnt : (TWO32 - (s.ccnt % TWO32)) % TWO32);
      const prev = (s.pmcr & PMCR_D) !== 0 ? Math.floor(s.ccntDelta / 64) : s.ccntDelta;
      s.ccntDelta = prev - s.ccnt;
    }
    for (let i = 0; i < COUNTERS; i++) {
      if (!this.counterEnabled(i)) continue;
      const toAllOnes = u32(-(s.evCnt[i]! + 1));
      const ev = s.evType[i]! & 0xffff;
      if (ev === EVENT_INST_RETIRED) this.anticipate(toAllOnes * this.clock.scale);
      else if (ev === EVENT_CPU_CYCLES) this.anticipate(toAllOnes);
      s.evDelta[i] = s.evDelta[i]! - s.evCnt[i]!;
    }
  }

  /**
   * QEMU's pmu_pre_el_change/pmu_post_el_change hooks: every exception entry (semihosting calls
   * included) and every exception return brings the counters up to date and re-arms the timer.
   */
  elChange(): void {
    this.opStart();
    this.opFinish();
  }

  /** Run `f` between op start and finish (every access that reads or changes counting). */
  private op<T>(f: () => T): T {
    this.opStart();
    const v = f();
    this.opFinish();
    return v;
  }

  // ---- registers ---------------------------------------------------------------------------

  define(file: SysRegFile): void {
    const s = (): PmuState => this.s;
    const pl0 = (): boolean => (this.s.userEn & 1) !== 0;
    const reg = (name: string, crm: number, opc2: number, read?: () => number, write?: (v: number) => void, pl0Ok = true): SysRegDef => ({
      name,
      cp: 15,
      opc1: 0,
      crn: 9,
      crm,
      opc2,
      pl0Read: pl0Ok ? pl0 : false,
      pl0Write: pl0Ok ? pl0 : false,
      read: read ? () => read() | 0 : undefined,
      write: write ? (v) => write(v) : undefined,
    });
    file.defineAll([
      reg(
        'PMCR',
        12,
        0,
        () => s().pmcr,
        (v) =>
          this.op(() => {
            const st = s();
            if ((v & PMCR_C) !== 0) st.ccnt = 0;
            if ((v & PMCR_P) !== 0) st.evCnt.fill(0);
            st.pmcr = (st.pmcr & ~PMCR_WRITABLE) | (v & PMCR_WRITABLE);
          }),
      ),
      reg('PMCNTENSET', 12, 1, () => s().cntEn, (v) => this.op(() => void (s().cntEn = (s().cntEn | (v & COUNTER_MASK)) | 0))),
      reg('PMCNTENCLR', 12, 2, () => s().cntEn, (v) => this.op(() => void (s().cntEn = s().cntEn & ~(v & COUNTER_MASK)))),
      // Reads see an overflow that already happened (QEMU raises it from a timer at the time).
      // PMOVSR/PMOVSSET reads are plain field reads in QEMU (no op start: an overflow not yet
      // found by the timer or another access does not show).
      reg('PMOVSR', 12, 3, () => s().ovs, (v) => {
        s().ovs = s().ovs & ~(v & COUNTER_MASK);
        this.updateIrq();
      }),
      reg('PMSWINC', 12, 4, undefined, (v) =>
        this.op(() => {
          const st = s();
          for (let i = 0; i < COUNTERS; i++) {
            if ((v & (1 << i)) === 0 || !this.counterEnabled(i) || (st.evType[i]! & 0xffff) !== EVENT_SW_INCR) continue;
            const next = u32(st.evCnt[i]! + 1);
            if (next === 0) {
              st.ovs |= 1 << i;
              this.updateIrq();
            }
            st.evCnt[i] = next;
          }
        }),
      ),
      reg('PMSELR', 12, 5, () => s().selr, (v) => void (s().selr = v & 0x1f)),
      reg('PMCCNTR', 13, 0, () => this.op(() => u32(s().ccnt % TWO32)), (v) =>
        this.op(() => {
          const st = s();
          st.ccnt = Math.floor(st.ccnt / TWO32) * TWO32 + u32(v);
        }),
      ),
      reg(
        'PMXEVTYPER',
        13,
        1,
        () => {
          const sel = s().selr;
          if (sel === 31) return s().ccntFilter;
          return sel < COUNTERS ? s().evType[sel]! : 0;
        },
        (v) =>
          this.op(() => {
            const st = s();
            if (st.selr === 31) st.ccntFilter = v & PMCCFILTR_MASK;
            else if (st.selr < COUNTERS) {
              const i = st.selr;
              const changed = ((st.evType[i]! ^ v) & 0xffff) !== 0;
              st.evType[i] = v & EVTYPER_MASK;
              // A new event counts from now on, continuing from the counter's value (QEMU).
              if (changed) st.evDelta[i] = this.eventCount(i);
            }
          }),
      ),
      reg(
        'PMXEVCNTR',
        13,
        2,
        () => this.op(() => (s().selr < COUNTERS ? s().evCnt[s().selr]! : 0)),
        (v) =>
          this.op(() => {
            // UNPREDICTABLE for a counter that does not exist: RAZ/WI, as QEMU.
            if (s().selr < COUNTERS) s().evCnt[s().selr] = u32(v);
          }),
      ),
      { ...reg('PMUSERENR', 14, 0, () => s().userEn, (v) => void (s().userEn = v & 1), false), pl0Read: true },
      reg('PMINTENSET', 14, 1, () => s().intEn, (v) => {
        s().intEn = (s().intEn | (v & COUNTER_MASK)) | 0;
        this.updateIrq();
      }, false),
      reg('PMINTENCLR', 14, 2, () => s().intEn, (v) => {
        s().intEn = s().intEn & ~(v & COUNTER_MASK);
        this.updateIrq();
      }, false),
      reg('PMOVSSET', 14, 3, () => s().ovs, (v) => {
        s().ovs = (s().ovs | (v & COUNTER_MASK)) | 0;
        this.updateIrq();
      }),
    ]);
  }
}
