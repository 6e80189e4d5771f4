// reverse-stepi latency through real gdb-multiarch at the end of the Linux fast boot's replay
// (issue 14: "reverse-stepi latency at the end of the boot, median and p99 through gdb").
//
// Records the fast boot (common facts: the decompressed Debian kernel as a uImage, 256M,
// cryptomgr.notests, shift 7) with a line typed at the prompt through a pipe, replays it with
// `armrr replay --gdb`, moves to the end of the history (the guest's power-off) and times STEPS
// reverse-stepi one by one from gdb's Python (wall time of `gdb.execute`, i.e. the whole round
// trip gdb -> stub -> restore + replay -> gdb).
// Run alone (`node bench/linux-gdb.js [--quick]`, prints Markdown) or import { main } (resolves
// with the Markdown). Needs dist/ (npx tsc -p .) and the guest (scripts/setup.sh).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'bin/armrr.js');
const PROMPT = 'armrr-guest$ ';
const log = (s) => process.stderr.write(`bench: ${s}\n`);

function guestPaths() {
  const text = execFileSync('bash', [join(ROOT, 'scripts/guest/build-guest.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const v = {};
  for (const m of text.matchAll(/^GUEST_([A-Z_]+)=(.*)$/gm)) v[m[1]] = m[2];
  return v;
}

const bootArgs = (g) => ['--machine', 'virt', '--memory', '256M', '--initrd', g.INITRD, '--append', 'console=ttyAMA0 cryptomgr.notests', '--rtc-base', '2026-12-01T00:00:00', '--icount-shift', '7'];

/** `armrr record` of the fast boot, typing a line once the prompt shows. */
function record(g, logPath) {
  const child = spawn(process.execPath, [BIN, 'record', g.VIRT_UIMAGE, '-o', logPath, ...bootArgs(g), '--input', '-', '--no-realtime'], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  let typed = false;
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d) => {
    out += d;
    if (!typed && out.includes(PROMPT)) {
      typed = true;
      child.stdin.write('bench\n');
    }
  });
  return new Promise((resolve, reject) =>
    child.on('exit', (code) => {
      child.stdin.destroy();
      if (code === 0) resolve();
      else reject(new Error(`armrr record of the Linux fast boot exited with ${code}`));
    }),
  );
}

/** Starts `armrr replay --gdb 127.0.0.1:0`; resolves with the child and its port. */
function startReplay(g, logPath) {
  const child = spawn(process.execPath, [BIN, 'replay', g.VIRT_UIMAGE, logPath, ...bootArgs(g), '--gdb', '127.0.0.1:0', '--quiet'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    child.stderr.on('data', (d) => {
      err += d;
      const m = /waiting for gdb on [^\s]+:(\d+)/.exec(err);
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.on('exit', (code) => reject(new Error(`armrr replay exited (${code}) before listening: ${err}`)));
  });
}

const GDB_SCRIPT = `
import json, os, time
import gdb
gdb.execute("set pagination off")
gdb.execute("set confirm off")
gdb.execute("target remote 127.0.0.1:" + os.environ["BENCH_PORT"])
info = json.loads([l for l in gdb.execute("monitor info replay --json", to_string=True).splitlines() if l.startswith("{")][0])
t0 = time.perf_counter()
# The last instructions are the PSCI power-off, after which gdb cannot analyse the frame: start
# just before it.
start = info["endIcount"] - 100000
gdb.execute("monitor seek %d" % start, to_string=True)
gdb.execute("maintenance flush register-cache", to_string=True)
seek = time.perf_counter() - t0
times = []
for _ in range(int(os.environ["BENCH_STEPS"])):
    t = time.perf_counter()
    try:
        gdb.execute("reverse-stepi", to_string=True)
    except gdb.MemoryError:
        # The step is done; gdb's frame analysis after it read an unmapped address (no symbols).
        pass
    times.append(time.perf_counter() - t)
end = json.loads([l for l in gdb.execute("monitor icount --json", to_string=True).splitlines() if l.startswith("{")][0])
with open(os.environ["BENCH_OUT"], "w") as f:
    json.dump({"endIcount": info["endIcount"], "start": start, "seekSecs": seek, "times": times, "icountAfter": end["icount"]}, f)
gdb.execute("detach")
`;

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];

export async function main(argv = process.argv.slice(2)) {
  const steps = argv.includes('--quick') ? 50 : 200;
  const g = guestPaths();
  const work = mkdtempSync(join(tmpdir(), 'armrr-bench-linux-gdb-'));
  let replay = null;
  try {
    const logPath = join(work, 'boot.rrlog');
    log('linux-gdb: recording the fast boot');
    await record(g, logPath);
    replay = await startReplay(g, logPath);
    const script = join(work, 'steps.py');
    writeFileSync(script, GDB_SCRIPT);
    const outFile = join(work, 'out.json');
    log(`linux-gdb: ${steps} reverse-stepi at the end of the replay through gdb-multiarch`);
    execFileSync('gdb-multiarch', ['--batch', '-nx', '-x', script], {
      env: { ...process.env, BENCH_PORT: String(replay.port), BENCH_STEPS: String(steps), BENCH_OUT: outFile },
      stdio: ['ignore', 'ignore', 'inherit'],
      timeout: 3_600_000,
    });
    const r = JSON.parse(readFileSync(outFile, 'utf8'));
    if (r.icountAfter !== r.start - steps) throw new Error(`reverse-stepi x${steps} from ${r.start} ended at ${r.icountAfter}`);
    const ms = r.times.map((s) => s * 1000).sort((a, b) => a - b);
    const lines = [
      '## reverse-stepi at the end of the Linux boot (fast boot replay, through gdb-multiarch)',
      '',
      `\`node bench/linux-gdb.js${argv.includes('--quick') ? ' --quick' : ''}\`: the fast boot (${(r.endIcount / 1e9).toFixed(3)}e9 instructions, typed line, power-off) replayed by`,
      `\`armrr replay --gdb\`; \`monitor seek\` to 100,000 instructions before the end (the power-off; ${r.seekSecs.toFixed(1)} s), then ${steps} \`reverse-stepi\` timed one by one in gdb's Python.`,
      '',
      '| reverse-stepi | median (ms) | p99 (ms) | max (ms) |',
      '|---|---|---|---|',
      `| ${steps} steps | ${quantile(ms, 0.5).toFixed(1)} | ${quantile(ms, 0.99).toFixed(1)} | ${ms[ms.length - 1].toFixed(1)} |`,
      '',
    ];
    return lines.join('\n');
  } finally {
    replay?.child.kill('SIGTERM');
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.stdout.write(`${await main()}\n`);
}
