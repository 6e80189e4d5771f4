/**
 * The lukewarm tier of the A32 JIT: a block as its pre-decoded table handlers ("threaded code").
 * Building one costs decoding its instructions once; running it does per instruction exactly what
 * the interpreter does (icount, the handler set-up, the condition, the handler, the stop checks)
 * without the fetch through the MMU and the decode-cache lookup. A generated JavaScript block
 * (A32BlockCompiler) costs about a millisecond of CPU to build (parse, baseline code, TurboFan on a
 * second thread) and a kernel boot has thousands of blocks entered only a few hundred times, so a
 * block starts threaded and is promoted to a generated function only once it has run often
 * (A32_JIT_PROMOTE_RUNS, counted here).
 *
 * A threaded block is the compiler's straight line (the same end rules: the first instruction that
 * may write the PC or changes state a block assumes, an UNDEFINED encoding, the page end,
 * MAX_A32_BLOCK_INSNS), and it also leaves after any instruction that branched (a taken
 * conditional branch included), stopped or slept the core: the dispatcher then goes on as the
 * interpreter would. A fault records the faulting instruction (jitFaultPc/jitFaultRetired, icount
 * already past it) as generated blocks do.
 */
import type { Bus } from '../../memory/bus.js';
import { NO_RAM, PAGE_SHIFT, PAGE_SIZE } from '../../memory/bus.js';
import type { Fields } from '../decode-table.js';
import type { Handler } from '../t16.js';
import type { BlockRun } from './block-function.js';
import { addWithCarryFlags, armExpandImmC, conditionPassed, immShiftC, shifter, shiftC } from '../alu.js';
import { RUNNING } from '../state.js';
import { JIT_TLB_INDEX_MASK, JIT_TLB_INDEX_SHIFT, JIT_TLB_WRITE } from '../../memory/jit-tlb.js';
import { MAX_A32_BLOCK_INSNS, codeWord, decodedFields, mayWritePc, type A32Block, type A32BlockHost } from './a32-block-compiler.js';
import {
  DP_AMOUNT_SHIFT,
  DP_LOGICAL,
  DP_S,
  DP_TEST,
  DP_TYPE_SHIFT,
  MEM_ALIGN_SHIFT,
  MEM_AMOUNT_SHIFT,
  MEM_INDEX,
  MEM_REG,
  MEM_SUB,
  MEM_TYPE_SHIFT,
  MEM_WBACK,
  MICRO_BRANCH,
  MICRO_BX,
  MICRO_COND_SHIFT,
  MICRO_INSN,
  MICRO_KIND_MASK,
  MICRO_DP_IMM,
  MICRO_DP_REG,
  MICRO_DP_RSR,
  MICRO_LDM,
  MICRO_LOAD,
  MICRO_LOAD_DUAL,
  MICRO_MOVT,
  MICRO_MOVW,
  MICRO_NOTHING,
  MICRO_STM,
  MICRO_STORE,
  MICRO_STORE_DUAL,
  MICRO_STRIDE,
  decodeMicroOp,
} from './a32-micro-ops.js';

/** What a threaded block needs from the JIT that owns it. */
export interface A32BlockPromoter {
  /** Replace `b` with a generated function (it keeps running threaded this time). */
  promote(b: A32ThreadedBlock): void;
}

export class A32ThreadedBlock implements A32Block {
  readonly end: number;
  bpGeneration = -1;
  bpInside = false;
  /** Runs left before the block is handed to the compiler (0: promoted or never). */
  private runsToPromotion: number;

  constructor(
    readonly start: number,
    readonly ppage: number,
    readonly hostPage: number,
    /**
     * MICRO_STRIDE words per instruction (a32-micro-ops.ts): kind and condition, operands, the
     * instruction word. One array per block: a block entry touches as few cache lines as it can.
     */
    private readonly code: Int32Array,
    /** Where this block's words start in `code` (a chunk of the arena). */
    private readonly base: number,
    /** Instructions in the block. */
    readonly count: number,
    private readonly handlers: readonly Handler[],
    private readonly args: readonly Fields[],
    private readonly cpu: A32BlockHost,
    private readonly bus: Bus,
    private readonly promoter: A32BlockPromoter,
    promoteAfterRuns: number,
  ) {
    this.runsToPromotion = promoteAfterRuns;
    this.end = (start + 4 * count) | 0;
  }

  /** The block's entry (A32Block.run), bound once: the dispatcher calls it without `this`. */
  readonly run: BlockRun = (budget: number): number => this.runThreaded(budget);

