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
import { add64, addWithCarryFlags, armExpandImmC, byteReverse, conditionPassed, immShiftC, mulS64, mulU64, reverseBits, shifter, shiftC, wide } from '../alu.js';
import { reverseHalfwordBytes, reverseSignedHalfword } from '../a32-media.js';
import type { SysRegDef, SysRegFile } from '../v7a/sysreg-registry.js';
import { MODE_USR } from '../v7a/state.js';
import { RUNNING } from '../state.js';
import { JIT_TLB_INDEX_MASK, JIT_TLB_INDEX_SHIFT, JIT_TLB_WRITE } from '../../memory/jit-tlb.js';
import type { A32Block, A32BlockHost } from './a32-block-compiler.js';
import { MAX_A32_BLOCK_INSNS, codeWord, decodedFields, mayWritePc } from './a32-block-discovery.js';
import {
  DP_AMOUNT_SHIFT,
  DP_ARITH,
  DP_CARRY_C,
  DP_CARRY_ONE,
  DP_INVERT,
  DP_SWAP,
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
  EXTEND_ADD,
  EXTEND_KIND_SHIFT,
  EXTEND_SXTB,
  EXTEND_SXTH,
  EXTEND_UXTB,
  FIELD_SIGNED,
  MICRO_EXTEND,
  MICRO_EXTRACT,
  MICRO_INSERT,
  MICRO_LDREX,
  MICRO_MUL,
  MICRO_MUL_LONG,
  MICRO_STREX,
  MICRO_SYSREG_READ,
  MICRO_UNARY,
  MUL_ACCUMULATE,
  MUL_S,
  MUL_SIGNED,
  SYSREG_CP14,
  UNARY_CLZ,
  UNARY_REV,
  UNARY_REV16,
  UNARY_REVSH,
  MICRO_HANDLER,
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
  MICRO_A_SHIFT,
  MICRO_B_SHIFT,
  MICRO_C_SHIFT,
  MICRO_COND_MASK,
  MICRO_ADD_IMM,
  MICRO_ADD_REG,
  MICRO_CMP_IMM,
  MICRO_CMP_REG,
  MICRO_LDR_IMM,
  MICRO_MOV_IMM,
  MICRO_MOV_REG,
  MICRO_STR_IMM,
  MICRO_SUB_REG,
  MICRO_TST_IMM,
  MICRO_DP_SHIFTED,
  decodeMicroOp,
  specialiseMicroOp,
} from './a32-micro-ops.js';
import { SIZE_WORD } from '../memops.js';

/** What threaded blocks need from the core besides what compiled ones do. */
export interface A32ThreadedHost extends A32BlockHost {
  /** The CP14/CP15 registers (MRC micro-ops read the definitions resolved at build). */
  readonly sysregs: SysRegFile;
  /** Cache the page of `va` in the JIT TLB after a table handler's access to it succeeded. */
  jitRefill(va: number): void;
}

/** What a threaded block needs from the JIT that owns it. */
export interface A32BlockPromoter {
  /** Replace `b` with a generated function (it keeps running threaded this time). */
  promote(b: A32ThreadedBlock): void;
  /** A block waiting to be compiled (`waiting` set) ran threaded once more. */
  ranWaiting(): void;
}

/** What the loop does after an op's case: nothing more, its table handler, or a stop check after a slow access. */
const AFTER_NOTHING = 0;
const AFTER_HANDLER = 1;
const AFTER_SLOW = 2;
/** The head's condition field of the instructions that always run. */
const COND_ALWAYS = 14 << MICRO_COND_SHIFT;
/** An arithmetic data-processing opcode's result without flags: x + y + carry as its DP_* flags `f` choose them. */
function arithmeticResult(f: number, a: number, b: number, carry: number): number {
  const swap = (f & DP_SWAP) !== 0;
  const y = (swap ? a : b) ^ ((f & DP_INVERT) !== 0 ? -1 : 0);
  return ((swap ? b : a) + y + (((f & DP_CARRY_ONE) !== 0 ? 1 : 0) | (carry & ((f & DP_CARRY_C) !== 0 ? 1 : 0)))) | 0;
}

