/**
 * State shared by every gdb connection to one target: who holds run control, the last stop, and
 * reference-counted break/watchpoints. Transports call `connect` once per connection.
 */

import { BreakpointTable } from './breakpoint-table.js';
import { MAX_PACKET_SIZE } from './packet-codec.js';
import { GdbSession } from './session.js';
import type { PacketTrace, SessionSink } from './session.js';
import type { GdbTarget, StopReason } from './target.js';

export interface GdbStubOptions {
  /** Largest packet gdb may send (advertised as PacketSize). */
  maxPacketSize?: number;
  /** Called with every packet payload in and out (for `--gdb-trace` style debugging). */
  trace?: PacketTrace;
}

export class GdbStub {
  readonly maxPacketSize: number;
  readonly breakpoints = new BreakpointTable<GdbSession>();
  /** What `?` reports: the last stop of any connection (SIGTRAP before the first one). */
  lastStop: StopReason = { kind: 'signal', signal: 5 };
  private runOwner: GdbSession | null = null;
  private readonly openSessions = new Set<GdbSession>();

  constructor(
    readonly target: GdbTarget,
    private readonly options: GdbStubOptions = {},
  ) {
    this.maxPacketSize = options.maxPacketSize ?? MAX_PACKET_SIZE;
  }

  connect(sink: SessionSink): GdbSession {
    const session = new GdbSession(this, sink, this.options.trace);
    this.openSessions.add(session);
    return session;
  }

  get sessions(): ReadonlySet<GdbSession> {
    return this.openSessions;
  }

  /** The qSupported reply: derived from the target's optional capabilities. */
  supportedFeatures(): string {
    const features = [
      `PacketSize=${this.maxPacketSize.toString(16)}`,
      'QStartNoAckMode+',
      'qXfer:features:read+',
      'qXfer:memory-map:read+',
      'swbreak+',
      'hwbreak+',
      'vContSupported+',
    ];
    if (this.target.reverseStep) features.push('ReverseStep+');
    if (this.target.reverseContinue) features.push('ReverseContinue+');
    return features.join(';');
  }

  /** null when `session` may resume the target; otherwise why not. */
  claimRunControl(session: GdbSession): string | null {
    if (this.runOwner && this.runOwner !== session) {
      return 'the target is running under another gdb connection; interrupt it there first';
    }
    this.runOwner = session;
    return null;
  }

  /** A resume ended (`stop` null when the target failed). */
  recordStop(session: GdbSession, stop: StopReason | null): void {
    if (this.runOwner === session) this.runOwner = null;
    if (stop) this.lastStop = stop;
  }

  /** A connection closed or detached for good. */
  detachSession(session: GdbSession): void {
    this.openSessions.delete(session);
    try {
      this.breakpoints.releaseAll(session);
      this.target.releaseConnection?.(session);
    } catch {
      // A target that fails to remove a point must not break the other connections.
    }
  }
}
