import type { TranslationBundle } from '@jupyterlab/translation';
import {
  BasicKeyHandler,
  BasicMouseHandler,
  BasicSelectionModel,
  DataGrid,
  RendererMap,
  TextRenderer
} from '@lumino/datagrid';
import type { Message } from '@lumino/messaging';
import { PanelLayout, Widget } from '@lumino/widgets';
import type { TableFilter } from '@jaxlab/schemas/contract';
import type { ApiClient } from '../api/api-client.js';
import type { TableSource } from '../api/api-queries.js';
import { TableDataModel } from './table-data-model.js';

const OPS: TableFilter['op'][] = ['contains', '=', '<', '>'];
const ROW_HEIGHT = 24;
/** Four lines: a column's summary (n, mean, min, max) wrapped at the default width. */
const SUMMARY_ROW_HEIGHT = 68;

/**
 * The data viewer: a table artifact (CSV, TSV, JSON lines, Parquet, .npy,
 * .npz) or a run's step series (a row per step, a column per metric) in
 * JupyterLab's own data grid (@lumino/datagrid, as @jupyterlab/csvviewer),
 * paged from the server. A toolbar sorts by a column and adds filters
 * (contains, =, <, >), each shown as a removable chip; the header rows show
 * each column's inferred type and summary; a status line counts rows
 * (while the server is still indexing the file, how far it got).
 */
export class TableViewerWidget extends Widget {
  constructor(options: TableViewerWidget.IOptions) {
    super();
    this.addClass('jp-jaxlab-TableViewer');
    const { source, trans: t } = options;
    const name = 'artifact' in source ? source.artifact : t.__('step series');
    this.id =
      `jaxlab-table-${options.jobId}-${'artifact' in source ? source.artifact : ':series'}`.replace(
        /[^A-Za-z0-9_:-]/g,
        '-'
      );
    this.title.label = name.split('/').pop()!;
    this.title.caption = `${name} · run ${options.jobId}`;
    this.title.closable = true;
    this._trans = options.trans;
    this.model = new TableDataModel(options);

    const trans = this._trans;
    this._toolbar = document.createElement('div');
    this._toolbar.className = 'jp-jaxlab-TableViewer-toolbar';
    this._member = select([]);
    this._member.title = trans.__('Array of the .npz file');
    this._sortColumn = select([]);
    this._sortOrder = select([
      ['asc', trans.__('ascending')],
      ['desc', trans.__('descending')]
    ]);
    this._filterColumn = select([]);
    this._filterOp = select(OPS.map(op => [op, op]));
    this._filterValue = document.createElement('input');
    this._filterValue.className = 'jp-jaxlab-TableViewer-value';
    this._filterValue.placeholder = trans.__('value');
    this._addFilter = document.createElement('button');
    this._addFilter.className = 'jp-jaxlab-Button';
    this._addFilter.textContent = trans.__('Add filter');
    this._chips = document.createElement('span');
    this._chips.className = 'jp-jaxlab-TableViewer-chips';
    this._toolbar.append(
      this._member,
      label(trans.__('Sort by')),
      this._sortColumn,
      this._sortOrder,
      label(trans.__('Filter')),
      this._filterColumn,
      this._filterOp,
      this._filterValue,
      this._addFilter,
      this._chips
    );
    this._status = document.createElement('div');
    this._status.className = 'jp-jaxlab-TableViewer-status';

    this.grid = new DataGrid({
      defaultSizes: {
        rowHeight: ROW_HEIGHT,
        columnWidth: 140,
        rowHeaderWidth: 72,
        columnHeaderHeight: ROW_HEIGHT
      }
    });
    this.grid.dataModel = this.model;
    this.grid.keyHandler = new BasicKeyHandler();
    this.grid.mouseHandler = new BasicMouseHandler();
    this.grid.selectionModel = new BasicSelectionModel({
      dataModel: this.model
    });
    // Toolbar and status lines at their natural height, the grid takes the
    // rest (flex column, as @jupyterlab/csvviewer lays out its grid).
    const top = new Widget();
    top.addClass('jp-jaxlab-TableViewer-top');
    top.node.append(this._toolbar, this._status);
    this.grid.addClass('jp-jaxlab-TableViewer-grid');
    const layout = new PanelLayout();
    layout.addWidget(top);
    layout.addWidget(this.grid);
    this.layout = layout;

    this.model.pageLoaded.connect(this._onPage, this);
    void this.model.load(0);
  }

