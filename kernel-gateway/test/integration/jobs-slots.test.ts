import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { KernelMessage } from '@jupyterlab/services';

import { METRICS_MIME_TYPE } from '@jaxlab/schemas';
import type { IStore } from '@jaxlab/store';
import type {
  IJobKernel,
  IJobKernels,
  IAcceleratorNodes,
  JobRunner
} from '@jaxlab/kernel-gateway';

import { createTestJobHost } from './job-host.js';
import type { ITestJobHost } from './job-host.js';
import { readWholeLog, submitJob, waitForStatus } from './jobs-programs.js';

const node = (n: string) => ({ hostPath: `/dev/${n}`, path: `/dev/${n}` });

/** A fake two-GPU NVIDIA host: its nodes as detection groups them. */
const TWO_GPUS: IAcceleratorNodes = {
  vendor: 'nvidia',
  shared: [node('nvidiactl'), node('nvidia-uvm')],
  devices: [
    { index: 0, nodes: [node('nvidia0')] },
    { index: 1, nodes: [node('nvidia1')] }
  ],
  readOnly: []
};

/**
 * Kernels that stand in for real ones on a GPU this machine lacks: each
 * call prints the CUDA_VISIBLE_DEVICES its kernel was started with, holds
 * for `holdMs`, then publishes metrics. Records how many run at once.
 */
function fakeGpuKernels(holdMs: number) {
  const seen = {
    running: 0,
    most: 0,
    started: [] as IJobKernels.IStartOptions[]
  };
  let next = 0;
  const kernels: IJobKernels = {
    startKernel: async options => {
      seen.started.push(options);
      const id = `fake-${++next}`;
      const visible = options.runtimeEnv?.CUDA_VISIBLE_DEVICES ?? '';
      const kernel: IJobKernel = {
        id,
        exited: new Promise(() => undefined),
        execute: async (_code, { onIOPub } = {}) => {
          seen.running++;
          seen.most = Math.max(seen.most, seen.running);
          const iopub = (msg_type: string, content: object) =>
            onIOPub?.({
              header: { msg_type, msg_id: `${id}-${msg_type}` },
              parent_header: {},
              metadata: {},
              content,
              channel: 'iopub'
            } as unknown as KernelMessage.IIOPubMessage);
          iopub('stream', {
            name: 'stdout',
            text: `CUDA_VISIBLE_DEVICES=${visible}\n`
          });
          await new Promise(resolve => setTimeout(resolve, holdMs));
          iopub('display_data', {
            data: {
              [METRICS_MIME_TYPE]: {
                compilationTimeMs: 1,
                executionTimeMs: holdMs,
                values: {},
                device: { platform: 'gpu', count: 1, kinds: ['NVIDIA H100'] }
              }
            },
            metadata: {}
          });
          seen.running--;
          iopub('status', { execution_state: 'idle' });
          return {
            status: 'ok',
            execution_count: 1,
            payload: [],
            user_expressions: {}
          };
        }
      };
      return kernel;
    },
    interruptKernel: async () => undefined,
    writeFiles: async () => undefined,
    shutdownKernel: async () => undefined
  };
  return { kernels, seen };
}

describe('JobRunner device slots on a fake two-GPU host', () => {
  let host: ITestJobHost;
  let store: IStore;

  beforeAll(async () => {
    host = await createTestJobHost('jl-slots-');
    store = host.store;
  });

  afterAll(async () => {
    await host?.dispose();
  });

  /** A runner on a host whose probe "saw" two H100s. */
  const twoGpuRunner = (
    kernels: IJobKernels,
    options: Partial<JobRunner.IOptions> = {}
  ): JobRunner =>
    host.createRunner({
      kernels,
      hostId: 'two-gpu-host',
      accelerators: [
        { kind: 'gpu', count: 2, deviceKind: 'NVIDIA H100' },
        { kind: 'cpu', count: 1, deviceKind: 'cpu' }
      ],
      pollMs: 50,
      ...options
    });

  it('should run three GPU jobs at most two at once, each with its own GPU', async () => {
    const { kernels, seen } = fakeGpuKernels(1200);
    const runner = twoGpuRunner(kernels, {
      hostDevices: {
        nodes: [TWO_GPUS],
        nvidiaGpus: [
          { minor: 0, uuid: 'GPU-00000000-aaaa' },
          { minor: 1, uuid: 'GPU-11111111-bbbb' }
        ],
        notes: []
      }
    });
    try {
      const jobs = [];
      for (let i = 0; i < 3; i++) {
        jobs.push(
          await submitJob(store, {
            code: 'def main():\n    pass\n',
            accelerator: 'gpu'
          })
        );
      }
      await runner.start();
      const done = await Promise.all(
        jobs.map(j => waitForStatus(store, j.id, 'final', 30_000))
      );
      expect(done.map(j => j.status)).toEqual([
        'COMPLETED',
        'COMPLETED',
        'COMPLETED'
      ]);
      expect(seen.most).toBe(2);
      const visible = seen.started.map(o => o.runtimeEnv?.CUDA_VISIBLE_DEVICES);
      expect(new Set(visible.slice(0, 2))).toEqual(
        new Set(['GPU-00000000-aaaa', 'GPU-11111111-bbbb'])
      );
      // Each kernel holds the nodes of its own GPU only.
      for (const options of seen.started) {
        const gpuNodes = options
          .devices!.nodes.map(n => n.path)
          .filter(p => /nvidia\d$/.test(p));
        expect(gpuNodes).toHaveLength(1);
        expect(options.runtimeEnv).toMatchObject({
          JAX_PLATFORMS: 'cuda',
          JAXLAB_REQUIRED_PLATFORM: 'gpu'
        });
      }
      // The third waited for a GPU: it started after one of the first ended.
      const [first, second, third] = done;
      expect(Date.parse(third!.startedAt!)).toBeGreaterThanOrEqual(
        Math.min(
          Date.parse(first!.finishedAt!),
          Date.parse(second!.finishedAt!)
        )
      );
      expect(await readWholeLog(store, third!.id)).toMatch(
        /CUDA_VISIBLE_DEVICES=GPU-/
      );
      // The run's device facts and slots come from the host, per slot.
      expect(done[0]!.manifest).toMatchObject({
        device: { platform: 'gpu', count: 1, kinds: ['NVIDIA H100'] }
      });
      expect(done[0]!.manifest!.slots).toHaveLength(1);
      const [registered] = await store.hosts.list(new Date(0));
      expect(registered!.slots!.map(s => s.id)).toEqual([
        'gpu0',
        'gpu1',
        'cpu0'
      ]);
    } finally {
      await runner.dispose();
    }
  });

  it('should fail a job asking for more GPUs than any host has, saying how many there are', async () => {
    const { kernels } = fakeGpuKernels(10);
    // No device wait: how long a job waits first is the scale-out tests' part.
    const runner = twoGpuRunner(kernels, { deviceWaitMs: 0 });
    try {
      await runner.start();
      const job = await submitJob(store, {
        code: 'def main():\n    pass\n',
        accelerator: 'gpu',
        deviceCount: 3
      });
      const failed = await waitForStatus(store, job.id, 'final', 10_000);
      expect(failed.failure).toMatchObject({ reason: 'DEVICE_UNAVAILABLE' });
      expect(failed.failure!.message).toContain('more than 2');
    } finally {
      await runner.dispose();
    }
  });
});
