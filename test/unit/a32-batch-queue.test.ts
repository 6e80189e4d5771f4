/**
 * The batch queue of the A32 JIT's WebAssembly tier (a32-batch-queue.ts): a batch is compiled when
 * full, when its oldest block has waited long enough or when its blocks ran threaded often enough, blocks dropped while waiting are left out,
 * and a batch the compiler rejects (a WebAssembly.CompileError: a compiler bug) stops the run with
 * a typed error naming the blocks, never a silent fallback.
 */
import { describe, expect, it } from 'vitest';
import { A32BatchCompileError, A32BatchQueue, type A32BatchCompiler, type A32BlockStart } from '../../src/emulator/cpu/jit/a32-batch-queue.js';
import type { A32Block } from '../../src/emulator/cpu/jit/a32-block-compiler.js';
import { ExecutionStats } from '../../src/emulator/cpu/execution-stats.js';

const blockAt = (s: A32BlockStart): A32Block => ({ start: s.start, end: s.start + 4, ppage: s.ppage, count: 1, hostPage: 0, run: () => 1, bpGeneration: -1, bpInside: false });

/** A compiler that records each batch it is given. */
function recordingCompiler(): A32BatchCompiler & { batches: number[][] } {
  const batches: number[][] = [];
  return {
    batches,
    chain: null,
    compileBatch: (starts) => {
      batches.push(starts.map((s) => s.start));
      return starts.map(blockAt);
    },
  };
}

describe('A32BatchQueue', () => {
  it('fills a batch, compiles it whole, leaves out dropped blocks and counts the batch', () => {
    const compiler = recordingCompiler();
    const stats = new ExecutionStats();
    const q = new A32BatchQueue<A32BlockStart>(compiler, stats, { batchSize: 3, maxWaitInsns: 1000 });
    const blocks = [0x1000, 0x1040, 0x1080].map((start) => ({ start, ppage: 0x40001 }));
    expect(q.add(blocks[0]!, 10)).toBe(false);
    expect(q.add(blocks[1]!, 20)).toBe(false);
    expect(q.add(blocks[2]!, 30), 'the third fills the batch').toBe(true);
    const { threaded, compiled } = q.compile((b) => b !== blocks[1]);
    expect(compiler.batches).toEqual([[0x1000, 0x1080]]);
    expect(threaded).toEqual([blocks[0], blocks[2]]);
    expect(compiled.map((b) => b!.start)).toEqual([0x1000, 0x1080]);
    expect([stats.batches, stats.batchedBlocks]).toEqual([1, 2]);
    expect(q.due(1_000_000), 'nothing waits after a compile').toBe(false);
  });

  it('a partial batch is due once its oldest block has waited maxWaitInsns', () => {
    const q = new A32BatchQueue<A32BlockStart>(recordingCompiler(), new ExecutionStats(), { batchSize: 64, maxWaitInsns: 500 });
    expect(q.due(0), 'empty').toBe(false);
    q.add({ start: 0x2000, ppage: 1 }, 100);
    q.add({ start: 0x2040, ppage: 1 }, 550);
    expect(q.due(599)).toBe(false);
    expect(q.due(600), 'the first joined at 100').toBe(true);
  });

  it('a partial batch is due once its waiting blocks ran maxWaitingRuns times in all, counted afresh per batch', () => {
    const q = new A32BatchQueue<A32BlockStart>(recordingCompiler(), new ExecutionStats(), { batchSize: 64, maxWaitInsns: 1e9, maxWaitingRuns: 3 });
    q.ranWaiting(); // a run counted while nothing waits (a block the compiler left threaded) starts no window
    q.add({ start: 0x2000, ppage: 1 }, 100);
    q.ranWaiting();
    q.ranWaiting();
    expect(q.due(200)).toBe(false);
    q.ranWaiting();
    expect(q.due(200), 'three runs of the waiting blocks').toBe(true);
    q.compile(() => true);
    q.add({ start: 0x3000, ppage: 1 }, 300);
    q.ranWaiting();
    expect(q.due(300), 'the count starts again with the next batch').toBe(false);
  });

  it('a batch the compiler rejects with a CompileError is a typed error naming its blocks', () => {
    const broken: A32BatchCompiler = {
    chain: null,
      compileBatch: () => {
        // A module whose section id does not exist: V8 rejects it as the compiler's bug would be.
        new WebAssembly.Module(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0x7f, 0]));
        return [];
      },
    };
    const q = new A32BatchQueue<A32BlockStart>(broken, new ExecutionStats(), { batchSize: 2 });
    q.add({ start: 0x80001234 | 0, ppage: 0x40123 }, 0);
    q.add({ start: 0x1000, ppage: 0x40001 }, 0);
    let err: unknown;
    try {
      q.compile(() => true);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(A32BatchCompileError);
    expect((err as Error).message).toContain('0x80001234@page 0x40123');
    expect((err as Error).message).toContain('0x1000@page 0x40001');
    expect((err as Error).cause).toBeInstanceOf(WebAssembly.CompileError);
  });

  it('a compiler that returns fewer results than blocks is a typed error', () => {
    const short: A32BatchCompiler = { chain: null, compileBatch: (starts) => starts.slice(1).map(blockAt) };
    const q = new A32BatchQueue<A32BlockStart>(short, new ExecutionStats(), { batchSize: 2 });
    q.add({ start: 0x1000, ppage: 1 }, 0);
    q.add({ start: 0x2000, ppage: 1 }, 0);
    expect(() => q.compile(() => true)).toThrow(A32BatchCompileError);
  });
});
