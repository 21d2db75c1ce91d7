/**
 * An answer's text as DOM nodes, never as markup: paragraphs and lines as
 * text, citations (`[run …]`, `[step …]`, `[file …]`) as chips, `code` as
 * code. Whatever the model writes, nothing of it is parsed as HTML.
 */
export function renderAnswer(text: string): DocumentFragment {
  const fragment = document.createDocumentFragment();
  for (const paragraph of text.split(/\n{2,}/)) {
    const p = document.createElement('p');
    const parts = paragraph.split(
      /(\[(?:run|step|file)s? [^\]\n]{1,200}\]|`[^`\n]{1,200}`)/
    );
    for (const part of parts) {
      if (!part) continue;
      if (/^\[(run|step|file)/.test(part)) {
        const cite = document.createElement('span');
        cite.className = 'jp-jaxlab-Chat-cite';
        cite.textContent = part.slice(1, -1);
        p.append(cite);
      } else if (
        part.startsWith('`') &&
        part.endsWith('`') &&
        part.length > 1
      ) {
        const code = document.createElement('code');
        code.textContent = part.slice(1, -1);
        p.append(code);
      } else {
        p.append(document.createTextNode(part));
      }
    }
    fragment.append(p);
  }
  return fragment;
}
