/**
 * The ARMv7-A core (Cortex-A15 as QEMU 7.2 models it on `virt`): an interpreter for A32 and for
 * Thumb on A-profile, on top of the shared `Cpu` helpers and decode tables. Memory goes through
 * `bus`, which is the MMU's virtual view once an MMU is attached (the physical bus until then) and
 * a byte-swapping view of it while CPSR.E selects big-endian data.
 *
 * PC convention while a handler runs: `r[15]` = instruction + 8 (A32) or + 4 (Thumb), `pc` = the
 * instruction, `nextPc` = where execution continues. Synchronous exceptions are taken inside the
 * instruction (they set `nextPc` to the vector).
 *
 * icount (QEMU -icount): every executed instruction counts, including UNDEFINED, SVC, BKPT and
 * failed condition checks; an instruction whose data access or fetch aborts does not.
 */
import type { Bus, CpuBus } from '../../memory/bus.js';
import { BUS_FAULT, NO_RAM } from '../../memory/bus.js';
import type { VirtualClock } from '../../clock.js';
import { Cpu } from '../cpu.js';
import { RUNNING } from '../state.js';
import { conditionPassed, t16IgnoresItCondition } from '../alu.js';
import { bucketKey32, match32, type Encoding, type Fields } from '../decode-table.js';
import { t16Args, type Handler } from '../t16.js';
import { CORTEX_A15, type CoreProfile } from '../profile.js';
import { SysRegFile, type CoreInterruptInputs, type SysRegDef } from './sysreg-registry.js';
import { CoreRegisters, SCTLR_A } from './core-registers.js';
import { ArmV7aExceptions } from './exceptions.js';
import { ArmV7aState, CPSR_A, CPSR_F, CPSR_I, MODE_MON, MODE_USR } from './state.js';
import { CORE_ABORT, FSR_ALIGNMENT, FSR_DEBUG, FSR_LPAE, FSR_WNR, LPAE_DEBUG, raiseAbort, type AbortSignal } from './abort.js';
import { a32BucketKey, a32Buckets, type A32Buckets } from './a32.js';
import { A_T16_ARGS, A_T16_EXEC, A_T32_BUCKETS } from './thumb-a.js';
import { ByteSwappedBus } from './byte-swapped-bus.js';
import type { Psci } from './psci.js';
import { Pmu } from './pmu.js';
import { DebugRegisters } from './debug-registers.js';
import { WatchpointBus } from './watchpoint-bus.js';
import { A32BlockJit, A32_JIT_SLOT_MASK, A32_NEVER_RUNS, type A32JitOptions } from '../jit/a32-block-jit.js';
import { decodedFields } from '../jit/a32-block-discovery.js';
import { BlockJit } from '../jit/block-jit.js';
import { SecurityExtensions } from './security-extensions.js';
import { STATE_THREAD_IDS } from '../wasm/wasm-state-layout.js';

/** What the core needs from an MMU (src/emulator/memory/mmu.ts provides it). */
export interface CoreMmu extends CpuBus {
  fetch32(va: number): number;
  /** PL0 accesses (set by the core on every mode change). */
  user: boolean;
  /** LDRT/STRT-style accesses: checked as PL0 whatever the mode. */
  forceUser: boolean;
  /** Throw the alignment fault for `va` in the current regime's FSR format. */
  alignmentFault(va: number, isWrite: boolean): never;
  setSctlr(value: number): void;
  /** The current privilege's TLB entries (virtual page -> physical page << 3 | fetch/write/read bits). */
  readonly entries: Int32Array;
  /** The JIT TLB entries of the current privilege (jit-tlb.ts). */
  readonly jitEntries: Int32Array;
  /** Cache the page of `va` in the JIT TLB after a slow-path access to it succeeded. */
  jitRefill(va: number): void;
  /** The object the MMU throws for translation/permission/external aborts. */
  readonly faultSignal: AbortSignal;
  /** CONTEXTIDR (the CP14 debug registers' context-ID breakpoints compare it). */
  readonly contextidr: number;
  /** Translate the code page of `va` without fetching (fills the TLB, throws the fetch's fault). */
  probeFetch(va: number): void;
  /** Changes whenever `entries` may differ other than by a fill of an empty entry (Mmu.fetchGeneration). */
  readonly fetchGeneration: number;
}

interface DecodedInsn {
  exec: Handler;
  args: Fields;
  /** The row it decoded to (null: UNDEFINED), so a miss on the same row re-extracts in place. */
  row: Encoding<Handler> | null;
}
/** 64 K entries: the kernel's boot runs ~2 % decode misses there, 12 % with 4 K. */
const CACHE_BITS = 16;
const CACHE_MASK = (1 << CACHE_BITS) - 1;
const undefinedHandler: Handler = (c) => c.undefined();

// How an interpreted instruction went on (ArmV7aCpu.interpret).
/** To the next instruction in sequence (A32). */
const WENT_ON = 0;
/** Anywhere else: a block may start there. */
const BRANCHED = 1;
/** Not run: its block leader's page is translated now, the dispatcher takes it back uncounted. */
const HANDED_BACK = 2;
/** An exception ended the slice. */
const STOPPED = 3;

/** A32 SVC immediate / T32 SVC immediate that QEMU treats as a semihosting call at PL1. */
const SEMIHOSTING_SVC_A32 = 0x123456;
const SEMIHOSTING_SVC_T32 = 0xab;

