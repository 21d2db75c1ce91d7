import type { Accelerator, HostInfo } from '@jaxlab/schemas';
import { failureOf } from '@jaxlab/schemas';
import type { IJobEvents, IJobQueue } from '@jaxlab/store';

import type { IHostAccelerator } from '../host/accelerator-detector.js';
import { describeAccelerators } from '../host/accelerator-detector.js';
import type { LogSink } from '../../log/gateway-log.js';

/** What {@link failUnservableJobs} works with. */
export interface IUnservableJobsOptions {
  queue: IJobQueue;
  events: IJobEvents;
  /** This host, which claims the jobs it fails. */
  hostId: string;
  leaseMs: number;
  /** How long a job waits QUEUED for a device before it fails. */
  deviceWaitMs: number;
  /** The lab's live hosts. */
  hosts: HostInfo[];
  /** The most devices of `kind` one job can get on this host (its slots). */
  largestJobHere: (kind: Accelerator) => number;
  log: LogSink;
}

/**
 * Claims and fails jobs asking for an accelerator no live host of the lab
 * offers, or for more of its devices than any live host has, and that
 * waited `deviceWaitMs` for one, saying what the lab's hosts do have.
 * Until then they stay QUEUED (the server says why), so a host starting
 * or coming back can still take them.
 */
export async function failUnservableJobs(
  options: IUnservableJobsOptions
): Promise<void> {
  const { hosts, queue, events, hostId, leaseMs, deviceWaitMs, log } = options;
  const now = Date.now();
  const offered = new Map<Accelerator, IHostAccelerator>();
  const largest = new Map<Accelerator, number>();
  for (const host of hosts) {
    for (const accelerator of host.accelerators) {
      if (accelerator.count > 0 && !offered.has(accelerator.kind)) {
        offered.set(accelerator.kind, accelerator);
      }
    }
    for (const kind of ['cpu', 'gpu', 'tpu'] as const) {
      largest.set(
        kind,
        Math.max(largest.get(kind) ?? 0, largestJobOn(host, kind))
      );
    }
  }
  for (const kind of ['cpu', 'gpu', 'tpu'] as const) {
    largest.set(
      kind,
      Math.max(largest.get(kind) ?? 0, options.largestJobHere(kind))
    );
  }
  const capacity = (['cpu', 'gpu', 'tpu'] as const).map(accelerator => ({
    accelerator,
    minDevices: (largest.get(accelerator) ?? 0) + 1,
    maxDevices: 1_000_000
  }));
  for (;;) {
    const job = await queue.claimNext({
      hostId,
      capacity,
      leaseMs,
      queuedBefore: new Date(now - deviceWaitMs)
    });
    if (!job) {
      return;
    }
    const available = describeAccelerators([...offered.values()]);
    const most = largest.get(job.accelerator) ?? 0;
    const failure =
      most === 0
        ? failureOf('deviceUnavailable', {
            accelerator: job.accelerator,
            available,
            offered: [...offered.keys()][0] ?? 'cpu'
          })
        : failureOf('tooManyDevices', {
            accelerator: job.accelerator,
            count: job.deviceCount ?? 1,
            most,
            available
          });
    await events.append(
      job.id,
      [{ type: 'job:status', status: 'FAILED', failure }],
      { hostId }
    );
    log(
      `job ${job.id}: FAILED DEVICE_UNAVAILABLE (${job.accelerator} × ${job.deviceCount})`,
      { event: 'job:ended', jobId: job.id }
    );
  }
}

/**
 * The most devices of `kind` one job can get on `host`: its GPUs, its TPU
 * chips, or the XLA CPU devices of a CPU slot (hosts registered before
 * slots: what JAX saw).
 */
function largestJobOn(host: HostInfo, kind: Accelerator): number {
  const count = host.accelerators.find(a => a.kind === kind)?.count ?? 0;
  if (kind === 'gpu' || count === 0) return count;
  const slots = (host.slots ?? []).filter(s => s.accelerator === kind);
  return slots.length ? Math.max(...slots.map(s => s.deviceCount)) : count;
}
