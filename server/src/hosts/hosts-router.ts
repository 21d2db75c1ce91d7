import express from 'express';
import type { Router } from 'express';
import type { Accelerator, HostList } from '@jaxlab/schemas';
import type { IHosts, IJobs } from '@jaxlab/store';
import { ownerOf } from '../http/request-user.js';

/** Hosts not heard from for this long are left out: 30 s (gateways beat every 5 s). */
export const HOST_STALE_AFTER_MS = 30_000;

/** Lost hosts are listed for this long after their last heartbeat: 1 hour. */
export const HOST_LOST_LISTED_MS = 3600_000;

/** Options of {@link createHostsRouter}. */
export interface IHostsRouterOptions {
  hosts: IHosts;
  /** For the queue's depth per accelerator. */
  jobs: Pick<IJobs, 'countByStatus'>;
  /** How recently a gateway must have sent a heartbeat to count as connected. */
  staleAfterMs?: number;
  /** The clock (tests inject one). */
  now?: () => Date;
}

/**
 * `GET /api/hosts` → `{items, accelerators, lost, queued}`: the gateway
 * hosts heard from recently (what they offer and run) and the accelerator
 * kinds they offer together, so the lab can offer only what a job can
 * actually get; the hosts whose heartbeat stopped; and how many jobs wait
 * per accelerator. Needs a signed-in user; hosts are shared, not owned.
 */
export function createHostsRouter(options: IHostsRouterOptions): Router {
  const router = express.Router();
  const now = options.now ?? (() => new Date());
  router.get('/', async (req, res) => {
    ownerOf(req);
    const time = now().getTime();
    const liveSince = time - (options.staleAfterMs ?? HOST_STALE_AFTER_MS);
    const [recent, counts] = await Promise.all([
      options.hosts.list(new Date(time - HOST_LOST_LISTED_MS)),
      options.jobs.countByStatus()
    ]);
    const isLive = (lastSeenAt: string): boolean =>
      Date.parse(lastSeenAt) >= liveSince;
    const items = recent.filter(h => isLive(h.lastSeenAt));
    const accelerators = [
      ...new Set(items.flatMap(h => h.accelerators.map(a => a.kind)))
    ].sort();
    const queued: Partial<Record<Accelerator, number>> = {};
    for (const c of counts)
      if (c.status === 'QUEUED')
        queued[c.accelerator] = (queued[c.accelerator] ?? 0) + c.count;
    const body: HostList = {
      items,
      accelerators,
      lost: recent.filter(h => !isLive(h.lastSeenAt)),
      queued
    };
    res.json(body);
  });
  return router;
}
