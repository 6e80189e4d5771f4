// armrr benchmarks (`npm run bench`; `node bench/run.js --quick` for a smoke run).
//
// Side by side in one run, on firmware/build/crc32-long-O2.elf (CRC loop + timer interrupts):
//  1. armrr run / record / replay MIPS (CLI processes, whole programs: compute-bound crc32-long,
//     interrupt-heavy irq-storm, steady-UART-input uart-stream) vs qemu-system-arm -icount (plain,
//     rr=record, rr=replay) at shift 0 and 7, with the ratio, and the interpreter alone (--no-jit);
//  2. snapshot interval sweep on one long replay: reverse-step (seek to icount-1) and random-seek
//     latency (median, p99) at the end of the replay vs memory per snapshot;
//  3. a replay of >= 1e9 instructions with interrupts on, within the default snapshot budget;
//  4. reverse debugging through real gdb-multiarch on a ~1e9-instruction replay (crc32-bench-O2):
//     reverse-stepi and reverse-continue latency, stepi round trips, armrr vs QEMU rrsnapshot;
//  5. `continue` with 0 and 2,000 never-hit breakpoints through raw RSP (bench/gdb-breakpoints.js).
//  6. gdb stub round trips (`bs`+`g`, `s`+`g`) at the end of a 1.8e9 replay (bench/gdb-roundtrip.js);
//  7. Linux boot to the prompt, armrr vs QEMU run/record/replay (bench/linux-boot.js), then reverse
//     debugging at the end of the boot (bench/linux-gdb.js, when present). `--skip-linux`: not these.
//  0. (first) A-profile MIPS on virt with the MMU on, A32 and T32, armrr vs QEMU (`--only-v7a`: just that).
// `--only-rtos`: just the RTOS workload section (1b); `--rtos-elf PATH` adds an ELF of your own to it.
// Plain JS over dist/ (run `npx tsc -p .` first). Prints a Markdown report on stdout.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { timedChild } from './child-time.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = (p) => import(join(ROOT, 'dist', p));
const { bootFirmware } = await dist('emulator/boot.js');
const { NoSerialInput, LiveHostPort, BufferOutputSink } = await dist('emulator/io/live-ports.js');
const { ReplayLogWriter } = await dist('replay/log-writer.js');
const { ReplayLogReader } = await dist('replay/log-reader.js');
const { Recorder } = await dist('replay/recorder.js');
const { Replayer } = await dist('replay/replayer.js');
const { ReplayTimeline, DEFAULT_SNAPSHOT_INTERVAL, DEFAULT_SNAPSHOT_BUDGET_MIB } = await dist('snapshots/timeline.js');

const QUICK = process.argv.includes('--quick');
const ELF = join(ROOT, 'firmware/build/crc32-long-O2.elf');
const BIN = join(ROOT, 'bin/armrr.js');
const SWEEP_INSNS = QUICK ? 2e7 : 1e8;
const LONG_INSNS = QUICK ? 5e7 : 1e9;
const INTERVALS = QUICK ? [250_000, 1_000_000] : [250_000, 500_000, 1_000_000, 2_000_000, 5_000_000];
const SEEKS = QUICK ? 20 : 60;

if (!existsSync(ELF)) execFileSync('bash', [join(ROOT, 'firmware/build.sh')], { stdio: 'inherit' });
const work = mkdtempSync(join(tmpdir(), 'armrr-bench-'));
const log = (s) => process.stderr.write(`bench: ${s}\n`);
const out = [];
const say = (s = '') => out.push(s);
const mips = (n, s) => (n / s / 1e6).toFixed(1);
const now = () => Number(process.hrtime.bigint()) / 1e9;

// CPU seconds (user + system) of a child come from GNU time when installed (bench/child-time.js):
// on a loaded machine they say more than wall time (which the tables report, as the speed issue measures).
function timed(cmd, args) {
  const { secs, cpu, status, stderr } = timedChild(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 26 });
  return { secs, cpu, status, stderr };
}

function icountOf(logPath) {
  let end = 0;
  for (const e of ReplayLogReader.fromFile(logPath)) end = e.icount + (e.event.kind === 'INSTRUCTION' ? e.event.count : 0);
  return end;
}

