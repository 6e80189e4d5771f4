/**
 * `armrr dump LOG`: print every event (replay-dump.py's numbering), or JSON with --json, on stdout;
 * what is wrong with the log on stderr. Exit 0 for a whole log or one cut short, 3 for a damaged one.
 */
import { readFileSync } from 'node:fs';
import { dumpLogLines } from '../../replay/dump.js';
import { CliError, EXIT_BAD_LOG } from '../errors.js';

export function readLogFile(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new CliError(`cannot read log '${path}': ${(e as Error).message}`, EXIT_BAD_LOG);
  }
}

export async function dumpCommand(logPath: string, opts: { json?: boolean }): Promise<void> {
  const lines = dumpLogLines(readLogFile(logPath), { json: opts.json === true, strict: 'auto' });
  // Stream: a long log's dump can be large; respect stdout back-pressure.
  let chunk = '';
  for (;;) {
    const step = lines.next();
    if (step.done === true) {
      await write(chunk);
      // Diagnostics go to stderr; a log cut short is a warning (exit 0), damage is exit 3.
      for (const line of step.value.diagnostics) process.stderr.write(`armrr: ${line}\n`);
      process.exitCode = step.value.corrupt ? EXIT_BAD_LOG : 0;
      return;
    }
    chunk += step.value + '\n';
    if (chunk.length > 1 << 16) {
      await write(chunk);
      chunk = '';
    }
  }
}

function write(s: string): Promise<void> {
  if (s === '') return Promise.resolve();
  return new Promise((resolve) => {
    if (process.stdout.write(s)) resolve();
    else process.stdout.once('drain', () => resolve());
  });
}
