export { securityMiddleware } from './security-middleware.js';
export type { ISecurityOptions } from './security-middleware.js';
export { createOriginCheck, normalizeOrigin } from './origin-check.js';
export { TokenBucket, createJobRateLimit } from './rate-limit.js';
export type {
  IJobRateLimitOptions,
  ITokenBucketOptions
} from './rate-limit.js';
