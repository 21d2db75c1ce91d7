/**
 * A job's folder is its own size- and file-limited filesystem: a job that
 * writes past its quota ends DISK_QUOTA, and the host's disk does not
 * lose more than the quota (here nothing at all: the folder is a tmpfs).
 */
import { promises as fs } from 'node:fs';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { IStore } from '@jaxlab/store';

import type { JobRunner } from '@jaxlab/kernel-gateway';
import { createTestJobHost } from './job-host.js';
import type { ITestJobHost } from './job-host.js';
import { submitJob, waitForStatus } from './jobs-programs.js';

const QUOTA_BYTES = 64 * 1024 * 1024;
const QUOTA_FILES = 2000;

/** Issue 9's case: three files of 1 GiB each. */
const BIG_FILES = `def main():
    chunk = b"x" * (1024 * 1024)
    for name in ("big0", "big1", "big2"):
        with open(name, "wb") as f:
            for _ in range(1024):
                f.write(chunk)
`;

/** Empty files until something stops it. */
const MANY_FILES = `def main():
    i = 0
    while True:
        open(f"f{i}", "w").close()
        i += 1
`;

async function freeBytes(dir: string): Promise<number> {
  const stat = await fs.statfs(dir);
  return stat.bavail * stat.bsize;
}

describe('JobRunner with a per-job disk quota', () => {
  let host: ITestJobHost;
  let store: IStore;
  let runner: JobRunner;

  beforeAll(async () => {
    host = await createTestJobHost('jl-jq-', {
      diskMaxBytes: QUOTA_BYTES,
      diskMaxFiles: QUOTA_FILES
    });
    store = host.store;
    runner = await host.startRunner({
      hostId: 'quota-host'
    });
  });

  afterAll(async () => {
    await runner?.dispose();
    await host?.dispose();
  });

  it('should end a job writing 3 GiB DISK_QUOTA, leaving the host disk untouched beyond the quota', async () => {
    const before = await freeBytes(host.dataDir);
    let lowest = before;
    const submitted = await submitJob(store, { code: BIG_FILES });
    let job = await store.jobs.get(submitted.id);
    while (job && !['COMPLETED', 'FAILED', 'CANCELLED'].includes(job.status)) {
      lowest = Math.min(lowest, await freeBytes(host.dataDir));
      await new Promise(resolve => setTimeout(resolve, 50));
      job = await store.jobs.get(submitted.id);
    }
    job = await waitForStatus(store, submitted.id, 'final', 60_000);
    expect(job.status).toBe('FAILED');
    expect(job.failure!.reason).toBe('DISK_QUOTA');
    expect(job.failure!.message).toMatch(/quota of 64 MiB/);
    // Others share this disk: allow noise, far below the 3 GiB written.
    expect(before - lowest).toBeLessThan(QUOTA_BYTES + 256 * 1024 * 1024);
  });

  it('should end a job creating files without end DISK_QUOTA at its file quota', async () => {
    const submitted = await submitJob(store, { code: MANY_FILES });
    const job = await waitForStatus(store, submitted.id, 'final', 60_000);
    expect(job.status).toBe('FAILED');
    expect(job.failure!.reason).toBe('DISK_QUOTA');
    expect(job.failure!.message).toMatch(
      new RegExp(`quota of ${QUOTA_FILES} files`)
    );
    // Its kernel and folder are gone.
    expect(host.kernels.list()).toEqual([]);
  });
});
