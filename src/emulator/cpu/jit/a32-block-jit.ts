/**
 * The A-profile translation cache. Blocks are found through the MMU: the dispatcher translates the
 * PC with the current TLB (the entry the interpreter's fetch would use) and asks for the block of
 * that (virtual address, physical page). Because the TLB never holds a stale entry (invariant I5:
 * every register write that can change a walk, every TLBI and every write to a descriptor page
 * flushes it), this lookup is exact without tracking ASIDs, TTBR switches or TLB maintenance here.
 * Blocks are dropped only when their code changes: pages holding a block are write-checked on the
 * bus (the same slow write path as copy-on-write), so a store through any virtual alias, a device
 * or debugger write, or a snapshot restore rewriting the page drops exactly the blocks it overlaps.
 */
import type { Bus, CodeWriteObserver } from '../../memory/bus.js';
import { CodePageIndex } from './code-page-index.js';
import { NO_RAM, PAGE_SHIFT, PAGE_SIZE } from '../../memory/bus.js';
import { A32BlockCompiler, type A32Block } from './a32-block-compiler.js';
import { A32ThreadedBlock, buildThreadedBlock, type A32ThreadedHost, type A32BlockPromoter } from './a32-threaded-block.js';
import type { BlockRun } from './block-function.js';
import { A32BatchCompileError, A32BatchQueue, A32_BATCH_AFTER_RUNS, type A32BatchCompiler, type A32BatchOptions, type A32BlockChain } from './a32-batch-queue.js';
import { RUNNING } from '../state.js';
import type { ArmV7aState } from '../v7a/state.js';

export const A32_JIT_SLOT_BITS = 17;
export const A32_JIT_SLOT_MASK = (1 << A32_JIT_SLOT_BITS) - 1;
/**
 * Block starts reached this many times become threaded blocks (pre-decoded handlers: cheap to
 * build, so early).
 */
export const A32_JIT_THREAD_THRESHOLD = 4;
/**
 * Threaded blocks run this many times are compiled to JavaScript. High, unlike the M-profile JIT's
 * 8: a kernel has tens of thousands of lukewarm blocks, and V8's compile of a block (~6 ms of
 * TurboFan CPU on its compiler thread) costs more than running it as micro-ops tens of thousands
 * of times (fast boot 8000 / 30000 / 100000 / 300000 runs measured, BENCHMARKS.md).
 */
export const A32_JIT_PROMOTE_RUNS = 100000;
const TWO_32 = 4294967296;

/** The core the A32 JIT runs blocks on. */
export interface A32ChainHost extends A32ThreadedHost {
  /** Changes whenever a fetch-TLB entry may differ other than by a fill of an empty one (Mmu.fetchGeneration). */
  fetchGeneration(): number;
  /**
   * The fetch entry of `pc` after the walk the interpreter's fetch of it would do (the TLB filled
   * as it fills it), or 0 when that fetch would fault: left to the interpreter, which takes it.
   */
  probeFetchEntry(pc: number): number;
}

/** How a core's A32 JIT tiers up (the defaults are tuned for the Linux boot). */
export interface A32JitOptions {
  /**
   * Runs of a threaded block before it is compiled (default A32_JIT_PROMOTE_RUNS): tests that
   * check the compiled tier lower it rather than loop as often as a kernel does.
   */
  readonly promoteAfterRuns?: number;
  /**
   * The batched tier (WebAssembly blocks): null or absent keeps the JS tiers. With it, threaded
   * blocks go to it after `batchAfterRuns` runs (default A32_BATCH_AFTER_RUNS) instead of to the
   * JavaScript compiler (whose ~1.5-6 ms per block the wasm blocks replace).
   */
  readonly batchCompiler?: ((cpu: A32ChainHost, bus: Bus) => A32BatchCompiler | null) | null;
  readonly batchAfterRuns?: number;
  readonly batch?: A32BatchOptions;
}
/** Ints per front-cache slot in `A32BlockJit.front`: start, physical page, count (one cache line holds four slots). */
export const A32_FRONT_STRIDE = 4;
/** Front-cache count of an untranslatable start: more than any budget `execute` hands a block. */
export const A32_NEVER_RUNS = 0x7fffffff;

const neverRun = (): number => 0;
const emptyBlock: A32Block = { start: -1, end: -1, ppage: -1, count: Infinity, hostPage: -1, run: neverRun, bpGeneration: -1, bpInside: false };

/** The batch tier's chain did not run the block the JIT's front cache holds: the two caches are out of step (a bug). */
export class A32ChainStateError extends Error {
  constructor(pc: number) {
    super(`the batched tier's chain ran no block at 0x${(pc >>> 0).toString(16)} although the A32 JIT's front cache holds one of its blocks there: its front cache is out of step`);
    this.name = 'A32ChainStateError';
  }
}

