import type { Job } from '@jaxlab/schemas/contract';
import { diffStats, lineDiff } from './line-diff.js';

/** How one file of a run's project differs from the other run's. */
export interface IFileDiff {
  path: string;
  /** `changed`: in both with other text; `added`: only in B; `deleted`: only in A. */
  kind: 'changed' | 'added' | 'deleted';
  /** The file's text in A ('' when added). */
  a: string;
  /** The file's text in B ('' when deleted). */
  b: string;
  added: number;
  deleted: number;
}

/** What differs between the code of two runs: every file, main.py first. */
export interface IProjectDiff {
  files: IFileDiff[];
  /** Files the same in both runs. */
  unchanged: number;
  /** Lines added and deleted over all files. */
  added: number;
  deleted: number;
}

/**
 * The difference between the code two runs ran: main.py, the project's
 * other files (`models.py`, `utils/data.py`) and requirements.txt, file by
 * file, main.py first and the others by path.
 */
export function projectDiff(a: Job, b: Job): IProjectDiff {
  const before = filesOf(a);
  const after = filesOf(b);
  const paths = [...new Set([...before.keys(), ...after.keys()])].sort(
    (x, y) => rank(x) - rank(y) || (x < y ? -1 : x > y ? 1 : 0)
  );
  const diff: IProjectDiff = { files: [], unchanged: 0, added: 0, deleted: 0 };
  for (const path of paths) {
    const textA = before.get(path);
    const textB = after.get(path);
    if (textA === textB) {
      diff.unchanged++;
      continue;
    }
    const stats = diffStats(lineDiff(textA ?? '', textB ?? ''));
    diff.files.push({
      path,
      kind:
        textA === undefined
          ? 'added'
          : textB === undefined
            ? 'deleted'
            : 'changed',
      a: textA ?? '',
      b: textB ?? '',
      ...stats
    });
    diff.added += stats.added;
    diff.deleted += stats.deleted;
  }
  return diff;
}

/** A run's files by path (requirements.txt only when it has text). */
function filesOf(job: Job): Map<string, string> {
  const files = new Map<string, string>([['main.py', job.code]]);
  for (const file of job.files ?? []) files.set(file.path, file.content);
  if (job.requirements.trim()) files.set('requirements.txt', job.requirements);
  return files;
}

function rank(path: string): number {
  return path === 'main.py' ? 0 : path === 'requirements.txt' ? 2 : 1;
}
