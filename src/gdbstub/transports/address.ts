/** Parses the CLI's `--gdb [HOST:]PORT` into listen options. */

import { GdbListenError } from './errors.js';
import type { ListenOptions } from './server.js';

export function parseListenAddress(text: string): Required<ListenOptions> {
  const colon = text.lastIndexOf(':');
  const host = colon < 0 ? '127.0.0.1' : text.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  const portText = colon < 0 ? text : text.slice(colon + 1);
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
  if (!(port >= 0 && port <= 65535) || host === '') {
    throw new GdbListenError('listen-failed', `"${text}" is not [HOST:]PORT (e.g. 1234 or 127.0.0.1:1234)`);
  }
  return { host, port };
}
