import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { TablePage } from '@jaxlab/schemas';
import { JaxLabError } from '@jaxlab/schemas';
import { artifactRows, npzArrayNames } from './artifact-rows.js';
import type { ITableArtifact } from './artifact-rows.js';
import { ColumnReader } from './column-files.js';
import { openTable, untilIndexed } from './open-table.js';
import type { IOpenTable } from './open-table.js';
import { ColumnStats, isNumeric, shownCell } from './table-builder.js';
import type { ITableRows, ITableState } from './table-builder.js';
import { tableFormatOf } from './table-formats.js';
import type { TableFormat } from './table-formats.js';
import { buildView, readView } from './table-view.js';
import type { IViewQuery } from './table-view.js';
import { topRows } from './top-rows.js';
import type { ITopRows } from './top-rows.js';

/**
 * Sorted rows (offset + limit) served from one pass over the sort column
 * while the index is still being built; further pages wait for the index.
 */
const FIRST_SORTED_ROWS = 1000;

/** A table the viewer indexes: a key for its cache folder (equal keys, equal rows), its format and its rows. */
export interface ITableSource {
  key: string;
  format: TableFormat;
  rows(): Promise<ITableRows>;
  /** A CSV or TSV table's bytes: its first sorted pages are then served before the index is complete. */
  delimited?: { delimiter: ',' | '\t'; open(): Promise<Readable> };
}

/** What a page asks for. */
export interface IPageQuery extends IViewQuery {
  /** The array of an `.npz` file (default: its first). */
  member?: string;
  offset: number;
  limit: number;
  /** Wait for the whole index (types and summaries over every row), not just the page's rows. */
  whole?: boolean;
}

/** Options of {@link TableViewer}. */
export interface ITableViewerOptions {
  /** Where indexes live, one folder per content hash (and array). */
  cacheDir: string;
  /** How long a page waits for the rows it needs while the index is built (default 30 s). */
  waitMs?: number;
}

/**
 * The data viewer's server side. The first open of a table (an artifact's
 * content, by SHA-256: identical files share it) starts building its index
 * in `cacheDir`: the column files of {@link buildTable}, written while the
 * file streams by once. Pages are served from them as soon as the rows
 * they need are indexed — the first page long before a big file is read
 * to its end; a page reads only its own rows. Sorting and filtering wait
 * for the complete index, then build a view once ({@link buildView}) and
 * keep it beside the index. Neither the file nor a column is ever held in
 * memory whole.
 */
export class TableViewer {
  constructor(options: ITableViewerOptions) {
    this._options = options;
  }

  /**
   * One page of `artifact`.
   *
   * @throws JaxLabError `TABLE_UNSUPPORTED` (format, dtype, JSON),
   *   `INVALID_REQUEST` (a column or `.npz` member that is not there).
   */
  async page(artifact: ITableArtifact, query: IPageQuery): Promise<TablePage> {
    const format = tableFormatOf(artifact.name);
    if (!format) {
      throw new JaxLabError(
        'TABLE_UNSUPPORTED',
        `${artifact.name} is not a table the viewer opens.`
      );
    }
    let members: string[] | undefined;
    let member: string | undefined;
    if (format === 'npz') {
      members = await npzArrayNames(this._options.cacheDir, artifact);
      member = query.member ?? members[0];
      if (member === undefined || !members.includes(member)) {
        throw new JaxLabError(
          'INVALID_REQUEST',
          member === undefined
            ? `${artifact.name} holds no arrays.`
            : `${artifact.name} has no array ${member}.`,
          {
            hint: `Its arrays: ${members.join(', ') || 'none'}.`
          }
        );
      }
    }
    const page = await this.pageOf(
      {
        key:
          member === undefined
            ? artifact.sha256
            : `${artifact.sha256}-${hashOf(member)}`,
        format,
        rows: () => artifactRows(artifact, format, member),
        delimited:
          format === 'csv' || format === 'tsv'
            ? {
                delimiter: format === 'csv' ? ',' : '\t',
                open: () => artifact.open()
              }
            : undefined
      },
      query
    );
    if (members) {
      page.members = members;
      page.member = member;
    }
    return page;
  }

  /**
   * One page of a table that is not an artifact's file (a run's step
   * series): indexed, paged, sorted and filtered as artifacts are.
   */
  async pageOf(source: ITableSource, query: IPageQuery): Promise<TablePage> {
    const table = this._open(source);
    const needsAll =
      query.whole === true ||
      query.sort !== undefined ||
      query.filters.length > 0;
    if (
      source.delimited &&
      table.building &&
      !table.state.complete &&
      query.sort &&
      query.filters.length === 0 &&
      query.whole !== true &&
      query.offset + query.limit <= FIRST_SORTED_ROWS
    ) {
      const top = await this._topRowsOf(table, source, query);
      if (top && !table.state.complete) {
        // The index's columns so far; before its first batch, those the pass read.
        const columns =
          table.state.rowsIndexed > 0 ? table.state.columns : top.firstColumns;
        checkColumns(columns, query);
        return this._sortedPage(table, source, query, top, columns);
      }
    }
    await untilIndexed(
      table,
      state =>
        state.complete ||
        (!needsAll && state.rowsIndexed >= query.offset + query.limit),
      this._options.waitMs ?? 30_000
    );
    const { state, dir } = table;
    checkColumns(state.columns, query);
    const read = (async () => {
      const view = needsAll
        ? await this._view(table, query)
        : { rows: state.rowsIndexed };
      const start = Math.min(query.offset, view.rows);
      const end = Math.min(view.rows, start + query.limit);
      const ids = await readView(view, start, end);
      const rows = await this._rows(dir, state, ids, !view.permPath);
      return { view, start, ids, rows };
    })();
    // The index build waits while the page is read: each of the reads would wait for one of its blocks.
    table.passes.add(read);
    const settled = () => table.passes.delete(read);
    read.then(settled, settled);
    const { view, start, ids, rows } = await read;
    const page: TablePage = {
      format: source.format,
      columns: state.columns.map(c =>
        c.summary
          ? { name: c.name, type: c.type, summary: c.summary }
          : { name: c.name, type: c.type }
      ),
      rowsIndexed: state.rowsIndexed,
      complete: state.complete,
      totalRows: view.rows,
      offset: start,
      rows,
      rowNumbers: [...ids],
      filters: query.filters
    };
    if (query.sort) page.sort = query.sort;
    if (view.filteredSummary) page.filteredSummary = view.filteredSummary;
    return page;
  }