/** Rows of the shared A-profile tables a core lacks, by its profile's features. */
function absentRowsOf(profile: CoreProfile): ReadonlySet<string> {
  const rows: string[] = [];
  if (!profile.idiv) rows.push('SDIV', 'UDIV');
  // VFP's fused multiply-accumulates only: QEMU 7.2 gates them on MVFR1.SIMDFMAC but decodes the
  // Advanced SIMD VFMA/VFMS on every NEON core (the A9 runs them), and a program can tell.
  if (profile.fusedMac === false) rows.push('VFMA', 'VFMS', 'VFNMA', 'VFNMS');
  return new Set(rows);
}

export class ArmV7aCpu extends Cpu implements CoreInterruptInputs {
  declare readonly state: ArmV7aState;
  /** Every CP15/CP14 register the core, MMU, timer and PMU define (MRC/MCR look them up here). */
  readonly sysregs = new SysRegFile();
  readonly coreRegs = new CoreRegisters();
  /** A-profile SP keeps every bit written to it (M-profile clears [1:0]). */
  override readonly spWriteMask: number = -1;
  readonly pmu: Pmu;
  readonly debugRegs = new DebugRegisters();
  readonly exceptions: ArmV7aExceptions;
  mmu: CoreMmu | null = null;
  /** EL2 present (virt's virtualization=on): only then do the banked MRS/MSR forms exist. */
  readonly hasVirtualizationExtensions = false;
  /** SCR, SDER, NSACR and MVBAR of a core with the Security Extensions (the A9), else null. */
  readonly security: SecurityExtensions | null;
  /** Decode-table rows (by name) this core does not implement: they decode as UNDEFINED. */
  private readonly absentRows: ReadonlySet<string>;
  /** SCTLR.A: every unaligned access faults. */
  private alignCheck = false;
  /** Little-endian data view (MMU or physical bus) and its byte-swapped twin for CPSR.E = 1. */
  private dataView: CpuBus;
  private swappedView: ByteSwappedBus;
  /** The data view with the CP14 watchpoint checks in front (used only while one is armed). */
  private readonly watchView: WatchpointBus;
  /** Instruction fetch view (MMU or physical bus): fetches are little-endian whatever CPSR.E says. */
  private fetchView: { fetch16(a: number): number; fetch32(a: number): number };

  private readonly a32Keys = new Int32Array(1 << CACHE_BITS);
  private readonly a32Cache: DecodedInsn[] = new Array<DecodedInsn>(1 << CACHE_BITS).fill({ exec: undefinedHandler, args: {}, row: null });
  private readonly thumbKeys = new Int32Array(1 << CACHE_BITS);
  private readonly thumbCache: DecodedInsn[] = new Array<DecodedInsn>(1 << CACHE_BITS).fill({ exec: undefinedHandler, args: {}, row: null });

  /**
   * Guest memory as the program sees it now (MMU view, little-endian), for semihosting and other
   * accesses made on the guest's behalf outside an instruction.
   */
  readonly guestMemory: CpuBus = {
    read8: (a) => this.dataView.read8(a),
    read16: (a) => this.dataView.read16(a),
    read32: (a) => this.dataView.read32(a),
    write8: (a, v) => this.dataView.write8(a, v),
    write16: (a, v) => this.dataView.write16(a, v),
    write32: (a, v) => this.dataView.write32(a, v),
    fetch16: (a) => this.dataView.fetch16(a),
  };

  constructor(state: ArmV7aState, bus: Bus, clock: VirtualClock, profile: CoreProfile = CORTEX_A15) {
    super(state, bus, clock, profile);
    // A key that can never be the encoding cached in its own slot marks the slot empty.
    for (let i = 0; i < this.a32Keys.length; i++) this.a32Keys[i] = i ^ 1;
    this.dataView = bus;
    this.fetchView = bus;
    this.swappedView = new ByteSwappedBus(bus);
    this.exceptions = new ArmV7aExceptions(this, state);
    this.sys = this.exceptions;
    // On a wasm-backed bus the thread ID registers live in the state area (wasm blocks load them).
    const wasm = bus.wasm;
    if (wasm !== null) this.coreRegs.keepThreadIdsIn(new Int32Array(wasm.memory.buffer, wasm.stateBase + STATE_THREAD_IDS, 3));
    this.coreRegs.define(
      this.sysregs,
      profile.ids!,
      {
        isUser: () => this.state.mode === MODE_USR,
        sctlrChanged: (v) => this.sctlrChanged(v),
      },
      { cbar: profile.cbar ?? 0, core: profile.name === 'cortex-a9' ? 'a9' : 'a15' },
    );
    this.security = profile.securityExtensions === true ? new SecurityExtensions() : null;
    this.security?.define(this.sysregs);
    this.absentRows = absentRowsOf(profile);
    this.pmu = new Pmu(clock, profile.ids!.pmcrReset);
    this.pmu.define(this.sysregs);
    this.debugRegs.define(this.sysregs, profile.ids!.dbgdidr, profile.ids!.dbgdevid);
    this.watchView = new WatchpointBus(bus, this.debugRegs, {
      accessIsUnprivileged: () => this.state.mode === MODE_USR || this.unprivilegedAccess,
      debugFsr: () => this.debugFsr(),
    });
    this.debugRegs.context = {
      exceptionLevel: () => (this.state.mode === MODE_USR ? 0 : this.isSecure() ? 3 : 1),
      secure: () => this.isSecure(),
      contextidr: () => this.mmu?.contextidr ?? 0,
    };
    // Arming or disarming changes the data view and whether blocks may run: leave the loop.
    this.debugRegs.onArmedChange = () => {
      this.syncModeDependents();
      this.exitRequest = true;
    };
    // ISR: the interrupt inputs as they are now (A never pends here).
    this.sysregs.define({
      name: 'ISR',
      cp: 15,
      opc1: 0,
      crn: 12,
      crm: 1,
      opc2: 0,
      read: () => (this.exceptions.s.irq !== 0 ? CPSR_I : 0) | (this.exceptions.s.fiq !== 0 ? CPSR_F : 0),
    });
  }

