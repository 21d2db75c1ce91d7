import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ArtifactCollection } from '@jaxlab/schemas';
import type { IStore } from '@jaxlab/store';
import type { OpenStoreBackend } from './store-backend.js';
import {
  ALICE,
  BOB,
  codeOf,
  jobInput,
  useStoreBackend
} from './store-backend.js';

/**
 * The contract of {@link IJobArtifacts} and {@link IChats}, run against
 * every backend by `test/integration/<backend>.test.ts`.
 */
export function describeJobArtifactsContract(
  name: string,
  open: OpenStoreBackend
): void {
  describe(`IJobArtifacts contract: ${name}`, () => {
    const current = useStoreBackend(open);
    let store: IStore;
    beforeEach(() => {
      store = current.store;
    });

    /** A finished job of project `projectId`. */
    const finishedJob = async (projectId: string | null = null) => {
      const job = await store.jobs.create(ALICE, jobInput({ projectId }));
      await store.queue.claimNext({
        hostId: 'h',
        capacity: [{ accelerator: 'cpu', maxDevices: 1 }],
        leaseMs: 60_000
      });
      await store.events.append(
        job.id,
        [{ type: 'job:status', status: 'COMPLETED' }],
        { hostId: 'h' }
      );
      return job.id;
    };

    describe('IJobArtifacts.put()', () => {
      it('should keep a streamed file whole, hashed, typed by extension, and serve it and ranges of it back', async () => {
        const job = await finishedJob();
        const data = Buffer.alloc(3 * 1024 * 1024 + 17);
        for (let i = 0; i < data.length; i++) data[i] = (i * 7) % 251;
        async function* chunks() {
          for (let at = 0; at < data.length; at += 65_536)
            yield data.subarray(at, at + 65_536);
        }
        const entry = await store.artifacts.put(job, {
          name: 'arrays/weights.npy',
          data: chunks()
        });
        expect(entry).toMatchObject({
          name: 'arrays/weights.npy',
          contentType: 'application/x-npy',
          sizeBytes: data.length,
          sha256: sha256(data)
        });
        expect(await store.artifacts.list(job)).toEqual([entry]);
        const whole = await store.artifacts.open(job, entry.name);
        expect(whole!.artifact).toEqual(entry);
        expect(sha256(await readAll(whole!.stream))).toBe(entry.sha256);
        const part = await store.artifacts.open(job, entry.name, {
          start: 1_000_000,
          end: 2_500_000
        });
        expect(
          Buffer.compare(
            await readAll(part!.stream),
            data.subarray(1_000_000, 2_500_001)
          )
        ).toBe(0);
        expect(await store.artifacts.open(job, 'other.csv')).toBeNull();
      });

      it('should store identical contents once, and delete a content only with its last artifact', async () => {
        const a = await finishedJob('p1');
        const b = await finishedJob('p2');
        const bytes = Buffer.from('x,y\n1,2\n'.repeat(1000));
        const first = await store.artifacts.put(a, {
          name: 't.csv',
          data: bytes
        });
        const second = await store.artifacts.put(b, {
          name: 'copy.csv',
          data: bytes
        });
        await store.artifacts.put(b, {
          name: 'other.txt',
          data: Buffer.from('other')
        });
        expect(second.sha256).toBe(first.sha256);
        expect(await current.backend.storedContents!()).toBe(2);

        expect(
          await store.artifacts.deleteFinishedBefore(
            'p1',
            new Date(Date.now() + 60_000)
          )
        ).toBe(1);
        expect(
          await readAll((await store.artifacts.openContent(first.sha256))!)
        ).toEqual(bytes);
        expect(
          await store.artifacts.deleteFinishedBefore(
            'p2',
            new Date(Date.now() + 60_000)
          )
        ).toBe(2);
        expect(await store.artifacts.openContent(first.sha256)).toBeNull();
        expect(await current.backend.storedContents!()).toBe(0);
      });

      it('should replace an artifact of the same name and release the old content', async () => {
        const job = await finishedJob();
        await store.artifacts.put(job, {
          name: 'r.json',
          data: Buffer.from('{"a":1}')
        });
        const second = await store.artifacts.put(job, {
          name: 'r.json',
          data: Buffer.from('{"a":2}'),
          contentType: 'application/json',
          description: 'results'
        });
        expect(await store.artifacts.list(job)).toEqual([second]);
        expect(second.description).toBe('results');
        expect(await current.backend.storedContents!()).toBe(1);
      });

      it('should refuse a name outside outputs/ and an unknown job, keeping nothing', async () => {
        const job = await finishedJob();
        for (const bad of [
          '../connection.json',
          '/etc/passwd',
          'a/../b',
          '.',
          'x\u0000y',
          'a\\b'
        ])
          expect(
            await codeOf(
              store.artifacts.put(job, { name: bad, data: Buffer.from('x') })
            )
          ).toBe('INVALID_REQUEST');
        expect(
          await codeOf(
            store.artifacts.put('no-such-job', {
              name: 'a',
              data: Buffer.from('x')
            })
          )
        ).toBe('JOB_NOT_FOUND');
        expect(await store.artifacts.list(job)).toEqual([]);
        expect(await current.backend.storedContents!()).toBe(0);
      });
    });

    describe('IJobArtifacts.deleteFinishedBefore()', () => {
      it('should delete the contents of finished runs only, keeping their entries with deletedAt', async () => {
        const old = await finishedJob('p1');
        const running = await store.jobs.create(
          ALICE,
          jobInput({ projectId: 'p1' })
        );
        await store.artifacts.put(old, {
          name: 'plot.png',
          data: Buffer.from('png')
        });
        await store.artifacts.put(running.id, {
          name: 'plot.png',
          data: Buffer.from('other png')
        });
        expect(
          await store.artifacts.deleteFinishedBefore('p1', new Date(0))
        ).toBe(0);
        expect(
          await store.artifacts.deleteFinishedBefore(
            'p1',
            new Date(Date.now() + 60_000)
          )
        ).toBe(1);
        const [kept] = await store.artifacts.list(old);
        expect(kept).toMatchObject({ name: 'plot.png', sizeBytes: 3 });
        expect(kept.deletedAt).toEqual(expect.any(String));
        expect(await codeOf(store.artifacts.open(old, 'plot.png'))).toBe(
          'ARTIFACT_DELETED'
        );
        expect(
          await store.artifacts.open(running.id, 'plot.png')
        ).not.toBeNull();
        expect(
          await store.artifacts.deleteFinishedBefore(
            'p1',
            new Date(Date.now() + 60_000)
          )
        ).toBe(0);
      });
    });

    describe('IJobArtifacts.setCollection()', () => {
      it("should keep what the collection of a run's outputs did", async () => {
        const job = await finishedJob();
        expect(await store.artifacts.getCollection(job)).toBeNull();
        const collection: ArtifactCollection = {
          collectedAt: new Date().toISOString(),
          keptFiles: 1,
          keptBytes: 10,
          limits: { maxFiles: 2, maxBytes: 100, maxFileBytes: 100 },
          dropped: [
            { name: 'big.bin', sizeBytes: 1000, reason: 'over-total-bytes' }
          ]
        };
        await store.artifacts.setCollection(job, collection);
        expect(await store.artifacts.getCollection(job)).toEqual(collection);
      });
    });

    describe('IChats', () => {
      it("should keep each user's conversation about a run apart, in order", async () => {
        const at = new Date().toISOString();
        await store.chats.append('job-1', ALICE, {
          role: 'user',
          text: 'q1',
          createdAt: at
        });
        await store.chats.append('job-1', BOB, {
          role: 'user',
          text: 'bob',
          createdAt: at
        });
        await store.chats.append('job-1', ALICE, {
          role: 'model',
          text: 'a1',
          createdAt: at,
          model: 'm'
        });
        await store.chats.append('job-2', ALICE, {
          role: 'user',
          text: 'other run',
          createdAt: at
        });
        expect(
          (await store.chats.list('job-1', ALICE)).map(m => m.text)
        ).toEqual(['q1', 'a1']);
        expect((await store.chats.list('job-1', BOB)).map(m => m.text)).toEqual(
          ['bob']
        );
        expect(
          (await store.chats.list('job-1', ALICE, 1)).map(m => m.text)
        ).toEqual(['a1']);
      });
    });
  });
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
