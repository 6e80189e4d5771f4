/** Why a gdb server could not start listening, with a message a user can act on. */

export type GdbListenErrorCode = 'port-in-use' | 'bad-host' | 'permission-denied' | 'listen-failed';

export class GdbListenError extends Error {
  override readonly name = 'GdbListenError';

  constructor(
    readonly code: GdbListenErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Maps a Node listen error to a GdbListenError. */
export function listenError(error: unknown, host: string, port: number): GdbListenError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'EADDRINUSE':
      return new GdbListenError('port-in-use', `port ${port} is in use; pick another with --gdb PORT`, { cause: error });
    case 'EACCES':
      return new GdbListenError(
        'permission-denied',
        `not allowed to listen on port ${port}; ports below 1024 need privileges, pick another with --gdb PORT`,
        { cause: error },
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EADDRNOTAVAIL':
    case 'EAI_NONAME':
      return new GdbListenError(
        'bad-host',
        `cannot listen on host "${host}": it is not an address of this machine (use 127.0.0.1, or --gdb HOST:PORT)`,
        { cause: error },
      );
    default:
      return new GdbListenError(
        'listen-failed',
        `cannot listen on ${host}:${port}: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
  }
}

export function checkPort(port: number, host: string): void {
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new GdbListenError('listen-failed', `cannot listen on ${host}:${port}: a port is 0..65535`);
  }
}