/** A logical data-processing opcode's result (as dataproc.ts defines them): TST as AND, TEQ as EOR. */
function logicalResult(opcode: number, a: number, b: number): number {
  switch (opcode) {
    case 0: // AND
    case 8: // TST
      return a & b;
    case 1: // EOR
    case 9: // TEQ
      return a ^ b;
    case 12: // ORR
      return a | b;
    case 13: // MOV
      return b;
    case 14: // BIC
      return a & ~b;
    default: // MVN
      return ~b;
  }
}

/**
 * Instructions in `words` code words, without a division: MICRO_STRIDE is 6 and 0xaaaaaaab is the
 * inverse of 3 modulo 2^32.
 */
const insnsIn = (words: number): number => Math.imul(words >>> 1, 0xaaaaaaab | 0);
/** The address of the instruction whose words are at `j` in a block at `start` whose words start at `first`. */
const pcOf = (start: number, first: number, j: number): number => (start + 4 * insnsIn(j - first)) | 0;
/** A word access's JIT TLB tag: the page and the alignment bits (jit-tlb.ts). */
const WORD_TAG_MASK = ~4095 | 3;

export class A32ThreadedBlock implements A32Block {
  readonly end: number;
  bpGeneration = -1;
  bpInside = false;
  /**
   * The block the chain ran after this one last time (A32BlockJit.runFrom), followed again without
   * a front-cache lookup while the PC after this block is `linkPc`, `link` is still in its slot
   * and the fetch-TLB entry of that PC is still `linkEntry` (known without reading it while the
   * MMU's fetch generation is still `linkGeneration`).
   */
  link: A32ThreadedBlock | null = null;
  linkPc = -1;
  linkEntry = 0;
  linkGeneration = -1;
  /** In its front-cache slot now (A32BlockJit keeps it; links to an evicted block are not followed). */
  resident = false;
  /** Runs left before the block is handed to the compiler (0: promoted or never). */
  private runsToPromotion: number;
  /** Promoted and waiting in the batch queue (A32BlockJit sets and clears it): its runs are counted. */
  waiting = false;

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
    /** The registers its MICRO_SYSREG_READ ops read, by their x2. */
    private readonly sysregReads: readonly SysRegDef[],
    private readonly cpu: A32ThreadedHost,
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
  runThreaded(_budget: number): number {
    if (this.runsToPromotion !== 0) {
      if (--this.runsToPromotion === 0) this.promoter.promote(this);
    } else if (this.waiting) this.promoter.ranWaiting();
    const cpu = this.cpu;
    const st = cpu.state;
    const r = cpu.r;
    const clock = cpu.clock;
    const bus = this.bus;
    const Q = cpu.jitTlb();
    const x = this.code;
    const first = this.base;
    const end = first + this.count * MICRO_STRIDE;
    let ic = clock.icount;
    // The words of the instruction running in `x`; its index in the block, insnsIn(j - first), and
    // its address, pcOf(start, first, j), are needed only off the common path.
    const start = this.start;
    let j = first;
    // Where execution goes on after the block.
    let next = 0;
    try {
      insns: {
        while (j < end) {
          const head = x[j]!;
          const cond = head & MICRO_COND_MASK;
          if (cond === COND_ALWAYS || conditionPassed(st, cond >>> MICRO_COND_SHIFT)) {
            let after = AFTER_NOTHING;
            let refill = false;
            let refillVa = 0;
            const kind = head & MICRO_KIND_MASK;
            switch (kind) {
              // The specialised forms first (specialiseMicroOp): no PC operand, so R15 is not set.
              case MICRO_LDR_IMM: {
                const a = (r[(head >>> MICRO_B_SHIFT) & 15]! + x[j + 1]!) | 0;
                const e = (a >>> JIT_TLB_INDEX_SHIFT) & JIT_TLB_INDEX_MASK;
                let v: number;
                if (Q[e] === (a & WORD_TAG_MASK)) {
                  v = bus.i32[((a + Q[e + 1]!) >>> 0) >>> 2]!;
                } else {
                  clock.icount = ic + insnsIn(j - first) + 1;
                  v = cpu.jitLoad(a, SIZE_WORD);
                  after = AFTER_SLOW;
                }
                r[(head >>> MICRO_A_SHIFT) & 15] = v;
                break;
              }
              case MICRO_STR_IMM: {
                const a = (r[(head >>> MICRO_B_SHIFT) & 15]! + x[j + 1]!) | 0;
                const e = ((a >>> JIT_TLB_INDEX_SHIFT) & JIT_TLB_INDEX_MASK) + JIT_TLB_WRITE;
                const v = r[(head >>> MICRO_A_SHIFT) & 15]!;
                if (Q[e] === (a & WORD_TAG_MASK)) {
                  bus.i32[((a + Q[e + 1]!) >>> 0) >>> 2] = v;
                } else {
                  clock.icount = ic + insnsIn(j - first) + 1;
                  cpu.jitStore(a, SIZE_WORD, v);
                  after = AFTER_SLOW;
                }
                break;
              }
              case MICRO_MOV_REG:
                r[(head >>> MICRO_A_SHIFT) & 15] = r[(head >>> MICRO_C_SHIFT) & 15]!;
                break;
              case MICRO_CMP_IMM:
                addWithCarryFlags(st, r[(head >>> MICRO_B_SHIFT) & 15]!, x[j + 1]!, 1);
                break;
              case MICRO_ADD_IMM:
                r[(head >>> MICRO_A_SHIFT) & 15] = (r[(head >>> MICRO_B_SHIFT) & 15]! + x[j + 1]!) | 0;
                break;
              case MICRO_MOV_IMM:
                r[(head >>> MICRO_A_SHIFT) & 15] = x[j + 1]!;
                break;
              case MICRO_ADD_REG:
                r[(head >>> MICRO_A_SHIFT) & 15] = (r[(head >>> MICRO_B_SHIFT) & 15]! + r[(head >>> MICRO_C_SHIFT) & 15]!) | 0;
                break;
              case MICRO_SUB_REG:
                r[(head >>> MICRO_A_SHIFT) & 15] = (r[(head >>> MICRO_B_SHIFT) & 15]! - r[(head >>> MICRO_C_SHIFT) & 15]!) | 0;
                break;
              case MICRO_CMP_REG:
                addWithCarryFlags(st, r[(head >>> MICRO_B_SHIFT) & 15]!, ~r[(head >>> MICRO_C_SHIFT) & 15]!, 1);
                break;
              case MICRO_DP_SHIFTED: {
                const v = r[(head >>> MICRO_C_SHIFT) & 15]!;
                const type = x[j + 1]!;
                const amount = x[j + 2]!;
                const b = type === 0 ? v << amount : type === 1 ? v >>> amount : type === 2 ? v >> amount : (v >>> amount) | (v << (32 - amount));
                const a = r[(head >>> MICRO_B_SHIFT) & 15]!;
                // The generic forms' helpers: their feedback is shared, so no opcode here is first met late.
                const f = x[j + 3]!;
                const res = (f & DP_ARITH) !== 0 ? arithmeticResult(f, a, b, st.CF) : logicalResult(f & 15, a, b);
                r[(head >>> MICRO_A_SHIFT) & 15] = res;
                break;
              }
              case MICRO_TST_IMM: {
                const res = r[(head >>> MICRO_B_SHIFT) & 15]! & x[j + 1]!;
                st.NF = res;
                st.ZF = res;
                const c = x[j + 2]!;
                if (c >= 0) st.CF = c;
                break;
              }
              case MICRO_DP_IMM:
              case MICRO_DP_REG:
              case MICRO_DP_RSR: {
                // The generic forms may read the PC.
                r[15] = (pcOf(start, first, j) + 8) | 0;
                const f = x[j + 4]!;
                const b =
                  kind === MICRO_DP_IMM
                    ? armExpandImmC(x[j + 3]!, st.CF)
                    : kind === MICRO_DP_REG
                      ? immShiftC(r[x[j + 3]!]!, (f >>> DP_TYPE_SHIFT) & 3, (f >>> DP_AMOUNT_SHIFT) & 31, st.CF)
                      : shiftC(r[x[j + 3]!]!, (f >>> DP_TYPE_SHIFT) & 3, r[(f >>> DP_AMOUNT_SHIFT) & 15]! & 0xff, st.CF);
                // The opcodes as dataproc.ts defines them, inline (a handler call per instruction costs
                // more than the operation; logicalResult is small enough for V8 to inline); flags
                // through alu.ts as there.
                const a = r[x[j + 2]!]!;
                const setFlags = (f & DP_S) !== 0;
                let res: number;
                if ((f & DP_ARITH) !== 0) {
                  // x + y + carry, branch-free in the operands (see DP_ARITH); flags as dataproc.ts's, through alu.ts.
                  const swap = (f & DP_SWAP) !== 0;
                  const xo = swap ? b : a;
                  const y = (swap ? a : b) ^ ((f & DP_INVERT) !== 0 ? -1 : 0);
                  // st.CF read whatever the opcode: no path here is first met late.
                  const c = ((f & DP_CARRY_ONE) !== 0 ? 1 : 0) | (st.CF & ((f & DP_CARRY_C) !== 0 ? 1 : 0));
                  res = setFlags ? addWithCarryFlags(st, xo, y, c) : arithmeticResult(f, a, b, st.CF);
                } else {
                  res = logicalResult(f & 15, a, b);
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
                r[15] = (pcOf(start, first, j) + 8) | 0;
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
                    after = AFTER_HANDLER;
                    refill = true;
                    refillVa = a;
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
                if (kind === MICRO_LOAD) {
                  let v: number;
                  if (Q[e] === tag) {
                    const o = (a + Q[e + 1]!) >>> 0;
                    v = size === 4 ? bus.i32[o >>> 2]! : size === 2 ? bus.u16[o >>> 1]! : size === 1 ? bus.u8[o]! : size === -2 ? (bus.u16[o >>> 1]! << 16) >> 16 : (bus.u8[o]! << 24) >> 24;
                  } else {
                    clock.icount = ic + insnsIn(j - first) + 1;
                    v = cpu.jitLoad(a, size);
                    after = AFTER_SLOW;
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
                    clock.icount = ic + insnsIn(j - first) + 1;
                    cpu.jitStore(a, size, v);
                    after = AFTER_SLOW;
                  }
                  if ((f & MEM_WBACK) !== 0) r[rn] = offAddr;
                }
                break;
              }
              case MICRO_LDM:
              case MICRO_STM: {
                r[15] = (pcOf(start, first, j) + 8) | 0;
                const rn = x[j + 1]! & 15;
                const span = 4 * (x[j + 1]! >>> 4);
                const base = r[rn]!;
                const a = (base + x[j + 3]!) | 0;
                const e = ((a >>> JIT_TLB_INDEX_SHIFT) & JIT_TLB_INDEX_MASK) + (kind === MICRO_LDM ? 0 : JIT_TLB_WRITE);
                // The usual push/pop: all words on one page the JIT TLB lets through, aligned; else the handler.
                if (Q[e] !== (a & (~4095 | 3)) || (a & 4095) > 4096 - span) {
                  after = AFTER_HANDLER;
                  refill = true;
                  refillVa = a;
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
                  j += MICRO_STRIDE;
                  break insns;
                }
                break;
              }
              case MICRO_BX: {
                // BXWritePC (BLX links first).
                r[15] = (pcOf(start, first, j) + 8) | 0;
                const t = r[x[j + 1]!]!;
                if (x[j + 2]! !== 0) r[14] = (pcOf(start, first, j) + 4) | 0;
                st.thumb = t & 1;
                next = t & ~1;
                j += MICRO_STRIDE;
                break insns;
              }
              case MICRO_BRANCH:
                if (x[j + 1]! !== 0) r[14] = (pcOf(start, first, j) + 4) | 0;
                next = x[j + 3]!;
                j += MICRO_STRIDE;
                break insns;
              case MICRO_MUL:
              case MICRO_MUL_LONG:
              case MICRO_EXTEND:
              case MICRO_EXTRACT:
              case MICRO_INSERT:
              case MICRO_UNARY:
              case MICRO_SYSREG_READ:
                // Off the loop: met late in a boot, they would deoptimise it (each a recompile of all of it).
                r[15] = (pcOf(start, first, j) + 8) | 0;
                if (this.runOther(kind, j, ic + insnsIn(j - first) + 1)) after = AFTER_HANDLER;
                break;
              case MICRO_LDREX:
              case MICRO_STREX:
                if (this.runOther(kind, j, ic + insnsIn(j - first) + 1)) {
                  after = AFTER_HANDLER;
                  // A miss: the handler's access, then its page is cached (Rn read before it runs).
                  refill = true;
                  refillVa = r[x[j + 2]!]!;
                }
                break;
              case MICRO_NOTHING:
                break;
              default:
                after = AFTER_HANDLER;
            }
            if (after !== AFTER_NOTHING) {
              if (after === AFTER_HANDLER) {
                const i = insnsIn(j - first);
                const pc = (start + 4 * i) | 0;
                clock.icount = ic + i + 1;
                cpu.beginA32(pc, x[j + MICRO_INSN]!);
                this.handlers[i]!(cpu, this.args[i]!);
                // A dual, multiple or exclusive access that missed went through the MMU: cache its
                // (first) page, as jitLoad/jitStore do for single ones.
                if (refill) cpu.jitRefill(refillVa);
                ic = clock.icount - i - 1;
                const to = cpu.nextPc;
                if (to !== ((pc + 4) | 0) || cpu.exitRequest || st.sleep !== RUNNING) {
                  next = to;
                  j += MICRO_STRIDE;
                  break insns;
                }
              } else if (cpu.exitRequest || st.sleep !== RUNNING) {
                // Only a slow access can have asked the core to stop (a device, a write to translated code).
                j += MICRO_STRIDE;
                next = pcOf(start, first, j);
                break insns;
              }
            }
          }
          j += MICRO_STRIDE;
        }
        next = this.end;
      }
    } catch (e) {
      // A table handler or slow access faulted: icount already counts it, as the generated blocks' catch sets it.
      cpu.jitFaultPc = pcOf(start, first, j);
      cpu.jitFaultRetired = insnsIn(j - first) + 1;
      throw e;
    }
    const retired = insnsIn(j - first);
    r[15] = next;
    clock.icount = ic + retired;
    return retired;
  }
  /**
   * The micro-ops met less often (multiplies, extends, bit fields, reversals, MRC, exclusives) of
   * the instruction whose words start at `j`, `icount` counting it. Returns true when its table
   * handler must run instead.
   */
  private runOther(kind: number, j: number, icount: number): boolean {
    const cpu = this.cpu;
    const st = cpu.state;
    const r = cpu.r;
    const x = this.code;
    const bus = this.bus;
    const Q = cpu.jitTlb();
    switch (kind) {
      case MICRO_MUL: {
        // As a32-multiply.ts's multiply.
        const f = x[j + 4]!;
        let v = Math.imul(r[x[j + 2]!]!, r[x[j + 3]!]!);
        if ((f & MUL_ACCUMULATE) !== 0) v = (v + r[f & 15]!) | 0;
        if ((f & MUL_S) !== 0) st.NF = st.ZF = v;
        r[x[j + 1]!] = v;
        return false;
      }
      case MICRO_MUL_LONG: {
        // As a32-multiply.ts's longMultiply: the accumulator read first, RdLo written before RdHi.
        const f = x[j + 4]!;
        const m = x[j + 3]!;
        const lo = x[j + 1]!;
        const hi = x[j + 2]!;
        const lo0 = r[lo]!;
        const hi0 = r[hi]!;
        if ((f & MUL_SIGNED) !== 0) mulS64(r[m & 15]!, r[m >>> 4]!);
        else mulU64(r[m & 15]!, r[m >>> 4]!);
        if ((f & MUL_ACCUMULATE) !== 0) add64(lo0, hi0);
        if ((f & MUL_S) !== 0) {
          st.NF = wide.hi;
          st.ZF = wide.lo | wide.hi;
        }
        r[lo] = wide.lo;
        r[hi] = wide.hi;
        return false;
      }
      case MICRO_EXTEND: {
        // As a32-media.ts's extend and extendAdd: rotate, extend, add Rn.
        const f = x[j + 4]!;
        const rot = f & 31;
        let v = r[x[j + 3]!]!;
        if (rot !== 0) v = (v >>> rot) | (v << (32 - rot));
        const k = (f >>> EXTEND_KIND_SHIFT) & 3;
        v = k === EXTEND_UXTB ? v & 0xff : k === EXTEND_SXTB ? (v << 24) >> 24 : k === EXTEND_SXTH ? (v << 16) >> 16 : v & 0xffff;
        r[x[j + 1]!] = (f & EXTEND_ADD) !== 0 ? (r[x[j + 2]!]! + v) | 0 : v;
        return false;
      }
      case MICRO_EXTRACT: {
        // UBFX/SBFX: the field shifted to the top, then down (arithmetically for SBFX).
        const f = x[j + 4]!;
        const v = r[x[j + 2]!]! << x[j + 3]!;
        r[x[j + 1]!] = (f & FIELD_SIGNED) !== 0 ? v >> (f & 31) : v >>> (f & 31);
        return false;
      }
      case MICRO_INSERT: {
        const d = x[j + 1]!;
        const n = x[j + 2]!;
        const mask = x[j + 4]!;
        r[d] = (r[d]! & ~mask) | (n < 0 ? 0 : (r[n]! << x[j + 3]!) & mask);
        return false;
      }
      case MICRO_UNARY: {
        const v = r[x[j + 2]!]!;
        const op = x[j + 3]!;
        r[x[j + 1]!] =
          op === UNARY_CLZ ? Math.clz32(v) : op === UNARY_REV ? byteReverse(v) : op === UNARY_REV16 ? reverseHalfwordBytes(v) : op === UNARY_REVSH ? reverseSignedHalfword(v) : reverseBits(v);
        return false;
      }
      case MICRO_SYSREG_READ: {
        // coprocessor32's read: PL0 reads only what the register allows (else the handler UNDEFs).
        const def = this.sysregReads[x[j + 3]!]!;
        if (st.mode === MODE_USR && def.pl0Read !== true) {
          return true;
        }
        // A counter read sees this instruction counted, as under the interpreter.
        cpu.clock.icount = icount;
        r[x[j + 1]!] = def.read!(cpu.sysregs) | 0;
        return false;
      }
      case MICRO_LDREX:
      case MICRO_STREX: {
        // As loadExclusive/storeExclusive, on RAM the JIT TLB lets through; else the handler
        // (its alignment fault, its slow accesses).
        const size = x[j + 4]!;
        const a = r[x[j + 2]!]!;
        const e = (a >>> JIT_TLB_INDEX_SHIFT) & JIT_TLB_INDEX_MASK;
        const tag = a & (~4095 | (size - 1));
        if (kind === MICRO_LDREX) {
          if (Q[e] !== tag) {
            return true;
          }
          const o = (a + Q[e + 1]!) >>> 0;
          const v = size === 4 ? bus.i32[o >>> 2]! : size === 2 ? bus.u16[o >>> 1]! : bus.u8[o]!;
          st.exclusiveAddr = a >>> 0;
          st.exclusiveVal = v;
          r[x[j + 1]!] = v;
          return false;
        }
        const rd = x[j + 3]!;
        if (st.exclusiveAddr !== a >>> 0) {
          // No access at all: the monitor does not hold the address.
          st.exclusiveAddr = -1;
          r[rd] = 1;
          return false;
        }
        // The compare reads and the store writes the page: both must be let through.
        if (Q[e] !== tag || Q[e + JIT_TLB_WRITE] !== tag) {
          return true;
        }
        const o = (a + Q[e + 1]!) >>> 0;
        const cur = size === 4 ? bus.i32[o >>> 2]! : size === 2 ? bus.u16[o >>> 1]! : bus.u8[o]!;
        let status = 1;
        if (cur === st.exclusiveVal) {
          const w = (a + Q[e + JIT_TLB_WRITE + 1]!) >>> 0;
          const v = r[x[j + 1]!]!;
          if (size === 4) bus.i32[w >>> 2] = v;
          else if (size === 2) bus.u16[w >>> 1] = v;
          else bus.u8[w] = v;
          status = 0;
        }
        st.exclusiveAddr = -1;
        r[rd] = status;
        return false;
      }
    }
    return false;
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

/** Blocks without MRC micro-ops share this (never written). */
const NO_SYSREG_READS: SysRegDef[] = [];

/**
 * The register a MICRO_SYSREG_READ at `at` reads, into `reads` (its index into x2), when its read is
 * plain: defined, readable, no NOP, PL0 access fixed (not a function); else the handler's.
 */
function resolveSysregRead(sysregs: SysRegFile, x: Int32Array, at: number, reads: SysRegDef[]): number {
  const key = x[at + 2]!;
  const cp = (key & SYSREG_CP14) !== 0 ? 14 : 15;
  const def = sysregs.lookup(cp, false, (key >>> 1) & 7, (key >>> 4) & 15, (key >>> 8) & 15, (key >>> 12) & 7);
  if (def === undefined || def.read === undefined || def.nop === true || typeof def.pl0Read === 'function') return MICRO_HANDLER;
  x[at + 3] = reads.length;
  reads.push(def);
  return MICRO_SYSREG_READ;
}

/**
 * The threaded block at virtual `start` whose code is on physical page `ppage`, or null when its
 * page is not RAM or its first instruction is UNDEFINED (the interpreter then runs it).
 */
export function buildThreadedBlock(
  cpu: A32ThreadedHost,
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
  let sysregReads: SysRegDef[] = NO_SYSREG_READS;
  let pc = start;
  while (n < MAX_A32_BLOCK_INSNS && (pc >>> 0) + 4 <= pageEnd) {
    const insn = codeWord(bus.i32, host, pc);
    const row = cpu.a32Row(insn);
    if (row === null) break;
    const fields = decodedFields(row, insn);
    const at = n * MICRO_STRIDE;
    let kind = decodeMicroOp(row, fields, pc, code, at);
    if (kind === MICRO_SYSREG_READ) {
      if (sysregReads === NO_SYSREG_READS) sysregReads = [];
      kind = resolveSysregRead(cpu.sysregs, code, at, sysregReads);
    }
    // The unconditional space always runs, as condition 14.
    code[at] = specialiseMicroOp(kind, pc, code, at) | ((insn >>> 28 === 15 ? 14 : insn >>> 28) << MICRO_COND_SHIFT);
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
    sysregReads,
    cpu,
    bus,
    promoter,
    promoteAfterRuns,
  );
}
