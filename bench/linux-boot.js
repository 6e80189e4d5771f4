// Linux boot benchmark (issue 14, must-be-true 4): Debian's armhf kernel on virt to the shell
// prompt, armrr vs qemu-system-arm 7.2 in the same run: run, record, and replay (each emulator
// replays its own recording). The guest is the initramfs whose /init prints the prompt and powers
// off without waiting for input (GUEST_INITRD_NO_INPUT), so every run, QEMU's replay included,
// ends by itself a few thousand instructions after the prompt: identical bounds on both sides.
//
// Rows: the thread's boot (zImage, 4096M, shift 7: ~4.04e9 instructions) and the fast boot
// (decompressed uImage, 256M, cryptomgr.notests: ~0.3e9). `--fast-only` (or `--quick`) runs the
// fast boot alone. `--board vexpress-a9` runs issue 17's row instead: vexpress-a9 (Cortex-A9,
// Debian's vexpress-v2p-ca9.dtb), zImage, 1024M (~3.8e9) and its fast boot.
// CPU seconds (user + system, under /usr/bin/time) and wall seconds of whole processes; the instruction count comes from
// armrr's log. Plain JS over dist/ (run `npx tsc -p .` first). Prints Markdown on stdout.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const { ReplayLogReader } = await import(join(ROOT, 'dist/replay/log-reader.js'));
const BIN = join(ROOT, 'bin/armrr.js');
const FAST_ONLY = process.argv.includes('--fast-only') || process.argv.includes('--quick');
const boardAt = process.argv.indexOf('--board');
const BOARD = boardAt > 0 ? process.argv[boardAt + 1] : 'virt';
if (BOARD !== 'virt' && BOARD !== 'vexpress-a9') throw new Error(`--board ${BOARD}: virt or vexpress-a9`);
const RTC = '2026-12-01T00:00:00';
const SHIFT = 7;
const log = (s) => process.stderr.write(`bench linux: ${s}\n`);
const now = () => Number(process.hrtime.bigint()) / 1e9;

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

/**
 * Runs a whole process under /usr/bin/time (its CPU seconds, user + system: the figure to trust on a
 * shared machine); its console output is kept to check both emulators printed the same.
 */
function timed(what, cmd, args) {
  log(what);
  const timeFile = join(work, 'time.txt');
  const t0 = now();
  const r = spawnSync('/usr/bin/time', ['-f', '%U %S', '-o', timeFile, cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'latin1', maxBuffer: 1 << 28 });
  const secs = now() - t0;
  if (r.error) throw new Error(`${what}: cannot run /usr/bin/time (apt-get install time): ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status}): ${r.stderr.slice(-1500)}`);
  const [user, sys] = readFileSync(timeFile, 'utf8').trim().split(/\s+/).slice(-2).map(Number);
  return { secs, cpu: user + sys, stdout: r.stdout };
}

function icountOf(logPath) {
  let end = 0;
  for (const e of ReplayLogReader.fromFile(logPath)) end = e.icount + (e.event.kind === 'INSTRUCTION' ? e.event.count : 0);
  return end;
}

/** The emulators' board options: virt as in the thread, vexpress-a9 as in issue 17. */
function boardArgs(g, board, memMiB) {
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

function bootRow(work, name, board, kernel, memMiB, append, initrd) {
  const b = boardArgs(g, board, memMiB);
  const armrrBoard = [...b.armrr, '--initrd', initrd, '--append', append, '--rtc-base', RTC, '--icount-shift', String(SHIFT)];
  const qemuBoard = (rr) => [
    ...b.qemu, '-kernel', kernel, '-initrd', initrd, '-append', append,
    '-rtc', `base=${RTC},clock=vm`, '-icount', `shift=${SHIFT},sleep=off${rr}`, '-nographic', '-serial', 'stdio', '-monitor', 'none',
  ];
  const alog = join(work, `${name}.armrr.rrlog`);
  const qlog = join(work, `${name}.qemu.rrlog`);
  const q = {
    run: timed(`${name}: qemu run`, 'qemu-system-arm', qemuBoard('')),
    record: timed(`${name}: qemu record`, 'qemu-system-arm', qemuBoard(`,rr=record,rrfile=${qlog}`)),
    replay: timed(`${name}: qemu replay`, 'qemu-system-arm', qemuBoard(`,rr=replay,rrfile=${qlog}`)),
  };
  const a = {
    run: timed(`${name}: armrr run`, process.execPath, [BIN, 'run', kernel, ...armrrBoard]),
    record: timed(`${name}: armrr record`, process.execPath, [BIN, 'record', kernel, '-o', alog, ...armrrBoard]),
    replay: timed(`${name}: armrr replay`, process.execPath, [BIN, 'replay', kernel, alog, ...armrrBoard]),
  };
  for (const k of ['run', 'record', 'replay']) {
    if (a[k].stdout !== q.run.stdout) throw new Error(`${name}: armrr ${k} printed other console bytes than qemu run`);
  }
  const insns = icountOf(alog);
  const cells = ['run', 'record', 'replay'].map((k) => `${a[k].cpu.toFixed(1)} / ${q[k].cpu.toFixed(1)} = **${(q[k].cpu / a[k].cpu).toFixed(2)}** (wall ${a[k].secs.toFixed(0)} / ${q[k].secs.toFixed(0)})`);
  return `| ${name} | ${(insns / 1e9).toFixed(3)}e9 | ${cells.join(' | ')} |`;
}

const g = guestPaths();
const work = mkdtempSync(join(tmpdir(), 'armrr-bench-linux-'));
const out = [];
try {
  const vexpress = BOARD === 'vexpress-a9';
  out.push(`## Linux boot to the prompt on ${BOARD}: armrr vs QEMU 7.2 (run, record, replay)`);
  out.push('');
  out.push(
    `Debian's armhf kernel on ${vexpress ? 'vexpress-a9 (Cortex-A9, vexpress-v2p-ca9.dtb)' : 'virt (Cortex-A15)'}, /init prints the prompt and powers off (GUEST_INITRD_NO_INPUT), ` +
      `shift ${SHIFT}, sleep=off, rtc base=${RTC},clock=vm; CPU seconds (user + system) of whole processes, armrr / QEMU = ratio ` +
      '(QEMU time / armrr time: >= 0.5 is the target now, >= 1.0 the goal). Each replays its own recording; console bytes checked identical.',
  );
  out.push('');
  out.push(`Load average at the start: ${loadavg().map((x) => x.toFixed(1)).join(', ')}.`);
  out.push('');
  out.push('| boot | instructions | run CPU s (ratio) | record CPU s (ratio) | replay CPU s (ratio) |');
  out.push('|---|---|---|---|---|');
  const full = vexpress ? { name: 'zImage 1024M', mem: 1024 } : { name: 'zImage 4096M', mem: 4096 };
  if (!FAST_ONLY) out.push(bootRow(work, full.name, BOARD, g.ZIMAGE, full.mem, 'console=ttyAMA0', g.INITRD_NO_INPUT));
  const fastImage = vexpress ? g.VEXPRESS_UIMAGE : g.VIRT_UIMAGE;
  out.push(bootRow(work, 'fast uImage 256M notests', BOARD, fastImage, 256, 'console=ttyAMA0 cryptomgr.notests', g.INITRD_NO_INPUT));
  if (FAST_ONLY) out.push(`| ${full.name} | (not run: --fast-only) | | | |`);
  out.push('');
} finally {
  rmSync(work, { recursive: true, force: true });
}
process.stdout.write(`${out.join('\n')}\n`);
