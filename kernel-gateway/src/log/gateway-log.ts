/** Structured fields of one log event. */
export interface ILogFields {
  /** What happened, colon-scoped like lifecycle events (`kernel:started`). */
  event?: string;
  level?: 'info' | 'warn' | 'error';
  kernelId?: string;
  jobId?: string;
}

/**
 * Where the gateway's parts write what they have to say: one call per
 * event, a one-line message and optional structured fields. Parts take
 * it as their `log` option; {@link createLogSink} makes the command's.
 */
export type LogSink = (message: string, fields?: ILogFields) => void;

/** Longest message written for one event (longer ones are cut, saying so). */
export const MAX_LOG_MESSAGE_CHARS = 4096;

/** A message that starts `kernel <id>` or `job <id>` names its subject. */
const SUBJECT = /^(kernel|job) ([0-9A-Za-z_-]{1,64})\b/;

// Characters JSON.stringify leaves raw that still break or fake lines in
// a log viewer or terminal: DEL and C1 controls, Unicode line separators.
const RAW_CONTROLS = /[\u007f-\u009f\u2028\u2029]/g;

function escapeRaw(json: string): string {
  return json.replace(
    RAW_CONTROLS,
    c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`
  );
}

/** Options of {@link createLogSink}. */
export interface ILogSinkOptions {
  /**
   * One JSON object per line (`{"time","level","event","kernelId","jobId","msg"}`);
   * false: `[time] message` for a person at a terminal.
   */
  json: boolean;
  /** Receives each finished line, newline included (default: stdout). */
  write?: (line: string) => void;
  /** Clock (default `new Date()`). */
  now?: () => Date;
}

/**
 * A log sink that writes exactly one line per event, whatever the message
 * holds: kernel-supplied text inside a message cannot start a line of its
 * own, because newlines and every other control character are escaped
 * (JSON escaping, in both formats), and a message is cut at
 * {@link MAX_LOG_MESSAGE_CHARS}. Fields not given are taken from a message
 * that starts `kernel <id>` or `job <id>`.
 *
 * @example
 * ```ts
 * const log = createLogSink({ json: !process.stdout.isTTY });
 * log('kernel 1f… started', { event: 'kernel:started', kernelId: '1f…' });
 * // {"time":"2026-…Z","level":"info","event":"kernel:started","kernelId":"1f…","msg":"kernel 1f… started"}
 * ```
 */
export function createLogSink(options: ILogSinkOptions): LogSink {
  const write =
    options.write ?? ((line: string) => void process.stdout.write(line));
  const now = options.now ?? (() => new Date());
  return (message, fields = {}) => {
    let msg = String(message);
    if (msg.length > MAX_LOG_MESSAGE_CHARS) {
      msg = `${msg.slice(0, MAX_LOG_MESSAGE_CHARS)}… [${msg.length - MAX_LOG_MESSAGE_CHARS} more characters cut]`;
    }
    const subject = SUBJECT.exec(msg);
    const kernelId =
      fields.kernelId ?? (subject?.[1] === 'kernel' ? subject[2] : undefined);
    const jobId =
      fields.jobId ?? (subject?.[1] === 'job' ? subject[2] : undefined);
    const level = fields.level ?? 'info';
    const time = now().toISOString();
    if (options.json) {
      write(
        escapeRaw(
          JSON.stringify({
            time,
            level,
            event: fields.event,
            kernelId,
            jobId,
            msg
          })
        ) + '\n'
      );
      return;
    }
    // For a person: the message as JSON would escape it, without quotes.
    const shown = escapeRaw(JSON.stringify(msg)).slice(1, -1);
    const tag = level === 'info' ? '' : `${level.toUpperCase()} `;
    write(`[${time}] ${tag}${shown}\n`);
  };
}
