import { createHash, timingSafeEqual } from 'node:crypto';

import type { User } from '@jaxlab/schemas';
import type { IApiTokens } from '@jaxlab/store';
import { hashTokenSecret } from '@jaxlab/store';

/**
 * Who a request comes from: the operator (the gateway's own token: every
 * kernel), or one user of the lab (a personal API token the server minted:
 * only that user's kernels and sessions).
 */
export type Caller =
  { kind: 'operator' } | { kind: 'user'; userId: string; tokenHash: string };

/** Where per-user credentials are looked up: the store's `accounts`. */
export type ICredentialSource = Pick<IApiTokens, 'findUserByTokenHash'>;

/** How long a resolved user credential is trusted before it is looked up again. */
export const CREDENTIAL_CACHE_MS = 400;

/**
 * Resolves the secret a request presents into a {@link Caller}: the
 * operator token (compared in constant time), else a personal API token
 * looked up through the store by its hash. A user credential is re-read at
 * most {@link CREDENTIAL_CACHE_MS} after it was last read, so a revoked one
 * stops working within that time (and open WebSockets are re-checked by
 * the gateway at the same pace).
 */
export class CredentialResolver {
  constructor(options: CredentialResolver.IOptions) {
    this._operatorDigest =
      options.operatorToken === '' ? undefined : digest(options.operatorToken);
    this._isOpen = options.operatorToken === '';
    this._source = options.accounts;
    this._cacheMs = options.cacheMs ?? CREDENTIAL_CACHE_MS;
    this._now = options.now ?? Date.now;
  }

  /** Whether per-user credentials are accepted (a store was given). */
  get acceptsUsers(): boolean {
    return this._source !== undefined;
  }

  /** The caller `secret` stands for, or null when it stands for nobody. */
  async resolve(secret: string | undefined): Promise<Caller | null> {
    if (this._isOpen) return OPERATOR;
    if (secret === undefined || secret === '') return null;
    if (timingSafeEqual(digest(secret), this._operatorDigest!)) return OPERATOR;
    if (!this._source) return null;
    const tokenHash = hashTokenSecret(secret);
    const user = await this._lookUp(tokenHash);
    return user ? { kind: 'user', userId: user.id, tokenHash } : null;
  }

  /**
   * Whether a user credential (by hash) still stands for its user; reads
   * the store when the cached answer is older than the cache time.
   */
  async isLive(caller: Caller): Promise<boolean> {
    if (caller.kind === 'operator') return true;
    const user = await this._lookUp(caller.tokenHash);
    return user?.id === caller.userId;
  }

  private async _lookUp(tokenHash: string): Promise<User | null> {
    const now = this._now();
    const cached = this._cache.get(tokenHash);
    if (cached && now - cached.readAt < this._cacheMs) return cached.user;
    const user = await this._source!.findUserByTokenHash(tokenHash);
    this._cache.set(tokenHash, { user, readAt: now });
    if (this._cache.size > MAX_CACHED) this._evictStale(now);
    return user;
  }

  private _evictStale(now: number): void {
    for (const [hash, entry] of this._cache)
      if (now - entry.readAt >= this._cacheMs) this._cache.delete(hash);
  }

  private _operatorDigest: Buffer | undefined;
  private _isOpen: boolean;
  private _source: ICredentialSource | undefined;
  private _cacheMs: number;
  private _now: () => number;
  private _cache = new Map<string, { user: User | null; readAt: number }>();
}

/** Statics of {@link CredentialResolver}. */
export namespace CredentialResolver {
  /** Options of {@link CredentialResolver}. */
  export interface IOptions {
    /** The operator token; '' accepts every request as the operator (local tests only). */
    operatorToken: string;
    /** Per-user credentials; without it only the operator token is accepted. */
    accounts?: ICredentialSource;
    /** How long a looked-up credential is trusted, in ms (default {@link CREDENTIAL_CACHE_MS}). */
    cacheMs?: number;
    /** The clock (tests inject one). */
    now?: () => number;
  }
}

const OPERATOR: Caller = Object.freeze({ kind: 'operator' });
const MAX_CACHED = 1024;

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
