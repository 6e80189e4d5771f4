// reverse-stepi latency through real gdb-multiarch at the end of the Linux fast boot's replay
// (issue 14: "reverse-stepi latency at the end of the boot, median and p99 through gdb").
//
// Records the fast boot (common facts: the decompressed Debian kernel as a uImage, 256M,
// cryptomgr.notests, shift 7) with a line typed at the prompt through a pipe, replays it with
// `armrr replay --gdb`, loads the kernel symbols, `continue`s to the end of the history (the
// guest's power-off, as a user would) and times STEPS
// reverse-stepi one by one from gdb's Python (wall time of `gdb.execute`, i.e. the whole round
// trip gdb -> stub -> restore + replay -> gdb).
// Run alone (`node bench/linux-gdb.js [--quick]`, prints Markdown) or import { main } (resolves
// with the Markdown). Needs dist/ (npx tsc -p .) and the guest (scripts/setup.sh).
// For A/B runs: `--log FILE` records into FILE once and reuses it afterwards; BENCH_NODE_ARGS adds
// node options to the stub (e.g. --trace-gc, whose output then goes to BENCH_STUB_STDOUT); and
// `--json FILE` keeps every step's times (wall, CPU) in order, to see which steps are slow.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
  const out = process.env.BENCH_STUB_STDOUT ? openSync(process.env.BENCH_STUB_STDOUT, 'w') : 'ignore';
  const child = spawn(process.execPath, [...nodeArgs, BIN, 'replay', g.VIRT_UIMAGE, logPath, ...bootArgs(g), '--gdb', '127.0.0.1:0', '--quiet'], { stdio: ['ignore', out, 'pipe'] });
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
# With the kernel's symbols gdb analyses frames by prologue; without them it follows fp, which the
# power-off path leaves pointing at unmapped memory, and refuses to step.
gdb.execute("armrr load-symbols " + os.environ["BENCH_KERNEL"], to_string=True)
pid = int(os.environ["BENCH_STUB_PID"])
def stub_cpu():
    f = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")
t0 = time.perf_counter()
# As a user does: continue to the end of the replay (the guest's power-off), reverse from there.
gdb.execute("continue", to_string=True)
run = time.perf_counter() - t0
start = json.loads([l for l in gdb.execute("monitor icount --json", to_string=True).splitlines() if l.startswith("{")][0])["icount"]
# Per step, besides wall time: CPU time (ns, /proc/.../schedstat) of the stub's main thread and of
# gdb's, and how long both waited for a core. Their CPU is what the step costs on a quiet machine;
# at load the wall time is mostly the scheduler's.
def sched(path):
    f = open(path).read().split()
    return int(f[0]), int(f[1])
stub_sched = "/proc/%d/task/%d/schedstat" % (pid, pid)
gdb_sched = "/proc/self/schedstat"
times = []
cpus = []
stub_cpus = []
waits = []
cpu0 = stub_cpu()
for _ in range(int(os.environ["BENCH_STEPS"])):
    s0, g0 = sched(stub_sched), sched(gdb_sched)
    t = time.perf_counter()
    gdb.execute("reverse-stepi", to_string=True)
    times.append(time.perf_counter() - t)
    s1, g1 = sched(stub_sched), sched(gdb_sched)
    cpus.append((s1[0] - s0[0] + g1[0] - g0[0]) / 1e9)
    stub_cpus.append((s1[0] - s0[0]) / 1e9)
    waits.append((s1[1] - s0[1] + g1[1] - g0[1]) / 1e9)
cpu = stub_cpu() - cpu0
end = json.loads([l for l in gdb.execute("monitor icount --json", to_string=True).splitlines() if l.startswith("{")][0])
with open(os.environ["BENCH_OUT"], "w") as f:
    json.dump({"start": start, "runSecs": run, "times": times, "cpus": cpus, "stubCpus": stub_cpus, "waits": waits, "stubCpuSecs": cpu, "icountAfter": end["icount"]}, f)
