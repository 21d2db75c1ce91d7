export { OIDC_PATH, createOidc } from './create-oidc.js';
export type { IOidc, IOidcOptions } from './create-oidc.js';
