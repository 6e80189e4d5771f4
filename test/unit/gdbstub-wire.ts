/** Test helper: a client end of a GdbSession that frames requests and decodes replies. */

import { PacketDecoder, encodePacket } from '../../src/gdbstub/packet-codec.js';
import type { GdbSession } from '../../src/gdbstub/session.js';
import { GdbStub } from '../../src/gdbstub/stub.js';
import type { GdbTarget } from '../../src/gdbstub/target.js';

export class Wire {
  readonly session: GdbSession;
  readonly raw: Buffer[] = [];
  readonly replies: string[] = [];
  acks = 0;
  naks = 0;
  closed = false;
  private readonly decoder = new PacketDecoder(1 << 20);

  constructor(
    readonly stub: GdbStub,
    { noAck = true } = {},
  ) {
    this.session = stub.connect({
      write: (bytes) => {
        this.raw.push(bytes);
        for (const event of this.decoder.feed(bytes)) {
          if (event.type === 'packet') this.replies.push(event.data.toString('latin1'));
          else if (event.type === 'ack') this.acks++;
          else if (event.type === 'nak') this.naks++;
        }
      },
      close: () => {
        this.closed = true;
      },
    });
    if (noAck) {
      this.session.feed(encodePacket('QStartNoAckMode'));
      this.replies.length = 0;
    }
  }

  static for(target: GdbTarget, options?: { noAck?: boolean }): Wire {
    return new Wire(new GdbStub(target), options);
  }

  send(payload: string | Buffer): void {
    this.session.feed(encodePacket(payload));
  }

  /** Sends one packet and returns the replies it produced synchronously. */
  ask(payload: string | Buffer): string[] {
    const before = this.replies.length;
    this.send(payload);
    return this.replies.slice(before);
  }

  /** Sends one packet and returns its only synchronous reply. */
  one(payload: string | Buffer): string {
    const replies = this.ask(payload);
    if (replies.length !== 1) throw new Error(`expected one reply to ${String(payload)}, got ${JSON.stringify(replies)}`);
    return replies[0]!;
  }

  /** Sends a packet whose reply comes later (resume, monitor) and waits for `count` replies. */
  async later(payload: string | Buffer, count = 1): Promise<string[]> {
    const before = this.replies.length;
    this.send(payload);
    await this.waitForReplies(before + count);
    return this.replies.slice(before);
  }

  /** Lets the event loop run until `total` replies have arrived (or a bounded number of turns). */
  async waitForReplies(total: number): Promise<void> {
    for (let i = 0; i < 1000 && this.replies.length < total; i++) {
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}
