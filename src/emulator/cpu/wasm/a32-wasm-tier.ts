/**
 * The A32 JIT's WebAssembly tier as A32BlockJit takes it (A32JitOptions.batchCompiler): the wasm
 * block compiler, and the wasm dispatcher as the tier's chain (A32BlockChain) — its front cache
 * mirrors the JIT's for the slots holding wasm blocks, and every wasm block's function sits in the
 * dispatcher's table from its compile until its code changes. Only for a core whose bus is
 * wasm-backed (its RAM and registers in the memory the blocks address); otherwise there is no
 * tier and the JS tiers run alone (M-profile boards, RAM beyond wasm32's 4 GiB).
 */
import type { Bus } from '../../memory/bus.js';
import type { A32ChainHost, A32JitOptions } from '../jit/a32-block-jit.js';
import { A32_JIT_SLOT_BITS } from '../jit/a32-block-jit.js';
import type { A32BatchCompiler, A32BlockChain, A32BlockStart } from '../jit/a32-batch-queue.js';
import type { A32Block } from '../jit/a32-block-compiler.js';
import { A32WasmCompiler } from './a32-wasm-compiler.js';
import { WasmDispatcher } from './wasm-dispatcher.js';

class A32WasmTier implements A32BatchCompiler, A32BlockChain {
  readonly chain: A32BlockChain = this;
  private readonly dispatcher: WasmDispatcher;
  /** The dispatcher's table index of each live wasm block. */
  private readonly indexes = new Map<A32Block, number>();

  constructor(
    private readonly cpu: A32ChainHost,
    private readonly compiler: A32WasmCompiler,
    memory: WebAssembly.Memory,
    stateBase: number,
  ) {
    this.dispatcher = new WasmDispatcher(memory, stateBase, 1 << A32_JIT_SLOT_BITS, (pc) => cpu.probeFetchEntry(pc));
  }

  compileBatch(starts: ReadonlyArray<A32BlockStart>): Array<A32Block | null> {
    const blocks = this.compiler.compileBatch(starts);
    for (const b of blocks) if (b !== null) this.indexes.set(b, this.dispatcher.add(b.wasm));
    return blocks;
  }

  install(slot: number, b: A32Block): void {
    this.dispatcher.install(slot, b.start, b.ppage, b.count, this.indexes.get(b)!);
  }

  evict(slot: number): void {
    this.dispatcher.evict(slot);
  }

  forget(b: A32Block): void {
    const index = this.indexes.get(b);
    if (index === undefined) return;
    this.indexes.delete(b);
    this.dispatcher.release(index);
  }

  /** As a block's `run` (A32WasmCompiler: enter, the wasm, icount, leave) around the dispatcher's chain. */
  run(room: number, maxBlocks: number): number {
    const cpu = this.cpu;
    const clock = cpu.clock;
    const ic = clock.icount;
    const tlb = this.compiler.tlbAddress();
    const fetch = this.compiler.fetchAddress();
    this.compiler.enterChain(ic, tlb, fetch);
    const n = this.dispatcher.run(room, maxBlocks, tlb, fetch);
    clock.icount = ic + n;
    this.compiler.leave();
    return n;
  }

  get entered(): number {
    return this.dispatcher.entered;
  }

  abandon(): number {
    const done = this.dispatcher.chainDone;
    this.dispatcher.reset();
    return done;
  }
}

export function wasmBatchCompiler(cpu: A32ChainHost, bus: Bus): A32BatchCompiler | null {
  const w = bus.wasm;
  if (w === null) return null;
  const compiler = new A32WasmCompiler(cpu, bus);
  return compiler.available ? new A32WasmTier(cpu, compiler, w.memory, w.stateBase) : null;
}

/** A board's A32 JIT options: the wasm tier unless `wasm` is false (`--no-wasm`, ARMRR_WASM=0). */
export function boardA32Jit(wasm: boolean | undefined): A32JitOptions {
  return wasm === false ? {} : { batchCompiler: wasmBatchCompiler };
}
