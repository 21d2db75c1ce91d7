export { createAuth } from './create-auth.js';
export { DEFAULT_PUBLIC_PATHS, SESSION_COOKIE_NAME } from './auth-options.js';
export type { IAuth, IAuthOptions } from './auth-options.js';
export { createTokensRouter } from './tokens-router.js';
export { issueApiToken } from './issue-api-token.js';
export type { ITokensRouterOptions } from './tokens-router.js';
export {
  AccountsSessionStore,
  DEFAULT_SESSION_MAX_AGE_MS
} from './accounts-session-store.js';
export {
  API_TOKEN_PREFIX,
  bearerSecret,
  hashSecret,
  newTokenSecret
} from './token-secret.js';
export { publicUser } from './user.js';
export {
  authOpenApi,
  hubCredentialsOpenApi,
  tokensOpenApi
} from './auth-openapi.js';
export {
  HUB_CREDENTIAL_NAME,
  createHubCredentialsRouter
} from './hub-credentials-router.js';
export type { IHubCredentialsRouterOptions } from './hub-credentials-router.js';
