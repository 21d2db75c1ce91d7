import type { KernelMessage } from '@jupyterlab/services';

import type { KernelManager } from '../../kernels/kernel-manager.js';
import type { IJobFolderUsage } from '../../sandbox/job-folder.js';
import type {
  IKernelLauncher,
  IKernelProcess
} from '../../sandbox/kernel-launcher.js';

/**
 * What the job runner needs of the gateway's `KernelManager`: the manager
 * satisfies it structurally, so the runner depends on no more than it uses.
 */
export interface IJobKernels {
  /**
   * Starts a restricted kernel; resolves once it answered kernel_info.
   *
   * @throws JaxLabError `KERNEL_LIMIT_REACHED`, `KERNEL_START_FAILED`,
   *   `SANDBOX_UNAVAILABLE`.
   */
  startKernel(options: IJobKernels.IStartOptions): Promise<IJobKernel>;
  /**
   * Writes main.py / requirements.txt into a started kernel's folder (a
   * warm kernel taken by a job); the kernel reads main.py at its next call.
   *
   * @throws JaxLabError `KERNEL_NOT_FOUND`, `UNSAFE_PATH`.
   */
  writeFiles(kernelId: string, files: Record<string, string>): Promise<void>;
  /** Sends SIGINT to the kernel (KeyboardInterrupt in the running call). */
  interruptKernel(kernelId: string): Promise<void>;
  /**
   * Kills and reaps the kernel's whole sandbox and removes its folder;
   * `now` skips asking the kernel to exit first; `beforeRemove` reads the
   * folder (its host path) once no process of the kernel is left.
   */
  shutdownKernel(
    kernelId: string,
    options?: {
      now?: boolean;
      beforeRemove?: (jobDir: string) => Promise<void>;
    }
  ): Promise<void>;
  /**
   * Whether `count` kernels with `limits` fit the host's memory budget
   * now; the runner claims no job while they do not (it waits queued).
   */
  hasMemoryFor?(
    limits?: Partial<IKernelLauncher.IResourceLimits>,
    count?: number
  ): boolean;
}

/** One running kernel as the job runner uses it (a `KernelSession`). */
export interface IJobKernel {
  readonly id: string;
  /**
   * Runs `code`; `onIOPub` gets every iopub message whose parent is this
   * request, already validated and sanitised; a promise it returns holds
   * back the kernel's next iopub message until it settles. Resolves with
   * the execute_reply content; rejects only when the kernel dies
   * (`KERNEL_DEAD`).
   */
  execute(
    code: string,
    options?: {
      onIOPub?: (msg: KernelMessage.IIOPubMessage) => void | Promise<void>;
      /** The request's metadata (`jaxlab`: the call's options). */
      metadata?: Record<string, unknown>;
    }
  ): Promise<KernelMessage.IExecuteReplyMsg['content']>;
  /** Peak memory of the kernel's sandbox, where measured. Optional. */
  peakMemoryBytes?(): Promise<number | undefined>;
  /** Resolves once the kernel process is gone, with the sandbox's reason. */
  readonly exited: Promise<IKernelProcess.IExit>;
  /** How full the kernel's folder is, when it has a disk quota. */
  diskUsage?(): Promise<IJobFolderUsage | undefined>;
}

/** Statics and option types of {@link IJobKernels}. */
export namespace IJobKernels {
  /**
   * The start options of `KernelManager.startKernel` a job uses: all but
   * the kernel spec's name and the client's KERNEL_ environment.
   */
  export type IStartOptions = Omit<KernelManager.IStartOptions, 'name' | 'env'>;
}
