// Spike (session 9, not part of `npm run bench`): what a WebAssembly block tier would cost and gain.
// A guest-block-shaped function (13 ARM-like ops on registers kept in memory, 3 TLB-checked memory
// accesses, N/Z flags) is built as JS (`new Function`, as armrr compiles A32 blocks today) or as a
// WebAssembly function (V8 Liftoff, then dynamic tier-up); each block runs once per dispatch and
// returns the next block index, chained by a JS loop over JS functions or by a wasm loop doing
// call_indirect through a shared table. The wasm bytes come from a naive array-spreading builder:
// its cost is reported apart from V8 compile + instantiate.
// Usage: node bench/spikes/wasm-blocks.mjs js|wasm BLOCKS WARM_ROUNDS ROUNDS [BATCH]
//        CALLJS=1 adds one wasm->JS import call per block run (what a table-handler call would cost).
const [mode, N = 2000, WARM = 200, ROUNDS = 2000, BATCH = 32] = [process.argv[2], ...process.argv.slice(3).map(Number)];
const MEM = new WebAssembly.Memory({ initial: 256, maximum: 256 });
const I32 = new Int32Array(MEM.buffer);
const REGS = 0, FLAGS = 64, TLB = 4096, RAMBASE = 1 << 20, OPS = 13;
for (let i = 0; i < 256; i++) { I32[(TLB >> 2) + 2 * i] = i; I32[(TLB >> 2) + 2 * i + 1] = 0; }
const r = new Int32Array(MEM.buffer, REGS, 16);
r[4] = 0x1000;
const u = (n) => { const o = []; do { let b = n & 0x7f; n >>>= 7; if (n) b |= 0x80; o.push(b); } while (n); return o; };
const sl = (n) => { const o = []; for (;;) { let b = n & 0x7f; n >>= 7; if ((n === 0 && !(b & 0x40)) || (n === -1 && (b & 0x40))) { o.push(b); return o; } o.push(b | 0x80); } };
const vec = (items) => [...u(items.length), ...items.flat()];
const name = (t) => vec([...t].map((c) => [c.charCodeAt(0)]));
const sec = (id, body) => [id, ...u(body.length), ...body];
const c = (x) => [0x41, ...sl(x)];
const ld = (off) => [...c(0), 0x28, 2, ...u(off)];
const st = (off, val) => [...c(0), ...val, 0x36, 2, ...u(off)];
const reg = (n) => ld(REGS + 4 * n);
const setReg = (n, val) => st(REGS + 4 * n, val);
const ea = (rn, off) => [...reg(rn), ...c(off), 0x6a, 0x21, 1, ...c(TLB), 0x20, 1, ...c(12), 0x76, ...c(255), 0x71, ...c(3), 0x74, 0x6a, 0x21, 2, 0x20, 2, 0x28, 2, 0, 0x20, 1, ...c(12), 0x76, 0x46];
const ramAddr = [0x20, 2, 0x28, 2, 4, 0x20, 1, 0x6a, ...c(0xfffff), 0x71, ...c(RAMBASE), 0x6a];
const loadVia = (rd, rn, off) => [...ea(rn, off), 0x04, 0x40, ...setReg(rd, [...ramAddr, 0x28, 2, 0]), 0x05, ...c(-1), 0x0f, 0x0b];
const storeVia = (rt, rn, off) => [...ea(rn, off), 0x04, 0x40, ...ramAddr, ...reg(rt), 0x36, 2, 0, 0x05, ...c(-2), 0x0f, 0x0b];
function wasmBody(k, next) {
  return [
    ...setReg(1, [...reg(1), ...reg(2), 0x6a]), ...setReg(2, [...reg(2), ...c(k), 0x73]),
    ...loadVia(3, 4, 8), ...setReg(5, [...reg(3), ...reg(1), 0x6a]), ...setReg(6, [...reg(5), ...c(3), 0x74]),
    ...storeVia(6, 4, 16), ...setReg(7, [...reg(7), ...c(1), 0x6a]), ...loadVia(8, 4, 24),
    ...setReg(9, [...reg(8), ...reg(9), 0x73]), ...setReg(0, [...reg(0), ...c(1), 0x6b]),
    ...st(FLAGS, [...reg(0), ...c(31), 0x76]), ...st(FLAGS + 4, [...reg(0), 0x45]),
    ...(CALLJS ? [...c(k), 0x10, 0, 0x1a] : []),
    ...c(next), // next block index
  ];
}
const TYPE_I32_I32 = [0x60, 1, 0x7f, 1, 0x7f];
const header = [0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0];
const CALLJS = process.env.CALLJS === '1';
const imports = (withTable, withFn = false) => sec(2, vec([
  ...(withFn ? [[...name('e'), ...name('h'), 0x00, 0]] : []),
  [...name('e'), ...name('m'), 0x02, 0x01, ...u(256), ...u(256)],
  ...(withTable ? [[...name('e'), ...name('t'), 0x01, 0x70, 0x00, ...u(N)]] : []),
]));
function batchModule(first, count) {
  const fns = [];
  for (let k = first; k < first + count; k++) fns.push([1, 3, 0x7f].concat(wasmBody(k, (k + 1) % N), [0x0b]));
  return new Uint8Array([...header, ...sec(1, vec([TYPE_I32_I32])), ...imports(true, CALLJS), ...sec(3, vec(fns.map(() => [0]))),
    ...sec(9, vec([[0x00, ...c(first), 0x0b, ...vec(fns.map((_, i) => u(i + (CALLJS ? 1 : 0))))]])),
    ...sec(10, vec(fns.map((f) => [...u(f.length), ...f])))]);
}
// dispatcher: run(count) { idx = 0; do { idx = call_indirect(idx) (idx) } while (--count) ; return idx }
function dispatcherModule() {
  const body = [1, 1, 0x7f, // local idx
    0x03, 0x40, 0x20, 1, 0x20, 1, 0x11, 0, 0, 0x21, 1, 0x20, 0, ...c(1), 0x6b, 0x22, 0, 0x0d, 0, 0x0b, 0x20, 1, 0x0b];
  return new Uint8Array([...header, ...sec(1, vec([TYPE_I32_I32])), ...imports(true), ...sec(3, vec([[0]])),
    ...sec(7, vec([[...name('run'), 0x00, 0]])), ...sec(10, vec([[...u(body.length), ...body]]))]);
}
function jsBlock(k, next) {
  return new Function('r', 'I32', `
    r[1] = (r[1] + r[2]) | 0; r[2] = r[2] ^ ${k};
    let a = (r[4] + 8) | 0; let e = ${TLB >> 2} + (((a >>> 12) & 255) << 1);
    if (I32[e] === (a >>> 12)) r[3] = I32[((((I32[e + 1] + a) & 0xfffff) + ${RAMBASE}) >>> 2)]; else return -1;
    r[5] = (r[3] + r[1]) | 0; r[6] = r[5] << 3;
    a = (r[4] + 16) | 0; e = ${TLB >> 2} + (((a >>> 12) & 255) << 1);
    if (I32[e] === (a >>> 12)) I32[((((I32[e + 1] + a) & 0xfffff) + ${RAMBASE}) >>> 2)] = r[6]; else return -2;
    r[7] = (r[7] + 1) | 0;
    a = (r[4] + 24) | 0; e = ${TLB >> 2} + (((a >>> 12) & 255) << 1);
    if (I32[e] === (a >>> 12)) r[8] = I32[((((I32[e + 1] + a) & 0xfffff) + ${RAMBASE}) >>> 2)]; else return -1;
    r[9] = r[8] ^ r[9]; r[0] = (r[0] - 1) | 0;
    I32[${FLAGS >> 2}] = r[0] >>> 31; I32[${(FLAGS >> 2) + 1}] = r[0] === 0 ? 1 : 0;
    return ${(k + 1) % N};`);
}
const cpu = () => process.cpuUsage().user / 1e3;
let t = cpu();
let run;
if (mode === 'wasm') {
  const table = new WebAssembly.Table({ element: 'anyfunc', initial: N });
  const bytes = [];
  for (let first = 0; first < N; first += BATCH) bytes.push([first, batchModule(first, Math.min(BATCH, N - first))]);
  const tBuild = cpu() - t;
  let hits = 0;
  const h = (k) => { hits += k; return 0; };
  for (const [, b] of bytes) new WebAssembly.Instance(new WebAssembly.Module(b), { e: { m: MEM, t: table, h } });
  console.log(`wasm: building the bytes ${tBuild.toFixed(0)} ms CPU (${((tBuild * 1000) / N).toFixed(0)} us/block, ${bytes.reduce((a, [, b]) => a + b.length, 0) / N | 0} bytes/block); compiling+instantiating ${(cpu() - t - tBuild).toFixed(0)} ms (${(((cpu() - t - tBuild) * 1000) / N).toFixed(0)} us/block)`);
  const d = new WebAssembly.Instance(new WebAssembly.Module(dispatcherModule()), { e: { m: MEM, t: table } }).exports.run;
  run = (count) => d(count);
} else {
  const fns = [];
  for (let k = 0; k < N; k++) fns.push(jsBlock(k, (k + 1) % N));
  run = (count) => { let idx = 0; while (count-- > 0) idx = fns[idx](r, I32); return idx; };
}
const tCreate = cpu() - t; t = cpu();
for (let w = 0; w < WARM; w++) run(N);
const tWarm = cpu() - t; t = cpu();
for (let w = 0; w < ROUNDS; w++) run(N);
const tRun = cpu() - t;
const ns = (ms, rounds) => ((ms * 1e6) / (rounds * N)).toFixed(1);
console.log(`${mode}: ${N} blocks; create ${tCreate.toFixed(0)} ms CPU (${((tCreate * 1000) / N).toFixed(0)} us/block); warm ${WARM} rounds ${tWarm.toFixed(0)} ms (${ns(tWarm, WARM)} ns/block-run); steady ${ROUNDS} rounds ${tRun.toFixed(0)} ms (${ns(tRun, ROUNDS)} ns/block-run, ${((ROUNDS * N * OPS) / tRun / 1000).toFixed(0)} MIPS per CPU-s)`);
