import type { HostInfo } from '@jaxlab/schemas';

/** Gateway hosts and their heartbeats. */
export interface IHosts {
  /** Registers or refreshes a gateway host (its heartbeat). */
  upsert(host: HostInfo): Promise<void>;

  /** Hosts seen since `since`, by host id. */
  list(since: Date): Promise<HostInfo[]>;
}
