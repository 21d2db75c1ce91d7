import { describeAccountsContract } from './accounts.contract.js';
import { describeJobArtifactsContract } from './artifacts.contract.js';
import { describeJobEventsContract } from './events.contract.js';
import { describeExperimentsContract } from './experiments.contract.js';
import { describeHostsContract } from './hosts.contract.js';
import { describeJobsContract } from './jobs.contract.js';
import { describeOidcRecordsContract } from './oidc.contract.js';
import { describeProjectsContract } from './projects.contract.js';
import { describeJobQueueContract } from './queue.contract.js';
import { describeSeriesContract } from './series.contract.js';
import type { OpenStoreBackend } from './store-backend.js';

export { describeJobEventsContract };
export type { IStoreBackend, OpenStoreBackend } from './store-backend.js';

/** The contract suites of every part of the store but the events. */
export const RESOURCE_CONTRACTS: readonly ((
  name: string,
  open: OpenStoreBackend
) => void)[] = [
  describeJobsContract,
  describeJobQueueContract,
  describeProjectsContract,
  describeAccountsContract,
  describeHostsContract,
  describeJobArtifactsContract,
  describeSeriesContract,
  describeExperimentsContract,
  describeOidcRecordsContract
];