  /** Put the MMU between the core and the bus (its view replaces the physical one). */
  attachMmu(mmu: CoreMmu): void {
    this.mmu = mmu;
    this.dataView = mmu;
    this.fetchView = mmu;
    this.swappedView = new ByteSwappedBus(mmu);
    mmu.setSctlr(this.coreRegs.s.sctlr);
    this.syncModeDependents();
  }

  /** The A32 block translator (Thumb code on A-profile stays interpreted), null with `--no-jit`. */
  a32Jit: A32BlockJit | null = null;

  override enableJit(options?: A32JitOptions): void {
    if (this.a32Jit === null) this.a32Jit = new A32BlockJit(this, this.physicalBus, options);
  }

  override setTranslation(on: boolean): void {
    super.setTranslation(on);
    if (this.a32Jit !== null) this.a32Jit.translating = on;
  }

  override translatedBlocks(): number {
    return this.a32Jit?.translated ?? 0;
  }

  /** The MMU's translation entries for the current privilege (the chained dispatch's fetch lookup). */
  fetchEntries(): Int32Array {
    return this.mmu!.entries;
  }

  /** The MMU's fetch generation (the chained dispatch's remembered successors hold within one). */
  fetchGeneration(): number {
    return this.mmu!.fetchGeneration;
  }

  /**
   * Between chained blocks, the next PC's page missed in the fetch TLB (a flush emptied it): the
   * walk the interpreter's fetch would do there (QEMU's get_page_addr_code), filling the TLB; the
   * entry then, or 0 when the fetch faults (not taken here: the interpreter fetches again and
   * takes it). The TLB is invisible to the guest (invariant I5), so filling it here or one
   * instruction later in the interpreter leaves the same state.
   */
  probeFetchEntry(pc: number): number {
    const mmu = this.mmu!;
    try {
      mmu.probeFetch(pc);
    } catch (e) {
      if (e !== mmu.faultSignal) throw e;
      return 0;
    }
    return mmu.entries[pc >>> 12]!;
  }

  /** The MMU's JIT TLB for the current privilege (blocks read it at entry; the JIT needs an MMU). */
  jitTlb(): Int32Array {
    return this.mmu!.jitEntries;
  }

  /** A block's load that missed its JIT TLB: the interpreter's load, then the page is cached. */
  jitLoad(addr: number, size: number): number {
    const v = this.loadSized(addr, size);
    this.jitRefill(addr);
    return v;
  }

  /** Cache the page of `va` in the JIT TLB after a block's handler (threaded, or a compiled block's slow path) accessed it. */
  jitRefill(va: number): void {
    this.mmu!.jitRefill(va);
  }

  /** A block's store that missed its JIT TLB (as jitLoad). */
  jitStore(addr: number, size: number, v: number): void {
    this.storeSized(addr, size, v);
    this.jitRefill(addr);
  }

  // ---- interrupt inputs (the GIC CPU interface drives them) ---------------------------------

  setIrq(level: boolean): void {
    this.exceptions.setIrq(level);
  }
  setFiq(level: boolean): void {
    this.exceptions.setFiq(level);
  }

  isPrivileged(): boolean {
    return this.state.mode !== MODE_USR;
  }

  /** SCTLR was written (or reset): alignment checking, and the MMU's view of M/A/TRE/AFE. */
  sctlrChanged(v: number): void {
    this.alignCheck = (v & SCTLR_A) !== 0;
    this.mmu?.setSctlr(v);
  }

  override dataBigEndian(): boolean {
    return this.state.bigEndian !== 0;
  }

  /** Mode and CPSR.E decide the MMU's privilege and the data byte order: re-derive them. */
  syncModeDependents(): void {
    const st = this.state;
    if (this.mmu !== null) this.mmu.user = st.mode === MODE_USR;
    this.bus = st.bigEndian !== 0 ? this.swappedView : this.dataView;
    if (this.debugRegs.watchpointsArmed) {
      this.watchView.inner = this.bus;
      this.bus = this.watchView;
    }
  }

  /** Secure state: only a core with the Security Extensions, in Monitor mode or with SCR.NS clear. */
  private isSecure(): boolean {
    const sec = this.security;
    return sec !== null && (this.state.mode === MODE_MON || (sec.s.scr & 1) === 0);
  }

  /** The debug-event FSR (breakpoints, watchpoints, BKPT) in the current short or LPAE format. */
  private debugFsr(): number {
    return this.mmu !== null && (this.mmuFsrIsLpae?.() ?? false) ? FSR_LPAE | LPAE_DEBUG : FSR_DEBUG;
  }

  /**
   * A CP14 hardware breakpoint at `pc`: QEMU checks them before the instruction runs and takes a
   * prefetch abort (IFSR debug event, IFAR 0: "FAR is UNKNOWN"); the instruction is not counted.
   */
  private hardwareBreakpoint(pc: number): void {
    this.r[15] = pc;
    this.exceptions.prefetchAbortWith(pc, this.debugFsr(), 0);
  }

