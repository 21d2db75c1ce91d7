// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { AnsiParser, renderSegment } from './ansi.js';

describe('AnsiParser.push()', () => {
  it('should strip escapes and carry the style across chunks', () => {
    const parser = new AnsiParser();
    const first = parser.push('plain \x1b[1;31mred bold');
    const second = parser.push(' still red\x1b[0m done');
    expect(first.map(s => s.text)).toEqual(['plain ', 'red bold']);
    expect(first[1].style).toMatchObject({ bold: true, fg: 1 });
    expect(second[0]).toMatchObject({ text: ' still red', style: { fg: 1 } });
    expect(second[1].style).toEqual({});
  });

  it('should hold back an escape cut by a chunk boundary', () => {
    const parser = new AnsiParser();
    const a = parser.push('ok \x1b[3');
    const b = parser.push('2mgreen');
    expect(a.map(s => s.text).join('')).toBe('ok ');
    expect(b).toEqual([{ text: 'green', style: { fg: 2 } }]);
  });

  it('should read bright, 256 and true colours and drop non-SGR sequences', () => {
    const parser = new AnsiParser();
    const out = parser.push(
      '\x1b[92ma\x1b[38;5;196mb\x1b[48;2;1;2;3mc\x1b[2Kd'
    );
    expect(out.map(s => s.text).join('')).toBe('abcd');
    expect(out[0].style.fg).toBe(10);
    expect(out[1].style.fg).toBe('rgb(255, 0, 0)');
    expect(out[2].style.bg).toBe('rgb(1, 2, 3)');
  });
});

describe('renderSegment()', () => {
  it('should render styled text as a span with classes and never parse HTML', () => {
    const node = renderSegment(document, {
      text: '<img src=x onerror=alert(1)>',
      style: { fg: 1, bold: true }
    }) as HTMLElement;
    expect(node.tagName).toBe('SPAN');
    expect(node.className).toContain('jp-jaxlab-ansi-fg-1');
    expect(node.className).toContain('jp-jaxlab-ansi-bold');
    expect(node.querySelector('img')).toBeNull();
    expect(node.textContent).toBe('<img src=x onerror=alert(1)>');
  });

  it('should render plain text as a text node', () => {
    expect(renderSegment(document, { text: 'x', style: {} }).nodeType).toBe(3);
  });
});
