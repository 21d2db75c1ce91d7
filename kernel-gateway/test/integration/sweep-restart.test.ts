/**
 * A sweep survives its lab's processes dying: the real `jaxlab-server`
 * (which schedules the trials) and the real `jaxlab-gateway` (which runs
 * them in sandboxed kernels) on one embedded SQLite store, each restarted
 * over the same data folder after
 *
 * 1. both are SIGKILLed while a trial's program runs and others wait;
 * 2. the server alone is SIGKILLed the moment a trial ends (when its
 *    scheduler records it and submits the next);
 * 3. the gateway is stopped with Ctrl+C (SIGINT) while a trial runs: it
 *    hands the job back to the queue (unless its call returns meanwhile).
 *
 * The sweep still completes with every trial's program run to its end
 * exactly once (its "Final loss" line printed once over all its jobs) and
 * none lost.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { JobEvent, JobSummary, Project, Sweep } from '@jaxlab/schemas';
import { hashTokenSecret, openStore } from '@jaxlab/store';
import type { IStore } from '@jaxlab/store';

import { KernelManager, createKernelLauncher } from '@jaxlab/kernel-gateway';
import { startGatewayProcess, until } from './gateway-process.js';
import type { IGatewayProcess } from './gateway-process.js';
import { eventually, startServerProcess } from './scaleout-cluster.js';
import type { IServerProcess } from './scaleout-cluster.js';

const HOST_ID = 'sweep-host';
const LEASE_S = 2;
const SLOTS = 2;
const LRS = [0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1];

/** Each trial prints its arguments, sleeps, then its loss (at its end). */
const MAIN_PY = `import time


def main(lr=0.1, width=8):
    print(f"start lr={lr}", flush=True)
    time.sleep(1.5)
    print(f"Final loss: {lr * width / 10}", flush=True)
`;
const lossOf = (lr: number): number => (lr * 8) / 10;

