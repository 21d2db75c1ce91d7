import type { JaxLabError } from '../errors.js';
import { normalizeProjectName, type IRequirement } from './requirement.js';
import { rejectRequirement } from './requirements-rejection.js';

/**
 * Parses `text`, one line of requirements.txt without its comment, as a
 * PEP 508 requirement without a URL: a project name, extras, version
 * specifiers (PEP 440 versions) and an environment marker.
 *
 * @throws JaxLabError `REQUIREMENTS_REJECTED` (rule `syntax`) naming what
 *   was expected and the column.
 */
export function parsePep508Requirement(
  text: string,
  line: number
): IRequirement {
  return new LineParser(text, line).parse();
}

/** Recursive-descent parser of one PEP 508 requirement without a URL. */
class LineParser {
  constructor(text: string, line: number) {
    this._text = text;
    this._line = line;
  }

  parse(): IRequirement {
    this._skipSpace();
    const rawName = this._match(/[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?/y);
    if (!rawName) {
      throw this._fail('expected a project name');
    }
    const name = normalizeProjectName(rawName);
    this._skipSpace();
    const extras = this._peek('[') ? this._parseExtras() : [];
    this._skipSpace();
    const specifier = this._parseSpecifiers();
    this._skipSpace();
    let marker = '';
    if (this._peek(';')) {
      this._pos++;
      this._skipSpace();
      const start = this._pos;
      this._parseMarkerOr();
      this._skipSpace();
      marker = this._text.slice(start, this._pos).trim().replace(/\s+/g, ' ');
      if (!marker) {
        throw this._fail('expected an environment marker after `;`');
      }
    }
    this._skipSpace();
    if (this._pos < this._text.length) {
      throw this._fail(
        `unexpected text \`${this._text.slice(this._pos, this._pos + 20)}\``
      );
    }
    return { line: this._line, name, extras, specifier, marker };
  }

  private _parseExtras(): string[] {
    this._pos++; // [
    const extras = new Set<string>();
    this._skipSpace();
    if (this._peek(']')) {
      this._pos++;
      return [];
    }
    for (;;) {
      this._skipSpace();
      const extra = this._match(/[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?/y);
      if (!extra) {
        throw this._fail('expected an extra name inside [...]');
      }
      extras.add(normalizeProjectName(extra));
      this._skipSpace();
      if (this._peek(',')) {
        this._pos++;
        continue;
      }
      if (this._peek(']')) {
        this._pos++;
        return [...extras].sort();
      }
      throw this._fail('expected `,` or `]` in the extras');
    }
  }

  private _parseSpecifiers(): string {
    const parenthesised = this._peek('(');
    if (parenthesised) {
      this._pos++;
      this._skipSpace();
    }
    const specifiers: string[] = [];
    if (/[<>=!~]/.test(this._text[this._pos] ?? '')) {
      for (;;) {
        this._skipSpace();
        specifiers.push(this._parseSpecifier());
        this._skipSpace();
        if (this._peek(',')) {
          this._pos++;
          continue;
        }
        break;
      }
    } else if (
      !parenthesised &&
      this._pos < this._text.length &&
      !this._peek(';')
    ) {
      throw this._fail(
        `expected a version specifier (==, >=, ~=, ...) or \`;\`, found \`${this._text.slice(this._pos, this._pos + 20)}\``
      );
    }
    if (parenthesised) {
      this._skipSpace();
      if (!this._peek(')')) {
        throw this._fail('expected `)` after the version specifiers');
      }
      this._pos++;
    }
    return specifiers.join(',');
  }

  private _parseSpecifier(): string {
    const op = this._match(/===|~=|==|!=|<=|>=|<|>/y);
    if (!op) {
      throw this._fail(
        'expected a version operator (==, !=, <=, >=, <, >, ~=, ===)'
      );
    }
    this._skipSpace();
    const version = this._match(/[A-Za-z0-9_.*+!-]+/y);
    if (!version) {
      throw this._fail(`expected a version after \`${op}\``);
    }
    if (op === '===') {
      return op + version;
    }
    const wildcard = version.endsWith('.*');
    if (wildcard && op !== '==' && op !== '!=') {
      throw this._fail(
        `a wildcard version (\`${version}\`) is only allowed with == and !=`
      );
    }
    const base = wildcard ? version.slice(0, -2) : version;
    const match = PEP440_VERSION.exec(base);
    if (!match || (wildcard && /[+]/.test(base))) {
      throw this._fail(`\`${version}\` is not a valid PEP 440 version`);
    }
    if (op === '~=' && !base.includes('.')) {
      throw this._fail(
        '~= needs a version with at least two parts, e.g. ~=1.4'
      );
    }
    return op + version;
  }

  // marker_or := marker_and ('or' marker_and)*
  private _parseMarkerOr(): void {
    this._parseMarkerAnd();
    while (this._matchKeyword('or')) {
      this._parseMarkerAnd();
    }
  }

  // marker_and := marker_expr ('and' marker_expr)*
  private _parseMarkerAnd(): void {
    this._parseMarkerExpr();
    while (this._matchKeyword('and')) {
      this._parseMarkerExpr();
    }
  }

  // marker_expr := marker_var marker_op marker_var | '(' marker_or ')'
  private _parseMarkerExpr(): void {
    this._skipSpace();
    if (this._peek('(')) {
      this._pos++;
      this._parseMarkerOr();
      this._skipSpace();
      if (!this._peek(')')) {
        throw this._fail('expected `)` in the environment marker');
      }
      this._pos++;
      return;
    }
    this._parseMarkerValue();
    this._skipSpace();
    const op =
      this._match(/===|~=|==|!=|<=|>=|<|>/y) ??
      this._match(/not\s+in\b/y) ??
      this._match(/in\b/y);
    if (!op) {
      throw this._fail(
        'expected a comparison (==, !=, <, in, not in, ...) in the environment marker'
      );
    }
    this._parseMarkerValue();
  }

  private _parseMarkerValue(): void {
    this._skipSpace();
    const quoted = this._match(/'[^']*'|"[^"]*"/y);
    if (quoted) {
      return;
    }
    const variable = this._match(/[A-Za-z_][A-Za-z0-9_.]*/y);
    if (!variable) {
      throw this._fail('expected a quoted string or a marker variable');
    }
    if (!MARKER_VARIABLES.has(variable)) {
      throw this._fail(
        `\`${variable}\` is not an environment marker variable (e.g. python_version, sys_platform, platform_machine)`
      );
    }
  }

  private _matchKeyword(keyword: 'and' | 'or'): boolean {
    const save = this._pos;
    this._skipSpace();
    if (this._match(new RegExp(`${keyword}\\b`, 'y'))) {
      return true;
    }
    this._pos = save;
    return false;
  }

  private _match(pattern: RegExp): string | null {
    pattern.lastIndex = this._pos;
    const match = pattern.exec(this._text);
    if (!match) {
      return null;
    }
    this._pos += match[0].length;
    return match[0];
  }

  private _peek(char: string): boolean {
    return this._text[this._pos] === char;
  }

  private _skipSpace(): void {
    while (this._text[this._pos] === ' ' || this._text[this._pos] === '\t') {
      this._pos++;
    }
  }

  private _fail(what: string): JaxLabError {
    return rejectRequirement(
      this._line,
      'syntax',
      `${what} (column ${this._pos + 1})`
    );
  }

  private _line: number;
  private _pos = 0;
  private _text: string;
}

/** PEP 440 public and local versions (canonical regex, case-insensitive). */
const PEP440_VERSION =
  /^v?(?:[0-9]+!)?[0-9]+(?:\.[0-9]+)*(?:[-_.]?(?:a|b|c|rc|alpha|beta|pre|preview)[-_.]?[0-9]*)?(?:-[0-9]+|[-_.]?(?:post|rev|r)[-_.]?[0-9]*)?(?:[-_.]?dev[-_.]?[0-9]*)?(?:\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?$/i;

/** PEP 508 marker variables (plus the dotted legacy names pip accepts). */
const MARKER_VARIABLES = new Set([
  'python_version',
  'python_full_version',
  'os_name',
  'sys_platform',
  'platform_release',
  'platform_system',
  'platform_version',
  'platform_machine',
  'platform_python_implementation',
  'implementation_name',
  'implementation_version',
  'extra',
  'os.name',
  'sys.platform',
  'platform.version',
  'platform.machine',
  'platform.python_implementation',
  'python_implementation'
]);
