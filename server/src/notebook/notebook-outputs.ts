import type { Job, LogChunk, Metrics, NotebookOutput } from '@jaxlab/schemas';
import { METRICS_MIME_TYPE } from '@jaxlab/schemas';

/**
 * Collects log chunks (in sequence order) into stream outputs, merging
 * consecutive chunks of the same stream so that the interleaving of stdout
 * and stderr is kept while the output count stays small. Stops adding text
 * after `maxBytes` characters and says so in the output.
 */
export class StreamOutputs {
  constructor(maxChars: number) {
    this._maxChars = maxChars;
  }

  /** Whether the text limit was reached. */
  get isTruncated(): boolean {
    return this._truncated;
  }

  /** Adds chunks in sequence order. */
  add(chunks: readonly LogChunk[]): void {
    for (const chunk of chunks) {
      if (this._truncated) return;
      let text = chunk.text;
      if (this._chars + text.length > this._maxChars) {
        text = `${text.slice(0, Math.max(0, this._maxChars - this._chars))}\n[... log truncated in the notebook; GET /api/jobs/{id}/logs has all of it ...]\n`;
        this._truncated = true;
      }
      this._chars += text.length;
      const last = this._outputs[this._outputs.length - 1];
      if (last && last.name === chunk.stream) last.parts.push(text);
      else this._outputs.push({ name: chunk.stream, parts: [text] });
    }
  }

  /** The stream outputs so far. */
  toOutputs(): NotebookOutput[] {
    return this._outputs.map(o => ({
      output_type: 'stream',
      name: o.name,
      text: o.parts.join('')
    }));
  }

  private _chars = 0;
  private _truncated = false;
  private readonly _maxChars: number;
  private readonly _outputs: Array<{
    name: 'stdout' | 'stderr';
    parts: string[];
  }> = [];
}

/** The metrics as the kernel published them: display_data with the metrics mime type plus text. */
export function metricsOutput(metrics: Metrics): NotebookOutput {
  const lines = [
    `compilation: ${metrics.compilationTimeMs.toFixed(1)} ms`,
    `execution: ${metrics.executionTimeMs.toFixed(1)} ms`,
    `device: ${metrics.device.platform} x${metrics.device.count}`,
    ...Object.entries(metrics.values).map(
      ([name, value]) => `${name}: ${value}`
    )
  ];
  return {
    output_type: 'display_data',
    data: { [METRICS_MIME_TYPE]: metrics, 'text/plain': lines.join('\n') },
    metadata: {}
  };
}

/** A failed or cancelled job's reason as an error output, or null when it has none. */
export function failureOutput(job: Job): NotebookOutput | null {
  if (!job.failure) return null;
  const { reason, message, hint } = job.failure;
  return {
    output_type: 'error',
    ename: reason,
    evalue: message,
    traceback: [`${reason}: ${message}`, hint].filter(line => line !== '')
  };
}
