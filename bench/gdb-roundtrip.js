// gdb stub latency at the end of a long replay (issue 16): raw RSP round trips, what gdb sends
// for `stepi` and `reverse-stepi` (a resume, then `g` for the registers), without gdb's own costs.
// Targets: `bs`+`g` p99 <= 10 ms, and >= 10,000 `s`+`g` and `bs`+`g` round trips per second.
//
// Records crc32-long-O2 (~1.8e9 instructions, SysTick + TIMER0 interrupts) once, then
// `armrr replay --gdb`: `vCont;c` to the end of the replay, ROUNDS x (`bs`, `g`) timed one by one
// from there, then ROUNDS x (`s`, `g`). Run alone (`node bench/gdb-roundtrip.js [--quick]`);
// prints Markdown. The client (rsp-replay.js) is warmed against a canned responder first, so the
// first rounds time the stub's warm-up, not this script's; its CPU per round trip is printed too
// (it is on every round trip's critical path, as gdb's is). Last, the same client runs ROUNDS x
// (`bs`, `g`) against a bare Node TCP server with canned replies: the floor on this host.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { connect, startFloorServer, startReplay } from './rsp-replay.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const QUICK = process.argv.includes('--quick');
const ELF = join(ROOT, 'firmware/build/crc32-long-O2.elf');
const BIN = join(ROOT, 'bin/armrr.js');
const INSNS = QUICK ? 100_000_000 : Infinity;
const ROUNDS = QUICK ? 2000 : 10000;
/** `bs` round trips after which the steady state is reported too. */
const WARM = ROUNDS / 5;

const log = (s) => process.stderr.write(`bench: ${s}\n`);
const now = () => Number(process.hrtime.bigint()) / 1e9;
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))];

