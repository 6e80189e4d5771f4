/** `armrr diff A B`: align two logs and show where they part; exit 0 identical, 1 different. */
import { diffLogs } from '../../replay/diff.js';
import { ReplayLogError } from '../../replay/errors.js';
import { CliError, EXIT_BAD_LOG, parseCount } from '../errors.js';
import { readLogFile } from './dump.js';

export async function diffCommand(a: string, b: string, opts: { context: string }): Promise<void> {
  const context = parseCount('--context', opts.context);
  let result;
  try {
    result = diffLogs(readLogFile(a), readLogFile(b), { context });
  } catch (e) {
    if (e instanceof ReplayLogError) throw new CliError(e.message, EXIT_BAD_LOG);
    throw e;
  }
  process.stdout.write(result.lines.join('\n') + (result.lines.length ? '\n' : '') + result.summary + '\n');
  process.exitCode = result.identical ? 0 : 1;
}
