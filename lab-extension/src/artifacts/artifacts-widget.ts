import type { TranslationBundle } from '@jupyterlab/translation';
import type { ISignal } from '@lumino/signaling';
import { Signal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';
import type { Artifact, ArtifactList, Job } from '@jaxlab/schemas/contract';
import { formatBytes } from '@jaxlab/schemas/contract';
import type { ApiClient } from '../api/api-client.js';
import type { ResultsModel } from '../results/results-model.js';
import { isInlineImage, isTable, saveBlob } from './artifact-kinds.js';

/** What the user asked to open from the outputs list. */
export type OutputsOpenRequest =
  | { kind: 'table'; job: Job; artifact: Artifact }
  | { kind: 'series'; job: Job }
  | { kind: 'chat'; job: Job };

/**
 * The "Outputs" section of a run: the files its outputs/ folder kept
 * (name, size, type), each with a download button, pictures (PNG, JPEG,
 * SVG) shown inline from blob URLs, tables with an "Open" button for the
 * data viewer, what the collection dropped and why, a zip of everything,
 * the step series as a table (in the data viewer) and "Ask about this run". Follows the results model's job; lists once
 * the run has ended.
 */
export class ArtifactsWidget extends Widget {
  constructor(options: ArtifactsWidget.IOptions) {
    super();
    this.addClass('jp-jaxlab-Outputs');
    this._results = options.results;
    this._client = options.client;
    this._trans = options.trans;
    this._results.stateChanged.connect(this._onResults, this);
    this._results.seriesChanged.connect(this._onResults, this);
    this._onResults();
  }

  /** The user asked to open a table in the data viewer, or the chat. */
  get openRequested(): ISignal<this, OutputsOpenRequest> {
    return this._openRequested;
  }

  /** The list shown (after {@link ArtifactsWidget.refresh}). */
  get list(): ArtifactList | null {
    return this._list;
  }

  /** Reads the run's artifacts again and redraws. */
  async refresh(): Promise<void> {
    const job = this._results.job;
    if (!job) return;
    try {
      this._list = await this._client.listArtifacts(job.id);
      this._error = '';
    } catch (error) {
      this._error = (error as Error).message;
    }
    if (this._results.job?.id === job.id) this._render(job);
  }

  dispose(): void {
    if (this.isDisposed) return;
    this._results.stateChanged.disconnect(this._onResults, this);
    this._results.seriesChanged.disconnect(this._onResults, this);
    this._revokeImages();
    super.dispose();
  }

  private _onResults(): void {
    const job = this._results.job;
    const hasSeries = Object.keys(this._results.seriesSummary).length > 0;
    const key = job ? `${job.id}:${this._results.isFinal}:${hasSeries}` : '';
    if (key === this._shownKey) return;
    this._shownKey = key;
    this._list = null;
    if (job && this._results.isFinal) void this.refresh();
    else this._render(job);
  }

  private _render(job: Job | null): void {
    const trans = this._trans;
    this._revokeImages();
    const node = this.node;
    node.replaceChildren();
    if (!job) {
      node.append(
        note(
          trans.__(
            'Files a run writes under outputs/ appear here when it ends.'
          )
        )
      );
      return;
    }
    const header = document.createElement('div');
    header.className = 'jp-jaxlab-Outputs-header';
    const ask = button(trans.__('Ask about this run'), () =>
      this._openRequested.emit({ kind: 'chat', job })
    );
    ask.classList.add('jp-jaxlab-Outputs-ask');
    header.append(ask);
    if (Object.keys(this._results.seriesSummary).length > 0) {
      const series = button(trans.__('Step series as a table'), () =>
        this._openRequested.emit({ kind: 'series', job })
      );
      series.title = trans.__(
        'A row per step, a column per metric: paged, sorted and filtered in the data viewer'
      );
      ask.before(series);
    }
    if (!this._results.isFinal) {
      node.append(
        header,
        note(trans.__('The files of outputs/ are kept when the run ends.'))
      );
      return;
    }
    if (this._error) {
      node.append(header, note(this._error, 'jp-jaxlab-Outputs-error'));
      return;
    }
    const list = this._list;
    if (!list) {
      node.append(header, note(trans.__('Loading…')));
      return;
    }
    const kept = list.items.filter(a => !a.deletedAt);
    if (kept.length > 0) {
      const zip = button(trans.__('Download all (.zip)'), async () =>
        saveBlob(
          await this._client.downloadArtifactsZip(job.id),
          `${job.id}-outputs.zip`
        )
      );
      header.prepend(zip);
    }
    node.append(header);
    if (list.items.length === 0) {
      node.append(
        note(
          trans.__(
            'This run kept no files: write them under outputs/ (e.g. outputs/predictions.csv).'
          )
        )
      );
    } else {
      const table = document.createElement('table');
      table.className = 'jp-jaxlab-Outputs-list';
      for (const artifact of list.items) table.append(this._row(job, artifact));
      node.append(table);
    }
    const collection = list.collection;
    if (collection && (collection.dropped.length > 0 || collection.partial)) {
      const dropped = document.createElement('div');
      dropped.className = 'jp-jaxlab-Outputs-dropped';
      const lines = collection.dropped.map(
        d =>
          `${d.name}${d.sizeBytes !== undefined ? ` (${formatBytes(d.sizeBytes)})` : ''}: ${trans.__(REASONS[d.reason])}`
      );
      if (collection.droppedMore)
        lines.push(trans.__('…and %1 more', collection.droppedMore));
      if (collection.partial)
        lines.unshift(
          trans.__(
            'The run was stopped: a file it was still writing may be incomplete.'
          )
        );
      const title = document.createElement('strong');
      title.textContent = trans.__(
        'Not kept (limits: %1 files, %2):',
        collection.limits.maxFiles,
        formatBytes(collection.limits.maxBytes)
      );
      dropped.append(title);
      for (const line of lines) {
        const div = document.createElement('div');
        div.textContent = line;
        dropped.append(div);
      }
      node.append(dropped);
    }
    const gallery = document.createElement('div');
    gallery.className = 'jp-jaxlab-Outputs-images';
    for (const artifact of list.items.filter(isInlineImage)) {
      const figure = document.createElement('figure');
      const img = document.createElement('img');
      img.alt = artifact.name;
      const caption = document.createElement('figcaption');
      caption.textContent = artifact.name;
      figure.append(img, caption);
      gallery.append(figure);
      void this._client.downloadArtifact(job.id, artifact.name).then(
        blob => {
          // An <img> never runs an SVG's scripts; the blob URL is ours alone.
          const url = URL.createObjectURL(blob);
          this._imageUrls.push(url);
          img.src = url;
        },
        () => caption.append(` — ${trans.__('cannot be shown')}`)
      );
    }
    if (gallery.childElementCount) node.append(gallery);
  }

  private _row(job: Job, artifact: Artifact): HTMLTableRowElement {
    const trans = this._trans;
    const tr = document.createElement('tr');
    tr.dataset.name = artifact.name;
    const name = document.createElement('td');
    name.className = 'jp-jaxlab-Outputs-name';
    name.textContent = artifact.name;
    name.title = `sha256 ${artifact.sha256}`;
    const size = document.createElement('td');
    size.className = 'jp-jaxlab-Outputs-size';
    size.textContent = formatBytes(artifact.sizeBytes);
    const type = document.createElement('td');
    type.className = 'jp-jaxlab-Outputs-type';
    type.textContent = artifact.contentType;
    const actions = document.createElement('td');
    actions.className = 'jp-jaxlab-Outputs-actions';
    if (artifact.deletedAt) {
      actions.textContent = trans.__('deleted by retention');
    } else {
      if (isTable(artifact)) {
        actions.append(
          button(trans.__('Open'), () =>
            this._openRequested.emit({ kind: 'table', job, artifact })
          )
        );
      }
      actions.append(
        button(trans.__('Download'), async () =>
          saveBlob(
            await this._client.downloadArtifact(job.id, artifact.name),
            artifact.name.split('/').pop()!
          )
        )
      );
    }
    tr.append(name, size, type, actions);
    return tr;
  }

  private _revokeImages(): void {
    for (const url of this._imageUrls) URL.revokeObjectURL(url);
    this._imageUrls = [];
  }

  private _results: ResultsModel;
  private _client: ApiClient;
  private _trans: TranslationBundle;
  private _list: ArtifactList | null = null;
  private _error = '';
  private _shownKey = '';
  private _imageUrls: string[] = [];
  private _openRequested = new Signal<this, OutputsOpenRequest>(this);
}

/** Statics of {@link ArtifactsWidget}. */
export namespace ArtifactsWidget {
  export interface IOptions {
    results: ResultsModel;
    client: ApiClient;
    trans: TranslationBundle;
  }
}

const REASONS: Record<string, string> = {
  'over-total-bytes': "over the run's total size limit",
  'over-file-bytes': 'over the size limit per file',
  'over-file-count': 'over the file count limit',
  'not-a-regular-file': 'not a regular file (FIFO, socket or device)',
  link: 'a link (never followed)',
  unreadable: 'could not be read',
  'bad-name': 'its name cannot be kept'
};

function note(text: string, className = 'jp-jaxlab-Outputs-note'): HTMLElement {
  const div = document.createElement('div');
  div.className = className;
  div.textContent = text;
  return div;
}

function button(
  label: string,
  onClick: () => void | Promise<void>
): HTMLButtonElement {
  const b = document.createElement('button');
  b.className = 'jp-jaxlab-Button';
  b.textContent = label;
  b.addEventListener('click', () => {
    b.disabled = true;
    void Promise.resolve(onClick()).finally(() => (b.disabled = false));
  });
  return b;
}
