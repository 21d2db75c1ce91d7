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

// What a kernel's text may not carry as is, one alternative per rule:
// 1. ESC, unless it starts an SGR sequence (colours, bold: ESC [ 1;31 m),
//    which is kept; 2. the other C0 controls but TAB, LF and CR (NUL, BEL,
//    BS, VT, FF, ...) and DEL; 3. the C1 controls (8-bit CSI, OSC, DCS, NEL,
//    ...); 4. the bidirectional embeddings, overrides and isolates
//    (U+202A-U+202E, U+2066-U+2069) that reorder what a reader sees.
const UNSAFE =
  /\x1b(\[[0-9;]{0,64}m)?|[\x00-\x08\x0b\x0c\x0e-\x1a\x1c-\x1f\x7f]|[\x80-\x9f]|[\u202a-\u202e\u2066-\u2069]/g;

function replaceUnsafe(match: string, sgr: string | undefined): string {
  if (sgr) return match;
  const code = match.charCodeAt(0);
  if (code <= 0x1f) return String.fromCharCode(0x2400 + code); // ␀ ␇ ␈ ␛ ...
  if (code === 0x7f) return '\u2421'; // ␡
  if (code <= 0x9f) return '\u241b'; // a C1 control acts as ESC + letter
  return `<U+${code.toString(16).toUpperCase()}>`;
}

/**
 * `text` with control characters made visible and harmless, the same for
 * every string a kernel sends on any channel:
 *
 * - SGR colour sequences (`ESC [ ... m`) are kept; any other ESC becomes
 *   `␛` (U+241B), so cursor moves, title changes, OSC 52 clipboard writes
 *   and hyperlinks show as text instead of acting on a terminal;
 * - the other C0 controls except TAB, LF and CR become their Control
 *   Pictures (NUL `␀`, BEL `␇`, BS `␈`, ...), DEL becomes `␡`;
 * - C1 controls (U+0080-U+009F, e.g. the 8-bit CSI U+009B) become `␛`;
 * - bidi embeddings, overrides and isolates (U+202A-U+202E,
 *   U+2066-U+2069) become `<U+202E>` and the like;
 * - CR is kept: progress bars redraw their line with it, and every
 *   display of ours renders it as a line redraw, not a cursor move.
 *
 * @example
 * ```ts
 * neutralizeTerminalEscapes('\x1b[31mred\x1b[0m\x1b]0;pwn\x07'); // '\x1b[31mred\x1b[0m␛]0;pwn␇'
 * ```
 */
export function neutralizeTerminalEscapes(text: string): string {
  return text.replace(UNSAFE, replaceUnsafe);
}

/**
 * `text` made safe to pass on and store: lone surrogates (what invalid
 * UTF-8 turns into) replaced by U+FFFD, control characters neutralised
 * ({@link neutralizeTerminalEscapes}), and cut at `maxChars` with a note
 * saying how much was cut.
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

/**
 * One message from a kernel, any channel, with every string of its header,
 * parent header, metadata and content sanitised ({@link sanitizeText}),
 * arrays and objects capped and non-finite numbers made null. Buffers pass
 * as they are (binary, never displayed as text).
 */
export function sanitizeKernelMessage<T extends KernelMessage.IMessage>(
  msg: T
): T {
  return {
    ...msg,
    header: sanitizeValue(msg.header, 0),
    parent_header: sanitizeValue(msg.parent_header, 0),
    metadata: sanitizeValue(msg.metadata ?? {}, 0),
    content: sanitizeValue(msg.content, 0)
  } as T;
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
 * {@link sanitizeKernelMessage}, then {@link checkIOPubMessage}.
 */
export function sanitizeIOPubMessage(
  raw: KernelMessage.IMessage
): ISanitizedIOPub {
  return checkIOPubMessage(sanitizeKernelMessage(raw));
}

/**
 * What only iopub needs beyond sanitising (`msg` is sanitised already): a
 * status other than busy/idle/starting is dropped (only the gateway says
 * `dead`); metrics display_data is checked against the `metrics` schema
 * and dropped when invalid.
 */
export function checkIOPubMessage(
  msg: KernelMessage.IMessage
): ISanitizedIOPub {
  const content = msg.content as Record<string, unknown>;
  const type = msg.header.msg_type;
  if (
    type === 'status' &&
    !KERNEL_STATES.has(String(content.execution_state))
  ) {
    return {
      msg: undefined,
      problem: `status ${quoteForLog(content.execution_state)} is not one a kernel may report`
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
          problem: `invalid metrics dropped: ${quoteForLog(errors, 500)}`
        };
      }
    }
  }
  return { msg };
}

/**
 * A kernel-supplied value as it may appear in a log line or message: cut
 * to `maxChars` and JSON-quoted, so that no newline, control character or
 * forged log line can come through.
 */
export function quoteForLog(value: unknown, maxChars = 120): string {
  const text = String(value);
  return JSON.stringify(
    text.length > maxChars ? `${text.slice(0, maxChars)}…` : text
  );
}
