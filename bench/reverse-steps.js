// The stub-side cost of reverse steps without gdb, sockets or packets (issue 16): replays a log of
// crc32-long-O2 in-process on the replay timeline as `armrr replay --gdb` does (fine trail on for the
// run to the end, then prepareStepBack, as after a gdb `continue`), then STEPS x seek(end - i) and
// back forward one by one, timing the main thread's CPU (schedstat: GC and compiler threads apart).
// Prints the state hash at the end, so that a change of results shows.
// `node bench/reverse-steps.js [LOG] [STEPS]` (records crc32-long-O2 into a temporary LOG when none
// is given; plain JS over dist/: run `npx tsc -p .` first; ARMRR_DIST=<dir> for another build's dist).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = process.env.ARMRR_DIST ?? join(ROOT, 'dist');
const dist = (p) => import(join(DIST, p));
const { bootFirmware } = await dist('emulator/boot.js');
const { ReplayLogReader } = await dist('replay/log-reader.js');
const { Replayer } = await dist('replay/replayer.js');
const { ReplayTimeline } = await dist('snapshots/timeline.js');
const { DEFAULT_SNAPSHOT_INTERVAL, DEFAULT_SNAPSHOT_BUDGET_MIB } = await dist('snapshots/snapshot-defaults.js');

const ELF = join(ROOT, 'firmware/build/crc32-long-O2.elf');
/** `armrr record`'s default, which the log was recorded with. */
const ICOUNT_SHIFT = 5;
const STEPS = Number(process.argv[3] ?? 20000);

if (!existsSync(ELF)) execFileSync('bash', [join(ROOT, 'firmware/build.sh')], { stdio: 'inherit' });
const work = mkdtempSync(join(tmpdir(), 'armrr-bench-steps-'));
try {
  let logPath = process.argv[2];
  if (logPath === undefined) {
    logPath = join(work, 'crc32-long.log');
    execFileSync(process.execPath, [join(ROOT, 'bin/armrr.js'), 'record', ELF, '-o', logPath, '--no-realtime', '--input', '/dev/null'], { stdio: 'ignore' });
  }
  const log = new Uint8Array(readFileSync(logPath));
  let end = 0;
  for (const e of new ReplayLogReader(log)) end = e.icount + (e.event.kind === 'INSTRUCTION' ? e.event.count : 0);
  const replayer = new Replayer(new ReplayLogReader(log), { uartWrite: () => {}, consoleWrite: () => {} });
  const image = new Uint8Array(readFileSync(ELF));
  const { machine } = bootFirmware(image, { machine: 'mps2-an385', icountShift: ICOUNT_SHIFT, ...replayer.ports });
  const hooks = replayer.attach(machine);
  const timeline = new ReplayTimeline(machine, hooks, () => replayer.position(), (at) => replayer.restore(at), {
    interval: DEFAULT_SNAPSHOT_INTERVAL,
    budgetBytes: DEFAULT_SNAPSHOT_BUDGET_MIB * 1048576,
    endIcount: end,
  });
  timeline.setFineTrail(true);
  timeline.runForward(end);
  timeline.setFineTrail(false);
  timeline.prepareStepBack();
  const here = machine.icount;
  /** Main-thread CPU so far, µs. */
  const cpu = () => Number(readFileSync(`/proc/${process.pid}/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]) / 1000;
  const perThousand = [];
  const t0 = cpu();
  let mark = t0;
  for (let i = 1; i <= STEPS; i++) {
    timeline.seek(here - i);
    if (i % 1000 === 0) {
      const t = cpu();
      perThousand.push(((t - mark) / 1000).toFixed(1));
      mark = t;
    }
  }
  const t1 = cpu();
  for (let i = STEPS - 1; i >= 0; i--) timeline.seek(here - i);
  const t2 = cpu();
  process.stdout.write(
    `reverse steps from icount ${here}: ${((t1 - t0) / STEPS).toFixed(2)} µs main-thread CPU each (per 1000: ${perThousand.join(' ')}); ` +
      `forward steps back: ${((t2 - t1) / STEPS).toFixed(2)} µs each; state hash ${machine.stateHash().slice(0, 12)}\n`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
