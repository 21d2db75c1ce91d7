import type { FunctionParameter } from '@jaxlab/schemas/contract';
import type { TranslationBundle } from '@jupyterlab/translation';
import { parameterLabel } from '../arguments/argument-form.js';
import { selectElement } from '../ui/select-element.js';
import type { IParameterInput } from './sweep-request.js';

/**
 * A text input of the sweep form; `data-field` names what it edits in the
 * form's input (see `ISweepFormInput`).
 */
export function textInput(
  field: string,
  value: string,
  placeholder: string,
  type = 'text',
  attributes: Record<string, string> = {}
): HTMLInputElement {
  const input = document.createElement('input');
  input.type = type;
  input.dataset.field = field;
  input.value = value;
  input.placeholder = placeholder;
  input.spellcheck = false;
  for (const [name, v] of Object.entries(attributes))
    input.setAttribute(name, v);
  return input;
}

/** A labelled control, with a place for the error of field `errorFor`. */
export function field(
  label: string,
  control: HTMLElement,
  errorFor?: string
): HTMLLabelElement {
  const node = document.createElement('label');
  node.append(label, control);
  if (errorFor) node.appendChild(errorPlace(errorFor, 'span'));
  return node;
}

/** A row of fields. */
export function fields(...children: HTMLElement[]): HTMLDivElement {
  const row = document.createElement('div');
  row.className = 'jp-jaxlab-SweepForm-fields';
  row.append(...children);
  return row;
}

/** A paragraph of text. */
export function paragraph(text: string, className = ''): HTMLParagraphElement {
  const p = document.createElement('p');
  if (className) p.className = className;
  p.textContent = text;
  return p;
}

/** What one parameter's row shows. */
export interface IParameterRowOptions {
  /** What the user chose and typed for it. */
  state: IParameterInput;
  /** Whether the sweep is random (distributions offered) or a grid. */
  isRandom: boolean;
  /** Its run settings value as typed ('' when none). */
  kept: string;
  trans: TranslationBundle;
}

/**
 * A parameter's row of the sweep form's table: its name, how the sweep
 * sets it (keep, values, or a distribution when random) and the inputs
 * for that, with a place for its error (`param:<name>`).
 */
export function parameterRow(
  body: HTMLTableSectionElement,
  param: FunctionParameter,
  { state, isRandom, kept, trans }: IParameterRowOptions
): HTMLTableRowElement {
  const tr = body.insertRow();
  tr.dataset.param = param.name;
  parameterLabel(param, tr.insertCell()).className =
    'jp-jaxlab-SweepForm-param';
  const how = selectElement(
    [
      ['fixed', trans.__('keep')],
      ['values', isRandom ? trans.__('choice of') : trans.__('values')],
      ...(isRandom
        ? ([
            ['uniform', trans.__('uniform')],
            ['log-uniform', trans.__('log-uniform')],
            ['int', trans.__('integers')]
          ] as const)
        : [])
    ],
    state.how
  );
  how.dataset.field = 'how';
  tr.insertCell().appendChild(how);
  const values = tr.insertCell();
  values.className = 'jp-jaxlab-SweepForm-values';
  if (state.how === 'fixed') {
    values.textContent = kept
      ? trans.__('%1 (run settings)', kept)
      : param.default
        ? trans.__('%1 (default)', param.default.text)
        : trans.__('required: no default');
  } else if (state.how === 'values') {
    const example = param.default?.text ?? '1';
    values.appendChild(
      textInput('values', state.values, `${example}, …`, 'text', {
        title: trans.__(
          'Python literals separated by commas, e.g. 0.1, 0.01 or "adam", "sgd"'
        )
      })
    );
  } else {
    values.append(
      textInput('min', state.min, trans.__('min'), 'text'),
      ' … ',
      textInput('max', state.max, trans.__('max'), 'text')
    );
  }
  values.appendChild(errorPlace(`param:${param.name}`, 'div'));
  return tr;
}

/** Where the error of field `errorFor` goes (filled by the form's checks). */
function errorPlace(errorFor: string, tag: 'div' | 'span'): HTMLElement {
  const check = document.createElement(tag);
  check.className = 'jp-jaxlab-SweepForm-check';
  check.dataset.errorFor = errorFor;
  return check;
}
