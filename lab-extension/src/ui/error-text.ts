/**
 * One line for a failed request: the error's message, then its fix
 * ("What to do: ..."). Dialogs and status lines collapse newlines, so the
 * two are joined by a sentence break rather than a line break.
 */
export function errorText(error: unknown): string {
  const e = error as { message?: unknown; hint?: unknown } | null;
  const message = String(e?.message ?? error).trim();
  const hint = typeof e?.hint === 'string' ? e.hint.trim() : '';
  if (!hint) return message;
  const stop = /[.!?:]$/.test(message) ? '' : '.';
  return `${message}${stop} What to do: ${hint}`;
}
