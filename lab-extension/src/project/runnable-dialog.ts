import type { RunnableRewrite } from '@jaxlab/schemas/contract';
import { Dialog, showDialog } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import { renderDiff } from '../diff/diff-view.js';

/**
 * Shows Make it runnable's rewrite of main.py as a diff against `current`,
 * with what still blocks the run under it; resolves with whether the user
 * accepted it. A proposal that changes nothing is only explained.
 */
export async function reviewRunnableProposal(
  current: string,
  proposal: RunnableRewrite,
  trans: TranslationBundle
): Promise<boolean> {
  const body = new Widget();
  body.addClass('jp-jaxlab-RunnableDialog');
  const reason = document.createElement('p');
  reason.textContent = proposal.reason;
  body.node.appendChild(reason);
  if (proposal.changed)
    body.node.appendChild(renderDiff(current, proposal.source, trans));
  if (proposal.violations.length > 0) {
    const still = document.createElement('p');
    still.className = 'jp-jaxlab-RunnableDialog-remaining';
    still.textContent = trans.__(
      'Still refused after the rewrite: %1',
      proposal.violations
        .map(v => `line ${v.line}: ${v.message}. ${v.hint}`)
        .join(' ')
    );
    body.node.appendChild(still);
  }
  const buttons = proposal.changed
    ? [
        Dialog.cancelButton({ label: trans.__('Reject') }),
        Dialog.okButton({ label: trans.__('Accept') })
      ]
    : [Dialog.okButton({ label: trans.__('Close') })];
  const result = await showDialog({
    title: trans.__('Make it runnable'),
    body,
    buttons
  });
  return proposal.changed && result.button.accept;
}
