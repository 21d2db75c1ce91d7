// Scale-out: every test here runs on one deployment of 3 gateways, 2 servers
// and one mongo-java-server started once (about a minute), hence one file
// over ~400 lines.
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync
} from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Job, JobEvent, QueuePlace } from '@jaxlab/schemas';
import { hashTokenSecret, openStore } from '@jaxlab/store';
import type { IStore } from '@jaxlab/store';

import {
  startMongoJavaServer,
  type IMongoJavaServer
} from '../../../store/test/mongo-java-server/mongo-java-server.js';
import { KernelManager, createKernelLauncher } from '@jaxlab/kernel-gateway';
import { startGatewayProcess, until } from './gateway-process.js';
import { readSseEvents } from './sse-client.js';
import type { IGatewayProcess } from './gateway-process.js';
import {
  eventually,
  metricSum,
  scrapeMetrics,
  startServerProcess
} from './scaleout-cluster.js';
import type { IServerProcess } from './scaleout-cluster.js';

const LEASE_S = 3;
const EXPIRE_EVERY_S = 2; // the runner's default sweep of lapsed leases
const DEVICE_WAIT_S = 6;
const CAP = 2;
// One slot per host: alice and bob alone (four runnable jobs) keep all three
// gateways busy, so gw-3 holds a job when it is killed. With two slots each,
// gw-1 and gw-2 could take all four and gw-3 might never run one.
const SLOTS_PER_HOST = 1;

/** Each job prints a start and an end line around a short sleep. */
const PROGRAM = `import time


def main(seconds=1.0, tag="x"):
    print(f"start {tag}", flush=True)
    time.sleep(seconds)
    print(f"end {tag}", flush=True)
`;

interface IUser {
  name: string;
  id: string;
  token: string;
}

/**
 * The scaled-out lab for real: three jaxlab-gateway processes (sandboxed
 * kernels) and two jaxlab-server processes on one MongoDB (mongo-java-server
 * over the wire, with its oplog for change streams), fifty jobs from three
 * users, one gateway SIGKILLed mid-run and restarted, one drained by
 * SIGTERM.
 */
