/**
 * The ARMv7-M instruction-set side of a Cortex-M3 core: fetch, IT-block handling, decode through the
 * T16/T32 tables, and the memory/branch helpers instruction handlers share. Everything that is not
 * plain data processing (exceptions, special registers, semihosting) goes through `sys`.
 *
 * PC convention while a handler runs: `r[15]` holds the architectural read value (instruction
 * address + 4); `pc` is the instruction address and `nextPc` where execution continues. Handlers
 * branch by setting `nextPc` (through `branchTo`/`bxWritePc`), never by writing `r[15]`.
 *
 * icount rules (checked against qemu-system-arm 7.2 -icount): an instruction is counted before it
 * runs; a fault raised by a data access (BusFault, UNALIGNED, DIVBYZERO) or by the fetch is not
 * counted, while UNDEFINED, NOCP, INVSTATE, SVC and BKPT are.
 */
import type { Bus } from '../memory/bus.js';
import { BUS_FAULT } from '../memory/bus.js';
import type { VirtualClock } from '../clock.js';
import type { CoreExecutor } from '../machines/machine.js';
import { CpuState, RUNNING, LR } from './state.js';
import type { CpuSystem } from './system.js';
import { UsageCause } from './system.js';
import { conditionPassed } from './alu.js';
import { T16_ARGS, T16_EXEC } from './t16.js';
import { T32_BUCKETS } from './t32.js';
import { bucketKey32, match32 } from './decode-table.js';
import type { Fields } from './decode-table.js';
import type { Handler } from './t16.js';

/** A 32-bit instruction decoded once: its handler and its extracted fields. */
interface DecodedInsn {
  exec: Handler;
  args: Fields;
}
const T32_CACHE_LIMIT = 1 << 16;
const undefinedHandler: Handler = (c) => c.undefined();

/** Thrown (this exact object) by handlers for faults QEMU raises at run time (not counted in icount). */
export class SyncFaultSignal {
  cause: UsageCause = UsageCause.UNALIGNED;
}
export const SYNC_FAULT = new SyncFaultSignal();

export class Cpu implements CoreExecutor {
  /** Set by the board after construction. */
  sys!: CpuSystem;
  exitRequest = false;
  hitBreakpoint = false;
  skipBreakpointOnce = false;
  readonly breakpoints = new Set<number>();
  /** CCR.DIV_0_TRP and CCR.UNALIGN_TRP, mirrored here by the system side. */
  divZeroTrap = false;
  unalignTrap = false;

  readonly r: Int32Array;
  /** Address of the instruction being executed. */
  pc = 0;
  /** Where execution continues after this instruction. */
  nextPc = 0;
  /** The raw instruction (halfword, or hw1 << 16 | hw2). */
  insn = 0;
  /** True when the current instruction is inside an IT block (16-bit forms then do not set flags). */
  inIt = false;
  /** ITSTATE before this instruction, restored when it faults. */
  private itBefore = 0;
  private fetching = false;
  /** EXC_RETURN written to PC by this instruction (0 = none); performed after the handler. */
  private excReturn = 0;
  /** Decoded 32-bit instructions by encoding (bounded; code is usually far smaller). */
  private readonly t32Cache = new Map<number, DecodedInsn>();
  /** LDM scratch so a faulting load leaves registers untouched. */
  readonly loadBuffer = new Int32Array(16);

  constructor(
    readonly state: CpuState,
    readonly bus: Bus,
    readonly clock: VirtualClock,
  ) {
    this.r = state.r;
  }

  execute(budget: number): number {
    const st = this.state;
    const r = this.r;
    const clock = this.clock;
    const bps = this.breakpoints;
    let skipBp = this.skipBreakpointOnce;
    this.skipBreakpointOnce = false;
    let retired = 0;
    while (retired < budget) {
      const pc = r[15]!;
      if (bps.size !== 0 && !skipBp && bps.has(pc >>> 0)) {
        this.hitBreakpoint = true;
        break;
      }
      skipBp = false;
      clock.icount++;
      retired++;
      try {
        this.step(pc);
      } catch (e) {
        // Rare path: a data/fetch fault. The instruction did not happen (QEMU restores icount).
        r[15] = pc;
        st.itstate = this.itBefore;
        this.excReturn = 0;
        clock.icount--;
        retired--;
        if (e === BUS_FAULT) {
          if (this.fetching) {
            this.fetching = false;
            this.sys.prefetchAbort(pc);
          } else {
            this.sys.busFault(BUS_FAULT.address, BUS_FAULT.isWrite, pc);
          }
        } else if (e === SYNC_FAULT) {
          this.sys.usageFault(SYNC_FAULT.cause, pc);
        } else {
          throw e;
        }
        break;
      }
      if (this.exitRequest || st.sleep !== RUNNING) break;
    }
    return retired;
  }

  /** Execute one instruction at `pc` (icount already advanced). */
  private step(pc: number): void {
    const st = this.state;
    const r = this.r;
    const it = st.itstate;
    this.pc = pc;
    this.itBefore = it;
    if (st.thumb === 0) {
      this.nextPc = pc;
      this.sys.usageFault(UsageCause.INVSTATE, pc);
      return;
    }
    this.fetching = true;
    const hw = this.bus.fetch16(pc);
    let insn = hw;
    let size = 2;
    if (hw >= 0xe800) {
      insn = (hw << 16) | this.bus.fetch16(pc + 2);
      size = 4;
    }
    this.fetching = false;
    this.insn = insn;
    r[15] = pc + 4;
    this.nextPc = (pc + size) | 0;
    if (it !== 0) {
      st.itstate = (it & 7) === 0 ? 0 : (it & 0xe0) | ((it << 1) & 0x1f);
      this.inIt = true;
      if (!conditionPassed(st, it >>> 4)) {
        r[15] = this.nextPc;
        return;
      }
    } else {
      this.inIt = false;
    }
    if (size === 2) {
      T16_EXEC[hw]!(this, T16_ARGS[hw]!);
    } else {
      let d = this.t32Cache.get(insn);
      if (d === undefined) d = this.decode32(insn);
      d.exec(this, d.args);
    }
    r[15] = this.nextPc;
    if (this.excReturn !== 0) {
      const v = this.excReturn;
      this.excReturn = 0;
      this.sys.exceptionReturn(v);
    }
  }