export class A32BlockJit implements CodeWriteObserver, A32BlockPromoter {
  /**
   * Direct-mapped front cache by virtual address, what the dispatcher reads on a hit in one place:
   * slot * A32_FRONT_STRIDE -> block start (-1 empty; starts are word aligned), + 1 its physical page,
   * + 2 its count (A32_NEVER_RUNS: untranslatable). Typed and adjacent, so a hit touches one cache
   * line, not the block object (whose two shapes, threaded and compiled, made every load polymorphic).
   */
  readonly front = new Int32Array(A32_FRONT_STRIDE << A32_JIT_SLOT_BITS).fill(-1);
  /** The slot's block function (every element a function: one call site shape). */
  readonly runs: BlockRun[] = new Array<BlockRun>(1 << A32_JIT_SLOT_BITS).fill(neverRun);
  /**
   * The slot's block when it is threaded, else null: the chain calls its shared loop directly (one
   * call target) instead of its bound `run` through the generic call of a per-block closure.
   */
  readonly threads: (A32ThreadedBlock | null)[] = new Array<A32ThreadedBlock | null>(1 << A32_JIT_SLOT_BITS).fill(null);
  /** The slot's block (breakpoint checks and invalidation). */
  readonly slots: A32Block[] = new Array<A32Block>(1 << A32_JIT_SLOT_BITS).fill(emptyBlock);
  /** 1 where the slot's block came from the batched tier (its entries are counted). */
  private readonly batched = new Uint8Array(1 << A32_JIT_SLOT_BITS);
  /** Threaded blocks waiting for the batched tier, null without one. */
  private readonly queue: A32BatchQueue<A32ThreadedBlock> | null;
  /** The batched tier's chain (its blocks run one after another outside JS), or null. */
  private readonly chain: A32BlockChain | null;
  /** Blocks the batched tier made (they replace threaded blocks in the front cache as compiled ones do). */
  private readonly batchMade = new WeakSet<A32Block>();
  private readonly heat = new Uint8Array(1 << A32_JIT_SLOT_BITS);
  /** Every translation by (virtual page, physical address); untranslatable starts get a block with count Infinity. */
  private readonly blocks = new Map<number, A32Block>();
  private readonly codePages: CodePageIndex<A32Block>;
  private readonly compiler: A32BlockCompiler;
  /** Blocks compiled to JavaScript so far, and threaded blocks built (statistics). */
  translated = 0;
  threaded = 0;
  /** While false, lookup only finds blocks already made (see BlockJit.translating). */
  translating = true;

  private readonly promoteAfterRuns: number;

  constructor(
    private readonly cpu: A32ChainHost,
    private readonly bus: Bus,
    options: A32JitOptions = {},
  ) {
    const batchCompiler = options.batchCompiler?.(cpu, bus) ?? null;
    this.queue = batchCompiler === null ? null : new A32BatchQueue(batchCompiler, cpu.stats, options.batch);
    this.chain = batchCompiler?.chain ?? null;
    this.promoteAfterRuns = batchCompiler === null ? (options.promoteAfterRuns ?? A32_JIT_PROMOTE_RUNS) : (options.batchAfterRuns ?? A32_BATCH_AFTER_RUNS);
    this.compiler = new A32BlockCompiler(cpu, bus);
    this.codePages = new CodePageIndex<A32Block>(bus, (b) => this.drop(b));
    bus.codeObserver = this;
  }

  private static key(va: number, ppage: number): number {
    return (va >>> PAGE_SHIFT) * TWO_32 + ppage * PAGE_SIZE + (va & (PAGE_SIZE - 1));
  }

  /**
   * The block at virtual `pc` on physical page `ppage` (a block leader), threaded once it is
   * lukewarm (it promotes itself to a compiled one when hot); null while it is still cold or when
   * its page is not RAM.
   */
  lookup(pc: number, ppage: number): A32Block | null {
    const slot = (pc >>> 2) & A32_JIT_SLOT_MASK;
    const key = A32BlockJit.key(pc, ppage);
    let b = this.blocks.get(key);
    if (b === undefined) {
      if (!this.translating || ++this.heat[slot]! < A32_JIT_THREAD_THRESHOLD) return null;
      this.heat[slot] = 0;
      const made = buildThreadedBlock(this.cpu, this.bus, pc, ppage, this, this.promoteAfterRuns) ?? this.untranslatable(pc, ppage);
      if (made === null) return null;
      b = made;
      this.install(key, b);
      if (b.count !== Infinity) this.threaded++;
    }
    this.fill(slot, b);
    return b;
  }

