/**
 * One gdb connection, independent of the transport: bytes in through `feed`, bytes out through the
 * sink. Handles acks, no-ack mode, retransmission, and the all-stop run state:
 *
 * - While this connection's resume (c/s/vCont/bc/bs) or monitor command is pending, only 0x03 is
 *   acted on (it calls `target.interrupt()`). Other packets are acknowledged and queued, then
 *   answered in order after the stop reply (gdb in all-stop mode sends none; the queue is bounded
 *   and packets beyond it are dropped).
 * - Several connections may share one target (GdbStub). All of them are served reads and writes at
 *   any time; run control from a connection while another one's resume is pending is refused with
 *   `E.` + a message (gdb prints it). Break/watchpoints are reference-counted across connections.
 */

import { dispatch } from './commands.js';
import type { CommandContext, CommandOutcome } from './commands.js';
import { PacketDecoder, encodePacket } from './packet-codec.js';
import type { DecodedEvent } from './packet-codec.js';
import { formatStopReply } from './stop-reply.js';
import type { ClientStopFeatures } from './stop-reply.js';
import type { GdbStub } from './stub.js';
import type { StopReason } from './target.js';

export interface SessionSink {
  write(bytes: Buffer): void;
  /** Ends the connection (after `k`). */
  close(): void;
}

export type PacketTrace = (direction: 'in' | 'out', packet: string) => void;

const MAX_QUEUED_PACKETS = 64;
const MAX_RETRANSMITS = 3;
/** Output of one `O` packet, in bytes (hex doubles it). */
const CONSOLE_CHUNK = 512;

export class GdbSession {
  private readonly decoder: PacketDecoder;
  private noAck = false;
  private lastSent: Buffer | null = null;
  private retransmits = 0;
  private busy: 'idle' | 'running' | 'monitor' = 'idle';
  private readonly queue: Buffer[] = [];
  private closed = false;
  private client: ClientStopFeatures = { swbreak: false, hwbreak: false };
  private readonly context: CommandContext;

  constructor(
    private readonly stub: GdbStub,
    private readonly sink: SessionSink,
    private readonly trace?: PacketTrace,
  ) {
    this.decoder = new PacketDecoder(stub.maxPacketSize);
    this.context = this.makeContext();
  }

  /** true while this connection waits for a stop (resume) or a monitor command. */
  get isBusy(): boolean {
    return this.busy !== 'idle';
  }

  get isRunning(): boolean {
    return this.busy === 'running';
  }

  feed(chunk: Uint8Array): void {
    if (this.closed) return;
    for (const event of this.decoder.feed(chunk)) this.onEvent(event);
  }

