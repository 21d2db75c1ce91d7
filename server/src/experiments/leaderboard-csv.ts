import { stringify } from 'csv-stringify/sync';
import type { Leaderboard } from '@jaxlab/schemas';
import { pythonCall } from '@jaxlab/schemas';

/**
 * The leaderboard as CSV (RFC 4180, by csv-stringify): one row per run with
 * its rank, value, id, name, call as made, tags, accelerator, status and
 * times. Cells a spreadsheet would run as a formula (`=`, `+`, `-`, `@`
 * first, but not numbers) get a leading `'`: names and tags are users'.
 */
export function leaderboardCsv(board: Leaderboard): string {
  const header = [
    'rank',
    board.metric,
    'id',
    'name',
    'call',
    'tags',
    'accelerator',
    'status',
    'createdAt',
    'finishedAt'
  ];
  const rows = board.rows.map(({ rank, value, job }) => [
    rank,
    value,
    job.id,
    job.name ?? '',
    pythonCall(job.entrypoint, job.args),
    (job.tags ?? []).join(' '),
    job.accelerator,
    job.status,
    job.createdAt,
    job.finishedAt ?? ''
  ]);
  return stringify([header, ...rows], {
    cast: { string: defuseFormula }
  });
}

function defuseFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) && !Number.isFinite(Number(text))
    ? `'${text}`
    : text;
}
