// Microbench (not part of `npm run bench`): the A32 → WebAssembly block compiler (A32WasmCompiler)
// against the JavaScript block compiler (A32BlockCompiler) on the same guest code, a virt core with
// the MMU off. Reports compile+instantiate CPU µs per block (discovery, emission, module bytes,
// WebAssembly.Module and Instance; all threads' CPU) in batches of 1 / 32 / 256 blocks, and
// ns per run(budget) of one block (data processing and a branch, or with `memory` loads and stores
// through the JIT TLB; each tier warmed up first: the JS block until TurboFan has compiled it, the
// wasm one past Liftoff's tier-up).
// Usage: npx tsc -p . && node bench/spikes/wasm-a32-compiler.mjs [RUNS] [dp|memory]
// Needs arm-none-eabi-gcc (the guest code is assembled here).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMachine } from '../../dist/emulator/machines/index.js';
import { A32WasmCompiler } from '../../dist/emulator/cpu/wasm/a32-wasm-compiler.js';
import { A32BlockCompiler } from '../../dist/emulator/cpu/jit/a32-block-compiler.js';

const RUNS = Number(process.argv[2] ?? 2_000_000);
const BLOCK = process.argv[3] ?? 'dp';
// 13 instructions: the spike's block shape without its memory accesses (data processing, flags, a condition, the exit branch).
const LINES = [
  'add r0, r0, #1',
  'eor r1, r1, r0, lsl #3',
  'subs r2, r2, #1',
  'orr r3, r3, r1',
  'and r4, r3, #0xff',
  'mov r5, r4, lsr #2',
  'cmp r5, r0',
  'addne r6, r6, r5',
  'bic r7, r6, #3',
  'rsb r8, r7, #0',
  'adds r9, r8, r1, ror r2',
  'mvn r10, r9',
  'b .+0x1000',
];
// 13 instructions, 11 of them loads and stores (every inline form: word/byte/halfword, immediate and
// shifted-register offsets, LDRD/STRD, LDM/STM, PUSH/POP) on the data at r1, r3 and sp (all hits).
const MEMORY_LINES = [
  'push {r4, r5, r6, lr}',
  'ldr r0, [r1]',
  'str r0, [r3, #8]',
  'ldrb r4, [r1, #9]',
  'strh r4, [r3, #2]',
  'ldrd r4, r5, [r1, #16]',
  'strd r4, r5, [r3, #16]',
  'ldr r6, [r1, r7, lsl #2]',
  'str r6, [r3, #-4]',
  'ldm r1, {r4, r5, r6}',
  'stmib r3, {r4, r5, r6}',
  'pop {r4, r5, r6, lr}',
  'b .+0x1000',
];

function assemble(lines) {
  const dir = mkdtempSync(join(tmpdir(), 'armrr-bench-'));
  writeFileSync(join(dir, 'a.S'), `.syntax unified\n.arm\n.text\n${lines.map((l) => `  ${l}\n`).join('')}`);
  const cc = spawnSync('arm-none-eabi-gcc', ['-marm', '-mcpu=cortex-a15', '-nostdlib', '-c', join(dir, 'a.S'), '-o', join(dir, 'a.o')], { encoding: 'utf8' });
  if (cc.status !== 0) throw new Error(cc.stderr);
  const oc = spawnSync('arm-none-eabi-objcopy', ['-O', 'binary', '-j', '.text', join(dir, 'a.o'), join(dir, 'a.bin')], { encoding: 'utf8' });
  if (oc.status !== 0) throw new Error(oc.stderr);
  const b = readFileSync(join(dir, 'a.bin'));
  return Array.from({ length: b.length / 4 }, (_, i) => b.readInt32LE(4 * i));
}

const QUIET = {
  icountShift: 0,
  serial: { poll: () => -1, exhausted: () => true, nextDueIcount: () => Infinity },
  host: { hostClockNs: () => 0, consoleRead: () => null, fileRead: () => null },
  output: { uartWrite: () => {}, consoleWrite: () => {} },
};
const m = createMachine('virt', { ...QUIET, memoryBytes: 64 * 2 ** 20 });
const cpu = m.core;
const bus = m.bus;
cpu.state.thumb = 0;
const words = assemble(BLOCK === 'memory' ? MEMORY_LINES : LINES);
const DATA = 0x40200000;
cpu.state.r.set([0, DATA, 0, DATA + 0x800, 0, 0, 0, 0], 0);
cpu.state.r[13] = DATA + 0x1000;
// 256 copies of the block, one per 64-byte slot from 0x40100000 (MMU off: VA = PA).
const BASE = 0x40100000;
const SLOT = 64;
for (let k = 0; k < 256; k++) words.forEach((w, i) => bus.write32(BASE + k * SLOT + 4 * i, w));
const startOf = (k) => ({ start: BASE + k * SLOT, ppage: (BASE + k * SLOT) >>> 12 });

const cpuUs = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

const wasm = new A32WasmCompiler(cpu, bus);
if (!wasm.available) throw new Error('the virt bus is not wasm-backed');
// Three passes: the first includes V8 warming up the compiler's own JavaScript.
for (const batch of [1, 32, 256, 1, 32, 256, 1, 32, 256]) {
  const rounds = Math.max(2, Math.floor(1024 / batch));
  let blocks = 0;
  const t0 = cpuUs();
  for (let r = 0; r < rounds; r++) {
    const starts = [];
    for (let k = 0; k < batch; k++) starts.push(startOf(k));
    blocks += wasm.compileBatch(starts).length;
  }
  console.log(`wasm compile+instantiate, batch ${batch}: ${((cpuUs() - t0) / blocks).toFixed(1)} CPU-µs per block (${blocks} blocks)`);
}

function timeRuns(run, label) {
  const r = cpu.state.r;
  for (let i = 0; i < 200_000; i++) run(13);
  r[2] = 5;
  const t0 = cpuUs();
  let n = 0;
  for (let i = 0; i < RUNS; i++) n += run(13);
  const us = cpuUs() - t0;
  if (n !== 13 * RUNS) throw new Error(`${label}: retired ${n}`);
  console.log(`${label}: ${((us * 1000) / RUNS).toFixed(1)} ns per block run (${RUNS} runs, CPU)`);
}

const js = new A32BlockCompiler(cpu, bus).compile(BASE, BASE >>> 12);
const [wb] = wasm.compileBatch([startOf(0)]);
for (let rep = 0; rep < 2; rep++) {
  timeRuns(js.run, 'JS block  ');
  timeRuns(wb.run, 'wasm block');
}
