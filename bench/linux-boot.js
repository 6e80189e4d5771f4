// Linux boot benchmark (issue 14, must-be-true 4): Debian's armhf kernel on virt to the shell
// prompt, armrr vs qemu-system-arm 7.2 in the same run: run, record, and replay (each emulator
// replays its own recording). The guest is the initramfs whose /init prints the prompt and powers
// off without waiting for input (GUEST_INITRD_NO_INPUT), so every run, QEMU's replay included,
// ends by itself a few thousand instructions after the prompt: identical bounds on both sides.
//
// Rows: the thread's boot (zImage, 4096M, shift 7: ~4.04e9 instructions) and the fast boot
// (decompressed uImage, 256M, cryptomgr.notests: ~0.3e9). `--fast-only` (or `--quick`) runs the
// fast boot alone. `--board vexpress-a9` runs issue 17's rows instead: vexpress-a9 (Cortex-A9,
// Debian's vexpress-v2p-ca9.dtb), zImage 1024M (~3.8e9) and its fast boot. Wall-clock and CPU seconds (user + system, GNU time) of whole processes: on a
// loaded machine the CPU ratio is the comparable one. The instruction count comes from armrr's log.
// `--repeat N` (default 3): each row runs its six processes N times in turn (QEMU run, record,
// replay, then armrr's) and each cell is the median of its N samples, with their range: on this
// class of VM one process's time moves by 10-20 % from run to run, QEMU's as well as armrr's.
// Plain JS over dist/ (run `npx tsc -p .` first). Prints Markdown on stdout.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuTimeAvailable, GNU_TIME, timedChild } from './child-time.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const { ReplayLogReader } = await import(join(ROOT, 'dist/replay/log-reader.js'));
const BIN = join(ROOT, 'bin/armrr.js');
const FAST_ONLY = process.argv.includes('--fast-only') || process.argv.includes('--quick');
const repeatAt = process.argv.indexOf('--repeat');
const REPEAT = repeatAt > 0 ? Number(process.argv[repeatAt + 1]) : 3;
if (!Number.isInteger(REPEAT) || REPEAT < 1) throw new Error(`--repeat ${process.argv[repeatAt + 1]}: a whole number of runs, at least 1`);
const boardAt = process.argv.indexOf('--board');
const BOARD = boardAt > 0 ? process.argv[boardAt + 1] : 'virt';
if (BOARD !== 'virt' && BOARD !== 'vexpress-a9') throw new Error(`--board ${BOARD}: virt or vexpress-a9`);
const RTC = '2026-12-01T00:00:00';
const SHIFT = 7;
const log = (s) => process.stderr.write(`bench linux: ${s}\n`);
if (!cpuTimeAvailable()) throw new Error(`${GNU_TIME} (GNU time) is missing: the bench reports CPU seconds per process; install it with 'apt-get install time'`);

