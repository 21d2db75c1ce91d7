import { beforeEach, describe, expect, it } from 'vitest';
import type { IStore } from '@jaxlab/store';
import type { OpenStoreBackend } from './store-backend.js';
import { useStoreBackend } from './store-backend.js';

/**
 * The contract of {@link IHosts}, run against every backend by
 * `test/integration/<backend>.test.ts`.
 */
export function describeHostsContract(
  name: string,
  open: OpenStoreBackend
): void {
  describe(`IHosts contract: ${name}`, () => {
    const current = useStoreBackend(open);
    let store: IStore;
    beforeEach(() => {
      store = current.store;
    });

    describe('IHosts', () => {
      it('should register hosts and list those seen recently', async () => {
        const old = new Date(Date.now() - 3_600_000).toISOString();
        const host = {
          hostId: 'host-a',
          gatewayVersion: '0.1.0',
          accelerators: [{ kind: 'cpu' as const, count: 1 }],
          maxConcurrentJobs: 2,
          slots: [
            {
              id: 'cpu0',
              accelerator: 'cpu' as const,
              deviceCount: 1,
              jobId: null
            },
            {
              id: 'cpu1',
              accelerator: 'cpu' as const,
              deviceCount: 1,
              jobId: 'j1'
            }
          ],
          lastSeenAt: old
        };
        await store.hosts.upsert(host);
        await store.hosts.upsert({ ...host, hostId: 'host-b' });
        const since = new Date(Date.now() - 60_000);
        expect(await store.hosts.list(since)).toEqual([]);
        const now = new Date().toISOString();
        await store.hosts.upsert({ ...host, runningJobs: 1, lastSeenAt: now });
        expect(await store.hosts.list(since)).toEqual([
          { ...host, runningJobs: 1, lastSeenAt: now }
        ]);
        expect(
          (await store.hosts.list(new Date(0))).map(h => h.hostId)
        ).toEqual(['host-a', 'host-b']);
      });
    });
  });
}
