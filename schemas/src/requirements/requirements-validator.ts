import { parsePep508Requirement } from './pep508-parser.js';
import { formatRequirement, type IRequirement } from './requirement.js';
import { rejectRequirement } from './requirements-rejection.js';

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
    throw rejectRequirement(
      requirements[MAX_REQUIREMENTS].line,
      'too-many-requirements',
      `more than ${MAX_REQUIREMENTS} requirements`,
      'List only what main.py imports directly; pip resolves their dependencies.'
    );
  }
  const sanitized = requirements.map(formatRequirement).join('\n');
  return { requirements, sanitized: sanitized ? sanitized + '\n' : '' };
}

/** Parses one line; null for blank and comment lines. */
function parseRequirementLine(raw: string, line: number): IRequirement | null {
  if (raw.length > MAX_LINE_LENGTH) {
    throw rejectRequirement(
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
    throw rejectRequirement(
      line,
      'non-ascii',
      'contains a character outside printable ASCII',
      'Write project names and versions in plain ASCII.'
    );
  }
  if (text.endsWith('\\')) {
    throw rejectRequirement(
      line,
      'line-continuation',
      'line continuations (a trailing backslash) are not allowed',
      'Write each requirement on one line.'
    );
  }
  if (text.includes('$')) {
    throw rejectRequirement(
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
    throw rejectRequirement(
      line,
      'option',
      `${what} are not allowed`,
      'List only project names with optional extras, version specifiers and markers; the host chooses the package index and install options.'
    );
  }
  if (/\s-{1,2}[A-Za-z]/.test(text)) {
    throw rejectRequirement(
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
    throw rejectRequirement(
      line,
      'url',
      'URLs are not allowed',
      'Name a project published on the package index (e.g. `optax==0.2.4`) instead of a URL.'
    );
  }
  const beforeMarker = text.split(';')[0];
  if (beforeMarker.includes('@')) {
    throw rejectRequirement(
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
    throw rejectRequirement(
      line,
      'local-path',
      'local paths and archive files are not allowed',
      'Name a project published on the package index instead of a file or folder.'
    );
  }
  return parsePep508Requirement(text, line);
}
