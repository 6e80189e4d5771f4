/**
 * Counters of how `Cpu.execute` spends its instructions: how many ran inside translated blocks,
 * how many were interpreted, and why each `execute` call returned to the machine loop. They cost
 * a few increments per block and per call, never per interpreted instruction, and change nothing
 * the guest can see. `armrr run --jit-stats` prints them (performance work on the JIT reads them).
 */
export class ExecutionStats {
  /** `Cpu.execute` calls (machine-loop boundaries that ran instructions). */
  executeCalls = 0;
  /** Instructions retired by those calls. */
  retired = 0;
  /** Translated blocks entered, and the instructions they retired. */
  blockRuns = 0;
  insnsInBlocks = 0;
  /** Dispatches from `execute` into blocks (the A-profile JIT runs a chain of blocks per dispatch). */
  blockDispatches = 0;
  /** Of the block entries, those through the previous block's remembered successor (A32BlockJit.runFrom, no lookup). */
  blockLinks = 0;
  /**
   * The batched (WebAssembly) tier of the A32 JIT: blocks compiled, batches (one module each),
   * process CPU ms spent compiling them, and entries into those blocks.
   */
  batchedBlocks = 0;
  batches = 0;
  batchCompileMs = 0;
  batchedRuns = 0;
  /** Why `execute` returned: budget used up, a stop request, sleep (WFI/WFE), breakpoint, fault. */
  exitBudget = 0;
  exitRequest = 0;
  exitSleep = 0;
  exitBreakpoint = 0;
  exitFault = 0;
  /**
   * Call-through instructions (table handlers run from compiled blocks) by row, when asked for
   * (`--jit-call-throughs`): null means off, and blocks compiled while it is off count nothing.
   */
  callThroughs: Map<string, number> | null = null;

  /** One call-through of `key` (a row name and its variant) ran in a compiled block. */
  countCallThrough(key: string): void {
    const m = this.callThroughs!;
    m.set(key, (m.get(key) ?? 0) + 1);
  }

  /** The call-through histogram, most frequent first (at most `top` rows). */
  formatCallThroughs(top = 40): string {
    const rows = [...(this.callThroughs ?? new Map<string, number>()).entries()].sort((x, y) => y[1] - x[1]);
    const total = rows.reduce((n, [, c]) => n + c, 0);
    const pct = (n: number): string => (this.insnsInBlocks === 0 ? '-' : ((100 * n) / this.insnsInBlocks).toFixed(2) + '%');
    return [
      `call-throughs in compiled blocks ${total} (${pct(total)} of the instructions in blocks)`,
      ...rows.slice(0, top).map(([k, c]) => `  ${String(c).padStart(12)}  ${pct(c).padStart(7)}  ${k}`),
    ].join('\n');
  }

  /** Human-readable summary; `translated` is the number of blocks the JIT compiled. */
  format(translated: number): string {
    const per = (n: number, d: number): string => (d === 0 ? '-' : (n / d).toFixed(1));
    const pct = (n: number): string => (this.retired === 0 ? '-' : ((100 * n) / this.retired).toFixed(1) + '%');
    const interpreted = this.retired - this.insnsInBlocks;
    const pct100 = (n: number, d: number): string => (d === 0 ? '-' : ((100 * n) / d).toFixed(1) + '%');
    return [
      `blocks translated ${translated}, entered ${this.blockRuns} (${per(this.insnsInBlocks, this.blockRuns)} insns/block)` +
        (this.blockDispatches === 0 ? '' : `, dispatched ${this.blockDispatches} times (${per(this.blockRuns, this.blockDispatches)} blocks/dispatch)`) +
        (this.blockLinks === 0 ? '' : `, ${this.blockLinks} by a remembered successor`),
      ...(this.batches === 0
        ? []
        : [
            `wasm blocks ${this.batchedBlocks} in ${this.batches} batches (${this.batchCompileMs.toFixed(0)} ms compile CPU, ` +
              `${per(this.batchCompileMs * 1000, this.batchedBlocks)} µs/block), entered ${this.batchedRuns} (${pct100(this.batchedRuns, this.blockRuns)} of block entries)`,
          ]),
      `instructions ${this.retired}: in blocks ${this.insnsInBlocks} (${pct(this.insnsInBlocks)}), interpreted ${interpreted} (${pct(interpreted)})`,
      `execute calls ${this.executeCalls} (${per(this.retired, this.executeCalls)} insns/call): budget ${this.exitBudget}, ` +
        `stop request ${this.exitRequest}, sleep ${this.exitSleep}, breakpoint ${this.exitBreakpoint}, fault ${this.exitFault}`,
    ].join('\n');
  }
}
