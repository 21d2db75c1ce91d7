export { TableViewer } from './table-viewer.js';
export type {
  IPageQuery,
  ITableSource,
  ITableViewerOptions
} from './table-viewer.js';
export type { ITableArtifact } from './artifact-rows.js';
export { tableFormatOf } from './table-formats.js';
export { seriesRows } from './series-table.js';
