/** `armrr diff A B`: align two logs and show where they part; exit 0 identical, 1 different. */
import { DIFF_EVENT_NAMES, diffLogs } from '../../replay/diff.js';
import { ReplayLogError } from '../../replay/errors.js';
import { CliError, EXIT_BAD_LOG, parseCount } from '../errors.js';
import { readLogFile } from './dump.js';

export async function diffCommand(a: string, b: string, opts: { context: string; ignore?: string[]; ignoreQemuOnly?: boolean }): Promise<void> {
  const context = parseCount('--context', opts.context);
  const ignore = (opts.ignore ?? []).flatMap((v) => v.split(',')).filter((v) => v !== '');
  for (const name of ignore) {
    if (!DIFF_EVENT_NAMES.includes(name)) {
      throw new CliError(`--ignore: unknown event '${name}'; names are kinds or canonical names such as ${DIFF_EVENT_NAMES.filter((n) => n.startsWith('CHECKPOINT')).slice(0, 3).join(', ')}; all: ${DIFF_EVENT_NAMES.join(' ')}`);
    }
  }
  let result;
  try {
    result = diffLogs(readLogFile(a), readLogFile(b), { context, ignore, ignoreQemuOnly: opts.ignoreQemuOnly === true });
  } catch (e) {
    if (e instanceof ReplayLogError) throw new CliError(e.message, EXIT_BAD_LOG);
    throw e;
  }
  process.stdout.write(result.lines.join('\n') + (result.lines.length ? '\n' : '') + result.summary + '\n');
  process.exitCode = result.identical ? 0 : 1;
}
