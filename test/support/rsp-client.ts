/**
 * A raw GDB remote-protocol client for tests that need what gdb does not let a script do: two
 * connections at once, a Ctrl-C byte while a reply is pending, WebSocket transport. Over TCP or
 * WebSocket (each message one chunk of raw RSP bytes). Every wait has a guard timeout that fails
 * the test with what arrived so far: a failure detector, not a speed claim.
 */
import net from 'node:net';
import WebSocket from 'ws';
import { PacketDecoder, encodePacket } from '../../src/gdbstub/packet-codec.js';

export const GUARD_MS = 10_000;

export class RspClient {
  /** Every packet payload received, in order (console `O` packets included). */
  readonly packets: string[] = [];
  private readonly decoder = new PacketDecoder(1 << 20);
  private waiters: { check: () => boolean; wake: () => void }[] = [];
  private closedWith: Error | null = null;

  private constructor(
    private readonly writeBytes: (bytes: Buffer) => void,
    private readonly end: () => void,
  ) {}

  /** Connects over TCP and switches to no-ack mode. */
  static async tcp(port: number, host = '127.0.0.1'): Promise<RspClient> {
    return RspClient.stream(net.connect(port, host));
  }

  /**
   * Connects to a Unix socket (QEMU's `-gdb chardev:` on a socket path) and stays in ack mode
   * (acknowledging every packet), which is what QEMU 7.2's stub speaks before qSupported.
   */
  static async unixSocket(path: string): Promise<RspClient> {
    return RspClient.stream(net.connect({ path }), false);
  }

  private static async stream(socket: net.Socket, noAck = true): Promise<RspClient> {
    if (noAck) socket.setNoDelay(true);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const client = new RspClient(
      (bytes) => socket.write(bytes),
      () => socket.destroy(),
    );
    client.acking = !noAck;
    socket.on('data', (chunk: Buffer) => client.onBytes(chunk));
    socket.on('error', (e) => client.onClose(e));
    socket.on('close', () => client.onClose(new Error('connection closed')));
    if (noAck) await client.startNoAck();
    return client;
  }

  /** True in ack mode: every received packet is acknowledged with '+'. */
  private acking = false;

  /** Connects over WebSocket (`--gdb-ws`) and switches to no-ack mode. */
  static async webSocket(port: number, host = '127.0.0.1'): Promise<RspClient> {
    const socket = new WebSocket(`ws://${host}:${port}/`);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    const client = new RspClient(
      (bytes) => socket.send(bytes, { binary: true }),
      () => socket.terminate(),
    );
    socket.on('message', (data: Buffer) => client.onBytes(Buffer.from(data)));
    socket.on('error', (e) => client.onClose(e));
    socket.on('close', () => client.onClose(new Error('connection closed')));
    await client.startNoAck();
    return client;
  }

  private async startNoAck(): Promise<void> {
    this.writeBytes(encodePacket('QStartNoAckMode'));
    const reply = await this.next();
    if (reply !== 'OK') throw new Error(`QStartNoAckMode answered '${reply}'`);
  }

  private onBytes(chunk: Buffer): void {
    for (const event of this.decoder.feed(chunk)) {
      if (event.type === 'packet') {
        this.packets.push(event.data.toString('latin1'));
        if (this.acking) this.writeBytes(Buffer.from('+'));
      }
    }
    this.wake();
  }

  private onClose(error: Error): void {
    this.closedWith ??= error;
    this.wake();
  }

  private wake(): void {
    for (const w of [...this.waiters]) if (w.check()) w.wake();
  }

  private read = 0;

  /** The next packet not yet returned (console `O…` packets included). */
  async next(guardMs = GUARD_MS): Promise<string> {
    await this.waitFor(() => this.packets.length > this.read, guardMs, 'a reply');
    return this.packets[this.read++]!;
  }

  /** The next packet that is not console output. */
  async nextReply(guardMs = GUARD_MS): Promise<string> {
    for (;;) {
      const p = await this.next(guardMs);
      if (!/^O[0-9a-f]+$/.test(p) || p === 'OK') return p;
    }
  }

  /** Sends a packet and returns its reply (console output skipped). */
  async ask(payload: string, guardMs = GUARD_MS): Promise<string> {
    this.send(payload);
    return this.nextReply(guardMs);
  }

  /** `monitor CMD`: its console text and the final reply (OK or E…). */
  async monitor(command: string, guardMs = GUARD_MS): Promise<{ text: string; reply: string }> {
    this.send(`qRcmd,${Buffer.from(command, 'utf8').toString('hex')}`);
    let text = '';
    for (;;) {
      const p = await this.next(guardMs);
      if (/^O[0-9a-f]+$/.test(p) && p !== 'OK') text += Buffer.from(p.slice(1), 'hex').toString('utf8');
      else return { text, reply: p };
    }
  }

  send(payload: string): void {
    this.writeBytes(encodePacket(payload));
  }

  /** The Ctrl-C byte (outside any packet). */
  interrupt(): void {
    this.writeBytes(Buffer.from([0x03]));
  }

  /** True when nothing is waiting to be read. */
  get drained(): boolean {
    return this.packets.length === this.read;
  }

  close(): void {
    this.end();
  }

  private waitFor(check: () => boolean, guardMs: number, what: string): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        check: () => check() || this.closedWith !== null,
        wake: () => {
          clearTimeout(timer);
          this.waiters = this.waiters.filter((w) => w !== waiter);
          if (check()) resolve();
          else reject(new Error(`RSP: connection ended while waiting for ${what}: ${this.closedWith?.message}`));
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`RSP: no ${what} within ${guardMs} ms; packets so far: ${JSON.stringify(this.packets.slice(-10))}`));
      }, guardMs);
      this.waiters.push(waiter);
    });
  }
}

/** Register 15 (pc) of a `T…` stop reply, when it carries one. */
export function stopPc(reply: string): number | null {
  const m = /(?:^|;)0?f:([0-9a-f]{8});/.exec(reply.replace(/^T[0-9a-f]{2}/, ';'));
  if (!m) return null;
  return Buffer.from(m[1]!, 'hex').readUInt32LE(0);
}
