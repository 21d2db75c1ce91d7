import type {
  Accelerator,
  FunctionParameter,
  Sweep
} from '@jaxlab/schemas/contract';
import { pythonCall } from '@jaxlab/schemas/contract';
import type { TranslationBundle } from '@jupyterlab/translation';
import { Signal, type ISignal } from '@lumino/signaling';
import type { Message } from '@lumino/messaging';
import type { ApiClient } from '../api/api-client.js';
import { ArgumentModel, isSettable } from '../arguments/argument-model.js';
import { FormWidget } from '../ui/form-widget.js';
import { selectElement } from '../ui/select-element.js';
import {
  sweepServerErrorNodes,
  sweepServerErrors,
  type ISweepServerErrors
} from './sweep-form-errors.js';
import {
  field,
  fields,
  paragraph,
  parameterRow,
  textInput
} from './sweep-form-fields.js';
import { fieldOfError, sweepRequest } from './sweep-request.js';
import type {
  IParameterInput,
  ISweepFormInput,
  ParameterHow,
  SweepFormErrors
} from './sweep-request.js';

/** What a sweep snapshots when it starts: the project's files and accelerator now. */
export interface ISweepSource {
  code: string;
  requirements: string;
  accelerator: Accelerator | null;
}

/** Options of {@link SweepForm}. */
export interface ISweepFormOptions {
  client: () => ApiClient;
  projectId: string;
  projectName: string;
  /** The project's designated functions. */
  designated: readonly string[];
  /** The function the run settings call. */
  entrypoint: string;
  /** Read when the sweep starts. */
  source: () => ISweepSource;
  trans: TranslationBundle;
  /** Where the run settings keep their values (the browser's localStorage). */
  storage?: Storage | null;
}

/**
 * "New sweep": the run settings' function with, per parameter, whether
 * the sweep varies it (grid: comma-separated values; random: a choice of
 * values or a uniform, log-uniform or integer range, seeded) or keeps its
 * run settings value; the run cap, the target metric and direction, and
 * how many trials may run at once. Start posts /api/sweeps and emits
 * {@link SweepForm.started}; what the form or the server's schema refuses
 * is listed above the button and marked on its field.
 */
export class SweepForm extends FormWidget {
  constructor(options: ISweepFormOptions) {
    super();
    this._options = options;
    this.addClass('jp-jaxlab-SweepForm');
    this.id = `jp-jaxlab-sweep-form-${options.projectId}`;
    this.title.label = options.trans.__('New sweep: %1', options.projectName);
    this.title.closable = true;
    // The run settings' own model, over the same stored values.
    this._arguments = new ArgumentModel({
      client: options.client,
      projectId: options.projectId,
      designated: options.designated,
      storage: options.storage
    });
    this._arguments.entrypoint = options.entrypoint;
    this._arguments.changed.connect(this._onSignature, this);
    void this._arguments.refresh(options.source().code);
  }

  /** Emitted with the sweep once the server started it. */
  get started(): ISignal<this, Sweep> {
    return this._started;
  }

  /** Starts the sweep the form describes; null when it was refused (the form says why). */
  async start(): Promise<Sweep | null> {
    if (this._submitting) return null;
    this._attempted = true;
    this._serverErrors = null;
    const request = this._request();
    if (!request.ok) {
      this._renderChecks();
      return null;
    }
    this._submitting = true;
    this._renderChecks();
    try {
      const sweep = await this._options.client().createSweep(request.body);
      this._started.emit(sweep);
      return sweep;
    } catch (error) {
      this._serverErrors = sweepServerErrors(error);
      return null;
    } finally {
      this._submitting = false;
      if (!this.isDisposed) this._renderChecks();
    }
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    this.node.addEventListener('click', this._onClick);
  }

  protected onBeforeDetach(msg: Message): void {
    this.node.removeEventListener('click', this._onClick);
    super.onBeforeDetach(msg);
  }

  dispose(): void {
    if (this.isDisposed) return;
    this._arguments.dispose();
    Signal.clearData(this);
    super.dispose();
  }

  private _params(): FunctionParameter[] {
    return (this._arguments.signature?.params ?? []).filter(isSettable);
  }