  /**
   * Contract of A32Block.run: budget >= count, so the whole straight line always fits. One loop
   * for every block: it switches on the micro-op kind; icount is kept in `ic` and written before
   * anything that may read it (a table handler) and at the end.
   */
  private runThreaded(_budget: number): number {
    if (this.runsToPromotion !== 0 && --this.runsToPromotion === 0) this.promoter.promote(this);
    const cpu = this.cpu;
    const st = cpu.state;
    const r = cpu.r;
    const clock = cpu.clock;
    const bus = this.bus;
    const Q = cpu.jitTlb();
    const x = this.code;
    const base = this.base;
    const n = this.count;
    let ic = clock.icount;
    let pc = this.start;
    // Where execution goes on after the last instruction run.
    let next = pc;
    let i = 0;
    try {
      insns: while (i < n) {
        next = (pc + 4) | 0;
        const j = base + i * MICRO_STRIDE;
        const head = x[j]!;
        const cond = head >>> MICRO_COND_SHIFT;
        if (cond === 14 || conditionPassed(st, cond)) {
          r[15] = (pc + 8) | 0;
          const kind = head & MICRO_KIND_MASK;
          let handler = false;
          switch (kind) {
            case MICRO_DP_IMM:
            case MICRO_DP_REG:
            case MICRO_DP_RSR: {
              const f = x[j + 4]!;
              const b =
                kind === MICRO_DP_IMM
                  ? armExpandImmC(x[j + 3]!, st.CF)
                  : kind === MICRO_DP_REG
                    ? immShiftC(r[x[j + 3]!]!, (f >>> DP_TYPE_SHIFT) & 3, f >>> DP_AMOUNT_SHIFT, st.CF)
                    : shiftC(r[x[j + 3]!]!, (f >>> DP_TYPE_SHIFT) & 3, r[f >>> DP_AMOUNT_SHIFT]! & 0xff, st.CF);
              // The opcodes as dataproc.ts defines them, inline (a call per instruction costs more
              // than the operation); flags through alu.ts as there.
              const a = r[x[j + 2]!]!;
              const setFlags = (f & DP_S) !== 0;
              let res: number;
              switch (f & 15) {
                case 0: // AND
                case 8: // TST
                  res = a & b;
                  break;
                case 1: // EOR
                case 9: // TEQ
                  res = a ^ b;
                  break;
                case 2: // SUB
                case 10: // CMP
                  res = setFlags ? addWithCarryFlags(st, a, ~b, 1) : (a - b) | 0;
                  break;
                case 3: // RSB
                  res = setFlags ? addWithCarryFlags(st, b, ~a, 1) : (b - a) | 0;
                  break;
                case 4: // ADD
                case 11: // CMN
                  res = setFlags ? addWithCarryFlags(st, a, b, 0) : (a + b) | 0;
                  break;
                case 5: // ADC
                  res = setFlags ? addWithCarryFlags(st, a, b, st.CF) : (a + b + st.CF) | 0;
                  break;
                case 6: // SBC
                  res = setFlags ? addWithCarryFlags(st, a, ~b, st.CF) : (a + ~b + st.CF) | 0;
                  break;
                case 7: // RSC
                  res = setFlags ? addWithCarryFlags(st, b, ~a, st.CF) : (b + ~a + st.CF) | 0;
                  break;
                case 12: // ORR
                  res = a | b;
                  break;
                case 13: // MOV
                  res = b;
                  break;
                case 14: // BIC
                  res = a & ~b;
                  break;
                default: // MVN
                  res = ~b;
              }
              if (setFlags && (f & DP_LOGICAL) !== 0) {
                st.NF = res;
                st.ZF = res;
                st.CF = shifter.carry;
              }
              if ((f & DP_TEST) === 0) r[x[j + 1]!] = res;
              break;
            }
            case MICRO_MOVW:
              r[x[j + 1]!] = x[j + 3]!;
              break;
            case MICRO_MOVT: {
              const d = x[j + 1]!;
              r[d] = (r[d]! & 0xffff) | x[j + 3]!;
              break;
            }
            case MICRO_LOAD:
            case MICRO_STORE:
            case MICRO_LOAD_DUAL:
            case MICRO_STORE_DUAL: {
              const f = x[j + 4]!;
              let off = x[j + 3]!;
              if ((f & MEM_REG) !== 0) {
                off = immShiftC(r[off]!, (f >>> MEM_TYPE_SHIFT) & 3, (f >>> MEM_AMOUNT_SHIFT) & 31, st.CF);
                if ((f & MEM_SUB) !== 0) off = -off | 0;
              }
              const rn = x[j + 2]!;
              const rt = x[j + 1]!;
              const base = rn === 15 ? r[15]! & ~3 : r[rn]!;
              const offAddr = (base + off) | 0;
              const a = (f & MEM_INDEX) !== 0 ? offAddr : base;
              // The JIT TLB entry (jit-tlb.ts): its tag equals the address masked with the page and
              // the alignment bits only for an aligned access to RAM the MMU and the bus let through.
              const e = (a >>> JIT_TLB_INDEX_SHIFT) & JIT_TLB_INDEX_MASK;
              const tag = a & (~4095 | ((f >>> MEM_ALIGN_SHIFT) & 3));
              if (kind >= MICRO_LOAD_DUAL) {
                // Both words on the page, else the handler (its alignment check, its faults).
                const hit = kind === MICRO_LOAD_DUAL ? Q[e] === tag : Q[e + JIT_TLB_WRITE] === tag;
                if (!hit || (a & 4095) > 4088) {
                  handler = true;
                  break;
                }
                if (kind === MICRO_LOAD_DUAL) {
                  const w = ((a + Q[e + 1]!) >>> 0) >>> 2;
                  r[rt] = bus.i32[w]!;
                  r[rt + 1] = bus.i32[w + 1]!;
                } else {
                  const w = ((a + Q[e + JIT_TLB_WRITE + 1]!) >>> 0) >>> 2;
                  bus.i32[w] = r[rt]!;
                  bus.i32[w + 1] = r[rt + 1]!;
                }
                if ((f & MEM_WBACK) !== 0) r[rn] = offAddr;
                break;
              }
              const size = (f << 28) >> 28;
              // A miss is the core's access (memops.loadStore's), which also fills the JIT TLB.
              let slow = false;
              if (kind === MICRO_LOAD) {
                let v: number;
                if (Q[e] === tag) {
                  const o = (a + Q[e + 1]!) >>> 0;
                  v = size === 4 ? bus.i32[o >>> 2]! : size === 2 ? bus.u16[o >>> 1]! : size === 1 ? bus.u8[o]! : size === -2 ? (bus.u16[o >>> 1]! << 16) >> 16 : (bus.u8[o]! << 24) >> 24;
                } else {
                  clock.icount = ic + i + 1;
                  v = cpu.jitLoad(a, size);
                  slow = true;
                }
                if ((f & MEM_WBACK) !== 0) r[rn] = offAddr;
                r[rt] = v;
              } else {
                const v = r[rt]!;
                if (Q[e + JIT_TLB_WRITE] === tag) {
                  const o = (a + Q[e + JIT_TLB_WRITE + 1]!) >>> 0;
                  if (size === 4) bus.i32[o >>> 2] = v;
                  else if (size === 2) bus.u16[o >>> 1] = v;
                  else bus.u8[o] = v;
                } else {
                  clock.icount = ic + i + 1;
                  cpu.jitStore(a, size, v);
                  slow = true;
                }
                if ((f & MEM_WBACK) !== 0) r[rn] = offAddr;
              }
              // Only a slow path can have asked the core to stop (a device, a write to translated code).
              if (slow && (cpu.exitRequest || st.sleep !== RUNNING)) {
                i++;
                break insns;
              }
              break;
            }
            case MICRO_LDM:
            case MICRO_STM: {
              const rn = x[j + 1]! & 15;
              const span = 4 * (x[j + 1]! >>> 4);
              const base = r[rn]!;
              const a = (base + x[j + 3]!) | 0;
              const e = ((a >>> JIT_TLB_INDEX_SHIFT) & JIT_TLB_INDEX_MASK) + (kind === MICRO_LDM ? 0 : JIT_TLB_WRITE);
              // The usual push/pop: all words on one page the JIT TLB lets through, aligned; else the handler.
              if (Q[e] !== (a & (~4095 | 3)) || (a & 4095) > 4096 - span) {
                handler = true;
                break;
              }
              const words = bus.i32;
              let w = ((a + Q[e + 1]!) >>> 0) >>> 2;
              const list = x[j + 2]!;
              const wb = x[j + 4]!;
              if (kind === MICRO_STM) {
                // Registers in ascending order; a listed base stores its old value (no writeback yet).
                for (let l = list; l !== 0; l &= l - 1) words[w++] = r[31 - Math.clz32(l & -l)]!;
                if (wb !== 0) r[rn] = (base + wb) | 0;
                break;
              }
              for (let l = list & 0x7fff; l !== 0; l &= l - 1) r[31 - Math.clz32(l & -l)] = words[w++]!;
              if (wb !== 0) r[rn] = (base + wb) | 0;
              if ((list & 0x8000) !== 0) {
                // LoadWritePC, last (an interworking branch): the block ends.
                const t = words[w]!;
                st.thumb = t & 1;
                next = t & ~1;
                i++;
                break insns;
              }
              break;
            }
            case MICRO_BX: {
              // BXWritePC (BLX links first).
              const t = r[x[j + 1]!]!;
              if (x[j + 2]! !== 0) r[14] = next;
              st.thumb = t & 1;
              next = t & ~1;
              i++;
              break insns;
            }
            case MICRO_BRANCH:
              if (x[j + 1]! !== 0) r[14] = next;
              next = x[j + 3]!;
              i++;
              break insns;
            case MICRO_NOTHING:
              break;
            default:
              handler = true;
          }
          if (handler) {
            clock.icount = ic + i + 1;
            cpu.beginA32(pc, x[j + MICRO_INSN]!);
            this.handlers[i]!(cpu, this.args[i]!);
            ic = clock.icount - i - 1;
            const to = cpu.nextPc;
            if (to !== next || cpu.exitRequest || st.sleep !== RUNNING) {
              next = to;
              i++;
              break;
            }
          }
        }
        i++;
        pc = next;
      }
    } catch (e) {
      // A table handler faulted: icount already counts it, as the generated blocks' catch sets it.
      cpu.jitFaultPc = pc;
      cpu.jitFaultRetired = i + 1;
      throw e;
    }
    r[15] = next;
    clock.icount = ic + i;
    return i;
  }
}

