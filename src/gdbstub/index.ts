/** Public surface of the gdb stub. */

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
export type { GdbListenErrorCode } from './transports/errors.js';
