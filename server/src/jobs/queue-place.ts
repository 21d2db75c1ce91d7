import type { Accelerator, HostInfo, Job, QueuePlace } from '@jaxlab/schemas';

/** What {@link queuePlace} weighs for one QUEUED job. */
export interface IQueueFacts {
  job: Pick<Job, 'status' | 'accelerator'>;
  /** 1 + the queued jobs of its accelerator before it (null: not queued). */
  position: number | null;
  /** Live hosts. */
  hosts: readonly HostInfo[];
  /** The owner's jobs COMPILING or RUNNING now. */
  ownerActive: number;
  /** The per-user cap of concurrent jobs, if any. */
  maxJobsPerOwner?: number;
}

/**
 * Where a job stands and why it waits, in the words the run panel shows:
 * no live host has its accelerator (and what the hosts do have), the
 * per-user cap, or the jobs ahead of it and how busy the hosts are.
 */
export function queuePlace(facts: IQueueFacts): QueuePlace {
  const { job, position, hosts } = facts;
  if (job.status !== 'QUEUED' || position === null)
    return { status: job.status, position: null, reason: '' };
  const kind = job.accelerator;
  const serving = hosts.filter(h => offers(h, kind));
  let reason: string;
  if (serving.length === 0) {
    reason = `No live host has ${kind}; ${describeOffers(hosts)}. The job waits for one, then fails DEVICE_UNAVAILABLE.`;
  } else if (
    facts.maxJobsPerOwner !== undefined &&
    facts.ownerActive >= facts.maxJobsPerOwner
  ) {
    reason = `You have ${facts.ownerActive} job(s) running, the most one user may run at once (${facts.maxJobsPerOwner}); this one starts when one of them ends.`;
  } else {
    const slots = serving.reduce((n, h) => n + (h.maxConcurrentJobs ?? 1), 0);
    const busy = serving.reduce((n, h) => n + (h.runningJobs ?? 0), 0);
    const ahead =
      position === 1
        ? `Next in the ${kind} queue`
        : `${position - 1} job(s) ahead in the ${kind} queue`;
    reason = `${ahead}; ${busy} of ${slots} ${kind} slot(s) busy on ${serving.length} live host(s).`;
  }
  return { status: job.status, position, reason };
}

function offers(host: HostInfo, kind: Accelerator): boolean {
  return host.accelerators.some(a => a.kind === kind && a.count > 0);
}

/** "2 hosts have gpu, 1 host has cpu" (most first), or "no gateway host is connected". */
function describeOffers(hosts: readonly HostInfo[]): string {
  if (hosts.length === 0) return 'no gateway host is connected';
  const counts = new Map<Accelerator, number>();
  for (const host of hosts)
    for (const a of host.accelerators)
      if (a.count > 0) counts.set(a.kind, (counts.get(a.kind) ?? 0) + 1);
  return [...counts]
    .sort(([a, m], [b, n]) => n - m || a.localeCompare(b))
    .map(([kind, n]) => `${n} host${n === 1 ? ' has' : 's have'} ${kind}`)
    .join(', ');
}