  private fill(slot: number, b: A32Block): void {
    const f = slot * A32_FRONT_STRIDE;
    this.front[f] = b.start;
    this.front[f + 1] = b.ppage;
    this.front[f + 2] = b.count === Infinity ? A32_NEVER_RUNS : b.count;
    this.runs[slot] = b.run;
    const old = this.threads[slot]!;
    if (old !== null) old.resident = false;
    const t = b instanceof A32ThreadedBlock ? b : null;
    if (t !== null) t.resident = true;
    this.threads[slot] = t;
    this.slots[slot] = b;
    const batched = this.batchMade.has(b);
    this.batched[slot] = batched ? 1 : 0;
    const chain = this.chain;
    if (chain !== null) {
      if (batched) chain.install(slot, b);
      else chain.evict(slot);
    }
  }

  /** The core state blocks are made for: A32, little-endian data, CPSR.IL clear. */
  static runsIn(st: ArmV7aState): boolean {
    return st.thumb === 0 && st.bigEndian === 0 && st.illegal === 0;
  }

  /**
   * Front-cache `slot` holds the block at `pc` on the physical page of fetch-TLB entry `e`, and
   * that entry lets the code execute. What the dispatcher and the chain both test before a block runs.
   */
  holds(slot: number, pc: number, e: number): boolean {
    const f = slot * A32_FRONT_STRIDE;
    return (e & 4) !== 0 && this.front[f] === pc && this.front[f + 1] === e >>> 3;
  }

  /** The block in `slot` runs whole within `room` instructions (never an untranslatable start's). */
  fits(slot: number, room: number): boolean {
    return room >= this.front[slot * A32_FRONT_STRIDE + 2]!;
  }

  /**
   * Run the block in front-cache `slot` (a hit the caller checked: holds and fits within
   * `room`), then, up to `maxBlocks` blocks in all, every following block that hits the front cache the same way,
   * without going back to the interpreter's loop: the successor's fetch translation is the TLB entry
   * of its PC read after the previous block (a mode change, TLBI or remap shows there), a stop
   * request (timer deadline, dropped code, WFI, ...) ends the chain, and a successor that does not
   * fit the rest of the budget, misses, or is not A32 little-endian code goes back to `execute`.
   * A threaded block remembers the threaded block that followed it: while the PC after it is the
   * same, that block is still in its slot and the PC's TLB entry is the one it had then (no TLB
   * entry changed since, by the MMU's fetch generation, or the entry read again is equal), the
   * same lookup would find it again, so it is taken without one.
   * Returns the instructions retired; a fault escapes with cpu.jitFaultRetired counting from the
   * chain's start.
   */
  runFrom(slot: number, room: number, maxBlocks: number): number {
    const cpu = this.cpu;
    const st = cpu.state;
    const r = cpu.r;
    const runs = this.runs;
    const chain = this.chain;
    let t = this.threads[slot]!;
    let done = 0;
    let entered = 0;
    let linked = 0;
    let batched = 0;
    let inChain = false;
    try {
      for (;;) {
        if (t !== null) {
          done += t.runThreaded(room - done);
          entered++;
        } else if (chain !== null && this.batched[slot] !== 0) {
          // Batched blocks chain among themselves; the chain returns here at anything else.
          inChain = true;
          done += chain.run(room - done, maxBlocks - entered);
          inChain = false;
          const n = chain.entered;
          if (n === 0) throw new A32ChainStateError(r[15]!);
          entered += n;
          batched += n;
        } else {
          batched += this.batched[slot]!;
          done += runs[slot]!(room - done);
          entered++;
        }
        if (entered >= maxBlocks || cpu.exitRequest || st.sleep !== RUNNING || !A32BlockJit.runsIn(st)) break;
        // A PC that is not word aligned never equals a block start.
        const pc = r[15]!;
        if (t !== null) {
          const next = t.link;
          if (next !== null && t.linkPc === pc && next.resident) {
            const g = cpu.fetchGeneration();
            // A flush of other pages changes the generation, not this entry.
            if (t.linkGeneration === g || cpu.fetchEntries()[pc >>> 12] === t.linkEntry) {
              t.linkGeneration = g;
              if (next.count > room - done) break;
              t = next;
              linked++;
              continue;
            }
          }
        }
        slot = (pc >>> 2) & A32_JIT_SLOT_MASK;
        let e = cpu.fetchEntries()[pc >>> 12]!;
        // A flushed page: fill it here as the interpreter's fetch would (no return to execute).
        if ((e & 4) === 0) e = cpu.probeFetchEntry(pc);
        if (!this.holds(slot, pc, e) || !this.fits(slot, room - done)) break;
        const found = this.threads[slot]!;
        if (t !== null && found !== null) {
          t.link = found;
          t.linkPc = pc;
          t.linkEntry = e;
          t.linkGeneration = cpu.fetchGeneration();
        }
        t = found;
      }
    } catch (e) {
      cpu.jitFaultRetired += done;
      if (inChain) {
        // The faulting block counts itself (jitFaultRetired); the chain's blocks before it do not.
        cpu.jitFaultRetired += chain!.abandon();
        entered += chain!.entered;
        batched += chain!.entered;
      }
      this.count(entered, linked, batched);
      throw e;
    }
    this.count(entered, linked, batched);
    return done;
  }

