import type { KernelMessage } from '@jupyterlab/services';

import type { Metrics } from '@jaxlab/schemas';
import {
  isValid,
  METRICS_MIME_TYPE,
  STEP_METRICS_MIME_TYPE
} from '@jaxlab/schemas';

import type { StepSeriesWriter } from '../metrics/step-series-writer.js';
import type { JobEventWriter } from './job-event-writer.js';
import type { IJobKernel } from './job-kernels.js';

/** Options of a {@link CallOutput}. */
export interface ICallOutputOptions {
  /** Where log lines go. */
  writer: JobEventWriter;
  /** Where step metrics go. */
  steps: StepSeriesWriter;
  /** Whether the gateway interrupted the call (a cancel or a hand-back). */
  isInterruptExpected: () => boolean;
}

/**
 * The output of a job's designated call: turns its iopub messages into
 * job events (log lines, step metrics) and keeps the call's metrics and
 * error as the kernel published them.
 */
export class CallOutput {
  constructor(options: ICallOutputOptions) {
    this._options = options;
    this.idle = new Promise(resolve => (this._idle = resolve));
  }

  /** Resolves once the kernel published its idle status. */
  readonly idle: Promise<void>;

  /** The content of the last error the call published. */
  get errorContent(): KernelMessage.IErrorMsg['content'] | undefined {
    return this._errorContent;
  }

  /** The metrics the kernel published (recorded once the call returned). */
  get reported(): Metrics | undefined {
    return this._reported;
  }

  /**
   * Appends the call's metrics, if the kernel published any, as
   * {@link callMetrics} makes them of the kernel's figures, its sandbox's
   * peak memory and `device` (the gateway's facts of the slot); returns
   * them.
   */
  async recordMetrics(
    kernel: Pick<IJobKernel, 'peakMemoryBytes'>,
    device: Metrics['device'] | undefined
  ): Promise<Metrics | undefined> {
    const claimed = this._reported;
    if (!claimed) return undefined;
    const peakHostBytes = await kernel
      .peakMemoryBytes?.()
      .catch(() => undefined);
    const metrics = callMetrics(claimed, peakHostBytes, device);
    await this._options.writer.append({ type: 'job:metrics', metrics });
    return metrics;
  }

  /**
   * Takes one iopub message of the call; resolves when the next may be
   * read: while the store lags, the kernel's next output waits (and the
   * program's writes with it) instead of piling up here.
   */
  onIOPub(msg: KernelMessage.IIOPubMessage): Promise<void> | undefined {
    this._errorContent = this._record(msg) ?? this._errorContent;
    if (
      msg.header.msg_type === 'status' &&
      (msg as KernelMessage.IStatusMsg).content.execution_state === 'idle'
    ) {
      this._idle();
    }
    return this._options.writer.whenWritable();
  }

  /** Turns one iopub message into job events; returns an error's content. */
  private _record(
    msg: KernelMessage.IIOPubMessage
  ): KernelMessage.IErrorMsg['content'] | undefined {
    const { writer } = this._options;
    const type = msg.header.msg_type;
    if (type === 'stream') {
      const content = (msg as KernelMessage.IStreamMsg).content;
      writer.log(content.name === 'stderr' ? 'stderr' : 'stdout', content.text);
    } else if (
      type === 'display_data' ||
      type === 'update_display_data' ||
      type === 'execute_result'
    ) {
      const data = (msg as KernelMessage.IDisplayDataMsg).content.data ?? {};
      if (STEP_METRICS_MIME_TYPE in data) {
        this._options.steps.accept(data[STEP_METRICS_MIME_TYPE]);
      }
      const metrics = data[METRICS_MIME_TYPE];
      if (metrics !== undefined && isValid('metrics', metrics)) {
        // Recorded once the call returned (with the sandbox's peak memory).
        this._reported = metrics as Metrics;
      }
    } else if (type === 'error') {
      const content = (msg as KernelMessage.IErrorMsg).content;
      if (
        content.ename === 'KeyboardInterrupt' &&
        this._options.isInterruptExpected()
      ) {
        // A cancel or a hand-back: the interrupt's traceback tells nothing.
        return content;
      }
      const traceback = (content.traceback ?? []).join('\n');
      writer.log(
        'stderr',
        (traceback || `${content.ename}: ${content.evalue}`) + '\n'
      );
      return content;
    }
    // status, execute_input, clear_output and comms carry no job output.
    return undefined;
  }

  private readonly _options: ICallOutputOptions;
  private _idle!: () => void;
  private _errorContent: KernelMessage.IErrorMsg['content'] | undefined;
  private _reported: Metrics | undefined;
}

/**
 * The call's metrics as recorded: the kernel's figures, with the device
 * facts of the gateway's own probe of the slot (`device`) and the
 * sandbox's peak host memory as its cgroup measured it, where it did. The
 * kernel's word on its devices is kept apart and labelled (the witness of
 * a CPU fallback).
 */
export function callMetrics(
  claimed: Metrics,
  peakHostBytes: number | undefined,
  device: Metrics['device'] | undefined
): Metrics {
  const memory = { ...claimed.memory };
  if (peakHostBytes !== undefined) memory.peakHostBytes = peakHostBytes;
  return {
    ...claimed,
    memory,
    device: device ?? claimed.device,
    kernelReportedDevice: claimed.device
  };
}
