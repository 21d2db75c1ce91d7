import { projectFilePathProblem } from '@jaxlab/schemas/contract';
import { Dialog, showDialog } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

/**
 * The body of the file name dialog: a path field that says at once what is
 * wrong with the path (the rules the server applies, from the contract).
 */
class FileNameBody extends Widget implements Dialog.IBodyWidget<string> {
  constructor(
    trans: TranslationBundle,
    initial: string,
    taken: readonly string[],
    problem: string
  ) {
    super();
    this.addClass('jp-jaxlab-FileNameDialog');
    this._taken = taken;
    this._trans = trans;
    const label = document.createElement('label');
    label.textContent = trans.__(
      'Path in the project, e.g. models.py or utils/data.py'
    );
    this._input = document.createElement('input');
    this._input.className = 'jp-mod-styled jp-jaxlab-FileNameDialog-input';
    this._input.value = initial;
    this._input.spellcheck = false;
    label.appendChild(this._input);
    this._problem = document.createElement('div');
    this._problem.className = 'jp-jaxlab-FileNameDialog-problem';
    this._problem.textContent = problem;
    this.node.append(label, this._problem);
  }

  getValue(): string {
    return this._input.value.trim();
  }

  /** What is wrong with `path`, or '' when nothing is. */
  problemOf(path: string): string {
    if (this._taken.includes(path))
      return this._trans.__('The project already has %1.', path);
    return projectFilePathProblem(path)?.message ?? '';
  }

  protected onAfterAttach(): void {
    this._input.addEventListener('input', this._onInput);
    this._input.focus();
    const dot = this._input.value.lastIndexOf('.');
    this._input.setSelectionRange(0, dot > 0 ? dot : this._input.value.length);
  }

  protected onBeforeDetach(): void {
    this._input.removeEventListener('input', this._onInput);
  }

  private _onInput = (): void => {
    this._problem.textContent = this.problemOf(this.getValue());
  };

  private _input: HTMLInputElement;
  private _problem: HTMLDivElement;
  private _taken: readonly string[];
  private _trans: TranslationBundle;
}

/**
 * Asks for a project file's path until it is one the project may hold and
 * does not hold yet; resolves with it, or null when cancelled.
 */
export async function askFilePath(
  trans: TranslationBundle,
  options: { title: string; initial: string; taken: readonly string[] }
): Promise<string | null> {
  let initial = options.initial;
  let problem = '';
  for (;;) {
    const body = new FileNameBody(trans, initial, options.taken, problem);
    const result = await showDialog({
      title: options.title,
      body,
      buttons: [
        Dialog.cancelButton({ label: trans.__('Cancel') }),
        Dialog.okButton({ label: trans.__('OK') })
      ],
      focusNodeSelector: 'input'
    });
    if (!result.button.accept || result.value === null) return null;
    problem = body.problemOf(result.value);
    if (!problem) return result.value;
    initial = result.value;
  }
}
