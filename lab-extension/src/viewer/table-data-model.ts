import { DataModel } from '@lumino/datagrid';
import type { ISignal } from '@lumino/signaling';
import { Signal } from '@lumino/signaling';
import type { TableFilter, TablePage } from '@jaxlab/schemas/contract';
import type { ApiClient } from '../api/api-client.js';
import type { TableSource } from '../api/api-queries.js';

/** Rows per page asked of the server. */
const PAGE_ROWS = 200;
/** Pages kept in the browser (the rest are asked for again). */
const MAX_PAGES = 20;

/**
 * A @lumino/datagrid model backed by the server's table pages: the grid
 * asks for cells, the model fetches only the pages they fall in (a few
 * hundred rows), keeps the last {@link MAX_PAGES} and tells the grid when
 * one arrives. Column headers are two rows: the name with its inferred
 * type, and the summary (count, mean, min, max) of numeric columns.
 */
export class TableDataModel extends DataModel {
  constructor(options: TableDataModel.IOptions) {
    super();
    this._client = options.client;
    this._jobId = options.jobId;
    this._source = options.source;
  }

  /** The last page's facts (columns, counts, whether the index is complete). */
  get page(): TablePage | null {
    return this._page;
  }

  /** A page arrived (or failed: see {@link TableDataModel.error}). */
  get pageLoaded(): ISignal<this, void> {
    return this._pageLoaded;
  }

  /** The last error, as a sentence. */
  get error(): string {
    return this._error;
  }

  get sort(): TableDataModel.ISort | undefined {
    return this._sort;
  }

  get filters(): readonly TableFilter[] {
    return this._filters;
  }

  get member(): string | undefined {
    return this._member;
  }

  /** Asks for a new view: everything cached is dropped. */
  setView(view: {
    sort?: TableDataModel.ISort;
    filters?: TableFilter[];
    member?: string;
  }): void {
    this._sort = view.sort;
    this._filters = view.filters ?? [];
    if ('member' in view) this._member = view.member;
    this._pages.clear();
    // Requests still out are for the old view: they must not hold back the
    // new view's pages (their answers are dropped, see load()).
    this._loading.clear();
    this._generation++;
    void this.load(0);
  }

  /** Loads the page holding `row`. */
  async load(row: number): Promise<void> {
    const index = Math.floor(row / PAGE_ROWS);
    if (this._pages.has(index) || this._loading.has(index)) return;
    this._loading.add(index);
    const generation = this._generation;
    try {
      const page = await this._client.getTable(this._jobId, {
        source: this._source,
        member: this._member,
        offset: index * PAGE_ROWS,
        limit: PAGE_ROWS,
        sort: this._sort,
        filters: this._filters
      });
      if (generation !== this._generation) return;
      const previous = this._page;
      this._page = page;
      this._member = page.member ?? this._member;
      this._error = '';
      this._pages.set(index, page.rows);
      while (this._pages.size > MAX_PAGES)
        this._pages.delete(this._pages.keys().next().value!);
      const shapeChanged =
        !previous ||
        previous.totalRows !== page.totalRows ||
        previous.columns.length !== page.columns.length ||
        previous.complete !== page.complete;
      if (shapeChanged) this.emitChanged({ type: 'model-reset' });
      else
        this.emitChanged({
          type: 'cells-changed',
          region: 'body',
          row: index * PAGE_ROWS,
          column: 0,
          rowSpan: page.rows.length,
          columnSpan: page.columns.length
        });
      // The index is still being built: ask again for the growing counts.
      if (!page.complete && index === 0)
        setTimeout(() => this._refreshCounts(generation), 500);
    } catch (error) {
      if (generation === this._generation)
        this._error = (error as Error).message;
    } finally {
      if (generation === this._generation) {
        this._loading.delete(index);
        this._pageLoaded.emit();
      }
    }
  }

  rowCount(region: DataModel.RowRegion): number {
    if (region === 'column-header') return 2;
    return this._page?.totalRows ?? 0;
  }

  columnCount(region: DataModel.ColumnRegion): number {
    if (region === 'row-header') return 1;
    return this._page?.columns.length ?? 0;
  }

  data(region: DataModel.CellRegion, row: number, column: number): unknown {
    const page = this._page;
    if (!page) return '';
    if (region === 'corner-header') return row === 0 ? '#' : 'summary';
    if (region === 'column-header') {
      const c = page.columns[column];
      if (row === 0) return `${c.name} (${c.type})`;
      const s = c.summary;
      return s
        ? `n ${s.count} · mean ${short(s.mean)} · min ${short(s.min)} · max ${short(s.max)}`
        : '';
    }
    const rows = this._pages.get(Math.floor(row / PAGE_ROWS));
    if (!rows) {
      void this.load(row);
      return '';
    }
    const cells = rows[row % PAGE_ROWS];
    if (region === 'row-header') return cells ? String(row + 1) : '';
    const value = cells?.[column];
    return value === null || value === undefined ? '' : value;
  }

  private async _refreshCounts(generation: number): Promise<void> {
    if (generation !== this._generation) return;
    this._pages.delete(0);
    await this.load(0);
  }

  private _client: ApiClient;
  private _jobId: string;
  private _source: TableSource;
  private _member: string | undefined;
  private _sort: TableDataModel.ISort | undefined;
  private _filters: TableFilter[] = [];
  private _page: TablePage | null = null;
  private _pages = new Map<number, TablePage['rows']>();
  private _loading = new Set<number>();
  private _generation = 0;
  private _error = '';
  private _pageLoaded = new Signal<this, void>(this);
}

/** Statics of {@link TableDataModel}. */
export namespace TableDataModel {
  export interface IOptions {
    client: ApiClient;
    jobId: string;
    source: TableSource;
  }

  export interface ISort {
    column: number;
    descending: boolean;
  }
}

function short(value: number | null | undefined): string {
  if (value === null || value === undefined) return '–';
  return Math.abs(value) >= 1e5 || (value !== 0 && Math.abs(value) < 1e-3)
    ? value.toExponential(3)
    : String(Number(value.toPrecision(5)));
}
