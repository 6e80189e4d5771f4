/** Where in a replay log something went wrong. `index` is 0-based; humans see event `index + 1`. */
export interface LogLocation {
  readonly offset: number;
  readonly index: number;
  readonly icount: number;
}

/** A replay log that cannot be read (bad header, corrupt or truncated data, bad seek). */
export class ReplayLogError extends Error {
  override readonly name = 'ReplayLogError';
  /** Renders as "<what> (byte offset O, event K, icount N); <what to do>." */
  constructor(
    what: string,
    readonly location?: LogLocation,
    hint?: string,
  ) {
    const where = location === undefined ? '' : ` ${describeLocation(location)}`;
    super(hint === undefined ? `${what}${where}` : `${what}${where}; ${hint}.`);
  }
}

/** The caller asked the writer for something the format cannot hold (a bug in the recorder). */
export class ReplayLogWriteError extends Error {
  override readonly name = 'ReplayLogWriteError';
}

/** Same numbering as replay-dump.py: events count from 1 and INSTRUCTION events count too. */
export function describeLocation(at: LogLocation): string {
  return `(byte offset ${at.offset}, event ${at.index + 1}, icount ${at.icount})`;
}