  // ---- execution ----------------------------------------------------------------------------

  /**
   * icount at which the last instruction after which QEMU returns to its cpu_exec loop (exit_tb)
   * retired: exception entry, exception returns, CPSR/SPSR and coprocessor writes, CPS, SRS,
   * SETEND, WFI/WFE/YIELD. QEMU's loop checks interrupts and the icount budget before it looks up
   * the next block; after any other instruction it looks the next block up at once (see
   * lookUpNextBlock). Reset by every `execute` call and compared at its end only: a value left by
   * an earlier call (or by a timeline a snapshot restore left) can never skip a lookup.
   */
  exitToLoopAt = -1;

  /** The instruction now retiring leaves to QEMU's cpu_exec loop (see exitToLoopAt). */
  markExitToLoop(): void {
    this.exitToLoopAt = this.clock.icount;
  }

  /**
   * The slice ended after an instruction QEMU ends its block with goto_tb or lookup_and_goto_ptr
   * (branches, loads to PC, the fall-through into another page...): QEMU's helper_lookup_tb_ptr
   * looks the next block up before control returns to cpu_exec's interrupt and budget checks, and
   * its get_page_addr_code raises the fetch's prefetch abort there. So a translation or
   * permission fault of the next fetch is taken now, before the machine fires the timers due at
   * this icount or takes an interrupt (EXCEPTION is logged before CHECKPOINT_CLOCK_VIRTUAL).
   * A gdb breakpoint at the target changes nothing here (the trajectory must not depend on the
   * debugger); an armed CP14 breakpoint matching it leaves the fault to the next slice (not QEMU's
   * order, whose lookup raises the debug event first).
   */
  private lookUpNextBlock(checkHwBp: boolean): void {
    const mmu = this.mmu;
    const pc = this.r[15]!;
    if (mmu === null || (mmu.entries[pc >>> 12]! & 4) !== 0) return;
    if (checkHwBp && this.debugRegs.breakpointAt(pc >>> 0, this.state.thumb !== 0)) return;
    try {
      mmu.probeFetch(pc);
    } catch (e) {
      if (e !== mmu.faultSignal) throw e;
      const f = e as AbortSignal;
      this.exceptions.prefetchAbortWith(pc, f.fsr, f.far);
    }
  }

  /**
   * Run up to `budget` instructions; an abort ends the slice (the aborting instruction is not
   * counted). The loop (`dispatch`) has no try/catch and the interpreter's and the abort's cases are
   * methods of their own: V8 deoptimises a function at code it had never run when it optimised it,
   * and Thumb code or an abort first appears long after the loop is hot (each one cost a recompile
   * of all of it, and a fault inside an OSR-compiled loop deoptimised it again at every fault).
   */
  override execute(budget: number): number {
    // Below the front cache's count of an untranslatable start, so that one never runs; the
    // machine loop calls again for the rest.
    if (budget >= A32_NEVER_RUNS) budget = A32_NEVER_RUNS - 1;
    const start = this.clock.icount;
    this.fetching = false;
    this.inBlock = false;
    this.exitToLoopAt = -1;
    try {
      this.dispatch(budget);
    } catch (e) {
      this.abortTaken(e);
    }
    this.a32Jit?.flushBatch();
    // Every retired instruction advanced icount by one (an aborted one was taken back).
    const retired = this.clock.icount - start;
    this.stats.executeCalls++;
    this.stats.retired += retired;
    return retired;
  }

  /** Set while an instruction is being fetched: an abort then is a prefetch abort. */
  private fetching = false;
  /** Set while blocks run: a fault then is at cpu.jitFaultPc (else at this.pc). */
  private inBlock = false;

