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
