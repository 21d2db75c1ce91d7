/**
 * A job whose program ends its own kernel, or sends a message over the
 * frame limit, fails with its own reason and advice that fits: not
 * INTERNAL "submit again".
 *
 * Jobs may not import os or sys; the kernels here allow them (as a
 * program could reach them through any allowed library), so the program
 * really does it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { IStore } from '@jaxlab/store';

import type { JobRunner } from '@jaxlab/kernel-gateway';
import type { IJobKernels } from '@jaxlab/kernel-gateway';
import { createTestJobHost } from './job-host.js';
import type { ITestJobHost } from './job-host.js';
import { readWholeLog, submitJob, waitForStatus } from './jobs-programs.js';

const PROGRAMS = {
  'kills itself with SIGKILL': `import os
import signal
import time


def main():
    print("about to go", flush=True)
    time.sleep(0.5)  # the capture publishes from a thread of this process
    os.kill(os.getpid(), signal.SIGKILL)
`,
  'calls os._exit(3)': `import os


def main():
    os._exit(3)
`,
  'sends an 80 MiB message': `import sys
import time


def main():
    kernel = sys.modules["jaxlab_harness.kernel"].JaxLabKernel.instance()
    print("READY", flush=True)
    time.sleep(0.5)
    kernel._send_iopub("stream", {"name": "stdout", "text": "F" * (80 * 1024 * 1024)}, kernel.get_parent())
    time.sleep(30)
`
} as const;

const EXPECTED: Record<keyof typeof PROGRAMS, [string, RegExp]> = {
  'kills itself with SIGKILL': [
    'PROGRAM_EXITED',
    /ended its own kernel process \(with SIGKILL\)/
  ],
  'calls os._exit(3)': [
    'PROGRAM_EXITED',
    /ended its own kernel process \(exit code 3\)/
  ],
  'sends an 80 MiB message': [
    'MESSAGE_TOO_LARGE',
    /one output message larger than 64 MiB/
  ]
};

describe('JobRunner when the kernel dies of the program', () => {
  let host: ITestJobHost;
  let store: IStore;
  let runner: JobRunner;

  beforeAll(async () => {
    host = await createTestJobHost('jl-jd-');
    store = host.store;
    const kernels: IJobKernels = {
      startKernel: options =>
        host.kernels.startKernel({
          ...options,
          extraImports: ['os', 'signal', 'sys', 'time']
        }),
      writeFiles: (id, files) => host.kernels.writeFiles(id, files),
      interruptKernel: id => host.kernels.interruptKernel(id),
      shutdownKernel: (id, options) => host.kernels.shutdownKernel(id, options)
    };
    runner = await host.startRunner({ kernels, hostId: 'death-host' });
  });

  afterAll(async () => {
    await runner?.dispose();
    await host?.dispose();
  });

  for (const [name, code] of Object.entries(PROGRAMS)) {
    it(`should fail a program that ${name} with its own reason and advice`, async () => {
      const submitted = await submitJob(store, { code });
      const job = await waitForStatus(store, submitted.id, 'final', 60_000);
      const [reason, message] = EXPECTED[name as keyof typeof PROGRAMS];
      expect(job.status).toBe('FAILED');
      expect(job.failure!.reason).toBe(reason);
      expect(job.failure!.message).toMatch(message);
      expect(job.failure!.hint).not.toMatch(/submit (the job )?again/i);
      if (name === 'kills itself with SIGKILL') {
        expect(await readWholeLog(store, job.id)).toContain('about to go');
      }
    });
  }
});