/** CPU seconds of process `pid` so far: its main thread (schedstat, ns) and all its threads (stat, ticks). */
function cpuOf(pid) {
  const main = Number(readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1e9;
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(')').pop().trim().split(' ');
  return { main, all: (Number(f[11]) + Number(f[12])) / 100 };
}

/** Times `rounds` pairs of (`resume`, `g`); each pair's seconds. `at(i)` is called before pair i. */
async function roundTrips(rsp, resume, rounds, at = () => {}) {
  const secs = [];
  for (let i = 0; i < rounds; i++) {
    at(i);
    const t0 = now();
    const stop = await rsp.ask(resume);
    if (!/^T05/.test(stop)) throw new Error(`${resume} answered ${stop}`);
    const regs = await rsp.ask('g');
    if (!/^[0-9a-fx]+$/.test(regs)) throw new Error(`g answered ${regs}`);
    secs.push(now() - t0);
  }
  return secs;
}

if (!existsSync(ELF)) execFileSync('bash', [join(ROOT, 'firmware/build.sh')], { stdio: 'inherit' });
const work = mkdtempSync(join(tmpdir(), 'armrr-bench-rt-'));
try {
  const logPath = join(work, 'crc32-long.log');
  log(`round trips: recording crc32-long-O2${QUICK ? ` (first ${INSNS} instructions)` : ''}`);
  try {
    const limit = Number.isFinite(INSNS) ? ['--max-insns', String(INSNS)] : [];
    execFileSync(process.execPath, [BIN, 'record', ELF, '-o', logPath, '--no-realtime', '--input', '/dev/null', ...limit], { stdio: 'ignore' });
  } catch (e) {
    if (e.status !== 4) throw e; // 4: stopped by --max-insns, the log is whole
  }
  const { child, port } = await startReplay(ELF, logPath);
  try {
    const rsp = await connect(port);
    log('round trips: continue to the end of the replay');
    const t0 = now();
    const end = await rsp.ask('vCont;c');
    if (!end.includes('replaylog:end')) throw new Error(`continue stopped before the end: ${end}`);
    const forward = now() - t0;
    // The end of the replay is after the program's exit: step back off it first.
    log(`round trips: ${ROUNDS} x (bs, g) from the end`);
    const c0 = cpuOf(child.pid);
    const u0 = process.cpuUsage();
    // The first thousands of reverse steps from the end also pay V8's compiles of the stub's
    // (and this client's) code paths met for the first time: the later ones show the steady state.
    let cWarm = c0;
    const back = await roundTrips(rsp, 'bs', ROUNDS, (i) => {
      if (i === WARM) cWarm = cpuOf(child.pid);
    });
    const c1 = cpuOf(child.pid);
    const u1 = process.cpuUsage();
    log(`round trips: ${ROUNDS} x (s, g)`);
    const fwd = await roundTrips(rsp, 'vCont;s', ROUNDS);
    const c2 = cpuOf(child.pid);
    const u2 = process.cpuUsage();
    const clientPer = (a, b) => `${Math.round((b.user + b.system - a.user - a.system) / ROUNDS)} µs`;
    // The stub's CPU per round trip: its main thread, and all threads (V8's compiler and GC helpers too).
    const cpuPer = (a, b, n = ROUNDS) => `${Math.round(((b.main - a.main) / n) * 1e6)} / ${Math.round(((b.all - a.all) / n) * 1e6)} µs`;
    const cpu = { back: cpuPer(c0, c1), steady: cpuPer(cWarm, c1, ROUNDS - WARM), fwd: cpuPer(c1, c2) };
    rsp.close();
    log(`round trips: ${ROUNDS} x (bs, g) against a bare Node TCP server (the floor)`);
    const floorServer = await startFloorServer();
    let floor;
    try {
      const floorRsp = await connect(floorServer.port, { warmRounds: 0 });
      await roundTrips(floorRsp, 'bs', 2000); // the server's own warm-up, untimed
      const f0 = cpuOf(floorServer.child.pid);
      const u3 = process.cpuUsage();
      const times = await roundTrips(floorRsp, 'bs', ROUNDS);
      floor = { times, cpu: cpuPer(f0, cpuOf(floorServer.child.pid)), client: clientPer(u3, process.cpuUsage()) };
      floorRsp.close();
    } finally {
      floorServer.child.kill('SIGKILL');
    }
    const ms = (s) => (s * 1000).toFixed(2);
    const rate = (xs) => (xs.length / xs.reduce((a, b) => a + b, 0)).toFixed(0);
    const out = [];
    out.push('## gdb stub round trips at the end of a long replay (raw RSP)');
    out.push('');
    out.push(`\`node bench/gdb-roundtrip.js${QUICK ? ' --quick' : ''}\`: \`armrr replay --gdb\` of crc32-long-O2, \`vCont;c\` to the end (${forward.toFixed(1)} s),`);
    out.push(`then ${ROUNDS} x (\`bs\`, \`g\`) and ${ROUNDS} x (\`vCont;s\`, \`g\`). Targets: p99 <= 10 ms, >= 10,000 round trips/s.`);
    out.push('');
    out.push(`Load average at the end: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}.`);
    out.push('');
    out.push('| round trip | per second | median | p99 | max | stub CPU per round trip (main thread / all threads) | client CPU |');
    out.push('|---|---|---|---|---|---|---|');
    const rows = [
      ['`bs` + `g`', back, cpu.back, clientPer(u0, u1)],
      [`\`bs\` + \`g\`, after the first ${WARM}`, back.slice(WARM), cpu.steady, ''],
      ['`s` + `g`', fwd, cpu.fwd, clientPer(u1, u2)],
      ['floor: a bare Node TCP server with canned replies (its CPU in the stub column)', floor.times, floor.cpu, floor.client],
    ];
    for (const [name, xs, c, client] of rows) {
      out.push(`| ${name} | ${rate(xs)} | ${ms(pct(xs, 50))} ms | ${ms(pct(xs, 99))} ms | ${ms(Math.max(...xs))} ms | ${c} | ${client} |`);
    }
    out.push('');
    process.stdout.write(`${out.join('\n')}\n`);
  } finally {
    child.kill('SIGKILL');
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
