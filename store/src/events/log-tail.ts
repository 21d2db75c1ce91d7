/** Most bytes of log text a job document keeps in `logTail`. */
export const LOG_TAIL_MAX_BYTES = 8 * 1024;

/**
 * The last `maxBytes` UTF-8 bytes of `previous + added`, cut at a character
 * boundary (never inside a multi-byte character or a surrogate pair).
 */
export function appendToLogTail(
  previous: string,
  added: string,
  maxBytes: number = LOG_TAIL_MAX_BYTES
): string {
  // Every UTF-16 unit is at least one UTF-8 byte, so the last maxBytes bytes
  // lie within the last maxBytes units: trim cheaply before encoding.
  let text = (previous + added).slice(-maxBytes);
  const first = text.charCodeAt(0);
  if (first >= 0xdc00 && first <= 0xdfff) {
    text = text.slice(1);
  }
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) {
    return text;
  }
  let start = bytes.length - maxBytes;
  // Skip UTF-8 continuation bytes (10xxxxxx) to land on a character start.
  while (start < bytes.length && (bytes[start] & 0xc0) === 0x80) {
    start++;
  }
  return bytes.subarray(start).toString('utf8');
}
