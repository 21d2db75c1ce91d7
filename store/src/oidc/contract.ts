/**
 * What the lab's OpenID provider (`oidc-provider`) keeps between requests:
 * its sessions, interactions, grants, authorization codes and tokens, each
 * a JSON payload under a model name and an id, until it expires. On the
 * lab's database, so every server replica serves every step of a sign-in
 * and a restart forgets nothing.
 *
 * Expired records are never returned; they are deleted eventually.
 */
export interface IOidcRecords {
  /** Stores (or replaces) a record; without `expiresAt` it never expires. */
  upsert(
    model: string,
    id: string,
    payload: IOidcRecords.IPayload,
    expiresAt?: Date
  ): Promise<void>;

  /**
   * Stores a record unless one with this id exists: false then (the first
   * writer wins, for state every replica must share, such as keys).
   */
  insert(
    model: string,
    id: string,
    payload: IOidcRecords.IPayload,
    expiresAt?: Date
  ): Promise<boolean>;

  /** The record's payload (`consumed` set once consumed), if live. */
  find(model: string, id: string): Promise<IOidcRecords.IPayload | undefined>;

  /** The live record of `model` whose payload has this `uid` or `userCode`. */
  findBy(
    model: string,
    field: 'uid' | 'userCode',
    value: string
  ): Promise<IOidcRecords.IPayload | undefined>;

  /** Marks a record consumed (an authorization code used once). */
  consume(model: string, id: string): Promise<void>;

  destroy(model: string, id: string): Promise<void>;

  /** Deletes the records of `models` issued under this grant. */
  revokeByGrantId(grantId: string, models: readonly string[]): Promise<void>;

  /** Ids of the live records of `model` whose payload has this `accountId`. */
  idsOfAccount(model: string, accountId: string): Promise<string[]>;
}

/** Types of {@link IOidcRecords}. */
export namespace IOidcRecords {
  /**
   * A record as the provider hands it over; `grantId`, `uid`, `userCode`
   * and `accountId` are looked up by.
   */
  export type IPayload = Record<string, unknown> & {
    grantId?: string;
    uid?: string;
    userCode?: string;
    accountId?: string;
    consumed?: number;
  };
}

/** How often a backend deletes expired records, at most (on a write). */
export const OIDC_SWEEP_EVERY_MS = 60_000;

/** The looked-up fields of a payload, as stored beside it. */
export function lookupFieldsOf(payload: IOidcRecords.IPayload): {
  grantId: string | null;
  uid: string | null;
  userCode: string | null;
  accountId: string | null;
} {
  const text = (value: unknown) => (typeof value === 'string' ? value : null);
  return {
    grantId: text(payload.grantId),
    uid: text(payload.uid),
    userCode: text(payload.userCode),
    accountId: text(payload.accountId)
  };
}

/**
 * A stored record's payload from its JSON text, with `consumed` (seconds
 * since the epoch; null: not consumed) as the provider expects it.
 */
export function storedPayloadOf(
  payloadJson: string,
  consumed: number | null
): IOidcRecords.IPayload {
  const payload = JSON.parse(payloadJson) as IOidcRecords.IPayload;
  return consumed === null ? payload : { ...payload, consumed };
}
