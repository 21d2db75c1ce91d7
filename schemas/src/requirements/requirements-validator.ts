import { JaxLabError } from '../errors.js';
import type {
  RequirementsRejection,
  RequirementsRule
} from '../generated/types.js';

/** One accepted requirement, as PEP 508 parts. */
export interface IRequirement {
  /** 1-based line in requirements.txt. */
  line: number;
  /** PEP 503 normalised project name (lower case, `-` separated). */
  name: string;
  /** Normalised extra names, sorted. */
  extras: string[];
  /** Version specifiers without spaces, e.g. `>=1.2,<2`; '' for any. */
  specifier: string;
  /** Environment marker as written (whitespace normalised); '' when none. */
  marker: string;
}

/** What {@link validateRequirements} returns. */
export interface IValidatedRequirements {
  /** The accepted requirements in file order. */
  requirements: IRequirement[];
  /**
   * The requirements re-written one per line in canonical form (no comments,
   * options or blank lines): what pip is given and what the cache key hashes.
   * '' when there is nothing to install.
   */
  sanitized: string;
}

/** Most requirement lines a job may list. */
export const MAX_REQUIREMENTS = 200;

const MAX_LINE_LENGTH = 1000;

/**
 * Validates requirements.txt line by line as PEP 508 requirements: project
 * names, extras, version specifiers and environment markers only. Comments
 * and blank lines are fine. Everything pip would read as more than a
 * requirement is rejected: options (`-r`, `-e`, `--index-url`, `-c`,
 * `--hash`, any line or trailing part starting with `-`), URLs and direct
 * references (`name @ https://...`), local paths and archives, `${VAR}`
 * environment variables and line continuations. A pure function, used by
 * the server (a bad line answers 400) and again by the gateway before it
 * installs anything.
 *
 * @throws JaxLabError `REQUIREMENTS_REJECTED` naming the first bad line and
 *   what is wrong with it, with `details` `{line, rule}` (a
 *   RequirementsRejection: which rule of requirements-rejection.schema.json).
 *
 * @example
 * ```ts
 * validateRequirements('Optax>=0.2  # optimisers\nsix').sanitized;
 * // 'optax>=0.2\nsix\n'
 * ```
 */
export function validateRequirements(text: string): IValidatedRequirements {
  const requirements: IRequirement[] = [];
  const lines = text.split(/\r\n|\n|\r/);
  lines.forEach((raw, index) => {
    const line = index + 1;
    const requirement = parseRequirementLine(raw, line);
    if (requirement) {
      requirements.push(requirement);
    }
  });
  if (requirements.length > MAX_REQUIREMENTS) {
    throw reject(
      requirements[MAX_REQUIREMENTS].line,
      'too-many-requirements',
      `more than ${MAX_REQUIREMENTS} requirements`,
      'List only what main.py imports directly; pip resolves their dependencies.'
    );
  }
  const sanitized = requirements.map(formatRequirement).join('\n');
  return { requirements, sanitized: sanitized ? sanitized + '\n' : '' };
}

/**
 * The PEP 503 normalised form of a project name.
 *
 * @example
 * ```ts
 * normalizeProjectName('Foo.Bar__baz'); // 'foo-bar-baz'
 * ```
 */
export function normalizeProjectName(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}

/** A requirement back as one canonical PEP 508 line. */
export function formatRequirement(requirement: IRequirement): string {
  const extras = requirement.extras.length
    ? `[${requirement.extras.join(',')}]`
    : '';
  const marker = requirement.marker ? `; ${requirement.marker}` : '';
  return `${requirement.name}${extras}${requirement.specifier}${marker}`;
}

/** Parses one line; null for blank and comment lines. */
function parseRequirementLine(raw: string, line: number): IRequirement | null {
  if (raw.length > MAX_LINE_LENGTH) {
    throw reject(
      line,
      'line-too-long',
      `longer than ${MAX_LINE_LENGTH} characters`
    );
  }
  // pip strips a comment that starts the line or follows whitespace.
  const text = raw.replace(/(^|\s)#.*$/, '').trim();
  if (!text) {
    return null;
  }
  if (/[^\x20-\x7e\t]/.test(text)) {
    throw reject(
      line,
      'non-ascii',
      'contains a character outside printable ASCII',
      'Write project names and versions in plain ASCII.'
    );
  }
  if (text.endsWith('\\')) {
    throw reject(
      line,
      'line-continuation',
      'line continuations (a trailing backslash) are not allowed',
      'Write each requirement on one line.'
    );
  }
  if (text.includes('$')) {
    throw reject(
      line,
      'environment-variable',
      'environment variables such as ${VAR} are not allowed',
      'Write the literal name and version instead of a variable.'
    );
  }
  if (text.startsWith('-')) {
    const option = text.split(/[\s=]/)[0];
    const what =
      option === '-e' || option === '--editable'
        ? 'editable installs'
        : `options such as ${option}`;
    throw reject(
      line,
      'option',
      `${what} are not allowed`,
      'List only project names with optional extras, version specifiers and markers; the host chooses the package index and install options.'
    );
  }
  if (/\s-{1,2}[A-Za-z]/.test(text)) {
    throw reject(
      line,
      'requirement-option',
      'per-requirement options such as --hash are not allowed',
      'Remove the options after the requirement; only names, extras, versions and markers are accepted.'
    );
  }
  if (
    /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(text) ||
    /^(git|hg|svn|bzr)\+/i.test(text)
  ) {
    throw reject(
      line,
      'url',
      'URLs are not allowed',
      'Name a project published on the package index (e.g. `optax==0.2.4`) instead of a URL.'
    );
  }
  const beforeMarker = text.split(';')[0];
  if (beforeMarker.includes('@')) {
    throw reject(
      line,
      'direct-reference',
      'direct references (`name @ URL`) are not allowed',
      'Name a project published on the package index with a version specifier instead.'
    );
  }
  if (
    /^(\.{1,2}|~)?[\\/]/.test(beforeMarker) ||
    /^[A-Za-z]:[\\/]/.test(beforeMarker) ||
    /[\\/]/.test(beforeMarker) ||
    /\.(whl|zip|tar\.gz|tgz|tar\.bz2|tar)\s*$/i.test(beforeMarker) ||
    beforeMarker.trim() === '.'
  ) {
    throw reject(
      line,
      'local-path',
      'local paths and archive files are not allowed',
      'Name a project published on the package index instead of a file or folder.'
    );
  }
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
    return reject(this._line, 'syntax', `${what} (column ${this._pos + 1})`);
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

function reject(
  line: number,
  rule: RequirementsRule,
  what: string,
  hint?: string
): JaxLabError {
  const details: RequirementsRejection = { line, rule };
  // Without a hint of its own, the code's: one PEP 508 requirement per line.
  return new JaxLabError(
    'REQUIREMENTS_REJECTED',
    `requirements.txt line ${line}: ${what}`,
    { hint, details }
  );
}
