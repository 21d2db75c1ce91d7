// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { readmeSummary, withInlineCode } from './readme-summary.js';

const README = `# A small MLP on two spirals

Classify points of two interleaved spirals (generated on the fly) with a
two-hidden-layer MLP trained by full-batch gradient descent.

- \`main()\` builds the data set.
`;

describe('readmeSummary()', () => {
  it('should join the first paragraph’s wrapped lines instead of cutting at the first line', () => {
    expect(readmeSummary(README)).toBe(
      'Classify points of two interleaved spirals (generated on the fly) with a two-hidden-layer MLP trained by full-batch gradient descent.'
    );
  });

  it('should end at the last whole sentence that fits, or at a word with an ellipsis', () => {
    const text =
      'First sentence here. Second one is longer than the rest of it. Third.';
    expect(readmeSummary(text, 40)).toBe('First sentence here.');
    expect(
      readmeSummary('One very long sentence without any stop at all in it', 20)
    ).toBe('One very long…');
  });
});

describe('withInlineCode()', () => {
  it('should make code elements of backtick pieces and leave no backticks', () => {
    const p = document.createElement('p');
    p.append(...withInlineCode('Call `main()` with `jax.jit`, then <b>.'));
    expect(p.querySelectorAll('code')).toHaveLength(2);
    expect(p.textContent).toBe('Call main() with jax.jit, then <b>.');
    expect(p.querySelector('b')).toBeNull();
  });
});
