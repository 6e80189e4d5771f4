// The gdb stub's own CPU at the end of a long replay, without gdb, sockets or the scheduler's noise
// (issue 16): replays a log of crc32-long-O2 in-process as `armrr replay --gdb` does, and times the
// main thread's CPU (schedstat: GC and compiler threads apart) of
//   1. reverse steps on the timeline: STEPS x seek(end - i) after a run to the end with the fine trail
//      and prepareStepBack (what a gdb `continue` leaves), then back forward one by one;
//   2. round trips through the stub's packet layer (GdbStub + GdbSession, replies to a sink that
//      drops them): STEPS x (`bs`, `g`), STEPS x (`vCont;s`, `g`), as bench/gdb-roundtrip.js sends.
// Prints the state hashes, so that a change of results shows. `node bench/gdb-stub-cpu.js [LOG]
// [STEPS]` (records crc32-long-O2 into a temporary LOG when none is given; plain JS over dist/: run
// `npx tsc -p .` first; ARMRR_DIST=<dir> for another build's dist).
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
const { buildReplayTarget } = await dist('cli/gdb-replay.js');
const { GdbStub } = await dist('gdbstub/index.js');
const { DEFAULT_SNAPSHOT_INTERVAL, DEFAULT_SNAPSHOT_BUDGET_MIB } = await dist('snapshots/snapshot-defaults.js');

const ELF = join(ROOT, 'firmware/build/crc32-long-O2.elf');
/** `armrr record`'s default, which the log was recorded with. */
const ICOUNT_SHIFT = 5;
const STEPS = Number(process.argv[3] ?? 20000);

/** Main-thread CPU so far, µs. */
const cpu = () => Number(readFileSync(`/proc/${process.pid}/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]) / 1000;

/** A replay target over the log, as `armrr replay --gdb` builds it (at icount 0). */
function replayTarget(log, logPath) {
  let end = 0;
  for (const e of new ReplayLogReader(log)) end = e.icount + (e.event.kind === 'INSTRUCTION' ? e.event.count : 0);
  const replayer = new Replayer(new ReplayLogReader(log), { uartWrite: () => {}, consoleWrite: () => {} });
  const { machine } = bootFirmware(new Uint8Array(readFileSync(ELF)), { machine: 'mps2-an385', icountShift: ICOUNT_SHIFT, ...replayer.ports });
  const hooks = replayer.attach(machine);
  const args = { machine, replayer, hooks, endIcount: end, logPath, logBytes: log };
  return buildReplayTarget(args, DEFAULT_SNAPSHOT_INTERVAL, DEFAULT_SNAPSHOT_BUDGET_MIB);
}

function timelineSteps(log, logPath) {
  const { timeline, machine } = replayTarget(log, logPath);
  timeline.setFineTrail(true);
  timeline.runForward(timeline.endIcount);
  timeline.setFineTrail(false);
  timeline.prepareStepBack();
  const here = machine.icount;
  const t0 = cpu();
  for (let i = 1; i <= STEPS; i++) timeline.seek(here - i);
  const t1 = cpu();
  for (let i = STEPS - 1; i >= 0; i--) timeline.seek(here - i);
  const t2 = cpu();
  return `| timeline: reverse step (\`seek(end - i)\`) | ${((t1 - t0) / STEPS).toFixed(2)} µs |\n| timeline: forward step back | ${((t2 - t1) / STEPS).toFixed(2)} µs |\n| state hash at the end | ${machine.stateHash().slice(0, 12)} |`;
}

const frame = (p) => {
  let sum = 0;
  for (let i = 0; i < p.length; i++) sum = (sum + p.charCodeAt(i)) & 0xff;
  return Buffer.from(`$${p}#${sum.toString(16).padStart(2, '0')}`, 'latin1');
};

async function packetRoundTrips(log, logPath) {
  const target = replayTarget(log, logPath);
  const stub = new GdbStub(target);
  let replied = null;
  const session = stub.connect({ write: () => replied?.(), close: () => {} });
  /** Feeds one packet and resolves at its reply (a resume's comes in a later microtask). */
  const ask = (bytes) =>
    new Promise((resolve) => {
      replied = () => {
        replied = null;
        resolve();
      };
      session.feed(bytes);
    });
  await ask(frame('QStartNoAckMode'));
  await ask(frame('vCont;c'));
  const g = frame('g');
  const rows = [];
  for (const [name, resume] of [['`bs` + `g`', 'bs'], ['`vCont;s` + `g`', 'vCont;s']]) {
    const packet = frame(resume);
    const t0 = cpu();
    for (let i = 0; i < STEPS; i++) {
      await ask(packet);
      await ask(g);
    }
    rows.push(`| stub: ${name} round trip | ${((cpu() - t0) / STEPS).toFixed(2)} µs |`);
  }
  rows.push(`| state hash at the end | ${target.machine.stateHash().slice(0, 12)} |`);
  return rows.join('\n');
}

if (!existsSync(ELF)) execFileSync('bash', [join(ROOT, 'firmware/build.sh')], { stdio: 'inherit' });
const work = mkdtempSync(join(tmpdir(), 'armrr-bench-stub-cpu-'));
try {
  let logPath = process.argv[2];
  if (logPath === undefined) {
    logPath = join(work, 'crc32-long.log');
    execFileSync(process.execPath, [join(ROOT, 'bin/armrr.js'), 'record', ELF, '-o', logPath, '--no-realtime', '--input', '/dev/null'], { stdio: 'ignore' });
  }
  const log = new Uint8Array(readFileSync(logPath));
  const steps = timelineSteps(log, logPath);
  const packets = await packetRoundTrips(log, logPath);
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  process.stdout.write(
    `## The gdb stub's own CPU at the end of crc32-long-O2's replay (no sockets)\n\n` +
      `\`node bench/gdb-stub-cpu.js\`: ${STEPS} of each, main-thread CPU per step or round trip (schedstat). Load average at the end: ${load}.\n\n` +
      `| what | main-thread CPU |\n|---|---|\n${steps}\n${packets}\n`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
