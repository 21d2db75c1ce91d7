import type { IKernelProcess } from '../sandbox/kernel-launcher.js';
import { sanitizeText } from './output-sanitizer.js';

const OUTPUT_TAIL_CHARS = 4096;

/**
 * The last output kernel processes wrote to stdout/stderr (not to their
 * channels): what a kernel that failed to start said, for its error.
 */
export class OutputTail {
  /** Keeps the tail of `proc`'s stdout and stderr from now on. */
  collect(proc: IKernelProcess): void {
    for (const stream of [proc.stdout, proc.stderr]) {
      if (!stream) continue;
      stream.on('data', (chunk: Buffer) => {
        this._text = (this._text + chunk.toString('utf8')).slice(
          -OUTPUT_TAIL_CHARS
        );
      });
      stream.on('error', () => undefined);
    }
  }

  /** The tail, sanitised. */
  get text(): string {
    return sanitizeText(this._text);
  }

  private _text = '';
}