  /** The dispatcher: breakpoints, blocks, and one interpreted instruction at a time otherwise. */
  private dispatch(budget: number): void {
    const st = this.state;
    const r = this.r;
    const clock = this.clock;
    const bps = this.breakpoints;
    const checkBp = bps.size !== 0;
    // CP14 breakpoints are checked before every instruction while one is armed (writes to the
    // debug registers end this loop, so the flag stays true to the registers within it).
    const checkHwBp = this.debugRegs.breakpointsArmed;
    let skipBp = this.skipBreakpointOnce;
    this.skipBreakpointOnce = false;
    // A snapshot restore may have changed mode, E or SCTLR behind our back.
    this.syncModeDependents();
    this.alignCheck = (this.coreRegs.s.sctlr & SCTLR_A) !== 0;
    let retired = 0;
    const stats = this.stats;
    // Blocks run only in A32, little-endian data, with an MMU (its TLB entries locate the code),
    // and never while a CP14 breakpoint or watchpoint is armed (blocks do not check them).
    const jit = this.mmu !== null && !checkHwBp && !this.debugRegs.watchpointsArmed ? this.a32Jit : null;
    // A block leader: reached by a branch, an exception or the end of a block (where blocks start).
    let leader = true;
    // This leader's page missed in the TLB: once the interpreter's fetch has filled it, the block
    // there may run after all (else the rest of its straight line would be interpreted).
    let refetchLeader = false;
    while (retired < budget) {
      const pc = r[15]!;
      if (checkBp) {
        if (!skipBp && bps.has(pc >>> 0)) {
          this.hitBreakpoint = true;
          break;
        }
        skipBp = false;
      }
      if (checkHwBp && this.debugRegs.breakpointAt(pc >>> 0, st.thumb !== 0)) {
        this.hardwareBreakpoint(pc);
        break;
      }
      if (jit !== null && A32BlockJit.runsIn(st)) {
        // The fetch translation the interpreter would use; a miss or no execute permission
        // interprets (its fetch walks, fills the TLB or takes the prefetch abort).
        const e = this.mmu!.entries[pc >>> 12]!;
        const slot = (pc >>> 2) & A32_JIT_SLOT_MASK;
        if ((e & 4) === 0) refetchLeader = leader && !checkBp && (pc & 3) === 0;
        else if (
          (jit.holds(slot, pc, e) || (leader && (pc & 3) === 0 && jit.lookup(pc, e >>> 3) !== null)) &&
          // A block runs only whole: the tail of a budget, and blocks holding a breakpoint, interpret.
          jit.fits(slot, budget - retired) &&
          (!checkBp || !BlockJit.hasBreakpointInside(jit.slots[slot]!, bps))
        ) {
          this.inBlock = true;
          // Chained blocks are not checked for breakpoints: with any set, one block at a time.
          const n = jit.runFrom(slot, budget - retired, checkBp ? 1 : A32_NEVER_RUNS);
          this.inBlock = false;
          retired += n;
          stats.insnsInBlocks += n;
          leader = true;
          if (this.exitRequest || st.sleep !== RUNNING) break;
          continue;
        }
      }
      clock.icount++;
      retired++;
      const it = st.itstate;
      this.pc = pc;
      this.itBefore = it;
      const how = this.interpret(pc, it, refetchLeader);
      refetchLeader = false;
      if (how === HANDED_BACK) {
        clock.icount--;
        retired--;
        continue;
      }
      if (how === STOPPED) break;
      leader = how === BRANCHED;
      if (this.exitRequest || st.sleep !== RUNNING) break;
    }
    this.countExit();
    if (retired > 0 && !this.hitBreakpoint && st.sleep === RUNNING && this.exitToLoopAt !== clock.icount) this.lookUpNextBlock(checkHwBp);
  }

  /** Why the slice ended (statistics). */
  private countExit(): void {
    const stats = this.stats;
    if (this.hitBreakpoint) stats.exitBreakpoint++;
    else if (this.state.sleep !== RUNNING) stats.exitSleep++;
    else if (this.exitRequest) stats.exitRequest++;
    else stats.exitBudget++;
  }

  /**
   * One instruction at `pc` (counted by the caller; `it` the ITSTATE before it), A32 or Thumb;
   * `leaderMissed`: a block leader whose fetch missed the TLB. Returns how it went on.
   */
  private interpret(pc: number, it: number, leaderMissed: boolean): number {
    if (this.state.thumb !== 0) {
      this.interpretThumb(pc, it);
      // No blocks in Thumb: what follows a return to A32 is a branch target.
      return BRANCHED;
    }
    if ((pc & 2) !== 0) {
      this.misalignedA32Pc(pc);
      return STOPPED;
    }
    this.fetching = true;
    const insn = this.fetchView.fetch32(pc);
    this.fetching = false;
    if (leaderMissed && this.leaderNowRuns(pc)) return HANDED_BACK;
    this.interpretA32(pc, insn);
    return this.nextPc !== ((pc + 4) | 0) ? BRANCHED : WENT_ON;
  }

  /**
   * An A32 PC with bit 1 set (a BX to such an address): QEMU raises a PC alignment prefetch abort
   * before any fetch (IFSR alignment, IFAR = PC); it counts as executed. But QEMU looks the code
   * page up first (get_page_addr_code): an unreachable page gives that prefetch abort instead, not
   * counted.
   */
  private misalignedA32Pc(pc: number): void {
    this.fetching = true;
    this.fetchView.fetch32(pc & ~3);
    this.fetching = false;
    this.pcAlignmentFault(pc);
  }

  /**
   * A leader whose fetch missed the TLB was fetched (a walk filled the TLB, the interpreter's side
   * effect, kept): true when the dispatcher should take it back uncounted, to run its block; not
   * when its page is not RAM (a device fetched twice could tell).
   */
  private leaderNowRuns(pc: number): boolean {
    const e = this.mmu!.entries[pc >>> 12]!;
    return (e & 4) !== 0 && this.physicalBus.pageHost[e >>> 3] !== NO_RAM;
  }

  /** One fetched A32 instruction: condition, decode cache, handler; r15 = where it goes on. */
  private interpretA32(pc: number, insn: number): void {
    const st = this.state;
    const r = this.r;
    this.insn = insn;
    this.nextPc = (pc + 4) | 0;
    r[15] = (pc + 8) | 0;
    const cond = insn >>> 28;
    if (st.illegal !== 0) {
      this.undefined(); // CPSR.IL: any instruction, after its fetch
    } else if (cond === 14 || (cond !== 15 ? conditionPassed(st, cond) : true)) {
      const slot = (insn ^ (insn >>> 13)) & CACHE_MASK;
      let d = this.a32Cache[slot]!;
      if (this.a32Keys[slot] !== insn) d = this.decodeA32(insn, slot);
      d.exec(this, d.args);
    }
    r[15] = this.nextPc;
  }

