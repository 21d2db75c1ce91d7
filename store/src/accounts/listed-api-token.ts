import type { ApiToken } from '@jaxlab/schemas';

/**
 * A token as lists show it: its id, name, creation and last use (once
 * used), and nothing else, never its secret or hash.
 */
export function listedApiToken(token: {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt?: string | null;
}): ApiToken {
  const listed: ApiToken = {
    id: token.id,
    name: token.name,
    createdAt: token.createdAt
  };
  if (token.lastUsedAt) listed.lastUsedAt = token.lastUsedAt;
  return listed;
}
