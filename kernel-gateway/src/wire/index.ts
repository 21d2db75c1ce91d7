export {
  channelAddress,
  createConnectionInfo,
  ipcSocketPaths
} from './connection-info.js';
export type { IConnectionInfo, WireChannel } from './connection-info.js';
export { ByteRateLimiter } from './byte-rate-limiter.js';
export {
  IOPUB_RATE_LIMIT,
  KernelChannels,
  RECEIVE_SLICE_MS
} from './kernel-channels.js';
export type { RequestChannel } from './kernel-channels.js';
export { createMessage, PROTOCOL_VERSION } from './message-factory.js';
export type { ICreateMessageOptions } from './message-factory.js';
export {
  CLIENT_REQUEST_TYPES,
  assertClientMessage,
  assertHeader,
  assertMessage
} from './message-validation.js';
export {
  DELIMITER,
  MAX_JSON_PART_BYTES,
  deserializeMessage,
  serializeMessage,
  signParts,
  signaturesMatch
} from './wire-codec.js';
export type { IWireMessage } from './wire-codec.js';
