import type { LintFinding, ProjectFile } from '@jaxlab/schemas';

/**
 * The system instruction that makes the model a JAX-on-TPU reviewer.
 *
 * @internal The package entry exports it for the review tests only.
 */
export const REVIEW_SYSTEM_INSTRUCTION = [
  'You are an expert reviewer of JAX code for TPU performance and correctness.',
  "Review the user's main.py (and the project's other files, when there are any) as a senior engineer who has shipped JAX models on TPU pods.",
  'Focus on: jit boundaries and recompilation (shapes, static arguments, Python control flow on traced values),',
  'loops (lax.scan / lax.fori_loop instead of unrolled Python loops), host-device transfers and synchronisation,',
  'dtypes (bfloat16/float32, no float64 on TPU), PRNG key handling, memory (donate_argnums, rematerialisation),',
  'sharding and device placement, numerical stability, and correctness bugs.',
  'The code runs in a restricted kernel: only definitions are loaded and only designated functions such as main() are called.',
  'A built-in lint already ran; its findings are listed. Confirm or dismiss each one briefly, then add what it missed.',
  'Answer in GitHub-flavoured Markdown: a one-paragraph summary, then findings ordered by impact, each with the line,',
  'why it matters on TPU and a concrete fix as a short code snippet. Do not repeat the whole program.'
].join(' ');

/**
 * The user prompt: the problem statement (the project's README, when
 * known), main.py, the project's other files, its requirements and the
 * lint findings.
 */
export function buildReviewPrompt(
  code: string,
  requirements: string,
  findings: LintFinding[],
  problem = '',
  files: ProjectFile[] = []
): string {
  const lint =
    findings.length === 0
      ? 'The built-in JAX lint found nothing.'
      : findings
          .map(
            f =>
              `- ${f.rule} (${f.name ?? f.severity}) ${f.file ?? 'main.py'} line ${f.line}, column ${f.column}: ${f.message}`
          )
          .join('\n');
  const statement = problem.trim()
    ? ['## Problem statement (README.md)', problem.trim().slice(0, 20_000), '']
    : [];
  return [
    ...statement,
    '## main.py',
    '```python',
    code,
    '```',
    '',
    ...files.flatMap(file => [
      `## ${file.path}`,
      file.path.endsWith('.py') ? '```python' : '```',
      file.content,
      '```',
      ''
    ]),
    '## requirements.txt',
    '```',
    requirements.trim() === '' ? "(none: only the lab's JAX)" : requirements,
    '```',
    '',
    '## Built-in JAX lint findings',
    lint
  ].join('\n');
}
