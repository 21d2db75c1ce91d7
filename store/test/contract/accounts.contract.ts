import { beforeEach, describe, expect, it } from 'vitest';
import type { IStore } from '@jaxlab/store';
import type { OpenStoreBackend } from './store-backend.js';
import { BOB, useStoreBackend } from './store-backend.js';

/**
 * The contract of {@link IAccounts} (users, sessions, API tokens), run
 * against every backend by `test/integration/<backend>.test.ts`.
 */
export function describeAccountsContract(
  name: string,
  open: OpenStoreBackend
): void {
  describe(`IAccounts contract: ${name}`, () => {
    const current = useStoreBackend(open);
    let store: IStore;
    beforeEach(() => {
      store = current.store;
    });

    describe('IAccounts', () => {
      it('should upsert users by provider and subject', async () => {
        const a = await store.accounts.upsertUser({
          provider: 'google',
          subject: '123',
          email: 'a@example.com',
          name: 'A'
        });
        const again = await store.accounts.upsertUser({
          provider: 'google',
          subject: '123',
          email: 'a2@example.com',
          name: 'A2'
        });
        expect(again).toEqual({
          id: a.id,
          email: 'a2@example.com',
          name: 'A2',
          provider: 'google'
        });
        const local = await store.accounts.upsertUser({
          provider: 'local',
          subject: '123',
          email: '',
          name: 'me'
        });
        expect(local.id).not.toBe(a.id);
        expect(await store.accounts.getUser(a.id)).toEqual(again);
        expect(await store.accounts.getUser('missing')).toBeNull();
      });

      it('should keep sessions until they expire', async () => {
        const soon = new Date(Date.now() + 60_000);
        await store.accounts.putSession(
          'sid-1',
          { passport: { user: 'u1' }, n: 1 },
          soon
        );
        expect(await store.accounts.getSession('sid-1')).toEqual({
          passport: { user: 'u1' },
          n: 1
        });
        await store.accounts.putSession('sid-1', { n: 2 }, soon);
        expect(await store.accounts.getSession('sid-1')).toEqual({ n: 2 });
        expect(
          await store.accounts.getSession('sid-1', new Date(soon.getTime() + 1))
        ).toBeNull();
        await store.accounts.putSession('sid-2', { n: 3 }, soon);
        await store.accounts.deleteSession('sid-2');
        expect(await store.accounts.getSession('sid-2')).toBeNull();
        expect(await store.accounts.getSession('missing')).toBeNull();
      });

      it('should find users by token hash, record use, and forget revoked tokens', async () => {
        const user = await store.accounts.upsertUser({
          provider: 'local',
          subject: 'local',
          email: '',
          name: 'Local'
        });
        const token = await store.accounts.createApiToken(
          user.id,
          'ci',
          'hash-1'
        );
        expect(token).toMatchObject({ name: 'ci' });
        expect(token).not.toHaveProperty('token');
        expect(await store.accounts.listApiTokens(user.id)).toEqual([token]);
        expect(await store.accounts.listApiTokens(BOB)).toEqual([]);
        expect(await store.accounts.findUserByTokenHash('hash-1')).toEqual(
          user
        );
        const [used] = await store.accounts.listApiTokens(user.id);
        expect(used.lastUsedAt).toBeTruthy();
        expect(JSON.stringify(used)).not.toContain('hash-1');
        expect(await store.accounts.findUserByTokenHash('hash-2')).toBeNull();
        expect(await store.accounts.revokeApiToken(token.id, BOB)).toBe(false);
        expect(await store.accounts.revokeApiToken(token.id, user.id)).toBe(
          true
        );
        expect(await store.accounts.findUserByTokenHash('hash-1')).toBeNull();
        expect(await store.accounts.listApiTokens(user.id)).toEqual([]);
      });
    });
  });
}
