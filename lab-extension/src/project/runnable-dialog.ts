import type { RunnableRewrite } from '@jaxlab/schemas/contract';
import { Dialog, showDialog, showErrorMessage } from '@jupyterlab/apputils';
import type { CodeEditor } from '@jupyterlab/codeeditor';
import type { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';
import type { ApiClient } from '../api/api-client.js';
import { renderDiff } from '../diff/diff-view.js';
import { errorText } from '../ui/error-text.js';

/**
 * Make it runnable: asks the server for `mainPy` with its top-level work
 * moved into main(), shows the diff, and puts it into `mainPy` (saved like
 * any edit) if the user accepts; a failure is shown in a dialog. Resolves
 * with whether it did.
 */
export async function makeRunnable(
  client: ApiClient,
  mainPy: CodeEditor.IModel,
  trans: TranslationBundle
): Promise<boolean> {
  const current = mainPy.sharedModel.getSource();
  try {
    const rewrite = await client.makeRunnable(current);
    const accepted = await reviewRunnableProposal(current, rewrite, trans);
    if (accepted) mainPy.sharedModel.setSource(rewrite.source);
    return accepted;
  } catch (error) {
    await showErrorMessage(
      trans.__('Make it runnable failed'),
      errorText(error)
    );
    return false;
  }
}

/**
 * Shows Make it runnable's rewrite of main.py as a diff against `current`,
 * with what still blocks the run under it; resolves with whether the user
 * accepted it. A proposal that changes nothing is only explained.
 */
async function reviewRunnableProposal(
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