  private _onSignature(): void {
    for (const param of this._params()) {
      this._input.parameters[param.name] ??= {
        how: 'fixed',
        values: '',
        min: '',
        max: ''
      };
    }
    this._render();
  }

  private _request(): ReturnType<typeof sweepRequest> {
    const source = this._options.source();
    const params = this._params();
    const input: ISweepFormInput = {
      ...this._input,
      parameters: Object.fromEntries(
        params.map(p => [p.name, this._input.parameters[p.name]])
      )
    };
    return sweepRequest(input, {
      projectId: this._options.projectId,
      code: source.code,
      requirements: source.requirements,
      entrypoint: this._options.entrypoint,
      ...(source.accelerator ? { accelerator: source.accelerator } : {}),
      runSettings: Object.fromEntries(
        params.map(p => [p.name, this._arguments.value(p.name)])
      ),
      required: params.filter(p => p.required).map(p => p.name)
    });
  }

  /** The whole form: after the signature or a select changed. */
  private _render(): void {
    const trans = this._options.trans;
    const input = this._input;
    const root = document.createElement('div');
    const h2 = document.createElement('h2');
    h2.textContent = trans.__('New sweep of %1()', this._options.entrypoint);
    const intro = document.createElement('p');
    intro.className = 'jp-jaxlab-SweepForm-intro';
    intro.textContent = trans.__(
      'Each trial is an ordinary run of %1() in “%2”, tagged with the sweep. Parameters you do not sweep keep their run settings.',
      this._options.entrypoint,
      this._options.projectName
    );
    root.append(h2, intro);
    if (this._arguments.error)
      root.append(paragraph(this._arguments.error, 'jp-jaxlab-SweepForm-note'));

    const kind = selectElement(
      [
        ['grid', trans.__('Grid: every combination')],
        ['random', trans.__('Random: seeded draws')]
      ],
      input.kind
    );
    kind.dataset.field = 'kind';
    const name = textInput('name', input.name, trans.__('optional'));
    root.append(
      fields(
        field(trans.__('Search'), kind),
        field(trans.__('Sweep name'), name, 'name')
      )
    );

    const table = document.createElement('table');
    table.className = 'jp-jaxlab-Table jp-jaxlab-SweepForm-params';
    const head = table.createTHead().insertRow();
    for (const label of [
      trans.__('Parameter'),
      trans.__('Sweep'),
      trans.__('Values')
    ]) {
      const th = document.createElement('th');
      th.textContent = label;
      head.appendChild(th);
    }
    const body = table.createTBody();
    for (const param of this._params()) {
      parameterRow(body, param, {
        state: input.parameters[param.name],
        isRandom: input.kind === 'random',
        kept: this._arguments.value(param.name).trim(),
        trans
      });
    }
    if (!this._params().length) {
      const cell = body.insertRow().insertCell();
      cell.colSpan = 3;
      cell.textContent = this._arguments.signature
        ? trans.__('%1() takes no argument to sweep.', this._options.entrypoint)
        : trans.__('Reading the parameters of %1()…', this._options.entrypoint);
    }
    root.append(table);

    const direction = selectElement(
      [
        ['min', trans.__('lowest')],
        ['max', trans.__('highest')]
      ],
      input.direction
    );
    direction.dataset.field = 'direction';
    const seed = textInput('seed', input.seed, '0', 'number');
    root.append(
      fields(
        field(
          trans.__('Run cap'),
          textInput('runCap', input.runCap, '', 'number'),
          'runCap'
        ),
        ...(input.kind === 'random'
          ? [field(trans.__('Seed'), seed, 'seed')]
          : []),
        field(
          trans.__('Target metric'),
          textInput('metric', input.metric, 'loss'),
          'metric'
        ),
        field(trans.__('Best is'), direction),
        field(
          trans.__('At most at once'),
          textInput('maxConcurrent', input.maxConcurrent, '1', 'number'),
          'maxConcurrent'
        )
      )
    );
    const summary = document.createElement('p');
    summary.className = 'jp-jaxlab-SweepForm-summary';
    const errors = document.createElement('div');
    errors.className = 'jp-jaxlab-SweepForm-errors';
    errors.setAttribute('role', 'alert');
    const start = document.createElement('button');
    start.className = 'jp-jaxlab-Button jp-mod-accept';
    start.dataset.action = 'start';
    start.textContent = trans.__('Start sweep');
    root.append(summary, errors, start);
    this.node.replaceChildren(root);
    this._renderChecks();
  }

