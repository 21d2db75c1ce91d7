import type { ApiToken, User } from '@jaxlab/schemas';

/** Users, found or created by sign-in (provider, subject). */
export interface IUsers {
  /** Finds the user by (provider, subject) or creates one; updates email and name. */
  upsertUser(input: IAccounts.IUserInput): Promise<User>;
  getUser(id: string): Promise<User | null>;
}

/** Browser sessions: opaque JSON stored under the hash of their id. */
export interface ISessions {
  putSession(sidHash: string, data: unknown, expiresAt: Date): Promise<void>;
  /** The session's data, or null when missing or expired at `now`. */
  getSession(sidHash: string, now?: Date): Promise<unknown | null>;
  deleteSession(sidHash: string): Promise<void>;
}

/**
 * API tokens: only a token's hash is stored, never its secret. Ownership:
 * list and revoke match on the owner.
 */
export interface IApiTokens {
  /** @throws JaxLabError `CONFLICT` when a token with this hash exists. */
  createApiToken(
    owner: string,
    name: string,
    tokenHash: string
  ): Promise<ApiToken>;
  listApiTokens(owner: string): Promise<ApiToken[]>;
  revokeApiToken(id: string, owner: string): Promise<boolean>;
  /** The owner of a live token with this hash (and marks it used). */
  findUserByTokenHash(tokenHash: string): Promise<User | null>;
}

/** Who may sign in and how: users, their sessions and their API tokens. */
export interface IAccounts extends IUsers, ISessions, IApiTokens {}

/** Option types of {@link IAccounts}. */
export namespace IAccounts {
  /** A user as a sign-in provider describes them. */
  export interface IUserInput {
    provider: 'google' | 'local';
    subject: string;
    email: string;
    name: string;
  }
}
