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
import { conditionPassed } from '../alu.js';
import { RUNNING } from '../state.js';
import { MAX_A32_BLOCK_INSNS, codeWord, decodedFields, mayWritePc, type A32Block, type A32BlockHost } from './a32-block-compiler.js';

/** What a threaded block needs from the JIT that owns it. */
export interface A32BlockPromoter {
  /** Replace `b` with a generated function (it keeps running threaded this time). */
  promote(b: A32ThreadedBlock): void;
}

export class A32ThreadedBlock implements A32Block {
  readonly count: number;
  readonly end: number;
  bpGeneration = -1;
  bpInside = false;
  /** Runs left before the block is handed to the compiler (0: promoted or never). */
  private runsToPromotion: number;

  constructor(
    readonly start: number,
    readonly ppage: number,
    readonly hostPage: number,
    /** The instruction words, in order from `start`. */
    private readonly insns: Int32Array,
    private readonly handlers: readonly Handler[],
    private readonly args: readonly Fields[],
    private readonly cpu: A32BlockHost,
    private readonly promoter: A32BlockPromoter,
    promoteAfterRuns: number,
  ) {
    this.runsToPromotion = promoteAfterRuns;
    this.count = insns.length;
    this.end = (start + 4 * insns.length) | 0;
  }

  /** Contract of A32Block.run: budget >= count, so the whole straight line always fits. */
  run(_budget: number): number {
    if (this.runsToPromotion !== 0 && --this.runsToPromotion === 0) this.promoter.promote(this);
    const cpu = this.cpu;
    const st = cpu.state;
    const r = cpu.r;
    const clock = cpu.clock;
    const insns = this.insns;
    const handlers = this.handlers;
    const args = this.args;
    const n = insns.length;
    let pc = this.start;
    let i = 0;
    try {
      while (i < n) {
        const insn = insns[i]!;
        clock.icount++;
        cpu.beginA32(pc, insn);
        const cond = insn >>> 28;
        if (cond === 14 || (cond !== 15 ? conditionPassed(st, cond) : true)) handlers[i]!(cpu, args[i]!);
        const next = cpu.nextPc;
        r[15] = next;
        i++;
        pc = (pc + 4) | 0;
        if (next !== pc || cpu.exitRequest || st.sleep !== RUNNING) break;
      }
    } catch (e) {
      // icount already counts the faulting instruction, as the generated blocks' catch sets it.
      cpu.jitFaultPc = pc;
      cpu.jitFaultRetired = i + 1;
      throw e;
    }
    return i;
  }
}

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
  const words: number[] = [];
  const handlers: Handler[] = [];
  const args: Fields[] = [];
  let pc = start;
  while (words.length < MAX_A32_BLOCK_INSNS && (pc >>> 0) + 4 <= pageEnd) {
    const insn = codeWord(bus.i32, host, pc);
    const row = cpu.a32Row(insn);
    if (row === null) break;
    const fields = decodedFields(row, insn);
    words.push(insn);
    handlers.push(row.exec);
    args.push(fields);
    pc = (pc + 4) | 0;
    // Past a possible PC write or state change the interpreter's next fetch may differ (mode,
    // permissions); an unconditional branch always leaves.
    if (mayWritePc(row, fields) || (insn >>> 28 === 14 && (row.name === 'B' || row.name === 'BL'))) break;
  }
  if (words.length === 0) return null;
  return new A32ThreadedBlock(start, ppage, host >>> PAGE_SHIFT, Int32Array.from(words), handlers, args, cpu, promoter, promoteAfterRuns);
}
