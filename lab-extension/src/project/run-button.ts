import type { TranslationBundle } from '@jupyterlab/translation';
import { runIcon } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';

/**
 * The toolbar's Run button: it names the accelerator the picker chose
 * (“Run on CPU”) and is off while the project's run is queued or running,
 * saying why, so a second click cannot queue a duplicate.
 */
export class RunButton extends Widget {
  constructor(trans: TranslationBundle, onClick: () => void) {
    super({ node: document.createElement('button') });
    this.addClass('jp-ToolbarButtonComponent');
    this.addClass('jp-jaxlab-RunButton');
    this._trans = trans;
    this._onClick = onClick;
    this._icon = document.createElement('span');
    this._icon.className = 'jp-ToolbarButtonComponent-icon';
    runIcon.element({ container: this._icon });
    this._label = document.createElement('span');
    this._label.className = 'jp-ToolbarButtonComponent-label';
    this.node.append(this._icon, this._label);
    this._render();
  }

  /** The accelerator runs go to (null: none available). */
  get accelerator(): string | null {
    return this._accelerator;
  }

  set accelerator(value: string | null) {
    this._accelerator = value;
    this._render();
  }

  /** Whether a run of this project is queued or running now. */
  get isBusy(): boolean {
    return this._busy;
  }

  set isBusy(value: boolean) {
    this._busy = value;
    this._render();
  }

  /** Whether a run is being submitted (between click and answer). */
  set isSubmitting(value: boolean) {
    this._submitting = value;
    this._render();
  }

  private _render(): void {
    const trans = this._trans;
    const where = this._accelerator?.toUpperCase() ?? '';
    const node = this.node as HTMLButtonElement;
    node.dataset.accelerator = this._accelerator ?? '';
    this._label.textContent = where
      ? trans.__('Run on %1', where)
      : trans.__('Run');
    node.disabled = this._busy || this._submitting;
    node.title = this._busy
      ? trans.__(
          'A run of this project is queued or running: wait for it or cancel it first'
        )
      : trans.__(
          'Run main.py on the chosen accelerator (Ctrl/Cmd+Shift+Enter)'
        );
  }

  protected onAfterAttach(): void {
    this.node.addEventListener('click', this._handleClick);
  }

  protected onBeforeDetach(): void {
    this.node.removeEventListener('click', this._handleClick);
  }

  private _handleClick = (): void => {
    if (!this._busy && !this._submitting) this._onClick();
  };

  private _trans: TranslationBundle;
  private _onClick: () => void;
  private _icon: HTMLSpanElement;
  private _label: HTMLSpanElement;
  private _accelerator: string | null = null;
  private _busy = false;
  private _submitting = false;
}
