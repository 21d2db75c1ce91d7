import { describe, expect, it } from 'vitest';
import { collapseUnchanged, diffStats, lineDiff } from './line-diff.js';

describe('lineDiff()', () => {
  it('should find the changed lines with line numbers of both sides', () => {
    const a = 'import jax\nlr = 0.1\ndef main():\n    return 1\n';
    const b = 'import jax\nlr = 0.01\ndef main():\n    x = 2\n    return 1\n';
    const diff = lineDiff(a, b);
    expect(diff.map(d => `${d.kind[0]}${d.text}`)).toEqual([
      'simport jax',
      'dlr = 0.1',
      'alr = 0.01',
      'sdef main():',
      'a    x = 2',
      's    return 1'
    ]);
    expect(diff[2]).toMatchObject({ aLine: null, bLine: 2 });
    expect(diff[5]).toMatchObject({ aLine: 4, bLine: 5 });
    expect(diffStats(diff)).toEqual({ added: 2, deleted: 1 });
  });

  it('should report identical texts as all same and handle empty sides', () => {
    expect(lineDiff('a\nb', 'a\nb').every(d => d.kind === 'same')).toBe(true);
    expect(lineDiff('', 'x\ny').map(d => d.kind)).toEqual(['add', 'add']);
    expect(lineDiff('x', '').map(d => d.kind)).toEqual(['del']);
  });
});

describe('collapseUnchanged()', () => {
  it('should keep context around changes and count the lines left out', () => {
    const a = Array.from({ length: 20 }, (_, i) => `l${i}`).join('\n');
    const b = a.replace('l10', 'L10');
    const items = collapseUnchanged(lineDiff(a, b), 2);
    expect(items[0]).toEqual({ skipped: 8 });
    expect(items.filter(i => 'kind' in i && i.kind !== 'same')).toHaveLength(2);
    expect(items[items.length - 1]).toEqual({ skipped: 7 });
  });
});
