/**
 * RSP over WebSocket for browser clients: each message carries raw RSP bytes (binary or text
 * frames are both accepted); replies go out as binary frames, exactly the bytes TCP would carry.
 */

import { WebSocketServer } from 'ws';
import type { RawData, WebSocket } from 'ws';
import type { GdbStub } from '../stub.js';
import type { GdbTarget } from '../target.js';
import { checkPort, listenError } from './errors.js';
import { stubFor } from './server.js';
import type { GdbServer, ListenOptions } from './server.js';

export interface WebSocketListenOptions extends ListenOptions {
  /** Only upgrade requests for this path (default: any path). */
  path?: string;
}

export async function listenWebSocket(
  target: GdbTarget | GdbStub,
  options: WebSocketListenOptions,
): Promise<GdbServer> {
  const host = options.host ?? '127.0.0.1';
  checkPort(options.port, host);
  const stub = stubFor(target);
  const server = new WebSocketServer({
    host,
    port: options.port,
    // A single RSP packet is at most a few KiB; refuse anything absurd.
    maxPayload: 1 << 20,
    ...(options.path ? { path: options.path } : {}),
  });

  await new Promise<void>((resolve, reject) => {
    server.once('listening', () => resolve());
    server.once('error', (error) => reject(listenError(error, host, options.port)));
  });
  server.on('error', () => {
    // After listening, errors concern single connections, handled per socket.
  });

  server.on('connection', (socket: WebSocket) => {
    const session = stub.connect({
      write: (bytes) => {
        if (socket.readyState === socket.OPEN) socket.send(bytes, { binary: true });
      },
      close: () => socket.close(),
    });
    socket.on('message', (data: RawData) => session.feed(toBuffer(data)));
    socket.on('error', () => socket.terminate());
    socket.on('close', () => session.close());
  });

  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    host,
    port,
    stub,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  };
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
