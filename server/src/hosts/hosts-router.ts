import express from 'express';
import type { Router } from 'express';
import type { HostList } from '@jaxlab/schemas';
import type { IHosts } from '@jaxlab/store';
import { ownerOf } from '../http/request-user.js';

/** Hosts not heard from for this long are left out: 30 s (gateways beat every 5 s). */
export const HOST_STALE_AFTER_MS = 30_000;

/** Options of {@link createHostsRouter}. */
export interface IHostsRouterOptions {
  hosts: IHosts;
  /** How recently a gateway must have sent a heartbeat to count as connected. */
  staleAfterMs?: number;
  /** The clock (tests inject one). */
  now?: () => Date;
}

/**
 * `GET /api/hosts` → `{items: HostInfo[], accelerators}`: the gateway hosts
 * heard from recently and the accelerator kinds they offer together, so
 * the lab can offer only what a job can actually get. Needs a signed-in
 * user; hosts are shared, not owned.
 */
export function createHostsRouter(options: IHostsRouterOptions): Router {
  const router = express.Router();
  const now = options.now ?? (() => new Date());
  router.get('/', async (req, res) => {
    ownerOf(req);
    const since = new Date(
      now().getTime() - (options.staleAfterMs ?? HOST_STALE_AFTER_MS)
    );
    const items = await options.hosts.list(since);
    const accelerators = [
      ...new Set(items.flatMap(h => h.accelerators.map(a => a.kind)))
    ].sort();
    const body: HostList = { items, accelerators };
    res.json(body);
  });
  return router;
}
