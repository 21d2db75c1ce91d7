import type { Job } from '@jaxlab/schemas/contract';
import type { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';
import { renderDiff } from '../diff/diff-view.js';
import { diffStats, lineDiff } from '../diff/line-diff.js';
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
    const pre = renderDiff(a.code, b.code, trans);
    root.appendChild(pre);
    this.node.appendChild(root);
  }
}
