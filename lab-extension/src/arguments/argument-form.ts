import type { FunctionParameter } from '@jaxlab/schemas/contract';
import type { TranslationBundle } from '@jupyterlab/translation';
import { withInlineCode } from '../project/readme-summary.js';
import { FormWidget } from '../ui/form-widget.js';
import { selectElement } from '../ui/select-element.js';
import type { ArgumentModel } from './argument-model.js';
import { isSettable } from './argument-model.js';

/**
 * The project's run settings: which designated function to call, an input
 * per parameter (name, annotation, default as a placeholder; a Python
 * literal, checked as typed), an optional name for the run, and the call
 * the form makes, as it will be shown in the run's header and lists.
 */
export class ArgumentForm extends FormWidget {
  constructor(model: ArgumentModel, trans: TranslationBundle) {
    super();
    this.addClass('jp-jaxlab-ArgumentForm');
    this._model = model;
    this._trans = trans;
    model.changed.connect(this._render, this);
    this._render();
  }

  /** The name the user gave the next run ('' : none). */
  get runName(): string {
    return this._runName;
  }

  /** Clears the run name (after a run started with it). */
  clearRunName(): void {
    this._runName = '';
    this._render();
  }

  dispose(): void {
    if (this.isDisposed) return;
    this._model.changed.disconnect(this._render, this);
    super.dispose();
  }

  private _render(): void {
    const trans = this._trans;
    const model = this._model;
    // Typing must not lose focus or the caret: only the checks change then.
    if (this._typing) {
      this._renderChecks();
      return;
    }
    const root = document.createElement('div');
    const h = document.createElement('h3');
    h.textContent = trans.__('Run settings');
    root.appendChild(h);
    const functions = model.functions.length
      ? model.functions
      : [{ name: model.entrypoint, defined: true }];
    const select = selectElement(
      functions.map(
        f =>
          [
            f.name,
            f.defined
              ? `${f.name}()`
              : trans.__('%1() (not in main.py)', f.name)
          ] as const
      ),
      model.entrypoint
    );
    select.dataset.role = 'entrypoint';
    root.appendChild(row(trans.__('Function'), select));
    const signature = model.signature;
    if (signature?.doc) {
      const doc = document.createElement('p');
      doc.className = 'jp-jaxlab-ArgumentForm-doc';
      doc.append(...withInlineCode(signature.doc));
      root.appendChild(doc);
    }
    if (model.error) {
      const error = document.createElement('p');
      error.className = 'jp-jaxlab-ArgumentForm-error';
      error.textContent = model.error;
      root.appendChild(error);
    }
    const params = signature?.params ?? [];
    for (const param of params) {
      if (!isSettable(param)) {
        const note = document.createElement('p');
        note.className = 'jp-jaxlab-ArgumentForm-note';
        note.textContent =
          param.kind === 'positional-only'
            ? trans.__('%1 is positional-only: a run cannot set it', param.name)
            : trans.__(
                '%1%2 is not set by runs',
                param.kind === 'var-positional' ? '*' : '**',
                param.name
              );
        root.appendChild(note);
        continue;
      }
      const input = document.createElement('input');
      input.dataset.param = param.name;
      input.value = model.value(param.name);
      input.spellcheck = false;
      input.placeholder = param.default
        ? param.default.text
        : trans.__('required');
      input.title = param.default
        ? trans.__('Empty: the default, %1', param.default.text)
        : trans.__('No default: a value is required');
      const label = parameterLabel(param, document.createElement('span'));
      label.className = 'jp-jaxlab-ArgumentForm-param';
      const check = document.createElement('div');
      check.className = 'jp-jaxlab-ArgumentForm-check';
      check.dataset.checkFor = param.name;
      root.appendChild(row(label, input, check));
    }
    if (signature?.defined && !params.some(isSettable)) {
      const note = document.createElement('p');
      note.className = 'jp-jaxlab-ArgumentForm-note';
      note.textContent = trans.__('%1() takes no arguments.', signature.name);
      root.appendChild(note);
    }
    const name = document.createElement('input');
    name.dataset.role = 'run-name';
    name.value = this._runName;
    name.placeholder = trans.__('optional');
    root.appendChild(row(trans.__('Run name'), name));
    const call = document.createElement('code');
    call.className = 'jp-jaxlab-ArgumentForm-call';
    root.appendChild(row(trans.__('Call'), call));
    this.node.replaceChildren(root);
    this._renderChecks();
  }

  /** The per-parameter messages and the call, without touching the inputs. */
  private _renderChecks(): void {
    const call = this._model.call();
    const errors = call.ok ? {} : call.errors;
    for (const node of this.node.querySelectorAll<HTMLElement>(
      '[data-check-for]'
    )) {
      const error = errors[node.dataset.checkFor ?? ''];
      node.textContent = error ?? '';
      node.hidden = !error;
      node.previousElementSibling?.classList.toggle('jp-mod-invalid', !!error);
    }
    const code = this.node.querySelector('.jp-jaxlab-ArgumentForm-call');
    if (code) {
      code.textContent = call.text;
      code.classList.toggle('jp-mod-invalid', !call.ok);
    }
  }

  protected onEdit(event: Event): void {
    const target = event.target as HTMLInputElement | HTMLSelectElement;
    if (target.dataset.role === 'entrypoint') {
      this._model.entrypoint = target.value;
    } else if (target.dataset.role === 'run-name') {
      this._runName = target.value;
    } else if (target.dataset.param) {
      this._typing = true;
      try {
        this._model.setValue(target.dataset.param, target.value);
      } finally {
        this._typing = false;
      }
    }
  }

  private _model: ArgumentModel;
  private _trans: TranslationBundle;
  private _runName = '';
  private _typing = false;
}

function row(
  label: string | HTMLElement,
  ...controls: HTMLElement[]
): HTMLLabelElement {
  const node = document.createElement('label');
  node.className = 'jp-jaxlab-ArgumentForm-row';
  const text =
    typeof label === 'string' ? document.createElement('span') : label;
  if (typeof label === 'string') text.textContent = label;
  node.append(text, ...controls);
  return node;
}

/** `node` showing a parameter's name and, muted, its annotation. */
export function parameterLabel<T extends HTMLElement>(
  param: FunctionParameter,
  node: T
): T {
  node.textContent = param.name;
  if (param.annotation) {
    const annotation = document.createElement('span');
    annotation.className = 'jp-jaxlab-ArgumentForm-annotation';
    annotation.textContent = `: ${param.annotation}`;
    node.appendChild(annotation);
  }
  return node;
}