// ---- 0. A-profile throughput (virt, Cortex-A15, MMU on) -------------------------------------------
// firmware/v7a/bench/v7a-bench.c as A32 and T32: MMU on (short descriptors: sections + 4 KiB pages),
// CRC-32, memcpy and call chains, the generic timer interrupting every ~1 ms of virtual time. Both
// emulators run the whole program; its console output (checksums, tick count) must be identical.
// `--only-v7a` stops the report after this section.
const V7A_ONLY = process.argv.includes('--only-v7a');
// `--only-rtos`: just the RTOS workload section (issue 16).
const RTOS_ONLY = process.argv.includes('--only-rtos');
// `--rtos-elf PATH` (repeatable): also measure that firmware in the RTOS section.
const USER_RTOS_ELFS = process.argv.flatMap((a, i, all) => (a === '--rtos-elf' && all[i + 1] ? [all[i + 1]] : []));
for (const elf of USER_RTOS_ELFS) {
  if (!existsSync(elf)) {
    process.stderr.write(`bench: --rtos-elf ${elf}: no such file\n`);
    process.exit(2);
  }
}
const haveQemuV7a = spawnSync('qemu-system-arm', ['--version']).status === 0;
if (!RTOS_ONLY) {
  const runFull = (cmd, args) => {
    const t0 = now();
    const r = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', maxBuffer: 1 << 26 });
    return { secs: now() - t0, status: r.status, out: r.stdout + r.stderr };
  };
  // armrr prints its own status lines ("armrr: ...") next to the guest's console.
  const guestOutput = (text) => text.split('\n').filter((l) => !l.startsWith('armrr:')).join('\n').trim();
  const qemuVirt = (elf, shift, extra) => [
    '-M', 'virt', '-cpu', 'cortex-a15', '-m', '128M', '-nic', 'none', '-display', 'none', '-monitor', 'none',
    '-serial', 'null', '-semihosting-config', 'enable=on,target=native', '-icount', `shift=${shift},sleep=off${extra}`, '-kernel', elf,
  ];
  say('## A-profile throughput: armrr (A32 two-tier JIT, T32 interpreted; MMU on) vs QEMU 7.2 TCG on virt, Cortex-A15');
  say();
  say('firmware/v7a/bench/v7a-bench.c, whole program on both sides (start-up included): MMU on with short descriptors');
  say('(1 MiB sections + a coarse table of 4 KiB pages over the data), CRC-32, memcpy and non-inlined call chains, the');
  say('physical generic timer interrupting every ~1 ms of virtual time, ~2e8 instructions (`--quick`: armrr stops after 2e7).');
  say('armrr: `armrr run|record ELF --machine virt --memory 128M --icount-shift N --no-realtime --input /dev/null`, `armrr replay ELF LOG`;');
  say('QEMU: `qemu-system-arm -M virt -cpu cortex-a15 -m 128M -nic none -semihosting-config enable=on,target=native -icount shift=N,sleep=off[,rr=record|replay,rrfile=F]`.');
  say('Ratio = armrr MIPS / QEMU MIPS in the same mode. "output" = the guest console of armrr run/record/replay and QEMU plain/record/replay all identical.');
  say();
  say('| program | shift | insns | armrr run | armrr record | armrr replay | qemu | qemu rr=record | qemu rr=replay | ratio run / record / replay | output |');
  say('|---|---|---|---|---|---|---|---|---|---|---|');
  const f = (v) => `${v.toFixed(1)} MIPS`;
  for (const isa of ['arm', 'thumb']) {
    const elf = join(ROOT, `firmware/build/v7a-bench-${isa}-O2.elf`);
    if (!existsSync(elf)) throw new Error(`${elf} missing: run bash firmware/build.sh`);
    for (const shift of QUICK ? [7] : [0, 7]) {
      const name = elf.replace(/.*\//, '');
      log(`A-profile throughput: ${name} at shift ${shift}`);
      const base = ['--machine', 'virt', '--memory', '128M', '--icount-shift', String(shift), '--no-realtime', '--input', '/dev/null', ...(QUICK ? ['--max-insns', '2e7'] : [])];
      const run = runFull(process.execPath, [BIN, 'run', elf, ...base]);
      const rlog = join(work, `v7a-s${shift}-${name}.log`);
      const rec = runFull(process.execPath, [BIN, 'record', elf, '-o', rlog, ...base]);
      const rep = runFull(process.execPath, [BIN, 'replay', elf, rlog]);
      if (rep.status !== 0) throw new Error(`armrr replay of ${name} failed: ${rep.out}`);
      const n = icountOf(rlog);
      const a = [run, rec, rep].map((r) => n / r.secs / 1e6);
      const outputs = [run, rec, rep].map((r) => guestOutput(r.out));
      let q = null;
      if (haveQemuV7a) {
        const qlog = join(work, `v7a-q${shift}-${name}.bin`);
        const qs = [runFull('qemu-system-arm', qemuVirt(elf, shift, '')), runFull('qemu-system-arm', qemuVirt(elf, shift, `,rr=record,rrfile=${qlog}`)), runFull('qemu-system-arm', qemuVirt(elf, shift, `,rr=replay,rrfile=${qlog}`))];
        for (const r of qs) if (r.status !== 0) throw new Error(`qemu failed on ${name}: ${r.out}`);
        const qn = icountOf(qlog);
        q = qs.map((r) => qn / r.secs / 1e6);
        // --quick stops armrr early, so only the full run compares whole outputs.
        if (!QUICK) outputs.push(...qs.map((r) => guestOutput(r.out)));
      }
      // --quick stops armrr before the program prints: nothing to compare then.
      const same = QUICK || (outputs.every((o) => o === outputs[0]) && outputs[0].includes('crc '));
      if (!same) {
        process.stderr.write(`bench: ${name} shift ${shift}: guest output differs:\n${outputs.join('\n---\n')}\n`);
        process.exitCode = 1;
      }
      say(
        `| ${name} | ${shift} | ${(n / 1e6).toFixed(0)}e6 | ${a.map(f).join(' | ')} | ` +
          (q ? `${q.map(f).join(' | ')} | ${a.map((v, i) => (v / q[i]).toFixed(3)).join(' / ')}` : 'n/a | n/a | n/a | n/a') +
          ` | ${QUICK ? 'n/a (stopped early)' : same ? 'identical' : 'DIFFERS'} |`,
      );
    }
  }
  say();
}
if (V7A_ONLY) {
  rmSync(work, { recursive: true, force: true });
  process.stdout.write(`${out.join('\n')}\n`);
  process.exit();
}

// ---- 1. throughput -------------------------------------------------------------------------------
// Whole programs on both sides (node start-up, ~0.3 s, included for armrr as QEMU's is for QEMU).
const PROGRAMS = [
  { label: 'crc32-long-O2 (compute-bound CRC-32, SysTick 1 ms + TIMER0 10 ms)', elf: ELF, input: null },
  { label: 'irq-storm-O2 (interrupt-heavy: SysTick every 1000 cycles, two timers)', elf: join(ROOT, 'firmware/build/irq-storm-O2.elf'), input: null },
  { label: 'uart-stream-O2 (steady UART0 RX interrupts, 64 KiB of input)', elf: join(ROOT, 'firmware/build/uart-stream-O2.elf'), input: 'uart' },
];
const uartInput = join(work, 'uart-input.bin');
{
  const bytes = Buffer.alloc(64 * 1024);
  let x = 1;
  for (let i = 0; i < bytes.length; i++) bytes[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
  writeFileSync(uartInput, bytes);
}
const haveQemu = spawnSync('qemu-system-arm', ['--version']).status === 0;
const throughput = [];
// (--only-rtos skips this section: the loop runs over no program.)
if (!RTOS_ONLY) {
  say('## Throughput: armrr (block JIT) vs QEMU 7.2 TCG, same ELF, whole program');
  say();
  say('Guest instructions per second (millions); ratio = armrr / QEMU in the same mode. `--no-jit` = the interpreter alone.');
  say('Each program runs to its semihosting exit on both sides (QEMU: `-icount shift=N,sleep=off`).');
  say();
  say('| program | shift | insns | armrr run | armrr record | armrr replay | qemu | qemu rr=record | qemu rr=replay | ratio run / record / replay | armrr run --no-jit |');
  say('|---|---|---|---|---|---|---|---|---|---|---|');
}
for (const prog of RTOS_ONLY ? [] : PROGRAMS) {
  for (const shift of QUICK ? [7] : [0, 7]) {
    const name = prog.elf.replace(/.*\//, '');
    log(`throughput: ${name} at shift ${shift}`);
    const input = prog.input === 'uart' ? uartInput : '/dev/null';
    const base = ['--icount-shift', String(shift), '--no-realtime', '--input', input, ...(QUICK ? ['--max-insns', '2e7'] : [])];
    const run = timed(process.execPath, [BIN, 'run', prog.elf, ...base]);
    const rlog = join(work, `s${shift}-${name}.log`);
    const rec = timed(process.execPath, [BIN, 'record', prog.elf, '-o', rlog, ...base]);
    const rep = timed(process.execPath, [BIN, 'replay', prog.elf, rlog, '--quiet']);
    if (rep.status !== 0) throw new Error(`replay failed: ${rep.stderr}`);
    const interp = timed(process.execPath, [BIN, 'run', prog.elf, ...base, '--no-jit']);
    const n = icountOf(rlog);
    const a = [run, rec, rep].map((r) => n / r.secs / 1e6);
    let q = null;
    if (haveQemu) {
      const qargs = ['-M', 'mps2-an385', '-display', 'none', '-serial', 'stdio', '-monitor', 'none', '-semihosting', '-kernel', prog.elf];
      const qlog = join(work, `q${shift}-${name}.bin`);
      const qtimed = (extra) => {
        const t0 = now();
        const r = spawnSync('qemu-system-arm', [...qargs, '-icount', `shift=${shift},sleep=off${extra}`], {
          stdio: [prog.input === 'uart' ? openSync(uartInput, 'r') : 'ignore', 'ignore', 'pipe'],
        });
        if (r.status !== 0) throw new Error(`qemu failed: ${r.stderr}`);
        return now() - t0;
      };
      const plainS = qtimed('');
      const recS = qtimed(`,rr=record,rrfile=${qlog}`);
      const repS = qtimed(`,rr=replay,rrfile=${qlog}`);
      const qn = icountOf(qlog);
      q = [plainS, recS, repS].map((secs) => qn / secs / 1e6);
    }
    throughput.push({ name, shift, a, q });
    const f = (v) => `${v.toFixed(1)} MIPS`;
    say(
      `| ${name} | ${shift} | ${(n / 1e6).toFixed(0)}e6 | ${a.map(f).join(' | ')} | ` +
        (q ? `${q.map(f).join(' | ')} | ${a.map((v, i) => (v / q[i]).toFixed(2)).join(' / ')}` : 'n/a | n/a | n/a | n/a') +
        ` | ${f(n / interp.secs / 1e6)} |`,
    );
  }
}
if (!RTOS_ONLY) {
  say();
  for (const prog of PROGRAMS) say(`- ${prog.label}`);
  say();
}

// ---- 1b. RTOS-shaped workload --------------------------------------------------------------------
// firmware/bench/rtos.c (scheduler, PendSV, queues, BASEPRI) never ends in its -forever builds. QEMU
// records it for a few seconds and is stopped by SIGTERM; replaying that log runs exactly N
// instructions, and armrr runs/records/replays the same N (`--max-insns N`). Both sides pay their
// start-up. The geometric mean over the shifts is the figure the speed issue asks for.
// Two builds: rtos-busy (BUSY=1: the idle task spins and compute tasks run at idle priority, as in
// FreeRTOS's full demo; QEMU replays it at FreeRTOS-like speed: these rows answer the issue) and the
// original rtos (idle task in WFI: QEMU's replay of the idle periods is slow, so its ratios flatter armrr).
const RTOS_WORKLOADS = [
  { name: 'rtos-busy-forever-O2', what: 'busy (BUSY=1: idle task spins, compute tasks at idle priority; FreeRTOS-like)' },
  { name: 'rtos-forever-O2', what: 'WFI idle (QEMU replays its idle periods slowly: flatters armrr)' },
];
const RTOS_SECS = QUICK ? 1 : 4;
// armrr record + replay pairs per RTOS row (medians used).
const RR_PAIRS = QUICK ? 1 : 3;
const geoMean = (v) => Math.exp(v.reduce((x, y) => x + Math.log(y), 0) / v.length);
if (haveQemu) {
  say('## RTOS workload: armrr vs QEMU 7.2 on the same N instructions');
  say();
  say(`firmware/bench/rtos.c: QEMU records ${RTOS_SECS} s (\`-icount shift=N,sleep=off,rr=record\`, ended by SIGTERM); its`);
  say('replay of that log runs exactly N instructions; armrr runs, records and replays N (`--max-insns N`). Ratio = armrr MIPS / QEMU replay MIPS.');
  say('Workloads: rtos-busy-forever-O2 keeps the CPU busy as FreeRTOS\'s full demo does (the issue\'s measure);');
  say('rtos-forever-O2 idles in WFI, whose periods QEMU replays slowly (kept for comparison: its ratios flatter armrr).');
  say();
  say('CPU ratio = the same from CPU seconds (user + system, GNU time), which machine load distorts less.');
  say(`armrr record and replay alternate ${RR_PAIRS === 1 ? 'once' : `${RR_PAIRS} times`} per row; their columns are the medians (one run varies by about 15 %).`);
  say();
  say('| workload | shift | N | qemu replay | qemu replay per CPU-s | armrr run | armrr record | armrr replay | ratio run / record / replay | CPU ratio run / record / replay | armrr replay / record: CPU (wall) |');
  say('|---|---|---|---|---|---|---|---|---|---|---|');
  // One row: QEMU records `secs` of the workload, replays it (N instructions); armrr runs, records
  // and replays the same N. Returns the ratios and QEMU's record rate (to size shorter rows).
    // Median wall and CPU seconds of repeated timings (each taken separately).
  const medianTiming = (ts) => {
    const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    return { secs: med(ts.map((t) => t.secs)), cpu: ts.some((t) => t.cpu === null) ? null : med(ts.map((t) => t.cpu)) };
  };
  const rtosRow = (wl, shift, secs, label) => {
    const elf = wl.elf ?? join(ROOT, 'firmware/build', `${wl.name}.elf`);
    if (!existsSync(elf)) throw new Error(`${elf} missing: run bash firmware/build.sh`);
    const qlog = join(work, `${wl.name}-q${shift}.bin`);
    const qargs = ['-M', 'mps2-an385', '-display', 'none', '-serial', 'null', '-monitor', 'none', '-semihosting', '-kernel', elf];
    spawnSync('qemu-system-arm', [...qargs, '-icount', `shift=${shift},sleep=off,rr=record,rrfile=${qlog}`], {
      stdio: 'ignore',
      timeout: Math.round(secs * 1000),
      killSignal: 'SIGTERM',
    });
    const n = icountOf(qlog);
    const qrep = timed('qemu-system-arm', [...qargs, '-icount', `shift=${shift},sleep=off,rr=replay,rrfile=${qlog}`]);
    const base = ['--icount-shift', String(shift), '--no-realtime', '--input', '/dev/null', '--max-insns', String(n)];
    const run = timed(process.execPath, [BIN, 'run', elf, ...base]);
    const alog = join(work, `${wl.name}-a${shift}.log`);
    // Record and replay alternate RR_PAIRS times and the median of each is used: one 1.5-4 s process
    // varies by +-15 % on this machine, more than the 10 % replay-vs-record criterion.
    const recs = [];
    const reps = [];
    for (let k = 0; k < RR_PAIRS; k++) {
      const rec = timed(process.execPath, [BIN, 'record', elf, '-o', alog, ...base]);
      const rep = timed(process.execPath, [BIN, 'replay', elf, alog, '--quiet']);
      if (icountOf(alog) !== n) throw new Error(`armrr recorded ${icountOf(alog)} instructions of ${wl.name}, expected ${n}`);
      for (const [what, r] of [['run', run], ['record', rec]]) {
        // A guest may end by itself exactly at N, where QEMU's recording ended too (FreeRTOS's full
        // demo exits after its first check at shift 7): no "stopped after" then, and the recording
        // of this deterministic program holds N instructions (checked above).
        const endedAtN = r.stderr.includes(`stopped after ${n} instructions`) || r.stderr.trim() === '';
        if (!endedAtN) throw new Error(`armrr ${what} of ${wl.name} did not run ${n} instructions: ${r.stderr}`);
      }
      // A replay ends as its recording did: 0 at the instruction limit, the guest's exit code when the guest ended it.
      if (rep.status !== (rec.stderr.includes('stopped after') ? 0 : rec.status)) throw new Error(`armrr replay of ${wl.name} failed: ${rep.stderr}`);
      recs.push(rec);
      reps.push(rep);
    }
    const rec = medianTiming(recs);
    const rep = medianTiming(reps);
    const q = n / qrep.secs / 1e6;
    const a = [run, rec, rep].map((r) => n / r.secs / 1e6);
    const cpuRatios = qrep.cpu === null ? null : [run, rec, rep].map((r) => qrep.cpu / r.cpu);
    const f = (v) => `${v.toFixed(1)} MIPS`;
    say(
      `| ${label} | ${shift} | ${(n / 1e6).toFixed(0)}e6 | ${f(q)} | ${qrep.cpu === null ? 'n/a' : f(n / qrep.cpu / 1e6)} | ${a.map(f).join(' | ')} | ` +
        `${a.map((v) => (v / q).toFixed(2)).join(' / ')} | ` +
        `${cpuRatios ? cpuRatios.map((v) => v.toFixed(2)).join(' / ') : 'n/a'} | ` +
        `${rep.cpu !== null ? (rep.cpu / rec.cpu).toFixed(2) : 'n/a'} (wall ${(rep.secs / rec.secs).toFixed(2)}) |`,
    );
    return { ratios: a.map((v) => v / q), cpuRatios, n, recordRate: n / secs };
  };
  const summaries = [];
  const recordRates = new Map();
  for (const wl of RTOS_WORKLOADS) {
    const rows = [];
    for (const shift of [0, 5, 7]) {
      log(`${wl.name} at shift ${shift}`);
      const row = rtosRow(wl, shift, RTOS_SECS, wl.name);
      rows.push(row);
      if (wl === RTOS_WORKLOADS[0]) recordRates.set(shift, row.recordRate);
    }
    summaries.push({ wl, rows });
  }
  // The FreeRTOS demos of the issue are short runs (63-642 M instructions), where start-up,
  // translation and V8's compiles weigh: the busy build at those lengths, QEMU's recording time
  // sized from its record rate above (N lands near the target, not on it).
  const FREERTOS_LENGTHS = [
    { shift: 0, target: 642e6, demo: 'blinky/0' },
    { shift: 0, target: 418e6, demo: 'full/0' },
    { shift: 5, target: 253e6, demo: 'full/5' },
    { shift: 7, target: 109e6, demo: 'blinky/7' },
    { shift: 7, target: 63e6, demo: 'full/7' },
  ];
  const shortRows = [];
  for (const { shift, target, demo } of FREERTOS_LENGTHS) {
    log(`${RTOS_WORKLOADS[0].name} at shift ${shift}, about ${target / 1e6} M instructions (${demo})`);
    shortRows.push(rtosRow(RTOS_WORKLOADS[0], shift, Math.max(0.2, target / recordRates.get(shift)), `${RTOS_WORKLOADS[0].name} (${demo} length)`));
  }
  summaries.push({ wl: { name: `${RTOS_WORKLOADS[0].name} at the FreeRTOS demos' lengths`, what: 'short runs' }, rows: shortRows });
  // Firmware of your own (`--rtos-elf PATH`, repeatable): an mps2-an385 ELF that runs forever, such as
  // a FreeRTOS demo you built, measured the same way at shifts 0, 5 and 7 (QEMU records ~2 s, as the
  // issue's table did).
  for (const elf of USER_RTOS_ELFS) {
    const wl = { name: elf.split('/').pop(), what: 'given with --rtos-elf', elf };
    const rows = [];
    for (const shift of [0, 5, 7]) {
      log(`${wl.name} at shift ${shift}`);
      rows.push(rtosRow(wl, shift, QUICK ? 1 : 2, wl.name));
    }
    summaries.push({ wl, rows });
  }
  say();
  for (const { wl, rows } of summaries) {
    const all = rows.flatMap((r) => r.ratios);
    const cpuAll = rows.flatMap((r) => r.cpuRatios ?? []);
    say(
      `- ${wl.name}, ${wl.what}: geometric mean of the ratios ${geoMean(all).toFixed(2)}, lowest ${Math.min(...all).toFixed(2)}` +
        (cpuAll.length > 0 ? `; CPU ratios ${geoMean(cpuAll).toFixed(2)}, lowest ${Math.min(...cpuAll).toFixed(2)}` : '') +
        ' (targets: >= 1.0 and none below 0.7).',
    );
  }
  say();
}
if (RTOS_ONLY) {
  rmSync(work, { recursive: true, force: true });
  process.stdout.write(`${out.join('\n')}\n`);
  process.exit();
}

// ---- in-process record/replay helpers ------------------------------------------------------------
const image = new Uint8Array(readFileSync(ELF));
const quietOut = { uartWrite() {}, consoleWrite() {} };

function recordBytes(shift, insns) {
  const fp = bootFirmware(image, { machine: 'mps2-an385', icountShift: shift, serial: new NoSerialInput(), host: new LiveHostPort(), output: quietOut }).fingerprint;
  const writer = ReplayLogWriter.inMemory(fp);
  const rec = new Recorder(writer, { serial: new NoSerialInput(), host: new LiveHostPort(), output: quietOut });
  const { machine } = bootFirmware(image, { machine: 'mps2-an385', icountShift: shift, ...rec.ports });
  const hooks = rec.attach(machine);
  const t0 = now();
  machine.run(insns, hooks);
  const secs = now() - t0;
  rec.finish('HOST_SIGNAL');
  writer.close(machine.icount);
  return { bytes: writer.bytes(), end: machine.icount, secs };
}

function replayTimeline(bytes, shift, end, interval, budgetBytes) {
  const replayer = new Replayer(new ReplayLogReader(bytes), new BufferOutputSink());
  const { machine } = bootFirmware(image, { machine: 'mps2-an385', icountShift: shift, ...replayer.ports });
  const hooks = replayer.attach(machine);
  const tl = new ReplayTimeline(machine, hooks, () => replayer.position(), (at) => replayer.restore(at), { interval, budgetBytes, endIcount: end });
  return { tl, machine };
}

const pct = (a, p) => {
  const s = [...a].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const ms = (s) => (s * 1000).toFixed(1);

// Deterministic pseudo-random targets (the same every run).
let seed = 12345;
const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);

// ---- 2. interval sweep ---------------------------------------------------------------------------
log(`recording ${SWEEP_INSNS.toExponential(0)} instructions at shift 7 for the interval sweep`);
const sweepLog = recordBytes(7, SWEEP_INSNS);
say(`## Snapshot interval: reverse-step latency vs memory (replay of ${(sweepLog.end / 1e6).toFixed(0)}e6 instructions, shift 7)`);
say();
say('Reverse step = `seek(icount - 1)` from the end of the replay (what gdb `reverse-stepi` does); random seek = a target');
say('uniformly in the last 10% of the replay, from the end. Budget unlimited here, so nothing is thinned.');
say();
say('| interval | snapshots | memory/snapshot | total | forward replay | reverse step median / p99 | random seek median / p99 |');
say('|---|---|---|---|---|---|---|');
const sweep = [];
for (const interval of INTERVALS) {
  log(`interval ${interval}`);
  const { tl, machine } = replayTimeline(sweepLog.bytes, 7, sweepLog.end, interval, 2 ** 40);
  const t0 = now();
  tl.runForward(sweepLog.end);
  const fwd = now() - t0;
  const back = [];
  for (let i = 0; i < SEEKS; i++) {
    const at = sweepLog.end - Math.floor(rand() * interval * 3);
    tl.seek(at);
    const t = now();
    tl.seek(at - 1);
    back.push(now() - t);
  }
  const jumps = [];
  for (let i = 0; i < SEEKS; i++) {
    tl.seek(sweepLog.end);
    const target = sweepLog.end - Math.floor(rand() * sweepLog.end * 0.1);
    const t = now();
    tl.seek(target);
    jumps.push(now() - t);
  }
  if (machine.icount <= 0) throw new Error('seek went nowhere');
  const n = tl.store.snapshots.length;
  const per = tl.store.totalBytes / n;
  sweep.push({ interval, per, n, back50: pct(back, 50), back99: pct(back, 99) });
  say(
    `| ${interval.toLocaleString('en')} | ${n} | ${(per / 1024).toFixed(1)} KiB | ${(tl.store.totalBytes / 1048576).toFixed(1)} MiB | ` +
      `${mips(sweepLog.end, fwd)} MIPS | ${ms(pct(back, 50))} / ${ms(pct(back, 99))} ms | ${ms(pct(jumps, 50))} / ${ms(pct(jumps, 99))} ms |`,
  );
}
say();
// The default interval: in-process reverse steps meet the target (median <= 5 ms, p99 <= 20 ms) up to
// large intervals with the JIT; through gdb each reverse-stepi adds ~3 ms of packets, and with
// --no-jit a seek replays ~10x slower, so the default keeps the in-process step far below the target.
const ok = sweep.filter((s) => s.back50 <= 0.005 && s.back99 <= 0.02).map((s) => s.interval.toLocaleString('en'));
say(`Intervals whose in-process reverse step meets median <= 5 ms and p99 <= 20 ms: ${ok.join(', ') || 'none'}. ` +
  `The default (src/snapshots/timeline.ts DEFAULT_SNAPSHOT_INTERVAL) is ${DEFAULT_SNAPSHOT_INTERVAL.toLocaleString('en')}: ` +
  'through gdb a reverse-stepi adds ~3 ms of protocol to the seek, and with --no-jit the replay part is ~10x slower.');
say();

// ---- 3. long replay within the memory budget -------------------------------------------------------
log(`recording ${LONG_INSNS.toExponential(0)} instructions at shift 7 (long replay)`);
const longLog = recordBytes(7, LONG_INSNS);
const budget = DEFAULT_SNAPSHOT_BUDGET_MIB * 1048576;
log('replaying it with the default interval and budget');
const rss0 = process.memoryUsage().rss;
const { tl } = replayTimeline(longLog.bytes, 7, longLog.end, DEFAULT_SNAPSHOT_INTERVAL, budget);
const t0 = now();
let peak = 0;
for (let at = 0; at < longLog.end; ) {
  at = Math.min(longLog.end, at + 50_000_000);
  tl.runForward(at);
  peak = Math.max(peak, tl.store.totalBytes);
}
const fwd = now() - t0;
const icounts = tl.store.snapshots.map((s) => s.icount);
const gaps = icounts.slice(1).map((v, i) => v - icounts[i]);
const back = [];
for (let i = 0; i < SEEKS; i++) {
  const at = longLog.end - Math.floor(rand() * DEFAULT_SNAPSHOT_INTERVAL * 3);
  tl.seek(at);
  const t = now();
  tl.seek(at - 1);
  back.push(now() - t);
}
const far = [];
for (let i = 0; i < Math.min(10, SEEKS); i++) {
  const target = Math.floor(rand() * longLog.end);
  const t = now();
  tl.seek(target);
  far.push(now() - t);
}
say(`## Long replay: ${(longLog.end / 1e9).toFixed(2)}e9 instructions, interrupts on (shift 7), default interval and budget`);
say();
say(`- recording (in-process): ${mips(longLog.end, longLog.secs)} MIPS, log ${(longLog.bytes.length / 1048576).toFixed(1)} MiB`);
say(`- replay with snapshots: ${mips(longLog.end, fwd)} MIPS`);
say(`- snapshots: ${icounts.length} kept, ${(tl.store.totalBytes / 1048576).toFixed(1)} MiB (peak ${(peak / 1048576).toFixed(1)} MiB, budget ${DEFAULT_SNAPSHOT_BUDGET_MIB} MiB); process RSS grew ${((process.memoryUsage().rss - rss0) / 1048576).toFixed(0)} MiB`);
say(`- spacing: newest ${gaps[gaps.length - 1]?.toLocaleString('en')}, oldest ${gaps[0]?.toLocaleString('en')}, max ${Math.max(...gaps).toLocaleString('en')}`);
say(`- reverse step at the end: median ${ms(pct(back, 50))} ms, p99 ${ms(pct(back, 99))} ms`);
say(`- seek to a uniformly random icount: median ${ms(pct(far, 50))} ms, max ${ms(Math.max(...far))} ms`);
say();
if (peak > budget) {
  process.stderr.write(`bench: snapshot memory ${peak} exceeded the budget ${budget}\n`);
  process.exitCode = 1;
}

// ---- 4. reverse debugging through gdb-multiarch, armrr vs QEMU ------------------------------------
// crc32-bench-O2: ~1e9 instructions at shift 7, milestone() every ~1e8 (not after the last pass),
// so the last hit is ~1e8 before the end. bench/gdb-reverse.py runs the same gdb commands on both.
const BENCH_ELF = join(ROOT, 'firmware/build/crc32-bench-O2.elf');
const haveGdb = spawnSync('gdb-multiarch', ['--version']).status === 0;

function waitForPort(port, timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = spawnSync(process.execPath, ['-e', `require('net').connect(${port},'127.0.0.1').on('connect',()=>process.exit(0)).on('error',()=>process.exit(1))`]);
    if (r.status === 0) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on port ${port}`);
    spawnSync('sleep', ['0.2']);
  }
}

function gdbSession(port, rsteps, steps) {
  const outFile = join(work, `gdb-${port}.json`);
  const r = spawnSync('gdb-multiarch', ['--batch', '-nx', '-x', join(ROOT, 'bench/gdb-reverse.py'), BENCH_ELF], {
    env: { ...process.env, BENCH_PORT: String(port), BENCH_RSTEPS: String(rsteps), BENCH_STEPS: String(steps), BENCH_OUT: outFile },
    encoding: 'utf8',
    maxBuffer: 1 << 26,
    timeout: 30 * 60 * 1000,
  });
  if (!existsSync(outFile)) throw new Error(`gdb session failed: ${r.stderr}\n${r.stdout.slice(-2000)}`);
  return JSON.parse(readFileSync(outFile, 'utf8'));
}

function describeGdb(name, g) {
  const rs = g.reverse_stepi;
  const lastSpan = g.spans[g.spans.length - 1];
  return (
    `| ${name} | ${rs.length} | ${ms(pct(rs, 50))} / ${ms(pct(rs, 99))} ms | ${(g.reverse_continue).toFixed(2)} s` +
    `${g.reverse_continue_at_break ? '' : ' (did not stop at the breakpoint!)'} | ${lastSpan.toFixed(2)} s | ` +
    `${(g.reverse_continue / lastSpan).toFixed(2)} | ${g.stepi_round_trips_per_s.toFixed(0)} |`
  );
}

if (haveGdb) {
  const RSHIFT = 7;
  log('reverse debugging: recording crc32-bench with armrr');
  const alog = join(work, 'bench-armrr.log');
  const arec = timed(process.execPath, [BIN, 'record', BENCH_ELF, '-o', alog, '--icount-shift', String(RSHIFT), '--no-realtime', '--input', '/dev/null']);
  if (arec.status !== 0) throw new Error(`armrr record failed: ${arec.stderr}`);
  const aN = icountOf(alog);
  say(`## Reverse debugging through gdb-multiarch: ${(aN / 1e9).toFixed(2)}e9-instruction replay of crc32-bench-O2 (shift ${RSHIFT})`);
  say();
  say('Command sequence (bench/gdb-reverse.py, identical for both stubs): `break milestone`, `continue` from hit to hit to the');
  say('end of the replay; `reverse-stepi` N times at the end (no breakpoint); `reverse-continue` to the last milestone hit,');
  say('about 1e8 instructions back; then `stepi` + `info registers pc` round trips. "forward span" = the `continue` from');
  say('that last hit to the end, i.e. the forward time of the same ~1e8 instructions.');
  say();
  say('| stub | reverse-stepi runs | reverse-stepi median / p99 | reverse-continue ~1e8 back | forward span | ratio | stepi round trips/s |');
  say('|---|---|---|---|---|---|---|');
  const aport = 23000 + (process.pid % 1000);
  log('reverse debugging: armrr replay --gdb');
  const srv = spawn(process.execPath, [BIN, 'replay', BENCH_ELF, alog, '--gdb', String(aport), '--quiet'], { stdio: 'ignore' });
  try {
    waitForPort(aport);
    say(describeGdb('armrr', gdbSession(aport, QUICK ? 20 : 200, QUICK ? 50 : 200)));
  } finally {
    srv.kill('SIGKILL');
  }
  const haveQemuImg = spawnSync('qemu-img', ['--version']).status === 0;
  if (haveQemu && haveQemuImg) {
    log('reverse debugging: QEMU rr=record with rrsnapshot=init');
    const disk = join(work, 'rr.qcow2');
    spawnSync('qemu-img', ['create', '-f', 'qcow2', disk, '1M'], { stdio: 'ignore' });
    const qlog = join(work, 'bench-qemu.bin');
    const qbase = ['-M', 'mps2-an385', '-display', 'none', '-serial', 'null', '-monitor', 'none', '-semihosting', '-kernel', BENCH_ELF, '-drive', `file=${disk},if=none,id=rr`];
    const qrec = timed('qemu-system-arm', [...qbase, '-icount', `shift=${RSHIFT},rr=record,rrfile=${qlog},rrsnapshot=init`]);
    if (qrec.status !== 0) throw new Error(`qemu record failed: ${qrec.stderr}`);
    const qport = aport + 1;
    const q = spawn('qemu-system-arm', [...qbase, '-icount', `shift=${RSHIFT},rr=replay,rrfile=${qlog},rrsnapshot=init`, '-gdb', `tcp:127.0.0.1:${qport}`, '-S'], { stdio: 'ignore' });
    try {
      waitForPort(qport);
      log('reverse debugging: QEMU replay -gdb (every reverse command replays from icount 0)');
      say(describeGdb('qemu 7.2', gdbSession(qport, 3, QUICK ? 20 : 50)));
    } finally {
      q.kill('SIGKILL');
    }
  } else {
    say('| qemu 7.2 | (qemu-system-arm or qemu-img missing) | | | | | |');
  }
  say();
  say('Targets (speed issue): reverse-stepi median <= 5 ms and p99 <= 20 ms; reverse-continue <= 2x the forward time of the span.');
  say();
}

log('breakpoints: bench/gdb-breakpoints.js');
say(execFileSync(process.execPath, [join(ROOT, 'bench/gdb-breakpoints.js'), ...(QUICK ? ['--quick'] : [])], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trimEnd());
say();

log('round trips: bench/gdb-roundtrip.js');
say(execFileSync(process.execPath, [join(ROOT, 'bench/gdb-roundtrip.js'), ...(QUICK ? ['--quick'] : [])], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trimEnd());
say();

// ---- 7. Linux: boot to the prompt (bench/linux-boot.js), then reverse debugging at its end -------
// Each script prints its own Markdown section. bench/linux-gdb.js (reverse-stepi latency at the end
// of the boot, through gdb) joins here once it exists; `--skip-linux` leaves the section out.
const LINUX_BENCHES = ['bench/linux-boot.js', 'bench/linux-gdb.js'];
if (!process.argv.includes('--skip-linux')) {
  for (const script of LINUX_BENCHES) {
    if (!existsSync(join(ROOT, script))) {
      say(`(${script}: not present yet)`);
      say();
      continue;
    }
    log(`linux: ${script}`);
    say(execFileSync(process.execPath, [join(ROOT, script), ...(QUICK ? ['--quick'] : [])], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 26 }).trimEnd());
    say();
  }
}

rmSync(work, { recursive: true, force: true });
process.stdout.write(`${out.join('\n')}\n`);
