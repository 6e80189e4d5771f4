/**
 * Public surface of the gdb stub.
 *
 *   const server = await listenTcp(target, { port: 1234 });        // host defaults to 127.0.0.1
 *   const ws = await listenWebSocket(server.stub, { port: 8080 }); // same stub: shared run control
 *   ...
 *   await server.close();
 *
 * `target` implements GdbTarget (target.ts); everything protocol-side lives here.
 */

export type {
  BreakpointType,
  GdbTarget,
  MemoryRegion,
  ResumeAction,
  StopReason,
  WatchpointType,
} from './target.js';
export { GdbStub } from './stub.js';
export type { GdbStubOptions } from './stub.js';
export { GdbSession } from './session.js';
export type { PacketTrace, SessionSink } from './session.js';
export { formatStopReply } from './stop-reply.js';
export { M_PROFILE_REGISTERS, REG_MSP, REG_PC, REG_PSP, REG_SP, REG_XPSR } from './register-layout.js';
export { listenTcp } from './transports/tcp.js';
export { listenWebSocket } from './transports/websocket.js';
export type { WebSocketListenOptions } from './transports/websocket.js';
export type { GdbServer, ListenOptions } from './transports/server.js';
export { GdbListenError } from './transports/errors.js';
export { parseListenAddress } from './transports/address.js';
export type { GdbListenErrorCode } from './transports/errors.js';
