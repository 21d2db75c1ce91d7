import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';

import { labPaths } from '@jaxlab/paths';
import { openStore } from '@jaxlab/store';
import type { IStore } from '@jaxlab/store';
import {
  createKernelLauncher,
  EnvironmentBuilder,
  JobRunner,
  KernelManager
} from '@jaxlab/kernel-gateway';
import type { IKernelLauncher } from '@jaxlab/kernel-gateway';

export const PYTHON = labPaths().python;

/** What a JobRunner needs, in a fresh data folder of its own. */
export interface ITestJobHost {
  dataDir: string;
  store: IStore;
  kernels: KernelManager;
  envBuilder: EnvironmentBuilder;
  /**
   * A JobRunner, not started, on this host's store parts, kernels and
   * builder; `options` add to or override those.
   */
  createRunner(options?: Partial<JobRunner.IOptions>): JobRunner;
  /** {@link createRunner} for the CPU only, started. */
  startRunner(options?: Partial<JobRunner.IOptions>): Promise<JobRunner>;
  /** Disposes the kernels and the store and removes the folder. */
  dispose(): Promise<void>;
}

/**
 * A SQLite store and a sandboxed kernel manager under `/tmp/<prefix>…`,
 * its kernels' default `limits` changed as given.
 */
export async function createTestJobHost(
  prefix: string,
  limits?: Partial<IKernelLauncher.IResourceLimits>
): Promise<ITestJobHost> {
  const dataDir = mkdtempSync(`/tmp/${prefix}`);
  chmodSync(dataDir, 0o755);
  const store = await openStore({
    sqlite: { path: path.join(dataDir, 'jaxlab.db') }
  });
  const kernels = new KernelManager({
    launcher: createKernelLauncher({ limits }),
    dataDir,
    python: PYTHON
  });
  const envBuilder = new EnvironmentBuilder({ dataDir, python: PYTHON });
  const createRunner = (options?: Partial<JobRunner.IOptions>): JobRunner =>
    new JobRunner({
      queue: store.queue,
      events: store.events,
      series: store.series,
      hosts: store.hosts,
      kernels,
      envBuilder,
      ...options
    });
  return {
    dataDir,
    store,
    kernels,
    envBuilder,
    createRunner,
    startRunner: async options => {
      const runner = createRunner({
        accelerators: [{ kind: 'cpu', count: 1, deviceKind: 'cpu' }],
        ...options
      });
      await runner.start();
      return runner;
    },
    dispose: async () => {
      await kernels.dispose();
      await store.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    }
  };
}
