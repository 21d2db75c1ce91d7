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
          await store.projects.modify(p.id, BOB, () => ({ name: 'stolen' }))
        ).toBeNull();
        const updated = await store.projects.modify(p.id, ALICE, () => ({
          readme: '# MNIST',
          logRetentionDays: 30
        }));
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

      it("should keep a project's other files and replace them all with a patch", async () => {
        const plain = await store.projects.create(ALICE, { name: 'one file' });
        expect(plain.files).toEqual([]);
        const files = [
          { path: 'models.py', content: 'class MLP:\n    pass\n' },
          { path: 'utils/data.py', content: 'BATCH = 32\n' }
        ];
        const p = await store.projects.create(ALICE, { name: 'multi', files });
        expect((await store.projects.get(p.id, ALICE))!.files).toEqual(files);
        const updated = await store.projects.modify(p.id, ALICE, () => ({
          files: [files[1]]
        }));
        expect(updated!.files).toEqual([files[1]]);
        expect((await store.projects.list(ALICE))[1].files).toEqual([files[1]]);
      });
    });

    describe('IProjects.modify()', () => {
      it('should apply a change computed from the stored project, for its owner only', async () => {
        const p = await store.projects.create(ALICE, { name: 'n' });
        const changed = await store.projects.modify(p.id, ALICE, current => ({
          files: [...current.files!, { path: 'a.py', content: 'A = 1\n' }]
        }));
        expect(changed!.files).toEqual([{ path: 'a.py', content: 'A = 1\n' }]);
        expect(changed!.updatedAt >= p.updatedAt).toBe(true);
        expect(await store.projects.get(p.id, ALICE)).toEqual(changed);
        expect(
          await store.projects.modify(p.id, BOB, () => ({ name: 'stolen' }))
        ).toBeNull();
        expect(
          await store.projects.modify('no-such-project', ALICE, () => ({}))
        ).toBeNull();
      });

      it('should write nothing when the change throws', async () => {
        const p = await store.projects.create(ALICE, { name: 'n' });
        await expect(
          store.projects.modify(p.id, ALICE, () => {
            throw new Error('refused');
          })
        ).rejects.toThrow('refused');
        expect(await store.projects.get(p.id, ALICE)).toEqual(p);
      });

      it('should lose no change when many run at once', async () => {
        const p = await store.projects.create(ALICE, { name: 'n' });
        const peer = await current.backend.openPeer();
        await Promise.all(
          Array.from({ length: 12 }, (_, i) =>
            (i % 2 ? peer : store).projects.modify(p.id, ALICE, now => ({
              files: [...now.files!, { path: `m${i}.py`, content: '' }]
            }))
          )
        );
        const paths = (await store.projects.get(p.id, ALICE))!.files!.map(
          f => f.path
        );
        expect(paths.sort()).toEqual(
          Array.from({ length: 12 }, (_, i) => `m${i}.py`).sort()
        );
      });
    });
  });
}
