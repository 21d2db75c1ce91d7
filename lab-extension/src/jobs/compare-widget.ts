import type { Job } from '@jaxlab/schemas/contract';
import type { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';
import { collapseUnchanged, diffStats, lineDiff } from '../diff/line-diff.js';
import { compareMetrics, formatDuration } from '../metrics/metrics-format.js';
import { renderStatusBadge } from '../results/status-badge.js';
import { shortJobId } from './job-label.js';

/**
 * Two runs side by side: status and timings, a metrics table with B − A
 * deltas, and a line diff of their main.py.
 */
export class CompareWidget extends Widget {
  /** Make a comparison of run `a` (older) and run `b`. */
  constructor(a: Job, b: Job, trans: TranslationBundle) {
    super();
    this.addClass('jp-jaxlab-Compare');
    this.id = `jp-jaxlab-compare-${a.id}-${b.id}`;
    this.title.label = trans.__(
      'Compare %1 ↔ %2',
      shortJobId(a.id),
      shortJobId(b.id)
    );
    this.title.closable = true;

    const root = document.createElement('div');
    root.className = 'jp-jaxlab-Compare-content';
    const h2 = document.createElement('h2');
    h2.textContent = trans.__('Metrics');
    root.appendChild(h2);

    const table = document.createElement('table');
    table.className = 'jp-jaxlab-CompareTable';
    const head = table.createTHead().insertRow();
    for (const text of [
      '',
      `A · ${shortJobId(a.id)}`,
      `B · ${shortJobId(b.id)}`,
      trans.__('Δ (B − A)')
    ]) {
      const th = document.createElement('th');
      th.textContent = text;
      head.appendChild(th);
    }
    const body = table.createTBody();
    const statusRow = body.insertRow();
    statusRow.insertCell().textContent = trans.__('Status');
    for (const job of [a, b]) {
      const badge = document.createElement('span');
      renderStatusBadge(badge, trans, job.status);
      statusRow.insertCell().appendChild(badge);
    }
    statusRow.insertCell();
    const durationRow = body.insertRow();
    durationRow.insertCell().textContent = trans.__('Duration');
    for (const job of [a, b]) {
      const start = Date.parse(job.startedAt ?? job.createdAt);
      durationRow.insertCell().textContent = job.finishedAt
        ? formatDuration(Date.parse(job.finishedAt) - start)
        : '—';
    }
    durationRow.insertCell();
    for (const row of compareMetrics(a.metrics, b.metrics)) {
      const tr = body.insertRow();
      tr.dataset.key = row.key;
      tr.insertCell().textContent = row.key.startsWith('values.')
        ? row.label
        : trans.__(row.label);
      tr.insertCell().textContent = row.a;
      tr.insertCell().textContent = row.b;
      const delta = tr.insertCell();
      delta.textContent = row.delta;
      delta.className = `jp-jaxlab-Delta jp-mod-${row.trend}`;
    }
    root.appendChild(table);

    const diff = lineDiff(a.code, b.code);
    const stats = diffStats(diff);
    const h2diff = document.createElement('h2');
    h2diff.textContent = trans.__(
      'main.py: +%1 −%2 lines',
      stats.added,
      stats.deleted
    );
    root.appendChild(h2diff);
    const pre = document.createElement('div');
    pre.className = 'jp-jaxlab-Diff';
    for (const item of collapseUnchanged(diff, 3)) {
      if ('skipped' in item) {
        const gap = document.createElement('div');
        gap.className = 'jp-jaxlab-Diff-gap';
        gap.textContent = trans.__('⋯ %1 unchanged lines', item.skipped);
        pre.appendChild(gap);
        continue;
      }
      const line = item;
      const row = document.createElement('div');
      row.className = `jp-jaxlab-Diff-line jp-mod-${line.kind}`;
      const na = document.createElement('span');
      na.className = 'jp-jaxlab-Diff-num';
      na.textContent = line.aLine === null ? '' : String(line.aLine);
      const nb = document.createElement('span');
      nb.className = 'jp-jaxlab-Diff-num';
      nb.textContent = line.bLine === null ? '' : String(line.bLine);
      const sign = document.createElement('span');
      sign.className = 'jp-jaxlab-Diff-sign';
      sign.textContent =
        line.kind === 'add' ? '+' : line.kind === 'del' ? '−' : ' ';
      const text = document.createElement('span');
      text.className = 'jp-jaxlab-Diff-text';
      text.textContent = line.text;
      row.append(na, nb, sign, text);
      pre.appendChild(row);
    }
    root.appendChild(pre);
    this.node.appendChild(root);
  }
}
