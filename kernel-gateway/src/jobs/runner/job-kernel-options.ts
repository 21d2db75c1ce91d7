import type { ICompileCacheView } from '../cache/compile-cache.js';
import type { ISlotGrant } from '../slots/device-slots.js';
import type { IJobKernels } from './job-kernels.js';

/**
 * How a job's kernel is started on its slots, whether fresh or for the warm
 * pool: the slots' device nodes, JAX pinned to their platform, the device
 * check the kernel runs before any code of main.py (platform and count),
 * its compile-cache view, and `JAXLAB_JOB_KERNEL=1` (only job kernels take
 * the call's designated function and profile request from the runner); a
 * kernel of the runner's own, outside the Jupyter kernels API and culling.
 */
export function jobKernelOptions(
  grant: ISlotGrant,
  deviceCount: number,
  view?: ICompileCacheView
): Pick<
  IJobKernels.IStartOptions,
  'devices' | 'runtimeEnv' | 'writableBinds' | 'forJob'
> {
  return {
    forJob: true,
    devices: grant.devices,
    writableBinds: view ? [view.bind] : undefined,
    runtimeEnv: {
      ...grant.runtimeEnv,
      ...view?.env,
      JAXLAB_JOB_KERNEL: '1',
      JAXLAB_REQUIRED_PLATFORM: grant.device.platform,
      JAXLAB_REQUIRED_DEVICES: String(deviceCount)
    }
  };
}

/** Whether kernels started with these options are interchangeable. */
export function sameKernelOptions(
  a: Pick<IJobKernels.IStartOptions, 'devices' | 'runtimeEnv'>,
  b: Pick<IJobKernels.IStartOptions, 'devices' | 'runtimeEnv'>
): boolean {
  const key = (o: typeof a) =>
    JSON.stringify([
      o.devices ?? null,
      Object.entries(o.runtimeEnv ?? {}).sort()
    ]);
  return key(a) === key(b);
}