describe('a sweep across SIGKILLed and restarted server and gateway processes', () => {
  const dataDir = mkdtempSync('/tmp/jl-sweep-');
  const gatewayToken = randomBytes(16).toString('hex');
  let store: IStore;
  let token: string;
  let server: IServerProcess | undefined;
  let gateway: IGatewayProcess | undefined;

  const startServer = async (): Promise<IServerProcess> =>
    (server = await startServerProcess(dataDir, process.env));
  const startGateway = async (): Promise<IGatewayProcess> =>
    (gateway = await startGatewayProcess(dataDir, gatewayToken, [
      '--run-jobs',
      '--host-id',
      HOST_ID,
      '--max-jobs',
      String(SLOTS),
      '--lease-s',
      String(LEASE_S),
      '--log-format',
      'json'
    ]));
  const kill = async (
    process: IServerProcess | IGatewayProcess | undefined
  ): Promise<void> => {
    if (!process || process.child.exitCode !== null) return;
    const exited = new Promise(resolve => process.child.once('exit', resolve));
    process.child.kill('SIGKILL');
    await exited;
  };
  const api = async <T>(route: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${server!.baseUrl}${route}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: {
        Authorization: `Bearer ${token}`,
        'Content-Type': 'application/json'
      },
      body: body === undefined ? undefined : JSON.stringify(body)
    });
    if (!res.ok) throw new Error(`${route}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  const sweepJobs = (sweep: Sweep): Promise<JobSummary[]> =>
    store.jobs
      .list({ owner: sweep.owner, tag: `sweep:${sweep.id}`, limit: 200 })
      .then(page => page.items);
  const eventsOf = (id: string): Promise<JobEvent[]> =>
    store.events.read(id, 0, 10_000);
  /** Waits for `check` on the store's jobs of the sweep, or throws. */
  const waitForJobs = async (
    sweep: Sweep,
    check: (jobs: JobSummary[]) => boolean,
    what: string
  ): Promise<void> => {
    if (!(await eventually(async () => check(await sweepJobs(sweep)), 90_000)))
      throw new Error(
        `${what} never happened: ${JSON.stringify(await sweepJobs(sweep))}\n${server?.output()}\n${gateway?.output()}`
      );
  };

  /** A trial's program is between its first line and its last. */
  const midProgram = (jobs: JobSummary[]): JobSummary[] =>
    jobs.filter(
      j =>
        j.status === 'RUNNING' &&
        j.logTail.includes('start lr=') &&
        !j.logTail.includes('Final loss')
    );
  const logOf = async (id: string): Promise<string> =>
    (await eventsOf(id))
      .flatMap(e => (e.type === 'job:log' ? [e.text] : []))
      .join('');

  beforeAll(async () => {
    chmodSync(dataDir, 0o755);
    store = await openStore({ dataDir });
    const user = await store.accounts.upsertUser({
      provider: 'local',
      subject: 'sweeper',
      email: 'sweeper@example.com',
      name: 'sweeper'
    });
    token = randomBytes(24).toString('hex');
    await store.accounts.createApiToken(
      user.id,
      'sweep restart test',
      hashTokenSecret(token)
    );
    await startServer();
    await startGateway();
  });

  afterAll(async () => {
    if (gateway && gateway.child.exitCode === null) {
      gateway.child.kill('SIGTERM');
      if (!(await until(() => gateway!.child.exitCode !== null, 15_000)))
        gateway.child.kill('SIGKILL');
    }
    await kill(server);
    // What a killed gateway left behind, reaped as its next start would.
    const reaper = new KernelManager({
      launcher: createKernelLauncher(),
      dataDir
    });
    await reaper.leftoversReaped;
    await reaper.dispose();
    await store?.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('should complete every trial exactly once, none lost, each an ordinary run tagged with the sweep', async () => {
    const project = await api<Project>('/api/projects', {
      name: 'sweep restart',
      mainPy: MAIN_PY
    });
    const started = await api<Sweep>('/api/sweeps', {
      projectId: project.id,
      code: MAIN_PY,
      space: {
        kind: 'grid',
        runCap: LRS.length,
        parameters: { lr: { values: LRS } }
      },
      target: { metric: 'loss', direction: 'min' },
      maxConcurrent: 3
    });
    expect(started.trials).toHaveLength(LRS.length);

    // 1. Both processes die while a trial's program runs and others wait.
    await waitForJobs(
      started,
      jobs =>
        jobs.some(j => j.status === 'COMPLETED') && midProgram(jobs).length > 0,
      'a trial completed while another ran'
    );
    await Promise.all([kill(server), kill(gateway)]);
    const atKill = (await store.sweeps.get(started.id))!;
    const killedMidRun = midProgram(await sweepJobs(started)).map(j => j.id);
    expect(killedMidRun.length).toBeGreaterThan(0);
    expect(atKill.trials.some(t => t.state === 'PENDING')).toBe(true);
    await startServer();
    await startGateway();

    // 2. The server alone dies the moment a further trial ends.
    const completedBefore = (await sweepJobs(started)).filter(
      j => j.status === 'COMPLETED'
    ).length;
    await waitForJobs(
      started,
      jobs =>
        jobs.filter(j => j.status === 'COMPLETED').length > completedBefore,
      'a trial completed after the restart'
    );
    await kill(server);
    await delay(500);
    await startServer();

    // 3. Ctrl+C on the gateway while a trial runs: the job goes back to
    //    the queue, and the next gateway runs it from the start.
    await waitForJobs(
      started,
      jobs => midProgram(jobs).length > 0,
      'a trial ran after the second restart'
    );
    const handedBack = midProgram(await sweepJobs(started)).map(j => j.id);
    const stopped = gateway!;
    const exited = new Promise(resolve => stopped.child.once('exit', resolve));
    stopped.child.kill('SIGINT');
    await exited;
    await startGateway();

    // The sweep completes.
    let done: Sweep | undefined;
    const finished = await eventually(async () => {
      done = await api<Sweep>(`/api/sweeps/${started.id}`);
      return done.status !== 'RUNNING';
    }, 120_000);
    expect(
      finished,
      `${JSON.stringify(done)}\n${server?.output()}\n${gateway?.output()}`
    ).toBe(true);
    const sweep = done!;
    expect(sweep.status).toBe('COMPLETED');
    expect(sweep.trials.map(t => t.state)).toEqual(LRS.map(() => 'COMPLETED'));

    // Every trial ran its own arguments to completion in exactly one job.
    const jobs = await sweepJobs(sweep);
    const trialJobIds = sweep.trials.map(t => t.jobId!);
    expect(new Set(trialJobIds).size).toBe(LRS.length);
    for (const trial of sweep.trials) {
      const lr = LRS[trial.index];
      expect(trial.args).toEqual({ lr });
      expect(trial.value).toBeCloseTo(lossOf(lr), 10);
      const own = jobs.filter(j =>
        j.tags?.includes(`sweep:${sweep.id}:${trial.index}`)
      );
      const completed = own.filter(j => j.status === 'COMPLETED');
      expect(
        completed.map(j => j.id),
        `trial ${trial.index}`
      ).toEqual([trial.jobId]);
      // Any other job of the trial is a run its dead host lost mid-way,
      // recorded as such on the trial.
      const lost = own.filter(j => j.id !== trial.jobId);
      for (const job of lost)
        expect(job.failure, `trial ${trial.index}`).toMatchObject({
          reason: 'HOST_LOST'
        });
      expect(lost.map(j => j.id).sort()).toEqual(
        [...(trial.lostJobIds ?? [])].sort()
      );
      // An ordinary run of the project, tagged with the sweep.
      const job = completed[0];
      expect(job).toMatchObject({
        projectId: project.id,
        entrypoint: 'main',
        args: { lr },
        tags: [`sweep:${sweep.id}`, `sweep:${sweep.id}:${trial.index}`]
      });
      // Its program ran to its end once, in its own job, over all of them.
      const logs = await Promise.all(own.map(j => logOf(j.id)));
      const finals = logs.map(log => log.split('Final loss: ').length - 1);
      expect(finals, `trial ${trial.index}`).toEqual(
        own.map(j => (j.id === trial.jobId ? 1 : 0))
      );
    }
    // No job of the sweep besides the trials' own and the lost ones; the
    // runs going when both processes died are among the lost; a job handed
    // back by Ctrl+C ran again as the same job.
    const lostIds = sweep.trials.flatMap(t => t.lostJobIds ?? []);
    expect(jobs.map(j => j.id).sort()).toEqual(
      [...trialJobIds, ...lostIds].sort()
    );
    for (const id of killedMidRun) expect(lostIds).toContain(id);
    // A job going when Ctrl+C came ran on as the same job: handed back and
    // run again from the start, or COMPLETED if its call returned during
    // the hand-back (jobs-runner.test.ts shows both).
    expect(handedBack.length).toBeGreaterThan(0);
    for (const id of handedBack) expect(trialJobIds).toContain(id);
    expect(sweep.best).toMatchObject({
      index: LRS.length - 1,
      value: lossOf(LRS.at(-1)!)
    });
  }, 300_000);
});
