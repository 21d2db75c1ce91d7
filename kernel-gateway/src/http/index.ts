export {
  ChannelsConnection,
  WS_HIGH_WATER_BYTES,
  WS_MAX_QUEUED_BYTES
} from './channels-connection.js';
export { API_VERSION, createGateway } from './create-gateway.js';
export type { IGateway, IGatewayOptions } from './create-gateway.js';
export {
  DESIGNATED_FUNCTIONS_ENV,
  kernelsRouter,
  OWNER_ENV,
  parseStartBody,
  PROJECT_ENV,
  withCallerAsOwner,
  withProjectFiles
} from './kernels-router.js';
export type { IProjectSource } from './kernels-router.js';
export {
  authorizeRequest,
  callerOf,
  isOriginAllowed,
  presentedToken,
  requestGuard
} from './request-guard.js';
export { CREDENTIAL_CACHE_MS, CredentialResolver } from './credentials.js';
export type { Caller, ICredentialSource } from './credentials.js';
export { KernelOwners } from './kernel-owners.js';
export type { IRequestGuardOptions } from './request-guard.js';
export { sessionsRouter } from './sessions-router.js';
export type { ISessionModel } from './sessions-router.js';
export {
  V1_PROTOCOL,
  deserializeWsMessage,
  serializeWsMessage
} from './ws-codec.js';
export type { WebSocketProtocol } from './ws-codec.js';
