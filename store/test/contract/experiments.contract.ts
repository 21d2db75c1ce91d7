import { beforeEach, describe, expect, it } from 'vitest';
import type { Baseline, RegressionVerdict, Sweep } from '@jaxlab/schemas';
import type { IStore } from '@jaxlab/store';
import type { OpenStoreBackend } from './store-backend.js';
import { ALICE, BOB, jobInput, useStoreBackend } from './store-backend.js';

/**
 * The contracts of `IJobs.rank`/`setRegression`, {@link IBaselines} and
 * {@link ISweeps}, run against every backend by
 * `test/integration/<backend>.test.ts`.
 */
export function describeExperimentsContract(
  name: string,
  open: OpenStoreBackend
): void {
  describe(`experiments contract: ${name}`, () => {
    const current = useStoreBackend(open);
    let store: IStore;
    beforeEach(() => {
      store = current.store;
    });

    /** A COMPLETED job of ALICE's in project p1 with these values. */
    const completed = async (
      values: Record<string, number>,
      overrides: Parameters<typeof jobInput>[0] = {},
      seriesLoss?: number
    ) => {
      // Each a millisecond apart, so the date filters can tell them apart.
      await new Promise(resolve => setTimeout(resolve, 2));
      const job = await store.jobs.create(
        ALICE,
        jobInput({ projectId: 'p1', ...overrides })
      );
      const claimed = await store.queue.claimNext({
        hostId: 'h',
        capacity: (['cpu', 'gpu'] as const).map(accelerator => ({
          accelerator,
          maxDevices: 256
        })),
        leaseMs: 60_000
      });
      expect(claimed?.id).toBe(job.id);
      const events: Parameters<IStore['events']['append']>[1] = [
        { type: 'job:status', status: 'RUNNING' }
      ];
      if (seriesLoss !== undefined) {
        const summary = await store.series.append(job.id, {
          loss: { steps: [0, 1], values: [9, seriesLoss], times: [1, 2] }
        });
        events.push({
          type: 'job:series',
          progress: { step: 1, points: 2 },
          summary
        });
      }
      events.push(
        {
          type: 'job:metrics',
          metrics: {
            compilationTimeMs: 0,
            executionTimeMs: 1,
            values,
            device: { platform: 'cpu', count: 1 }
          }
        },
        { type: 'job:status', status: 'COMPLETED' }
      );
      await store.events.append(job.id, events, { hostId: 'h' });
      return job;
    };

    describe('IJobs.rank()', () => {
      it('should rank a project’s completed runs by a series’ last value, else a run value, with filters', async () => {
        const a = await completed({ loss: 0.5 }, { tags: ['x'] });
        const b = await completed({ loss: 9 }, {}, 0.2); // the series wins
        const c = await completed(
          { loss: 0.7 },
          { accelerator: 'gpu', args: { lr: 0.1 } }
        );
        await completed({ accuracy: 1 });
        await completed({ loss: -1 }, { projectId: 'p2' });
        await store.jobs.create(BOB, jobInput({ projectId: 'p1' }));
        const ids = async (
          query: Partial<Parameters<IStore['jobs']['rank']>[0]>
        ) => {
          const ranking = await store.jobs.rank({
            owner: ALICE,
            projectId: 'p1',
            metric: 'loss',
            direction: 'min',
            ...query
          });
          return [ranking.total, ranking.rows.map(r => [r.job.id, r.value])];
        };
        expect(await ids({})).toEqual([
          3,
          [
            [b.id, 0.2],
            [a.id, 0.5],
            [c.id, 0.7]
          ]
        ]);
        // The rows are summaries: no code, files or requirements.
        for (const row of (
          await store.jobs.rank({
            owner: ALICE,
            projectId: 'p1',
            metric: 'loss',
            direction: 'min'
          })
        ).rows) {
          expect(row.job).not.toHaveProperty('code');
          expect(row.job).not.toHaveProperty('files');
          expect(row.job).not.toHaveProperty('requirements');
        }
        expect(await ids({ direction: 'max', limit: 2 })).toEqual([
          3,
          [
            [c.id, 0.7],
            [a.id, 0.5]
          ]
        ]);
        expect(await ids({ tag: 'x' })).toEqual([1, [[a.id, 0.5]]]);
        expect(await ids({ accelerator: 'gpu' })).toEqual([1, [[c.id, 0.7]]]);
        expect(await ids({ args: { lr: 0.1 } })).toEqual([1, [[c.id, 0.7]]]);
        expect(
          await ids({ createdFrom: b.createdAt, createdBefore: c.createdAt })
        ).toEqual([1, [[b.id, 0.2]]]);
        expect(await ids({ owner: BOB })).toEqual([0, []]);
      });
    });

    describe('IJobs.countUnfinished()', () => {
      it('should count anyone’s queued and running jobs of an accelerator', async () => {
        await completed({ loss: 1 });
        await store.jobs.create(ALICE, jobInput());
        await store.jobs.create(BOB, jobInput());
        await store.jobs.create(BOB, jobInput({ accelerator: 'gpu' }));
        await store.queue.claimNext({
          hostId: 'h',
          capacity: (['cpu'] as const).map(accelerator => ({
            accelerator,
            maxDevices: 256
          })),
          leaseMs: 60_000
        });
        expect(await store.jobs.countUnfinished('cpu')).toBe(2);
        expect(await store.jobs.countUnfinished('gpu')).toBe(1);
        expect(await store.jobs.countUnfinished('tpu')).toBe(0);
      });
    });

    describe('IJobs.setRegression()', () => {
      it('should store the verdict with the job, in lists too', async () => {
        const job = await completed({ loss: 1 });
        const verdict: RegressionVerdict = {
          verdict: 'regressed',
          baselineJobId: 'j0',
          baselineSetAt: new Date(0).toISOString(),
          checkedAt: new Date(1).toISOString(),
          checks: [
            {
              name: 'loss',
              direction: 'min',
              tolerance: { kind: 'relative', value: 0.05 },
              baseline: 0.5,
              value: 1,
              worseBy: 0.5,
              allowed: 0.025,
              outcome: 'regressed'
            }
          ]
        };
        await store.jobs.setRegression(job.id, verdict);
        expect((await store.jobs.get(job.id))?.regression).toEqual(verdict);
        expect(
          (await store.jobs.list({ owner: ALICE })).items[0].regression
        ).toEqual(verdict);
      });
    });

    describe('IBaselines', () => {
      it('should keep one baseline per project, scoped to its owner', async () => {
        const baseline: Baseline = {
          projectId: 'p1',
          jobId: 'j1',
          metrics: [
            {
              name: 'val.loss',
              direction: 'min',
              tolerance: { kind: 'absolute', value: 0.1 },
              value: 1
            }
          ],
          createdAt: new Date(0).toISOString()
        };
        await store.baselines.set(ALICE, baseline);
        await store.baselines.set(ALICE, { ...baseline, jobId: 'j2' });
        expect(await store.baselines.get('p1', ALICE)).toEqual({
          ...baseline,
          jobId: 'j2'
        });
        expect(await store.baselines.get('p1', BOB)).toBeNull();
        expect(await store.baselines.listAll()).toEqual([
          { owner: ALICE, baseline: { ...baseline, jobId: 'j2' } }
        ]);
        expect(await store.baselines.remove('p1', BOB)).toBe(false);
        expect(await store.baselines.remove('p1', ALICE)).toBe(true);
        expect(await store.baselines.get('p1', ALICE)).toBeNull();
      });
    });

    describe('ISweeps', () => {
      const sweep = (id: string, createdAt: string): Sweep => ({
        id,
        owner: ALICE,
        projectId: 'p1',
        name: 's',
        entrypoint: 'main',
        accelerator: 'cpu',
        space: {
          kind: 'grid',
          parameters: { lr: { values: [1, 2] } },
          runCap: 2
        },
        target: { metric: 'loss', direction: 'min' },
        maxConcurrent: 1,
        status: 'RUNNING',
        createdAt,
        updatedAt: createdAt,
        trials: [
          {
            index: 0,
            args: { lr: 1, 'odd.key': { $x: 1 } } as Sweep['trials'][0]['args'],
            state: 'PENDING'
          },
          { index: 1, args: { lr: 2 }, state: 'PENDING' }
        ]
      });

      it('should store sweeps with their template, list them newest first and the active ones', async () => {
        const a = await store.sweeps.create(
          sweep('s1', '2026-01-01T00:00:00.000Z'),
          { code: 'x', requirements: '' }
        );
        await store.sweeps.create(
          { ...sweep('s2', '2026-01-02T00:00:00.000Z'), status: 'COMPLETED' },
          { code: 'y', requirements: 'r', timeLimitMs: 5000 }
        );
        expect(await store.sweeps.get('s1')).toEqual(a);
        expect(await store.sweeps.get('s1', BOB)).toBeNull();
        expect(await store.sweeps.template('s2')).toEqual({
          code: 'y',
          requirements: 'r',
          timeLimitMs: 5000
        });
        expect((await store.sweeps.list(ALICE)).map(s => s.id)).toEqual([
          's2',
          's1'
        ]);
        expect(await store.sweeps.list(ALICE, 'p9')).toEqual([]);
        expect(await store.sweeps.listActive()).toEqual(['s1']);
      });

      it('should apply concurrent mutations one after another, none lost', async () => {
        await store.sweeps.create(sweep('s1', new Date().toISOString()), {
          code: 'x',
          requirements: ''
        });
        const peer = await current.backend.openPeer();
        await Promise.all(
          [store, peer, store, peer].map((s, i) =>
            s.sweeps.mutate('s1', current => ({
              ...current,
              name: `${current.name}${i}`
            }))
          )
        );
        const after = await store.sweeps.get('s1');
        expect([...after!.name.slice(1)].sort().join('')).toBe('0123');
        expect(await store.sweeps.mutate('s1', () => null)).toEqual(after);
        expect(await store.sweeps.mutate('missing', s => s)).toBeNull();
        await store.sweeps.mutate('s1', s => ({ ...s, status: 'PAUSED' }));
        expect(await store.sweeps.listActive()).toEqual(['s1']);
        await store.sweeps.mutate('s1', s => ({ ...s, status: 'CANCELLED' }));
        expect(await store.sweeps.listActive()).toEqual([]);
      });
    });
  });
}