  /** Errors, the summary and the button, without touching the inputs. */
  private _renderChecks(): void {
    const trans = this._options.trans;
    const request = this._request();
    const fieldErrors: SweepFormErrors = {};
    if (this._attempted && !request.ok)
      Object.assign(fieldErrors, request.errors);
    for (const line of this._serverErrors?.problems ?? []) {
      const key = fieldOfError(line);
      // The field says where: its message needs no pointer.
      if (key && !fieldErrors[key])
        fieldErrors[key] = line.replace(/^\/\S*\s/, '');
    }
    for (const node of this.node.querySelectorAll<HTMLElement>(
      '[data-error-for]'
    )) {
      const error = fieldErrors[node.dataset.errorFor ?? ''];
      node.textContent = error ?? '';
      node.hidden = !error;
      node
        .closest('tr, label')
        ?.classList.toggle('jp-jaxlab-mod-invalid', Boolean(error));
    }
    const summary = this.node.querySelector('.jp-jaxlab-SweepForm-summary');
    if (summary) {
      summary.textContent = request.ok
        ? trans.__(
            '%1 trial(s) of %2 sweeping %3, at most %4 at once',
            request.trials,
            pythonCall(this._options.entrypoint, request.body.args ?? {}),
            Object.keys(request.body.space.parameters).join(', '),
            request.body.maxConcurrent ?? 1
          )
        : '';
    }
    const box = this.node.querySelector('.jp-jaxlab-SweepForm-errors');
    if (box) {
      const parts: HTMLElement[] = [];
      if (this._serverErrors) {
        parts.push(...sweepServerErrorNodes(this._serverErrors));
      } else if (this._attempted && !request.ok && request.errors['']) {
        parts.push(paragraph(request.errors['']));
      } else if (this._attempted && !request.ok) {
        parts.push(
          paragraph(trans.__('Fix the fields marked in red, then start again.'))
        );
      }
      box.replaceChildren(...parts);
      (box as HTMLElement).hidden = !parts.length;
    }
    const start = this.node.querySelector<HTMLButtonElement>(
      'button[data-action="start"]'
    );
    if (start) {
      start.disabled = this._submitting;
      start.textContent = this._submitting
        ? trans.__('Starting…')
        : trans.__('Start sweep');
    }
  }

  protected onEdit(event: Event): void {
    const target = event.target as HTMLInputElement | HTMLSelectElement;
    const field = target.dataset.field as
      keyof ISweepFormInput | keyof IParameterInput | undefined;
    if (!field) return;
    const param = target.closest<HTMLElement>('tr[data-param]')?.dataset.param;
    if (param) {
      const state = this._input.parameters[param];
      if (field === 'how') state.how = target.value as ParameterHow;
      else state[field as 'values' | 'min' | 'max'] = target.value;
    } else {
      (this._input as unknown as Record<string, string>)[field] = target.value;
    }
    // A select changes the form's shape; typing only its checks (the
    // inputs, their focus and caret stay).
    if (target instanceof HTMLSelectElement) this._render();
    else this._renderChecks();
  }

  private _onClick = (event: MouseEvent): void => {
    const target = event.target as HTMLElement;
    if (target.closest('button[data-action="start"]')) void this.start();
  };

  private _options: ISweepFormOptions;
  private _arguments: ArgumentModel;
  private _input: ISweepFormInput = {
    kind: 'grid',
    name: '',
    parameters: {},
    runCap: '',
    seed: '0',
    metric: 'loss',
    direction: 'min',
    maxConcurrent: '2'
  };
  private _attempted = false;
  private _submitting = false;
  private _serverErrors: ISweepServerErrors | null = null;
  private _started = new Signal<this, Sweep>(this);
}
