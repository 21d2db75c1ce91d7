import type { Request } from 'express';

/**
 * Reads `?next=` of a sign-in request: a local path, or a URL of one of
 * `allowedOrigins`; anything else is undefined (no open redirect).
 */
export function safeNextReader(
  allowedOrigins: readonly string[] = []
): (req: Request) => string | undefined {
  const redirectOrigins = new Set(
    allowedOrigins.map(o => {
      try {
        return new URL(o).origin;
      } catch {
        return o;
      }
    })
  );
  return req => {
    const raw = req.query.next;
    if (typeof raw !== 'string' || raw.length > 2048) return undefined;
    if (/^\/(?![/\\])/.test(raw)) return raw;
    try {
      const url = new URL(raw);
      return redirectOrigins.has(url.origin) ? url.toString() : undefined;
    } catch {
      return undefined;
    }
  };
}
