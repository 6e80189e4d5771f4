/**
 * Where the wasm block tier finds the core's state: one WebAssembly.Memory holds the bus's RAM from
 * byte 0 (so a JIT TLB addend gives the wasm address of a guest access directly: `va + addend`,
 * wrapping as wasm's unsigned i32 addresses do) and, after it at `stateBase` (64 KiB aligned), the
 * state area below: the live register file (the A-profile core's `r` is a view of it), the flags
 * in QEMU's representation while wasm code runs, the JIT TLB views, and what the wasm dispatcher
 * reads. Generated code addresses these fields as constants (`stateBase + offset`).
 */

/** Bytes reserved after the RAM for the state area (one wasm page multiple). */
export const WASM_STATE_BYTES = 16 << 20;
/** Wasm page size. */
export const WASM_PAGE = 1 << 16;
/** A wasm32 memory holds at most 65,536 pages (4 GiB). */
export const WASM_MAX_PAGES = 1 << 16;

/** r0-r15 (16 int32). */
export const STATE_REGS = 0;
/**
 * NF, ZF, CF, VF as int32 in CpuState's representation (N = bit 31 of NF, Z = ZF === 0, C = CF,
 * V = bit 31 of VF): valid only while wasm code runs (the JS side copies them in and out).
 */
export const STATE_FLAGS = 64;
export const FLAG_NF = STATE_FLAGS;
export const FLAG_ZF = STATE_FLAGS + 4;
export const FLAG_CF = STATE_FLAGS + 8;
export const FLAG_VF = STATE_FLAGS + 12;
/** Words for the tier's own use (stop request, budget, statistics), 64 bytes. */
export const STATE_SCRATCH = 128;
/**
 * Nonzero when a block left through an interworking write of an odd address (BX, ALUWritePC,
 * LoadWritePC to Thumb): the run wrapper then sets CPSR.T and clears it (a32-wasm-compiler.ts).
 */
export const STATE_EXIT_THUMB = STATE_SCRATCH + 60;
/** Set by an import whose instruction took its handler's path and must end the block (a32-wasm-compiler.ts). */
export const STATE_IMPORT_LEAVE = STATE_SCRATCH + 56;
/**
 * The exclusive monitor while wasm code runs (CpuState.exclusiveAddr/exclusiveVal, copied in and out
 * like the flags): open (0 or 1: exclusiveAddr is -1 or an address), its address and the value read.
 */
export const STATE_MONITOR_OPEN = 192;
export const STATE_MONITOR_ADDR = 196;
export const STATE_MONITOR_VAL = 200;
/**
 * The thread ID registers TPIDRURW, TPIDRURO, TPIDRPRW (CoreRegisters keeps them here on a
 * wasm-backed bus: their MRC reads are inline loads in wasm blocks; Linux reads the last two
 * ~7 M times in the zImage boot, for `current` and the per-CPU offset).
 */
export const STATE_THREAD_IDS = 208;
/** The JIT TLB's views (jit-tlb.ts): 3 × JIT_TLB_ENTRIES × 16 bytes = 192 KiB. */
export const STATE_JIT_TLB = 4096;
/**
 * The MMU's translation entries (tlb.ts: virtual page -> physical page << 3 | PROT bits, 2^20
 * int32 = 4 MiB each) for the MMU off (identity), PL1 and PL0: what the interpreter's fetch and the
 * dispatcher read (`cpu.fetchEntries()` is one of them; its byteOffset says which).
 */
export const STATE_FETCH_IDENTITY = 1 << 20;
export const STATE_FETCH_PRIV = STATE_FETCH_IDENTITY + (4 << 20);
export const STATE_FETCH_USER = STATE_FETCH_PRIV + (4 << 20);
/** The wasm dispatcher's front cache and block table indexes: 16 bytes per slot, up to the area's end (2^17 slots). */
export const STATE_DISPATCH = STATE_FETCH_USER + (4 << 20);

/** Byte offset of the state area after `ramBytes` of RAM. */
export function stateBaseFor(ramBytes: number): number {
  return Math.ceil(ramBytes / WASM_PAGE) * WASM_PAGE;
}

/** Pages of a memory holding `ramBytes` of RAM and the state area, or null when it exceeds wasm32's 4 GiB. */
export function wasmPagesFor(ramBytes: number): number | null {
  const pages = (stateBaseFor(ramBytes) + WASM_STATE_BYTES) / WASM_PAGE;
  return pages <= WASM_MAX_PAGES ? pages : null;
}

/** The register file's words in a wasm-backed bus's state area, or undefined (a fresh array). */
export function wasmRegisters(bus: { readonly wasm: { readonly memory: WebAssembly.Memory; readonly stateBase: number } | null }): Int32Array | undefined {
  const w = bus.wasm;
  return w === null ? undefined : new Int32Array(w.memory.buffer, w.stateBase + STATE_REGS, 16);
}

/**
 * The byte address of a view into the state area, read again only when the view changes (the
 * JIT TLB view and the MMU's entries switch between a few fixed arrays): TypedArray byteOffset is a
 * getter V8 does not inline, ~11 ns a read, measured on each wasm block run.
 */
export class StateViewAddress {
  private view: Int32Array | null = null;
  private address = 0;

  of(view: Int32Array): number {
    if (view !== this.view) {
      this.view = view;
      this.address = view.byteOffset;
    }
    return this.address;
  }
}