describe('scale-out: 3 gateways and 2 servers on one MongoDB', () => {
  let mongo: IMongoJavaServer;
  let store: IStore;
  let env: NodeJS.ProcessEnv;
  const root = mkdtempSync('/tmp/jl-scale-');
  const servers: IServerProcess[] = [];
  const gateways = new Map<string, IGatewayProcess>();
  const users: IUser[] = [];
  const gatewayToken = randomBytes(16).toString('hex');

  const gatewayDir = (hostId: string): string => path.join(root, hostId);
  const startGateway = async (hostId: string): Promise<IGatewayProcess> => {
    const gateway = await startGatewayProcess(
      gatewayDir(hostId),
      gatewayToken,
      [
        '--run-jobs',
        '--host-id',
        hostId,
        '--max-jobs',
        String(SLOTS_PER_HOST),
        '--max-jobs-per-user',
        String(CAP),
        '--lease-s',
        String(LEASE_S),
        '--device-wait-s',
        String(DEVICE_WAIT_S),
        '--drain-grace-s',
        '1',
        '--log-format',
        'json'
      ],
      env
    );
    gateways.set(hostId, gateway);
    return gateway;
  };

  const api = async <T>(
    server: IServerProcess,
    user: IUser,
    route: string,
    body?: unknown
  ): Promise<T> => {
    const res = await fetch(`${server.baseUrl}${route}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: {
        Authorization: `Bearer ${user.token}`,
        'Content-Type': 'application/json'
      },
      body: body === undefined ? undefined : JSON.stringify(body)
    });
    if (!res.ok) throw new Error(`${route}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  const submit = async (
    server: IServerProcess,
    user: IUser,
    tag: string,
    extra: Record<string, unknown> = {}
  ): Promise<string> =>
    (
      await api<{ jobId: string }>(server, user, '/api/jobs', {
        code: PROGRAM,
        entrypoint: 'main',
        args: { seconds: 1.0, tag },
        accelerator: 'cpu',
        ...extra
      })
    ).jobId;
  const jobOf = async (id: string): Promise<Job> => (await store.jobs.get(id))!;
  const eventsOf = (id: string): Promise<JobEvent[]> =>
    store.events.read(id, 0, 10_000);

  beforeAll(async () => {
    chmodSync(root, 0o755);
    mongo = await startMongoJavaServer();
    env = {
      ...process.env,
      MONGODB_URI: mongo.uri,
      JAXLAB_MAX_JOBS_PER_USER: String(CAP)
    };
    store = await openStore({ mongodb: { uri: mongo.uri } });
    for (const name of ['alice', 'bob', 'carol']) {
      const user = await store.accounts.upsertUser({
        provider: 'local',
        subject: name,
        email: `${name}@example.com`,
        name
      });
      const token = randomBytes(24).toString('hex');
      await store.accounts.createApiToken(
        user.id,
        'scale-out test',
        hashTokenSecret(token)
      );
      users.push({ name, id: user.id, token });
    }
    for (let i = 0; i < 2; i++)
      servers.push(
        await startServerProcess(path.join(root, `server-${i}`), env)
      );
    for (const hostId of ['gw-1', 'gw-2', 'gw-3']) await startGateway(hostId);
    // Each registers its host once its runner started.
    const live = async (): Promise<boolean> =>
      (await store.hosts.list(new Date(Date.now() - 10_000))).length === 3;
    if (!(await eventually(live, 60_000)))
      throw new Error('the three gateways did not register their hosts');
  });

  afterAll(async () => {
    // Stopped the orderly way (SIGTERM), then whatever a killed gateway
    // left is reaped the way its next start would.
    await Promise.all(
      [...gateways.values()].map(async gateway => {
        if (gateway.child.exitCode !== null) return;
        gateway.child.kill('SIGTERM');
        if (!(await until(() => gateway.child.exitCode !== null, 15_000)))
          gateway.child.kill('SIGKILL');
      })
    );
    for (const hostId of gateways.keys()) {
      const reaper = new KernelManager({
        launcher: createKernelLauncher(),
        dataDir: gatewayDir(hostId)
      });
      await reaper.leftoversReaped;
      await reaper.dispose();
    }
    for (const server of servers) server.child.kill('SIGKILL');
    await store?.dispose();
    await mongo?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('should run fifty jobs of three users exactly once each, fairly, surviving a SIGKILLed gateway', async () => {
    const [alice, bob, carol] = users;
    const [serverA, serverB] = servers;
    // Ops probes of every process.
    for (const base of [
      ...servers.map(s => s.baseUrl),
      ...[...gateways.values()].map(g => g.baseUrl)
    ]) {
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      const ready = await fetch(`${base}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({
        ready: true,
        checks: { store: { ok: true } }
      });
    }

    // Two users with a backlog each, then a third with two jobs.
    const ids = new Map<string, IUser>();
    for (let i = 0; i < 24; i++) {
      for (const user of [alice, bob]) {
        const server = i % 2 ? serverB : serverA;
        ids.set(await submit(server, user, `${user.name}-${i}`), user);
      }
    }
    const carolJobs = [
      await submit(serverA, carol, 'carol-0'),
      await submit(serverB, carol, 'carol-1')
    ];
    for (const id of carolJobs) ids.set(id, carol);
    const tpuJob = await submit(serverA, carol, 'tpu', { accelerator: 'tpu' });
    const aliceLast = [...ids].filter(([, u]) => u === alice).at(-1)![0];

    // Place and reason, while it waits (read through the other replica).
    const place = await api<QueuePlace>(
      serverB,
      alice,
      `/api/jobs/${aliceLast}/queue`
    );
    expect(place.status).toBe('QUEUED');
    expect(place.position).toBeGreaterThan(10);
    expect(place.reason).toMatch(
      /job\(s\) ahead in the cpu queue|most one user may run/
    );
    const tpuPlace = await api<QueuePlace>(
      serverB,
      carol,
      `/api/jobs/${tpuJob}/queue`
    );
    expect(tpuPlace).toMatchObject({ status: 'QUEUED', position: 1 });
    expect(tpuPlace.reason).toContain('No live host has tpu; 3 hosts have cpu');

    // An SSE client on replica B follows a job submitted through replica A.
    const watched = readSseEvents(
      `${serverB.baseUrl}/api/jobs/${carolJobs[0]}/events`,
      { authorization: `Bearer ${carol.token}` }
    );

    // SIGKILL gw-3 once it runs jobs and some jobs have finished.
    const gw3 = gateways.get('gw-3')!;
    const finishedCount = async (): Promise<number> => {
      let n = 0;
      for (const id of ids.keys()) if ((await jobOf(id)).finishedAt) n++;
      return n;
    };
    const deadline = Date.now() + 120_000;
    let held: Job[] = [];
    for (;;) {
      held = [];
      for (const id of ids.keys()) {
        const job = await jobOf(id);
        if (job.host === 'gw-3' && job.status === 'RUNNING') held.push(job);
      }
      if (held.length > 0 && (await finishedCount()) >= 6) break;
      if (Date.now() > deadline) throw new Error('gw-3 never ran a job');
      await delay(100);
    }
    gw3.child.kill('SIGKILL');
    const killedAt = Date.now();
    const orphaned: string[] = [];
    for (const id of ids.keys()) {
      const job = await jobOf(id);
      if (job.host === 'gw-3' && !job.finishedAt) orphaned.push(id);
    }
    expect(orphaned.length).toBeGreaterThan(0);
    // Within the lease (plus one sweep of lapsed leases) they end HOST_LOST,
    // while the other gateways go on running jobs.
    const limitMs = (LEASE_S + EXPIRE_EVERY_S) * 1000 + 2000;
    expect(
      await eventually(
        async () => {
          const jobs = await Promise.all(orphaned.map(jobOf));
          return jobs.every(j => j.status === 'FAILED');
        },
        limitMs - (Date.now() - killedAt)
      )
    ).toBe(true);
    for (const id of orphaned)
      expect((await jobOf(id)).failure).toMatchObject({ reason: 'HOST_LOST' });

    // Its restart reaps what the killed gateway left behind: no process
    // of its kernels' sandboxes, no kernel folder.
    const kernelsDir = path.join(gatewayDir('gw-3'), 'kernels');
    const leftBehind = readdirSync(kernelsDir).map(k =>
      path.join(kernelsDir, k)
    );
    expect(leftBehind.length).toBeGreaterThan(0);
    await startGateway('gw-3');
    expect(
      await until(
        () =>
          leftBehind.every(
            dir => !existsSync(dir) && processesMentioning(dir).length === 0
          ),
        15_000
      )
    ).toBe(true);

    // Everything else completes.
    const all = [...ids.keys()];
    expect(
      await eventually(async () => {
        return (await finishedCount()) === all.length;
      }, 240_000)
    ).toBe(true);

    const claims: { id: string; user: IUser; at: number }[] = [];
    for (const id of all) {
      const job = await jobOf(id);
      const events = await eventsOf(id);
      const statuses = events.flatMap(e =>
        e.type === 'job:status' ? [e] : []
      );
      // Exactly once: one claim, one start, one end.
      expect(statuses.filter(e => e.status === 'COMPILING')).toHaveLength(1);
      expect(
        statuses.filter(e => e.status === 'RUNNING').length
      ).toBeLessThanOrEqual(1);
      // A job the killed gateway held was claimed too: it counts for the
      // order of claims (gw-3 may have held one of carol's).
      claims.push({
        id,
        user: ids.get(id)!,
        at: Date.parse(statuses[0].time)
      });
      if (orphaned.includes(id)) {
        expect(job.status).toBe('FAILED');
        continue;
      }
      expect(job.status, `${id}: ${JSON.stringify(job.failure)}`).toBe(
        'COMPLETED'
      );
      const log = events
        .flatMap(e => (e.type === 'job:log' ? [e.text] : []))
        .join('');
      const tag = String((job.args as { tag: string }).tag);
      expect(log.split(`start ${tag}\n`)).toHaveLength(2);
      expect(log.split(`end ${tag}\n`)).toHaveLength(2);
    }

    // The per-user cap held at every moment, on all hosts together.
    for (const user of users) {
      const spans = await Promise.all(
        all
          .filter(id => ids.get(id) === user)
          .map(async id => {
            const statuses = (await eventsOf(id)).filter(
              e => e.type === 'job:status'
            );
            return [
              Date.parse(statuses[0].time),
              Date.parse(statuses.at(-1)!.time)
            ];
          })
      );
      for (const [start] of spans) {
        const overlapping = spans.filter(([s, e]) => s <= start && start < e);
        expect(
          overlapping.length,
          `${user.name} at ${start}`
        ).toBeLessThanOrEqual(CAP);
      }
    }

    // Carol's two jobs, submitted behind 48 others, did not wait for them.
    claims.sort((a, b) => a.at - b.at);
    const carolRanks = claims.flatMap((c, i) => (c.user === carol ? [i] : []));
    expect(carolRanks).toHaveLength(2);
    expect(Math.max(...carolRanks)).toBeLessThan(15);

    // Replica B's SSE stream of a job submitted through replica A: every
    // event the gateway wrote, in order, none missing.
    const seen = await watched;
    const stored = await eventsOf(carolJobs[0]);
    expect(seen.map(e => e.seq)).toEqual(stored.map(e => e.seq));
    expect(seen).toEqual(stored);

    // The TPU job waited, then failed DEVICE_UNAVAILABLE.
    expect(
      await eventually(async () => {
        return Boolean((await jobOf(tpuJob)).finishedAt);
      }, 30_000)
    ).toBe(true);
    const tpu = await jobOf(tpuJob);
    expect(tpu.failure).toMatchObject({ reason: 'DEVICE_UNAVAILABLE' });
    expect(
      Date.parse(tpu.finishedAt!) - Date.parse(tpu.createdAt)
    ).toBeGreaterThanOrEqual(DEVICE_WAIT_S * 1000);

    // /metrics of a server replica agrees with what happened.
    const serverMetrics = await scrapeMetrics(serverA.baseUrl);
    expect(
      metricSum(serverMetrics, 'jaxlab_jobs', { status: 'COMPLETED' })
    ).toBe(all.length - orphaned.length);
    expect(
      metricSum(serverMetrics, 'jaxlab_jobs', {
        status: 'FAILED',
        reason: 'HOST_LOST'
      })
    ).toBe(orphaned.length);
    expect(
      metricSum(serverMetrics, 'jaxlab_jobs', {
        status: 'FAILED',
        reason: 'DEVICE_UNAVAILABLE'
      })
    ).toBe(1);
    expect(metricSum(serverMetrics, 'jaxlab_queue_depth')).toBe(0);
    expect(metricSum(serverMetrics, 'jaxlab_hosts_live')).toBe(3);
    expect(
      (serverMetrics.get('jaxlab_sse_event_latency_seconds') ?? []).length
    ).toBeGreaterThan(0);
    // ... and so do a surviving gateway's own counters.
    for (const hostId of ['gw-1', 'gw-2']) {
      const gatewayMetrics = await scrapeMetrics(gateways.get(hostId)!.baseUrl);
      let completedHere = 0;
      for (const id of all) {
        const job = await jobOf(id);
        if (job.host === hostId && job.status === 'COMPLETED') completedHere++;
      }
      expect(
        metricSum(gatewayMetrics, 'jaxlab_gateway_jobs_ended_total', {
          status: 'COMPLETED'
        })
      ).toBe(completedHere);
    }

    // Every line a gateway logged about one of the jobs carries its id.
    for (const hostId of ['gw-1', 'gw-2']) {
      const lines = gateways
        .get(hostId)!
        .output()
        .split('\n')
        .filter(line => line.startsWith('{'))
        .map(line => JSON.parse(line) as { msg: string; jobId?: string });
      const aboutJobs = lines.flatMap(line => {
        const named = all.filter(id => line.msg.includes(id));
        return named.length ? [{ line, named }] : [];
      });
      expect(aboutJobs.length).toBeGreaterThan(10);
      for (const { line, named } of aboutJobs)
        expect(named, line.msg).toContain(line.jobId);
    }
  }, 420_000);

  it('should hand a running job back to the queue whenever its gateway is stopped with SIGTERM', async () => {
    const [alice] = users;
    const id = await submit(servers[0], alice, 'long', {
      args: { seconds: 60, tag: 'long' }
    });
    // Two gateways stopped one after the other while it runs (a rolling
    // restart): the job goes back each time and runs on the host left.
    const hosts: string[] = [];
    for (const attempt of [1, 2, 3]) {
      let job: Job | undefined;
      expect(
        await eventually(async () => {
          job = await jobOf(id);
          return (
            job.status === 'RUNNING' &&
            (job.attempt ?? 1) === attempt &&
            !hosts.includes(job.host!)
          );
        }, 60_000)
      ).toBe(true);
      hosts.push(job!.host!);
      // The drain grace is 1 s: then the job goes back, and another host runs it.
      if (attempt < 3) gateways.get(job!.host!)!.child.kill('SIGTERM');
    }
    const statuses = (await eventsOf(id)).flatMap(e =>
      e.type === 'job:status' ? [e.status] : []
    );
    expect(statuses).toEqual([
      'COMPILING',
      'RUNNING',
      'QUEUED',
      'COMPILING',
      'RUNNING',
      'QUEUED',
      'COMPILING',
      'RUNNING'
    ]);
    const log = (await eventsOf(id))
      .flatMap(e => (e.type === 'job:log' ? [e.text] : []))
      .join('');
    for (const host of hosts.slice(0, 2)) {
      expect(log).toContain(
        `The gateway on host ${host} shut down before this job finished`
      );
      const drained = gateways.get(host)!;
      expect(await until(() => drained.child.exitCode !== null, 20_000)).toBe(
        true
      );
      expect(drained.child.exitCode).toBe(0);
    }
    await api(servers[1], alice, `/api/jobs/${id}/cancel`, {});
  }, 180_000);
});

/** Host pids whose command line mentions `text`. */
function processesMentioning(text: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.includes(text)) pids.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}
