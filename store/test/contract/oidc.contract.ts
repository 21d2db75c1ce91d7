import { beforeEach, describe, expect, it } from 'vitest';
import type { IStore } from '@jaxlab/store';
import type { OpenStoreBackend } from './store-backend.js';
import { useStoreBackend } from './store-backend.js';

/**
 * The contract of {@link IOidcRecords}, run against every backend by
 * `test/integration/<backend>.test.ts`.
 */
export function describeOidcRecordsContract(
  name: string,
  open: OpenStoreBackend
): void {
  describe(`IOidcRecords contract: ${name}`, () => {
    const current = useStoreBackend(open);
    let store: IStore;
    beforeEach(() => {
      store = current.store;
    });
    const inAnHour = () => new Date(Date.now() + 3_600_000);

    it('should keep a record for every replica on the database until it expires', async () => {
      const grant = {
        accountId: 'u1',
        clientId: 'jupyterhub',
        resources: { 'https://api.example.test/v1': 'read' }
      };
      await store.oidc.upsert('Grant', 'g1', grant, inAnHour());
      await store.oidc.upsert('Session', 's1', { uid: 'uid-1' });
      await store.oidc.upsert(
        'Interaction',
        'i1',
        { uid: 'uid-x' },
        new Date(Date.now() - 1000)
      );
      const peer = await current.backend.openPeer();
      expect(await peer.oidc.find('Grant', 'g1')).toEqual(grant);
      expect(await peer.oidc.findBy('Session', 'uid', 'uid-1')).toEqual({
        uid: 'uid-1'
      });
      expect(await peer.oidc.find('Interaction', 'i1')).toBeUndefined();
      expect(await peer.oidc.find('Grant', 'nope')).toBeUndefined();
      expect(await peer.oidc.find('Session', 'g1')).toBeUndefined();
      await store.oidc.upsert('Grant', 'g1', { ...grant, accountId: 'u2' });
      expect(await peer.oidc.idsOfAccount('Grant', 'u1')).toEqual([]);
      expect(await peer.oidc.idsOfAccount('Grant', 'u2')).toEqual(['g1']);
    });

    it('should mark a code consumed, and revoke everything of a grant', async () => {
      await store.oidc.upsert('AuthorizationCode', 'c1', { grantId: 'g1' });
      await store.oidc.upsert('AccessToken', 't1', { grantId: 'g1' });
      await store.oidc.upsert('AccessToken', 't2', { grantId: 'g2' });
      await store.oidc.upsert('Interaction', 'i1', { grantId: 'g1' });
      await store.oidc.consume('AuthorizationCode', 'c1');
      const code = await store.oidc.find('AuthorizationCode', 'c1');
      expect(code?.grantId).toBe('g1');
      expect(code?.consumed).toBeGreaterThan(Date.now() / 1000 - 60);
      await store.oidc.revokeByGrantId('g1', [
        'AccessToken',
        'AuthorizationCode'
      ]);
      expect(await store.oidc.find('AuthorizationCode', 'c1')).toBeUndefined();
      expect(await store.oidc.find('AccessToken', 't1')).toBeUndefined();
      expect(await store.oidc.find('AccessToken', 't2')).toBeDefined();
      expect(await store.oidc.find('Interaction', 'i1')).toBeDefined();
      await store.oidc.destroy('AccessToken', 't2');
      expect(await store.oidc.find('AccessToken', 't2')).toBeUndefined();
    });

    it('should let the first of two inserts win, and an expired one be replaced', async () => {
      const peer = await current.backend.openPeer();
      const results = await Promise.all([
        store.oidc.insert('Keys', 'k', { key: 'a' }),
        peer.oidc.insert('Keys', 'k', { key: 'b' })
      ]);
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = results[0] ? 'a' : 'b';
      expect(await store.oidc.find('Keys', 'k')).toEqual({ key: winner });
      await store.oidc.upsert(
        'Keys',
        'old',
        { key: 'x' },
        new Date(Date.now() - 1)
      );
      expect(await peer.oidc.insert('Keys', 'old', { key: 'y' })).toBe(true);
      expect(await store.oidc.find('Keys', 'old')).toEqual({ key: 'y' });
    });
  });
}
