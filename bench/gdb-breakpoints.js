// `continue` with 0 and 2,000 never-hit breakpoints on `armrr replay --gdb` (issue 12: a run's
// cost must not grow with the number of breakpoints; target <= 2x the cost with none).
//
// Raw RSP over TCP (what gdb sends: Z0 per breakpoint, then vCont;c until the end of the replay),
// a fresh `armrr replay --gdb` process per measurement, median of RUNS. The breakpoints sit at
// every halfword from the end of crc32-bench-O2's code upwards: with 2,000 most of them on the
// 4 KiB page that holds all of its code (the worst case for a per-page filter), the rest on the
// next page; 20,000 (the largest case) cover the next ten pages too.
// Run alone (`node bench/gdb-breakpoints.js [--quick]`) or from bench/run.js; prints Markdown.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { connect, startReplay } from './rsp-replay.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const QUICK = process.argv.includes('--quick');
const ELF = join(ROOT, 'firmware/build/crc32-bench-O2.elf');
const BIN = join(ROOT, 'bin/armrr.js');
const INSNS = QUICK ? 100_000_000 : 1_000_000_000;
const RUNS = QUICK ? 1 : 3;
const COUNTS = [0, 2000, 20000];
/** First address past crc32-bench-O2's code (`arm-none-eabi-size -A`: .text is 1184 bytes at 0). */
const FIRST_BP = 0x4a0;

const log = (s) => process.stderr.write(`bench: ${s}\n`);
const now = () => Number(process.hrtime.bigint()) / 1e9;

/** Seconds for `vCont;c` from icount 0 to the end of the replay with `count` breakpoints inserted. */
async function continueSeconds(logPath, count) {
  const { child, port } = await startReplay(ELF, logPath);
  try {
    const rsp = await connect(port);
    for (let i = 0; i < count; i++) {
      const reply = await rsp.ask(`Z0,${(FIRST_BP + 2 * i).toString(16)},2`);
      if (reply !== 'OK') throw new Error(`Z0 refused: ${reply}`);
    }
    const t0 = now();
    const stop = await rsp.ask('vCont;c');
    const secs = now() - t0;
    if (!stop.includes('replaylog:end')) throw new Error(`continue stopped before the end: ${stop}`);
    rsp.close();
    return secs;
  } finally {
    child.kill('SIGKILL');
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

if (!existsSync(ELF)) execFileSync('bash', [join(ROOT, 'firmware/build.sh')], { stdio: 'inherit' });
const work = mkdtempSync(join(tmpdir(), 'armrr-bench-bp-'));
try {
  const logPath = join(work, 'crc32-bench.log');
  log(`breakpoints: recording crc32-bench-O2 (up to ${INSNS} instructions)`);
  try {
    execFileSync(process.execPath, [BIN, 'record', ELF, '-o', logPath, '--no-realtime', '--max-insns', String(INSNS)], { stdio: 'ignore' });
  } catch (e) {
    if (e.status !== 4) throw e; // 4: stopped by --max-insns, the log is whole
  }
  // Interleaved (none, 2000, none, 2000...) so a change in machine load hits both alike.
  const secs = COUNTS.map(() => []);
  for (let r = 0; r < RUNS; r++) {
    for (const [i, count] of COUNTS.entries()) {
      log(`breakpoints: continue with ${count} breakpoints (run ${r + 1}/${RUNS})`);
      secs[i].push(await continueSeconds(logPath, count));
    }
  }
  const rows = COUNTS.map((count, i) => ({ count, secs: median(secs[i]) }));
  const base = rows[0].secs;
  const out = [];
  out.push(`## \`continue\` with never-hit breakpoints (replay of crc32-bench-O2 through raw RSP)`);
  out.push('');
  out.push(`\`node bench/gdb-breakpoints.js${QUICK ? ' --quick' : ''}\`: \`armrr replay --gdb\`, Z0 at N halfword addresses from 0x${FIRST_BP.toString(16)} up`);
  out.push('(the page holding all the code and the ones after it), then `vCont;c` from icount 0 to the end of the replay; median of');
  out.push(`${RUNS} fresh processes. Target (issue 12): at most 2x the time with none.`);
  out.push('');
  out.push('| breakpoints | continue (s) | vs none |');
  out.push('|---|---|---|');
  for (const r of rows) out.push(`| ${r.count} | ${r.secs.toFixed(2)} | ${(r.secs / base).toFixed(2)}x |`);
  out.push('');
  process.stdout.write(`${out.join('\n')}\n`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
