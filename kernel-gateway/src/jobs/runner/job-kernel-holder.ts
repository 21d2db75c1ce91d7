import type { Job } from '@jaxlab/schemas';
import type { IJobArtifacts } from '@jaxlab/store';

import type { IJobFolderUsage } from '../../sandbox/job-folder.js';
import type { ICompileCacheView } from '../cache/compile-cache.js';
import { collectOutputs, DEFAULT_OUTPUT_LIMITS } from '../outputs/index.js';
import type { IRequirementsEnvironment } from '../requirements/environment-builder.js';
import type { ISlotGrant } from '../slots/device-slots.js';
import type { IJobExecutionOptions } from './job-execution-options.js';
import { jobKernelOptions } from './job-kernel-options.js';
import type { IJobKernel } from './job-kernels.js';

/**
 * The kernel of one job, from its start to its shutdown: the slot's warm
 * kernel when the job needs no requirements, else a fresh one, JAX pinned
 * to the slot's platform either way (see {@link jobKernelOptions}); its
 * compile-cache view; at the end its outputs/ collected and the view's new
 * entries kept.
 */
export class JobKernelHolder {
  constructor(options: JobKernelHolder.IOptions) {
    this._options = options;
  }

  /** The started kernel (none before its start resolved). */
  get kernel(): IJobKernel | undefined {
    return this._kernel;
  }

  /**
   * Starts the job's kernel with the job's files in its folder and fills
   * its compile-cache view; a fresh kernel gets the job's requirements
   * environment and `timeLimitMs` as a backstop wall-clock limit.
   */
  async start(
    environment: IRequirementsEnvironment | null,
    timeLimitMs: number
  ): Promise<IJobKernel> {
    const { job, grant, kernels, compileCache, log } = this._options;
    const files = {
      ...Object.fromEntries(
        (job.files ?? []).map(file => [file.path, file.content])
      ),
      'main.py': job.code,
      'requirements.txt': job.requirements
    };
    const deviceCount = job.deviceCount ?? 1;
    const warm = environment
      ? undefined
      : this._options.warmKernels?.take(grant, deviceCount);
    if (warm) {
      this._cacheView = warm.view;
      this._kernelStart = Promise.resolve(warm.kernel);
      await kernels.writeFiles(warm.kernel.id, files);
      log(`job ${job.id}: warm kernel ${warm.kernel.id}`);
    } else {
      this._cacheView = await compileCache?.createView();
      this._kernelStart = kernels.startKernel({
        files,
        designatedFunctions: [job.entrypoint],
        requirementsEnvDir: environment?.sitePackagesDir,
        ...jobKernelOptions(grant, deviceCount, this._cacheView),
        // A backstop only: the runner's own timer ends the job first.
        limits: { wallClockLimitMs: timeLimitMs + 60_000 }
      });
    }
    const kernel = await this._kernelStart;
    if (this._cacheView) {
      await compileCache!.fill(this._cacheView, job.owner, job.projectId);
    }
    this._kernel = kernel;
    return kernel;
  }

  /** The kernel's folder, when its quota is used up. */
  async fullFolder(): Promise<IJobFolderUsage | undefined> {
    const usage = await this._kernel?.diskUsage?.().catch(() => undefined);
    return usage?.isFull ? usage : undefined;
  }

  /**
   * Shuts the kernel down (one still starting too), collecting its
   * outputs/ when `collect` (`isPartial`: whether the run was cut short).
   */
  async shutdown(collect: boolean, isPartial: () => boolean): Promise<void> {
    const { artifacts, kernels, job, log } = this._options;
    const kernel =
      this._kernel ?? (await this._kernelStart?.catch(() => undefined));
    if (kernel) {
      // The job has ended: nothing in the kernel is worth a polite exit,
      // which the next queued job would wait for.
      await kernels
        .shutdownKernel(kernel.id, {
          now: true,
          beforeRemove:
            collect && artifacts
              ? jobDir => this._collectOutputs(jobDir, artifacts, isPartial())
              : undefined
        })
        .catch(error =>
          log(`job ${job.id}: kernel shutdown failed: ${String(error)}`)
        );
    }
  }

  /**
   * Keeps what the kernel added to its compile cache (only from a call
   * that returned, `keep`: a killed kernel may have left half an entry),
   * then removes its view. After the kernel is gone.
   */
  async closeCompileCache(keep: boolean): Promise<void> {
    const view = this._cacheView;
    const { compileCache: cache, job, log } = this._options;
    if (!view || !cache) return;
    try {
      if (keep) {
        const kept = await cache.keep(view);
        if (kept.entries > 0) {
          log(
            `job ${job.id}: compile cache kept ${kept.entries} entries (${kept.bytes} bytes)`
          );
        }
      }
    } catch (error) {
      log(`job ${job.id}: compile cache not kept: ${String(error)}`);
    } finally {
      await cache.dispose(view).catch(() => undefined);
    }
  }

  /** Keeps what the run wrote under outputs/, saying so in its log. */
  private async _collectOutputs(
    jobDir: string,
    artifacts: IJobArtifacts,
    partial: boolean
  ): Promise<void> {
    const { job, outputLimits, logLine } = this._options;
    try {
      await collectOutputs({
        jobDir,
        jobId: job.id,
        artifacts,
        limits: outputLimits ?? DEFAULT_OUTPUT_LIMITS,
        partial,
        log: logLine
      });
    } catch (error) {
      logLine(
        'stderr',
        `jaxlab: the files of outputs/ could not be kept: ${String(error)}\n`
      );
    }
  }

  private readonly _options: JobKernelHolder.IOptions;
  private _kernel: IJobKernel | undefined;
  private _kernelStart: Promise<IJobKernel> | undefined;
  private _cacheView: ICompileCacheView | undefined;
}

/** Option types of {@link JobKernelHolder}. */
export namespace JobKernelHolder {
  export interface IOptions extends Pick<
    IJobExecutionOptions,
    | 'kernels'
    | 'warmKernels'
    | 'compileCache'
    | 'artifacts'
    | 'outputLimits'
    | 'log'
  > {
    job: Job;
    /** The job's slots. */
    grant: ISlotGrant;
    /** A line of the job's own log. */
    logLine: (stream: 'stdout' | 'stderr', text: string) => void;
  }
}