  /** Decode a 32-bit instruction once; later executions reuse handler and extracted fields. */
  private decode32(insn: number): DecodedInsn {
    const e = match32(T32_BUCKETS[bucketKey32(insn)]!, insn);
    let d: DecodedInsn;
    if (e === null) {
      d = { exec: undefinedHandler, args: {} };
    } else {
      const args: Fields = {};
      for (const f of e.fieldNames) args[f] = 0;
      e.extract(insn, args);
      d = { exec: e.exec, args };
    }
    if (this.t32Cache.size >= T32_CACHE_LIMIT) this.t32Cache.clear();
    this.t32Cache.set(insn, d);
    return d;
  }

  // ---- helpers for handlers ------------------------------------------------------------------

  /** True when this instruction is the last one of an IT block (or outside one). */
  lastInItOrOutside(): boolean {
    return !this.inIt || this.state.itstate === 0;
  }

  /** Leave PC at the faulting instruction with its ITSTATE (the fault is taken before the next). */
  private abandon(): void {
    this.nextPc = this.pc;
    this.state.itstate = this.itBefore;
    this.r[15] = this.pc;
  }

  /** UNDEFINED (or UNPREDICTABLE treated as UNDEFINED): UsageFault UNDEFINSTR, counted. */
  undefined(): void {
    this.abandon();
    this.sys.undefinedInstruction(this.pc);
  }

  /** UsageFault decided at decode time (NOCP, INVSTATE...): counted, like QEMU's translate-time faults. */
  usageFault(cause: UsageCause): void {
    this.abandon();
    this.sys.usageFault(cause, this.pc);
  }

  /** Run-time UsageFault (UNALIGNED, DIVBYZERO): not counted. Never returns. */
  runtimeFault(cause: UsageCause): never {
    SYNC_FAULT.cause = cause;
    throw SYNC_FAULT;
  }

  /** BranchWritePC: plain branch, stays in Thumb state. */
  branchTo(addr: number): void {
    this.nextPc = addr & ~1;
  }

  /** BXWritePC / LoadWritePC: interworking branch, or exception return from handler mode. */
  bxWritePc(addr: number): void {
    const st = this.state;
    if (st.ipsr !== 0 && addr >>> 28 === 0xf) {
      this.excReturn = addr | 0;
      this.nextPc = addr & ~1;
      return;
    }
    st.thumb = addr & 1;
    this.nextPc = addr & ~1;
  }

  /** BL/BLX: link register gets the return address with the Thumb bit. */
  link(): void {
    this.r[LR] = this.nextPc | 1;
  }

  svc(imm: number): void {
    this.r[15] = this.nextPc;
    this.sys.svc(imm);
  }

  bkpt(imm: number): void {
    this.r[15] = this.pc;
    if (!this.sys.bkpt(imm, this.pc)) {
      this.abandon();
    }
  }

  /** Word-aligned access required (LDM/STM/LDRD/STRD/exclusives). */
  checkAligned(addr: number, size: number): void {
    if ((addr & (size - 1)) !== 0) this.runtimeFault(UsageCause.UNALIGNED);
  }

  // Data accesses that may be unaligned unless CCR.UNALIGN_TRP is set.
  load32(addr: number): number {
    if ((addr & 3) !== 0 && this.unalignTrap) this.runtimeFault(UsageCause.UNALIGNED);
    return this.bus.read32(addr);
  }
  load16(addr: number): number {
    if ((addr & 1) !== 0 && this.unalignTrap) this.runtimeFault(UsageCause.UNALIGNED);
    return this.bus.read16(addr);
  }
  load8(addr: number): number {
    return this.bus.read8(addr);
  }
  store32(addr: number, v: number): void {
    if ((addr & 3) !== 0 && this.unalignTrap) this.runtimeFault(UsageCause.UNALIGNED);
    this.bus.write32(addr, v);
  }
  store16(addr: number, v: number): void {
    if ((addr & 1) !== 0 && this.unalignTrap) this.runtimeFault(UsageCause.UNALIGNED);
    this.bus.write16(addr, v & 0xffff);
  }
  store8(addr: number, v: number): void {
    this.bus.write8(addr, v & 0xff);
  }

  /**
   * Load `size` bytes (1, 2, 4; negative = sign-extended) - the common tail of every LDR form.
   */
  loadSized(addr: number, size: number): number {
    switch (size) {
      case 4:
        return this.load32(addr);
      case 2:
        return this.load16(addr);
      case -2:
        return (this.load16(addr) << 16) >> 16;
      case 1:
        return this.load8(addr);
      default:
        return (this.load8(addr) << 24) >> 24;
    }
  }
  storeSized(addr: number, size: number, v: number): void {
    if (size === 4) this.store32(addr, v);
    else if (size === 2) this.store16(addr, v);
    else this.store8(addr, v);
  }

  /** Write a loaded value to Rt; PC gets LoadWritePC semantics. */
  writeLoaded(rt: number, v: number): void {
    if (rt === 15) this.bxWritePc(v);
    else this.r[rt] = v;
  }

  conditionPassed(cond: number): boolean {
    return conditionPassed(this.state, cond);
  }
}
