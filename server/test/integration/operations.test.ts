import { afterEach, describe, expect, it } from 'vitest';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import type { QueuePlace } from '@jaxlab/schemas';
import type { IJobsServer } from './jobs-server.js';
import { runAsGateway, startJobsServer } from './jobs-server.js';

let server: IJobsServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

const PROGRAM = 'def main():\n    pass\n';

async function submit(
  s: IJobsServer,
  accelerator = 'cpu',
  user = 'alice'
): Promise<string> {
  const res = await s.call('POST', '/api/jobs', {
    body: { code: PROGRAM, accelerator },
    user
  });
  return ((await res.json()) as { jobId: string }).jobId;
}

async function upsertHost(
  s: IJobsServer,
  hostId: string,
  kind: 'cpu' | 'gpu' | 'tpu',
  runningJobs = 0
): Promise<void> {
  await s.store.hosts.upsert({
    hostId,
    gatewayVersion: '0.1.0',
    accelerators: [{ kind, count: 1 }],
    maxConcurrentJobs: 1,
    runningJobs,
    lastSeenAt: new Date().toISOString()
  });
}

describe('createLabServer() probes and metrics', () => {
  it('should answer /healthz, and /readyz only while the store answers', async () => {
    server = await startJobsServer();
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true });
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      ready: true,
      checks: { store: { ok: true } }
    });
    await server.store.dispose();
    const notReady = await fetch(`${server.url}/readyz`);
    expect(notReady.status).toBe(503);
    const body = await notReady.json();
    expect(body.ready).toBe(false);
    expect(body.checks.store).toMatchObject({ ok: false });
    expect(body.checks.store.message).toMatch(/disposed|closed/i);
  });

  it('should serve Prometheus metrics that agree with the store', async () => {
    server = await startJobsServer();
    await upsertHost(server, 'cpu-1', 'cpu');
    const done = await submit(server);
    await runAsGateway(server.store, done);
    await server.store.events.append(
      done,
      [{ type: 'job:status', status: 'COMPLETED' }],
      { hostId: 'host-1' }
    );
    await submit(server);
    await submit(server);
    await submit(server, 'tpu');
    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const families = parsePrometheusTextFormat(await res.text());
    const samples = (name: string) =>
      families.find(f => f.name === name)?.metrics ?? [];
    const value = (name: string, labels: Record<string, string>) =>
      Number(
        samples(name).find(m =>
          Object.entries(labels).every(([k, v]) => m.labels?.[k] === v)
        )?.value
      );
    expect(
      value('jaxlab_jobs', { status: 'COMPLETED', accelerator: 'cpu' })
    ).toBe(1);
    expect(value('jaxlab_jobs', { status: 'QUEUED', accelerator: 'cpu' })).toBe(
      2
    );
    expect(value('jaxlab_queue_depth', { accelerator: 'cpu' })).toBe(2);
    expect(value('jaxlab_queue_depth', { accelerator: 'tpu' })).toBe(1);
    expect(value('jaxlab_queue_depth', { accelerator: 'gpu' })).toBe(0);
    expect(Number(samples('jaxlab_hosts_live')[0].value)).toBe(1);
    expect(samples('process_cpu_user_seconds_total')).toHaveLength(1);
  });
});

describe('createLabServer() GET /api/jobs/{id}/queue', () => {
  it('should say no live host has the accelerator, and what the hosts have', async () => {
    server = await startJobsServer();
    const id = await submit(server, 'tpu');
    const alone = (await (
      await server.call('GET', `/api/jobs/${id}/queue`)
    ).json()) as QueuePlace;
    expect(alone).toEqual({
      status: 'QUEUED',
      position: 1,
      reason:
        'No live host has tpu; no gateway host is connected. The job waits for one, then fails DEVICE_UNAVAILABLE.'
    });
    await upsertHost(server, 'gpu-1', 'gpu');
    await upsertHost(server, 'gpu-2', 'gpu');
    await upsertHost(server, 'cpu-1', 'cpu');
    const place = (await (
      await server.call('GET', `/api/jobs/${id}/queue`)
    ).json()) as QueuePlace;
    expect(place.reason).toContain(
      'No live host has tpu; 2 hosts have gpu, 1 host has cpu.'
    );
  });

  it('should give the position behind the jobs ahead and how busy the hosts are', async () => {
    server = await startJobsServer();
    await upsertHost(server, 'cpu-1', 'cpu', 1);
    await submit(server, 'cpu', 'bob');
    await submit(server, 'cpu', 'bob');
    const id = await submit(server);
    const place = (await (
      await server.call('GET', `/api/jobs/${id}/queue`)
    ).json()) as QueuePlace;
    // Round-robin: alice's first job comes before bob's second.
    expect(place).toEqual({
      status: 'QUEUED',
      position: 2,
      reason:
        '1 job(s) ahead in the cpu queue; 1 of 1 cpu slot(s) busy on 1 live host(s).'
    });
    expect(
      (await server.call('GET', `/api/jobs/${id}/queue`, { user: 'bob' }))
        .status
    ).toBe(404);
  });

  it('should say when the per-user cap holds the job back, and nothing once it left the queue', async () => {
    server = await startJobsServer({ config: { maxJobsPerOwner: 1 } });
    await upsertHost(server, 'cpu-1', 'cpu', 1);
    const running = await submit(server);
    await runAsGateway(server.store, running);
    const id = await submit(server);
    const place = (await (
      await server.call('GET', `/api/jobs/${id}/queue`)
    ).json()) as QueuePlace;
    expect(place.reason).toBe(
      'You have 1 job(s) running, the most one user may run at once (1); this one starts when one of them ends.'
    );
    const left = (await (
      await server.call('GET', `/api/jobs/${running}/queue`)
    ).json()) as QueuePlace;
    expect(left).toEqual({ status: 'RUNNING', position: null, reason: '' });
  });
});
