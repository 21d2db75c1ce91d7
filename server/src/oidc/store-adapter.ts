import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { IOidcRecords } from '@jaxlab/store';

/** The models whose records a grant's revocation removes. */
const ISSUED_UNDER_GRANT = [
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest'
] as const;

/**
 * An `oidc-provider` adapter factory over the lab's store, so the
 * provider's sessions, interactions, grants, codes and tokens live in the
 * lab's database (SQLite or MongoDB) with their expiry: any server replica
 * on that database can serve any step of a sign-in, and a restart keeps
 * them. `expiresIn` is in seconds, as the provider gives it.
 */
export function storeAdapter(
  records: IOidcRecords
): (model: string) => Adapter {
  return model => ({
    upsert: (id, payload, expiresIn) =>
      records.upsert(
        model,
        id,
        payload as IOidcRecords.IPayload,
        expiresIn ? new Date(Date.now() + expiresIn * 1000) : undefined
      ),
    find: async id =>
      (await records.find(model, id)) as AdapterPayload | undefined,
    findByUid: async uid =>
      (await records.findBy(model, 'uid', uid)) as AdapterPayload | undefined,
    findByUserCode: async userCode =>
      (await records.findBy(model, 'userCode', userCode)) as
        AdapterPayload | undefined,
    consume: id => records.consume(model, id),
    destroy: id => records.destroy(model, id),
    revokeByGrantId: grantId =>
      records.revokeByGrantId(grantId, ISSUED_UNDER_GRANT)
  });
}