  /** The transport closed: drop breakpoints this connection held, stop a run it started. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue.length = 0;
    if (this.busy !== 'idle') this.callTarget(() => this.stub.target.interrupt());
    this.stub.detachSession(this);
  }

  private onEvent(event: DecodedEvent): void {
    switch (event.type) {
      case 'packet':
        if (!this.noAck) this.writeRaw(Buffer.from('+'));
        this.trace?.('in', event.data.toString('latin1'));
        if (this.busy !== 'idle') {
          if (this.queue.length < MAX_QUEUED_PACKETS) this.queue.push(event.data);
        } else {
          this.handle(event.data);
        }
        return;
      case 'bad-checksum':
      case 'overflow':
        // In no-ack mode there is no way to ask again: the packet is dropped.
        if (!this.noAck) this.writeRaw(Buffer.from('-'));
        return;
      case 'interrupt':
        // A monitor command that runs (seek) stops on Ctrl-C too.
        if (this.busy !== 'idle') this.callTarget(() => this.stub.target.interrupt());
        return;
      case 'ack':
        this.retransmits = 0;
        return;
      case 'nak':
        if (!this.noAck && this.lastSent && this.retransmits < MAX_RETRANSMITS) {
          this.retransmits++;
          this.writeRaw(this.lastSent);
        }
        return;
    }
  }

  private handle(packet: Buffer): void {
    let outcome: CommandOutcome;
    try {
      outcome = dispatch(this.context, packet);
    } catch (error) {
      outcome = { kind: 'reply', payload: errorReply(error) };
    }
    switch (outcome.kind) {
      case 'reply':
        this.send(outcome.payload);
        return;
      case 'silent':
        this.sink.close();
        return;
      case 'no-ack':
        this.send(outcome.payload);
        this.noAck = true;
        return;
      case 'resume':
        this.startResume(outcome.run);
        return;
      case 'monitor':
        this.startMonitor(outcome.command);
        return;
    }
  }

  private startResume(run: () => Promise<StopReason>): void {
    const refusal = this.stub.claimRunControl(this);
    if (refusal) {
      this.send(`E.${refusal}`);
      return;
    }
    this.busy = 'running';
    let pending: Promise<StopReason>;
    try {
      pending = run();
    } catch (error) {
      pending = Promise.reject(error);
    }
    pending.then(
      (stop) => {
        this.stub.recordStop(this, stop);
        this.finish(() => formatStopReply(stop, this.stub.target, this.client));
      },
      (error: unknown) => {
        this.stub.recordStop(this, null);
        this.finish(() => errorReply(error));
      },
    );
  }

  private startMonitor(command: string): void {
    const monitor = this.stub.target.monitor;
    if (!monitor) return this.send('');
    this.busy = 'monitor';
    const out = (text: string): void => this.sendConsole(text);
    let pending: Promise<void> | void;
    try {
      pending = monitor.call(this.stub.target, command, out, this);
    } catch (error) {
      pending = Promise.reject(error);
    }
    Promise.resolve(pending).then(
      () => this.finish(() => 'OK'),
      (error: unknown) => {
        // gdb shows O output but not error text: print the reason, then fail the command.
        this.sendConsole(`${errorMessage(error)}\n`);
        this.finish(() => 'E01');
      },
    );
  }

  /** Sends the reply that ends a pending command, then works through queued packets. */
  private finish(replyPayload: () => string): void {
    this.busy = 'idle';
    if (this.closed) return;
    let payload: string;
    try {
      payload = replyPayload();
    } catch (error) {
      payload = errorReply(error);
    }
    this.send(payload);
    while (this.busy === 'idle' && !this.closed && this.queue.length > 0) {
      this.handle(this.queue.shift()!);
    }
  }

  private sendConsole(text: string): void {
    if (this.closed) return;
    const bytes = Buffer.from(text, 'utf8');
    for (let offset = 0; offset < bytes.length; offset += CONSOLE_CHUNK) {
      this.send(`O${bytes.subarray(offset, offset + CONSOLE_CHUNK).toString('hex')}`);
    }
  }

  private send(payload: string | Buffer): void {
    if (this.closed) return;
    this.trace?.('out', typeof payload === 'string' ? payload : payload.toString('latin1'));
    const framed = encodePacket(payload);
    this.lastSent = framed;
    this.retransmits = 0;
    this.writeRaw(framed);
  }

  private writeRaw(bytes: Buffer): void {
    if (this.closed) return;
    try {
      this.sink.write(bytes);
    } catch {
      // The transport is going away; its close handler tidies up.
    }
  }

  private callTarget(call: () => void): void {
    try {
      call();
    } catch {
      // A target failing to take an interrupt must not take the host down.
    }
  }

  private makeContext(): CommandContext {
    const stub = this.stub;
    return {
      target: stub.target,
      maxPacketSize: stub.maxPacketSize,
      lastStopReply: () => formatStopReply(stub.lastStop, stub.target, this.client),
      negotiate: (clientFeatures) => {
        this.client = {
          swbreak: clientFeatures.includes('swbreak+'),
          hwbreak: clientFeatures.includes('hwbreak+'),
        };
        return stub.supportedFeatures();
      },
      insertPoint: (key, add, remove) => stub.breakpoints.insert(key, this, add, remove),
      releasePoint: (key) => stub.breakpoints.release(key, this),
      onDetach: () => {
        stub.detachSession(this);
        // A second connection (Live Watch) detaching must not let go of the first one's target.
        if (stub.sessions.size === 0) stub.target.detach?.();
      },
    };
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** `E.message`: gdb shows the text for most packets ("Remote failure reply: …" otherwise). */
function errorReply(error: unknown): string {
  return `E.${errorMessage(error).replace(/[\r\n]+/g, ' ').slice(0, 200)}`;
}
