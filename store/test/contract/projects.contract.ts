import { beforeEach, describe, expect, it } from 'vitest';
import type { IStore } from '@jaxlab/store';
import type { OpenStoreBackend } from './store-backend.js';
import { ALICE, BOB, jobInput, useStoreBackend } from './store-backend.js';

/**
 * The contract of {@link IProjects}, run against every backend by
 * `test/integration/<backend>.test.ts`.
 */
export function describeProjectsContract(
  name: string,
  open: OpenStoreBackend
): void {
  describe(`IProjects contract: ${name}`, () => {
    const current = useStoreBackend(open);
    let store: IStore;
    beforeEach(() => {
      store = current.store;
    });

    describe('IProjects', () => {
      it('should create, read, list, update and delete projects per owner', async () => {
        const p = await store.projects.create(ALICE, {
          name: 'mnist',
          mainPy: 'x = 1\n'
        });
        expect(p).toMatchObject({
          owner: ALICE,
          name: 'mnist',
          mainPy: 'x = 1\n',
          readme: '',
          requirements: '',
          designatedFunctions: ['main', 'train_step']
        });
        const q = await store.projects.create(ALICE, {
          name: 'kept',
          logRetentionDays: 7
        });
        await store.projects.create(BOB, { name: 'bob’s' });
        expect(await store.projects.get(p.id, ALICE)).toEqual(p);
        expect(await store.projects.get(p.id, BOB)).toBeNull();
        expect((await store.projects.list(ALICE)).map(x => x.id)).toEqual([
          p.id,
          q.id
        ]);
        expect(
          (await store.projects.listWithRetention()).map(x => x.id)
        ).toEqual([q.id]);

        expect(
          await store.projects.update(p.id, BOB, { name: 'stolen' })
        ).toBeNull();
        const updated = await store.projects.update(p.id, ALICE, {
          readme: '# MNIST',
          logRetentionDays: 30
        });
        expect(updated).toMatchObject({
          id: p.id,
          name: 'mnist',
          readme: '# MNIST'
        });
        expect(await store.projects.get(p.id, ALICE)).toEqual(updated);
        expect(
          (await store.projects.listWithRetention()).map(x => x.id).sort()
        ).toEqual([p.id, q.id].sort());

        const job = await store.jobs.create(
          ALICE,
          jobInput({ projectId: p.id })
        );
        expect(await store.projects.delete(p.id, BOB)).toBe(false);
        expect(await store.projects.delete(p.id, ALICE)).toBe(true);
        expect(await store.projects.get(p.id, ALICE)).toBeNull();
        expect(await store.projects.delete(p.id, ALICE)).toBe(false);
        expect((await store.jobs.get(job.id))!.projectId).toBe(p.id);
      });
    });
  });
}
