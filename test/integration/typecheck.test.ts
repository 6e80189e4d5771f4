/**
 * The tests and their support code type-check under the project's strict settings
 * (vitest strips types without checking them, so a test could otherwise call an API with the wrong
 * arguments and still run). tsconfig.test.json = tsconfig.json + test/, no output.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

describe('type check', () => {
  it('src and test have no TypeScript errors (tsc -p tsconfig.test.json)', () => {
    const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.test.json'], { encoding: 'utf8' });
    expect(r.error).toBeUndefined();
    expect(`${r.stdout}${r.stderr}`.trim()).toBe('');
    expect(r.status).toBe(0);
  });
});
