import { describe, expect, it } from 'vitest';
import { ColumnStats, parseNumber } from './table-builder.js';

/** The grammar parseNumber reads by hand. */
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function randomTexts(count: number): string[] {
  let seed = 5;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const pieces = [
    '0',
    '1',
    '5',
    '9',
    '.',
    '-',
    '+',
    'e',
    'E',
    ' ',
    'n',
    'a',
    'N',
    'A',
    '/',
    'x',
    'true',
    'False',
    '\t',
    '\u00a0',
    '123456789',
    '07'
  ];
  const texts = [
    '',
    '-0',
    '0',
    '1e22',
    '1e23',
    '123456789012345e-22',
    '9007199254740993',
    '0.1',
    '.5',
    '5.',
    '1e999',
    '-1e-999',
    '1_0',
    '0x10',
    'NaN',
    'Infinity',
    ' 7',
    '7 ',
    'n/a',
    'NULL',
    'True',
    '1e',
    '1e+',
    '+.e1'
  ];
  while (texts.length < count) {
    let text = '';
    for (let i = 0, n = Math.floor(random() * 8); i < n; i++)
      text += pieces[Math.floor(random() * pieces.length)];
    texts.push(text);
  }
  return texts;
}

describe('parseNumber()', () => {
  it('should read exactly what Number reads of the texts the number pattern matches, and nothing else', () => {
    const wrong = randomTexts(200_000).filter(text => {
      const expected = NUMBER.test(text) ? Number(text) : NaN;
      // Within a longer text too, by range.
      const inside = `1${text}e`;
      return !(
        Object.is(parseNumber(text), expected) &&
        Object.is(parseNumber(inside, 1, inside.length - 1), expected)
      );
    });
    expect(wrong).toEqual([]);
  });
});

describe('ColumnStats.addRange()', () => {
  it('should count and answer as add() of the slice', () => {
    const whole = new ColumnStats();
    const ranged = new ColumnStats();
    const wrong = randomTexts(50_000).filter(text => {
      const source = `,${text},`;
      const a = whole.add(text);
      const b = ranged.addRange(source, 1, source.length - 1);
      return !Object.is(a, b) || ranged.text !== whole.text;
    });
    expect(wrong).toEqual([]);
    const counts = (s: ColumnStats) => {
      const { numbers, integers, booleans, texts, missing, sum, min, max } = s;
      return { numbers, integers, booleans, texts, missing, sum, min, max };
    };
    expect(counts(ranged)).toEqual(counts(whole));
    expect(ranged.type).toBe(whole.type);
  });
});
