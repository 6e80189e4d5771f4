// Snapshot memory of the 4 GiB Linux boot replay (issue 14, must-be-true 5), whole: the fast boot
// recorded with --memory 4096M to power-off (0.81e9 instructions), then replayed in-process with a
// snapshot every INTERVAL instructions under a BUDGET. Prints the base, the peak of the accounted
// bytes, and how many snapshots were taken, dropped and kept. The CI test
// (test/integration/linux-snapshot-budget.test.ts) does the same on the first 2e8 instructions.
//
//   node bench/linux-snapshot-budget.js [interval=5000000] [budgetMiB=96]
//
// Plain JS over dist/ (run `npx tsc -p .` first). About a minute of CPU to record and as much to replay.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = (p) => import(join(ROOT, 'dist', p));
const { bootReplay, openReplayLog } = await dist('cli/commands/replay.js');
const { loadBoard } = await dist('emulator/machines/board-registry.js');
const { BufferOutputSink } = await dist('emulator/io/live-ports.js');
const { parseRtcBase } = await dist('emulator/devices/pl031.js');
const { ReplayTimeline } = await dist('snapshots/timeline.js');

const MIB = 1 << 20;
const interval = Number(process.argv[2] ?? 5_000_000);
const budgetMiB = Number(process.argv[3] ?? 96);
const APPEND = 'console=ttyAMA0 cryptomgr.notests';
const RTC = '2026-12-01T00:00:00';
const log = (s) => process.stderr.write(`bench linux-snapshots: ${s}\n`);

const guest = {};
for (const line of execFileSync('bash', [join(ROOT, 'scripts/guest/build-guest.sh')], { encoding: 'utf8' }).split('\n')) {
  const m = /^GUEST_([A-Z_]+)=(.*)$/.exec(line);
  if (m) guest[m[1]] = m[2];
}
const work = mkdtempSync(join(tmpdir(), 'armrr-bench-4g-'));
try {
  const rrlog = join(work, 'boot-4g.rrlog');
  log('recording the 4096M fast boot');
  const args = ['record', guest.VIRT_UIMAGE, '-o', rrlog, '--machine', 'virt', '--memory', '4096M', '--initrd', guest.INITRD_NO_INPUT];
  args.push('--append', APPEND, '--rtc-base', RTC, '--icount-shift', '7', '--no-realtime');
  const rec = spawnSync(process.execPath, [join(ROOT, 'bin/armrr.js'), ...args], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (rec.status !== 0) throw new Error(`armrr record failed (exit ${rec.status}): ${rec.stderr}`);

  log(`replaying with a snapshot every ${interval} instructions, budget ${budgetMiB} MiB`);
  const image = readFileSync(guest.VIRT_UIMAGE);
  const opened = openReplayLog(rrlog, image, {
    memoryBytes: 4096 * MIB,
    initrd: readFileSync(guest.INITRD_NO_INPUT),
    append: APPEND,
    rtcBase: parseRtcBase(RTC),
  });
  await loadBoard(opened.machine);
  const { machine, replayer, hooks } = bootReplay(image, opened, new BufferOutputSink());
  const cpu0 = process.cpuUsage();
  const tl = new ReplayTimeline(machine, hooks, () => replayer.position(), (at) => replayer.restore(at), {
    interval,
    budgetBytes: budgetMiB * MIB,
    endIcount: opened.endIcount,
  });
  const base = tl.store.totalBytes;
  let peak = base;
  while (machine.icount < opened.endIcount) {
    const from = machine.icount;
    tl.runForward(Math.min(opened.endIcount, from + interval));
    peak = Math.max(peak, tl.store.totalBytes);
    if (machine.icount === from) throw new Error(`the replay stopped at icount ${from}`);
  }
  const cpu = process.cpuUsage(cpu0);
  const s = tl.store;
  const mib = (b) => (b / MIB).toFixed(1);
  process.stdout.write(
    `| ${opened.endIcount.toLocaleString('en-US')} | 4096 MiB | ${interval.toExponential(0).replace('+', '')} | ${budgetMiB} MiB | ${mib(base)} MiB | ` +
      `${mib(peak)} MiB | ${s.snapshots.length + s.dropped} / ${s.dropped} / ${s.snapshots.length} (final ${mib(s.totalBytes)} MiB) | ` +
      `${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU (replay with snapshots) |\n`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
