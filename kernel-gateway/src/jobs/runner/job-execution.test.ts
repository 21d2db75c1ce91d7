import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { KernelMessage } from '@jupyterlab/services';

import { METRICS_MIME_TYPE } from '@jaxlab/schemas';
import type { Job } from '@jaxlab/schemas';
import { openStore } from '@jaxlab/store';
import type { IStore } from '@jaxlab/store';
import { TRIVIAL_JOB } from '../../../../store/test/fixtures/trivial-job.mjs';

import { createMessage } from '../../wire/message-factory.js';
import type { EnvironmentBuilder } from '../requirements/environment-builder.js';
import { JobExecution } from './job-execution.js';
import type { IJobKernel, IJobKernels } from './job-kernels.js';

/** A kernel whose every call publishes `metrics`, then goes idle. */
function kernelsPublishing(metrics: unknown): IJobKernels {
  const kernel: IJobKernel = {
    id: 'fake-kernel',
    exited: new Promise(() => undefined),
    execute: async (_code, options) => {
      const iopub = (msgType: string, content: Record<string, unknown>) =>
        options?.onIOPub?.(
          createMessage({
            channel: 'iopub',
            msgType,
            content,
            session: 'k'
          }) as KernelMessage.IIOPubMessage
        );
      await iopub('display_data', {
        data: { [METRICS_MIME_TYPE]: metrics, 'text/plain': 'metrics' },
        metadata: {},
        transient: {}
      });
      await iopub('status', { execution_state: 'idle' });
      return {
        status: 'ok',
        execution_count: 1,
        user_expressions: {},
        payload: []
      } as KernelMessage.IExecuteReplyMsg['content'];
    }
  };
  return {
    startKernel: async () => kernel,
    writeFiles: async () => undefined,
    interruptKernel: async () => undefined,
    shutdownKernel: async () => undefined
  };
}

describe('JobExecution device facts', () => {
  let store: IStore;
  let job: Job;

  beforeEach(async () => {
    store = await openStore({ sqlite: { path: ':memory:' } });
    await store.jobs.create('local', TRIVIAL_JOB);
    job = (await store.queue.claimNext({
      hostId: 'h',
      capacity: [{ accelerator: 'cpu', maxDevices: 1 }],
      leaseMs: 60_000
    }))!;
  });

  afterEach(async () => {
    await store.dispose();
  });

  it("should record the gateway's device facts, and a kernel's claim of 256 TPUs only apart and labelled", async () => {
    const claim = { platform: 'tpu', count: 256, kinds: ['TPU v99'] };
    const probed = { platform: 'cpu', count: 1, kinds: ['cpu'] };
    const execution = new JobExecution({
      job,
      queue: store.queue,
      events: store.events,
      series: store.series,
      kernels: kernelsPublishing({
        executionTimeMs: 5,
        compilationTimeMs: 0,
        values: { loss: 0.5 },
        device: claim
      }),
      envBuilder: { build: async () => null } as unknown as EnvironmentBuilder,
      hostId: 'h',
      grant: { slotIds: ['cpu0'], runtimeEnv: {}, device: probed },
      gatewayVersion: '0.0.0',
      sandboxed: true,
      leaseMs: 60_000,
      renewEveryMs: 10_000,
      cancelGraceMs: 100,
      defaultTimeLimitMs: 60_000,
      log: () => undefined
    });
    const outcome = await execution.run();
    expect(outcome.status).toBe('COMPLETED');
    const stored = (await store.jobs.get(job.id))!;
    expect(stored.metrics!.device).toEqual(probed);
    expect(stored.metrics!.kernelReportedDevice).toEqual(claim);
    expect(stored.metrics!.values).toEqual({ loss: 0.5 });
    expect(stored.manifest!.device).toEqual(probed);
    expect(stored.manifest!.kernelReportedDevice).toEqual(claim);
  });
});