function guestPaths() {
  const r = spawnSync('bash', [join(ROOT, 'scripts/guest/build-guest.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error("scripts/guest/build-guest.sh failed: run 'bash scripts/setup.sh'");
  const v = {};
  for (const line of r.stdout.split('\n')) {
    const m = /^GUEST_([A-Z_]+)=(.*)$/.exec(line);
    if (m) v[m[1]] = m[2];
  }
  return v;
}

/** Runs a whole process; its console output is kept to check both emulators printed the same. */
function timed(what, cmd, args) {
  log(what);
  const r = timedChild(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'latin1' });
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status}): ${r.stderr.slice(-1500)}`);
  if (r.cpu === null) throw new Error(`${what}: GNU time reported no CPU seconds`);
  log(`${what}: ${r.secs.toFixed(1)} s wall, ${r.cpu.toFixed(1)} s CPU`);
  return r;
}

function icountOf(logPath) {
  let end = 0;
  for (const e of ReplayLogReader.fromFile(logPath)) end = e.icount + (e.event.kind === 'INSTRUCTION' ? e.event.count : 0);
  return end;
}

/** The emulators' board options: virt as in the thread, vexpress-a9 as in issue 17. */
function boardArgs(board, memMiB) {
  if (board === 'virt') {
    return {
      armrr: ['--machine', 'virt', '--memory', `${memMiB}M`],
      qemu: ['-M', 'virt,dtb-randomness=off', '-cpu', 'cortex-a15', '-m', String(memMiB), '-nic', 'none'],
    };
  }
  return {
    armrr: ['--machine', 'vexpress-a9', '--memory', `${memMiB}M`, '--dtb', g.VEXPRESS_DTB],
    qemu: ['-M', 'vexpress-a9', '-cpu', 'cortex-a9', '-m', String(memMiB), '-dtb', g.VEXPRESS_DTB, '-nic', 'none', '-audiodev', 'none,id=snd0', '-global', 'pl041.audiodev=snd0'],
  };
}

function bootRow(work, name, kernel, memMiB, append, initrd) {
  const b = boardArgs(BOARD, memMiB);
  const armrrBoard = [...b.armrr, '--initrd', initrd, '--append', append, '--rtc-base', RTC, '--icount-shift', String(SHIFT)];
  const qemuBoard = (rr) => [
    ...b.qemu, '-kernel', kernel, '-initrd', initrd, '-append', append,
    '-rtc', `base=${RTC},clock=vm`, '-icount', `shift=${SHIFT},sleep=off${rr}`, '-nographic', '-serial', 'stdio', '-monitor', 'none',
  ];
  const alog = join(work, `${name}.armrr.rrlog`);
  const qlog = join(work, `${name}.qemu.rrlog`);
  const kinds = ['run', 'record', 'replay'];
  const q = { run: [], record: [], replay: [] };
  const a = { run: [], record: [], replay: [] };
  for (let i = 1; i <= REPEAT; i++) {
    const n = REPEAT > 1 ? ` (${i}/${REPEAT})` : '';
    q.run.push(timed(`${name}: qemu run${n}`, 'qemu-system-arm', qemuBoard('')));
    q.record.push(timed(`${name}: qemu record${n}`, 'qemu-system-arm', qemuBoard(`,rr=record,rrfile=${qlog}`)));
    q.replay.push(timed(`${name}: qemu replay${n}`, 'qemu-system-arm', qemuBoard(`,rr=replay,rrfile=${qlog}`)));
    a.run.push(timed(`${name}: armrr run${n}`, process.execPath, [BIN, 'run', kernel, ...armrrBoard]));
    a.record.push(timed(`${name}: armrr record${n}`, process.execPath, [BIN, 'record', kernel, '-o', alog, ...armrrBoard]));
    a.replay.push(timed(`${name}: armrr replay${n}`, process.execPath, [BIN, 'replay', kernel, alog, ...armrrBoard]));
    for (const k of kinds) {
      if (a[k].at(-1).stdout !== q.run[0].stdout) throw new Error(`${name}: armrr ${k}${n} printed other console bytes than qemu run`);
    }
  }
  const insns = icountOf(alog);
  const median = (xs) => {
    const s = [...xs].sort((x, y) => x - y);
    return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  const range = (xs) => (xs.length > 1 ? ` (${Math.min(...xs).toFixed(1)}-${Math.max(...xs).toFixed(1)})` : '');
  const ratio = (k, field) => {
    const av = a[k].map((r) => r[field]);
    const qv = q[k].map((r) => r[field]);
    return `${median(av).toFixed(1)}${range(av)} / ${median(qv).toFixed(1)}${range(qv)} = **${(median(qv) / median(av)).toFixed(2)}**`;
  };
  const cells = kinds.flatMap((k) => [ratio(k, 'secs'), ratio(k, 'cpu')]);
  return `| ${name} | ${(insns / 1e9).toFixed(3)}e9 | ${cells.join(' | ')} |`;
}

// The 1-minute load average and the time at the start and end go into the report: wall seconds
// mean little without them.
const started = { at: new Date().toISOString(), load: os.loadavg()[0] };
const g = guestPaths();
const work = mkdtempSync(join(tmpdir(), 'armrr-bench-linux-'));
const rows = [];
const VEXPRESS = BOARD === 'vexpress-a9';
try {
  const full = VEXPRESS ? { name: 'zImage 1024M', mem: 1024 } : { name: 'zImage 4096M', mem: 4096 };
  if (!FAST_ONLY) rows.push(bootRow(work, full.name, g.ZIMAGE, full.mem, 'console=ttyAMA0', g.INITRD_NO_INPUT));
  rows.push(bootRow(work, 'fast uImage 256M notests', VEXPRESS ? g.VEXPRESS_UIMAGE : g.VIRT_UIMAGE, 256, 'console=ttyAMA0 cryptomgr.notests', g.INITRD_NO_INPUT));
  if (FAST_ONLY) rows.push(`| ${full.name} | (not run: --fast-only) | | | | | | |`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
const out = [
  `## Linux boot to the prompt on ${BOARD}: armrr vs QEMU 7.2 (run, record, replay)`,
  '',
  `Debian's armhf kernel on ${VEXPRESS ? 'vexpress-a9 (Cortex-A9, vexpress-v2p-ca9.dtb)' : 'virt (Cortex-A15)'}, /init prints the prompt and powers off (GUEST_INITRD_NO_INPUT), ` +
    `shift ${SHIFT}, sleep=off, rtc base=${RTC},clock=vm; wall and CPU (user + system) seconds of whole processes, ` +
    `armrr / QEMU = ratio (QEMU time / armrr time: >= 0.5 is the target now, >= 1.0 the goal); ${REPEAT > 1 ? `each cell the median of ${REPEAT} runs (their range in brackets), the runs in turn` : 'one run per cell'}. ` +
    'Each replays its own recording; console bytes checked identical. ' +
    `Run ${started.at} (load average ${started.load.toFixed(1)}) to ${new Date().toISOString()} (load average ${os.loadavg()[0].toFixed(1)}).`,
  '',
  '| boot | instructions | run wall s (ratio) | run CPU s (ratio) | record wall s (ratio) | record CPU s (ratio) | replay wall s (ratio) | replay CPU s (ratio) |',
  '|---|---|---|---|---|---|---|---|',
  ...rows,
  '',
];
process.stdout.write(`${out.join('\n')}\n`);
