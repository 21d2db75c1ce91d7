/** Text style selected by SGR escape sequences. */
export interface IAnsiStyle {
  /** Foreground: 0-15 for the palette, or a CSS colour for 256/true colour. */
  fg?: number | string;
  /** Background, same encoding as `fg`. */
  bg?: number | string;
  /** SGR 1. */
  bold?: boolean;
  /** SGR 2. */
  dim?: boolean;
  /** SGR 3. */
  italic?: boolean;
  /** SGR 4. */
  underline?: boolean;
  /** SGR 7. */
  inverse?: boolean;
}

/** A run of text in one style. */
export interface IAnsiSegment {
  /** Plain text, escape sequences removed. */
  text: string;
  /** Style of the run (shared object; do not mutate). */
  style: IAnsiStyle;
}

// CSI sequences: ESC [ params intermediates final; also bare OSC / other ESC.
// eslint-disable-next-line no-control-regex
const ESCAPE =
  /\x1b(?:\[([0-9;:?]*)[ -/]*([@-~])|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])/g;

/**
 * Streaming parser of ANSI SGR colours ("Select Graphic Rendition",
 * ECMA-48 §8.3.117): feed it text as it arrives and it returns styled
 * segments with escape sequences removed. The style carries across calls,
 * and an escape sequence cut in half by a chunk boundary is held back until
 * its end arrives. Other control sequences (cursor moves, OSC titles) are
 * dropped.
 */
export class AnsiParser {
  /** Parse the next piece of output. */
  push(text: string): IAnsiSegment[] {
    text = this._pending + text;
    this._pending = '';
    // Hold back an unterminated escape at the end.
    const lastEsc = text.lastIndexOf('\x1b');
    if (lastEsc >= 0 && lastEsc >= text.length - 64) {
      const tail = text.slice(lastEsc);
      ESCAPE.lastIndex = 0;
      const match = ESCAPE.exec(tail);
      if (!match || match.index !== 0) {
        this._pending = tail;
        text = text.slice(0, lastEsc);
      }
    }
    const segments: IAnsiSegment[] = [];
    let last = 0;
    ESCAPE.lastIndex = 0;
    for (let match = ESCAPE.exec(text); match; match = ESCAPE.exec(text)) {
      if (match.index > last) {
        segments.push({
          text: text.slice(last, match.index),
          style: this._style
        });
      }
      last = ESCAPE.lastIndex;
      if (match[2] === 'm') {
        this._apply(match[1] ?? '');
      }
    }
    if (last < text.length) {
      segments.push({ text: text.slice(last), style: this._style });
    }
    return segments;
  }

  /** The style in effect now. */
  get style(): IAnsiStyle {
    return this._style;
  }

  private _apply(params: string): void {
    const codes =
      params === '' ? [0] : params.split(/[;:]/).map(p => Number(p) || 0);
    const style: IAnsiStyle = { ...this._style };
    for (let i = 0; i < codes.length; i++) {
      const code = codes[i];
      if (code === 0) {
        for (const key of Object.keys(style)) {
          delete style[key as keyof IAnsiStyle];
        }
      } else if (code === 1) {
        style.bold = true;
      } else if (code === 2) {
        style.dim = true;
      } else if (code === 3) {
        style.italic = true;
      } else if (code === 4) {
        style.underline = true;
      } else if (code === 7) {
        style.inverse = true;
      } else if (code === 22) {
        style.bold = false;
        style.dim = false;
      } else if (code === 23) {
        style.italic = false;
      } else if (code === 24) {
        style.underline = false;
      } else if (code === 27) {
        style.inverse = false;
      } else if (code >= 30 && code <= 37) {
        style.fg = code - 30;
      } else if (code >= 90 && code <= 97) {
        style.fg = code - 90 + 8;
      } else if (code === 39) {
        delete style.fg;
      } else if (code >= 40 && code <= 47) {
        style.bg = code - 40;
      } else if (code >= 100 && code <= 107) {
        style.bg = code - 100 + 8;
      } else if (code === 49) {
        delete style.bg;
      } else if (code === 38 || code === 48) {
        const key = code === 38 ? 'fg' : 'bg';
        if (codes[i + 1] === 5) {
          style[key] = color256(codes[i + 2] ?? 0);
          i += 2;
        } else if (codes[i + 1] === 2) {
          const [r, g, b] = codes
            .slice(i + 2, i + 5)
            .map(v => Math.min(255, v ?? 0));
          style[key] = `rgb(${r}, ${g}, ${b})`;
          i += 4;
        }
      }
    }
    this._style = style;
  }

  private _pending = '';
  private _style: IAnsiStyle = {};
}

/** CSS colour of entry `n` of the xterm 256-colour palette (0-15 stay indices). */
function color256(n: number): number | string {
  if (n < 16) {
    return n;
  }
  if (n < 232) {
    const v = [0, 95, 135, 175, 215, 255];
    const i = n - 16;
    return `rgb(${v[Math.floor(i / 36)]}, ${v[Math.floor(i / 6) % 6]}, ${v[i % 6]})`;
  }
  const grey = 8 + (n - 232) * 10;
  return `rgb(${grey}, ${grey}, ${grey})`;
}

/** Whether a style is the default (no span needed). */
export function isPlainStyle(style: IAnsiStyle): boolean {
  return (
    style.fg === undefined &&
    style.bg === undefined &&
    !style.bold &&
    !style.dim &&
    !style.italic &&
    !style.underline &&
    !style.inverse
  );
}

/**
 * Render a styled segment as a DOM node: a text node for plain text, a span
 * with `jp-jaxlab-ansi-*` classes otherwise. Text is always set through
 * `textContent`, never parsed as HTML.
 */
export function renderSegment(doc: Document, segment: IAnsiSegment): Node {
  const { style } = segment;
  if (isPlainStyle(style)) {
    return doc.createTextNode(segment.text);
  }
  const span = doc.createElement('span');
  span.textContent = segment.text;
  let fg = style.fg;
  let bg = style.bg;
  if (style.inverse) {
    [fg, bg] = [bg ?? 'inverse-fg', fg ?? 'inverse-bg'];
  }
  for (const [key, value] of [
    ['fg', fg],
    ['bg', bg]
  ] as const) {
    if (typeof value === 'number') {
      span.classList.add(`jp-jaxlab-ansi-${key}-${value}`);
    } else if (value === 'inverse-fg' || value === 'inverse-bg') {
      span.classList.add(`jp-jaxlab-ansi-${value}`);
    } else if (value !== undefined) {
      span.style.setProperty(
        key === 'fg' ? 'color' : 'background-color',
        value
      );
    }
  }
  if (style.bold) {
    span.classList.add('jp-jaxlab-ansi-bold');
  }
  if (style.dim) {
    span.classList.add('jp-jaxlab-ansi-dim');
  }
  if (style.italic) {
    span.classList.add('jp-jaxlab-ansi-italic');
  }
  if (style.underline) {
    span.classList.add('jp-jaxlab-ansi-underline');
  }
  return span;
}