  /**
   * The first rows of a sorted view by {@link topRows} (null: the sort
   * column is not in the table), one pass per view while the index is
   * built, for all its first pages. The index build waits for it: the page is what the
   * user waits for.
   */
  private async _topRowsOf(
    table: IOpenTable,
    source: ITableSource,
    query: IPageQuery
  ): Promise<ITopRows | null> {
    const sort = query.sort!;
    const key = JSON.stringify([table.dir, sort]);
    let pass = this._topRows.get(key);
    if (!pass) {
      const { delimiter, open } = source.delimited!;
      pass = topRows(
        open,
        delimiter,
        sort.column,
        sort.descending,
        FIRST_SORTED_ROWS
      );
      this._topRows.set(key, pass);
      table.passes.add(pass);
      const settled = () => table.passes.delete(pass!);
      pass.then(settled, settled);
      // Kept for the pages asked again while the index is built.
      void table.ready!.finally(() => this._topRows.delete(key));
    }
    try {
      return await pass;
    } catch (error) {
      this._topRows.delete(key);
      throw error;
    }
  }

  /**
   * A sorted page of a table still being indexed, from {@link topRows}.
   * Its order is the complete index's; its columns' types and summaries
   * are `indexed`: those of the rows indexed so far, as on any page while
   * `complete` is false (before the index has any, of the first rows the
   * pass read), but for the sort column's, counted over every row.
   */
  private _sortedPage(
    table: IOpenTable,
    source: ITableSource,
    query: IPageQuery,
    top: ITopRows,
    indexed: ITableState['columns']
  ): TablePage {
    const sort = query.sort!;
    const { state } = table;
    const columns: TablePage['columns'] = indexed.map((c, i) => {
      const type = i === sort.column ? top.sortType : c.type;
      return c.summary && isNumeric(type)
        ? { name: c.name, type, summary: c.summary }
        : { name: c.name, type };
    });
    const start = Math.min(query.offset, top.totalRows);
    const ids = top.rowNumbers.slice(start, start + query.limit);
    const rows = top.records.slice(start, start + query.limit).map(record =>
      columns.map((column, c) => {
        const stats = new ColumnStats();
        return shownCell(column.type, stats.add(record[c]), stats.text);
      })
    );
    return {
      format: source.format,
      columns,
      rowsIndexed: state.rowsIndexed,
      complete: false,
      totalRows: top.totalRows,
      offset: start,
      rows,
      rowNumbers: ids,
      filters: query.filters,
      sort
    };
  }

  private async _rows(
    dir: string,
    state: ITableState,
    ids: Uint32Array,
    isContiguous: boolean
  ): Promise<TablePage['rows']> {
    const rows: TablePage['rows'] = ids.length ? Array.from(ids, () => []) : [];
    if (!ids.length) return rows;
    await Promise.all(
      state.columns.map(async (column, c) => {
        const reader = new ColumnReader(dir, c);
        let numbers: ArrayLike<number>;
        let texts: string[];
        if (isContiguous) {
          [numbers, texts] = await Promise.all([
            reader.numbers(ids[0], ids[0] + ids.length),
            reader.texts(ids[0], ids[0] + ids.length)
          ]);
        } else {
          ({ numbers, texts } = await reader.at(ids));
        }
        for (let i = 0; i < ids.length; i++)
          rows[i][c] = shownCell(column.type, numbers[i], texts[i]);
      })
    );
    return rows;
  }

  private async _view(table: IOpenTable, query: IViewQuery) {
    const key = JSON.stringify([table.dir, query]);
    let view = this._views.get(key);
    if (!view) {
      view = buildView(table.dir, table.state, query).finally(() =>
        this._views.delete(key)
      );
      this._views.set(key, view);
    }
    return view;
  }

  /** The table's index: ready, being built, or started now. */
  private _open({ key, rows }: ITableSource): IOpenTable {
    const open = this._tables.get(key);
    if (open && !open.state.error) return open;
    const table = openTable(path.join(this._options.cacheDir, key), rows);
    this._tables.set(key, table);
    return table;
  }

  private _options: ITableViewerOptions;
  private _tables = new Map<string, IOpenTable>();
  private _views = new Map<string, ReturnType<typeof buildView>>();
  private _topRows = new Map<string, Promise<ITopRows | null>>();
}

/**
 * @throws JaxLabError `INVALID_REQUEST` when the query names a column the
 *   table does not have.
 */
function checkColumns(
  columns: ITableState['columns'],
  query: IViewQuery
): void {
  for (const column of [
    query.sort?.column,
    ...query.filters.map(f => f.column)
  ]) {
    if (column !== undefined && column >= columns.length) {
      throw new JaxLabError(
        'INVALID_REQUEST',
        `The table has no column ${column}.`,
        {
          hint: `Its columns are 0 to ${columns.length - 1}.`
        }
      );
    }
  }
}

function hashOf(text: string): string {
  return createHash('sha1').update(text).digest('hex').slice(0, 16);
}
