import type { RegressionVerdict } from '@jaxlab/schemas/contract';
import type { TranslationBundle } from '@jupyterlab/translation';
import { formatValue } from '../metrics/metrics-format.js';

const num = (value: number): string => formatValue('', value);

/**
 * A run's regression verdict as a small badge (pass / regressed / missing),
 * its title listing each checked metric: the run's value, the baseline's,
 * how much worse and how much the tolerance allows.
 */
export function regressionBadge(
  verdict: RegressionVerdict,
  trans: TranslationBundle
): HTMLSpanElement {
  const badge = document.createElement('span');
  badge.className = 'jp-jaxlab-RegressionBadge';
  badge.dataset.verdict = verdict.verdict;
  const worst = verdict.checks.find(c => c.outcome === 'regressed');
  badge.textContent =
    verdict.verdict === 'pass'
      ? trans.__('✓ baseline')
      : verdict.verdict === 'missing'
        ? trans.__('? baseline')
        : trans.__('✗ %1 +%2', worst!.name, num(worst!.worseBy ?? 0));
  badge.title = [
    trans.__('Against the baseline run %1:', verdict.baselineJobId.slice(-6)),
    ...verdict.checks.map(c =>
      c.value === null
        ? trans.__('%1: no value (baseline %2)', c.name, num(c.baseline))
        : trans.__(
            '%1: %2 vs %3 (%4) — worse by %5, allowed %6: %7',
            c.name,
            num(c.value),
            num(c.baseline),
            c.direction === 'min'
              ? trans.__('lower is better')
              : trans.__('higher is better'),
            num(c.worseBy ?? 0),
            num(c.allowed),
            c.outcome
          )
    )
  ].join('\n');
  return badge;
}