/** Words per arena chunk (256 KiB: a thousand blocks or so). */
const ARENA_CHUNK_WORDS = 1 << 16;

/**
 * Where threaded blocks keep their micro-ops: chunks shared by many blocks, so a block entry
 * misses on one array's data rather than on an array object of its own and its separate backing
 * store. A chunk is garbage once no block in it is reachable.
 */
class MicroCodeArena {
  private chunk = new Int32Array(ARENA_CHUNK_WORDS);
  private top = 0;
  /** Offset of the last place() in the chunk it returned. */
  placedAt = 0;

  /** Copy the first `words` words of `src` in; returns the chunk they are in (at placedAt). */
  place(src: Int32Array, words: number): Int32Array {
    if (this.top + words > ARENA_CHUNK_WORDS) {
      this.chunk = new Int32Array(ARENA_CHUNK_WORDS);
      this.top = 0;
    }
    this.chunk.set(src.subarray(0, words), this.top);
    this.placedAt = this.top;
    this.top += words;
    return this.chunk;
  }
}

// Storage shared by every core's threaded blocks (only memory: what a block does is in its words).
const arena = new MicroCodeArena();
const scratch = new Int32Array(MAX_A32_BLOCK_INSNS * MICRO_STRIDE);

/**
 * The threaded block at virtual `start` whose code is on physical page `ppage`, or null when its
 * page is not RAM or its first instruction is UNDEFINED (the interpreter then runs it).
 */
