/**
 * The translation cache: finds the compiled block for a PC, translates code once it is hot, and
 * drops blocks whose code changes. Code pages are write-checked through the bus's per-page slow
 * write path — the same check snapshot copy-on-write uses — so ordinary fast RAM writes cost
 * nothing and a write into translated code (self-modifying code, code loaded into RAM, a snapshot
 * restore) invalidates exactly the blocks it overlaps.
 */
import type { Bus, CodeWriteObserver } from '../../memory/bus.js';
import { CodePageIndex } from './code-page-index.js';
import { PAGE_SHIFT } from '../../memory/bus.js';
import type { Cpu } from '../cpu.js';
import type { Encoding } from '../decode-table.js';
import type { Handler } from '../t16.js';
import { BlockCompiler, type CodeRange, type CompiledBlock } from './block-compiler.js';
import type { BreakpointSet } from '../breakpoint-set.js';

export const JIT_SLOT_BITS = 14;
export const JIT_SLOT_MASK = (1 << JIT_SLOT_BITS) - 1;
/**
 * Block starts reached this many times are translated (cold start-up code stays interpreted). A
 * translation costs V8 some 100-300 µs of parsing and compiling, thousands of interpreted
 * instructions: FreeRTOS's full demo, which runs ~2,000 distinct blocks in its first 63 M
 * instructions, ran 10-15 % faster at 128 than at 8, and CRC and the RTOS bench no slower.
 */
export const JIT_HOT_THRESHOLD = 128;

const neverRun = (): number => 0;

/** A code range of a block in the code-page index: a write into it drops `block`. */
interface CodePiece extends CodeRange {
  readonly block: CompiledBlock;
}

export class BlockJit implements CodeWriteObserver {
  /** Direct-mapped front cache: slot -> block start (-1 empty; starts are even so never -1). */
  readonly keys = new Int32Array(1 << JIT_SLOT_BITS).fill(-1);
  readonly slots: CompiledBlock[] = new Array<CompiledBlock>(1 << JIT_SLOT_BITS);
  private readonly heat = new Uint16Array(1 << JIT_SLOT_BITS);
  /** Every translation by start address; untranslatable starts get a block with count Infinity. */
  private readonly blocks = new Map<number, CompiledBlock>();
  private readonly codePages: CodePageIndex<CodePiece>;
  private readonly compiler: BlockCompiler;
  /** Blocks translated so far (statistics for tests). */
  translated = 0;
  /**
   * While false, lookup only finds blocks already made (no heat, no translation): a debugger
   * re-running the same few instructions for every reverse step would otherwise make them hot and
   * pay a compile for code that runs once more (Cpu.setTranslation).
   */
  translating = true;

  constructor(
    private readonly cpu: Cpu,
    private readonly bus: Bus,
    t32Buckets: readonly Encoding<Handler>[][],
  ) {
    this.compiler = new BlockCompiler(cpu, bus, t32Buckets);
    this.codePages = new CodePageIndex<CodePiece>(bus, (piece) => this.drop(piece.block));
    bus.codeObserver = this;
  }

  /**
   * The block starting at `pc` (a block leader: reached by a branch, an exception or the end of a
   * block), translating it when it has become hot; null while it is still cold.
   */
  lookup(pc: number): CompiledBlock | null {
    const slot = (pc >>> 1) & JIT_SLOT_MASK;
    let b = this.blocks.get(pc);
    if (b === undefined) {
      if (!this.translating || ++this.heat[slot]! < JIT_HOT_THRESHOLD) return null;
      this.heat[slot] = 0;
      const made = this.compiler.compile(pc) ?? this.untranslatable(pc);
      if (made === null) return null;
      b = made;
      this.blocks.set(pc, b);
      this.codePages.add({ start: b.start, end: b.end, hostPage: b.hostPage, block: b });
      for (const range of b.ranges ?? []) this.codePages.add({ ...range, block: b });
      if (b.count !== Infinity) this.translated++;
    }
    this.keys[slot] = pc;
    this.slots[slot] = b;
    return b;
  }

  /** Marker for a start whose first instruction cannot be translated (never dispatched). */
  private untranslatable(pc: number): CompiledBlock | null {
    const host = this.bus.pageHost[pc >>> PAGE_SHIFT]!;
    if (host < 0) return null;
    return { start: pc, end: (pc + 2) | 0, count: Infinity, hostPage: host >>> PAGE_SHIFT, run: neverRun, loopsToStart: false, bpGeneration: -1, bpInside: false };
  }

  /** The translated block whose code covers `pc` (tests and diagnostics; not on a hot path). */
  blockContaining(pc: number): CompiledBlock | null {
    const inside = (r: { start: number; end: number }): boolean => pc >>> 0 >= r.start >>> 0 && pc >>> 0 < r.end >>> 0;
    for (const b of this.blocks.values()) {
      if (b.count !== Infinity && (inside(b) || (b.ranges ?? []).some(inside))) return b;
    }
    return null;
  }

  /**
   * True when a breakpoint lies inside the block after its first instruction, or at its first one
   * when the block loops back there by itself (the dispatcher checks the start only on entry).
   * Cached in the block per breakpoint-set generation, so the cost does not depend on how many
   * breakpoints are set.
   */
  static hasBreakpointInside(b: CompiledBlock, bps: BreakpointSet): boolean {
    if (b.bpGeneration !== bps.generation) {
      b.bpInside =
        bps.holdsAfterStart(b.start, b.end) || (b.loopsToStart === true && bps.hit(b.start)) || (b.ranges ?? []).some((r) => bps.holdsIn(r.start, r.end));
      b.bpGeneration = bps.generation;
    }
    return b.bpInside;
  }

  codeWrite(addr: number, hostPage: number): void {
    this.codePages.codeWrite(addr, hostPage);
  }

  codePageReplaced(hostPage: number): void {
    this.codePages.codePageReplaced(hostPage);
  }

  private drop(b: CompiledBlock): void {
    // A block of several ranges may already be gone (a write to another of its ranges dropped it).
    if (this.blocks.get(b.start) !== b) return;
    this.blocks.delete(b.start);
    const slot = (b.start >>> 1) & JIT_SLOT_MASK;
    if (this.keys[slot] === b.start) this.keys[slot] = -1;
    // The running block may be the one whose code just changed: end it after this instruction.
    this.cpu.exitRequest = true;
  }
}
