export { HOST_STALE_AFTER_MS, createHostsRouter } from './hosts-router.js';
export type { IHostsRouterOptions } from './hosts-router.js';
export { hostsOpenApi } from './hosts-openapi.js';