export function buildThreadedBlock(
  cpu: A32BlockHost,
  bus: Bus,
  start: number,
  ppage: number,
  promoter: A32BlockPromoter,
  promoteAfterRuns: number,
): A32ThreadedBlock | null {
  const host = bus.pageHost[ppage]!;
  if (host === NO_RAM) return null;
  const pageEnd = ((start >>> PAGE_SHIFT) + 1) * PAGE_SIZE;
  const code = scratch;
  let n = 0;
  const handlers: Handler[] = [];
  const args: Fields[] = [];
  let pc = start;
  while (n < MAX_A32_BLOCK_INSNS && (pc >>> 0) + 4 <= pageEnd) {
    const insn = codeWord(bus.i32, host, pc);
    const row = cpu.a32Row(insn);
    if (row === null) break;
    const fields = decodedFields(row, insn);
    const at = n * MICRO_STRIDE;
    const kind = decodeMicroOp(row, fields, pc, code, at);
    // The unconditional space always runs, as condition 14.
    code[at] = kind | ((insn >>> 28 === 15 ? 14 : insn >>> 28) << MICRO_COND_SHIFT);
    code[at + MICRO_INSN] = insn;
    n++;
    handlers.push(row.exec);
    args.push(fields);
    pc = (pc + 4) | 0;
    // Past a possible PC write or state change the interpreter's next fetch may differ (mode,
    // permissions); an unconditional branch always leaves.
    if (mayWritePc(row, fields) || (insn >>> 28 === 14 && (row.name === 'B' || row.name === 'BL'))) break;
  }
  if (n === 0) return null;
  return new A32ThreadedBlock(
    start,
    ppage,
    host >>> PAGE_SHIFT,
    arena.place(code, n * MICRO_STRIDE),
    arena.placedAt,
    n,
    handlers,
    args,
    cpu,
    bus,
    promoter,
    promoteAfterRuns,
  );
}
