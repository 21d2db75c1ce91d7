import { randomBytes, timingSafeEqual } from 'node:crypto';
import { hashTokenSecret } from '@jaxlab/store';

/** Prefix of personal API tokens, so leaked ones are easy to grep for. */
export const API_TOKEN_PREFIX = 'jxl_';

/** A fresh personal API token secret: `jxl_` + 32 random bytes, base64url. */
export function newTokenSecret(): string {
  return API_TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

/** SHA-256 (hex) of a secret; only this is ever stored. */
export function hashSecret(secret: string): string {
  return hashTokenSecret(secret);
}

/** Compares two secrets in constant time (per length). */
export function secretsEqual(a: string, b: string): boolean {
  const x = Buffer.from(hashSecret(a), 'hex');
  const y = Buffer.from(hashSecret(b), 'hex');
  return timingSafeEqual(x, y);
}

/**
 * The secret of an `Authorization: Bearer <t>` or `Authorization: token <t>`
 * header (the latter is what Jupyter clients send), or undefined.
 */
export function bearerSecret(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^(?:bearer|token)\s+(\S+)\s*$/i.exec(header);
  return m ? m[1] : undefined;
}
