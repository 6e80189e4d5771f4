/**
 * Exit codes and the user-facing error type of the CLI (DESIGN §6):
 * 0 ok (or the guest's exit code), 1 differences found (diff), 2 usage error, 3 bad or diverging log,
 * 4 emulation error (bad firmware, guest lockup, emulator failure).
 */
export const EXIT_USAGE = 2;
export const EXIT_BAD_LOG = 3;
export const EXIT_EMULATION = 4;

/** An error whose message is meant for the user as is; `exitCode` says how the CLI ends. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT_USAGE,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Parse a non-negative integer option ("1e6" and "0x10" accepted). */
export function parseCount(name: string, raw: string): number {
  const v = Number(raw);
  if (!Number.isFinite(v) || v < 0 || !Number.isInteger(v)) {
    throw new CliError(`${name} must be a non-negative integer, got '${raw}'`);
  }
  return v;
}
