/**
 * vitest global setup: the CLI tests run `bin/armrr.js`, which runs the compiled `dist/`, while the
 * in-process tests import `src/` directly. So that the two can never disagree (a stale `dist/`
 * silently testing old code), compile whenever any `src/**.ts` is newer than its `dist/**.js`
 * (or has none) — before any test file runs, whichever way vitest was started.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function staleSources(dir: string): string[] {
  const stale: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      stale.push(...staleSources(path));
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
      const out = join(ROOT, 'dist', relative(join(ROOT, 'src'), path)).replace(/\.ts$/, '.js');
      if (!existsSync(out) || statSync(out).mtimeMs < statSync(path).mtimeMs) stale.push(path);
    }
  }
  return stale;
}

export default function setup(): void {
  const stale = staleSources(join(ROOT, 'src'));
  if (stale.length === 0) return;
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  try {
    execFileSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.json')], { cwd: ROOT, stdio: 'pipe' });
  } catch (e) {
    const out = (e as { stdout?: Buffer }).stdout?.toString() ?? String(e);
    throw new Error(`dist/ is stale (${relative(ROOT, stale[0]!)} changed) and does not compile:\n${out}`);
  }
}
