/**
 * The A32 JIT's WebAssembly tier as A32BlockJit takes it (A32JitOptions.batchCompiler): the wasm
 * block compiler for a core whose bus is wasm-backed (its RAM in the memory the blocks address),
 * else none, and the JS tiers run alone (M-profile boards, RAM beyond wasm32's 4 GiB).
 */
import type { Bus } from '../../memory/bus.js';
import type { A32ChainHost, A32JitOptions } from '../jit/a32-block-jit.js';
import type { A32BatchCompiler } from '../jit/a32-batch-queue.js';
import { A32WasmCompiler } from './a32-wasm-compiler.js';

export function wasmBatchCompiler(cpu: A32ChainHost, bus: Bus): A32BatchCompiler | null {
  return bus.wasm === null ? null : new A32WasmCompiler(cpu, bus);
}

/** A board's A32 JIT options: the wasm tier unless `wasm` is false (`--no-wasm`, ARMRR_WASM=0). */
export function boardA32Jit(wasm: boolean | undefined): A32JitOptions {
  return wasm === false ? {} : { batchCompiler: wasmBatchCompiler };
}
