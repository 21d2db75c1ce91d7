import { describe, expect, it } from 'vitest';

import { errorText } from './error-text.js';

describe('errorText()', () => {
  it('should end the message as a sentence before its fix, which it names', () => {
    const error = Object.assign(
      new Error('requirements.txt line 1: direct references are not allowed'),
      { hint: 'Name a project published on the package index.' }
    );
    expect(errorText(error)).toBe(
      'requirements.txt line 1: direct references are not allowed. What to do: Name a project published on the package index.'
    );
  });

  it('should keep a message that already ends a sentence, and one without a fix', () => {
    expect(
      errorText(Object.assign(new Error('Quota reached.'), { hint: 'Wait.' }))
    ).toBe('Quota reached. What to do: Wait.');
    expect(errorText(new Error('Network down'))).toBe('Network down');
    expect(errorText('plain')).toBe('plain');
  });
});
