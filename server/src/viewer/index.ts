export { TableViewer } from './table-viewer.js';
export type {
  IPageQuery,
  ITableArtifact,
  ITableSource,
  ITableViewerOptions
} from './table-viewer.js';
export { tableFormatOf } from './table-formats.js';
export { seriesRows } from './series-table.js';