gdb.execute("detach")
`;

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];

export async function main(argv = process.argv.slice(2)) {
  const steps = argv.includes('--quick') ? 50 : 200;
  const opt = (name) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
  const g = guestPaths();
  const work = mkdtempSync(join(tmpdir(), 'armrr-bench-linux-gdb-'));
  let replay = null;
  try {
    const logPath = opt('--log') ?? join(work, 'boot.rrlog');
    if (!existsSync(logPath)) {
      log('linux-gdb: recording the fast boot');
      await record(g, logPath);
    }
    replay = await startReplay(g, logPath);
    const script = join(work, 'steps.py');
    writeFileSync(script, GDB_SCRIPT);
    const outFile = join(work, 'out.json');
    log(`linux-gdb: ${steps} reverse-stepi at the end of the replay through gdb-multiarch`);
    execFileSync('gdb-multiarch', ['--batch', '-nx', '-x', join(ROOT, 'scripts/gdb/armrr.py'), '-x', script], {
      env: { ...process.env, BENCH_PORT: String(replay.port), BENCH_STEPS: String(steps), BENCH_OUT: outFile, BENCH_KERNEL: g.VIRT_UIMAGE, BENCH_STUB_PID: String(replay.child.pid) },
      stdio: ['ignore', 'ignore', 'inherit'],
      timeout: 3_600_000,
    });
    const r = JSON.parse(readFileSync(outFile, 'utf8'));
    if (opt('--json') !== undefined) writeFileSync(opt('--json'), JSON.stringify(r));
    if (r.icountAfter !== r.start - steps) throw new Error(`reverse-stepi x${steps} from ${r.start} ended at ${r.icountAfter}`);
    const ms = r.times.map((s) => s * 1000).sort((a, b) => a - b);
    const cpuMs = r.cpus.map((s) => s * 1000).sort((a, b) => a - b);
    const waitMs = r.waits.map((s) => s * 1000).sort((a, b) => a - b);
    const stubMs = r.stubCpus.map((s) => s * 1000).sort((a, b) => a - b);
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    const lines = [
      '## reverse-stepi at the end of the Linux boot (fast boot replay, through gdb-multiarch)',
      '',
      `\`node bench/linux-gdb.js${argv.includes('--quick') ? ' --quick' : ''}\`: the fast boot (${(r.start / 1e9).toFixed(3)}e9 instructions, typed line, power-off) replayed by`,
      `\`armrr replay --gdb\`, kernel symbols loaded (\`armrr load-symbols\`); \`continue\` to the end of the replay (the power-off; ${r.runSecs.toFixed(1)} s), then ${steps} \`reverse-stepi\` timed one by one in gdb's Python (wall time), and the stub's CPU time over them (/proc). Load average at the end: ${load}.`,
      '',
      'Wall time per step, and the CPU time per step of the stub\'s main thread plus gdb\'s (what a step costs on a quiet machine; /proc schedstat), and how long the two waited for a core.',
      '',
      '| reverse-stepi | median (ms) | p99 (ms) | max (ms) | stub CPU per step (ms, mean, all threads) |',
      '|---|---|---|---|---|',
      `| ${steps} steps, wall | ${quantile(ms, 0.5).toFixed(1)} | ${quantile(ms, 0.99).toFixed(1)} | ${ms[ms.length - 1].toFixed(1)} | ${((r.stubCpuSecs * 1000) / steps).toFixed(1)} |`,
      `| stub + gdb CPU | ${quantile(cpuMs, 0.5).toFixed(1)} | ${quantile(cpuMs, 0.99).toFixed(1)} | ${cpuMs[cpuMs.length - 1].toFixed(1)} | |`,
      `| stub main thread CPU | ${quantile(stubMs, 0.5).toFixed(1)} | ${quantile(stubMs, 0.99).toFixed(1)} | ${stubMs[stubMs.length - 1].toFixed(1)} | |`,
      `| waiting for a core | ${quantile(waitMs, 0.5).toFixed(1)} | ${quantile(waitMs, 0.99).toFixed(1)} | ${waitMs[waitMs.length - 1].toFixed(1)} | |`,
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
