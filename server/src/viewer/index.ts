export { TableViewer } from './table-viewer.js';
export type {
  IPageQuery,
  ITableArtifact,
  ITableViewerOptions
} from './table-viewer.js';
export { tableFormatOf } from './table-formats.js';
