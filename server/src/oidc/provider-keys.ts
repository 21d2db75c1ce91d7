import {
  createCipheriv,
  createDecipheriv,
  generateKeyPairSync,
  hkdfSync,
  randomBytes
} from 'node:crypto';
import type { JsonWebKey } from 'node:crypto';
import type { IOidcRecords } from '@jaxlab/store';

/** Where the shared signing key is kept among the provider's records. */
const KEY_MODEL = 'JaxlabProviderKey';
const KEY_ID = 'RS256';

/** The provider's token signing key and the keys of its cookies. */
export interface IProviderKeys {
  /** The RSA private key signing ID tokens (RS256), as a JWK. */
  signingKey: JsonWebKey;
  /** Keys signing the provider's interaction and session cookies. */
  cookieKeys: string[];
}

/**
 * The provider's keys. With the server's session secret (the same on every
 * replica), every replica on one database gets the same keys: the cookie
 * keys are derived from the secret, and the signing key is made once and
 * kept in the store, encrypted (AES-256-GCM) under a key derived from the
 * secret, so a database reader alone cannot sign tokens. Without a secret
 * the keys are this process's own, as sessions are.
 */
export async function providerKeys(
  records: IOidcRecords,
  secret: string | undefined
): Promise<IProviderKeys> {
  if (secret === undefined)
    return { signingKey: newSigningKey(), cookieKeys: [randomHex()] };
  const cookieKeys = [derive(secret, 'oidc cookie keys').toString('hex')];
  const sealingKey = derive(secret, 'oidc signing key');
  const stored = await records.find(KEY_MODEL, KEY_ID);
  const opened = stored && open(stored, sealingKey);
  if (opened) return { signingKey: opened, cookieKeys };
  const signingKey = newSigningKey();
  const sealed = seal(signingKey, sealingKey);
  if (stored) {
    // Sealed under another secret: the secret changed, and with it every
    // session; replace the key.
    await records.upsert(KEY_MODEL, KEY_ID, sealed);
    return { signingKey, cookieKeys };
  }
  if (await records.insert(KEY_MODEL, KEY_ID, sealed))
    return { signingKey, cookieKeys };
  // Another replica made it first: use theirs.
  const theirs = await records.find(KEY_MODEL, KEY_ID);
  return {
    signingKey: (theirs && open(theirs, sealingKey)) || signingKey,
    cookieKeys
  };
}

function newSigningKey(): JsonWebKey {
  return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
    format: 'jwk'
  });
}

function randomHex(): string {
  return randomBytes(32).toString('hex');
}

function derive(secret: string, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'jaxlab', purpose, 32));
}

function seal(jwk: JsonWebKey, key: Buffer): IOidcRecords.IPayload {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([
    cipher.update(JSON.stringify(jwk), 'utf8'),
    cipher.final()
  ]);
  return {
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    data: data.toString('base64')
  };
}

/** The key sealed in `payload`, or undefined when `key` does not open it. */
function open(
  payload: IOidcRecords.IPayload,
  key: Buffer
): JsonWebKey | undefined {
  try {
    const decipher = createDecipheriv(
      'aes-256-gcm',
      key,
      Buffer.from(String(payload.iv), 'base64')
    );
    decipher.setAuthTag(Buffer.from(String(payload.tag), 'base64'));
    const text = Buffer.concat([
      decipher.update(Buffer.from(String(payload.data), 'base64')),
      decipher.final()
    ]).toString('utf8');
    return JSON.parse(text) as JsonWebKey;
  } catch {
    return undefined;
  }
}