  readonly model: TableDataModel;
  readonly grid: DataGrid;

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    this.applyTheme();
    this._sortColumn.addEventListener('change', this._onSort);
    this._sortOrder.addEventListener('change', this._onSort);
    this._member.addEventListener('change', this._onMember);
    this._addFilter.addEventListener('click', this._onAddFilter);
    this._filterValue.addEventListener('keydown', this._onFilterKey);
  }

  protected onBeforeDetach(msg: Message): void {
    this._sortColumn.removeEventListener('change', this._onSort);
    this._sortOrder.removeEventListener('change', this._onSort);
    this._member.removeEventListener('change', this._onMember);
    this._addFilter.removeEventListener('click', this._onAddFilter);
    this._filterValue.removeEventListener('keydown', this._onFilterKey);
    super.onBeforeDetach(msg);
  }

  /**
   * Colours from JupyterLab's CSS variables, so light and dark themes both
   * read well; read once per theme (the grid paints from these values) and
   * again when the theme changes.
   */
  applyTheme(): void {
    const css = getComputedStyle(document.body);
    const v = (name: string, fallback: string) =>
      css.getPropertyValue(name).trim() || fallback;
    const text = v('--jp-ui-font-color1', '#000');
    const background = v('--jp-layout-color0', '#fff');
    const stripe = v('--jp-layout-color1', background);
    const header = v('--jp-layout-color2', '#eee');
    const summary = v('--jp-layout-color3', header);
    const border = v('--jp-border-color2', '#ccc');
    this.grid.style = {
      ...DataGrid.defaultStyle,
      voidColor: background,
      backgroundColor: background,
      rowBackgroundColor: i => (i % 2 === 0 ? background : stripe),
      headerBackgroundColor: header,
      gridLineColor: border,
      headerGridLineColor: border,
      selectionFillColor: 'rgba(49, 119, 180, 0.2)',
      cursorBorderColor: v('--jp-brand-color1', '#1976d2')
    };
    const font = `12px ${v('--jp-code-font-family', 'monospace')}`;
    const headers = new TextRenderer({
      textColor: text,
      font: `bold ${font}`,
      backgroundColor: ({ row }) => (row === 1 ? summary : header),
      // The summary row (n, mean, min, max) wraps instead of being cut.
      wrapText: ({ region, row }) => region === 'column-header' && row === 1,
      verticalAlignment: ({ region, row }) =>
        region === 'column-header' && row === 1 ? 'top' : 'center'
    });
    this.grid.cellRenderers = new RendererMap(
      {
        'column-header': headers,
        'corner-header': headers,
        'row-header': headers
      },
      new TextRenderer({ textColor: text, font })
    );
  }

  private _onPage(): void {
    const page = this.model.page;
    const trans = this._trans;
    if (this.model.error) {
      this._status.textContent = this.model.error;
      this._status.classList.add('jp-mod-error');
      return;
    }
    this._status.classList.remove('jp-mod-error');
    if (!page) return;
    this.grid.resizeRow(
      'column-header',
      1,
      page.columns.some(c => c.summary) ? SUMMARY_ROW_HEIGHT : ROW_HEIGHT
    );
    const columns = page.columns.map(
      (c, i) => [String(i), c.name] as [string, string]
    );
    fill(
      this._sortColumn,
      [['', trans.__('(file order)')], ...columns],
      this.model.sort ? String(this.model.sort.column) : ''
    );
    fill(this._filterColumn, columns, this._filterColumn.value || '0');
    this._member.hidden = !page.members;
    if (page.members)
      fill(
        this._member,
        page.members.map(m => [m, m]),
        page.member ?? ''
      );
    const rows = page.complete
      ? trans.__('%1 rows', page.rowsIndexed.toLocaleString())
      : trans.__('indexing… %1 rows so far', page.rowsIndexed.toLocaleString());
    const matching = page.filters.length
      ? ` · ${trans.__('%1 match', page.totalRows.toLocaleString())}`
      : '';
    const format =
      page.format === 'series'
        ? trans.__('Step series')
        : page.format.toUpperCase();
    this._status.textContent = `${format} · ${rows}${matching} · ${page.columns.length} ${trans.__('columns')}`;
    this._renderChips();
  }

  private _renderChips(): void {
    const page = this.model.page;
    this._chips.replaceChildren();
    this.model.filters.forEach((filter, i) => {
      const chip = document.createElement('span');
      chip.className = 'jp-jaxlab-Chip';
      chip.textContent = `${page?.columns[filter.column]?.name ?? filter.column} ${filter.op} ${filter.value}`;
      const remove = document.createElement('button');
      remove.className = 'jp-jaxlab-Chip-remove';
      remove.textContent = '×';
      remove.title = this._trans.__('Remove this filter');
      remove.addEventListener('click', () =>
        this.model.setView({
          sort: this.model.sort,
          filters: this.model.filters.filter((_, k) => k !== i)
        })
      );
      chip.append(remove);
      this._chips.append(chip);
    });
  }

  private _onSort = (): void => {
    const column = this._sortColumn.value;
    this.model.setView({
      sort:
        column === ''
          ? undefined
          : {
              column: Number(column),
              descending: this._sortOrder.value === 'desc'
            },
      filters: [...this.model.filters]
    });
  };

  private _onMember = (): void => {
    this.model.setView({ member: this._member.value });
  };

  private _onAddFilter = (): void => {
    const value = this._filterValue.value.trim();
    if (!value) return;
    this.model.setView({
      sort: this.model.sort,
      filters: [
        ...this.model.filters,
        {
          column: Number(this._filterColumn.value),
          op: this._filterOp.value as TableFilter['op'],
          value
        }
      ]
    });
    this._filterValue.value = '';
  };

  private _onFilterKey = (event: KeyboardEvent): void => {
    if (event.key === 'Enter') this._onAddFilter();
  };

  private _trans: TranslationBundle;
  private _toolbar: HTMLDivElement;
  private _member: HTMLSelectElement;
  private _sortColumn: HTMLSelectElement;
  private _sortOrder: HTMLSelectElement;
  private _filterColumn: HTMLSelectElement;
  private _filterOp: HTMLSelectElement;
  private _filterValue: HTMLInputElement;
  private _addFilter: HTMLButtonElement;
  private _chips: HTMLSpanElement;
  private _status: HTMLDivElement;
}

/** Statics of {@link TableViewerWidget}. */
export namespace TableViewerWidget {
  export interface IOptions {
    client: ApiClient;
    jobId: string;
    source: TableSource;
    trans: TranslationBundle;
  }
}

function select(options: [string, string][]): HTMLSelectElement {
  const s = document.createElement('select');
  s.className = 'jp-jaxlab-Select';
  fill(s, options, options[0]?.[0] ?? '');
  return s;
}

function fill(
  s: HTMLSelectElement,
  options: [string, string][],
  value: string
): void {
  const same =
    s.options.length === options.length &&
    options.every(
      ([v, t], i) => s.options[i].value === v && s.options[i].text === t
    );
  if (!same) {
    s.replaceChildren(
      ...options.map(([v, t]) => {
        const o = document.createElement('option');
        o.value = v;
        o.textContent = t;
        return o;
      })
    );
  }
  s.value = value;
}

function label(text: string): HTMLSpanElement {
  const span = document.createElement('span');
  span.className = 'jp-jaxlab-TableViewer-label';
  span.textContent = text;
  return span;
}
