import { createHash } from 'node:crypto';

/**
 * The SHA-256 (hex) under which {@link IApiTokens} keeps a token: whoever
 * creates a token and whoever resolves one (the server, a gateway) hash
 * the secret with this, so the two always agree.
 */
export function hashTokenSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}
