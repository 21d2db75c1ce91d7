import type { TranslationBundle } from '@jupyterlab/translation';

import { collapseUnchanged, lineDiff } from './line-diff.js';
import type { IProjectDiff } from './project-diff.js';

/**
 * The line diff of `a` and `b` as DOM rows (`jp-jaxlab-Diff`): line numbers
 * of both sides, a sign and the text; runs of unchanged lines beyond
 * `context` collapse into a "⋯ N unchanged lines" row.
 */
export function renderDiff(
  a: string,
  b: string,
  trans: TranslationBundle,
  context = 3
): HTMLElement {
  const pre = document.createElement('div');
  pre.className = 'jp-jaxlab-Diff';
  for (const item of collapseUnchanged(lineDiff(a, b), context)) {
    if ('skipped' in item) {
      const gap = document.createElement('div');
      gap.className = 'jp-jaxlab-Diff-gap';
      gap.textContent = trans.__('⋯ %1 unchanged lines', item.skipped);
      pre.appendChild(gap);
      continue;
    }
    const row = document.createElement('div');
    row.className = `jp-jaxlab-Diff-line jp-mod-${item.kind}`;
    const na = document.createElement('span');
    na.className = 'jp-jaxlab-Diff-num';
    na.textContent = item.aLine === null ? '' : String(item.aLine);
    const nb = document.createElement('span');
    nb.className = 'jp-jaxlab-Diff-num';
    nb.textContent = item.bLine === null ? '' : String(item.bLine);
    const sign = document.createElement('span');
    sign.className = 'jp-jaxlab-Diff-sign';
    sign.textContent =
      item.kind === 'add' ? '+' : item.kind === 'del' ? '−' : ' ';
    const text = document.createElement('span');
    text.className = 'jp-jaxlab-Diff-text';
    text.textContent = item.text;
    row.append(na, nb, sign, text);
    pre.appendChild(row);
  }
  return pre;
}

/**
 * The code two runs ran, compared (`jp-jaxlab-ProjectDiff`): each file that
 * differs under its own heading (`data-path`, `data-kind`: changed, added
 * or deleted in the second run) with its line diff, then how many are the
 * same.
 */
export function renderProjectDiff(
  diff: IProjectDiff,
  trans: TranslationBundle
): HTMLElement {
  const section = document.createElement('section');
  section.className = 'jp-jaxlab-ProjectDiff';
  const kinds = {
    changed: trans.__('changed'),
    added: trans.__('added'),
    deleted: trans.__('deleted')
  };
  for (const file of diff.files) {
    const title = document.createElement('h4');
    title.className = 'jp-jaxlab-ProjectDiff-file';
    title.dataset.path = file.path;
    title.dataset.kind = file.kind;
    title.textContent = trans.__(
      '%1 (%2): +%3 −%4',
      file.path,
      kinds[file.kind],
      file.added,
      file.deleted
    );
    section.append(title, renderDiff(file.a, file.b, trans));
  }
  if (diff.unchanged > 0) {
    const same = document.createElement('p');
    same.className = 'jp-jaxlab-ProjectDiff-same';
    same.textContent = trans._n(
      '%1 other file is the same.',
      '%1 other files are the same.',
      diff.unchanged
    );
    section.appendChild(same);
  }
  return section;
}
