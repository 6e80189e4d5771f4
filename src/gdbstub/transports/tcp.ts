/** RSP over TCP: one GdbSession per socket. */

import net from 'node:net';
import type { GdbStub } from '../stub.js';
import type { GdbTarget } from '../target.js';
import { checkPort, listenError } from './errors.js';
import { stubFor } from './server.js';
import type { GdbServer, ListenOptions } from './server.js';
import { ReplyBusyPoll } from './busy-poll.js';

/** How long the loop keeps polling after a reply to a back-to-back client (busy-poll.ts). */
export const DEFAULT_BUSY_POLL_MS = 0.25;

export interface TcpListenOptions extends ListenOptions {
  /** See ReplyBusyPoll; 0 = sleep in the event loop between packets. */
  busyPollMs?: number;
}

export async function listenTcp(target: GdbTarget | GdbStub, options: TcpListenOptions): Promise<GdbServer> {
  const host = options.host ?? '127.0.0.1';
  checkPort(options.port, host);
  const stub = stubFor(target);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    const busyPoll = new ReplyBusyPoll(options.busyPollMs ?? DEFAULT_BUSY_POLL_MS);
    const session = stub.connect({
      write: (bytes) => {
        if (socket.destroyed) return;
        socket.write(bytes);
        busyPoll.replied();
      },
      close: () => socket.end(),
    });
    socket.on('data', (chunk: Buffer) => {
      busyPoll.input();
      session.feed(chunk);
    });
    // Resets and other socket errors end only this connection.
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      sockets.delete(socket);
      session.close();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => reject(listenError(error, host, options.port)));
    server.listen(options.port, host, () => resolve());
  });
  server.on('error', () => {
    // After listening, server errors concern single connections, handled per socket.
  });

  const address = server.address() as net.AddressInfo;
  return {
    host: address.address,
    port: address.port,
    stub,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
