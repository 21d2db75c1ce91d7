import type { LintFinding, LoaderViolation } from '@jaxlab/schemas';

/**
 * What the run would refuse (the harness's loader), as the Markdown section
 * that heads a review; empty when main.py loads.
 */
export function loaderMarkdown(
  violations: LoaderViolation[],
  checkError?: string
): string {
  if (checkError)
    return `## Before running\n\nThe loader check could not run: ${checkError}\n\n`;
  if (violations.length === 0) return '';
  const lines = [
    '## Before running: the kernel would refuse this',
    '',
    ...violations.map(
      v =>
        `- **${v.file} line ${v.line}, column ${v.column}** (\`${v.rule}\`): ${v.message}. ${v.hint}`
    ),
    ''
  ];
  return `${lines.join('\n')}\n`;
}

/** The lint findings as the Markdown section that heads every review. */
export function lintMarkdown(
  findings: LintFinding[],
  lintError?: string
): string {
  const lines = ['## JAX lint', ''];
  if (lintError)
    lines.push(`The built-in lint could not run: ${lintError}`, '');
  else if (findings.length === 0)
    lines.push('No findings: the built-in JAX lint found nothing to flag.', '');
  for (const f of findings) {
    lines.push(
      `- **${f.rule}${f.name ? ` ${f.name}` : ''}** (${f.severity}) at ${f.file ? `${f.file} ` : ''}line ${f.line}, column ${f.column}: ${f.message}`,
      `  - *Why it matters on TPU:* ${f.why}`,
      `  - *Fix:* ${f.fix}`
    );
  }
  if (findings.length > 0) lines.push('');
  return lines.join('\n');
}

/** Heading of the model's part of the review. */
export const AI_REVIEW_HEADING = '## AI review';