  private count(entered: number, linked: number, batched: number): void {
    const stats = this.cpu.stats;
    stats.blockRuns += entered;
    stats.blockLinks += linked;
    stats.batchedRuns += batched;
    stats.blockDispatches++;
  }

  /** A threaded block ran often: to the batch queue when there is one, else compiled to JavaScript now. */
  promote(t: A32ThreadedBlock): void {
    const queue = this.queue;
    if (queue !== null) {
      t.waiting = true;
      if (queue.add(t, this.cpu.clock.icount)) this.compileBatch();
      return;
    }
    const b = this.compiler.compile(t.start, t.ppage);
    if (b === null) return;
    this.translated++;
    this.replace(b);
  }

  ranWaiting(): void {
    this.queue!.ranWaiting();
  }

  /**
   * Where a slice of `execute` ends: compile the waiting blocks if the oldest has waited long
   * enough (a partial batch; a hot block is never left threaded for long).
   */
  flushBatch(): void {
    const queue = this.queue;
    if (queue !== null && queue.due(this.cpu.clock.icount)) this.compileBatch();
  }

  /**
   * Compile the queue as one batch; each result replaces its threaded block. A block dropped while
   * it waited (its code changed) is not compiled: the key then holds another block or none.
   */
  private compileBatch(): void {
    const { threaded, compiled } = this.queue!.compile((t) => {
      t.waiting = false;
      return this.blocks.get(A32BlockJit.key(t.start, t.ppage)) === t;
    });
    for (let i = 0; i < compiled.length; i++) {
      const b = compiled[i]!;
      // The batch compiler left it threaded (it runs on as one, never promoted again).
      if (b === null) continue;
      const t = threaded[i]!;
      if (b.start !== t.start || b.ppage !== t.ppage) throw new A32BatchCompileError([t], `result ${i} is the block at 0x${(b.start >>> 0).toString(16)}`);
      this.batchMade.add(b);
      this.translated++;
      this.replace(b);
    }
  }

  /** `b` replaces the block of its key, and in the front cache if that block is there now. */
  private replace(b: A32Block): void {
    this.install(A32BlockJit.key(b.start, b.ppage), b);
    const slot = (b.start >>> 2) & A32_JIT_SLOT_MASK;
    const f = slot * A32_FRONT_STRIDE;
    if (this.front[f] === b.start && this.front[f + 1] === b.ppage) this.fill(slot, b);
  }

  private install(key: number, b: A32Block): void {
    this.blocks.set(key, b);
    this.codePages.add(b);
  }

  /** Marker for a start whose first instruction is not translated (never dispatched). */
  private untranslatable(pc: number, ppage: number): A32Block | null {
    const host = this.bus.pageHost[ppage]!;
    if (host === NO_RAM) return null;
    return { start: pc, end: (pc + 4) | 0, ppage, count: Infinity, hostPage: host >>> PAGE_SHIFT, run: neverRun, bpGeneration: -1, bpInside: false };
  }

  codeWrite(addr: number, hostPage: number): void {
    this.codePages.codeWrite(addr, hostPage);
  }

  codePageReplaced(hostPage: number): void {
    this.codePages.codePageReplaced(hostPage);
  }

  private drop(b: A32Block): void {
    // A promoted threaded block stays on its page's list; its compiled successor owns the key.
    const key = A32BlockJit.key(b.start, b.ppage);
    if (this.blocks.get(key) === b) this.blocks.delete(key);
    const slot = (b.start >>> 2) & A32_JIT_SLOT_MASK;
    if (this.slots[slot] === b) {
      const t = this.threads[slot]!;
      if (t !== null) t.resident = false;
      this.threads[slot] = null;
      this.chain?.evict(slot);
      // No PC (not even 0xffffffff) and no fetch entry's page (>= 0) match an empty slot.
      this.front[slot * A32_FRONT_STRIDE] = -1;
      this.front[slot * A32_FRONT_STRIDE + 1] = -1;
    }
    // After its slot no longer holds it: the chain may reuse what it kept for the block.
    if (this.batchMade.has(b)) this.chain?.forget(b);
    // The running block may be the one whose code just changed: end it after this instruction.
    this.cpu.exitRequest = true;
  }
}
