import type { ApiToken } from '@jaxlab/schemas';
import type { IApiTokens } from '@jaxlab/store';
import { hashSecret, newTokenSecret } from './token-secret.js';

/**
 * Creates a personal API token of `userId`, as `POST /api/tokens` does for
 * the signed-in user (an operator may mint one for a user's program, e.g.
 * a spawned single-user server). Only the secret's SHA-256 is stored: the
 * returned `token` is the one and only copy of the secret.
 *
 * @example
 * ```ts
 * const { token } = await issueApiToken(store.accounts, user.id, 'laptop');
 * await fetch(`${url}/api/jobs`, { headers: { authorization: `Bearer ${token}` } });
 * ```
 */
export async function issueApiToken(
  tokens: IApiTokens,
  userId: string,
  name: string
): Promise<ApiToken & { token: string }> {
  const secret = newTokenSecret();
  const token = await tokens.createApiToken(userId, name, hashSecret(secret));
  return { ...token, token: secret };
}
