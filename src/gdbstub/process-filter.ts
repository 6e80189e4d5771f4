/**
 * One process's view for gdb on an A-profile guest OS (`monitor process-filter`): every process
 * of a Linux guest runs its code at the same user addresses (0x10000...), so a breakpoint on one
 * program's function also fires in every other program that executes that address. The filter
 * lets a break/watchpoint at a process-private address stop only while the chosen address space
 * is current.
 *
 * - Process-private = the MMU maps the address non-global (nG): Linux maps user space nG and the
 *   kernel global, so kernel breakpoints (`break kernel_clone`, `watch jiffies`) stop in every
 *   context, filter or not.
 * - The address space is named by its ASID (CONTEXTIDR[7:0] with short descriptors, which Linux
 *   writes with the mm's context id on every switch_mm), or by the whole CONTEXTIDR (Linux keeps
 *   the ASID generation in bits [31:8], so this also tells apart two processes that got the same
 *   ASID across a rollover).
 * - An address with no translation now is filtered like a private one: Linux maps user pages on
 *   demand, so the first fetch from a page of a freshly exec'd program reaches its breakpoint
 *   before the prefetch abort that maps it, in that program's address space, not the filtered
 *   one. (Kernel text and data are always mapped; a vmalloc address not yet copied into this
 *   process's tables would be filtered too.)
 */
import type { Mmu } from '../emulator/memory/mmu.js';

export type ProcessFilterSpec = { kind: 'asid'; asid: number } | { kind: 'contextidr'; contextidr: number };

export class ProcessFilter {
  spec: ProcessFilterSpec | null = null;

  constructor(private readonly mmu: Mmu | null) {}

  /** Whether a hit at virtual `va` counts now: always without a filter, an MMU or for global pages. */
  passes(va: number): boolean {
    const spec = this.spec;
    const mmu = this.mmu;
    if (spec === null || mmu === null || !mmu.enabled) return true;
    const t = mmu.debugInspect(va);
    if (t !== null && !t.nonGlobal) return true;
    return spec.kind === 'asid' ? mmu.asid === spec.asid : mmu.contextidr === spec.contextidr;
  }

  /** The address space current now (for `monitor process-filter current`). */
  current(): { asid: number; contextidr: number } | null {
    return this.mmu === null ? null : { asid: this.mmu.asid, contextidr: this.mmu.contextidr >>> 0 };
  }

  describe(): string {
    const s = this.spec;
    if (s === null) return 'no process filter: user-space break/watchpoints stop in every process';
    return s.kind === 'asid'
      ? `process filter: user-space break/watchpoints stop only while ASID ${s.asid} is current`
      : `process filter: user-space break/watchpoints stop only while CONTEXTIDR is 0x${s.contextidr.toString(16)}`;
  }
}
