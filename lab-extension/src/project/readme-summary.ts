/** Longest summary a card shows, in characters. */
export const SUMMARY_MAX_CHARS = 220;

/**
 * What a card says about a project: the first paragraph of its README that
 * is not a heading, its wrapped lines joined, cut after the last whole
 * sentence that fits in `maxChars` (or, when even the first does not, at a
 * word, with an ellipsis); never mid-sentence when a sentence fits.
 *
 * @example
 * ```ts
 * readmeSummary('# Title\n\nFit a model.\nIt is `jit`-compiled.'); // 'Fit a model. It is `jit`-compiled.'
 * ```
 */
export function readmeSummary(
  markdown: string,
  maxChars = SUMMARY_MAX_CHARS
): string {
  const paragraph =
    markdown
      .split(/\n\s*\n/)
      .map(p => p.trim())
      .find(p => p && !p.startsWith('#')) ?? '';
  const text = paragraph
    .split('\n')
    .map(line => line.replace(/^\s*[-*]\s+/, '').trim())
    .join(' ');
  if (text.length <= maxChars) return text;
  const sentences = text.match(/[^.!?]+[.!?]+(?=\s|$)/g) ?? [];
  let out = '';
  for (const sentence of sentences) {
    if ((out + sentence).trim().length > maxChars) break;
    out += sentence;
  }
  if (out.trim()) return out.trim();
  const cut = text.slice(0, maxChars - 1);
  return `${cut.slice(0, cut.lastIndexOf(' ') > 0 ? cut.lastIndexOf(' ') : cut.length)}…`;
}

/**
 * `text` as DOM nodes, `code` spans for its backtick pieces (inline code as
 * Markdown writes it), so a card shows code as code, not as backticks.
 * Text only: nothing is parsed as HTML.
 */
export function withInlineCode(text: string): Node[] {
  return text.split(/(`[^`]+`)/).map(part => {
    if (part.length > 2 && part.startsWith('`') && part.endsWith('`')) {
      const code = document.createElement('code');
      code.textContent = part.slice(1, -1);
      return code;
    }
    return document.createTextNode(part);
  });
}