  /** One Thumb instruction: fetch, IT condition, handler; r15 = where it goes on. */
  private interpretThumb(pc: number, it: number): void {
    const st = this.state;
    const r = this.r;
    const fetch = this.fetchView;
    this.fetching = true;
    const hw = fetch.fetch16(pc);
    if (hw < 0xe800) {
      this.fetching = false;
      this.insn = hw;
      this.nextPc = (pc + 2) | 0;
      r[15] = (pc + 4) | 0;
      const run = this.itStep(it) || t16IgnoresItCondition(hw);
      if (st.illegal !== 0) this.undefined();
      else if (run) A_T16_EXEC[hw]!(this, A_T16_ARGS[hw] ?? t16Args(hw));
      r[15] = this.nextPc;
      return;
    }
    const insn = (hw << 16) | fetch.fetch16((pc + 2) | 0);
    this.fetching = false;
    this.insn = insn;
    this.nextPc = (pc + 4) | 0;
    r[15] = (pc + 4) | 0;
    const run = this.itStep(it);
    if (st.illegal !== 0) {
      this.undefined();
    } else if (run) {
      const slot = (insn ^ (insn >>> 13)) & CACHE_MASK;
      let d = this.thumbCache[slot]!;
      if (this.thumbKeys[slot] !== insn) d = this.decodeT32(insn, slot);
      d.exec(this, d.args);
    }
    r[15] = this.nextPc;
  }

  /**
   * An abort `e` escaped the slice: at this.pc (ITSTATE this.itBefore) from the interpreter, at
   * cpu.jitFaultPc from a block (which counted the instructions before it and set icount past it).
   * The instruction did not happen (QEMU restores icount and PC), then the prefetch or data abort
   * is taken. Anything else is rethrown.
   */
  private abortTaken(e: unknown): void {
    const st = this.state;
    const stats = this.stats;
    stats.exitFault++;
    let pc = this.pc;
    let it = this.itBefore;
    let fetching = this.fetching;
    if (this.inBlock) {
      pc = this.jitFaultPc;
      it = 0;
      stats.insnsInBlocks += this.jitFaultRetired - 1;
      fetching = false;
    }
    this.inBlock = false;
    this.fetching = false;
    this.r[15] = pc;
    st.itstate = it;
    this.clock.icount--;
    if (this.mmu !== null) this.mmu.forceUser = false;
    this.unprivilegedAccess = false;
    if (e === BUS_FAULT) {
      // MMU off (or no MMU yet): a synchronous external abort, short-descriptor format.
      if (fetching) this.exceptions.prefetchAbortWith(pc, 0x008, pc);
      else this.exceptions.dataAbort(pc, BUS_FAULT.isWrite ? 0x808 : 0x008, BUS_FAULT.address);
    } else if (e === CORE_ABORT || (this.mmu !== null && e === this.mmu.faultSignal)) {
      const f = e as AbortSignal;
      if (f.isFetch || fetching) this.exceptions.prefetchAbortWith(pc, f.fsr, f.far);
      else this.exceptions.dataAbort(pc, f.fsr, f.far);
    } else {
      throw e;
    }
  }

  /** The A32 decode tables (built once, by the first A-profile core). */
  private readonly a32Tables: A32Buckets = a32Buckets();

  /** The A32 row of `insn` on this core, or null when it is UNDEFINED here (the block JIT's decode). */
  a32Row(insn: number): Encoding<Handler> | null {
    const buckets = insn >>> 28 === 15 ? this.a32Tables.uncond : this.a32Tables.cond;
    const e = match32(buckets[a32BucketKey(insn)]!, insn);
    return e === null || this.absentRows.has(e.name) ? null : e;
  }

  /** What the interpreter loop sets up before an A32 handler, for a threaded block running one. */
  beginA32(pc: number, insn: number): void {
    this.pc = pc;
    this.itBefore = this.state.itstate;
    this.insn = insn;
    this.nextPc = (pc + 4) | 0;
    this.r[15] = (pc + 8) | 0;
  }

  private decodeA32(insn: number, slot: number): DecodedInsn {
    const buckets = insn >>> 28 === 15 ? this.a32Tables.uncond : this.a32Tables.cond;
    const d = this.decoded(match32(buckets[a32BucketKey(insn)]!, insn), insn, this.a32Cache[slot]!);
    this.a32Keys[slot] = insn;
    this.a32Cache[slot] = d;
    return d;
  }

  private decodeT32(insn: number, slot: number): DecodedInsn {
    const d = this.decoded(match32(A_T32_BUCKETS[bucketKey32(insn)]!, insn), insn, this.thumbCache[slot]!);
    this.thumbKeys[slot] = insn;
    this.thumbCache[slot] = d;
    return d;
  }

  /** The decoded form of `insn`; `evicted` (the slot's previous entry) is reused when of the same row. */
  private decoded(e: ReturnType<typeof match32<Handler>>, insn: number, evicted: DecodedInsn): DecodedInsn {
    if (e === null || this.absentRows.has(e.name)) return { exec: undefinedHandler, args: {}, row: null };
    if (evicted.row === e) {
      e.extract(insn, evicted.args);
      return evicted;
    }
    return { exec: e.exec, args: decodedFields(e, insn), row: e };
  }

  // ---- helpers for handlers ------------------------------------------------------------------

  /** UNDEFINED: UND exception (counted), PC and ITSTATE of this instruction in SPSR/LR. */
  override undefined(): void {
    this.state.itstate = this.itBefore;
    this.exceptions.undefinedInstruction(this.pc);
  }
  override usageFault(): void {
    this.undefined();
  }
  override fpUndefined(): void {
    this.undefined();
  }

