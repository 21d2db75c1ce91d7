import type { Literal } from '@jaxlab/schemas/contract';

/** What {@link parsePythonLiteral} made of a text. */
export type ParsedLiteral =
  { ok: true; value: Literal } | { ok: false; error: string };

/**
 * A Python literal as the argument form's user typed it, as the JSON value
 * a run passes: numbers (`1_000`, `-1e-3`), strings in single or double
 * quotes with Python's escapes, `True`, `False`, `None`, lists and dicts
 * with string keys, nested. Tuples, sets, calls and names are refused
 * with a reason, since a run could not pass them. The inverse of
 * `pythonLiteral` of `@jaxlab/schemas/contract`.
 *
 * @example
 * ```ts
 * parsePythonLiteral("{'lr': 1e-3, 'layers': [64, 64]}"); // {ok: true, value: {lr: 0.001, layers: [64, 64]}}
 * ```
 */
export function parsePythonLiteral(text: string): ParsedLiteral {
  const parser = new LiteralParser(text);
  try {
    const value = parser.value(0);
    parser.end();
    return { ok: true, value };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

const MAX_DEPTH = 32;

class LiteralParser {
  constructor(text: string) {
    this._text = text;
  }

  value(depth: number): Literal {
    if (depth > MAX_DEPTH) throw new Error('nested too deeply');
    this._space();
    const c = this._text[this._at];
    if (c === undefined) throw new Error('a value is missing');
    if (c === '[') return this._list(depth);
    if (c === '{') return this._dict(depth);
    if (c === '(')
      throw new Error('a tuple cannot be passed; use a list [...]');
    if (c === '"' || c === "'") return this._string();
    const word = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(this._text.slice(this._at));
    if (word) {
      this._at += word[0].length;
      if (word[0] === 'True') return true;
      if (word[0] === 'False') return false;
      if (word[0] === 'None') return null;
      throw new Error(
        `${word[0]} is a name, not a literal; quote it for a string: '${word[0]}'`
      );
    }
    return this._number();
  }

  end(): void {
    this._space();
    if (this._at < this._text.length) {
      throw new Error(
        `unexpected ${JSON.stringify(this._text.slice(this._at, this._at + 10))}`
      );
    }
  }

  private _number(): number {
    const match =
      /^[-+]?(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][-+]?\d[\d_]*)?/.exec(
        this._text.slice(this._at)
      );
    if (!match) {
      throw new Error(
        `unexpected ${JSON.stringify(this._text.slice(this._at, this._at + 10))}`
      );
    }
    this._at += match[0].length;
    const value = Number(match[0].replace(/_/g, ''));
    if (!Number.isFinite(value)) throw new Error(`${match[0]} is too large`);
    if (Number.isInteger(value) && !Number.isSafeInteger(value)) {
      throw new Error(`${match[0]} is too large to pass exactly`);
    }
    return value;
  }

  private _string(): string {
    const quote = this._text[this._at++];
    let out = '';
    for (;;) {
      const c = this._text[this._at++];
      if (c === undefined) throw new Error('a string is not closed');
      if (c === quote) return out;
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = this._text[this._at++];
      const simple: Record<string, string> = {
        n: '\n',
        t: '\t',
        r: '\r',
        '0': '\0',
        '\\': '\\',
        "'": "'",
        '"': '"'
      };
      if (e in simple) out += simple[e];
      else if (e === 'x' || e === 'u') {
        const length = e === 'x' ? 2 : 4;
        const hex = this._text.slice(this._at, this._at + length);
        if (!new RegExp(`^[0-9a-fA-F]{${length}}$`).test(hex)) {
          throw new Error(`\\${e} needs ${length} hex digits`);
        }
        out += String.fromCharCode(parseInt(hex, 16));
        this._at += length;
      } else {
        out += `\\${e ?? ''}`;
      }
    }
  }

  private _list(depth: number): Literal[] {
    this._at++;
    const items: Literal[] = [];
    for (;;) {
      this._space();
      if (this._text[this._at] === ']') {
        this._at++;
        return items;
      }
      items.push(this.value(depth + 1));
      this._space();
      if (this._text[this._at] === ',') this._at++;
      else if (this._text[this._at] !== ']')
        throw new Error('a list needs , or ]');
    }
  }

  private _dict(depth: number): { [key: string]: Literal } {
    this._at++;
    const out: { [key: string]: Literal } = {};
    for (;;) {
      this._space();
      if (this._text[this._at] === '}') {
        this._at++;
        return out;
      }
      const c = this._text[this._at];
      if (c !== '"' && c !== "'") throw new Error('dict keys must be strings');
      const key = this._string();
      this._space();
      if (this._text[this._at++] !== ':')
        throw new Error('a dict needs key: value');
      out[key] = this.value(depth + 1);
      this._space();
      if (this._text[this._at] === ',') this._at++;
      else if (this._text[this._at] !== '}')
        throw new Error('a dict needs , or }');
    }
  }

  private _space(): void {
    while (/\s/.test(this._text[this._at] ?? '')) this._at++;
  }

  private _text: string;
  private _at = 0;
}
