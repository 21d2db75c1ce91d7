/**
 * A job's output under floods: nothing is lost on the way from the
 * program's file descriptors to the store (back-pressure instead of
 * ZeroMQ dropping), and a log cap ends storing, not the job, and says so
 * in the log with how much was discarded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { IStore } from '@jaxlab/store';

import type { JobRunner } from '@jaxlab/kernel-gateway';
import { createTestJobHost } from './job-host.js';
import type { ITestJobHost } from './job-host.js';
import { readWholeLog, submitJob, waitForStatus } from './jobs-programs.js';

/**
 * Lines of 1,008 bytes written to fd 1 in batches of 100 (issue 9's case;
 * print() writes straight through to the descriptor while a call runs).
 */
const BATCHED_FD_PROGRAM = `def main(lines=200000, batch=100):
    pad = "x" * 999
    for first in range(0, lines, batch):
        print("".join(f"{i:07d} {pad}\\n" for i in range(first, first + batch)), end="")
`;

/** Prints \`mib\` MiB in 64 KiB lines, then a final metric line. */
const FLOOD_PROGRAM = `def main(mib=4):
    line = "y" * 65535
    for _ in range(mib * 16):
        print(line)
    print("Final loss: 0.25")
`;

const MAX_LOG_BYTES = 1024 * 1024;

describe('JobRunner output handling', () => {
  let host: ITestJobHost;
  let store: IStore;
  let runner: JobRunner;

  beforeAll(async () => {
    host = await createTestJobHost('jl-jo-');
    store = host.store;
    runner = await host.startRunner({
      hostId: 'output-host',
      maxLogBytes: 512 * 1024 * 1024
    });
  });

  afterAll(async () => {
    await runner?.dispose();
    await host?.dispose();
  });

  it('should store all 200,000 lines a job writes to fd 1 in batches, in order', async () => {
    const submitted = await submitJob(store, {
      code: BATCHED_FD_PROGRAM,
      requirements: ''
    });
    const job = await waitForStatus(store, submitted.id, 'final', 120_000);
    expect(job.failure).toBeUndefined();
    expect(job.status).toBe('COMPLETED');
    const text = await readWholeLog(store, job.id);
    const lines = text.split('\n').filter(Boolean);
    let firstWrong = -1;
    for (let i = 0; i < 200_000 && firstWrong < 0; i++) {
      if (lines[i]?.slice(0, 7) !== String(i).padStart(7, '0')) firstWrong = i;
    }
    expect(firstWrong, `first missing or misplaced line`).toBe(-1);
    expect(lines).toHaveLength(200_000);
  }, 180_000);

  it('should stop storing at the log cap, say so where it happened and how much was discarded, and still record the metrics', async () => {
    await runner.dispose();
    runner = await host.startRunner({
      hostId: 'capped-host',
      maxLogBytes: MAX_LOG_BYTES
    });
    const submitted = await submitJob(store, {
      code: FLOOD_PROGRAM,
      args: { mib: 4 }
    });
    const job = await waitForStatus(store, submitted.id, 'final', 60_000);
    expect(job.status).toBe('COMPLETED');
    // The kernel parsed its "Final loss" line although the log had no room.
    expect(job.metrics!.values.loss).toBe(0.25);

    const text = await readWholeLog(store, job.id);
    const notice = text.indexOf('[jaxlab] This job');
    expect(notice).toBeGreaterThan(0);
    // Exactly the cap of the program's output comes before the notice.
    expect(Buffer.byteLength(text.slice(0, notice))).toBe(MAX_LOG_BYTES + 1);
    expect(text.slice(notice)).toMatch(/reached its cap of 1 MiB/);
    const printed = 4 * 16 * 65536 + 'Final loss: 0.25\n'.length;
    const discarded = Number(
      /\((\d+) bytes\) of output were discarded/.exec(text)?.[1]
    );
    expect(discarded).toBe(printed - MAX_LOG_BYTES);
    expect(text).not.toContain('Final loss');
  }, 120_000);
});
