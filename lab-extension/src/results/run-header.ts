import {
  deviceBadge,
  pythonCall,
  runtimeVersions
} from '@jaxlab/schemas/contract';
import type { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';
import { shortJobId } from '../jobs/job-label.js';
import { formatClock } from '../metrics/metrics-format.js';
import type { ResultsModel } from './results-model.js';
import { renderStatusBadge } from './status-badge.js';

/** The artifact a profiled run keeps: its trace, written by the harness into outputs/. */
const PROFILE_TRACE = 'profile.trace.json.gz';

/**
 * The run's header: its state (by real phase), its name (editable), the
 * call as made (`main(lr=0.1, steps=1000)`), the accelerator, its device
 * badge (platform, count, kind; host and versions in its tooltip), its
 * place in the queue, the time since submission, the profile trace's
 * download once kept, Follow output and Cancel; below, its tags and notes
 * (editable).
 */
export class RunHeader extends Widget {
  constructor(model: ResultsModel, trans: TranslationBundle) {
    super();
    this.addClass('jp-jaxlab-Results-header');
    this._model = model;
    this._trans = trans;
    const el = <K extends keyof HTMLElementTagNameMap>(
      tag: K,
      cls: string
    ): HTMLElementTagNameMap[K] => {
      const node = document.createElement(tag);
      node.className = cls;
      return node;
    };
    this._badge = el('span', '');
    this._name = el('input', 'jp-jaxlab-Results-name');
    this._name.placeholder = trans.__('Name this run');
    this._name.title = trans.__('The run’s name (Enter saves)');
    this._call = el('code', 'jp-jaxlab-Results-call');
    this._where = el('span', 'jp-jaxlab-Results-title');
    this._device = el('span', 'jp-jaxlab-DeviceBadge');
    this._queue = el('span', 'jp-jaxlab-Results-queue');
    this._elapsed = el('span', 'jp-jaxlab-Results-elapsed');
    this._profile = el('button', 'jp-jaxlab-Button jp-jaxlab-Results-profile');
    this._profile.textContent = trans.__('Profile trace');
    this._profile.title = trans.__(
      'Download the run’s jax.profiler trace; open it in ui.perfetto.dev'
    );
    this.follow = el('button', 'jp-jaxlab-Button jp-jaxlab-Results-follow');
    this.follow.textContent = trans.__('Follow output');
    this._cancel = el(
      'button',
      'jp-jaxlab-Button jp-mod-warn jp-jaxlab-Results-cancel'
    );
    this._cancel.textContent = trans.__('Cancel');
    this._tags = el('input', 'jp-jaxlab-Results-tags');
    this._tags.placeholder = trans.__('tags, comma separated');
    this._tags.title = trans.__('Tags of the run (Enter saves)');
    this._notes = el('textarea', 'jp-jaxlab-Results-notes');
    this._notes.placeholder = trans.__('Notes on this run');
    this._notes.rows = 1;
    const top = el('div', 'jp-jaxlab-Results-headerRow');
    top.append(
      this._badge,
      this._name,
      this._call,
      this._where,
      this._device,
      this._queue,
      el('span', 'jp-jaxlab-Spacer'),
      this._elapsed,
      this._profile,
      this.follow,
      this._cancel
    );
    this._second = el(
      'div',
      'jp-jaxlab-Results-headerRow jp-jaxlab-Results-annotations'
    );
    this._second.append(this._tags, this._notes);
    this.node.append(top, this._second);
  }

  /** The Follow output button (the results panel wires it to the log). */
  readonly follow: HTMLButtonElement;

  render(): void {
    const model = this._model;
    const trans = this._trans;
    const job = model.job;
    renderStatusBadge(this._badge, trans, model.status, model.phases);
    this._second.hidden = !job;
    this._name.hidden = !job;
    if (document.activeElement !== this._name)
      this._name.value = job?.name ?? '';
    if (document.activeElement !== this._tags)
      this._tags.value = (job?.tags ?? []).join(', ');
    if (document.activeElement !== this._notes)
      this._notes.value = job?.notes ?? '';
    this._call.textContent = job ? pythonCall(job.entrypoint, job.args) : '';
    this._call.hidden = !job;
    this._where.textContent = job
      ? trans.__(
          'run %1 · %2',
          shortJobId(job.id),
          job.accelerator.toUpperCase()
        )
      : '';
    this._device.hidden = !job;
    if (job) {
      this._device.textContent = deviceBadge({
        ...job,
        metrics: model.metrics ?? job.metrics
      });
      this._device.title = [
        trans.__('Where the run ran, as the gateway found its devices'),
        job.host ? trans.__('host %1', job.host) : '',
        runtimeVersions(job.manifest)
      ]
        .filter(Boolean)
        .join('\n');
    }
    this._profile.hidden = !model.artifacts.some(a => a.name === PROFILE_TRACE);
    const position = model.status === 'QUEUED' ? job?.queuePosition : undefined;
    this._queue.hidden = position === undefined;
    this._queue.textContent = position
      ? position === 1
        ? trans.__('next in queue')
        : trans.__('#%1 in queue', position)
      : '';
    this._cancel.hidden = !job || model.isFinal;
    this._cancel.disabled = !!job?.cancelRequested;
    this.tick();
  }

  /** Updates the clock only (every second). */
  tick(): void {
    const elapsed = this._model.elapsedMs;
    this._elapsed.textContent =
      elapsed === null
        ? ''
        : `${this._model.isFinal ? this._trans.__('Duration') : this._trans.__('Elapsed')} ${formatClock(elapsed)}`;
  }

  protected onAfterAttach(): void {
    this._cancel.addEventListener('click', this._onCancel);
    this._profile.addEventListener('click', this._onProfile);
    this.node.addEventListener('change', this._onChange);
    this.node.addEventListener('keydown', this._onKey);
  }

  protected onBeforeDetach(): void {
    this._cancel.removeEventListener('click', this._onCancel);
    this._profile.removeEventListener('click', this._onProfile);
    this.node.removeEventListener('change', this._onChange);
    this.node.removeEventListener('keydown', this._onKey);
  }

  private _onCancel = (): void => {
    this._cancel.disabled = true;
    this._model.cancel().catch(() => {
      this._cancel.disabled = false;
    });
  };

  private _onProfile = (): void => {
    const job = this._model.job;
    if (!job) return;
    this._profile.disabled = true;
    void this._model
      .downloadArtifact(PROFILE_TRACE)
      .then(blob => {
        const url = URL.createObjectURL(blob);
        const link = document.createElement('a');
        link.href = url;
        link.download = `${job.id}-${PROFILE_TRACE}`;
        link.click();
        setTimeout(() => URL.revokeObjectURL(url), 10_000);
      })
      .finally(() => {
        this._profile.disabled = false;
      });
  };

  private _onKey = (event: KeyboardEvent): void => {
    if (event.key === 'Enter' && event.target instanceof HTMLInputElement) {
      event.target.blur();
    }
  };

  private _onChange = (event: Event): void => {
    const target = event.target;
    const patch =
      target === this._name
        ? { name: this._name.value.trim().slice(0, 200) }
        : target === this._tags
          ? {
              tags: [
                ...new Set(this._tags.value.split(/[,\s]+/).filter(Boolean))
              ].slice(0, 32)
            }
          : target === this._notes
            ? { notes: this._notes.value.slice(0, 20_000) }
            : null;
    if (!patch) return;
    this._model.update(patch).catch((error: Error) => {
      this._where.title = error.message;
      this.node.dataset.error = error.message;
      this.render();
    });
  };

  private _model: ResultsModel;
  private _trans: TranslationBundle;
  private _badge: HTMLSpanElement;
  private _name: HTMLInputElement;
  private _call: HTMLElement;
  private _where: HTMLSpanElement;
  private _device: HTMLSpanElement;
  private _queue: HTMLSpanElement;
  private _elapsed: HTMLSpanElement;
  private _profile: HTMLButtonElement;
  private _cancel: HTMLButtonElement;
  private _tags: HTMLInputElement;
  private _notes: HTMLTextAreaElement;
  private _second: HTMLDivElement;
}