  /** CPACR cp10/cp11 for the current privilege and FPEXC.EN; otherwise UNDEFINED. */
  override fpCheck(): boolean {
    if (this.fpAccessAllowed() && (this.state.fpexc & 0x40000000) !== 0) return true;
    this.undefined();
    return false;
  }

  /** CPACR grants cp10 and cp11 at the current privilege level (FPEXC.EN not considered). */
  fpAccessAllowed(): boolean {
    const cpacr = this.coreRegs.s.cpacr;
    const cp10 = (cpacr >>> 20) & 3;
    const cp11 = (cpacr >>> 22) & 3;
    const need = this.state.mode === MODE_USR ? 3 : 1;
    return (cp10 & need) === need && cp10 !== 2 && (cp11 & need) === need && cp11 !== 2;
  }

  override runtimeFault(): never {
    // Only the shared rows' alignment checks get here (divide-by-zero never traps on A-profile).
    return this.alignmentFault(this.pc, false);
  }

  private pcAlignmentFault(pc: number): void {
    const lpae = this.mmu !== null && (this.mmuFsrIsLpae?.() ?? false);
    this.exceptions.prefetchAbortWith(pc, lpae ? 0x221 : FSR_ALIGNMENT, pc);
  }

  /** Alignment fault on `addr` (DFSR 0x001, or the LPAE form with the MMU's help). */
  alignmentFault(addr: number, isWrite: boolean): never {
    if (this.mmu !== null) this.mmu.alignmentFault(addr, isWrite);
    return raiseAbort(FSR_ALIGNMENT | (isWrite ? FSR_WNR : 0), addr, isWrite, false);
  }

  override checkAligned(addr: number, size: number, isWrite = false): void {
    if ((addr & (size - 1)) !== 0) this.alignmentFault(addr, isWrite);
  }

  override load32(addr: number): number {
    if ((addr & 3) !== 0 && this.alignCheck) this.alignmentFault(addr, false);
    return this.bus.read32(addr);
  }
  override load16(addr: number): number {
    if ((addr & 1) !== 0 && this.alignCheck) this.alignmentFault(addr, false);
    return this.bus.read16(addr);
  }
  override store32(addr: number, v: number): void {
    if ((addr & 3) !== 0 && this.alignCheck) this.alignmentFault(addr, true);
    this.bus.write32(addr, v);
  }
  override store16(addr: number, v: number): void {
    if ((addr & 1) !== 0 && this.alignCheck) this.alignmentFault(addr, true);
    this.bus.write16(addr, v & 0xffff);
  }

  /** Begin/end an unprivileged (LDRT/STRT) access; the abort path clears it too. */
  beginUnprivileged(): void {
    this.unprivilegedAccess = true;
    if (this.mmu !== null) this.mmu.forceUser = true;
  }
  endUnprivileged(): void {
    this.unprivilegedAccess = false;
    if (this.mmu !== null) this.mmu.forceUser = false;
  }
  /** Inside an LDRT/STRT-style access (watchpoints match it as PL0, with or without an MMU). */
  private unprivilegedAccess = false;

  /** BranchWritePC: A32 targets are word aligned, Thumb ones halfword aligned. */
  override branchTo(addr: number): void {
    this.nextPc = this.state.thumb !== 0 ? addr & ~1 : addr & ~3;
  }

  /**
   * A T32 direct branch leaves the IT block: QEMU 7.2 jumps to the next translation block before it
   * writes the advanced IT state back (gen_goto_tb ahead of arm_tr_tb_stop's gen_set_condexec), so
   * ITSTATE is 0 after a taken B/BL/BLX/CBZ even where it was not the block's last instruction.
   */
  override branchDirect(addr: number): void {
    this.state.itstate = 0;
    this.branchTo(addr);
  }

  /** BXWritePC / LoadWritePC: interworking on bit 0 (QEMU keeps bit 1 of an A32 target as is). */
  override bxWritePc(addr: number): void {
    this.state.thumb = addr & 1;
    this.nextPc = addr & ~1;
  }

  /** ALUWritePC: interworking in A32, a plain branch in Thumb. */
  override aluWritePc(addr: number): void {
    if (this.state.thumb !== 0) this.nextPc = addr & ~1;
    else this.bxWritePc(addr);
  }

  /**
   * Exception return from data processing with S and Rd = PC (SUBS PC, LR...): CPSR = SPSR, then
   * continue at `addr`, aligned for the state returned to (QEMU's cpsr_write_eret). UNDEFINED in
   * User and System mode, which have no SPSR (QEMU: UNDEF at User, and SYS reads SPSR as 0).
   */
  override returnFromException(addr: number): void {
    const st = this.state;
    if (st.mode === MODE_USR) return this.undefined();
    this.restoreCpsr(st.getSpsr());
    this.nextPc = st.thumb !== 0 ? addr & ~1 : addr & ~3;
  }

  /** CPSR = `v` as an exception return writes it (RFE, LDM ^ with PC, SUBS PC). */
  restoreCpsr(v: number): void {
    const st = this.state;
    if (!st.modeExists(v & 0x1f)) v = (v & ~0x1f) | st.mode;
    this.pmu.elChange(); // QEMU's cpsr_write_eret runs the EL-change hooks
    st.setCpsr(v, 0xffffffff & ~(1 << 24));
    this.syncModeDependents();
    this.markExitToLoop();
    this.endSliceIfInterruptTakeable();
  }

