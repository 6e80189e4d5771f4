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
import type { Bus, CpuBus } from '../memory/bus.js';
import { BUS_FAULT } from '../memory/bus.js';
import type { VirtualClock } from '../clock.js';
import type { CoreExecutor } from '../machines/machine.js';
import { CpuState, RUNNING, LR, SP } from './state.js';
import type { CpuSystem } from './system.js';
import { UsageCause } from './system.js';
import { addWithCarryFlags, conditionPassed, shiftC, shifter, itAdvance, t16IgnoresItCondition } from './alu.js';
import { T16_ARGS, T16_EXEC, T16_FAST, t16Args } from './t16.js';
import { F16, t16RegShiftType } from './t16.js';
import { t32BucketsFor } from './t32.js';
import { CORTEX_M3, type CoreProfile } from './profile.js';
import type { Encoding } from './decode-table.js';
import { BlockJit, JIT_SLOT_MASK } from './jit/block-jit.js';
import type { CompiledBlock } from './jit/block-compiler.js';
import { BreakpointSet } from './breakpoint-set.js';
import { ExecutionStats } from './execution-stats.js';
import { bucketKey32, match32 } from './decode-table.js';
import type { Fields } from './decode-table.js';
import type { Handler } from './t16.js';

/** A 32-bit instruction decoded once: its handler and its extracted fields. */
interface DecodedInsn {
  exec: Handler;
  args: Fields;
}
/** Direct-mapped cache of decoded 32-bit instructions, keyed by the full encoding. */
const T32_CACHE_BITS = 12;
const T32_CACHE_MASK = (1 << T32_CACHE_BITS) - 1;
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
  readonly breakpoints = new BreakpointSet();
  /** CCR.DIV_0_TRP and CCR.UNALIGN_TRP, mirrored here by the system side. */
  divZeroTrap = false;
  unalignTrap = false;

  readonly r: Int32Array;
  /**
   * Address of the instruction being executed. This and `nextPc`, `insn`, `inIt` and `itBefore`
   * are set up only for instructions that run through a table handler (all 32-bit ones and the
   * 16-bit rows the interpreter loop does not inline); the inlined rows keep them in locals.
   */
  pc = 0;
  /** Where execution continues after this instruction. */
  nextPc = 0;
  /** The raw instruction (halfword, or hw1 << 16 | hw2). */
  insn = 0;
  /** True when the current instruction is inside an IT block (16-bit forms then do not set flags). */
  inIt = false;
  /** ITSTATE before this instruction, restored when it faults. */
  protected itBefore = 0;

  /**
   * A Thumb instruction begins with ITSTATE `it`: advance ITSTATE past it and say whether its IT
   * condition passes (always, outside an IT block).
   */
  protected itStep(it: number): boolean {
    if (it === 0) {
      this.inIt = false;
      return true;
    }
    this.state.itstate = itAdvance(it);
    this.inIt = true;
    return conditionPassed(this.state, it >>> 4);
  }
  /** EXC_RETURN written to PC by this instruction (0 = none); performed after the handler. */
  private excReturn = 0;
  /**
   * Decoded 32-bit instructions by encoding, direct-mapped: slot -> encoding (0 = empty, never a
   * 32-bit instruction) and slot -> decoded form. Keyed by the encoding, so code writes need no flush.
   */
  private readonly t32Keys = new Int32Array(1 << T32_CACHE_BITS);
  private readonly t32Cache: DecodedInsn[] = new Array<DecodedInsn>(1 << T32_CACHE_BITS).fill({ exec: undefinedHandler, args: {} });
  /** LDM scratch so a faulting load leaves registers untouched. */
  readonly loadBuffer = new Int32Array(16);
  /** The block translator, or null when running interpreter-only (`--no-jit`). */
  jit: BlockJit | null = null;
  /** The bits a write to SP keeps (setReg): M-profile clears SP[1:0]; the A-profile core keeps all. */
  readonly spWriteMask: number = ~3;
  /** Set by a compiled block that faults: the faulting instruction and how many retired with it. */
  jitFaultPc = 0;
  jitFaultRetired = 0;
  /** ITSTATE before the faulting instruction (non-zero when it is inside an IT block). */
  jitFaultIt = 0;
  /** Blocks vs interpreted instructions and why `execute` returned (diagnostics, `--jit-stats`). */
  readonly stats = new ExecutionStats();

  /** 32-bit decode buckets of this core's profile. */
  private readonly t32Buckets: readonly Encoding<Handler>[][];

  /**
   * What instructions access memory through: the physical bus here; the A-profile core points it
   * at the MMU's virtual view (and a byte-swapping view for big-endian data).
   */
  bus: CpuBus;

  constructor(
    readonly state: CpuState,
    /** The physical bus (the JIT's inline RAM paths read its page tables). */
    readonly physicalBus: Bus,
    readonly clock: VirtualClock,
    readonly profile: CoreProfile = CORTEX_M3,
  ) {
    this.bus = physicalBus;
    this.r = state.r;
    this.t32Buckets = t32BucketsFor(profile);
  }

  /** Turn the block JIT on (boards do unless told `--no-jit`). */
  enableJit(): void {
    if (this.jit === null) this.jit = new BlockJit(this, this.physicalBus, this.t32Buckets);
  }

  /**
   * Off: run the blocks already translated but translate no new ones (the gdb stub's reverse steps
   * re-run a few instructions many times; results never depend on it).
   */
  setTranslation(on: boolean): void {
    if (this.jit !== null) this.jit.translating = on;
  }

  /** Blocks the JIT has translated (statistics, `--jit-stats`). */
  translatedBlocks(): number {
    return this.jit?.translated ?? 0;
  }

  execute(budget: number): number {
    const st = this.state;
    const r = this.r;
    const clock = this.clock;
    const bus = this.bus;
    const bps = this.breakpoints;
    // Breakpoints only change between runs (gdb stub), so one test per call is enough; with some
    // set, a per-page count keeps the check O(1) whatever their number (BreakpointSet).
    const checkBp = bps.size !== 0;
    let skipBp = this.skipBreakpointOnce;
    this.skipBreakpointOnce = false;
    let retired = 0;
    // True while the current instruction is being fetched (a BusFault then is a prefetch abort).
    let fetching = false;
    let pc = 0;
    let it = 0;
    const jit = this.jit;
    const jitKeys = jit !== null ? jit.keys : null;
    const jitSlots = jit !== null ? jit.slots : null;
    // A block leader: reached by a branch, an exception or the end of a block (where blocks start).
    let leader = true;
    // The instruction being interpreted ends translation (MSR, CPS, a hint...): the code after it
    // starts a block of its own, so look it up too instead of interpreting up to the next branch.
    let stopper = false;
    let inBlock = false;
    const stats = this.stats;
    // One try around the whole loop: a fault is the rare path and always ends this call.
    try {
      while (retired < budget) {
        pc = r[15]!;
        if (checkBp) {
          if (!skipBp && bps.hit(pc)) {
            this.hitBreakpoint = true;
            break;
          }
          skipBp = false;
        }
        if (jitKeys !== null && st.itstate === 0 && st.thumb !== 0) {
          const slot = (pc >>> 1) & JIT_SLOT_MASK;
          const b: CompiledBlock | null = jitKeys[slot] === pc ? jitSlots![slot]! : leader ? jit!.lookup(pc) : null;
          stopper = b !== null && b.count === Infinity;
          // A block runs only whole: the tail of a budget, and blocks holding a breakpoint, interpret.
          if (b !== null && budget - retired >= b.count && (!checkBp || !BlockJit.hasBreakpointInside(b, bps))) {
            inBlock = true;
            const n = b.run(budget - retired);
            inBlock = false;
            retired += n;
            stats.blockRuns++;
            stats.insnsInBlocks += n;
            // An exception return lands wherever the handler preempted the code: not a block leader,
            // so interrupt-heavy code does not translate a block at every preemption point
            // (it runs the front cache's block there, or interprets up to the next branch).
            leader = true;
            if (this.excReturn !== 0) {
              const v = this.excReturn;
              this.excReturn = 0;
              this.sys.exceptionReturn(v);
              leader = false;
            }
            if (this.exitRequest || st.sleep !== RUNNING) break;
            continue;
          }
        }
        clock.icount++;
        retired++;

        // ---- one instruction at `pc` (icount already advanced) ----
        it = st.itstate;
        if (st.thumb === 0) {
          this.pc = pc;
          this.itBefore = it;
          this.nextPc = pc;
          this.sys.usageFault(UsageCause.INVSTATE, pc);
        } else {
          fetching = true;
          const hw = bus.fetch16(pc);
          if (hw < 0xe800) {
            // 16-bit: hot rows inline with the next PC in a local; handler fields are only set up
            // for rows that go through the table (slow16).
            fetching = false;
            r[15] = pc + 4;
            let npc = (pc + 2) | 0;
            let run = true;
            if (it !== 0) {
              st.itstate = itAdvance(it);
              run = conditionPassed(st, it >>> 4) || t16IgnoresItCondition(hw);
            }
            if (run) npc = this.step16(pc, it, hw, npc);
            leader = stopper || npc !== ((pc + 2) | 0);
            r[15] = npc;
          } else {
            const insn = (hw << 16) | bus.fetch16(pc + 2);
            fetching = false;
            this.pc = pc;
            this.itBefore = it;
            this.insn = insn;
            r[15] = pc + 4;
            this.nextPc = (pc + 4) | 0;
            let run = true;
            if (it !== 0) {
              st.itstate = itAdvance(it);
              this.inIt = true;
              run = conditionPassed(st, it >>> 4);
            } else {
              this.inIt = false;
            }
            if (run) {
              const slot = (insn ^ (insn >>> 13)) & T32_CACHE_MASK;
              let d = this.t32Cache[slot]!;
              if (this.t32Keys[slot] !== insn) d = this.decode32(insn, slot);
              d.exec(this, d.args);
            }
            r[15] = this.nextPc;
            leader = stopper || this.nextPc !== ((pc + 4) | 0);
            if (this.excReturn !== 0) {
              const v = this.excReturn;
              this.excReturn = 0;
              this.sys.exceptionReturn(v);
            }
          }
        }
        if (this.exitRequest || st.sleep !== RUNNING) break;
      }
      if (this.hitBreakpoint) stats.exitBreakpoint++;
      else if (st.sleep !== RUNNING) stats.exitSleep++;
      else if (this.exitRequest) stats.exitRequest++;
      else stats.exitBudget++;
    } catch (e) {
      stats.exitFault++;
      // Rare path: a data/fetch fault. The instruction did not happen (QEMU restores icount).
      if (inBlock) {
        // The block counted the instructions before the faulting one and set icount past it.
        pc = this.jitFaultPc;
        it = this.jitFaultIt;
        retired += this.jitFaultRetired;
        stats.insnsInBlocks += this.jitFaultRetired - 1;
        fetching = false;
      }
      r[15] = pc;
      st.itstate = it;
      this.excReturn = 0;
      clock.icount--;
      retired--;
      if (e === BUS_FAULT) {
        if (fetching) {
          this.sys.prefetchAbort(pc);
        } else {
          this.sys.busFault(BUS_FAULT.address, BUS_FAULT.isWrite, pc);
        }
      } else if (e === SYNC_FAULT) {
        this.sys.usageFault(SYNC_FAULT.cause, pc);
      } else {
        throw e;
      }
    }
    stats.executeCalls++;
    stats.retired += retired;
    return retired;
  }

  /**
   * Set up what a table handler reads, for a compiled block calling one; `it`: the instruction's
   * ITSTATE before it (inside an IT block; 0 outside).
   */
  prepareHandler(pc: number, insn: number, size: number, it = 0): void {
    this.pc = pc;
    this.insn = insn;
    this.itBefore = it;
    this.inIt = it !== 0;
    this.nextPc = (pc + size) | 0;
    this.r[15] = (pc + 4) | 0;
  }

  /**
   * One 16-bit instruction of the hot rows, inline here; the rest through slow16. Returns the next
   * PC. A method of its own rather than part of `execute`: a row first met late deoptimizes only
   * this function (its missing type feedback), not the dispatcher loop, which V8 would otherwise
   * recompile whole each time (~100-200 ms of compiler CPU, several times per run).
   */
  private step16(pc: number, it: number, hw: number, npc: number): number {
    const r = this.r;
    const st = this.state;
    const s = it === 0 ? 1 : 0;
    switch (T16_FAST[hw]!) {
      case F16.LSL_IMM: {
        const v = r[(hw >>> 3) & 7]!;
        const n = (hw >>> 6) & 31;
        if (n === 0) {
          r[hw & 7] = v;
          if (s !== 0) st.NF = st.ZF = v;
        } else {
          const res = v << n;
          r[hw & 7] = res;
          if (s !== 0) {
            st.NF = st.ZF = res;
            st.CF = (v >>> (32 - n)) & 1;
          }
        }
        break;
      }
      case F16.LSR_IMM: {
        const v = r[(hw >>> 3) & 7]!;
        const n = (hw >>> 6) & 31;
        const res = n === 0 ? 0 : (v >>> n) | 0;
        r[hw & 7] = res;
        if (s !== 0) {
          st.NF = st.ZF = res;
          st.CF = n === 0 ? v >>> 31 : (v >>> (n - 1)) & 1;
        }
        break;
      }
      case F16.ASR_IMM: {
        const v = r[(hw >>> 3) & 7]!;
        const n = (hw >>> 6) & 31;
        const res = n === 0 ? v >> 31 : v >> n;
        r[hw & 7] = res;
        if (s !== 0) {
          st.NF = st.ZF = res;
          st.CF = n === 0 ? v >>> 31 : (v >> (n - 1)) & 1;
        }
        break;
      }
      case F16.ADD_REG: {
        const x = r[(hw >>> 3) & 7]!;
        const y = r[(hw >>> 6) & 7]!;
        r[hw & 7] = s !== 0 ? addWithCarryFlags(st, x, y, 0) : (x + y) | 0;
        break;
      }
      case F16.SUB_REG: {
        const x = r[(hw >>> 3) & 7]!;
        const y = r[(hw >>> 6) & 7]!;
        r[hw & 7] = s !== 0 ? addWithCarryFlags(st, x, ~y, 1) : (x - y) | 0;
        break;
      }
      case F16.ADD_IMM3: {
        const x = r[(hw >>> 3) & 7]!;
        const y = (hw >>> 6) & 7;
        r[hw & 7] = s !== 0 ? addWithCarryFlags(st, x, y, 0) : (x + y) | 0;
        break;
      }
      case F16.SUB_IMM3: {
        const x = r[(hw >>> 3) & 7]!;
        const y = (hw >>> 6) & 7;
        r[hw & 7] = s !== 0 ? addWithCarryFlags(st, x, ~y, 1) : (x - y) | 0;
        break;
      }
      case F16.MOV_IMM: {
        const v = hw & 0xff;
        r[(hw >>> 8) & 7] = v;
        if (s !== 0) st.NF = st.ZF = v;
        break;
      }
      case F16.CMP_IMM:
        addWithCarryFlags(st, r[(hw >>> 8) & 7]!, ~(hw & 0xff), 1);
        break;
      case F16.ADD_IMM8: {
        const d = (hw >>> 8) & 7;
        const x = r[d]!;
        const y = hw & 0xff;
        r[d] = s !== 0 ? addWithCarryFlags(st, x, y, 0) : (x + y) | 0;
        break;
      }
      case F16.SUB_IMM8: {
        const d = (hw >>> 8) & 7;
        const x = r[d]!;
        const y = hw & 0xff;
        r[d] = s !== 0 ? addWithCarryFlags(st, x, ~y, 1) : (x - y) | 0;
        break;
      }
      case F16.AND: {
        const d = hw & 7;
        const res = r[d]! & r[(hw >>> 3) & 7]!;
        r[d] = res;
        if (s !== 0) st.NF = st.ZF = res;
        break;
      }
      case F16.EOR: {
        const d = hw & 7;
        const res = r[d]! ^ r[(hw >>> 3) & 7]!;
        r[d] = res;
        if (s !== 0) st.NF = st.ZF = res;
        break;
      }
      case F16.ORR: {
        const d = hw & 7;
        const res = r[d]! | r[(hw >>> 3) & 7]!;
        r[d] = res;
        if (s !== 0) st.NF = st.ZF = res;
        break;
      }
      case F16.BIC: {
        const d = hw & 7;
        const res = r[d]! & ~r[(hw >>> 3) & 7]!;
        r[d] = res;
        if (s !== 0) st.NF = st.ZF = res;
        break;
      }
      case F16.MVN: {
        const res = ~r[(hw >>> 3) & 7]!;
        r[hw & 7] = res;
        if (s !== 0) st.NF = st.ZF = res;
        break;
      }
      case F16.TST: {
        const res = r[hw & 7]! & r[(hw >>> 3) & 7]!;
        st.NF = st.ZF = res;
        break;
      }
      case F16.CMP_REG:
        addWithCarryFlags(st, r[hw & 7]!, ~r[(hw >>> 3) & 7]!, 1);
        break;
      case F16.CMN_REG:
        addWithCarryFlags(st, r[hw & 7]!, r[(hw >>> 3) & 7]!, 0);
        break;
      case F16.ADC: {
        const d = hw & 7;
        const x = r[d]!;
        const y = r[(hw >>> 3) & 7]!;
        const cin = st.CF;
        r[d] = s !== 0 ? addWithCarryFlags(st, x, y, cin) : (x + y + cin) | 0;
        break;
      }
      case F16.SBC: {
        const d = hw & 7;
        const x = r[d]!;
        const y = r[(hw >>> 3) & 7]!;
        const cin = st.CF;
        r[d] = s !== 0 ? addWithCarryFlags(st, x, ~y, cin) : (x + ~y + cin) | 0;
        break;
      }
      case F16.RSB: {
        const x = r[(hw >>> 3) & 7]!;
        r[hw & 7] = s !== 0 ? addWithCarryFlags(st, 0, ~x, 1) : (0 - x) | 0;
        break;
      }
      case F16.MUL: {
        const d = hw & 7;
        const res = Math.imul(r[(hw >>> 3) & 7]!, r[d]!);
        r[d] = res;
        if (s !== 0) st.NF = st.ZF = res;
        break;
      }
      case F16.SHIFT_REG: {
        const d = hw & 7;
        const res = shiftC(r[d]!, t16RegShiftType(hw), r[(hw >>> 3) & 7]! & 0xff, st.CF);
        r[d] = res;
        if (s !== 0) {
          st.NF = st.ZF = res;
          st.CF = shifter.carry;
        }
        break;
      }
      case F16.ADD_HI: {
        const d = ((hw >>> 4) & 8) | (hw & 7);
        const v = (r[d]! + r[(hw >>> 3) & 15]!) | 0;
        if (d === 15) npc = v & ~1;
        else this.setReg(d, v);
        break;
      }
      case F16.CMP_HI:
        addWithCarryFlags(st, r[((hw >>> 4) & 8) | (hw & 7)]!, ~r[(hw >>> 3) & 15]!, 1);
        break;
      case F16.MOV_HI: {
        const d = ((hw >>> 4) & 8) | (hw & 7);
        const v = r[(hw >>> 3) & 15]!;
        if (d === 15) npc = v & ~1;
        else this.setReg(d, v);
        break;
      }
      case F16.LDR_LIT:
        r[(hw >>> 8) & 7] = this.load32(((r[15]! & ~3) + (hw & 0xff) * 4) | 0);
        break;
      case F16.LDR_REG:
        r[hw & 7] = this.load32((r[(hw >>> 3) & 7]! + r[(hw >>> 6) & 7]!) | 0);
        break;
      case F16.STR_REG:
        this.store32((r[(hw >>> 3) & 7]! + r[(hw >>> 6) & 7]!) | 0, r[hw & 7]!);
        break;
      case F16.LDRB_REG:
        r[hw & 7] = this.load8((r[(hw >>> 3) & 7]! + r[(hw >>> 6) & 7]!) | 0);
        break;
      case F16.STRB_REG:
        this.store8((r[(hw >>> 3) & 7]! + r[(hw >>> 6) & 7]!) | 0, r[hw & 7]!);
        break;
      case F16.LDRH_REG:
        r[hw & 7] = this.load16((r[(hw >>> 3) & 7]! + r[(hw >>> 6) & 7]!) | 0);
        break;
      case F16.STRH_REG:
        this.store16((r[(hw >>> 3) & 7]! + r[(hw >>> 6) & 7]!) | 0, r[hw & 7]!);
        break;
      case F16.LDRSB_REG:
        r[hw & 7] = (this.load8((r[(hw >>> 3) & 7]! + r[(hw >>> 6) & 7]!) | 0) << 24) >> 24;
        break;
      case F16.LDRSH_REG:
        r[hw & 7] = (this.load16((r[(hw >>> 3) & 7]! + r[(hw >>> 6) & 7]!) | 0) << 16) >> 16;
        break;
      case F16.LDR_IMM:
        r[hw & 7] = this.load32((r[(hw >>> 3) & 7]! + ((hw >>> 6) & 31) * 4) | 0);
        break;
      case F16.STR_IMM:
        this.store32((r[(hw >>> 3) & 7]! + ((hw >>> 6) & 31) * 4) | 0, r[hw & 7]!);
        break;
      case F16.LDRB_IMM:
        r[hw & 7] = this.load8((r[(hw >>> 3) & 7]! + ((hw >>> 6) & 31)) | 0);
        break;
      case F16.STRB_IMM:
        this.store8((r[(hw >>> 3) & 7]! + ((hw >>> 6) & 31)) | 0, r[hw & 7]!);
        break;
      case F16.LDRH_IMM:
        r[hw & 7] = this.load16((r[(hw >>> 3) & 7]! + ((hw >>> 6) & 31) * 2) | 0);
        break;
      case F16.STRH_IMM:
        this.store16((r[(hw >>> 3) & 7]! + ((hw >>> 6) & 31) * 2) | 0, r[hw & 7]!);
        break;
      case F16.LDR_SP:
        r[(hw >>> 8) & 7] = this.load32((r[SP]! + (hw & 0xff) * 4) | 0);
        break;
      case F16.STR_SP:
        this.store32((r[SP]! + (hw & 0xff) * 4) | 0, r[(hw >>> 8) & 7]!);
        break;
      case F16.ADR:
        r[(hw >>> 8) & 7] = ((r[15]! & ~3) + (hw & 0xff) * 4) | 0;
        break;
      case F16.ADD_SP_IMM8:
        r[(hw >>> 8) & 7] = (r[SP]! + (hw & 0xff) * 4) | 0;
        break;
      case F16.ADD_SP_IMM7:
        this.setReg(SP, (r[SP]! + (hw & 0x7f) * 4) | 0);
        break;
      case F16.SUB_SP_IMM7:
        this.setReg(SP, (r[SP]! - (hw & 0x7f) * 4) | 0);
        break;
      case F16.CBZ: {
        const imm = (((hw >>> 9) & 1) << 5) | ((hw >>> 3) & 31);
        if ((r[hw & 7] === 0) !== ((hw & 0x800) !== 0)) npc = (r[15]! + imm * 2) & ~1;
        break;
      }
      case F16.SXTH:
        r[hw & 7] = (r[(hw >>> 3) & 7]! << 16) >> 16;
        break;
      case F16.SXTB:
        r[hw & 7] = (r[(hw >>> 3) & 7]! << 24) >> 24;
        break;
      case F16.UXTH:
        r[hw & 7] = r[(hw >>> 3) & 7]! & 0xffff;
        break;
      case F16.UXTB:
        r[hw & 7] = r[(hw >>> 3) & 7]! & 0xff;
        break;
      case F16.B_COND:
        if (it !== 0) {
          npc = this.slow16(pc, it, hw, npc);
        } else if (conditionPassed(st, (hw >>> 8) & 15)) {
          npc = (r[15]! + (((hw & 0xff) << 24) >> 23)) & ~1;
        }
        break;
      case F16.B:
        npc = (r[15]! + (((hw & 0x7ff) << 21) >> 20)) & ~1;
        break;
      default:
        npc = this.slow16(pc, it, hw, npc);
    }
    return npc;
  }

  /**
   * A 16-bit instruction through its table handler: sets up the fields handlers use, runs it, and
   * performs a pending exception return. Returns the new r[15].
   */
  private slow16(pc: number, it: number, hw: number, npc: number): number {
    this.pc = pc;
    this.itBefore = it;
    this.inIt = it !== 0;
    this.insn = hw;
    this.nextPc = npc;
    T16_EXEC[hw]!(this, T16_ARGS[hw] ?? t16Args(hw));
    const r = this.r;
    r[15] = this.nextPc;
    if (this.excReturn !== 0) {
      const v = this.excReturn;
      this.excReturn = 0;
      this.sys.exceptionReturn(v);
    }
    return r[15]!;
  }

  /** Decode a 32-bit instruction once; later executions reuse handler and extracted fields. */
  private decode32(insn: number, slot: number): DecodedInsn {
    const e = match32(this.t32Buckets[bucketKey32(insn)]!, insn);
    let d: DecodedInsn;
    if (e === null) {
      d = { exec: undefinedHandler, args: {} };
    } else {
      const args: Fields = {};
      for (const f of e.fieldNames) args[f] = 0;
      e.extract(insn, args);
      d = { exec: e.exec, args };
    }
    this.t32Keys[slot] = insn;
    this.t32Cache[slot] = d;
    return d;
  }

  // ---- helpers for handlers ------------------------------------------------------------------

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

  /**
   * ExecuteFPCheck at the start of every FP instruction: false when it raised NOCP (counted, like
   * the other decode-time UsageFaults); the handler must then return at once.
   */
  fpCheck(): boolean {
    if (this.sys.fpCheck(this.pc)) return true;
    this.abandon();
    return false;
  }

  /**
   * An unallocated encoding in FP space: NOCP when CPACR denies the FPU, else UNDEFINED — checked
   * as QEMU does, without lazy state preservation or a CONTROL.FPCA change.
   */
  fpUndefined(): void {
    if (this.sys.fpAccessible()) this.undefined();
    else this.usageFault(UsageCause.NOCP);
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

  /** B, BL, CBZ/CBNZ (Thumb): a branch to an address the instruction encodes. */
  branchDirect(addr: number): void {
    this.branchTo(addr);
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

  /**
   * ALUWritePC: a data-processing result written to the PC. Thumb: BranchWritePC; the A-profile
   * core overrides it (A32 state: BXWritePC, i.e. interworking).
   */
  aluWritePc(addr: number): void {
    this.branchTo(addr);
  }

  /**
   * Data processing with S set and Rd = PC (SUBS PC, LR, #imm and friends): on A-profile CPSR gets
   * the current mode's SPSR, then execution continues at `addr`. It does not exist on M-profile
   * (UNDEFINED here); the A-profile core overrides it.
   */
  returnFromException(addr: number): void {
    void addr;
    this.undefined();
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
    } else {
      // A semihosting call continues after the BKPT but, as in QEMU (its EXCP_SEMIHOST saves the
      // BKPT's own condexec bits), inside an IT block the ITSTATE is not advanced past it.
      this.state.itstate = this.itBefore;
    }
  }

  /**
   * Data accesses are big-endian (A-profile CPSR.E): a 64-bit FP transfer then puts the word at the
   * lower address in the high half, as one doubleword access does. Always false on M-profile.
   */
  dataBigEndian(): boolean {
    return false;
  }

  /** Aligned access required (LDM/STM/LDRD/STRD/exclusives); `isWrite` for the A-profile abort's WnR. */
  checkAligned(addr: number, size: number, isWrite = false): void {
    void isWrite;
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

  /**
   * A result written to Rd as QEMU's store_reg does it: to the PC (UNPREDICTABLE in the encodings
   * that use it) a plain branch (BranchWritePC, no interworking), staying in the current state.
   */
  storeReg(rd: number, v: number): void {
    if (rd === 15) this.branchTo(v);
    else this.setReg(rd, v);
  }

  /** Write a loaded value to Rt; PC gets LoadWritePC semantics. */
  writeLoaded(rt: number, v: number): void {
    if (rt === 15) this.bxWritePc(v);
    else this.setReg(rt, v);
  }

  /**
   * Write R0-R14 (never the PC): on M-profile SP[1:0] read as zero after any write, as QEMU's
   * store_reg does it (MSR MSP/PSP and reset clear them too; `spWriteMask`).
   */
  setReg(n: number, v: number): void {
    this.r[n] = n === 13 ? v & this.spWriteMask : v;
  }

  conditionPassed(cond: number): boolean {
    return conditionPassed(this.state, cond);
  }
}
