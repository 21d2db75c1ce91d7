export { openStore } from './open-store.js';
export type { IOpenStoreOptions, IStore } from './store.js';
export type { IJobs, IPage, JobSummary } from './jobs/contract.js';
export type { IJobQueue } from './queue/contract.js';
export type { IJobEvents, NewJobEvent } from './events/contract.js';
export type { IProjects } from './projects/contract.js';
export type {
  IAccounts,
  IApiTokens,
  ISessions,
  IUsers
} from './accounts/contract.js';
export type { IHosts } from './hosts/contract.js';
export type { IOidcRecords } from './oidc/contract.js';
export type { IBaselines } from './baselines/contract.js';
export type { ISweeps } from './sweeps/contract.js';
export { hashTokenSecret } from './accounts/token-hash.js';
export { listedApiToken } from './accounts/listed-api-token.js';
export type { ISeries } from './series/contract.js';
export type { IPointColumns } from './series/series-chunk.js';
export { SERIES_CHUNK_POINTS } from './series/contract.js';
export { downsampleSeries } from './series/downsample.js';
export type { IDownsampleOptions } from './series/downsample.js';
export { LOG_TAIL_MAX_BYTES } from './events/log-tail.js';
export type { IJobArtifacts } from './artifacts/contract.js';
export type { IChats } from './chats/contract.js';
export { mediaTypeOf } from './artifacts/media-type.js';
