import type { KernelMessage } from '@jupyterlab/services';

import { isValid, METRICS_MIME_TYPE, validationErrors } from '@jaxlab/schemas';

/**
 * Caps applied to every iopub message coming from a kernel.
 *
 * @internal The package entry exports it for the gateway's tests only.
 */
export const OUTPUT_LIMITS = Object.freeze({
  /** Characters kept of one string (stream text, a mime bundle entry, …). */
  maxStringChars: 1024 * 1024,
  /** Items kept of one array (e.g. traceback lines). */
  maxArrayItems: 10_000,
  /** Keys kept of one object. */
  maxObjectKeys: 1_000,
  /** Nesting depth kept; deeper values become null. */
  maxDepth: 32
});

/** Execution states a kernel may report; `dead` is the gateway's to say. */
const KERNEL_STATES = new Set(['busy', 'idle', 'starting']);

// ESC followed by an SGR sequence (colours, bold: ESC [ 1;31 m) is kept;
// any other ESC, and the 8-bit CSI/OSC/DCS introducers, are neutralised.
const ESCAPES = /\x1b(\[[0-9;]{0,64}m)?|[\x90\x9b\x9d]/g;

/**
 * `text` with terminal escape sequences other than SGR colour codes
 * neutralised: ESC becomes `␛` (U+241B), so cursor moves, title changes,
 * OSC hyperlinks and the like show as text instead of acting on a terminal.
 *
 * @example
 * ```ts
 * neutralizeTerminalEscapes('\x1b[31mred\x1b[0m\x1b]0;pwn\x07'); // '\x1b[31mred\x1b[0m␛]0;pwn\x07'
 * ```
 */
export function neutralizeTerminalEscapes(text: string): string {
  return text.replace(ESCAPES, (match, sgr: string | undefined) =>
    sgr ? match : '\u241b'
  );
}

/**
 * `text` made safe to pass on: lone surrogates (what invalid UTF-8 turns
 * into) replaced by U+FFFD, escapes neutralised, and cut at `maxChars`
 * with a note saying how much was cut.
 */
export function sanitizeText(
  text: string,
  maxChars: number = OUTPUT_LIMITS.maxStringChars
): string {
  let safe = (text as string & { toWellFormed(): string }).toWellFormed();
  if (safe.length > maxChars) {
    const cut = safe.length - maxChars;
    safe = `${safe.slice(0, maxChars)}\n[jaxlab-gateway: ${cut} more characters of this output were cut]\n`;
  }
  return neutralizeTerminalEscapes(safe);
}

function sanitizeValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return sanitizeText(value);
  if (value === null || typeof value !== 'object') {
    return typeof value === 'number' && !Number.isFinite(value) ? null : value;
  }
  if (depth >= OUTPUT_LIMITS.maxDepth) return null;
  if (Array.isArray(value)) {
    return value
      .slice(0, OUTPUT_LIMITS.maxArrayItems)
      .map(v => sanitizeValue(v, depth + 1));
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).slice(0, OUTPUT_LIMITS.maxObjectKeys)) {
    out[sanitizeText(key, 256)] = sanitizeValue(
      (value as Record<string, unknown>)[key],
      depth + 1
    );
  }
  return out;
}

/** What {@link sanitizeIOPubMessage} made of a message. */
export interface ISanitizedIOPub {
  /** The message to pass on, or undefined when it was dropped. */
  msg: KernelMessage.IMessage | undefined;
  /** Why it was dropped or changed, for the log and the client. */
  problem?: string;
}

/**
 * Sanitises one iopub message from a kernel before any client sees it:
 * every string capped, invalid UTF-8 replaced and escapes neutralised;
 * a status other than busy/idle/starting dropped (only the gateway says
 * `dead`); metrics display_data checked against the `metrics` schema and
 * dropped when invalid.
 */
export function sanitizeIOPubMessage(
  msg: KernelMessage.IMessage
): ISanitizedIOPub {
  const content = sanitizeValue(msg.content, 0) as Record<string, unknown>;
  const type = msg.header.msg_type;
  if (
    type === 'status' &&
    !KERNEL_STATES.has(String(content.execution_state))
  ) {
    return {
      msg: undefined,
      problem: `status '${String(content.execution_state)}' is not one a kernel may report`
    };
  }
  if (
    type === 'display_data' ||
    type === 'update_display_data' ||
    type === 'execute_result'
  ) {
    const data = content.data as Record<string, unknown> | undefined;
    if (data && typeof data === 'object' && METRICS_MIME_TYPE in data) {
      const metrics = data[METRICS_MIME_TYPE];
      if (!isValid('metrics', metrics)) {
        const errors = validationErrors('metrics', metrics)
          .slice(0, 3)
          .join('; ');
        return {
          msg: undefined,
          problem: `invalid metrics dropped: ${errors}`
        };
      }
    }
  }
  return { msg: { ...msg, content } as KernelMessage.IMessage };
}
