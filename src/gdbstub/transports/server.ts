/** What every transport returns once it listens. */

import { GdbStub } from '../stub.js';
import type { GdbTarget } from '../target.js';

export interface GdbServer {
  /** The address actually bound (port 0 picks a free port). */
  readonly host: string;
  readonly port: number;
  readonly stub: GdbStub;
  /** Stops listening and closes every open connection. */
  close(): Promise<void>;
}

export interface ListenOptions {
  /** Default 127.0.0.1: the stub gives full control of the machine, keep it off the network. */
  host?: string;
  port: number;
}

/** Transports on one GdbStub share run control and breakpoints; a bare target gets its own stub. */
export function stubFor(target: GdbTarget | GdbStub): GdbStub {
  return target instanceof GdbStub ? target : new GdbStub(target);
}