  /**
   * MSR CPSR / CPS: write the fields in `mask`; at PL0 only the flags and GE (QEMU's
   * CPSR_USER), and the mode only to a mode this core has.
   */
  writeCpsrByInstruction(v: number, mask: number): void {
    const st = this.state;
    if (st.mode === MODE_USR) mask &= 0xf80f0000;
    // MSR never writes the execution state bits (IT, J, T) from A32/T32 (QEMU: CPSR_EXEC).
    mask &= ~0x0710fc20;
    st.setCpsr(v, mask);
    this.syncModeDependents();
    this.markExitToLoop();
    this.endSliceIfInterruptTakeable();
  }

  /** CPS: set/clear the A/I/F bits in `bits`; `mode` >= 0 switches mode (PL1 only; NOP at PL0). */
  changeProcessorState(disable: boolean, bits: number, mode: number): void {
    const st = this.state;
    if (st.mode === MODE_USR) return;
    bits &= CPSR_A | CPSR_I | CPSR_F;
    if (bits !== 0) st.aif = disable ? st.aif | bits : st.aif & ~bits;
    if (mode >= 0 && st.modeExists(mode)) st.setMode(mode);
    this.syncModeDependents();
    // QEMU's CPS writes CPSR (and leaves its loop) only when it names a bit or a mode.
    if (bits !== 0 || mode >= 0) this.markExitToLoop();
    this.endSliceIfInterruptTakeable();
  }

  /**
   * After a CPSR write (MSR, CPS, exception return): end the slice only when an interrupt can now
   * be taken. QEMU ends its TB there and takes a pending unmasked interrupt before the next one;
   * with nothing to take, the boundary would do nothing (the kernel's irq save/restore runs on).
   * Mode and byte order are re-derived at once (syncModeDependents), and blocks always leave after
   * these instructions, so the dispatcher reads the new mode's TLB.
   */
  private endSliceIfInterruptTakeable(): void {
    if (this.exceptions.interruptTakeable()) this.exitRequest = true;
  }

  /** SETEND: CPSR.E (big-endian data when 1); allowed at PL0. */
  setEndian(e: number): void {
    if ((e & 1) !== this.state.bigEndian) this.markExitToLoop(); // QEMU: DISAS_UPDATE_EXIT on a change
    this.state.bigEndian = e & 1;
    this.syncModeDependents();
  }

  /** PSCI firmware answered by the emulator (virt's HVC conduit), or null (HVC is then UNDEFINED). */
  psci: Psci | null = null;

  /** HVC at PL1: a PSCI call when the board provides PSCI (logged as EXCEPTION, as QEMU). */
  psciCall(): boolean {
    if (this.psci === null) return false;
    this.r[15] = this.nextPc;
    this.exceptions.onExceptionEvent?.('svc');
    this.psci.call();
    this.exitRequest = true;
    this.markExitToLoop();
    return true;
  }

  /**
   * SMC: with the Security Extensions, at PL1, the Secure Monitor Call exception (Monitor mode at
   * MVBAR + 8, LR_mon = the next instruction); QEMU's v7 core without EL2 has no SCR.SCD to
   * disable it. UNDEFINED at PL0 and on cores without the extensions.
   */
  secureMonitorCall(): void {
    if (this.security === null || this.state.mode === MODE_USR) return this.undefined();
    this.r[15] = this.nextPc;
    this.exceptions.smc();
  }

  /** BL/BLX: LR = return address, with bit 0 set when returning to Thumb. */
  override link(): void {
    this.r[14] = this.state.thumb !== 0 ? this.nextPc | 1 : this.nextPc;
  }

  /** SVC: semihosting (SVC 0x123456 in A32, 0xAB in Thumb, at PL1) or the SVC exception. */
  override svc(imm: number): void {
    const st = this.state;
    this.r[15] = this.nextPc;
    const semihostingImm = st.thumb !== 0 ? SEMIHOSTING_SVC_T32 : SEMIHOSTING_SVC_A32;
    if (st.mode !== MODE_USR && imm === semihostingImm && this.exceptions.semihosting !== null) {
      this.exceptions.semihostingCall();
      return;
    }
    this.exceptions.svc(imm);
  }

  /** BKPT: a debug event taken as a prefetch abort with IFSR 0x002 (never semihosting on A). */
  override bkpt(_imm: number): void {
    this.breakpointAbort(this.pc);
  }

  breakpointAbort(pc: number): void {
    this.state.itstate = this.itBefore;
    this.r[15] = pc;
    // QEMU clears the fault address for BKPT ("FAR is UNKNOWN"): IFAR reads 0.
    this.exceptions.prefetchAbortWith(pc, this.debugFsr(), 0);
  }
  /** Set by the MMU wiring: true when FSRs use the LPAE format (TTBCR.EAE). */
  mmuFsrIsLpae: (() => boolean) | null = null;

  // ---- coprocessor register access (MRC/MCR/MRRC/MCRR) --------------------------------------

  /** The definition for an access, or null when it is UNDEFINED at this privilege level. */
  sysregFor(cp: number, is64: boolean, opc1: number, crn: number, crm: number, opc2: number, isRead: boolean): SysRegDef | null {
    const def = this.sysregs.lookup(cp, is64, opc1, crn, crm, opc2);
    if (def === undefined) return null;
    if (isRead ? def.read === undefined : def.write === undefined) return null;
    if (this.state.mode === MODE_USR) {
      const pl0 = isRead ? def.pl0Read : def.pl0Write;
      if (pl0 === undefined || pl0 === false) return null;
      if (typeof pl0 === 'function' && !pl0()) return null;
    }
    return def;
  }
}
