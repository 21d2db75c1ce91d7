// Checks that every relative link and image of the repository's Markdown
// files (README.md of each package, docs/) points at a file or folder that
// exists in the repository. External links (http:, mailto:) are not
// fetched: CI has no network beyond the package registries.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const files = execFileSync(
  'git',
  ['ls-files', '--cached', '--others', '--exclude-standard', '*.md'],
  { cwd: root, encoding: 'utf8' }
)
  .split('\n')
  .filter(Boolean);

// [text](target "title"), ![alt](target), and [label]: target definitions.
const LINK =
  /!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)|^\s*\[[^\]]+\]:\s*(\S+)/gm;
const broken = [];
for (const file of files) {
  const text = readFileSync(join(root, file), 'utf8').replace(
    /^(```|~~~)[\s\S]*?^\1/gm,
    ''
  );
  for (const match of text.matchAll(LINK)) {
    const target = match[1] ?? match[2];
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#')) continue;
    const path = decodeURIComponent(target.split('#')[0].split('?')[0]);
    const where = path.startsWith('/')
      ? join(root, path)
      : join(root, dirname(file), path);
    if (!where.startsWith(root) || !existsSync(where))
      broken.push(`${file}: ${target}`);
  }
}
if (broken.length > 0) {
  console.error(
    `Links that do not resolve inside the repository:\n  ${broken.join('\n  ')}`
  );
  process.exit(1);
}
console.log(`${files.length} Markdown files, every relative link resolves`);
