// Wall and CPU seconds of a whole child process. Node reports resource usage for its own process
// only, so the child runs under GNU time (`/usr/bin/time -o FILE`), which writes the child's
// user + system seconds to a file of its own: the child's stdout and stderr stay untouched. CPU
// seconds say more than wall time on a loaded machine (other processes take the cores, not the
// child's CPU time).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const GNU_TIME = '/usr/bin/time';

/** True when GNU time is installed (Debian package `time`). */
export function cpuTimeAvailable() {
  return existsSync(GNU_TIME);
}

/**
 * Runs `cmd args` to its end. Returns { secs (wall), cpu (user + system seconds, null without GNU
 * time), status, stdout, stderr }. `options` go to spawnSync (stdio, encoding, maxBuffer...).
 */
export function timedChild(cmd, args, options = {}) {
  const spawnOptions = { encoding: 'utf8', maxBuffer: 1 << 28, ...options };
  const t0 = process.hrtime.bigint();
  if (!cpuTimeAvailable()) {
    const r = spawnSync(cmd, args, spawnOptions);
    return { secs: Number(process.hrtime.bigint() - t0) / 1e9, cpu: null, status: r.status, stdout: r.stdout, stderr: r.stderr };
  }
  const dir = mkdtempSync(join(tmpdir(), 'armrr-bench-time-'));
  try {
    const out = join(dir, 'time');
    const r = spawnSync(GNU_TIME, ['-o', out, '-f', '%U %S', cmd, ...args], spawnOptions);
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    // GNU time writes "Command exited with non-zero status N" before the format line when it fails.
    const m = /([\d.]+) ([\d.]+)\s*$/.exec(existsSync(out) ? readFileSync(out, 'utf8') : '');
    const cpu = m ? Number(m[1]) + Number(m[2]) : null;
    return { secs, cpu, status: r.status, stdout: r.stdout, stderr: r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
