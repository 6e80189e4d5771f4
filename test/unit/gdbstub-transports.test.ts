import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { parseListenAddress } from '../../src/gdbstub/transports/address.js';
import { GdbListenError } from '../../src/gdbstub/transports/errors.js';
import type { GdbServer } from '../../src/gdbstub/transports/server.js';
import { listenTcp } from '../../src/gdbstub/transports/tcp.js';
import { listenWebSocket } from '../../src/gdbstub/transports/websocket.js';
import { FakeTarget } from './gdbstub-fake-target.js';

const servers: GdbServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function tcpExchange(port: number, send: string, until: RegExp): Promise<string> {
  const socket = net.connect(port, '127.0.0.1');
  let received = '';
  return new Promise((resolve, reject) => {
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      if (until.test(received)) {
        socket.destroy();
        resolve(received);
      }
    });
    socket.on('error', reject);
    socket.write(send);
  });
}

describe('listenTcp', () => {
  it('listens on 127.0.0.1 by default and speaks RSP', async () => {
    const server = await listenTcp(new FakeTarget(), { port: 0 });
    servers.push(server);
    expect(server.host).toBe('127.0.0.1');
    const reply = await tcpExchange(server.port, '$?#3f', /#[0-9a-f]{2}$/);
    expect(reply).toMatch(/^\+\$T05thread:1;0f:00010000;0d:00100020;(?:[0-9a-f]{2}:[0-9a-f]{8};){17}#[0-9a-f]{2}$/);
  });

  it('shares one stub between connections and survives a client reset', async () => {
    const target = new FakeTarget();
    const server = await listenTcp(target, { port: 0 });
    servers.push(server);
    const rude = net.connect(server.port, '127.0.0.1');
    await new Promise((resolve) => rude.on('connect', resolve));
    rude.write('$Z0,100,2#');
    rude.resetAndDestroy();
    expect(await tcpExchange(server.port, '$qAttached#8f', /\$1#31$/)).toBe('+$1#31');
  });

  it('reports a port in use with an actionable message', async () => {
    const server = await listenTcp(new FakeTarget(), { port: 0 });
    servers.push(server);
    const error = await listenTcp(new FakeTarget(), { port: server.port }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GdbListenError);
    expect((error as GdbListenError).code).toBe('port-in-use');
    expect((error as GdbListenError).message).toBe(`port ${server.port} is in use; pick another with --gdb PORT`);
  });

  it('reports a host that is not ours', async () => {
    const error = await listenTcp(new FakeTarget(), { host: '203.0.113.7', port: 0 }).catch((e: unknown) => e);
    expect((error as GdbListenError).code).toBe('bad-host');
    const bad = await listenTcp(new FakeTarget(), { host: 'no-such-host.invalid', port: 0 }).catch((e: unknown) => e);
    expect((bad as GdbListenError).code).toBe('bad-host');
    await expect(listenTcp(new FakeTarget(), { port: 70000 })).rejects.toThrow(/a port is 0..65535/);
  });
});

describe('listenWebSocket', () => {
  it('carries raw RSP bytes in both directions, binary or text frames', async () => {
    const server = await listenWebSocket(new FakeTarget(), { port: 0 });
    servers.push(server);
    const socket = new WebSocket(`ws://127.0.0.1:${server.port}`);
    const received: Buffer[] = [];
    socket.on('message', (data: Buffer) => received.push(data));
    await new Promise((resolve, reject) => {
      socket.on('open', resolve);
      socket.on('error', reject);
    });
    socket.send('$qAttached#8f');
    socket.send(Buffer.from('$?#3'));
    socket.send(Buffer.from('f'));
    for (let i = 0; i < 200 && !Buffer.concat(received).toString().includes('T05'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(Buffer.concat(received).toString('latin1')).toMatch(/^\+\$1#31\+\$T05thread:1;/);
    socket.close();
  });
});

describe('parseListenAddress', () => {
  it('parses PORT and HOST:PORT, defaulting to loopback', () => {
    expect(parseListenAddress('1234')).toEqual({ host: '127.0.0.1', port: 1234 });
    expect(parseListenAddress('0.0.0.0:3333')).toEqual({ host: '0.0.0.0', port: 3333 });
    expect(parseListenAddress('[::1]:3333')).toEqual({ host: '::1', port: 3333 });
    expect(() => parseListenAddress('localhost:http')).toThrow(/is not \[HOST:\]PORT/);
    expect(() => parseListenAddress('99999')).toThrow(GdbListenError);
  });
});
